#include "common/service_setup.h"

#include "common/config.h"
#include "common/redis_cache.h"

namespace sgm {

absl::StatusOr<std::unique_ptr<AggregateCache>> CacheFromSettings(
    const std::string& address, const std::string& password, absl::Duration ttl,
    const Clock* clock) {
  if (address.empty()) return std::make_unique<NoCache>();
  RedisCache::Options options;
  if (absl::Status s =
          ParseHostPort("redis", address, &options.host, &options.port);
      !s.ok()) {
    return s;
  }
  if (options.port == 0) return InvalidSetting("redis", "must be host:port");
  options.password = password;
  options.ttl = ttl;
  return std::make_unique<RedisCache>(options, clock);
}

absl::StatusOr<WorkingDayCalendar> CalendarFromSettings(
    const std::string& override_file) {
  absl::StatusOr<WorkingDayCalendar> calendar =
      override_file.empty()
          ? WorkingDayCalendar::EnglandAndWales()
          : WorkingDayCalendar::EnglandAndWalesWithOverrideFile(override_file);
  if (!calendar.ok()) {
    return InvalidSetting("bank_holidays_override",
                          calendar.status().message());
  }
  return calendar;
}

}  // namespace sgm
