#include "services/intake/front_door_figures.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/contact.h"

namespace sgm::intake {
namespace {

using ::testing::Optional;

// Good Friday and Easter Monday 2024 only: enough for these cases.
WorkingDayCalendar Easter2024Calendar() {
  absl::StatusOr<WorkingDayCalendar> calendar = WorkingDayCalendar::FromText(
      "2024-03-29 Good Friday\n2024-04-01 Easter Monday\n");
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

ContactFact Fact(absl::CivilDay day, std::string child_id = "",
                 std::string primary_need = "N1",
                 std::string source_code = "2A") {
  ContactFact fact;
  fact.received_on = day;
  fact.child_id = std::move(child_id);
  fact.primary_need = std::move(primary_need);
  fact.source_code = std::move(source_code);
  return fact;
}

ContactFact Decided(absl::CivilDay received, Outcome outcome,
                    absl::CivilDay decided) {
  ContactFact fact = Fact(received);
  fact.outcome = outcome;
  fact.decided_on = decided;
  return fact;
}

// `n` contacts spread over the days of `month`.
void AddInMonth(std::vector<ContactFact>& facts, absl::CivilMonth month,
                int n) {
  const absl::CivilDay first(month);
  const int days = static_cast<int>(absl::CivilDay(month + 1) - first);
  for (int i = 0; i < n; ++i) facts.push_back(Fact(first + i % days));
}

// `n` contacts spread over [from, to].
void AddInSpan(std::vector<ContactFact>& facts, absl::CivilDay from,
               absl::CivilDay to, int n) {
  const int days = static_cast<int>(to - from) + 1;
  for (int i = 0; i < n; ++i) facts.push_back(Fact(from + i % days));
}

FrontDoorFigures Compute(const std::vector<ContactFact>& facts,
                         absl::CivilMonth month, absl::CivilDay as_of,
                         const FrontDoorSettings& settings = {}) {
  return ComputeFrontDoorFigures(facts, month, as_of, Easter2024Calendar(),
                                 settings);
}

// --- Percent1dp ------------------------------------------------------------

TEST(Percent1dpTest, NoneWhenWholeIsZero) {
  EXPECT_EQ(Percent1dp(0, 0), std::nullopt);
  EXPECT_EQ(Percent1dp(5, 0), std::nullopt);
}

TEST(Percent1dpTest, OrdinaryValues) {
  EXPECT_THAT(Percent1dp(0, 5), Optional(0.0));
  EXPECT_THAT(Percent1dp(5, 5), Optional(100.0));
  EXPECT_THAT(Percent1dp(1, 3), Optional(33.3));
  EXPECT_THAT(Percent1dp(2, 3), Optional(66.7));
  EXPECT_THAT(Percent1dp(15, 100), Optional(15.0));
}

TEST(Percent1dpTest, ExactHalvesRoundAwayFromZero) {
  // 100 * 1 / 2000 = 0.05 exactly -> 0.1.
  EXPECT_THAT(Percent1dp(1, 2000), Optional(0.1));
  EXPECT_THAT(Percent1dp(-1, 2000), Optional(-0.1));
  // 100 * 1133 / 2000 = 56.65 exactly -> 56.7 / -56.7.
  EXPECT_THAT(Percent1dp(1133, 2000), Optional(56.7));
  EXPECT_THAT(Percent1dp(-1133, 2000), Optional(-56.7));
  // 100 * 3 / 8 = 37.5 is already 1 dp; 100 * 1 / 16 = 6.25 -> 6.3.
  EXPECT_THAT(Percent1dp(3, 8), Optional(37.5));
  EXPECT_THAT(Percent1dp(1, 16), Optional(6.3));
  EXPECT_THAT(Percent1dp(-1, 16), Optional(-6.3));
}

TEST(Percent1dpTest, JustBelowHalfRoundsTowardZero) {
  // 100 * 99 / 200000 = 0.0495 -> 0.0; 100 * 11329 / 20000 = 56.645 -> 56.6.
  EXPECT_THAT(Percent1dp(99, 200000), Optional(0.0));
  EXPECT_THAT(Percent1dp(11329, 20000), Optional(56.6));
  EXPECT_THAT(Percent1dp(-11329, 20000), Optional(-56.6));
}

// --- Contacts per month ------------------------------------------------------

// Contacts per month 2020 vs 2021 from the Jan 2022 report (seed-figures.json).
struct MonthPair {
  int month;
  int y2020;
  int y2021;
  double increase_pct;
};
constexpr MonthPair kReportPairs[] = {
    {3, 1595, 2499, 56.7}, {4, 1444, 2259, 56.4},  {5, 1486, 2460, 65.5},
    {6, 2016, 2703, 34.1}, {7, 1864, 2417, 29.7},  {8, 1607, 2052, 27.7},
    {9, 2019, 2597, 28.6}, {10, 2133, 2433, 14.1}, {11, 2047, 2293, 12.0},
};

TEST(FrontDoorFiguresTest, ThisMonthMatchesReportPairs) {
  for (int index : {0, 1, 8}) {  // Mar, Apr and Nov: 56.7, 56.4, 12.0
    const MonthPair& pair = kReportPairs[index];
    SCOPED_TRACE(pair.month);
    const absl::CivilMonth month(2021, pair.month);
    std::vector<ContactFact> facts;
    AddInMonth(facts, month - 12, pair.y2020);
    AddInMonth(facts, month, pair.y2021);
    // Neighbouring months must not leak in.
    AddInMonth(facts, month - 1, 7);
    AddInMonth(facts, month + 1, 11);
    AddInMonth(facts, month - 13, 5);

    const FrontDoorFigures figures =
        Compute(facts, month, absl::CivilDay(2021, 12, 31));
    EXPECT_EQ(figures.this_month.month, month);
    EXPECT_EQ(figures.this_month.contacts, pair.y2021);
    EXPECT_EQ(figures.this_month.contacts_year_before, pair.y2020);
    EXPECT_THAT(figures.this_month.change_percent, Optional(pair.increase_pct));
  }
}

TEST(FrontDoorFiguresTest, TrendHasThirteenMonthsEachWithItsYearBefore) {
  std::vector<ContactFact> facts;
  for (const MonthPair& pair : kReportPairs) {
    AddInMonth(facts, absl::CivilMonth(2020, pair.month), pair.y2020);
    AddInMonth(facts, absl::CivilMonth(2021, pair.month), pair.y2021);
  }
  const absl::CivilMonth month(2021, 11);
  const FrontDoorFigures figures =
      Compute(facts, month, absl::CivilDay(2021, 11, 30));

  ASSERT_EQ(figures.trend.size(), 13u);
  for (int i = 0; i < 13; ++i) {
    EXPECT_EQ(figures.trend[i].month, month - 12 + i);
  }
  // Nov 2020 (2047 contacts) against Nov 2019 (none): no change percent.
  EXPECT_EQ(figures.trend[0].contacts, 2047);
  EXPECT_EQ(figures.trend[0].contacts_year_before, 0);
  EXPECT_EQ(figures.trend[0].change_percent, std::nullopt);
  // Dec 2020 .. Feb 2021: nothing either side.
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(figures.trend[i].contacts, 0);
    EXPECT_EQ(figures.trend[i].change_percent, std::nullopt);
  }
  // Mar .. Nov 2021: every pair of the report.
  for (int i = 0; i < 9; ++i) {
    const MonthFigure& figure = figures.trend[4 + i];
    SCOPED_TRACE(kReportPairs[i].month);
    EXPECT_EQ(figure.month, absl::CivilMonth(2021, kReportPairs[i].month));
    EXPECT_EQ(figure.contacts, kReportPairs[i].y2021);
    EXPECT_EQ(figure.contacts_year_before, kReportPairs[i].y2020);
    EXPECT_THAT(figure.change_percent, Optional(kReportPairs[i].increase_pct));
  }
  EXPECT_EQ(figures.this_month.month, month);
  EXPECT_EQ(figures.this_month.contacts, 2293);
  EXPECT_THAT(figures.this_month.change_percent, Optional(12.0));
}

TEST(FrontDoorFiguresTest, FallIsNegativeChange) {
  std::vector<ContactFact> facts;
  AddInMonth(facts, absl::CivilMonth(2020, 3), 2499);
  AddInMonth(facts, absl::CivilMonth(2021, 3), 1595);
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2021, 3), absl::CivilDay(2021, 3, 31));
  // (1595 - 2499) / 2499 = -36.174...%.
  EXPECT_THAT(figures.this_month.change_percent, Optional(-36.2));
}

