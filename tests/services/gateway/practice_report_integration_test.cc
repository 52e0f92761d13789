// GetPracticeReport end to end through the gateway, with the intake, KPI,
// workforce and quality-assurance services on real SQLite files and a real
// redis-server: the report's sections are the services' own answers field
// by field (the practice-insight section the six insight calls over the 12
// months to the month, what changed the gateway's own CompareFigures over
// the default periods), cached under the services' generations, still
// right with Redis gone, a stopped service's section marked unavailable
// within the deadline, and the roles.
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/gateway/figure_comparison.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/practice_report.h"
#include "services/gateway/token_authenticator.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using testing::TestCluster;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;

// May 2024 (4 contacts, 3 decided) and May 2023 (2): the year before.
constexpr char kContacts[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n"
    "Y1,2023-05-10T09:00:00+01:00,CH9,,6,N1,,,\n"
    "Y2,2023-05-11T09:00:00+01:00,CH8,,6,N1,,,\n"
    "M1,2024-05-02T09:00:00+01:00,CH1,2015-02-01,6,N1,,,\n"
    "M2,2024-05-03T09:00:00+01:00,CH2,,6,N1,,,\n"
    "M3,2024-05-20T09:00:00+01:00,CH3,,2A,N6,,,\n"
    "M4,2024-05-21T09:00:00+01:00,CH1,,3A,N3,,,\n";

constexpr char kDecisions[] =
    "contact_ref,decided_at,outcome,decided_by\n"
    "POLICE:M1,2024-05-02T15:00:00+01:00,REFERRAL,W1\n"
    "POLICE:M2,2024-05-07T10:00:00+01:00,NFA,W1\n"
    "POLICE:M3,2024-05-21T10:00:00+01:00,ADVICE,W1\n";

constexpr char kCaseEvents[] =
    "event_id,event_type,child_id,child_dob,ref_id,event_date,category,"
    "worker_id,team,visit_mode\n"
    "E1,CP_PLAN_START,C1,2024-01-10,CP1,2024-05-01,NEG,,,\n"
    "E2,CP_VISIT,C1,2024-01-10,CP1,2024-05-10,,,,FACE_TO_FACE\n"
    "E3,ALLOCATION_START,C1,2024-01-10,AL1,2024-05-01,,W01,CP1,\n"
    "E4,CP_PLAN_START,C2,2015-03-02,CP0,2023-01-09,PHY,,,\n"
    "E5,CP_PLAN_END,C2,2015-03-02,CP0,2023-06-01,,,,\n"
    "E6,CP_PLAN_START,C2,2015-03-02,CP2,2024-05-02,EMO,,,\n"
    "E7,CP_VISIT,C2,2015-03-02,CP2,2024-05-28,,,,\n"
    "E8,CLA_START,C3,2012-07-20,LA1,2024-02-03,,,,\n";

constexpr char kStaff[] =
    "staff_id,role,qualified,service_area,team,employment,fte,start_date,"
    "end_date,annual_cost\n"
    "W01,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,1,2020-01-06,,45000\n"
    "W02,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,0.5,2021-03-01,,22500\n"
    "W03,SOCIAL_WORKER,Y,Safeguarding,CP2,AGENCY,1,2024-01-08,,70000\n"
    "W06,CHILDRENS_PRACTITIONER,N,Early Help,EH1,PERMANENT,0.8,2023-01-09,,"
    "28000\n";

void SetDate(int year, int month, int day, sgm::type::v1::Date* out) {
  out->set_year(year);
  out->set_month(month);
  out->set_day(day);
}

// Quality assurance, May 2024: A1 (good), A2 (themed, requires improvement,
// moderated to good) and A4 (good, a re-audit of April's inadequate A3):
// 3 audits in the month, 4 over the 12 months; feedback in May from a
// family (4) and a partner (2), from a young person in December (5);
// actions X1 (done on time), X2 (open, overdue at the month end), X3 (due
// in June).
qv1::Audit MakeAudit(const std::string& audit_id, const std::string& child,
                     qv1::AuditType type, int month, int day,
                     qv1::Grade grade) {
  qv1::Audit audit;
  audit.set_audit_id(audit_id);
  audit.set_child_id(child);
  audit.set_type(type);
  audit.set_team("CP1");
  audit.set_auditor("QA1");
  SetDate(2024, month, day, audit.mutable_audit_date());
  audit.set_grade(grade);
  return audit;
}

qv1::Feedback MakeFeedback(const std::string& id, qv1::FeedbackSource source,
                           int year, int month, int day, int rating) {
  qv1::Feedback feedback;
  feedback.set_feedback_id(id);
  feedback.set_source(source);
  feedback.set_team("CP1");
  SetDate(year, month, day, feedback.mutable_received_on());
  feedback.set_rating(rating);
  return feedback;
}

qv1::Action MakeAction(const std::string& id, const std::string& origin,
                       int due_month, int due_day) {
  qv1::Action action;
  action.set_action_id(id);
  action.set_origin_ref(origin);
  action.set_owner("CP1");
  SetDate(2024, due_month, due_day, action.mutable_due_date());
  return action;
}

// The gateway's --report_deadline in the test cluster.
constexpr absl::Duration kReportDeadline = absl::Seconds(5);

class PracticeReportIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    auto channel = cluster_->gateway_channel();
    gateway_ = gv1::GatewayService::NewStub(channel);
    intake_ = iv1::IntakeService::NewStub(channel);
    kpi_ = kv1::KpiService::NewStub(channel);
    workforce_ = wv1::WorkforceService::NewStub(channel);
    qa_ = qv1::QaService::NewStub(channel);
    ImportAll();
    SeedQa();
  }

  // The QA records above, through the gateway.
  void SeedQa() {
    auto ok = [](const grpc::Status& status) {
      return status.ok() ? ::testing::AssertionSuccess()
                         : ::testing::AssertionFailure()
                               << status.error_code() << ": "
                               << status.error_message();
    };
    auto context = [] {
      return TestCluster::ContextFor(testing::kManagerToken);
    };
    {
      qv1::CreateThemeRequest request;
      qv1::Theme* theme = request.mutable_theme();
      theme->set_theme_id("CP-2024");
      theme->set_name("Child Protection");
      SetDate(2024, 5, 1, theme->mutable_start_date());
      SetDate(2024, 6, 30, theme->mutable_end_date());
      qv1::CreateThemeResponse response;
      ASSERT_TRUE(ok(qa_->CreateTheme(context().get(), request, &response)));
    }
    std::vector<qv1::Audit> audits;
    audits.push_back(MakeAudit("A1", "C1", qv1::AUDIT_TYPE_CASE_FILE, 5, 10,
                               qv1::GRADE_GOOD));
    qv1::DomainGrade* domain = audits.back().add_domains();
    domain->set_domain("VOICE_OF_THE_CHILD");
    domain->set_grade(qv1::GRADE_GOOD);
    domain = audits.back().add_domains();
    domain->set_domain("PLANNING");
    domain->set_grade(qv1::GRADE_REQUIRES_IMPROVEMENT);
    audits.push_back(MakeAudit("A2", "C2", qv1::AUDIT_TYPE_THEMED, 5, 15,
                               qv1::GRADE_REQUIRES_IMPROVEMENT));
    audits.back().set_theme_id("CP-2024");
    domain = audits.back().add_domains();
    domain->set_domain("PLANNING");
    domain->set_grade(qv1::GRADE_INADEQUATE);
    audits.push_back(MakeAudit("A3", "C3", qv1::AUDIT_TYPE_CASE_FILE, 4, 20,
                               qv1::GRADE_INADEQUATE));
    audits.push_back(MakeAudit("A4", "C3", qv1::AUDIT_TYPE_CASE_FILE, 5, 28,
                               qv1::GRADE_GOOD));
    audits.back().set_reaudit_of("A3");
    for (const qv1::Audit& audit : audits) {
      qv1::CreateAuditRequest request;
      *request.mutable_audit() = audit;
      qv1::CreateAuditResponse response;
      ASSERT_TRUE(ok(qa_->CreateAudit(context().get(), request, &response)))
          << audit.audit_id();
    }
    {
      qv1::ModerateAuditRequest request;
      request.set_audit_id("A2");
      request.set_moderated_grade(qv1::GRADE_GOOD);
      request.set_moderator("QA-LEAD");
      qv1::ModerateAuditResponse response;
      ASSERT_TRUE(ok(qa_->ModerateAudit(context().get(), request, &response)));
    }
    for (const qv1::Feedback& feedback :
         {MakeFeedback("F1", qv1::FEEDBACK_SOURCE_FAMILY, 2024, 5, 3, 4),
          MakeFeedback("F2", qv1::FEEDBACK_SOURCE_PARTNER_AGENCY, 2024, 5, 20,
                       2),
          MakeFeedback("F3", qv1::FEEDBACK_SOURCE_YOUNG_PERSON, 2023, 12, 1,
                       5)}) {
      qv1::CreateFeedbackRequest request;
      *request.mutable_feedback() = feedback;
      qv1::CreateFeedbackResponse response;
      ASSERT_TRUE(ok(qa_->CreateFeedback(context().get(), request, &response)))
          << feedback.feedback_id();
    }
    std::vector<qv1::Action> actions = {
        MakeAction("X1", "A2", 5, 20), MakeAction("X2", "BOARD-2024-05", 5, 25),
        MakeAction("X3", "A4", 6, 30)};
    SetDate(2024, 5, 15, actions[0].mutable_raised_on());
    SetDate(2024, 5, 18, actions[0].mutable_completed_date());
    SetDate(2024, 5, 28, actions[2].mutable_raised_on());
    for (const qv1::Action& action : actions) {
      qv1::CreateActionRequest request;
      *request.mutable_action() = action;
      qv1::CreateActionResponse response;
      ASSERT_TRUE(ok(qa_->CreateAction(context().get(), request, &response)))
          << action.action_id();
    }
  }

  void ImportAll() {
    iv1::ImportContactsResponse contacts;
    ASSERT_TRUE(testing::SendContacts(
                    *intake_,
                    TestCluster::ContextFor(testing::kPractitionerToken).get(),
                    kContacts, "POLICE", &contacts)
                    .ok());
    ASSERT_EQ(contacts.summary().accepted(), 6) << contacts.DebugString();
    iv1::ImportDecisionsResponse decisions;
    ASSERT_TRUE(testing::SendDecisions(
                    *intake_,
                    TestCluster::ContextFor(testing::kPractitionerToken).get(),
                    kDecisions, &decisions)
                    .ok());
    ASSERT_EQ(decisions.summary().accepted(), 3) << decisions.DebugString();
    {
      kv1::ImportCaseEventsResponse events;
      auto context = TestCluster::ContextFor(testing::kPractitionerToken);
      auto writer = kpi_->ImportCaseEvents(context.get(), &events);
      ASSERT_TRUE(testing::SendChunks<kv1::ImportCaseEventsRequest>(
                      *writer, kCaseEvents, 1 << 20, feed::v1::FEED_FORMAT_CSV,
                      [](kv1::ImportCaseEventsRequest*) {})
                      .ok());
      ASSERT_EQ(events.summary().accepted(), 8) << events.DebugString();
    }
    {
      wv1::ImportStaffResponse staff;
      auto context = TestCluster::ContextFor(testing::kManagerToken);
      auto writer = workforce_->ImportStaff(context.get(), &staff);
      ASSERT_TRUE(testing::SendChunks<wv1::ImportStaffRequest>(
                      *writer, kStaff, 1 << 20, feed::v1::FEED_FORMAT_CSV,
                      [](wv1::ImportStaffRequest*) {})
                      .ok());
      ASSERT_EQ(staff.summary().accepted(), 4) << staff.DebugString();
    }
    // M1's REFERRAL decision opens a referral in the KPI service, sent by
    // intake's outbox in the background: wait for it, so that the report
    // and the services' own answers are taken on the same data.
    const absl::Time until = absl::Now() + absl::Seconds(20);
    int64_t referrals = 0;
    while (absl::Now() < until) {
      kv1::GetCaseStatusRequest request;
      request.mutable_month()->set_year(2024);
      request.mutable_month()->set_month(5);
      kv1::GetCaseStatusResponse response;
      if (kpi_->GetCaseStatus(
                  TestCluster::ContextFor(testing::kAnalystToken).get(),
                  request, &response)
              .ok()) {
        referrals = response.status().referrals();
      }
      if (referrals >= 1) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(referrals, 1) << "intake did not open M1's referral";
  }

  grpc::Status Report(absl::string_view token, int year, int month,
                      gv1::PracticeReport* report) {
    gv1::GetPracticeReportRequest request;
    if (year != 0) {
      request.mutable_month()->set_year(year);
      request.mutable_month()->set_month(month);
    }
    gv1::GetPracticeReportResponse response;
    grpc::Status status = gateway_->GetPracticeReport(
        TestCluster::ContextFor(token).get(), request, &response);
    *report = response.report();
    return status;
  }

  // The front door as intake answers it for May 2024.
  iv1::FrontDoorFigures FrontDoor() {
    iv1::GetFrontDoorFiguresRequest request;
    request.mutable_month()->set_year(2024);
    request.mutable_month()->set_month(5);
    iv1::GetFrontDoorFiguresResponse response;
    EXPECT_TRUE(intake_
                    ->GetFrontDoorFigures(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        request, &response)
                    .ok());
    return response.figures();
  }

  // The performance section as the KPI service answers its three calls.
  gv1::PerformanceSection Performance() {
    gv1::PerformanceSection section;
    section.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
    kv1::GetIndicatorsRequest indicators;
    indicators.mutable_month()->set_year(2024);
    indicators.mutable_month()->set_month(5);
    EXPECT_TRUE(kpi_->GetIndicators(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        indicators, section.mutable_indicators())
                    .ok());
    kv1::GetIndicatorTrendRequest trend;
    trend.mutable_from()->set_year(2023);
    trend.mutable_from()->set_month(6);
    trend.mutable_to()->set_year(2024);
    trend.mutable_to()->set_month(5);
    kv1::GetIndicatorTrendResponse trends;
    EXPECT_TRUE(kpi_->GetIndicatorTrend(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        trend, &trends)
                    .ok());
    *section.mutable_trends() = trends.trends();
    kv1::GetCaseStatusRequest status;
    status.mutable_month()->set_year(2024);
    status.mutable_month()->set_month(5);
    kv1::GetCaseStatusResponse status_response;
    EXPECT_TRUE(kpi_->GetCaseStatus(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        status, &status_response)
                    .ok());
    *section.mutable_case_status() = status_response.status();
    return section;
  }

  // The workforce section as the workforce service answers it.
  gv1::WorkforceSection Workforce() {
    gv1::WorkforceSection section;
    section.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
    wv1::GetWorkforceFiguresRequest figures;
    figures.mutable_as_of()->set_year(2024);
    figures.mutable_as_of()->set_month(5);
    figures.mutable_as_of()->set_day(31);
    wv1::GetWorkforceFiguresResponse figures_response;
    EXPECT_TRUE(workforce_
                    ->GetWorkforceFigures(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        figures, &figures_response)
                    .ok());
    *section.mutable_figures() = figures_response.figures();
    wv1::GetWorkforceTrendRequest trend;
    trend.mutable_from()->set_year(2023);
    trend.mutable_from()->set_month(6);
    trend.mutable_to()->set_year(2024);
    trend.mutable_to()->set_month(5);
    wv1::GetWorkforceTrendResponse trend_response;
    EXPECT_TRUE(workforce_
                    ->GetWorkforceTrend(
                        TestCluster::ContextFor(testing::kAnalystToken).get(),
                        trend, &trend_response)
                    .ok());
    *section.mutable_trend() = trend_response.points();
    return section;
  }

  // The QA service's figures for the days `from` to `to`.
  qv1::QaFigures QaFigures(int from_year, int from_month, int from_day,
                           int to_year, int to_month, int to_day) {
    qv1::GetQaFiguresRequest request;
    SetDate(from_year, from_month, from_day, request.mutable_from());
    SetDate(to_year, to_month, to_day, request.mutable_to());
    qv1::GetQaFiguresResponse response;
    grpc::Status status =
        qa_->GetQaFigures(TestCluster::ContextFor(testing::kAnalystToken).get(),
                          request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.figures();
  }

  // The quality section as the QA service answers it for May 2024.
  gv1::QualitySection Quality() {
    gv1::QualitySection section;
    section.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
    *section.mutable_month() = QaFigures(2024, 5, 1, 2024, 5, 31);
    *section.mutable_last_12_months() = QaFigures(2023, 6, 1, 2024, 5, 31);
    qv1::GetQaTrendRequest trend;
    trend.mutable_from()->set_year(2023);
    trend.mutable_from()->set_month(6);
    trend.mutable_to()->set_year(2024);
    trend.mutable_to()->set_month(5);
    qv1::GetQaTrendResponse trend_response;
    EXPECT_TRUE(
        qa_->GetQaTrend(TestCluster::ContextFor(testing::kAnalystToken).get(),
                        trend, &trend_response)
            .ok());
    *section.mutable_trend() = trend_response.points();
    return section;
  }

  // A request's `from` and `to` months.
  template <typename Request>
  static Request Range(int from_year, int from_month, int to_year,
                       int to_month) {
    Request request;
    request.mutable_from()->set_year(from_year);
    request.mutable_from()->set_month(from_month);
    request.mutable_to()->set_year(to_year);
    request.mutable_to()->set_month(to_month);
    return request;
  }

  // The practice-insight section as intake, the KPI service and the
  // gateway's GetAbuseCategoryFunnel answer for June 2023 to May 2024.
  gv1::InsightSection Insight() {
    gv1::InsightSection section;
    section.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
    auto context = [] {
      return TestCluster::ContextFor(testing::kAnalystToken);
    };
    auto ok = [](const grpc::Status& status) {
      return status.ok() ? ::testing::AssertionSuccess()
                         : ::testing::AssertionFailure()
                               << status.error_code() << ": "
                               << status.error_message();
    };
    EXPECT_TRUE(ok(intake_->GetReferralQuality(
        context().get(),
        Range<iv1::GetReferralQualityRequest>(2023, 6, 2024, 5),
        section.mutable_referral_quality())));
    EXPECT_TRUE(ok(intake_->GetDuplicateInput(
        context().get(), Range<iv1::GetDuplicateInputRequest>(2023, 6, 2024, 5),
        section.mutable_duplicate_input())));
    gv1::GetAbuseCategoryFunnelResponse funnel;
    EXPECT_TRUE(ok(gateway_->GetAbuseCategoryFunnel(
        context().get(),
        Range<gv1::GetAbuseCategoryFunnelRequest>(2023, 6, 2024, 5), &funnel)));
    *section.mutable_funnel() = funnel.funnel();
    EXPECT_TRUE(ok(kpi_->GetVisitQuality(
        context().get(), Range<kv1::GetVisitQualityRequest>(2023, 6, 2024, 5),
        section.mutable_visit_quality())));
    EXPECT_TRUE(ok(kpi_->GetServiceFlows(
        context().get(), Range<kv1::GetServiceFlowsRequest>(2023, 6, 2024, 5),
        section.mutable_service_flows())));
    return section;
  }

  // What changed as the gateway's CompareFigures answers for the report's
  // default figures, 2024-03..2024-05 against 2023-03..2023-05.
  gv1::ChangeSection WhatChanged() {
    gv1::ChangeSection section;
    section.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
    gv1::CompareFiguresRequest request;
    for (const std::string& id :
         gateway::WhatChangedFigureIds(gateway::WhatChangedOptions(),
                                       gateway::FigureComparer::Catalogue())) {
      request.add_figure_ids(id);
    }
    request.mutable_before()->mutable_from()->set_year(2023);
    request.mutable_before()->mutable_from()->set_month(3);
    request.mutable_before()->mutable_to()->set_year(2023);
    request.mutable_before()->mutable_to()->set_month(5);
    request.mutable_after()->mutable_from()->set_year(2024);
    request.mutable_after()->mutable_from()->set_month(3);
    request.mutable_after()->mutable_to()->set_year(2024);
    request.mutable_after()->mutable_to()->set_month(5);
    gv1::CompareFiguresResponse response;
    grpc::Status status = gateway_->CompareFigures(
        TestCluster::ContextFor(testing::kAnalystToken).get(), request,
        &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    *section.mutable_comparison() = response.comparison();
    return section;
  }

  // Every available section equals the services' own answers.
  void ExpectMatchesTheServices(const gv1::PracticeReport& report) {
    EXPECT_EQ(report.authority(), "831");
    EXPECT_EQ(report.month().year(), 2024);
    EXPECT_EQ(report.month().month(), 5);
    EXPECT_FALSE(report.suppressed());
    gv1::FrontDoorSection front_door;
    front_door.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
    *front_door.mutable_figures() = FrontDoor();
    std::string diff;
    MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(front_door, report.front_door())) << diff;
    diff.clear();
    EXPECT_TRUE(differ.Compare(Performance(), report.performance())) << diff;
    diff.clear();
    EXPECT_TRUE(differ.Compare(Workforce(), report.workforce())) << diff;
    diff.clear();
    EXPECT_TRUE(differ.Compare(Quality(), report.quality())) << diff;
    diff.clear();
    EXPECT_TRUE(differ.Compare(Insight(), report.insight())) << diff;
    diff.clear();
    EXPECT_TRUE(differ.Compare(WhatChanged(), report.what_changed())) << diff;
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<gv1::GatewayService::Stub> gateway_;
  std::unique_ptr<iv1::IntakeService::Stub> intake_;
  std::unique_ptr<kv1::KpiService::Stub> kpi_;
  std::unique_ptr<wv1::WorkforceService::Stub> workforce_;
  std::unique_ptr<qv1::QaService::Stub> qa_;
};

TEST_F(PracticeReportIntegrationTest, MatchesTheServicesOwnFigures) {
  gv1::PracticeReport report;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &report).ok());
  ExpectMatchesTheServices(report);
  // The figures are the seeded ones, not merely equal.
  EXPECT_EQ(report.front_door().figures().this_month().contacts(), 4);
  EXPECT_EQ(report.front_door().figures().this_month().contacts_year_before(),
            2);
  EXPECT_EQ(report.front_door().figures().progressed(), 1);
  EXPECT_EQ(report.performance().indicators().indicators_size(), 8);
  EXPECT_EQ(report.performance().trends(0).points_size(), 12);
  EXPECT_GE(report.performance().case_status().open_cases().total(), 3);
  EXPECT_EQ(report.workforce().trend_size(), 12);
  EXPECT_TRUE(report.workforce().figures().caseloads_available());
  // May: A1, A2 (moderated to good) and A4, all good; April's A3 is in the
  // 12 months only.
  const gv1::QualitySection& quality = report.quality();
  EXPECT_EQ(quality.month().audits().audits(), 3);
  EXPECT_EQ(quality.month().audits().good(), 3);
  EXPECT_EQ(quality.month().moderation().moderated(), 1);
  EXPECT_EQ(quality.month().reaudits().improved(), 1);
  EXPECT_EQ(quality.month().themes_size(), 1);
  EXPECT_EQ(quality.last_12_months().audits().audits(), 4);
  EXPECT_EQ(quality.last_12_months().audits().inadequate(), 1);
  EXPECT_EQ(quality.month().actions().completed_on_time(), 1);
  ASSERT_EQ(quality.trend_size(), 12);
  EXPECT_EQ(quality.trend(11).audits(), 3);
  EXPECT_EQ(quality.trend(10).audits(), 1);
  // Practice insight over June 2023 to May 2024: the 4 May contacts (May
  // 2023's two are before the range), all from POLICE; the funnel's
  // contact stage has them, the CP plans of May (NEG, EMO) its last stage.
  const gv1::InsightSection& insight = report.insight();
  ASSERT_EQ(insight.status().state(), gv1::SECTION_STATE_AVAILABLE)
      << insight.status().reason();
  EXPECT_EQ(insight.referral_quality().all_agencies().total().contacts(), 4);
  ASSERT_EQ(insight.funnel().stages_size(), 5);
  EXPECT_EQ(insight.funnel().stages(0).total(), 4);
  EXPECT_EQ(insight.funnel().stages(4).total(), 2);
  EXPECT_EQ(insight.service_flows().months_size(), 12);
  // What changed: the default periods; 4 contacts in March to May 2024
  // against 2 in March to May 2023.
  const gv1::ChangeSection& changed = report.what_changed();
  ASSERT_EQ(changed.status().state(), gv1::SECTION_STATE_AVAILABLE)
      << changed.status().reason();
  EXPECT_EQ(changed.comparison().after().from().month(), 3);
  EXPECT_EQ(changed.comparison().before().to().year(), 2023);
  ASSERT_GE(changed.comparison().changes_size(), 1);
  EXPECT_EQ(changed.comparison().changes(0).figure().id(), "intake.contacts");
  EXPECT_EQ(changed.comparison().changes(0).before(), 2);
  EXPECT_EQ(changed.comparison().changes(0).after(), 4);
}

