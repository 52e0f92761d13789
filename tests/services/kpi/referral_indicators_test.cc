#include "services/kpi/referral_indicators.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"
#include "services/kpi/indicator.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;

using Day = absl::CivilDay;
using Month = absl::CivilMonth;

class ReferralIndicatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<WorkingDayCalendar> calendar =
        WorkingDayCalendar::EnglandAndWales();
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_.emplace(*std::move(calendar));
  }

  const WorkingDayCalendar& calendar() const { return *calendar_; }

  std::optional<WorkingDayCalendar> calendar_;
  ReferralRules rules_;
};

// A referral with one assessment.
ReferralTimeline Assessed(const std::string& child_id,
                          std::optional<Day> referral_date, Day start,
                          Day end) {
  ReferralTimeline referral;
  referral.referral_id = "R-" + child_id;
  referral.child_id = child_id;
  referral.referral_date = referral_date;
  referral.assessments.push_back({"A-" + child_id, start, end});
  return referral;
}

// A referral with one S47.
ReferralTimeline Enquiry(const std::string& child_id, std::optional<Day> start,
                         std::vector<Day> strategy_discussions,
                         std::vector<Day> icpcs) {
  ReferralTimeline referral;
  referral.referral_id = "R-" + child_id;
  referral.child_id = child_id;
  referral.s47s.push_back({"S47-" + child_id, start,
                           std::move(strategy_discussions), std::move(icpcs),
                           std::nullopt});
  return referral;
}

Episode CpPlan(const std::string& ref_id, const std::string& child_id,
               Day start) {
  Episode plan;
  plan.ref_id = ref_id;
  plan.child_id = child_id;
  plan.start = start;
  return plan;
}

// Referral Mon 5 June 2023; no bank holiday until 28 August, so 45 working
// days = 9 weeks: Mon 7 August 2023.
TEST_F(ReferralIndicatorsTest, FirstAssessmentOnTheLastDayIsInTimeNextIsNot) {
  const std::vector<ReferralTimeline> referrals = {
      Assessed("C1", Day(2023, 6, 5), Day(2023, 6, 6), Day(2023, 8, 7)),
      Assessed("C2", Day(2023, 6, 5), Day(2023, 6, 6), Day(2023, 8, 8)),
  };
  const IndicatorMonth result =
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_);
  EXPECT_EQ(result.numerator, 1);
  EXPECT_EQ(result.denominator, 2);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "A-C1", true),
                                        FieldsAre("C2", "A-C2", false)));
}

// Referral Fri 1 December 2023. Working days: 4-8 Dec (5), 11-15 (10),
// 18-22 (15), 25 and 26 Dec bank holidays, 27-29 (18), 1 Jan bank holiday,
// 2-5 Jan (22), 8-12 (27), 15-19 (32), 22-26 (37), 29 Jan-2 Feb (42),
// 5-7 Feb (45): Wed 7 February 2024 (9 weeks would be Fri 2 Feb).
TEST_F(ReferralIndicatorsTest, FirstAssessmentSkipsChristmasBankHolidays) {
  const std::vector<ReferralTimeline> referrals = {
      Assessed("C1", Day(2023, 12, 1), Day(2023, 12, 4), Day(2024, 2, 7)),
      Assessed("C2", Day(2023, 12, 1), Day(2023, 12, 4), Day(2024, 2, 8)),
  };
  const IndicatorMonth result =
      FirstAssessmentsInTime(referrals, Month(2024, 2), calendar(), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "A-C1", true),
                                        FieldsAre("C2", "A-C2", false)));
}

