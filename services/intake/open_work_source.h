// Where duplicate input gets each child's open work: the KPI service's
// ListOpenWork (DESIGN section 2: intake -> kpi). When it cannot answer,
// the duplicate-input calls fail with UNAVAILABLE and every other intake
// call goes on.
#ifndef SGM_SERVICES_INTAKE_OPEN_WORK_SOURCE_H_
#define SGM_SERVICES_INTAKE_OPEN_WORK_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/intake/duplicate_input.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::intake {

struct FetchedOpenWork {
  // The children with work open on any day of the span (others absent).
  ChildrenOpenWork children;
  // The KPI generation the answer was read at; 0 when unknown (e.g. the
  // batches were read at different generations): not to be cached.
  int64_t generation = 0;
};

class OpenWorkSource {
 public:
  virtual ~OpenWorkSource() = default;
  // The work of `child_ids` (distinct, non-empty) open on any day from
  // `from` to `to` (both included). UNAVAILABLE with the reason when the
  // KPI service cannot answer.
  virtual absl::StatusOr<FetchedOpenWork> Fetch(
      const std::string& authority, const std::vector<std::string>& child_ids,
      absl::CivilDay from, absl::CivilDay to) = 0;
};

// No KPI service configured: always UNAVAILABLE.
class NoOpenWorkSource : public OpenWorkSource {
 public:
  absl::StatusOr<FetchedOpenWork> Fetch(
      const std::string& authority, const std::vector<std::string>& child_ids,
      absl::CivilDay from, absl::CivilDay to) override;
};

// sgm.kpi.v1.KpiService/ListOpenWork in batches of kBatch children, as the
// service-to-service caller kIntakeCallerName ("sgm-intake") with role
// admin and the asking authority, each call within the deadline.
class KpiOpenWorkSource : public OpenWorkSource {
 public:
  // Children a ListOpenWork call (the KPI service takes at most 1,000).
  static constexpr size_t kBatch = 1000;

  struct Options {
    absl::Duration deadline = absl::Seconds(10);
  };

  KpiOpenWorkSource(
      std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub,
      Options options);

  absl::StatusOr<FetchedOpenWork> Fetch(
      const std::string& authority, const std::vector<std::string>& child_ids,
      absl::CivilDay from, absl::CivilDay to) override;

 private:
  std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub_;
  Options options_;
};

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_OPEN_WORK_SOURCE_H_
