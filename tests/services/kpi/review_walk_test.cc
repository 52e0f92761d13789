#include "services/kpi/review_walk.h"

#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/civil_date.h"
#include "common/working_day_calendar.h"
#include "gtest/gtest.h"

namespace sgm::kpi {
namespace {

using Day = absl::CivilDay;

WorkingDayCalendar Calendar() {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

// "+ 3 months" after every review.
Day PlusThreeMonths(Day review, int /*index*/) {
  return AddMonthsClamped(review, 3);
}

// ---------------------------------------------------------------------------
// The walk itself

TEST(ReviewsOnTimeTest, NoReviewOnTimeUpToFirstDueThenLate) {
  const std::vector<Day> none;
  EXPECT_TRUE(
      ReviewsOnTime(Day(2024, 3, 31), none, Day(2024, 3, 30), PlusThreeMonths));
  EXPECT_TRUE(
      ReviewsOnTime(Day(2024, 3, 31), none, Day(2024, 3, 31), PlusThreeMonths));
  EXPECT_FALSE(
      ReviewsOnTime(Day(2024, 3, 31), none, Day(2024, 4, 1), PlusThreeMonths));
}

TEST(ReviewsOnTimeTest, ReviewOnDueDayIsOnTimeDayAfterIsLate) {
  const std::vector<Day> on_due = {Day(2024, 1, 31)};
  const std::vector<Day> day_after = {Day(2024, 2, 1)};
  // E = 31 Mar 2024: well before the next due date either way.
  EXPECT_TRUE(ReviewsOnTime(Day(2024, 1, 31), on_due, Day(2024, 3, 31),
                            PlusThreeMonths));
  EXPECT_FALSE(ReviewsOnTime(Day(2024, 1, 31), day_after, Day(2024, 3, 31),
                             PlusThreeMonths));
}

TEST(ReviewsOnTimeTest, EarlyReviewResetsDue) {
  // First due 30 Jun 2024, but a review on 10 Jan 2024 moves the next due
  // date to 10 Apr 2024: at E = 30 Apr 2024 that is overdue.
  const std::vector<Day> reviews = {Day(2024, 1, 10)};
  EXPECT_FALSE(ReviewsOnTime(Day(2024, 6, 30), reviews, Day(2024, 4, 30),
                             PlusThreeMonths));
  EXPECT_TRUE(ReviewsOnTime(Day(2024, 6, 30), reviews, Day(2024, 4, 10),
                            PlusThreeMonths));
}

TEST(ReviewsOnTimeTest, LateReviewStaysLateWhenLaterOnesAreOnTime) {
  // 1 Feb is a day after the first due date; 1 Mar is on time (due 1 May),
  // and E = 31 Mar is before the next due date (1 Jun).
  const std::vector<Day> late_first = {Day(2024, 2, 1), Day(2024, 3, 1)};
  EXPECT_FALSE(ReviewsOnTime(Day(2024, 1, 31), late_first, Day(2024, 3, 31),
                             PlusThreeMonths));
  const std::vector<Day> on_time = {Day(2024, 1, 31), Day(2024, 3, 1)};
  EXPECT_TRUE(ReviewsOnTime(Day(2024, 1, 31), on_time, Day(2024, 3, 31),
                            PlusThreeMonths));
}

TEST(ReviewsOnTimeTest, ReviewsAfterEAreIgnored) {
  // The 5 Feb review is late for the 31 Jan due date, but not held yet at
  // E = 31 Jan.
  const std::vector<Day> reviews = {Day(2024, 2, 5)};
  EXPECT_TRUE(ReviewsOnTime(Day(2024, 1, 31), reviews, Day(2024, 1, 31),
                            PlusThreeMonths));
  EXPECT_FALSE(ReviewsOnTime(Day(2024, 1, 31), reviews, Day(2024, 2, 29),
                             PlusThreeMonths));
}

TEST(ReviewsOnTimeTest, UnsortedReviewsAreWalkedInDateOrder) {
  // In date order: 15 Jan (due 31 Jan) on time, next due 15 Apr; 1 Apr on
  // time, next due 1 Jul. In the given order 1 Apr would look late.
  const std::vector<Day> reviews = {Day(2024, 4, 1), Day(2024, 1, 15)};
  EXPECT_TRUE(ReviewsOnTime(Day(2024, 1, 31), reviews, Day(2024, 6, 30),
                            PlusThreeMonths));
  EXPECT_FALSE(ReviewsOnTime(Day(2024, 1, 31), reviews, Day(2024, 7, 2),
                             PlusThreeMonths));
}

TEST(ReviewsOnTimeTest, NextDueSeesTheReviewIndex) {
  std::vector<std::pair<Day, int>> calls;
  const std::vector<Day> reviews = {Day(2024, 3, 1), Day(2024, 1, 1),
                                    Day(2024, 2, 1)};
  ReviewsOnTime(Day(2024, 1, 1), reviews, Day(2024, 3, 31),
                [&calls](Day review, int index) {
                  calls.emplace_back(review, index);
                  return review + 40;
                });
  const std::vector<std::pair<Day, int>> expected = {
      {Day(2024, 1, 1), 0}, {Day(2024, 2, 1), 1}, {Day(2024, 3, 1), 2}};
  EXPECT_EQ(calls, expected);
}

// ---------------------------------------------------------------------------
// Cadences

TEST(ReviewCadenceTest, ChildInCareFirstDueCountsWorkingDaysOverEaster) {
  const WorkingDayCalendar cal = Calendar();
  const ReviewCadence cic = ReviewCadence::ChildInCare();
  // Thu 28 Mar 2024 + 20 wd skips Good Friday and Easter Monday: Mon 29 Apr
  // (25 Apr without the holidays).
  EXPECT_EQ(cic.FirstDue(Day(2024, 3, 28), cal), Day(2024, 4, 29));
  EXPECT_EQ(cic.FirstDue(Day(2024, 4, 2), cal), Day(2024, 4, 30));
  EXPECT_EQ(cic.FirstDue(Day(2023, 6, 1), cal), Day(2023, 6, 29));
}

TEST(ReviewCadenceTest, ChildInCareSecondThreeMonthsThenSix) {
  const WorkingDayCalendar cal = Calendar();
  const ReviewCadence cic = ReviewCadence::ChildInCare();
  EXPECT_EQ(cic.NextDue(Day(2023, 6, 29), 0, cal), Day(2023, 9, 29));
  EXPECT_EQ(cic.NextDue(Day(2023, 9, 29), 1, cal), Day(2024, 3, 29));
  EXPECT_EQ(cic.NextDue(Day(2024, 3, 29), 2, cal), Day(2024, 9, 29));
  EXPECT_EQ(cic.NextDue(Day(2024, 3, 29), 7, cal), Day(2024, 9, 29));
}

TEST(ReviewCadenceTest, ChildProtectionThreeMonthsThenSixClamped) {
  const WorkingDayCalendar cal = Calendar();
  const ReviewCadence cpp = ReviewCadence::ChildProtection();
  EXPECT_EQ(cpp.FirstDue(Day(2023, 11, 30), cal), Day(2024, 2, 29));
  EXPECT_EQ(cpp.FirstDue(Day(2022, 11, 30), cal), Day(2023, 2, 28));
  EXPECT_EQ(cpp.NextDue(Day(2023, 8, 31), 0, cal), Day(2024, 2, 29));
  EXPECT_EQ(cpp.NextDue(Day(2022, 8, 31), 3, cal), Day(2023, 2, 28));
}

TEST(ReviewCadenceTest, ChildInNeedCadenceIsConfigurable) {
  const WorkingDayCalendar cal = Calendar();
  const ReviewCadence three = ReviewCadence::ChildInNeed(3);
  EXPECT_EQ(three.FirstDue(Day(2023, 10, 31), cal), Day(2024, 1, 31));
  EXPECT_EQ(three.NextDue(Day(2024, 1, 31), 0, cal), Day(2024, 4, 30));
  const ReviewCadence one = ReviewCadence::ChildInNeed(1);
  EXPECT_EQ(one.FirstDue(Day(2023, 10, 31), cal), Day(2024, 1, 31));
  EXPECT_EQ(one.NextDue(Day(2024, 1, 31), 0, cal), Day(2024, 2, 29));
  EXPECT_EQ(one.NextDue(Day(2023, 1, 31), 4, cal), Day(2023, 2, 28));
}

TEST(ReviewCadenceTest, WalkIgnoresReviewsBeforeStart) {
  const WorkingDayCalendar cal = Calendar();
  const ReviewCadence cpp = ReviewCadence::ChildProtection();
  // A review of an earlier plan (10 Jan) would move due to 10 Jul; for this
  // plan (start 31 Jan, first due 30 Apr) it does not count.
  const std::vector<Day> reviews = {Day(2023, 1, 10)};
  EXPECT_TRUE(
      ReviewsOnTime(cpp, cal, Day(2023, 1, 31), reviews, Day(2023, 4, 30)));
  EXPECT_FALSE(
      ReviewsOnTime(cpp, cal, Day(2023, 1, 31), reviews, Day(2023, 5, 31)));
}

TEST(ReviewCadenceTest, ChildInCareWalkOverEaster) {
  const WorkingDayCalendar cal = Calendar();
  const ReviewCadence cic = ReviewCadence::ChildInCare();
  // Start Thu 28 Mar 2024, first due Mon 29 Apr: a review on Fri 26 Apr is
  // on time (it would be late if Easter were not skipped); on Tue 30 Apr it
  // is a day late.
  EXPECT_TRUE(ReviewsOnTime(cic, cal, Day(2024, 3, 28), {Day(2024, 4, 26)},
                            Day(2024, 4, 30)));
  EXPECT_TRUE(ReviewsOnTime(cic, cal, Day(2024, 3, 28), {Day(2024, 4, 29)},
                            Day(2024, 4, 30)));
  EXPECT_FALSE(ReviewsOnTime(cic, cal, Day(2024, 3, 28), {Day(2024, 4, 30)},
                             Day(2024, 4, 30)));
}

}  // namespace
}  // namespace sgm::kpi
