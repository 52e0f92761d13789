// The benchmarks' nearest-rank percentiles on hand-worked samples.
#include "bench/bench_stats.h"

#include <vector>

#include "gtest/gtest.h"

namespace sgm::bench {
namespace {

// 1, 2, ..., n in reverse order (Summarize must sort).
std::vector<double> Descending(int n) {
  std::vector<double> samples;
  for (int i = n; i >= 1; --i) samples.push_back(i);
  return samples;
}

TEST(BenchStatsTest, OneToAHundred) {
  // Rank ceil(p x 100): the p-th percent of 1..100 is p itself.
  const LatencySummary s = Summarize(Descending(100));
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.p50, 50);
  EXPECT_EQ(s.p90, 90);
  EXPECT_EQ(s.p99, 99);
  EXPECT_EQ(s.max, 100);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
}

TEST(BenchStatsTest, FewSamples) {
  // 10 samples: p99 has rank ceil(9.9) = 10, the largest; p90 rank 9.
  const LatencySummary ten = Summarize(Descending(10));
  EXPECT_EQ(ten.p50, 5);
  EXPECT_EQ(ten.p90, 9);
  EXPECT_EQ(ten.p99, 10);
  // Odd count: the middle one; even count: the lower middle one.
  EXPECT_EQ(Median({7, 1, 3}), 3);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2);
  // One sample is every percentile.
  const LatencySummary one = Summarize({2.5});
  EXPECT_EQ(one.p50, 2.5);
  EXPECT_EQ(one.p99, 2.5);
  EXPECT_EQ(one.max, 2.5);
}

TEST(BenchStatsTest, RanksAreClamped) {
  EXPECT_EQ(Percentile({3, 1, 2}, 1.0), 3);
  // A tiny p still takes the smallest sample, never index -1.
  EXPECT_EQ(Percentile({3, 1, 2}, 0.000001), 1);
  // 1,000 samples: p99 rank 990, p50 rank 500.
  EXPECT_EQ(Percentile(Descending(1000), 0.99), 990);
  EXPECT_EQ(Percentile(Descending(1000), 0.5), 500);
}

TEST(BenchStatsTest, NoSamples) {
  const LatencySummary s = Summarize({});
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99, 0);
  EXPECT_EQ(Percentile({}, 0.5), 0);
}

}  // namespace
}  // namespace sgm::bench