// Referral Mon 4 March 2024. 9 weeks = Mon 6 May, but Good Friday 29 Mar,
// Easter Monday 1 Apr and the early May bank holiday 6 May fall in the
// range, so 3 more working days: Thu 9 May 2024.
TEST_F(ReferralIndicatorsTest, FirstAssessmentSkipsEasterAndMayHolidays) {
  const std::vector<ReferralTimeline> referrals = {
      Assessed("C1", Day(2024, 3, 4), Day(2024, 3, 5), Day(2024, 5, 9)),
      Assessed("C2", Day(2024, 3, 4), Day(2024, 3, 5), Day(2024, 5, 10)),
  };
  const IndicatorMonth result =
      FirstAssessmentsInTime(referrals, Month(2024, 5), calendar(), rules_);
  EXPECT_EQ(result.numerator, 1);
  EXPECT_EQ(result.denominator, 2);
  EXPECT_TRUE(result.cases[0].counted_in_numerator);
  EXPECT_FALSE(result.cases[1].counted_in_numerator);
}

TEST_F(ReferralIndicatorsTest, SecondAssessmentOfAReferralIsNotCounted) {
  ReferralTimeline referral;
  referral.referral_id = "R1";
  referral.child_id = "C1";
  referral.referral_date = Day(2023, 6, 5);
  // The first (earliest start) ended in July; the second ends in August.
  referral.assessments.push_back({"A2", Day(2023, 6, 20), Day(2023, 8, 3)});
  referral.assessments.push_back({"A1", Day(2023, 6, 6), Day(2023, 7, 10)});
  const std::vector<ReferralTimeline> referrals = {referral};
  EXPECT_THAT(
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_)
          .cases,
      IsEmpty());
  EXPECT_THAT(
      FirstAssessmentsInTime(referrals, Month(2023, 7), calendar(), rules_)
          .cases,
      ElementsAre(FieldsAre("C1", "A1", true)));
}

TEST_F(ReferralIndicatorsTest, SameStartFirstAssessmentIsTheSmallestRefId) {
  ReferralTimeline referral;
  referral.child_id = "C1";
  referral.referral_date = Day(2023, 6, 5);
  referral.assessments.push_back({"A2", Day(2023, 6, 6), Day(2023, 8, 2)});
  referral.assessments.push_back({"A1", Day(2023, 6, 6), Day(2023, 8, 9)});
  // An assessment without a start is never the first.
  referral.assessments.push_back({"A0", std::nullopt, Day(2023, 8, 1)});
  const std::vector<ReferralTimeline> referrals = {referral};
  EXPECT_THAT(
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_)
          .cases,
      ElementsAre(FieldsAre("C1", "A1", false)));
}

// No REFERRAL event: 45 working days from the assessment start (Mon 5 June
// 2023 -> Mon 7 August 2023).
TEST_F(ReferralIndicatorsTest, NoReferralDateCountsFromAssessmentStart) {
  const std::vector<ReferralTimeline> referrals = {
      Assessed("C1", std::nullopt, Day(2023, 6, 5), Day(2023, 8, 7)),
      Assessed("C2", std::nullopt, Day(2023, 6, 5), Day(2023, 8, 8)),
  };
  const IndicatorMonth result =
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "A-C1", true),
                                        FieldsAre("C2", "A-C2", false)));
}

// Referral Mon 5 June (deadline Mon 7 Aug), assessment start Mon 12 June
// (deadline Mon 14 Aug); completed Thu 10 August 2023.
TEST_F(ReferralIndicatorsTest, ConfiguredStartPointIsUsed) {
  const std::vector<ReferralTimeline> referrals = {
      Assessed("C1", Day(2023, 6, 5), Day(2023, 6, 12), Day(2023, 8, 10)),
  };
  EXPECT_EQ(
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_)
          .numerator,
      0);
  rules_.assessment_start_point = AssessmentStartPoint::kAssessmentStart;
  const IndicatorMonth result =
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_);
  EXPECT_EQ(result.numerator, 1);
  EXPECT_EQ(result.denominator, 1);
}

