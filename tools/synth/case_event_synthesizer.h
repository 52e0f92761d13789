// Synthetic case activity (DESIGN section 5, case-events feed) for one
// authority, for demonstrations, tests and benchmarks: referrals,
// assessments, S47 enquiries and ICPCs, CP and CIN plans with their visits
// and reviews, CLA episodes, early help, pre-proceedings, allocations and
// closures (CASE_CLOSED with RC1-RC9), calibrated at scale 1 to a
// Derby-sized authority (about 60,000 children aged 0-17;
// data/seed-figures.json beside DESIGN.md):
//   - about 4,500 referrals a year;
//   - about 3,750 open cases at the end of the last month: about 590
//     children looked after (~100 per 10,000), about 290 on CP plans
//     (~48 per 10,000), the rest split about evenly between child in need
//     (CIN plans and referrals still open) and early help (~38% each);
//   - measured with the real timeline, indicator and case-status code at
//     the last month (2023, seeds 1-10): 3,590-3,820 open cases, 527-605
//     children looked after, 259-321 on CP plans; first assessments in
//     time 84-89%, CP visits 85-91%, CP reviews 91-96%, CIN reviews 93-98%,
//     CLA visits 89-94%, CLA reviews 96-99%; over the year ICPCs within 15
//     working days 85-90% and repeat CP plans 16-22%; 15-26 under-1s on CP
//     plans;
//   - caseloads (open allocations per worker at the last month): 14.8-16.7
//     per qualified social worker, about 15 per family help practitioner,
//     14.8-15.7 over all case holders;
//   - what the practice-insight figures read: CIN_VISIT every 4-6 weeks on
//     CIN plans (90% within 40 days of the last); visit_mode and seen_alone
//     on every CP, CIN and CLA visit, face to face 87% before 2022 and
//     91.5% from 2022, seen alone 60-75% of CP and CIN visits and 45-60% of
//     CLA visits (never under age 2); a category on about 60% of REFERRALs
//     (80% of those with an S47 enquiry), on every S47_START and ICPC, the
//     referral's physical abuse about three times as common as the plan's
//     (kReferralCategoryWeights) and a referral's category other than its
//     plan's for about a quarter of plans; step-downs: 55% of CP plans
//     that end with the child still under 18 are followed 0-7 days later
//     by a CIN plan, 15% by early help, and 27% of CIN plans by early help
//     0-7 days later.
//
// Levels (CaseEventSynthOptions::volume and lateness, per authority with
// `sgm synth --scale N`: authority_level.h): volume multiplies referrals,
// early help and the workers of each pool (so caseloads stay near 15);
// lateness multiplies the share of assessments, ICPCs, visits and reviews
// out of time.
//
// Who holds the cases: every referral, plan and episode has an allocation
// (ALLOCATION_START/_END) naming a worker and a team, ids a workforce feed
// can share (the workforce synthesizer names the same staff). Each pool
// below has its number x scale x volume workers (rounded, at least one):
//   - qualified social workers "W0001" .. "W0093" at scale 1 (93 x scale,
//     the reports' 92.6 FTE), numbered by team kind in this order:
//     assessment 36 x scale, teams "ASSESS1".. of 6 (referrals from receipt
//     until the case closes or its first plan or care episode starts); child
//     protection 18 x scale, teams "CP1".. of 6 (CP plans); children in
//     care 35 x scale, teams "CLA1".. of 7 (care episodes; a new worker
//     every one to two years on a long episode); disabled children
//     4 x scale, teams "DISABLED1".. of 4 (every plan and episode of a
//     child referred for disability, N2);
//   - unqualified family help practitioners "P0001" .. "P0150" at scale 1
//     (150 x scale), teams "EH1".. of 10 (early help episodes and CIN
//     plans, as family help under the Families First reforms).
// Within a kind, worker k (0-based) is in team k / team size + 1, so at
// scale 1: W0001-W0036 ASSESS1-6, W0037-W0054 CP1-3, W0055-W0089 CLA1-5,
// W0090-W0093 DISABLED1, P0001-P0150 EH1-15. Every worker holds cases at
// the last month.
//
// Cases open during the window are generated with their whole history:
// journeys are simulated from long before the first month (so a child who
// came into care ten years ago is there, with ten years of visits and
// reviews), and every journey with activity on or after the first day of
// `first_month - lead_months` is emitted in full. Journeys that ended
// before that are left out, except the start and end of an earlier CP plan
// of a child who has a later one (so repeat plans are visible). No event is
// dated after the last day of the last month.
//
// Pure and deterministic: the same options and calendar give byte-identical
// output on every platform (std::mt19937_64, whose sequence the standard
// fixes, with the generator's own distributions; no floating-point
// functions beyond + - * /). Nothing generated describes a real person.
#ifndef SGM_TOOLS_SYNTH_CASE_EVENT_SYNTHESIZER_H_
#define SGM_TOOLS_SYNTH_CASE_EVENT_SYNTHESIZER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "services/kpi/case_event.h"

