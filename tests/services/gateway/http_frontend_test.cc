// The gateway's HTTP side end to end: a TestCluster with the HTTP port on,
// called with httplib::Client. JSON answers are the gRPC answers, the role
// rules and errors are the gRPC ones mapped to HTTP statuses, the assets
// and the report fragment are served with the security headers.
#include "services/gateway/http_frontend.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server_runner.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TestCluster;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;

// May 2024: 4 contacts, 3 decided, 1 of them REFERRAL (progressed); May
// 2023: 2 contacts.
constexpr char kContacts[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n"
    "Y1,2023-05-10T09:00:00+01:00,CH9,,6,N1,,,\n"
    "Y2,2023-05-11T09:00:00+01:00,CH8,,6,N1,,,\n"
    "M1,2024-05-02T09:00:00+01:00,CH1,2015-02-01,6,N1,,,\n"
    "M2,2024-05-03T09:00:00+01:00,CH2,,6,N1,,,\n"
    "M3,2024-05-20T09:00:00+01:00,CH3,,2A,N6,,,\n"
    "M4,2024-05-21T09:00:00+01:00,CH1,,3A,N3,,,\n";

constexpr char kDecisions[] =
    "contact_ref,decided_at,outcome,decided_by\n"
    "POLICE:M1,2024-05-02T15:00:00+01:00,REFERRAL,W1\n"
    "POLICE:M2,2024-05-07T10:00:00+01:00,NFA,W1\n"
    "POLICE:M3,2024-05-21T10:00:00+01:00,ADVICE,W1\n";

constexpr char kReportPath[] =
    "/api/v1/sgm.gateway.v1.GatewayService/GetPracticeReport";
constexpr char kFiguresPath[] =
    "/api/v1/sgm.intake.v1.IntakeService/GetFrontDoorFigures";
constexpr char kMay2024[] = R"({"month": {"year": 2024, "month": 5}})";

httplib::Headers Bearer(absl::string_view token) {
  return {{"Authorization", absl::StrCat("Bearer ", token)}};
}

void ExpectSecurityHeaders(const httplib::Result& result) {
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_THAT(result->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'self'"));
  EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(result->get_header_value("Referrer-Policy"), "no-referrer");
}

// The JSON error body's "status" ("UNAUTHENTICATED").
std::string ErrorStatus(const httplib::Result& result) {
  nlohmann::json body = nlohmann::json::parse(result->body, nullptr, false);
  if (!body.is_object() || !body.contains("status")) return "(not JSON)";
  return body["status"].get<std::string>();
}

class HttpFrontendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestCluster::Options options;
    options.http = true;
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    ASSERT_GT(cluster_->http_port(), 0);
    client_ =
        std::make_unique<httplib::Client>("127.0.0.1", cluster_->http_port());
    client_->set_read_timeout(30, 0);
    auto channel = cluster_->gateway_channel();
    gateway_ = gv1::GatewayService::NewStub(channel);
    intake_ = iv1::IntakeService::NewStub(channel);
    kpi_ = kv1::KpiService::NewStub(channel);
  }

  // The contacts through the JSON API (a client-streaming call: two stream
  // messages), the decisions over gRPC; then waits for M1's referral to
  // reach the KPI service, so every later read sees the same data.
  void Seed() {
    const std::string feed(kContacts);
    const size_t half = feed.size() / 2;
    nlohmann::json body = {
        {"requests",
         {{{"agency", "POLICE"},
           {"chunk",
            {{"format", "FEED_FORMAT_CSV"},
             {"data", absl::Base64Escape(feed.substr(0, half))}}}},
          {{"chunk", {{"data", absl::Base64Escape(feed.substr(half))}}}}}}};
    auto result = client_->Post(
        "/api/v1/sgm.intake.v1.IntakeService/ImportContacts",
        Bearer(testing::kPractitionerToken), body.dump(), "application/json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    iv1::ImportContactsResponse contacts;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(result->body, &contacts)
            .ok());
    ASSERT_EQ(contacts.summary().accepted(), 6) << result->body;

    iv1::ImportDecisionsResponse decisions;
    ASSERT_TRUE(testing::SendDecisions(
                    *intake_,
                    TestCluster::ContextFor(testing::kPractitionerToken).get(),
                    kDecisions, &decisions)
                    .ok());
    ASSERT_EQ(decisions.summary().accepted(), 3);
    const absl::Time until = absl::Now() + absl::Seconds(20);
    int64_t referrals = 0;
    while (absl::Now() < until && referrals < 1) {
      kv1::GetCaseStatusRequest request;
      request.mutable_month()->set_year(2024);
      request.mutable_month()->set_month(5);
      kv1::GetCaseStatusResponse response;
      if (kpi_->GetCaseStatus(
                  TestCluster::ContextFor(testing::kAnalystToken).get(),
                  request, &response)
              .ok()) {
        referrals = response.status().referrals();
      }
      if (referrals < 1) absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(referrals, 1) << "intake did not open M1's referral";
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<httplib::Client> client_;
  std::unique_ptr<gv1::GatewayService::Stub> gateway_;
  std::unique_ptr<iv1::IntakeService::Stub> intake_;
  std::unique_ptr<kv1::KpiService::Stub> kpi_;
};

TEST_F(HttpFrontendTest, HealthzAndReadyz) {
  auto health = client_->Get("/healthz");
  ExpectSecurityHeaders(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  auto ready = client_->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
}

TEST_F(HttpFrontendTest, ReportJsonIsTheGrpcAnswer) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  // An analyst may read the report (aggregates only), as over gRPC.
  auto result = client_->Post(kReportPath, Bearer(testing::kAnalystToken),
                              kMay2024, "application/json");
  ExpectSecurityHeaders(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Cache-Control"), "no-store");
  EXPECT_THAT(result->get_header_value("Content-Type"),
              StartsWith("application/json"));
  gv1::GetPracticeReportResponse over_http;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(result->body, &over_http)
          .ok());

  gv1::GetPracticeReportRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  gv1::GetPracticeReportResponse over_grpc;
  ASSERT_TRUE(gateway_
                  ->GetPracticeReport(
                      TestCluster::ContextFor(testing::kAnalystToken).get(),
                      request, &over_grpc)
                  .ok());
  MessageDifferencer differencer;
  differencer.IgnoreField(
      gv1::PracticeReport::descriptor()->FindFieldByName("composed_at"));
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(over_http, over_grpc)) << differences;
  // And the figures are the seeded ones: 3 of May's contacts decided, one
  // of them a referral.
  EXPECT_EQ(over_http.report().front_door().figures().decided(), 3);
  EXPECT_EQ(over_http.report().front_door().figures().progressed(), 1);
}

TEST_F(HttpFrontendTest, BackendAggregateOverJson) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  auto result = client_->Post(kFiguresPath, Bearer(testing::kAnalystToken),
                              kMay2024, "application/json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  iv1::GetFrontDoorFiguresResponse over_http;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(result->body, &over_http)
          .ok());
  // Hand-worked: 3 decided, 1 progressed = 33.3%.
  EXPECT_EQ(over_http.figures().decided(), 3);
  EXPECT_EQ(over_http.figures().progressed(), 1);
  EXPECT_DOUBLE_EQ(over_http.figures().progressed_percent(), 33.3);
  // lowerCamelCase names, int64 as strings.
  EXPECT_THAT(result->body, HasSubstr(R"("progressedPercent":33.3)"));
  EXPECT_THAT(result->body, HasSubstr(R"("decided":"3")"));

  iv1::GetFrontDoorFiguresRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  iv1::GetFrontDoorFiguresResponse over_grpc;
  ASSERT_TRUE(intake_
                  ->GetFrontDoorFigures(
                      TestCluster::ContextFor(testing::kAnalystToken).get(),
                      request, &over_grpc)
                  .ok());
  EXPECT_TRUE(MessageDifferencer::Equals(over_http, over_grpc));
}

