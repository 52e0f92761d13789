#include "services/gateway/web_assets.h"

namespace sgm::gateway {

const WebAsset* FindWebAsset(absl::string_view name) {
  for (const WebAsset& asset : AllWebAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace sgm::gateway
