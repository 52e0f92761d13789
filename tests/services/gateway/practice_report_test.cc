// PracticeReportComposer with fake sources, an in-memory cache and a manual
// clock: sections marked unavailable or not deployed, the overall deadline,
// the default month, the cache, the quality-assurance section's periods,
// the practice-insight section and the what-changed settings and periods.
//
// The what-changed section's FigureComparer calls the same sources for its
// own periods, so the tests count a report piece by its name and range
// (e.g. "referral_quality:2023-06..2024-05") rather than all calls.
#include "services/gateway/practice_report.h"

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/civil_date.h"
#include "common/clock.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/gateway/abuse_funnel.h"
#include "services/gateway/figure_comparison.h"
#include "tests/support/memory_cache.h"

namespace sgm::gateway {
namespace {

using ::sgm::testing::MemoryCache;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;

// 2024-06-15 12:00 UTC.
const absl::Time kNow = absl::FromUnixSeconds(1718452800);

CallerIdentity Analyst() {
  CallerIdentity caller;
  caller.caller = "test-analyst";
  caller.role = Role::kAnalyst;
  caller.authority = "831";
  return caller;
}

// What the fake sources answer, piece by piece; shared with the test, which
// keeps a pointer after handing the sources to the composer.
struct FakeState {
  std::map<ReportBackend, bool> deployed = {{ReportBackend::kIntake, true},
                                            {ReportBackend::kKpi, true},
                                            {ReportBackend::kWorkforce, true},
                                            {ReportBackend::kQa, true}};
  // A piece's error, by name ("front_door", "indicators", ...).
  std::map<std::string, absl::Status> errors;
  // Pieces that wait for `release` (or 10 s) before answering.
  std::map<std::string, bool> slow;
  absl::Notification release;
  bool caseloads_available = true;
  std::atomic<int> calls{0};
  absl::Mutex mu;
  std::optional<absl::CivilMonth> last_month ABSL_GUARDED_BY(mu);
  std::string last_caller ABSL_GUARDED_BY(mu);
  // The periods QaFigures was asked for, as "from..to".
  std::vector<std::string> qa_periods ABSL_GUARDED_BY(mu);
  // Every call, as "piece:YYYY-MM" or "piece:YYYY-MM..YYYY-MM".
  std::vector<std::string> asked ABSL_GUARDED_BY(mu);

  // How often `call` ("referral_quality:2023-06..2024-05") was made.
  int Asked(const std::string& call) {
    absl::MutexLock lock(&mu);
    int n = 0;
    for (const std::string& a : asked) n += a == call ? 1 : 0;
    return n;
  }
  // How often `piece` was called, for any months.
  int AskedPiece(const std::string& piece) {
    absl::MutexLock lock(&mu);
    int n = 0;
    for (const std::string& a : asked) {
      n += a.substr(0, a.find(':')) == piece ? 1 : 0;
    }
    return n;
  }
};

// The fake insight answers, worked by hand for 2023-06..2024-05.
iv1::GetReferralQualityResponse FakeReferralQuality() {
  iv1::GetReferralQualityResponse response;
  response.set_threshold(60);
  iv1::AgencyReferralQuality* police = response.add_agencies();
  police->set_agency("POLICE");
  police->mutable_total()->set_contacts(120);
  police->mutable_total()->set_mean_score(71.5);
  *response.mutable_all_agencies() = *police;
  response.mutable_all_agencies()->set_agency("");
  return response;
}

iv1::GetDuplicateInputResponse FakeDuplicateInput() {
  iv1::GetDuplicateInputResponse response;
  response.mutable_total()->set_contacts_with_child(100);
  response.mutable_total()->set_duplicates(12);
  response.mutable_total()->set_percent(12.0);
  return response;
}

// 120 contacts: 40 neglect, 30 physical, 5 sexual, 25 emotional, 10
// multiple, 10 with no category.
iv1::GetContactCategoriesResponse FakeContactCategories() {
  iv1::GetContactCategoriesResponse response;
  response.set_contacts(120);
  const std::pair<const char*, int64_t> counts[] = {{"NEG", 40}, {"PHY", 30},
                                                    {"SAB", 5},  {"EMO", 25},
                                                    {"MUL", 10}, {"NONE", 10}};
  for (const auto& [code, count] : counts) {
    iv1::Breakdown* b = response.add_by_category();
    b->set_code(code);
    b->set_count(count);
    b->set_percent(100.0 * static_cast<double>(count) / 120.0);
  }
  return response;
}

kv1::GetVisitQualityResponse FakeVisitQuality() {
  kv1::GetVisitQualityResponse response;
  kv1::VisitQuality* cp = response.add_totals();
  cp->set_kind(kv1::VISIT_KIND_CHILD_PROTECTION);
  cp->set_visits(80);
  cp->set_mode_recorded(80);
  cp->set_face_to_face(76);
  cp->set_face_to_face_percent(95.0);
  return response;
}

kv1::GetServiceFlowsResponse FakeServiceFlows(absl::CivilMonth from,
                                              absl::CivilMonth to) {
  kv1::GetServiceFlowsResponse response;
  response.set_gap_days(3);
  for (absl::CivilMonth m = from; m <= to; ++m) {
    kv1::ServiceFlowMonth* month = response.add_months();
    *month->mutable_month() = ToProtoMonth(m);
    month->set_step_downs(7);
  }
  return response;
}

// 30 referrals (12 physical), 20 S47s, 10 ICPCs, 8 plans.
kv1::GetCategoryFunnelResponse FakeCategoryFunnel() {
  kv1::GetCategoryFunnelResponse response;
  const std::pair<kv1::FunnelStage, int64_t> stages[] = {
      {kv1::FUNNEL_STAGE_REFERRAL, 30},
      {kv1::FUNNEL_STAGE_S47, 20},
      {kv1::FUNNEL_STAGE_ICPC, 10},
      {kv1::FUNNEL_STAGE_CP_PLAN, 8}};
  for (const auto& [stage, total] : stages) {
    kv1::FunnelStageCounts* counts = response.add_stages();
    counts->set_stage(stage);
    counts->set_total(total);
    kv1::CategoryCount* physical = counts->add_by_category();
    physical->set_category("PHY");
    physical->set_count(stage == kv1::FUNNEL_STAGE_REFERRAL ? 12 : 4);
  }
  response.set_plans_traced(8);
  return response;
}

class FakeSources : public ReportSources {
 public:
  explicit FakeSources(FakeState* state) : state_(state) {}

