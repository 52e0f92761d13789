// Practice insight end to end through the gateway: contacts, decisions and
// case events imported over gRPC into the intake and KPI services (real
// SQLite files, a real redis-server), the REFERRAL and STRATEGY_DISCUSSION
// decisions reaching the KPI service as referrals with their abuse
// category, then every insight figure called through the gateway and
// checked against hand-worked values: referral quality, duplicate input,
// contact categories and the abuse-category funnel, visit quality,
// service-level flows, and a before/after comparison; two of them as JSON
// over the HTTP side; the KPI service down (the funnel fails, a comparison
// notes it); and the roles (an analyst reads the aggregates, not the
// duplicate contacts).
#include <httplib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using testing::TestCluster;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;

// Contacts from the police (the weights of the default rule set: child_id
// 25, child_dob 10, primary_need 15, concerns 20, referrer_org 10, a
// summary of 50+ characters 20; threshold 60):
//   P1 2 May   K1, dob, N1, PHYSICAL, org, summary       100  PHY
//   P2 3 May   K2, N1, DOMESTIC_ABUSE;NEGLECT             60  MUL
//   P3 10 May  K3, N0, SEXUAL, short summary              45  SAB
//   P4 20 May  no child, N1, org, summary                 45  NONE
//   P5 21 May  K4, dob, N1, EMOTIONAL, org                80  EMO
//   Q1 5 Mar   K5, N1, NEGLECT                            60  NEG
//   Q2 12 Mar  nothing optional                            0  NONE
// May: 5 contacts, mean 330 / 5 = 66.0, 2 below (40.0%); March: 2, mean
// 30.0, 1 below (50.0%).
constexpr char kContacts[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n"
    "P1,2024-05-02T09:00:00+01:00,K1,2015-02-01,6,N1,PHYSICAL,Derby Police,"
    "Teacher saw bruising on both arms and the child said a parent did it\n"
    "P2,2024-05-03T09:00:00+01:00,K2,,6,N1,DOMESTIC_ABUSE;NEGLECT,,\n"
    "P3,2024-05-10T09:00:00+01:00,K3,,6,N0,SEXUAL,,Short note\n"
    "P4,2024-05-20T09:00:00+01:00,,,6,N1,,Derby Police,"
    "Neighbour reported shouting and a child crying late at night\n"
    "P5,2024-05-21T09:00:00+01:00,K4,2012-09-09,6,N1,EMOTIONAL,Derby Police,\n"
    "Q1,2024-03-05T09:00:00+00:00,K5,,6,N1,NEGLECT,,\n"
    "Q2,2024-03-12T09:00:00+00:00,,,6,,,,\n";

// P1 and P2 referred, P5 to a strategy discussion (each a REFERRAL in the
// KPI service, with the contact's category), P3 no further action. Within
// 1 working day of receipt: P1, P2, P5 (P3: 10 May + 1 wd = 13 May, decided
// 14 May). March: Q1 referred the same day.
constexpr char kDecisions[] =
    "contact_ref,decided_at,outcome,decided_by\n"
    "POLICE:P1,2024-05-02T15:00:00+01:00,REFERRAL,W1\n"
    "POLICE:P2,2024-05-03T16:00:00+01:00,REFERRAL,W1\n"
    "POLICE:P3,2024-05-14T10:00:00+01:00,NFA,W1\n"
    "POLICE:P5,2024-05-22T10:00:00+01:00,STRATEGY_DISCUSSION,W1\n"
    "POLICE:Q1,2024-03-05T16:00:00+00:00,REFERRAL,W1\n";

// The case-management system:
//   K2  CP plan CP2 from 15 Jan, visited 10 Mar (virtual), 8 May (face to
//       face, seen alone) and 22 May (virtual, not alone); ends 24 May and
//       a CIN plan starts the same day: a step down CP -> CIN.
//   K3  an assessment from 20 Apr, completed 10 May (P3 came that day: not
//       a duplicate).
//   K4  a CIN plan from 1 Apr (P5 on 21 May is a duplicate), visited 9 May
//       (face to face, alone); S47 S4 on 23 May (EMO), ICPC 27 May (its
//       S47's EMO), CP plan 28 May (PHY): a step up CIN -> CP, and a plan
//       whose category differs from the referral's (EMO).
//   K1  S47 S1 on 6 May (PHY).
//   K6  in care since Nov 2023, visited 15 May (face to face).
//   R3 (K3's referral, known from its assessment) closed 30 May (RC8), R1
//       (K1's, known from its S47) 31 May (RC9).
// Open cases (each child once at its highest level; an open referral is
// "child in need"): at 31 March K2 CP, K5 (March's referral) CIN, K6 CIC;
// at 31 May K1 (May's referral from intake) CIN, K2 CIN, K4 CP, K5 CIN,
// K6 CIC (R3 and R1 closed).
constexpr char kCaseEvents[] =
    "event_id,event_type,child_id,child_dob,ref_id,parent_ref_id,event_date,"
    "category,outcome,visit_mode,seen_alone\n"
    "E01,CP_PLAN_START,K2,2016-04-04,CP2,,2024-01-15,NEG,,,\n"
    "E02,CP_VISIT,K2,2016-04-04,CP2,,2024-03-10,,,VIRTUAL,N\n"
    "E03,CP_VISIT,K2,2016-04-04,CP2,,2024-05-08,,,FACE_TO_FACE,Y\n"
    "E04,CP_VISIT,K2,2016-04-04,CP2,,2024-05-22,,,VIRTUAL,N\n"
    "E05,CP_PLAN_END,K2,2016-04-04,CP2,,2024-05-24,,,,\n"
    "E06,CIN_PLAN_START,K2,2016-04-04,CIN2,,2024-05-24,,,,\n"
    "E07,ASSESSMENT_START,K3,2014-06-06,AS3,R3,2024-04-20,,,,\n"
    "E08,ASSESSMENT_END,K3,2014-06-06,AS3,R3,2024-05-10,,,,\n"
    "E09,CIN_PLAN_START,K4,2012-09-09,CIN4,,2024-04-01,,,,\n"
    "E10,CIN_VISIT,K4,2012-09-09,CIN4,,2024-05-09,,,FACE_TO_FACE,Y\n"
    "E11,S47_START,K4,2012-09-09,S4,R4,2024-05-23,EMO,,,\n"
    "E12,ICPC,K4,2012-09-09,S4,R4,2024-05-27,,CP_PLAN,,\n"
    "E13,CP_PLAN_START,K4,2012-09-09,CP4,,2024-05-28,PHY,,,\n"
    "E14,S47_START,K1,2015-02-01,S1,R1,2024-05-06,PHY,,,\n"
    "E15,CLA_START,K6,2010-01-01,LA6,,2023-11-01,,,,\n"
    "E16,CLA_VISIT,K6,2010-01-01,LA6,,2024-05-15,,,FACE_TO_FACE,\n"
    "E17,CASE_CLOSED,K3,2014-06-06,R3,,2024-05-30,,RC8,,\n"
    "E18,CASE_CLOSED,K1,2015-02-01,R1,,2024-05-31,,RC9,,\n";

sgm::type::v1::YearMonth Month(int year, int month) {
  sgm::type::v1::YearMonth m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

// A request over the months `from` to `to`.
template <typename Request>
Request Range(int from_year, int from_month, int to_year, int to_month) {
  Request request;
  *request.mutable_from() = Month(from_year, from_month);
  *request.mutable_to() = Month(to_year, to_month);
  return request;
}

template <typename Request>
Request May() {
  return Range<Request>(2024, 5, 2024, 5);
}

::testing::AssertionResult Ok(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << status.error_code() << ": " << status.error_message();
}

// "NEG=0 PHY=1 ..." of category counts.
template <typename Rows>
std::string CountsOf(const Rows& rows) {
  std::string out;
  for (const auto& row : rows) {
    absl::StrAppend(&out, out.empty() ? "" : " ", row.category(), "=",
                    row.count());
  }
  return out;
}

class InsightIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestCluster::Options options;
    options.http = true;
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    auto channel = cluster_->gateway_channel();
    gateway_ = gv1::GatewayService::NewStub(channel);
    intake_ = iv1::IntakeService::NewStub(channel);
    kpi_ = kv1::KpiService::NewStub(channel);
    ASSERT_NO_FATAL_FAILURE(Import());
  }

  void Import() {
    iv1::ImportContactsResponse contacts;
    ASSERT_TRUE(Ok(testing::SendContacts(
        *intake_, TestCluster::ContextFor(testing::kPractitionerToken).get(),
        kContacts, "POLICE", &contacts)));
    ASSERT_EQ(contacts.summary().accepted(), 7) << contacts.DebugString();
    iv1::ImportDecisionsResponse decisions;
    ASSERT_TRUE(Ok(testing::SendDecisions(
        *intake_, TestCluster::ContextFor(testing::kPractitionerToken).get(),
        kDecisions, &decisions)));
    ASSERT_EQ(decisions.summary().accepted(), 5) << decisions.DebugString();
    kv1::ImportCaseEventsResponse events;
    auto context = TestCluster::ContextFor(testing::kPractitionerToken);
    auto writer = kpi_->ImportCaseEvents(context.get(), &events);
    ASSERT_TRUE(Ok(testing::SendChunks<kv1::ImportCaseEventsRequest>(
        *writer, kCaseEvents, 1 << 20, feed::v1::FEED_FORMAT_CSV,
        [](kv1::ImportCaseEventsRequest*) {})));
    ASSERT_EQ(events.summary().accepted(), 18) << events.DebugString();
    // Intake sends the referrals to the KPI service in the background:
    // wait for the three of May and the one of March.
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (absl::Now() < until &&
           (Referrals(Month(2024, 5)) < 3 || Referrals(Month(2024, 3)) < 1)) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(Referrals(Month(2024, 5)), 3) << "intake's referrals";
    ASSERT_EQ(Referrals(Month(2024, 3)), 1) << "intake's referrals";
  }

  int64_t Referrals(const sgm::type::v1::YearMonth& month) {
    kv1::GetCaseStatusRequest request;
    *request.mutable_month() = month;
    kv1::GetCaseStatusResponse response;
    if (!kpi_->GetCaseStatus(
                 TestCluster::ContextFor(testing::kAnalystToken).get(), request,
                 &response)
             .ok()) {
      return -1;
    }
    return response.status().referrals();
  }

  // POSTs `body` to /api/v1/`method` as the analyst; the JSON answer.
  std::string PostJson(const std::string& method, const std::string& body) {
    httplib::Client client("127.0.0.1", cluster_->http_port());
    client.set_read_timeout(30, 0);
    auto result = client.Post(
        absl::StrCat("/api/v1/", method),
        {{"Authorization", absl::StrCat("Bearer ", testing::kAnalystToken)}},
        body, "application/json");
    EXPECT_TRUE(result);
    if (!result) return "";
    EXPECT_EQ(result->status, 200) << result->body;
    return result->body;
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<gv1::GatewayService::Stub> gateway_;
  std::unique_ptr<iv1::IntakeService::Stub> intake_;
  std::unique_ptr<kv1::KpiService::Stub> kpi_;
};

TEST_F(InsightIntegrationTest, ReferralQuality) {
  iv1::GetReferralQualityResponse response;
  ASSERT_TRUE(Ok(intake_->GetReferralQuality(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      Range<iv1::GetReferralQualityRequest>(2024, 3, 2024, 5), &response)));
  EXPECT_EQ(response.threshold(), 60);
  const iv1::AgencyReferralQuality& all = response.all_agencies();
  // March to May: 7 contacts, (100 + 60 + 45 + 45 + 80 + 60 + 0) / 7 =
  // 390 / 7 = 55.7; 3 below (42.9%).
  EXPECT_EQ(all.total().contacts(), 7);
  EXPECT_DOUBLE_EQ(all.total().mean_score(), 55.7);
  EXPECT_EQ(all.total().below_threshold(), 3);
  EXPECT_DOUBLE_EQ(all.total().below_threshold_percent(), 42.9);
  ASSERT_EQ(all.trend_size(), 3);
  EXPECT_EQ(all.trend(0).contacts(), 2);
  EXPECT_DOUBLE_EQ(all.trend(0).mean_score(), 30.0);
  EXPECT_EQ(all.trend(1).contacts(), 0);
  EXPECT_FALSE(all.trend(1).has_mean_score());
  EXPECT_EQ(all.trend(2).contacts(), 5);
  EXPECT_DOUBLE_EQ(all.trend(2).mean_score(), 66.0);
  EXPECT_DOUBLE_EQ(all.trend(2).below_threshold_percent(), 40.0);
  ASSERT_EQ(response.agencies_size(), 1);
  EXPECT_EQ(response.agencies(0).agency(), "POLICE");
  // Most often missing: the dob (P2, P3, P4, Q1, Q2) and the summary (P2,
  // P3, P5, Q1, Q2): 5 of 7 each, then the referrer (4).
  ASSERT_GE(all.top_gaps_size(), 3);
  EXPECT_EQ(all.top_gaps(0).contacts(), 5);
  EXPECT_EQ(all.top_gaps(1).contacts(), 5);
  EXPECT_EQ(all.top_gaps(2).item(), "referrer_org");
  EXPECT_EQ(all.top_gaps(2).contacts(), 4);
}

TEST_F(InsightIntegrationTest, DuplicateInputAndTheListForPractitioners) {
  iv1::GetDuplicateInputResponse response;
  ASSERT_TRUE(Ok(intake_->GetDuplicateInput(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      Range<iv1::GetDuplicateInputRequest>(2024, 3, 2024, 5), &response)));
  // May: P1, P2, P3, P5 have a child; P2 (CP plan) and P5 (CIN plan) met
  // open work, P3 came the day K3's assessment ended. March: Q1, none.
  EXPECT_EQ(response.total().contacts_with_child(), 5);
  EXPECT_EQ(response.total().duplicates(), 2);
  EXPECT_DOUBLE_EQ(response.total().percent(), 40.0);
  ASSERT_EQ(response.trend_size(), 3);
  EXPECT_EQ(response.trend(0).contacts_with_child(), 1);
  EXPECT_EQ(response.trend(0).duplicates(), 0);
  EXPECT_DOUBLE_EQ(response.trend(0).percent(), 0.0);
  EXPECT_EQ(response.trend(2).contacts_with_child(), 4);
  EXPECT_EQ(response.trend(2).duplicates(), 2);
  EXPECT_DOUBLE_EQ(response.trend(2).percent(), 50.0);
  std::vector<std::string> kinds;
  for (const iv1::DuplicateBreakdown& b : response.by_open_work()) {
    if (b.duplicates() > 0) {
      kinds.push_back(absl::StrCat(b.code(), "=", b.duplicates()));
    }
  }
  EXPECT_THAT(kinds,
              ::testing::UnorderedElementsAre("CP_PLAN=1", "CIN_PLAN=1"));

  // The list is child-level: staff only.
  iv1::ListDuplicateContactsRequest list;
  *list.mutable_month() = Month(2024, 5);
  iv1::ListDuplicateContactsResponse listed;
  EXPECT_EQ(intake_
                ->ListDuplicateContacts(
                    TestCluster::ContextFor(testing::kAnalystToken).get(), list,
                    &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Ok(intake_->ListDuplicateContacts(
      TestCluster::ContextFor(testing::kPractitionerToken).get(), list,
      &listed)));
  std::vector<std::string> children;
  for (const iv1::DuplicateContact& c : listed.contacts()) {
    children.push_back(c.child_id());
  }
  EXPECT_THAT(children, ElementsAre("K2", "K4"));
}

TEST_F(InsightIntegrationTest, ContactCategoriesAndTheFunnel) {
  iv1::GetContactCategoriesResponse categories;
  ASSERT_TRUE(Ok(intake_->GetContactCategories(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      May<iv1::GetContactCategoriesRequest>(), &categories)));
  EXPECT_EQ(categories.contacts(), 5);
  std::string counts;
  for (const iv1::Breakdown& b : categories.by_category()) {
    absl::StrAppend(&counts, counts.empty() ? "" : " ", b.code(), "=",
                    b.count());
  }
  EXPECT_EQ(counts, "NEG=0 PHY=1 SAB=1 EMO=1 MUL=1 NONE=1");

  gv1::GetAbuseCategoryFunnelResponse response;
  ASSERT_TRUE(Ok(gateway_->GetAbuseCategoryFunnel(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      May<gv1::GetAbuseCategoryFunnelRequest>(), &response)));
  const gv1::AbuseCategoryFunnel& funnel = response.funnel();
  ASSERT_EQ(funnel.stages_size(), 5);
  // Referrals in May (from intake's decisions): K1 PHY, K2 MUL, K4 EMO.
  // S47s: K1 PHY, K4 EMO. ICPC: K4 (its S47's EMO). CP plans: K4 PHY.
  EXPECT_EQ(funnel.stages(0).stage(), "CONTACT");
  EXPECT_EQ(funnel.stages(0).total(), 5);
  EXPECT_EQ(CountsOf(funnel.stages(1).by_category()),
            "NEG=0 PHY=1 SAB=0 EMO=1 MUL=1 NONE=0");
  EXPECT_EQ(CountsOf(funnel.stages(2).by_category()),
            "NEG=0 PHY=1 SAB=0 EMO=1 MUL=0 NONE=0");
  EXPECT_EQ(CountsOf(funnel.stages(3).by_category()),
            "NEG=0 PHY=0 SAB=0 EMO=1 MUL=0 NONE=0");
  EXPECT_EQ(funnel.stages(4).stage(), "CP_PLAN");
  EXPECT_EQ(CountsOf(funnel.stages(4).by_category()),
            "NEG=0 PHY=1 SAB=0 EMO=0 MUL=0 NONE=0");
  // Referral / contact: PHY 1/1, SAB 0/1, EMO 1/1, MUL 1/1, NONE 0/1; NEG
  // had no contact.
  const gv1::AbuseFunnelStage& referral = funnel.stages(1);
  ASSERT_EQ(referral.conversions_size(), 6);
  EXPECT_FALSE(referral.conversions(0).has_percent());
  EXPECT_DOUBLE_EQ(referral.conversions(1).percent(), 100.0);
  EXPECT_DOUBLE_EQ(referral.conversions(2).percent(), 0.0);
  EXPECT_DOUBLE_EQ(referral.conversions(4).percent(), 100.0);
  // CP plan / ICPC: PHY had no ICPC; EMO 0/1.
  EXPECT_FALSE(funnel.stages(4).conversions(1).has_percent());
  EXPECT_DOUBLE_EQ(funnel.stages(4).conversions(3).percent(), 0.0);
  // K4's plan (PHY) traced to its referral (EMO).
  EXPECT_EQ(funnel.plans_traced(), 1);
  ASSERT_EQ(funnel.changes_size(), 1);
  EXPECT_EQ(funnel.changes(0).from(), "EMO");
  EXPECT_EQ(funnel.changes(0).to(), "PHY");

  // The same over JSON.
  gv1::GetAbuseCategoryFunnelResponse over_http;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  PostJson("sgm.gateway.v1.GatewayService/"
                           "GetAbuseCategoryFunnel",
                           R"({"from": {"year": 2024, "month": 5},
                               "to": {"year": 2024, "month": 5}})"),
                  &over_http)
                  .ok());
  EXPECT_TRUE(MessageDifferencer::Equals(over_http, response))
      << over_http.DebugString();
}

