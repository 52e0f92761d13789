#include "common/logging.h"

#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sgm {
namespace {

constexpr char kTs[] = "2023-09-14T08:30:00.123Z";

TEST(FormatLogLineTest, WritesTheFixedFieldsFirst) {
  EXPECT_EQ(FormatLogLine(kTs, "info", "intake", "server_started", {}),
            "{\"ts\":\"2023-09-14T08:30:00.123Z\",\"level\":\"info\","
            "\"service\":\"intake\",\"event\":\"server_started\"}");
}

TEST(FormatLogLineTest, NumbersAreUnquotedStringsQuoted) {
  const std::string line = FormatLogLine(kTs, "info", "intake", "feed_loaded",
                                         {{"accepted", 42},
                                          {"rejected", 0L},
                                          {"big", 1LL << 40},
                                          {"ratio", 0.25},
                                          {"agency", "police"}});
  EXPECT_TRUE(absl::StrContains(line, "\"accepted\":42,")) << line;
  EXPECT_TRUE(absl::StrContains(line, "\"rejected\":0,")) << line;
  EXPECT_TRUE(absl::StrContains(line, "\"big\":1099511627776,")) << line;
  EXPECT_TRUE(absl::StrContains(line, "\"ratio\":0.25,")) << line;
  EXPECT_TRUE(absl::StrContains(line, "\"agency\":\"police\"}")) << line;
  const nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_TRUE(json["accepted"].is_number_integer());
  EXPECT_EQ(json["accepted"].get<int>(), 42);
  EXPECT_DOUBLE_EQ(json["ratio"].get<double>(), 0.25);
  EXPECT_EQ(json["agency"], "police");
}

TEST(FormatLogLineTest, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string value = std::string("say \"hi\"\\ now\nnext\ttab\r") +
                            '\x01' + '\x1f' + '\0' + "end";
  const std::string line =
      FormatLogLine(kTs, "warn", "gate\"way", "ev\nent", {{"k\"ey", value}});
  EXPECT_TRUE(absl::StrContains(line,
                                "say \\\"hi\\\"\\\\ now\\nnext\\ttab\\r"
                                "\\u0001\\u001f\\u0000end"))
      << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["k\"ey"], value);
  EXPECT_EQ(json["service"], "gate\"way");
  EXPECT_EQ(json["event"], "ev\nent");
}

TEST(FormatLogLineTest, KeepsUtf8AndReplacesInvalidBytes) {
  const std::string line = FormatLogLine(kTs, "info", "qa", "e",
                                         {{"ok", "caf\xC3\xA9 \xE2\x82\xAC"},
                                          {"bad",
                                           "a\xFF"
                                           "b\xC3"}});
  const nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["ok"], "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(json["bad"],
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

TEST(FormatLogLineTest, NonFiniteNumbersBecomeNull) {
  const std::string line =
      FormatLogLine(kTs, "info", "kpi", "e",
                    {{"x", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_TRUE(nlohmann::json::parse(line)["x"].is_null()) << line;
}

TEST(InitLoggingTest, RejectsAnUnknownLevel) {
  EXPECT_EQ(InitLogging("intake", "verbose").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InitLogging("intake", "INFO").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(InitLoggingTest, WritesOneJsonObjectPerLine) {
  ASSERT_TRUE(InitLogging("intake", "info").ok());
  testing::internal::CaptureStdout();
  LogDebug("hidden");
  LogInfo("contacts_loaded", {{"count", 3}, {"agency", "police"}});
  LogError("store_failed", {{"code", "UNAVAILABLE"}});
  const std::string out = testing::internal::GetCapturedStdout();
  ASSERT_TRUE(InitLogging("intake", "error").ok());  // quieter for the rest

  std::vector<nlohmann::json> lines;
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    ASSERT_NE(end, std::string::npos) << out;
    lines.push_back(nlohmann::json::parse(out.substr(start, end - start)));
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["service"], "intake");
  EXPECT_EQ(lines[0]["event"], "contacts_loaded");
  EXPECT_EQ(lines[0]["count"], 3);
  const std::string ts = lines[0]["ts"];
  // 2023-09-14T08:30:00.123Z
  ASSERT_EQ(ts.size(), 24u) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_EQ(lines[1]["level"], "error");
  EXPECT_EQ(lines[1]["event"], "store_failed");
}

}  // namespace
}  // namespace sgm