  bool Deployed(ReportBackend backend) const override {
    return state_->deployed.at(backend);
  }

  absl::StatusOr<iv1::FrontDoorFigures> FrontDoor(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    if (absl::Status s = Enter("front_door", caller, month); !s.ok()) return s;
    iv1::FrontDoorFigures figures;
    figures.mutable_month()->set_year(static_cast<int>(month.year()));
    figures.mutable_month()->set_month(month.month());
    figures.mutable_this_month()->set_contacts(2774);
    return figures;
  }
  absl::StatusOr<kv1::GetIndicatorsResponse> Indicators(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    if (absl::Status s = Enter("indicators", caller, month); !s.ok()) return s;
    kv1::GetIndicatorsResponse response;
    kv1::Indicator* indicator = response.add_indicators();
    indicator->set_id("cpp_reviews_in_time");
    indicator->set_percent(95.7);
    return response;
  }
  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    if (absl::Status s = Enter("trend", caller, month); !s.ok()) return s;
    kv1::GetIndicatorTrendResponse response;
    response.add_trends()->set_id("cpp_reviews_in_time");
    return response;
  }
  absl::StatusOr<kv1::CaseStatus> CaseStatus(const CallerIdentity& caller,
                                             absl::CivilMonth month,
                                             absl::Time deadline) override {
    if (absl::Status s = Enter("case_status", caller, month); !s.ok()) return s;
    kv1::CaseStatus status;
    status.mutable_open_cases()->set_total(3750);
    return status;
  }
  absl::StatusOr<wv1::WorkforceFigures> Workforce(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    if (absl::Status s = Enter("workforce", caller, month); !s.ok()) return s;
    wv1::WorkforceFigures figures;
    figures.add_staffing()->set_service_area("Total");
    figures.set_caseloads_available(state_->caseloads_available);
    return figures;
  }
  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    if (absl::Status s = Enter("workforce_trend", caller, month); !s.ok()) {
      return s;
    }
    wv1::GetWorkforceTrendResponse response;
    response.add_points()->set_fte_in_post(92.6);
    response.set_caseloads_available(state_->caseloads_available);
    return response;
  }
  // Figures whose audits count the days of the period asked for (31 for
  // May, 366 for June 2023 to May 2024), so each lands where it belongs.
  absl::StatusOr<qv1::QaFigures> QaFigures(const CallerIdentity& caller,
                                           absl::CivilDay from,
                                           absl::CivilDay to,
                                           absl::Time deadline) override {
    const bool month = absl::CivilMonth(from) == absl::CivilMonth(to);
    if (absl::Status s = Enter(month ? "qa_month" : "qa_12_months", caller,
                               absl::CivilMonth(to));
        !s.ok()) {
      return s;
    }
    {
      absl::MutexLock lock(&state_->mu);
      state_->qa_periods.push_back(absl::StrCat(
          absl::FormatCivilTime(from), "..", absl::FormatCivilTime(to)));
    }
    qv1::QaFigures figures;
    figures.mutable_audits()->set_label("Total");
    figures.mutable_audits()->set_audits(to - from + 1);
    return figures;
  }
  absl::StatusOr<qv1::GetQaTrendResponse> QaTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    if (absl::Status s = Enter("qa_trend", caller, month); !s.ok()) return s;
    qv1::GetQaTrendResponse response;
    for (absl::CivilMonth m = month - 11; m <= month; ++m) {
      qv1::QaTrendPoint* point = response.add_points();
      point->mutable_month()->set_year(static_cast<int>(m.year()));
      point->mutable_month()->set_month(m.month());
    }
    return response;
  }

  // Practice insight: the hand-made answers above.
  absl::StatusOr<iv1::GetReferralQualityResponse> ReferralQuality(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("referral_quality", caller, to, from); !s.ok()) {
      return s;
    }
    iv1::GetReferralQualityResponse response = FakeReferralQuality();
    *response.mutable_from() = ToProtoMonth(from);
    *response.mutable_to() = ToProtoMonth(to);
    return response;
  }
  absl::StatusOr<iv1::GetDuplicateInputResponse> DuplicateInput(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("duplicate_input", caller, to, from); !s.ok()) {
      return s;
    }
    return FakeDuplicateInput();
  }
  absl::StatusOr<iv1::GetContactCategoriesResponse> ContactCategories(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("contact_categories", caller, to, from);
        !s.ok()) {
      return s;
    }
    return FakeContactCategories();
  }
  absl::StatusOr<kv1::GetVisitQualityResponse> VisitQuality(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("visit_quality", caller, to, from); !s.ok()) {
      return s;
    }
    return FakeVisitQuality();
  }
  absl::StatusOr<kv1::GetServiceFlowsResponse> ServiceFlows(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("service_flows", caller, to, from); !s.ok()) {
      return s;
    }
    return FakeServiceFlows(from, to);
  }
  absl::StatusOr<kv1::GetCategoryFunnelResponse> CategoryFunnel(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("category_funnel", caller, to, from); !s.ok()) {
      return s;
    }
    return FakeCategoryFunnel();
  }
  // For the comparer: every indicator 90% (45/50) each month; the
  // workforce 92.6 FTE with a mean caseload of 15.
  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrendBetween(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("indicator_trend_between", caller, to, from);
        !s.ok()) {
      return s;
    }
    kv1::GetIndicatorTrendResponse response;
    for (const char* id :
         {"cic_visits_in_time", "cic_reviews_in_time", "cpp_visits_in_time",
          "cpp_reviews_in_time", "cin_reviews_in_time",
          "first_assessments_in_time", "icpc_in_15wd", "repeat_cp_plans"}) {
      kv1::IndicatorTrend* trend = response.add_trends();
      trend->set_id(id);
      for (absl::CivilMonth m = from; m <= to; ++m) {
        kv1::TrendPoint* point = trend->add_points();
        *point->mutable_month() = ToProtoMonth(m);
        point->set_numerator(45);
        point->set_denominator(50);
        point->set_percent(90.0);
      }
    }
    return response;
  }
  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrendBetween(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time) override {
    if (absl::Status s = Enter("workforce_trend_between", caller, to, from);
        !s.ok()) {
      return s;
    }
    wv1::GetWorkforceTrendResponse response;
    for (absl::CivilMonth m = from; m <= to; ++m) {
      wv1::WorkforceTrendPoint* point = response.add_points();
      *point->mutable_month() = ToProtoMonth(m);
      point->set_fte_in_post(92.6);
      point->set_mean_caseload(15.0);
    }
    response.set_caseloads_available(true);
    return response;
  }

 private:
  // Counts and records the call ("piece:to", or "piece:from..to" for a
  // range), then waits if the piece is slow; the piece's error or OK.
  absl::Status Enter(const std::string& piece, const CallerIdentity& caller,
                     absl::CivilMonth month,
                     std::optional<absl::CivilMonth> from = std::nullopt) {
    ++state_->calls;
    {
      absl::MutexLock lock(&state_->mu);
      state_->last_month = month;
      state_->last_caller = caller.caller;
      state_->asked.push_back(absl::StrCat(
          piece, ":",
          from.has_value() ? absl::StrCat(FormatIsoMonth(*from), "..")
                           : std::string(),
          FormatIsoMonth(month)));
    }
    if (state_->slow.count(piece) > 0) {
      state_->release.WaitForNotificationWithTimeout(absl::Seconds(10));
    }
    auto it = state_->errors.find(piece);
    return it == state_->errors.end() ? absl::OkStatus() : it->second;
  }
  FakeState* const state_;
};

class PracticeReportComposerTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(absl::Seconds(5)); }
  void TearDown() override {
    state_.release.Notify();
    composer_.reset();
  }

  void Make(absl::Duration deadline) {
    ComposerOptions options;
    options.deadline = deadline;
    composer_ = std::make_unique<PracticeReportComposer>(
        std::make_unique<FakeSources>(&state_), &cache_, &clock_, options);
  }

  void PublishAll(int64_t generation) {
    cache_.PublishGeneration("831", "intake", generation);
    cache_.PublishGeneration("831", "kpi", generation);
    cache_.PublishGeneration("831", "workforce", generation);
    cache_.PublishGeneration("831", "qa", generation);
  }

  FakeState state_;
  MemoryCache cache_;
  ManualClock clock_{kNow};
  std::unique_ptr<PracticeReportComposer> composer_;
};

TEST_F(PracticeReportComposerTest, EverySectionFromItsSource) {
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->authority(), "831");
  EXPECT_EQ(report->month().year(), 2024);
  EXPECT_EQ(report->month().month(), 5);
  EXPECT_EQ(report->composed_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_FALSE(report->suppressed());
  EXPECT_EQ(report->front_door().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->front_door().figures().this_month().contacts(), 2774);
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->performance().indicators().indicators(0).percent(), 95.7);
  ASSERT_EQ(report->performance().trends_size(), 1);
  EXPECT_EQ(report->performance().case_status().open_cases().total(), 3750);
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->workforce().figures().staffing(0).service_area(), "Total");
  ASSERT_EQ(report->workforce().trend_size(), 1);
  EXPECT_EQ(report->quality().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->quality().month().audits().audits(), 31);
  EXPECT_EQ(report->insight().status().state(), gv1::SECTION_STATE_AVAILABLE);
  // Each piece of the month's sections (the comparer may ask some of them
  // again for its own periods).
  for (const char* call :
       {"front_door:2024-05", "indicators:2024-05", "trend:2024-05",
        "case_status:2024-05", "workforce:2024-05", "workforce_trend:2024-05",
        "qa_month:2024-05", "qa_12_months:2024-05", "qa_trend:2024-05"}) {
    EXPECT_GE(state_.Asked(call), 1) << call;
  }
  absl::MutexLock lock(&state_.mu);
  EXPECT_EQ(state_.last_caller, "test-analyst");
}

TEST_F(PracticeReportComposerTest, DefaultMonthIsTheLastFullMonthInLondon) {
  EXPECT_EQ(PracticeReportComposer::DefaultMonth(kNow),
            absl::CivilMonth(2024, 5));
  // 2024-07-31 23:30 UTC is 1 August 00:30 in London (BST): July is full.
  const absl::Time midnight_bst = absl::FromCivil(
      absl::CivilSecond(2024, 7, 31, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(PracticeReportComposer::DefaultMonth(midnight_bst),
            absl::CivilMonth(2024, 7));
  // January's last full month is the December before.
  EXPECT_EQ(PracticeReportComposer::DefaultMonth(absl::FromCivil(
                absl::CivilSecond(2025, 1, 10, 9, 0, 0), absl::UTCTimeZone())),
            absl::CivilMonth(2024, 12));

  clock_.Set(midnight_bst);
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->month().month(), 7);
  EXPECT_GE(state_.Asked("front_door:2024-07"), 1);
  EXPECT_EQ(state_.Asked("referral_quality:2023-08..2024-07"), 1);
}

TEST_F(PracticeReportComposerTest, MonthAfterTheCurrentOneIsInvalid) {
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 7));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("month"));
  // The current (partial) month may be asked for.
  EXPECT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 6)).ok());
}

