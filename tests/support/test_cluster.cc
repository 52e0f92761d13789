#include "tests/support/test_cluster.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/redis_cache.h"
#include "common/status_macros.h"
#include "common/tls_config.h"
#include "common/working_day_calendar.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/token_authenticator.h"
#include "services/intake/intake_server.h"
#include "services/kpi/kpi_reference.h"
#include "services/kpi/kpi_server.h"
#include "services/qa/qa_server.h"
#include "services/workforce/workforce_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"

namespace sgm::testing {

struct TestCluster::Impl {
  SystemClock cache_clock;  // the breaker runs on real time
  std::unique_ptr<AggregateCache> cache;
  std::unique_ptr<intake::IntakeServer> intake;
  std::unique_ptr<kpi::KpiServer> kpi;
  int kpi_port = 0;
  std::unique_ptr<workforce::WorkforceServer> workforce;
  int workforce_port = 0;
  std::unique_ptr<qa::QaServer> qa;
  int qa_port = 0;
  std::unique_ptr<gateway::GatewayServer> gateway;
  int intake_port = 0;
  std::shared_ptr<grpc::Channel> channel;
  // Set when Options::tls.
  std::unique_ptr<TestCertificates> certificates;
};

TestCluster::TestCluster(Options options)
    : options_(options),
      clock_(options.start_time),
      dir_(std::make_unique<TempDir>("sgm-cluster")),
      impl_(std::make_unique<Impl>()) {}

TestCluster::~TestCluster() {
  if (impl_->gateway) impl_->gateway->Shutdown(absl::ZeroDuration());
  StopIntake();
  StopWorkforce();
  StopQa();
  StopKpi();
}

const std::string& TestCluster::dir() const { return dir_->path(); }

const TestCertificates* TestCluster::certificates() const {
  return impl_->certificates.get();
}

namespace {

std::string TokenLine(absl::string_view token, absl::string_view role,
                      absl::string_view authority, absl::string_view name,
                      absl::string_view agency = "") {
  return absl::StrCat(gateway::TokenAuthenticator::HashToken(token), " ", role,
                      " ", authority, " ", name, agency.empty() ? "" : " ",
                      agency, "\n");
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestCluster>> TestCluster::Start(
    Options options) {
  std::unique_ptr<TestCluster> cluster(new TestCluster(options));
  Impl& impl = *cluster->impl_;
  if (options.with_redis) {
    SGM_ASSIGN_OR_RETURN(cluster->redis_,
                         RedisServerProcess::Start(cluster->dir_->path()));
    RedisCache::Options cache_options;
    cache_options.port = cluster->redis_->port();
    cache_options.breaker_open_for = absl::Milliseconds(200);
    impl.cache = std::make_unique<RedisCache>(cache_options, &impl.cache_clock);
  } else {
    impl.cache = std::make_unique<NoCache>();
  }
  if (options.tls) {
    SGM_ASSIGN_OR_RETURN(TestCertificates certificates,
                         MakeTestCertificates(*cluster->dir_));
    impl.certificates =
        std::make_unique<TestCertificates>(std::move(certificates));
  }
  SGM_RETURN_IF_ERROR(cluster->RestartKpi());
  SGM_RETURN_IF_ERROR(cluster->RestartIntake());
  SGM_RETURN_IF_ERROR(cluster->RestartWorkforce());
  SGM_RETURN_IF_ERROR(cluster->RestartQa());

  const std::string tokens = absl::StrCat(
      TokenLine(kAdminToken, "admin", "831", "test-admin"),
      TokenLine(kManagerToken, "manager", "831", "test-manager"),
      TokenLine(kPractitionerToken, "practitioner", "831", "test-practitioner"),
      TokenLine(kAnalystToken, "analyst", "831", "test-analyst"),
      TokenLine(kPartnerToken, "partner", "831", "test-police", "POLICE"),
      TokenLine(kOtherAuthorityToken, "practitioner", "892",
                "test-practitioner-892"));
  SGM_ASSIGN_OR_RETURN(auto authenticator,
                       gateway::TokenAuthenticator::FromText(tokens));
  gateway::GatewaySettings settings;
  settings.server.service_name = "gateway";
  settings.server.listen_address = "127.0.0.1:0";
  if (options.http) settings.http_listen_address = "127.0.0.1:0";
  settings.rate_limit_per_second = options.rate_limit_per_second;
  settings.rate_limit_burst = options.rate_limit_burst;
  settings.outward_facing = options.outward_facing;
  settings.backends["sgm.intake.v1"] =
      absl::StrCat("127.0.0.1:", impl.intake_port);
  settings.backends["sgm.kpi.v1"] = absl::StrCat("127.0.0.1:", impl.kpi_port);
  settings.backends["sgm.workforce.v1"] =
      absl::StrCat("127.0.0.1:", impl.workforce_port);
  settings.backends["sgm.qa.v1"] = absl::StrCat("127.0.0.1:", impl.qa_port);
  std::shared_ptr<grpc::ChannelCredentials> client_credentials =
      grpc::InsecureChannelCredentials();
  if (impl.certificates != nullptr) {
    const TestCertificates& files = *impl.certificates;
    SGM_ASSIGN_OR_RETURN(settings.server.credentials,
                         MakeServerCredentials(ServerTlsFiles{
                             files.server_cert, files.server_key, ""}));
    SGM_ASSIGN_OR_RETURN(
        settings.backend_credentials,
        MakeChannelCredentials(ClientTlsFiles{files.ca_cert, files.client_cert,
                                              files.client_key, ""},
                               "backend_tls"));
    SGM_ASSIGN_OR_RETURN(client_credentials,
                         MakeChannelCredentials(
                             ClientTlsFiles{files.ca_cert, "", "", ""}, "tls"));
  }
  // The gateway reads the services' generations and caches its reports in
  // the same Redis, and takes its default report month from the cluster's
  // clock.
  SGM_ASSIGN_OR_RETURN(impl.gateway, gateway::GatewayServer::Start(
                                         settings, std::move(authenticator),
                                         impl.cache.get(), &cluster->clock_));
  impl.channel =
      grpc::CreateChannel(cluster->gateway_address(), client_credentials);
  return cluster;
}

int TestCluster::http_port() const {
  return impl_->gateway != nullptr ? impl_->gateway->http_port() : 0;
}

std::string TestCluster::gateway_address() const {
  return absl::StrCat("127.0.0.1:", impl_->gateway->port());
}

std::shared_ptr<grpc::Channel> TestCluster::gateway_channel() {
  return impl_->channel;
}

std::string TestCluster::intake_address() const {
  return absl::StrCat("127.0.0.1:", impl_->intake_port);
}

std::string TestCluster::kpi_address() const {
  return absl::StrCat("127.0.0.1:", impl_->kpi_port);
}

std::string TestCluster::workforce_address() const {
  return absl::StrCat("127.0.0.1:", impl_->workforce_port);
}

std::string TestCluster::qa_address() const {
  return absl::StrCat("127.0.0.1:", impl_->qa_port);
}

workforce::WorkforceServiceImpl* TestCluster::workforce_service() {
  return impl_->workforce ? impl_->workforce->service() : nullptr;
}

qa::QaServiceImpl* TestCluster::qa_service() {
  return impl_->qa ? impl_->qa->service() : nullptr;
}

kpi::KpiServiceImpl* TestCluster::kpi_service() {
  return impl_->kpi ? impl_->kpi->service() : nullptr;
}

std::unique_ptr<grpc::ClientContext> TestCluster::ContextFor(
    absl::string_view token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

void TestCluster::StopIntake() {
  if (impl_->intake) {
    impl_->intake->Shutdown(absl::ZeroDuration());
    impl_->intake.reset();
  }
}

absl::Status TestCluster::RestartIntake() {
  StopIntake();
  SGM_ASSIGN_OR_RETURN(WorkingDayCalendar calendar,
                       WorkingDayCalendar::EnglandAndWales());
  intake::IntakeSettings settings;
  settings.server.service_name = "intake";
  settings.server.listen_address =
      absl::StrCat("127.0.0.1:", impl_->intake_port);
  settings.store_path = dir_->File("intake.db");
  // Referrals go to the cluster's KPI service (started first).
  settings.kpi.address = absl::StrCat("127.0.0.1:", impl_->kpi_port);
  settings.kpi.forward_referrals = options_.intake_forwards_referrals;
  if (impl_->certificates != nullptr) {
    const TestCertificates& files = *impl_->certificates;
    SGM_ASSIGN_OR_RETURN(
        settings.server.credentials,
        MakeServerCredentials(ServerTlsFiles{files.server_cert,
                                             files.server_key, files.ca_cert}));
    SGM_ASSIGN_OR_RETURN(
        settings.kpi.credentials,
        MakeChannelCredentials(ClientTlsFiles{files.ca_cert, files.client_cert,
                                              files.client_key, ""},
                               "kpi_tls"));
  }
  SGM_ASSIGN_OR_RETURN(
      impl_->intake, intake::IntakeServer::Start(settings, std::move(calendar),
                                                 impl_->cache.get(), &clock_));
  impl_->intake_port = impl_->intake->port();
  return absl::OkStatus();
}

void TestCluster::StopKpi() {
  if (impl_->kpi) {
    impl_->kpi->Shutdown(absl::ZeroDuration());
    impl_->kpi.reset();
  }
}

absl::Status TestCluster::RestartKpi() {
  StopKpi();
  SGM_ASSIGN_OR_RETURN(WorkingDayCalendar calendar,
                       WorkingDayCalendar::EnglandAndWales());
  kpi::KpiReference reference;
  if (!options_.kpi_reference_json.empty()) {
    SGM_ASSIGN_OR_RETURN(reference,
                         kpi::KpiReference::Parse(options_.kpi_reference_json,
                                                  "test reference data"));
  }
  kpi::KpiSettings settings;
  settings.server.service_name = "kpi";
  settings.server.listen_address = absl::StrCat("127.0.0.1:", impl_->kpi_port);
  settings.store_path = dir_->File("kpi.db");
  if (impl_->certificates != nullptr) {
    const TestCertificates& files = *impl_->certificates;
    SGM_ASSIGN_OR_RETURN(
        settings.server.credentials,
        MakeServerCredentials(ServerTlsFiles{files.server_cert,
                                             files.server_key, files.ca_cert}));
  }
  SGM_ASSIGN_OR_RETURN(
      impl_->kpi,
      kpi::KpiServer::Start(settings, std::move(calendar), std::move(reference),
                            impl_->cache.get(), &clock_));
  impl_->kpi_port = impl_->kpi->port();
  return absl::OkStatus();
}

void TestCluster::StopWorkforce() {
  if (impl_->workforce) {
    impl_->workforce->Shutdown(absl::ZeroDuration());
    impl_->workforce.reset();
  }
}

absl::Status TestCluster::RestartWorkforce() {
  StopWorkforce();
  SGM_ASSIGN_OR_RETURN(WorkingDayCalendar calendar,
                       WorkingDayCalendar::EnglandAndWales());
  workforce::WorkforceServerSettings settings;
  settings.server.service_name = "workforce";
  settings.server.listen_address =
      absl::StrCat("127.0.0.1:", impl_->workforce_port);
  settings.store_path = dir_->File("workforce.db");
  // Caseloads come from the cluster's KPI service (started first); a short
  // deadline keeps the tests with the KPI service stopped quick.
  settings.kpi.address = absl::StrCat("127.0.0.1:", impl_->kpi_port);
  settings.kpi.deadline = absl::Seconds(2);
  if (impl_->certificates != nullptr) {
    const TestCertificates& files = *impl_->certificates;
    SGM_ASSIGN_OR_RETURN(
        settings.server.credentials,
        MakeServerCredentials(ServerTlsFiles{files.server_cert,
                                             files.server_key, files.ca_cert}));
    SGM_ASSIGN_OR_RETURN(
        settings.kpi.credentials,
        MakeChannelCredentials(ClientTlsFiles{files.ca_cert, files.client_cert,
                                              files.client_key, ""},
                               "kpi_tls"));
  }
  SGM_ASSIGN_OR_RETURN(impl_->workforce, workforce::WorkforceServer::Start(
                                             settings, std::move(calendar),
                                             impl_->cache.get(), &clock_));
  impl_->workforce_port = impl_->workforce->port();
  return absl::OkStatus();
}

void TestCluster::StopQa() {
  if (impl_->qa) {
    impl_->qa->Shutdown(absl::ZeroDuration());
    impl_->qa.reset();
  }
}

absl::Status TestCluster::RestartQa() {
  StopQa();
  qa::QaServerSettings settings;
  settings.server.service_name = "qa";
  settings.server.listen_address = absl::StrCat("127.0.0.1:", impl_->qa_port);
  settings.store_path = dir_->File("qa.db");
  // Dip samples are drawn from the cluster's KPI service (started first); a
  // short deadline keeps the tests with the KPI service stopped quick.
  settings.kpi.address = absl::StrCat("127.0.0.1:", impl_->kpi_port);
  settings.kpi.deadline = absl::Seconds(2);
  if (impl_->certificates != nullptr) {
    const TestCertificates& files = *impl_->certificates;
    SGM_ASSIGN_OR_RETURN(
        settings.server.credentials,
        MakeServerCredentials(ServerTlsFiles{files.server_cert,
                                             files.server_key, files.ca_cert}));
    SGM_ASSIGN_OR_RETURN(
        settings.kpi.credentials,
        MakeChannelCredentials(ClientTlsFiles{files.ca_cert, files.client_cert,
                                              files.client_key, ""},
                               "kpi_tls"));
  }
  SGM_ASSIGN_OR_RETURN(
      impl_->qa, qa::QaServer::Start(settings, impl_->cache.get(), &clock_));
  impl_->qa_port = impl_->qa->port();
  return absl::OkStatus();
}

}  // namespace sgm::testing
