#include "services/kpi/case_status.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;
using ::testing::SizeIs;

using Day = absl::CivilDay;
using Month = absl::CivilMonth;

WorkingDayCalendar Calendar() {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

Episode Ep(const std::string& ref_id, const std::string& child_id, Day start,
           std::optional<Day> end = std::nullopt) {
  Episode episode;
  episode.ref_id = ref_id;
  episode.child_id = child_id;
  episode.start = start;
  episode.end = end;
  return episode;
}

ReferralTimeline Referral(const std::string& id, const std::string& child_id,
                          std::optional<Day> referral_date, Day first_event,
                          std::optional<Day> closed = std::nullopt) {
  ReferralTimeline referral;
  referral.referral_id = id;
  referral.child_id = child_id;
  referral.referral_date = referral_date;
  referral.first_event_date = first_event;
  referral.closed = closed;
  if (closed.has_value()) referral.closure_reason = "RC8";
  return referral;
}

Allocation Alloc(const std::string& ref_id, const std::string& child_id,
                 const std::string& worker_id, const std::string& team,
                 Day start, std::optional<Day> end = std::nullopt) {
  return Allocation{ref_id, child_id, worker_id, team, start, end};
}

CaseEvent Ev(const std::string& id, EventType type, const std::string& child,
             const std::string& ref, Day date, const std::string& parent = "") {
  CaseEvent event;
  event.event_id = id;
  event.type = type;
  event.child_id = child;
  event.ref_id = ref;
  event.parent_ref_id = parent;
  event.event_date = date;
  return event;
}

// ---------------------------------------------------------------- open cases

TEST(OpenCasesAtTest, EarlyHelpAndCpPlanAtOnceCountsOnceAsCp) {
  CaseTimelines t;
  t.eh_episodes = {Ep("EH1", "C1", Day(2024, 1, 1))};
  t.cp_plans = {Ep("CP1", "C1", Day(2024, 2, 1))};
  const std::vector<OpenCase> open = OpenCasesAt(t, Day(2024, 3, 31));
  ASSERT_THAT(open, SizeIs(1));
  EXPECT_EQ(open[0].child_id, "C1");
  EXPECT_EQ(open[0].level, CaseLevel::kChildProtection);
  EXPECT_EQ(open[0].ref_id, "CP1");
  // Before the plan started, the same child is open at Early Help.
  const std::vector<OpenCase> before = OpenCasesAt(t, Day(2024, 1, 31));
  ASSERT_THAT(before, SizeIs(1));
  EXPECT_EQ(before[0].level, CaseLevel::kEarlyHelp);
  EXPECT_EQ(before[0].ref_id, "EH1");
}

TEST(OpenCasesAtTest, ClaChildOnACpPlanIsCicHereButInBothRates) {
  CaseTimelines t;
  t.cla_episodes = {Ep("LA1", "C1", Day(2024, 2, 10))};
  t.cp_plans = {Ep("CP1", "C1", Day(2024, 1, 5))};
  const Day e(2024, 3, 31);
  const std::vector<OpenCase> open = OpenCasesAt(t, e);
  ASSERT_THAT(open, SizeIs(1));
  EXPECT_EQ(open[0].level, CaseLevel::kChildInCare);
  EXPECT_EQ(open[0].ref_id, "LA1");
  // For the rates per 10,000 the child counts in care and on a plan.
  EXPECT_EQ(ChildrenOpenAt(t.cla_episodes, e), 1);
  EXPECT_EQ(ChildrenOpenAt(t.cp_plans, e), 1);
}

TEST(OpenCasesAtTest, ReferralClosedOnEIsNotOpenAtEButTheDayBeforeItIs) {
  CaseTimelines t;
  t.referrals = {Referral("R1", "C1", Day(2024, 1, 10), Day(2024, 1, 10),
                          Day(2024, 3, 5))};
  const std::vector<OpenCase> day_before = OpenCasesAt(t, Day(2024, 3, 4));
  ASSERT_THAT(day_before, SizeIs(1));
  EXPECT_EQ(day_before[0].level, CaseLevel::kChildInNeed);
  EXPECT_EQ(day_before[0].ref_id, "R1");
  EXPECT_THAT(OpenCasesAt(t, Day(2024, 3, 5)), IsEmpty());
  // Open from its referral date, not before.
  EXPECT_THAT(OpenCasesAt(t, Day(2024, 1, 10)), SizeIs(1));
  EXPECT_THAT(OpenCasesAt(t, Day(2024, 1, 9)), IsEmpty());
}

TEST(OpenCasesAtTest, ReferralClosedByCaseClosedEventFromTheFeed) {
  CaseEvent closed =
      Ev("3", EventType::kCaseClosed, "C1", "R1", Day(2024, 3, 5));
  closed.outcome = "RC8";
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kReferral, "C1", "R1", Day(2024, 1, 10)),
      Ev("2", EventType::kAssessmentStart, "C1", "A1", Day(2024, 1, 11), "R1"),
      closed,
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(OpenCasesAt(t, Day(2024, 3, 4)), SizeIs(1));
  EXPECT_THAT(OpenCasesAt(t, Day(2024, 3, 5)), IsEmpty());
}

