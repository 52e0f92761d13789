// Pure: a set of children's open work over a span of dates (assessments,
// S47 enquiries, CIN and CP plans, CLA and Early Help episodes), for
// matching contacts to open cases (intake's duplicate input; docs/insight.md).
// No clock, no I/O.
#ifndef SGM_SERVICES_KPI_OPEN_WORK_H_
#define SGM_SERVICES_KPI_OPEN_WORK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {

// In the order of sgm.kpi.v1.OpenWorkKind.
enum class OpenWorkKind {
  kAssessment,
  kS47,
  kCinPlan,
  kCpPlan,
  kClaEpisode,
  kEarlyHelp,
};

// One piece of a child's work.
struct OpenWorkItem {
  OpenWorkKind kind = OpenWorkKind::kAssessment;
  std::string ref_id;
  absl::CivilDay since;
  std::optional<absl::CivilDay> until;  // none while open
};

struct ChildOpenWorkItems {
  std::string child_id;
  // By since, then kind, then ref_id.
  std::vector<OpenWorkItem> work;
};

// The work of `child_ids` open on any day from `from` to `to` (both
// included): since <= to and not (until && until <= from), i.e. open (as
// Episode::OpenAt) on at least one day of the span. Assessments and S47s
// come from the referral timelines (those without a start are left out;
// until = their end); plans and episodes from their lists. Only the
// children with any such work, in child_id order; ids not in the
// timelines give nothing.
std::vector<ChildOpenWorkItems> OpenWorkOf(
    const CaseTimelines& timelines, absl::Span<const std::string> child_ids,
    absl::CivilDay from, absl::CivilDay to);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_OPEN_WORK_H_
