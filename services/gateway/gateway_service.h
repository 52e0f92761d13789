// The gateway's own gRPC service (sgm.gateway.v1.GatewayService).
#ifndef SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"

namespace sgm::gateway {

class AccessPolicy;
class PracticeReportComposer;
class RateLimiter;
class TokenAuthenticator;

class GatewayServiceImpl final
    : public sgm::gateway::v1::GatewayService::CallbackService {
 public:
  // None is owned; all must outlive the service. `composer` may be null:
  // GetPracticeReport is then UNIMPLEMENTED. `rate_limiter` may be null:
  // no rate limit; otherwise every authenticated call takes one call from
  // the caller's bucket first (RESOURCE_EXHAUSTED, with the wait in the
  // "sgm-retry-after-ms" trailing metadata, when it is empty).
  // `outward_facing`: reports are returned with counts under 5 withheld.
  GatewayServiceImpl(const TokenAuthenticator* authenticator,
                     const AccessPolicy* policy,
                     PracticeReportComposer* composer,
                     RateLimiter* rate_limiter = nullptr,
                     bool outward_facing = false);

  // The identity the caller's bearer token maps to; UNAUTHENTICATED
  // without a known token.
  grpc::ServerUnaryReactor* WhoAmI(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::WhoAmIRequest* request,
      sgm::gateway::v1::WhoAmIResponse* response) override;

  // The monthly report for the caller's authority: UNAUTHENTICATED,
  // PERMISSION_DENIED (the access policy's row), INVALID_ARGUMENT for a bad
  // month; otherwise the report, whose unavailable sections are marked.
  // Composed off the gRPC thread (it waits on the backends). In an
  // outward-facing deployment the report has suppressed = true and its
  // counts from 1 to 4 (and figures derived from them) withheld, listed in
  // suppressed_fields; the cached report stays whole.
  grpc::ServerUnaryReactor* GetPracticeReport(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::GetPracticeReportRequest* request,
      sgm::gateway::v1::GetPracticeReportResponse* response) override;

  // Practice insight (docs/insight.md): the abuse-category funnel composed
  // from intake and the KPI service, and figures compared over two periods.
  grpc::ServerUnaryReactor* GetAbuseCategoryFunnel(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::GetAbuseCategoryFunnelRequest* request,
      sgm::gateway::v1::GetAbuseCategoryFunnelResponse* response) override;
  grpc::ServerUnaryReactor* ListComparableFigures(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::ListComparableFiguresRequest* request,
      sgm::gateway::v1::ListComparableFiguresResponse* response) override;
  grpc::ServerUnaryReactor* CompareFigures(
      grpc::CallbackServerContext* context,
      const sgm::gateway::v1::CompareFiguresRequest* request,
      sgm::gateway::v1::CompareFiguresResponse* response) override;

 private:
  const TokenAuthenticator* const authenticator_;
  const AccessPolicy* const policy_;
  PracticeReportComposer* const composer_;
  RateLimiter* const rate_limiter_;
  const bool outward_facing_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
