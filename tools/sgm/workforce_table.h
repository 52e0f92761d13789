// The workforce service's figures for people: the source reports' staffing
// table by service area (maternity / agency / long-term absence FTE),
// vacancy, turnover, absence, caseloads and costs, as text.
#ifndef SGM_TOOLS_SGM_WORKFORCE_TABLE_H_
#define SGM_TOOLS_SGM_WORKFORCE_TABLE_H_

#include <string>

#include "sgm/workforce/v1/workforce.pb.h"

namespace sgm::cli {

// The staffing table (one row per service area, then the total), the
// 12-month rates, the caseload groups with their bands (or why caseloads
// are unavailable), and the costs of the financial year with the agency
// premium. Figures a service could not compute show an en dash. Ends with a
// newline.
std::string RenderWorkforceTable(
    const sgm::workforce::v1::WorkforceFigures& figures);

// "£5,400,000" (whole pounds, rounded half away from zero; negative with a
// minus sign before the pound sign).
std::string PoundsText(int64_t pence);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_WORKFORCE_TABLE_H_
