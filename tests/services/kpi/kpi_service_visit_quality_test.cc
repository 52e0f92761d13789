// Visit quality and the category funnel end to end: a small case-events
// file with CIN visits and categories imported through the gateway, the
// figures read from the KPI service (worked out by hand below), served from
// the cache until a new event, answered with Redis gone, bad ranges
// refused. A real redis-server and real SQLite files. Also the store's
// filtered read the figures use.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/redis_cache.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"

namespace sgm::kpi {
namespace {

using ::sgm::testing::TestCluster;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Visits, March to May 2024:
//   CP1 (K1): v01 31 Mar F2F alone; v02 1 Apr virtual, not alone; v03
//   15 Apr no mode, alone; v04 29 Feb (before the range).
//   CLA1 (K3): c01 30 Apr F2F alone.
//   CIN1 (K2): n01 31 May F2F not alone; n02 1 May virtual, no seen-alone.
//   March CP: 1 visit, 1/1 F2F = 100.0, 1/1 alone = 100.0.
//   April CP: 2 visits, modes 1 (virtual) -> 0/1 = 0.0; seen alone
//   recorded 2, alone 1 -> 50.0. April CLA: 1, 100.0, 100.0.
//   May CIN: 2 visits, modes 2, F2F 1 -> 50.0; seen alone recorded 1,
//   alone 0 -> 0.0.
//   Range: CP 3 visits, F2F 1/2 = 50.0, alone 2/3 = 66.7; CLA as April;
//   CIN as May.
// Funnel, April to May 2024:
//   K4: referral R4 25 Mar PHY (before the range); S47 S4 3 Apr without a
//   category -> PHY (its referral's); ICPC 20 Apr without -> PHY; CP plan
//   CP4 22 Apr EMO, traced to R4: a change PHY -> EMO.
//   K5: referral R5 2 Apr PHY; S47 S5 4 Apr SAB; ICPC 2 May without ->
//   SAB (its S47's).
//   K6: referral R6 10 May without a category -> NONE.
//   Referral: 2 (PHY 1 = 50.0, NONE 1 = 50.0). S47: 2 (PHY 1, SAB 1).
//   ICPC: 2 (PHY 1, SAB 1). CP plan: 1 (EMO 1 = 100.0). Traced 1.
constexpr char kEvents[] =
    "event_id,event_type,child_id,ref_id,parent_ref_id,event_date,category,"
    "outcome,long_term,visit_mode,seen_alone\n"
    "p1,CP_PLAN_START,K1,CP1,,2024-01-15,NEG,,,,\n"
    "v01,CP_VISIT,K1,CP1,,2024-03-31,,,,FACE_TO_FACE,Y\n"
    "v02,CP_VISIT,K1,CP1,,2024-04-01,,,,VIRTUAL,N\n"
    "v03,CP_VISIT,K1,CP1,,2024-04-15,,,,,Y\n"
    "v04,CP_VISIT,K1,CP1,,2024-02-29,,,,FACE_TO_FACE,Y\n"
    "p2,CIN_PLAN_START,K2,CIN1,,2024-03-01,,,,,\n"
    "n01,CIN_VISIT,K2,CIN1,,2024-05-31,,,,FACE_TO_FACE,N\n"
    "n02,CIN_VISIT,K2,CIN1,,2024-05-01,,,,VIRTUAL,\n"
    "p3,CLA_START,K3,CLA1,,2024-02-01,,,N,,\n"
    "c01,CLA_VISIT,K3,CLA1,,2024-04-30,,,,FACE_TO_FACE,Y\n"
    "r01,REFERRAL,K4,R4,,2024-03-25,PHY,,,,\n"
    "s01,S47_START,K4,S4,R4,2024-04-03,,,,,\n"
    "i01,ICPC,K4,S4,R4,2024-04-20,,CP_PLAN,,,\n"
    "p4,CP_PLAN_START,K4,CP4,,2024-04-22,EMO,,,,\n"
    "r02,REFERRAL,K5,R5,,2024-04-02,PHY,,,,\n"
    "s02,S47_START,K5,S5,R5,2024-04-04,SAB,,,,\n"
    "i02,ICPC,K5,S5,R5,2024-05-02,,NO_PLAN,,,\n"
    "r03,REFERRAL,K6,R6,,2024-05-10,,,,,\n"
    // Line 20: rejected, a category where none is used.
    "x01,CIN_VISIT,K2,CIN1,,2024-05-02,NEG,,,,\n";

v1::VisitKind kCp = v1::VISIT_KIND_CHILD_PROTECTION;
v1::VisitKind kCla = v1::VISIT_KIND_CHILD_IN_CARE;
v1::VisitKind kCin = v1::VISIT_KIND_CHILD_IN_NEED;

sgm::type::v1::YearMonth Month(int year, int month) {
  sgm::type::v1::YearMonth m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

struct Want {
  int64_t visits, mode_recorded, face_to_face;
  std::optional<double> face_to_face_percent;
  int64_t seen_alone_recorded, seen_alone;
  std::optional<double> seen_alone_percent;
};

void Expect(const v1::VisitQuality& got, v1::VisitKind kind, const Want& w) {
  SCOPED_TRACE(v1::VisitKind_Name(kind));
  EXPECT_EQ(got.kind(), kind);
  EXPECT_EQ(got.visits(), w.visits);
  EXPECT_EQ(got.mode_recorded(), w.mode_recorded);
  EXPECT_EQ(got.face_to_face(), w.face_to_face);
  EXPECT_EQ(got.has_face_to_face_percent(), w.face_to_face_percent.has_value());
  if (w.face_to_face_percent) {
    EXPECT_DOUBLE_EQ(got.face_to_face_percent(), *w.face_to_face_percent);
  }
  EXPECT_EQ(got.seen_alone_recorded(), w.seen_alone_recorded);
  EXPECT_EQ(got.seen_alone(), w.seen_alone);
  EXPECT_EQ(got.has_seen_alone_percent(), w.seen_alone_percent.has_value());
  if (w.seen_alone_percent) {
    EXPECT_DOUBLE_EQ(got.seen_alone_percent(), *w.seen_alone_percent);
  }
}

constexpr Want kNone = {0, 0, 0, std::nullopt, 0, 0, std::nullopt};

void ExpectMarchToMay(const v1::GetVisitQualityResponse& r) {
  EXPECT_EQ(r.from().year(), 2024);
  EXPECT_EQ(r.from().month(), 3);
  EXPECT_EQ(r.to().month(), 5);
  ASSERT_EQ(r.totals_size(), 3);
  EXPECT_FALSE(r.totals(0).has_month());
  Expect(r.totals(0), kCp, {3, 2, 1, 50.0, 3, 2, 66.7});
  Expect(r.totals(1), kCla, {1, 1, 1, 100.0, 1, 1, 100.0});
  Expect(r.totals(2), kCin, {2, 2, 1, 50.0, 1, 0, 0.0});
  ASSERT_EQ(r.months_size(), 9);  // 3 months x 3 kinds
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(r.months(i).month().month(), 3 + i / 3) << i;
  }
  Expect(r.months(0), kCp, {1, 1, 1, 100.0, 1, 1, 100.0});
  Expect(r.months(1), kCla, kNone);
  Expect(r.months(2), kCin, kNone);
  Expect(r.months(3), kCp, {2, 1, 0, 0.0, 2, 1, 50.0});
  Expect(r.months(4), kCla, {1, 1, 1, 100.0, 1, 1, 100.0});
  Expect(r.months(5), kCin, kNone);
  Expect(r.months(6), kCp, kNone);
  Expect(r.months(7), kCla, kNone);
  Expect(r.months(8), kCin, {2, 2, 1, 50.0, 1, 0, 0.0});
}

// "CODE count percent" per category, for compact comparisons.
std::vector<std::string> Categories(const v1::FunnelStageCounts& stage) {
  std::vector<std::string> out;
  for (const v1::CategoryCount& c : stage.by_category()) {
    out.push_back(absl::StrCat(c.category(), " ", c.count(), " ", c.percent()));
  }
  return out;
}

void ExpectAprilToMay(const v1::GetCategoryFunnelResponse& r) {
  EXPECT_EQ(r.from().month(), 4);
  EXPECT_EQ(r.to().month(), 5);
  ASSERT_EQ(r.stages_size(), 4);
  EXPECT_EQ(r.stages(0).stage(), v1::FUNNEL_STAGE_REFERRAL);
  EXPECT_EQ(r.stages(0).total(), 2);
  EXPECT_THAT(Categories(r.stages(0)),
              ElementsAre("NEG 0 0", "PHY 1 50", "SAB 0 0", "EMO 0 0",
                          "MUL 0 0", "NONE 1 50"));
  EXPECT_EQ(r.stages(1).stage(), v1::FUNNEL_STAGE_S47);
  EXPECT_EQ(r.stages(1).total(), 2);
  EXPECT_THAT(Categories(r.stages(1)),
              ElementsAre("NEG 0 0", "PHY 1 50", "SAB 1 50", "EMO 0 0",
                          "MUL 0 0", "NONE 0 0"));
  EXPECT_EQ(r.stages(2).stage(), v1::FUNNEL_STAGE_ICPC);
  EXPECT_EQ(r.stages(2).total(), 2);
  EXPECT_THAT(Categories(r.stages(2)),
              ElementsAre("NEG 0 0", "PHY 1 50", "SAB 1 50", "EMO 0 0",
                          "MUL 0 0", "NONE 0 0"));
  EXPECT_EQ(r.stages(3).stage(), v1::FUNNEL_STAGE_CP_PLAN);
  EXPECT_EQ(r.stages(3).total(), 1);
  EXPECT_THAT(Categories(r.stages(3)),
              ElementsAre("NEG 0 0", "PHY 0 0", "SAB 0 0", "EMO 1 100",
                          "MUL 0 0", "NONE 0 0"));
  EXPECT_EQ(r.plans_traced(), 1);
  ASSERT_EQ(r.changes_size(), 1);
  EXPECT_EQ(r.changes(0).from(), "PHY");
  EXPECT_EQ(r.changes(0).to(), "EMO");
  EXPECT_EQ(r.changes(0).plans(), 1);
}

class KpiServiceVisitQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = TestCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    gateway_ = v1::KpiService::NewStub(cluster_->gateway_channel());
    ConnectKpi();
  }

