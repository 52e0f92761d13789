// The synthesizers' randomness: splitmix64 to seed, xoshiro256** to draw,
// and distributions built from + - * / and sqrt only, so that every platform
// draws the same numbers from the same seed.
#ifndef SGM_TOOLS_SYNTH_SYNTH_RNG_H_
#define SGM_TOOLS_SYNTH_SYNTH_RNG_H_

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sgm::synth {

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class SynthRng {
 public:
  explicit SynthRng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& s : s_) s = SplitMix64(&x);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // [lo, hi)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-40).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }
  // [lo, hi] inclusive.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Chance(double p) { return Uniform() < p; }

  // Standard normal, approximately (Irwin-Hall: 12 uniforms - 6).
  double Normal() {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += Uniform();
    return sum - 6;
  }

  // Poisson(lambda), approximately: binomial(64, lambda / 64) below 10,
  // a rounded normal above.
  int64_t Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda < 10) {
      const double p = lambda / 64;
      int64_t n = 0;
      for (int i = 0; i < 64; ++i) n += Chance(p) ? 1 : 0;
      return n;
    }
    const double x = lambda + std::sqrt(lambda) * Normal();
    return x <= 0 ? 0 : static_cast<int64_t>(x + 0.5);
  }

  // An index drawn with the given (non-negative, not all zero) weights.
  size_t Pick(absl::Span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double u = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (u < weights[i]) return i;
      u -= weights[i];
    }
    for (size_t i = weights.size(); i > 0; --i) {
      if (weights[i - 1] > 0) return i - 1;
    }
    return 0;
  }

  template <typename T>
  const T& PickFrom(absl::Span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_SYNTH_RNG_H_
