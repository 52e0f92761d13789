#include "services/intake/open_work_source.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "common/proto_convert.h"
#include "services/intake/referral_dispatcher.h"

namespace sgm::intake {
namespace {

namespace kpi = ::sgm::kpi::v1;

absl::Status BadAnswer(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(
      "the KPI service's ListOpenWork answer is unusable: ", what));
}

absl::StatusOr<OpenWork> FromProto(const kpi::OpenWork& in) {
  if (in.kind() < kpi::OPEN_WORK_KIND_ASSESSMENT ||
      in.kind() > kpi::OPEN_WORK_KIND_EARLY_HELP) {
    return BadAnswer("a piece of work of unknown kind");
  }
  OpenWork out;
  out.kind = static_cast<OpenWorkKind>(static_cast<int>(in.kind()));
  out.ref_id = in.ref_id();
  absl::StatusOr<absl::CivilDay> since = FromProtoDate(in.since(), "since");
  if (!in.has_since() || !since.ok()) return BadAnswer("work.since");
  out.since = *since;
  if (in.has_until() && !IsEmptyDate(in.until())) {
    absl::StatusOr<absl::CivilDay> until = FromProtoDate(in.until(), "until");
    if (!until.ok()) return BadAnswer("work.until");
    out.until = *until;
  }
  return out;
}

}  // namespace

absl::StatusOr<FetchedOpenWork> NoOpenWorkSource::Fetch(
    const std::string&, const std::vector<std::string>&, absl::CivilDay,
    absl::CivilDay) {
  return absl::UnavailableError(
      "no KPI service is configured (--kpi_address is empty), so open work "
      "cannot be matched");
}

KpiOpenWorkSource::KpiOpenWorkSource(
    std::unique_ptr<kpi::KpiService::StubInterface> stub, Options options)
    : stub_(std::move(stub)), options_(options) {}

absl::StatusOr<FetchedOpenWork> KpiOpenWorkSource::Fetch(
    const std::string& authority, const std::vector<std::string>& child_ids,
    absl::CivilDay from, absl::CivilDay to) {
  CallerIdentity identity;
  identity.caller = kIntakeCallerName;
  identity.role = Role::kAdmin;
  identity.authority = authority;
  FetchedOpenWork fetched;
  std::optional<int64_t> generation;
  bool mixed = false;
  for (size_t at = 0; at < child_ids.size(); at += kBatch) {
    kpi::ListOpenWorkRequest request;
    const size_t end = std::min(child_ids.size(), at + kBatch);
    for (size_t i = at; i < end; ++i) request.add_child_ids(child_ids[i]);
    *request.mutable_from() = ToProtoDate(from);
    *request.mutable_to() = ToProtoDate(to);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
    AttachIdentity(identity, &context);
    kpi::ListOpenWorkResponse response;
    const grpc::Status status =
        stub_->ListOpenWork(&context, request, &response);
    if (!status.ok()) {
      // Down, slow or refusing: the figure cannot be made now. The KPI
      // service's messages name fields and codes, never child ids.
      return absl::UnavailableError(absl::StrCat(
          "the KPI service did not answer ListOpenWork: ",
          absl::StatusCodeToString(
              static_cast<absl::StatusCode>(status.error_code())),
          status.error_message().empty() ? "" : ": ", status.error_message()));
    }
    if (generation && *generation != response.generation()) mixed = true;
    generation = response.generation();
    for (const kpi::ChildOpenWork& child : response.children()) {
      std::vector<OpenWork>& work = fetched.children[child.child_id()];
      for (const kpi::OpenWork& w : child.work()) {
        absl::StatusOr<OpenWork> piece = FromProto(w);
        if (!piece.ok()) return piece.status();
        work.push_back(*std::move(piece));
      }
    }
  }
  // Batches read at different generations are a mix: right, but not an
  // answer any one generation would give, so not to be cached under one.
  fetched.generation = mixed ? 0 : generation.value_or(0);
  return fetched;
}

}  // namespace sgm::intake
