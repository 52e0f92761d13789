#include "services/kpi/indicator_summary.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/indicator.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Optional;

IndicatorMonth Month(int64_t numerator, int64_t denominator) {
  IndicatorMonth month;
  month.numerator = numerator;
  month.denominator = denominator;
  return month;
}

TEST(Percent1dpTest, RoundsHalfAwayFromZero) {
  EXPECT_THAT(Percent1dp(1, 3), Optional(33.3));
  EXPECT_THAT(Percent1dp(2, 3), Optional(66.7));
  EXPECT_THAT(Percent1dp(1, 6), Optional(16.7));
  EXPECT_THAT(Percent1dp(1, 8), Optional(12.5));
  EXPECT_THAT(Percent1dp(1, 16), Optional(6.3));    // 6.25
  EXPECT_THAT(Percent1dp(-1, 16), Optional(-6.3));  // -6.25
  EXPECT_THAT(Percent1dp(1, 2000), Optional(0.1));  // 0.05
  EXPECT_THAT(Percent1dp(1, 2001), Optional(0.0));  // 0.0499...
  EXPECT_THAT(Percent1dp(2499 - 1595, 1595), Optional(56.7));
  EXPECT_THAT(Percent1dp(0, 5), Optional(0.0));
  EXPECT_THAT(Percent1dp(7, 7), Optional(100.0));
  EXPECT_EQ(Percent1dp(5, 0), std::nullopt);
}

TEST(SixMonthAverageTest, MeanOfThePresentMonths) {
  // (93.3 + 91.0) / 2 = 92.15 -> 92.2
  const std::vector<std::optional<double>> percents = {93.3, std::nullopt,
                                                       91.0};
  EXPECT_THAT(SixMonthAverage(percents), Optional(92.2));
  // (80.1 + 88.8) / 2 = 84.45 -> 84.5; in doubles the mean times 10 is
  // 844.4999..., which would round to 84.4.
  const std::vector<std::optional<double>> binary = {std::nullopt, 80.1, 88.8,
                                                     std::nullopt};
  EXPECT_THAT(SixMonthAverage(binary), Optional(84.5));
}

TEST(SixMonthAverageTest, SixMonths) {
  const std::vector<std::optional<double>> percents = {91.6, 90.0, 88.4,
                                                       95.2, 93.3, 92.0};
  // 550.5 / 6 = 91.75 -> 91.8
  EXPECT_THAT(SixMonthAverage(percents), Optional(91.8));
}

TEST(SixMonthAverageTest, NoneWhenNoMonthHasAPercent) {
  const std::vector<std::optional<double>> none = {std::nullopt, std::nullopt};
  EXPECT_EQ(SixMonthAverage(none), std::nullopt);
  EXPECT_EQ(SixMonthAverage({}), std::nullopt);
}

TEST(RagTest, HigherIsBetterAtTheTargetAndMargins) {
  const IndicatorTarget target{85.0, 5.0, Direction::kHigherIsBetter};
  EXPECT_EQ(RagFor(100.0, target), Rag::kGreen);
  EXPECT_EQ(RagFor(85.0, target), Rag::kGreen);
  EXPECT_EQ(RagFor(84.9, target), Rag::kAmber);
  EXPECT_EQ(RagFor(80.0, target), Rag::kAmber);
  EXPECT_EQ(RagFor(79.9, target), Rag::kRed);
  EXPECT_EQ(RagFor(0.0, target), Rag::kRed);
  EXPECT_EQ(RagFor(std::nullopt, target), Rag::kNone);
}

TEST(RagTest, LowerIsBetterAtTheTargetAndMargins) {
  const IndicatorTarget target{20.0, 5.0, Direction::kLowerIsBetter};
  EXPECT_EQ(RagFor(0.0, target), Rag::kGreen);
  EXPECT_EQ(RagFor(20.0, target), Rag::kGreen);
  EXPECT_EQ(RagFor(20.1, target), Rag::kAmber);
  EXPECT_EQ(RagFor(25.0, target), Rag::kAmber);
  EXPECT_EQ(RagFor(25.1, target), Rag::kRed);
  EXPECT_EQ(RagFor(std::nullopt, target), Rag::kNone);
}

TEST(RagTest, MarginEdgeIsExactInTenths) {
  // 90.9 - 5.0 in doubles is not exactly 85.9.
  const IndicatorTarget target{90.9, 5.0, Direction::kHigherIsBetter};
  EXPECT_EQ(RagFor(85.9, target), Rag::kAmber);
  EXPECT_EQ(RagFor(85.8, target), Rag::kRed);
  const IndicatorTarget lower{15.1, 2.2, Direction::kLowerIsBetter};
  EXPECT_EQ(RagFor(17.3, lower), Rag::kAmber);
  EXPECT_EQ(RagFor(17.4, lower), Rag::kRed);
}

TEST(BuildIndicatorSummaryTest, EmptyMonthIsLeftOutOfTheAverage) {
  const std::vector<IndicatorMonth> months = {Month(9, 10), Month(0, 0),
                                              Month(10, 10)};
  const IndicatorSummary summary =
      BuildIndicatorSummary("cic_visits_in_time", months,
                            {90.0, 5.0, Direction::kHigherIsBetter}, {});
  EXPECT_EQ(summary.id, "cic_visits_in_time");
  EXPECT_EQ(summary.numerator, 10);
  EXPECT_EQ(summary.denominator, 10);
  EXPECT_THAT(summary.percent, Optional(100.0));
  // (90.0 + 100.0) / 2, not (90.0 + 0 + 100.0) / 3.
  EXPECT_THAT(summary.six_month_average, Optional(95.0));
  EXPECT_EQ(summary.rag, Rag::kGreen);
}