TEST_F(InsightIntegrationTest, VisitQuality) {
  kv1::GetVisitQualityResponse response;
  ASSERT_TRUE(Ok(kpi_->GetVisitQuality(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      May<kv1::GetVisitQualityRequest>(), &response)));
  ASSERT_EQ(response.totals_size(), 3);
  // CP: 8 May face to face and alone, 22 May virtual and not alone.
  const kv1::VisitQuality& cp = response.totals(0);
  EXPECT_EQ(cp.kind(), kv1::VISIT_KIND_CHILD_PROTECTION);
  EXPECT_EQ(cp.visits(), 2);
  EXPECT_EQ(cp.face_to_face(), 1);
  EXPECT_DOUBLE_EQ(cp.face_to_face_percent(), 50.0);
  EXPECT_DOUBLE_EQ(cp.seen_alone_percent(), 50.0);
  // CIC: one visit face to face, seen alone not recorded.
  const kv1::VisitQuality& cic = response.totals(1);
  EXPECT_EQ(cic.kind(), kv1::VISIT_KIND_CHILD_IN_CARE);
  EXPECT_EQ(cic.visits(), 1);
  EXPECT_DOUBLE_EQ(cic.face_to_face_percent(), 100.0);
  EXPECT_EQ(cic.seen_alone_recorded(), 0);
  EXPECT_FALSE(cic.has_seen_alone_percent());
  const kv1::VisitQuality& cin = response.totals(2);
  EXPECT_EQ(cin.kind(), kv1::VISIT_KIND_CHILD_IN_NEED);
  EXPECT_EQ(cin.visits(), 1);
  EXPECT_DOUBLE_EQ(cin.seen_alone_percent(), 100.0);

  // The same over JSON.
  kv1::GetVisitQualityResponse over_http;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  PostJson("sgm.kpi.v1.KpiService/GetVisitQuality",
                           R"({"from": {"year": 2024, "month": 5},
                               "to": {"year": 2024, "month": 5}})"),
                  &over_http)
                  .ok());
  EXPECT_TRUE(MessageDifferencer::Equals(over_http, response));
}