TEST_F(PracticeReportComposerTest, FailingSourceLeavesItsSectionUnavailable) {
  state_.errors["case_status"] = absl::UnavailableError("connection refused");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::SectionStatus& status = report->performance().status();
  EXPECT_EQ(status.state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(status.reason(), "the KPI service could not be reached");
  // No half section: the indicators that did answer are left out too.
  EXPECT_FALSE(report->performance().has_indicators());
  EXPECT_EQ(report->front_door().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
}

TEST_F(PracticeReportComposerTest, OtherErrorsAreNamedInTheReason) {
  state_.errors["front_door"] = absl::InternalError("store unreadable");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->front_door().status().state(),
            gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(report->front_door().status().reason(),
            "the intake service failed (INTERNAL: store unreadable)");
}

TEST_F(PracticeReportComposerTest, SlowSourceIsCutOffAtTheDeadline) {
  Make(absl::Milliseconds(300));
  state_.slow["workforce_trend"] = true;
  const absl::Time start = absl::Now();
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GE(took, absl::Milliseconds(290));
  EXPECT_LT(took, absl::Seconds(2));
  EXPECT_EQ(report->workforce().status().state(),
            gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(report->workforce().status().reason(),
            "the workforce service did not answer within 300ms");
  EXPECT_EQ(report->front_door().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
}

TEST_F(PracticeReportComposerTest, BackendWithoutAddressIsNotDeployed) {
  state_.deployed[ReportBackend::kWorkforce] = false;
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->workforce().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report->workforce().status().reason(),
            "no workforce service is deployed");
  EXPECT_EQ(state_.AskedPiece("workforce"), 0);
  EXPECT_EQ(state_.AskedPiece("workforce_trend"), 0);
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  // Practice insight needs intake and the KPI service only.
  EXPECT_EQ(report->insight().status().state(), gv1::SECTION_STATE_AVAILABLE);
}

TEST_F(PracticeReportComposerTest, CachedUnderTheMonthAndEveryGeneration) {
  PublishAll(7);
  absl::StatusOr<gv1::PracticeReport> first =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->insight().status().state(), gv1::SECTION_STATE_AVAILABLE);
  ASSERT_EQ(first->what_changed().status().state(),
            gv1::SECTION_STATE_AVAILABLE)
      << first->what_changed().status().reason();
  const int calls = state_.calls.load();
  EXPECT_GE(calls, 15);
  EXPECT_EQ(cache_.puts(), 1);
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(
                  "831:gateway:g0:report:v2:2024-05:intake=g7:kpi=g7:"
                  "workforce=g7:qa=g7"));

  // A hit: no source is called, the report is the one composed first.
  clock_.Advance(absl::Minutes(1));
  absl::StatusOr<gv1::PracticeReport> hit =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_EQ(state_.calls.load(), calls);
  EXPECT_EQ(hit->composed_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(hit->front_door().figures().this_month().contacts(), 2774);
  EXPECT_EQ(hit->insight().referral_quality().threshold(), 60);

  // Another month: a miss.
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 4)).ok());
  EXPECT_EQ(state_.calls.load(), 2 * calls);

  // A write to one service (its generation rises): a miss.
  cache_.PublishGeneration("831", "kpi", 8);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), 3 * calls);
  EXPECT_EQ(cache_.puts(), 3);

  // A write to the QA service: a miss too.
  cache_.PublishGeneration("831", "qa", 8);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), 4 * calls);
  EXPECT_EQ(cache_.puts(), 4);
}

TEST_F(PracticeReportComposerTest, NotCachedWhileAGenerationIsUnknown) {
  cache_.PublishGeneration("831", "intake", 7);
  cache_.PublishGeneration("831", "kpi", 7);
  cache_.PublishGeneration("831", "workforce", 7);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  const int calls = state_.calls.load();
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(cache_.puts(), 0);  // the QA service's generation is unknown
  EXPECT_EQ(state_.calls.load(), 2 * calls);
}

TEST_F(PracticeReportComposerTest, NotDeployedBackendNeedsNoGeneration) {
  state_.deployed[ReportBackend::kWorkforce] = false;
  state_.deployed[ReportBackend::kQa] = false;
  cache_.PublishGeneration("831", "intake", 7);
  cache_.PublishGeneration("831", "kpi", 9);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(
                  "831:gateway:g0:report:v2:2024-05:intake=g7:kpi=g9:"
                  "workforce=none:qa=none"));
  const int calls = state_.calls.load();
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), calls);
}

TEST_F(PracticeReportComposerTest, NotCachedWhenASectionIsUnavailable) {
  PublishAll(7);
  state_.errors["indicators"] = absl::DeadlineExceededError("slow");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->performance().status().reason(),
            "the KPI service did not answer within 5s");
  EXPECT_EQ(cache_.puts(), 0);

  // Once the service answers again, the report is composed afresh.
  state_.errors.clear();
  report = composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(cache_.puts(), 1);
}

TEST_F(PracticeReportComposerTest, NotCachedWithoutCaseloads) {
  PublishAll(7);
  state_.caseloads_available = false;
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(cache_.puts(), 0);
}

