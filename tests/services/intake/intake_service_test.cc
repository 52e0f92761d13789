// The intake service called directly (as the gateway calls it), on a real
// SQLite file and a real redis-server.
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/caller_identity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/contact_store.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/health_probe.h"
#include "tests/support/test_cluster.h"

namespace sgm::intake {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::sgm::intake::v1;

constexpr char kHeader[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n";

class IntakeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = testing::TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    stub_ = v1::IntakeService::NewStub(grpc::CreateChannel(
        cluster_->intake_address(), grpc::InsecureChannelCredentials()));
  }

  // A context as the gateway makes it for a practitioner of 831.
  std::unique_ptr<grpc::ClientContext> As(Role role, std::string agency = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    CallerIdentity who;
    who.caller = "tester";
    who.role = role;
    who.authority = "831";
    who.agency = std::move(agency);
    AttachIdentity(who, context.get());
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    return context;
  }

  v1::Contact NewContact(const std::string& id) {
    v1::Contact c;
    c.set_agency("POLICE");
    c.set_source_record_id(id);
    c.mutable_received_at()->set_seconds(1717236000);  // 2024-06-01 10:00Z
    c.set_child_id("CH1");
    c.set_source_code("6");
    c.set_primary_need("N1");
    c.add_concerns("NEGLECT");
    return c;
  }

  std::unique_ptr<testing::TestCluster> cluster_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

TEST_F(IntakeServiceTest, CreateContactIsIdempotentAndRefusesConflicts) {
  v1::CreateContactRequest request;
  *request.mutable_contact() = NewContact("R1");
  v1::CreateContactResponse first;
  ASSERT_TRUE(
      stub_->CreateContact(As(Role::kPractitioner).get(), request, &first)
          .ok());
  EXPECT_FALSE(first.duplicate());
  EXPECT_EQ(first.contact().authority(), "831");
  EXPECT_EQ(first.contact().received_on().day(), 1);
  EXPECT_THAT(first.contact().contact_id(), ::testing::StartsWith("C"));

  v1::CreateContactResponse again;
  ASSERT_TRUE(
      stub_->CreateContact(As(Role::kPractitioner).get(), request, &again)
          .ok());
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.contact().contact_id(), first.contact().contact_id());

  request.mutable_contact()->set_primary_need("N2");
  v1::CreateContactResponse conflict;
  grpc::Status s =
      stub_->CreateContact(As(Role::kPractitioner).get(), request, &conflict);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("source_record_id"));
}

