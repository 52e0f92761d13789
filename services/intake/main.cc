// sgm-intake: the front-door service (contacts and decisions).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
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
#include "common/server_runner.h"
#include "common/service_setup.h"
#include "common/tls_config.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "services/intake/intake_server.h"
#include "services/intake/referral_quality.h"

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
ABSL_FLAG(std::string, referral_quality_rules, "",
          "file of referral-quality rules ('item=weight', 'threshold=N', "
          "'summary_min_chars=N'; docs/insight.md); empty: the default set");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "time in-flight calls get to finish on SIGTERM");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the gRPC port; with --tls_key, the port "
          "serves TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: when set, callers (the gateway) must present a client "
          "certificate signed by it");
ABSL_FLAG(std::string, kpi_address, "",
          "host:port of the KPI service, which accepted REFERRAL and "
          "STRATEGY_DISCUSSION decisions open referrals in and duplicate "
          "input reads open work from; empty: none (the referrals wait in "
          "the store's outbox; duplicate input is UNAVAILABLE)");
ABSL_FLAG(bool, forward_referrals, true,
          "send accepted referrals to --kpi_address; false: the KPI service "
          "is read for duplicate input only and the referrals wait in the "
          "store's outbox (when the case-management feed already carries "
          "them)");
ABSL_FLAG(absl::Duration, kpi_deadline, absl::Seconds(10),
          "deadline of each call to the KPI service");
ABSL_FLAG(std::string, kpi_tls_ca, "",
          "PEM CA: when set, the KPI service is called over TLS and its "
          "certificate verified against it");
ABSL_FLAG(std::string, kpi_tls_cert, "",
          "PEM client certificate the intake presents to the KPI service "
          "(mutual TLS; needs --kpi_tls_ca)");
ABSL_FLAG(std::string, kpi_tls_key, "", "PEM private key of --kpi_tls_cert");
ABSL_FLAG(std::string, kpi_tls_server_name, "",
          "name checked in the KPI service's certificate instead of the host "
          "of --kpi_address");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(bool, check_config, false,
          "validate the settings, print 'config ok' and exit");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sgm-intake: %s\n",
               std::string(status.message()).c_str());
  return 2;
}

// The referral-quality rules in `path`; the defaults when it is empty.
absl::StatusOr<sgm::intake::ReferralQualityRules> ReferralQualityRulesFrom(
    const std::string& path) {
  if (path.empty()) return sgm::intake::ReferralQualityRules();
  std::ifstream file(path, std::ios::in | std::ios::binary);
  if (!file) {
    const int error = errno;
    return sgm::InvalidSetting(
        "referral_quality_rules",
        absl::StrCat("cannot read ", path, ": ",
                     error != 0 ? std::strerror(error) : "open failed"));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return sgm::InvalidSetting("referral_quality_rules",
                               absl::StrCat("error reading ", path));
  }
  absl::StatusOr<sgm::intake::ReferralQualityRules> rules =
      sgm::intake::ParseReferralQualityRules(text.str());
  if (!rules.ok()) {
    return sgm::InvalidSetting(
        "referral_quality_rules",
        absl::StrCat(path, ": ", rules.status().message()));
  }
  return rules;
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
  absl::StatusOr<sgm::intake::ReferralQualityRules> referral_quality =
      ReferralQualityRulesFrom(absl::GetFlag(FLAGS_referral_quality_rules));
  if (!referral_quality.ok()) return Fail(referral_quality.status());
  settings.referral_quality = *std::move(referral_quality);
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
  settings.kpi.forward_referrals = absl::GetFlag(FLAGS_forward_referrals);
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
                                    "must be a positive duration such as 10s"));
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
  if (absl::Status s =
          sgm::InitLogging("intake", absl::GetFlag(FLAGS_log_level));
      !s.ok()) {
    return Fail(sgm::InvalidSetting("log_level", s.message()));
  }
  absl::StatusOr<sgm::WorkingDayCalendar> calendar =
      sgm::CalendarFromSettings(absl::GetFlag(FLAGS_bank_holidays_override));
  if (!calendar.ok()) return Fail(calendar.status());

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

  absl::StatusOr<std::unique_ptr<sgm::intake::IntakeServer>> server =
      sgm::intake::IntakeServer::Start(settings, *std::move(calendar),
                                       cache->get(), &clock);
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
                                                                : "mtls"},
                           {"forward_referrals",
                            settings.kpi.forward_referrals ? "on" : "off"}});
  const int signal = sgm::WaitForShutdownSignal();
  sgm::LogInfo("stopping", {{"signal", signal}});
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  sgm::LogInfo("stopped");
  return 0;
}
