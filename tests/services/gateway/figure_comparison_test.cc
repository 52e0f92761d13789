// FigureComparer with fake sources: the catalogue, each figure's period
// rule on hand-worked months (the pooled indicator percent, the snapshot at
// the period's last month, the QA days), the changes and verdicts, a
// backend failing or not deployed (values absent with a note, the call
// still succeeding), each backend asked once per period, and the bad
// arguments.
#include "services/gateway/figure_comparison.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/civil_date.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;

using M = absl::CivilMonth;

CallerIdentity Analyst() {
  CallerIdentity caller;
  caller.caller = "test-analyst";
  caller.role = Role::kAnalyst;
  caller.authority = "831";
  return caller;
}

// Before: January and February 2023; after: January and February 2024.
const MonthSpan kBefore{M(2023, 1), M(2023, 2)};
const MonthSpan kAfter{M(2024, 1), M(2024, 2)};

bool IsAfter(M month) { return month.year() == 2024; }

// The fake backends. Per month:
//   front door  contacts decided progressed within_1wd
//     2023-01      100      80       20         60
//     2023-02      120     100       30         90
//     2024-01       90      60       24         57
//     2024-02      110      90       30         81
//   indicators (numerator/denominator)
//     first_assessments_in_time  2023-01 40/50  2023-02 9/10
//                                2024-01 30/40  2024-02 20/20
//     repeat_cp_plans            2023-01 2/10   2023-02 3/10
//                                2024-01 1/10   2024-02 0/0
//     cic_reviews_in_time        2023: 0/0 both months; 2024-01 3/4
//   service flows (step downs, step ups, closures)
//     2023-01 3,0,10  2023-02 2,0,12  2024-01 4,1,15  2024-02 4,1,15
// Per period (whatever the months):
//   referral quality mean 62.5 before, 70.0 after
//   duplicate input 12.0% before, 15.0% after
//   case status at the last month: open cases 400 / 380; children in care
//     per 10k 70 / 65; CP per 10k absent (no population)
//   visits (CP, CIC, CIN): mode recorded 10/20/0 with 8/19/0 face to face
//     before, 10/10/0 with 10/9/0 after; seen alone recorded 10 with 5
//     alone before, 0 after
//   workforce at the last month end: caseload 18.5 / 16.0, agency FTE
//     12.4 / 10.0, absence 9.25 / none
//   QA: audits 10 / 12, good or better 60.0 / 60.0, feedback mean 3.5 /
//     4.25
struct FakeState {
  std::map<ReportBackend, bool> deployed = {{ReportBackend::kIntake, true},
                                            {ReportBackend::kKpi, true},
                                            {ReportBackend::kWorkforce, true},
                                            {ReportBackend::kQa, true}};
  // A backend's error in every period, or only in the after period.
  std::map<ReportBackend, absl::Status> errors;
  std::map<ReportBackend, absl::Status> after_errors;
  bool caseloads_available_after = true;
  absl::Mutex mu;
  // "method from..to" of every call.
  std::vector<std::string> calls ABSL_GUARDED_BY(mu);
  std::set<std::string> callers ABSL_GUARDED_BY(mu);
};

class FakeSources : public ReportSources {
 public:
  explicit FakeSources(FakeState* state) : state_(state) {}

  bool Deployed(ReportBackend backend) const override {
    return state_->deployed.at(backend);
  }

