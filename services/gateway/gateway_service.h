// The gateway's own gRPC service (sgm.gateway.v1.GatewayService).
#ifndef SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"

namespace sgm::gateway {

class AccessPolicy;
class FigureComparer;
class PracticeReportComposer;
class RateLimiter;
class ReportSources;
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
  // `insight_sources` (owned; null: the insight calls are UNIMPLEMENTED)
  // serve GetAbuseCategoryFunnel and CompareFigures, whose backend calls
  // all end within `insight_deadline`.
  GatewayServiceImpl(const TokenAuthenticator* authenticator,
                     const AccessPolicy* policy,
                     PracticeReportComposer* composer,
                     RateLimiter* rate_limiter = nullptr,
                     bool outward_facing = false,
                     std::unique_ptr<ReportSources> insight_sources = nullptr,
                     absl::Duration insight_deadline = absl::Seconds(5));
  // Waits for insight calls still running on their own threads.
  ~GatewayServiceImpl() override;

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
  // Checked like GetPracticeReport (UNAUTHENTICATED, RESOURCE_EXHAUSTED,
  // PERMISSION_DENIED), then INVALID_ARGUMENT naming the field; composed
  // off the gRPC thread. The funnel fails with a backend's error (its code,
  // the backend named), FAILED_PRECONDITION when one is not deployed; a
  // comparison notes a failed backend and still answers. Outward-facing:
  // suppressed (WithholdInGatewayAnswer), the withheld paths in the
  // "sgm-suppressed-fields" trailer.
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
  // Runs `task` on a thread of its own, counted in `running_`: the insight
  // calls wait on the backends off the gRPC thread.
  void InBackground(std::function<void()> task);

  const TokenAuthenticator* const authenticator_;
  const AccessPolicy* const policy_;
  PracticeReportComposer* const composer_;
  RateLimiter* const rate_limiter_;
  const bool outward_facing_;
  // Practice insight.
  const std::unique_ptr<ReportSources> insight_sources_;
  const std::unique_ptr<FigureComparer> comparer_;
  const absl::Duration insight_deadline_;
  // Insight calls running off the gRPC thread (counted so the destructor
  // can wait for them).
  struct Running;
  const std::shared_ptr<Running> running_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