  // The figures are read from the KPI service itself (the gateway's
  // routes for them are the gateway's business).
  void ConnectKpi() {
    kpi_ = v1::KpiService::NewStub(grpc::CreateChannel(
        cluster_->kpi_address(), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> AnalystOf(
      absl::string_view authority) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    CallerIdentity who;
    who.caller = "test-analyst";
    who.role = Role::kAnalyst;
    who.authority = std::string(authority);
    AttachIdentity(who, context.get());
    return context;
  }

  void ImportTheFile() {
    v1::ImportCaseEventsResponse imported;
    auto context = TestCluster::ContextFor(testing::kPractitionerToken);
    auto writer = gateway_->ImportCaseEvents(context.get(), &imported);
    grpc::Status s = testing::SendChunks<v1::ImportCaseEventsRequest>(
        *writer, kEvents, 61, feed::v1::FEED_FORMAT_CSV,
        [](v1::ImportCaseEventsRequest*) {});
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(imported.summary().accepted(), 18);
    ASSERT_EQ(imported.summary().rejections_size(), 1);
    EXPECT_EQ(imported.summary().rejections(0).line(), 20);
    EXPECT_EQ(imported.summary().rejections(0).field(), "category");
  }

  void Record(const v1::CaseEvent& event) {
    v1::RecordCaseEventRequest request;
    *request.mutable_event() = event;
    v1::RecordCaseEventResponse response;
    grpc::Status s = gateway_->RecordCaseEvent(
        TestCluster::ContextFor(testing::kPractitionerToken).get(), request,
        &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status VisitQuality(std::optional<sgm::type::v1::YearMonth> from,
                            std::optional<sgm::type::v1::YearMonth> to,
                            v1::GetVisitQualityResponse* response,
                            absl::string_view authority = "831") {
    v1::GetVisitQualityRequest request;
    if (from) *request.mutable_from() = *from;
    if (to) *request.mutable_to() = *to;
    return kpi_->GetVisitQuality(AnalystOf(authority).get(), request, response);
  }

  grpc::Status Funnel(std::optional<sgm::type::v1::YearMonth> from,
                      std::optional<sgm::type::v1::YearMonth> to,
                      v1::GetCategoryFunnelResponse* response) {
    v1::GetCategoryFunnelRequest request;
    if (from) *request.mutable_from() = *from;
    if (to) *request.mutable_to() = *to;
    return kpi_->GetCategoryFunnel(AnalystOf("831").get(), request, response);
  }

  v1::GetVisitQualityResponse MarchToMay() {
    v1::GetVisitQualityResponse r;
    grpc::Status s = VisitQuality(Month(2024, 3), Month(2024, 5), &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  v1::GetCategoryFunnelResponse AprilToMay() {
    v1::GetCategoryFunnelResponse r;
    grpc::Status s = Funnel(Month(2024, 4), Month(2024, 5), &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  // The one cached key matching `pattern`: (generation, key after it).
  std::pair<int64_t, std::string> CachedKey(const std::string& pattern) {
    absl::StatusOr<std::vector<std::string>> keys =
        cluster_->redis()->Keys(pattern);
    EXPECT_TRUE(keys.ok()) << keys.status();
    if (!keys.ok() || keys->size() != 1) {
      ADD_FAILURE() << "expected one key matching " << pattern;
      return {0, ""};
    }
    constexpr absl::string_view kPrefix = "sgm:831:kpi:g";
    absl::string_view rest = (*keys)[0];
    rest.remove_prefix(kPrefix.size());
    const size_t colon = rest.find(':');
    int64_t generation = 0;
    EXPECT_TRUE(absl::SimpleAtoi(rest.substr(0, colon), &generation));
    return {generation, std::string(rest.substr(colon + 1))};
  }

  // Writes `value` into the cluster's Redis as the service would.
  void PutInCache(int64_t generation, const std::string& key,
                  const std::string& value) {
    RedisCache::Options options;
    options.port = cluster_->redis()->port();
    RedisCache cache(options, &clock_);
    cache.Put("831", "kpi", generation, key, value);
  }

  SystemClock clock_;
  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<v1::KpiService::Stub> gateway_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
};

v1::CaseEvent Event(const std::string& id, v1::EventType type,
                    const std::string& child, const std::string& ref, int month,
                    int day) {
  v1::CaseEvent e;
  e.set_event_id(id);
  e.set_event_type(type);
  e.set_child_id(child);
  e.set_ref_id(ref);
  e.mutable_event_date()->set_year(2024);
  e.mutable_event_date()->set_month(month);
  e.mutable_event_date()->set_day(day);
  return e;
}

TEST_F(KpiServiceVisitQualityTest, HandWorkedFiguresFromTheImportedFile) {
  ImportTheFile();
  ExpectMarchToMay(MarchToMay());
  ExpectAprilToMay(AprilToMay());
}

TEST_F(KpiServiceVisitQualityTest, TheRangeDefaultsToTwelveMonths) {
  ImportTheFile();
  v1::GetVisitQualityResponse r;
  ASSERT_TRUE(VisitQuality(std::nullopt, Month(2024, 5), &r).ok());
  EXPECT_EQ(r.from().year(), 2023);
  EXPECT_EQ(r.from().month(), 6);
  ASSERT_EQ(r.months_size(), 36);
  // v04 (29 Feb) is in the range now: 4 CP visits, 2 of 3 face to face.
  Expect(r.totals(0), kCp, {4, 3, 2, 66.7, 4, 3, 75.0});
  v1::GetCategoryFunnelResponse f;
  ASSERT_TRUE(Funnel(std::nullopt, Month(2024, 5), &f).ok());
  EXPECT_EQ(f.from().month(), 6);
  // r01 (25 Mar) and CP1 (15 Jan, NEG, no referral: not traced) are in the
  // range now.
  EXPECT_EQ(f.stages(0).total(), 3);
  EXPECT_EQ(f.stages(3).total(), 2);
  EXPECT_EQ(f.plans_traced(), 1);
}

TEST_F(KpiServiceVisitQualityTest, CachedUntilANewEvent) {
  ImportTheFile();
  const v1::GetVisitQualityResponse visits = MarchToMay();
  const v1::GetCategoryFunnelResponse funnel = AprilToMay();
  const auto [visits_generation, visits_key] =
      CachedKey("sgm:831:kpi:g*:visit_quality:v1:2024-03:2024-05:*");
  const auto [funnel_generation, funnel_key] =
      CachedKey("sgm:831:kpi:g*:category_funnel:v1:2024-04:2024-05:*");
  ASSERT_GT(visits_generation, 0);
  EXPECT_EQ(funnel_generation, visits_generation);

  // Served from the cache: a doctored value under the same key comes back.
  v1::GetVisitQualityResponse doctored_visits = visits;
  doctored_visits.mutable_totals(0)->set_visits(999);
  PutInCache(visits_generation, visits_key,
             doctored_visits.SerializeAsString());
  v1::GetCategoryFunnelResponse doctored_funnel = funnel;
  doctored_funnel.set_plans_traced(999);
  PutInCache(funnel_generation, funnel_key,
             doctored_funnel.SerializeAsString());
  EXPECT_EQ(MarchToMay().totals(0).visits(), 999);
  EXPECT_EQ(AprilToMay().plans_traced(), 999);

  // A new event: the next reads are computed afresh and include it.
  v1::CaseEvent visit =
      Event("n03", v1::EVENT_TYPE_CIN_VISIT, "K2", "CIN1", 5, 15);
  visit.set_visit_mode("FACE_TO_FACE");
  visit.set_seen_alone(true);
  Record(visit);
  const v1::GetVisitQualityResponse after = MarchToMay();
  Expect(after.totals(0), kCp, {3, 2, 1, 50.0, 3, 2, 66.7});
  // CIN: 3 visits, 2 of 3 face to face, 1 of 2 alone.
  Expect(after.totals(2), kCin, {3, 3, 2, 66.7, 2, 1, 50.0});
  Expect(after.months(8), kCin, {3, 3, 2, 66.7, 2, 1, 50.0});

  // A CP plan for K5 (PHY), traced to R5 (PHY): no change.
  v1::CaseEvent plan =
      Event("p5", v1::EVENT_TYPE_CP_PLAN_START, "K5", "CP5", 5, 20);
  plan.set_category("PHY");
  Record(plan);
  const v1::GetCategoryFunnelResponse later = AprilToMay();
  EXPECT_EQ(later.stages(3).total(), 2);
  EXPECT_THAT(Categories(later.stages(3)),
              ElementsAre("NEG 0 0", "PHY 1 50", "SAB 0 0", "EMO 1 50",
                          "MUL 0 0", "NONE 0 0"));
  EXPECT_EQ(later.plans_traced(), 2);
  ASSERT_EQ(later.changes_size(), 1);
  EXPECT_EQ(later.changes(0).from(), "PHY");
}

TEST_F(KpiServiceVisitQualityTest, RedisDownStillAnswersCorrectly) {
  ImportTheFile();
  const v1::GetVisitQualityResponse cached = MarchToMay();
  cluster_->redis()->Stop();
  const v1::GetVisitQualityResponse uncached = MarchToMay();
  ExpectMarchToMay(uncached);
  EXPECT_EQ(uncached.SerializeAsString(), cached.SerializeAsString());
  ExpectAprilToMay(AprilToMay());
  // And after a cold restart of the service, Redis still gone.
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  ConnectKpi();
  ExpectMarchToMay(MarchToMay());
}

TEST_F(KpiServiceVisitQualityTest, AuthoritiesAreKeptApart) {
  ImportTheFile();
  v1::GetVisitQualityResponse other;
  ASSERT_TRUE(VisitQuality(Month(2024, 3), Month(2024, 5), &other, "892").ok());
  for (const v1::VisitQuality& v : other.totals()) Expect(v, v.kind(), kNone);
}

TEST_F(KpiServiceVisitQualityTest, BadRangesAreRefused) {
  v1::GetVisitQualityResponse visits;
  grpc::Status s = VisitQuality(Month(2024, 3), std::nullopt, &visits);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "to: required");
  s = VisitQuality(Month(2024, 6), Month(2024, 5), &visits);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "from: must not be after 'to'");
  s = VisitQuality(Month(2019, 5), Month(2024, 5), &visits);  // 61 months
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "from: at most 60 months a call");
  s = VisitQuality(std::nullopt, Month(2024, 13), &visits);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("to: "));
  s = VisitQuality(Month(2019, 6), Month(2024, 5), &visits);  // 60: fine
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(visits.months_size(), 180);

  v1::GetCategoryFunnelResponse funnel;
  s = Funnel(std::nullopt, std::nullopt, &funnel);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "to: required");
  s = Funnel(Month(2024, 6), Month(2024, 5), &funnel);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Funnel(Month(2019, 5), Month(2024, 5), &funnel);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // No caller identity: refused.
  grpc::ClientContext anonymous;
  v1::GetCategoryFunnelRequest request;
  *request.mutable_to() = Month(2024, 5);
  EXPECT_EQ(kpi_->GetCategoryFunnel(&anonymous, request, &funnel).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// --- the store's filtered read ---------------------------------------------

CaseEvent StoredEvent(const std::string& id, EventType type,
                      absl::CivilDay date) {
  CaseEvent e;
  e.event_id = id;
  e.type = type;
  e.child_id = "K1";
  e.ref_id = "X1";
  e.event_date = date;
  return e;
}

std::vector<std::string> Ids(const CaseEventStore::Snapshot& s) {
  std::vector<std::string> ids;
  for (const CaseEvent& e : s.events) ids.push_back(e.event_id);
  return ids;
}

TEST(LoadEventsOfTypesTest, FiltersByTypeAndInclusiveDatesInOneSnapshot) {
  testing::TempDir dir("sgm-vq-store");
  auto store = SqliteCaseEventStore::Open(dir.File("kpi.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  CaseEvent visit =
      StoredEvent("a", EventType::kCinVisit, absl::CivilDay(2024, 3, 1));
  visit.visit_mode = "VIRTUAL";
  visit.seen_alone = false;
  const std::vector<CaseEvent> events = {
      visit,
      StoredEvent("b", EventType::kCpVisit, absl::CivilDay(2024, 3, 31)),
      StoredEvent("c", EventType::kCpVisit, absl::CivilDay(2024, 4, 1)),
      StoredEvent("d", EventType::kClaVisit, absl::CivilDay(2024, 2, 29)),
      StoredEvent("e", EventType::kCpReview, absl::CivilDay(2024, 3, 15)),
      StoredEvent("f", EventType::kReferral, absl::CivilDay(2020, 1, 1)),
  };
  ASSERT_TRUE((*store)->InsertEvents("831", events).ok());
  ASSERT_TRUE((*store)->InsertEvents("892", events).ok());
  ASSERT_TRUE(
      (*store)
          ->InsertEvents("831", {StoredEvent("g", EventType::kCinVisit,
                                             absl::CivilDay(2024, 3, 2))})
          .ok());

  const EventType visits[] = {EventType::kCpVisit, EventType::kClaVisit,
                              EventType::kCinVisit};
  absl::StatusOr<CaseEventStore::Snapshot> march = (*store)->LoadEventsOfTypes(
      "831", visits, absl::CivilDay(2024, 3, 1), absl::CivilDay(2024, 3, 31));
  ASSERT_TRUE(march.ok()) << march.status();
  EXPECT_THAT(Ids(*march), UnorderedElementsAre("a", "b", "g"));
  absl::StatusOr<int64_t> generation = (*store)->Generation("831");
  ASSERT_TRUE(generation.ok());
  EXPECT_EQ(march->generation, *generation);
  for (const CaseEvent& e : march->events) {
    if (e.event_id != "a") continue;
    EXPECT_EQ(e.visit_mode, "VIRTUAL");
    EXPECT_EQ(e.seen_alone, false);
  }

  const EventType referral[] = {EventType::kReferral, EventType::kCpReview};
  absl::StatusOr<CaseEventStore::Snapshot> unbounded =
      (*store)->LoadEventsOfTypes("831", referral, std::nullopt, std::nullopt);
  ASSERT_TRUE(unbounded.ok());
  EXPECT_THAT(Ids(*unbounded), UnorderedElementsAre("e", "f"));
  absl::StatusOr<CaseEventStore::Snapshot> to_only =
      (*store)->LoadEventsOfTypes("831", referral, std::nullopt,
                                  absl::CivilDay(2024, 3, 14));
  ASSERT_TRUE(to_only.ok());
  EXPECT_THAT(Ids(*to_only), ElementsAre("f"));

  absl::StatusOr<CaseEventStore::Snapshot> none =
      (*store)->LoadEventsOfTypes("831", {}, std::nullopt, std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->events.empty());
  EXPECT_EQ(none->generation, *generation);
  absl::StatusOr<CaseEventStore::Snapshot> other =
      (*store)->LoadEventsOfTypes("892", visits, std::nullopt, std::nullopt);
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(Ids(*other), UnorderedElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(other->generation, *(*store)->Generation("892"));
  EXPECT_NE(other->generation, 0);
}

}  // namespace
}  // namespace sgm::kpi
