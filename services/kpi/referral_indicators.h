// The referral-flow indicators of DESIGN section 3: first assessments in
// time, ICPCs within 15 working days, repeat child protection plans. Each is
// a flow over a calendar month M. Pure code: no clock, no I/O.
#ifndef SGM_SERVICES_KPI_REFERRAL_INDICATORS_H_
#define SGM_SERVICES_KPI_REFERRAL_INDICATORS_H_

#include <optional>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "services/kpi/case_event.h"
#include "services/kpi/indicator.h"

namespace sgm::kpi {

// Where the 45 working days of an assessment are counted from.
enum class AssessmentStartPoint { kReferral, kAssessmentStart };

struct ReferralRules {
  AssessmentStartPoint assessment_start_point = AssessmentStartPoint::kReferral;
  int assessment_wd = 45;
  int icpc_wd = 15;
  // none: an earlier CP plan at any time makes a plan a repeat; n: only an
  // earlier plan that started within n months before this plan's start.
  std::optional<int> repeat_plan_window_months;
};

// `first_assessments_in_time`. Population: assessments that ended in M and
// are the first of their referral: of the referral's assessments that have
// a start, the one with the earliest start (tie: the smallest ref_id). An
// assessment without a start is never the first. On time: end <= base +
// rules.assessment_wd working days, where base is the referral date; when
// the referral has no REFERRAL date, or the start point is
// kAssessmentStart, base is the assessment's start. Cases carry the
// assessment's ref_id.
IndicatorMonth FirstAssessmentsInTime(
    absl::Span<const ReferralTimeline> referrals, absl::CivilMonth month,
    const WorkingDayCalendar& calendar, const ReferralRules& rules);

// `icpc_in_15wd`. Population: every ICPC held in M (each ICPC date of an
// S47) for which the S47 has a strategy discussion or a start on or before
// the ICPC. On time: icpc <= base + rules.icpc_wd working days, where base
// is the last strategy discussion on or before the ICPC, else the S47's
// start. An ICPC with neither is not in the population. Cases carry the
// S47's ref_id.
IndicatorMonth IcpcIn15wd(absl::Span<const ReferralTimeline> referrals,
                          absl::CivilMonth month,
                          const WorkingDayCalendar& calendar,
                          const ReferralRules& rules);

// `repeat_cp_plans` (lower is better). Population: CP plans that started in
// M. In the numerator: the same child (same non-empty child_id) has another
// CP plan in `cp_plans` that started strictly earlier; with
// rules.repeat_plan_window_months = n, only one that started on or after
// AddMonthsClamped(start, -n). Pass every plan known, not only M's. Cases
// carry the plan's ref_id.
IndicatorMonth RepeatCpPlans(absl::Span<const Episode> cp_plans,
                             absl::CivilMonth month,
                             const ReferralRules& rules);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_REFERRAL_INDICATORS_H_
