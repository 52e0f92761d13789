#include "services/kpi/visit_indicators.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"
#include "services/kpi/indicator.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;

using Day = absl::CivilDay;
using Month = absl::CivilMonth;

WorkingDayCalendar Calendar() {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

Episode Make(std::string ref_id, Day start, std::optional<Day> end = {},
             std::vector<Day> visits = {}, std::vector<Day> reviews = {}) {
  Episode episode;
  episode.ref_id = ref_id;
  episode.child_id = "C-" + ref_id;
  episode.start = start;
  episode.end = end;
  episode.visits = std::move(visits);
  episode.reviews = std::move(reviews);
  return episode;
}

using IndicatorFn =
    std::function<IndicatorMonth(absl::Span<const Episode>, Month,
                                 const WorkingDayCalendar&, const VisitRules&)>;

// Whether the single episode is in the numerator; fails the test when it is
// not exactly the one case in the denominator.
std::optional<bool> OnTime(const IndicatorFn& indicator, const Episode& episode,
                           Month m, const VisitRules& rules = {}) {
  const IndicatorMonth result =
      indicator(absl::MakeConstSpan(&episode, 1), m, Calendar(), rules);
  if (result.denominator == 0) return std::nullopt;
  EXPECT_EQ(result.denominator, 1);
  EXPECT_EQ(result.cases.size(), 1u);
  EXPECT_EQ(result.numerator, result.cases[0].counted_in_numerator ? 1 : 0);
  return result.cases[0].counted_in_numerator;
}

// ---------------------------------------------------------------------------
// Population: the same for all five indicators

struct Named {
  const char* name;
  IndicatorFn fn;
};

std::vector<Named> AllIndicators() {
  return {{"cic_visits", CicVisitsInTime},
          {"cic_reviews", CicReviewsInTime},
          {"cpp_visits", CppVisitsInTime},
          {"cpp_reviews", CppReviewsInTime},
          {"cin_reviews", CinReviewsInTime}};
}

TEST(VisitIndicatorsTest, PopulationIsOpenAtEndOfMonthCountedOnce) {
  const Day long_ago(2023, 6, 1);
  const std::vector<Episode> episodes = {
      Make("inside", Day(2024, 3, 4), Day(2024, 3, 20)),  // opened and closed
      Make("ended-on-e", long_ago, Day(2024, 3, 31)),
      Make("ended-e-plus-1", long_ago, Day(2024, 4, 1)),
      Make("starts-after-e", Day(2024, 4, 1)),
      Make("ended-before", long_ago, Day(2024, 2, 29)),
      Make("open", long_ago),
      Make("open", long_ago),  // the same plan twice: counted once
  };
  for (const Named& indicator : AllIndicators()) {
    SCOPED_TRACE(indicator.name);
    const IndicatorMonth result =
        indicator.fn(episodes, Month(2024, 3), Calendar(), VisitRules());
    EXPECT_EQ(result.denominator, 2);
    EXPECT_EQ(result.numerator, 0);  // no visits or reviews at all
    EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C-ended-e-plus-1",
                                                    "ended-e-plus-1", false),
                                          FieldsAre("C-open", "open", false)));
  }
}

TEST(VisitIndicatorsTest, EmptyMonthHasDenominatorZero) {
  const std::vector<Episode> none;
  const std::vector<Episode> later = {Make("later", Day(2024, 5, 1))};
  for (const Named& indicator : AllIndicators()) {
    SCOPED_TRACE(indicator.name);
    for (const std::vector<Episode>* episodes : {&none, &later}) {
      const IndicatorMonth result =
          indicator.fn(*episodes, Month(2024, 3), Calendar(), VisitRules());
      EXPECT_EQ(result.denominator, 0);
      EXPECT_EQ(result.numerator, 0);
      EXPECT_TRUE(result.cases.empty());
    }
  }
}

TEST(VisitIndicatorsTest, NumeratorAndCasesNameTheChildren) {
  // CP plans at E = 31 Jan 2024: visited 17 Jan (due 31 Jan) and 16 Jan
  // (due 30 Jan).
  const std::vector<Episode> episodes = {
      Make("P1", Day(2023, 11, 1), {}, {Day(2024, 1, 17)}),
      Make("P2", Day(2023, 11, 1), {}, {Day(2024, 1, 16)}),
      Make("P3", Day(2023, 11, 1), {}, {Day(2024, 1, 30)}),
  };
  const IndicatorMonth result =
      CppVisitsInTime(episodes, Month(2024, 1), Calendar(), VisitRules());
  EXPECT_EQ(result.numerator, 2);
  EXPECT_EQ(result.denominator, 3);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C-P1", "P1", true),
                                        FieldsAre("C-P2", "P2", false),
                                        FieldsAre("C-P3", "P3", true)));
}

