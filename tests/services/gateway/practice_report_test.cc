// PracticeReportComposer with fake sources, an in-memory cache and a manual
// clock: sections marked unavailable or not deployed, the overall deadline,
// the default month, the cache, and the quality-assurance section's
// periods.
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
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm::gateway {
namespace {

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

// An AggregateCache in memory that counts its writes.
class MemoryCache : public AggregateCache {
 public:
  std::optional<std::string> Get(absl::string_view authority,
                                 absl::string_view service, int64_t generation,
                                 absl::string_view key) override {
    absl::MutexLock lock(&mu_);
    auto it = values_.find(Key(authority, service, generation, key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void Put(absl::string_view authority, absl::string_view service,
           int64_t generation, absl::string_view key,
           absl::string_view value) override {
    absl::MutexLock lock(&mu_);
    ++puts_;
    values_[Key(authority, service, generation, key)] = std::string(value);
  }
  void PublishGeneration(absl::string_view authority, absl::string_view service,
                         int64_t generation) override {
    absl::MutexLock lock(&mu_);
    generations_[absl::StrCat(authority, ":", service)] = generation;
  }
  std::optional<int64_t> ReadGeneration(absl::string_view authority,
                                        absl::string_view service) override {
    absl::MutexLock lock(&mu_);
    auto it = generations_.find(absl::StrCat(authority, ":", service));
    if (it == generations_.end()) return std::nullopt;
    return it->second;
  }
  bool Available() const override { return true; }

  int puts() {
    absl::MutexLock lock(&mu_);
    return puts_;
  }
  std::vector<std::string> keys() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const auto& [k, v] : values_) out.push_back(k);
    return out;
  }

 private:
  static std::string Key(absl::string_view authority, absl::string_view service,
                         int64_t generation, absl::string_view key) {
    return absl::StrCat(authority, ":", service, ":g", generation, ":", key);
  }
  absl::Mutex mu_;
  std::map<std::string, std::string> values_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> generations_ ABSL_GUARDED_BY(mu_);
  int puts_ ABSL_GUARDED_BY(mu_) = 0;
};

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
};

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

  // Practice insight: not faked yet.
  absl::StatusOr<iv1::GetReferralQualityResponse> ReferralQuality(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<iv1::GetDuplicateInputResponse> DuplicateInput(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<iv1::GetContactCategoriesResponse> ContactCategories(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<kv1::GetVisitQualityResponse> VisitQuality(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<kv1::GetServiceFlowsResponse> ServiceFlows(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<kv1::GetCategoryFunnelResponse> CategoryFunnel(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrendBetween(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }
  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrendBetween(
      const CallerIdentity&, absl::CivilMonth, absl::CivilMonth,
      absl::Time) override {
    return absl::UnimplementedError("not faked");
  }

 private:
  absl::Status Enter(const std::string& piece, const CallerIdentity& caller,
                     absl::CivilMonth month) {
    ++state_->calls;
    {
      absl::MutexLock lock(&state_->mu);
      state_->last_month = month;
      state_->last_caller = caller.caller;
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
  EXPECT_EQ(state_.calls.load(), 9);
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
  absl::MutexLock lock(&state_.mu);
  EXPECT_EQ(state_.last_month, absl::CivilMonth(2024, 7));
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
  EXPECT_EQ(state_.calls.load(), 7);  // no workforce calls
  EXPECT_EQ(report->performance().status().state(),
            gv1::SECTION_STATE_AVAILABLE);
}

TEST_F(PracticeReportComposerTest, CachedUnderTheMonthAndEveryGeneration) {
  PublishAll(7);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), 9);
  EXPECT_EQ(cache_.puts(), 1);
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(
                  "831:gateway:g0:report:v1:2024-05:intake=g7:kpi=g7:"
                  "workforce=g7:qa=g7"));

  // A hit: no source is called, the report is the one composed first.
  clock_.Advance(absl::Minutes(1));
  absl::StatusOr<gv1::PracticeReport> hit =
      composer_->Compose(Analyst(), absl::CivilMonth(2024, 5));
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_EQ(state_.calls.load(), 9);
  EXPECT_EQ(hit->composed_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(hit->front_door().figures().this_month().contacts(), 2774);

  // Another month: a miss.
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 4)).ok());
  EXPECT_EQ(state_.calls.load(), 18);

  // A write to one service (its generation rises): a miss.
  cache_.PublishGeneration("831", "kpi", 8);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), 27);
  EXPECT_EQ(cache_.puts(), 3);

  // A write to the QA service: a miss too.
  cache_.PublishGeneration("831", "qa", 8);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), 36);
  EXPECT_EQ(cache_.puts(), 4);
}