// The month's first to last day, the 12 months to that last day, and the
// 12 trend months ending with the month.
TEST_F(PracticeReportComposerTest, QualitySectionFromTheQaService) {
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::QualitySection& quality = report->quality();
  EXPECT_EQ(quality.status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(quality.status().reason(), "");
  EXPECT_EQ(quality.month().audits().audits(), 31);
  EXPECT_EQ(quality.last_12_months().audits().audits(), 366);  // 2024 leap
  ASSERT_EQ(quality.trend_size(), 12);
  EXPECT_EQ(quality.trend(0).month().year(), 2023);
  EXPECT_EQ(quality.trend(0).month().month(), 6);
  EXPECT_EQ(quality.trend(11).month().year(), 2024);
  EXPECT_EQ(quality.trend(11).month().month(), 5);
  absl::MutexLock lock(&state_.mu);
  // (The comparer may ask for its own periods too.)
  EXPECT_THAT(state_.qa_periods,
              ::testing::IsSupersetOf(
                  {"2024-05-01..2024-05-31", "2023-06-01..2024-05-31"}));
  EXPECT_EQ(state_.last_caller, "test-analyst");
}

// February of a leap year ends on the 29th; the 12 months start in March.
TEST_F(PracticeReportComposerTest, QualityPeriodsEndOnTheMonthsLastDay) {
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 2)).ok());
  absl::MutexLock lock(&state_.mu);
  EXPECT_THAT(state_.qa_periods,
              ::testing::IsSupersetOf(
                  {"2024-02-01..2024-02-29", "2023-03-01..2024-02-29"}));
}

TEST_F(PracticeReportComposerTest, QaFailingLeavesQualityUnavailable) {
  PublishAll(7);
  state_.errors["qa_trend"] = absl::UnavailableError("connection refused");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::QualitySection& quality = report->quality();
  EXPECT_EQ(quality.status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(quality.status().reason(),
            "the quality-assurance service could not be reached");
  // No half section: the figures that did answer are left out too.
  EXPECT_FALSE(quality.has_month());
  EXPECT_FALSE(quality.has_last_12_months());
  EXPECT_EQ(quality.trend_size(), 0);
  // The rest is served.
  EXPECT_EQ(report->front_door().figures().this_month().contacts(), 2774);
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
  // Not cached: once the QA service answers, the section is there.
  EXPECT_EQ(cache_.puts(), 0);
  state_.errors.clear();
  report = composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->quality().status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(cache_.puts(), 1);
}

TEST_F(PracticeReportComposerTest, QaErrorIsNamedInTheReason) {
  state_.errors["qa_12_months"] =
      absl::InvalidArgumentError("to: 2024-05-31 is in the future");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->quality().status().reason(),
            "the quality-assurance service failed (INVALID_ARGUMENT: to: "
            "2024-05-31 is in the future)");
}

TEST_F(PracticeReportComposerTest, SlowQaIsCutOffAtTheDeadline) {
  Make(absl::Milliseconds(300));
  state_.slow["qa_month"] = true;
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->quality().status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(report->quality().status().reason(),
            "the quality-assurance service did not answer within 300ms");
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
}

TEST_F(PracticeReportComposerTest, QaWithoutAddressIsNotDeployed) {
  state_.deployed[ReportBackend::kQa] = false;
  cache_.PublishGeneration("831", "intake", 7);
  cache_.PublishGeneration("831", "kpi", 7);
  cache_.PublishGeneration("831", "workforce", 7);
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->quality().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report->quality().status().reason(),
            "no quality-assurance service is deployed");
  EXPECT_FALSE(report->quality().has_month());
  EXPECT_EQ(state_.AskedPiece("qa_month"), 0);
  EXPECT_EQ(state_.AskedPiece("qa_12_months"), 0);
  EXPECT_EQ(state_.AskedPiece("qa_trend"), 0);
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
  // Cached without a QA generation.
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(
                  "831:gateway:g0:report:v2:2024-05:intake=g7:kpi=g7:"
                  "workforce=g7:qa=none"));
}

TEST_F(PracticeReportComposerTest, ComposesInTheBackground) {
  absl::Notification done;
  absl::StatusOr<gv1::PracticeReport> result;
  composer_->ComposeInBackground(
      Analyst(), absl::CivilMonth(2024, 5),
      [&](absl::StatusOr<gv1::PracticeReport> report) {
        result = std::move(report);
        done.Notify();
      });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->front_door().figures().this_month().contacts(), 2774);
}

// --- practice insight -------------------------------------------------------

// The 12 months to the report's month (2023-06..2024-05), each piece once,
// each answer in its place; the funnel composed from intake's contact
// categories and the KPI service's later stages.
TEST_F(PracticeReportComposerTest, InsightSectionFromIntakeAndKpi) {
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::InsightSection& insight = report->insight();
  EXPECT_EQ(insight.status().state(), gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(insight.status().reason(), "");
  for (const char* piece :
       {"referral_quality", "duplicate_input", "contact_categories",
        "visit_quality", "service_flows", "category_funnel"}) {
    EXPECT_EQ(state_.Asked(absl::StrCat(piece, ":2023-06..2024-05")), 1)
        << piece;
  }
  EXPECT_EQ(insight.referral_quality().agencies(0).agency(), "POLICE");
  EXPECT_EQ(insight.referral_quality().agencies(0).total().mean_score(), 71.5);
  EXPECT_EQ(insight.referral_quality().from().year(), 2023);
  EXPECT_EQ(insight.referral_quality().from().month(), 6);
  EXPECT_EQ(insight.duplicate_input().total().duplicates(), 12);
  EXPECT_EQ(insight.visit_quality().totals(0).face_to_face_percent(), 95.0);
  ASSERT_EQ(insight.service_flows().months_size(), 12);
  EXPECT_EQ(insight.service_flows().months(0).month().month(), 6);
  EXPECT_EQ(insight.service_flows().months(11).month().month(), 5);
  const gv1::AbuseCategoryFunnel expected =
      ComposeAbuseFunnel(absl::CivilMonth(2023, 6), absl::CivilMonth(2024, 5),
                         FakeContactCategories(), FakeCategoryFunnel());
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(expected, insight.funnel())) << diff;
  // The funnel starts with intake's 120 contacts (30 physical) and goes on
  // with the KPI service's 30 referrals (12 physical): 40.0% of them.
  ASSERT_EQ(insight.funnel().stages_size(), 5);
  EXPECT_EQ(insight.funnel().stages(0).stage(), "CONTACT");
  EXPECT_EQ(insight.funnel().stages(0).total(), 120);
  EXPECT_EQ(insight.funnel().stages(1).stage(), "REFERRAL");
  EXPECT_EQ(insight.funnel().stages(1).total(), 30);
  EXPECT_EQ(insight.funnel().period().from().month(), 6);
  EXPECT_EQ(insight.funnel().period().to().month(), 5);
}

