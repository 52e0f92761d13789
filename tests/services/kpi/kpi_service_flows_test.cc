// GetServiceFlows and ListOpenWork end to end: a small case-events file
// imported through the gateway, the figures worked out by hand below read
// back from the KPI service, from the cache, after a new event and with
// Redis gone; the open-work list and its read-audit row; bad requests. A
// real redis-server and real SQLite files, started and created by the test.
// The two calls are made on the KPI service's own port with the caller's
// identity headers, as the gateway and intake make them.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/caller_identity.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm::kpi {
namespace {

using ::sgm::testing::TestCluster;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// February and March 2024, gap 7 days (the default):
//   K1  CP 15 Jan - 10 Mar, CIN 10 Mar - 20 Mar, CP from 20 Mar: in March
//       a step down CP->CIN and a step up CIN->CP.
//   K2  CP 1 Nov 2023 - 1 Mar, CIN from 8 Mar (7 days at no level): one
//       step down CP->CIN on 8 Mar, no exit, no entry.
//   K3  CLA from 1 Feb and a CP plan from 10 Feb: February entry NONE->CIC,
//       counted in care.
//   K4  referral R4 1 Feb (open at 29 Feb: child in need there), assessment
//       A4 5 Feb - 1 Mar, closed 15 Mar with RC8.
//   K5  Early Help from 5 Mar: March entry NONE->EH.
// February: 1 entry; moves NONE->CIC 1; no closures; open at 29 Feb:
//   CIC 1 (K3), CP 2 (K1, K2), CIN 1 (K4), EH 0 = 4 -> 25.0 / 50.0 / 25.0.
// March: step downs 2 (both CP->CIN), step ups 1, entries 1, exits 0;
//   moves NONE->EH 1, CIN->CP 1, CP->CIN 2; closures RC8 1; open at 31 Mar:
//   K1 CP, K2 CIN, K3 CIC, K5 EH (R4 closed) = 4 -> 25.0 each.
constexpr char kEvents[] =
    "event_id,event_type,child_id,ref_id,parent_ref_id,event_date,category,"
    "outcome,long_term\n"
    "f01,CP_PLAN_START,K1,CP1,,2024-01-15,NEG,,\n"
    "f02,CP_PLAN_END,K1,CP1,,2024-03-10,,,\n"
    "f03,CIN_PLAN_START,K1,CIN1,,2024-03-10,,,\n"
    "f04,CIN_PLAN_END,K1,CIN1,,2024-03-20,,,\n"
    "f05,CP_PLAN_START,K1,CP2,,2024-03-20,EMO,,\n"
    "f06,CP_PLAN_START,K2,CPB,,2023-11-01,PHY,,\n"
    "f07,CP_PLAN_END,K2,CPB,,2024-03-01,,,\n"
    "f08,CIN_PLAN_START,K2,CINB,,2024-03-08,,,\n"
    "f09,CLA_START,K3,CLA3,,2024-02-01,,,N\n"
    "f10,CP_PLAN_START,K3,CP3,,2024-02-10,NEG,,\n"
    "f11,REFERRAL,K4,R4,,2024-02-01,,,\n"
    "f12,ASSESSMENT_START,K4,A4,R4,2024-02-05,,,\n"
    "f13,ASSESSMENT_END,K4,A4,R4,2024-03-01,,,\n"
    "f14,CASE_CLOSED,K4,R4,,2024-03-15,,RC8,\n"
    "f15,EH_START,K5,EH5,,2024-03-05,,,\n";

class KpiServiceFlowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    gateway_ = v1::KpiService::NewStub(cluster_->gateway_channel());
    kpi_ = v1::KpiService::NewStub(grpc::CreateChannel(
        cluster_->kpi_address(), grpc::InsecureChannelCredentials()));
  }

  // A call on the KPI service's port as `role` of authority 831.
  static std::unique_ptr<grpc::ClientContext> As(Role role,
                                                 absl::string_view caller) {
    auto context = std::make_unique<grpc::ClientContext>();
    CallerIdentity who;
    who.caller = std::string(caller);
    who.role = role;
    who.authority = "831";
    AttachIdentity(who, context.get());
    return context;
  }

  void Import(absl::string_view feed, int accepted) {
    v1::ImportCaseEventsResponse response;
    auto context = TestCluster::ContextFor(testing::kPractitionerToken);
    auto writer = gateway_->ImportCaseEvents(context.get(), &response);
    grpc::Status s = testing::SendChunks<v1::ImportCaseEventsRequest>(
        *writer, feed, 1 << 20, feed::v1::FEED_FORMAT_CSV,
        [](v1::ImportCaseEventsRequest*) {});
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.summary().accepted(), accepted)
        << response.DebugString();
  }

  grpc::Status Flows(const v1::GetServiceFlowsRequest& request,
                     v1::GetServiceFlowsResponse* response) {
    return kpi_->GetServiceFlows(As(Role::kAnalyst, "test-analyst").get(),
                                 request, response);
  }

  v1::GetServiceFlowsResponse FebToMar() {
    v1::GetServiceFlowsRequest request;
    request.mutable_from()->set_year(2024);
    request.mutable_from()->set_month(2);
    request.mutable_to()->set_year(2024);
    request.mutable_to()->set_month(3);
    v1::GetServiceFlowsResponse response;
    grpc::Status s = Flows(request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  grpc::Status OpenWork(const v1::ListOpenWorkRequest& request,
                        v1::ListOpenWorkResponse* response) {
    return kpi_->ListOpenWork(As(Role::kPractitioner, "test-intake").get(),
                              request, response);
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<v1::KpiService::Stub> gateway_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
};

void ExpectFebToMar(const v1::GetServiceFlowsResponse& r, int64_t entries) {
  EXPECT_EQ(r.from().year(), 2024);
  EXPECT_EQ(r.from().month(), 2);
  EXPECT_EQ(r.to().month(), 3);
  EXPECT_EQ(r.gap_days(), 7);
  ASSERT_EQ(r.months_size(), 2);

  const v1::ServiceFlowMonth& feb = r.months(0);
  EXPECT_EQ(feb.month().month(), 2);
  EXPECT_EQ(feb.entries(), 1);
  EXPECT_EQ(feb.exits(), 0);
  EXPECT_EQ(feb.step_downs(), 0);
  EXPECT_EQ(feb.step_ups(), 0);
  ASSERT_EQ(feb.moves_size(), 1);
  EXPECT_EQ(feb.moves(0).from(), v1::SERVICE_LEVEL_NONE);
  EXPECT_EQ(feb.moves(0).to(), v1::SERVICE_LEVEL_CHILD_IN_CARE);
  EXPECT_EQ(feb.moves(0).moves(), 1);
  EXPECT_EQ(feb.closures_size(), 0);
  EXPECT_EQ(feb.closures_total(), 0);
  EXPECT_EQ(feb.open_cases().child_in_care(), 1);
  EXPECT_EQ(feb.open_cases().child_protection(), 2);
  EXPECT_EQ(feb.open_cases().child_in_need(), 1);
  EXPECT_EQ(feb.open_cases().early_help(), 0);
  EXPECT_EQ(feb.open_cases().total(), 4);
  EXPECT_DOUBLE_EQ(feb.child_in_care_percent(), 25.0);
  EXPECT_DOUBLE_EQ(feb.child_protection_percent(), 50.0);
  EXPECT_DOUBLE_EQ(feb.child_in_need_percent(), 25.0);
  EXPECT_DOUBLE_EQ(feb.early_help_percent(), 0.0);

  const v1::ServiceFlowMonth& mar = r.months(1);
  EXPECT_EQ(mar.month().month(), 3);
  EXPECT_EQ(mar.step_downs(), 2);
  EXPECT_EQ(mar.step_downs_cp_to_cin(), 2);
  EXPECT_EQ(mar.step_downs_cin_to_early_help(), 0);
  EXPECT_EQ(mar.step_ups(), 1);
  EXPECT_EQ(mar.entries(), entries);
  EXPECT_EQ(mar.exits(), 0);
  ASSERT_EQ(mar.moves_size(), entries == 1 ? 3 : 4);
  EXPECT_EQ(mar.moves(0).from(), v1::SERVICE_LEVEL_NONE);
  EXPECT_EQ(mar.moves(0).to(), v1::SERVICE_LEVEL_EARLY_HELP);
  EXPECT_EQ(mar.moves(0).moves(), 1);
  const v1::LevelMove& up = mar.moves(entries == 1 ? 1 : 2);
  EXPECT_EQ(up.from(), v1::SERVICE_LEVEL_CHILD_IN_NEED);
  EXPECT_EQ(up.to(), v1::SERVICE_LEVEL_CHILD_PROTECTION);
  EXPECT_EQ(up.moves(), 1);
  const v1::LevelMove& down = mar.moves(entries == 1 ? 2 : 3);
  EXPECT_EQ(down.from(), v1::SERVICE_LEVEL_CHILD_PROTECTION);
  EXPECT_EQ(down.to(), v1::SERVICE_LEVEL_CHILD_IN_NEED);
  EXPECT_EQ(down.moves(), 2);
  ASSERT_EQ(mar.closures_size(), 1);
  EXPECT_EQ(mar.closures(0).reason(), "RC8");
  EXPECT_EQ(mar.closures(0).label(),
            "Closed after assessment, no further action");
  EXPECT_EQ(mar.closures(0).closures(), 1);
  EXPECT_EQ(mar.closures_total(), 1);
}

TEST_F(KpiServiceFlowsTest, FlowsMatchTheHandWorkedMonthsCachedUntilANewEvent) {
  Import(kEvents, 15);
  const v1::GetServiceFlowsResponse first = FebToMar();
  ExpectFebToMar(first, /*entries=*/1);
  const v1::ServiceFlowMonth& mar = first.months(1);
  EXPECT_EQ(mar.open_cases().total(), 4);
  EXPECT_EQ(mar.open_cases().early_help(), 1);
  EXPECT_EQ(mar.open_cases().child_in_need(), 1);
  EXPECT_EQ(mar.open_cases().child_protection(), 1);
  EXPECT_EQ(mar.open_cases().child_in_care(), 1);
  EXPECT_DOUBLE_EQ(mar.early_help_percent(), 25.0);
  EXPECT_DOUBLE_EQ(mar.child_in_care_percent(), 25.0);

  // Cached under the published generation and the gap; the same answer.
  auto keys =
      cluster_->redis()->Keys("sgm:831:kpi:g*:flows:v1:2024-02:2024-03:gap7:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, SizeIs(1));
  EXPECT_EQ(FebToMar().SerializeAsString(), first.SerializeAsString());

  // A new event: K6 on a CP plan from 25 Mar, a March entry NONE->CP; the
  // next read is fresh (a new generation, a new key).
  Import(
      "event_id,event_type,child_id,ref_id,event_date,category\n"
      "f16,CP_PLAN_START,K6,CP6,2024-03-25,NEG\n",
      1);
  const v1::GetServiceFlowsResponse second = FebToMar();
  ExpectFebToMar(second, /*entries=*/2);
  ASSERT_EQ(second.months_size(), 2);
  const v1::LevelMove& entry = second.months(1).moves(1);
  EXPECT_EQ(entry.from(), v1::SERVICE_LEVEL_NONE);
  EXPECT_EQ(entry.to(), v1::SERVICE_LEVEL_CHILD_PROTECTION);
  EXPECT_EQ(second.months(1).open_cases().total(), 5);
  EXPECT_DOUBLE_EQ(second.months(1).child_protection_percent(), 40.0);
  keys =
      cluster_->redis()->Keys("sgm:831:kpi:g*:flows:v1:2024-02:2024-03:gap7:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, SizeIs(2));

  // The default range: the 12 months up to `to`.
  v1::GetServiceFlowsRequest only_to;
  only_to.mutable_to()->set_year(2024);
  only_to.mutable_to()->set_month(3);
  v1::GetServiceFlowsResponse year;
  ASSERT_TRUE(Flows(only_to, &year).ok());
  EXPECT_EQ(year.from().year(), 2023);
  EXPECT_EQ(year.from().month(), 4);
  ASSERT_EQ(year.months_size(), 12);
  // November 2023: K2's entry.
  EXPECT_EQ(year.months(7).month().month(), 11);
  EXPECT_EQ(year.months(7).entries(), 1);
  EXPECT_EQ(year.months(11).SerializeAsString(),
            second.months(1).SerializeAsString());
}

TEST_F(KpiServiceFlowsTest, RedisDownStillAnswers) {
  Import(kEvents, 15);
  const v1::GetServiceFlowsResponse cached = FebToMar();
  cluster_->redis()->Stop();
  const v1::GetServiceFlowsResponse fresh = FebToMar();
  ExpectFebToMar(fresh, /*entries=*/1);
  EXPECT_EQ(fresh.SerializeAsString(), cached.SerializeAsString());
}

TEST_F(KpiServiceFlowsTest, OpenWorkIsListedAndTheReadAudited) {
  Import(kEvents, 15);
  // 1 to 10 Mar: K1's CP1 (ends 10 Mar) and CIN1 (starts 10 Mar); K4's
  // assessment ended on 1 Mar (`from`): nothing open; K5's Early Help from
  // 5 Mar; K9 unknown.
  v1::ListOpenWorkRequest request;
  for (const char* id : {"K4", "K1", "K5", "K9"}) request.add_child_ids(id);
  request.mutable_from()->set_year(2024);
  request.mutable_from()->set_month(3);
  request.mutable_from()->set_day(1);
  request.mutable_to()->set_year(2024);
  request.mutable_to()->set_month(3);
  request.mutable_to()->set_day(10);
  v1::ListOpenWorkResponse response;
  grpc::Status s = OpenWork(request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.children_size(), 2);
  const v1::ChildOpenWork& k1 = response.children(0);
  EXPECT_EQ(k1.child_id(), "K1");
  ASSERT_EQ(k1.work_size(), 2);
  EXPECT_EQ(k1.work(0).kind(), v1::OPEN_WORK_KIND_CP_PLAN);
  EXPECT_EQ(k1.work(0).ref_id(), "CP1");
  EXPECT_EQ(k1.work(0).since().day(), 15);
  EXPECT_EQ(k1.work(0).until().day(), 10);
  EXPECT_EQ(k1.work(1).kind(), v1::OPEN_WORK_KIND_CIN_PLAN);
  EXPECT_EQ(k1.work(1).ref_id(), "CIN1");
  const v1::ChildOpenWork& k5 = response.children(1);
  EXPECT_EQ(k5.child_id(), "K5");
  ASSERT_EQ(k5.work_size(), 1);
  EXPECT_EQ(k5.work(0).kind(), v1::OPEN_WORK_KIND_EARLY_HELP);
  EXPECT_FALSE(k5.work(0).has_until());
  EXPECT_GT(response.generation(), 0);

  // One day later the assessment A4 (1 Feb referral, 5 Feb - 1 Mar) is
  // open on 29 Feb.
  request.mutable_from()->set_month(2);
  request.mutable_from()->set_day(29);
  request.mutable_to()->set_month(2);
  request.mutable_to()->set_day(29);
  v1::ListOpenWorkResponse february;
  ASSERT_TRUE(OpenWork(request, &february).ok());
  ASSERT_EQ(february.children_size(), 2);
  EXPECT_EQ(february.children(1).child_id(), "K4");
  ASSERT_EQ(february.children(1).work_size(), 1);
  EXPECT_EQ(february.children(1).work(0).kind(), v1::OPEN_WORK_KIND_ASSESSMENT);
  EXPECT_EQ(february.children(1).work(0).ref_id(), "A4");

  // The audit log holds both reads, newest first, with the children
  // returned (not the ones asked about).
  auto store = SqliteCaseEventStore::Open(cluster_->dir() + "/kpi.db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto audit = (*store)->ListReadAudit("831", 100);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_THAT(*audit, SizeIs(2));
  EXPECT_EQ((*audit)[0].method, "ListOpenWork");
  EXPECT_THAT((*audit)[0].child_ids, ElementsAre("K1", "K4"));
  EXPECT_EQ((*audit)[1].method, "ListOpenWork");
  EXPECT_EQ((*audit)[1].caller, "test-intake");
  EXPECT_EQ((*audit)[1].role, "practitioner");
  EXPECT_THAT((*audit)[1].child_ids, ElementsAre("K1", "K5"));
  EXPECT_THAT((*audit)[1].ref_ids, ElementsAre("CP1", "CIN1", "EH5"));
  EXPECT_EQ((*audit)[1].query,
            "from=2024-03-01 to=2024-03-10 children_asked=4");

  // Nothing open: nothing returned, nothing to audit.
  v1::ListOpenWorkRequest nobody;
  nobody.add_child_ids("K9");
  *nobody.mutable_from() = request.from();
  *nobody.mutable_to() = request.to();
  v1::ListOpenWorkResponse empty;
  ASSERT_TRUE(OpenWork(nobody, &empty).ok());
  EXPECT_THAT(empty.children(), IsEmpty());
  EXPECT_GT(empty.generation(), 0);
  auto after = (*store)->ListReadAudit("831", 100);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(*after, SizeIs(2));
}

TEST_F(KpiServiceFlowsTest, BadRequestsArePreciseErrors) {
  const auto expect_invalid = [](const grpc::Status& s,
                                 absl::string_view text) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(std::string(text)));
  };
  v1::GetServiceFlowsResponse flows;
  v1::GetServiceFlowsRequest flows_request;
  expect_invalid(Flows(flows_request, &flows), "to: required");
  flows_request.mutable_to()->set_year(2024);
  flows_request.mutable_to()->set_month(3);
  flows_request.mutable_from()->set_year(2024);
  flows_request.mutable_from()->set_month(4);
  expect_invalid(Flows(flows_request, &flows), "from: must not be after");
  // 61 months: refused; 60: answered.
  flows_request.mutable_from()->set_year(2019);
  flows_request.mutable_from()->set_month(3);
  expect_invalid(Flows(flows_request, &flows), "from: at most 60 months");
  flows_request.mutable_from()->set_month(4);
  ASSERT_TRUE(Flows(flows_request, &flows).ok());
  EXPECT_EQ(flows.months_size(), 60);

  v1::ListOpenWorkRequest request;
  request.mutable_from()->set_year(2024);
  request.mutable_from()->set_month(3);
  request.mutable_from()->set_day(1);
  *request.mutable_to() = request.from();
  v1::ListOpenWorkResponse response;
  expect_invalid(OpenWork(request, &response), "child_ids: 1 to 1000");
  request.add_child_ids("K1");
  request.add_child_ids("K1");
  expect_invalid(OpenWork(request, &response), "child_ids: an id is repeated");
  request.set_child_ids(1, "");
  expect_invalid(OpenWork(request, &response), "child_ids: an id is empty");
  request.clear_child_ids();
  for (int i = 0; i < 1001; ++i) request.add_child_ids(absl::StrCat("K", i));
  expect_invalid(OpenWork(request, &response), "child_ids: 1 to 1000");
  request.mutable_child_ids()->RemoveLast();
  ASSERT_TRUE(OpenWork(request, &response).ok());  // 1,000 ids
  request.clear_from();
  expect_invalid(OpenWork(request, &response), "from: required");
  request.mutable_from()->set_year(2024);
  request.mutable_from()->set_month(3);
  request.mutable_from()->set_day(2);
  expect_invalid(OpenWork(request, &response), "from: must not be after");
  request.clear_to();
  expect_invalid(OpenWork(request, &response), "to: required");
}

}  // namespace
}  // namespace sgm::kpi
