// Where dip samples get their cases: the KPI service's SampleCases
// (DESIGN section 2: qa -> kpi). When it cannot answer, creating a sample
// fails with UNAVAILABLE and every other QA call goes on.
#ifndef SGM_SERVICES_QA_CASE_SAMPLE_SOURCE_H_
#define SGM_SERVICES_QA_CASE_SAMPLE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/qa/qa_records.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::qa {

// The caller the QA service names itself as in the identity headers of its
// calls to the KPI service.
inline constexpr char kQaCallerName[] = "sgm-qa";

struct DrawnCases {
  std::vector<DipSampleCase> cases;
  int64_t population = 0;  // cases matching the criterion
};

class CaseSampleSource {
 public:
  virtual ~CaseSampleSource() = default;
  // Draws up to `sample_size` cases matching `criterion` on `as_of` with
  // `seed`; UNAVAILABLE with the reason when the KPI service cannot answer
  // (INVALID_ARGUMENT from it is passed on).
  virtual absl::StatusOr<DrawnCases> Draw(const std::string& authority,
                                          DipSampleCriterion criterion,
                                          absl::CivilDay as_of, int sample_size,
                                          uint64_t seed) = 0;
};

// No KPI service configured: always UNAVAILABLE.
class NoCaseSampleSource : public CaseSampleSource {
 public:
  absl::StatusOr<DrawnCases> Draw(const std::string& authority,
                                  DipSampleCriterion criterion,
                                  absl::CivilDay as_of, int sample_size,
                                  uint64_t seed) override;
};

// sgm.kpi.v1.KpiService/SampleCases as the service-to-service caller
// kQaCallerName with role admin and the asking authority, within a
// deadline.
class KpiCaseSampleSource : public CaseSampleSource {
 public:
  struct Options {
    absl::Duration deadline = absl::Seconds(5);
  };

  KpiCaseSampleSource(
      std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub,
      Options options);

  absl::StatusOr<DrawnCases> Draw(const std::string& authority,
                                  DipSampleCriterion criterion,
                                  absl::CivilDay as_of, int sample_size,
                                  uint64_t seed) override;

 private:
  std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub_;
  Options options_;
};

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_CASE_SAMPLE_SOURCE_H_
