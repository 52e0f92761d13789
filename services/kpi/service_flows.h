// Pure: service-level flows (docs/insight.md, "Service-level flows"): from
// the case timelines, each child's level of service day by day, the moves
// between levels (step downs, step ups, entries, exits), closures by reason
// and the open cases by level, month by month. No clock, no I/O.
#ifndef SGM_SERVICES_KPI_SERVICE_FLOWS_H_
#define SGM_SERVICES_KPI_SERVICE_FLOWS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/kpi/case_status.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {

// A child's level of service, lowest to highest.
enum class ServiceLevel {
  kNone,
  kEarlyHelp,
  kChildInNeed,
  kChildProtection,
  kChildInCare,
};

// The default longest run of days at no level that still counts as a
// direct move between the levels on either side of it.
inline constexpr int kDefaultFlowGapDays = 7;

// One child's move from one level to another.
struct ChildLevelMove {
  std::string child_id;
  absl::CivilDay date;
  ServiceLevel from = ServiceLevel::kNone;
  ServiceLevel to = ServiceLevel::kNone;
};

// Every child's moves, by (child_id, date). A child's level on day d is the
// highest of its CLA episodes (in care), CP plans (child protection), CIN
// plans (child in need) and Early Help episodes open at d (Episode::OpenAt:
// start <= d and not end <= d); none of them: kNone. The level changes only
// on a start or end date; a change on day d from the level of d - 1 to the
// level of d is a move dated d. A run of kNone of at most gap_days days
// (from the day the last level ended up to the day before the next starts)
// between two levels is bridged: one move from the level before the run to
// the level after it, dated the day the level after starts (no move at all
// when they are the same). A run of kNone before a child's first level is
// not a gap (the first start is an entry); a run of kNone that is still
// going on, or longer than gap_days, makes an exit and (later) an entry.
// gap_days <= 0 bridges nothing. Episodes without a child_id are left out.
std::vector<ChildLevelMove> LevelMoves(const CaseTimelines& timelines,
                                       int gap_days);

// How many moves from one level to another.
struct LevelMoveCount {
  ServiceLevel from = ServiceLevel::kNone;
  ServiceLevel to = ServiceLevel::kNone;
  int64_t moves = 0;
};

// Referrals closed with one closure reason.
struct ClosureReasonCount {
  std::string reason;  // RC1..RC9
  std::string label;   // common/census_codes.h ClosureReasons()
  int64_t closures = 0;
};

// One month of flows.
struct ServiceFlowFigures {
  absl::CivilMonth month;
  // Moves dated in the month (a child moving twice counts twice):
  int64_t step_downs = 0;  // to a lower level other than kNone
  int64_t step_downs_cp_to_cin = 0;
  int64_t step_downs_cin_to_early_help = 0;
  int64_t step_ups = 0;  // to a higher level from a level other than kNone
  int64_t entries = 0;   // kNone -> a level
  int64_t exits = 0;     // a level -> kNone
  // Every move of the month by (from, to), in level order, pairs with at
  // least one move only.
  std::vector<LevelMoveCount> moves;
  // Referrals whose CASE_CLOSED (ReferralTimeline::closed) is in the month,
  // by closure reason in census order (RC1..RC9; reasons with none left
  // out; a reason outside the census list, which validation does not let
  // in, after them with an empty label), and all of them.
  std::vector<ClosureReasonCount> closures;
  int64_t closures_total = 0;
  // Open cases at the month's last day by level (OpenCasesAt: an open
  // referral counts as child in need there, as in GetCaseStatus).
  OpenCaseCounts open_cases;
};

// The months from `from` to `to` (both included, oldest first; none when
// from > to).
std::vector<ServiceFlowFigures> ServiceFlows(const CaseTimelines& timelines,
                                             absl::CivilMonth from,
                                             absl::CivilMonth to, int gap_days);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_SERVICE_FLOWS_H_