TEST_F(HttpFrontendTest, GetWithoutBodyIsAnEmptyRequest) {
  auto result = client_->Get("/api/v1/sgm.gateway.v1.GatewayService/WhoAmI",
                             Bearer(testing::kAnalystToken));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  gv1::WhoAmIResponse me;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(result->body, &me).ok());
  EXPECT_EQ(me.role(), gv1::ROLE_ANALYST);
  EXPECT_EQ(me.authority(), "831");
}

TEST_F(HttpFrontendTest, NoTokenIsUnauthorized) {
  auto result = client_->Post(kFiguresPath, kMay2024, "application/json");
  ExpectSecurityHeaders(result);
  EXPECT_EQ(result->status, 401) << result->body;
  EXPECT_EQ(ErrorStatus(result), "UNAUTHENTICATED");
  auto wrong = client_->Post(kFiguresPath, Bearer("not-a-token"), kMay2024,
                             "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401) << wrong->body;
  // A header no token could be (httplib decodes %01 to a control byte,
  // which gRPC metadata may not carry): 401, on the API and the report,
  // and the gateway keeps serving.
  for (const char* path : {kFiguresPath, "/report"}) {
    auto control =
        std::string(path) == "/report"
            ? client_->Get(path, Bearer("%01"))
            : client_->Post(path, Bearer("%01"), kMay2024, "application/json");
    ASSERT_TRUE(control) << path;
    EXPECT_EQ(control->status, 401) << path << " " << control->body;
  }
  auto still = client_->Post(kFiguresPath, Bearer(testing::kAnalystToken),
                             kMay2024, "application/json");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200) << still->body;
}

