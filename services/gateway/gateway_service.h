// The gateway's own gRPC service (sgm.gateway.v1.GatewayService).
#ifndef SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"

namespace sgm::gateway {

class AccessPolicy;
class PracticeReportComposer;
class TokenAuthenticator;

class GatewayServiceImpl final
    : public sgm::gateway::v1::GatewayService::CallbackService {
 public:
  // None is owned; all must outlive the service. `composer` may be null:
  // GetPracticeReport is then UNIMPLEMENTED.
  GatewayServiceImpl(const TokenAuthenticator* authenticator,
                     const AccessPolicy* policy,
                     PracticeReportComposer* composer);

  // The identity the caller's bearer token maps to; UNAUTHENTICATED
  // without a known token.
  grpc::ServerUnaryReactor* WhoAmI(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::WhoAmIRequest* request,
      sgm::gateway::v1::WhoAmIResponse* response) override;

  // The monthly report for the caller's authority: UNAUTHENTICATED,
  // PERMISSION_DENIED (the access policy's row), INVALID_ARGUMENT for a bad
  // month; otherwise the report, whose unavailable sections are marked.
  // Composed off the gRPC thread (it waits on the backends).
  grpc::ServerUnaryReactor* GetPracticeReport(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::GetPracticeReportRequest* request,
      sgm::gateway::v1::GetPracticeReportResponse* response) override;

 private:
  const TokenAuthenticator* const authenticator_;
  const AccessPolicy* const policy_;
  PracticeReportComposer* const composer_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