TEST_F(PracticeReportComposerTest, InsightUnavailableWhenOnePieceFails) {
  PublishAll(7);
  state_.errors["service_flows"] = absl::UnavailableError("connection refused");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::InsightSection& insight = report->insight();
  EXPECT_EQ(insight.status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(insight.status().reason(), "the KPI service could not be reached");
  // No half section: the pieces that did answer are left out too.
  EXPECT_FALSE(insight.has_referral_quality());
  EXPECT_FALSE(insight.has_duplicate_input());
  EXPECT_FALSE(insight.has_funnel());
  EXPECT_FALSE(insight.has_visit_quality());
  EXPECT_FALSE(insight.has_service_flows());
  // The rest is served, and the report is not cached.
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(report->front_door().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(cache_.puts(), 0);
}

TEST_F(PracticeReportComposerTest, InsightReasonNamesTheFailingService) {
  state_.errors["duplicate_input"] = absl::InternalError("store unreadable");
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->insight().status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(report->insight().status().reason(),
            "the intake service failed (INTERNAL: store unreadable)");
}

TEST_F(PracticeReportComposerTest, SlowInsightPieceIsCutOffAtTheDeadline) {
  Make(absl::Milliseconds(300));
  state_.slow["category_funnel"] = true;
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->insight().status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_EQ(report->insight().status().reason(),
            "the KPI service did not answer within 300ms");
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
}

TEST_F(PracticeReportComposerTest, InsightNotDeployedWithoutIntakeOrKpi) {
  state_.deployed[ReportBackend::kIntake] = false;
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->insight().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report->insight().status().reason(),
            "no intake service is deployed");
  // None of its pieces is asked for, not even the KPI service's.
  EXPECT_EQ(state_.Asked("visit_quality:2023-06..2024-05"), 0);
  EXPECT_EQ(state_.Asked("category_funnel:2023-06..2024-05"), 0);

  state_.deployed[ReportBackend::kIntake] = true;
  state_.deployed[ReportBackend::kKpi] = false;
  report = composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->insight().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report->insight().status().reason(), "no KPI service is deployed");
  EXPECT_EQ(state_.Asked("referral_quality:2023-06..2024-05"), 0);
}

// --- what changed ------------------------------------------------------------

// Report month 2024-05: after 2024-03..2024-05, before 2023-03..2023-05.
TEST(WhatChangedPeriodsTest, DefaultIsThreeMonthsAgainstAYearEarlier) {
  const std::pair<ReportPeriod, ReportPeriod> periods =
      WhatChangedPeriods(WhatChangedOptions(), absl::CivilMonth(2024, 5));
  EXPECT_EQ(periods.second.from, absl::CivilMonth(2024, 3));
  EXPECT_EQ(periods.second.to, absl::CivilMonth(2024, 5));
  EXPECT_EQ(periods.first.from, absl::CivilMonth(2023, 3));
  EXPECT_EQ(periods.first.to, absl::CivilMonth(2023, 5));
  // Across a new year: February 2024 -> December 2023 to February 2024.
  const std::pair<ReportPeriod, ReportPeriod> february =
      WhatChangedPeriods(WhatChangedOptions(), absl::CivilMonth(2024, 2));
  EXPECT_EQ(february.second.from, absl::CivilMonth(2023, 12));
  EXPECT_EQ(february.first.from, absl::CivilMonth(2022, 12));
  EXPECT_EQ(february.first.to, absl::CivilMonth(2023, 2));
}

TEST(WhatChangedPeriodsTest, FixedPeriodsWhateverTheMonth) {
  WhatChangedOptions options;
  options.before =
      ReportPeriod{absl::CivilMonth(2022, 9), absl::CivilMonth(2023, 2)};
  options.after =
      ReportPeriod{absl::CivilMonth(2023, 9), absl::CivilMonth(2024, 2)};
  for (absl::CivilMonth month :
       {absl::CivilMonth(2024, 5), absl::CivilMonth(2023, 1)}) {
    const std::pair<ReportPeriod, ReportPeriod> periods =
        WhatChangedPeriods(options, month);
    EXPECT_EQ(periods.first.from, absl::CivilMonth(2022, 9));
    EXPECT_EQ(periods.first.to, absl::CivilMonth(2023, 2));
    EXPECT_EQ(periods.second.from, absl::CivilMonth(2023, 9));
    EXPECT_EQ(periods.second.to, absl::CivilMonth(2024, 2));
  }
}