TEST(FrontDoorFiguresTest, MonthWithNoContactsHasNoPercents) {
  std::vector<ContactFact> facts;
  AddInMonth(facts, absl::CivilMonth(2024, 4), 10);
  AddInMonth(facts, absl::CivilMonth(2024, 6), 10);
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 5), absl::CivilDay(2024, 5, 31));

  EXPECT_EQ(figures.this_month.contacts, 0);
  EXPECT_EQ(figures.this_month.contacts_year_before, 0);
  EXPECT_EQ(figures.this_month.change_percent, std::nullopt);
  EXPECT_EQ(figures.decided, 0);
  EXPECT_EQ(figures.progressed_percent, std::nullopt);
  EXPECT_EQ(figures.repeat_percent, std::nullopt);
  EXPECT_EQ(figures.decided_within_1wd_percent, std::nullopt);
  // No contacts last year: no per-week change.
  EXPECT_EQ(figures.year_to_date.contacts, 10);
  EXPECT_EQ(figures.per_week_change_percent, std::nullopt);
  ASSERT_EQ(figures.by_primary_need.size(), 10u);
  for (const BreakdownFigure& row : figures.by_primary_need) {
    EXPECT_EQ(row.count, 0) << row.code;
    EXPECT_EQ(row.percent, 0.0) << row.code;
  }
  for (const BreakdownFigure& row : figures.by_source) {
    EXPECT_EQ(row.count, 0) << row.code;
    EXPECT_EQ(row.percent, 0.0) << row.code;
  }
}

