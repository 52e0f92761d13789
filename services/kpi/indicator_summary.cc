#include "services/kpi/indicator_summary.h"

#include <cmath>
#include <utility>

#include "common/percent.h"

namespace sgm::kpi {
namespace {

// Percentages are multiples of 0.1 here; work in whole tenths.
int64_t Tenths(double value) { return std::llround(value * 10.0); }

constexpr int kAverageMonths = 6;

}  // namespace

std::optional<double> Percent1dp(int64_t part, int64_t whole) {
  return sgm::Percent1dp(part, whole);
}

std::optional<double> SixMonthAverage(
    absl::Span<const std::optional<double>> monthly_percents_m_minus_5_to_m) {
  int64_t sum_tenths = 0;
  int64_t count = 0;
  for (const std::optional<double>& percent : monthly_percents_m_minus_5_to_m) {
    if (!percent) continue;
    sum_tenths += Tenths(*percent);
    ++count;
  }
  if (count == 0) return std::nullopt;
  // The mean in tenths, rounded: RoundedTenths(p, w) = round(10 * p / w).
  return sgm::RoundedTenths(sum_tenths, 10 * count) / 10.0;
}

Rag RagFor(std::optional<double> percent, const IndicatorTarget& target) {
  if (!percent) return Rag::kNone;
  // How many tenths of a point worse than the target (negative: better).
  const int64_t worse_by = target.direction == Direction::kHigherIsBetter
                               ? Tenths(target.target) - Tenths(*percent)
                               : Tenths(*percent) - Tenths(target.target);
  if (worse_by <= 0) return Rag::kGreen;
  if (worse_by <= Tenths(target.amber_margin)) return Rag::kAmber;
  return Rag::kRed;
}

IndicatorSummary BuildIndicatorSummary(absl::string_view id,
                                       absl::Span<const IndicatorMonth> months,
                                       const IndicatorTarget& target,
                                       std::vector<Comparator> comparators) {
  IndicatorSummary summary;
  summary.id = std::string(id);
  summary.target = target;
  summary.comparators = std::move(comparators);
  if (months.size() > kAverageMonths) {
    months = months.subspan(months.size() - kAverageMonths);
  }
  std::vector<std::optional<double>> percents;
  percents.reserve(months.size());
  for (const IndicatorMonth& month : months) {
    percents.push_back(Percent1dp(month.numerator, month.denominator));
  }
  if (!months.empty()) {
    summary.numerator = months.back().numerator;
    summary.denominator = months.back().denominator;
    summary.percent = percents.back();
  }
  summary.six_month_average = SixMonthAverage(percents);
  summary.rag = RagFor(summary.percent, target);
  return summary;
}

std::vector<IndicatorDefinition> IndicatorDefinitions() {
  constexpr Direction kHigher = Direction::kHigherIsBetter;
  return {
      {"cic_visits_in_time",
       "Children in care visited in time",
       "Care Planning Regs 2010 reg 28",
       {90.0, 5.0, kHigher}},
      {"cic_reviews_in_time",
       "Children in care reviewed in time",
       "Care Planning Regs 2010 reg 33",
       {90.0, 5.0, kHigher}},
      {"cpp_visits_in_time",
       "Child protection visits in time",
       "local procedures",
       {90.0, 5.0, kHigher}},
      {"cpp_reviews_in_time",
       "Child protection reviews in time",
       "Working Together",
       {90.0, 5.0, kHigher}},
      {"cin_reviews_in_time",
       "Child in need plans reviewed in time",
       "local procedures",
       {90.0, 5.0, kHigher}},
      {"first_assessments_in_time",
       "First assessments completed within 45 working days",
       "Working Together",
       {85.0, 5.0, kHigher}},
      {"icpc_in_15wd",
       "Initial child protection conferences within 15 working days",
       "Working Together; CIN census C4",
       {85.0, 5.0, kHigher}},
      {"repeat_cp_plans",
       "Repeat child protection plans",
       "former NI 65, DfE D3",
       {20.0, 5.0, Direction::kLowerIsBetter}},
  };
}

std::optional<IndicatorDefinition> FindIndicatorDefinition(
    absl::string_view id) {
  for (IndicatorDefinition& definition : IndicatorDefinitions()) {
    if (definition.id == id) return std::move(definition);
  }
  return std::nullopt;
}

}  // namespace sgm::kpi
