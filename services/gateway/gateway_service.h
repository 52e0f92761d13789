// The gateway's own gRPC service (sgm.gateway.v1.GatewayService).
#ifndef SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"

namespace sgm::gateway {

class TokenAuthenticator;

class GatewayServiceImpl final
    : public sgm::gateway::v1::GatewayService::CallbackService {
 public:
  // `authenticator` is not owned and must outlive the service.
  explicit GatewayServiceImpl(const TokenAuthenticator* authenticator);

  // The identity the caller's bearer token maps to; UNAUTHENTICATED
  // without a known token.
  grpc::ServerUnaryReactor* WhoAmI(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::WhoAmIRequest* request,
      sgm::gateway::v1::WhoAmIResponse* response) override;

 private:
  const TokenAuthenticator* const authenticator_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
