// The sgm binary end to end against in-process services (real SQLite and
// redis-server): import with rejections listed, stats as JSON, bad tokens,
// case events and the KPI commands, the workforce and QA feeds and
// summaries, the synthetic feeds.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ca.h"
#include "tests/support/test_cluster.h"
#include "tools/synth/case_event_synthesizer.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(SgmCliTest, SynthEventsWritesADeterministicFeed) {
  const std::string args = " --seed=5 --start=2023-10 --months=3";
  CliRun first =
      Sgm("", absl::StrCat("synth events --out=", dir_.File("a"), args));
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr("2023-10 to 2023-12"));
  EXPECT_THAT(first.out, HasSubstr("case-events.csv"));
  const std::string csv = ReadFile(dir_.File("a/case-events.csv"));
  ASSERT_GT(csv.size(), 100000u);
  EXPECT_EQ(csv.substr(0, synth::CaseEventsCsvHeader().size()),
            synth::CaseEventsCsvHeader());
  EXPECT_EQ(csv.substr(0, 30), "event_id,event_type,child_id,c");
  // The same seed gives the same bytes; another seed, others.
  ASSERT_EQ(Sgm("", absl::StrCat("synth events --out=", dir_.File("b"), args))
                .exit_code,
            0);
  EXPECT_EQ(ReadFile(dir_.File("b/case-events.csv")), csv);
  ASSERT_EQ(Sgm("", absl::StrCat("synth events --out=", dir_.File("c"),
                                 " --seed=6 --start=2023-10 --months=3"))
                .exit_code,
            0);
  EXPECT_NE(ReadFile(dir_.File("c/case-events.csv")), csv);
  // Bad usage exits 2.
  EXPECT_EQ(Sgm("", "synth events").exit_code, 2);
  EXPECT_EQ(Sgm("", absl::StrCat("synth events --out=", dir_.File("d"),
                                 " --months=0"))
                .exit_code,
            2);
  EXPECT_EQ(Sgm("", absl::StrCat("synth events --out=", dir_.File("d"),
                                 " --scale=101"))
                .exit_code,
            2);
  EXPECT_EQ(Sgm("", "synth nonsense").exit_code, 2);
  CliRun help = Sgm("", "help");
  EXPECT_THAT(help.out, HasSubstr("synth events --out=DIR"));
}

TEST_F(SgmCliTest, SynthWorkforceWritesItsThreeFeedsForTheEventsWorkers) {
  const std::string args = " --seed=5 --start=2023-10 --months=3";
  CliRun run =
      Sgm("", absl::StrCat("synth workforce --out=", dir_.File("w"), args));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("staff"));
  const std::string staff = ReadFile(dir_.File("w/staff.csv"));
  EXPECT_EQ(staff.substr(0, staff.find('\n')),
            "staff_id,role,qualified,service_area,team,employment,fte,"
            "start_date,end_date,annual_cost");
  EXPECT_EQ(ReadFile(dir_.File("w/absences.csv")).substr(0, 45),
            "staff_id,reason,start_date,end_date,days_lost");
  EXPECT_EQ(ReadFile(dir_.File("w/establishment.csv")).substr(0, 41),
            "service_area,team,role,fte,effective_from");
  // The workers the case events of the same options allocate cases to.
  ASSERT_EQ(Sgm("", absl::StrCat("synth events --out=", dir_.File("w"), args))
                .exit_code,
            0);
  const std::string events = ReadFile(dir_.File("w/case-events.csv"));
  for (const std::string worker : {"W0001", "W0093", "P0001"}) {
    EXPECT_THAT(events, HasSubstr(absl::StrCat(",", worker, ",")));
    EXPECT_THAT(staff, HasSubstr(absl::StrCat("\n", worker, ",")));
  }
  // Deterministic.
  ASSERT_EQ(
      Sgm("", absl::StrCat("synth workforce --out=", dir_.File("v"), args))
          .exit_code,
      0);
  EXPECT_EQ(ReadFile(dir_.File("v/staff.csv")), staff);
  EXPECT_EQ(Sgm("", "synth workforce").exit_code, 2);
  EXPECT_EQ(Sgm("", "workforce").exit_code, 2);
  EXPECT_EQ(Sgm("", "workforce summary --as-of=2024-13-01").exit_code, 2);
}

// Case events for May 2024 (the cluster's clock is 2024-06-15), worked by
// hand at E = 2024-05-31:
//   cpp_visits_in_time: CP1 last visited 10 May, due by 24 May: late; CP2
//   visited 28 May and CP3 29 May: in time. 2 of 3 = 66.7%.
//   repeat_cp_plans: CP1, CP2 and CP3 started in May; C2 had CP0 in 2023.
//   1 of 3 = 33.3%.
//   under-1-cp on 31 May: C1 (born 10 January 2024), CP1 since 1 May.
// Line 11 has a category that is not a CP category.
constexpr absl::string_view kCaseEvents =
    "event_id,event_type,child_id,child_dob,ref_id,event_date,category,"
    "worker_id,team,visit_mode\n"
    "E1,CP_PLAN_START,C1,2024-01-10,CP1,2024-05-01,NEG,,,\n"
    "E2,CP_VISIT,C1,2024-01-10,CP1,2024-05-10,,,,FACE_TO_FACE\n"
    "E3,ALLOCATION_START,C1,2024-01-10,AL1,2024-05-01,,W1,North,\n"
    "E4,CP_PLAN_START,C2,2015-03-02,CP0,2023-01-09,PHY,,,\n"
    "E5,CP_PLAN_END,C2,2015-03-02,CP0,2023-06-01,,,,\n"
    "E6,CP_PLAN_START,C2,2015-03-02,CP2,2024-05-02,EMO,,,\n"
    "E7,CP_VISIT,C2,2015-03-02,CP2,2024-05-28,,,,\n"
    "E8,CP_PLAN_START,C3,2012-07-20,CP3,2024-05-03,NEG,,,\n"
    "E9,CP_VISIT,C3,2012-07-20,CP3,2024-05-29,,,,VIRTUAL\n"
    "E10,CP_PLAN_START,C4,2019-01-01,CP4,2024-05-06,BAD,,,\n";