TEST_F(PracticeReportIntegrationTest, DefaultMonthIsTheLastFullMonth) {
  // The cluster's clock: 2024-06-15.
  gv1::PracticeReport report;
  ASSERT_TRUE(Report(testing::kAnalystToken, 0, 0, &report).ok());
  ExpectMatchesTheServices(report);

  grpc::Status future = Report(testing::kAnalystToken, 2024, 7, &report);
  EXPECT_EQ(future.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status bad = Report(testing::kAnalystToken, 2024, 13, &report);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PracticeReportIntegrationTest, CachedUntilAServiceWrites) {
  gv1::PracticeReport first;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &first).ok());
  absl::StatusOr<std::vector<std::string>> keys =
      cluster_->redis()->Keys("sgm:831:gateway:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_THAT((*keys)[0], HasSubstr(":report:v2:2024-05:intake=g"));

  // The same report again: from the cache (composed at the same time).
  cluster_->clock().Advance(absl::Minutes(1));
  gv1::PracticeReport second;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &second).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(first, second));

  // A new contact raises intake's generation: the next report has it.
  iv1::ImportContactsResponse more;
  ASSERT_TRUE(testing::SendContacts(
                  *intake_,
                  TestCluster::ContextFor(testing::kPractitionerToken).get(),
                  "source_record_id,received_at,source_code\n"
                  "M5,2024-05-22T09:00:00+01:00,6\n",
                  "POLICE", &more)
                  .ok());
  gv1::PracticeReport third;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &third).ok());
  EXPECT_EQ(third.front_door().figures().this_month().contacts(), 5);
  ExpectMatchesTheServices(third);

  // A new audit raises the QA service's generation: the next report has it.
  qv1::CreateAuditRequest audit;
  *audit.mutable_audit() = MakeAudit("A5", "C5", qv1::AUDIT_TYPE_OBSERVATION, 5,
                                     30, qv1::GRADE_OUTSTANDING);
  qv1::CreateAuditResponse created;
  ASSERT_TRUE(
      qa_->CreateAudit(TestCluster::ContextFor(testing::kManagerToken).get(),
                       audit, &created)
          .ok());
  gv1::PracticeReport fourth;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &fourth).ok());
  EXPECT_EQ(fourth.quality().month().audits().audits(), 4);
  EXPECT_EQ(fourth.quality().month().audits().outstanding(), 1);
  ExpectMatchesTheServices(fourth);
}

