// Percentages as the reports print them: to 1 dp, half away from zero,
// computed on integers so that 56.65 never becomes 56.6 by binary rounding.
#ifndef SGM_COMMON_PERCENT_H_
#define SGM_COMMON_PERCENT_H_

#include <cstdint>
#include <optional>

namespace sgm {

// part / whole in tenths, rounded half away from zero; whole != 0.
int64_t RoundedTenths(int64_t part, int64_t whole);

// 100 * part / whole rounded half away from zero to 1 dp; none when
// whole == 0. Example: Percent1dp(2499 - 1595, 1595) == 56.7.
std::optional<double> Percent1dp(int64_t part, int64_t whole);

}  // namespace sgm

#endif  // SGM_COMMON_PERCENT_H_