TEST(WhatChangedSettingsTest, ParsesPeriods) {
  absl::StatusOr<ReportPeriod> period = ParseReportPeriod("2023-01..2023-06");
  ASSERT_TRUE(period.ok()) << period.status();
  EXPECT_EQ(period->from, absl::CivilMonth(2023, 1));
  EXPECT_EQ(period->to, absl::CivilMonth(2023, 6));
  EXPECT_EQ(FormatReportPeriod(*period), "2023-01..2023-06");
  // One month.
  ASSERT_TRUE(ParseReportPeriod("2024-05..2024-05").ok());
  // 60 months is the longest: 2019-01..2023-12; 2019-01..2024-01 is 61.
  EXPECT_TRUE(ParseReportPeriod("2019-01..2023-12").ok());

  auto message = [](absl::string_view text) {
    return std::string(ParseReportPeriod(text).status().message());
  };
  EXPECT_EQ(message("2023-01"),
            "'2023-01' is not a period of the form YYYY-MM..YYYY-MM (first "
            "and last month, both included)");
  EXPECT_EQ(message("2023-13..2024-01"),
            "'2023-13..2024-01': first month '2023-13': no such month "
            "(months are 01-12) (the form is YYYY-MM..YYYY-MM)");
  EXPECT_EQ(message("2023-01..24-01"),
            "'2023-01..24-01': last month '24-01': not a month of the form "
            "YYYY-MM (the form is YYYY-MM..YYYY-MM)");
  EXPECT_EQ(message("2024-06..2024-01"),
            "'2024-06..2024-01': the first month is after the last");
  EXPECT_EQ(message("2019-01..2024-01"),
            "'2019-01..2024-01': 61 months; a period is at most 60 months");
  EXPECT_EQ(ParseReportPeriod("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

std::vector<gv1::FigureDefinition> Catalogue(
    std::initializer_list<const char*> ids) {
  std::vector<gv1::FigureDefinition> catalogue;
  for (const char* id : ids) {
    gv1::FigureDefinition figure;
    figure.set_id(id);
    catalogue.push_back(figure);
  }
  return catalogue;
}

TEST(WhatChangedSettingsTest, ParsesFigureIdsAgainstTheCatalogue) {
  const std::vector<gv1::FigureDefinition> catalogue =
      Catalogue({"intake.contacts", "kpi.open_cases", "qa.audits"});
  absl::StatusOr<std::vector<std::string>> ids =
      ParseFigureIds("kpi.open_cases, intake.contacts", catalogue);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids,
              ::testing::ElementsAre("kpi.open_cases", "intake.contacts"));
  EXPECT_THAT(*ParseFigureIds("", catalogue), ::testing::IsEmpty());
  EXPECT_EQ(ParseFigureIds("intake.contacts,kpi.nothing", catalogue)
                .status()
                .message(),
            "unknown figure id 'kpi.nothing' (known: intake.contacts, "
            "kpi.open_cases, qa.audits)");
  EXPECT_EQ(
      ParseFigureIds("qa.audits,,kpi.open_cases", catalogue).status().message(),
      "'qa.audits,,kpi.open_cases': an empty figure id (ids are "
      "separated by single commas)");
  EXPECT_EQ(ParseFigureIds("qa.audits,qa.audits", catalogue).status().message(),
            "figure id 'qa.audits' is given twice");
}

TEST(WhatChangedSettingsTest, ValidatesBothPeriodsOrNeither) {
  const std::vector<gv1::FigureDefinition> catalogue =
      Catalogue({"intake.contacts"});
  WhatChangedOptions options;
  EXPECT_TRUE(ValidateWhatChanged(options, catalogue).ok());
  options.before =
      ReportPeriod{absl::CivilMonth(2023, 1), absl::CivilMonth(2023, 6)};
  EXPECT_EQ(ValidateWhatChanged(options, catalogue).message(),
            "what_changed.after: required when the other period is set "
            "(both periods or neither)");
  options.after =
      ReportPeriod{absl::CivilMonth(2024, 6), absl::CivilMonth(2024, 1)};
  EXPECT_EQ(ValidateWhatChanged(options, catalogue).message(),
            "what_changed.after: '2024-06..2024-01': the first month is "
            "after the last");
  options.after =
      ReportPeriod{absl::CivilMonth(2024, 1), absl::CivilMonth(2024, 6)};
  EXPECT_TRUE(ValidateWhatChanged(options, catalogue).ok());
  options.figure_ids = {"kpi.nothing"};
  EXPECT_EQ(ValidateWhatChanged(options, catalogue).message(),
            "what_changed.figure_ids: unknown figure id 'kpi.nothing' "
            "(known: intake.contacts)");
}

// The default list, in its order, as far as the catalogue has it; none of
// it known: empty (the comparer then takes its whole catalogue).
TEST(WhatChangedSettingsTest, DefaultFiguresThatTheCatalogueHas) {
  EXPECT_EQ(DefaultWhatChangedFigures().size(), 10u);
  EXPECT_EQ(DefaultWhatChangedFigures()[0], "intake.contacts");
  WhatChangedOptions options;
  EXPECT_THAT(
      WhatChangedFigureIds(options, Catalogue({"qa.good_or_better_percent",
                                               "other", "intake.contacts"})),
      ::testing::ElementsAre("intake.contacts", "qa.good_or_better_percent"));
  EXPECT_THAT(WhatChangedFigureIds(options, Catalogue({"other"})),
              ::testing::IsEmpty());
  options.figure_ids = {"other"};
  EXPECT_THAT(WhatChangedFigureIds(options, Catalogue({"other"})),
              ::testing::ElementsAre("other"));
}

// Every default id is one the comparer's catalogue has.
TEST(WhatChangedSettingsTest, DefaultFiguresAreInTheCatalogue) {
  const std::vector<gv1::FigureDefinition> catalogue =
      FigureComparer::Catalogue();
  for (const std::string& id : DefaultWhatChangedFigures()) {
    bool known = false;
    for (const gv1::FigureDefinition& figure : catalogue) {
      known = known || figure.id() == id;
    }
    EXPECT_TRUE(known) << id;
  }
}

// The section compares the default periods over the default figures.
TEST_F(PracticeReportComposerTest, WhatChangedComparesTheDefaultPeriods) {
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::ChangeSection& section = report->what_changed();
  ASSERT_EQ(section.status().state(), gv1::SECTION_STATE_AVAILABLE)
      << section.status().reason();
  const gv1::FigureComparison& c = section.comparison();
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.after().from(), "")), "2024-03");
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.after().to(), "")), "2024-05");
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.before().from(), "")), "2023-03");
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.before().to(), "")), "2023-05");
  const std::vector<std::string> ids =
      WhatChangedFigureIds(WhatChangedOptions(), FigureComparer::Catalogue());
  ASSERT_EQ(static_cast<size_t>(c.changes_size()), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(c.changes(static_cast<int>(i)).figure().id(), ids[i]);
  }
}