// The line of `out` that contains `text`, or "" when none does.
std::string LineWith(const std::string& out, absl::string_view text) {
  const size_t at = out.find(std::string(text));
  if (at == std::string::npos) return "";
  const size_t begin = out.rfind('\n', at);
  const size_t end = out.find('\n', at);
  const size_t from = begin == std::string::npos ? 0 : begin + 1;
  return out.substr(from, end == std::string::npos ? end : end - from);
}

TEST_F(SgmCliTest, ImportCaseEventsThenIndicatorsAndWatchlist) {
  const std::string file = Write("events.csv", kCaseEvents);
  CliRun import =
      Sgm(testing::kPractitionerToken, absl::StrCat("import events ", file));
  EXPECT_EQ(import.exit_code, 0) << import.out;
  EXPECT_THAT(import.out, HasSubstr("accepted 9, duplicates 0, rejected 1"));
  EXPECT_THAT(import.out, HasSubstr("line 11, field category"));

  CliRun table = Sgm(testing::kAnalystToken, "kpi indicators --month 2024-05");
  ASSERT_EQ(table.exit_code, 0) << table.out;
  for (absl::string_view title :
       {"Children in care visited in time", "Children in care reviewed in time",
        "Child protection visits in time", "Child protection reviews in time",
        "Child in need plans reviewed in time",
        "First assessments completed within 45 working days",
        "Initial child protection conferences within 15 working days",
        "Repeat child protection plans"}) {
    EXPECT_THAT(table.out, HasSubstr(title));
  }
  const std::string visits =
      LineWith(table.out, "Child protection visits in time");
  EXPECT_THAT(visits, HasSubstr(" 66.7% "));
  EXPECT_THAT(visits, HasSubstr(" 2/3 "));
  const std::string repeat =
      LineWith(table.out, "Repeat child protection plans");
  EXPECT_THAT(repeat, HasSubstr(" 33.3% "));
  EXPECT_THAT(repeat, HasSubstr(" 1/3 "));
  EXPECT_THAT(repeat, HasSubstr("<= "));
  EXPECT_THAT(LineWith(table.out, "Children in care visited in time"),
              HasSubstr(" 0/0 "))
      << "no children in care: no percent";

  CliRun json =
      Sgm(testing::kAnalystToken, "kpi indicators --month 2024-05 --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  const nlohmann::json parsed = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << json.out;
  ASSERT_EQ(parsed["indicators"].size(), 8u) << json.out;
  EXPECT_EQ(parsed["indicators"][2]["id"], "cpp_visits_in_time");
  EXPECT_EQ(parsed["indicators"][2]["numerator"], "2");

  CliRun watchlist = Sgm(testing::kPractitionerToken,
                         "kpi watchlist under-1-cp --as-of 2024-05-31");
  ASSERT_EQ(watchlist.exit_code, 0) << watchlist.out;
  EXPECT_THAT(watchlist.out, HasSubstr("(as of 2024-05-31): 1 child"));
  const std::string c1 = LineWith(watchlist.out, "C1 ");
  EXPECT_THAT(c1, HasSubstr("CP1"));
  EXPECT_THAT(c1, HasSubstr("2024-05-01"));
  EXPECT_THAT(c1, HasSubstr("W1"));
  EXPECT_THAT(watchlist.out, Not(HasSubstr("C2 ")));

  CliRun status = Sgm(testing::kAnalystToken, "kpi status --month 2024-05");
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_THAT(status.out, HasSubstr("Open cases"));

  CliRun caseloads =
      Sgm(testing::kAnalystToken, "kpi caseloads --as-of 2024-05-31 --json");
  ASSERT_EQ(caseloads.exit_code, 0) << caseloads.out;
  const nlohmann::json loads =
      nlohmann::json::parse(caseloads.out, nullptr, false);
  ASSERT_FALSE(loads.is_discarded()) << caseloads.out;
  EXPECT_EQ(loads["allocated_children"], "1") << caseloads.out;
}

TEST_F(SgmCliTest, KpiErrors) {
  CliRun denied = Sgm(testing::kAnalystToken,
                      "kpi watchlist under-1-cp --as-of 2024-05-31");
  EXPECT_EQ(denied.exit_code, 1) << denied.out;
  EXPECT_THAT(denied.out, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(denied.out, HasSubstr("ListWatchlist"));

  CliRun bad_month =
      Sgm(testing::kAnalystToken, "kpi indicators --month 2024-13");
  EXPECT_EQ(bad_month.exit_code, 2) << bad_month.out;
  EXPECT_THAT(bad_month.out, HasSubstr("--month"));

  CliRun no_month = Sgm(testing::kAnalystToken, "kpi status");
  EXPECT_EQ(no_month.exit_code, 2) << no_month.out;
  EXPECT_THAT(no_month.out, HasSubstr("--month is required"));

  CliRun bad_date = Sgm(testing::kPractitionerToken,
                        "kpi watchlist cp-2-years --as-of 31/05/2024");
  EXPECT_EQ(bad_date.exit_code, 2) << bad_date.out;
  EXPECT_THAT(bad_date.out, HasSubstr("--as-of"));

  CliRun bad_kind = Sgm(testing::kPractitionerToken, "kpi watchlist babies");
  EXPECT_EQ(bad_kind.exit_code, 2) << bad_kind.out;
  EXPECT_THAT(bad_kind.out, HasSubstr("unknown watchlist 'babies'"));

  // Partners send contacts, not case events.
  const std::string file = Write("events.csv", kCaseEvents);
  CliRun partner =
      Sgm(testing::kPartnerToken, absl::StrCat("import events ", file));
  EXPECT_EQ(partner.exit_code, 1) << partner.out;
  EXPECT_THAT(partner.out, HasSubstr("PERMISSION_DENIED"));
}

// Two social workers in Children's Safeguarding, one full time and one
// agency at 0.5, with an establishment of 3 FTE: on 2024-05-31 the total
// row shows 2 staff, 1.5 FTE in post, 0.5 agency, vacancy (3 - 1) / 3 =
// 66.7%, agency share 0.5 / 1.5 = 33.3%. W2 is on maternity leave.
TEST_F(SgmCliTest, WorkforceImportsAndSummary) {
  const std::string staff = Write(
      "staff.csv",
      "staff_id,role,qualified,service_area,team,employment,fte,start_date,"
      "end_date,annual_cost\n"
      "W1,SOCIAL_WORKER,Y,Children's Safeguarding,CP1,PERMANENT,1,"
      "2020-01-01,,56000\n"
      "W2,SOCIAL_WORKER,Y,Children's Safeguarding,CP1,AGENCY,0.5,"
      "2024-01-01,,42500\n");
  const std::string absences =
      Write("absences.csv",
            "staff_id,reason,start_date,end_date,days_lost\n"
            "W2,MAT,2024-05-01,,10\n"
            "W9,SIC,2024-05-01,2024-05-02,2\n");  // line 3: unknown staff
  const std::string establishment =
      Write("establishment.csv",
            "service_area,team,role,fte\n"
            "Children's Safeguarding,CP1,SOCIAL_WORKER,3\n");
  CliRun imported =
      Sgm(testing::kManagerToken, absl::StrCat("import staff ", staff));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("accepted 2, duplicates 0, rejected 0"));
  imported =
      Sgm(testing::kManagerToken, absl::StrCat("import absences ", absences));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("accepted 1, duplicates 0, rejected 1"));
  EXPECT_THAT(imported.out, HasSubstr("line 3, field staff_id"));
  imported = Sgm(testing::kManagerToken,
                 absl::StrCat("import establishment ", establishment));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("accepted 1"));

  // An analyst reads the aggregate; --date is --as-of.
  CliRun summary =
      Sgm(testing::kAnalystToken, "workforce summary --date 2024-05-31");
  ASSERT_EQ(summary.exit_code, 0) << summary.out;
  EXPECT_THAT(summary.out, HasSubstr("Workforce on 2024-05-31"));
  EXPECT_THAT(summary.out, ::testing::ContainsRegex(
                               "Total +2 +1.5 +1.5 +0.5 +0.5 +0.0 +3.0 +66.7% "
                               "+33.3%"));
  CliRun json = Sgm(testing::kAnalystToken,
                    "workforce summary --as-of 2024-05-31 --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"agency_share_percent\": 33.3"));
  // Staff records are for managers: an analyst cannot import them.
  CliRun denied =
      Sgm(testing::kAnalystToken, absl::StrCat("import staff ", staff));
  EXPECT_EQ(denied.exit_code, 1) << denied.out;
  EXPECT_THAT(denied.out, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(SgmCliTest, ReportAsMarkdownHtmlAndJson) {
  const std::string contacts =
      Write("report-police.csv",
            "source_record_id,received_at,child_id,source_code,primary_need\n"
            "P1,2024-05-03T09:00:00+01:00,CH1,6,N1\n"
            "P2,2024-05-04T09:00:00+01:00,CH2,6,N1\n"
            "P3,2024-05-05T09:00:00+01:00,CH3,2A,N6\n");
  ASSERT_EQ(Sgm(testing::kPractitionerToken,
                absl::StrCat("import contacts ", contacts, " --agency POLICE"))
                .exit_code,
            0);
  const std::string events = Write("report-events.csv", kCaseEvents);
  ASSERT_EQ(
      Sgm(testing::kPractitionerToken, absl::StrCat("import events ", events))
          .exit_code,
      0);

  CliRun md = Sgm(testing::kAnalystToken, "report --month 2024-05");
  ASSERT_EQ(md.exit_code, 0) << md.out;
  EXPECT_THAT(md.out,
              HasSubstr("# Monitoring safeguarding practice: May 2024"));
  EXPECT_THAT(md.out, HasSubstr("Contacts in May 2024: **3**"));
  EXPECT_THAT(md.out, HasSubstr("| Child protection visits in time | 66.7% "
                                "(2/3) |"));
  // Every section's service is deployed (the QA service with no audits).
  EXPECT_THAT(md.out, Not(HasSubstr("Not deployed")));
  EXPECT_THAT(md.out, HasSubstr("No audits dated in the period."));

  const std::string path = dir_.File("report.json");
  CliRun json =
      Sgm(testing::kAnalystToken,
          absl::StrCat("report --month=2024-05 --format=json -o ", path));
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out,
              HasSubstr(absl::StrCat("report for 2024-05 -> ", path)));
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  const nlohmann::json parsed =
      nlohmann::json::parse(text.str(), nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << text.str();
  EXPECT_EQ(parsed["authority"], "831");
  EXPECT_EQ(parsed["month"]["month"], 5);
  EXPECT_EQ(parsed["front_door"]["status"]["state"], "SECTION_STATE_AVAILABLE");
  EXPECT_EQ(parsed["front_door"]["figures"]["this_month"]["contacts"], "3");
  EXPECT_EQ(parsed["performance"]["indicators"]["indicators"][2]["numerator"],
            "2");
  EXPECT_EQ(parsed["quality"]["status"]["state"], "SECTION_STATE_AVAILABLE");

  CliRun out_flag = Sgm(testing::kAnalystToken,
                        absl::StrCat("report --month 2024-05 --out=", path));
  ASSERT_EQ(out_flag.exit_code, 0) << out_flag.out;
  std::ifstream md_file(path);
  std::stringstream md_text;
  md_text << md_file.rdbuf();
  EXPECT_THAT(md_text.str(), HasSubstr("## Workforce"));

  const std::string html_path = dir_.File("report.html");
  CliRun html =
      Sgm(testing::kAnalystToken,
          absl::StrCat("report --month 2024-05 --format html -o ", html_path));
  ASSERT_EQ(html.exit_code, 0) << html.out;
  EXPECT_THAT(html.out,
              HasSubstr(absl::StrCat("report for 2024-05 -> ", html_path)));
  std::ifstream html_file(html_path);
  std::stringstream html_text;
  html_text << html_file.rdbuf();
  EXPECT_EQ(html_text.str().rfind("<!doctype html>", 0), 0u);
  EXPECT_THAT(html_text.str(),
              HasSubstr("<title>Monitoring Safeguarding Practice - 831 - May "
                        "2024</title>"));
  EXPECT_THAT(html_text.str(), HasSubstr("<th scope=\"row\">May 2024</th>"
                                         "<td class=\"sgm-num\">3</td>"));
  EXPECT_THAT(html_text.str(),
              Not(HasSubstr("class=\"sgm-notice sgm-not-deployed\"")));
  EXPECT_THAT(html_text.str(), HasSubstr("data-chart-id=\"front-door-trend\""));
  EXPECT_THAT(html_text.str(), HasSubstr("Chart.js v4"));
  CliRun pdf = Sgm(testing::kAnalystToken, "report --format pdf");
  EXPECT_EQ(pdf.exit_code, 2) << pdf.out;
  EXPECT_THAT(pdf.out, HasSubstr("--format: 'pdf' is not md, html or json"));
  CliRun bad_month = Sgm(testing::kAnalystToken, "report --month 2024-5");
  EXPECT_EQ(bad_month.exit_code, 2) << bad_month.out;
  CliRun partner = Sgm(testing::kPartnerToken, "report --month 2024-05");
  EXPECT_EQ(partner.exit_code, 1) << partner.out;
  EXPECT_THAT(partner.out, HasSubstr("PERMISSION_DENIED"));
}

// A practitioner's child-level read shows in `sgm admin audit` (admins
// only), filtered by child; other children's filter finds nothing.
TEST_F(SgmCliTest, AdminAuditListsChildLevelReads) {
  const std::string file =
      Write("police.csv",
            "source_record_id,received_at,child_id,source_code,primary_need\n"
            "R1,2024-06-03T09:00:00+01:00,CH77,6,N1\n");
  CliRun import =
      Sgm(testing::kPractitionerToken,
          absl::StrCat("import contacts ", file, " --agency POLICE"));
  ASSERT_EQ(import.exit_code, 0) << import.out;
  auto stub = intake::v1::IntakeService::NewStub(cluster_->gateway_channel());
  intake::v1::GetContactRequest request;
  request.set_contact_ref("POLICE:R1");
  intake::v1::GetContactResponse response;
  auto context = testing::TestCluster::ContextFor(testing::kPractitionerToken);
  ASSERT_TRUE(stub->GetContact(context.get(), request, &response).ok());

  CliRun audit = Sgm(testing::kAdminToken,
                     "admin audit --service=intake --child=CH77 --json");
  ASSERT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_THAT(audit.out, HasSubstr("test-practitioner"));
  EXPECT_THAT(audit.out, HasSubstr("GetContact"));
  EXPECT_THAT(audit.out, HasSubstr("CH77"));

  CliRun other = Sgm(testing::kAdminToken,
                     "admin audit --service=intake --child=CH78 --json");
  ASSERT_EQ(other.exit_code, 0) << other.out;
  EXPECT_THAT(other.out, Not(HasSubstr("GetContact")));

  CliRun denied =
      Sgm(testing::kPractitionerToken, "admin audit --service=intake");
  EXPECT_EQ(denied.exit_code, 1) << denied.out;
  EXPECT_THAT(denied.out, HasSubstr("PERMISSION_DENIED"));

  CliRun usage = Sgm(testing::kAdminToken, "admin audit --service=hr");
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
  EXPECT_THAT(usage.out, HasSubstr("intake, kpi, workforce or qa"));
}

TEST_F(SgmCliTest, SynthQaWritesFeedsNamingTheEventsChildren) {
  const std::string args = " --seed=5 --start=2023-10 --months=3";
  CliRun run = Sgm("", absl::StrCat("synth qa --out=", dir_.File("q"), args));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("(2023-10 to 2023-12)"));
  EXPECT_THAT(run.out, HasSubstr("{audits,feedback,actions,themes}.csv"));
  const std::string audits = ReadFile(dir_.File("q/audits.csv"));
  EXPECT_EQ(audits.substr(0, audits.find('\n')),
            "audit_id,child_id,type,theme,team,worker_id,auditor,audit_date,"
            "grade,moderated_grade,moderator,domains,findings,reaudit_of,"
            "sample_id");
  const std::string feedback = ReadFile(dir_.File("q/feedback.csv"));
  EXPECT_EQ(feedback.substr(0, feedback.find('\n')),
            "feedback_id,source,team,received_on,rating,comment");
  const std::string actions = ReadFile(dir_.File("q/actions.csv"));
  EXPECT_EQ(actions.substr(0, actions.find('\n')),
            "action_id,origin_ref,owner,due_date,completed_date,raised_on");
  // The bi-monthly themes covering October to December 2023: Sep-Oct and
  // Nov-Dec, in the synthesizer's turn of themes.
  EXPECT_EQ(ReadFile(dir_.File("q/themes.csv")),
            "theme_id,name,start_date,end_date\n"
            "VOC-2023-09,Voice of the child,2023-09-01,2023-10-31\n"
            "ASSESS-2023-11,Quality of assessments,2023-11-01,2023-12-31\n");
  // The first audit names a child and worker of the case events of the
  // same options.
  const size_t second_line = audits.find('\n') + 1;
  const std::vector<std::string> fields = absl::StrSplit(
      audits.substr(second_line, audits.find('\n', second_line) - second_line),
      ',');
  ASSERT_GE(fields.size(), 6u);
  EXPECT_EQ(fields[0], "AUD0000001");
  ASSERT_EQ(Sgm("", absl::StrCat("synth events --out=", dir_.File("q"), args))
                .exit_code,
            0);
  const std::string events = ReadFile(dir_.File("q/case-events.csv"));
  EXPECT_THAT(events, HasSubstr(absl::StrCat(",", fields[1], ",")));
  EXPECT_THAT(events, HasSubstr(absl::StrCat(",", fields[5], ",")));
  // Deterministic.
  ASSERT_EQ(
      Sgm("", absl::StrCat("synth qa --out=", dir_.File("r"), args)).exit_code,
      0);
  EXPECT_EQ(ReadFile(dir_.File("r/audits.csv")), audits);
  EXPECT_EQ(ReadFile(dir_.File("r/actions.csv")), actions);
  EXPECT_EQ(Sgm("", "synth qa").exit_code, 2);
  EXPECT_THAT(Sgm("", "help").out, HasSubstr("synth qa --out=DIR"));
}

