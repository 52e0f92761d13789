#include "services/gateway/abuse_funnel.h"

namespace sgm::gateway {

// Placeholder until the gateway insight work lands.
sgm::gateway::v1::AbuseCategoryFunnel ComposeAbuseFunnel(
    absl::CivilMonth /*from*/, absl::CivilMonth /*to*/,
    const sgm::intake::v1::GetContactCategoriesResponse& /*contacts*/,
    const sgm::kpi::v1::GetCategoryFunnelResponse& /*later_stages*/) {
  return {};
}

}  // namespace sgm::gateway
