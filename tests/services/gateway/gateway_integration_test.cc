// End to end through the gateway: tokens and roles, feed imports into the
// intake service on a real SQLite file, figures from a real redis-server
// cache, a cold restart, and Redis going away mid-test.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;
using testing::TestCluster;
namespace v1 = ::sgm::intake::v1;

constexpr char kHeader[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n";

// Two months of contacts: May 2024 (3) and June 2024 (5, one bad row).
std::string Feed() {
  return absl::StrCat(
      kHeader, "M1,2024-05-02T09:00:00+01:00,CH1,2015-02-01,6,N1,,,\n",
      "M2,2024-05-03T09:00:00+01:00,CH2,,6,N1,,,\n",
      "M3,2024-05-20T09:00:00+01:00,CH3,,2A,N6,,,\n",
      "J1,2024-06-03T09:00:00+01:00,CH1,,6,N1,NEGLECT,,\n",
      "J2,2024-06-04T09:00:00+01:00,CH4,,6,N1,,,\n",
      "J3,2024-06-05T09:00:00+01:00,CH5,,3A,N3,,,\n",
      "J4,2024-06-06T09:00:00+01:00,,,6,N1,,,\n",
      "J5,2024-06-07T09:00:00+01:00,CH6,,6,N1,SOMETHING,,\n");  // bad concern
}

class GatewayIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    intake_ = v1::IntakeService::NewStub(cluster_->gateway_channel());
    gateway_ =
        sgm::gateway::v1::GatewayService::NewStub(cluster_->gateway_channel());
  }

  grpc::Status Import(absl::string_view token, absl::string_view feed,
                      absl::string_view agency,
                      v1::ImportContactsResponse* response) {
    return testing::SendContacts(*intake_, TestCluster::ContextFor(token).get(),
                                 feed, agency, response, 64);
  }

  grpc::Status Figures(absl::string_view token, int year, int month,
                       v1::GetFrontDoorFiguresResponse* response) {
    v1::GetFrontDoorFiguresRequest request;
    request.mutable_month()->set_year(year);
    request.mutable_month()->set_month(month);
    return intake_->GetFrontDoorFigures(TestCluster::ContextFor(token).get(),
                                        request, response);
  }

  grpc::StatusCode GetContactCode(absl::string_view token,
                                  absl::string_view ref) {
    v1::GetContactRequest request;
    request.set_contact_ref(std::string(ref));
    v1::GetContactResponse response;
    return intake_
        ->GetContact(TestCluster::ContextFor(token).get(), request, &response)
        .error_code();
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<sgm::gateway::v1::GatewayService::Stub> gateway_;
};

TEST_F(GatewayIntegrationTest, PartnerImportIsStampedAndFiguresReadBack) {
  v1::ImportContactsResponse imported;
  grpc::Status s = Import(testing::kPartnerToken, Feed(), "", &imported);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(imported.summary().accepted(), 7);
  EXPECT_EQ(imported.summary().rejected(), 1);
  ASSERT_EQ(imported.summary().rejections_size(), 1);
  EXPECT_EQ(imported.summary().rejections(0).line(), 9);
  EXPECT_EQ(imported.summary().rejections(0).field(), "concerns");

  // Stamped with the partner's agency from its token.
  v1::GetContactRequest get;
  get.set_contact_ref("POLICE:J1");
  v1::GetContactResponse got;
  ASSERT_TRUE(
      intake_
          ->GetContact(
              TestCluster::ContextFor(testing::kPractitionerToken).get(), get,
              &got)
          .ok());
  EXPECT_EQ(got.contact().agency(), "POLICE");

  v1::GetFrontDoorFiguresResponse first, cached;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &first).ok());
  EXPECT_EQ(first.figures().this_month().contacts(), 4);
  EXPECT_EQ(first.figures().trend(11).contacts(), 3);  // May 2024
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &cached).ok());
  EXPECT_EQ(cached.SerializeAsString(), first.SerializeAsString());

  // From a cold start (and then Redis flushed too): the same figures.
  ASSERT_TRUE(cluster_->RestartIntake().ok());
  v1::GetFrontDoorFiguresResponse cold;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &cold).ok());
  EXPECT_EQ(cold.SerializeAsString(), first.SerializeAsString());
  ASSERT_TRUE(cluster_->redis()->Restart().ok());
  v1::GetFrontDoorFiguresResponse flushed;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &flushed).ok());
  EXPECT_EQ(flushed.SerializeAsString(), first.SerializeAsString());
}