TEST_F(SgmCliTest, QaUsageErrors) {
  const absl::string_view token = testing::kAnalystToken;
  EXPECT_EQ(Sgm(token, "qa").exit_code, 2);
  CliRun unknown = Sgm(token, "qa nonsense");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_THAT(unknown.out, HasSubstr("unknown qa command 'nonsense'"));
  CliRun bad_from = Sgm(token, "qa summary --from 2024-13-01");
  EXPECT_EQ(bad_from.exit_code, 2) << bad_from.out;
  EXPECT_THAT(bad_from.out, HasSubstr("--from"));
  CliRun backwards = Sgm(token, "qa summary --from 2024-05-31 --to 2024-05-01");
  EXPECT_EQ(backwards.exit_code, 2) << backwards.out;
  EXPECT_THAT(backwards.out, HasSubstr("--to is before --from"));
  CliRun missing = Sgm(token, "qa create-theme --id CP-2024-05");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_THAT(missing.out, HasSubstr("needs --id, --name, --start and --end"));
  CliRun bad_start =
      Sgm(token,
          "qa create-theme --id CP-2024-05 --name CP --start 2024-05 --end "
          "2024-06-30");
  EXPECT_EQ(bad_start.exit_code, 2) << bad_start.out;
  EXPECT_THAT(bad_start.out, HasSubstr("--start"));
  CliRun team = Sgm(token, "qa themes --team CP1");
  EXPECT_EQ(team.exit_code, 2) << team.out;
  EXPECT_EQ(Sgm(token, "qa summary extra").exit_code, 2);
  EXPECT_EQ(Sgm(token, "import audits").exit_code, 2);
  EXPECT_EQ(Sgm("", "qa summary").exit_code, 2) << "no token";
}

