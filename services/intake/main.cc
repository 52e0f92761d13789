// sgm-intake: the front-door service (contacts and decisions).
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/logging.h"
#include "common/redis_cache.h"
#include "common/server_runner.h"
#include "common/tls_config.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "services/intake/intake_server.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50052", "gRPC address to serve on");
ABSL_FLAG(std::string, metrics, "0.0.0.0:9462",
          "address of the Prometheus /metrics endpoint; empty disables it");
ABSL_FLAG(std::string, store_path, "",
          "SQLite file of the intake store (required; created when missing)");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379",
          "Redis host:port for cached aggregates; empty runs without a cache");
ABSL_FLAG(std::string, redis_password, "", "Redis AUTH password, if any");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Minutes(10),
          "time-to-live of cached aggregates");
ABSL_FLAG(std::string, bank_holidays_override, "",
          "file of bank-holiday changes: '+YYYY-MM-DD name' adds, "
          "'-YYYY-MM-DD' removes");
ABSL_FLAG(int, repeat_min_contacts, 3,
          "front door: contacts about one child within the window that make "
          "a repeat");
ABSL_FLAG(int, repeat_window_days, 365, "front door: repeat window in days");
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
  std::fprintf(stderr, "sgm-intake: %s\n",
               std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sgm::BlockShutdownSignals();
  sgm::ParseFlagsOrDie(argc, argv,
                       "sgm-intake: contacts and decisions at the front door");

  sgm::intake::IntakeSettings settings;
  settings.server.service_name = "intake";
  settings.server.listen_address = absl::GetFlag(FLAGS_listen);
  settings.server.metrics_address = absl::GetFlag(FLAGS_metrics);
  settings.store_path = absl::GetFlag(FLAGS_store_path);
  settings.front_door.repeat_min_contacts =
      absl::GetFlag(FLAGS_repeat_min_contacts);
  settings.front_door.repeat_window_days =
      absl::GetFlag(FLAGS_repeat_window_days);
  if (settings.store_path.empty()) {
    return Fail(sgm::InvalidSetting("store_path", "required"));
  }
  if (settings.front_door.repeat_min_contacts < 2) {
    return Fail(sgm::InvalidSetting("repeat_min_contacts", "must be >= 2"));
  }
  if (settings.front_door.repeat_window_days < 1) {
    return Fail(sgm::InvalidSetting("repeat_window_days", "must be >= 1"));
  }
  sgm::ServerTlsFiles tls;
  tls.cert = absl::GetFlag(FLAGS_tls_cert);
  tls.key = absl::GetFlag(FLAGS_tls_key);
  tls.client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      sgm::MakeServerCredentials(tls);
  if (!credentials.ok()) return Fail(credentials.status());
  settings.server.credentials = *std::move(credentials);
  if (absl::Status s =
          sgm::InitLogging("intake", absl::GetFlag(FLAGS_log_level));
      !s.ok()) {
    return Fail(sgm::InvalidSetting("log_level", s.message()));
  }
  const std::string override_file = absl::GetFlag(FLAGS_bank_holidays_override);
  absl::StatusOr<sgm::WorkingDayCalendar> calendar =
      override_file.empty()
          ? sgm::WorkingDayCalendar::EnglandAndWales()
          : sgm::WorkingDayCalendar::EnglandAndWalesWithOverrideFile(
                override_file);
  if (!calendar.ok()) {
    return Fail(sgm::InvalidSetting("bank_holidays_override",
                                    calendar.status().message()));
  }

  sgm::SystemClock clock;
  std::unique_ptr<sgm::AggregateCache> cache;
  const std::string redis = absl::GetFlag(FLAGS_redis);
  if (redis.empty()) {
    cache = std::make_unique<sgm::NoCache>();
  } else {
    sgm::RedisCache::Options options;
    if (absl::Status s =
            sgm::ParseHostPort("redis", redis, &options.host, &options.port);
        !s.ok()) {
      return Fail(s);
    }
    if (options.port == 0) {
      return Fail(sgm::InvalidSetting("redis", "must be host:port"));
    }
    options.password = absl::GetFlag(FLAGS_redis_password);
    options.ttl = absl::GetFlag(FLAGS_cache_ttl);
    cache = std::make_unique<sgm::RedisCache>(options, &clock);
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    std::printf("config ok\n");
    return 0;
  }

  absl::StatusOr<std::unique_ptr<sgm::intake::IntakeServer>> server =
      sgm::intake::IntakeServer::Start(settings, *std::move(calendar),
                                       cache.get(), &clock);
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
