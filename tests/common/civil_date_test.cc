#include "common/civil_date.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

std::string DateError(absl::string_view text) {
  absl::StatusOr<absl::CivilDay> day = ParseIsoDate(text);
  EXPECT_FALSE(day.ok()) << text;
  if (day.ok()) return "";
  EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(day.status().message());
}

std::string TimestampError(absl::string_view text) {
  absl::StatusOr<absl::Time> t = ParseIsoTimestamp(text);
  EXPECT_FALSE(t.ok()) << text;
  if (t.ok()) return "";
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(t.status().message());
}

TEST(ParseIsoDateTest, ReadsRealDates) {
  EXPECT_EQ(*ParseIsoDate("2024-03-01"), absl::CivilDay(2024, 3, 1));
  EXPECT_EQ(*ParseIsoDate("1900-01-01"), absl::CivilDay(1900, 1, 1));
  EXPECT_EQ(*ParseIsoDate("2999-12-31"), absl::CivilDay(2999, 12, 31));
}

TEST(ParseIsoDateTest, LeapYears) {
  EXPECT_EQ(*ParseIsoDate("2024-02-29"), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(*ParseIsoDate("2000-02-29"), absl::CivilDay(2000, 2, 29));
  EXPECT_THAT(DateError("2023-02-29"), HasSubstr("no such day"));
  EXPECT_THAT(DateError("1900-02-29"), HasSubstr("no such day"));  // century
  EXPECT_THAT(DateError("2100-02-29"), HasSubstr("no such day"));
}

TEST(ParseIsoDateTest, RejectsDaysAndMonthsThatDoNotExist) {
  EXPECT_THAT(DateError("2024-04-31"), HasSubstr("no such day"));
  EXPECT_THAT(DateError("2024-01-32"), HasSubstr("no such day"));
  EXPECT_THAT(DateError("2024-01-00"), HasSubstr("no such day"));
  EXPECT_THAT(DateError("2024-13-01"), HasSubstr("no such month"));
  EXPECT_THAT(DateError("2024-00-10"), HasSubstr("no such month"));
}

TEST(ParseIsoDateTest, RejectsOtherShapes) {
  for (const char* text :
       {"", "2024-3-1", "2024-03-1", "24-03-01", "2024/03/01", "01/03/2024",
        "2024-03-01 ", " 2024-03-01", "2024-03-01T00:00", "2024-0a-01",
        "+024-03-01", "2024-03-+1", "20240301"}) {
    EXPECT_THAT(DateError(text), HasSubstr("YYYY-MM-DD")) << text;
  }
}

TEST(ParseIsoDateTest, YearRange) {
  EXPECT_THAT(DateError("1899-12-31"), HasSubstr("1900"));
  EXPECT_THAT(DateError("3000-01-01"), HasSubstr("2999"));
}

TEST(ParseIsoTimestampTest, OffsetsAndSeparators) {
  const absl::Time expected = Utc(2024, 3, 1, 9, 15, 0);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T09:15:00+00:00"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T09:15:00Z"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01 09:15:00Z"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T09:15Z"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T10:15:00+01:00"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T04:45:00-04:30"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T00:30:00+01:00"),
            Utc(2024, 2, 29, 23, 30, 0));
  // The limits of real offsets.
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T23:15:00+14:00"), expected);
  EXPECT_EQ(*ParseIsoTimestamp("2024-02-29T19:15:00-14:00"), expected);
}

TEST(ParseIsoTimestampTest, FractionalSeconds) {
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T09:15:00.5Z"),
            Utc(2024, 3, 1, 9, 15, 0) + absl::Milliseconds(500));
  EXPECT_EQ(*ParseIsoTimestamp("2024-03-01T09:15:07.123456789+00:00"),
            Utc(2024, 3, 1, 9, 15, 7) + absl::Nanoseconds(123456789));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:07.1234567891Z"),
              HasSubstr("at most 9 digits"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:07.Z"), HasSubstr("digits"));
}

TEST(ParseIsoTimestampTest, OffsetIsRequired) {
  const std::string reason =
      "needs a UTC offset, e.g. 2024-03-01T09:15:00+00:00";
  EXPECT_EQ(TimestampError("2024-03-01T09:15:00"), reason);
  EXPECT_EQ(TimestampError("2024-03-01T09:15"), reason);
  EXPECT_EQ(TimestampError("2024-03-01T09:15:00.25"), reason);
  EXPECT_EQ(TimestampError("2024-03-01T09:15:00 GMT"), reason);
}

