#include "services/qa/case_sample_source.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "common/proto_convert.h"

namespace sgm::qa {

namespace kpi = ::sgm::kpi::v1;

absl::StatusOr<DrawnCases> NoCaseSampleSource::Draw(const std::string&,
                                                    DipSampleCriterion,
                                                    absl::CivilDay, int,
                                                    uint64_t) {
  return absl::UnavailableError(
      "no KPI service is configured (--kpi_address is empty)");
}

KpiCaseSampleSource::KpiCaseSampleSource(
    std::unique_ptr<kpi::KpiService::StubInterface> stub, Options options)
    : stub_(std::move(stub)), options_(options) {}

absl::StatusOr<DrawnCases> KpiCaseSampleSource::Draw(
    const std::string& authority, DipSampleCriterion criterion,
    absl::CivilDay as_of, int sample_size, uint64_t seed) {
  CallerIdentity identity;
  identity.caller = kQaCallerName;
  identity.role = Role::kAdmin;
  identity.authority = authority;
  kpi::SampleCasesRequest request;
  // DipSampleCriterion has kpi.proto's SampleCriterion numbers.
  request.set_criterion(
      static_cast<kpi::SampleCriterion>(static_cast<int>(criterion)));
  *request.mutable_as_of() = ToProtoDate(as_of);
  request.set_sample_size(sample_size);
  request.set_seed(seed);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  AttachIdentity(identity, &context);
  kpi::SampleCasesResponse response;
  const grpc::Status status = stub_->SampleCases(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the KPI service refused the sample: ", status.error_message()));
  }
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the KPI service did not answer SampleCases: ",
        absl::StatusCodeToString(
            static_cast<absl::StatusCode>(status.error_code())),
        status.error_message().empty() ? "" : ": ", status.error_message()));
  }
  DrawnCases drawn;
  drawn.population = response.population();
  drawn.cases.reserve(response.cases_size());
  for (const kpi::SampledCase& c : response.cases()) {
    DipSampleCase& out = drawn.cases.emplace_back();
    out.child_id = c.child_id();
    out.ref_id = c.ref_id();
    out.worker_id = c.worker_id();
    out.team = c.team();
  }
  return drawn;
}

}  // namespace sgm::qa
