// Dates and times as the feeds write them (DESIGN section 5).
#ifndef SGM_COMMON_CIVIL_DATE_H_
#define SGM_COMMON_CIVIL_DATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sgm {

// Strict "YYYY-MM-DD" (a real date, year 1900-2999). INVALID_ARGUMENT
// saying what is wrong ("not a date of the form YYYY-MM-DD", "no such day").
absl::StatusOr<absl::CivilDay> ParseIsoDate(absl::string_view text);
// ISO 8601 with an offset: "YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM)"
// ('T' or ' ' between date and time). An offset is required.
absl::StatusOr<absl::Time> ParseIsoTimestamp(absl::string_view text);
// "YYYY-MM-DD"
std::string FormatIsoDate(absl::CivilDay day);
// "YYYY-MM"
std::string FormatIsoMonth(absl::CivilMonth month);
// "YYYY-MM" (strict); INVALID_ARGUMENT otherwise.
absl::StatusOr<absl::CivilMonth> ParseIsoMonth(absl::string_view text);
// RFC 3339 in UTC, e.g. "2024-03-01T09:15:00Z".
std::string FormatTimestampUtc(absl::Time t);

// Europe/London, from the system's tzdata; NOT_FOUND when it is missing.
absl::StatusOr<absl::TimeZone> LoadLondonTimeZone();
// The authority's local date of `t`: Europe/London, or UTC when the zone
// data is missing (the zone is loaded once, on first use).
absl::CivilDay LondonDay(absl::Time t);

// The same day `months` calendar months later, clamped to that month's last
// day (31 Jan + 1 month = 28/29 Feb). DESIGN section 3 "+ k months".
absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months);
// The last day of `month`.
absl::CivilDay LastDayOf(absl::CivilMonth month);
// The same day a year earlier, 29 Feb -> 28 Feb.
absl::CivilDay SameDayYearBefore(absl::CivilDay day);

}  // namespace sgm

#endif  // SGM_COMMON_CIVIL_DATE_H_