TEST(OpenCasesAtTest, ReferralKnownOnlyFromAnAssessmentOpensAtItsStart) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kAssessmentStart, "C1", "A1", Day(2024, 2, 5), "R9"),
      Ev("2", EventType::kAssessmentEnd, "C1", "A1", Day(2024, 2, 20), "R9"),
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(OpenCasesAt(t, Day(2024, 2, 4)), IsEmpty());
  const std::vector<OpenCase> open = OpenCasesAt(t, Day(2024, 2, 5));
  ASSERT_THAT(open, SizeIs(1));
  EXPECT_EQ(open[0].child_id, "C1");
  EXPECT_EQ(open[0].level, CaseLevel::kChildInNeed);
  EXPECT_EQ(open[0].ref_id, "R9");
}

TEST(OpenCasesAtTest, EpisodeEndingOnEIsNotOpenAtEForEveryKind) {
  const Day start(2024, 1, 15);
  const Day end(2024, 3, 31);
  struct Kind {
    std::vector<Episode> CaseTimelines::*list;
    CaseLevel level;
  };
  for (const Kind kind :
       {Kind{&CaseTimelines::eh_episodes, CaseLevel::kEarlyHelp},
        Kind{&CaseTimelines::cin_plans, CaseLevel::kChildInNeed},
        Kind{&CaseTimelines::cp_plans, CaseLevel::kChildProtection},
        Kind{&CaseTimelines::cla_episodes, CaseLevel::kChildInCare}}) {
    CaseTimelines t;
    (t.*kind.list).push_back(Ep("X1", "C1", start, end));
    const std::vector<OpenCase> day_before = OpenCasesAt(t, end - 1);
    ASSERT_THAT(day_before, SizeIs(1));
    EXPECT_EQ(day_before[0].level, kind.level);
    EXPECT_THAT(OpenCasesAt(t, end), IsEmpty());
    EXPECT_EQ(ChildrenOpenAt(t.*kind.list, end - 1), 1);
    EXPECT_EQ(ChildrenOpenAt(t.*kind.list, end), 0);
    // Open on its start day, not the day before.
    EXPECT_THAT(OpenCasesAt(t, start), SizeIs(1));
    EXPECT_THAT(OpenCasesAt(t, start - 1), IsEmpty());
  }
}

TEST(OpenCasesAtTest, OfSeveralAtOneLevelTheEarliestStartedThenSmallestRef) {
  CaseTimelines t;
  t.cp_plans = {Ep("CP2", "C1", Day(2024, 1, 1)),
                Ep("CP3", "C1", Day(2023, 12, 1)),
                Ep("CP1", "C1", Day(2024, 1, 1))};
  t.cin_plans = {Ep("CIN2", "C2", Day(2024, 1, 1))};
  t.referrals = {Referral("R1", "C2", Day(2024, 1, 1), Day(2024, 1, 1))};
  const std::vector<OpenCase> open = OpenCasesAt(t, Day(2024, 2, 1));
  ASSERT_THAT(open, SizeIs(2));
  EXPECT_EQ(open[0].ref_id, "CP3");
  // A CIN plan and a referral started the same day: "CIN2" < "R1".
  EXPECT_EQ(open[1].ref_id, "CIN2");
  EXPECT_EQ(open[1].level, CaseLevel::kChildInNeed);
  // With CP3 ended, CP1 (before CP2 on ref_id) is the one.
  t.cp_plans[1].end = Day(2024, 1, 31);
  EXPECT_EQ(OpenCasesAt(t, Day(2024, 2, 1))[0].ref_id, "CP1");
}