TEST(BuildIndicatorSummaryTest, EmptyThisMonthHasNoPercentNorRag) {
  const std::vector<IndicatorMonth> months = {Month(9, 10), Month(0, 0)};
  const IndicatorSummary summary = BuildIndicatorSummary(
      "icpc_in_15wd", months, {85.0, 5.0, Direction::kHigherIsBetter}, {});
  EXPECT_EQ(summary.denominator, 0);
  EXPECT_EQ(summary.percent, std::nullopt);
  EXPECT_THAT(summary.six_month_average, Optional(90.0));
  EXPECT_EQ(summary.rag, Rag::kNone);
}

TEST(BuildIndicatorSummaryTest, UsesOnlyTheLastSixMonths) {
  const std::vector<IndicatorMonth> months = {
      Month(0, 10),  Month(10, 10), Month(10, 10), Month(10, 10),
      Month(10, 10), Month(10, 10), Month(10, 10)};
  const IndicatorSummary summary =
      BuildIndicatorSummary("cpp_visits_in_time", months,
                            {90.0, 5.0, Direction::kHigherIsBetter}, {});
  EXPECT_THAT(summary.six_month_average, Optional(100.0));
}

// Seed figures, July 2023: ICPCs within 15 working days 100.0% this month,
// 6-month average 90.9; comparators (2021-22) statistical neighbours 82.7,
// East Midlands 84.2, England 79.2. Months Feb-Jul 2023:
// 8/9 = 88.9, 10/11 = 90.9, 12/13 = 92.3, 5/6 = 83.3, 9/10 = 90.0,
// 7/7 = 100.0; sum 545.4 / 6 = 90.9.
TEST(BuildIndicatorSummaryTest, SeedFiguresIcpcJuly2023) {
  const std::vector<IndicatorMonth> months = {Month(8, 9),   Month(10, 11),
                                              Month(12, 13), Month(5, 6),
                                              Month(9, 10),  Month(7, 7)};
  const std::optional<IndicatorDefinition> definition =
      FindIndicatorDefinition("icpc_in_15wd");
  ASSERT_TRUE(definition.has_value());
  const IndicatorSummary summary =
      BuildIndicatorSummary("icpc_in_15wd", months, definition->default_target,
                            {{"Statistical neighbours", 2021, 82.7},
                             {"East Midlands", 2021, 84.2},
                             {"England", 2021, 79.2}});
  EXPECT_EQ(summary.numerator, 7);
  EXPECT_EQ(summary.denominator, 7);
  EXPECT_THAT(summary.percent, Optional(100.0));
  EXPECT_THAT(summary.six_month_average, Optional(90.9));
  EXPECT_EQ(summary.rag, Rag::kGreen);
  EXPECT_THAT(summary.comparators,
              ElementsAre(Field(&Comparator::percent, 82.7),
                          Field(&Comparator::percent, 84.2),
                          Field(&Comparator::percent, 79.2)));
}

// Seed figures, July 2023: repeat CP plans 15.0% (lower is better) against
// the default 20% target: green; the 6-month average 22.4 would be amber.
TEST(BuildIndicatorSummaryTest, SeedFiguresRepeatPlansLowerIsBetter) {
  const std::optional<IndicatorDefinition> definition =
      FindIndicatorDefinition("repeat_cp_plans");
  ASSERT_TRUE(definition.has_value());
  const std::vector<IndicatorMonth> months = {Month(3, 20)};
  const IndicatorSummary summary = BuildIndicatorSummary(
      "repeat_cp_plans", months, definition->default_target, {});
  EXPECT_THAT(summary.percent, Optional(15.0));
  EXPECT_EQ(summary.rag, Rag::kGreen);
  EXPECT_EQ(RagFor(22.4, definition->default_target), Rag::kAmber);
}

TEST(IndicatorDefinitionsTest, TheEightIndicatorsInTableOrder) {
  const std::vector<IndicatorDefinition> definitions = IndicatorDefinitions();
  std::vector<std::string> ids;
  for (const IndicatorDefinition& definition : definitions) {
    ids.push_back(definition.id);
    EXPECT_FALSE(definition.source.empty()) << definition.id;
    EXPECT_EQ(definition.default_target.direction,
              definition.id == "repeat_cp_plans" ? Direction::kLowerIsBetter
                                                 : Direction::kHigherIsBetter)
        << definition.id;
  }
  EXPECT_THAT(ids,
              ElementsAre("cic_visits_in_time", "cic_reviews_in_time",
                          "cpp_visits_in_time", "cpp_reviews_in_time",
                          "cin_reviews_in_time", "first_assessments_in_time",
                          "icpc_in_15wd", "repeat_cp_plans"));
  EXPECT_EQ(FindIndicatorDefinition("no_such_indicator"), std::nullopt);
}

}  // namespace
}  // namespace sgm::kpi