TEST_F(PracticeReportIntegrationTest, RedisDownStillRight) {
  gv1::PracticeReport cached;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &cached).ok());
  cluster_->redis()->Stop();

  gv1::PracticeReport report;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &report).ok());
  ExpectMatchesTheServices(report);

  // A write while Redis is down is in the next report.
  iv1::ImportContactsResponse more;
  ASSERT_TRUE(testing::SendContacts(
                  *intake_,
                  TestCluster::ContextFor(testing::kPractitionerToken).get(),
                  "source_record_id,received_at,source_code\n"
                  "M6,2024-05-23T09:00:00+01:00,6\n",
                  "POLICE", &more)
                  .ok());
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &report).ok());
  EXPECT_EQ(report.front_door().figures().this_month().contacts(), 5);
  ExpectMatchesTheServices(report);
}

TEST_F(PracticeReportIntegrationTest, KpiDownLeavesItsSectionUnavailable) {
  gv1::FrontDoorSection front_door;
  front_door.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  *front_door.mutable_figures() = FrontDoor();
  cluster_->StopKpi();

  const absl::Time start = absl::Now();
  gv1::PracticeReport report;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &report).ok());
  EXPECT_LT(absl::Now() - start, kReportDeadline + absl::Seconds(1));
  EXPECT_EQ(report.performance().status().state(),
            gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_THAT(report.performance().status().reason(),
              HasSubstr("the KPI service"));
  EXPECT_FALSE(report.performance().has_indicators());
  EXPECT_TRUE(MessageDifferencer::Equals(front_door, report.front_door()));
  // The workforce section stands; its caseloads (from the KPI service) are
  // marked missing inside it.
  EXPECT_EQ(report.workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_FALSE(report.workforce().figures().caseloads_available());
  EXPECT_EQ(report.workforce().figures().staffing(0).service_area(),
            "Early Help");
  // Practice insight needs the KPI service too.
  EXPECT_EQ(report.insight().status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_THAT(report.insight().status().reason(), HasSubstr("the KPI service"));
  // Not cached: once the KPI service is back, the section is too.
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  // The gateway's channel reconnects after its backoff (about a second).
  const absl::Time until = absl::Now() + absl::Seconds(20);
  do {
    ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &report).ok());
    if (report.performance().status().state() == gv1::SECTION_STATE_AVAILABLE) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < until);
  EXPECT_EQ(report.performance().status().state(), gv1::SECTION_STATE_AVAILABLE)
      << report.performance().status().reason();
}

