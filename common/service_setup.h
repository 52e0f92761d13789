// Start-up steps every service binary shares: the cache and the working-day
// calendar from their settings. Errors name the setting.
#ifndef SGM_COMMON_SERVICE_SETUP_H_
#define SGM_COMMON_SERVICE_SETUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/working_day_calendar.h"

namespace sgm {

// A RedisCache for "host:port" (setting `redis`), or a NoCache when
// `address` is empty. `clock` must outlive the cache.
absl::StatusOr<std::unique_ptr<AggregateCache>> CacheFromSettings(
    const std::string& address, const std::string& password, absl::Duration ttl,
    const Clock* clock);

// The England and Wales calendar, with the changes of `override_file`
// (setting `bank_holidays_override`) when it is not empty.
absl::StatusOr<WorkingDayCalendar> CalendarFromSettings(
    const std::string& override_file);

}  // namespace sgm

#endif  // SGM_COMMON_SERVICE_SETUP_H_
