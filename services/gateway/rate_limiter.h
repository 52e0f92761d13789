// Per-caller rate limiting: a token bucket per caller name (the token
// table's caller), refilled at a sustained rate up to a burst. Pure: the
// clock is injected. Thread-safe.
//
// Memory: a bucket that has been idle long enough to be full again is the
// same as a new one, so such buckets are dropped, in one sweep at most once
// per full-refill time (burst / per_second). The map holds at most the
// callers seen within that time (and callers come from the token table).
#ifndef SGM_SERVICES_GATEWAY_RATE_LIMITER_H_
#define SGM_SERVICES_GATEWAY_RATE_LIMITER_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace sgm::gateway {

// The trailing metadata key of a refused call: the milliseconds until the
// caller's next call will be admitted (the HTTP side's Retry-After).
inline constexpr char kRetryAfterMetadataKey[] = "sgm-retry-after-ms";

class RateLimiter {
 public:
  // `per_second` > 0 calls a second sustained, `burst` >= 1 at once.
  // `clock` is not owned and must outlive the limiter.
  RateLimiter(double per_second, int burst, const Clock* clock);
  ~RateLimiter();

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // OK and one call taken from `caller`'s bucket, or RESOURCE_EXHAUSTED
  // "rate limit of N calls a second for <caller> exceeded; retry in X ms";
  // then, when `retry_after` is set, *retry_after is that wait.
  absl::Status Admit(absl::string_view caller,
                     absl::Duration* retry_after = nullptr);

  // Buckets held (for tests of the eviction).
  size_t bucket_count() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };

  // The bucket's tokens at `now` (refilled, capped at the burst).
  double TokensAt(const Bucket& bucket, absl::Time now) const;
  // Drops every bucket that is full at `now`.
  void Sweep(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double per_second_;
  const int burst_;
  const Clock* const clock_;
  // Time for an empty bucket to fill: the sweep interval.
  const absl::Duration full_refill_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_RATE_LIMITER_H_
