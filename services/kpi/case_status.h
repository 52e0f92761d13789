// Pure: what the case timelines say about the caseload on a date (DESIGN
// section 3, "Also:"): open cases by level, children in care and on CP
// plans per 10,000, referrals in a month, the four watchlists, open
// allocations per worker, and reproducible samples for QA dip sampling.
// No clock, no I/O: every date is passed in.
#ifndef SGM_SERVICES_KPI_CASE_STATUS_H_
#define SGM_SERVICES_KPI_CASE_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {

// The level a child's case is open at, lowest to highest.
enum class CaseLevel {
  kEarlyHelp,
  kChildInNeed,
  kChildProtection,
  kChildInCare
};

// One child with an open case on a date, at its highest level.
struct OpenCase {
  std::string child_id;
  CaseLevel level = CaseLevel::kEarlyHelp;
  // The episode, plan or referral that puts the child at that level (of
  // several: the earliest started, then the smallest ref_id).
  std::string ref_id;
};

struct OpenCaseCounts {
  int64_t early_help = 0;
  int64_t child_in_need = 0;
  int64_t child_protection = 0;
  int64_t child_in_care = 0;
  int64_t total = 0;
};

// Children with an open case at E (open as in DESIGN section 3: started on
// or before E and not ended on or before E), each once at the highest of:
//   child in care      an open CLA episode;
//   child protection   an open CP plan;
//   child in need      an open CIN plan, or an open referral (a referral
//                      date on or before E and no CASE_CLOSED on or before
//                      E; a referral known only from its assessments or
//                      S47s opens at its earliest event);
//   early help         an open Early Help episode.
// Sorted by child_id. Events without a child_id are not counted.
std::vector<OpenCase> OpenCasesAt(const CaseTimelines& timelines,
                                  absl::CivilDay e);
OpenCaseCounts CountOpenCases(const std::vector<OpenCase>& open);

// Distinct children with an episode of `episodes` open at E (for rates:
// a child in care who is also on a CP plan counts in both). Episodes
// without a child_id are not counted.
int64_t ChildrenOpenAt(const std::vector<Episode>& episodes, absl::CivilDay e);

// children x 10,000 / population, rounded half away from zero; none when
// population <= 0 (or the result does not fit in int64).
std::optional<int64_t> Per10k(int64_t children, int64_t population);

// Distinct referrals whose referral date (the REFERRAL event's) is in M.
// Referrals with no REFERRAL event are not counted.
int64_t ReferralsIn(const CaseTimelines& timelines, absl::CivilMonth m);

enum class WatchlistKind {
  kCpPlanTwoYears,             // open CP plan, start + 24 months <= as_of
  kS47OverTenWorkingDays,      // S47 started, not ended on or before as_of,
                               // as_of > start + 10 working days
  kPreProceedingsTwelveWeeks,  // open pre-proceedings, start + 84 days <=
                               // as_of
  kUnderOneOnCpPlan,           // open CP plan, child's date of birth known and
                               // as_of < dob + 12 months (AddMonthsClamped)
};

struct WatchlistEntry {
  std::string child_id;
  std::string ref_id;
  absl::CivilDay since;  // the plan's, S47's or pre-proceedings' start
  int days = 0;          // calendar days from since to as_of
};

// Sorted by (since, child_id, ref_id): the longest-standing first.
std::vector<WatchlistEntry> WatchlistAt(const CaseTimelines& timelines,
                                        WatchlistKind kind,
                                        absl::CivilDay as_of,
                                        const WorkingDayCalendar& calendar);

// The worker a child is allocated to on a date.
struct Allocated {
  std::string worker_id;
  std::string team;
};

// Per child, the open allocation at as_of (of several: the latest
// started, then the greatest ref_id). Sorted by child_id. Allocations
// without a child_id are left out, here and in CaseloadsAt.
std::vector<std::pair<std::string, Allocated>> AllocationsAt(
    const CaseTimelines& timelines, absl::CivilDay as_of);

struct WorkerCaseload {
  std::string worker_id;
  std::string team;        // of the worker's latest-started open allocation
  int64_t open_cases = 0;  // distinct children with an open allocation
};

// Every worker with at least one open allocation at as_of (each of a
// child's open allocations counts for its worker), sorted by worker_id.
// The team's tie-break is the one of AllocationsAt (then the greatest
// ref_id).
std::vector<WorkerCaseload> CaseloadsAt(const CaseTimelines& timelines,
                                        absl::CivilDay as_of);

// A reproducible sample: `size` distinct indices of [0, population) in
// sample order, the same for the same (population, size, seed) on every
// platform (its own generator and Fisher-Yates, not std::shuffle). Fewer
// when population < size. The algorithm is part of the contract (a QA
// sample drawn once must be drawable again): splitmix64 seeded with `seed`;
// step i = 0, 1, ... of a partial Fisher-Yates over [0, population) swaps
// slot i with slot i + r, r uniform in [0, population - i) by rejection
// (draws below 2^64 mod bound are redrawn, then draw % bound), and emits
// the value now in slot i.
std::vector<size_t> SampleIndices(size_t population, size_t size,
                                  uint64_t seed);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_CASE_STATUS_H_
