// TLS end to end: the gateway's port over TLS, mutual TLS from the gateway
// to intake (intake requires the gateway's client certificate), on a real
// SQLite file, with certificates from a throw-away test CA.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "common/tls_config.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/token_authenticator.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/test_ca.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using testing::TestCertificates;
using testing::TestCluster;
namespace v1 = ::sgm::intake::v1;

constexpr char kFeed[] =
    "source_record_id,received_at,child_id,source_code,primary_need\n"
    "T1,2024-06-03T09:00:00+01:00,CH1,6,N1\n"
    "T2,2024-06-04T09:00:00+01:00,CH2,2A,N6\n";

// A short deadline: a refused handshake must fail fast, not hang.
std::unique_ptr<grpc::ClientContext> ShortContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

class TlsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestCluster::Options options;
    options.tls = true;
    options.with_redis = false;
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    ASSERT_NE(cluster_->certificates(), nullptr);
  }

  const TestCertificates& files() const { return *cluster_->certificates(); }

  // A TLS channel that verifies with the test CA, with the test client
  // certificate when `client_certificate`.
  std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(
      bool client_certificate) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = Read(files().ca_cert);
    if (client_certificate) {
      options.pem_cert_chain = Read(files().client_cert);
      options.pem_private_key = Read(files().client_key);
    }
    return grpc::SslCredentials(options);
  }

  static std::string Read(const std::string& path) {
    std::string text;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return text;
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
      text.append(buffer, n);
    }
    std::fclose(file);
    return text;
  }

  // GetFrontDoorFigures for June 2024 straight to intake (not through the
  // gateway), with an analyst's identity headers as the gateway would send.
  grpc::Status FiguresFromIntake(
      const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    auto stub = v1::IntakeService::NewStub(
        grpc::CreateChannel(cluster_->intake_address(), credentials));
    auto context = ShortContext();
    CallerIdentity identity;
    identity.caller = "tls-test";
    identity.role = Role::kAnalyst;
    identity.authority = "831";
    AttachIdentity(identity, context.get());
    v1::GetFrontDoorFiguresRequest request;
    request.mutable_month()->set_year(2024);
    request.mutable_month()->set_month(6);
    v1::GetFrontDoorFiguresResponse response;
    return stub->GetFrontDoorFigures(context.get(), request, &response);
  }

  // WhoAmI through a second gateway in front of the cluster's intake, with
  // the given backend settings; its own port is plaintext.
  grpc::Status ViaGateway(
      std::shared_ptr<grpc::ChannelCredentials> backend_credentials,
      const std::string& backend_server_name) {
    auto authenticator = gateway::TokenAuthenticator::FromText(absl::StrCat(
        gateway::TokenAuthenticator::HashToken(testing::kAnalystToken),
        " analyst 831 tls-test\n"));
    if (!authenticator.ok()) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          std::string(authenticator.status().message()));
    }
    gateway::GatewaySettings settings;
    settings.server.listen_address = "127.0.0.1:0";
    settings.backends["sgm.intake.v1"] = cluster_->intake_address();
    settings.backend_credentials = std::move(backend_credentials);
    settings.backend_server_name = backend_server_name;
    auto server =
        gateway::GatewayServer::Start(settings, *std::move(authenticator));
    if (!server.ok()) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          std::string(server.status().message()));
    }
    auto stub = v1::IntakeService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                            grpc::InsecureChannelCredentials()));
    auto context = TestCluster::ContextFor(testing::kAnalystToken);
    v1::GetFrontDoorFiguresRequest request;
    request.mutable_month()->set_year(2024);
    request.mutable_month()->set_month(6);
    v1::GetFrontDoorFiguresResponse response;
    grpc::Status status =
        stub->GetFrontDoorFigures(context.get(), request, &response);
    (*server)->Shutdown(absl::ZeroDuration());
    return status;
  }

  std::unique_ptr<TestCluster> cluster_;
};

TEST_F(TlsIntegrationTest, TlsClientImportsAndReadsFiguresThroughGateway) {
  auto stub = v1::IntakeService::NewStub(cluster_->gateway_channel());
  v1::ImportContactsResponse imported;
  const grpc::Status import = testing::SendContacts(
      *stub, TestCluster::ContextFor(testing::kPractitionerToken).get(), kFeed,
      "POLICE", &imported);
  ASSERT_TRUE(import.ok()) << import.error_code() << " "
                           << import.error_message();
  EXPECT_EQ(imported.summary().accepted(), 2);
  EXPECT_EQ(imported.summary().rejected(), 0);

  v1::GetFrontDoorFiguresRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(6);
  v1::GetFrontDoorFiguresResponse figures;
  const grpc::Status read = stub->GetFrontDoorFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request, &figures);
  ASSERT_TRUE(read.ok()) << read.error_code() << " " << read.error_message();
  EXPECT_EQ(figures.figures().this_month().contacts(), 2);
}

TEST_F(TlsIntegrationTest, PlaintextClientCannotReachTlsGateway) {
  auto stub = sgm::gateway::v1::GatewayService::NewStub(grpc::CreateChannel(
      cluster_->gateway_address(), grpc::InsecureChannelCredentials()));
  auto context = ShortContext();
  context->AddMetadata("authorization",
                       absl::StrCat("Bearer ", testing::kAdminToken));
  sgm::gateway::v1::WhoAmIResponse response;
  const grpc::Status status =
      stub->WhoAmI(context.get(), sgm::gateway::v1::WhoAmIRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST_F(TlsIntegrationTest, IntakeTakesOnlyClientsWithACertificate) {
  // With the CA's client certificate a direct call gets through (it is the
  // certificate alone that the next calls lack).
  const grpc::Status with_cert = FiguresFromIntake(TlsCredentials(true));
  EXPECT_TRUE(with_cert.ok())
      << with_cert.error_code() << " " << with_cert.error_message();

  const grpc::Status without_cert = FiguresFromIntake(TlsCredentials(false));
  EXPECT_EQ(without_cert.error_code(), grpc::StatusCode::UNAVAILABLE)
      << without_cert.error_message();

  const grpc::Status plaintext =
      FiguresFromIntake(grpc::InsecureChannelCredentials());
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE)
      << plaintext.error_message();
}

TEST_F(TlsIntegrationTest, GatewayReachesIntakeOnlyWithItsBackendSettings) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> mutual =
      MakeChannelCredentials(
          ClientTlsFiles{files().ca_cert, files().client_cert,
                         files().client_key, ""},
          "backend_tls");
  ASSERT_TRUE(mutual.ok()) << mutual.status();
  const grpc::Status ok = ViaGateway(*mutual, "");
  EXPECT_TRUE(ok.ok()) << ok.error_code() << " " << ok.error_message();
  // The override names a name in the certificate.
  const grpc::Status named = ViaGateway(*mutual, "localhost");
  EXPECT_TRUE(named.ok()) << named.error_code() << " " << named.error_message();

  // A name the intake certificate does not hold.
  EXPECT_EQ(ViaGateway(*mutual, "intake.sgm.internal").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // TLS without the gateway's client certificate.
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> no_cert =
      MakeChannelCredentials(ClientTlsFiles{files().ca_cert, "", "", ""},
                             "backend_tls");
  ASSERT_TRUE(no_cert.ok()) << no_cert.status();
  EXPECT_EQ(ViaGateway(*no_cert, "").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Plaintext (no backend credentials).
  EXPECT_EQ(ViaGateway(nullptr, "").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace sgm