// May 2024 (the cluster's clock is 2024-06-15), worked by hand:
//   audits in May: A1 graded 2; A2 3, moderated 3 (agreed); A3 1,
//   moderated 2 (graded down); A6 3, a re-audit of A5 (April, 4):
//   improved. Line 5 (A4) has no such grade. Effective grades 2, 3, 2, 3:
//   4 audits, 2 good, 2 requires improvement, 50.0% good or better; 2
//   moderated, 1 agreed (50.0%). RECORDING graded 3 in A1 and A2.
//   feedback in May: families 5 and 4 (4.50), a partner 2: 3 pieces, mean
//   11 / 3 = 3.67; line 5 has a rating of 6.
//   actions on 31 May: AC2 (due 25 May) and AC3 open, AC2 overdue; AC1
//   (on time) and AC4 (late) completed in May: 1 of 2 on time; AC1, AC2
//   and AC4 due in May.
constexpr absl::string_view kAudits =
    "audit_id,child_id,type,theme,team,worker_id,auditor,audit_date,grade,"
    "moderated_grade,moderator,domains,reaudit_of\n"
    "A1,C1,CASE_FILE,,CP1,W1,Auditor 01,2024-05-02,2,,,"
    "VOICE_OF_THE_CHILD=2;RECORDING=3,\n"
    "A2,C2,THEMED,CP-2024-05,CP1,W1,Auditor 02,2024-05-09,3,3,Head of QA,"
    "RECORDING=3,\n"
    "A3,C3,CASE_FILE,,EH1,P1,Auditor 01,2024-05-20,1,2,Head of QA,,\n"
    "A4,C4,OBSERVATION,,EH1,P2,Auditor 03,2024-05-21,5,,,,\n"
    "A5,C5,CASE_FILE,,CP1,W1,Auditor 01,2024-04-10,4,,,,\n"
    "A6,C5,CASE_FILE,,CP1,W1,Auditor 02,2024-05-28,3,,,,A5\n";