TEST_F(ReferralIndicatorsTest, AssessmentStillOpenOrEndedInAnotherMonth) {
  ReferralTimeline open;
  open.child_id = "C1";
  open.referral_date = Day(2023, 6, 5);
  open.assessments.push_back({"A1", Day(2023, 6, 6), std::nullopt});
  const std::vector<ReferralTimeline> referrals = {
      open, Assessed("C2", Day(2023, 6, 5), Day(2023, 6, 6), Day(2023, 9, 1))};
  const IndicatorMonth result =
      FirstAssessmentsInTime(referrals, Month(2023, 8), calendar(), rules_);
  EXPECT_EQ(result.denominator, 0);
  EXPECT_THAT(result.cases, IsEmpty());
}

// Strategy discussion Mon 3 July 2023 + 15 working days = Mon 24 July.
TEST_F(ReferralIndicatorsTest, IcpcOnTheLastDayIsInTimeNextIsNot) {
  const std::vector<ReferralTimeline> referrals = {
      Enquiry("C1", Day(2023, 7, 4), {Day(2023, 7, 3)}, {Day(2023, 7, 24)}),
      Enquiry("C2", Day(2023, 7, 4), {Day(2023, 7, 3)}, {Day(2023, 7, 25)}),
  };
  const IndicatorMonth result =
      IcpcIn15wd(referrals, Month(2023, 7), calendar(), rules_);
  EXPECT_EQ(result.numerator, 1);
  EXPECT_EQ(result.denominator, 2);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "S47-C1", true),
                                        FieldsAre("C2", "S47-C2", false)));
}

// Strategy discussion Mon 14 August 2023: 15-18 Aug (4), 21-25 (9), 28 Aug
// bank holiday, 29 Aug-1 Sep (13), 4-5 Sep (15): Tue 5 September.
TEST_F(ReferralIndicatorsTest, IcpcSkipsBankHoliday) {
  const std::vector<ReferralTimeline> referrals = {
      Enquiry("C1", std::nullopt, {Day(2023, 8, 14)}, {Day(2023, 9, 5)}),
      Enquiry("C2", std::nullopt, {Day(2023, 8, 14)}, {Day(2023, 9, 6)}),
  };
  const IndicatorMonth result =
      IcpcIn15wd(referrals, Month(2023, 9), calendar(), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "S47-C1", true),
                                        FieldsAre("C2", "S47-C2", false)));
}

TEST_F(ReferralIndicatorsTest, IcpcCountsFromTheLastDiscussionOnOrBefore) {
  // From 1 June the ICPC would be late; from 3 July it is in time.
  const std::vector<ReferralTimeline> referrals = {
      Enquiry("C1", Day(2023, 6, 1), {Day(2023, 6, 1), Day(2023, 7, 3)},
              {Day(2023, 7, 24)}),
  };
  const IndicatorMonth result =
      IcpcIn15wd(referrals, Month(2023, 7), calendar(), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "S47-C1", true)));
}

TEST_F(ReferralIndicatorsTest, IcpcIgnoresDiscussionAfterTheIcpc) {
  const std::vector<ReferralTimeline> referrals = {
      // S47 start 1 June; a discussion after the ICPC does not help.
      Enquiry("C1", Day(2023, 6, 1), {Day(2023, 7, 26)}, {Day(2023, 7, 24)}),
      // Only a discussion after the ICPC and no start: not in population.
      Enquiry("C2", std::nullopt, {Day(2023, 7, 26)}, {Day(2023, 7, 24)}),
  };
  const IndicatorMonth result =
      IcpcIn15wd(referrals, Month(2023, 7), calendar(), rules_);
  EXPECT_EQ(result.numerator, 0);
  EXPECT_EQ(result.denominator, 1);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "S47-C1", false)));
}

