// Pure: the eight indicators of DESIGN section 3 over one authority's
// timelines, by id, for a month and for a run of months, with the
// authority's settings. No clock, no I/O.
#ifndef SGM_SERVICES_KPI_INDICATOR_SET_H_
#define SGM_SERVICES_KPI_INDICATOR_SET_H_

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "services/kpi/indicator.h"
#include "services/kpi/indicator_summary.h"
#include "services/kpi/kpi_reference.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {

// Indicator `id` for month M; none when `id` is not one of the eight.
std::optional<IndicatorMonth> ComputeIndicatorMonth(
    absl::string_view id, const CaseTimelines& timelines, absl::CivilMonth m,
    const WorkingDayCalendar& calendar, const AuthorityReference& reference);

// The summaries of all eight for M (in table order): each from its months
// M-5..M, with the authority's target and comparators.
std::vector<IndicatorSummary> SummariseIndicators(
    const CaseTimelines& timelines, absl::CivilMonth m,
    const WorkingDayCalendar& calendar, const AuthorityReference& reference);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_INDICATOR_SET_H_
