// Where the workforce figures get each worker's open cases: the KPI
// service's open allocations (DESIGN section 2: workforce -> kpi). The KPI
// service is optional for this service: when it cannot answer, the figures
// go on without caseloads.
#ifndef SGM_SERVICES_WORKFORCE_CASELOAD_SOURCE_H_
#define SGM_SERVICES_WORKFORCE_CASELOAD_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/workforce/workforce_figures.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::workforce {

// The caller the workforce service names itself as in the identity headers
// of its calls to the KPI service.
inline constexpr char kWorkforceCallerName[] = "sgm-workforce";

class CaseloadSource {
 public:
  virtual ~CaseloadSource() = default;
  // Every worker with an open allocation in `authority` on `as_of`;
  // UNAVAILABLE with the reason when they cannot be had.
  virtual absl::StatusOr<std::vector<AllocatedWorker>> OpenCaseloads(
      const std::string& authority, absl::CivilDay as_of) = 0;
};

// No KPI service configured: always UNAVAILABLE.
class NoCaseloadSource : public CaseloadSource {
 public:
  absl::StatusOr<std::vector<AllocatedWorker>> OpenCaseloads(
      const std::string& authority, absl::CivilDay as_of) override;
};

// sgm.kpi.v1.KpiService/ListCaseloads, every page, as the service-to-service
// caller kWorkforceCallerName with role admin and the asking authority.
class KpiCaseloadSource : public CaseloadSource {
 public:
  struct Options {
    absl::Duration deadline = absl::Seconds(5);  // of each call
    int page_size = 1000;                        // the KPI service's most
    // Guards against a service that never stops handing out pages.
    int max_pages = 1000;
  };

  explicit KpiCaseloadSource(
      std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub,
      Options options);

  absl::StatusOr<std::vector<AllocatedWorker>> OpenCaseloads(
      const std::string& authority, absl::CivilDay as_of) override;

 private:
  std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub_;
  Options options_;
};

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_CASELOAD_SOURCE_H_
