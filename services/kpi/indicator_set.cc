#include "services/kpi/indicator_set.h"

#include <string>
#include <utility>

#include "services/kpi/referral_indicators.h"
#include "services/kpi/visit_indicators.h"

namespace sgm::kpi {

std::optional<IndicatorMonth> ComputeIndicatorMonth(
    absl::string_view id, const CaseTimelines& t, absl::CivilMonth m,
    const WorkingDayCalendar& calendar, const AuthorityReference& reference) {
  const VisitRules& visits = reference.visit_rules;
  const ReferralRules& referrals = reference.referral_rules;
  if (id == "cic_visits_in_time") {
    return CicVisitsInTime(t.cla_episodes, m, calendar, visits);
  }
  if (id == "cic_reviews_in_time") {
    return CicReviewsInTime(t.cla_episodes, m, calendar, visits);
  }
  if (id == "cpp_visits_in_time") {
    return CppVisitsInTime(t.cp_plans, m, calendar, visits);
  }
  if (id == "cpp_reviews_in_time") {
    return CppReviewsInTime(t.cp_plans, m, calendar, visits);
  }
  if (id == "cin_reviews_in_time") {
    return CinReviewsInTime(t.cin_plans, m, calendar, visits);
  }
  if (id == "first_assessments_in_time") {
    return FirstAssessmentsInTime(t.referrals, m, calendar, referrals);
  }
  if (id == "icpc_in_15wd") {
    return IcpcIn15wd(t.referrals, m, calendar, referrals);
  }
  if (id == "repeat_cp_plans") return RepeatCpPlans(t.cp_plans, m, referrals);
  return std::nullopt;
}

std::vector<IndicatorSummary> SummariseIndicators(
    const CaseTimelines& timelines, absl::CivilMonth m,
    const WorkingDayCalendar& calendar, const AuthorityReference& reference) {
  std::vector<IndicatorSummary> out;
  for (const IndicatorDefinition& definition : IndicatorDefinitions()) {
    std::vector<IndicatorMonth> months;
    months.reserve(6);
    for (int back = 5; back >= 0; --back) {
      IndicatorMonth month = *ComputeIndicatorMonth(
          definition.id, timelines, m - back, calendar, reference);
      // Only M's cases are listed; earlier months give their counts.
      if (back != 0) month.cases.clear();
      months.push_back(std::move(month));
    }
    const auto target = reference.targets.find(definition.id);
    const auto comparators = reference.comparators.find(definition.id);
    out.push_back(BuildIndicatorSummary(
        definition.id, months,
        target != reference.targets.end() ? target->second
                                          : definition.default_target,
        comparators != reference.comparators.end()
            ? comparators->second
            : std::vector<Comparator>{}));
  }
  return out;
}

}  // namespace sgm::kpi
