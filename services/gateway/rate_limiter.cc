#include "services/gateway/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace sgm::gateway {

RateLimiter::RateLimiter(double per_second, int burst, const Clock* clock)
    : per_second_(per_second),
      burst_(burst),
      clock_(clock),
      full_refill_(absl::Seconds(burst / per_second)),
      last_sweep_(clock->Now()) {}

RateLimiter::~RateLimiter() = default;

double RateLimiter::TokensAt(const Bucket& bucket, absl::Time now) const {
  double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  return std::min(static_cast<double>(burst_),
                  bucket.tokens + elapsed * per_second_);
}

void RateLimiter::Sweep(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    // erase(it++): flat_hash_map::erase returns void.
    if (TokensAt(it->second, now) >= burst_) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
  last_sweep_ = now;
}

absl::Status RateLimiter::Admit(absl::string_view caller,
                                absl::Duration* retry_after) {
  absl::MutexLock lock(&mu_);
  // Read under the lock: a time read before it could be older than a
  // bucket's update by another thread, and refill that bucket twice.
  const absl::Time now = clock_->Now();
  if (now - last_sweep_ >= full_refill_) Sweep(now);
  auto [it, inserted] = buckets_.try_emplace(caller);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = burst_;
  } else {
    bucket.tokens = TokensAt(bucket, now);
  }
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  // The time until one whole token, rounded up to the millisecond.
  const int64_t wait_ms = std::max<int64_t>(
      1, static_cast<int64_t>(
             std::ceil((1 - bucket.tokens) / per_second_ * 1000 - 1e-9)));
  if (retry_after != nullptr) *retry_after = absl::Milliseconds(wait_ms);
  return absl::ResourceExhaustedError(
      absl::StrCat("rate limit of ", per_second_, " calls a second for ",
                   caller, " exceeded; retry in ", wait_ms, " ms"));
}

size_t RateLimiter::bucket_count() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace sgm::gateway
