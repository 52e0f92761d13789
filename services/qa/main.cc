// sgm-qa: quality assurance: themes, audits and moderation, dip samples,
// feedback, actions and their figures.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/logging.h"
#include "common/server_runner.h"
#include "common/service_setup.h"
#include "common/tls_config.h"
#include "grpcpp/grpcpp.h"
#include "services/qa/qa_server.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50055", "gRPC address to serve on");
ABSL_FLAG(std::string, metrics, "0.0.0.0:9465",
          "address of the Prometheus /metrics endpoint; empty disables it");
ABSL_FLAG(std::string, store_path, "",
          "SQLite file of the QA store (required; created when missing)");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379",
          "Redis host:port for cached aggregates; empty runs without a cache");
ABSL_FLAG(std::string, redis_password, "", "Redis AUTH password, if any");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Minutes(10),
          "time-to-live of cached aggregates");
ABSL_FLAG(std::string, kpi_address, "127.0.0.1:50053",
          "host:port of the KPI service, whose cases dip samples are drawn "
          "from; empty: none (CreateDipSample answers UNAVAILABLE)");
ABSL_FLAG(absl::Duration, kpi_deadline, absl::Seconds(5),
          "deadline of each call to the KPI service");
ABSL_FLAG(std::string, kpi_tls_ca, "",
          "PEM CA: when set, the KPI service is called over TLS and its "
          "certificate verified against it");
ABSL_FLAG(std::string, kpi_tls_cert, "",
          "PEM client certificate the QA service presents to the KPI service "
          "(mutual TLS; needs --kpi_tls_ca)");
ABSL_FLAG(std::string, kpi_tls_key, "", "PEM private key of --kpi_tls_cert");
ABSL_FLAG(std::string, kpi_tls_server_name, "",
          "name checked in the KPI service's certificate instead of the host "
          "of --kpi_address");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "time in-flight calls get to finish on SIGTERM");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the gRPC port; with --tls_key, the port "
          "serves TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: when set, callers (the gateway) must present a client "
          "certificate signed by it");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(bool, check_config, false,
          "validate the settings, print 'config ok' and exit");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sgm-qa: %s\n", std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sgm::BlockShutdownSignals();
  sgm::ParseFlagsOrDie(argc, argv,
                       "sgm-qa: quality assurance (themes, audits and "
                       "moderation, dip samples, feedback, actions)");

  sgm::qa::QaServerSettings settings;
  settings.server.service_name = "qa";
  settings.server.listen_address = absl::GetFlag(FLAGS_listen);
  settings.server.metrics_address = absl::GetFlag(FLAGS_metrics);
  settings.store_path = absl::GetFlag(FLAGS_store_path);
  if (settings.store_path.empty()) {
    return Fail(sgm::InvalidSetting("store_path", "required"));
  }
  if (absl::GetFlag(FLAGS_shutdown_grace) < absl::ZeroDuration()) {
    return Fail(sgm::InvalidSetting("shutdown_grace", "must not be negative"));
  }
  sgm::ServerTlsFiles tls;
  tls.cert = absl::GetFlag(FLAGS_tls_cert);
  tls.key = absl::GetFlag(FLAGS_tls_key);
  tls.client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      sgm::MakeServerCredentials(tls);
  if (!credentials.ok()) return Fail(credentials.status());
  settings.server.credentials = *std::move(credentials);
  settings.kpi.address = absl::GetFlag(FLAGS_kpi_address);
  settings.kpi.deadline = absl::GetFlag(FLAGS_kpi_deadline);
  if (!settings.kpi.address.empty()) {
    std::string host;
    int port = 0;
    if (absl::Status s = sgm::ParseHostPort("kpi_address", settings.kpi.address,
                                            &host, &port);
        !s.ok()) {
      return Fail(s);
    }
    if (port == 0) {
      return Fail(sgm::InvalidSetting("kpi_address", "must be host:port"));
    }
  }
  if (settings.kpi.deadline <= absl::ZeroDuration() ||
      settings.kpi.deadline == absl::InfiniteDuration()) {
    return Fail(sgm::InvalidSetting("kpi_deadline",
                                    "must be a positive duration such as 5s"));
  }
  sgm::ClientTlsFiles kpi_tls;
  kpi_tls.ca = absl::GetFlag(FLAGS_kpi_tls_ca);
  kpi_tls.cert = absl::GetFlag(FLAGS_kpi_tls_cert);
  kpi_tls.key = absl::GetFlag(FLAGS_kpi_tls_key);
  kpi_tls.server_name = absl::GetFlag(FLAGS_kpi_tls_server_name);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> kpi_credentials =
      sgm::MakeChannelCredentials(kpi_tls, "kpi_tls");
  if (!kpi_credentials.ok()) return Fail(kpi_credentials.status());
  if (!kpi_tls.ca.empty()) {
    settings.kpi.credentials = *std::move(kpi_credentials);
    settings.kpi.server_name = kpi_tls.server_name;
  }
  if (absl::Status s = sgm::InitLogging("qa", absl::GetFlag(FLAGS_log_level));
      !s.ok()) {
    return Fail(sgm::InvalidSetting("log_level", s.message()));
  }
  sgm::SystemClock clock;
  absl::StatusOr<std::unique_ptr<sgm::AggregateCache>> cache =
      sgm::CacheFromSettings(absl::GetFlag(FLAGS_redis),
                             absl::GetFlag(FLAGS_redis_password),
                             absl::GetFlag(FLAGS_cache_ttl), &clock);
  if (!cache.ok()) return Fail(cache.status());
  if (absl::GetFlag(FLAGS_check_config)) {
    std::printf("config ok\n");
    return 0;
  }

  absl::StatusOr<std::unique_ptr<sgm::qa::QaServer>> server =
      sgm::qa::QaServer::Start(settings, cache->get(), &clock);
  if (!server.ok()) {
    sgm::LogError("start_failed", {{"error", server.status().ToString()}});
    return Fail(server.status());
  }
  sgm::LogInfo("started", {{"port", (*server)->port()},
                           {"tls", tls.cert.empty()        ? "off"
                                   : tls.client_ca.empty() ? "tls"
                                                           : "mtls"},
                           {"kpi", settings.kpi.address.empty() ? "off"
                                   : kpi_tls.ca.empty()         ? "plaintext"
                                   : kpi_tls.cert.empty()       ? "tls"
                                                                : "mtls"}});
  const int signal = sgm::WaitForShutdownSignal();
  sgm::LogInfo("stopping", {{"signal", signal}});
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  sgm::LogInfo("stopped");
  return 0;
}
