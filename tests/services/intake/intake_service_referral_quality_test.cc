// GetReferralQuality and ImportContacts' file_quality, called directly (as
// the gateway calls them), on a real SQLite file and a real redis-server.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/redis_cache.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = ::sgm::intake::v1;

constexpr char kHeader[] =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n";
// 61 characters: long enough for the summary item (50).
constexpr char kLongSummary[] =
    "Child disclosed at school that there is no food at home often";

// POLICE, scored with the default rules:
//   P1 (May) everything: 100.
//   P2 (May) child_id 25 + concerns 20 = 45 (below 60); N0 is no need, the
//      summary is short.
//   P3 (June) nothing: 0 (below).
//   line 5: source code 99, rejected, not scored.
// File: 3 scored, mean 145 / 3 = 48.3, 2 below; missing child_dob,
// primary_need, referrer_org, summary twice each, child_id and concerns
// once: the top five by count then name leave concerns out.
std::string PoliceFile() {
  return absl::StrCat(
      kHeader, "P1,2024-05-02T09:00:00+01:00,CH1,2016-01-01,6,N1,NEGLECT,",
      "Force,", kLongSummary, "\n",
      "P2,2024-05-10T09:00:00+01:00,CH2,,6,N0,PHYSICAL,,short\n",
      "P3,2024-06-03T09:00:00+01:00,,,6,,,,\n",
      "P4,2024-06-04T09:00:00+01:00,CH4,,99,N1,,,\n");
}

// SCHOOL:
//   S1 (May) no child_id, no dob: 15 + 20 + 10 + 20 = 65.
//   S2 (June) everything: 100.
// File: 2 scored, mean 82.5, none below; child_dob and child_id once each.
std::string SchoolFile() {
  return absl::StrCat(
      kHeader, "S1,2024-05-15T10:00:00+01:00,,,2A,N4,NEGLECT,Upper School,",
      kLongSummary, "\n",
      "S2,2024-06-05T10:00:00+01:00,CH5,2012-02-02,2A,N5,EMOTIONAL,Upper "
      "School,",
      kLongSummary, "\n");
}

class IntakeServiceReferralQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = testing::TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    stub_ = v1::IntakeService::NewStub(grpc::CreateChannel(
        cluster_->intake_address(), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<grpc::ClientContext> As(Role role) {
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

  v1::ImportContactsResponse Import(const std::string& feed,
                                    const std::string& agency) {
    v1::ImportContactsResponse response;
    grpc::Status s = testing::SendContacts(
        *stub_, As(Role::kPractitioner).get(), feed, agency, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  void ImportBoth() {
    Import(PoliceFile(), "POLICE");
    Import(SchoolFile(), "SCHOOL");
  }

  static v1::GetReferralQualityRequest MayToJune() {
    v1::GetReferralQualityRequest request;
    request.mutable_from()->set_year(2024);
    request.mutable_from()->set_month(5);
    request.mutable_to()->set_year(2024);
    request.mutable_to()->set_month(6);
    return request;
  }

  grpc::Status Call(const v1::GetReferralQualityRequest& request,
                    v1::GetReferralQualityResponse* response) {
    return stub_->GetReferralQuality(As(Role::kAnalyst).get(), request,
                                     response);
  }

  v1::GetReferralQualityResponse Quality(
      const v1::GetReferralQualityRequest& request = MayToJune()) {
    v1::GetReferralQualityResponse response;
    grpc::Status s = Call(request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  std::unique_ptr<testing::TestCluster> cluster_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

void ExpectGap(const v1::QualityGap& gap, const std::string& item,
               int64_t contacts, double percent) {
  EXPECT_EQ(gap.item(), item);
  EXPECT_EQ(gap.contacts(), contacts);
  EXPECT_DOUBLE_EQ(gap.percent(), percent);
}

void ExpectPoint(const v1::ReferralQualityPoint& p, int64_t contacts,
                 double mean, int64_t below, double below_percent) {
  EXPECT_EQ(p.contacts(), contacts);
  ASSERT_TRUE(p.has_mean_score());
  EXPECT_DOUBLE_EQ(p.mean_score(), mean);
  EXPECT_EQ(p.below_threshold(), below);
  ASSERT_TRUE(p.has_below_threshold_percent());
  EXPECT_DOUBLE_EQ(p.below_threshold_percent(), below_percent);
}

// The hand-worked figures of the two files over May-June 2024.
void ExpectMayToJune(const v1::GetReferralQualityResponse& r) {
  EXPECT_EQ(r.from().year(), 2024);
  EXPECT_EQ(r.from().month(), 5);
  EXPECT_EQ(r.to().month(), 6);
  EXPECT_EQ(r.threshold(), 60);
  ASSERT_EQ(r.rules_size(), 6);
  EXPECT_EQ(r.rules(0).item(), "child_id");
  EXPECT_EQ(r.rules(0).weight(), 25);
  EXPECT_EQ(r.rules(5).item(), "summary");
  EXPECT_EQ(r.rules(5).weight(), 20);
  EXPECT_THAT(r.rules(5).description(), HasSubstr("50 characters"));

  // All: 100 + 45 + 0 + 65 + 100 = 310 of 500: 62.0; 2 of 5 below: 40.0%.
  const v1::AgencyReferralQuality& all = r.all_agencies();
  ExpectPoint(all.total(), 5, 62.0, 2, 40.0);
  EXPECT_FALSE(all.total().has_month());
  ASSERT_EQ(all.trend_size(), 2);
  // May: P1, P2, S1 = (100 + 45 + 65) / 3 = 70.0, 1 below.
  EXPECT_EQ(all.trend(0).month().month(), 5);
  ExpectPoint(all.trend(0), 3, 70.0, 1, 33.3);
  // June: P3, S2 = (0 + 100) / 2 = 50.0, 1 below.
  EXPECT_EQ(all.trend(1).month().month(), 6);
  ExpectPoint(all.trend(1), 2, 50.0, 1, 50.0);
  // child_dob: P2, P3, S1; child_id: P3, S1; primary_need, referrer_org,
  // summary: P2, P3; concerns: P3 only (sixth, left out).
  ASSERT_EQ(all.top_gaps_size(), 5);
  ExpectGap(all.top_gaps(0), "child_dob", 3, 60.0);
  ExpectGap(all.top_gaps(1), "child_id", 2, 40.0);
  ExpectGap(all.top_gaps(2), "primary_need", 2, 40.0);
  ExpectGap(all.top_gaps(3), "referrer_org", 2, 40.0);
  ExpectGap(all.top_gaps(4), "summary", 2, 40.0);

  // POLICE (48.3) before SCHOOL (82.5).
  ASSERT_EQ(r.agencies_size(), 2);
  EXPECT_EQ(r.agencies(0).agency(), "POLICE");
  ExpectPoint(r.agencies(0).total(), 3, 48.3, 2, 66.7);
  ASSERT_EQ(r.agencies(0).trend_size(), 2);
  ExpectPoint(r.agencies(0).trend(0), 2, 72.5, 1, 50.0);
  ExpectPoint(r.agencies(0).trend(1), 1, 0.0, 1, 100.0);
  EXPECT_EQ(r.agencies(1).agency(), "SCHOOL");
  ExpectPoint(r.agencies(1).total(), 2, 82.5, 0, 0.0);
  ASSERT_EQ(r.agencies(1).top_gaps_size(), 2);
  ExpectGap(r.agencies(1).top_gaps(0), "child_dob", 1, 50.0);
  ExpectGap(r.agencies(1).top_gaps(1), "child_id", 1, 50.0);
}

void ExpectPoliceFileQuality(const v1::FileReferralQuality& q) {
  EXPECT_EQ(q.contacts(), 3);
  ASSERT_TRUE(q.has_mean_score());
  EXPECT_DOUBLE_EQ(q.mean_score(), 48.3);
  EXPECT_EQ(q.below_threshold(), 2);
  EXPECT_EQ(q.threshold(), 60);
  ASSERT_EQ(q.top_gaps_size(), 5);
  ExpectGap(q.top_gaps(0), "child_dob", 2, 66.7);
  ExpectGap(q.top_gaps(1), "primary_need", 2, 66.7);
  ExpectGap(q.top_gaps(2), "referrer_org", 2, 66.7);
  ExpectGap(q.top_gaps(3), "summary", 2, 66.7);
  ExpectGap(q.top_gaps(4), "child_id", 1, 33.3);
}

TEST_F(IntakeServiceReferralQualityTest, MatchesHandWorkedValues) {
  ImportBoth();
  ExpectMayToJune(Quality());

  // One agency: its contacts alone.
  v1::GetReferralQualityRequest school = MayToJune();
  school.set_agency("SCHOOL");
  const v1::GetReferralQualityResponse only = Quality(school);
  ExpectPoint(only.all_agencies().total(), 2, 82.5, 0, 0.0);
  ASSERT_EQ(only.agencies_size(), 1);
  EXPECT_EQ(only.agencies(0).agency(), "SCHOOL");

  // `from` defaults to 11 months before `to`: July 2023 to June 2024.
  v1::GetReferralQualityRequest year;
  year.mutable_to()->set_year(2024);
  year.mutable_to()->set_month(6);
  const v1::GetReferralQualityResponse twelve = Quality(year);
  EXPECT_EQ(twelve.from().year(), 2023);
  EXPECT_EQ(twelve.from().month(), 7);
  ASSERT_EQ(twelve.all_agencies().trend_size(), 12);
  EXPECT_EQ(twelve.all_agencies().trend(0).contacts(), 0);
  EXPECT_FALSE(twelve.all_agencies().trend(0).has_mean_score());
  EXPECT_EQ(twelve.all_agencies().total().contacts(), 5);
}

TEST_F(IntakeServiceReferralQualityTest, ImportCarriesTheFilesQuality) {
  const v1::ImportContactsResponse police = Import(PoliceFile(), "POLICE");
  EXPECT_EQ(police.summary().accepted(), 3);
  EXPECT_EQ(police.summary().rejected(), 1);
  ExpectPoliceFileQuality(police.file_quality());

  const v1::ImportContactsResponse school = Import(SchoolFile(), "SCHOOL");
  const v1::FileReferralQuality& q = school.file_quality();
  EXPECT_EQ(q.contacts(), 2);
  EXPECT_DOUBLE_EQ(q.mean_score(), 82.5);
  EXPECT_EQ(q.below_threshold(), 0);
  ASSERT_EQ(q.top_gaps_size(), 2);
  ExpectGap(q.top_gaps(0), "child_dob", 1, 50.0);
  ExpectGap(q.top_gaps(1), "child_id", 1, 50.0);

  // The same file again: all duplicates, scored the same.
  const v1::ImportContactsResponse again = Import(PoliceFile(), "POLICE");
  EXPECT_EQ(again.summary().accepted(), 0);
  EXPECT_EQ(again.summary().duplicates(), 3);
  EXPECT_EQ(again.summary().rejected(), 1);
  ExpectPoliceFileQuality(again.file_quality());

  // A file of rejections only: nothing scored, no mean.
  const v1::ImportContactsResponse bad =
      Import(absl::StrCat(kHeader, "X1,2024-06-04T09:00:00+01:00,,,99,,,,\n"),
             "POLICE");
  EXPECT_EQ(bad.file_quality().contacts(), 0);
  EXPECT_FALSE(bad.file_quality().has_mean_score());
  EXPECT_EQ(bad.file_quality().threshold(), 60);
}

TEST_F(IntakeServiceReferralQualityTest, CachedUntilAWrite) {
  ImportBoth();
  ExpectMayToJune(Quality());
  const std::string pattern = "sgm:831:intake:g*:refquality:v1:*";
  auto keys = cluster_->redis()->Keys(pattern);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  const std::string first_key = keys->front();

  // The second read is served from that key: plant a value there and it is
  // what comes back (nothing was written in between).
  const std::string prefix = "sgm:831:intake:g";
  const size_t colon = first_key.find(':', prefix.size());
  const int64_t generation =
      std::stoll(first_key.substr(prefix.size(), colon - prefix.size()));
  RedisCache::Options options;
  options.port = cluster_->redis()->port();
  SystemClock clock;
  RedisCache planter(options, &clock);
  v1::GetReferralQualityResponse planted = Quality();
  planted.mutable_all_agencies()->mutable_total()->set_contacts(999);
  planter.Put("831", "intake", generation, first_key.substr(colon + 1),
              planted.SerializeAsString());
  EXPECT_EQ(Quality().all_agencies().total().contacts(), 999);
  keys = cluster_->redis()->Keys(pattern);
  ASSERT_TRUE(keys.ok());
  EXPECT_THAT(*keys, ElementsAre(first_key));

  // A new import is seen by the next read: S3 (June, everything: 100)
  // makes 6 contacts, 410 of 600 = 68.3.
  Import(absl::StrCat(kHeader,
                      "S3,2024-06-06T10:00:00+01:00,CH6,2013-03-03,2A,N1,"
                      "NEGLECT,Upper School,",
                      kLongSummary, "\n"),
         "SCHOOL");
  const v1::GetReferralQualityResponse after = Quality();
  ExpectPoint(after.all_agencies().total(), 6, 68.3, 2, 33.3);
  keys = cluster_->redis()->Keys(pattern);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
}

TEST_F(IntakeServiceReferralQualityTest, RedisDownStillAnswers) {
  ImportBoth();
  cluster_->redis()->Stop();
  ExpectMayToJune(Quality());
  ExpectMayToJune(Quality());
}

TEST_F(IntakeServiceReferralQualityTest, RefusesBadRanges) {
  v1::GetReferralQualityResponse response;
  v1::GetReferralQualityRequest no_to;
  no_to.mutable_from()->set_year(2024);
  no_to.mutable_from()->set_month(5);
  grpc::Status s = Call(no_to, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("to: required"));

  v1::GetReferralQualityRequest backwards = MayToJune();
  backwards.mutable_from()->set_month(7);
  s = Call(backwards, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("from"));

  // July 2019 to June 2024 is 60 months: answered; June 2019, 61: refused.
  v1::GetReferralQualityRequest sixty = MayToJune();
  sixty.mutable_from()->set_year(2019);
  sixty.mutable_from()->set_month(7);
  ASSERT_TRUE(Call(sixty, &response).ok());
  EXPECT_EQ(response.all_agencies().trend_size(), 60);
  sixty.mutable_from()->set_month(6);
  s = Call(sixty, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("60 months"));

  v1::GetReferralQualityRequest bad_month = MayToJune();
  bad_month.mutable_to()->set_month(13);
  s = Call(bad_month, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("to"));

  v1::GetReferralQualityRequest bad_agency = MayToJune();
  bad_agency.set_agency("NOT AN AGENCY");
  s = Call(bad_agency, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("agency"));
}

}  // namespace
}  // namespace sgm::intake
