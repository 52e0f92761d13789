// sgm-gateway: the one gRPC endpoint for internal apps and partners.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/logging.h"
#include "common/server_runner.h"
#include "common/service_setup.h"
#include "common/tls_config.h"
#include "grpcpp/grpcpp.h"
#include "services/gateway/figure_comparison.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/practice_report.h"
#include "services/gateway/token_authenticator.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051", "gRPC address to serve on");
ABSL_FLAG(std::string, metrics, "0.0.0.0:9460",
          "Prometheus /metrics address; empty disables it");
ABSL_FLAG(std::string, tokens_file, "",
          "token table: <sha256-hex> <role> <authority> <caller> [agency] "
          "per line (required)");
ABSL_FLAG(std::string, intake_address, "127.0.0.1:50052",
          "address of the intake service (sgm.intake.v1); empty: not "
          "deployed (its calls are UNIMPLEMENTED, its report section "
          "NOT_DEPLOYED)");
ABSL_FLAG(std::string, kpi_address, "127.0.0.1:50053",
          "address of the KPI service (sgm.kpi.v1); empty: not deployed");
ABSL_FLAG(std::string, workforce_address, "127.0.0.1:50054",
          "address of the workforce service (sgm.workforce.v1); empty: not "
          "deployed");
ABSL_FLAG(std::string, qa_address, "127.0.0.1:50055",
          "address of the quality-assurance service (sgm.qa.v1); empty: not "
          "deployed");
ABSL_FLAG(absl::Duration, unary_deadline, absl::Seconds(10),
          "deadline of a proxied unary call when the caller's is later");
ABSL_FLAG(absl::Duration, streaming_deadline, absl::Minutes(30),
          "deadline of a proxied streaming call when the caller's is later");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the gRPC port; with --tls_key, the port "
          "serves TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: when set, callers must present a client certificate "
          "signed by it");
ABSL_FLAG(std::string, backend_tls_ca, "",
          "PEM CA: when set, backends are called over TLS and their "
          "certificates verified with it");
ABSL_FLAG(std::string, backend_tls_cert, "",
          "PEM client certificate the gateway presents to the backends "
          "(mutual TLS; needs --backend_tls_ca)");
ABSL_FLAG(std::string, backend_tls_key, "",
          "PEM private key of --backend_tls_cert");
ABSL_FLAG(std::string, backend_tls_server_name, "",
          "name checked in the backends' certificates instead of the host of "
          "their addresses");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379",
          "Redis host:port: the services' published generations and the "
          "cached practice reports; empty runs without a cache");
ABSL_FLAG(std::string, redis_password, "", "Redis AUTH password, if any");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Minutes(10),
          "time-to-live of a cached practice report");
ABSL_FLAG(absl::Duration, report_deadline, absl::Seconds(5),
          "GetPracticeReport: every backend must answer within this, else "
          "its section is marked unavailable");
ABSL_FLAG(std::string, what_changed_before, "",
          "the report's \"what changed\" section: the first period, "
          "YYYY-MM..YYYY-MM (both months included, at most 60 months), e.g. "
          "a pilot's before; with --what_changed_after. Empty: each report "
          "compares the 3 months to its month with the same months a year "
          "earlier");
ABSL_FLAG(std::string, what_changed_after, "",
          "the second period of the \"what changed\" section, "
          "YYYY-MM..YYYY-MM; both periods or neither");
ABSL_FLAG(std::string, what_changed_figures, "",
          "the figures of the \"what changed\" section, comma-separated ids "
          "from ListComparableFigures (e.g. "
          "intake.contacts,kpi.first_assessments_in_time); empty: the "
          "standard short list");
ABSL_FLAG(std::string, http_listen, "0.0.0.0:8080",
          "HTTP address of the dashboard, the report, /api/v1 JSON, /healthz "
          "and /readyz; empty: no HTTP side");
ABSL_FLAG(std::string, http_tls_cert, "",
          "PEM certificate chain of the HTTP port; with --http_tls_key, it "
          "serves HTTPS");
ABSL_FLAG(std::string, http_tls_key, "", "PEM private key of --http_tls_cert");
ABSL_FLAG(bool, outward_facing, false,
          "an outward-facing deployment: counts from 1 to 4 in aggregates, "
          "and figures derived from them, are withheld (shown as <5)");