constexpr absl::string_view kFeedback =
    "feedback_id,source,team,received_on,rating,comment\n"
    "F1,FAMILY,CP1,2024-05-03,5,Very helpful\n"
    "F2,FAMILY,CP1,2024-05-10,4,\n"
    "F3,PARTNER_AGENCY,,2024-05-15,2,\"Slow, but improving\"\n"
    "F4,STAFF,,2024-05-16,6,\n";
constexpr absl::string_view kActions =
    "action_id,origin_ref,owner,due_date,completed_date,raised_on\n"
    "AC1,A2,CP1 team manager,2024-05-20,2024-05-18,2024-05-09\n"
    "AC2,BOARD-2024-05,Head of Service,2024-05-25,,2024-05-14\n"
    "AC3,A6,W1,2024-06-30,,2024-05-28\n"
    "AC4,BOARD-2024-04,Head of Service,2024-05-10,2024-05-15,2024-04-10\n";

TEST_F(SgmCliTest, QaImportsThemesAndSummary) {
  // A manager records the theme; re-sending it changes nothing.
  const std::string theme =
      "qa create-theme --id CP-2024-05 --name 'Child protection' --start "
      "2024-05-01 --end 2024-06-30";
  CliRun created = Sgm(testing::kManagerToken, theme);
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_EQ(created.out,
            "theme CP-2024-05 (Child protection), 2024-05-01 to 2024-06-30: "
            "recorded\n");
  CliRun again = Sgm(testing::kManagerToken, theme);
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr(": already recorded"));
  CliRun other = Sgm(testing::kManagerToken,
                     "qa create-theme --id CP-2024-05 --name Neglect --start "
                     "2024-05-01 --end 2024-06-30");
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_THAT(other.out, HasSubstr("ALREADY_EXISTS"));

  CliRun imported =
      Sgm(testing::kPractitionerToken,
          absl::StrCat("import audits ", Write("a.csv", kAudits)));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("accepted 5, duplicates 0, rejected 1"));
  EXPECT_THAT(imported.out, HasSubstr("line 5, field grade"));
  imported = Sgm(testing::kPractitionerToken,
                 absl::StrCat("import feedback ", Write("f.csv", kFeedback)));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("accepted 3, duplicates 0, rejected 1"));
  EXPECT_THAT(imported.out, HasSubstr("line 5, field rating"));
  const std::string actions = Write("ac.csv", kActions);
  imported = Sgm(testing::kPractitionerToken,
                 absl::StrCat("import actions ", actions));
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("accepted 4, duplicates 0, rejected 0"));
  imported = Sgm(testing::kPractitionerToken,
                 absl::StrCat("import actions ", actions));
  EXPECT_THAT(imported.out, HasSubstr("accepted 0, duplicates 4, rejected 0"));

  // An analyst reads the figures.
  CliRun json = Sgm(testing::kAnalystToken,
                    "qa summary --from 2024-05-01 --to 2024-05-31 --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  const nlohmann::json f = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(f.is_discarded()) << json.out;
  EXPECT_EQ(f["audits"]["audits"], "4") << json.out;
  EXPECT_EQ(f["audits"]["good"], "2");
  EXPECT_EQ(f["audits"]["requires_improvement"], "2");
  EXPECT_EQ(f["audits"]["good_or_better_percent"], 50.0);
  EXPECT_EQ(f["moderation"]["moderated"], "2");
  EXPECT_EQ(f["moderation"]["agreed"], "1");
  EXPECT_EQ(f["moderation"]["moderated_down"], "1");
  EXPECT_EQ(f["moderation"]["agreement_percent"], 50.0);
  EXPECT_EQ(f["reaudits"]["reaudits"], "1");
  EXPECT_EQ(f["reaudits"]["improved"], "1");
  EXPECT_EQ(f["actions"]["open"], "2");
  EXPECT_EQ(f["actions"]["overdue"], "1");
  EXPECT_EQ(f["actions"]["completed"], "2");
  EXPECT_EQ(f["actions"]["completed_on_time"], "1");
  EXPECT_EQ(f["actions"]["due"], "3");
  ASSERT_FALSE(f["feedback"].empty()) << json.out;
  const nlohmann::json& total = f["feedback"].back();
  EXPECT_EQ(total["source"], "FEEDBACK_SOURCE_UNSPECIFIED");
  EXPECT_EQ(total["received"], "3");
  EXPECT_EQ(total["mean_rating"], 3.67);

  CliRun table = Sgm(testing::kAnalystToken,
                     "qa summary --from 2024-05-01 --to 2024-05-31");
  ASSERT_EQ(table.exit_code, 0) << table.out;
  EXPECT_THAT(table.out,
              HasSubstr("Quality assurance, 2024-05-01 to 2024-05-31\n"));
  EXPECT_THAT(table.out,
              ::testing::ContainsRegex("All audits +4 +0 +2 +2 +0 +50.0%"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("Recording +2 +2 +100.0%"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("Families +2 +4.50 +2 +0"));
  EXPECT_THAT(table.out, HasSubstr("Actions on 2024-05-31: 2 open, of which "
                                   "1 overdue"));
  EXPECT_THAT(table.out, HasSubstr("Re-audits: 1, 1 (100.0%) improved"));

  // A team, and a theme (the theme's days).
  CliRun team = Sgm(testing::kAnalystToken,
                    "qa summary --from 2024-05-01 --to 2024-05-31 --team EH1 "
                    "--json");
  ASSERT_EQ(team.exit_code, 0) << team.out;
  EXPECT_EQ(nlohmann::json::parse(team.out, nullptr, false)["audits"]["audits"],
            "1")
      << team.out;
  CliRun themed =
      Sgm(testing::kAnalystToken, "qa summary --theme CP-2024-05 --json");
  ASSERT_EQ(themed.exit_code, 0) << themed.out;
  const nlohmann::json t = nlohmann::json::parse(themed.out, nullptr, false);
  ASSERT_FALSE(t.is_discarded()) << themed.out;
  EXPECT_EQ(t["audits"]["audits"], "1") << themed.out;
  EXPECT_EQ(t["from"]["month"], 5);

  CliRun themes = Sgm(testing::kAnalystToken, "qa themes");
  ASSERT_EQ(themes.exit_code, 0) << themes.out;
  EXPECT_THAT(themes.out, HasSubstr("CP-2024-05  Child protection  2024-05-01"
                                    "  2024-06-30\n1 theme\n"));
  CliRun later =
      Sgm(testing::kAnalystToken, "qa themes --as-of 2024-07-01 --json");
  ASSERT_EQ(later.exit_code, 0) << later.out;
  EXPECT_THAT(later.out, Not(HasSubstr("CP-2024-05")));

  // Audits name children: not for analysts; themes are for managers.
  CliRun denied = Sgm(testing::kAnalystToken,
                      absl::StrCat("import audits ", Write("b.csv", kAudits)));
  EXPECT_EQ(denied.exit_code, 1) << denied.out;
  EXPECT_THAT(denied.out, HasSubstr("PERMISSION_DENIED"));
  CliRun practitioner = Sgm(testing::kPractitionerToken, theme);
  EXPECT_EQ(practitioner.exit_code, 1) << practitioner.out;
  EXPECT_THAT(practitioner.out, HasSubstr("PERMISSION_DENIED"));

  // A practitioner's read of an audit shows in the QA read-audit log.
  auto stub = qa::v1::QaService::NewStub(cluster_->gateway_channel());
  qa::v1::GetAuditRequest request;
  request.set_audit_id("A1");
  qa::v1::GetAuditResponse response;
  auto context = testing::TestCluster::ContextFor(testing::kPractitionerToken);
  ASSERT_TRUE(stub->GetAudit(context.get(), request, &response).ok());
  CliRun audit =
      Sgm(testing::kAdminToken, "admin audit --service=qa --child=C1 --json");
  ASSERT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_THAT(audit.out, HasSubstr("GetAudit"));
  EXPECT_THAT(audit.out, HasSubstr("test-practitioner"));

  // The report's quality section has the month's audits.
  CliRun report = Sgm(testing::kAnalystToken, "report --month 2024-05");
  ASSERT_EQ(report.exit_code, 0) << report.out;
  EXPECT_THAT(report.out, HasSubstr("Audits in May 2024: **4**"));
  EXPECT_THAT(report.out, Not(HasSubstr("quality section")));
}

// Practice insight: D1 on a CP plan from February (visited virtually in
// March) steps down to CIN on 10 May; D2 in care from April, visited face
// to face in May; D3's referral (April) closed in May. Open at 31 March: 1
// (D1); at 31 May: 2 (D1 CIN, D2 CIC).
constexpr absl::string_view kInsightEvents =
    "event_id,event_type,child_id,child_dob,ref_id,event_date,category,"
    "outcome,visit_mode\n"
    "I1,CP_PLAN_START,D1,2016-04-04,CP1,2024-02-01,NEG,,\n"
    "I2,CP_VISIT,D1,2016-04-04,CP1,2024-03-05,,,VIRTUAL\n"
    "I3,CP_PLAN_END,D1,2016-04-04,CP1,2024-05-10,,,\n"
    "I4,CIN_PLAN_START,D1,2016-04-04,CIN1,2024-05-10,,,\n"
    "I5,CLA_START,D2,2010-01-01,LA2,2024-04-01,,,\n"
    "I6,CLA_VISIT,D2,2010-01-01,LA2,2024-05-06,,,FACE_TO_FACE\n"
    "I7,REFERRAL,D3,2011-01-01,R3,2024-04-02,,,\n"
    "I8,CASE_CLOSED,D3,2011-01-01,R3,2024-05-20,,RC8,\n";

TEST_F(SgmCliTest, InsightUsageErrors) {
  const absl::string_view token = testing::kAnalystToken;
  EXPECT_EQ(Sgm(token, "insight").exit_code, 2);
  CliRun unknown = Sgm(token, "insight nonsense");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_THAT(unknown.out, HasSubstr("unknown insight command 'nonsense'"));
  CliRun no_after = Sgm(token, "insight compare --before 2024-03..2024-03");
  EXPECT_EQ(no_after.exit_code, 2) << no_after.out;
  EXPECT_THAT(no_after.out, HasSubstr("--after is required"));
  CliRun backwards =
      Sgm(token,
          "insight compare --before 2024-05..2024-03 --after=2024-05..2024-05");
  EXPECT_EQ(backwards.exit_code, 2) << backwards.out;
  EXPECT_THAT(backwards.out, HasSubstr("--before: 2024-05 is after 2024-03"));
  EXPECT_EQ(Sgm(token, "insight figures --from 2024-01").exit_code, 2);
  EXPECT_EQ(Sgm(token, "insight quality --figures kpi.open_cases").exit_code,
            2);
  CliRun bad_to = Sgm(token, "insight visits --to 2024-13");
  EXPECT_EQ(bad_to.exit_code, 2) << bad_to.out;
  EXPECT_THAT(bad_to.out, HasSubstr("--to"));
  EXPECT_EQ(Sgm(token, "insight flows extra").exit_code, 2);
  EXPECT_EQ(Sgm("", "insight figures").exit_code, 2) << "no token";
  EXPECT_THAT(Sgm("", "help").out, HasSubstr("insight compare --before="));
}

TEST_F(SgmCliTest, InsightFiguresFlowsAndCompare) {
  CliRun import =
      Sgm(testing::kPractitionerToken,
          absl::StrCat("import events ", Write("insight.csv", kInsightEvents)));
  ASSERT_EQ(import.exit_code, 0) << import.out;
  EXPECT_THAT(import.out, HasSubstr("accepted 8, duplicates 0, rejected 0"));

  CliRun figures = Sgm(testing::kAnalystToken, "insight figures");
  ASSERT_EQ(figures.exit_code, 0) << figures.out;
  EXPECT_THAT(LineWith(figures.out, "kpi.open_cases "),
              ::testing::ContainsRegex("count +neutral +kpi +Open cases"));
  EXPECT_THAT(LineWith(figures.out, "kpi.repeat_cp_plans "),
              HasSubstr(" lower "));

  // May: D1 CP -> CIN, no step up, entry or exit, one closure.
  CliRun flows =
      Sgm(testing::kAnalystToken, "insight flows --from 2024-05 --to 2024-05");
  ASSERT_EQ(flows.exit_code, 0) << flows.out;
  EXPECT_THAT(flows.out, HasSubstr("Service-level flows, 2024-05 to 2024-05"));
  EXPECT_THAT(flows.out,
              ::testing::ContainsRegex("2024-05 +1 +1 +0 +0 +0 +0 +1\n"));

  // The other range commands answer for May too (no contacts here).
  for (const auto& [command, title] :
       std::vector<std::pair<std::string, std::string>>{
           {"quality", "Referral quality, 2024-05 to 2024-05"},
           {"duplicates", "Duplicate input, 2024-05 to 2024-05"},
           {"funnel", "Abuse-category funnel, 2024-05 to 2024-05"},
           {"visits", "Visit quality, 2024-05 to 2024-05"}}) {
    CliRun run =
        Sgm(testing::kAnalystToken,
            absl::StrCat("insight ", command, " --from=2024-05 --to=2024-05"));
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.out;
    EXPECT_THAT(run.out, HasSubstr(title)) << run.out;
    if (command == "visits") {
      // D2's visit: face to face, seen alone not recorded.
      EXPECT_THAT(run.out, ::testing::ContainsRegex(
                               "Child in care +1 +1 of 1 \\(100.0%\\) +–"));
    }
  }

  const std::string periods =
      "insight compare --before=2024-03..2024-03 --after 2024-05..2024-05 ";
  CliRun json = Sgm(
      testing::kAnalystToken,
      absl::StrCat(periods,
                   "--figures=kpi.open_cases,kpi.visits_face_to_face_percent "
                   "--json"));
  ASSERT_EQ(json.exit_code, 0) << json.out;
  const nlohmann::json c = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(c.is_discarded()) << json.out;
  ASSERT_EQ(c["changes"].size(), 2u) << json.out;
  // Open cases 1 -> 2: +1, +100.0%, neutral.
  EXPECT_EQ(c["changes"][0]["figure"]["id"], "kpi.open_cases");
  EXPECT_EQ(c["changes"][0]["before"], 1.0) << json.out;
  EXPECT_EQ(c["changes"][0]["after"], 2.0);
  EXPECT_EQ(c["changes"][0]["relative_change_percent"], 100.0);
  EXPECT_EQ(c["changes"][0]["verdict"], "CHANGE_VERDICT_NOT_JUDGED");
  // Face to face 0 of 1 -> 1 of 1: better; no relative change from 0.
  EXPECT_EQ(c["changes"][1]["before"], 0.0);
  EXPECT_EQ(c["changes"][1]["after"], 100.0);
  EXPECT_FALSE(c["changes"][1].contains("relative_change_percent"));
  EXPECT_EQ(c["changes"][1]["verdict"], "CHANGE_VERDICT_BETTER");

  CliRun table = Sgm(testing::kAnalystToken,
                     absl::StrCat(periods, "--figures kpi.closures"));
  ASSERT_EQ(table.exit_code, 0) << table.out;
  EXPECT_THAT(table.out, HasSubstr("Before: 2024-03 to 2024-03; after: "
                                   "2024-05 to 2024-05\n"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex(
                             "kpi.closures +0 +1 +\\+1 +– +not judged\n"));

  CliRun unknown = Sgm(testing::kAnalystToken,
                       absl::StrCat(periods, "--figures kpi.nothing"));
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_THAT(unknown.out, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(unknown.out, HasSubstr("unknown figure"));
}

TEST_F(SgmCliTest, HashTokenIsWhatTheGatewayStores) {
  CliRun hash = Sgm("", "admin hash-token abc");
  EXPECT_EQ(
      hash.out,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
}

}  // namespace
}  // namespace sgm
