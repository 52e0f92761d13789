// The gateway's web assets, compiled in at build time: the dashboard page,
// its script and styles, the report's chart script and print styles (from
// services/gateway/web/) and Chart.js (from npm's node_modules, installed by
// dev.sh; never copied into the repository).
#ifndef SGM_SERVICES_GATEWAY_WEB_ASSETS_H_
#define SGM_SERVICES_GATEWAY_WEB_ASSETS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sgm::gateway {

struct WebAsset {
  absl::string_view name;          // "dashboard.js", "chart.umd.js"
  absl::string_view content_type;  // "text/javascript; charset=utf-8"
  absl::string_view body;
};

// Every asset, in the order they were embedded.
absl::Span<const WebAsset> AllWebAssets();

// The asset called `name`, or null.
const WebAsset* FindWebAsset(absl::string_view name);

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_WEB_ASSETS_H_
