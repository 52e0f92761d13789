// Timing helpers shared by the benchmarks under bench/: a steady clock in
// milliseconds and nearest-rank percentiles of latency samples.
#ifndef SGM_BENCH_BENCH_STATS_H_
#define SGM_BENCH_BENCH_STATS_H_

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace sgm::bench {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds from `from` to now.
inline double Ms(SteadyClock::time_point from) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - from)
      .count();
}

// The nearest-rank percentile of `sorted` (ascending): the value at rank
// ceil(p x n) (1-based), i.e. the smallest sample with at least p of the
// samples at or below it. p in (0, 1]; 0 for no samples. The rank is worked
// out in whole parts per million, so 0.99 x 100 is exactly rank 99.
inline double NearestRank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const uint64_t n = sorted.size();
  const uint64_t ppm = static_cast<uint64_t>(std::llround(p * 1e6));
  const uint64_t rank =
      std::clamp<uint64_t>((ppm * n + 999'999) / 1'000'000, 1, n);
  return sorted[rank - 1];
}

// NearestRank of the unsorted `samples`.
inline double Percentile(std::vector<double> samples, double p) {
  std::sort(samples.begin(), samples.end());
  return NearestRank(samples, p);
}

// The nearest-rank median (the lower middle value of an even count).
inline double Median(std::vector<double> samples) {
  return Percentile(std::move(samples), 0.5);
}

// A latency distribution in milliseconds.
struct LatencySummary {
  size_t count = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
  double mean = 0;
};

inline LatencySummary Summarize(std::vector<double> samples) {
  LatencySummary summary;
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  summary.count = samples.size();
  summary.p50 = NearestRank(samples, 0.50);
  summary.p90 = NearestRank(samples, 0.90);
  summary.p99 = NearestRank(samples, 0.99);
  summary.max = samples.back();
  double total = 0;
  for (double sample : samples) total += sample;
  summary.mean = total / static_cast<double>(samples.size());
  return summary;
}

}  // namespace sgm::bench

#endif  // SGM_BENCH_BENCH_STATS_H_
