#include "common/working_day_calendar.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;

using Day = absl::CivilDay;

WorkingDayCalendar Shipped() {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

// ---------------------------------------------------------------------------
// The shipped list

TEST(WorkingDayCalendarTest, PlatinumJubileeAndStateFuneral2022) {
  const WorkingDayCalendar cal = Shipped();
  EXPECT_TRUE(cal.IsBankHoliday(Day(2022, 6, 2)));    // spring, moved (Thu)
  EXPECT_TRUE(cal.IsBankHoliday(Day(2022, 6, 3)));    // Platinum Jubilee (Fri)
  EXPECT_FALSE(cal.IsBankHoliday(Day(2022, 5, 30)));  // the usual last Monday
  EXPECT_TRUE(cal.IsWorkingDay(Day(2022, 5, 30)));
  EXPECT_TRUE(cal.IsBankHoliday(Day(2022, 9, 19)));  // State Funeral (Mon)
  EXPECT_FALSE(cal.IsWorkingDay(Day(2022, 9, 19)));
}

TEST(WorkingDayCalendarTest, Coronation2023AndVeDay2020) {
  const WorkingDayCalendar cal = Shipped();
  EXPECT_TRUE(cal.IsBankHoliday(Day(2023, 5, 1)));  // early May
  EXPECT_TRUE(cal.IsBankHoliday(Day(2023, 5, 8)));  // Coronation
  EXPECT_TRUE(cal.IsBankHoliday(Day(2020, 5, 8)));  // early May on VE Day
  EXPECT_FALSE(cal.IsBankHoliday(Day(2020, 5, 4)));
  EXPECT_TRUE(cal.IsWorkingDay(Day(2020, 5, 4)));
}

TEST(WorkingDayCalendarTest, Easter2024) {
  const WorkingDayCalendar cal = Shipped();
  EXPECT_TRUE(cal.IsBankHoliday(Day(2024, 3, 29)));   // Good Friday
  EXPECT_TRUE(cal.IsBankHoliday(Day(2024, 4, 1)));    // Easter Monday
  EXPECT_FALSE(cal.IsBankHoliday(Day(2024, 3, 28)));  // Maundy Thursday
  EXPECT_FALSE(cal.IsBankHoliday(Day(2024, 4, 2)));
}

TEST(WorkingDayCalendarTest, ChristmasOnSaturday2021HasSubstitutes) {
  const WorkingDayCalendar cal = Shipped();
  // 25 Dec 2021 was a Saturday: Christmas moves to Mon 27, Boxing Day to
  // Tue 28; 1 Jan 2022 (Saturday) moves to Mon 3 Jan.
  EXPECT_FALSE(cal.IsBankHoliday(Day(2021, 12, 25)));
  EXPECT_FALSE(cal.IsWorkingDay(Day(2021, 12, 25)));  // still a Saturday
  EXPECT_TRUE(cal.IsBankHoliday(Day(2021, 12, 27)));
  EXPECT_TRUE(cal.IsBankHoliday(Day(2021, 12, 28)));
  EXPECT_TRUE(cal.IsWorkingDay(Day(2021, 12, 29)));
  EXPECT_TRUE(cal.IsBankHoliday(Day(2022, 1, 3)));
}

TEST(WorkingDayCalendarTest, LeapDay2024IsAWorkingThursday) {
  const WorkingDayCalendar cal = Shipped();
  ASSERT_EQ(absl::GetWeekday(Day(2024, 2, 29)), absl::Weekday::thursday);
  EXPECT_TRUE(cal.IsWorkingDay(Day(2024, 2, 29)));
  // Wed 28 Feb + 2 working days: Thu 29 Feb, Fri 1 Mar.
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 2, 28), 2), Day(2024, 3, 1));
}

TEST(WorkingDayCalendarTest, WeekendsAreNotWorkingDays) {
  const WorkingDayCalendar cal = Shipped();
  EXPECT_FALSE(cal.IsWorkingDay(Day(2024, 3, 9)));   // Saturday
  EXPECT_FALSE(cal.IsWorkingDay(Day(2024, 3, 10)));  // Sunday
  EXPECT_FALSE(cal.IsBankHoliday(Day(2024, 3, 9)));
  EXPECT_TRUE(cal.IsWorkingDay(Day(2024, 3, 11)));  // Monday
}

// ---------------------------------------------------------------------------
// Arithmetic, hand-worked

