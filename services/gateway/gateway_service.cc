#include "services/gateway/gateway_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "common/grpc_status.h"
#include "common/proto_convert.h"
#include "services/gateway/access_policy.h"
#include "services/gateway/disclosure_control.h"
#include "services/gateway/practice_report.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/token_authenticator.h"

namespace sgm::gateway {

namespace {

constexpr char kGetPracticeReport[] =
    "/sgm.gateway.v1.GatewayService/GetPracticeReport";

// OK when there is no limit or `caller` has a call left; otherwise
// RESOURCE_EXHAUSTED, with the wait in the trailing metadata.
absl::Status AdmitCall(RateLimiter* rate_limiter, const std::string& caller,
                       grpc::CallbackServerContext* context) {
  if (rate_limiter == nullptr) return absl::OkStatus();
  absl::Duration retry_after;
  absl::Status admitted = rate_limiter->Admit(caller, &retry_after);
  if (!admitted.ok()) {
    context->AddTrailingMetadata(
        kRetryAfterMetadataKey,
        absl::StrCat(absl::ToInt64Milliseconds(retry_after)));
  }
  return admitted;
}

}  // namespace

GatewayServiceImpl::GatewayServiceImpl(const TokenAuthenticator* authenticator,
                                       const AccessPolicy* policy,
                                       PracticeReportComposer* composer,
                                       RateLimiter* rate_limiter,
                                       bool outward_facing)
    : authenticator_(authenticator),
      policy_(policy),
      composer_(composer),
      rate_limiter_(rate_limiter),
      outward_facing_(outward_facing) {}

grpc::ServerUnaryReactor* GatewayServiceImpl::WhoAmI(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::WhoAmIRequest* /*request*/,
    sgm::gateway::v1::WhoAmIResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity =
      authenticator_->Authenticate(context->client_metadata());
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  if (absl::Status admitted =
          AdmitCall(rate_limiter_, identity->caller, context);
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  response->set_caller(identity->caller);
  // sgm::Role values match sgm.gateway.v1.Role.
  response->set_role(static_cast<sgm::gateway::v1::Role>(identity->role));
  response->set_authority(identity->authority);
  response->set_agency(identity->agency);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::GetPracticeReport(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::GetPracticeReportRequest* request,
    sgm::gateway::v1::GetPracticeReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity =
      authenticator_->Authenticate(context->client_metadata());
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  if (absl::Status admitted =
          AdmitCall(rate_limiter_, identity->caller, context);
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  if (absl::Status allowed = policy_->Check(kGetPracticeReport, *identity);
      !allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  std::optional<absl::CivilMonth> month;
  if (request->has_month()) {
    absl::StatusOr<absl::CivilMonth> parsed =
        FromProtoMonth(request->month(), "month");
    if (!parsed.ok()) {
      reactor->Finish(ToGrpcStatus(parsed.status()));
      return reactor;
    }
    month = *parsed;
  }
  if (composer_ == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::UnimplementedError("GetPracticeReport: no report composer")));
    return reactor;
  }
  composer_->ComposeInBackground(
      *identity, month,
      [reactor, response, outward_facing = outward_facing_](
          absl::StatusOr<sgm::gateway::v1::PracticeReport> report) {
        if (!report.ok()) {
          reactor->Finish(ToGrpcStatus(report.status()));
          return;
        }
        sgm::gateway::v1::PracticeReport* out = response->mutable_report();
        *out = *std::move(report);
        if (outward_facing) {
          // Per response: the composer's cached report stays whole.
          out->clear_suppressed_fields();
          std::vector<std::string> withheld = WithholdSmallCounts(out);
          out->set_suppressed(true);
          for (std::string& path : withheld) {
            out->add_suppressed_fields(std::move(path));
          }
        }
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

// BEGIN insight handlers (owned by the gateway insight work)
grpc::ServerUnaryReactor* GatewayServiceImpl::GetAbuseCategoryFunnel(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::GetAbuseCategoryFunnelRequest* /*request*/,
    sgm::gateway::v1::GetAbuseCategoryFunnelResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet"));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::ListComparableFigures(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::ListComparableFiguresRequest* /*request*/,
    sgm::gateway::v1::ListComparableFiguresResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet"));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::CompareFigures(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::CompareFiguresRequest* /*request*/,
    sgm::gateway::v1::CompareFiguresResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet"));
  return reactor;
}
// END insight handlers

}  // namespace sgm::gateway