TEST_F(PracticeReportComposerTest, NotCachedWhileAGenerationIsUnknown) {
  cache_.PublishGeneration("831", "intake", 7);
  cache_.PublishGeneration("831", "kpi", 7);
  cache_.PublishGeneration("831", "workforce", 7);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(cache_.puts(), 0);  // the QA service's generation is unknown
  EXPECT_EQ(state_.calls.load(), 18);
}

TEST_F(PracticeReportComposerTest, NotDeployedBackendNeedsNoGeneration) {
  state_.deployed[ReportBackend::kWorkforce] = false;
  state_.deployed[ReportBackend::kQa] = false;
  cache_.PublishGeneration("831", "intake", 7);
  cache_.PublishGeneration("831", "kpi", 9);
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(
                  "831:gateway:g0:report:v1:2024-05:intake=g7:kpi=g9:"
                  "workforce=none:qa=none"));
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 5)).ok());
  EXPECT_EQ(state_.calls.load(), 4);
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
  EXPECT_THAT(state_.qa_periods,
              ::testing::UnorderedElementsAre("2024-05-01..2024-05-31",
                                              "2023-06-01..2024-05-31"));
  EXPECT_EQ(state_.last_caller, "test-analyst");
}

// February of a leap year ends on the 29th; the 12 months start in March.
TEST_F(PracticeReportComposerTest, QualityPeriodsEndOnTheMonthsLastDay) {
  ASSERT_TRUE(composer_->Compose(Analyst(), absl::CivilMonth(2024, 2)).ok());
  absl::MutexLock lock(&state_.mu);
  EXPECT_THAT(state_.qa_periods,
              ::testing::UnorderedElementsAre("2024-02-01..2024-02-29",
                                              "2023-03-01..2024-02-29"));
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
  EXPECT_EQ(state_.calls.load(), 6);  // no QA calls
  EXPECT_EQ(report->workforce().status().state(), gv1::SECTION_STATE_AVAILABLE);
  // Cached without a QA generation.
  EXPECT_THAT(cache_.keys(),
              ::testing::ElementsAre(
                  "831:gateway:g0:report:v1:2024-05:intake=g7:kpi=g7:"
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

TEST(PracticeReportCacheKeyTest, NamesTheMonthAndEachGeneration) {
  EXPECT_EQ(PracticeReportComposer::CacheKey(
                absl::CivilMonth(2023, 7),
                {{ReportBackend::kIntake, 1}, {ReportBackend::kKpi, 22}}),
            "report:v1:2023-07:intake=g1:kpi=g22:workforce=none:qa=none");
  EXPECT_EQ(PracticeReportComposer::CacheKey(absl::CivilMonth(2024, 5),
                                             {{ReportBackend::kIntake, 1},
                                              {ReportBackend::kKpi, 2},
                                              {ReportBackend::kWorkforce, 3},
                                              {ReportBackend::kQa, 4}}),
            "report:v1:2024-05:intake=g1:kpi=g2:workforce=g3:qa=g4");
  EXPECT_THAT(PracticeReportComposer::CacheKey(absl::CivilMonth(2023, 7), {}),
              StartsWith("report:v1:2023-07:intake=none"));
}

}  // namespace
}  // namespace sgm::gateway
