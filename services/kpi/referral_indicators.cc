#include "services/kpi/referral_indicators.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/civil_date.h"

namespace sgm::kpi {
namespace {

bool InMonth(absl::CivilDay day, absl::CivilMonth month) {
  return absl::CivilMonth(day) == month;
}

void AddCase(const std::string& child_id, const std::string& ref_id,
             bool on_time, IndicatorMonth& result) {
  ++result.denominator;
  if (on_time) ++result.numerator;
  result.cases.push_back({child_id, ref_id, on_time});
}

// The first assessment of a referral: earliest start, tie smallest ref_id;
// nullptr when no assessment has a start.
const ReferralTimeline::Assessment* FirstAssessment(
    const ReferralTimeline& referral) {
  const ReferralTimeline::Assessment* first = nullptr;
  for (const ReferralTimeline::Assessment& assessment : referral.assessments) {
    if (!assessment.start) continue;
    if (first == nullptr || *assessment.start < *first->start ||
        (*assessment.start == *first->start &&
         assessment.ref_id < first->ref_id)) {
      first = &assessment;
    }
  }
  return first;
}

}  // namespace

IndicatorMonth FirstAssessmentsInTime(
    absl::Span<const ReferralTimeline> referrals, absl::CivilMonth month,
    const WorkingDayCalendar& calendar, const ReferralRules& rules) {
  IndicatorMonth result;
  for (const ReferralTimeline& referral : referrals) {
    const ReferralTimeline::Assessment* first = FirstAssessment(referral);
    if (first == nullptr || !first->end || !InMonth(*first->end, month)) {
      continue;
    }
    const bool from_referral =
        rules.assessment_start_point == AssessmentStartPoint::kReferral &&
        referral.referral_date.has_value();
    const absl::CivilDay base =
        from_referral ? *referral.referral_date : *first->start;
    AddCase(referral.child_id, first->ref_id,
            calendar.WithinWorkingDays(base, *first->end, rules.assessment_wd),
            result);
  }
  return result;
}

IndicatorMonth IcpcIn15wd(absl::Span<const ReferralTimeline> referrals,
                          absl::CivilMonth month,
                          const WorkingDayCalendar& calendar,
                          const ReferralRules& rules) {
  IndicatorMonth result;
  for (const ReferralTimeline& referral : referrals) {
    for (const ReferralTimeline::S47& s47 : referral.s47s) {
      for (const absl::CivilDay icpc : s47.icpcs) {
        if (!InMonth(icpc, month)) continue;
        std::optional<absl::CivilDay> base;
        for (const absl::CivilDay discussion : s47.strategy_discussions) {
          if (discussion <= icpc && (!base || discussion > *base)) {
            base = discussion;
          }
        }
        if (!base && s47.start && *s47.start <= icpc) base = s47.start;
        if (!base) continue;
        AddCase(referral.child_id, s47.ref_id,
                calendar.WithinWorkingDays(*base, icpc, rules.icpc_wd), result);
      }
    }
  }
  return result;
}

IndicatorMonth RepeatCpPlans(absl::Span<const Episode> cp_plans,
                             absl::CivilMonth month,
                             const ReferralRules& rules) {
  // Plan starts of the children with a plan starting in M: one pass over
  // the plans, not one per plan.
  absl::flat_hash_map<std::string, std::vector<absl::CivilDay>> starts;
  for (const Episode& plan : cp_plans) {
    if (InMonth(plan.start, month) && !plan.child_id.empty()) {
      starts.try_emplace(plan.child_id);
    }
  }
  for (const Episode& plan : cp_plans) {
    auto it = starts.find(plan.child_id);
    if (it != starts.end()) it->second.push_back(plan.start);
  }
  IndicatorMonth result;
  for (const Episode& plan : cp_plans) {
    if (!InMonth(plan.start, month)) continue;
    std::optional<absl::CivilDay> window_start;
    if (rules.repeat_plan_window_months) {
      window_start =
          AddMonthsClamped(plan.start, -*rules.repeat_plan_window_months);
    }
    bool repeat = false;
    auto it = starts.find(plan.child_id);
    if (it != starts.end()) {
      for (const absl::CivilDay other_start : it->second) {
        if (other_start < plan.start &&
            (!window_start || other_start >= *window_start)) {
          repeat = true;
          break;
        }
      }
    }
    AddCase(plan.child_id, plan.ref_id, repeat, result);
  }
  return result;
}

}  // namespace sgm::kpi
