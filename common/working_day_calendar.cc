#include "common/working_day_calendar.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sgm {
namespace {

// Working-day arithmetic without walking day by day: WeekdayIndex numbers the
// days Monday to Friday consecutively (Saturday and Sunday share the index of
// the Friday before), so WeekdayIndex(b) - WeekdayIndex(a) is the number of
// weekdays in (a, b].
constexpr absl::CivilDay kAnchorMonday(1970, 1, 5);

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t WeekdayIndex(absl::CivilDay day) {
  const int64_t offset = day - kAnchorMonday;
  const int64_t weeks = FloorDiv(offset, 7);
  const int64_t in_week = offset - 7 * weeks;  // 0 = Monday .. 6 = Sunday
  return 5 * weeks + std::min<int64_t>(in_week + 1, 5);
}

// The Monday-Friday day whose WeekdayIndex is `index`.
absl::CivilDay WeekdayAt(int64_t index) {
  const int64_t weeks = FloorDiv(index - 1, 5);
  const int64_t in_week = (index - 1) - 5 * weeks;  // 0 = Monday .. 4 = Friday
  return kAnchorMonday + (7 * weeks + in_week);
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

bool AllDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

int ToInt(absl::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// A line quoted in an error message, cut short when long.
std::string Quote(absl::string_view line) {
  constexpr size_t kMax = 80;
  if (line.size() <= kMax) return absl::StrCat("'", line, "'");
  return absl::StrCat("'", line.substr(0, kMax), "...'");
}

// Strict "YYYY-MM-DD" naming a real day; the message says what is wrong.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !AllDigits(text.substr(0, 4)) || !AllDigits(text.substr(5, 2)) ||
      !AllDigits(text.substr(8, 2))) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quote(text), " is not a date of the form YYYY-MM-DD"));
  }
  const int year = ToInt(text.substr(0, 4));
  const int month = ToInt(text.substr(5, 2));
  const int day = ToInt(text.substr(8, 2));
  const absl::CivilDay civil(year, month, day);
  if (civil.year() != year || civil.month() != month || civil.day() != day) {
    return absl::InvalidArgumentError(
        absl::StrCat(Quote(text), " is not a real day"));
  }
  return civil;
}

// One meaningful line: its 1-based number and text without surrounding
// whitespace. Blank lines and '#' comments are left out.
struct Line {
  int number;
  absl::string_view text;
};

std::vector<Line> MeaningfulLines(absl::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);  // also a CRLF file's '\r'
    if (line.empty() || line.front() == '#') continue;
    lines.push_back({number, line});
  }
  return lines;
}

// "YYYY-MM-DD name" (name required when `name_required`): the date, or why
// the line is wrong.
absl::StatusOr<absl::CivilDay> ParseEntry(absl::string_view entry,
                                          bool name_required,
                                          absl::string_view expected_form) {
  const size_t space = entry.find_first_of(" \t");
  const absl::string_view date_text = entry.substr(0, space);
  const absl::string_view name =
      space == absl::string_view::npos
          ? absl::string_view()
          : absl::StripAsciiWhitespace(entry.substr(space));
  absl::StatusOr<absl::CivilDay> day = ParseDate(date_text);
  if (!day.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(day.status().message(), "; expected ", expected_form));
  }
  if (name_required && name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no holiday name after the date; expected ", expected_form));
  }
  return day;
}

// "<where>:<line>: message", or "line <line>: message" when `where` is empty.
absl::Status LineError(absl::string_view where, int line,
                       absl::string_view message) {
  if (where.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": ", message));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(where, ":", line, ": ", message));
}

// Parses the data-file format; errors name `where` and the line.
absl::StatusOr<absl::flat_hash_set<absl::CivilDay>> ParseHolidayList(
    absl::string_view text, absl::string_view where) {
  absl::flat_hash_set<absl::CivilDay> holidays;
  absl::flat_hash_map<absl::CivilDay, int> first_line;
  for (const Line& line : MeaningfulLines(text)) {
    absl::StatusOr<absl::CivilDay> day =
        ParseEntry(line.text, /*name_required=*/true, "'YYYY-MM-DD name'");
    if (!day.ok()) return LineError(where, line.number, day.status().message());
    const auto [it, inserted] = first_line.emplace(*day, line.number);
    if (!inserted) {
      return LineError(where, line.number,
                       absl::StrCat(line.text.substr(0, 10),
                                    " is already listed on line ", it->second));
    }
    holidays.insert(*day);
  }
  return holidays;
}

constexpr absl::string_view kShippedListName =
    "data/bank-holidays-england-wales.txt (compiled in)";

}  // namespace