TEST(OpenCasesAtTest, SortedByChildAndCounted) {
  CaseTimelines t;
  const Day e(2024, 3, 31);
  t.cla_episodes = {Ep("LA1", "C5", Day(2023, 1, 1))};
  t.cp_plans = {Ep("CP1", "C2", Day(2024, 1, 1)),
                Ep("CP2", "C5", Day(2024, 1, 1))};
  t.cin_plans = {Ep("CIN1", "C3", Day(2024, 1, 1)),
                 Ep("CIN2", "C9", Day(2023, 1, 1), Day(2023, 6, 1))};
  t.eh_episodes = {Ep("EH1", "C1", Day(2024, 1, 1)),
                   Ep("EH2", "C4", Day(2024, 1, 1)),
                   Ep("EH3", "", Day(2024, 1, 1))};  // no child: left out
  t.referrals = {Referral("R1", "C4", Day(2024, 3, 1), Day(2024, 3, 1)),
                 Referral("R2", "C6", std::nullopt, Day(2024, 2, 1)),
                 Referral("R3", "C7", Day(2024, 4, 1), Day(2024, 4, 1))};
  const std::vector<OpenCase> open = OpenCasesAt(t, e);
  // Hand-worked at 31 Mar: C1 EH; C2 CP; C3 CIN; C4 EH + referral -> CIN;
  // C5 CLA + CP -> CIC; C6 referral from 1 Feb -> CIN; C7's referral is in
  // April and C9's CIN plan ended: not open. EH (1), CIN (3), CP (1),
  // CIC (1): 6 children.
  ASSERT_THAT(open, SizeIs(6));
  EXPECT_THAT(open,
              ElementsAre(FieldsAre("C1", CaseLevel::kEarlyHelp, "EH1"),
                          FieldsAre("C2", CaseLevel::kChildProtection, "CP1"),
                          FieldsAre("C3", CaseLevel::kChildInNeed, "CIN1"),
                          FieldsAre("C4", CaseLevel::kChildInNeed, "R1"),
                          FieldsAre("C5", CaseLevel::kChildInCare, "LA1"),
                          FieldsAre("C6", CaseLevel::kChildInNeed, "R2")));
  const OpenCaseCounts counts = CountOpenCases(open);
  EXPECT_EQ(counts.early_help, 1);
  EXPECT_EQ(counts.child_in_need, 3);
  EXPECT_EQ(counts.child_protection, 1);
  EXPECT_EQ(counts.child_in_care, 1);
  EXPECT_EQ(counts.total, 6);
  EXPECT_EQ(CountOpenCases({}).total, 0);
}

TEST(ChildrenOpenAtTest, CountsDistinctChildren) {
  // C1 with two overlapping plans (a data-quality finding) counts once; C2's
  // ended plan does not count; C3 counts: 2.
  const std::vector<Episode> plans = {
      Ep("CP1", "C1", Day(2024, 1, 1)), Ep("CP2", "C1", Day(2024, 2, 1)),
      Ep("CP3", "C2", Day(2024, 1, 1), Day(2024, 2, 1)),
      Ep("CP4", "C3", Day(2024, 2, 29))};
  EXPECT_EQ(ChildrenOpenAt(plans, Day(2024, 3, 1)), 2);
  EXPECT_EQ(ChildrenOpenAt({}, Day(2024, 3, 1)), 0);
}

// ---------------------------------------------------------------- per 10k