TEST_F(InsightIntegrationTest, ServiceFlows) {
  kv1::GetServiceFlowsResponse response;
  ASSERT_TRUE(Ok(kpi_->GetServiceFlows(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      May<kv1::GetServiceFlowsRequest>(), &response)));
  ASSERT_EQ(response.months_size(), 1);
  const kv1::ServiceFlowMonth& may = response.months(0);
  // K2 CP -> CIN on 24 May; K4 CIN -> CP on 28 May; R3 and R1 closed.
  EXPECT_EQ(may.step_downs(), 1);
  EXPECT_EQ(may.step_downs_cp_to_cin(), 1);
  EXPECT_EQ(may.step_ups(), 1);
  EXPECT_EQ(may.entries(), 0);
  EXPECT_EQ(may.exits(), 0);
  EXPECT_EQ(may.closures_total(), 2);
  std::vector<std::string> reasons;
  for (const kv1::ClosureCount& c : may.closures()) {
    reasons.push_back(absl::StrCat(c.reason(), "=", c.closures()));
  }
  EXPECT_THAT(reasons, ElementsAre("RC8=1", "RC9=1"));
  // Open at 31 May: K1, K2, K5 CIN; K4 CP; K6 CIC.
  EXPECT_EQ(may.open_cases().child_in_need(), 3);
  EXPECT_EQ(may.open_cases().child_protection(), 1);
  EXPECT_EQ(may.open_cases().child_in_care(), 1);
  EXPECT_EQ(may.open_cases().total(), 5);
  EXPECT_DOUBLE_EQ(may.child_in_need_percent(), 60.0);
  EXPECT_DOUBLE_EQ(may.child_protection_percent(), 20.0);
}

