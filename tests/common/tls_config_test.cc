#include "common/tls_config.h"

#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/server_runner.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/health_probe.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;

class TlsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::TestCertificates> files =
        testing::MakeTestCertificates(dir_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = *std::move(files);
  }

  std::string Write(absl::string_view name, absl::string_view text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  // Starts a server with only health on a free loopback port.
  void Serve(std::shared_ptr<grpc::ServerCredentials> credentials) {
    ServerOptions options;
    options.service_name = "tls-test";
    options.listen_address = "127.0.0.1:0";
    options.credentials = std::move(credentials);
    absl::StatusOr<std::unique_ptr<ServerRunner>> runner =
        ServerRunner::Start(options, {}, nullptr, {});
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = *std::move(runner);
  }

  // The health of the server over a new channel with `credentials` and,
  // when not empty, `server_name` as the name checked in its certificate;
  // -1 when the call fails (its code in `code`).
  int HealthOver(const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                 absl::string_view server_name = "",
                 grpc::StatusCode* code = nullptr) {
    grpc::ChannelArguments args;
    AddServerNameOverride(server_name, &args);
    return testing::HealthOf(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", runner_->port()),
                                  credentials, args),
        "", code);
  }

  testing::TempDir dir_{"sgm-tls"};
  testing::TestCertificates files_;
  std::unique_ptr<ServerRunner> runner_;
};

// The message of an error that must be INVALID_ARGUMENT.
template <typename T>
std::string InvalidMessage(const absl::StatusOr<T>& result) {
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  return std::string(result.status().message());
}

TEST_F(TlsConfigTest, EmptySettingsArePlaintext) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server =
      MakeServerCredentials(ServerTlsFiles{});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE(*server, nullptr);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
      MakeChannelCredentials(ClientTlsFiles{}, "backend_tls");
  ASSERT_TRUE(channel.ok()) << channel.status();
  ASSERT_NE(*channel, nullptr);

  Serve(*server);
  EXPECT_EQ(HealthOver(*channel), testing::kServing);
  EXPECT_EQ(HealthOver(grpc::InsecureChannelCredentials()), testing::kServing)
      << "a plain gRPC client reaches a port without TLS settings";
}

TEST_F(TlsConfigTest, CertificateWithoutKeyNamesTheKey) {
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{files_.server_cert, "", ""})),
              HasSubstr("setting --tls_key (SGM_TLS_KEY)"));
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{"", files_.server_key, ""})),
              HasSubstr("setting --tls_cert (SGM_TLS_CERT)"));
  EXPECT_THAT(InvalidMessage(MakeChannelCredentials(
                  ClientTlsFiles{files_.ca_cert, files_.client_cert, "", ""},
                  "backend_tls")),
              HasSubstr("setting --backend_tls_key (SGM_BACKEND_TLS_KEY)"));
}

TEST_F(TlsConfigTest, SettingsThatNeedTlsAreRefusedWithoutIt) {
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{"", "", files_.ca_cert})),
              HasSubstr("setting --tls_client_ca (SGM_TLS_CLIENT_CA)"));
  EXPECT_THAT(InvalidMessage(MakeChannelCredentials(
                  ClientTlsFiles{"", files_.client_cert, files_.client_key, ""},
                  "backend_tls")),
              HasSubstr("setting --backend_tls_cert (SGM_BACKEND_TLS_CERT): "
                        "needs --backend_tls_ca"));
  EXPECT_THAT(InvalidMessage(MakeChannelCredentials(
                  ClientTlsFiles{"", "", "", "intake.internal"}, "tls")),
              HasSubstr("setting --tls_server_name (SGM_TLS_SERVER_NAME)"));
}

TEST_F(TlsConfigTest, UnreadableFileNamesTheSetting) {
  const std::string missing = dir_.File("missing.pem");
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{files_.server_cert, missing, ""})),
              HasSubstr(absl::StrCat("setting --tls_key (SGM_TLS_KEY): cannot "
                                     "read ",
                                     missing, ": No such file")));
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{missing, files_.server_key, ""})),
              HasSubstr("setting --tls_cert (SGM_TLS_CERT): cannot read"));
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(ServerTlsFiles{
                  files_.server_cert, files_.server_key, missing})),
              HasSubstr("setting --tls_client_ca (SGM_TLS_CLIENT_CA)"));
  EXPECT_THAT(InvalidMessage(MakeChannelCredentials(
                  ClientTlsFiles{missing, "", "", ""}, "tls")),
              HasSubstr("setting --tls_ca (SGM_TLS_CA): cannot read"));
  EXPECT_THAT(
      InvalidMessage(MakeChannelCredentials(
          ClientTlsFiles{files_.ca_cert, files_.client_cert, missing, ""},
          "backend_tls")),
      HasSubstr("setting --backend_tls_key (SGM_BACKEND_TLS_KEY): "
                "cannot read"));
  // A directory opens but does not read.
  EXPECT_THAT(InvalidMessage(MakeChannelCredentials(
                  ClientTlsFiles{dir_.path(), "", "", ""}, "backend_tls")),
              HasSubstr("setting --backend_tls_ca (SGM_BACKEND_TLS_CA): "
                        "cannot read"));
}

