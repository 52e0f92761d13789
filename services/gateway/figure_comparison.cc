#include "services/gateway/figure_comparison.h"

#include "absl/status/status.h"

namespace sgm::gateway {

// Placeholder until the gateway insight work lands.
FigureComparer::FigureComparer(ReportSources* sources) : sources_(sources) {}

std::vector<sgm::gateway::v1::FigureDefinition> FigureComparer::Catalogue() {
  return {};
}

absl::StatusOr<sgm::gateway::v1::FigureComparison> FigureComparer::Compare(
    const CallerIdentity& /*caller*/,
    const std::vector<std::string>& /*figure_ids*/, MonthSpan /*before*/,
    MonthSpan /*after*/, absl::Time /*deadline*/) const {
  (void)sources_;
  return absl::UnimplementedError("not yet");
}

}  // namespace sgm::gateway