TEST(FrontDoorFiguresTest, EmptyMonthAfterABusyOneIsMinusHundred) {
  std::vector<ContactFact> facts;
  AddInMonth(facts, absl::CivilMonth(2023, 5), 4);
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 5), absl::CivilDay(2024, 5, 31));
  EXPECT_EQ(figures.this_month.contacts, 0);
  EXPECT_EQ(figures.this_month.contacts_year_before, 4);
  EXPECT_THAT(figures.this_month.change_percent, Optional(-100.0));
}

// --- Contacts per week, year to date -----------------------------------------

TEST(FrontDoorFiguresTest, PerWeekYearToDateMatchesSept2023Report) {
  // 22,510 contacts 1 Jan - 2 Sep 2023 (245 days): 643.1 a week; 20,207 over
  // the same dates of 2022: 577.3 a week; +11.4%.
  const absl::CivilDay as_of(2023, 9, 2);
  ASSERT_EQ(as_of - absl::CivilDay(2023, 1, 1) + 1, 245);
  std::vector<ContactFact> facts;
  AddInSpan(facts, absl::CivilDay(2023, 1, 1), as_of, 22510);
  AddInSpan(facts, absl::CivilDay(2022, 1, 1), absl::CivilDay(2022, 9, 2),
            20207);
  // Outside both spans.
  AddInSpan(facts, absl::CivilDay(2023, 9, 3), absl::CivilDay(2023, 9, 30),
            300);
  AddInSpan(facts, absl::CivilDay(2022, 9, 3), absl::CivilDay(2022, 12, 31),
            900);
  AddInSpan(facts, absl::CivilDay(2021, 12, 1), absl::CivilDay(2021, 12, 31),
            400);

  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2023, 8), as_of);
  EXPECT_EQ(figures.year_to_date.from, absl::CivilDay(2023, 1, 1));
  EXPECT_EQ(figures.year_to_date.to, as_of);
  EXPECT_EQ(figures.year_to_date.contacts, 22510);
  EXPECT_DOUBLE_EQ(figures.year_to_date.per_week, 643.1);
  EXPECT_EQ(figures.year_to_date_last_year.from, absl::CivilDay(2022, 1, 1));
  EXPECT_EQ(figures.year_to_date_last_year.to, absl::CivilDay(2022, 9, 2));
  EXPECT_EQ(figures.year_to_date_last_year.contacts, 20207);
  EXPECT_DOUBLE_EQ(figures.year_to_date_last_year.per_week, 577.3);
  EXPECT_THAT(figures.per_week_change_percent, Optional(11.4));
}