ABSL_FLAG(double, rate_limit, 50,
          "calls a second each caller may make, sustained (token bucket); "
          "0: no limit");
ABSL_FLAG(int32_t, rate_limit_burst, 100,
          "calls a caller may make at once above --rate_limit");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "time in-flight calls get to finish on SIGTERM");
ABSL_FLAG(bool, check_config, false,
          "validate the settings and the token file, print \"config ok\" and "
          "exit without serving");

namespace sgm::gateway {
namespace {

absl::Status ValidateAddress(absl::string_view flag, absl::string_view value,
                             bool may_be_empty) {
  if (value.empty() && may_be_empty) return absl::OkStatus();
  std::string host;
  int port = 0;
  return ParseHostPort(flag, value, &host, &port);
}

absl::Status ValidateDeadline(absl::string_view flag, absl::Duration value) {
  if (value <= absl::ZeroDuration() || value == absl::InfiniteDuration()) {
    return InvalidSetting(flag, "must be a positive duration such as 10s");
  }
  return absl::OkStatus();
}

// The report's "what changed" settings from --what_changed_before,
// --what_changed_after and --what_changed_figures, or the first one at
// fault (INVALID_ARGUMENT naming the flag).
absl::StatusOr<WhatChangedOptions> WhatChangedFromFlags() {
  WhatChangedOptions options;
  const std::string before = absl::GetFlag(FLAGS_what_changed_before);
  const std::string after = absl::GetFlag(FLAGS_what_changed_after);
  if (before.empty() != after.empty()) {
    return InvalidSetting(
        before.empty() ? "what_changed_before" : "what_changed_after",
        before.empty() ? "required when --what_changed_after is set (both "
                         "periods or neither)"
                       : "required when --what_changed_before is set (both "
                         "periods or neither)");
  }
  if (!before.empty()) {
    absl::StatusOr<ReportPeriod> first = ParseReportPeriod(before);
    if (!first.ok()) {
      return InvalidSetting("what_changed_before", first.status().message());
    }
    absl::StatusOr<ReportPeriod> second = ParseReportPeriod(after);
    if (!second.ok()) {
      return InvalidSetting("what_changed_after", second.status().message());
    }
    options.before = *first;
    options.after = *second;
  }
  absl::StatusOr<std::vector<std::string>> ids = ParseFigureIds(
      absl::GetFlag(FLAGS_what_changed_figures), FigureComparer::Catalogue());
  if (!ids.ok()) {
    return InvalidSetting("what_changed_figures", ids.status().message());
  }
  options.figure_ids = *std::move(ids);
  return options;
}

// For the start-up log: "default" or "2023-01..2023-06 against 2024-01..".
std::string WhatChangedText(const WhatChangedOptions& options) {
  if (!options.before.has_value() || !options.after.has_value()) {
    return "default";
  }
  return absl::StrCat(FormatReportPeriod(*options.after), " against ",
                      FormatReportPeriod(*options.before));
}

// For the start-up log: "off", "tls" or "mtls" (a client certificate
// required by the server, or presented by the client).
const char* TlsMode(const std::string& tls_file,
                    const std::string& mutual_file) {
  if (tls_file.empty()) return "off";
  return mutual_file.empty() ? "tls" : "mtls";
}

// The settings from the flags, or the first setting at fault.
absl::StatusOr<GatewaySettings> SettingsFromFlags() {
  GatewaySettings settings;
  settings.server.service_name = "gateway";
  settings.server.listen_address = absl::GetFlag(FLAGS_listen);
  settings.server.metrics_address = absl::GetFlag(FLAGS_metrics);
  settings.unary_deadline = absl::GetFlag(FLAGS_unary_deadline);
  settings.streaming_deadline = absl::GetFlag(FLAGS_streaming_deadline);
  settings.report_deadline = absl::GetFlag(FLAGS_report_deadline);
  settings.http_listen_address = absl::GetFlag(FLAGS_http_listen);
  settings.http_tls_cert = absl::GetFlag(FLAGS_http_tls_cert);
  settings.http_tls_key = absl::GetFlag(FLAGS_http_tls_key);
  settings.outward_facing = absl::GetFlag(FLAGS_outward_facing);
  settings.rate_limit_per_second = absl::GetFlag(FLAGS_rate_limit);
  settings.rate_limit_burst = absl::GetFlag(FLAGS_rate_limit_burst);
  std::string intake = absl::GetFlag(FLAGS_intake_address);
  std::string kpi = absl::GetFlag(FLAGS_kpi_address);
  std::string workforce = absl::GetFlag(FLAGS_workforce_address);
  std::string qa = absl::GetFlag(FLAGS_qa_address);

  absl::Status status =
      ValidateAddress("listen", settings.server.listen_address, false);
  if (status.ok()) {
    status = ValidateAddress("metrics", settings.server.metrics_address, true);
  }
  if (status.ok()) {
    status = ValidateAddress("http_listen", settings.http_listen_address, true);
  }
  if (status.ok() &&
      settings.http_tls_cert.empty() != settings.http_tls_key.empty()) {
    status = InvalidSetting(
        settings.http_tls_cert.empty() ? "http_tls_cert" : "http_tls_key",
        "HTTPS needs both --http_tls_cert and "
        "--http_tls_key");
  }
  // The HTTP side reaches every API with a bearer token alone: where the
  // gRPC port insists on TLS, plain HTTP may only listen on loopback.
  if (status.ok() && !absl::GetFlag(FLAGS_tls_cert).empty() &&
      !settings.http_listen_address.empty() && settings.http_tls_cert.empty()) {
    std::string host;
    int port = 0;
    status = ParseHostPort("http_listen", settings.http_listen_address, &host,
                           &port);
    if (status.ok() && host != "127.0.0.1" && host != "localhost" &&
        host != "[::1]" && host != "::1") {
      status = InvalidSetting(
          "http_listen",
          "the gRPC port serves TLS (--tls_cert) but the HTTP side would "
          "serve plain HTTP on a non-loopback address: set --http_tls_cert "
          "and --http_tls_key, listen on 127.0.0.1, or leave --http_listen "
          "empty");
    }
  }
  if (status.ok() && !(settings.rate_limit_per_second >= 0 &&
                       settings.rate_limit_per_second <= 1e6)) {
    status = InvalidSetting("rate_limit",
                            "must be from 0 (no limit) to 1000000 calls a "
                            "second");
  }
  if (status.ok() && settings.rate_limit_per_second > 0 &&
      settings.rate_limit_burst < 1) {
    status = InvalidSetting("rate_limit_burst", "must be at least 1");
  }
  if (status.ok()) status = ValidateAddress("intake_address", intake, true);
  if (status.ok()) status = ValidateAddress("kpi_address", kpi, true);
  if (status.ok()) {
    status = ValidateAddress("workforce_address", workforce, true);
  }
  if (status.ok()) status = ValidateAddress("qa_address", qa, true);
  if (status.ok()) {
    status = ValidateDeadline("unary_deadline", settings.unary_deadline);
  }
  if (status.ok()) {
    status =
        ValidateDeadline("streaming_deadline", settings.streaming_deadline);
  }
  if (status.ok()) {
    status = ValidateDeadline("report_deadline", settings.report_deadline);
  }
  if (status.ok()) {
    status = ValidateDeadline("cache_ttl", absl::GetFlag(FLAGS_cache_ttl));
  }
  if (status.ok() &&
      absl::GetFlag(FLAGS_shutdown_grace) < absl::ZeroDuration()) {
    status = InvalidSetting("shutdown_grace", "must not be negative");
  }
  if (status.ok() && absl::GetFlag(FLAGS_tokens_file).empty()) {
    status =
        InvalidSetting("tokens_file", "required: the path of the token table");
  }
  if (!status.ok()) return status;
  // A backend without an address is not deployed.
  if (!intake.empty()) settings.backends.emplace("sgm.intake.v1", intake);
  if (!kpi.empty()) settings.backends.emplace("sgm.kpi.v1", kpi);
  if (!workforce.empty()) {
    settings.backends.emplace("sgm.workforce.v1", workforce);
  }
  if (!qa.empty()) settings.backends.emplace("sgm.qa.v1", qa);

  ServerTlsFiles server_tls;
  server_tls.cert = absl::GetFlag(FLAGS_tls_cert);
  server_tls.key = absl::GetFlag(FLAGS_tls_key);
  server_tls.client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server_credentials =
      MakeServerCredentials(server_tls);
  if (!server_credentials.ok()) return server_credentials.status();
  settings.server.credentials = *std::move(server_credentials);

  ClientTlsFiles backend_tls;
  backend_tls.ca = absl::GetFlag(FLAGS_backend_tls_ca);
  backend_tls.cert = absl::GetFlag(FLAGS_backend_tls_cert);
  backend_tls.key = absl::GetFlag(FLAGS_backend_tls_key);
  backend_tls.server_name = absl::GetFlag(FLAGS_backend_tls_server_name);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
      backend_credentials = MakeChannelCredentials(backend_tls, "backend_tls");
  if (!backend_credentials.ok()) return backend_credentials.status();
  if (!backend_tls.ca.empty()) {
    settings.backend_credentials = *std::move(backend_credentials);
    settings.backend_server_name = backend_tls.server_name;
  }
  return settings;
}

int Run(int argc, char** argv) {
  BlockShutdownSignals();
  ParseFlagsOrDie(argc, argv,
                  "sgm-gateway: authenticates callers and routes their calls "
                  "to the backend services");
  absl::Status logging = InitLogging("gateway", absl::GetFlag(FLAGS_log_level));
  if (!logging.ok()) {
    std::fprintf(
        stderr, "%s\n",
        InvalidSetting("log_level", logging.message()).ToString().c_str());
    return 2;
  }
  absl::StatusOr<GatewaySettings> settings = SettingsFromFlags();
  if (!settings.ok()) {
    std::fprintf(stderr, "%s\n", settings.status().ToString().c_str());
    return 2;
  }
  absl::StatusOr<WhatChangedOptions> what_changed = WhatChangedFromFlags();
  if (!what_changed.ok()) {
    std::fprintf(stderr, "%s\n", what_changed.status().ToString().c_str());
    return 2;
  }
  settings->report_what_changed = *what_changed;
  absl::StatusOr<std::unique_ptr<TokenAuthenticator>> authenticator =
      TokenAuthenticator::FromFile(absl::GetFlag(FLAGS_tokens_file));
  if (!authenticator.ok()) {
    std::fprintf(stderr, "%s\n",
                 InvalidSetting("tokens_file", authenticator.status().message())
                     .ToString()
                     .c_str());
    return 2;
  }
  // The clock and the cache outlive the server (declared before it).
  SystemClock clock;
  absl::StatusOr<std::unique_ptr<AggregateCache>> cache = CacheFromSettings(
      absl::GetFlag(FLAGS_redis), absl::GetFlag(FLAGS_redis_password),
      absl::GetFlag(FLAGS_cache_ttl), &clock);
  if (!cache.ok()) {
    std::fprintf(stderr, "%s\n", cache.status().ToString().c_str());
    return 2;
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    std::printf("config ok\n");
    return 0;
  }

  size_t tokens = (*authenticator)->size();
  absl::StatusOr<std::unique_ptr<GatewayServer>> server = GatewayServer::Start(
      *settings, std::move(authenticator).value(), cache->get(), &clock);
  if (!server.ok()) {
    LogError("start_failed", {{"error", server.status().ToString()}});
    return 1;
  }
  LogInfo(
      "started",
      {{"port", (*server)->port()},
       {"http_port", (*server)->http_port()},
       {"outward_facing", absl::GetFlag(FLAGS_outward_facing) ? "on" : "off"},
       {"tokens", static_cast<long long>(tokens)},
       {"cache", absl::GetFlag(FLAGS_redis).empty() ? std::string("off")
                                                    : std::string("redis")},
       {"report_deadline",
        absl::FormatDuration(absl::GetFlag(FLAGS_report_deadline))},
       {"what_changed", WhatChangedText(*what_changed)},
       {"tls", TlsMode(absl::GetFlag(FLAGS_tls_cert),
                       absl::GetFlag(FLAGS_tls_client_ca))},
       {"backend_tls", TlsMode(absl::GetFlag(FLAGS_backend_tls_ca),
                               absl::GetFlag(FLAGS_backend_tls_cert))}});
  int signal = WaitForShutdownSignal();
  LogInfo("stopping", {{"signal", signal}});
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  (*server)->Wait();
  LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace sgm::gateway

int main(int argc, char** argv) { return sgm::gateway::Run(argc, argv); }