TEST(WorkingDayCalendarTest, AddZeroIsTheDayItselfEvenOnAWeekend) {
  const WorkingDayCalendar cal = Shipped();
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 13), 0), Day(2024, 3, 13));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 16), 0), Day(2024, 3, 16));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 12, 25), 0), Day(2024, 12, 25));
}

TEST(WorkingDayCalendarTest, AddAcrossAWeekend) {
  const WorkingDayCalendar cal = Shipped();
  // Fri 15 Mar 2024 + 1 = Mon 18 Mar; Thu 14 + 3 = Tue 19.
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 15), 1), Day(2024, 3, 18));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 14), 3), Day(2024, 3, 19));
  // From a Saturday or Sunday the first working day is the Monday.
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 16), 1), Day(2024, 3, 18));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 17), 1), Day(2024, 3, 18));
  // Mon 11 Mar + 10 = Mon 25 Mar (two full weeks).
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 11), 10), Day(2024, 3, 25));
}

TEST(WorkingDayCalendarTest, AddAcrossChristmasAndNewYear) {
  const WorkingDayCalendar cal = Shipped();
  // 2024: Wed 25 and Thu 26 Dec, Wed 1 Jan 2025 are holidays.
  // Mon 23 Dec + 1 = Tue 24; + 2 = Fri 27; + 3 = Mon 30; + 4 = Tue 31;
  // + 5 = Thu 2 Jan 2025.
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 12, 23), 1), Day(2024, 12, 24));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 12, 23), 2), Day(2024, 12, 27));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 12, 23), 3), Day(2024, 12, 30));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 12, 23), 5), Day(2025, 1, 2));
  // 2021: Fri 24 Dec + 1 skips Sat-Sun and the substitutes Mon 27, Tue 28.
  EXPECT_EQ(cal.AddWorkingDays(Day(2021, 12, 24), 1), Day(2021, 12, 29));
  // Fri 31 Dec 2021 + 1 skips the weekend and Mon 3 Jan 2022.
  EXPECT_EQ(cal.AddWorkingDays(Day(2021, 12, 31), 1), Day(2022, 1, 4));
}

TEST(WorkingDayCalendarTest, AddAcrossEaster) {
  const WorkingDayCalendar cal = Shipped();
  // Easter 2024: Good Friday 29 Mar, Easter Monday 1 Apr.
  // Thu 28 Mar + 1 = Tue 2 Apr.
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 28), 1), Day(2024, 4, 2));
  // Mon 25 Mar + 5: 26, 27, 28, (29 GF), (30, 31), (1 EM), 2, 3 -> Wed 3 Apr.
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 25), 5), Day(2024, 4, 3));
}

TEST(WorkingDayCalendarTest, AddAcrossTheYearEnd2026To2027) {
  const WorkingDayCalendar cal = Shipped();
  // 2026: Christmas Fri 25 Dec, Boxing Day substitute Mon 28 Dec;
  // New Year's Day Fri 1 Jan 2027.
  EXPECT_TRUE(cal.IsBankHoliday(Day(2026, 12, 28)));
  EXPECT_TRUE(cal.IsBankHoliday(Day(2027, 1, 1)));
  // Thu 24 Dec + 1 = Tue 29; + 3 = Thu 31; + 4 = Mon 4 Jan 2027.
  EXPECT_EQ(cal.AddWorkingDays(Day(2026, 12, 24), 1), Day(2026, 12, 29));
  EXPECT_EQ(cal.AddWorkingDays(Day(2026, 12, 24), 3), Day(2026, 12, 31));
  EXPECT_EQ(cal.AddWorkingDays(Day(2026, 12, 24), 4), Day(2027, 1, 4));
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2026, 12, 24), Day(2027, 1, 4)), 4);
}

TEST(WorkingDayCalendarTest, AddAcrossConsecutiveHolidayWeeks) {
  const WorkingDayCalendar cal = Shipped();
  // Working Together's 45 working days from Mon 1 Dec 2025: weekdays in
  // 2..31 Dec are 22, minus Christmas and Boxing Day -> 20; January 2026
  // weekdays minus New Year's Day: 2, 5-9, 12-16, 19-23, 26-30 = 21 -> 41
  // by Fri 30 Jan; then Mon 2, Tue 3, Wed 4, Thu 5 Feb -> 45.
  EXPECT_EQ(cal.AddWorkingDays(Day(2025, 12, 1), 45), Day(2026, 2, 5));
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2025, 12, 1), Day(2026, 2, 5)), 45);
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2025, 12, 1), Day(2026, 1, 30)), 41);
}

