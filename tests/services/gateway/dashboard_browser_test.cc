// The dashboard in a real browser: a TestCluster with the HTTP side, two
// months of contacts and decisions, case events and staff seeded through
// the gateway's gRPC, then tests/browser/dashboard_test.mjs (playwright-core
// driving Debian's headless chromium) loads the dashboard, selects the
// month, waits for every chart to be drawn (the practice-insight funnel and
// service-flows charts among them), checks the links to the report's
// sections and saves a screenshot it checks is not blank.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using testing::TestCluster;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace wv1 = ::sgm::workforce::v1;

constexpr char kChromium[] = "/usr/bin/chromium";

struct Month {
  int year;
  int month;
  Month Minus(int months) const {
    int index = year * 12 + (month - 1) - months;
    return Month{index / 12, index % 12 + 1};
  }
  std::string Text() const { return absl::StrFormat("%04d-%02d", year, month); }
  std::string Day(int day) const {
    return absl::StrFormat("%04d-%02d-%02d", year, month, day);
  }
  std::string At(int day) const {
    return absl::StrCat(Day(day), "T09:00:00+00:00");
  }
};

// The last full month before `now` (UTC): what the dashboard offers first.
Month LastFullMonth(absl::Time now) {
  absl::CivilMonth month = absl::ToCivilMonth(now, absl::UTCTimeZone()) - 1;
  return Month{static_cast<int>(month.year()), month.month()};
}

bool IsExecutable(const char* path) { return access(path, X_OK) == 0; }

