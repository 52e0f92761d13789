// The QA service end to end through the gateway: themes, audits, feedback
// and actions whose figures are worked out by hand below; imports with bad
// records and re-sends; dip samples drawn from the cluster's KPI service,
// and with it stopped; Redis gone; roles, the read audit, paging and
// authorities. A real redis-server and real SQLite files, started and
// created by the test.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/redis_cache.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/qa/case_sample_source.h"
#include "services/qa/qa_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/health_probe.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm::qa {
namespace {

using ::sgm::testing::TestCluster;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

// The cluster's clock: D = Saturday 15 June 2024. GetQaFigures' default
// period is 1 to 15 June 2024.
//
// Audits (line 8, grade 5, is rejected). In June: A1 (CP1, 2), A2 (CP1,
// THEMED CP-2024, 3 moderated to 2), A3 (CP2, THEMED CP-2024, 4 moderated
// to 4), A4 (CP2, OBSERVATION, 1), A6 (CP1, 2, a re-audit of A5). A5 (CP1,
// 3) is of May.
//   Effective grades: 2, 2, 4, 1, 2: outstanding 1, good 3, inadequate 1;
//   good or better 4 / 5 = 80.0%.
//   By type: CASE_FILE A1 A6 (2 good, 100.0), THEMED A2 A3 (good 1,
//   inadequate 1, 50.0), OBSERVATION A4 (1 outstanding, 100.0).
//   By team: CP1 A1 A2 A6 (3 good, 100.0); CP2 A3 A4 (50.0).
//   By theme: CP-2024 A2 A3 (50.0).
//   Moderation: A2 (3 -> 2, up), A3 (4 -> 4, agreed): 1 / 2 = 50.0%.
//   Domains: PLANNING graded 3 (3, 3, 4), all RI or worse: 100.0;
//   MANAGEMENT_OVERSIGHT 1 of 1: 100.0; VOICE_OF_THE_CHILD 1 of 2 (2, 3):
//   50.0. Order: PLANNING (3), then MANAGEMENT_OVERSIGHT (share 1/1 above
//   1/2), then VOICE_OF_THE_CHILD.
//   Re-audits: A6 (2) of A5 (3): improved; 1 / 1 = 100.0%.
constexpr char kAudits[] =
    "audit_id,child_id,type,theme,team,worker_id,auditor,audit_date,grade,"
    "moderated_grade,moderator,domains,findings,reaudit_of,sample_id\n"
    "A1,C1,CASE_FILE,,CP1,W01,AUD1,2024-06-03,2,,,"
    "VOICE_OF_THE_CHILD=2;PLANNING=3,Good direct work,,\n"
    "A2,C2,THEMED,CP-2024,CP1,W01,AUD1,2024-06-04,3,2,MOD1,"
    "VOICE_OF_THE_CHILD=3;PLANNING=3,,,\n"
    "A3,C3,THEMED,CP-2024,CP2,W02,AUD2,2024-06-05,4,4,MOD1,"
    "PLANNING=4;MANAGEMENT_OVERSIGHT=3,,,\n"
    "A4,C4,OBSERVATION,,CP2,W03,AUD2,2024-06-10,1,,,,,,\n"
    "A5,C5,CASE_FILE,,CP1,W01,AUD1,2024-05-20,3,,,,,,\n"
    "A6,C5,CASE_FILE,,CP1,W01,AUD1,2024-06-12,2,,,,,A5,\n"
    "A7,C7,CASE_FILE,,CP1,W01,AUD1,2024-06-12,5,,,,,,\n";

// The same file with A1 moderated (3, by MOD2): it fills in A1's empty
// moderated grade. Then A1's effective grade is 3: outstanding 1, good 2,
// requires improvement 1, inadequate 1 (60.0%); moderation 3, agreed 1,
// up 1, down 1 (33.3%).
std::string AuditsWithA1Moderated() {
  std::string feed = kAudits;
  const std::string from = "2024-06-03,2,,,";
  const size_t at = feed.find(from);
  feed.replace(at, from.size(), "2024-06-03,2,3,MOD2,");
  return feed;
}

// Feedback in June: FAMILY 5 and 2 (mean 3.50, positive 1, negative 1),
// YOUNG_PERSON 4, PARTNER_AGENCY 3; total 4, mean (5+2+4+3)/4 = 3.50,
// positive 2, negative 1. F5 is of May; line 7 (source NEIGHBOUR) is
// rejected.
constexpr char kFeedback[] =
    "feedback_id,source,team,received_on,rating,comment\n"
    "F1,FAMILY,CP1,2024-06-03,5,Very helpful\n"
    "F2,FAMILY,CP2,2024-06-05,2,Slow to call back\n"
    "F3,YOUNG_PERSON,CP1,2024-06-07,4,\n"
    "F4,PARTNER_AGENCY,,2024-06-10,3,\n"
    "F5,FAMILY,CP1,2024-05-10,1,\n"
    "F6,NEIGHBOUR,CP1,2024-06-10,3,\n";

// Actions on 15 June: open X2 (due 12 Jun: overdue) and X3 (due 31 Jul);
// completed in 1-15 June: X1 (on time) and X4 (late): 50.0%; due in the
// period: X1, X2, X4. X5 was completed in May.
constexpr char kActions[] =
    "action_id,origin_ref,owner,due_date,completed_date,raised_on\n"
    "X1,A1,CP1,2024-06-10,2024-06-08,2024-06-03\n"
    "X2,A3,CP2,2024-06-12,,2024-06-05\n"
    "X3,BOARD-2024-05,QA-LEAD,2024-07-31,,2024-05-20\n"
    "X4,A2,CP1,2024-06-05,2024-06-11,2024-06-04\n"
    "X5,A5,CP1,2024-05-31,2024-05-30,2024-05-20\n";

sgm::type::v1::Date Day(int y, int m, int d) {
  sgm::type::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::Theme MakeTheme(const std::string& id, const std::string& name,
                    sgm::type::v1::Date start, sgm::type::v1::Date end) {
  v1::Theme t;
  t.set_theme_id(id);
  t.set_name(name);
  *t.mutable_start_date() = start;
  *t.mutable_end_date() = end;
  return t;
}

v1::Audit MakeAudit(const std::string& id, const std::string& child,
                    v1::AuditType type, v1::Grade grade) {
  v1::Audit a;
  a.set_audit_id(id);
  a.set_child_id(child);
  a.set_type(type);
  a.set_team("CP1");
  a.set_auditor("AUD1");
  *a.mutable_audit_date() = Day(2024, 6, 14);
  a.set_grade(grade);
  return a;
}

std::vector<std::string> ChildrenOf(const v1::DipSample& sample) {
  std::vector<std::string> out;
  for (const v1::DipSampleCase& c : sample.cases()) out.push_back(c.child_id());
  return out;
}

class QaServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartCluster(TestCluster::Options()); }

  void StartCluster(TestCluster::Options options) {
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    stub_ = v1::QaService::NewStub(cluster_->gateway_channel());
    kpi_ = kpi::v1::KpiService::NewStub(cluster_->gateway_channel());
  }

  template <typename Request, typename Response, typename Call>
  grpc::Status Import(absl::string_view token, absl::string_view feed,
                      Call call, Response* response) {
    auto context = TestCluster::ContextFor(token);
    auto writer = ((*stub_).*call)(context.get(), response);
    return testing::SendChunks<Request>(
        *writer, feed, 53, feed::v1::FEED_FORMAT_CSV, [](Request*) {});
  }

  grpc::Status ImportAudits(absl::string_view feed,
                            v1::ImportAuditsResponse* response,
                            absl::string_view token = testing::kManagerToken) {
    return Import<v1::ImportAuditsRequest>(
        token, feed, &v1::QaService::Stub::ImportAudits, response);
  }
  grpc::Status ImportFeedback(
      absl::string_view feed, v1::ImportFeedbackResponse* response,
      absl::string_view token = testing::kPractitionerToken) {
    return Import<v1::ImportFeedbackRequest>(
        token, feed, &v1::QaService::Stub::ImportFeedback, response);
  }
  grpc::Status ImportActions(absl::string_view feed,
                             v1::ImportActionsResponse* response) {
    return Import<v1::ImportActionsRequest>(testing::kManagerToken, feed,
                                            &v1::QaService::Stub::ImportActions,
                                            response);
  }

