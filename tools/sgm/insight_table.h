// Practice insight for people (docs/insight.md): referral quality, duplicate
// input, the abuse-category funnel, visit quality, service-level flows, the
// comparable figures and a before/after comparison, as text tables. A
// figure the service could not compute (no denominator) shows an en dash.
// Each ends with a newline.
#ifndef SGM_TOOLS_SGM_INSIGHT_TABLE_H_
#define SGM_TOOLS_SGM_INSIGHT_TABLE_H_

#include <string>

#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/intake/v1/intake.pb.h"
#include "sgm/kpi/v1/kpi.pb.h"

namespace sgm::cli {

// Per agency (all agencies first) over the range: contacts, mean score,
// below the threshold; the months of all agencies; the most common gaps.
std::string RenderReferralQualityTable(
    const sgm::intake::v1::GetReferralQualityResponse& quality);

// Month by month and the total: contacts with a child, duplicates, share;
// then by kind of open work, by concern and by source (those with
// contacts).
std::string RenderDuplicateInputTable(
    const sgm::intake::v1::GetDuplicateInputResponse& duplicates);

// One row per stage with the counts by category, then the conversions from
// the previous stage, then the plans whose category changed.
std::string RenderAbuseFunnelTable(
    const sgm::gateway::v1::AbuseCategoryFunnel& funnel);

// Per kind over the range (face to face and seen alone of those recorded),
// then per month and kind.
std::string RenderVisitQualityTable(
    const sgm::kpi::v1::GetVisitQualityResponse& visits);

// Per month: step downs, step ups, entries, exits, closures, and the open
// cases at the month end with the shares by level.
std::string RenderServiceFlowsTable(
    const sgm::kpi::v1::GetServiceFlowsResponse& flows);

// One row per figure: id, unit, which way is better, backend, title.
std::string RenderFigureCatalogue(
    const sgm::gateway::v1::ListComparableFiguresResponse& catalogue);

// The two periods, then one row per figure: before, after, the change and
// the relative change (signed), the verdict; then the notes.
std::string RenderFigureComparisonTable(
    const sgm::gateway::v1::FigureComparison& comparison);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_INSIGHT_TABLE_H_
