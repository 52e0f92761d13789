// The result of one indicator for one month (DESIGN section 3).
#ifndef SGM_SERVICES_KPI_INDICATOR_H_
#define SGM_SERVICES_KPI_INDICATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sgm::kpi {

// Which episode or referral a child was counted for, and whether in time.
struct CountedCase {
  std::string child_id;
  std::string ref_id;
  bool counted_in_numerator = false;
};

struct IndicatorMonth {
  int64_t numerator = 0;
  int64_t denominator = 0;
  // Every case in the denominator, so a manager can ask "which children
  // are out of time?".
  std::vector<CountedCase> cases;
};

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_INDICATOR_H_