TEST(WorkingDayCalendarTest, WithinWorkingDaysOnTheBoundary) {
  const WorkingDayCalendar cal = Shipped();
  // 10 working days from Mon 11 Mar 2024 end on Mon 25 Mar.
  const Day start(2024, 3, 11);
  EXPECT_TRUE(cal.WithinWorkingDays(start, Day(2024, 3, 25), 10));
  EXPECT_FALSE(cal.WithinWorkingDays(start, Day(2024, 3, 26), 10));
  EXPECT_TRUE(cal.WithinWorkingDays(start, start, 10));
  EXPECT_TRUE(cal.WithinWorkingDays(start, Day(2024, 3, 1), 10));  // before
  // Decision within 1 working day of a Friday receipt before Easter 2024:
  // Thu 28 Mar -> Tue 2 Apr is on time, Wed 3 Apr is not.
  EXPECT_TRUE(cal.WithinWorkingDays(Day(2024, 3, 28), Day(2024, 4, 2), 1));
  EXPECT_FALSE(cal.WithinWorkingDays(Day(2024, 3, 28), Day(2024, 4, 3), 1));
  // n = 0: only on or before the day itself.
  EXPECT_TRUE(cal.WithinWorkingDays(start, start, 0));
  EXPECT_FALSE(cal.WithinWorkingDays(start, Day(2024, 3, 12), 0));
}

TEST(WorkingDayCalendarTest, WorkingDaysBetween) {
  const WorkingDayCalendar cal = Shipped();
  // (Mon 11 Mar, Mon 25 Mar 2024] = 10.
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2024, 3, 11), Day(2024, 3, 25)), 10);
  // (Fri 15, Mon 18 Mar] = 1; (Fri 15, Sun 17] = 0.
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2024, 3, 15), Day(2024, 3, 18)), 1);
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2024, 3, 15), Day(2024, 3, 17)), 0);
  // (Thu 28 Mar, Tue 2 Apr 2024] = 1 (Easter).
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2024, 3, 28), Day(2024, 4, 2)), 1);
  // Empty and reversed ranges.
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2024, 3, 11), Day(2024, 3, 11)), 0);
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2024, 3, 25), Day(2024, 3, 11)), 0);
  // The whole of 2024: 262 weekdays minus 8 bank holidays (none at a
  // weekend) = 254 in (31 Dec 2023, 31 Dec 2024].
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2023, 12, 31), Day(2024, 12, 31)), 254);
}

TEST(WorkingDayCalendarTest, NegativeCountGoesBack) {
  const WorkingDayCalendar cal = Shipped();
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 4, 2), -1), Day(2024, 3, 28));
  EXPECT_EQ(cal.AddWorkingDays(Day(2024, 3, 18), -1), Day(2024, 3, 15));
}