TEST_F(GatewayIntegrationTest, TheSameFileTwiceChangesNothing) {
  v1::ImportContactsResponse first, second;
  ASSERT_TRUE(
      Import(testing::kPractitionerToken, Feed(), "POLICE", &first).ok());
  v1::GetFrontDoorFiguresResponse before, after;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &before).ok());
  ASSERT_TRUE(
      Import(testing::kPractitionerToken, Feed(), "POLICE", &second).ok());
  EXPECT_EQ(second.summary().accepted(), 0);
  EXPECT_EQ(second.summary().duplicates(), 7);
  EXPECT_EQ(second.summary().rejected(), 1);
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &after).ok());
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
}

TEST_F(GatewayIntegrationTest, AWriteMakesTheNextReadFresh) {
  v1::ImportContactsResponse imported;
  ASSERT_TRUE(
      Import(testing::kPractitionerToken, Feed(), "POLICE", &imported).ok());
  v1::GetFrontDoorFiguresResponse before, after;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &before).ok());
  ASSERT_TRUE(
      Import(
          testing::kPractitionerToken,
          absl::StrCat(kHeader, "J9,2024-06-14T09:00:00+01:00,CH9,,6,N1,,,\n"),
          "POLICE", &imported)
          .ok());
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &after).ok());
  EXPECT_EQ(after.figures().this_month().contacts(),
            before.figures().this_month().contacts() + 1);
}

TEST_F(GatewayIntegrationTest, RedisStoppedMidTestEveryCallStillAnswers) {
  v1::ImportContactsResponse imported;
  ASSERT_TRUE(
      Import(testing::kPractitionerToken, Feed(), "POLICE", &imported).ok());
  v1::GetFrontDoorFiguresResponse cached;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &cached).ok());

  cluster_->redis()->Stop();
  v1::GetFrontDoorFiguresResponse without;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &without).ok());
  EXPECT_EQ(without.SerializeAsString(), cached.SerializeAsString());
  // Writes while Redis is down...
  ASSERT_TRUE(
      Import(
          testing::kPractitionerToken,
          absl::StrCat(kHeader, "J9,2024-06-14T09:00:00+01:00,CH9,,6,N1,,,\n"),
          "POLICE", &imported)
          .ok());
  EXPECT_EQ(imported.summary().accepted(), 1);
  v1::ListContactsRequest list;
  v1::ListContactsResponse listed;
  ASSERT_TRUE(
      intake_
          ->ListContacts(TestCluster::ContextFor(testing::kManagerToken).get(),
                         list, &listed)
          .ok());
  EXPECT_EQ(listed.contacts_size(), 8);
  v1::GetFrontDoorFiguresResponse fresh;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &fresh).ok());
  EXPECT_EQ(fresh.figures().this_month().contacts(), 5);

  // ...and after it comes back (empty), the figures are still the fresh ones.
  ASSERT_TRUE(cluster_->redis()->Restart().ok());
  absl::SleepFor(absl::Milliseconds(300));  // the breaker's open period
  v1::GetFrontDoorFiguresResponse back;
  ASSERT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &back).ok());
  EXPECT_EQ(back.figures().this_month().contacts(), 5);
}