WorkingDayCalendar::WorkingDayCalendar(
    absl::flat_hash_set<absl::CivilDay> holidays)
    : holidays_(std::move(holidays)) {
  for (const absl::CivilDay day : holidays_) {
    if (!IsWeekend(day)) weekday_holidays_.push_back(day);
  }
  std::sort(weekday_holidays_.begin(), weekday_holidays_.end());
}

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::EnglandAndWales() {
  absl::StatusOr<absl::flat_hash_set<absl::CivilDay>> holidays =
      ParseHolidayList(kBankHolidaysEnglandWales, kShippedListName);
  if (!holidays.ok()) return holidays.status();
  return WorkingDayCalendar(*std::move(holidays));
}

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::FromText(
    absl::string_view text) {
  absl::StatusOr<absl::flat_hash_set<absl::CivilDay>> holidays =
      ParseHolidayList(text, "");
  if (!holidays.ok()) return holidays.status();
  return WorkingDayCalendar(*std::move(holidays));
}

absl::StatusOr<WorkingDayCalendar>
WorkingDayCalendar::EnglandAndWalesWithOverrideFile(const std::string& path) {
  absl::StatusOr<absl::flat_hash_set<absl::CivilDay>> holidays =
      ParseHolidayList(kBankHolidaysEnglandWales, kShippedListName);
  if (!holidays.ok()) return holidays.status();

  std::ifstream file(path, std::ios::in | std::ios::binary);
  if (!file) {
    const int error = errno;
    return absl::NotFoundError(
        absl::StrCat("cannot read bank holiday override file ", path, ": ",
                     error != 0 ? std::strerror(error) : "open failed"));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return absl::UnavailableError(
        absl::StrCat("error reading bank holiday override file ", path));
  }

  constexpr absl::string_view kForm = "'+YYYY-MM-DD name' or '-YYYY-MM-DD'";
  const std::string text = std::move(contents).str();
  for (const Line& line : MeaningfulLines(text)) {
    const char op = line.text.front();
    if (op != '+' && op != '-') {
      return LineError(path, line.number,
                       absl::StrCat(Quote(line.text),
                                    " does not start with '+' "
                                    "or '-'; expected ",
                                    kForm));
    }
    absl::StatusOr<absl::CivilDay> day =
        ParseEntry(line.text.substr(1), /*name_required=*/op == '+', kForm);
    if (!day.ok()) return LineError(path, line.number, day.status().message());
    if (op == '+') {
      holidays->insert(*day);  // already a holiday: nothing to change
    } else if (holidays->erase(*day) == 0) {
      return LineError(path, line.number,
                       absl::StrCat("cannot remove ", line.text.substr(1, 10),
                                    ": it is not a bank holiday"));
    }
  }
  return WorkingDayCalendar(*std::move(holidays));
}

uint64_t WorkingDayCalendar::Fingerprint() const {
  std::vector<absl::CivilDay> days(holidays_.begin(), holidays_.end());
  std::sort(days.begin(), days.end());
  uint64_t h = 14695981039346656037ull;  // FNV-1a over the day numbers
  for (const absl::CivilDay day : days) {
    int64_t n = day - absl::CivilDay(1970, 1, 1);
    for (int i = 0; i < 8; ++i, n >>= 8) {
      h ^= static_cast<uint64_t>(n & 0xff);
      h *= 1099511628211ull;
    }
  }
  return h;
}

bool WorkingDayCalendar::IsBankHoliday(absl::CivilDay day) const {
  return holidays_.contains(day);
}

bool WorkingDayCalendar::IsWorkingDay(absl::CivilDay day) const {
  return !IsWeekend(day) && !holidays_.contains(day);
}

int64_t WorkingDayCalendar::WeekdayHolidaysIn(absl::CivilDay from,
                                              absl::CivilDay to) const {
  if (to <= from) return 0;
  const auto first = std::upper_bound(weekday_holidays_.begin(),
                                      weekday_holidays_.end(), from);
  const auto last = std::upper_bound(first, weekday_holidays_.end(), to);
  return last - first;
}

absl::CivilDay WorkingDayCalendar::AddWorkingDays(absl::CivilDay day,
                                                  int n) const {
  if (n < 0) {
    // Not part of the contract; the natural reading is "n working days
    // before", found by walking back.
    for (; n < 0; ++n) {
      do {
        --day;
      } while (!IsWorkingDay(day));
    }
    return day;
  }
  if (n == 0) return day;
  // The n-th weekday after `day`; then, for every holiday among the weekdays
  // covered so far, one more weekday, until an extension covers no holiday.
  absl::CivilDay covered = day;
  int64_t to_add = n;
  while (to_add > 0) {
    const absl::CivilDay end = WeekdayAt(WeekdayIndex(covered) + to_add);
    to_add = WeekdayHolidaysIn(covered, end);
    covered = end;
  }
  return covered;
}

bool WorkingDayCalendar::WithinWorkingDays(absl::CivilDay start,
                                           absl::CivilDay event, int n) const {
  return event <= AddWorkingDays(start, n);
}

int WorkingDayCalendar::WorkingDaysBetween(absl::CivilDay from,
                                           absl::CivilDay to) const {
  if (to <= from) return 0;
  return static_cast<int>(WeekdayIndex(to) - WeekdayIndex(from) -
                          WeekdayHolidaysIn(from, to));
}

}  // namespace sgm