// Runs `command` through the shell; its exit code (-1 when it did not
// exit), its output in `output`.
int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output->append(buffer, n);
  }
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(DashboardBrowserTest, ShowsTheReportWithItsChartsDrawn) {
  std::string version;
  if (!IsExecutable(kChromium) || RunCommand("node --version", &version) != 0) {
    FAIL() << "needs " << kChromium << " and node (dev.sh installs both)";
  }
  const absl::Time now = absl::Now();
  const Month month = LastFullMonth(now);
  const Month before = month.Minus(1);
  const Month year_ago = month.Minus(12);

  TestCluster::Options options;
  options.http = true;
  options.start_time = now;
  auto started = TestCluster::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<TestCluster> cluster = *std::move(started);
  auto channel = cluster->gateway_channel();
  auto intake = iv1::IntakeService::NewStub(channel);
  auto kpi = kv1::KpiService::NewStub(channel);
  auto workforce = wv1::WorkforceService::NewStub(channel);

  const std::string contacts = absl::StrCat(
      "source_record_id,received_at,child_id,child_dob,source_code,"
      "primary_need,concerns,referrer_org,summary\n",
      "Y1,", year_ago.At(10), ",CH9,,6,N1,,,\n",  //
      "Y2,", year_ago.At(11), ",CH8,,6,N1,,,\n",  //
      "P1,", before.At(3), ",CH7,,6,N1,,,\n",     //
      "P2,", before.At(14), ",CH6,,2A,N2,,,\n",   //
      "P3,", before.At(15), ",CH5,,3A,N3,,,\n",   //
      "M1,", month.At(2), ",CH1,2015-02-01,6,N1,,,\n", "M2,", month.At(3),
      ",CH2,,6,N1,,,\n",                        //
      "M3,", month.At(20), ",CH3,,2A,N6,,,\n",  //
      "M4,", month.At(21), ",CH1,,3A,N3,,,\n",  //
      "M5,", month.At(22), ",CH4,,5A,N2,,,\n");
  iv1::ImportContactsResponse imported;
  ASSERT_TRUE(testing::SendContacts(
                  *intake,
                  TestCluster::ContextFor(testing::kPractitionerToken).get(),
                  contacts, "POLICE", &imported)
                  .ok());
  ASSERT_EQ(imported.summary().accepted(), 10) << imported.DebugString();
  const std::string decisions =
      absl::StrCat("contact_ref,decided_at,outcome,decided_by\n", "POLICE:P1,",
                   before.At(4), ",NFA,W1\n",                    //
                   "POLICE:P2,", before.At(15), ",ADVICE,W1\n",  //
                   "POLICE:M1,", month.At(2), ",REFERRAL,W1\n",  //
                   "POLICE:M2,", month.At(7), ",NFA,W1\n",       //
                   "POLICE:M3,", month.At(21), ",ADVICE,W1\n");
  iv1::ImportDecisionsResponse decided;
  ASSERT_TRUE(testing::SendDecisions(
                  *intake,
                  TestCluster::ContextFor(testing::kPractitionerToken).get(),
                  decisions, &decided)
                  .ok());
  ASSERT_EQ(decided.summary().accepted(), 5) << decided.DebugString();

  const std::string events = absl::StrCat(
      "event_id,event_type,child_id,child_dob,ref_id,event_date,category,"
      "worker_id,team,visit_mode\n",
      "E1,CP_PLAN_START,C1,2018-01-10,CP1,", before.Day(1), ",NEG,,,\n",
      "E2,CP_VISIT,C1,2018-01-10,CP1,", before.Day(10), ",,,,FACE_TO_FACE\n",
      "E3,ALLOCATION_START,C1,2018-01-10,AL1,", before.Day(1), ",,W01,CP1,\n",
      "E4,CP_VISIT,C1,2018-01-10,CP1,", month.Day(5), ",,,,FACE_TO_FACE\n",
      "E6,CP_PLAN_START,C2,2015-03-02,CP2,", month.Day(2), ",EMO,,,\n",
      "E7,CP_VISIT,C2,2015-03-02,CP2,", month.Day(9), ",,,,\n",
      "E8,CLA_START,C3,2012-07-20,LA1,", before.Day(3), ",,,,\n");
  {
    kv1::ImportCaseEventsResponse response;
    auto context = TestCluster::ContextFor(testing::kPractitionerToken);
    auto writer = kpi->ImportCaseEvents(context.get(), &response);
    ASSERT_TRUE(testing::SendChunks<kv1::ImportCaseEventsRequest>(
                    *writer, events, 1 << 20, feed::v1::FEED_FORMAT_CSV,
                    [](kv1::ImportCaseEventsRequest*) {})
                    .ok());
    ASSERT_EQ(response.summary().accepted(), 7) << response.DebugString();
  }
  {
    const std::string staff =
        "staff_id,role,qualified,service_area,team,employment,fte,"
        "start_date,end_date,annual_cost\n"
        "W01,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,1,2020-01-06,,45000\n"
        "W02,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,0.5,2021-03-01,,"
        "22500\n"
        "W03,SOCIAL_WORKER,Y,Safeguarding,CP2,AGENCY,1,2024-01-08,,70000\n"
        "W06,CHILDRENS_PRACTITIONER,N,Early Help,EH1,PERMANENT,0.8,"
        "2023-01-09,,28000\n";
    wv1::ImportStaffResponse response;
    auto context = TestCluster::ContextFor(testing::kManagerToken);
    auto writer = workforce->ImportStaff(context.get(), &response);
    ASSERT_TRUE(testing::SendChunks<wv1::ImportStaffRequest>(
                    *writer, staff, 1 << 20, feed::v1::FEED_FORMAT_CSV,
                    [](wv1::ImportStaffRequest*) {})
                    .ok());
    ASSERT_EQ(response.summary().accepted(), 4) << response.DebugString();
  }

  testing::TempDir dir("dashboard");
  const std::string screenshot = dir.path() + "/dashboard.png";
  const std::string command = absl::StrCat(
      "node '", SGM_SOURCE_DIR, "/tests/browser/dashboard_test.mjs'",
      " --url http://127.0.0.1:", cluster->http_port(), "/", " --token ",
      testing::kManagerToken, " --month ", month.Text(),
      " --min-charts 3 --require-charts insight-funnel,insight-service-flows",
      " --out '", screenshot, "'");
  std::string output;
  const int code = RunCommand(command, &output);
  EXPECT_EQ(code, 0) << command << "\n" << output;
  struct stat info {};
  ASSERT_EQ(stat(screenshot.c_str(), &info), 0) << "no screenshot: " << output;
  EXPECT_GT(info.st_size, 20 * 1024) << output;
}

}  // namespace
}  // namespace sgm