  void CreateThemes() {
    for (const v1::Theme& theme :
         {MakeTheme("CP-2024", "Child Protection", Day(2024, 5, 1),
                    Day(2024, 6, 30)),
          MakeTheme("VOC-2024", "Voice of the child", Day(2024, 3, 1),
                    Day(2024, 4, 30))}) {
      v1::CreateThemeRequest request;
      *request.mutable_theme() = theme;
      v1::CreateThemeResponse response;
      grpc::Status s = stub_->CreateTheme(
          TestCluster::ContextFor(testing::kManagerToken).get(), request,
          &response);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  void ImportAll() {
    CreateThemes();
    v1::ImportAuditsResponse audits;
    grpc::Status s = ImportAudits(kAudits, &audits);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(audits.summary().accepted(), 6) << audits.summary().DebugString();
    v1::ImportFeedbackResponse feedback;
    s = ImportFeedback(kFeedback, &feedback);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(feedback.summary().accepted(), 5)
        << feedback.summary().DebugString();
    v1::ImportActionsResponse actions;
    s = ImportActions(kActions, &actions);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(actions.summary().accepted(), 5)
        << actions.summary().DebugString();
  }

  // Children K1..K6 on CP plans since 1 Mar 2024; K7's plan ended on 30
  // Apr. Population of OPEN_CHILD_PROTECTION on 14 Jun: 6.
  void SeedKpiCases() {
    kpi::v1::BatchRecordCaseEventsRequest batch;
    for (int i = 1; i <= 7; ++i) {
      kpi::v1::CaseEvent* e = batch.add_events();
      e->set_event_id(absl::StrCat("cp", i));
      e->set_event_type(kpi::v1::EVENT_TYPE_CP_PLAN_START);
      e->set_child_id(absl::StrCat("K", i));
      *e->mutable_child_dob() = Day(2015, 1, i);
      e->set_ref_id(absl::StrCat("CPP", i));
      *e->mutable_event_date() = Day(2024, 3, 1);
      e->set_category("NEG");
    }
    kpi::v1::CaseEvent* end = batch.add_events();
    end->set_event_id("cp7end");
    end->set_event_type(kpi::v1::EVENT_TYPE_CP_PLAN_END);
    end->set_child_id("K7");
    end->set_ref_id("CPP7");
    *end->mutable_event_date() = Day(2024, 4, 30);
    kpi::v1::BatchRecordCaseEventsResponse recorded;
    grpc::Status s = kpi_->BatchRecordCaseEvents(
        TestCluster::ContextFor(testing::kPractitionerToken).get(), batch,
        &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& r : recorded.results()) {
      ASSERT_EQ(r.outcome(), kpi::v1::RECORD_OUTCOME_ACCEPTED)
          << r.event_id() << ": " << r.field() << " " << r.reason();
    }
  }

  static v1::CreateDipSampleRequest SampleRequest(const std::string& id) {
    v1::CreateDipSampleRequest request;
    v1::DipSample* s = request.mutable_sample();
    s->set_sample_id(id);
    s->set_criterion(v1::DIP_SAMPLE_CRITERION_OPEN_CHILD_PROTECTION);
    *s->mutable_as_of() = Day(2024, 6, 14);
    s->set_sample_size(3);
    s->set_seed(42);
    s->set_theme_id("CP-2024");
    return request;
  }

  grpc::Status CreateDipSample(
      const v1::CreateDipSampleRequest& request,
      v1::CreateDipSampleResponse* response,
      absl::string_view token = testing::kManagerToken) {
    return stub_->CreateDipSample(TestCluster::ContextFor(token).get(), request,
                                  response);
  }

  grpc::Status Figures(absl::string_view token,
                       const v1::GetQaFiguresRequest& request,
                       v1::QaFigures* out) {
    v1::GetQaFiguresResponse response;
    grpc::Status s = stub_->GetQaFigures(TestCluster::ContextFor(token).get(),
                                         request, &response);
    *out = response.figures();
    return s;
  }

  v1::QaFigures Figures(const v1::GetQaFiguresRequest& request = {}) {
    v1::QaFigures figures;
    grpc::Status s = Figures(testing::kAnalystToken, request, &figures);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return figures;
  }

  grpc::Status ListAudits(absl::string_view token,
                          const v1::ListAuditsRequest& request,
                          v1::ListAuditsResponse* response) {
    return stub_->ListAudits(TestCluster::ContextFor(token).get(), request,
                             response);
  }

  // The 831 read-audit log, newest first, read from the store's file.
  std::vector<QaReadAudit> ReadAudit() {
    auto store = SqliteQaStore::Open(cluster_->dir() + "/qa.db");
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return {};
    auto audit = (*store)->ListReadAudit("831", 100);
    EXPECT_TRUE(audit.ok()) << audit.status();
    return audit.ok() ? *audit : std::vector<QaReadAudit>();
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<v1::QaService::Stub> stub_;
  std::unique_ptr<kpi::v1::KpiService::Stub> kpi_;
};

// The hand-worked figures of 1 to 15 June (see the files above).
void ExpectJuneFigures(const v1::QaFigures& f) {
  EXPECT_EQ(f.from().year(), 2024);
  EXPECT_EQ(f.from().month(), 6);
  EXPECT_EQ(f.from().day(), 1);
  EXPECT_EQ(f.to().day(), 15);
  EXPECT_EQ(f.audits().label(), "Total");
  EXPECT_EQ(f.audits().audits(), 5);
  EXPECT_EQ(f.audits().outstanding(), 1);
  EXPECT_EQ(f.audits().good(), 3);
  EXPECT_EQ(f.audits().requires_improvement(), 0);
  EXPECT_EQ(f.audits().inadequate(), 1);
  EXPECT_DOUBLE_EQ(f.audits().good_or_better_percent(), 80.0);

  ASSERT_EQ(f.by_type_size(), 3);
  EXPECT_EQ(f.by_type(0).label(), "CASE_FILE");
  EXPECT_EQ(f.by_type(0).audits(), 2);
  EXPECT_DOUBLE_EQ(f.by_type(0).good_or_better_percent(), 100.0);
  EXPECT_EQ(f.by_type(1).label(), "THEMED");
  EXPECT_EQ(f.by_type(1).inadequate(), 1);
  EXPECT_DOUBLE_EQ(f.by_type(1).good_or_better_percent(), 50.0);
  EXPECT_EQ(f.by_type(2).label(), "OBSERVATION");
  EXPECT_EQ(f.by_type(2).outstanding(), 1);

  ASSERT_EQ(f.by_team_size(), 2);
  EXPECT_EQ(f.by_team(0).label(), "CP1");
  EXPECT_EQ(f.by_team(0).audits(), 3);
  EXPECT_EQ(f.by_team(0).good(), 3);
  EXPECT_EQ(f.by_team(1).label(), "CP2");
  EXPECT_DOUBLE_EQ(f.by_team(1).good_or_better_percent(), 50.0);
  ASSERT_EQ(f.by_theme_size(), 1);
  EXPECT_EQ(f.by_theme(0).label(), "CP-2024");
  EXPECT_EQ(f.by_theme(0).audits(), 2);

  EXPECT_EQ(f.moderation().moderated(), 2);
  EXPECT_EQ(f.moderation().agreed(), 1);
  EXPECT_EQ(f.moderation().moderated_up(), 1);
  EXPECT_EQ(f.moderation().moderated_down(), 0);
  EXPECT_DOUBLE_EQ(f.moderation().agreement_percent(), 50.0);

  ASSERT_EQ(f.domains_size(), 3);
  EXPECT_EQ(f.domains(0).domain(), "PLANNING");
  EXPECT_EQ(f.domains(0).graded(), 3);
  EXPECT_EQ(f.domains(0).requires_improvement_or_worse(), 3);
  EXPECT_DOUBLE_EQ(f.domains(0).requires_improvement_or_worse_percent(), 100.0);
  EXPECT_EQ(f.domains(1).domain(), "MANAGEMENT_OVERSIGHT");
  EXPECT_EQ(f.domains(2).domain(), "VOICE_OF_THE_CHILD");
  EXPECT_EQ(f.domains(2).graded(), 2);
  EXPECT_DOUBLE_EQ(f.domains(2).requires_improvement_or_worse_percent(), 50.0);

  ASSERT_EQ(f.feedback_size(), 4);
  EXPECT_EQ(f.feedback(0).source(), v1::FEEDBACK_SOURCE_FAMILY);
  EXPECT_EQ(f.feedback(0).received(), 2);
  EXPECT_DOUBLE_EQ(f.feedback(0).mean_rating(), 3.5);
  EXPECT_EQ(f.feedback(0).positive(), 1);
  EXPECT_EQ(f.feedback(0).negative(), 1);
  EXPECT_EQ(f.feedback(1).source(), v1::FEEDBACK_SOURCE_YOUNG_PERSON);
  EXPECT_DOUBLE_EQ(f.feedback(1).mean_rating(), 4.0);
  EXPECT_EQ(f.feedback(2).source(), v1::FEEDBACK_SOURCE_PARTNER_AGENCY);
  const v1::FeedbackFigures& total = f.feedback(3);
  EXPECT_EQ(total.source(), v1::FEEDBACK_SOURCE_UNSPECIFIED);
  EXPECT_EQ(total.received(), 4);
  EXPECT_DOUBLE_EQ(total.mean_rating(), 3.5);
  EXPECT_EQ(total.positive(), 2);
  EXPECT_EQ(total.negative(), 1);

  EXPECT_EQ(f.actions().open(), 2);
  EXPECT_EQ(f.actions().overdue(), 1);
  EXPECT_EQ(f.actions().completed(), 2);
  EXPECT_EQ(f.actions().completed_on_time(), 1);
  EXPECT_DOUBLE_EQ(f.actions().on_time_percent(), 50.0);
  EXPECT_EQ(f.actions().due(), 3);

  EXPECT_EQ(f.reaudits().reaudits(), 1);
  EXPECT_EQ(f.reaudits().improved(), 1);
  EXPECT_DOUBLE_EQ(f.reaudits().improved_percent(), 100.0);
  EXPECT_EQ(f.reaudits().original_missing(), 0);

  ASSERT_EQ(f.themes_size(), 1);
  EXPECT_EQ(f.themes(0).theme_id(), "CP-2024");
}

TEST_F(QaServiceTest, ImportsCommitTheRestRejectWithLineAndField) {
  CreateThemes();
  v1::ImportAuditsResponse audits;
  grpc::Status s = ImportAudits(kAudits, &audits);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(audits.summary().records(), 7);
  EXPECT_EQ(audits.summary().accepted(), 6);
  EXPECT_EQ(audits.summary().rejected(), 1);
  ASSERT_EQ(audits.summary().rejections_size(), 1);
  EXPECT_EQ(audits.summary().rejections(0).line(), 8);
  EXPECT_EQ(audits.summary().rejections(0).field(), "grade");
  EXPECT_EQ(audits.summary().rejections(0).key(), "A7");

  v1::ImportFeedbackResponse feedback;
  s = ImportFeedback(kFeedback, &feedback);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(feedback.summary().accepted(), 5);
  ASSERT_EQ(feedback.summary().rejections_size(), 1);
  EXPECT_EQ(feedback.summary().rejections(0).line(), 7);
  EXPECT_EQ(feedback.summary().rejections(0).field(), "source");
  EXPECT_EQ(feedback.summary().rejections(0).key(), "F6");
  // Free text is never echoed in a reason.
  for (const auto& r : feedback.summary().rejections()) {
    EXPECT_THAT(r.reason(), ::testing::Not(HasSubstr("helpful")));
  }

  v1::ImportActionsResponse actions;
  s = ImportActions(kActions, &actions);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(actions.summary().accepted(), 5);
  EXPECT_EQ(actions.summary().rejected(), 0);

  // Re-sending every file changes nothing.
  v1::ImportAuditsResponse audits_again;
  ASSERT_TRUE(ImportAudits(kAudits, &audits_again).ok());
  EXPECT_EQ(audits_again.summary().accepted(), 0);
  EXPECT_EQ(audits_again.summary().duplicates(), 6);
  EXPECT_EQ(audits_again.summary().rejected(), 1);
  v1::ImportFeedbackResponse feedback_again;
  ASSERT_TRUE(ImportFeedback(kFeedback, &feedback_again).ok());
  EXPECT_EQ(feedback_again.summary().accepted(), 0);
  EXPECT_EQ(feedback_again.summary().duplicates(), 5);
  v1::ImportActionsResponse actions_again;
  ASSERT_TRUE(ImportActions(kActions, &actions_again).ok());
  EXPECT_EQ(actions_again.summary().accepted(), 0);
  EXPECT_EQ(actions_again.summary().duplicates(), 5);

  // A different audit under a stored audit_id is rejected, the file goes
  // on.
  v1::ImportAuditsResponse conflict;
  ASSERT_TRUE(ImportAudits("audit_id,child_id,type,auditor,audit_date,grade\n"
                           "A4,C4,OBSERVATION,AUD2,2024-06-10,2\n"
                           "A9,C9,CASE_FILE,AUD2,2024-06-11,2\n",
                           &conflict)
                  .ok());
  EXPECT_EQ(conflict.summary().accepted(), 1);
  ASSERT_EQ(conflict.summary().rejections_size(), 1);
  EXPECT_EQ(conflict.summary().rejections(0).line(), 2);
  EXPECT_EQ(conflict.summary().rejections(0).field(), "audit_id");
  EXPECT_EQ(conflict.summary().rejections(0).key(), "A4");
  EXPECT_THAT(conflict.summary().rejections(0).reason(),
              HasSubstr("a different audit is stored under this audit_id"));

  // Read back: the audits of June by date, as imported.
  v1::ListAuditsRequest list;
  *list.mutable_from() = Day(2024, 6, 1);
  v1::ListAuditsResponse listed;
  s = ListAudits(testing::kManagerToken, list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> ids;
  for (const v1::Audit& a : listed.audits()) ids.push_back(a.audit_id());
  EXPECT_THAT(ids, ElementsAre("A1", "A2", "A3", "A4", "A9", "A6"));
  const v1::Audit& a2 = listed.audits(1);
  EXPECT_EQ(a2.authority(), "831");
  EXPECT_EQ(a2.child_id(), "C2");
  EXPECT_EQ(a2.type(), v1::AUDIT_TYPE_THEMED);
  EXPECT_EQ(a2.theme_id(), "CP-2024");
  EXPECT_EQ(a2.grade(), v1::GRADE_REQUIRES_IMPROVEMENT);
  EXPECT_EQ(a2.moderated_grade(), v1::GRADE_GOOD);
  EXPECT_EQ(a2.moderator(), "MOD1");
  ASSERT_EQ(a2.domains_size(), 2);
  EXPECT_EQ(a2.domains(0).domain(), "VOICE_OF_THE_CHILD");
  EXPECT_EQ(a2.domains(0).grade(), v1::GRADE_REQUIRES_IMPROVEMENT);
  EXPECT_EQ(listed.audits(0).findings(), "Good direct work");
  EXPECT_EQ(listed.audits(5).reaudit_of(), "A5");

  v1::ListFeedbackRequest feedback_list;
  feedback_list.set_source(v1::FEEDBACK_SOURCE_FAMILY);
  v1::ListFeedbackResponse family;
  ASSERT_TRUE(
      stub_
          ->ListFeedback(TestCluster::ContextFor(testing::kManagerToken).get(),
                         feedback_list, &family)
          .ok());
  ASSERT_EQ(family.feedback_size(), 3);
  EXPECT_EQ(family.feedback(0).feedback_id(), "F5");  // by received_on
  EXPECT_EQ(family.feedback(1).comment(), "Very helpful");

  v1::ListActionsRequest open;
  open.set_state(v1::ACTION_STATE_OPEN);
  v1::ListActionsResponse open_actions;
  ASSERT_TRUE(
      stub_
          ->ListActions(TestCluster::ContextFor(testing::kManagerToken).get(),
                        open, &open_actions)
          .ok());
  ASSERT_EQ(open_actions.actions_size(), 2);
  EXPECT_EQ(open_actions.actions(0).action_id(), "X2");
  EXPECT_EQ(open_actions.actions(1).action_id(), "X3");
  v1::ListActionsRequest overdue;
  overdue.set_state(v1::ACTION_STATE_OVERDUE);
  v1::ListActionsResponse overdue_actions;
  ASSERT_TRUE(
      stub_
          ->ListActions(TestCluster::ContextFor(testing::kManagerToken).get(),
                        overdue, &overdue_actions)
          .ok());
  ASSERT_EQ(overdue_actions.actions_size(), 1);
  EXPECT_EQ(overdue_actions.actions(0).action_id(), "X2");
}

TEST_F(QaServiceTest, AnAuthorityWithoutRecordsPublishesGenerationZero) {
  // Nothing written yet: the first figures publish generation 0, so the
  // gateway can cache reports of a department without QA data.
  EXPECT_TRUE(cluster_->redis()->Keys("sgm:831:qa:gen")->empty());
  const v1::QaFigures f = Figures();
  EXPECT_EQ(f.audits().audits(), 0);
  auto published = cluster_->redis()->Keys("sgm:831:qa:gen");
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->size(), 1u);
}

TEST_F(QaServiceTest, FiguresMatchHandWorkedValuesAndAreCached) {
  ImportAll();
  ExpectJuneFigures(Figures());
  const std::string pattern = "sgm:831:qa:g*:figures:v1:*";
  auto keys = cluster_->redis()->Keys(pattern);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  const std::string first_key = keys->front();
  // The generation is published under "qa" for the gateway's report.
  auto published = cluster_->redis()->Keys("sgm:831:qa:gen");
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(published->size(), 1u);

  // The second read is served from that key: plant a value there and it is
  // what comes back (nothing was written in between).
  ExpectJuneFigures(Figures());
  keys = cluster_->redis()->Keys(pattern);
  ASSERT_TRUE(keys.ok());
  EXPECT_THAT(*keys, ElementsAre(first_key));
  const std::string prefix = "sgm:831:qa:g";
  const size_t colon = first_key.find(':', prefix.size());
  const int64_t generation =
      std::stoll(first_key.substr(prefix.size(), colon - prefix.size()));
  const std::string key = first_key.substr(colon + 1);
  RedisCache::Options options;
  options.port = cluster_->redis()->port();
  SystemClock clock;
  RedisCache planter(options, &clock);
  v1::QaFigures planted;
  planted.mutable_audits()->set_audits(999);
  planter.Put("831", "qa", generation, key, planted.SerializeAsString());
  EXPECT_EQ(Figures().audits().audits(), 999);

  // A write is seen by the next read: A4 gets a moderated grade of 2 (down
  // from 1). Outstanding 0, good 4: still 80.0%; moderation 3, agreed 1,
  // up 1, down 1.
  v1::ModerateAuditRequest moderate;
  moderate.set_audit_id("A4");
  moderate.set_moderated_grade(v1::GRADE_GOOD);
  moderate.set_moderator("MOD1");
  v1::ModerateAuditResponse moderated;
  grpc::Status s = stub_->ModerateAudit(
      TestCluster::ContextFor(testing::kManagerToken).get(), moderate,
      &moderated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(moderated.audit().moderated_grade(), v1::GRADE_GOOD);
  EXPECT_EQ(moderated.audit().grade(), v1::GRADE_OUTSTANDING);
  const v1::QaFigures after = Figures();
  EXPECT_EQ(after.audits().audits(), 5);
  EXPECT_EQ(after.audits().outstanding(), 0);
  EXPECT_EQ(after.audits().good(), 4);
  EXPECT_EQ(after.moderation().moderated(), 3);
  EXPECT_EQ(after.moderation().moderated_down(), 1);
  EXPECT_DOUBLE_EQ(after.moderation().agreement_percent(), 33.3);
  keys = cluster_->redis()->Keys(pattern);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_NE(std::find(keys->begin(), keys->end(), first_key), keys->end());
}

TEST_F(QaServiceTest, ReimportFillsInAModeratedGrade) {
  ImportAll();
  v1::ImportAuditsResponse again;
  grpc::Status s = ImportAudits(AuditsWithA1Moderated(), &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.summary().accepted(), 1);  // A1 filled in
  EXPECT_EQ(again.summary().duplicates(), 5);
  EXPECT_EQ(again.summary().rejected(), 1);  // line 8 still
  v1::GetAuditRequest get;
  get.set_audit_id("A1");
  v1::GetAuditResponse a1;
  s = stub_->GetAudit(TestCluster::ContextFor(testing::kManagerToken).get(),
                      get, &a1);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(a1.audit().grade(), v1::GRADE_GOOD);
  EXPECT_EQ(a1.audit().moderated_grade(), v1::GRADE_REQUIRES_IMPROVEMENT);
  EXPECT_EQ(a1.audit().moderator(), "MOD2");
  const v1::QaFigures f = Figures();
  EXPECT_EQ(f.audits().outstanding(), 1);
  EXPECT_EQ(f.audits().good(), 2);
  EXPECT_EQ(f.audits().requires_improvement(), 1);
  EXPECT_EQ(f.audits().inadequate(), 1);
  EXPECT_DOUBLE_EQ(f.audits().good_or_better_percent(), 60.0);
  EXPECT_EQ(f.moderation().moderated(), 3);
  EXPECT_EQ(f.moderation().moderated_down(), 1);
  EXPECT_DOUBLE_EQ(f.moderation().agreement_percent(), 33.3);
  // Sent once more: all duplicates now.
  v1::ImportAuditsResponse third;
  ASSERT_TRUE(ImportAudits(AuditsWithA1Moderated(), &third).ok());
  EXPECT_EQ(third.summary().accepted(), 0);
  EXPECT_EQ(third.summary().duplicates(), 6);
  // The original file re-sent: A1 as it was before moderation is a
  // duplicate too (re-sending changes nothing), and A1 stays moderated.
  v1::ImportAuditsResponse original;
  ASSERT_TRUE(ImportAudits(kAudits, &original).ok());
  EXPECT_EQ(original.summary().accepted(), 0);
  EXPECT_EQ(original.summary().duplicates(), 6);
  ASSERT_EQ(original.summary().rejections_size(), 1);
  EXPECT_NE(original.summary().rejections(0).line(), 2);
  v1::GetAuditResponse after;
  s = stub_->GetAudit(TestCluster::ContextFor(testing::kManagerToken).get(),
                      get, &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(after.audit().moderated_grade(), v1::GRADE_REQUIRES_IMPROVEMENT);
}

TEST_F(QaServiceTest, FiguresDefaultsThemeAndPeriodLimits) {
  ImportAll();
  // A theme's days are the default period: 1 May to 30 Jun, its audits
  // only (A2, A3); feedback and actions of the period: F1-F5.
  v1::GetQaFiguresRequest theme;
  theme.set_theme_id("CP-2024");
  const v1::QaFigures f = Figures(theme);
  EXPECT_EQ(f.from().month(), 5);
  EXPECT_EQ(f.from().day(), 1);
  EXPECT_EQ(f.to().month(), 6);
  EXPECT_EQ(f.to().day(), 30);
  EXPECT_EQ(f.theme_id(), "CP-2024");
  EXPECT_EQ(f.audits().audits(), 2);
  EXPECT_DOUBLE_EQ(f.audits().good_or_better_percent(), 50.0);
  ASSERT_FALSE(f.feedback().empty());
  EXPECT_EQ(f.feedback().rbegin()->received(), 5);

  // One team: CP2's audits (A3, A4) and feedback (F2).
  v1::GetQaFiguresRequest team;
  team.set_team("CP2");
  const v1::QaFigures cp2 = Figures(team);
  EXPECT_EQ(cp2.audits().audits(), 2);
  EXPECT_EQ(cp2.feedback().rbegin()->received(), 1);

  // Only `to`: from the first of its month.
  v1::GetQaFiguresRequest may;
  *may.mutable_to() = Day(2024, 5, 31);
  const v1::QaFigures in_may = Figures(may);
  EXPECT_EQ(in_may.from().day(), 1);
  EXPECT_EQ(in_may.from().month(), 5);
  EXPECT_EQ(in_may.audits().audits(), 1);  // A5
  EXPECT_DOUBLE_EQ(in_may.audits().good_or_better_percent(), 0.0);

  v1::QaFigures unused;
  v1::GetQaFiguresRequest unknown;
  unknown.set_theme_id("NO-SUCH");
  grpc::Status s = Figures(testing::kAnalystToken, unknown, &unused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::GetQaFiguresRequest backwards;
  *backwards.mutable_from() = Day(2024, 6, 10);
  *backwards.mutable_to() = Day(2024, 6, 1);
  s = Figures(testing::kAnalystToken, backwards, &unused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("to"));
  v1::GetQaFiguresRequest long_period;
  *long_period.mutable_from() = Day(2019, 6, 15);
  *long_period.mutable_to() = Day(2024, 6, 15);
  s = Figures(testing::kAnalystToken, long_period, &unused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("5 years"));
  // Exactly five years is allowed.
  *long_period.mutable_from() = Day(2019, 6, 16);
  EXPECT_TRUE(Figures(testing::kAnalystToken, long_period, &unused).ok());
  EXPECT_EQ(unused.audits().audits(), 6);

  // ListThemes, by start date; only those active on a day when asked.
  v1::ListThemesResponse themes;
  ASSERT_TRUE(
      stub_
          ->ListThemes(TestCluster::ContextFor(testing::kAnalystToken).get(),
                       {}, &themes)
          .ok());
  ASSERT_EQ(themes.themes_size(), 2);
  EXPECT_EQ(themes.themes(0).theme_id(), "VOC-2024");
  v1::ListThemesRequest active;
  *active.mutable_active_on() = Day(2024, 6, 15);
  ASSERT_TRUE(
      stub_
          ->ListThemes(TestCluster::ContextFor(testing::kAnalystToken).get(),
                       active, &themes)
          .ok());
  ASSERT_EQ(themes.themes_size(), 1);
  EXPECT_EQ(themes.themes(0).theme_id(), "CP-2024");
}

TEST_F(QaServiceTest, TrendPointsEachMonth) {
  ImportAll();
  v1::GetQaTrendRequest request;
  request.mutable_from()->set_year(2024);
  request.mutable_from()->set_month(5);
  request.mutable_to()->set_year(2024);
  request.mutable_to()->set_month(6);
  v1::GetQaTrendResponse trend;
  grpc::Status s = stub_->GetQaTrend(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request, &trend);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(trend.points_size(), 2);
  // May: A5 (3); F5 (1); on 31 May X3 is open (X5 was completed).
  const v1::QaTrendPoint& may = trend.points(0);
  EXPECT_EQ(may.month().month(), 5);
  EXPECT_EQ(may.audits(), 1);
  EXPECT_DOUBLE_EQ(may.good_or_better_percent(), 0.0);
  EXPECT_FALSE(may.has_agreement_percent());
  EXPECT_EQ(may.feedback(), 1);
  EXPECT_DOUBLE_EQ(may.mean_rating(), 1.0);
  EXPECT_EQ(may.open_actions(), 1);
  EXPECT_EQ(may.overdue_actions(), 0);
  // June: as the period to 15 June; on 30 June X2 (overdue) and X3 open.
  const v1::QaTrendPoint& june = trend.points(1);
  EXPECT_EQ(june.audits(), 5);
  EXPECT_DOUBLE_EQ(june.good_or_better_percent(), 80.0);
  EXPECT_DOUBLE_EQ(june.agreement_percent(), 50.0);
  EXPECT_EQ(june.feedback(), 4);
  EXPECT_DOUBLE_EQ(june.mean_rating(), 3.5);
  EXPECT_EQ(june.open_actions(), 2);
  EXPECT_EQ(june.overdue_actions(), 1);
  auto keys = cluster_->redis()->Keys("sgm:831:qa:g*:trend:v1:2024-05:*");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 1u);

  request.mutable_from()->set_year(2019);
  s = stub_->GetQaTrend(TestCluster::ContextFor(testing::kAnalystToken).get(),
                        request, &trend);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("60 months"));
  request.clear_from();
  s = stub_->GetQaTrend(TestCluster::ContextFor(testing::kAnalystToken).get(),
                        request, &trend);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("from"));
}

TEST_F(QaServiceTest, RedisDownFiguresStillCorrect) {
  ImportAll();
  cluster_->redis()->Stop();
  ExpectJuneFigures(Figures());
  // Writes go on, and are seen: a sixth June audit, graded 3.
  v1::CreateAuditRequest create;
  *create.mutable_audit() = MakeAudit("A10", "C10", v1::AUDIT_TYPE_CASE_FILE,
                                      v1::GRADE_REQUIRES_IMPROVEMENT);
  v1::CreateAuditResponse created;
  grpc::Status s = stub_->CreateAudit(
      TestCluster::ContextFor(testing::kManagerToken).get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::QaFigures f = Figures();
  EXPECT_EQ(f.audits().audits(), 6);
  EXPECT_EQ(f.audits().requires_improvement(), 1);
  EXPECT_DOUBLE_EQ(f.audits().good_or_better_percent(), 66.7);
}

TEST_F(QaServiceTest, SingleWritesAndPreciseErrors) {
  ImportAll();
  auto manager = [] { return TestCluster::ContextFor(testing::kManagerToken); };

  // Themes: the same again is a duplicate, a different one ALREADY_EXISTS,
  // a bad one INVALID_ARGUMENT naming the field.
  v1::CreateThemeRequest theme;
  *theme.mutable_theme() = MakeTheme("CP-2024", "Child Protection",
                                     Day(2024, 5, 1), Day(2024, 6, 30));
  v1::CreateThemeResponse theme_response;
  ASSERT_TRUE(stub_->CreateTheme(manager().get(), theme, &theme_response).ok());
  EXPECT_TRUE(theme_response.duplicate());
  theme.mutable_theme()->set_name("Child protection plans");
  EXPECT_EQ(
      stub_->CreateTheme(manager().get(), theme, &theme_response).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  theme.mutable_theme()->set_theme_id("EH-2024");
  *theme.mutable_theme()->mutable_end_date() = Day(2024, 4, 1);
  grpc::Status s = stub_->CreateTheme(manager().get(), theme, &theme_response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("theme.end_date"));

  // CreateAudit: the same again is a duplicate; a different one
  // ALREADY_EXISTS; one that only fills in the moderated grade is stored.
  v1::CreateAuditRequest create;
  *create.mutable_audit() =
      MakeAudit("A20", "C20", v1::AUDIT_TYPE_CASE_FILE, v1::GRADE_GOOD);
  create.mutable_audit()->set_findings("Plan is clear");
  v1::CreateAuditResponse created;
  s = stub_->CreateAudit(manager().get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(created.duplicate());
  EXPECT_EQ(created.audit().authority(), "831");
  ASSERT_TRUE(stub_->CreateAudit(manager().get(), create, &created).ok());
  EXPECT_TRUE(created.duplicate());
  create.mutable_audit()->set_moderated_grade(v1::GRADE_INADEQUATE);
  create.mutable_audit()->set_moderator("MOD1");
  s = stub_->CreateAudit(manager().get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(created.duplicate());
  EXPECT_EQ(created.audit().moderated_grade(), v1::GRADE_INADEQUATE);
  create.mutable_audit()->set_grade(v1::GRADE_OUTSTANDING);
  s = stub_->CreateAudit(manager().get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("audit.audit_id"));
  // Precise validation errors.
  v1::CreateAuditRequest bad = create;
  bad.mutable_audit()->set_audit_id("A21");
  bad.mutable_audit()->set_grade(v1::GRADE_UNSPECIFIED);
  s = stub_->CreateAudit(manager().get(), bad, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("audit.grade"));
  bad = create;
  bad.mutable_audit()->set_audit_id("A21");
  *bad.mutable_audit()->mutable_audit_date() = Day(2024, 6, 16);
  s = stub_->CreateAudit(manager().get(), bad, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("audit.audit_date"));
  bad = create;
  bad.mutable_audit()->set_audit_id("A21");
  bad.mutable_audit()->set_type(v1::AUDIT_TYPE_THEMED);
  s = stub_->CreateAudit(manager().get(), bad, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("audit.theme_id"));
  // Free text never comes back in an error.
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("Plan is clear")));
  // A themed audit of a theme not (yet) recorded is accepted.
  bad.mutable_audit()->set_theme_id("LATER-2024");
  ASSERT_TRUE(stub_->CreateAudit(manager().get(), bad, &created).ok());

  // ModerateAudit: unknown, unset grade, no moderator.
  v1::ModerateAuditRequest moderate;
  moderate.set_audit_id("A404");
  moderate.set_moderated_grade(v1::GRADE_GOOD);
  moderate.set_moderator("MOD1");
  v1::ModerateAuditResponse moderated;
  EXPECT_EQ(
      stub_->ModerateAudit(manager().get(), moderate, &moderated).error_code(),
      grpc::StatusCode::NOT_FOUND);
  moderate.set_audit_id("A1");
  moderate.set_moderated_grade(v1::GRADE_UNSPECIFIED);
  s = stub_->ModerateAudit(manager().get(), moderate, &moderated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("moderated_grade"));
  moderate.set_moderated_grade(v1::GRADE_GOOD);
  moderate.set_moderator("");
  s = stub_->ModerateAudit(manager().get(), moderate, &moderated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("moderator"));

  // Feedback: duplicate, conflict, rating out of range.
  v1::CreateFeedbackRequest feedback;
  feedback.mutable_feedback()->set_feedback_id("F1");
  feedback.mutable_feedback()->set_source(v1::FEEDBACK_SOURCE_FAMILY);
  feedback.mutable_feedback()->set_team("CP1");
  *feedback.mutable_feedback()->mutable_received_on() = Day(2024, 6, 3);
  feedback.mutable_feedback()->set_rating(5);
  feedback.mutable_feedback()->set_comment("Very helpful");
  v1::CreateFeedbackResponse feedback_response;
  ASSERT_TRUE(
      stub_->CreateFeedback(manager().get(), feedback, &feedback_response)
          .ok());
  EXPECT_TRUE(feedback_response.duplicate());
  feedback.mutable_feedback()->set_rating(4);
  EXPECT_EQ(stub_->CreateFeedback(manager().get(), feedback, &feedback_response)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  feedback.mutable_feedback()->set_feedback_id("F20");
  feedback.mutable_feedback()->set_rating(6);
  s = stub_->CreateFeedback(manager().get(), feedback, &feedback_response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("feedback.rating"));

  // Actions: create, fill in the completion by a re-send, complete.
  v1::CreateActionRequest action;
  action.mutable_action()->set_action_id("X20");
  action.mutable_action()->set_origin_ref("A20");
  action.mutable_action()->set_owner("CP1");
  *action.mutable_action()->mutable_due_date() = Day(2024, 7, 1);
  *action.mutable_action()->mutable_raised_on() = Day(2024, 6, 10);
  v1::CreateActionResponse action_response;
  ASSERT_TRUE(
      stub_->CreateAction(manager().get(), action, &action_response).ok());
  EXPECT_FALSE(action_response.duplicate());
  ASSERT_TRUE(
      stub_->CreateAction(manager().get(), action, &action_response).ok());
  EXPECT_TRUE(action_response.duplicate());
  *action.mutable_action()->mutable_completed_date() = Day(2024, 6, 12);
  s = stub_->CreateAction(manager().get(), action, &action_response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(action_response.duplicate());
  EXPECT_EQ(action_response.action().completed_date().day(), 12);

  v1::CompleteActionRequest complete;
  complete.set_action_id("X3");
  *complete.mutable_completed_date() = Day(2024, 6, 16);
  v1::CompleteActionResponse completed;
  s = stub_->CompleteAction(manager().get(), complete, &completed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("completed_date"));
  *complete.mutable_completed_date() = Day(2024, 5, 19);  // raised 20 May
  s = stub_->CompleteAction(manager().get(), complete, &completed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("raised"));
  complete.clear_completed_date();
  s = stub_->CompleteAction(manager().get(), complete, &completed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("completed_date"));
  complete.set_action_id("X404");
  *complete.mutable_completed_date() = Day(2024, 6, 14);
  EXPECT_EQ(
      stub_->CompleteAction(manager().get(), complete, &completed).error_code(),
      grpc::StatusCode::NOT_FOUND);
  complete.set_action_id("X3");
  s = stub_->CompleteAction(manager().get(), complete, &completed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(completed.action().completed_date().day(), 14);
  EXPECT_EQ(completed.action().origin_ref(), "BOARD-2024-05");
  // X3 done: X2 is the only open action.
  const v1::QaFigures f = Figures();
  EXPECT_EQ(f.actions().open(), 1);
  EXPECT_EQ(f.actions().completed(), 4);  // X1, X4, X20, X3
}

TEST_F(QaServiceTest, RolesAndAnAuditRowPerChildLevelRead) {
  ImportAll();
  // Analysts read the aggregates only; partners nothing of QA.
  v1::ListAuditsResponse listed;
  EXPECT_EQ(ListAudits(testing::kAnalystToken, {}, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListAudits(testing::kPartnerToken, {}, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetAuditRequest get;
  get.set_audit_id("A2");
  v1::GetAuditResponse one;
  EXPECT_EQ(
      stub_
          ->GetAudit(TestCluster::ContextFor(testing::kAnalystToken).get(), get,
                     &one)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::QaFigures figures;
  EXPECT_TRUE(Figures(testing::kAnalystToken, {}, &figures).ok());
  EXPECT_EQ(Figures(testing::kPartnerToken, {}, &figures).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ImportFeedbackResponse denied;
  EXPECT_EQ(
      ImportFeedback(kFeedback, &denied, testing::kPartnerToken).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ListFeedbackResponse feedback;
  EXPECT_EQ(
      stub_
          ->ListFeedback(TestCluster::ContextFor(testing::kAnalystToken).get(),
                         {}, &feedback)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Writes and aggregates leave no row.
  EXPECT_THAT(ReadAudit(), IsEmpty());

  // Practitioners read audits, audited one row a read.
  grpc::Status s = stub_->GetAudit(
      TestCluster::ContextFor(testing::kPractitionerToken).get(), get, &one);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(one.audit().child_id(), "C2");
  v1::ListAuditsRequest request;
  request.set_team("CP2");
  s = ListAudits(testing::kManagerToken, request, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.audits_size(), 2);
  v1::ListAuditsRequest by_child;
  by_child.set_child_id("C5");
  s = ListAudits(testing::kManagerToken, by_child, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.audits_size(), 2);
  get.set_audit_id("A404");
  EXPECT_EQ(
      stub_
          ->GetAudit(TestCluster::ContextFor(testing::kPractitionerToken).get(),
                     get, &one)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  const std::vector<QaReadAudit> audit = ReadAudit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].method, "GetAudit");
  EXPECT_EQ(audit[2].caller, "test-practitioner");
  EXPECT_EQ(audit[2].role, "practitioner");
  EXPECT_EQ(audit[2].authority, "831");
  EXPECT_EQ(audit[2].at, absl::FromUnixSeconds(1718452800));
  EXPECT_THAT(audit[2].child_ids, ElementsAre("C2"));
  EXPECT_THAT(audit[2].record_ids, ElementsAre("A2"));
  EXPECT_EQ(audit[1].method, "ListAudits");
  EXPECT_EQ(audit[1].role, "manager");
  EXPECT_THAT(audit[1].child_ids, ElementsAre("C3", "C4"));
  EXPECT_THAT(audit[1].record_ids, ElementsAre("A3", "A4"));
  EXPECT_THAT(audit[1].query, HasSubstr("team=CP2"));
  // The child asked after is named in the ids, never in the query.
  EXPECT_EQ(audit[0].method, "ListAudits");
  EXPECT_THAT(audit[0].child_ids, ElementsAre("C5"));
  EXPECT_THAT(audit[0].record_ids, ElementsAre("A5", "A6"));
  EXPECT_THAT(audit[0].query, ::testing::Not(HasSubstr("C5")));

  // The log through the gateway: admins only, itself audited.
  v1::ListReadAuditRequest log_request;
  log_request.mutable_filter()->set_child_id("C2");
  v1::ListReadAuditResponse log;
  EXPECT_EQ(
      stub_
          ->ListReadAudit(TestCluster::ContextFor(testing::kManagerToken).get(),
                          log_request, &log)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  s = stub_->ListReadAudit(TestCluster::ContextFor(testing::kAdminToken).get(),
                           log_request, &log);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(log.entries_size(), 1);
  EXPECT_EQ(log.entries(0).method(), "/sgm.qa.v1.QaService/GetAudit");
  EXPECT_THAT(log.entries(0).child_ids(), ElementsAre("C2"));
  EXPECT_EQ(ReadAudit().front().method, "ListReadAudit");
}

TEST_F(QaServiceTest, ListsPageWithTokensBoundToTheFilter) {
  ImportAll();
  v1::ListAuditsRequest request;
  request.set_page_size(2);
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    request.set_page_token(token);
    v1::ListAuditsResponse page;
    grpc::Status s = ListAudits(testing::kManagerToken, request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const v1::Audit& a : page.audits()) ids.push_back(a.audit_id());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(ids, ElementsAre("A5", "A1", "A2", "A3", "A4", "A6"));

  // A token from another filter is refused.
  request.set_page_token("");
  v1::ListAuditsResponse first;
  ASSERT_TRUE(ListAudits(testing::kManagerToken, request, &first).ok());
  v1::ListAuditsRequest filtered;
  filtered.set_page_size(2);
  filtered.set_team("CP1");
  filtered.set_page_token(first.next_page_token());
  v1::ListAuditsResponse wrong;
  grpc::Status s = ListAudits(testing::kManagerToken, filtered, &wrong);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  request.set_page_size(-1);
  EXPECT_EQ(ListAudits(testing::kManagerToken, request, &wrong).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Feedback and actions page the same way.
  v1::ListFeedbackRequest feedback_request;
  feedback_request.set_page_size(4);
  v1::ListFeedbackResponse feedback;
  ASSERT_TRUE(
      stub_
          ->ListFeedback(TestCluster::ContextFor(testing::kManagerToken).get(),
                         feedback_request, &feedback)
          .ok());
  EXPECT_EQ(feedback.feedback_size(), 4);
  feedback_request.set_page_token(feedback.next_page_token());
  ASSERT_TRUE(
      stub_
          ->ListFeedback(TestCluster::ContextFor(testing::kManagerToken).get(),
                         feedback_request, &feedback)
          .ok());
  ASSERT_EQ(feedback.feedback_size(), 1);
  EXPECT_EQ(feedback.feedback(0).feedback_id(), "F4");
  EXPECT_TRUE(feedback.next_page_token().empty());
  v1::ListActionsRequest actions_request;
  actions_request.set_page_size(3);
  v1::ListActionsResponse actions;
  ASSERT_TRUE(
      stub_
          ->ListActions(TestCluster::ContextFor(testing::kManagerToken).get(),
                        actions_request, &actions)
          .ok());
  ASSERT_EQ(actions.actions_size(), 3);
  EXPECT_EQ(actions.actions(0).action_id(), "X5");  // by due date
  EXPECT_FALSE(actions.next_page_token().empty());
}

TEST_F(QaServiceTest, DipSampleFromKpiCasesShowsWhichAreAudited) {
  CreateThemes();
  SeedKpiCases();
  v1::CreateDipSampleResponse created;
  grpc::Status s = CreateDipSample(SampleRequest("DS1"), &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(created.duplicate());
  const v1::DipSample& sample = created.sample();
  EXPECT_EQ(sample.population(), 6);
  EXPECT_EQ(sample.created_by(), "test-manager");
  EXPECT_EQ(sample.created_at().seconds(), 1718452800);
  EXPECT_EQ(sample.theme_id(), "CP-2024");
  EXPECT_EQ(sample.audited(), 0);
  ASSERT_EQ(sample.cases_size(), 3);
  const std::vector<std::string> children = ChildrenOf(sample);
  std::set<std::string> distinct(children.begin(), children.end());
  EXPECT_EQ(distinct.size(), 3u);
  for (const v1::DipSampleCase& c : sample.cases()) {
    EXPECT_TRUE(absl::StartsWith(c.child_id(), "K")) << c.child_id();
    EXPECT_NE(c.child_id(), "K7");  // its plan ended
    EXPECT_EQ(c.ref_id(), absl::StrCat("CPP", c.child_id().substr(1)));
    EXPECT_TRUE(c.audit_id().empty());
  }

  // The KPI service was asked as the QA service, an admin of 831.
  kpi::v1::ListReadAuditRequest kpi_log_request;
  kpi_log_request.mutable_filter()->set_method("SampleCases");
  kpi::v1::ListReadAuditResponse kpi_log;
  s = kpi_->ListReadAudit(TestCluster::ContextFor(testing::kAdminToken).get(),
                          kpi_log_request, &kpi_log);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(kpi_log.entries_size(), 1);
  EXPECT_EQ(kpi_log.entries(0).caller(), kQaCallerName);
  EXPECT_EQ(kpi_log.entries(0).role(), "admin");
  EXPECT_EQ(kpi_log.entries(0).authority(), "831");

  // An audit of the first sampled child against the sample.
  v1::CreateAuditRequest audit;
  *audit.mutable_audit() =
      MakeAudit("D1", children[0], v1::AUDIT_TYPE_DIP_SAMPLE, v1::GRADE_GOOD);
  audit.mutable_audit()->set_sample_id("DS1");
  v1::CreateAuditResponse audited;
  s = stub_->CreateAudit(TestCluster::ContextFor(testing::kManagerToken).get(),
                         audit, &audited);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::GetDipSampleRequest get;
  get.set_sample_id("DS1");
  v1::GetDipSampleResponse got;
  s = stub_->GetDipSample(
      TestCluster::ContextFor(testing::kPractitionerToken).get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.sample().audited(), 1);
  ASSERT_EQ(got.sample().cases_size(), 3);
  EXPECT_EQ(ChildrenOf(got.sample()), children);
  EXPECT_EQ(got.sample().cases(0).audit_id(), "D1");
  EXPECT_TRUE(got.sample().cases(1).audit_id().empty());
  EXPECT_TRUE(got.sample().cases(2).audit_id().empty());

  v1::ListAuditsRequest of_sample;
  of_sample.set_sample_id("DS1");
  v1::ListAuditsResponse listed;
  ASSERT_TRUE(ListAudits(testing::kManagerToken, of_sample, &listed).ok());
  ASSERT_EQ(listed.audits_size(), 1);
  EXPECT_EQ(listed.audits(0).audit_id(), "D1");
  v1::ListDipSamplesResponse samples;
  ASSERT_TRUE(stub_
                  ->ListDipSamples(
                      TestCluster::ContextFor(testing::kManagerToken).get(), {},
                      &samples)
                  .ok());
  ASSERT_EQ(samples.samples_size(), 1);
  EXPECT_EQ(samples.samples(0).sample_id(), "DS1");
  EXPECT_EQ(samples.samples(0).cases_size(), 0);
  EXPECT_EQ(samples.samples(0).audited(), 1);
  EXPECT_EQ(samples.samples(0).population(), 6);

  // The same request again: the stored sample, the KPI service not asked.
  v1::CreateDipSampleResponse again;
  s = CreateDipSample(SampleRequest("DS1"), &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(ChildrenOf(again.sample()), children);
  EXPECT_EQ(again.sample().audited(), 1);
  ASSERT_TRUE(
      kpi_->ListReadAudit(TestCluster::ContextFor(testing::kAdminToken).get(),
                          kpi_log_request, &kpi_log)
          .ok());
  EXPECT_EQ(kpi_log.entries_size(), 1);
  // A different request under that id; bad requests.
  v1::CreateDipSampleRequest other = SampleRequest("DS1");
  other.mutable_sample()->set_seed(43);
  s = CreateDipSample(other, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("sample.sample_id"));
  other = SampleRequest("DS2");
  other.mutable_sample()->set_sample_size(501);
  s = CreateDipSample(other, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("sample.sample_size"));
  other = SampleRequest("DS2");
  *other.mutable_sample()->mutable_as_of() = Day(2024, 6, 16);
  s = CreateDipSample(other, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("sample.as_of"));
  other = SampleRequest("DS2");
  other.mutable_sample()->set_criterion(v1::DIP_SAMPLE_CRITERION_UNSPECIFIED);
  s = CreateDipSample(other, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("sample.criterion"));
  other = SampleRequest("DS 2");
  s = CreateDipSample(other, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("sample.sample_id"));
  // Without as_of: today's cases (the same six children).
  other = SampleRequest("DS3");
  other.mutable_sample()->clear_as_of();
  other.mutable_sample()->set_sample_size(10);
  s = CreateDipSample(other, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.sample().as_of().day(), 15);
  EXPECT_EQ(again.sample().cases_size(), 6);

  // Each answer that named children left a row with them.
  const std::vector<QaReadAudit> rows = ReadAudit();
  std::vector<std::string> methods;
  for (const QaReadAudit& r : rows) methods.push_back(r.method);
  EXPECT_THAT(methods,
              ElementsAre("CreateDipSample", "CreateDipSample", "ListAudits",
                          "GetDipSample", "CreateDipSample"));
  const QaReadAudit& first = rows.back();
  EXPECT_THAT(first.child_ids, UnorderedElementsAreArray(children));
  EXPECT_THAT(first.record_ids, ElementsAre("DS1"));
  EXPECT_THAT(first.query, HasSubstr("as_of=2024-06-14"));
  EXPECT_THAT(rows[3].record_ids, ElementsAre("DS1", "D1"));
  EXPECT_EQ(rows[3].role, "practitioner");
}

TEST_F(QaServiceTest, KpiStoppedDipSampleUnavailableNothingStoredRestAnswers) {
  ImportAll();
  SeedKpiCases();
  v1::CreateDipSampleResponse created;
  ASSERT_TRUE(CreateDipSample(SampleRequest("DS1"), &created).ok());
  cluster_->StopKpi();

  grpc::Status s = CreateDipSample(SampleRequest("DS2"), &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("KPI service"));
  EXPECT_THAT(s.error_message(), HasSubstr("nothing was stored"));
  v1::GetDipSampleRequest get;
  get.set_sample_id("DS2");
  v1::GetDipSampleResponse got;
  EXPECT_EQ(
      stub_
          ->GetDipSample(TestCluster::ContextFor(testing::kManagerToken).get(),
                         get, &got)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::ListDipSamplesResponse samples;
  ASSERT_TRUE(stub_
                  ->ListDipSamples(
                      TestCluster::ContextFor(testing::kManagerToken).get(), {},
                      &samples)
                  .ok());
  ASSERT_EQ(samples.samples_size(), 1);
  EXPECT_EQ(samples.samples(0).sample_id(), "DS1");
  // A stored sample is still read, and re-sent, without the KPI service.
  get.set_sample_id("DS1");
  ASSERT_TRUE(
      stub_
          ->GetDipSample(TestCluster::ContextFor(testing::kManagerToken).get(),
                         get, &got)
          .ok());
  EXPECT_EQ(got.sample().cases_size(), 3);
  v1::CreateDipSampleResponse again;
  s = CreateDipSample(SampleRequest("DS1"), &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.duplicate());

  // Everything else answers.
  v1::CreateAuditRequest create;
  *create.mutable_audit() =
      MakeAudit("A30", "C30", v1::AUDIT_TYPE_CASE_FILE, v1::GRADE_GOOD);
  v1::CreateAuditResponse audit;
  s = stub_->CreateAudit(TestCluster::ContextFor(testing::kManagerToken).get(),
                         create, &audit);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::ListAuditsResponse listed;
  ASSERT_TRUE(ListAudits(testing::kManagerToken, {}, &listed).ok());
  EXPECT_EQ(listed.audits_size(), 7);
  EXPECT_EQ(Figures().audits().audits(), 6);
  v1::ImportFeedbackResponse feedback;
  s = ImportFeedback(
      "feedback_id,source,received_on,rating\n"
      "F30,STAFF,2024-06-14,4\n",
      &feedback);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(feedback.summary().accepted(), 1);

  // Once the KPI service is back, DS2 is drawn.
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  for (int i = 0; i < 50; ++i) {
    s = CreateDipSample(SampleRequest("DS2"), &created);
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(created.duplicate());
  // The same seed, criterion, date and data draw the same cases.
  EXPECT_EQ(ChildrenOf(created.sample()), ChildrenOf(again.sample()));
}

TEST_F(QaServiceTest, AuthoritiesAreKeptApart) {
  ImportAll();
  SeedKpiCases();
  v1::CreateDipSampleResponse created;
  ASSERT_TRUE(CreateDipSample(SampleRequest("DS1"), &created).ok());
  const absl::string_view other = testing::kOtherAuthorityToken;
  v1::ListAuditsResponse listed;
  ASSERT_TRUE(ListAudits(other, {}, &listed).ok());
  EXPECT_EQ(listed.audits_size(), 0);
  v1::GetAuditRequest get;
  get.set_audit_id("A1");
  v1::GetAuditResponse one;
  EXPECT_EQ(stub_->GetAudit(TestCluster::ContextFor(other).get(), get, &one)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::GetDipSampleRequest sample;
  sample.set_sample_id("DS1");
  v1::GetDipSampleResponse got;
  EXPECT_EQ(
      stub_->GetDipSample(TestCluster::ContextFor(other).get(), sample, &got)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::QaFigures figures;
  ASSERT_TRUE(Figures(other, {}, &figures).ok());
  EXPECT_EQ(figures.audits().audits(), 0);
  EXPECT_EQ(figures.actions().open(), 0);
  ASSERT_EQ(figures.feedback_size(), 1);
  EXPECT_EQ(figures.feedback(0).received(), 0);
  // 892 may use the same ids for its own records.
  v1::CreateAuditRequest create;
  *create.mutable_audit() =
      MakeAudit("A1", "OTHER1", v1::AUDIT_TYPE_CASE_FILE, v1::GRADE_GOOD);
  v1::CreateAuditResponse audit;
  grpc::Status s =
      stub_->CreateAudit(TestCluster::ContextFor(other).get(), create, &audit);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(audit.duplicate());
  EXPECT_EQ(audit.audit().authority(), "892");
  // Its drawing sees no 831 cases.
  v1::CreateDipSampleResponse other_sample;
  s = CreateDipSample(SampleRequest("DS1"), &other_sample, other);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(other_sample.sample().population(), 0);
  EXPECT_EQ(other_sample.sample().cases_size(), 0);
  // 831's reads were never of 892's children.
  for (const QaReadAudit& r : ReadAudit()) {
    EXPECT_EQ(r.authority, "831");
    EXPECT_THAT(r.child_ids, ::testing::Not(::testing::Contains("OTHER1")));
  }
}

// With TLS the backends take mutual TLS only: the gateway's calls to the QA
// service and the QA service's calls to the KPI service both present the
// test client certificate.
TEST_F(QaServiceTest, DipSampleOverMutualTls) {
  TestCluster::Options options;
  options.tls = true;
  StartCluster(options);
  SeedKpiCases();
  v1::CreateDipSampleResponse created;
  grpc::Status s = CreateDipSample(SampleRequest("DS1"), &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.sample().cases_size(), 3);
  // Plaintext to the QA port is refused.
  auto plain = v1::QaService::NewStub(grpc::CreateChannel(
      cluster_->qa_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  v1::GetQaFiguresResponse response;
  EXPECT_FALSE(plain->GetQaFigures(&context, {}, &response).ok());
}

// Health follows the store: the KPI service is optional here.
TEST_F(QaServiceTest, HealthFollowsTheStoreNotTheKpiService) {
  auto channel = grpc::CreateChannel(cluster_->qa_address(),
                                     grpc::InsecureChannelCredentials());
  const std::string service = "sgm.qa.v1.QaService";
  EXPECT_EQ(testing::HealthOf(channel, service), testing::kServing);
  cluster_->StopKpi();
  absl::SleepFor(absl::Milliseconds(2500));  // a readiness poll or more
  EXPECT_EQ(testing::HealthOf(channel, service), testing::kServing);

  std::filesystem::remove(cluster_->dir() + "/qa.db");
  int status = testing::kServing;
  // The store is checked every 2 s.
  for (int i = 0; i < 60 && status == testing::kServing; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    status = testing::HealthOf(channel, service);
  }
  EXPECT_EQ(status, testing::kNotServing);
  EXPECT_EQ(testing::HealthOf(channel, ""), testing::kNotServing);
}

// A KPI service that remembers what SampleCases was called with.
class FakeKpi final : public kpi::v1::KpiService::Service {
 public:
  grpc::Status SampleCases(grpc::ServerContext* context,
                           const kpi::v1::SampleCasesRequest* request,
                           kpi::v1::SampleCasesResponse* response) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    identity_ = IdentityFromMetadata(context->client_metadata());
    deadline_left_ = absl::FromChrono(context->deadline()) - absl::Now();
    request_ = *request;
    if (fail_ != grpc::StatusCode::OK) {
      return grpc::Status(fail_, "refused here");
    }
    kpi::v1::SampledCase* c = response->add_cases();
    c->set_child_id("K9");
    c->set_ref_id("CPP9");
    c->set_worker_id("W9");
    c->set_team("CP9");
    response->set_population(12);
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::StatusCode fail_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  absl::StatusOr<CallerIdentity> identity_ ABSL_GUARDED_BY(mu_);
  absl::Duration deadline_left_ ABSL_GUARDED_BY(mu_);
  kpi::v1::SampleCasesRequest request_ ABSL_GUARDED_BY(mu_);
};

class QaServiceSampleSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&kpi_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    KpiCaseSampleSource::Options options;
    options.deadline = absl::Seconds(3);
    source_ = std::make_unique<KpiCaseSampleSource>(
        kpi::v1::KpiService::NewStub(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                grpc::InsecureChannelCredentials())),
        options);
  }
  void TearDown() override { server_->Shutdown(); }

  FakeKpi kpi_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<KpiCaseSampleSource> source_;
};

TEST_F(QaServiceSampleSourceTest, AsksAsTheQaServiceWithADeadline) {
  auto drawn = source_->Draw("831", DipSampleCriterion::kUnder1OnCpPlan,
                             absl::CivilDay(2024, 6, 14), 7, 99);
  ASSERT_TRUE(drawn.ok()) << drawn.status();
  EXPECT_EQ(drawn->population, 12);
  ASSERT_EQ(drawn->cases.size(), 1u);
  EXPECT_EQ(drawn->cases[0].child_id, "K9");
  EXPECT_EQ(drawn->cases[0].ref_id, "CPP9");
  EXPECT_EQ(drawn->cases[0].worker_id, "W9");
  EXPECT_EQ(drawn->cases[0].team, "CP9");
  absl::MutexLock lock(&kpi_.mu_);
  EXPECT_EQ(kpi_.calls_, 1);
  ASSERT_TRUE(kpi_.identity_.ok()) << kpi_.identity_.status();
  EXPECT_EQ(kpi_.identity_->caller, "sgm-qa");
  EXPECT_EQ(kpi_.identity_->role, Role::kAdmin);
  EXPECT_EQ(kpi_.identity_->authority, "831");
  EXPECT_GT(kpi_.deadline_left_, absl::Seconds(1));
  // gRPC carries the deadline with some rounding.
  EXPECT_LE(kpi_.deadline_left_, absl::Milliseconds(3500));
  EXPECT_EQ(kpi_.request_.criterion(),
            kpi::v1::SAMPLE_CRITERION_UNDER_1_ON_CP_PLAN);
  EXPECT_EQ(kpi_.request_.as_of().day(), 14);
  EXPECT_EQ(kpi_.request_.sample_size(), 7);
  EXPECT_EQ(kpi_.request_.seed(), 99u);
}

TEST_F(QaServiceSampleSourceTest, ErrorsAreUnavailableButRefusalsPassOn) {
  {
    absl::MutexLock lock(&kpi_.mu_);
    kpi_.fail_ = grpc::StatusCode::INVALID_ARGUMENT;
  }
  auto refused = source_->Draw("831", DipSampleCriterion::kOpenChildInCare,
                               absl::CivilDay(2024, 6, 14), 5, 1);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  {
    absl::MutexLock lock(&kpi_.mu_);
    EXPECT_EQ(kpi_.request_.criterion(),
              kpi::v1::SAMPLE_CRITERION_OPEN_CHILD_IN_CARE);
    kpi_.fail_ = grpc::StatusCode::INTERNAL;
  }
  auto failed = source_->Draw("831", DipSampleCriterion::kOpenChildInCare,
                              absl::CivilDay(2024, 6, 14), 5, 1);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("INTERNAL"));
  server_->Shutdown();
  auto down = source_->Draw("831", DipSampleCriterion::kOpenChildInCare,
                            absl::CivilDay(2024, 6, 14), 5, 1);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  NoCaseSampleSource none;
  EXPECT_THAT(none.Draw("831", DipSampleCriterion::kOpenChildInCare,
                        absl::CivilDay(2024, 6, 14), 5, 1)
                  .status()
                  .message(),
              HasSubstr("--kpi_address"));
}

}  // namespace
}  // namespace sgm::qa
