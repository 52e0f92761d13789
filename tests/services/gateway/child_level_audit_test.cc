// Every child-level method of the gateway's access policy, called through
// the gateway: analysts and partners are refused and leave no audit entry;
// a practitioner's read leaves exactly one entry, which an admin reads back
// with ListReadAudit; the audit log is for admins only and never shows
// another authority's reads. A new child-level method without a row in
// Calls() fails the test.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/access_policy.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"
#include "tests/support/test_cluster.h"

namespace sgm::gateway {
namespace {

using ::sgm::testing::TestCluster;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

constexpr char kIntake[] = "/sgm.intake.v1.IntakeService/";
constexpr char kKpi[] = "/sgm.kpi.v1.KpiService/";
constexpr char kQa[] = "/sgm.qa.v1.QaService/";

using ReadFn = std::function<grpc::Status(absl::string_view token,
                                          std::vector<std::string>* children)>;

enum class Kind {
  kRead,      // returns child-level records: audited
  kWrite,     // writes child-level records (imports, creates): not a read
  kAuditLog,  // ListReadAudit: admins only, itself audited
};

struct Call {
  Kind kind;
  std::string service;  // whose audit log: "intake", "kpi" or "qa"
  ReadFn read;          // how to call it with a valid request (reads)
};

sgm::type::v1::Date Day(int y, int m, int d) {
  sgm::type::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

sgm::kpi::v1::CaseEvent Event(const std::string& id,
                              sgm::kpi::v1::EventType type,
                              const std::string& child, const std::string& ref,
                              const std::string& parent,
                              sgm::type::v1::Date date) {
  sgm::kpi::v1::CaseEvent e;
  e.set_event_id(id);
  e.set_event_type(type);
  e.set_child_id(child);
  e.set_ref_id(ref);
  e.set_parent_ref_id(parent);
  *e.mutable_event_date() = date;
  return e;
}

class ChildLevelAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    intake_ =
        sgm::intake::v1::IntakeService::NewStub(cluster_->gateway_channel());
    kpi_ = sgm::kpi::v1::KpiService::NewStub(cluster_->gateway_channel());
    workforce_ = sgm::workforce::v1::WorkforceService::NewStub(
        cluster_->gateway_channel());
    qa_ = sgm::qa::v1::QaService::NewStub(cluster_->gateway_channel());
    ASSERT_TRUE(CreateContact(testing::kPractitionerToken, "A1", "CH1").ok());
    ASSERT_TRUE(CreateContact(testing::kPractitionerToken, "A2", "CH2").ok());
    // A3: about K4, whose CP plan (below) is open on 1 June: duplicate input.
    ASSERT_TRUE(CreateContact(testing::kPractitionerToken, "A3", "K4").ok());
    // K4: a CP plan open since 29 Feb, visited 16 May (cpp_visits_in_time,
    // open CP sample). K10: S47 open since 1 May (S47 over 10 working days
    // at 31 May).
    sgm::kpi::v1::BatchRecordCaseEventsRequest batch;
    *batch.add_events() = Event("e1", sgm::kpi::v1::EVENT_TYPE_CP_PLAN_START,
                                "K4", "CP1", "", Day(2024, 2, 29));
    batch.mutable_events(0)->set_category("NEG");
    *batch.mutable_events(0)->mutable_child_dob() = Day(2016, 5, 5);
    *batch.add_events() = Event("e2", sgm::kpi::v1::EVENT_TYPE_CP_VISIT, "K4",
                                "CP1", "", Day(2024, 5, 16));
    *batch.add_events() = Event("e3", sgm::kpi::v1::EVENT_TYPE_REFERRAL, "K10",
                                "R2", "", Day(2024, 3, 21));
    *batch.add_events() = Event("e4", sgm::kpi::v1::EVENT_TYPE_S47_START, "K10",
                                "S2", "R2", Day(2024, 5, 1));
    sgm::kpi::v1::BatchRecordCaseEventsResponse recorded;
    grpc::Status s = kpi_->BatchRecordCaseEvents(
        TestCluster::ContextFor(testing::kPractitionerToken).get(), batch,
        &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
    // QA1: an audit of K4 (a write: not audited).
    sgm::qa::v1::CreateAuditRequest audit;
    sgm::qa::v1::Audit* a = audit.mutable_audit();
    a->set_audit_id("QA1");
    a->set_child_id("K4");
    a->set_type(sgm::qa::v1::AUDIT_TYPE_CASE_FILE);
    a->set_auditor("AUD1");
    *a->mutable_audit_date() = Day(2024, 6, 3);
    a->set_grade(sgm::qa::v1::GRADE_GOOD);
    sgm::qa::v1::CreateAuditResponse created;
    s = qa_->CreateAudit(
        TestCluster::ContextFor(testing::kPractitionerToken).get(), audit,
        &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Draws dip sample S1 (the open CP cases on 31 May: K4) as `token`.
  grpc::Status CreateDipSample(absl::string_view token,
                               std::vector<std::string>* children) {
    sgm::qa::v1::CreateDipSampleRequest request;
    sgm::qa::v1::DipSample* sample = request.mutable_sample();
    sample->set_sample_id("S1");
    sample->set_criterion(
        sgm::qa::v1::DIP_SAMPLE_CRITERION_OPEN_CHILD_PROTECTION);
    *sample->mutable_as_of() = Day(2024, 5, 31);
    sample->set_sample_size(5);
    sample->set_seed(7);
    sgm::qa::v1::CreateDipSampleResponse response;
    grpc::Status s = qa_->CreateDipSample(TestCluster::ContextFor(token).get(),
                                          request, &response);
    for (const auto& c : response.sample().cases()) {
      children->push_back(c.child_id());
    }
    return s;
  }

  grpc::Status CreateContact(absl::string_view token, const std::string& id,
                             const std::string& child) {
    sgm::intake::v1::CreateContactRequest request;
    sgm::intake::v1::Contact* c = request.mutable_contact();
    c->set_agency("POLICE");
    c->set_source_record_id(id);
    c->mutable_received_at()->set_seconds(1717236000);  // 2024-06-01 10:00Z
    c->set_child_id(child);
    c->set_source_code("6");
    c->set_primary_need("N1");
    sgm::intake::v1::CreateContactResponse response;
    return intake_->CreateContact(TestCluster::ContextFor(token).get(), request,
                                  &response);
  }

  // The table: every child-level method and how to call it.
  std::map<std::string, Call> Calls() {
    std::map<std::string, Call> calls;
    const auto write = [](const std::string& service) {
      return Call{Kind::kWrite, service, nullptr};
    };
    calls[absl::StrCat(kIntake, "ImportContacts")] = write("intake");
    calls[absl::StrCat(kIntake, "ImportDecisions")] = write("intake");
    calls[absl::StrCat(kIntake, "CreateContact")] = write("intake");
    // Answers with the contact; intake audits it as a read of that child,
    // but it is a write and is called with a fresh decision only once.
    calls[absl::StrCat(kIntake, "RecordDecision")] = write("intake");
    calls[absl::StrCat(kKpi, "ImportCaseEvents")] = write("kpi");
    calls[absl::StrCat(kKpi, "RecordCaseEvent")] = write("kpi");
    calls[absl::StrCat(kKpi, "BatchRecordCaseEvents")] = write("kpi");
    calls[absl::StrCat(kIntake, "ListReadAudit")] = {Kind::kAuditLog, "intake",
                                                     nullptr};
    calls[absl::StrCat(kKpi, "ListReadAudit")] = {Kind::kAuditLog, "kpi",
                                                  nullptr};
    calls[absl::StrCat(kQa, "CreateAudit")] = write("qa");
    // Answers with the whole audit; QA audits it as a read of that child,
    // but it is a write.
    calls[absl::StrCat(kQa, "ModerateAudit")] = write("qa");
    calls[absl::StrCat(kQa, "ImportAudits")] = write("qa");
    calls[absl::StrCat(kQa, "ListReadAudit")] = {Kind::kAuditLog, "qa",
                                                 nullptr};
    calls[absl::StrCat(kQa, "GetAudit")] = {
        Kind::kRead, "qa",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::qa::v1::GetAuditRequest request;
          request.set_audit_id("QA1");
          sgm::qa::v1::GetAuditResponse response;
          grpc::Status s = qa_->GetAudit(TestCluster::ContextFor(token).get(),
                                         request, &response);
          children->push_back(response.audit().child_id());
          return s;
        }};
    calls[absl::StrCat(kQa, "ListAudits")] = {
        Kind::kRead, "qa",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::qa::v1::ListAuditsResponse response;
          grpc::Status s =
              qa_->ListAudits(TestCluster::ContextFor(token).get(),
                              sgm::qa::v1::ListAuditsRequest(), &response);
          for (const auto& a : response.audits()) {
            children->push_back(a.child_id());
          }
          return s;
        }};
    // A write that answers with the children drawn: a read.
    calls[absl::StrCat(kQa, "CreateDipSample")] = {
        Kind::kRead, "qa",
        [this](absl::string_view token, std::vector<std::string>* children) {
          return CreateDipSample(token, children);
        }};
    calls[absl::StrCat(kQa, "GetDipSample")] = {
        Kind::kRead, "qa",
        [this](absl::string_view token, std::vector<std::string>* children) {
          // S1 drawn by an admin first (a CreateDipSample entry, not a
          // GetDipSample one).
          std::vector<std::string> drawn;
          grpc::Status s = CreateDipSample(testing::kAdminToken, &drawn);
          if (!s.ok()) return s;
          sgm::qa::v1::GetDipSampleRequest request;
          request.set_sample_id("S1");
          sgm::qa::v1::GetDipSampleResponse response;
          s = qa_->GetDipSample(TestCluster::ContextFor(token).get(), request,
                                &response);
          for (const auto& c : response.sample().cases()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    calls[absl::StrCat(kIntake, "GetContact")] = {
        Kind::kRead, "intake",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::intake::v1::GetContactRequest request;
          request.set_contact_ref("POLICE:A1");
          sgm::intake::v1::GetContactResponse response;
          grpc::Status s = intake_->GetContact(
              TestCluster::ContextFor(token).get(), request, &response);
          children->push_back(response.contact().child_id());
          return s;
        }};
    calls[absl::StrCat(kIntake, "ListContacts")] = {
        Kind::kRead, "intake",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::intake::v1::ListContactsResponse response;
          grpc::Status s = intake_->ListContacts(
              TestCluster::ContextFor(token).get(),
              sgm::intake::v1::ListContactsRequest(), &response);
          for (const auto& c : response.contacts()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    calls[absl::StrCat(kIntake, "ListDuplicateContacts")] = {
        Kind::kRead, "intake",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::intake::v1::ListDuplicateContactsRequest request;
          request.mutable_month()->set_year(2024);
          request.mutable_month()->set_month(6);
          sgm::intake::v1::ListDuplicateContactsResponse response;
          grpc::Status s = intake_->ListDuplicateContacts(
              TestCluster::ContextFor(token).get(), request, &response);
          for (const auto& c : response.contacts()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    calls[absl::StrCat(kKpi, "ListOpenWork")] = {
        Kind::kRead, "kpi",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::kpi::v1::ListOpenWorkRequest request;
          request.add_child_ids("K4");
          request.add_child_ids("K99");  // unknown: not returned, not audited
          *request.mutable_from() = Day(2024, 5, 1);
          *request.mutable_to() = Day(2024, 5, 31);
          sgm::kpi::v1::ListOpenWorkResponse response;
          grpc::Status s = kpi_->ListOpenWork(
              TestCluster::ContextFor(token).get(), request, &response);
          for (const auto& c : response.children()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    calls[absl::StrCat(kKpi, "ListIndicatorCases")] = {
        Kind::kRead, "kpi",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::kpi::v1::ListIndicatorCasesRequest request;
          request.set_indicator_id("cpp_visits_in_time");
          request.mutable_month()->set_year(2024);
          request.mutable_month()->set_month(5);
          request.set_filter(sgm::kpi::v1::CASE_FILTER_ALL);
          sgm::kpi::v1::ListIndicatorCasesResponse response;
          grpc::Status s = kpi_->ListIndicatorCases(
              TestCluster::ContextFor(token).get(), request, &response);
          for (const auto& c : response.cases()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    calls[absl::StrCat(kKpi, "ListWatchlist")] = {
        Kind::kRead, "kpi",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::kpi::v1::ListWatchlistRequest request;
          request.set_watchlist(
              sgm::kpi::v1::WATCHLIST_S47_OVER_10_WORKING_DAYS);
          *request.mutable_as_of() = Day(2024, 5, 31);
          sgm::kpi::v1::ListWatchlistResponse response;
          grpc::Status s = kpi_->ListWatchlist(
              TestCluster::ContextFor(token).get(), request, &response);
          for (const auto& c : response.entries()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    calls[absl::StrCat(kKpi, "SampleCases")] = {
        Kind::kRead, "kpi",
        [this](absl::string_view token, std::vector<std::string>* children) {
          sgm::kpi::v1::SampleCasesRequest request;
          request.set_criterion(
              sgm::kpi::v1::SAMPLE_CRITERION_OPEN_CHILD_PROTECTION);
          *request.mutable_as_of() = Day(2024, 5, 31);
          request.set_sample_size(5);
          request.set_seed(7);
          sgm::kpi::v1::SampleCasesResponse response;
          grpc::Status s = kpi_->SampleCases(
              TestCluster::ContextFor(token).get(), request, &response);
          for (const auto& c : response.cases()) {
            children->push_back(c.child_id());
          }
          return s;
        }};
    return calls;
  }

  // The audit log of `service` as `token` sees it (newest first).
  grpc::Status AuditLog(absl::string_view token, const std::string& service,
                        const std::string& method,
                        std::vector<sgm::audit::v1::ReadAuditEntry>* out) {
    out->clear();
    grpc::Status s;
    if (service == "intake") {
      sgm::intake::v1::ListReadAuditRequest request;
      request.mutable_filter()->set_method(method);
      request.set_page_size(1000);
      sgm::intake::v1::ListReadAuditResponse response;
      s = intake_->ListReadAudit(TestCluster::ContextFor(token).get(), request,
                                 &response);
      out->assign(response.entries().begin(), response.entries().end());
    } else if (service == "kpi") {
      sgm::kpi::v1::ListReadAuditRequest request;
      request.mutable_filter()->set_method(method);
      request.set_page_size(1000);
      sgm::kpi::v1::ListReadAuditResponse response;
      s = kpi_->ListReadAudit(TestCluster::ContextFor(token).get(), request,
                              &response);
      out->assign(response.entries().begin(), response.entries().end());
    } else if (service == "qa") {
      sgm::qa::v1::ListReadAuditRequest request;
      request.mutable_filter()->set_method(method);
      request.set_page_size(1000);
      sgm::qa::v1::ListReadAuditResponse response;
      s = qa_->ListReadAudit(TestCluster::ContextFor(token).get(), request,
                             &response);
      out->assign(response.entries().begin(), response.entries().end());
    } else {
      sgm::workforce::v1::ListReadAuditRequest request;
      request.mutable_filter()->set_method(method);
      request.set_page_size(1000);
      sgm::workforce::v1::ListReadAuditResponse response;
      s = workforce_->ListReadAudit(TestCluster::ContextFor(token).get(),
                                    request, &response);
      out->assign(response.entries().begin(), response.entries().end());
    }
    return s;
  }

  // How many entries of `method` the 831 admin sees.
  int Count(const std::string& service, const std::string& method) {
    std::vector<sgm::audit::v1::ReadAuditEntry> entries;
    grpc::Status s = AuditLog(testing::kAdminToken, service, method, &entries);
    EXPECT_TRUE(s.ok()) << method << ": " << s.error_message();
    return static_cast<int>(entries.size());
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<sgm::intake::v1::IntakeService::Stub> intake_;
  std::unique_ptr<sgm::kpi::v1::KpiService::Stub> kpi_;
  std::unique_ptr<sgm::workforce::v1::WorkforceService::Stub> workforce_;
  std::unique_ptr<sgm::qa::v1::QaService::Stub> qa_;
};

TEST_F(ChildLevelAuditTest, EveryChildLevelMethodHasARow) {
  const std::map<std::string, Call> calls = Calls();
  int reads = 0;
  for (const MethodRule& rule : AccessPolicy::DefaultRules()) {
    if (!rule.child_level) continue;
    auto it = calls.find(rule.method);
    if (it == calls.end()) {
      ADD_FAILURE() << rule.method
                    << " is child-level but has no row in Calls(): say how "
                       "to call it and whether it is a read";
      continue;
    }
    if (it->second.kind == Kind::kRead) ++reads;
    // Every child-level method is for practitioners and above (the audit
    // log: admins only).
    for (Role role : rule.roles) {
      EXPECT_TRUE(role == Role::kAdmin || role == Role::kManager ||
                  role == Role::kPractitioner ||
                  (role == Role::kPartner &&
                   rule.method == absl::StrCat(kIntake, "ImportContacts")))
          << rule.method << " allows " << RoleName(role);
    }
  }
  // GetContact, ListContacts, ListDuplicateContacts, the four KPI lists, and
  // QA's GetAudit, ListAudits, CreateDipSample and GetDipSample.
  EXPECT_EQ(reads, 11);
}

TEST_F(ChildLevelAuditTest, ReadsNeedStaffAndAreAuditedOnce) {
  for (const auto& [method, call] : Calls()) {
    if (call.kind != Kind::kRead) continue;
    SCOPED_TRACE(method);
    const int before = Count(call.service, method);
    // (a) Analysts and partners are refused and leave no trace.
    for (absl::string_view token :
         {testing::kAnalystToken, testing::kPartnerToken}) {
      std::vector<std::string> children;
      EXPECT_EQ(call.read(token, &children).error_code(),
                grpc::StatusCode::PERMISSION_DENIED)
          << token;
    }
    EXPECT_EQ(Count(call.service, method), before);
    // (b) A practitioner reads; exactly one entry names them and the
    // children returned.
    std::vector<std::string> children;
    grpc::Status s = call.read(testing::kPractitionerToken, &children);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_FALSE(children.empty());
    std::vector<sgm::audit::v1::ReadAuditEntry> entries;
    ASSERT_TRUE(
        AuditLog(testing::kAdminToken, call.service, method, &entries).ok());
    ASSERT_EQ(static_cast<int>(entries.size()), before + 1);
    const sgm::audit::v1::ReadAuditEntry& newest = entries.front();
    EXPECT_EQ(newest.caller(), "test-practitioner");
    EXPECT_EQ(newest.role(), "practitioner");
    EXPECT_EQ(newest.authority(), "831");
    EXPECT_EQ(newest.method(), method);
    EXPECT_EQ(newest.read_time().seconds(), 1718452800);  // the test clock
    std::vector<std::string> audited(newest.child_ids().begin(),
                                     newest.child_ids().end());
    std::sort(audited.begin(), audited.end());
    std::sort(children.begin(), children.end());
    EXPECT_THAT(audited, ElementsAreArray(children));
  }
}

TEST_F(ChildLevelAuditTest, ExpectedChildrenAreAudited) {
  // Hand-worked: who each read returns.
  std::map<std::string, Call> calls = Calls();
  const std::map<std::string, std::vector<std::string>> expected = {
      {absl::StrCat(kIntake, "GetContact"), {"CH1"}},
      {absl::StrCat(kIntake, "ListContacts"), {"CH1", "CH2", "K4"}},
      {absl::StrCat(kIntake, "ListDuplicateContacts"), {"K4"}},
      {absl::StrCat(kKpi, "ListOpenWork"), {"K4"}},
      {absl::StrCat(kKpi, "ListIndicatorCases"), {"K4"}},
      {absl::StrCat(kKpi, "ListWatchlist"), {"K10"}},
      {absl::StrCat(kKpi, "SampleCases"), {"K4"}},
      {absl::StrCat(kQa, "GetAudit"), {"K4"}},
      {absl::StrCat(kQa, "ListAudits"), {"K4"}},
      // Before GetDipSample (map order), whose call draws S1 again as an
      // admin: a second CreateDipSample entry.
      {absl::StrCat(kQa, "CreateDipSample"), {"K4"}},
      {absl::StrCat(kQa, "GetDipSample"), {"K4"}},
  };
  for (const auto& [method, children] : expected) {
    SCOPED_TRACE(method);
    std::vector<std::string> got;
    ASSERT_TRUE(calls.at(method).read(testing::kManagerToken, &got).ok());
    std::vector<sgm::audit::v1::ReadAuditEntry> entries;
    ASSERT_TRUE(AuditLog(testing::kAdminToken, calls.at(method).service, method,
                         &entries)
                    .ok());
    // Intake's own ListOpenWork reads (matching ListDuplicateContacts) are
    // the service's, not the manager's.
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [](const sgm::audit::v1::ReadAuditEntry& e) {
                                   return e.caller() == "sgm-intake";
                                 }),
                  entries.end());
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].caller(), "test-manager");
    std::vector<std::string> audited(entries[0].child_ids().begin(),
                                     entries[0].child_ids().end());
    std::sort(audited.begin(), audited.end());
    EXPECT_THAT(audited, ElementsAreArray(children));
  }
}

TEST_F(ChildLevelAuditTest, AuditLogIsForAdminsOnlyAndAudited) {
  for (const std::string service : {"intake", "kpi", "workforce", "qa"}) {
    SCOPED_TRACE(service);
    std::vector<sgm::audit::v1::ReadAuditEntry> entries;
    // (c) Nobody but an admin reads the log.
    for (absl::string_view token :
         {testing::kPractitionerToken, testing::kManagerToken,
          testing::kAnalystToken, testing::kPartnerToken}) {
      EXPECT_EQ(AuditLog(token, service, "", &entries).error_code(),
                grpc::StatusCode::PERMISSION_DENIED)
          << token;
    }
    // An admin's query is itself an entry, without ids; the first query
    // sees none, the second sees the first.
    ASSERT_TRUE(
        AuditLog(testing::kAdminToken, service, "ListReadAudit", &entries)
            .ok());
    EXPECT_THAT(entries, IsEmpty());
    ASSERT_TRUE(
        AuditLog(testing::kAdminToken, service, "ListReadAudit", &entries)
            .ok());
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].caller(), "test-admin");
    EXPECT_EQ(entries[0].role(), "admin");
    EXPECT_THAT(entries[0].child_ids(), IsEmpty());
    EXPECT_THAT(entries[0].record_ids(), IsEmpty());
  }
}

TEST_F(ChildLevelAuditTest, AnotherAuthorityReadsAreNeverShown) {
  // (d) 892's practitioner writes and reads a contact of 892.
  ASSERT_TRUE(
      CreateContact(testing::kOtherAuthorityToken, "B1", "OTHER1").ok());
  sgm::intake::v1::GetContactRequest get;
  get.set_contact_ref("POLICE:B1");
  sgm::intake::v1::GetContactResponse got;
  ASSERT_TRUE(
      intake_
          ->GetContact(
              TestCluster::ContextFor(testing::kOtherAuthorityToken).get(), get,
              &got)
          .ok());
  EXPECT_EQ(got.contact().child_id(), "OTHER1");
  std::vector<sgm::audit::v1::ReadAuditEntry> entries;
  ASSERT_TRUE(AuditLog(testing::kAdminToken, "intake", "", &entries).ok());
  for (const sgm::audit::v1::ReadAuditEntry& e : entries) {
    EXPECT_EQ(e.authority(), "831");
    EXPECT_NE(e.caller(), "test-practitioner-892");
    EXPECT_THAT(e.child_ids(), ::testing::Not(::testing::Contains("OTHER1")));
  }
  sgm::intake::v1::ListReadAuditRequest by_child;
  by_child.mutable_filter()->set_child_id("OTHER1");
  sgm::intake::v1::ListReadAuditResponse none;
  ASSERT_TRUE(
      intake_
          ->ListReadAudit(TestCluster::ContextFor(testing::kAdminToken).get(),
                          by_child, &none)
          .ok());
  EXPECT_THAT(none.entries(), IsEmpty());
}

}  // namespace
}  // namespace sgm::gateway