TEST(FrontDoorFiguresTest, LeapDayAsOfComparesWithTwentyEighthFebruary) {
  // 2024: 60 contacts over 1 Jan - 29 Feb (60 days) = 7.0 a week.
  // 2023: 118 contacts over 1 Jan - 28 Feb (59 days) = 14.0 a week; the 5 on
  // 1 Mar 2023 are outside. Change -50.0%.
  const absl::CivilDay as_of(2024, 2, 29);
  std::vector<ContactFact> facts;
  AddInSpan(facts, absl::CivilDay(2024, 1, 1), as_of, 60);
  AddInSpan(facts, absl::CivilDay(2023, 1, 1), absl::CivilDay(2023, 2, 28),
            118);
  for (int i = 0; i < 5; ++i) facts.push_back(Fact(absl::CivilDay(2023, 3, 1)));

  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 2), as_of);
  EXPECT_EQ(figures.year_to_date.contacts, 60);
  EXPECT_DOUBLE_EQ(figures.year_to_date.per_week, 7.0);
  EXPECT_EQ(figures.year_to_date_last_year.from, absl::CivilDay(2023, 1, 1));
  EXPECT_EQ(figures.year_to_date_last_year.to, absl::CivilDay(2023, 2, 28));
  EXPECT_EQ(figures.year_to_date_last_year.contacts, 118);
  EXPECT_DOUBLE_EQ(figures.year_to_date_last_year.per_week, 14.0);
  EXPECT_THAT(figures.per_week_change_percent, Optional(-50.0));
}

TEST(FrontDoorFiguresTest, PerWeekChangeUsesUnroundedRates) {
  // This year 1 contact over 1-3 Jan (3 days): 2.333.. -> 2.3 a week.
  // Last year 7 contacts over 1-3 Jan: 16.333.. -> 16.3 a week.
  // Unrounded: 1/7 - 1 = -85.714..% -> -85.7 (rounded rates give -85.9).
  const absl::CivilDay as_of(2024, 1, 3);
  std::vector<ContactFact> facts;
  facts.push_back(Fact(absl::CivilDay(2024, 1, 2)));
  AddInSpan(facts, absl::CivilDay(2023, 1, 1), absl::CivilDay(2023, 1, 3), 7);
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 1), as_of);
  EXPECT_DOUBLE_EQ(figures.year_to_date.per_week, 2.3);
  EXPECT_DOUBLE_EQ(figures.year_to_date_last_year.per_week, 16.3);
  EXPECT_THAT(figures.per_week_change_percent, Optional(-85.7));
}

// --- Decisions ---------------------------------------------------------------

TEST(FrontDoorFiguresTest, ProgressedExcludesUndecidedContacts) {
  const absl::CivilDay day(2024, 3, 5);
  const absl::CivilDay next(2024, 3, 6);
  std::vector<ContactFact> facts = {
      Decided(day, Outcome::kReferral, next),
      Decided(day, Outcome::kReferral, next),
      Decided(day, Outcome::kStrategyDiscussion, next),
      Decided(day, Outcome::kNfa, next),
      Decided(day, Outcome::kAdvice, next),
      Decided(day, Outcome::kEarlyHelp, next),
      Decided(day, Outcome::kExistingCase, next),
      Fact(day),
      Fact(day),
      Fact(day),
      // Decided but received outside March.
      Decided(absl::CivilDay(2024, 2, 29), Outcome::kReferral, day),
      Decided(absl::CivilDay(2024, 4, 1), Outcome::kNfa,
              absl::CivilDay(2024, 4, 2)),
  };
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 3), absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(figures.this_month.contacts, 10);
  EXPECT_EQ(figures.decided, 7);
  EXPECT_EQ(figures.progressed, 3);
  // 3 / 7, not 3 / 10.
  EXPECT_THAT(figures.progressed_percent, Optional(42.9));
}