TEST_F(GatewayIntegrationTest, TokensAreRequired) {
  grpc::ClientContext none;
  sgm::gateway::v1::WhoAmIRequest request;
  sgm::gateway::v1::WhoAmIResponse response;
  EXPECT_EQ(gateway_->WhoAmI(&none, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetContactCode("not-a-token", "C1"),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext bare;
  bare.AddMetadata("authorization", std::string(testing::kAdminToken));
  EXPECT_EQ(gateway_->WhoAmI(&bare, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "the Bearer scheme is required";
}

TEST_F(GatewayIntegrationTest, WhoAmIForEveryRole) {
  struct Case {
    absl::string_view token;
    sgm::gateway::v1::Role role;
    const char* authority;
    const char* agency;
  };
  for (const Case& c : {
           Case{testing::kAdminToken, sgm::gateway::v1::ROLE_ADMIN, "831", ""},
           Case{testing::kManagerToken, sgm::gateway::v1::ROLE_MANAGER, "831",
                ""},
           Case{testing::kPractitionerToken,
                sgm::gateway::v1::ROLE_PRACTITIONER, "831", ""},
           Case{testing::kAnalystToken, sgm::gateway::v1::ROLE_ANALYST, "831",
                ""},
           Case{testing::kPartnerToken, sgm::gateway::v1::ROLE_PARTNER, "831",
                "POLICE"},
           Case{testing::kOtherAuthorityToken,
                sgm::gateway::v1::ROLE_PRACTITIONER, "892", ""},
       }) {
    sgm::gateway::v1::WhoAmIResponse who;
    ASSERT_TRUE(gateway_
                    ->WhoAmI(TestCluster::ContextFor(c.token).get(),
                             sgm::gateway::v1::WhoAmIRequest(), &who)
                    .ok());
    EXPECT_EQ(who.role(), c.role);
    EXPECT_EQ(who.authority(), c.authority);
    EXPECT_EQ(who.agency(), c.agency);
  }
}

TEST_F(GatewayIntegrationTest, RoleRules) {
  v1::ImportContactsResponse imported;
  ASSERT_TRUE(
      Import(testing::kPractitionerToken, Feed(), "POLICE", &imported).ok());

  // Child-level reads: practitioner and above only.
  EXPECT_EQ(GetContactCode(testing::kPractitionerToken, "POLICE:J1"),
            grpc::StatusCode::OK);
  EXPECT_EQ(GetContactCode(testing::kManagerToken, "POLICE:J1"),
            grpc::StatusCode::OK);
  EXPECT_EQ(GetContactCode(testing::kAdminToken, "POLICE:J1"),
            grpc::StatusCode::OK);
  EXPECT_EQ(GetContactCode(testing::kAnalystToken, "POLICE:J1"),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetContactCode(testing::kPartnerToken, "POLICE:J1"),
            grpc::StatusCode::PERMISSION_DENIED);
  // Another authority's practitioner does not see 831's contacts.
  EXPECT_EQ(GetContactCode(testing::kOtherAuthorityToken, "POLICE:J1"),
            grpc::StatusCode::NOT_FOUND);

  v1::ListContactsResponse listed;
  EXPECT_EQ(
      intake_
          ->ListContacts(TestCluster::ContextFor(testing::kAnalystToken).get(),
                         v1::ListContactsRequest(), &listed)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // Aggregates: analyst yes, partner no.
  v1::GetFrontDoorFiguresResponse figures;
  EXPECT_TRUE(Figures(testing::kAnalystToken, 2024, 6, &figures).ok());
  EXPECT_EQ(Figures(testing::kPartnerToken, 2024, 6, &figures).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A partner may only import contacts, and only as itself.
  v1::CreateContactRequest create;
  create.mutable_contact()->set_source_record_id("X1");
  v1::CreateContactResponse created;
  EXPECT_EQ(
      intake_
          ->CreateContact(TestCluster::ContextFor(testing::kPartnerToken).get(),
                          create, &created)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ImportDecisionsResponse decided;
  EXPECT_EQ(testing::SendDecisions(
                *intake_, TestCluster::ContextFor(testing::kPartnerToken).get(),
                "contact_ref,decided_at,outcome\n", &decided)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status other_agency =
      Import(testing::kPartnerToken, Feed(), "HEALTH", &imported);
  EXPECT_EQ(other_agency.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(other_agency.error_message(), HasSubstr("own agency"));
  // An analyst cannot import.
  EXPECT_EQ(
      Import(testing::kAnalystToken, Feed(), "POLICE", &imported).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GatewayIntegrationTest, IntakeDownIsUnavailableNotACrash) {
  cluster_->StopIntake();
  v1::GetFrontDoorFiguresResponse figures;
  EXPECT_EQ(Figures(testing::kAnalystToken, 2024, 6, &figures).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(cluster_->RestartIntake().ok());
  grpc::Status s;
  // The gateway's channel reconnects.
  for (int i = 0; i < 50; ++i) {
    s = Figures(testing::kAnalystToken, 2024, 6, &figures);
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace sgm