// ---------------------------------------------------------------------------
// cic_visits_in_time

TEST(CicVisitsInTimeTest, NoVisitYetSevenDaysFromStart) {
  // E = 31 Mar 2024: start 24 Mar + 7 = 31 Mar on time; 23 Mar + 7 = 30 Mar.
  EXPECT_EQ(
      OnTime(CicVisitsInTime, Make("A", Day(2024, 3, 24)), Month(2024, 3)),
      true);
  EXPECT_EQ(
      OnTime(CicVisitsInTime, Make("A", Day(2024, 3, 23)), Month(2024, 3)),
      false);
}

TEST(CicVisitsInTimeTest, LastVisitPlus42Days) {
  // 18 Feb 2024 + 42 days = 31 Mar 2024 (leap February); 17 Feb -> 30 Mar.
  const Day start(2024, 1, 1);
  EXPECT_EQ(OnTime(CicVisitsInTime, Make("A", start, {}, {Day(2024, 2, 18)}),
                   Month(2024, 3)),
            true);
  EXPECT_EQ(OnTime(CicVisitsInTime, Make("A", start, {}, {Day(2024, 2, 17)}),
                   Month(2024, 3)),
            false);
}

TEST(CicVisitsInTimeTest, IntervalIsConfigurable) {
  VisitRules rules;
  rules.cla_visit_interval_days = 43;
  EXPECT_EQ(OnTime(CicVisitsInTime,
                   Make("A", Day(2024, 1, 1), {}, {Day(2024, 2, 17)}),
                   Month(2024, 3), rules),
            true);
}

TEST(CicVisitsInTimeTest, VisitsOutsideStartToEIgnoredAndUnsortedOk) {
  // A visit before the start (an earlier episode) does not count: start
  // 20 Mar + 7 = 27 Mar < 31 Mar.
  EXPECT_EQ(OnTime(CicVisitsInTime,
                   Make("A", Day(2024, 3, 20), {}, {Day(2024, 3, 10)}),
                   Month(2024, 3)),
            false);
  // A visit after E does not count: the last one by E is 17 Feb.
  EXPECT_EQ(OnTime(CicVisitsInTime,
                   Make("A", Day(2024, 1, 1), {},
                        {Day(2024, 2, 17), Day(2024, 4, 1)}),
                   Month(2024, 3)),
            false);
  // Unsorted: the latest visit (1 Mar) counts, not the last element.
  EXPECT_EQ(OnTime(CicVisitsInTime,
                   Make("A", Day(2023, 12, 1), {},
                        {Day(2024, 3, 1), Day(2024, 1, 1)}),
                   Month(2024, 3)),
            true);
}

TEST(CicVisitsInTimeTest, LongTermSwitchAfterTwelveMonths) {
  // Last visit 15 Jan 2024: + 42 days = 26 Feb (late at 31 Mar), + 3 months
  // = 15 Apr (on time).
  Episode at_twelve = Make("A", Day(2023, 3, 31), {}, {Day(2024, 1, 15)});
  at_twelve.long_term = true;
  // E = 31 Mar 2024 = start + 12 months exactly: still 42 days.
  EXPECT_EQ(OnTime(CicVisitsInTime, at_twelve, Month(2024, 3)), false);
  Episode past_twelve = at_twelve;
  past_twelve.start = Day(2023, 3, 30);  // E = start + 12 months + 1 day
  EXPECT_EQ(OnTime(CicVisitsInTime, past_twelve, Month(2024, 3)), true);
  Episode not_long_term = past_twelve;
  not_long_term.long_term = false;
  EXPECT_EQ(OnTime(CicVisitsInTime, not_long_term, Month(2024, 3)), false);
}