TEST_F(TlsConfigTest, FileWithoutPemNamesTheSetting) {
  const std::string text = Write("notes.txt", "not a certificate\n");
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{text, files_.server_key, ""})),
              HasSubstr("setting --tls_cert (SGM_TLS_CERT): " + text +
                        " holds no PEM certificate"));
  // A certificate where the key belongs.
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{files_.server_cert, files_.server_cert, ""})),
              HasSubstr("setting --tls_key (SGM_TLS_KEY): " +
                        files_.server_cert + " holds no PEM private key"));
}

TEST_F(TlsConfigTest, AKeyThatIsNotTheCertificatesIsRefused) {
  // The client key with the server certificate: both parse, they do not
  // belong together.
  EXPECT_THAT(InvalidMessage(MakeServerCredentials(
                  ServerTlsFiles{files_.server_cert, files_.client_key, ""})),
              ::testing::HasSubstr("--tls_key (SGM_TLS_KEY): is not the key "
                                   "of --tls_cert"));
  EXPECT_THAT(
      InvalidMessage(MakeChannelCredentials(
          ClientTlsFiles{files_.ca_cert, files_.client_cert, files_.server_key,
                         ""},
          "backend_tls")),
      ::testing::HasSubstr("--backend_tls_key (SGM_BACKEND_TLS_KEY): is not "
                           "the key of --backend_tls_cert"));
}

TEST_F(TlsConfigTest, RealFilesServeTls) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server =
      MakeServerCredentials(
          ServerTlsFiles{files_.server_cert, files_.server_key, ""});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE(*server, nullptr);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
      MakeChannelCredentials(ClientTlsFiles{files_.ca_cert, "", "", ""}, "tls");
  ASSERT_TRUE(channel.ok()) << channel.status();
  ASSERT_NE(*channel, nullptr);

  Serve(*server);
  EXPECT_EQ(HealthOver(*channel), testing::kServing);
  grpc::StatusCode code = grpc::StatusCode::OK;
  EXPECT_EQ(HealthOver(grpc::InsecureChannelCredentials(), "", &code), -1);
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);

  // A CA that did not sign the server's certificate.
  absl::StatusOr<testing::TestCertificates> other =
      testing::MakeTestCertificates(dir_, "other");
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> untrusting =
      MakeChannelCredentials(ClientTlsFiles{other->ca_cert, "", "", ""}, "tls");
  ASSERT_TRUE(untrusting.ok()) << untrusting.status();
  EXPECT_EQ(HealthOver(*untrusting, "", &code), -1);
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsConfigTest, ClientCaRequiresClientCertificates) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server =
      MakeServerCredentials(ServerTlsFiles{files_.server_cert,
                                           files_.server_key, files_.ca_cert});
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> with_cert =
      MakeChannelCredentials(ClientTlsFiles{files_.ca_cert, files_.client_cert,
                                            files_.client_key, ""},
                             "backend_tls");
  ASSERT_TRUE(with_cert.ok()) << with_cert.status();
  EXPECT_EQ(HealthOver(*with_cert), testing::kServing);

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> without_cert =
      MakeChannelCredentials(ClientTlsFiles{files_.ca_cert, "", "", ""},
                             "backend_tls");
  ASSERT_TRUE(without_cert.ok()) << without_cert.status();
  grpc::StatusCode code = grpc::StatusCode::OK;
  EXPECT_EQ(HealthOver(*without_cert, "", &code), -1);
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);

  // A client certificate from a CA the server does not trust.
  absl::StatusOr<testing::TestCertificates> other =
      testing::MakeTestCertificates(dir_, "other");
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> foreign_cert =
      MakeChannelCredentials(ClientTlsFiles{files_.ca_cert, other->client_cert,
                                            other->client_key, ""},
                             "backend_tls");
  ASSERT_TRUE(foreign_cert.ok()) << foreign_cert.status();
  EXPECT_EQ(HealthOver(*foreign_cert, "", &code), -1);
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsConfigTest, ServerNameOverrideIsTheNameChecked) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server =
      MakeServerCredentials(
          ServerTlsFiles{files_.server_cert, files_.server_key, ""});
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
      MakeChannelCredentials(ClientTlsFiles{files_.ca_cert, "", "", ""}, "tls");
  ASSERT_TRUE(channel.ok()) << channel.status();

  // The certificate names localhost: the override passes...
  EXPECT_EQ(HealthOver(*channel, "localhost"), testing::kServing);
  // ... and a name it does not hold fails, though the address's host
  // (127.0.0.1) is in the certificate.
  grpc::StatusCode code = grpc::StatusCode::OK;
  EXPECT_EQ(HealthOver(*channel, "intake.sgm.internal", &code), -1);
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);

  // Nothing is added without a name.
  grpc::ChannelArguments args;
  AddServerNameOverride("", &args);
  const grpc_channel_args c_args = args.c_channel_args();
  for (size_t i = 0; i < c_args.num_args; ++i) {
    EXPECT_STRNE(c_args.args[i].key, GRPC_SSL_TARGET_NAME_OVERRIDE_ARG);
  }
}

}  // namespace
}  // namespace sgm