TEST_F(IntakeServiceTest, CreateContactNamesTheBadField) {
  v1::CreateContactRequest request;
  *request.mutable_contact() = NewContact("R1");
  request.mutable_contact()->set_source_code("99");
  v1::CreateContactResponse response;
  grpc::Status s =
      stub_->CreateContact(As(Role::kPractitioner).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contact.source_code"));

  *request.mutable_contact() = NewContact("R1");
  request.mutable_contact()->clear_received_at();
  s = stub_->CreateContact(As(Role::kPractitioner).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contact.received_at"));

  *request.mutable_contact() = NewContact("R1");
  request.mutable_contact()->clear_agency();
  s = stub_->CreateContact(As(Role::kPractitioner).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("agency"));
}

TEST_F(IntakeServiceTest, WithoutIdentityIsUnauthenticated) {
  grpc::ClientContext context;
  v1::GetContactRequest request;
  request.set_contact_ref("C1");
  v1::GetContactResponse response;
  EXPECT_EQ(stub_->GetContact(&context, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IntakeServiceTest, DecisionsFindTheirContact) {
  v1::CreateContactRequest create;
  *create.mutable_contact() = NewContact("R1");
  v1::CreateContactResponse created;
  ASSERT_TRUE(
      stub_->CreateContact(As(Role::kPractitioner).get(), create, &created)
          .ok());

  v1::RecordDecisionRequest request;
  request.set_contact_ref("POLICE:R404");
  request.mutable_decision()->mutable_decided_at()->set_seconds(1717250000);
  request.mutable_decision()->set_outcome(v1::OUTCOME_REFERRAL);
  v1::RecordDecisionResponse response;
  EXPECT_EQ(
      stub_->RecordDecision(As(Role::kPractitioner).get(), request, &response)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  request.set_contact_ref("POLICE:R1");
  request.mutable_decision()->mutable_decided_at()->set_seconds(1717200000);
  grpc::Status early =
      stub_->RecordDecision(As(Role::kPractitioner).get(), request, &response);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(early.error_message(), HasSubstr("decided_at"));

  request.mutable_decision()->mutable_decided_at()->set_seconds(1717250000);
  ASSERT_TRUE(
      stub_->RecordDecision(As(Role::kPractitioner).get(), request, &response)
          .ok());
  EXPECT_EQ(response.contact().decision().outcome(), v1::OUTCOME_REFERRAL);

  request.set_contact_ref(created.contact().contact_id());
  request.mutable_decision()->set_outcome(v1::OUTCOME_NFA);
  EXPECT_EQ(
      stub_->RecordDecision(As(Role::kPractitioner).get(), request, &response)
          .error_code(),
      grpc::StatusCode::ALREADY_EXISTS);

  request.mutable_decision()->set_outcome(v1::OUTCOME_UNSPECIFIED);
  grpc::Status no_outcome =
      stub_->RecordDecision(As(Role::kPractitioner).get(), request, &response);
  EXPECT_EQ(no_outcome.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_outcome.error_message(), HasSubstr("outcome"));
}

TEST_F(IntakeServiceTest, ImportCommitsGoodRowsAndNamesBadOnes) {
  const std::string feed = absl::StrCat(
      kHeader,
      "R1,2024-06-03T09:00:00+01:00,CH1,2016-01-01,6,N1,NEGLECT,Force,ok\n",
      "R2,2024-06-03T09:30:00+01:00,CH2,,99,N1,,,\n",  // line 3
      "R3,not-a-time,CH3,,6,N1,,,\n",                  // line 4
      "\"R4\",2024-06-04T10:00:00+01:00,,,2A,N6,,\"School, Upper\",\"a "
      "\"\"quoted\"\"\n"
      "summary\"\n",                                    // 5-6
      "R5,2024-06-04T10:00:00+01:00,CH5,,3A\n",         // line 7
      "R6,2024-06-05T10:00:00+01:00,CH6,,3A,N3,,,\n");  // line 8
  v1::ImportContactsResponse response;
  grpc::Status s = testing::SendContacts(*stub_, As(Role::kPractitioner).get(),
                                         feed, "POLICE", &response, 7);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const auto& summary = response.summary();
  EXPECT_EQ(summary.records(), 6);
  EXPECT_EQ(summary.accepted(), 3);
  EXPECT_EQ(summary.rejected(), 3);
  ASSERT_EQ(summary.rejections_size(), 3);
  EXPECT_EQ(summary.rejections(0).line(), 3);
  EXPECT_EQ(summary.rejections(0).field(), "source_code");
  EXPECT_EQ(summary.rejections(0).key(), "POLICE:R2");
  EXPECT_EQ(summary.rejections(1).line(), 4);
  EXPECT_EQ(summary.rejections(1).field(), "received_at");
  EXPECT_EQ(summary.rejections(2).line(), 7);

  // The quoted record kept its comma and quotes.
  v1::GetContactRequest get;
  get.set_contact_ref("POLICE:R4");
  v1::GetContactResponse got;
  ASSERT_TRUE(stub_->GetContact(As(Role::kPractitioner).get(), get, &got).ok());
  EXPECT_EQ(got.contact().referrer_org(), "School, Upper");
  EXPECT_EQ(got.contact().summary(), "a \"quoted\"\nsummary");

  // Re-sending changes nothing.
  v1::ImportContactsResponse again;
  ASSERT_TRUE(testing::SendContacts(*stub_, As(Role::kPractitioner).get(), feed,
                                    "POLICE", &again)
                  .ok());
  EXPECT_EQ(again.summary().accepted(), 0);
  EXPECT_EQ(again.summary().duplicates(), 3);
  EXPECT_EQ(again.summary().rejected(), 3);
}

TEST_F(IntakeServiceTest, ABadHeaderCommitsNothing) {
  const std::string feed =
      "source_record_id,received_at,source_code,colour\n"
      "R1,2024-06-03T09:00:00+01:00,6,blue\n";
  v1::ImportContactsResponse response;
  grpc::Status s = testing::SendContacts(*stub_, As(Role::kPractitioner).get(),
                                         feed, "POLICE", &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("colour"));
  v1::GetContactRequest get;
  get.set_contact_ref("POLICE:R1");
  v1::GetContactResponse got;
  EXPECT_EQ(
      stub_->GetContact(As(Role::kPractitioner).get(), get, &got).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(IntakeServiceTest, ImportWithoutFormatIsRefused) {
  v1::ImportContactsResponse response;
  grpc::Status s = testing::SendContacts(
      *stub_, As(Role::kPractitioner).get(), kHeader, "POLICE", &response,
      1 << 20, sgm::feed::v1::FEED_FORMAT_UNSPECIFIED);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("chunk.format"));
}

TEST_F(IntakeServiceTest, PartnerImportsOnlyAsItsOwnAgency) {
  const std::string feed =
      absl::StrCat(kHeader, "R1,2024-06-03T09:00:00+01:00,CH1,,6,N1,,,\n");
  v1::ImportContactsResponse response;
  EXPECT_EQ(testing::SendContacts(*stub_, As(Role::kPartner, "POLICE").get(),
                                  feed, "HEALTH", &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(testing::SendContacts(*stub_, As(Role::kPartner, "POLICE").get(),
                                    feed, "", &response)
                  .ok());
  EXPECT_EQ(response.summary().accepted(), 1);
  v1::GetContactRequest get;
  get.set_contact_ref("POLICE:R1");
  v1::GetContactResponse got;
  ASSERT_TRUE(stub_->GetContact(As(Role::kPractitioner).get(), get, &got).ok());
  EXPECT_EQ(got.contact().agency(), "POLICE");
}

TEST_F(IntakeServiceTest, DecisionFeedReportsUnknownContacts) {
  const std::string contacts =
      absl::StrCat(kHeader, "R1,2024-06-03T09:00:00+01:00,CH1,,6,N1,,,\n",
                   "R2,2024-06-03T09:00:00+01:00,CH2,,6,N1,,,\n");
  v1::ImportContactsResponse imported;
  ASSERT_TRUE(testing::SendContacts(*stub_, As(Role::kPractitioner).get(),
                                    contacts, "POLICE", &imported)
                  .ok());
  const std::string decisions =
      "contact_ref,decided_at,outcome,decided_by\n"
      "POLICE:R1,2024-06-03T15:00:00+01:00,REFERRAL,W1\n"
      "POLICE:R9,2024-06-03T15:00:00+01:00,NFA,W1\n"
      "POLICE:R2,2024-06-03T15:00:00+01:00,MAYBE,W1\n";
  v1::ImportDecisionsResponse response;
  ASSERT_TRUE(testing::SendDecisions(*stub_, As(Role::kPractitioner).get(),
                                     decisions, &response)
                  .ok());
  EXPECT_EQ(response.summary().accepted(), 1);
  EXPECT_EQ(response.summary().rejected(), 2);
  ASSERT_EQ(response.summary().rejections_size(), 2);
  EXPECT_EQ(response.summary().rejections(0).line(), 3);
  EXPECT_EQ(response.summary().rejections(0).field(), "contact_ref");
  EXPECT_EQ(response.summary().rejections(1).line(), 4);
  EXPECT_EQ(response.summary().rejections(1).field(), "outcome");
}

TEST_F(IntakeServiceTest, ListPagesWithTokensBoundToTheFilter) {
  std::string feed = kHeader;
  for (int i = 1; i <= 5; ++i) {
    absl::StrAppend(&feed, "R", i, ",2024-06-0", i, "T09:00:00+01:00,CH", i,
                    ",,6,N1,,,\n");
  }
  v1::ImportContactsResponse imported;
  ASSERT_TRUE(testing::SendContacts(*stub_, As(Role::kPractitioner).get(), feed,
                                    "POLICE", &imported)
                  .ok());
  v1::ListContactsRequest request;
  request.set_page_size(2);
  std::vector<std::string> seen;
  std::string token;
  do {
    request.set_page_token(token);
    v1::ListContactsResponse page;
    ASSERT_TRUE(
        stub_->ListContacts(As(Role::kPractitioner).get(), request, &page)
            .ok());
    for (const auto& c : page.contacts()) seen.push_back(c.source_record_id());
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_THAT(seen, ::testing::ElementsAre("R1", "R2", "R3", "R4", "R5"));

  request.clear_page_token();
  v1::ListContactsResponse first;
  ASSERT_TRUE(
      stub_->ListContacts(As(Role::kPractitioner).get(), request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  request.set_source_code("2A");  // a different filter
  v1::ListContactsResponse other;
  grpc::Status s =
      stub_->ListContacts(As(Role::kPractitioner).get(), request, &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));

  request.set_page_token("garbage!");
  EXPECT_EQ(stub_->ListContacts(As(Role::kPractitioner).get(), request, &other)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.clear_page_token();
  request.set_source_code("ZZ");
  EXPECT_EQ(stub_->ListContacts(As(Role::kPractitioner).get(), request, &other)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntakeServiceTest, ChildLevelReadsAreAudited) {
  v1::CreateContactRequest create;
  *create.mutable_contact() = NewContact("R1");
  v1::CreateContactResponse created;
  ASSERT_TRUE(
      stub_->CreateContact(As(Role::kPractitioner).get(), create, &created)
          .ok());
  v1::GetContactRequest get;
  get.set_contact_ref(created.contact().contact_id());
  v1::GetContactResponse got;
  ASSERT_TRUE(stub_->GetContact(As(Role::kPractitioner).get(), get, &got).ok());

  auto store = SqliteContactStore::Open(cluster_->dir() + "/intake.db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto audit = (*store)->ListReadAudit("831", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].method, "GetContact");
  EXPECT_EQ((*audit)[0].caller, "tester");
  EXPECT_THAT((*audit)[0].child_ids, ::testing::ElementsAre("CH1"));
  EXPECT_THAT((*audit)[0].contact_ids,
              ::testing::ElementsAre(created.contact().contact_id()));
}

TEST_F(IntakeServiceTest, FrontDoorFiguresFromImportedContacts) {
  // June 2024: 4 contacts (1 undecided); June 2023: 2 contacts.
  const std::string feed =
      absl::StrCat(kHeader, "A1,2023-06-10T09:00:00+01:00,CH1,,6,N1,,,\n",
                   "A2,2023-06-11T09:00:00+01:00,CH2,,6,N1,,,\n",
                   "B1,2024-06-03T09:00:00+01:00,CH1,,6,N1,,,\n",
                   "B2,2024-06-04T09:00:00+01:00,CH3,,2A,N6,,,\n",
                   "B3,2024-06-07T09:00:00+01:00,CH4,,6,,,,\n",
                   "B4,2024-06-10T09:00:00+01:00,CH5,,3A,N1,,,\n");
  v1::ImportContactsResponse imported;
  ASSERT_TRUE(testing::SendContacts(*stub_, As(Role::kPractitioner).get(), feed,
                                    "POLICE", &imported)
                  .ok());
  ASSERT_EQ(imported.summary().accepted(), 6);
  const std::string decisions =
      "contact_ref,decided_at,outcome,decided_by\n"
      "POLICE:B1,2024-06-03T15:00:00+01:00,REFERRAL,W1\n"  // same day
      "POLICE:B2,2024-06-06T15:00:00+01:00,NFA,W1\n"       // 2 wd later
      "POLICE:B3,2024-06-10T11:00:00+01:00,STRATEGY_DISCUSSION,W1\n";  // Fri->Mon
  v1::ImportDecisionsResponse decided;
  ASSERT_TRUE(testing::SendDecisions(*stub_, As(Role::kPractitioner).get(),
                                     decisions, &decided)
                  .ok());
  ASSERT_EQ(decided.summary().accepted(), 3);

  v1::GetFrontDoorFiguresRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(6);
  v1::GetFrontDoorFiguresResponse response;
  ASSERT_TRUE(
      stub_->GetFrontDoorFigures(As(Role::kAnalyst).get(), request, &response)
          .ok());
  const auto& f = response.figures();
  EXPECT_EQ(f.this_month().contacts(), 4);
  EXPECT_EQ(f.this_month().contacts_year_before(), 2);
  EXPECT_DOUBLE_EQ(f.this_month().change_percent(), 100.0);
  EXPECT_EQ(f.decided(), 3);
  EXPECT_EQ(f.progressed(), 2);
  EXPECT_DOUBLE_EQ(f.progressed_percent(), 66.7);
  EXPECT_EQ(f.decided_within_1wd(), 2);
  EXPECT_EQ(f.trend_size(), 13);
  // Year to date: 1 Jan - 30 Jun 2024 is 182 days: 4 / 26 weeks = 0.2.
  EXPECT_EQ(f.year_to_date().contacts(), 4);
  EXPECT_DOUBLE_EQ(f.year_to_date().per_week(), 0.2);

  request.clear_month();
  EXPECT_EQ(
      stub_->GetFrontDoorFigures(As(Role::kAnalyst).get(), request, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(13);
  EXPECT_EQ(
      stub_->GetFrontDoorFigures(As(Role::kAnalyst).get(), request, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntakeServiceTest, HealthIsNotServingWhileTheStoreIsGone) {
  auto channel = grpc::CreateChannel(cluster_->intake_address(),
                                     grpc::InsecureChannelCredentials());
  const std::string service = "sgm.intake.v1.IntakeService";
  EXPECT_EQ(testing::HealthOf(channel, ""), testing::kServing);
  EXPECT_EQ(testing::HealthOf(channel, service), testing::kServing);

  std::filesystem::remove(cluster_->dir() + "/intake.db");
  int status = testing::kServing;
  // The store is checked every 2 s.
  for (int i = 0; i < 60 && status == testing::kServing; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    status = testing::HealthOf(channel, service);
  }
  EXPECT_EQ(status, testing::kNotServing);
  EXPECT_EQ(testing::HealthOf(channel, ""), testing::kNotServing);
}

TEST_F(IntakeServiceTest, ACancelledImportDoesNotReadItsCutOffRecordAsWhole) {
  // The stream stops inside R2's summary and the caller cancels.
  auto context = As(Role::kPractitioner);
  v1::ImportContactsResponse response;
  auto writer = stub_->ImportContacts(context.get(), &response);
  v1::ImportContactsRequest request;
  request.mutable_chunk()->set_format(sgm::feed::v1::FEED_FORMAT_CSV);
  request.set_agency("POLICE");
  request.mutable_chunk()->set_data(absl::StrCat(
      kHeader, "R1,2024-06-03T09:00:00+01:00,CH1,,6,N1,,,whole\n",
      "R2,2024-06-03T09:00:00+01:00,CH2,,6,N1,,,the summary is cu"));
  ASSERT_TRUE(writer->Write(request));
  absl::SleepFor(absl::Milliseconds(200));
  context->TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // Nothing of the unfinished file was committed, so re-sending the whole
  // file stores R2 with its whole summary.
  const std::string feed = absl::StrCat(
      kHeader, "R1,2024-06-03T09:00:00+01:00,CH1,,6,N1,,,whole\n",
      "R2,2024-06-03T09:00:00+01:00,CH2,,6,N1,,,the summary is cut off\n");
  v1::ImportContactsResponse again;
  ASSERT_TRUE(testing::SendContacts(*stub_, As(Role::kPractitioner).get(), feed,
                                    "POLICE", &again)
                  .ok());
  EXPECT_EQ(again.summary().accepted(), 2);
  EXPECT_EQ(again.summary().rejected(), 0);
  v1::GetContactRequest get;
  get.set_contact_ref("POLICE:R2");
  v1::GetContactResponse got;
  ASSERT_TRUE(stub_->GetContact(As(Role::kPractitioner).get(), get, &got).ok());
  EXPECT_EQ(got.contact().summary(), "the summary is cut off");
}

TEST_F(IntakeServiceTest, RecordDecisionIsAnAuditedRead) {
  v1::CreateContactRequest create;
  *create.mutable_contact() = NewContact("R1");
  v1::CreateContactResponse created;
  ASSERT_TRUE(
      stub_->CreateContact(As(Role::kPractitioner).get(), create, &created)
          .ok());
  v1::RecordDecisionRequest request;
  request.set_contact_ref("POLICE:R1");
  request.mutable_decision()->mutable_decided_at()->set_seconds(1717250000);
  request.mutable_decision()->set_outcome(v1::OUTCOME_NFA);
  v1::RecordDecisionResponse response;
  ASSERT_TRUE(
      stub_->RecordDecision(As(Role::kPractitioner).get(), request, &response)
          .ok());
  auto store = SqliteContactStore::Open(cluster_->dir() + "/intake.db");
  ASSERT_TRUE(store.ok()) << store.status();
  auto audit = (*store)->ListReadAudit("831", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].method, "RecordDecision");
  EXPECT_THAT((*audit)[0].child_ids, ::testing::ElementsAre("CH1"));
}

TEST_F(IntakeServiceTest, MalformedRefsAndLongIdsArePreciseAndBounded) {
  v1::GetContactRequest get;
  v1::GetContactResponse got;
  for (const char* ref : {"", "xyz", "C01", "POLICE:"}) {
    get.set_contact_ref(ref);
    grpc::Status s =
        stub_->GetContact(As(Role::kPractitioner).get(), get, &got);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << ref;
    EXPECT_THAT(s.error_message(), HasSubstr("contact_ref")) << ref;
  }
  // A rejected record whose id is not an id carries no key (and never the
  // text that stood in its place).
  const std::string long_id(500, 'x');
  v1::ImportContactsResponse response;
  ASSERT_TRUE(testing::SendContacts(
                  *stub_, As(Role::kPractitioner).get(),
                  absl::StrCat(kHeader, long_id,
                               ",2024-06-03T09:00:00+01:00,CH1,,6,N1,,,\n"),
                  "POLICE", &response)
                  .ok());
  ASSERT_EQ(response.summary().rejections_size(), 1);
  EXPECT_EQ(response.summary().rejections(0).field(), "source_record_id");
  EXPECT_EQ(response.summary().rejections(0).key(), "");
  // A long filter value is not echoed back.
  v1::ListContactsRequest list;
  list.set_source_code(std::string(100000, 'Z'));
  v1::ListContactsResponse listed;
  grpc::Status s =
      stub_->ListContacts(As(Role::kPractitioner).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LT(s.error_message().size(), 400u);
}

}  // namespace
}  // namespace sgm::intake