TEST_F(InsightIntegrationTest, CompareFiguresMarchWithMay) {
  gv1::CompareFiguresRequest request;
  *request.mutable_before()->mutable_from() = Month(2024, 3);
  *request.mutable_before()->mutable_to() = Month(2024, 3);
  *request.mutable_after()->mutable_from() = Month(2024, 5);
  *request.mutable_after()->mutable_to() = Month(2024, 5);
  for (const char* id :
       {"intake.contacts", "intake.progressed_percent",
        "intake.decided_within_1wd_percent", "intake.referral_quality_mean",
        "intake.duplicate_input_percent", "kpi.cpp_visits_in_time",
        "kpi.open_cases", "kpi.visits_face_to_face_percent", "kpi.step_downs",
        "kpi.closures"}) {
    request.add_figure_ids(id);
  }
  gv1::CompareFiguresResponse response;
  ASSERT_TRUE(Ok(gateway_->CompareFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request,
      &response)));
  const gv1::FigureComparison& comparison = response.comparison();
  ASSERT_EQ(comparison.changes_size(), 10);
  struct Expected {
    double before;
    double after;
    std::optional<double> relative;
    gv1::ChangeVerdict verdict;
  };
  const Expected expected[] = {
      // 2 -> 5 contacts.
      {2, 5, 150.0, gv1::CHANGE_VERDICT_NOT_JUDGED},
      // 1/1 -> 3/4 progressed.
      {100.0, 75.0, -25.0, gv1::CHANGE_VERDICT_NOT_JUDGED},
      // 1/1 -> 3/4 within a working day.
      {100.0, 75.0, -25.0, gv1::CHANGE_VERDICT_WORSE},
      // Mean score 30.0 -> 66.0.
      {30.0, 66.0, 120.0, gv1::CHANGE_VERDICT_BETTER},
      // 0/1 -> 2/4 duplicates.
      {0.0, 50.0, std::nullopt, gv1::CHANGE_VERDICT_WORSE},
      // K2's plan at 31 Mar: last visit 10 Mar + 10 wd = 22 Mar, late; K4's
      // at 31 May: started 28 May, in time.
      {0.0, 100.0, std::nullopt, gv1::CHANGE_VERDICT_BETTER},
      // Open at 31 Mar: K2, K5, K6; at 31 May: K1, K2, K4, K5, K6.
      {3, 5, 66.7, gv1::CHANGE_VERDICT_NOT_JUDGED},
      // March: 0 of 1 face to face; May 3 of 4.
      {0.0, 75.0, std::nullopt, gv1::CHANGE_VERDICT_BETTER},
      {0, 1, std::nullopt, gv1::CHANGE_VERDICT_NOT_JUDGED},
      {0, 2, std::nullopt, gv1::CHANGE_VERDICT_NOT_JUDGED},
  };
  for (int i = 0; i < comparison.changes_size(); ++i) {
    const gv1::FigureChange& change = comparison.changes(i);
    SCOPED_TRACE(change.figure().id());
    EXPECT_EQ(change.figure().id(), request.figure_ids(i));
    EXPECT_EQ(change.note(), "");
    ASSERT_TRUE(change.has_before());
    ASSERT_TRUE(change.has_after());
    EXPECT_DOUBLE_EQ(change.before(), expected[i].before);
    EXPECT_DOUBLE_EQ(change.after(), expected[i].after);
    EXPECT_DOUBLE_EQ(change.absolute_change(),
                     expected[i].after - expected[i].before);
    EXPECT_EQ(change.has_relative_change_percent(),
              expected[i].relative.has_value());
    if (expected[i].relative.has_value()) {
      EXPECT_DOUBLE_EQ(change.relative_change_percent(), *expected[i].relative);
    }
    EXPECT_EQ(change.verdict(), expected[i].verdict);
  }

  // The catalogue and the comparison over JSON.
  gv1::ListComparableFiguresResponse catalogue;
  ASSERT_TRUE(Ok(gateway_->ListComparableFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      gv1::ListComparableFiguresRequest(), &catalogue)));
  EXPECT_GE(catalogue.figures_size(), 25);
  gv1::CompareFiguresResponse over_http;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  PostJson("sgm.gateway.v1.GatewayService/CompareFigures",
                           R"({"figureIds": ["kpi.open_cases"],
                               "before": {"from": {"year": 2024, "month": 3},
                                          "to": {"year": 2024, "month": 3}},
                               "after": {"from": {"year": 2024, "month": 5},
                                         "to": {"year": 2024, "month": 5}}})"),
                  &over_http)
                  .ok());
  ASSERT_EQ(over_http.comparison().changes_size(), 1);
  EXPECT_DOUBLE_EQ(over_http.comparison().changes(0).after(), 5);
}