// The arithmetic (no day-by-day walk) against a plain walk, from every day
// of 2014-2031 and for every n up to 70, with holidays on and off weekends.
TEST(WorkingDayCalendarTest, ArithmeticMatchesADayByDayWalk) {
  absl::StatusOr<WorkingDayCalendar> custom = WorkingDayCalendar::FromText(
      "2024-12-24 Christmas Eve (a Tuesday)\n"
      "2024-12-28 a Saturday\n"
      "2025-01-02 a Thursday\n");
  ASSERT_TRUE(custom.ok()) << custom.status();
  for (const WorkingDayCalendar& cal : {Shipped(), *custom}) {
    for (Day start(2014, 1, 1); start <= Day(2031, 12, 31); ++start) {
      Day walked = start;
      for (int n = 0; n <= 70; ++n) {
        if (n > 0) {
          do {
            ++walked;
          } while (!cal.IsWorkingDay(walked));
        }
        ASSERT_EQ(cal.AddWorkingDays(start, n), walked)
            << "start " << start << " n " << n;
        ASSERT_EQ(cal.WorkingDaysBetween(start, walked), n)
            << "start " << start << " end " << walked;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The shipped file against the statutory rules

Day EasterSunday(int year) {
  // The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4,
            f = (b + 8) / 25, g = (b - f + 1) / 3,
            h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4,
            l = (32 + 2 * e + 2 * i - h - k) % 7,
            m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return Day(year, month, day);
}

bool IsWeekend(Day day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

Day FirstMonday(int year, int month) {
  Day day(year, month, 1);
  while (absl::GetWeekday(day) != absl::Weekday::monday) ++day;
  return day;
}

Day LastMonday(int year, int month) {
  Day day = Day(absl::CivilMonth(year, month) + 1) - 1;
  while (absl::GetWeekday(day) != absl::Weekday::monday) --day;
  return day;
}

std::set<Day> RuleBasedHolidays(int year) {
  std::set<Day> out;
  // Fixed-date holidays in order; one on a weekend moves to the next
  // weekday not already taken.
  auto add_fixed = [&](Day day) {
    while (IsWeekend(day) || out.count(day) > 0) ++day;
    out.insert(day);
  };
  add_fixed(Day(year, 1, 1));
  const Day easter = EasterSunday(year);
  out.insert(easter - 2);
  out.insert(easter + 1);
  out.insert(FirstMonday(year, 5));
  out.insert(LastMonday(year, 5));
  out.insert(LastMonday(year, 8));
  add_fixed(Day(year, 12, 25));
  add_fixed(Day(year, 12, 26));
  return out;
}

TEST(WorkingDayCalendarTest, EasterAlgorithmHandWorked) {
  EXPECT_EQ(EasterSunday(2024), Day(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2019), Day(2019, 4, 21));
  EXPECT_EQ(EasterSunday(2027), Day(2027, 3, 28));
}

TEST(WorkingDayCalendarTest, ShippedListMatchesRules) {
  const WorkingDayCalendar cal = Shipped();
  // One-off changes by proclamation: date -> true added, false removed.
  const std::map<Day, bool> exceptions = {
      {Day(2020, 5, 4), false},  {Day(2020, 5, 8), true},
      {Day(2022, 5, 30), false}, {Day(2022, 6, 2), true},
      {Day(2022, 6, 3), true},   {Day(2022, 9, 19), true},
      {Day(2023, 5, 8), true},
  };
  int listed = 0;
  for (int year = 2014; year <= 2031; ++year) {
    std::set<Day> expected;
    if (year >= 2015 && year <= 2030) expected = RuleBasedHolidays(year);
    for (const auto& [day, added] : exceptions) {
      if (day.year() != year) continue;
      if (added) {
        expected.insert(day);
      } else {
        expected.erase(day);
      }
    }
    for (Day day(year, 1, 1); day.year() == year; ++day) {
      EXPECT_EQ(cal.IsBankHoliday(day), expected.count(day) > 0) << day;
      listed += cal.IsBankHoliday(day) ? 1 : 0;
    }
  }
  // 16 years x 8, plus 2022's jubilee and funeral and 2023's coronation.
  EXPECT_EQ(listed, 16 * 8 + 3);
}

TEST(WorkingDayCalendarTest, ShippedFileLinesAreDatesAndNames) {
  int entries = 0;
  for (absl::string_view line :
       absl::StrSplit(kBankHolidaysEnglandWales, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    ++entries;
    EXPECT_GT(line.size(), 11u) << line;
    EXPECT_EQ(line[10], ' ') << line;
  }
  EXPECT_EQ(entries, 131);
}

// ---------------------------------------------------------------------------
// FromText

TEST(WorkingDayCalendarTest, FromTextSkipsBlankAndCommentLines) {
  absl::StatusOr<WorkingDayCalendar> cal = WorkingDayCalendar::FromText(
      "# a comment\n"
      "\n"
      "2024-03-13 Local holiday\r\n"
      "   \n"
      "  2024-03-14\tAnother one  \n");
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_TRUE(cal->IsBankHoliday(Day(2024, 3, 13)));
  EXPECT_TRUE(cal->IsBankHoliday(Day(2024, 3, 14)));
  EXPECT_FALSE(cal->IsBankHoliday(Day(2024, 12, 25)));  // not in this list
  EXPECT_EQ(cal->AddWorkingDays(Day(2024, 3, 12), 1), Day(2024, 3, 15));
}

TEST(WorkingDayCalendarTest, FromTextErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"2024-01-01 New Year\n# c\n2024-13-01 Bad month\n", "line 3: "},
      {"2024-02-30 No such day\n", "line 1: "},
      {"\n\n2024-1-1 Short\n", "line 3: "},
      {"2024-05-06\n", "line 1: no holiday name"},
      {"2024-05-06 Early May\n2024-05-06 Again\n",
       "line 2: 2024-05-06 is already listed on line 1"},
      {"x2024-05-06 Early May\n", "line 1: "},
  };
  for (const Case& c : cases) {
    absl::StatusOr<WorkingDayCalendar> cal =
        WorkingDayCalendar::FromText(c.text);
    ASSERT_FALSE(cal.ok()) << c.text;
    EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(cal.status().message(), HasSubstr(c.expected)) << c.text;
  }
  absl::StatusOr<WorkingDayCalendar> cal =
      WorkingDayCalendar::FromText("2024-02-30 Nope\n");
  EXPECT_THAT(cal.status().message(), HasSubstr("2024-02-30"));
}

// ---------------------------------------------------------------------------
// Override files

class OverrideFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/sgm_calendar_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::string dir_;
};

TEST_F(OverrideFileTest, AddsAndRemovesDays) {
  const std::string path = Write("override.txt",
                                 "# local changes\n"
                                 "+2024-03-13 Authority closure day\n"
                                 "-2024-12-26\n"
                                 "+2024-12-25 already a holiday: no change\n");
  absl::StatusOr<WorkingDayCalendar> cal =
      WorkingDayCalendar::EnglandAndWalesWithOverrideFile(path);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_TRUE(cal->IsBankHoliday(Day(2024, 3, 13)));
  EXPECT_FALSE(cal->IsWorkingDay(Day(2024, 3, 13)));
  EXPECT_FALSE(cal->IsBankHoliday(Day(2024, 12, 26)));
  EXPECT_TRUE(cal->IsWorkingDay(Day(2024, 12, 26)));
  EXPECT_TRUE(cal->IsBankHoliday(Day(2024, 12, 25)));
  EXPECT_TRUE(cal->IsBankHoliday(Day(2024, 3, 29)));  // shipped list kept
  // Tue 12 Mar + 1 skips the added Wed 13; Tue 24 Dec + 1 is now Thu 26.
  EXPECT_EQ(cal->AddWorkingDays(Day(2024, 3, 12), 1), Day(2024, 3, 14));
  EXPECT_EQ(cal->AddWorkingDays(Day(2024, 12, 24), 1), Day(2024, 12, 26));
}

TEST_F(OverrideFileTest, EmptyOverrideIsTheShippedList) {
  const std::string path = Write("empty.txt", "");
  absl::StatusOr<WorkingDayCalendar> cal =
      WorkingDayCalendar::EnglandAndWalesWithOverrideFile(path);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_TRUE(cal->IsBankHoliday(Day(2023, 5, 8)));
}

TEST_F(OverrideFileTest, ErrorsNameTheFileAndLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"+2024-03-13 ok\n2024-03-14 no sign\n", ":2: "},
      {"# c\n\n+2024-03-32 Bad\n", ":3: "},
      {"+2024-03-13\n", ":1: no holiday name"},
      {"+2024-03-13 ok\n-2024-03-15\n", ":2: cannot remove 2024-03-15"},
      {"-2024-03-13 x\n", ":1: cannot remove 2024-03-13"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string path = Write(absl::StrCat("bad", i++, ".txt"), c.text);
    absl::StatusOr<WorkingDayCalendar> cal =
        WorkingDayCalendar::EnglandAndWalesWithOverrideFile(path);
    ASSERT_FALSE(cal.ok()) << c.text;
    EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(cal.status().message(), HasSubstr(path + c.expected)) << c.text;
  }
}

TEST_F(OverrideFileTest, MissingFileIsNotFound) {
  const std::string path = dir_ + "/no-such-file.txt";
  absl::StatusOr<WorkingDayCalendar> cal =
      WorkingDayCalendar::EnglandAndWalesWithOverrideFile(path);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(cal.status().message(), HasSubstr(path));
}

TEST(WorkingDayCalendarFingerprintTest, ChangesWithTheHolidays) {
  auto a = WorkingDayCalendar::FromText("2024-03-29 Good Friday\n");
  auto b = WorkingDayCalendar::FromText("2024-03-29 Good Friday\n");
  auto c = WorkingDayCalendar::FromText(
      "2024-03-29 Good Friday\n2024-04-01 Easter Monday\n");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->Fingerprint(), b->Fingerprint());
  EXPECT_NE(a->Fingerprint(), c->Fingerprint());
}

}  // namespace
}  // namespace sgm
