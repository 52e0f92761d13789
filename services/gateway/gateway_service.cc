#include "services/gateway/gateway_service.h"

#include <string>

#include "absl/status/statusor.h"
#include "common/caller_identity.h"
#include "common/grpc_status.h"
#include "services/gateway/token_authenticator.h"

namespace sgm::gateway {

GatewayServiceImpl::GatewayServiceImpl(const TokenAuthenticator* authenticator)
    : authenticator_(authenticator) {}

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
  response->set_caller(identity->caller);
  // sgm::Role values match sgm.gateway.v1.Role.
  response->set_role(static_cast<sgm::gateway::v1::Role>(identity->role));
  response->set_authority(identity->authority);
  response->set_agency(identity->agency);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace sgm::gateway