TEST(Per10kTest, RoundsHalfAwayFromZero) {
  // 600 x 10,000 = 6,000,000; / 60,001 = 99 rem 59,901 (99 x 60,001 =
  // 5,940,099); 2 x 59,901 = 119,802 >= 60,001: rounds up to 100.
  EXPECT_THAT(Per10k(600, 60001), Optional(100));
  // 1 x 10,000 / 20,000 = 0.5 exactly: away from zero, 1.
  EXPECT_THAT(Per10k(1, 20000), Optional(1));
  // 3 x 10,000 / 20,000 = 1.5: 2; 5 x 10,000 / 4,000 = 12.5: 13.
  EXPECT_THAT(Per10k(3, 20000), Optional(2));
  EXPECT_THAT(Per10k(5, 4000), Optional(13));
  // 1 x 10,000 / 20,001 = 0.49998: 0.
  EXPECT_THAT(Per10k(1, 20001), Optional(0));
  // 480 x 10,000 / 100,000 = 48 exactly.
  EXPECT_THAT(Per10k(480, 100000), Optional(48));
  // -1 x 10,000 / 20,000 = -0.5: away from zero, -1.
  EXPECT_THAT(Per10k(-1, 20000), Optional(-1));
  EXPECT_THAT(Per10k(0, 60001), Optional(0));
}

TEST(Per10kTest, NoneWithoutAPopulationOrWhenItDoesNotFit) {
  EXPECT_EQ(Per10k(5, 0), std::nullopt);
  EXPECT_EQ(Per10k(5, -100), std::nullopt);
  EXPECT_EQ(Per10k(INT64_MAX, 1), std::nullopt);
  // 10,000 x (2^63 - 1) / 10,000 fits: no overflow on the way.
  EXPECT_THAT(Per10k(INT64_MAX, 10000), Optional(INT64_MAX));
}

// ---------------------------------------------------------------- referrals

TEST(ReferralsInTest, TwoReferralEventsOfOneRefIdCountOnceInTheEarliestMonth) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kReferral, "C1", "R1", Day(2024, 2, 1)),
      Ev("2", EventType::kReferral, "C1", "R1", Day(2024, 1, 31)),
      Ev("3", EventType::kReferral, "C2", "R2", Day(2024, 2, 29)),
      // Known only from an assessment: not counted in any month.
      Ev("4", EventType::kAssessmentStart, "C3", "A1", Day(2024, 2, 10), "R3"),
  };
  const CaseTimelines t = BuildTimelines(events);
  // January: R1 (31 Jan). February: R2 only.
  EXPECT_EQ(ReferralsIn(t, Month(2024, 1)), 1);
  EXPECT_EQ(ReferralsIn(t, Month(2024, 2)), 1);
  EXPECT_EQ(ReferralsIn(t, Month(2024, 3)), 0);
}

// ---------------------------------------------------------------- watchlists

std::vector<std::string> Listed(const CaseTimelines& t, WatchlistKind kind,
                                Day as_of) {
  std::vector<std::string> refs;
  for (const WatchlistEntry& entry : WatchlistAt(t, kind, as_of, Calendar())) {
    refs.push_back(entry.ref_id);
  }
  return refs;
}

TEST(WatchlistTest, CpPlanTwoYearsFrom29February) {
  // 29 Feb 2024 + 24 months = 29 Feb 2026, clamped to 28 Feb 2026.
  CaseTimelines t;
  t.cp_plans = {Ep("CP1", "C1", Day(2024, 2, 29))};
  const WorkingDayCalendar calendar = Calendar();
  EXPECT_THAT(Listed(t, WatchlistKind::kCpPlanTwoYears, Day(2026, 2, 27)),
              IsEmpty());
  // 29 Feb 2024 -> 28 Feb 2025 = 365 days; -> 28 Feb 2026 = 730.
  EXPECT_THAT(WatchlistAt(t, WatchlistKind::kCpPlanTwoYears, Day(2026, 2, 28),
                          calendar),
              ElementsAre(FieldsAre("C1", "CP1", Day(2024, 2, 29), 730)));
  EXPECT_THAT(
      WatchlistAt(t, WatchlistKind::kCpPlanTwoYears, Day(2026, 3, 1), calendar),
      ElementsAre(FieldsAre("C1", "CP1", Day(2024, 2, 29), 731)));
  // Ended on as_of: not open, not listed.
  t.cp_plans[0].end = Day(2026, 3, 1);
  EXPECT_THAT(Listed(t, WatchlistKind::kCpPlanTwoYears, Day(2026, 3, 1)),
              IsEmpty());
}

