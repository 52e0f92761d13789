// In-process services on free loopback ports for integration tests: a real
// redis-server, real SQLite files in a temporary directory, the intake, KPI,
// workforce and QA services and the gateway (port 0), and tokens for every
// role. The gateway shares the services' cache and clock.
#ifndef SGM_TESTS_SUPPORT_TEST_CLUSTER_H_
#define SGM_TESTS_SUPPORT_TEST_CLUSTER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"

namespace sgm::kpi {
class KpiServiceImpl;
}  // namespace sgm::kpi

namespace sgm::workforce {
class WorkforceServiceImpl;
}  // namespace sgm::workforce

namespace sgm::qa {
class QaServiceImpl;
}  // namespace sgm::qa

namespace sgm::testing {

class RedisServerProcess;
class TempDir;
struct TestCertificates;

// Tokens the cluster's gateway accepts (authority "831").
inline constexpr absl::string_view kAdminToken = "test-admin-token";
inline constexpr absl::string_view kManagerToken = "test-manager-token";
inline constexpr absl::string_view kPractitionerToken = "test-practitioner";
inline constexpr absl::string_view kAnalystToken = "test-analyst-token";
// A partner of agency "POLICE".
inline constexpr absl::string_view kPartnerToken = "test-partner-police";
// A practitioner of another authority ("892").
inline constexpr absl::string_view kOtherAuthorityToken =
    "test-practitioner-892";

class TestCluster {
 public:
  struct Options {
    bool with_redis = true;
    // TLS on the gateway's port, and mutual TLS from the gateway to the
    // backends and between them (intake, workforce and QA -> KPI; each
    // backend requires a client certificate), with certificates from a
    // test CA under dir(). gateway_channel() then verifies the gateway
    // with that CA; the backends take no plaintext calls.
    bool tls = false;
    // The clock the services see; default 2024-06-15 12:00 UTC.
    absl::Time start_time = absl::FromUnixSeconds(1718452800);
    // The KPI service's reference data as JSON (KpiReference::Parse);
    // empty: the built-in defaults.
    std::string kpi_reference_json;
    // The gateway's HTTP side on a free loopback port (http_port()).
    bool http = false;
    // The gateway's per-caller rate limit; 0 (the tests' default): none.
    double rate_limit_per_second = 0;
    int rate_limit_burst = 1;
    // An outward-facing gateway: counts from 1 to 4 are withheld.
    bool outward_facing = false;
    // false: intake reads open work from the KPI service but does not send
    // it referrals (--forward_referrals=false).
    bool intake_forwards_referrals = true;
  };
  static absl::StatusOr<std::unique_ptr<TestCluster>> Start(Options options);
  static absl::StatusOr<std::unique_ptr<TestCluster>> Start() {
    return Start(Options());
  }
  ~TestCluster();

  std::string gateway_address() const;
  // The gateway's HTTP port when Options::http, else 0.
  int http_port() const;
  // Over TLS (verifying the gateway with the test CA) when Options::tls.
  std::shared_ptr<grpc::Channel> gateway_channel();
  std::string intake_address() const;
  std::string kpi_address() const;
  std::string workforce_address() const;
  std::string qa_address() const;
  // A context with "authorization: Bearer <token>" and a 30 s deadline.
  static std::unique_ptr<grpc::ClientContext> ContextFor(
      absl::string_view token);

  ManualClock& clock() { return clock_; }
  RedisServerProcess* redis() { return redis_.get(); }
  const std::string& dir() const;
  // The test CA's files when Options::tls, else null.
  const TestCertificates* certificates() const;

  // Stops the intake service and starts it again on the same store and
  // port (a cold start: nothing in memory survives).
  absl::Status RestartIntake();
  void StopIntake();
  // The same for the KPI service.
  absl::Status RestartKpi();
  void StopKpi();
  // The running KPI service's handlers (null while stopped).
  kpi::KpiServiceImpl* kpi_service();
  // The same for the workforce service, which reads caseloads from the
  // cluster's KPI service.
  absl::Status RestartWorkforce();
  void StopWorkforce();
  workforce::WorkforceServiceImpl* workforce_service();
  // The same for the QA service, which draws dip samples from the cluster's
  // KPI service.
  absl::Status RestartQa();
  void StopQa();
  qa::QaServiceImpl* qa_service();

 private:
  TestCluster(Options options);
  struct Impl;
  Options options_;
  ManualClock clock_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<RedisServerProcess> redis_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_TEST_CLUSTER_H_