TEST(CicVisitsInTimeTest, LongTermThreeMonthsClamped) {
  Episode episode = Make("A", Day(2020, 1, 1));
  episode.long_term = true;
  // 30 Nov 2023 + 3 months = 29 Feb 2024 (clamped); 28 Nov -> 28 Feb.
  // (With E always a month's last day, clamping a visit's due date cannot
  // change a verdict: these pin the boundary, not the clamping itself.)
  episode.visits = {Day(2023, 11, 30)};
  EXPECT_EQ(OnTime(CicVisitsInTime, episode, Month(2024, 2)), true);
  episode.visits = {Day(2023, 11, 28)};
  EXPECT_EQ(OnTime(CicVisitsInTime, episode, Month(2024, 2)), false);
  // 30 Nov 2022 + 3 months = 28 Feb 2023; 27 Nov -> 27 Feb.
  episode.visits = {Day(2022, 11, 30)};
  EXPECT_EQ(OnTime(CicVisitsInTime, episode, Month(2023, 2)), true);
  episode.visits = {Day(2022, 11, 27)};
  EXPECT_EQ(OnTime(CicVisitsInTime, episode, Month(2023, 2)), false);
}

// ---------------------------------------------------------------------------
// cic_reviews_in_time

TEST(CicReviewsInTimeTest, PopulationFromStartPlus20WorkingDays) {
  // Tue 2 Apr 2024 + 20 wd = Tue 30 Apr = E: in, and on time without a
  // review; Wed 3 Apr + 20 wd = 1 May: not yet in the population.
  EXPECT_EQ(
      OnTime(CicReviewsInTime, Make("A", Day(2024, 4, 2)), Month(2024, 4)),
      true);
  EXPECT_EQ(
      OnTime(CicReviewsInTime, Make("A", Day(2024, 4, 3)), Month(2024, 4)),
      std::nullopt);
}

TEST(CicReviewsInTimeTest, FirstReviewOverEaster) {
  // Thu 28 Mar 2024 + 20 wd = Mon 29 Apr (Good Friday and Easter Monday
  // skipped; 25 Apr otherwise).
  EXPECT_EQ(
      OnTime(CicReviewsInTime, Make("A", Day(2024, 3, 28)), Month(2024, 4)),
      false);  // no review, E = 30 Apr > 29 Apr
  EXPECT_EQ(OnTime(CicReviewsInTime,
                   Make("A", Day(2024, 3, 28), {}, {}, {Day(2024, 4, 26)}),
                   Month(2024, 4)),
            true);
  EXPECT_EQ(OnTime(CicReviewsInTime,
                   Make("A", Day(2024, 3, 28), {}, {}, {Day(2024, 4, 29)}),
                   Month(2024, 4)),
            true);
  EXPECT_EQ(OnTime(CicReviewsInTime,
                   Make("A", Day(2024, 3, 28), {}, {}, {Day(2024, 4, 30)}),
                   Month(2024, 4)),
            false);
}

TEST(CicReviewsInTimeTest, SecondThreeMonthsThenSix) {
  // Start Thu 1 Jun 2023: first due 29 Jun; reviews 29 Jun and 29 Sep (due
  // 29 Sep); third due 29 Mar 2024 (+ 6 months).
  const Episode two =
      Make("A", Day(2023, 6, 1), {}, {}, {Day(2023, 6, 29), Day(2023, 9, 29)});
  EXPECT_EQ(OnTime(CicReviewsInTime, two, Month(2024, 2)), true);
  EXPECT_EQ(OnTime(CicReviewsInTime, two, Month(2024, 3)), false);
  Episode three = two;
  three.reviews.push_back(Day(2024, 3, 29));
  EXPECT_EQ(OnTime(CicReviewsInTime, three, Month(2024, 3)), true);
  // The second review a day late stays late.
  const Episode second_late =
      Make("A", Day(2023, 6, 1), {}, {}, {Day(2023, 6, 29), Day(2023, 9, 30)});
  EXPECT_EQ(OnTime(CicReviewsInTime, second_late, Month(2024, 2)), false);
}

// ---------------------------------------------------------------------------
// cpp_visits_in_time

TEST(CppVisitsInTimeTest, LastVisitPlusTenWorkingDays) {
  // E = Wed 31 Jan 2024: Wed 17 Jan + 10 wd = 31 Jan; 16 Jan -> 30 Jan.
  const Day start(2023, 11, 1);
  EXPECT_EQ(OnTime(CppVisitsInTime, Make("P", start, {}, {Day(2024, 1, 17)}),
                   Month(2024, 1)),
            true);
  EXPECT_EQ(OnTime(CppVisitsInTime, Make("P", start, {}, {Day(2024, 1, 16)}),
                   Month(2024, 1)),
            false);
}

