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
  void SetUp() override {
    auto cluster = testing::TestCluster::Start();
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

}  // namespace
}  // namespace sgm