TEST(FrontDoorFiguresTest, DecidedWithinOneWorkingDay) {
  const WorkingDayCalendar calendar = Easter2024Calendar();
  // Good Friday and Easter Monday are bank holidays.
  ASSERT_EQ(calendar.AddWorkingDays(absl::CivilDay(2024, 3, 28), 1),
            absl::CivilDay(2024, 4, 2));
  std::vector<ContactFact> facts = {
      // Friday, decided Monday: within.
      Decided(absl::CivilDay(2024, 3, 8), Outcome::kNfa,
              absl::CivilDay(2024, 3, 11)),
      // Friday, decided Tuesday: not within.
      Decided(absl::CivilDay(2024, 3, 15), Outcome::kNfa,
              absl::CivilDay(2024, 3, 19)),
      // Thursday before Easter, decided Tuesday after: within.
      Decided(absl::CivilDay(2024, 3, 28), Outcome::kReferral,
              absl::CivilDay(2024, 4, 2)),
      // ... decided Wednesday: not within.
      Decided(absl::CivilDay(2024, 3, 28), Outcome::kReferral,
              absl::CivilDay(2024, 4, 3)),
      // Same day: within.
      Decided(absl::CivilDay(2024, 3, 6), Outcome::kAdvice,
              absl::CivilDay(2024, 3, 6)),
      // Undecided: in neither count.
      Fact(absl::CivilDay(2024, 3, 6)),
  };
  const FrontDoorFigures figures = ComputeFrontDoorFigures(
      facts, absl::CivilMonth(2024, 3), absl::CivilDay(2024, 3, 31), calendar,
      FrontDoorSettings{});
  EXPECT_EQ(figures.decided, 5);
  EXPECT_EQ(figures.decided_within_1wd, 3);
  EXPECT_THAT(figures.decided_within_1wd_percent, Optional(60.0));
}

// --- Breakdowns --------------------------------------------------------------

TEST(FrontDoorFiguresTest, PrimaryNeedEmptyCountsAsN0) {
  const absl::CivilDay day(2024, 3, 12);
  std::vector<ContactFact> facts = {
      Fact(day, "", ""),
      Fact(day, "", ""),
      Fact(day, "", "N0"),
      Fact(day, "", "N1"),
      Fact(day, "", "N1"),
      Fact(day, "", "N1"),
      Fact(day, "", "N1"),
      Fact(day, "", "N4"),
      Fact(day, "", "X9"),  // not a census code: only in the whole
      Fact(absl::CivilDay(2024, 2, 12), "", "N9"),  // outside March
  };
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 3), absl::CivilDay(2024, 3, 31));
  ASSERT_EQ(figures.by_primary_need.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(figures.by_primary_need[i].code, "N" + std::to_string(i));
    EXPECT_FALSE(figures.by_primary_need[i].label.empty());
  }
  EXPECT_EQ(figures.by_primary_need[0].count, 3);
  EXPECT_DOUBLE_EQ(figures.by_primary_need[0].percent, 33.3);  // 3 / 9
  EXPECT_EQ(figures.by_primary_need[1].count, 4);
  EXPECT_DOUBLE_EQ(figures.by_primary_need[1].percent, 44.4);  // 4 / 9
  EXPECT_EQ(figures.by_primary_need[4].count, 1);
  EXPECT_DOUBLE_EQ(figures.by_primary_need[4].percent, 11.1);  // 1 / 9
  EXPECT_EQ(figures.by_primary_need[9].count, 0);
  EXPECT_DOUBLE_EQ(figures.by_primary_need[9].percent, 0.0);
}