TEST_F(PracticeReportIntegrationTest, QaDownLeavesQualityUnavailable) {
  // The other sections as their services answer, before any report is
  // composed (a cached one would stand: nothing was written since).
  gv1::FrontDoorSection front_door;
  front_door.mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  *front_door.mutable_figures() = FrontDoor();
  const gv1::PerformanceSection performance = Performance();
  const gv1::WorkforceSection workforce = Workforce();
  cluster_->StopQa();

  const absl::Time start = absl::Now();
  gv1::PracticeReport report;
  ASSERT_TRUE(Report(testing::kAnalystToken, 2024, 5, &report).ok());
  EXPECT_LT(absl::Now() - start, kReportDeadline + absl::Seconds(1));
  EXPECT_EQ(report.quality().status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_THAT(report.quality().status().reason(),
              HasSubstr("the quality-assurance service"));
  EXPECT_FALSE(report.quality().has_month());
  EXPECT_EQ(report.quality().trend_size(), 0);
  // The other sections are the services' own answers.
  EXPECT_TRUE(MessageDifferencer::Equals(front_door, report.front_door()));
  EXPECT_TRUE(MessageDifferencer::Equals(performance, report.performance()));
  EXPECT_TRUE(MessageDifferencer::Equals(workforce, report.workforce()));
  // Not cached: asked again, the section is still marked, not served from
  // a report composed while the QA service was there.
  absl::StatusOr<std::vector<std::string>> keys =
      cluster_->redis()->Keys("sgm:831:gateway:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(keys->empty());
}

TEST_F(PracticeReportIntegrationTest, AggregateReadersOnly) {
  gv1::PracticeReport report;
  for (absl::string_view token :
       {testing::kAnalystToken, testing::kPractitionerToken,
        testing::kManagerToken, testing::kAdminToken}) {
    EXPECT_TRUE(Report(token, 2024, 5, &report).ok()) << token;
  }
  grpc::Status partner = Report(testing::kPartnerToken, 2024, 5, &report);
  EXPECT_EQ(partner.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status nobody = Report("no-such-token", 2024, 5, &report);
  EXPECT_EQ(nobody.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(PracticeReportIntegrationTest, BackendWithoutAddressIsNotDeployed) {
  // A second gateway that knows only intake and the KPI service.
  auto authenticator = gateway::TokenAuthenticator::FromText(absl::StrCat(
      gateway::TokenAuthenticator::HashToken(testing::kAnalystToken),
      " analyst 831 test-analyst\n"));
  ASSERT_TRUE(authenticator.ok()) << authenticator.status();
  gateway::GatewaySettings settings;
  settings.server.service_name = "gateway";
  settings.server.listen_address = "127.0.0.1:0";
  settings.backends["sgm.intake.v1"] = cluster_->intake_address();
  settings.backends["sgm.kpi.v1"] = cluster_->kpi_address();
  auto server =
      gateway::GatewayServer::Start(settings, *std::move(authenticator));
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = gv1::GatewayService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                          grpc::InsecureChannelCredentials()));
  gv1::GetPracticeReportRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  gv1::GetPracticeReportResponse response;
  ASSERT_TRUE(stub->GetPracticeReport(
                      TestCluster::ContextFor(testing::kAnalystToken).get(),
                      request, &response)
                  .ok());
  const gv1::PracticeReport& report = response.report();
  EXPECT_EQ(report.workforce().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report.workforce().status().reason(),
            "no workforce service is deployed");
  EXPECT_EQ(report.quality().status().state(), gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report.quality().status().reason(),
            "no quality-assurance service is deployed");
  EXPECT_EQ(report.front_door().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report.front_door().figures().this_month().contacts(), 4);
  EXPECT_EQ(report.performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  // Intake and the KPI service are enough for practice insight; what
  // changed compares, the workforce and QA figures noted as not deployed.
  EXPECT_EQ(report.insight().status().state(), gv1::SECTION_STATE_AVAILABLE)
      << report.insight().status().reason();
  EXPECT_EQ(report.what_changed().status().state(),
            gv1::SECTION_STATE_AVAILABLE)
      << report.what_changed().status().reason();
}

TEST_F(PracticeReportIntegrationTest, EachAuthoritySeesItsOwn) {
  gv1::PracticeReport report;
  ASSERT_TRUE(Report(testing::kOtherAuthorityToken, 2024, 5, &report).ok());
  EXPECT_EQ(report.authority(), "892");
  EXPECT_EQ(report.front_door().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report.front_door().figures().this_month().contacts(), 0);
  EXPECT_EQ(report.performance().case_status().open_cases().total(), 0);
}

}  // namespace
}  // namespace sgm
