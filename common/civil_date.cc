#include "common/civil_date.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sgm {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2999;
constexpr char kDateForm[] = "not a date of the form YYYY-MM-DD";
constexpr char kTimestampForm[] =
    "not a timestamp of the form YYYY-MM-DDTHH:MM:SS+HH:MM, e.g. "
    "2024-03-01T09:15:00+00:00";
constexpr char kNeedsOffset[] =
    "needs a UTC offset, e.g. 2024-03-01T09:15:00+00:00";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of the `count` digits at `text[pos]`, or -1 when any of them is
// not a digit (or the text is too short).
int Digits(absl::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

int DaysInMonth(int year, int month) {
  return static_cast<int>(LastDayOf(absl::CivilMonth(year, month)).day());
}

// "YYYY-MM-DD" at the start of `text` (exactly 10 characters are looked at).
// `form` is the reason given when the shape is wrong.
absl::StatusOr<absl::CivilDay> ParseDatePart(absl::string_view text,
                                             absl::string_view form) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return absl::InvalidArgumentError(form);
  }
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) {
    return absl::InvalidArgumentError(form);
  }
  if (year < kMinYear || year > kMaxYear) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the year must be between %d and %d", kMinYear, kMaxYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError("no such month (months are 01-12)");
  }
  const int days = DaysInMonth(year, month);
  if (day < 1 || day > days) {
    return absl::InvalidArgumentError(
        absl::StrFormat("no such day (that month has %d days)", days));
  }
  return absl::CivilDay(year, month, day);
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseIsoDate(absl::string_view text) {
  if (text.size() != 10) return absl::InvalidArgumentError(kDateForm);
  return ParseDatePart(text, kDateForm);
}

absl::StatusOr<absl::Time> ParseIsoTimestamp(absl::string_view text) {
  // Date, separator, HH:MM at least.
  if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ') ||
      text[13] != ':') {
    return absl::InvalidArgumentError(kTimestampForm);
  }
  absl::StatusOr<absl::CivilDay> day = ParseDatePart(text, kTimestampForm);
  if (!day.ok()) return day.status();
  const int hour = Digits(text, 11, 2);
  const int minute = Digits(text, 14, 2);
  if (hour < 0 || minute < 0) {
    return absl::InvalidArgumentError(kTimestampForm);
  }
  size_t pos = 16;
  int second = 0;
  int64_t nanos = 0;
  if (pos < text.size() && text[pos] == ':') {
    second = Digits(text, pos + 1, 2);
    if (second < 0) return absl::InvalidArgumentError(kTimestampForm);
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const size_t start = pos;
      int64_t scale = 100000000;
      while (pos < text.size() && IsDigit(text[pos])) {
        if (pos - start >= 9) {
          return absl::InvalidArgumentError(
              "fractional seconds may have at most 9 digits");
        }
        nanos += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) {
        return absl::InvalidArgumentError(
            "a '.' after the seconds must be followed by digits");
      }
    }
  }
  if (hour > 23) {
    return absl::InvalidArgumentError("no such hour (hours are 00-23)");
  }
  if (minute > 59) {
    return absl::InvalidArgumentError("no such minute (minutes are 00-59)");
  }
  if (second > 59) {
    return absl::InvalidArgumentError("no such second (seconds are 00-59)");
  }
  // The offset.
  if (pos == text.size()) return absl::InvalidArgumentError(kNeedsOffset);
  int offset_seconds = 0;
  const char sign = text[pos];
  if (sign == 'Z') {
    ++pos;
  } else if (sign == '+' || sign == '-') {
    const int off_hour = Digits(text, pos + 1, 2);
    const int off_minute = Digits(text, pos + 4, 2);
    if (off_hour < 0 || off_minute < 0 || text[pos + 3] != ':') {
      return absl::InvalidArgumentError(
          "the UTC offset must be Z, +HH:MM or -HH:MM, e.g. +00:00");
    }
    if (off_minute > 59 || off_hour * 60 + off_minute > 14 * 60) {
      return absl::InvalidArgumentError(
          "the UTC offset must be between -14:00 and +14:00");
    }
    offset_seconds = (off_hour * 60 + off_minute) * 60;
    if (sign == '-') offset_seconds = -offset_seconds;
    pos += 6;
  } else if (IsDigit(sign) || sign == '.' || sign == ':') {
    return absl::InvalidArgumentError(kTimestampForm);
  } else {
    return absl::InvalidArgumentError(kNeedsOffset);
  }
  if (pos != text.size()) {
    return absl::InvalidArgumentError(
        "unexpected characters after the UTC offset");
  }
  const absl::CivilSecond local(day->year(), day->month(), day->day(), hour,
                                minute, second);
  return absl::FromCivil(local, absl::UTCTimeZone()) -
         absl::Seconds(offset_seconds) + absl::Nanoseconds(nanos);
}

std::string FormatIsoDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string FormatIsoMonth(absl::CivilMonth month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

absl::StatusOr<absl::CivilMonth> ParseIsoMonth(absl::string_view text) {
  constexpr char kMonthForm[] = "not a month of the form YYYY-MM";
  if (text.size() != 7 || text[4] != '-') {
    return absl::InvalidArgumentError(kMonthForm);
  }
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  if (year < 0 || month < 0) return absl::InvalidArgumentError(kMonthForm);
  if (year < kMinYear || year > kMaxYear) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the year must be between %d and %d", kMinYear, kMaxYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError("no such month (months are 01-12)");
  }
  return absl::CivilMonth(year, month);
}

std::string FormatTimestampUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::TimeZone> LoadLondonTimeZone() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/London", &zone)) {
    return absl::NotFoundError(
        "time zone Europe/London not found: install tzdata");
  }
  return zone;
}

absl::CivilDay LondonDay(absl::Time t) {
  static const absl::TimeZone* const kZone =
      new absl::TimeZone(LoadLondonTimeZone().value_or(absl::UTCTimeZone()));
  return absl::ToCivilDay(t, *kZone);
}

absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months) {
  const absl::CivilMonth target = absl::CivilMonth(day) + months;
  const absl::CivilDay last = LastDayOf(target);
  const int dom = day.day() < last.day() ? day.day() : last.day();
  return absl::CivilDay(target.year(), target.month(), dom);
}

absl::CivilDay LastDayOf(absl::CivilMonth month) {
  return absl::CivilDay(month + 1) - 1;
}

absl::CivilDay SameDayYearBefore(absl::CivilDay day) {
  return AddMonthsClamped(day, -12);
}

}  // namespace sgm
