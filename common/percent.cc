#include "common/percent.h"

namespace sgm {

int64_t RoundedTenths(int64_t part, int64_t whole) {
  if (whole < 0) {
    part = -part;
    whole = -whole;
  }
  const bool negative = part < 0;
  const int64_t magnitude = negative ? -part : part;
  // round(10 * magnitude / whole) = floor((20 * magnitude + whole) /
  // (2 * whole)).
  const int64_t tenths = (20 * magnitude + whole) / (2 * whole);
  return negative ? -tenths : tenths;
}

std::optional<double> Percent1dp(int64_t part, int64_t whole) {
  if (whole == 0) return std::nullopt;
  // 100 * part / whole in tenths = 1000 * part / whole.
  return RoundedTenths(100 * part, whole) / 10.0;
}

}  // namespace sgm
