// Working days: Monday to Friday, not an England and Wales bank holiday.
#ifndef SGM_COMMON_WORKING_DAY_CALENDAR_H_
#define SGM_COMMON_WORKING_DAY_CALENDAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sgm {

// The bank holidays shipped in data/bank-holidays-england-wales.txt
// (2015-2030), compiled into the binary.
extern const absl::string_view kBankHolidaysEnglandWales;

class WorkingDayCalendar {
 public:
  // The shipped England and Wales list.
  static absl::StatusOr<WorkingDayCalendar> EnglandAndWales();
  // A list in the data-file format: one "YYYY-MM-DD name" a line; blank
  // lines and lines starting with '#' are ignored. Errors name the line.
  static absl::StatusOr<WorkingDayCalendar> FromText(absl::string_view text);
  // The shipped list changed by an override file: "+YYYY-MM-DD name" adds a
  // holiday, "-YYYY-MM-DD" removes one; errors name the file and line.
  static absl::StatusOr<WorkingDayCalendar> EnglandAndWalesWithOverrideFile(
      const std::string& path);

  bool IsBankHoliday(absl::CivilDay day) const;
  // A number that changes when the list of holidays does (for cache keys of
  // figures that depend on working days).
  uint64_t Fingerprint() const;
  bool IsWorkingDay(absl::CivilDay day) const;
  // The day `n` working days after `day` (`day` itself not counted); n >= 0.
  // AddWorkingDays(Fri, 1) is the next Monday when that is a working day.
  absl::CivilDay AddWorkingDays(absl::CivilDay day, int n) const;
  // "Within n working days of start": event <= AddWorkingDays(start, n).
  bool WithinWorkingDays(absl::CivilDay start, absl::CivilDay event,
                         int n) const;
  // Working days in (from, to]; 0 when to <= from.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

 private:
  explicit WorkingDayCalendar(absl::flat_hash_set<absl::CivilDay> holidays);
  // The Monday-Friday holidays in (from, to]: the working days that
  // holidays take away from that range.
  int64_t WeekdayHolidaysIn(absl::CivilDay from, absl::CivilDay to) const;
  absl::flat_hash_set<absl::CivilDay> holidays_;
  // The Monday-Friday holidays, sorted, so that counting working days in a
  // range is arithmetic plus a binary search rather than a walk day by day.
  std::vector<absl::CivilDay> weekday_holidays_;
};

}  // namespace sgm

#endif  // SGM_COMMON_WORKING_DAY_CALENDAR_H_