// A pilot's periods and figures, pinned: every report compares them, and
// the report is cached under them.
TEST_F(PracticeReportComposerTest, WhatChangedPinnedPeriodsAndFigures) {
  const std::vector<gv1::FigureDefinition> catalogue =
      FigureComparer::Catalogue();
  ASSERT_GE(catalogue.size(), 2u);
  ComposerOptions options;
  options.what_changed.before =
      ReportPeriod{absl::CivilMonth(2022, 9), absl::CivilMonth(2023, 2)};
  options.what_changed.after =
      ReportPeriod{absl::CivilMonth(2023, 9), absl::CivilMonth(2024, 2)};
  options.what_changed.figure_ids = {catalogue[1].id(), catalogue[0].id()};
  composer_ = std::make_unique<PracticeReportComposer>(
      std::make_unique<FakeSources>(&state_), &cache_, &clock_, options);
  PublishAll(7);
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::ChangeSection& section = report->what_changed();
  ASSERT_EQ(section.status().state(), gv1::SECTION_STATE_AVAILABLE)
      << section.status().reason();
  const gv1::FigureComparison& c = section.comparison();
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.before().from(), "")), "2022-09");
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.before().to(), "")), "2023-02");
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.after().from(), "")), "2023-09");
  EXPECT_EQ(FormatIsoMonth(*FromProtoMonth(c.after().to(), "")), "2024-02");
  ASSERT_EQ(c.changes_size(), 2);
  EXPECT_EQ(c.changes(0).figure().id(), catalogue[1].id());
  EXPECT_EQ(c.changes(1).figure().id(), catalogue[0].id());
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(absl::StrCat(
                  "831:gateway:g0:report:v2:2024-05:intake=g7:kpi=g7:"
                  "workforce=g7:qa=g7:wc=2022-09..2023-02,2023-09..2024-02:",
                  catalogue[1].id(), ",", catalogue[0].id())));
}

// A comparison that fails (here: an unknown figure id) leaves the section
// unavailable with the reason; the rest of the report stands, uncached.
TEST_F(PracticeReportComposerTest, WhatChangedFailingIsUnavailable) {
  ComposerOptions options;
  options.what_changed.figure_ids = {"no.such_figure"};
  composer_ = std::make_unique<PracticeReportComposer>(
      std::make_unique<FakeSources>(&state_), &cache_, &clock_, options);
  PublishAll(7);
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  const gv1::ChangeSection& section = report->what_changed();
  EXPECT_EQ(section.status().state(), gv1::SECTION_STATE_UNAVAILABLE);
  EXPECT_THAT(section.status().reason(),
              StartsWith("the comparison failed (INVALID_ARGUMENT: "));
  EXPECT_FALSE(section.has_comparison());
  EXPECT_EQ(report->front_door().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
  EXPECT_EQ(cache_.puts(), 0);
}

TEST_F(PracticeReportComposerTest, NothingDeployedNothingCompared) {
  for (auto& [backend, deployed] : state_.deployed) deployed = false;
  absl::StatusOr<gv1::PracticeReport> report =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->what_changed().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(report->what_changed().status().reason(), "no service is deployed");
  EXPECT_EQ(report->insight().status().state(),
            gv1::SECTION_STATE_NOT_DEPLOYED);
  EXPECT_EQ(state_.calls.load(), 0);
}

TEST(PracticeReportCacheKeyTest, NamesTheMonthAndEachGeneration) {
  EXPECT_EQ(PracticeReportComposer::CacheKey(
                absl::CivilMonth(2023, 7),
                {{ReportBackend::kIntake, 1}, {ReportBackend::kKpi, 22}}),
            "report:v2:2023-07:intake=g1:kpi=g22:workforce=none:qa=none");
  EXPECT_EQ(PracticeReportComposer::CacheKey(absl::CivilMonth(2024, 5),
                                             {{ReportBackend::kIntake, 1},
                                              {ReportBackend::kKpi, 2},
                                              {ReportBackend::kWorkforce, 3},
                                              {ReportBackend::kQa, 4}}),
            "report:v2:2024-05:intake=g1:kpi=g2:workforce=g3:qa=g4");
  EXPECT_THAT(PracticeReportComposer::CacheKey(absl::CivilMonth(2023, 7), {}),
              StartsWith("report:v2:2023-07:intake=none"));
  // The what-changed settings, when not the defaults.
  EXPECT_EQ(PracticeReportComposer::CacheKey(absl::CivilMonth(2024, 5),
                                             {{ReportBackend::kIntake, 1}},
                                             "wc=default:a,b"),
            "report:v2:2024-05:intake=g1:kpi=none:workforce=none:qa=none:"
            "wc=default:a,b");
}

TEST(PracticeReportCacheKeyTest, WhatChangedKeyIsEmptyForTheDefaults) {
  WhatChangedOptions options;
  EXPECT_EQ(PracticeReportComposer::WhatChangedKey(options), "");
  options.figure_ids = {"intake.contacts", "kpi.open_cases"};
  EXPECT_EQ(PracticeReportComposer::WhatChangedKey(options),
            "wc=default:intake.contacts,kpi.open_cases");
  options.before =
      ReportPeriod{absl::CivilMonth(2023, 1), absl::CivilMonth(2023, 6)};
  options.after =
      ReportPeriod{absl::CivilMonth(2024, 1), absl::CivilMonth(2024, 6)};
  EXPECT_EQ(PracticeReportComposer::WhatChangedKey(options),
            "wc=2023-01..2023-06,2024-01..2024-06:intake.contacts,"
            "kpi.open_cases");
  options.figure_ids.clear();
  EXPECT_EQ(PracticeReportComposer::WhatChangedKey(options),
            "wc=2023-01..2023-06,2024-01..2024-06:default");
}

}  // namespace
}  // namespace sgm::gateway
