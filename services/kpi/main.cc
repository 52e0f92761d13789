// sgm-kpi: case activity and the statutory indicators.
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
#include "services/kpi/kpi_reference.h"
#include "services/kpi/kpi_server.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50053", "gRPC address to serve on");
ABSL_FLAG(std::string, metrics, "0.0.0.0:9463",
          "address of the Prometheus /metrics endpoint; empty disables it");
ABSL_FLAG(std::string, store_path, "",
          "SQLite file of the KPI store (required; created when missing)");
ABSL_FLAG(std::string, reference_data, "",
          "JSON file of per-authority targets, comparators, population and "
          "rule settings (see data/kpi-reference.json); empty uses the "
          "built-in defaults");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379",
          "Redis host:port for cached aggregates; empty runs without a cache");
ABSL_FLAG(std::string, redis_password, "", "Redis AUTH password, if any");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Minutes(10),
          "time-to-live of cached aggregates");
ABSL_FLAG(std::string, bank_holidays_override, "",
          "file of bank-holiday changes: '+YYYY-MM-DD name' adds, "
          "'-YYYY-MM-DD' removes");
ABSL_FLAG(int, timelines_kept, 4,
          "authorities whose case timelines are kept in memory between reads");
ABSL_FLAG(int, flow_gap_days, 7,
          "service-level flows: the longest run of days at no level of "
          "service between two levels that still counts as a direct move "
          "(0 to 365; 0 bridges nothing)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "time in-flight calls get to finish on SIGTERM");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the gRPC port; with --tls_key, the port "
          "serves TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: when set, callers (the gateway, intake) must present a "
          "client certificate signed by it");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(bool, check_config, false,
          "validate the settings, print 'config ok' and exit");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sgm-kpi: %s\n", std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sgm::BlockShutdownSignals();
  sgm::ParseFlagsOrDie(argc, argv,
                       "sgm-kpi: case activity and the statutory indicators");

  sgm::kpi::KpiSettings settings;
  settings.server.service_name = "kpi";
  settings.server.listen_address = absl::GetFlag(FLAGS_listen);
  settings.server.metrics_address = absl::GetFlag(FLAGS_metrics);
  settings.store_path = absl::GetFlag(FLAGS_store_path);
  settings.timelines_kept = absl::GetFlag(FLAGS_timelines_kept);
  if (settings.store_path.empty()) {
    return Fail(sgm::InvalidSetting("store_path", "required"));
  }
  if (settings.timelines_kept < 1 || settings.timelines_kept > 1000) {
    return Fail(sgm::InvalidSetting("timelines_kept", "must be 1 to 1000"));
  }
  settings.flow_gap_days = absl::GetFlag(FLAGS_flow_gap_days);
  if (settings.flow_gap_days < 0 || settings.flow_gap_days > 365) {
    return Fail(sgm::InvalidSetting("flow_gap_days", "must be 0 to 365"));
  }
  sgm::ServerTlsFiles tls;
  tls.cert = absl::GetFlag(FLAGS_tls_cert);
  tls.key = absl::GetFlag(FLAGS_tls_key);
  tls.client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      sgm::MakeServerCredentials(tls);
  if (!credentials.ok()) return Fail(credentials.status());
  settings.server.credentials = *std::move(credentials);
  if (absl::Status s = sgm::InitLogging("kpi", absl::GetFlag(FLAGS_log_level));
      !s.ok()) {
    return Fail(sgm::InvalidSetting("log_level", s.message()));
  }
  absl::StatusOr<sgm::WorkingDayCalendar> calendar =
      sgm::CalendarFromSettings(absl::GetFlag(FLAGS_bank_holidays_override));
  if (!calendar.ok()) return Fail(calendar.status());
  const std::string reference_file = absl::GetFlag(FLAGS_reference_data);
  absl::StatusOr<sgm::kpi::KpiReference> reference =
      reference_file.empty() ? sgm::kpi::KpiReference()
                             : sgm::kpi::KpiReference::Load(reference_file);
  if (!reference.ok()) {
    return Fail(
        sgm::InvalidSetting("reference_data", reference.status().message()));
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

  absl::StatusOr<std::unique_ptr<sgm::kpi::KpiServer>> server =
      sgm::kpi::KpiServer::Start(settings, *std::move(calendar),
                                 *std::move(reference), cache->get(), &clock);
  if (!server.ok()) {
    sgm::LogError("start_failed", {{"error", server.status().ToString()}});
    return Fail(server.status());
  }
  sgm::LogInfo("started", {{"port", (*server)->port()},
                           {"tls", tls.cert.empty()        ? "off"
                                   : tls.client_ca.empty() ? "tls"
                                                           : "mtls"}});
  const int signal = sgm::WaitForShutdownSignal();
  sgm::LogInfo("stopping", {{"signal", signal}});
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  sgm::LogInfo("stopped");
  return 0;
}
