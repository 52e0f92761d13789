#include "common/config.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

ABSL_FLAG(std::string, sgm_config_test_path, "default.db",
          "A string setting for the test.");
ABSL_FLAG(int, sgm_config_test_port, 1, "An int setting for the test.");
ABSL_FLAG(bool, sgm_config_test_switch, false, "A bool setting for the test.");

namespace sgm {
namespace {

constexpr char kPathVariable[] = "SGM_SGM_CONFIG_TEST_PATH";
constexpr char kPortVariable[] = "SGM_SGM_CONFIG_TEST_PORT";
constexpr char kSwitchVariable[] = "SGM_SGM_CONFIG_TEST_SWITCH";

class ConfigTest : public testing::Test {
 protected:
  void SetUp() override { Reset(); }
  void TearDown() override { Reset(); }

  static void Reset() {
    unsetenv(kPathVariable);
    unsetenv(kPortVariable);
    unsetenv(kSwitchVariable);
    absl::SetFlag(&FLAGS_sgm_config_test_path, "default.db");
    absl::SetFlag(&FLAGS_sgm_config_test_port, 1);
    absl::SetFlag(&FLAGS_sgm_config_test_switch, false);
  }
};

TEST_F(ConfigTest, EnvironmentVariableForUppercasesWithPrefix) {
  EXPECT_EQ(EnvironmentVariableFor("store_path"), "SGM_STORE_PATH");
  EXPECT_EQ(EnvironmentVariableFor("listen"), "SGM_LISTEN");
  EXPECT_EQ(EnvironmentVariableFor("redis_url2"), "SGM_REDIS_URL2");
}

TEST_F(ConfigTest, EnvironmentSetsFlags) {
  setenv(kPathVariable, "/data/intake.db", 1);
  setenv(kPortVariable, "8443", 1);
  setenv(kSwitchVariable, "true", 1);
  ASSERT_TRUE(ApplyEnvironmentToFlags().ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_path), "/data/intake.db");
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_port), 8443);
  EXPECT_TRUE(absl::GetFlag(FLAGS_sgm_config_test_switch));
}

TEST_F(ConfigTest, UnsetVariablesLeaveDefaults) {
  ASSERT_TRUE(ApplyEnvironmentToFlags().ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_path), "default.db");
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_port), 1);
}

TEST_F(ConfigTest, EmptyVariableSetsAnEmptyString) {
  setenv(kPathVariable, "", 1);
  ASSERT_TRUE(ApplyEnvironmentToFlags().ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_path), "");
}

TEST_F(ConfigTest, BadValueNamesTheVariableAndTheFlag) {
  setenv(kPortVariable, "eighty", 1);
  const absl::Status status = ApplyEnvironmentToFlags();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), kPortVariable)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "--sgm_config_test_port"))
      << status;
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_port), 1);
}

TEST_F(ConfigTest, CommandLineWinsOverEnvironment) {
  setenv(kPathVariable, "/from/env.db", 1);
  setenv(kPortVariable, "9000", 1);
  std::string arg0 = "sgm-test";
  std::string arg1 = "--sgm_config_test_port=7000";
  std::string arg2 = "positional";
  std::vector<char*> argv = {arg0.data(), arg1.data(), arg2.data()};
  const std::vector<char*> positional =
      ParseFlagsOrDie(static_cast<int>(argv.size()), argv.data(), "usage");
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_port), 7000);
  EXPECT_EQ(absl::GetFlag(FLAGS_sgm_config_test_path), "/from/env.db");
  ASSERT_EQ(positional.size(), 2u);
  EXPECT_STREQ(positional[0], "sgm-test");
  EXPECT_STREQ(positional[1], "positional");
}

TEST_F(ConfigTest, ParseFlagsOrDieExitsWithStatus2OnABadVariable) {
  // Other tests in this binary start threads (gRPC): re-run, do not fork.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  setenv(kPortVariable, "not-a-port", 1);
  std::string arg0 = "sgm-test";
  std::vector<char*> argv = {arg0.data()};
  EXPECT_EXIT(ParseFlagsOrDie(1, argv.data(), "usage"),
              testing::ExitedWithCode(2),
              "sgm: setting --sgm_config_test_port "
              "\\(SGM_SGM_CONFIG_TEST_PORT\\): ");
}

TEST_F(ConfigTest, ParseFlagsOrDieExitsWithStatus2OnABadCommandLine) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string arg0 = "sgm-test";
  std::string bad_value = "--sgm_config_test_port=abc";
  std::vector<char*> argv = {arg0.data(), bad_value.data()};
  EXPECT_EXIT(ParseFlagsOrDie(2, argv.data(), "usage"),
              testing::ExitedWithCode(2),
              "sgm: setting --sgm_config_test_port "
              "\\(SGM_SGM_CONFIG_TEST_PORT\\): ");
  std::string unknown = "--no_such_setting=1";
  argv = {arg0.data(), unknown.data()};
  EXPECT_EXIT(ParseFlagsOrDie(2, argv.data(), "usage"),
              testing::ExitedWithCode(2), "unknown setting --no_such_setting");
  std::string separate = "--sgm_config_test_port";
  std::string separate_value = "x1";
  argv = {arg0.data(), separate.data(), separate_value.data()};
  EXPECT_EXIT(ParseFlagsOrDie(3, argv.data(), "usage"),
              testing::ExitedWithCode(2), "sgm_config_test_port");
}

TEST_F(ConfigTest, InvalidSettingNamesBothWays) {
  const absl::Status status = InvalidSetting("listen", "must be host:port");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "setting --listen (SGM_LISTEN): must be host:port");
}

}  // namespace
}  // namespace sgm