TEST(CppVisitsInTimeTest, NoVisitCountsFromPlanStart) {
  EXPECT_EQ(
      OnTime(CppVisitsInTime, Make("P", Day(2024, 1, 17)), Month(2024, 1)),
      true);
  EXPECT_EQ(
      OnTime(CppVisitsInTime, Make("P", Day(2024, 1, 16)), Month(2024, 1)),
      false);
}

TEST(CppVisitsInTimeTest, IntervalIsConfigurable) {
  VisitRules rules;
  rules.cp_visit_interval_wd = 20;  // 16 Jan + 20 wd = 13 Feb
  EXPECT_EQ(OnTime(CppVisitsInTime,
                   Make("P", Day(2023, 11, 1), {}, {Day(2024, 1, 16)}),
                   Month(2024, 1), rules),
            true);
}

TEST(CppVisitsInTimeTest, Christmas2023InsideTheWindow) {
  // E = Sun 31 Dec 2023. Thu 14 Dec + 10 wd skips 25, 26 Dec and 1 Jan:
  // Tue 2 Jan 2024 (Thu 28 Dec without them). Wed 13 Dec -> Fri 29 Dec.
  const Day start(2023, 10, 2);
  EXPECT_EQ(OnTime(CppVisitsInTime, Make("P", start, {}, {Day(2023, 12, 14)}),
                   Month(2023, 12)),
            true);
  EXPECT_EQ(OnTime(CppVisitsInTime, Make("P", start, {}, {Day(2023, 12, 13)}),
                   Month(2023, 12)),
            false);
}

TEST(CppVisitsInTimeTest, Easter2024InsideTheWindow) {
  const WorkingDayCalendar cal = Calendar();
  ASSERT_EQ(cal.AddWorkingDays(Day(2024, 3, 28), 1), Day(2024, 4, 2));
  // E = Sun 31 Mar 2024. Fri 15 Mar + 10 wd = Tue 2 Apr (Fri 29 Mar without
  // Good Friday); Thu 14 Mar -> Thu 28 Mar.
  const Day start(2024, 1, 2);
  EXPECT_EQ(OnTime(CppVisitsInTime, Make("P", start, {}, {Day(2024, 3, 15)}),
                   Month(2024, 3)),
            true);
  EXPECT_EQ(OnTime(CppVisitsInTime, Make("P", start, {}, {Day(2024, 3, 14)}),
                   Month(2024, 3)),
            false);
}

TEST(CppVisitsInTimeTest, VisitsOutsideStartToEIgnoredAndUnsortedOk) {
  // Before the start: plan start 16 Jan is what counts -> 30 Jan, late.
  EXPECT_EQ(OnTime(CppVisitsInTime,
                   Make("P", Day(2024, 1, 16), {}, {Day(2024, 1, 10)}),
                   Month(2024, 1)),
            false);
  // After E: the 1 Feb visit does not count.
  EXPECT_EQ(OnTime(CppVisitsInTime,
                   Make("P", Day(2023, 11, 1), {},
                        {Day(2024, 1, 16), Day(2024, 2, 1)}),
                   Month(2024, 1)),
            false);
  // Unsorted.
  EXPECT_EQ(OnTime(CppVisitsInTime,
                   Make("P", Day(2023, 11, 1), {},
                        {Day(2024, 1, 17), Day(2024, 1, 2)}),
                   Month(2024, 1)),
            true);
}

// ---------------------------------------------------------------------------
// cpp_reviews_in_time

TEST(CppReviewsInTimeTest, PopulationFromStartPlusThreeMonthsClamped) {
  // 30 Nov 2023 + 3 months = 29 Feb 2024 = E: in, on time with no review.
  EXPECT_EQ(
      OnTime(CppReviewsInTime, Make("P", Day(2023, 11, 30)), Month(2024, 2)),
      true);
  EXPECT_EQ(
      OnTime(CppReviewsInTime, Make("P", Day(2023, 12, 1)), Month(2024, 2)),
      std::nullopt);
  // 30 Nov 2022 + 3 months = 28 Feb 2023.
  EXPECT_EQ(
      OnTime(CppReviewsInTime, Make("P", Day(2022, 11, 30)), Month(2023, 2)),
      true);
  // A month later, still no review: late.
  EXPECT_EQ(
      OnTime(CppReviewsInTime, Make("P", Day(2022, 11, 30)), Month(2023, 3)),
      false);
}