TEST_F(InsightIntegrationTest, KpiServiceDown) {
  cluster_->StopKpi();
  // The funnel needs both backends: the KPI service's failure, named.
  gv1::GetAbuseCategoryFunnelResponse funnel;
  grpc::Status status = gateway_->GetAbuseCategoryFunnel(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      May<gv1::GetAbuseCategoryFunnelRequest>(), &funnel);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "the KPI service could not be reached");
  // A comparison still answers: intake's figures, the KPI one noted.
  gv1::CompareFiguresRequest request;
  *request.mutable_before()->mutable_from() = Month(2024, 3);
  *request.mutable_before()->mutable_to() = Month(2024, 3);
  *request.mutable_after()->mutable_from() = Month(2024, 5);
  *request.mutable_after()->mutable_to() = Month(2024, 5);
  request.add_figure_ids("intake.contacts");
  request.add_figure_ids("kpi.open_cases");
  gv1::CompareFiguresResponse response;
  ASSERT_TRUE(Ok(gateway_->CompareFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request,
      &response)));
  ASSERT_EQ(response.comparison().changes_size(), 2);
  const gv1::FigureChange& contacts = response.comparison().changes(0);
  EXPECT_DOUBLE_EQ(contacts.before(), 2);
  EXPECT_DOUBLE_EQ(contacts.after(), 5);
  EXPECT_EQ(contacts.note(), "");
  const gv1::FigureChange& open = response.comparison().changes(1);
  EXPECT_FALSE(open.has_before());
  EXPECT_FALSE(open.has_after());
  EXPECT_EQ(open.verdict(), gv1::CHANGE_VERDICT_NOT_JUDGED);
  EXPECT_EQ(open.note(), "KPI service unavailable (UNAVAILABLE)");
}