TEST_F(HttpFrontendTest, AnalystOnChildLevelListIsForbidden) {
  const char* path = "/api/v1/sgm.intake.v1.IntakeService/ListContacts";
  auto analyst = client_->Post(path, Bearer(testing::kAnalystToken), "{}",
                               "application/json");
  ASSERT_TRUE(analyst);
  EXPECT_EQ(analyst->status, 403) << analyst->body;
  EXPECT_EQ(ErrorStatus(analyst), "PERMISSION_DENIED");
  nlohmann::json body = nlohmann::json::parse(analyst->body);
  EXPECT_EQ(body["code"], 7);  // grpc PERMISSION_DENIED
  // The same call is open to a practitioner.
  auto practitioner = client_->Post(path, Bearer(testing::kPractitionerToken),
                                    "{}", "application/json");
  ASSERT_TRUE(practitioner);
  EXPECT_EQ(practitioner->status, 200) << practitioner->body;
}

TEST_F(HttpFrontendTest, BadJsonIsBadRequestNamingTheField) {
  auto result =
      client_->Post(kFiguresPath, Bearer(testing::kAnalystToken),
                    R"({"month": {"yaer": 2024}})", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400) << result->body;
  EXPECT_EQ(ErrorStatus(result), "INVALID_ARGUMENT");
  EXPECT_THAT(result->body, HasSubstr("yaer"));
  EXPECT_EQ(result->get_header_value("Cache-Control"), "no-store");
}

TEST_F(HttpFrontendTest, UnknownMethodOrServiceIsNotFound) {
  for (const char* path : {"/api/v1/sgm.intake.v1.IntakeService/DropEverything",
                           "/api/v1/sgm.nothing.v1.Nope/Get",
                           "/api/v1/grpc.health.v1.Health/Check"}) {
    auto result = client_->Post(path, Bearer(testing::kAdminToken), "{}",
                                "application/json");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 404) << path << ": " << result->body;
    EXPECT_EQ(ErrorStatus(result), "NOT_FOUND") << path;
  }
}

TEST_F(HttpFrontendTest, TooLargeBodyIs413) {
  std::string body(17 << 20, ' ');
  auto result = client_->Post(kFiguresPath, Bearer(testing::kAnalystToken),
                              body, "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
}

TEST_F(HttpFrontendTest, DashboardAndAssets) {
  auto page = client_->Get("/");
  ExpectSecurityHeaders(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), StartsWith("text/html"));
  EXPECT_THAT(page->body, HasSubstr("/assets/dashboard.js"));
  EXPECT_THAT(page->body, HasSubstr("/assets/chart.umd.js"));
  // No inline script: the CSP would block it.
  EXPECT_THAT(page->body, ::testing::Not(HasSubstr("<script>")));

  struct Expected {
    const char* path;
    const char* type;
  };
  for (const Expected& expected :
       {Expected{"/assets/dashboard.js", "text/javascript"},
        Expected{"/assets/chart.umd.js", "text/javascript"},
        Expected{"/assets/report_charts.js", "text/javascript"},
        Expected{"/assets/dashboard.css", "text/css"},
        Expected{"/assets/report.css", "text/css"}}) {
    auto asset = client_->Get(expected.path);
    ExpectSecurityHeaders(asset);
    ASSERT_EQ(asset->status, 200) << expected.path;
    EXPECT_THAT(asset->get_header_value("Content-Type"),
                StartsWith(expected.type))
        << expected.path;
    EXPECT_FALSE(asset->body.empty()) << expected.path;
  }
  // Chart.js is the npm build itself.
  auto chart = client_->Get("/assets/chart.umd.js");
  EXPECT_THAT(chart->body, HasSubstr("Chart"));
  for (const char* missing :
       {"/assets/nope.js", "/assets/../CMakeLists.txt", "/nothing-here"}) {
    auto result = client_->Get(missing);
    ExpectSecurityHeaders(result);
    EXPECT_EQ(result->status, 404) << missing;
  }
}

TEST_F(HttpFrontendTest, ReportFragment) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  auto result =
      client_->Get("/report?month=2024-05", Bearer(testing::kManagerToken));
  ExpectSecurityHeaders(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_THAT(result->get_header_value("Content-Type"),
              StartsWith("text/html"));
  EXPECT_EQ(result->get_header_value("Cache-Control"), "no-store");
  EXPECT_THAT(result->body, StartsWith("<section class=\"sgm-report\""));

  auto unauthenticated = client_->Get("/report?month=2024-05");
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->status, 401);
  for (const char* month : {"2024-13", "2024-5", "May", "2024-05-01"}) {
    auto bad = client_->Get(absl::StrCat("/report?month=", month),
                            Bearer(testing::kManagerToken));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << month;
  }
}

