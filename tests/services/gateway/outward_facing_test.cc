// The gateway's per-caller rate limit and, in an outward-facing
// deployment, the suppression of counts under 5, end to end through a
// TestCluster (real services, SQLite and redis-server).
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;
using testing::TestCluster;
using ::testing::UnorderedElementsAre;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace qv1 = ::sgm::qa::v1;

// May 2024: 7 contacts about 7 children; 6 from source 6 with need N1,
// 1 from source 2A with need N6. So source 2A and need N6 are counts of 1
// (14.3%), withheld outward; 6 (85.7%) and the 7 in the month are shown.
constexpr char kContacts[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n"
    "M1,2024-05-02T09:00:00+01:00,CH1,,6,N1,,,\n"
    "M2,2024-05-03T09:00:00+01:00,CH2,,6,N1,,,\n"
    "M3,2024-05-06T09:00:00+01:00,CH3,,6,N1,,,\n"
    "M4,2024-05-07T09:00:00+01:00,CH4,,6,N1,,,\n"
    "M5,2024-05-08T09:00:00+01:00,CH5,,6,N1,,,\n"
    "M6,2024-05-09T09:00:00+01:00,CH6,,6,N1,,,\n"
    "M7,2024-05-20T09:00:00+01:00,CH7,,2A,N6,,,\n";

// The index of `code` in a breakdown, or -1.
template <typename Row>
int IndexOf(const google::protobuf::RepeatedPtrField<Row>& list,
            absl::string_view code) {
  for (int i = 0; i < list.size(); ++i) {
    if (list[i].code() == code) return i;
  }
  return -1;
}

class OutwardFacingTest : public ::testing::Test {
 protected:
  void StartCluster(bool outward_facing) {
    TestCluster::Options options;
    options.outward_facing = outward_facing;
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    gateway_ = gv1::GatewayService::NewStub(cluster_->gateway_channel());
    intake_ = iv1::IntakeService::NewStub(cluster_->gateway_channel());
    iv1::ImportContactsResponse contacts;
    ASSERT_TRUE(testing::SendContacts(
                    *intake_,
                    TestCluster::ContextFor(testing::kPractitionerToken).get(),
                    kContacts, "POLICE", &contacts)
                    .ok());
    ASSERT_EQ(contacts.summary().accepted(), 7) << contacts.DebugString();
  }

  gv1::PracticeReport Report() {
    gv1::GetPracticeReportRequest request;
    request.mutable_month()->set_year(2024);
    request.mutable_month()->set_month(5);
    gv1::GetPracticeReportResponse response;
    grpc::Status status = gateway_->GetPracticeReport(
        TestCluster::ContextFor(testing::kAnalystToken).get(), request,
        &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.report();
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<gv1::GatewayService::Stub> gateway_;
  std::unique_ptr<iv1::IntakeService::Stub> intake_;
};

TEST_F(OutwardFacingTest, ReportWithholdsCountsUnderFive) {
  StartCluster(/*outward_facing=*/true);
  gv1::PracticeReport report = Report();
  ASSERT_EQ(report.front_door().status().state(), gv1::SECTION_STATE_AVAILABLE);
  const iv1::FrontDoorFigures& figures = report.front_door().figures();
  const int source_2a = IndexOf(figures.by_source(), "2A");
  const int source_6 = IndexOf(figures.by_source(), "6");
  const int need_n6 = IndexOf(figures.by_primary_need(), "N6");
  const int need_n1 = IndexOf(figures.by_primary_need(), "N1");
  ASSERT_GE(source_2a, 0);
  ASSERT_GE(source_6, 0);
  ASSERT_GE(need_n6, 0);
  ASSERT_GE(need_n1, 0);
  // Practice insight: the one contact from source 2A is also a row of
  // duplicate input by source (1 contact with a child, 0 duplicates).
  ASSERT_EQ(report.insight().status().state(), gv1::SECTION_STATE_AVAILABLE)
      << report.insight().status().reason();
  const int duplicates_2a =
      IndexOf(report.insight().duplicate_input().by_source(), "2A");
  ASSERT_GE(duplicates_2a, 0);

  EXPECT_TRUE(report.suppressed());
  EXPECT_THAT(
      report.suppressed_fields(),
      UnorderedElementsAre(
          absl::StrCat("front_door.figures.by_primary_need[", need_n6,
                       "].count"),
          absl::StrCat("front_door.figures.by_primary_need[", need_n6,
                       "].percent"),
          absl::StrCat("front_door.figures.by_source[", source_2a, "].count"),
          absl::StrCat("front_door.figures.by_source[", source_2a, "].percent"),
          absl::StrCat("insight.duplicate_input.by_source[", duplicates_2a,
                       "].contacts_with_child"),
          absl::StrCat("insight.duplicate_input.by_source[", duplicates_2a,
                       "].percent")));
  EXPECT_EQ(report.insight()
                .duplicate_input()
                .by_source(duplicates_2a)
                .contacts_with_child(),
            0);
  // The 7 contacts of source 6 (and of the whole front door) are shown.
  EXPECT_EQ(
      report.insight().referral_quality().all_agencies().total().contacts(), 7);
  EXPECT_EQ(figures.by_source(source_2a).count(), 0);
  EXPECT_EQ(figures.by_source(source_2a).percent(), 0);
  EXPECT_EQ(figures.by_primary_need(need_n6).count(), 0);
  EXPECT_EQ(figures.by_primary_need(need_n6).percent(), 0);
  // 6 of 7 = 85.7%, and the month's 7, are shown.
  EXPECT_EQ(figures.by_source(source_6).count(), 6);
  EXPECT_EQ(figures.by_source(source_6).percent(), 85.7);
  EXPECT_EQ(figures.by_primary_need(need_n1).count(), 6);
  EXPECT_EQ(figures.this_month().contacts(), 7);

  // Asked again (now from the cache): suppressed the same way.
  gv1::PracticeReport again = Report();
  EXPECT_EQ(again.suppressed_fields_size(), 6);
  EXPECT_EQ(again.front_door().figures().by_source(source_2a).count(), 0);
}

TEST_F(OutwardFacingTest, ProxiedAggregateIsSuppressedWithTrailer) {
  StartCluster(/*outward_facing=*/true);
  iv1::GetFrontDoorFiguresRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  iv1::GetFrontDoorFiguresResponse response;
  auto context = TestCluster::ContextFor(testing::kAnalystToken);
  grpc::Status status =
      intake_->GetFrontDoorFigures(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const iv1::FrontDoorFigures& figures = response.figures();
  const int source_2a = IndexOf(figures.by_source(), "2A");
  const int need_n6 = IndexOf(figures.by_primary_need(), "N6");
  ASSERT_GE(source_2a, 0);
  ASSERT_GE(need_n6, 0);
  EXPECT_EQ(figures.by_source(source_2a).count(), 0);
  EXPECT_EQ(figures.by_source(source_2a).percent(), 0);
  EXPECT_EQ(figures.by_primary_need(need_n6).count(), 0);
  EXPECT_EQ(figures.by_source(IndexOf(figures.by_source(), "6")).count(), 6);

  auto trailer =
      context->GetServerTrailingMetadata().find("sgm-suppressed-fields");
  ASSERT_NE(trailer, context->GetServerTrailingMetadata().end());
  std::vector<std::string> paths = absl::StrSplit(
      std::string(trailer->second.data(), trailer->second.size()), ',');
  EXPECT_THAT(
      paths, UnorderedElementsAre(
                 absl::StrCat("figures.by_primary_need[", need_n6, "].count"),
                 absl::StrCat("figures.by_primary_need[", need_n6, "].percent"),
                 absl::StrCat("figures.by_source[", source_2a, "].count"),
                 absl::StrCat("figures.by_source[", source_2a, "].percent")));
}

// A proxied practice-insight aggregate: duplicate input over June 2023 to
// May 2024 has source 2A's one contact with a child, withheld with its
// share and named in the trailer; source 6's 6 are shown.
TEST_F(OutwardFacingTest, ProxiedInsightAggregateIsSuppressedWithTrailer) {
  StartCluster(/*outward_facing=*/true);
  iv1::GetDuplicateInputRequest request;
  request.mutable_from()->set_year(2023);
  request.mutable_from()->set_month(6);
  request.mutable_to()->set_year(2024);
  request.mutable_to()->set_month(5);
  iv1::GetDuplicateInputResponse response;
  auto context = TestCluster::ContextFor(testing::kAnalystToken);
  grpc::Status status =
      intake_->GetDuplicateInput(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const int source_2a = IndexOf(response.by_source(), "2A");
  const int source_6 = IndexOf(response.by_source(), "6");
  ASSERT_GE(source_2a, 0);
  ASSERT_GE(source_6, 0);
  EXPECT_EQ(response.by_source(source_2a).contacts_with_child(), 0);
  EXPECT_FALSE(response.by_source(source_2a).has_percent());
  EXPECT_EQ(response.by_source(source_6).contacts_with_child(), 6);
  EXPECT_EQ(response.total().contacts_with_child(), 7);
  auto trailer =
      context->GetServerTrailingMetadata().find("sgm-suppressed-fields");
  ASSERT_NE(trailer, context->GetServerTrailingMetadata().end());
  std::vector<std::string> paths = absl::StrSplit(
      std::string(trailer->second.data(), trailer->second.size()), ',');
  EXPECT_THAT(paths, Contains(absl::StrCat("by_source[", source_2a,
                                           "].contacts_with_child")));
  EXPECT_THAT(paths, Not(Contains(absl::StrCat("by_source[", source_6,
                                               "].contacts_with_child"))));
}

TEST_F(OutwardFacingTest, InternalDeploymentReturnsRawFigures) {
  StartCluster(/*outward_facing=*/false);
  gv1::PracticeReport report = Report();
  const iv1::FrontDoorFigures& figures = report.front_door().figures();
  const int source_2a = IndexOf(figures.by_source(), "2A");
  ASSERT_GE(source_2a, 0);
  EXPECT_FALSE(report.suppressed());
  EXPECT_THAT(report.suppressed_fields(), IsEmpty());
  EXPECT_EQ(figures.by_source(source_2a).count(), 1);
  EXPECT_EQ(figures.by_source(source_2a).percent(), 14.3);

  iv1::GetFrontDoorFiguresRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  iv1::GetFrontDoorFiguresResponse response;
  auto context = TestCluster::ContextFor(testing::kAnalystToken);
  ASSERT_TRUE(
      intake_->GetFrontDoorFigures(context.get(), request, &response).ok());
  EXPECT_EQ(response.figures().by_source(source_2a).count(), 1);
  EXPECT_EQ(context->GetServerTrailingMetadata().count("sgm-suppressed-fields"),
            0u);
}

// Quality assurance, May 2024: 7 case-file audits of team CP1, 6 good and
// 1 requires improvement (the 1 withheld; 6 of 7 good or better, 85.7%,
// shown), and 2 pieces of family feedback (withheld with their mean).
void SeedQa(qv1::QaService::Stub& qa) {
  for (int i = 1; i <= 7; ++i) {
    qv1::CreateAuditRequest request;
    qv1::Audit* audit = request.mutable_audit();
    audit->set_audit_id(absl::StrCat("A", i));
    audit->set_child_id(absl::StrCat("CH", i));
    audit->set_type(qv1::AUDIT_TYPE_CASE_FILE);
    audit->set_team("CP1");
    audit->set_auditor("QA1");
    audit->mutable_audit_date()->set_year(2024);
    audit->mutable_audit_date()->set_month(5);
    audit->mutable_audit_date()->set_day(i + 1);
    audit->set_grade(i == 7 ? qv1::GRADE_REQUIRES_IMPROVEMENT
                            : qv1::GRADE_GOOD);
    qv1::CreateAuditResponse response;
    grpc::Status status = qa.CreateAudit(
        TestCluster::ContextFor(testing::kPractitionerToken).get(), request,
        &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  for (int i = 1; i <= 2; ++i) {
    qv1::CreateFeedbackRequest request;
    qv1::Feedback* feedback = request.mutable_feedback();
    feedback->set_feedback_id(absl::StrCat("F", i));
    feedback->set_source(qv1::FEEDBACK_SOURCE_FAMILY);
    feedback->mutable_received_on()->set_year(2024);
    feedback->mutable_received_on()->set_month(5);
    feedback->mutable_received_on()->set_day(10 + i);
    feedback->set_rating(3 + i);
    qv1::CreateFeedbackResponse response;
    grpc::Status status = qa.CreateFeedback(
        TestCluster::ContextFor(testing::kPractitionerToken).get(), request,
        &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
}

TEST_F(OutwardFacingTest, QualitySectionWithholdsCountsUnderFive) {
  StartCluster(/*outward_facing=*/true);
  auto qa = qv1::QaService::NewStub(cluster_->gateway_channel());
  SeedQa(*qa);
  gv1::PracticeReport report = Report();
  ASSERT_EQ(report.quality().status().state(), gv1::SECTION_STATE_AVAILABLE)
      << report.quality().status().reason();
  const qv1::QaFigures& month = report.quality().month();
  ASSERT_EQ(month.by_type_size(), 1);
  ASSERT_EQ(month.feedback_size(), 2);  // FAMILY, then the total
  EXPECT_THAT(
      report.suppressed_fields(),
      IsSupersetOf({"quality.month.audits.requires_improvement",
                    "quality.month.by_type[0].requires_improvement",
                    "quality.month.feedback[0].received",
                    "quality.month.feedback[0].positive",
                    "quality.month.feedback[0].mean_rating",
                    "quality.month.feedback[1].received",
                    "quality.month.feedback[1].mean_rating",
                    "quality.last_12_months.audits.requires_improvement",
                    "quality.trend[11].feedback",
                    "quality.trend[11].mean_rating"}));
  // 7 audits, 6 good and 85.7% are shown.
  EXPECT_THAT(report.suppressed_fields(),
              Not(Contains("quality.month.audits.audits")));
  EXPECT_THAT(report.suppressed_fields(),
              Not(Contains("quality.month.audits.good_or_better_percent")));
  EXPECT_EQ(month.audits().audits(), 7);
  EXPECT_EQ(month.audits().good(), 6);
  EXPECT_EQ(month.audits().requires_improvement(), 0);
  EXPECT_EQ(month.audits().good_or_better_percent(), 85.7);
  EXPECT_EQ(month.feedback(0).received(), 0);
  EXPECT_FALSE(month.feedback(0).has_mean_rating());
  ASSERT_EQ(report.quality().trend_size(), 12);
  EXPECT_EQ(report.quality().trend(11).audits(), 7);
  EXPECT_EQ(report.quality().trend(11).feedback(), 0);
  EXPECT_FALSE(report.quality().trend(11).has_mean_rating());

  // The same figures asked of the QA service through the gateway.
  qv1::GetQaFiguresRequest request;
  request.mutable_from()->set_year(2024);
  request.mutable_from()->set_month(5);
  request.mutable_from()->set_day(1);
  request.mutable_to()->set_year(2024);
  request.mutable_to()->set_month(5);
  request.mutable_to()->set_day(31);
  qv1::GetQaFiguresResponse response;
  auto context = TestCluster::ContextFor(testing::kAnalystToken);
  grpc::Status status = qa->GetQaFigures(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.figures().audits().requires_improvement(), 0);
  EXPECT_EQ(response.figures().audits().good(), 6);
  auto trailer =
      context->GetServerTrailingMetadata().find("sgm-suppressed-fields");
  ASSERT_NE(trailer, context->GetServerTrailingMetadata().end());
  std::vector<std::string> paths = absl::StrSplit(
      std::string(trailer->second.data(), trailer->second.size()), ',');
  EXPECT_THAT(paths, Contains("figures.audits.requires_improvement"));
  EXPECT_THAT(paths, Not(Contains("figures.audits.good")));
}

// 1 call a second, a burst of 3, on the cluster's clock.
TEST(RateLimitIntegrationTest, BurstRefusalIsolationAndRefill) {
  TestCluster::Options options;
  options.rate_limit_per_second = 1;
  options.rate_limit_burst = 3;
  auto started = TestCluster::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<TestCluster> cluster = *std::move(started);
  auto gateway = gv1::GatewayService::NewStub(cluster->gateway_channel());
  auto intake = iv1::IntakeService::NewStub(cluster->gateway_channel());

  auto who_am_i = [&](absl::string_view token) {
    gv1::WhoAmIResponse response;
    return gateway->WhoAmI(TestCluster::ContextFor(token).get(),
                           gv1::WhoAmIRequest(), &response);
  };
  // An unknown token is refused before the limit and takes nothing.
  EXPECT_EQ(who_am_i("no-such-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The gateway's own service and a proxied call share the bucket.
  EXPECT_TRUE(who_am_i(testing::kAnalystToken).ok());
  EXPECT_TRUE(who_am_i(testing::kAnalystToken).ok());
  {
    iv1::GetFrontDoorFiguresRequest request;
    request.mutable_month()->set_year(2024);
    request.mutable_month()->set_month(5);
    iv1::GetFrontDoorFiguresResponse response;
    EXPECT_TRUE(intake
                    ->GetFrontDoorFigures(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        request, &response)
                    .ok());
    auto context = TestCluster::ContextFor(testing::kAnalystToken);
    grpc::Status refused =
        intake->GetFrontDoorFigures(context.get(), request, &response);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(refused.error_message(),
              "rate limit of 1 calls a second for test-analyst exceeded; "
              "retry in 1000 ms");
    auto retry =
        context->GetServerTrailingMetadata().find("sgm-retry-after-ms");
    ASSERT_NE(retry, context->GetServerTrailingMetadata().end());
    EXPECT_EQ(std::string(retry->second.data(), retry->second.size()), "1000");
  }
  {
    auto context = TestCluster::ContextFor(testing::kAnalystToken);
    gv1::WhoAmIResponse response;
    grpc::Status refused =
        gateway->WhoAmI(context.get(), gv1::WhoAmIRequest(), &response);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    auto retry =
        context->GetServerTrailingMetadata().find("sgm-retry-after-ms");
    ASSERT_NE(retry, context->GetServerTrailingMetadata().end());
  }
  // Another caller has its own bucket.
  EXPECT_TRUE(who_am_i(testing::kManagerToken).ok());
  // One second on the cluster's clock: one more call.
  cluster->clock().Advance(absl::Seconds(1));
  EXPECT_TRUE(who_am_i(testing::kAnalystToken).ok());
  EXPECT_EQ(who_am_i(testing::kAnalystToken).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace sgm
