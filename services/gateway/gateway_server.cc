#include "services/gateway/gateway_server.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/tls_config.h"
#include "grpcpp/grpcpp.h"
#include "services/gateway/access_policy.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/generic_proxy.h"
#include "services/gateway/http_frontend.h"
#include "services/gateway/practice_report.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/token_authenticator.h"

namespace sgm::gateway {
namespace {

int ToMillis(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

// A channel to a backend with keepalive, the same message size limit as
// the gateway's own server, and the backend credentials (insecure when
// none are set).
std::shared_ptr<grpc::Channel> BackendChannel(const std::string& address,
                                              const GatewaySettings& settings) {
  const ServerOptions& server = settings.server;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, ToMillis(server.keepalive_time));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              ToMillis(server.keepalive_timeout));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxReceiveMessageSize(server.max_message_bytes);
  args.SetMaxSendMessageSize(server.max_message_bytes);
  AddServerNameOverride(settings.backend_server_name, &args);
  return grpc::CreateCustomChannel(address,
                                   settings.backend_credentials != nullptr
                                       ? settings.backend_credentials
                                       : grpc::InsecureChannelCredentials(),
                                   args);
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(
    const GatewaySettings& settings,
    std::unique_ptr<TokenAuthenticator> authenticator, AggregateCache* cache,
    const Clock* clock) {
  if (authenticator == nullptr) {
    return absl::InvalidArgumentError("gateway: no token table");
  }
  if (settings.unary_deadline <= absl::ZeroDuration() ||
      settings.streaming_deadline <= absl::ZeroDuration() ||
      settings.report_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("gateway: deadlines must be positive");
  }
  if (settings.rate_limit_per_second < 0 ||
      (settings.rate_limit_per_second > 0 && settings.rate_limit_burst < 1)) {
    return absl::InvalidArgumentError(
        "gateway: the rate limit must be >= 0 calls a second with a burst of "
        "at least 1");
  }
  if (settings.http_tls_cert.empty() != settings.http_tls_key.empty()) {
    return absl::InvalidArgumentError(
        "gateway: HTTP TLS needs both a certificate and a key");
  }
  if (!settings.backend_server_name.empty() &&
      settings.backend_credentials == nullptr) {
    return absl::InvalidArgumentError(
        "gateway: a backend server name needs backend TLS credentials");
  }
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [package, address] : settings.backends) {
    if (package.empty() || address.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "gateway: backend \"", package, "\" needs a package and address"));
    }
    channels.emplace(package, BackendChannel(address, settings));
  }

  std::unique_ptr<GatewayServer> server(new GatewayServer());
  server->authenticator_ = std::move(authenticator);
  server->policy_ = std::make_unique<AccessPolicy>();
  if (cache == nullptr) {
    server->own_cache_ = std::make_unique<NoCache>();
    cache = server->own_cache_.get();
  }
  if (clock == nullptr) {
    server->own_clock_ = std::make_unique<SystemClock>();
    clock = server->own_clock_.get();
  }
  if (settings.rate_limit_per_second > 0) {
    server->rate_limiter_ = std::make_unique<RateLimiter>(
        settings.rate_limit_per_second, settings.rate_limit_burst, clock);
  }
  ComposerOptions composer_options;
  composer_options.deadline = settings.report_deadline;
  composer_options.what_changed = settings.report_what_changed;
  server->composer_ = std::make_unique<PracticeReportComposer>(
      MakeGrpcReportSources(channels), cache, clock, composer_options);
  server->service_ = std::make_unique<GatewayServiceImpl>(
      server->authenticator_.get(), server->policy_.get(),
      server->composer_.get(), server->rate_limiter_.get(),
      settings.outward_facing, MakeGrpcReportSources(channels),
      settings.report_deadline);
  ProxyOptions proxy_options;
  proxy_options.unary_deadline = settings.unary_deadline;
  proxy_options.streaming_deadline = settings.streaming_deadline;
  proxy_options.rate_limiter = server->rate_limiter_.get();
  proxy_options.outward_facing = settings.outward_facing;
  server->proxy_ = std::make_unique<GenericProxy>(
      server->authenticator_.get(), server->policy_.get(), std::move(channels),
      proxy_options);

  ServerOptions options = settings.server;
  if (options.service_name.empty()) options.service_name = "gateway";
  absl::StatusOr<std::unique_ptr<ServerRunner>> runner = ServerRunner::Start(
      options, {server->service_.get()}, server->proxy_.get(),
      /*readiness=*/{});
  if (!runner.ok()) return runner.status();
  server->runner_ = std::move(runner).value();

  if (!settings.http_listen_address.empty()) {
    HttpFrontendOptions http;
    http.listen_address = settings.http_listen_address;
    http.tls_cert = settings.http_tls_cert;
    http.tls_key = settings.http_tls_key;
    http.call_deadline = settings.unary_deadline;
    http.streaming_call_deadline = settings.streaming_deadline;
    absl::StatusOr<std::unique_ptr<HttpFrontend>> frontend =
        HttpFrontend::Start(http, server->runner_->InProcessChannel());
    if (!frontend.ok()) return frontend.status();
    server->http_ = std::move(frontend).value();
  }
  return server;
}

// The HTTP side stops first (it calls into the gRPC server), then the
// runner: the server stops before the proxy, service and tables it calls
// into are destroyed.
GatewayServer::~GatewayServer() {
  if (http_ != nullptr) http_->Shutdown();
  if (runner_ != nullptr) runner_->Shutdown(absl::ZeroDuration());
}

int GatewayServer::port() const { return runner_->port(); }

int GatewayServer::http_port() const {
  return http_ != nullptr ? http_->port() : 0;
}

void GatewayServer::Shutdown(absl::Duration grace) {
  if (http_ != nullptr) http_->Shutdown();
  runner_->Shutdown(grace);
}

void GatewayServer::Wait() { runner_->Wait(); }

}  // namespace sgm::gateway