TEST(WatchlistTest, S47OverTenWorkingDaysAcrossEaster) {
  // Start Mon 25 Mar 2024. Working days after: Tue 26 (1), Wed 27 (2),
  // Thu 28 (3); Good Friday 29 Mar and Easter Monday 1 Apr are bank
  // holidays; Tue 2 Apr (4), Wed 3 (5), Thu 4 (6), Fri 5 (7), Mon 8 (8),
  // Tue 9 (9), Wed 10 (10). Listed when as_of > Wed 10 Apr.
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kS47Start, "C1", "S1", Day(2024, 3, 25), "R1"),
  };
  CaseTimelines t = BuildTimelines(events);
  const WorkingDayCalendar calendar = Calendar();
  // Without the holidays the tenth working day would be Mon 8 Apr.
  EXPECT_THAT(Listed(t, WatchlistKind::kS47OverTenWorkingDays, Day(2024, 4, 9)),
              IsEmpty());
  EXPECT_THAT(
      Listed(t, WatchlistKind::kS47OverTenWorkingDays, Day(2024, 4, 10)),
      IsEmpty());
  // 25 Mar -> 11 Apr: 6 + 11 = 17 calendar days.
  EXPECT_THAT(WatchlistAt(t, WatchlistKind::kS47OverTenWorkingDays,
                          Day(2024, 4, 11), calendar),
              ElementsAre(FieldsAre("C1", "S1", Day(2024, 3, 25), 17)));
  // Ended on 11 Apr: not open, so not listed that day; ended on 12 Apr: it
  // still is.
  t.referrals[0].s47s[0].end = Day(2024, 4, 11);
  EXPECT_THAT(
      Listed(t, WatchlistKind::kS47OverTenWorkingDays, Day(2024, 4, 11)),
      IsEmpty());
  t.referrals[0].s47s[0].end = Day(2024, 4, 12);
  EXPECT_THAT(
      Listed(t, WatchlistKind::kS47OverTenWorkingDays, Day(2024, 4, 11)),
      ElementsAre("S1"));
}

TEST(WatchlistTest, S47WithoutAStartIsNotListed) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kStrategyDiscussion, "C1", "S1", Day(2024, 1, 2),
         "R1"),
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(Listed(t, WatchlistKind::kS47OverTenWorkingDays, Day(2024, 6, 1)),
              IsEmpty());
}

TEST(WatchlistTest, PreProceedingsTwelveWeeks) {
  // 10 Jan 2024 + 84 days: +21 = 31 Jan, +29 = 29 Feb (50), +31 = 31 Mar
  // (81), +3 = 3 Apr (84).
  CaseTimelines t;
  t.pre_proceedings = {Ep("PP1", "C1", Day(2024, 1, 10))};
  const WorkingDayCalendar calendar = Calendar();
  EXPECT_THAT(
      Listed(t, WatchlistKind::kPreProceedingsTwelveWeeks, Day(2024, 4, 2)),
      IsEmpty());
  EXPECT_THAT(WatchlistAt(t, WatchlistKind::kPreProceedingsTwelveWeeks,
                          Day(2024, 4, 3), calendar),
              ElementsAre(FieldsAre("C1", "PP1", Day(2024, 1, 10), 84)));
  EXPECT_THAT(WatchlistAt(t, WatchlistKind::kPreProceedingsTwelveWeeks,
                          Day(2024, 4, 4), calendar),
              ElementsAre(FieldsAre("C1", "PP1", Day(2024, 1, 10), 85)));
  t.pre_proceedings[0].end = Day(2024, 4, 4);
  EXPECT_THAT(
      Listed(t, WatchlistKind::kPreProceedingsTwelveWeeks, Day(2024, 4, 4)),
      IsEmpty());
}