TEST_F(InsightIntegrationTest, ArgumentsAndRoles) {
  // A partner reads no aggregate.
  iv1::GetReferralQualityResponse quality;
  EXPECT_EQ(intake_
                ->GetReferralQuality(
                    TestCluster::ContextFor(testing::kPartnerToken).get(),
                    May<iv1::GetReferralQualityRequest>(), &quality)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  gv1::CompareFiguresResponse compared;
  gv1::CompareFiguresRequest compare;
  EXPECT_EQ(gateway_
                ->CompareFigures(
                    TestCluster::ContextFor(testing::kPartnerToken).get(),
                    compare, &compared)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Bad arguments name the field.
  grpc::Status status = gateway_->CompareFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(), compare,
      &compared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "before: required");
  *compare.mutable_before()->mutable_from() = Month(2024, 5);
  *compare.mutable_before()->mutable_to() = Month(2024, 3);
  *compare.mutable_after()->mutable_from() = Month(2024, 5);
  *compare.mutable_after()->mutable_to() = Month(2024, 5);
  status = gateway_->CompareFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(), compare,
      &compared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "before.from: after before.to");
  *compare.mutable_before()->mutable_to() = Month(2024, 5);
  compare.add_figure_ids("kpi.open_cases");
  compare.add_figure_ids("kpi.nothing");
  status = gateway_->CompareFigures(
      TestCluster::ContextFor(testing::kAnalystToken).get(), compare,
      &compared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "figure_ids[1]: unknown figure \"kpi.nothing\"");
  gv1::GetAbuseCategoryFunnelResponse funnel;
  status = gateway_->GetAbuseCategoryFunnel(
      TestCluster::ContextFor(testing::kAnalystToken).get(),
      gv1::GetAbuseCategoryFunnelRequest(), &funnel);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "to: required");
}

}  // namespace
}  // namespace sgm