TEST(ParseIsoTimestampTest, OffsetRange) {
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00+14:01"),
              HasSubstr("between -14:00 and +14:00"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00-15:00"),
              HasSubstr("between -14:00 and +14:00"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00+01:60"),
              HasSubstr("between -14:00 and +14:00"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00+0100"), HasSubstr("+HH:MM"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00+1"), HasSubstr("+HH:MM"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00+01:00:00"),
              HasSubstr("after the UTC offset"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:00Zx"),
              HasSubstr("after the UTC offset"));
}

TEST(ParseIsoTimestampTest, RejectsImpossibleTimes) {
  EXPECT_THAT(TimestampError("2024-03-01T24:00:00Z"), HasSubstr("hour"));
  EXPECT_THAT(TimestampError("2024-03-01T09:60:00Z"), HasSubstr("minute"));
  EXPECT_THAT(TimestampError("2024-03-01T09:15:60Z"), HasSubstr("second"));
  EXPECT_THAT(TimestampError("2023-02-29T09:15:00Z"), HasSubstr("no such day"));
}

TEST(ParseIsoTimestampTest, RejectsOtherShapes) {
  for (const char* text :
       {"", "2024-03-01", "2024-03-01T", "2024-03-01T9:15:00Z",
        "2024-03-01t09:15:00Z", "2024-03-01T09-15-00Z", "2024-03-01T09:1Z",
        "2024-03-01T09:15:0Z", "01/03/2024 09:15"}) {
    EXPECT_FALSE(ParseIsoTimestamp(text).ok()) << text;
  }
  EXPECT_THAT(TimestampError("2024-03-01"), HasSubstr("YYYY-MM-DDTHH:MM"));
}

TEST(FormatTest, DatesMonthsAndTimestamps) {
  EXPECT_EQ(FormatIsoDate(absl::CivilDay(2024, 3, 1)), "2024-03-01");
  EXPECT_EQ(FormatIsoMonth(absl::CivilMonth(2024, 11)), "2024-11");
  EXPECT_EQ(FormatTimestampUtc(Utc(2024, 3, 1, 9, 15, 0)),
            "2024-03-01T09:15:00Z");
  EXPECT_EQ(FormatTimestampUtc(*ParseIsoTimestamp("2024-03-01T10:15:00+01:00")),
            "2024-03-01T09:15:00Z");
  EXPECT_EQ(
      FormatTimestampUtc(Utc(2024, 3, 1, 9, 15, 0) + absl::Milliseconds(250)),
      "2024-03-01T09:15:00.25Z");
}

TEST(ParseIsoMonthTest, StrictForm) {
  EXPECT_EQ(*ParseIsoMonth("2024-02"), absl::CivilMonth(2024, 2));
  EXPECT_FALSE(ParseIsoMonth("2024-2").ok());
  EXPECT_FALSE(ParseIsoMonth("2024-13").ok());
  EXPECT_FALSE(ParseIsoMonth("2024-00").ok());
  EXPECT_FALSE(ParseIsoMonth("2024-02-01").ok());
  EXPECT_FALSE(ParseIsoMonth("202402").ok());
  EXPECT_FALSE(ParseIsoMonth("1899-12").ok());
}

TEST(LondonTimeZoneTest, KnowsSummerTime) {
  absl::StatusOr<absl::TimeZone> london = LoadLondonTimeZone();
  ASSERT_TRUE(london.ok()) << london.status();
  // 23:30 UTC on 30 June is already 1 July in London (BST, UTC+1).
  EXPECT_EQ(absl::ToCivilDay(Utc(2024, 6, 30, 23, 30, 0), *london),
            absl::CivilDay(2024, 7, 1));
  // In winter London is on UTC.
  EXPECT_EQ(absl::ToCivilDay(Utc(2024, 1, 31, 23, 30, 0), *london),
            absl::CivilDay(2024, 1, 31));
}

TEST(AddMonthsClampedTest, ClampsToTheLastDayOfTheMonth) {
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2023, 1, 31), 1),
            absl::CivilDay(2023, 2, 28));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 1, 31), 1),
            absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 1, 31), 3),
            absl::CivilDay(2024, 4, 30));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 1, 15), 1),
            absl::CivilDay(2024, 2, 15));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 8, 31), 6),
            absl::CivilDay(2025, 2, 28));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 11, 30), 3),
            absl::CivilDay(2025, 2, 28));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 3, 10), 0),
            absl::CivilDay(2024, 3, 10));
}

TEST(AddMonthsClampedTest, NegativeMonths) {
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2023, 3, 31), -1),
            absl::CivilDay(2023, 2, 28));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 3, 31), -1),
            absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 1, 15), -2),
            absl::CivilDay(2023, 11, 15));
  EXPECT_EQ(AddMonthsClamped(absl::CivilDay(2024, 2, 29), -12),
            absl::CivilDay(2023, 2, 28));
}

TEST(LastDayOfTest, EveryKindOfMonth) {
  EXPECT_EQ(LastDayOf(absl::CivilMonth(2023, 2)), absl::CivilDay(2023, 2, 28));
  EXPECT_EQ(LastDayOf(absl::CivilMonth(2024, 2)), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(LastDayOf(absl::CivilMonth(2024, 4)), absl::CivilDay(2024, 4, 30));
  EXPECT_EQ(LastDayOf(absl::CivilMonth(2024, 12)),
            absl::CivilDay(2024, 12, 31));
}

TEST(SameDayYearBeforeTest, LeapDayFallsBackTo28February) {
  EXPECT_EQ(SameDayYearBefore(absl::CivilDay(2024, 2, 29)),
            absl::CivilDay(2023, 2, 28));
  EXPECT_EQ(SameDayYearBefore(absl::CivilDay(2024, 3, 1)),
            absl::CivilDay(2023, 3, 1));
  EXPECT_EQ(SameDayYearBefore(absl::CivilDay(2025, 2, 28)),
            absl::CivilDay(2024, 2, 28));
  EXPECT_EQ(SameDayYearBefore(absl::CivilDay(2024, 1, 1)),
            absl::CivilDay(2023, 1, 1));
}

}  // namespace
}  // namespace sgm
