// The sgm binary end to end against in-process services (real SQLite and
// redis-server): import with rejections listed, stats as JSON, bad tokens.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

class SgmCliTest : public ::testing::Test {
 protected:
  void SetUp() override { StartCluster(testing::TestCluster::Options()); }

  void StartCluster(const testing::TestCluster::Options& options) {
    cluster_.reset();
    auto cluster = testing::TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  CliRun Sgm(absl::string_view token, absl::string_view args) {
    const std::string command = absl::StrCat(
        "SGM_GATEWAY=", cluster_->gateway_address(), " SGM_TOKEN=", token, " ",
        SGM_CLI_PATH, " ", args, " 2>&1");
    CliRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
      run.out.append(buffer, n);
    }
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  std::string Write(absl::string_view name, absl::string_view text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestCluster> cluster_;
};

TEST_F(SgmCliTest, ImportListsRejectionsAndStatsReadBack) {
  const std::string file =
      Write("police.csv",
            "source_record_id,received_at,child_id,source_code,primary_need\n"
            "R1,2024-06-03T09:00:00+01:00,CH1,6,N1\n"
            "R2,2024-06-04T09:00:00+01:00,CH2,99,N1\n"
            "R3,2024-06-05T09:00:00+01:00,CH3,2A,N6\n");
  CliRun import =
      Sgm(testing::kPractitionerToken,
          absl::StrCat("import contacts ", file, " --agency POLICE"));
  EXPECT_EQ(import.exit_code, 0) << import.out;
  EXPECT_THAT(import.out, HasSubstr("accepted 2, duplicates 0, rejected 1"));
  EXPECT_THAT(import.out, HasSubstr("line 3, field source_code"));

  CliRun again =
      Sgm(testing::kPractitionerToken,
          absl::StrCat("import contacts ", file, " --agency POLICE"));
  EXPECT_THAT(again.out, HasSubstr("accepted 0, duplicates 2, rejected 1"));

  CliRun stats =
      Sgm(testing::kAnalystToken, "intake stats --month 2024-06 --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.out;
  const nlohmann::json json = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << stats.out;
  EXPECT_EQ(json["this_month"]["contacts"], "2") << "int64 as a JSON string";

  CliRun table = Sgm(testing::kAnalystToken, "intake stats --month 2024-06");
  EXPECT_EQ(table.exit_code, 0) << table.out;
  EXPECT_THAT(table.out, HasSubstr("Contacts this month"));
}

TEST_F(SgmCliTest, JsonLinesByExtension) {
  const std::string file = Write(
      "health.jsonl",
      "{\"source_record_id\":\"H1\",\"received_at\":\"2024-06-03T09:00:00Z\","
      "\"source_code\":\"3A\",\"concerns\":[\"NEGLECT\"]}\n");
  CliRun import =
      Sgm(testing::kPractitionerToken,
          absl::StrCat("import contacts ", file, " --agency HEALTH"));
  EXPECT_EQ(import.exit_code, 0) << import.out;
  EXPECT_THAT(import.out, HasSubstr("accepted 1"));
}

TEST_F(SgmCliTest, ErrorsExitNonZeroWithTheCode) {
  const std::string file = Write(
      "c.csv",
      "source_record_id,received_at,source_code\nR1,2024-06-03T09:00:00Z,6\n");
  CliRun bad_token =
      Sgm("nope", absl::StrCat("import contacts ", file, " --agency POLICE"));
  EXPECT_EQ(bad_token.exit_code, 1);
  EXPECT_THAT(bad_token.out, HasSubstr("UNAUTHENTICATED"));

  CliRun denied =
      Sgm(testing::kAnalystToken,
          absl::StrCat("import contacts ", file, " --agency POLICE"));
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_THAT(denied.out, HasSubstr("PERMISSION_DENIED"));

  CliRun missing = Sgm(testing::kPractitionerToken,
                       "import contacts /nonexistent/file.csv --agency POLICE");
  EXPECT_EQ(missing.exit_code, 1);

  CliRun usage = Sgm(testing::kPractitionerToken, "frobnicate");
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(SgmCliTest, WhoAmI) {
  CliRun who = Sgm(testing::kPartnerToken, "whoami");
  EXPECT_EQ(who.exit_code, 0) << who.out;
  EXPECT_THAT(who.out, HasSubstr("partner"));
  EXPECT_THAT(who.out, HasSubstr("POLICE"));
}

TEST_F(SgmCliTest, WhoAmIOverTls) {
  testing::TestCluster::Options options;
  options.tls = true;
  options.with_redis = false;
  ASSERT_NO_FATAL_FAILURE(StartCluster(options));
  const std::string ca = cluster_->certificates()->ca_cert;

  CliRun who =
      Sgm(testing::kPartnerToken, absl::StrCat("--tls_ca=", ca, " whoami"));
  EXPECT_EQ(who.exit_code, 0) << who.out;
  EXPECT_THAT(who.out, HasSubstr("POLICE"));

  CliRun named =
      Sgm(testing::kPartnerToken,
          absl::StrCat("--tls_ca=", ca, " --tls_server_name=localhost whoami"));
  EXPECT_EQ(named.exit_code, 0) << named.out;

  // Plaintext to a TLS port, and a name the certificate does not hold.
  CliRun plaintext = Sgm(testing::kPartnerToken, "whoami");
  EXPECT_EQ(plaintext.exit_code, 1) << plaintext.out;
  EXPECT_THAT(plaintext.out, HasSubstr("UNAVAILABLE"));
  CliRun wrong_name =
      Sgm(testing::kPartnerToken,
          absl::StrCat("--tls_ca=", ca, " --tls_server_name=elsewhere whoami"));
  EXPECT_EQ(wrong_name.exit_code, 1) << wrong_name.out;

  // An unreadable CA file is a bad setting, named.
  CliRun missing =
      Sgm(testing::kPartnerToken, "--tls_ca=/nonexistent/ca.pem whoami");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_THAT(missing.out,
              HasSubstr("setting --tls_ca (SGM_TLS_CA): cannot read "
                        "/nonexistent/ca.pem"));
}

TEST_F(SgmCliTest, AdminBackupOfALiveStoreAndVerify) {
  const std::string file = Write(
      "c.csv",
      "source_record_id,received_at,source_code\nR1,2024-06-03T09:00:00Z,6\n");
  ASSERT_EQ(Sgm(testing::kPractitionerToken,
                absl::StrCat("import contacts ", file, " --agency POLICE"))
                .exit_code,
            0);
  const std::string copy = dir_.File("backup.db");
  CliRun backup = Sgm("", absl::StrCat("admin backup --store=", cluster_->dir(),
                                       "/intake.db --to=", copy));
  EXPECT_EQ(backup.exit_code, 0) << backup.out;
  CliRun verify = Sgm("", absl::StrCat("admin verify ", copy));
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("integrity ok"));
  // Never over an existing file.
  CliRun again = Sgm("", absl::StrCat("admin backup --store=", cluster_->dir(),
                                      "/intake.db --to=", copy));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.out, HasSubstr("ALREADY_EXISTS"));
  EXPECT_EQ(Sgm("", "admin backup").exit_code, 2);
}

TEST_F(SgmCliTest, HashTokenIsWhatTheGatewayStores) {
  CliRun hash = Sgm("", "admin hash-token abc");
  EXPECT_EQ(
      hash.out,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
}

}  // namespace
}  // namespace sgm
