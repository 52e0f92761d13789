// Before/after comparisons (docs/insight.md): a catalogue of the figures the
// suite computes, each with a rule for a period of whole months, and the
// comparison of any of them over two periods with the absolute and
// relative change. The values come from the backends through ReportSources
// (practice_report.h), so a comparison sees exactly what the report sees.
#ifndef SGM_SERVICES_GATEWAY_FIGURE_COMPARISON_H_
#define SGM_SERVICES_GATEWAY_FIGURE_COMPARISON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "services/gateway/practice_report.h"
#include "sgm/gateway/v1/gateway.pb.h"

namespace sgm::gateway {

// Whole months `from` to `to`, both included.
struct MonthSpan {
  absl::CivilMonth from;
  absl::CivilMonth to;
};

class FigureComparer {
 public:
  // `sources` is not owned and must outlive the comparer.
  explicit FigureComparer(ReportSources* sources);

  // Every figure, in catalogue order.
  static std::vector<sgm::gateway::v1::FigureDefinition> Catalogue();

  // `figure_ids` (empty: the whole catalogue) over `before` and `after`.
  // INVALID_ARGUMENT naming the field for an unknown id, a period whose
  // `from` is after its `to`, or one longer than 60 months. A backend that
  // fails or is not deployed leaves its figures' values absent with a
  // note; the call itself still succeeds. Every backend call ends by
  // `deadline`.
  absl::StatusOr<sgm::gateway::v1::FigureComparison> Compare(
      const CallerIdentity& caller, const std::vector<std::string>& figure_ids,
      MonthSpan before, MonthSpan after, absl::Time deadline) const;

 private:
  ReportSources* const sources_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_FIGURE_COMPARISON_H_
