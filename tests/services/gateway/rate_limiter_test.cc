#include "services/gateway/rate_limiter.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gtest/gtest.h"

namespace sgm::gateway {
namespace {

absl::Time Start() { return absl::FromUnixSeconds(1700000000); }

TEST(RateLimiterTest, BurstThenRefused) {
  ManualClock clock(Start());
  RateLimiter limiter(/*per_second=*/1, /*burst=*/3, &clock);
  EXPECT_TRUE(limiter.Admit("alice").ok());
  EXPECT_TRUE(limiter.Admit("alice").ok());
  EXPECT_TRUE(limiter.Admit("alice").ok());
  absl::Duration retry;
  absl::Status refused = limiter.Admit("alice", &retry);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  // Empty bucket at 1 a second: the next token in exactly 1 s.
  EXPECT_EQ(refused.message(),
            "rate limit of 1 calls a second for alice exceeded; retry in "
            "1000 ms");
  EXPECT_EQ(retry, absl::Seconds(1));
}

TEST(RateLimiterTest, RefillsWithTime) {
  ManualClock clock(Start());
  RateLimiter limiter(/*per_second=*/2, /*burst=*/2, &clock);
  EXPECT_TRUE(limiter.Admit("a").ok());
  EXPECT_TRUE(limiter.Admit("a").ok());
  EXPECT_FALSE(limiter.Admit("a").ok());
  // 0.25 s at 2 a second: half a token, so 250 ms more are needed.
  clock.Advance(absl::Milliseconds(250));
  absl::Duration retry;
  absl::Status refused = limiter.Admit("a", &retry);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(retry, absl::Milliseconds(250));
  clock.Advance(absl::Milliseconds(250));
  EXPECT_TRUE(limiter.Admit("a").ok());
  EXPECT_FALSE(limiter.Admit("a").ok());
  // A long idle time refills only up to the burst.
  clock.Advance(absl::Hours(1));
  EXPECT_TRUE(limiter.Admit("a").ok());
  EXPECT_TRUE(limiter.Admit("a").ok());
  EXPECT_FALSE(limiter.Admit("a").ok());
}

TEST(RateLimiterTest, CallersAreIsolated) {
  ManualClock clock(Start());
  RateLimiter limiter(/*per_second=*/1, /*burst=*/1, &clock);
  EXPECT_TRUE(limiter.Admit("alice").ok());
  EXPECT_FALSE(limiter.Admit("alice").ok());
  EXPECT_TRUE(limiter.Admit("bob").ok());
  EXPECT_FALSE(limiter.Admit("bob").ok());
}

TEST(RateLimiterTest, FractionalRate) {
  ManualClock clock(Start());
  // One call every 4 seconds.
  RateLimiter limiter(/*per_second=*/0.25, /*burst=*/1, &clock);
  EXPECT_TRUE(limiter.Admit("a").ok());
  absl::Duration retry;
  absl::Status refused = limiter.Admit("a", &retry);
  EXPECT_EQ(refused.message(),
            "rate limit of 0.25 calls a second for a exceeded; retry in "
            "4000 ms");
  clock.Advance(absl::Seconds(3));
  EXPECT_FALSE(limiter.Admit("a", &retry).ok());
  EXPECT_EQ(retry, absl::Seconds(1));
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Admit("a").ok());
}

TEST(RateLimiterTest, RefusedCallsTakeNothing) {
  ManualClock clock(Start());
  RateLimiter limiter(/*per_second=*/1, /*burst=*/1, &clock);
  EXPECT_TRUE(limiter.Admit("a").ok());
  // Refused calls half-way do not push the next admission back.
  clock.Advance(absl::Milliseconds(500));
  EXPECT_FALSE(limiter.Admit("a").ok());
  EXPECT_FALSE(limiter.Admit("a").ok());
  clock.Advance(absl::Milliseconds(500));
  EXPECT_TRUE(limiter.Admit("a").ok());
}

TEST(RateLimiterTest, EvictsBucketsFullAgain) {
  ManualClock clock(Start());
  // Full refill takes 2 / 1 = 2 s.
  RateLimiter limiter(/*per_second=*/1, /*burst=*/2, &clock);
  EXPECT_TRUE(limiter.Admit("a").ok());
  EXPECT_TRUE(limiter.Admit("b").ok());
  EXPECT_TRUE(limiter.Admit("b").ok());
  EXPECT_EQ(limiter.bucket_count(), 2u);
  // After 1 s: a is full again (1 + 1), b is not (0 + 1); but no sweep
  // before the full-refill time has passed since the last one.
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Admit("c").ok());
  EXPECT_EQ(limiter.bucket_count(), 3u);
  // At 2 s: a (idle since 0) and b (empty at 0, full at 2) are full; c
  // (1 token at 1 s, 2 at 2 s) is full too: all swept, then d added.
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Admit("d").ok());
  EXPECT_EQ(limiter.bucket_count(), 1u);
  // An evicted caller starts again with a full burst.
  EXPECT_TRUE(limiter.Admit("b").ok());
  EXPECT_TRUE(limiter.Admit("b").ok());
  EXPECT_FALSE(limiter.Admit("b").ok());
}

}  // namespace
}  // namespace sgm::gateway