namespace sgm::synth {

struct CaseEventSynthOptions {
  uint64_t seed = 1;
  absl::CivilMonth first_month = absl::CivilMonth(2023, 1);  // 2000 to 2100
  int months = 12;  // 1 to 240; the last month is first_month + months - 1
  // Volume multiplier: referrals, children, workers and teams all scale.
  int scale = 1;  // 1 to 100
  // Months before first_month whose activity is complete, so that the
  // first month's 6-month averages have their history; 0 to 60.
  int lead_months = 5;
  // The authority's level against the calibrated one (1 and 1 for the first
  // authority; see AuthorityLevelOf in tools/synth/authority_level.h):
  // `volume` multiplies referrals, early help and the workers of every pool
  // as `scale` does (0.25 to 4); `lateness` multiplies the share of
  // assessments, ICPCs, visits and reviews that are late (0.5 to 2).
  double volume = 1;
  double lateness = 1;
};

struct CaseEventSynthStats {
  int64_t events = 0;
  int64_t children = 0;  // distinct child_ids in the output
  // REFERRAL events dated in first_month .. the last month.
  int64_t referrals_in_window = 0;
};

// What the front door saw of the case events: the contacts feed of the same
// authority (SynthesizeContacts) has a contact for each referral and some
// contacts about children whose work is open.
struct PlannedReferral {
  absl::CivilDay date;  // of the REFERRAL event
  std::string child_id;
  absl::CivilDay child_dob;
  std::string source_code;
  std::string primary_need;
  // The category the front door saw: the REFERRAL event's when it has one,
  // else the CP plan's when the referral leads to one, else the S47
  // enquiry's; "" when none (NEG, EMO, PHY, SAB or MUL).
  std::string category;
  // The referral has a strategy discussion and an S47 enquiry.
  bool strategy_discussion = false;
};

// A piece of work (assessment, S47 enquiry, CIN, CP plan, CLA episode,
// early help episode) open from `start` until `end` (its end event's date,
// which may lie after the last month: no end event yet). Open on day d
// when start <= d < end, as intake's duplicate input counts it.
struct PlannedOpenWork {
  std::string child_id;
  absl::CivilDay child_dob;
  absl::CivilDay start;
  absl::CivilDay end;
};

struct CaseEventPlan {
  // Every REFERRAL event of the output, by date.
  std::vector<PlannedReferral> referrals;
  // The work of the output that starts on or before the last day, by start.
  std::vector<PlannedOpenWork> open_work;
};

// The plan of SynthesizeCaseEvents(options, calendar) (the same run).
absl::StatusOr<CaseEventPlan> PlanCaseEvents(
    const CaseEventSynthOptions& options, const WorkingDayCalendar& calendar);

// The events in date order (ties in generation order), event ids E0000001,
// E0000002, ... in that order. INVALID_ARGUMENT for bad options.
absl::StatusOr<std::vector<kpi::CaseEvent>> SynthesizeCaseEvents(
    const CaseEventSynthOptions& options, const WorkingDayCalendar& calendar);

// The canonical CSV header row of the case-events feed (the columns of
// kpi::CaseEventFeedSchema() in order), ending in "\n".
absl::string_view CaseEventsCsvHeader();

// `events` as a case-events CSV file: the header row, then a row per event
// in the given order. An error when the stream fails.
absl::Status WriteCaseEventsCsv(absl::Span<const kpi::CaseEvent> events,
                                std::ostream* out);

// SynthesizeCaseEvents straight to CSV, without building a CaseEvent per
// row first (a compact 40 bytes or so per event in memory; for large
// scales). The bytes are those of WriteCaseEventsCsv(SynthesizeCaseEvents).
absl::StatusOr<CaseEventSynthStats> SynthesizeCaseEventsCsv(
    const CaseEventSynthOptions& options, const WorkingDayCalendar& calendar,
    std::ostream* out);

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_CASE_EVENT_SYNTHESIZER_H_
