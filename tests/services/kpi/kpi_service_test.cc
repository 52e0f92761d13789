// The KPI service end to end through the gateway: a small case-events file
// whose every indicator is worked out by hand below, read back from the
// service, from the cache, after a cold restart and with Redis gone; the
// child-level lists with their role checks and audit rows. A real
// redis-server and real SQLite files, started and created by the test.
#include "services/kpi/kpi_service.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event_store.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm::kpi {
namespace {

using ::sgm::testing::TestCluster;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Month M = May 2024, E = Friday 31 May 2024. Bank holidays in the windows:
// Good Friday 29 Mar, Easter Monday 1 Apr, 6 May, 27 May.
//
// cic_visits_in_time (open CLA at E; E <= last visit + 42 days, no visit:
// start + 7 days):
//   CLA1 (K1) visit 25 Apr -> 6 Jun >= E: in time.
//   CLA2 (K2) visit 15 Apr -> 27 May < E: late.
//   CLA3 (K3) started 28 May, no visit -> 4 Jun: in time.       => 2 / 3
// cic_reviews_in_time (open at E, start + 20 wd <= E):
//   CLA1 start 10 Jan -> first due 7 Feb; reviewed 5 Feb (due 5 May),
//   3 May (due 3 Nov): in time. CLA2 reviewed 9 Feb > 7 Feb: late. CLA3
//   is too new.                                                    => 1 / 2
// cpp_visits_in_time (open CP plan at E; E <= last visit + 10 wd):
//   CP1 (K4) visit Thu 16 May -> +10 wd skipping 27 May = Fri 31 May = E:
//   in time on the boundary day. CP2 (K5) visit 15 May -> 30 May: late.
//   CP4 (K11) started 20 May -> 4 Jun; CP5 (K12) 21 May -> 5 Jun: in time.
//                                                                  => 3 / 4
// cpp_reviews_in_time (open at E, start + 3 months <= E):
//   CP1 and CP2 started 29 Feb -> first due 29 May. CP1 reviewed 29 May:
//   in time; CP2 not reviewed: late. CP4, CP5 too new.             => 1 / 2
// cin_reviews_in_time (open CIN plan at E, start + 3 months <= E):
//   CIN1 (K6) 31 Jan -> due 30 Apr (clamped), reviewed 30 Apr: in time.
//   CIN2 (K7) 31 Jan, reviewed 1 May: late. CIN4 (K8) opened 2 May and
//   closed 30 May: not open at E.                                  => 1 / 2
// first_assessments_in_time (first assessment of its referral, ended in M;
// end <= referral + 45 wd):
//   R1 (K9) and R2 (K10) referred Thu 21 Mar -> +45 wd (skipping 29 Mar,
//   1 Apr, 6 May, 27 May) = Wed 29 May. A1 ended 29 May: in time; A2
//   ended 30 May: late. A3 (second of R2) is not counted.          => 1 / 2
// icpc_in_15wd (ICPCs in M; <= last strategy discussion (else S47 start)
// + 15 wd):
//   S1: discussion Thu 2 May -> due Fri 24 May; ICPC 24 May: in time.
//   S2: no discussion, S47 start Wed 1 May -> due Thu 23 May; ICPC 24 May:
//   late.                                                          => 1 / 2
// repeat_cp_plans (CP plans started in M; an earlier plan of the child):
//   CP4 (K11, earlier plan CP0 in 2022): a repeat. CP5 (K12): not. => 1 / 2
constexpr char kEvents[] =
    "event_id,event_type,child_id,child_dob,ref_id,parent_ref_id,event_date,"
    "category,outcome,worker_id,team,long_term\n"
    // Deliberately out of date order.
    "e01,CLA_VISIT,K1,,CLA1,,2024-04-25,,,,,\n"
    "e02,CLA_START,K1,2015-03-02,CLA1,,2024-01-10,,,,,N\n"
    "e03,CLA_REVIEW,K1,,CLA1,,2024-02-05,,,,,\n"
    "e04,CLA_REVIEW,K1,,CLA1,,2024-05-03,,,,,\n"
    "e05,CLA_START,K2,2012-07-19,CLA2,,2024-01-10,,,,,N\n"
    "e06,CLA_VISIT,K2,,CLA2,,2024-04-15,,,,,\n"
    "e07,CLA_REVIEW,K2,,CLA2,,2024-02-09,,,,,\n"
    "e08,CLA_START,K3,2019-11-30,CLA3,,2024-05-28,,,,,N\n"
    "e09,CP_PLAN_START,K4,2016-05-05,CP1,,2024-02-29,NEG,,,,\n"
    "e10,CP_VISIT,K4,,CP1,,2024-05-16,,,,,\n"
    "e11,CP_REVIEW,K4,,CP1,,2024-05-29,,,,,\n"
    "e12,CP_PLAN_START,K5,2017-01-20,CP2,,2024-02-29,EMO,,,,\n"
    "e13,CP_VISIT,K5,,CP2,,2024-05-15,,,,,\n"
    "e14,CP_PLAN_START,K11,2014-02-02,CP0,,2022-01-10,PHY,,,,\n"
    "e15,CP_PLAN_END,K11,,CP0,,2022-12-01,,,,,\n"
    "e16,CP_PLAN_START,K11,,CP4,,2024-05-20,PHY,,,,\n"
    "e17,CP_PLAN_START,K12,2024-01-01,CP5,,2024-05-21,NEG,,,,\n"
    "e18,CIN_PLAN_START,K6,,CIN1,,2024-01-31,,,,,\n"
    "e19,CIN_REVIEW,K6,,CIN1,,2024-04-30,,,,,\n"
    "e20,CIN_PLAN_START,K7,,CIN2,,2024-01-31,,,,,\n"
    "e21,CIN_REVIEW,K7,,CIN2,,2024-05-01,,,,,\n"
    "e22,CIN_PLAN_START,K8,,CIN4,,2024-05-02,,,,,\n"
    "e23,CIN_PLAN_END,K8,,CIN4,,2024-05-30,,,,,\n"
    "e24,REFERRAL,K9,,R1,,2024-03-21,,,,,\n"
    "e25,ASSESSMENT_START,K9,,A1,R1,2024-03-25,,,,,\n"
    "e26,ASSESSMENT_END,K9,,A1,R1,2024-05-29,,,,,\n"
    "e27,REFERRAL,K10,,R2,,2024-03-21,,,,,\n"
    "e28,ASSESSMENT_START,K10,,A2,R2,2024-03-25,,,,,\n"
    "e29,ASSESSMENT_END,K10,,A2,R2,2024-05-30,,,,,\n"
    "e30,ASSESSMENT_START,K10,,A3,R2,2024-04-10,,,,,\n"
    "e31,ASSESSMENT_END,K10,,A3,R2,2024-05-10,,,,,\n"
    "e32,STRATEGY_DISCUSSION,K9,,S1,R1,2024-05-02,,,,,\n"
    "e33,S47_START,K9,,S1,R1,2024-05-03,,,,,\n"
    "e34,ICPC,K9,,S1,R1,2024-05-24,,CP_PLAN,,,\n"
    "e35,S47_END,K9,,S1,R1,2024-05-24,,,,,\n"
    "e36,S47_START,K10,,S2,R2,2024-05-01,,,,,\n"
    "e37,ICPC,K10,,S2,R2,2024-05-24,,NO_PLAN,,,\n"
    "e38,REFERRAL,K13,,R3,,2024-05-07,,,,,\n"
    "e39,ALLOCATION_START,K1,,AL1,,2024-01-10,,,W1,T1,\n"
    "e40,ALLOCATION_START,K2,,AL2,,2024-01-10,,,W1,T1,\n"
    "e41,ALLOCATION_START,K10,,AL3,,2024-05-01,,,W2,T2,\n"
    // Line 43: rejected (an unknown type); the rest goes on.
    "e42,CP_VIST,K4,,CP1,,2024-05-20,,,,,\n"
    "e43,CASE_CLOSED,K13,,R3,,2024-05-28,,RC8,,,\n";

constexpr char kReference[] = R"json({
  "authorities": {
    "831": {
      "population_0_17": {"2023": 60000},
      "comparators": {
        "cpp_reviews_in_time": [{"name": "England", "year": 2021,
                                 "value": 89.3}],
        "cic_per_10k": [{"name": "England", "year": 2021, "value": 70}]
      }
    }
  }
})json";

class KpiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestCluster::Options options;
    options.kpi_reference_json = kReference;
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    stub_ = v1::KpiService::NewStub(cluster_->gateway_channel());
  }

  grpc::Status Import(absl::string_view token, absl::string_view feed,
                      v1::ImportCaseEventsResponse* response,
                      size_t chunk_bytes = 1 << 20) {
    auto context = TestCluster::ContextFor(token);
    auto writer = stub_->ImportCaseEvents(context.get(), response);
    return testing::SendChunks<v1::ImportCaseEventsRequest>(
        *writer, feed, chunk_bytes, feed::v1::FEED_FORMAT_CSV,
        [](v1::ImportCaseEventsRequest*) {});
  }

  v1::GetIndicatorsResponse Indicators(absl::string_view token, int year,
                                       int month) {
    v1::GetIndicatorsRequest request;
    request.mutable_month()->set_year(year);
    request.mutable_month()->set_month(month);
    v1::GetIndicatorsResponse response;
    grpc::Status s = stub_->GetIndicators(TestCluster::ContextFor(token).get(),
                                          request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  void ImportTheFile() {
    v1::ImportCaseEventsResponse imported;
    grpc::Status s = Import(testing::kPractitionerToken, kEvents, &imported,
                            /*chunk_bytes=*/97);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(imported.summary().accepted(), 42);
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<v1::KpiService::Stub> stub_;
};

const v1::Indicator& Find(const v1::GetIndicatorsResponse& r,
                          absl::string_view id) {
  for (const v1::Indicator& i : r.indicators()) {
    if (i.id() == id) return i;
  }
  ADD_FAILURE() << "no indicator " << id;
  static const v1::Indicator kNone;
  return kNone;
}

struct Expected {
  const char* id;
  int64_t numerator;
  int64_t denominator;
  double percent;
};

constexpr Expected kMay2024[] = {
    {"cic_visits_in_time", 2, 3, 66.7},
    {"cic_reviews_in_time", 1, 2, 50.0},
    {"cpp_visits_in_time", 3, 4, 75.0},
    {"cpp_reviews_in_time", 1, 2, 50.0},
    {"cin_reviews_in_time", 1, 2, 50.0},
    {"first_assessments_in_time", 1, 2, 50.0},
    {"icpc_in_15wd", 1, 2, 50.0},
    {"repeat_cp_plans", 1, 2, 50.0},
};

void ExpectMay2024(const v1::GetIndicatorsResponse& r) {
  ASSERT_EQ(r.indicators_size(), 8);
  for (const Expected& e : kMay2024) {
    const v1::Indicator& i = Find(r, e.id);
    EXPECT_EQ(i.numerator(), e.numerator) << e.id;
    EXPECT_EQ(i.denominator(), e.denominator) << e.id;
    ASSERT_TRUE(i.has_percent()) << e.id;
    EXPECT_DOUBLE_EQ(i.percent(), e.percent) << e.id;
  }
}

TEST_F(KpiServiceTest, ImportThenEveryIndicatorFromServiceCacheAndRestart) {
  v1::ImportCaseEventsResponse imported;
  grpc::Status s = Import(testing::kPractitionerToken, kEvents, &imported,
                          /*chunk_bytes=*/97);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(imported.summary().records(), 43);
  EXPECT_EQ(imported.summary().accepted(), 42);
  EXPECT_EQ(imported.summary().rejected(), 1);
  ASSERT_EQ(imported.summary().rejections_size(), 1);
  EXPECT_EQ(imported.summary().rejections(0).line(), 43);
  EXPECT_EQ(imported.summary().rejections(0).field(), "event_type");
  EXPECT_EQ(imported.summary().rejections(0).key(), "e42");

  const v1::GetIndicatorsResponse first =
      Indicators(testing::kAnalystToken, 2024, 5);
  ExpectMay2024(first);
  EXPECT_EQ(first.month_end().day(), 31);
  // Reference data: the comparator and the default target and RAG.
  const v1::Indicator& reviews = Find(first, "cpp_reviews_in_time");
  ASSERT_EQ(reviews.comparators_size(), 1);
  EXPECT_EQ(reviews.comparators(0).name(), "England");
  EXPECT_EQ(reviews.comparators(0).year(), 2021);
  EXPECT_DOUBLE_EQ(reviews.comparators(0).value(), 89.3);
  EXPECT_EQ(reviews.rag(), v1::RAG_RED);
  EXPECT_EQ(Find(first, "repeat_cp_plans").direction(),
            v1::DIRECTION_LOWER_IS_BETTER);
  EXPECT_EQ(first.rules().cp_visit_interval_working_days(), 10);
  // The 6-month average is the mean of the percents of Dec..May that have
  // a denominator (December has none: no episode had started).
  v1::GetIndicatorTrendRequest trend_request;
  trend_request.mutable_to()->set_year(2024);
  trend_request.mutable_to()->set_month(5);
  trend_request.mutable_from()->set_year(2023);
  trend_request.mutable_from()->set_month(12);
  trend_request.set_indicator_id("cic_visits_in_time");
  v1::GetIndicatorTrendResponse trend;
  ASSERT_TRUE(stub_
                  ->GetIndicatorTrend(
                      TestCluster::ContextFor(testing::kAnalystToken).get(),
                      trend_request, &trend)
                  .ok());
  ASSERT_EQ(trend.trends_size(), 1);
  ASSERT_EQ(trend.trends(0).points_size(), 6);
  EXPECT_FALSE(trend.trends(0).points(0).has_percent());  // Dec 2023: none
  double sum = 0;
  int with = 0;
  for (const v1::TrendPoint& p : trend.trends(0).points()) {
    if (p.has_percent()) {
      sum += p.percent();
      ++with;
    }
  }
  ASSERT_GT(with, 0);
  EXPECT_NEAR(Find(first, "cic_visits_in_time").six_month_average(), sum / with,
              0.05);
  EXPECT_DOUBLE_EQ(trend.trends(0).points(5).percent(), 66.7);

  // Cached: the same answer, and the aggregate is in Redis under the
  // published generation.
  EXPECT_EQ(Indicators(testing::kAnalystToken, 2024, 5).SerializeAsString(),
            first.SerializeAsString());
  absl::StatusOr<std::vector<std::string>> keys =
      cluster_->redis()->Keys("sgm:831:kpi:g*:indicators:v1:2024-05:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 1u);

  // A cold restart, then Redis flushed too: the same figures.
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  EXPECT_EQ(Indicators(testing::kAnalystToken, 2024, 5).SerializeAsString(),
            first.SerializeAsString());
  ASSERT_TRUE(cluster_->redis()->Restart().ok());
  EXPECT_EQ(Indicators(testing::kAnalystToken, 2024, 5).SerializeAsString(),
            first.SerializeAsString());
}

TEST_F(KpiServiceTest, ResendingTheFileChangesNothingAndAWriteIsSeenNext) {
  ImportTheFile();
  const v1::GetIndicatorsResponse before =
      Indicators(testing::kAnalystToken, 2024, 5);
  v1::ImportCaseEventsResponse again;
  ASSERT_TRUE(Import(testing::kPractitionerToken, kEvents, &again).ok());
  EXPECT_EQ(again.summary().accepted(), 0);
  EXPECT_EQ(again.summary().duplicates(), 42);
  EXPECT_EQ(again.summary().rejected(), 1);
  EXPECT_EQ(Indicators(testing::kAnalystToken, 2024, 5).SerializeAsString(),
            before.SerializeAsString());

  // A different event under a known id is rejected, nothing changes.
  v1::ImportCaseEventsResponse conflict;
  ASSERT_TRUE(Import(testing::kPractitionerToken,
                     "event_id,event_type,child_id,ref_id,event_date\n"
                     "e10,CP_VISIT,K4,CP1,2024-05-17\n",
                     &conflict)
                  .ok());
  EXPECT_EQ(conflict.summary().rejected(), 1);
  EXPECT_EQ(conflict.summary().rejections(0).field(), "event_id");

  // CP2's late visit is followed by one on 20 May: now in time (20 May +
  // 10 wd = 4 Jun), and the next read (cached before) is fresh.
  v1::RecordCaseEventRequest visit;
  visit.mutable_event()->set_event_id("e44");
  visit.mutable_event()->set_event_type(v1::EVENT_TYPE_CP_VISIT);
  visit.mutable_event()->set_child_id("K5");
  visit.mutable_event()->set_ref_id("CP2");
  *visit.mutable_event()->mutable_event_date() = [] {
    type::v1::Date d;
    d.set_year(2024);
    d.set_month(5);
    d.set_day(20);
    return d;
  }();
  v1::RecordCaseEventResponse recorded;
  grpc::Status s = stub_->RecordCaseEvent(
      TestCluster::ContextFor(testing::kPractitionerToken).get(), visit,
      &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(recorded.duplicate());
  EXPECT_EQ(
      Find(Indicators(testing::kAnalystToken, 2024, 5), "cpp_visits_in_time")
          .numerator(),
      4);
  // The same event again is a duplicate, not an error.
  ASSERT_TRUE(
      stub_
          ->RecordCaseEvent(
              TestCluster::ContextFor(testing::kPractitionerToken).get(), visit,
              &recorded)
          .ok());
  EXPECT_TRUE(recorded.duplicate());
}

// The file in two imports with a read between: the second import is
// applied to the model in memory (no reload from the store) and the read
// after it is what a read of the whole file gives.
TEST_F(KpiServiceTest, ImportReadImportMoreReadIsFreshWithoutAReload) {
  const std::string feed(kEvents);
  const size_t header_end = feed.find('\n') + 1;
  // The first 20 events, then the rest (with the header again).
  size_t split = header_end;
  for (int i = 0; i < 20; ++i) split = feed.find('\n', split) + 1;
  v1::ImportCaseEventsResponse first;
  ASSERT_TRUE(
      Import(testing::kPractitionerToken, feed.substr(0, split), &first).ok());
  EXPECT_EQ(first.summary().accepted(), 20);
  const v1::GetIndicatorsResponse partial =
      Indicators(testing::kAnalystToken, 2024, 5);
  kpi::KpiServiceImpl* service = cluster_->kpi_service();
  ASSERT_NE(service, nullptr);
  const int64_t loads = service->full_loads();
  v1::ImportCaseEventsResponse rest;
  ASSERT_TRUE(Import(testing::kPractitionerToken,
                     feed.substr(0, header_end) + feed.substr(split), &rest)
                  .ok());
  EXPECT_EQ(rest.summary().accepted(), 22);
  ExpectMay2024(Indicators(testing::kAnalystToken, 2024, 5));
  EXPECT_NE(Indicators(testing::kAnalystToken, 2024, 5).SerializeAsString(),
            partial.SerializeAsString());
  EXPECT_EQ(service->full_loads(), loads);
}

// Another writer moves the store's generation under the model: the next
// read reloads everything, and later writes of the service are applied to
// the reloaded model again.
TEST_F(KpiServiceTest, AStoreMovedUnderTheModelIsReloaded) {
  ImportTheFile();
  ExpectMay2024(Indicators(testing::kAnalystToken, 2024, 5));
  kpi::KpiServiceImpl* service = cluster_->kpi_service();
  ASSERT_NE(service, nullptr);
  const int64_t loads = service->full_loads();
  {
    // CP2's late visit is followed by one on 20 May: now in time.
    auto other = SqliteCaseEventStore::Open(cluster_->dir() + "/kpi.db");
    ASSERT_TRUE(other.ok()) << other.status();
    CaseEvent visit;
    visit.event_id = "e44";
    visit.type = EventType::kCpVisit;
    visit.child_id = "K5";
    visit.ref_id = "CP2";
    visit.event_date = absl::CivilDay(2024, 5, 20);
    auto written = (*other)->InsertEvents("831", {visit});
    ASSERT_TRUE(written.ok()) << written.status();
    ASSERT_EQ(written->outcomes[0], EventWriteOutcome::kAccepted);
  }
  EXPECT_EQ(
      Find(Indicators(testing::kAnalystToken, 2024, 5), "cpp_visits_in_time")
          .numerator(),
      4);
  EXPECT_EQ(service->full_loads(), loads + 1);
  // A write through the service now goes into the reloaded model.
  v1::ImportCaseEventsResponse more;
  ASSERT_TRUE(Import(testing::kPractitionerToken,
                     "event_id,event_type,child_id,ref_id,event_date\n"
                     "e45,CP_VISIT,K4,CP1,2024-04-01\n",
                     &more)
                  .ok());
  EXPECT_EQ(more.summary().accepted(), 1);
  EXPECT_EQ(
      Find(Indicators(testing::kAnalystToken, 2024, 5), "cpp_visits_in_time")
          .numerator(),
      4);
  EXPECT_EQ(service->full_loads(), loads + 1);
}

TEST_F(KpiServiceTest, RedisDownEveryCallStillAnswersCorrectly) {
  ImportTheFile();
  cluster_->redis()->Stop();
  ExpectMay2024(Indicators(testing::kAnalystToken, 2024, 5));
  v1::GetCaseStatusRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  v1::GetCaseStatusResponse status;
  ASSERT_TRUE(
      stub_
          ->GetCaseStatus(TestCluster::ContextFor(testing::kAnalystToken).get(),
                          request, &status)
          .ok());
  EXPECT_EQ(status.status().children_in_care().children(), 3);
}

TEST_F(KpiServiceTest, CaseStatusRatesWatchlistsAndCaseloads) {
  ImportTheFile();
  v1::GetCaseStatusRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  v1::GetCaseStatusResponse response;
  ASSERT_TRUE(
      stub_
          ->GetCaseStatus(TestCluster::ContextFor(testing::kAnalystToken).get(),
                          request, &response)
          .ok());
  const v1::CaseStatus& s = response.status();
  // Open at 31 May, each child once at its highest level:
  //   CIC: K1, K2, K3; CP: K4, K5, K11, K12; CIN: K6, K7 (plans) and K9,
  //   K10 (referrals R1, R2 not closed). R3 (K13) closed 28 May; CIN4 (K8)
  //   ended 30 May.
  EXPECT_EQ(s.open_cases().child_in_care(), 3);
  EXPECT_EQ(s.open_cases().child_protection(), 4);
  EXPECT_EQ(s.open_cases().child_in_need(), 4);
  EXPECT_EQ(s.open_cases().early_help(), 0);
  EXPECT_EQ(s.open_cases().total(), 11);
  ASSERT_EQ(s.trend_size(), 12);
  EXPECT_EQ(s.trend(11).open_cases().total(), 11);
  // Rates: 3 x 10,000 / 60,000 = 0.5 -> 1 (half away from zero); 4 ->
  // 0.67 -> 1.
  EXPECT_EQ(s.population_0_17(), 60000);
  EXPECT_EQ(s.population_year(), 2023);
  EXPECT_EQ(s.children_in_care().per_10k(), 1);
  EXPECT_EQ(s.child_protection().children(), 4);
  ASSERT_EQ(s.children_in_care().comparators_size(), 1);
  EXPECT_EQ(s.referrals(), 1);  // R3 on 7 May
  int s47 = -1, under1 = -1;
  for (const v1::WatchlistCount& w : s.watchlists()) {
    if (w.watchlist() == v1::WATCHLIST_S47_OVER_10_WORKING_DAYS) {
      s47 = static_cast<int>(w.children());
    }
    if (w.watchlist() == v1::WATCHLIST_UNDER_1_ON_CP_PLAN) {
      under1 = static_cast<int>(w.children());
    }
  }
  EXPECT_EQ(s47, 1);     // S2 (K10), open since 1 May
  EXPECT_EQ(under1, 1);  // K12, born 1 Jan 2024

  v1::ListCaseloadsRequest caseloads_request;
  caseloads_request.mutable_as_of()->set_year(2024);
  caseloads_request.mutable_as_of()->set_month(5);
  caseloads_request.mutable_as_of()->set_day(31);
  v1::ListCaseloadsResponse caseloads;
  ASSERT_TRUE(
      stub_
          ->ListCaseloads(TestCluster::ContextFor(testing::kAnalystToken).get(),
                          caseloads_request, &caseloads)
          .ok());
  ASSERT_EQ(caseloads.caseloads_size(), 2);
  EXPECT_EQ(caseloads.caseloads(0).worker_id(), "W1");
  EXPECT_EQ(caseloads.caseloads(0).open_cases(), 2);
  EXPECT_EQ(caseloads.caseloads(1).worker_id(), "W2");
  EXPECT_EQ(caseloads.workers(), 2);
  EXPECT_EQ(caseloads.allocated_children(), 3);
  EXPECT_DOUBLE_EQ(caseloads.mean_caseload(), 1.5);
}

TEST_F(KpiServiceTest, ChildLevelListsNeedStaffAndAreAudited) {
  ImportTheFile();
  v1::ListIndicatorCasesRequest request;
  request.set_indicator_id("cpp_visits_in_time");
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  v1::ListIndicatorCasesResponse response;
  grpc::Status denied = stub_->ListIndicatorCases(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request,
      &response);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // "Which children are out of time?" CP2 (K5).
  grpc::Status s = stub_->ListIndicatorCases(
      TestCluster::ContextFor(testing::kManagerToken).get(), request,
      &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.cases_size(), 1);
  EXPECT_EQ(response.cases(0).child_id(), "K5");
  EXPECT_EQ(response.cases(0).ref_id(), "CP2");
  EXPECT_FALSE(response.cases(0).in_numerator());

  // All four, two at a time.
  request.set_filter(v1::CASE_FILTER_ALL);
  request.set_page_size(2);
  std::vector<std::string> refs;
  std::string token;
  do {
    request.set_page_token(token);
    v1::ListIndicatorCasesResponse page;
    ASSERT_TRUE(stub_
                    ->ListIndicatorCases(
                        TestCluster::ContextFor(testing::kManagerToken).get(),
                        request, &page)
                    .ok());
    EXPECT_EQ(page.total_size(), 4);
    for (const v1::IndicatorCase& c : page.cases()) refs.push_back(c.ref_id());
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_THAT(refs, UnorderedElementsAre("CP1", "CP2", "CP4", "CP5"));
  // A token is bound to its query.
  request.set_page_token("");
  v1::ListIndicatorCasesResponse first_page;
  ASSERT_TRUE(stub_
                  ->ListIndicatorCases(
                      TestCluster::ContextFor(testing::kManagerToken).get(),
                      request, &first_page)
                  .ok());
  const std::string token_for_other_query = first_page.next_page_token();
  ASSERT_FALSE(token_for_other_query.empty());
  request.set_indicator_id("cic_visits_in_time");
  request.set_page_token(token_for_other_query);
  EXPECT_EQ(stub_
                ->ListIndicatorCases(
                    TestCluster::ContextFor(testing::kManagerToken).get(),
                    request, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListWatchlistRequest watch;
  watch.set_watchlist(v1::WATCHLIST_S47_OVER_10_WORKING_DAYS);
  watch.mutable_as_of()->set_year(2024);
  watch.mutable_as_of()->set_month(5);
  watch.mutable_as_of()->set_day(31);
  v1::ListWatchlistResponse watched;
  ASSERT_TRUE(
      stub_
          ->ListWatchlist(
              TestCluster::ContextFor(testing::kPractitionerToken).get(), watch,
              &watched)
          .ok());
  ASSERT_EQ(watched.entries_size(), 1);
  EXPECT_EQ(watched.entries(0).child_id(), "K10");
  EXPECT_EQ(watched.entries(0).days(), 30);
  EXPECT_EQ(watched.entries(0).worker_id(), "W2");

  v1::SampleCasesRequest sample;
  sample.set_criterion(v1::SAMPLE_CRITERION_OPEN_CHILD_PROTECTION);
  *sample.mutable_as_of() = watch.as_of();
  sample.set_sample_size(2);
  sample.set_seed(7);
  v1::SampleCasesResponse drawn, again;
  ASSERT_TRUE(
      stub_
          ->SampleCases(TestCluster::ContextFor(testing::kManagerToken).get(),
                        sample, &drawn)
          .ok());
  EXPECT_EQ(drawn.population(), 4);
  ASSERT_EQ(drawn.cases_size(), 2);
  ASSERT_TRUE(
      stub_
          ->SampleCases(TestCluster::ContextFor(testing::kManagerToken).get(),
                        sample, &again)
          .ok());
  EXPECT_EQ(again.SerializeAsString(), drawn.SerializeAsString());
  EXPECT_EQ(
      stub_
          ->SampleCases(TestCluster::ContextFor(testing::kAnalystToken).get(),
                        sample, &again)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // The audit log holds who read which children, newest first.
  auto store = SqliteCaseEventStore::Open(cluster_->dir() + "/kpi.db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto audit = (*store)->ListReadAudit("831", 100);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_GE(audit->size(), 5u);
  EXPECT_EQ((*audit)[0].method, "SampleCases");
  EXPECT_EQ((*audit)[0].caller, "test-manager");
  EXPECT_EQ((*audit)[1].method, "SampleCases");
  EXPECT_EQ((*audit)[2].method, "ListWatchlist");
  EXPECT_EQ((*audit)[2].role, "practitioner");
  EXPECT_THAT((*audit)[2].child_ids, ElementsAre("K10"));
  const KpiReadAudit& first_list = audit->back();
  EXPECT_EQ(first_list.method, "ListIndicatorCases");
  EXPECT_THAT(first_list.child_ids, ElementsAre("K5"));
  EXPECT_EQ(first_list.query,
            "indicator=cpp_visits_in_time month=2024-05 filter="
            "CASE_FILTER_OUT_OF_TIME");
}

TEST_F(KpiServiceTest, BadRequestsArePreciseErrors) {
  v1::GetIndicatorsRequest no_month;
  v1::GetIndicatorsResponse indicators;
  grpc::Status s = stub_->GetIndicators(
      TestCluster::ContextFor(testing::kAnalystToken).get(), no_month,
      &indicators);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "month: required");

  v1::RecordCaseEventRequest bad;
  bad.mutable_event()->set_event_id("x1");
  bad.mutable_event()->set_event_type(v1::EVENT_TYPE_CP_PLAN_START);
  bad.mutable_event()->set_child_id("K1");
  bad.mutable_event()->set_ref_id("CP9");
  bad.mutable_event()->mutable_event_date()->set_year(2024);
  bad.mutable_event()->mutable_event_date()->set_month(5);
  bad.mutable_event()->mutable_event_date()->set_day(1);
  v1::RecordCaseEventResponse recorded;
  s = stub_->RecordCaseEvent(
      TestCluster::ContextFor(testing::kPractitionerToken).get(), bad,
      &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("event.category:"));

  v1::SampleCasesRequest sample;
  sample.set_criterion(v1::SAMPLE_CRITERION_OPEN_CHILD_IN_CARE);
  v1::SampleCasesResponse drawn;
  s = stub_->SampleCases(TestCluster::ContextFor(testing::kManagerToken).get(),
                         sample, &drawn);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "sample_size: must be 1 to 500");

  // A partner cannot send case events.
  v1::ImportCaseEventsResponse imported;
  EXPECT_EQ(Import(testing::kPartnerToken, kEvents, &imported).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(KpiServiceTest, AuthoritiesAreKeptApart) {
  ImportTheFile();
  const v1::GetIndicatorsResponse other =
      Indicators(testing::kOtherAuthorityToken, 2024, 5);
  ASSERT_EQ(other.indicators_size(), 8);
  for (const v1::Indicator& i : other.indicators()) {
    EXPECT_EQ(i.denominator(), 0) << i.id();
    EXPECT_FALSE(i.has_percent()) << i.id();
    EXPECT_EQ(i.rag(), v1::RAG_NONE) << i.id();
  }
}

TEST_F(KpiServiceTest, KpiDownIsUnavailableAndBackAfterRestart) {
  ImportTheFile();
  cluster_->StopKpi();
  v1::GetIndicatorsRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  v1::GetIndicatorsResponse response;
  auto context = TestCluster::ContextFor(testing::kAnalystToken);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(5));
  EXPECT_EQ(
      stub_->GetIndicators(context.get(), request, &response).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  // The gateway's channel reconnects.
  grpc::Status s;
  for (int i = 0; i < 50; ++i) {
    v1::GetIndicatorsResponse again;
    s = stub_->GetIndicators(
        TestCluster::ContextFor(testing::kAnalystToken).get(), request, &again);
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  ExpectMay2024(Indicators(testing::kAnalystToken, 2024, 5));
}

TEST_F(KpiServiceTest, AReferralDecisionAtTheFrontDoorOpensTheReferralOnce) {
  auto intake = intake::v1::IntakeService::NewStub(cluster_->gateway_channel());
  intake::v1::ImportContactsResponse contacts;
  ASSERT_TRUE(testing::SendContacts(
                  *intake,
                  TestCluster::ContextFor(testing::kPractitionerToken).get(),
                  "source_record_id,received_at,child_id,child_dob,"
                  "source_code\n"
                  "P1,2024-06-10T09:00:00+01:00,K20,2016-04-04,6\n"
                  "P2,2024-06-10T10:00:00+01:00,K21,,6\n",
                  "POLICE", &contacts)
                  .ok());
  ASSERT_EQ(contacts.summary().accepted(), 2);
  intake::v1::ImportDecisionsResponse decisions;
  ASSERT_TRUE(testing::SendDecisions(
                  *intake,
                  TestCluster::ContextFor(testing::kPractitionerToken).get(),
                  "contact_ref,decided_at,outcome,decided_by\n"
                  "POLICE:P1,2024-06-11T09:00:00+01:00,REFERRAL,sw1\n"
                  "POLICE:P2,2024-06-11T09:00:00+01:00,NFA,sw1\n",
                  &decisions)
                  .ok());
  ASSERT_EQ(decisions.summary().accepted(), 2);

  v1::GetCaseStatusRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(6);
  const auto referrals = [&] {
    v1::GetCaseStatusResponse response;
    grpc::Status s = stub_->GetCaseStatus(
        TestCluster::ContextFor(testing::kAnalystToken).get(), request,
        &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.status().referrals();
  };
  // Delivered by intake's outbox in the background.
  int64_t seen = 0;
  for (int i = 0; i < 200 && seen == 0; ++i) {
    seen = referrals();
    if (seen == 0) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(seen, 1);  // the REFERRAL only, not the NFA

  // The case-management system's own REFERRAL for the same referral (the
  // contact id C1) does not count twice.
  v1::ImportCaseEventsResponse imported;
  ASSERT_TRUE(Import(testing::kPractitionerToken,
                     "event_id,event_type,child_id,ref_id,event_date\n"
                     "cm1,REFERRAL,K20,C1,2024-06-12\n",
                     &imported)
                  .ok());
  EXPECT_EQ(imported.summary().accepted(), 1);
  EXPECT_EQ(referrals(), 1);
}

}  // namespace
}  // namespace sgm::kpi
