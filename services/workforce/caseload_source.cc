#include "services/workforce/caseload_source.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "common/proto_convert.h"

namespace sgm::workforce {

namespace kpi = ::sgm::kpi::v1;

absl::StatusOr<std::vector<AllocatedWorker>> NoCaseloadSource::OpenCaseloads(
    const std::string&, absl::CivilDay) {
  return absl::UnavailableError(
      "no KPI service is configured (--kpi_address is empty)");
}

KpiCaseloadSource::KpiCaseloadSource(
    std::unique_ptr<kpi::KpiService::StubInterface> stub, Options options)
    : stub_(std::move(stub)), options_(options) {}

absl::StatusOr<std::vector<AllocatedWorker>> KpiCaseloadSource::OpenCaseloads(
    const std::string& authority, absl::CivilDay as_of) {
  CallerIdentity identity;
  identity.caller = kWorkforceCallerName;
  identity.role = Role::kAdmin;
  identity.authority = authority;
  kpi::ListCaseloadsRequest request;
  *request.mutable_as_of() = ToProtoDate(as_of);
  request.set_page_size(options_.page_size);
  std::vector<AllocatedWorker> out;
  for (int page = 0; page < options_.max_pages; ++page) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
    AttachIdentity(identity, &context);
    kpi::ListCaseloadsResponse response;
    const grpc::Status status =
        stub_->ListCaseloads(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "the KPI service did not answer ListCaseloads: ",
          absl::StatusCodeToString(
              static_cast<absl::StatusCode>(status.error_code())),
          status.error_message().empty() ? "" : ": ", status.error_message()));
    }
    for (const kpi::WorkerCaseload& w : response.caseloads()) {
      AllocatedWorker& worker = out.emplace_back();
      worker.worker_id = w.worker_id();
      worker.team = w.team();
      worker.open_cases = w.open_cases();
    }
    if (response.next_page_token().empty()) return out;
    request.set_page_token(response.next_page_token());
  }
  return absl::UnavailableError(
      absl::StrCat("the KPI service's ListCaseloads did not end within ",
                   options_.max_pages, " pages"));
}

}  // namespace sgm::workforce