TEST(FrontDoorFiguresTest, BySourceListsEveryCodeInCensusOrder) {
  const absl::CivilDay day(2024, 3, 12);
  std::vector<ContactFact> facts = {
      Fact(day, "", "N1", "6"),  Fact(day, "", "N1", "6"),
      Fact(day, "", "N1", "6"),  Fact(day, "", "N1", "2A"),
      Fact(day, "", "N1", "10"), Fact(day, "", "N1", "1A"),
      Fact(day, "", "N1", "3E"), Fact(day, "", "N1", "3E"),
  };
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 3), absl::CivilDay(2024, 3, 31));
  const std::vector<std::string> expected_codes = {
      "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E",
      "3F", "4",  "5A", "5B", "5C", "5D", "6",  "7",  "8",  "9",  "10"};
  ASSERT_EQ(figures.by_source.size(), expected_codes.size());
  for (size_t i = 0; i < expected_codes.size(); ++i) {
    EXPECT_EQ(figures.by_source[i].code, expected_codes[i]);
  }
  EXPECT_EQ(figures.by_source[0].count, 1);  // 1A
  EXPECT_DOUBLE_EQ(figures.by_source[0].percent, 12.5);
  EXPECT_EQ(figures.by_source[10].count, 2);  // 3E
  EXPECT_DOUBLE_EQ(figures.by_source[10].percent, 25.0);
  EXPECT_EQ(figures.by_source[17].count, 3);  // 6
  EXPECT_DOUBLE_EQ(figures.by_source[17].percent, 37.5);
  EXPECT_EQ(figures.by_source[21].count, 1);  // 10
  EXPECT_EQ(figures.by_source[1].count, 0);   // 1B
  EXPECT_DOUBLE_EQ(figures.by_source[1].percent, 0.0);
}

// --- Repeat contacts ---------------------------------------------------------