TEST(WatchlistTest, UnderOneOnCpPlanUntilTheFirstBirthday) {
  CaseTimelines t;
  t.cp_plans = {Ep("CP1", "C1", Day(2023, 7, 1)),
                Ep("CP2", "C2", Day(2024, 3, 1)),
                Ep("CP3", "C3", Day(2024, 3, 1))};  // dob unknown
  t.child_dobs = {{"C1", Day(2023, 6, 15)}, {"C2", Day(2024, 2, 29)}};
  const WorkingDayCalendar calendar = Calendar();
  // C1: first birthday 15 Jun 2024. 1 Jul 2023 -> 14 Jun 2024 = 349 days.
  EXPECT_THAT(WatchlistAt(t, WatchlistKind::kUnderOneOnCpPlan, Day(2024, 6, 14),
                          calendar),
              ElementsAre(FieldsAre("C1", "CP1", Day(2023, 7, 1), 349),
                          FieldsAre("C2", "CP2", Day(2024, 3, 1), 105)));
  EXPECT_THAT(Listed(t, WatchlistKind::kUnderOneOnCpPlan, Day(2024, 6, 15)),
              ElementsAre("CP2"));
  EXPECT_THAT(Listed(t, WatchlistKind::kUnderOneOnCpPlan, Day(2024, 6, 16)),
              ElementsAre("CP2"));
  // C2 born 29 Feb 2024: first birthday clamped to 28 Feb 2025.
  EXPECT_THAT(Listed(t, WatchlistKind::kUnderOneOnCpPlan, Day(2025, 2, 27)),
              ElementsAre("CP2"));
  EXPECT_THAT(Listed(t, WatchlistKind::kUnderOneOnCpPlan, Day(2025, 2, 28)),
              IsEmpty());
  // A plan ended on as_of is not listed.
  t.cp_plans[1].end = Day(2024, 6, 14);
  EXPECT_THAT(Listed(t, WatchlistKind::kUnderOneOnCpPlan, Day(2024, 6, 14)),
              ElementsAre("CP1"));
}

TEST(WatchlistTest, SortedLongestStandingFirst) {
  CaseTimelines t;
  t.pre_proceedings = {Ep("PP3", "C2", Day(2023, 5, 1)),
                       Ep("PP1", "C3", Day(2023, 1, 1)),
                       Ep("PP2", "C1", Day(2023, 5, 1)),
                       Ep("PP4", "C1", Day(2024, 5, 1))};  // under 12 weeks
  EXPECT_THAT(
      Listed(t, WatchlistKind::kPreProceedingsTwelveWeeks, Day(2024, 6, 1)),
      ElementsAre("PP1", "PP2", "PP3"));
}

// ---------------------------------------------------------------- caseloads

TEST(AllocationsAtTest, TheLatestStartedOpenAllocationPerChild) {
  CaseTimelines t;
  t.allocations = {
      Alloc("AL1", "C1", "W1", "North", Day(2024, 1, 1)),
      Alloc("AL2", "C1", "W2", "South", Day(2024, 2, 1)),
      Alloc("AL3", "C2", "W1", "North", Day(2024, 1, 1), Day(2024, 3, 31)),
      Alloc("AL5", "C3", "W3", "East", Day(2024, 1, 1)),
      Alloc("AL4", "C3", "W4", "West", Day(2024, 1, 1)),
  };
  // C1: AL2 started later; C2: AL3 ended on as_of; C3: same start, AL5 is
  // the greater ref_id.
  EXPECT_THAT(AllocationsAt(t, Day(2024, 3, 31)),
              ElementsAre(Pair("C1", FieldsAre("W2", "South")),
                          Pair("C3", FieldsAre("W3", "East"))));
  EXPECT_THAT(AllocationsAt(t, Day(2024, 3, 30)),
              ElementsAre(Pair("C1", FieldsAre("W2", "South")),
                          Pair("C2", FieldsAre("W1", "North")),
                          Pair("C3", FieldsAre("W3", "East"))));
}