// Over the per-caller rate limit (1 a second, burst 2): the third call is
// 429 with RESOURCE_EXHAUSTED and a Retry-After in whole seconds; another
// caller is not affected.
TEST(HttpFrontendRateLimitTest, OverTheLimitIs429WithRetryAfter) {
  TestCluster::Options options;
  options.http = true;
  options.rate_limit_per_second = 1;
  options.rate_limit_burst = 2;
  auto cluster = TestCluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  httplib::Client client("127.0.0.1", (*cluster)->http_port());
  const httplib::Headers analyst = Bearer(testing::kAnalystToken);
  for (int i = 0; i < 2; ++i) {
    auto admitted =
        client.Post(kFiguresPath, analyst, kMay2024, "application/json");
    ASSERT_TRUE(admitted);
    EXPECT_EQ(admitted->status, 200) << admitted->body;
    EXPECT_FALSE(admitted->has_header("Retry-After"));
  }
  auto refused =
      client.Post(kFiguresPath, analyst, kMay2024, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429) << refused->body;
  EXPECT_EQ(ErrorStatus(refused), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  auto other = client.Post(kFiguresPath, Bearer(testing::kManagerToken),
                           kMay2024, "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;
}

// /readyz follows the gateway's gRPC health, and a taken port is an error
// naming the address: a frontend on a bare ServerRunner whose readiness
// the test controls.
TEST(HttpFrontendReadinessTest, ReadyzFollowsHealth) {
  std::atomic<bool> ready{true};
  ServerOptions server_options;
  server_options.service_name = "gateway";
  server_options.listen_address = "127.0.0.1:0";
  server_options.readiness_interval = absl::Milliseconds(20);
  auto runner = ServerRunner::Start(server_options, {}, nullptr, [&ready]() {
    return ready ? absl::OkStatus() : absl::UnavailableError("test: down");
  });
  ASSERT_TRUE(runner.ok()) << runner.status();
  gateway::HttpFrontendOptions options;
  options.listen_address = "127.0.0.1:0";
  auto frontend =
      gateway::HttpFrontend::Start(options, (*runner)->InProcessChannel());
  ASSERT_TRUE(frontend.ok()) << frontend.status();
  httplib::Client client("127.0.0.1", (*frontend)->port());

  auto wait_for = [&client](int status) {
    const absl::Time until = absl::Now() + absl::Seconds(10);
    int last = 0;
    while (absl::Now() < until) {
      auto result = client.Get("/readyz");
      last = result ? result->status : -1;
      if (last == status) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return last;
  };
  EXPECT_EQ(wait_for(200), 200);
  ready = false;
  EXPECT_EQ(wait_for(503), 503);
  ready = true;
  EXPECT_EQ(wait_for(200), 200);

  gateway::HttpFrontendOptions taken;
  taken.listen_address = absl::StrCat("127.0.0.1:", (*frontend)->port());
  auto second =
      gateway::HttpFrontend::Start(taken, (*runner)->InProcessChannel());
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr(taken.listen_address));

  (*frontend)->Shutdown();
  (*frontend)->Shutdown();  // idempotent
  EXPECT_FALSE(client.Get("/healthz"));
  (*runner)->Shutdown(absl::ZeroDuration());
}

// HTTPS with --http_tls_cert/--http_tls_key: a client that trusts the test
// CA gets through; missing files are an error at Start naming them.
TEST(HttpFrontendTlsTest, ServesHttpsWithTheGivenCertificate) {
  testing::TempDir dir("http-tls");
  auto certificates = testing::MakeTestCertificates(dir);
  ASSERT_TRUE(certificates.ok()) << certificates.status();
  ServerOptions server_options;
  server_options.service_name = "gateway";
  server_options.listen_address = "127.0.0.1:0";
  auto runner = ServerRunner::Start(server_options, {}, nullptr, nullptr);
  ASSERT_TRUE(runner.ok()) << runner.status();
  gateway::HttpFrontendOptions options;
  options.listen_address = "127.0.0.1:0";
  options.tls_cert = dir.path() + "/test-server.pem";
  options.tls_key = dir.path() + "/test-server.key";
  auto frontend =
      gateway::HttpFrontend::Start(options, (*runner)->InProcessChannel());
  ASSERT_TRUE(frontend.ok()) << frontend.status();

  httplib::SSLClient client("127.0.0.1", (*frontend)->port());
  client.set_ca_cert_path((dir.path() + "/test-ca.pem").c_str());
  client.enable_server_certificate_verification(true);
  auto result = client.Get("/healthz");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "ok\n");
  // Plain HTTP on the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", (*frontend)->port());
  auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);

  gateway::HttpFrontendOptions missing = options;
  missing.tls_cert = dir.path() + "/nothing.pem";
  auto failed =
      gateway::HttpFrontend::Start(missing, (*runner)->InProcessChannel());
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("nothing.pem"));
  (*frontend)->Shutdown();
  (*runner)->Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace sgm