TEST(FrontDoorFiguresTest, RepeatWindowEdgeAndContactsBeforeTheMonth) {
  // 3 or more contacts within 365 days; window of 8 Mar 2024 starts
  // 8 Mar 2024 - 364 days = 10 Mar 2023.
  ASSERT_EQ(absl::CivilDay(2024, 3, 8) - absl::CivilDay(2023, 3, 10), 364);
  std::vector<ContactFact> facts = {
      // A: first contact exactly on the window's first day: repeat.
      Fact(absl::CivilDay(2023, 3, 10), "A"),
      Fact(absl::CivilDay(2023, 9, 1), "A"),
      Fact(absl::CivilDay(2024, 3, 8), "A"),
      // B: first contact one day before the window: not a repeat.
      Fact(absl::CivilDay(2023, 3, 9), "B"),
      Fact(absl::CivilDay(2023, 9, 1), "B"),
      Fact(absl::CivilDay(2024, 3, 8), "B"),
      // C: the two same-day contacts are both third; the first is not.
      Fact(absl::CivilDay(2024, 3, 1), "C"),
      Fact(absl::CivilDay(2024, 3, 15), "C"),
      Fact(absl::CivilDay(2024, 3, 15), "C"),
      // D: later contacts do not count.
      Fact(absl::CivilDay(2024, 3, 20), "D"),
      Fact(absl::CivilDay(2024, 4, 2), "D"),
      Fact(absl::CivilDay(2024, 4, 2), "D"),
      // No child id: never a repeat, not in the whole.
      Fact(absl::CivilDay(2024, 3, 4)),
      Fact(absl::CivilDay(2024, 3, 4)),
      Fact(absl::CivilDay(2024, 3, 4)),
  };
  const FrontDoorFigures figures =
      Compute(facts, absl::CivilMonth(2024, 3), absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(figures.repeat_min_contacts, 3);
  EXPECT_EQ(figures.repeat_window_days, 365);
  EXPECT_EQ(figures.repeat_contacts, 3);  // A once, C twice
  EXPECT_EQ(figures.repeat_children, 2);  // A and C
  // 3 of the 6 March contacts with a child id (A, B, C x3, D).
  EXPECT_THAT(figures.repeat_percent, Optional(50.0));
}

TEST(FrontDoorFiguresTest, RepeatWithShortWindow) {
  FrontDoorSettings settings;
  settings.repeat_min_contacts = 2;
  settings.repeat_window_days = 7;
  std::vector<ContactFact> facts = {
      // E: 1 and 7 Mar are 7 days inclusive: the second is a repeat.
      Fact(absl::CivilDay(2024, 3, 1), "E"),
      Fact(absl::CivilDay(2024, 3, 7), "E"),
      // F: 29 Feb and 7 Mar are 8 days inclusive: no repeat.
      Fact(absl::CivilDay(2024, 2, 29), "F"),
      Fact(absl::CivilDay(2024, 3, 7), "F"),
      // G: 26 Feb and 1 Mar: a repeat on 1 Mar counting February.
      Fact(absl::CivilDay(2024, 2, 26), "G"),
      Fact(absl::CivilDay(2024, 3, 1), "G"),
  };
  const FrontDoorFigures figures = Compute(
      facts, absl::CivilMonth(2024, 3), absl::CivilDay(2024, 3, 31), settings);
  EXPECT_EQ(figures.repeat_contacts, 2);  // E on 7 Mar, G on 1 Mar
  EXPECT_EQ(figures.repeat_children, 2);
  // Of E x2, F, G: 2 / 4.
  EXPECT_THAT(figures.repeat_percent, Optional(50.0));
}

// --- Earliest day needed ---------------------------------------------------

TEST(EarliestDayNeededTest, TrendReachesBackTwentyFourMonths) {
  // 1 Jan 2023, 1 Mar 2022 (M-24), 1 Mar 2024 - 364 days: M-24 is earliest.
  EXPECT_EQ(EarliestDayNeeded(absl::CivilMonth(2024, 3),
                              absl::CivilDay(2024, 3, 31), FrontDoorSettings{}),
            absl::CivilDay(2022, 3, 1));
}

TEST(EarliestDayNeededTest, LongRepeatWindow) {
  FrontDoorSettings settings;
  settings.repeat_window_days = 1000;
  // 1 Mar 2024 - 999 days = 6 Jun 2021.
  EXPECT_EQ(EarliestDayNeeded(absl::CivilMonth(2024, 3),
                              absl::CivilDay(2024, 3, 31), settings),
            absl::CivilDay(2021, 6, 6));
}

TEST(EarliestDayNeededTest, EarlyAsOfReachesBackToItsLastYear) {
  EXPECT_EQ(EarliestDayNeeded(absl::CivilMonth(2024, 3),
                              absl::CivilDay(2023, 6, 30), FrontDoorSettings{}),
            absl::CivilDay(2022, 1, 1));
}

TEST(EarliestDayNeededTest, FactsBeforeItDoNotChangeTheFigures) {
  const absl::CivilMonth month(2024, 3);
  const absl::CivilDay as_of(2024, 3, 31);
  const FrontDoorSettings settings;
  std::vector<ContactFact> all;
  const absl::CivilDay first(2020, 1, 1);
  for (int i = 0; i < 4000; ++i) {
    ContactFact fact =
        Fact(first + (i * 7) % 1600, "child" + std::to_string(i % 37),
             i % 5 == 0 ? "" : "N" + std::to_string(i % 10),
             i % 3 == 0 ? "6" : "2A");
    if (i % 4 != 0) {
      fact.outcome = i % 8 == 1 ? Outcome::kReferral : Outcome::kNfa;
      fact.decided_on = fact.received_on + i % 4;
    }
    all.push_back(std::move(fact));
  }
  const absl::CivilDay earliest = EarliestDayNeeded(month, as_of, settings);
  std::vector<ContactFact> needed;
  for (const ContactFact& fact : all) {
    if (fact.received_on >= earliest) needed.push_back(fact);
  }
  ASSERT_LT(needed.size(), all.size());

  const FrontDoorFigures a = Compute(all, month, as_of, settings);
  const FrontDoorFigures b = Compute(needed, month, as_of, settings);
  ASSERT_GT(a.this_month.contacts, 0);
  ASSERT_GT(a.repeat_contacts, 0);
  ASSERT_EQ(a.trend.size(), b.trend.size());
  for (size_t i = 0; i < a.trend.size(); ++i) {
    EXPECT_EQ(a.trend[i].contacts, b.trend[i].contacts);
    EXPECT_EQ(a.trend[i].contacts_year_before, b.trend[i].contacts_year_before);
  }
  EXPECT_EQ(a.year_to_date.contacts, b.year_to_date.contacts);
  EXPECT_EQ(a.year_to_date_last_year.contacts,
            b.year_to_date_last_year.contacts);
  EXPECT_EQ(a.decided, b.decided);
  EXPECT_EQ(a.progressed, b.progressed);
  EXPECT_EQ(a.repeat_contacts, b.repeat_contacts);
  EXPECT_EQ(a.repeat_children, b.repeat_children);
  EXPECT_EQ(a.decided_within_1wd, b.decided_within_1wd);
}

}  // namespace
}  // namespace sgm::intake