TEST(CaseloadsAtTest, HandWorkedCaseloads) {
  CaseTimelines t;
  t.allocations = {
      // C1 allocated to two workers: counts for W1 and for W2.
      Alloc("AL1", "C1", "W1", "North", Day(2024, 1, 1)),
      Alloc("AL2", "C1", "W2", "South", Day(2024, 2, 1)),
      // W1 has two allocations of C2: C2 counts once for W1.
      Alloc("AL3", "C2", "W1", "North", Day(2024, 1, 10)),
      Alloc("AL4", "C2", "W1", "North East", Day(2024, 3, 1)),
      // Ends on as_of: not counted; W3 has nothing else open.
      Alloc("AL5", "C3", "W3", "West", Day(2024, 1, 1), Day(2024, 3, 31)),
      // Ended before as_of.
      Alloc("AL6", "C4", "W2", "South", Day(2023, 1, 1), Day(2023, 6, 1)),
      // Starts after as_of.
      Alloc("AL7", "C5", "W2", "South", Day(2024, 4, 1)),
  };
  // At 31 Mar: W1 {C1, C2} = 2, team of AL4 (latest started, 1 Mar);
  // W2 {C1} = 1; W3 none open: not listed.
  EXPECT_THAT(CaseloadsAt(t, Day(2024, 3, 31)),
              ElementsAre(FieldsAre("W1", "North East", 2),
                          FieldsAre("W2", "South", 1)));
  // The day before, AL5 is still open: W3 {C3} = 1.
  EXPECT_THAT(
      CaseloadsAt(t, Day(2024, 3, 30)),
      ElementsAre(FieldsAre("W1", "North East", 2), FieldsAre("W2", "South", 1),
                  FieldsAre("W3", "West", 1)));
  // 1 Apr: AL7 opens, W2 {C1, C5} = 2.
  EXPECT_THAT(CaseloadsAt(t, Day(2024, 4, 1)),
              ElementsAre(FieldsAre("W1", "North East", 2),
                          FieldsAre("W2", "South", 2)));
  EXPECT_THAT(CaseloadsAt(CaseTimelines(), Day(2024, 4, 1)), IsEmpty());
}

// ---------------------------------------------------------------- samples

TEST(SampleIndicesTest, PinnedOutputForOneSeed) {
  // Worked with an independent implementation of the documented algorithm
  // (splitmix64, whose first output for seed 0 is the published reference
  // 0xE220A8397B1DCDAF; rejection-bounded draws; partial Fisher-Yates).
  EXPECT_THAT(SampleIndices(10, 5, 42), ElementsAre(3, 2, 4, 5, 8));
  EXPECT_THAT(SampleIndices(10, 5, 43), ElementsAre(0, 8, 9, 3, 7));
  EXPECT_THAT(SampleIndices(3750, 8, 20240301),
              ElementsAre(3723, 2001, 3425, 3107, 345, 366, 2523, 101));
}

TEST(SampleIndicesTest, DeterministicDistinctInRange) {
  for (const uint64_t seed : {0ull, 1ull, 99ull, 0xFFFFFFFFFFFFFFFFull}) {
    const std::vector<size_t> sample = SampleIndices(3750, 60, seed);
    EXPECT_EQ(sample, SampleIndices(3750, 60, seed));
    ASSERT_THAT(sample, SizeIs(60));
    const std::set<size_t> distinct(sample.begin(), sample.end());
    EXPECT_EQ(distinct.size(), 60u);
    EXPECT_LT(*distinct.rbegin(), 3750u);
  }
}

TEST(SampleIndicesTest, SizeCappedByPopulation) {
  // The whole population, in a shuffled order.
  const std::vector<size_t> all = SampleIndices(3, 10, 7);
  ASSERT_THAT(all, SizeIs(3));
  EXPECT_EQ(std::set<size_t>(all.begin(), all.end()),
            (std::set<size_t>{0, 1, 2}));
  EXPECT_THAT(SampleIndices(0, 5, 7), IsEmpty());
  EXPECT_THAT(SampleIndices(5, 0, 7), IsEmpty());
  EXPECT_THAT(SampleIndices(1, 1, 7), ElementsAre(0));
}

TEST(SampleIndicesTest, DifferentSeedsDiffer) {
  EXPECT_NE(SampleIndices(3750, 20, 1), SampleIndices(3750, 20, 2));
  EXPECT_NE(SampleIndices(10, 5, 42), SampleIndices(10, 5, 43));
}

TEST(SampleIndicesTest, EveryIndexCanBeDrawn) {
  // Over seeds 0..199, the first pick of 5 from 5 lands on every index: the
  // draw is not stuck on part of the range.
  std::set<size_t> firsts;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    firsts.insert(SampleIndices(5, 1, seed)[0]);
  }
  EXPECT_EQ(firsts, (std::set<size_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace sgm::kpi
