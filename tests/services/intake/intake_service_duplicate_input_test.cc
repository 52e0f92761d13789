// Duplicate input and contact categories end to end: contacts imported into
// the real intake service, case events recorded in the real KPI service it
// asks for open work (a real redis-server and real SQLite files, started and
// created by the test). The figures are worked out by hand below. Also the
// KPI client itself against a fake KPI service: batches of 1,000 children,
// identity, deadline, failures.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/intake/contact_store.h"
#include "services/intake/open_work_source.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
namespace v1 = ::sgm::intake::v1;
namespace kpi = ::sgm::kpi::v1;

constexpr char kHeader[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n";

// Contacts (local dates, Europe/London); duplicates marked *.
//   R1  19 May  K1  6   DOMESTIC_ABUSE;PHYSICAL  * K1's assessment A1
//   R2  20 May  K1  6   DOMESTIC_ABUSE             the day A1 ends
//   R3  31 May  K3  3A  DOMESTIC_ABUSE           * CIN3 and A3
//   R4   1 Jun  K3  2A  EMOTIONAL                * CIN3 and A3 (00:30 BST,
//                                                  still 31 May in UTC)
//   R5   3 Jun  K2  2A  NEGLECT                  * the day CP2 starts
//   R6   2 Jun  K2  2A  NEGLECT                    the day before
//   R7  10 May  --  6   DOMESTIC_ABUSE             no child: not counted
//   R8   2 May  K4  6   (none)                     EH4 ended 30 Apr
//   R9  10 Jun  K5  6   CCE                        nothing open
//   R10 12 Jun  K5  3A  PHYSICAL                   nothing open
// May: 4 with a child (R1 R2 R3 R8), 2 duplicates: 50.0.
// June: 5 (R4 R5 R6 R9 R10), 2 duplicates: 40.0. Both: 9, 4: 44.4.
constexpr char kContacts[] =
    "R1,2024-05-19T10:00:00+01:00,K1,,6,N1,DOMESTIC_ABUSE;PHYSICAL,,\n"
    "R2,2024-05-20T10:00:00+01:00,K1,,6,N1,DOMESTIC_ABUSE,,\n"
    "R3,2024-05-31T23:30:00+01:00,K3,,3A,N1,DOMESTIC_ABUSE,,\n"
    "R4,2024-06-01T00:30:00+01:00,K3,,2A,N1,EMOTIONAL,,\n"
    "R5,2024-06-03T09:00:00+01:00,K2,,2A,N1,NEGLECT,,\n"
    "R6,2024-06-02T09:00:00+01:00,K2,,2A,N1,NEGLECT,,\n"
    "R7,2024-05-10T09:00:00+01:00,,,6,N1,DOMESTIC_ABUSE,,\n"
    "R8,2024-05-02T09:00:00+01:00,K4,,6,N1,,,\n"
    "R9,2024-06-10T09:00:00+01:00,K5,,6,N1,CCE,,\n"
    "R10,2024-06-12T09:00:00+01:00,K5,,3A,N1,PHYSICAL,,\n";

// The children's work in the KPI service:
//   K1  assessment A1 (referral RF1) 1 May - 20 May
//   K2  CP plan CP2 from 3 Jun
//   K3  CIN plan CIN3 from 1 Mar; assessment A3 (referral RF3) from 1 Apr
//   K4  early help EH4 10 Jan - 30 Apr
constexpr char kEvents[] =
    "event_id,event_type,child_id,ref_id,parent_ref_id,event_date,"
    "source_code,category\n"
    "e1,REFERRAL,K1,RF1,,2024-04-25,6,\n"
    "e2,ASSESSMENT_START,K1,A1,RF1,2024-05-01,,\n"
    "e3,ASSESSMENT_END,K1,A1,RF1,2024-05-20,,\n"
    "e4,CP_PLAN_START,K2,CP2,,2024-06-03,,NEG\n"
    "e5,CIN_PLAN_START,K3,CIN3,,2024-03-01,,\n"
    "e6,REFERRAL,K3,RF3,,2024-03-28,6,\n"
    "e7,ASSESSMENT_START,K3,A3,RF3,2024-04-01,,\n"
    "e8,EH_START,K4,EH4,,2024-01-10,,\n"
    "e9,EH_END,K4,EH4,,2024-04-30,,\n";

sgm::type::v1::YearMonth Month(int year, int month) {
  sgm::type::v1::YearMonth m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

class IntakeDuplicateInputTest : public ::testing::Test {
 protected:
  void SetUp() override { StartCluster(testing::TestCluster::Options()); }

  void StartCluster(const testing::TestCluster::Options& options) {
    auto cluster = testing::TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    intake_ = v1::IntakeService::NewStub(grpc::CreateChannel(
        cluster_->intake_address(), grpc::InsecureChannelCredentials()));
    ConnectKpi();
  }

  void ConnectKpi() {
    kpi_ = kpi::KpiService::NewStub(grpc::CreateChannel(
        cluster_->kpi_address(), grpc::InsecureChannelCredentials()));
  }

  // A call as the gateway makes it for `role` of 831.
  static std::unique_ptr<grpc::ClientContext> As(Role role) {
    auto context = std::make_unique<grpc::ClientContext>();
    CallerIdentity who;
    who.caller = "tester";
    who.role = role;
    who.authority = "831";
    AttachIdentity(who, context.get());
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    return context;
  }

  void ImportContacts(absl::string_view rows, int accepted) {
    v1::ImportContactsResponse response;
    grpc::Status s =
        testing::SendContacts(*intake_, As(Role::kPractitioner).get(),
                              absl::StrCat(kHeader, rows), "POLICE", &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.summary().accepted(), accepted)
        << response.summary().DebugString();
  }

  void ImportEvents(absl::string_view feed, int accepted) {
    kpi::ImportCaseEventsResponse response;
    auto context = As(Role::kPractitioner);
    auto writer = kpi_->ImportCaseEvents(context.get(), &response);
    grpc::Status s = testing::SendChunks<kpi::ImportCaseEventsRequest>(
        *writer, feed, 1 << 20, feed::v1::FEED_FORMAT_CSV,
        [](kpi::ImportCaseEventsRequest*) {});
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.summary().accepted(), accepted)
        << response.summary().DebugString();
  }

  void ImportAll() {
    ImportContacts(kContacts, 10);
    ImportEvents(kEvents, 9);
  }

  grpc::Status Duplicates(v1::GetDuplicateInputResponse* response,
                          int from_month = 5, int to_month = 6) {
    v1::GetDuplicateInputRequest request;
    *request.mutable_from() = Month(2024, from_month);
    *request.mutable_to() = Month(2024, to_month);
    return intake_->GetDuplicateInput(As(Role::kAnalyst).get(), request,
                                      response);
  }

  // Duplicates(), retried for up to 5 s while intake's channel to a
  // restarted KPI service reconnects.
  grpc::Status DuplicatesOnceKpiIsBack(
      v1::GetDuplicateInputResponse* response) {
    grpc::Status s;
    for (int i = 0; i < 50; ++i) {
      response->Clear();
      s = Duplicates(response);
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return s;
  }

  grpc::Status List(const v1::ListDuplicateContactsRequest& request,
                    v1::ListDuplicateContactsResponse* response) {
    return intake_->ListDuplicateContacts(As(Role::kPractitioner).get(),
                                          request, response);
  }

  grpc::Status Categories(const v1::GetContactCategoriesRequest& request,
                          v1::GetContactCategoriesResponse* response) {
    return intake_->GetContactCategories(As(Role::kAnalyst).get(), request,
                                         response);
  }

  // The intake contact id of feed record `id`.
  std::string ContactId(const std::string& id) {
    v1::GetContactRequest request;
    request.set_contact_ref(absl::StrCat("POLICE:", id));
    v1::GetContactResponse response;
    grpc::Status s =
        intake_->GetContact(As(Role::kPractitioner).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.contact().contact_id();
  }

  std::vector<std::string> CachedKeys(absl::string_view pattern) {
    auto keys = cluster_->redis()->Keys(std::string(pattern));
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? *keys : std::vector<std::string>{};
  }

  std::unique_ptr<testing::TestCluster> cluster_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<kpi::KpiService::Stub> kpi_;
};

const v1::DuplicateBreakdown& Row(
    const google::protobuf::RepeatedPtrField<v1::DuplicateBreakdown>& rows,
    absl::string_view code) {
  for (const v1::DuplicateBreakdown& row : rows) {
    if (row.code() == code) return row;
  }
  ADD_FAILURE() << "no row " << code;
  return v1::DuplicateBreakdown::default_instance();
}

void ExpectHandWorked(const v1::GetDuplicateInputResponse& r) {
  EXPECT_EQ(r.from().month(), 5);
  EXPECT_EQ(r.to().month(), 6);
  EXPECT_FALSE(r.total().has_month());
  EXPECT_EQ(r.total().contacts_with_child(), 9);
  EXPECT_EQ(r.total().duplicates(), 4);
  EXPECT_DOUBLE_EQ(r.total().percent(), 44.4);
  ASSERT_EQ(r.trend_size(), 2);
  EXPECT_EQ(r.trend(0).month().month(), 5);
  EXPECT_EQ(r.trend(0).contacts_with_child(), 4);
  EXPECT_EQ(r.trend(0).duplicates(), 2);
  EXPECT_DOUBLE_EQ(r.trend(0).percent(), 50.0);
  EXPECT_EQ(r.trend(1).month().month(), 6);
  EXPECT_EQ(r.trend(1).contacts_with_child(), 5);
  EXPECT_EQ(r.trend(1).duplicates(), 2);
  EXPECT_DOUBLE_EQ(r.trend(1).percent(), 40.0);
  // DOMESTIC_ABUSE: R1*, R2, R3* (R7 has no child).
  const v1::DuplicateBreakdown& da = Row(r.by_concern(), "DOMESTIC_ABUSE");
  EXPECT_EQ(da.label(), "Domestic abuse");
  EXPECT_EQ(da.contacts_with_child(), 3);
  EXPECT_EQ(da.duplicates(), 2);
  EXPECT_DOUBLE_EQ(da.percent(), 66.7);
  // NEGLECT: R5*, R6.
  EXPECT_EQ(Row(r.by_concern(), "NEGLECT").contacts_with_child(), 2);
  EXPECT_EQ(Row(r.by_concern(), "NEGLECT").duplicates(), 1);
  EXPECT_FALSE(Row(r.by_concern(), "SEXUAL").has_percent());
  // Source 6: R1*, R2, R8, R9; 2A: R4*, R5*, R6; 3A: R3*, R10.
  EXPECT_EQ(Row(r.by_source(), "6").contacts_with_child(), 4);
  EXPECT_EQ(Row(r.by_source(), "6").duplicates(), 1);
  EXPECT_DOUBLE_EQ(Row(r.by_source(), "6").percent(), 25.0);
  EXPECT_EQ(Row(r.by_source(), "2A").contacts_with_child(), 3);
  EXPECT_EQ(Row(r.by_source(), "2A").duplicates(), 2);
  EXPECT_DOUBLE_EQ(Row(r.by_source(), "2A").percent(), 66.7);
  EXPECT_EQ(Row(r.by_source(), "3A").duplicates(), 1);
  EXPECT_DOUBLE_EQ(Row(r.by_source(), "3A").percent(), 50.0);
  // R3 and R4 met both of K3's pieces: 4 duplicates, 6 under the kinds.
  ASSERT_EQ(r.by_open_work_size(), 6);
  EXPECT_EQ(Row(r.by_open_work(), "ASSESSMENT").contacts_with_child(), 9);
  EXPECT_EQ(Row(r.by_open_work(), "ASSESSMENT").duplicates(), 3);
  EXPECT_DOUBLE_EQ(Row(r.by_open_work(), "ASSESSMENT").percent(), 33.3);
  EXPECT_EQ(Row(r.by_open_work(), "CIN_PLAN").duplicates(), 2);
  EXPECT_DOUBLE_EQ(Row(r.by_open_work(), "CIN_PLAN").percent(), 22.2);
  EXPECT_EQ(Row(r.by_open_work(), "CP_PLAN").duplicates(), 1);
  EXPECT_EQ(Row(r.by_open_work(), "EARLY_HELP").duplicates(), 0);
}

TEST_F(IntakeDuplicateInputTest, HandWorkedFiguresFromBothServices) {
  ImportAll();
  v1::GetDuplicateInputResponse response;
  grpc::Status s = Duplicates(&response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ExpectHandWorked(response);
}

TEST_F(IntakeDuplicateInputTest, RangeDefaultsAndRefusals) {
  ImportAll();
  v1::GetDuplicateInputRequest request;
  *request.mutable_to() = Month(2024, 6);
  v1::GetDuplicateInputResponse response;
  ASSERT_TRUE(
      intake_->GetDuplicateInput(As(Role::kAnalyst).get(), request, &response)
          .ok());
  // Twelve months ending June 2024.
  EXPECT_EQ(response.from().year(), 2023);
  EXPECT_EQ(response.from().month(), 7);
  EXPECT_THAT(response.trend(), SizeIs(12));
  EXPECT_EQ(response.total().duplicates(), 4);

  request.clear_to();
  grpc::Status s =
      intake_->GetDuplicateInput(As(Role::kAnalyst).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "to: required");

  *request.mutable_to() = Month(2024, 6);
  *request.mutable_from() = Month(2019, 6);  // 61 months
  s = intake_->GetDuplicateInput(As(Role::kAnalyst).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("from"));
  *request.mutable_from() = Month(2019, 7);  // 60 months
  EXPECT_TRUE(
      intake_->GetDuplicateInput(As(Role::kAnalyst).get(), request, &response)
          .ok());
  *request.mutable_from() = Month(2024, 7);
  s = intake_->GetDuplicateInput(As(Role::kAnalyst).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntakeDuplicateInputTest, ListsTheDuplicatesWithTheirWorkAndAudits) {
  ImportAll();
  v1::ListDuplicateContactsRequest request;
  *request.mutable_month() = Month(2024, 6);
  request.set_page_size(1);
  v1::ListDuplicateContactsResponse first;
  grpc::Status s = List(request, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // June: R4 and R5, in contact id order (R4 was stored first).
  EXPECT_EQ(first.total_size(), 2);
  ASSERT_EQ(first.contacts_size(), 1);
  const v1::DuplicateContact& r4 = first.contacts(0);
  const std::string r4_id = ContactId("R4");
  EXPECT_EQ(r4.contact_id(), r4_id);
  EXPECT_EQ(r4.agency(), "POLICE");
  EXPECT_EQ(r4.child_id(), "K3");
  EXPECT_EQ(r4.received_on().month(), 6);
  EXPECT_EQ(r4.received_on().day(), 1);
  EXPECT_EQ(r4.source_code(), "2A");
  EXPECT_THAT(r4.concerns(), ElementsAre("EMOTIONAL"));
  ASSERT_EQ(r4.open_work_size(), 2);
  EXPECT_EQ(r4.open_work(0).kind(), kpi::OPEN_WORK_KIND_CIN_PLAN);
  EXPECT_EQ(r4.open_work(0).ref_id(), "CIN3");
  EXPECT_EQ(r4.open_work(0).since().month(), 3);
  EXPECT_FALSE(r4.open_work(0).has_until());
  EXPECT_EQ(r4.open_work(1).kind(), kpi::OPEN_WORK_KIND_ASSESSMENT);
  EXPECT_EQ(r4.open_work(1).ref_id(), "A3");
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_page_token(first.next_page_token());
  v1::ListDuplicateContactsResponse second;
  ASSERT_TRUE(List(request, &second).ok());
  ASSERT_EQ(second.contacts_size(), 1);
  EXPECT_EQ(second.contacts(0).contact_id(), ContactId("R5"));
  EXPECT_EQ(second.contacts(0).child_id(), "K2");
  ASSERT_EQ(second.contacts(0).open_work_size(), 1);
  EXPECT_EQ(second.contacts(0).open_work(0).kind(),
            kpi::OPEN_WORK_KIND_CP_PLAN);
  EXPECT_EQ(second.contacts(0).open_work(0).since().day(), 3);
  EXPECT_TRUE(second.next_page_token().empty());

  // The page's contacts and children were audited, newest first.
  auto store = SqliteContactStore::Open(cluster_->dir() + "/intake.db");
  ASSERT_TRUE(store.ok()) << store.status();
  ReadAuditQuery query;
  query.limit = 20;
  query.method = "ListDuplicateContacts";
  auto audit = (*store)->ListReadAudit("831", query);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].caller, "tester");
  EXPECT_EQ((*audit)[1].role, "practitioner");
  EXPECT_THAT((*audit)[1].contact_ids, ElementsAre(r4_id));
  EXPECT_THAT((*audit)[1].child_ids, ElementsAre("K3"));
  EXPECT_THAT((*audit)[0].child_ids, ElementsAre("K2"));

  // Filters: May's DOMESTIC_ABUSE duplicates are R1 and R3; from 3A, R3.
  request.clear_page_token();
  request.set_page_size(0);
  *request.mutable_month() = Month(2024, 5);
  request.set_concern("DOMESTIC_ABUSE");
  v1::ListDuplicateContactsResponse may;
  ASSERT_TRUE(List(request, &may).ok());
  EXPECT_EQ(may.total_size(), 2);
  ASSERT_EQ(may.contacts_size(), 2);
  EXPECT_EQ(may.contacts(0).contact_id(), ContactId("R1"));
  EXPECT_EQ(may.contacts(1).contact_id(), ContactId("R3"));
  request.set_source_code("3A");
  ASSERT_TRUE(List(request, &may).ok());
  EXPECT_EQ(may.total_size(), 1);
  // A token is bound to its filters.
  request.set_page_token(first.next_page_token());
  EXPECT_EQ(List(request, &may).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntakeDuplicateInputTest, ListRefusesBadRequestsAndAuditsNothingEmpty) {
  ImportAll();
  v1::ListDuplicateContactsRequest request;
  v1::ListDuplicateContactsResponse response;
  grpc::Status s = List(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "month: required");
  *request.mutable_month() = Month(2024, 6);
  request.set_concern("BURGLARY");
  s = List(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("concern"));
  request.clear_concern();
  request.set_source_code("99");
  s = List(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("source_code"));
  request.clear_source_code();
  request.set_page_size(-1);
  EXPECT_EQ(List(request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A month without duplicates: an empty answer, no audit row.
  request.set_page_size(0);
  *request.mutable_month() = Month(2024, 4);
  ASSERT_TRUE(List(request, &response).ok());
  EXPECT_EQ(response.total_size(), 0);
  auto store = SqliteContactStore::Open(cluster_->dir() + "/intake.db");
  ASSERT_TRUE(store.ok());
  ReadAuditQuery query;
  query.limit = 10;
  query.method = "ListDuplicateContacts";
  EXPECT_TRUE((*store)->ListReadAudit("831", query)->empty());
}

TEST_F(IntakeDuplicateInputTest, CachedUnderBothGenerationsAndRefreshed) {
  ImportAll();
  v1::GetDuplicateInputResponse first;
  ASSERT_TRUE(Duplicates(&first).ok());
  const std::string pattern =
      "sgm:831:intake:g*:dupinput:v1:2024-05:2024-06:k*";
  const std::vector<std::string> keys = CachedKeys(pattern);
  ASSERT_THAT(keys, SizeIs(1));

  // With the KPI service stopped the same question is still answered from
  // the cache: neither store has changed since.
  cluster_->StopKpi();
  v1::GetDuplicateInputResponse cached;
  grpc::Status s = Duplicates(&cached);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ExpectHandWorked(cached);

  // A new KPI event (K5's early help from 1 June) makes R9 and R10
  // duplicates: June 5 with a child, 4 duplicates (80.0); both months 9, 6
  // (66.7); EARLY_HELP 2 (22.2).
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  ConnectKpi();
  ImportEvents(
      "event_id,event_type,child_id,ref_id,event_date\n"
      "e10,EH_START,K5,EH5,2024-06-01\n",
      1);
  v1::GetDuplicateInputResponse after;
  s = DuplicatesOnceKpiIsBack(&after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(after.total().contacts_with_child(), 9);
  EXPECT_EQ(after.total().duplicates(), 6);
  EXPECT_DOUBLE_EQ(after.total().percent(), 66.7);
  EXPECT_EQ(after.trend(1).duplicates(), 4);
  EXPECT_DOUBLE_EQ(after.trend(1).percent(), 80.0);
  EXPECT_EQ(Row(after.by_open_work(), "EARLY_HELP").duplicates(), 2);
  EXPECT_DOUBLE_EQ(Row(after.by_open_work(), "EARLY_HELP").percent(), 22.2);
  std::vector<std::string> now = CachedKeys(pattern);
  ASSERT_THAT(now, SizeIs(2)) << "a second key, at the new KPI generation";
}

TEST_F(IntakeDuplicateInputTest, KpiStoppedIsUnavailableTheRestAnswers) {
  ImportAll();
  cluster_->StopKpi();
  v1::GetDuplicateInputResponse response;
  grpc::Status s = Duplicates(&response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("KPI service"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("K1")));
  v1::ListDuplicateContactsRequest list;
  *list.mutable_month() = Month(2024, 6);
  v1::ListDuplicateContactsResponse listed;
  EXPECT_EQ(List(list, &listed).error_code(), grpc::StatusCode::UNAVAILABLE);

  v1::GetFrontDoorFiguresRequest front;
  *front.mutable_month() = Month(2024, 6);
  v1::GetFrontDoorFiguresResponse figures;
  s = intake_->GetFrontDoorFigures(As(Role::kAnalyst).get(), front, &figures);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(figures.figures().this_month().contacts(), 5);
  v1::GetContactCategoriesRequest categories;
  *categories.mutable_from() = Month(2024, 6);
  v1::GetContactCategoriesResponse counted;
  EXPECT_TRUE(Categories(categories, &counted).ok());

  // Back: answered again.
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  s = DuplicatesOnceKpiIsBack(&response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ExpectHandWorked(response);
}

// R9 (K5, 10 June) referred: intake opens a REFERRAL in the KPI service.
constexpr char kReferR9[] =
    "contact_ref,decided_at,outcome,decided_by\n"
    "POLICE:R9,2024-06-10T15:00:00+01:00,REFERRAL,W1\n";

class IntakeForwardingTest : public IntakeDuplicateInputTest {
 protected:
  void ReferR9() {
    v1::ImportDecisionsResponse response;
    grpc::Status s = testing::SendDecisions(
        *intake_, As(Role::kPractitioner).get(), kReferR9, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.summary().accepted(), 1);
  }

  // The KPI service's referrals in June 2024 once `wait` has passed or
  // there is at least one.
  int64_t JuneReferralsAfter(absl::Duration wait) {
    const absl::Time until = absl::Now() + wait;
    int64_t referrals = -1;
    do {
      kpi::GetCaseStatusRequest request;
      *request.mutable_month() = Month(2024, 6);
      kpi::GetCaseStatusResponse response;
      grpc::Status s =
          kpi_->GetCaseStatus(As(Role::kAnalyst).get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      referrals = response.status().referrals();
      if (referrals > 0) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < until);
    return referrals;
  }
};

TEST_F(IntakeForwardingTest, ByDefaultAReferralReachesKpi) {
  ImportAll();
  ReferR9();
  EXPECT_EQ(JuneReferralsAfter(absl::Seconds(20)), 1);
}

// --forward_referrals=false (the demo: the case-management feed carries the
// referrals): duplicate input still reads open work over --kpi_address, and
// the referral stays in intake's outbox.
class IntakeNotForwardingTest : public IntakeForwardingTest {
 protected:
  void SetUp() override {
    testing::TestCluster::Options options;
    options.intake_forwards_referrals = false;
    StartCluster(options);
  }
};

TEST_F(IntakeNotForwardingTest, ReadsOpenWorkButSendsNoReferral) {
  ImportAll();
  ReferR9();
  v1::GetDuplicateInputResponse response;
  grpc::Status s = Duplicates(&response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ExpectHandWorked(response);
  // The dispatcher would have been woken by the commit; 2 s is ample (the
  // forwarding test above sees it within milliseconds).
  EXPECT_EQ(JuneReferralsAfter(absl::Seconds(2)), 0);
}

// Counts of the six codes in order.
std::vector<int64_t> Counts(const v1::GetContactCategoriesResponse& r) {
  std::vector<int64_t> out;
  for (const v1::Breakdown& b : r.by_category()) out.push_back(b.count());
  return out;
}

TEST_F(IntakeDuplicateInputTest, ContactCategoriesHandWorked) {
  ImportContacts(kContacts, 10);
  // May and June, all 10 contacts (with a child or not):
  //   NEG R5 R6 = 2 (20.0); PHY R10 = 1 (10.0); SAB 0;
  //   EMO R2 R3 R4 R7 = 4 (40.0); MUL R1 (DOMESTIC_ABUSE + PHYSICAL) = 1
  //   (10.0); NONE R8 R9 = 2 (20.0).
  v1::GetContactCategoriesRequest request;
  *request.mutable_from() = Month(2024, 5);
  *request.mutable_to() = Month(2024, 6);
  v1::GetContactCategoriesResponse both;
  grpc::Status s = Categories(request, &both);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(both.contacts(), 10);
  ASSERT_EQ(both.by_category_size(), 6);
  const std::vector<std::string> codes = {"NEG", "PHY", "SAB",
                                          "EMO", "MUL", "NONE"};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(both.by_category(i).code(), codes[i]);
  EXPECT_THAT(Counts(both), ElementsAre(2, 1, 0, 4, 1, 2));
  EXPECT_DOUBLE_EQ(both.by_category(0).percent(), 20.0);
  EXPECT_DOUBLE_EQ(both.by_category(3).percent(), 40.0);
  EXPECT_DOUBLE_EQ(both.by_category(4).percent(), 10.0);
  EXPECT_EQ(both.by_category(1).label(), "Physical abuse");

  // June alone (`to` defaults to `from`): R4 EMO, R5 R6 NEG, R9 NONE,
  // R10 PHY.
  request.clear_to();
  *request.mutable_from() = Month(2024, 6);
  v1::GetContactCategoriesResponse june;
  ASSERT_TRUE(Categories(request, &june).ok());
  EXPECT_EQ(june.contacts(), 5);
  EXPECT_THAT(Counts(june), ElementsAre(2, 1, 0, 1, 0, 1));
  EXPECT_DOUBLE_EQ(june.by_category(0).percent(), 40.0);
  EXPECT_THAT(CachedKeys("sgm:831:intake:g*:categories:v1:2024-06:2024-06"),
              SizeIs(1));

  // A new June contact (SEXUAL) is counted: a new intake generation.
  ImportContacts("R11,2024-06-13T09:00:00+01:00,K6,,6,N1,SEXUAL,,\n", 1);
  ASSERT_TRUE(Categories(request, &june).ok());
  EXPECT_EQ(june.contacts(), 6);
  EXPECT_THAT(Counts(june), ElementsAre(2, 1, 1, 1, 0, 1));
  EXPECT_DOUBLE_EQ(june.by_category(2).percent(), 16.7);  // 1 / 6

  request.clear_from();
  grpc::Status bad = Categories(request, &june);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "from: required");
  *request.mutable_from() = Month(2024, 6);
  *request.mutable_to() = Month(2024, 5);
  EXPECT_EQ(Categories(request, &june).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- the KPI client on its own ----------------------------------------------

// A KPI service that remembers its ListOpenWork calls.
class FakeKpi final : public kpi::KpiService::Service {
 public:
  grpc::Status ListOpenWork(grpc::ServerContext* context,
                            const kpi::ListOpenWorkRequest* request,
                            kpi::ListOpenWorkResponse* response) override {
    absl::MutexLock lock(&mu_);
    batch_sizes_.push_back(request->child_ids_size());
    identity_ = IdentityFromMetadata(context->client_metadata());
    deadline_left_ = absl::FromChrono(context->deadline()) - absl::Now();
    from_ = request->from();
    to_ = request->to();
    if (fail_ != grpc::StatusCode::OK) return grpc::Status(fail_, "refused");
    // The first child of every batch has an assessment.
    kpi::ChildOpenWork* child = response->add_children();
    child->set_child_id(request->child_ids(0));
    kpi::OpenWork* work = child->add_work();
    work->set_kind(kpi::OPEN_WORK_KIND_ASSESSMENT);
    work->set_ref_id(absl::StrCat("A-", request->child_ids(0)));
    work->mutable_since()->set_year(2024);
    work->mutable_since()->set_month(5);
    work->mutable_since()->set_day(1);
    response->set_generation(generations_.empty() ? 7 : generations_.front());
    if (!generations_.empty()) generations_.erase(generations_.begin());
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  std::vector<int> batch_sizes_ ABSL_GUARDED_BY(mu_);
  absl::StatusOr<CallerIdentity> identity_ ABSL_GUARDED_BY(mu_);
  absl::Duration deadline_left_ ABSL_GUARDED_BY(mu_);
  sgm::type::v1::Date from_ ABSL_GUARDED_BY(mu_);
  sgm::type::v1::Date to_ ABSL_GUARDED_BY(mu_);
  grpc::StatusCode fail_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  std::vector<int64_t> generations_ ABSL_GUARDED_BY(mu_);
};

class OpenWorkSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&kpi_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    KpiOpenWorkSource::Options options;
    options.deadline = absl::Seconds(3);
    source_ = std::make_unique<KpiOpenWorkSource>(
        kpi::KpiService::NewStub(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                grpc::InsecureChannelCredentials())),
        options);
  }
  void TearDown() override { server_->Shutdown(); }

  static std::vector<std::string> Children(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(absl::StrCat("K", 10000 + i));
    return ids;
  }

  FakeKpi kpi_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<KpiOpenWorkSource> source_;
};

TEST_F(OpenWorkSourceTest, AsksInBatchesOfAThousandAsIntake) {
  auto fetched =
      source_->Fetch("831", Children(2500), absl::CivilDay(2024, 5, 1),
                     absl::CivilDay(2024, 6, 30));
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(fetched->generation, 7);
  // One child a batch had work: K10000, K11000, K12000.
  ASSERT_EQ(fetched->children.size(), 3u);
  const std::vector<OpenWork>& work = fetched->children.at("K11000");
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].kind, OpenWorkKind::kAssessment);
  EXPECT_EQ(work[0].ref_id, "A-K11000");
  EXPECT_EQ(work[0].since, absl::CivilDay(2024, 5, 1));
  EXPECT_FALSE(work[0].until.has_value());
  absl::MutexLock lock(&kpi_.mu_);
  EXPECT_THAT(kpi_.batch_sizes_, ElementsAre(1000, 1000, 500));
  ASSERT_TRUE(kpi_.identity_.ok());
  EXPECT_EQ(kpi_.identity_->caller, "sgm-intake");
  EXPECT_EQ(kpi_.identity_->role, Role::kAdmin);
  EXPECT_EQ(kpi_.identity_->authority, "831");
  // The configured 3 s a call (the server's view rounds a little).
  EXPECT_GT(kpi_.deadline_left_, absl::Seconds(1));
  EXPECT_LE(kpi_.deadline_left_, absl::Milliseconds(3500));
  EXPECT_EQ(kpi_.from_.month(), 5);
  EXPECT_EQ(kpi_.from_.day(), 1);
  EXPECT_EQ(kpi_.to_.month(), 6);
  EXPECT_EQ(kpi_.to_.day(), 30);
}

TEST_F(OpenWorkSourceTest, BatchesAtDifferentGenerationsAreNotCacheable) {
  {
    absl::MutexLock lock(&kpi_.mu_);
    kpi_.generations_ = {7, 8};
  }
  auto fetched =
      source_->Fetch("831", Children(1001), absl::CivilDay(2024, 5, 1),
                     absl::CivilDay(2024, 6, 30));
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(fetched->generation, 0);
  EXPECT_EQ(fetched->children.size(), 2u);
}

TEST_F(OpenWorkSourceTest, AnyFailureIsUnavailable) {
  {
    absl::MutexLock lock(&kpi_.mu_);
    kpi_.fail_ = grpc::StatusCode::PERMISSION_DENIED;
  }
  auto fetched = source_->Fetch("831", Children(3), absl::CivilDay(2024, 5, 1),
                                absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(fetched.status().message(), HasSubstr("PERMISSION_DENIED"));
  server_->Shutdown();
  fetched = source_->Fetch("831", Children(3), absl::CivilDay(2024, 5, 1),
                           absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kUnavailable);
}

TEST(NoOpenWorkSourceTest, AlwaysUnavailable) {
  NoOpenWorkSource source;
  auto fetched = source.Fetch("831", {"K1"}, absl::CivilDay(2024, 5, 1),
                              absl::CivilDay(2024, 5, 31));
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(fetched.status().message(), HasSubstr("kpi_address"));
}

}  // namespace
}  // namespace sgm::intake
