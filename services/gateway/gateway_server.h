// The gateway: one gRPC endpoint for internal apps and partners. It
// authenticates bearer tokens, checks the caller's role against the method,
// and proxies every backend call (by package prefix) with the caller's
// identity in metadata and a deadline on every outbound call.
#ifndef SGM_SERVICES_GATEWAY_GATEWAY_SERVER_H_
#define SGM_SERVICES_GATEWAY_GATEWAY_SERVER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/server_runner.h"
#include "grpcpp/grpcpp.h"
#include "services/gateway/practice_report.h"

namespace sgm::gateway {

class TokenAuthenticator;
class AccessPolicy;
class GenericProxy;
class GatewayServiceImpl;
class PracticeReportComposer;
class HttpFrontend;
class RateLimiter;

struct GatewaySettings {
  ServerOptions server;  // service_name "gateway"
  // Backend addresses by proto package, e.g. {"sgm.intake.v1", "host:port"}.
  std::map<std::string, std::string> backends;
  // Deadline for an outbound unary call when the caller set none (a
  // caller's own deadline is kept when shorter).
  absl::Duration unary_deadline = absl::Seconds(10);
  // The same for streaming calls (feed imports).
  absl::Duration streaming_deadline = absl::Minutes(30);
  // Credentials of the channels to the backends (TLS, with a client
  // certificate for mutual TLS); insecure when null.
  std::shared_ptr<grpc::ChannelCredentials> backend_credentials;
  // When set, the name checked in the backends' certificates instead of
  // the host of their addresses (GRPC_SSL_TARGET_NAME_OVERRIDE_ARG).
  std::string backend_server_name;
  // GetPracticeReport: the whole composition (every backend at once) ends
  // within this; a backend slower than that leaves its section unavailable.
  absl::Duration report_deadline = absl::Seconds(5);
  // The report's "what changed" periods and figures (default: the 3
  // months to the report month against the same months a year before).
  WhatChangedOptions report_what_changed;

  // The HTTP side (dashboard, report, /api/v1 JSON, /healthz, /readyz):
  // its address, "127.0.0.1:0" for a free port; empty: no HTTP side.
  std::string http_listen_address;
  // PEM certificate chain and key of the HTTP port; plain HTTP when empty.
  std::string http_tls_cert;
  std::string http_tls_key;

  // An outward-facing deployment: in every aggregate the gateway returns
  // (the report and proxied figures), counts from 1 to 4 and the figures
  // derived from them are withheld.
  bool outward_facing = false;

  // Per-caller rate limit (token bucket keyed by the token's caller name):
  // sustained calls per second and burst. 0 calls per second: no limit.
  // A caller over its limit gets RESOURCE_EXHAUSTED.
  double rate_limit_per_second = 50;
  int rate_limit_burst = 100;
};

class GatewayServer {
 public:
  // `cache` (the backends' published generations and the cached reports)
  // and `clock` (the report's default month) are not owned and must outlive
  // the server; when null, the server runs without a cache (NoCache) and on
  // the system clock.
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(
      const GatewaySettings& settings,
      std::unique_ptr<TokenAuthenticator> authenticator,
      AggregateCache* cache = nullptr, const Clock* clock = nullptr);
  ~GatewayServer();

  int port() const;
  // The HTTP side's port; 0 when it is off.
  int http_port() const;
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  GatewayServer() = default;
  // Stand-ins when Start was given no cache or clock.
  std::unique_ptr<AggregateCache> own_cache_;
  std::unique_ptr<Clock> own_clock_;
  std::unique_ptr<TokenAuthenticator> authenticator_;
  std::unique_ptr<AccessPolicy> policy_;
  std::unique_ptr<PracticeReportComposer> composer_;
  std::unique_ptr<GatewayServiceImpl> service_;
  std::unique_ptr<GenericProxy> proxy_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  std::unique_ptr<ServerRunner> runner_;
  // Stops before the runner: it calls into the server in-process.
  std::unique_ptr<HttpFrontend> http_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_GATEWAY_SERVER_H_