// No strategy discussion: S47 start Mon 3 July 2023 + 15 wd = Mon 24 July.
TEST_F(ReferralIndicatorsTest, IcpcUsesS47StartWithoutDiscussion) {
  const std::vector<ReferralTimeline> referrals = {
      Enquiry("C1", Day(2023, 7, 3), {}, {Day(2023, 7, 24)}),
      Enquiry("C2", Day(2023, 7, 3), {}, {Day(2023, 7, 25)}),
      // Neither a discussion nor a start: not in the population.
      Enquiry("C3", std::nullopt, {}, {Day(2023, 7, 24)}),
  };
  const IndicatorMonth result =
      IcpcIn15wd(referrals, Month(2023, 7), calendar(), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "S47-C1", true),
                                        FieldsAre("C2", "S47-C2", false)));
}

TEST_F(ReferralIndicatorsTest, IcpcInAnotherMonthIsNotCounted) {
  const std::vector<ReferralTimeline> referrals = {
      Enquiry("C1", Day(2023, 6, 1), {Day(2023, 6, 26)}, {Day(2023, 7, 3)}),
      Enquiry("C2", Day(2023, 6, 1), {Day(2023, 6, 1)}, {Day(2023, 6, 20)}),
  };
  const IndicatorMonth result =
      IcpcIn15wd(referrals, Month(2023, 7), calendar(), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "S47-C1", true)));
  EXPECT_EQ(
      IcpcIn15wd(referrals, Month(2023, 8), calendar(), rules_).denominator, 0);
}

TEST_F(ReferralIndicatorsTest, RepeatPlanCountsSecondPlanNotFirst) {
  const std::vector<Episode> plans = {
      CpPlan("P1", "C1", Day(2020, 3, 1)),
      CpPlan("P2", "C1", Day(2023, 7, 10)),
      CpPlan("P3", "C2", Day(2023, 7, 5)),
      CpPlan("P4", "C3", Day(2023, 7, 3)),
      CpPlan("P5", "C3", Day(2023, 7, 20)),
      CpPlan("P6", "C4", Day(2023, 8, 1)),  // later: not in July
  };
  const IndicatorMonth result = RepeatCpPlans(plans, Month(2023, 7), rules_);
  EXPECT_EQ(result.numerator, 2);
  EXPECT_EQ(result.denominator, 4);
  EXPECT_THAT(
      result.cases,
      ElementsAre(FieldsAre("C1", "P2", true), FieldsAre("C2", "P3", false),
                  FieldsAre("C3", "P4", false), FieldsAre("C3", "P5", true)));
}

// A window of 24 months before 10 July 2023 starts on 10 July 2021.
TEST_F(ReferralIndicatorsTest, RepeatPlanWindowExcludesAnOldPlan) {
  const std::vector<Episode> plans = {
      CpPlan("P1", "C1", Day(2020, 3, 1)),
      CpPlan("P2", "C1", Day(2023, 7, 10)),
      CpPlan("P3", "C2", Day(2021, 7, 10)),
      CpPlan("P4", "C2", Day(2023, 7, 10)),
      CpPlan("P5", "C3", Day(2021, 7, 9)),
      CpPlan("P6", "C3", Day(2023, 7, 10)),
  };
  EXPECT_EQ(RepeatCpPlans(plans, Month(2023, 7), rules_).numerator, 3);
  rules_.repeat_plan_window_months = 24;
  const IndicatorMonth result = RepeatCpPlans(plans, Month(2023, 7), rules_);
  EXPECT_THAT(result.cases, ElementsAre(FieldsAre("C1", "P2", false),
                                        FieldsAre("C2", "P4", true),
                                        FieldsAre("C3", "P6", false)));
}

TEST_F(ReferralIndicatorsTest, RepeatPlanNeedsAnIdentifiedChild) {
  const std::vector<Episode> plans = {
      CpPlan("P1", "", Day(2020, 3, 1)),
      CpPlan("P2", "", Day(2023, 7, 10)),
  };
  const IndicatorMonth result = RepeatCpPlans(plans, Month(2023, 7), rules_);
  EXPECT_EQ(result.numerator, 0);
  EXPECT_EQ(result.denominator, 1);
}

}  // namespace
}  // namespace sgm::kpi
