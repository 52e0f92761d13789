// The front-door figures (DESIGN section 3) for people and for programs:
// a text table and JSON.
#ifndef SGM_TOOLS_SGM_FIGURES_TABLE_H_
#define SGM_TOOLS_SGM_FIGURES_TABLE_H_

#include <string>

#include "absl/status/statusor.h"
#include "sgm/intake/v1/intake.pb.h"

namespace sgm::cli {

// A readable table: this month against the same month a year before, the
// decision figures, contacts per week this year against last, the 13-month
// trend, and the largest primary-need and source groups with their labels.
// Ends with a newline.
std::string RenderFiguresTable(
    const sgm::intake::v1::FrontDoorFigures& figures);

// JSON with the proto field names and every primitive field printed, e.g.
// {"month": {"year": 2023, "month": 3}, ...}. Ends with a newline.
absl::StatusOr<std::string> RenderFiguresJson(
    const sgm::intake::v1::FrontDoorFigures& figures);

// "+11.0%", "-3.2%", "0.0%"
std::string SignedPercent(double percent);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_FIGURES_TABLE_H_