TEST(CppReviewsInTimeTest, ThenSixMonths) {
  // Start 31 Jan 2023, first due 30 Apr (clamped); reviewed 30 Apr, next due
  // 30 Oct: E = 30 Sep on time, 31 Oct late.
  const Episode plan = Make("P", Day(2023, 1, 31), {}, {}, {Day(2023, 4, 30)});
  EXPECT_EQ(OnTime(CppReviewsInTime, plan, Month(2023, 9)), true);
  EXPECT_EQ(OnTime(CppReviewsInTime, plan, Month(2023, 10)), false);
}

TEST(CppReviewsInTimeTest, LateFirstReviewStaysLate) {
  // 1 May is a day late; 15 Oct is before its due date (1 Nov).
  const Episode plan =
      Make("P", Day(2023, 1, 31), {}, {}, {Day(2023, 5, 1), Day(2023, 10, 15)});
  EXPECT_EQ(OnTime(CppReviewsInTime, plan, Month(2023, 10)), false);
}

TEST(CppReviewsInTimeTest, EarlyReviewResetsDue) {
  // Reviewed early on 15 Feb: next due 15 Aug, so late at 31 Aug.
  const Episode plan = Make("P", Day(2023, 1, 31), {}, {}, {Day(2023, 2, 15)});
  EXPECT_EQ(OnTime(CppReviewsInTime, plan, Month(2023, 7)), true);
  EXPECT_EQ(OnTime(CppReviewsInTime, plan, Month(2023, 8)), false);
}

// ---------------------------------------------------------------------------
// cin_reviews_in_time

TEST(CinReviewsInTimeTest, PopulationAndNoReviewYet) {
  // 31 Oct 2023 + 3 months = 31 Jan 2024.
  EXPECT_EQ(
      OnTime(CinReviewsInTime, Make("N", Day(2023, 10, 31)), Month(2024, 1)),
      true);
  EXPECT_EQ(
      OnTime(CinReviewsInTime, Make("N", Day(2023, 11, 1)), Month(2024, 1)),
      std::nullopt);
  EXPECT_EQ(
      OnTime(CinReviewsInTime, Make("N", Day(2023, 10, 31)), Month(2024, 2)),
      false);
}

TEST(CinReviewsInTimeTest, ThenEveryThreeMonthsClamped) {
  // Reviewed 31 Jan 2024 (on the due day): next due 30 Apr (clamped).
  const Episode plan = Make("N", Day(2023, 10, 31), {}, {}, {Day(2024, 1, 31)});
  EXPECT_EQ(OnTime(CinReviewsInTime, plan, Month(2024, 4)), true);
  EXPECT_EQ(OnTime(CinReviewsInTime, plan, Month(2024, 5)), false);
  // A day late.
  const Episode late = Make("N", Day(2023, 10, 31), {}, {}, {Day(2024, 2, 1)});
  EXPECT_EQ(OnTime(CinReviewsInTime, late, Month(2024, 4)), false);
  // 30 Nov 2022 review, next due 28 Feb 2023 (clamped).
  const Episode feb = Make("N", Day(2022, 8, 30), {}, {}, {Day(2022, 11, 30)});
  EXPECT_EQ(OnTime(CinReviewsInTime, feb, Month(2023, 2)), true);
  EXPECT_EQ(OnTime(CinReviewsInTime, feb, Month(2023, 3)), false);
}

TEST(CinReviewsInTimeTest, CadenceIsConfigurable) {
  VisitRules rules;
  rules.cin_review_cadence_months = 2;  // 31 Jan + 2 months = 31 Mar
  const Episode plan = Make("N", Day(2023, 10, 31), {}, {}, {Day(2024, 1, 31)});
  EXPECT_EQ(OnTime(CinReviewsInTime, plan, Month(2024, 3), rules), true);
  EXPECT_EQ(OnTime(CinReviewsInTime, plan, Month(2024, 4), rules), false);
}

TEST(CinReviewsInTimeTest, UnsortedReviews) {
  // In date order 31 Jan (due 31 Jan), 15 Apr (due 30 Apr), next 15 Jul.
  const Episode plan = Make("N", Day(2023, 10, 31), {}, {},
                            {Day(2024, 4, 15), Day(2024, 1, 31)});
  EXPECT_EQ(OnTime(CinReviewsInTime, plan, Month(2024, 6)), true);
}

}  // namespace
}  // namespace sgm::kpi