  absl::StatusOr<iv1::FrontDoorFigures> FrontDoor(const CallerIdentity& caller,
                                                  M month,
                                                  absl::Time) override {
    if (absl::Status s =
            Enter("FrontDoor", ReportBackend::kIntake, caller, month, month);
        !s.ok()) {
      return s;
    }
    static const std::map<M, std::vector<int>> kMonths = {
        {M(2023, 1), {100, 80, 20, 60}},
        {M(2023, 2), {120, 100, 30, 90}},
        {M(2024, 1), {90, 60, 24, 57}},
        {M(2024, 2), {110, 90, 30, 81}},
    };
    iv1::FrontDoorFigures figures;
    *figures.mutable_month() = ToProtoMonth(month);
    auto it = kMonths.find(month);
    if (it == kMonths.end()) return figures;
    figures.mutable_this_month()->set_contacts(it->second[0]);
    figures.set_decided(it->second[1]);
    figures.set_progressed(it->second[2]);
    figures.set_decided_within_1wd(it->second[3]);
    // The month's own percents, which the period rule must not average.
    figures.set_progressed_percent(99.9);
    return figures;
  }
  absl::StatusOr<kv1::GetIndicatorsResponse> Indicators(const CallerIdentity&,
                                                        M,
                                                        absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrend(
      const CallerIdentity&, M, absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<kv1::CaseStatus> CaseStatus(const CallerIdentity& caller,
                                             M month, absl::Time) override {
    if (absl::Status s =
            Enter("CaseStatus", ReportBackend::kKpi, caller, month, month);
        !s.ok()) {
      return s;
    }
    kv1::CaseStatus status;
    *status.mutable_month() = ToProtoMonth(month);
    // Only the period's last month has these figures.
    if (month == M(2023, 2)) {
      status.mutable_open_cases()->set_total(400);
      status.mutable_children_in_care()->set_per_10k(70);
    } else if (month == M(2024, 2)) {
      status.mutable_open_cases()->set_total(380);
      status.mutable_children_in_care()->set_per_10k(65);
    }
    return status;
  }
  absl::StatusOr<wv1::WorkforceFigures> Workforce(const CallerIdentity&, M,
                                                  absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrend(
      const CallerIdentity&, M, absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<qv1::QaFigures> QaFigures(const CallerIdentity& caller,
                                           absl::CivilDay from,
                                           absl::CivilDay to,
                                           absl::Time) override {
    if (absl::Status s = Enter(
            absl::StrCat("QaFigures ", FormatIsoDate(from), ".."),
            ReportBackend::kQa, caller, M(from), M(to), FormatIsoDate(to));
        !s.ok()) {
      return s;
    }
    qv1::QaFigures figures;
    const bool after = IsAfter(M(to));
    figures.mutable_audits()->set_audits(after ? 12 : 10);
    figures.mutable_audits()->set_good_or_better_percent(60.0);
    qv1::FeedbackFigures* family = figures.add_feedback();
    family->set_source(qv1::FEEDBACK_SOURCE_FAMILY);
    family->set_mean_rating(1.0);
    qv1::FeedbackFigures* total = figures.add_feedback();
    total->set_source(qv1::FEEDBACK_SOURCE_UNSPECIFIED);
    total->set_mean_rating(after ? 4.25 : 3.5);
    return figures;
  }
  absl::StatusOr<qv1::GetQaTrendResponse> QaTrend(const CallerIdentity&, M,
                                                  absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<iv1::GetReferralQualityResponse> ReferralQuality(
      const CallerIdentity& caller, M from, M to, absl::Time) override {
    if (absl::Status s =
            Enter("ReferralQuality", ReportBackend::kIntake, caller, from, to);
        !s.ok()) {
      return s;
    }
    iv1::GetReferralQualityResponse response;
    response.mutable_all_agencies()->mutable_total()->set_mean_score(
        IsAfter(to) ? 70.0 : 62.5);
    return response;
  }
  absl::StatusOr<iv1::GetDuplicateInputResponse> DuplicateInput(
      const CallerIdentity& caller, M from, M to, absl::Time) override {
    if (absl::Status s =
            Enter("DuplicateInput", ReportBackend::kIntake, caller, from, to);
        !s.ok()) {
      return s;
    }
    iv1::GetDuplicateInputResponse response;
    response.mutable_total()->set_percent(IsAfter(to) ? 15.0 : 12.0);
    return response;
  }
  absl::StatusOr<iv1::GetContactCategoriesResponse> ContactCategories(
      const CallerIdentity&, M, M, absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<kv1::GetVisitQualityResponse> VisitQuality(
      const CallerIdentity& caller, M from, M to, absl::Time) override {
    if (absl::Status s =
            Enter("VisitQuality", ReportBackend::kKpi, caller, from, to);
        !s.ok()) {
      return s;
    }
    const bool after = IsAfter(to);
    kv1::GetVisitQualityResponse response;
    auto add = [&](kv1::VisitKind kind, int recorded, int f2f,
                   int alone_recorded, int alone) {
      kv1::VisitQuality* v = response.add_totals();
      v->set_kind(kind);
      v->set_mode_recorded(recorded);
      v->set_face_to_face(f2f);
      v->set_seen_alone_recorded(alone_recorded);
      v->set_seen_alone(alone);
    };
    add(kv1::VISIT_KIND_CHILD_PROTECTION, 10, after ? 10 : 8, after ? 0 : 10,
        after ? 0 : 5);
    add(kv1::VISIT_KIND_CHILD_IN_CARE, after ? 10 : 20, after ? 9 : 19, 0, 0);
    add(kv1::VISIT_KIND_CHILD_IN_NEED, 0, 0, 0, 0);
    return response;
  }
  absl::StatusOr<kv1::GetServiceFlowsResponse> ServiceFlows(
      const CallerIdentity& caller, M from, M to, absl::Time) override {
    if (absl::Status s =
            Enter("ServiceFlows", ReportBackend::kKpi, caller, from, to);
        !s.ok()) {
      return s;
    }
    kv1::GetServiceFlowsResponse response;
    for (M m = from; m <= to; ++m) {
      kv1::ServiceFlowMonth* month = response.add_months();
      *month->mutable_month() = ToProtoMonth(m);
      if (m == M(2023, 1)) {
        month->set_step_downs(3);
        month->set_closures_total(10);
      } else if (m == M(2023, 2)) {
        month->set_step_downs(2);
        month->set_closures_total(12);
      } else if (IsAfter(m)) {
        month->set_step_downs(4);
        month->set_step_ups(1);
        month->set_closures_total(15);
      }
    }
    return response;
  }
  absl::StatusOr<kv1::GetCategoryFunnelResponse> CategoryFunnel(
      const CallerIdentity&, M, M, absl::Time) override {
    return absl::InternalError("not used by comparisons");
  }
  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrendBetween(
      const CallerIdentity& caller, M from, M to, absl::Time) override {
    if (absl::Status s = Enter("IndicatorTrendBetween", ReportBackend::kKpi,
                               caller, from, to);
        !s.ok()) {
      return s;
    }
    static const std::map<std::string, std::map<M, std::pair<int, int>>>
        kPoints = {
            {"first_assessments_in_time",
             {{M(2023, 1), {40, 50}},
              {M(2023, 2), {9, 10}},
              {M(2024, 1), {30, 40}},
              {M(2024, 2), {20, 20}}}},
            {"repeat_cp_plans",
             {{M(2023, 1), {2, 10}},
              {M(2023, 2), {3, 10}},
              {M(2024, 1), {1, 10}},
              {M(2024, 2), {0, 0}}}},
            {"cic_reviews_in_time",
             {{M(2023, 1), {0, 0}},
              {M(2023, 2), {0, 0}},
              {M(2024, 1), {3, 4}},
              {M(2024, 2), {0, 0}}}},
        };
    kv1::GetIndicatorTrendResponse response;
    for (const auto& [id, points] : kPoints) {
      kv1::IndicatorTrend* trend = response.add_trends();
      trend->set_id(id);
      for (M m = from; m <= to; ++m) {
        kv1::TrendPoint* point = trend->add_points();
        *point->mutable_month() = ToProtoMonth(m);
        auto it = points.find(m);
        if (it == points.end()) continue;
        point->set_numerator(it->second.first);
        point->set_denominator(it->second.second);
      }
    }
    return response;
  }
  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrendBetween(
      const CallerIdentity& caller, M from, M to, absl::Time) override {
    if (absl::Status s = Enter("WorkforceTrendBetween",
                               ReportBackend::kWorkforce, caller, from, to);
        !s.ok()) {
      return s;
    }
    const bool after = IsAfter(to);
    wv1::GetWorkforceTrendResponse response;
    wv1::WorkforceTrendPoint* point = response.add_points();
    *point->mutable_month() = ToProtoMonth(to);
    point->set_fte_in_post(after ? 92.6 : 90.15);
    point->set_agency_fte(after ? 10.0 : 12.4);
    if (!after) point->set_absence_days_per_fte(9.25);
    const bool caseloads = !after || state_->caseloads_available_after;
    response.set_caseloads_available(caseloads);
    if (caseloads) point->set_mean_caseload(after ? 16.0 : 18.5);
    return response;
  }

 private:
  absl::Status Enter(absl::string_view method, ReportBackend backend,
                     const CallerIdentity& caller, M from, M to,
                     absl::string_view to_text = "") {
    {
      absl::MutexLock lock(&state_->mu);
      state_->calls.push_back(absl::StrCat(
          method, to_text.empty() ? FormatIsoMonth(from) : "",
          to_text.empty() ? ".." : "",
          to_text.empty() ? FormatIsoMonth(to) : std::string(to_text)));
      state_->callers.insert(caller.caller);
    }
    if (auto it = state_->errors.find(backend); it != state_->errors.end()) {
      return it->second;
    }
    if (auto it = state_->after_errors.find(backend);
        it != state_->after_errors.end() && IsAfter(to)) {
      return it->second;
    }
    return absl::OkStatus();
  }

  FakeState* const state_;
};

class FigureComparisonTest : public ::testing::Test {
 protected:
  absl::StatusOr<gv1::FigureComparison> Compare(
      const std::vector<std::string>& ids, MonthSpan before = kBefore,
      MonthSpan after = kAfter) {
    return comparer_.Compare(Analyst(), ids, before, after,
                             absl::Now() + absl::Seconds(5));
  }

  // The change of `id` in `comparison`.
  static const gv1::FigureChange& Find(const gv1::FigureComparison& comparison,
                                       absl::string_view id) {
    for (const gv1::FigureChange& change : comparison.changes()) {
      if (change.figure().id() == id) return change;
    }
    ADD_FAILURE() << "no change for " << id;
    return gv1::FigureChange::default_instance();
  }

  std::vector<std::string> Calls() {
    absl::MutexLock lock(&state_.mu);
    std::vector<std::string> calls = state_.calls;
    std::sort(calls.begin(), calls.end());
    return calls;
  }

  FakeState state_;
  FakeSources sources_{&state_};
  FigureComparer comparer_{&sources_};
};

// A change's numbers, e.g. "220 -> 200: -20 (-9.1%) NOT_JUDGED"; "-" for
// an absent value.
std::string Describe(const gv1::FigureChange& change) {
  auto number = [](bool present, double value) {
    if (!present) return std::string("-");
    char text[32];
    snprintf(text, sizeof(text), "%g", value);
    return std::string(text);
  };
  std::string verdict = gv1::ChangeVerdict_Name(change.verdict());
  verdict = verdict.substr(std::string("CHANGE_VERDICT_").size());
  return absl::StrCat(
      number(change.has_before(), change.before()), " -> ",
      number(change.has_after(), change.after()), ": ",
      number(change.has_absolute_change(), change.absolute_change()), " (",
      number(change.has_relative_change_percent(),
             change.relative_change_percent()),
      "%) ", verdict);
}

TEST(FigureCatalogueTest, EveryFigureIsDefined) {
  const std::vector<gv1::FigureDefinition> catalogue =
      FigureComparer::Catalogue();
  std::set<std::string> ids;
  for (const gv1::FigureDefinition& figure : catalogue) {
    SCOPED_TRACE(figure.id());
    EXPECT_TRUE(ids.insert(figure.id()).second) << "twice";
    EXPECT_FALSE(figure.title().empty());
    EXPECT_NE(figure.unit(), gv1::FIGURE_UNIT_UNSPECIFIED);
    EXPECT_NE(figure.direction(), gv1::FIGURE_DIRECTION_UNSPECIFIED);
    EXPECT_FALSE(figure.period_rule().empty());
    EXPECT_THAT((std::set<std::string>{"intake", "kpi", "workforce", "qa"}),
                ::testing::Contains(figure.backend()));
    EXPECT_EQ(figure.id().substr(0, figure.backend().size() + 1),
              figure.backend() + ".");
  }
  for (const char* id : {"intake.contacts",
                         "intake.progressed_percent",
                         "intake.decided_within_1wd_percent",
                         "intake.referral_quality_mean",
                         "intake.duplicate_input_percent",
                         "kpi.cic_visits_in_time",
                         "kpi.cic_reviews_in_time",
                         "kpi.cpp_visits_in_time",
                         "kpi.cpp_reviews_in_time",
                         "kpi.cin_reviews_in_time",
                         "kpi.first_assessments_in_time",
                         "kpi.icpc_in_15wd",
                         "kpi.repeat_cp_plans",
                         "kpi.open_cases",
                         "kpi.children_in_care_per_10k",
                         "kpi.child_protection_per_10k",
                         "kpi.visits_face_to_face_percent",
                         "kpi.step_downs",
                         "kpi.closures",
                         "workforce.mean_caseload",
                         "workforce.agency_fte",
                         "workforce.absence_days_per_fte",
                         "qa.good_or_better_percent",
                         "qa.audits",
                         "qa.feedback_mean_rating"}) {
    EXPECT_EQ(ids.count(id), 1u) << id;
  }
  // Directions where the source reports say which way is better.
  std::map<std::string, gv1::FigureDirection> direction;
  for (const gv1::FigureDefinition& figure : catalogue) {
    direction[figure.id()] = figure.direction();
  }
  EXPECT_EQ(direction["kpi.repeat_cp_plans"],
            gv1::FIGURE_DIRECTION_LOWER_IS_BETTER);
  EXPECT_EQ(direction["kpi.first_assessments_in_time"],
            gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER);
  EXPECT_EQ(direction["intake.contacts"], gv1::FIGURE_DIRECTION_NEUTRAL);
  EXPECT_EQ(direction["intake.duplicate_input_percent"],
            gv1::FIGURE_DIRECTION_LOWER_IS_BETTER);
  EXPECT_EQ(catalogue.front().id(), "intake.contacts");
}

TEST_F(FigureComparisonTest, FrontDoorSumsTheMonths) {
  auto comparison = Compare({"intake.contacts", "intake.progressed_percent",
                             "intake.decided_within_1wd_percent"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  // Contacts 100 + 120 = 220 -> 90 + 110 = 200: -20, -20/220 = -9.1%.
  EXPECT_EQ(Describe(Find(*comparison, "intake.contacts")),
            "220 -> 200: -20 (-9.1%) NOT_JUDGED");
  // Progressed (20 + 30) / (80 + 100) = 27.8 -> (24 + 30) / (60 + 90) =
  // 36.0: +8.2, 8.2 / 27.8 = 29.5% (neutral: not judged).
  EXPECT_EQ(Describe(Find(*comparison, "intake.progressed_percent")),
            "27.8 -> 36: 8.2 (29.5%) NOT_JUDGED");
  // Within 1 wd (60 + 90) / 180 = 83.3 -> (57 + 81) / 150 = 92.0: +8.7,
  // 8.7 / 83.3 = 10.4%, better.
  EXPECT_EQ(Describe(Find(*comparison, "intake.decided_within_1wd_percent")),
            "83.3 -> 92: 8.7 (10.4%) BETTER");
  // One call a month of each period.
  EXPECT_THAT(
      Calls(),
      ElementsAre("FrontDoor2023-01..2023-01", "FrontDoor2023-02..2023-02",
                  "FrontDoor2024-01..2024-01", "FrontDoor2024-02..2024-02"));
}

TEST_F(FigureComparisonTest, IndicatorsPoolNumeratorsAndDenominators) {
  auto comparison = Compare({"kpi.first_assessments_in_time",
                             "kpi.repeat_cp_plans", "kpi.cic_reviews_in_time"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  // (40 + 9) / (50 + 10) = 81.7 (not the mean of 80.0 and 90.0, 85.0) ->
  // (30 + 20) / (40 + 20) = 83.3: +1.6, 1.6 / 81.7 = 2.0%, better.
  EXPECT_EQ(Describe(Find(*comparison, "kpi.first_assessments_in_time")),
            "81.7 -> 83.3: 1.6 (2%) BETTER");
  // (2 + 3) / 20 = 25.0 -> (1 + 0) / (10 + 0) = 10.0: -15, -60.0%; lower is
  // better.
  EXPECT_EQ(Describe(Find(*comparison, "kpi.repeat_cp_plans")),
            "25 -> 10: -15 (-60%) BETTER");
  // No denominator before: no value, no change, not judged, no note (the
  // backend answered).
  const gv1::FigureChange& reviews =
      Find(*comparison, "kpi.cic_reviews_in_time");
  EXPECT_EQ(Describe(reviews), "- -> 75: - (-%) NOT_JUDGED");
  EXPECT_EQ(reviews.note(), "");
  // One trend call per period.
  EXPECT_THAT(Calls(), ElementsAre("IndicatorTrendBetween2023-01..2023-02",
                                   "IndicatorTrendBetween2024-01..2024-02"));
}

TEST_F(FigureComparisonTest, SnapshotsAtThePeriodsLastMonth) {
  auto comparison =
      Compare({"kpi.open_cases", "kpi.children_in_care_per_10k",
               "kpi.child_protection_per_10k", "workforce.mean_caseload",
               "workforce.agency_fte", "workforce.absence_days_per_fte"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  EXPECT_EQ(Describe(Find(*comparison, "kpi.open_cases")),
            "400 -> 380: -20 (-5%) NOT_JUDGED");
  EXPECT_EQ(Describe(Find(*comparison, "kpi.children_in_care_per_10k")),
            "70 -> 65: -5 (-7.1%) NOT_JUDGED");
  EXPECT_EQ(Describe(Find(*comparison, "kpi.child_protection_per_10k")),
            "- -> -: - (-%) NOT_JUDGED");
  // 18.5 -> 16.0: -2.5, -13.5%; lower is better.
  EXPECT_EQ(Describe(Find(*comparison, "workforce.mean_caseload")),
            "18.5 -> 16: -2.5 (-13.5%) BETTER");
  // 12.4 -> 10.0: -2.4 (not -2.4000000000000004), -19.4%.
  EXPECT_EQ(Find(*comparison, "workforce.agency_fte").absolute_change(), -2.4);
  EXPECT_EQ(Describe(Find(*comparison, "workforce.agency_fte")),
            "12.4 -> 10: -2.4 (-19.4%) BETTER");
  EXPECT_EQ(Describe(Find(*comparison, "workforce.absence_days_per_fte")),
            "9.25 -> -: - (-%) NOT_JUDGED");
  // Case status and the workforce trend at each period's last month only.
  EXPECT_THAT(Calls(), ElementsAre("CaseStatus2023-02..2023-02",
                                   "CaseStatus2024-02..2024-02",
                                   "WorkforceTrendBetween2023-02..2023-02",
                                   "WorkforceTrendBetween2024-02..2024-02"));
}

TEST_F(FigureComparisonTest, FlowsVisitsInsightAndQa) {
  auto comparison = Compare(
      {"kpi.step_downs", "kpi.step_ups", "kpi.closures",
       "kpi.visits_face_to_face_percent", "kpi.visits_seen_alone_percent",
       "intake.referral_quality_mean", "intake.duplicate_input_percent",
       "qa.audits", "qa.good_or_better_percent", "qa.feedback_mean_rating"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  // Step downs 3 + 2 = 5 -> 4 + 4 = 8: +3, +60.0%.
  EXPECT_EQ(Describe(Find(*comparison, "kpi.step_downs")),
            "5 -> 8: 3 (60%) NOT_JUDGED");
  // Step ups 0 -> 2: no relative change from 0.
  EXPECT_EQ(Describe(Find(*comparison, "kpi.step_ups")),
            "0 -> 2: 2 (-%) NOT_JUDGED");
  EXPECT_EQ(Describe(Find(*comparison, "kpi.closures")),
            "22 -> 30: 8 (36.4%) NOT_JUDGED");
  // Face to face (8 + 19) / (10 + 20) = 90.0 -> (10 + 9) / 20 = 95.0:
  // +5.0, 5 / 90 = 5.6%.
  EXPECT_EQ(Describe(Find(*comparison, "kpi.visits_face_to_face_percent")),
            "90 -> 95: 5 (5.6%) BETTER");
  // Seen alone 5 / 10 = 50.0 -> nothing recorded.
  EXPECT_EQ(Describe(Find(*comparison, "kpi.visits_seen_alone_percent")),
            "50 -> -: - (-%) NOT_JUDGED");
  EXPECT_EQ(Describe(Find(*comparison, "intake.referral_quality_mean")),
            "62.5 -> 70: 7.5 (12%) BETTER");
  // Duplicate input up 12.0 -> 15.0: +25.0%, worse.
  EXPECT_EQ(Describe(Find(*comparison, "intake.duplicate_input_percent")),
            "12 -> 15: 3 (25%) WORSE");
  EXPECT_EQ(Describe(Find(*comparison, "qa.audits")),
            "10 -> 12: 2 (20%) NOT_JUDGED");
  EXPECT_EQ(Describe(Find(*comparison, "qa.good_or_better_percent")),
            "60 -> 60: 0 (0%) SAME");
  // The total row (3.5), not the families' (1.0): +0.75, 21.4%.
  EXPECT_EQ(Describe(Find(*comparison, "qa.feedback_mean_rating")),
            "3.5 -> 4.25: 0.75 (21.4%) BETTER");
  // QA over the periods' days: 2023-01-01..2023-02-28 and the leap
  // February of 2024.
  std::vector<std::string> calls = Calls();
  EXPECT_THAT(calls, ::testing::Contains("QaFigures 2023-01-01..2023-02-28"));
  EXPECT_THAT(calls, ::testing::Contains("QaFigures 2024-01-01..2024-02-29"));
}

TEST_F(FigureComparisonTest, EveryFigureAsksEachBackendOncePerPeriod) {
  auto comparison = Compare({});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  // Every figure, in catalogue order.
  const std::vector<gv1::FigureDefinition> catalogue =
      FigureComparer::Catalogue();
  ASSERT_EQ(comparison->changes_size(), static_cast<int>(catalogue.size()));
  for (size_t i = 0; i < catalogue.size(); ++i) {
    EXPECT_EQ(comparison->changes(i).figure().id(), catalogue[i].id());
    EXPECT_EQ(comparison->changes(i).note(), "") << catalogue[i].id();
  }
  EXPECT_EQ(comparison->before().from().year(), 2023);
  EXPECT_EQ(comparison->after().to().month(), 2);
  EXPECT_THAT(
      Calls(),
      ElementsAre(
          "CaseStatus2023-02..2023-02", "CaseStatus2024-02..2024-02",
          "DuplicateInput2023-01..2023-02", "DuplicateInput2024-01..2024-02",
          "FrontDoor2023-01..2023-01", "FrontDoor2023-02..2023-02",
          "FrontDoor2024-01..2024-01", "FrontDoor2024-02..2024-02",
          "IndicatorTrendBetween2023-01..2023-02",
          "IndicatorTrendBetween2024-01..2024-02",
          "QaFigures 2023-01-01..2023-02-28",
          "QaFigures 2024-01-01..2024-02-29", "ReferralQuality2023-01..2023-02",
          "ReferralQuality2024-01..2024-02", "ServiceFlows2023-01..2023-02",
          "ServiceFlows2024-01..2024-02", "VisitQuality2023-01..2023-02",
          "VisitQuality2024-01..2024-02",
          "WorkforceTrendBetween2023-02..2023-02",
          "WorkforceTrendBetween2024-02..2024-02"));
  absl::MutexLock lock(&state_.mu);
  EXPECT_THAT(state_.callers, ElementsAre("test-analyst"));
}

TEST_F(FigureComparisonTest, ABackendFailingLeavesItsFiguresWithANote) {
  state_.errors[ReportBackend::kKpi] = absl::UnavailableError("down");
  auto comparison = Compare(
      {"intake.contacts", "kpi.open_cases", "kpi.first_assessments_in_time"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  ASSERT_EQ(comparison->changes_size(), 3);
  // In the order asked.
  EXPECT_EQ(comparison->changes(0).figure().id(), "intake.contacts");
  EXPECT_EQ(comparison->changes(1).figure().id(), "kpi.open_cases");
  EXPECT_EQ(Describe(comparison->changes(0)),
            "220 -> 200: -20 (-9.1%) NOT_JUDGED");
  EXPECT_EQ(comparison->changes(0).note(), "");
  for (int i : {1, 2}) {
    const gv1::FigureChange& change = comparison->changes(i);
    EXPECT_EQ(Describe(change), "- -> -: - (-%) NOT_JUDGED");
    EXPECT_EQ(change.note(), "KPI service unavailable (UNAVAILABLE)");
  }
}

TEST_F(FigureComparisonTest, ABackendFailingInOnePeriodSaysWhich) {
  state_.after_errors[ReportBackend::kQa] = absl::DeadlineExceededError("slow");
  auto comparison = Compare({"qa.audits"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  const gv1::FigureChange& change = comparison->changes(0);
  EXPECT_EQ(Describe(change), "10 -> -: - (-%) NOT_JUDGED");
  EXPECT_EQ(change.note(),
            "after: quality-assurance service unavailable (DEADLINE_EXCEEDED)");
}

TEST_F(FigureComparisonTest, ABackendNotDeployedIsNotAsked) {
  state_.deployed[ReportBackend::kWorkforce] = false;
  auto comparison = Compare({"workforce.mean_caseload", "qa.audits"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  EXPECT_EQ(Describe(comparison->changes(0)), "- -> -: - (-%) NOT_JUDGED");
  EXPECT_EQ(comparison->changes(0).note(), "no workforce service is deployed");
  EXPECT_EQ(Describe(comparison->changes(1)), "10 -> 12: 2 (20%) NOT_JUDGED");
  for (const std::string& call : Calls()) {
    EXPECT_THAT(call, ::testing::Not(HasSubstr("Workforce")));
  }
}

TEST_F(FigureComparisonTest, CaseloadsUnavailableAreNoted) {
  state_.caseloads_available_after = false;
  auto comparison =
      Compare({"workforce.mean_caseload", "workforce.agency_fte"});
  ASSERT_TRUE(comparison.ok()) << comparison.status();
  EXPECT_EQ(Describe(comparison->changes(0)), "18.5 -> -: - (-%) NOT_JUDGED");
  EXPECT_THAT(comparison->changes(0).note(),
              HasSubstr("after: caseloads unavailable"));
  EXPECT_EQ(comparison->changes(1).note(), "");
}

TEST_F(FigureComparisonTest, UnknownFigureNamesItsIndex) {
  auto comparison = Compare({"intake.contacts", "kpi.open_cases", "x"});
  EXPECT_EQ(comparison.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(comparison.status().message(),
            "figure_ids[2]: unknown figure \"x\"");
  EXPECT_THAT(Calls(), ::testing::IsEmpty());
}

TEST_F(FigureComparisonTest, BadPeriods) {
  auto backwards = Compare({}, {M(2023, 3), M(2023, 1)}, kAfter);
  EXPECT_EQ(backwards.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(backwards.status().message(), "before.from: after before.to");
  auto after_backwards = Compare({}, kBefore, {M(2024, 2), M(2024, 1)});
  EXPECT_EQ(after_backwards.status().message(), "after.from: after after.to");
  // 60 months is the most: 2019-01..2023-12 is fine, 2019-01..2024-01 not.
  auto long_after = Compare({"qa.audits"}, kBefore, {M(2019, 1), M(2024, 1)});
  EXPECT_EQ(long_after.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(long_after.status().message(),
              HasSubstr("after: longer than 60 months"));
  EXPECT_THAT(Calls(), ::testing::IsEmpty());
  EXPECT_TRUE(Compare({"qa.audits"}, kBefore, {M(2019, 1), M(2023, 12)}).ok());
  // One month against itself: the same figure, SAME.
  auto same = Compare({"kpi.repeat_cp_plans"}, kBefore, kBefore);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(Describe(same->changes(0)), "25 -> 25: 0 (0%) SAME");
}

}  // namespace
}  // namespace sgm::gateway
