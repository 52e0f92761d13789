// The monthly practice report (sgm.gateway.v1.PracticeReport): composed by
// the gateway from the backends' aggregates, section by section.
//
// ReportSources is where the figures come from: one call per piece of a
// section, each given the caller's identity, the month and a deadline. The
// gRPC implementation calls the backends over the gateway's channels with
// the caller's identity in metadata.
//
// PracticeReportComposer fetches every piece at once and waits for them
// within one overall deadline. A backend that fails or does not answer in
// time leaves its section UNAVAILABLE with a plain reason; a backend with no
// address configured leaves it NOT_DEPLOYED; the rest of the report is
// served all the same. The practice-insight section (docs/insight.md) needs
// both intake and the KPI service; the "what changed" section compares
// figures over two periods (ComposerOptions::what_changed) through
// FigureComparer. A report whose sections are all there is cached under the
// month, every deployed backend's published generation (DESIGN section 2)
// and the what-changed settings, so a cached report is never older than the
// last write a backend has published.
#ifndef SGM_SERVICES_GATEWAY_PRACTICE_REPORT_H_
#define SGM_SERVICES_GATEWAY_PRACTICE_REPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/intake/v1/intake.pb.h"
#include "sgm/kpi/v1/kpi.pb.h"
#include "sgm/qa/v1/qa.pb.h"
#include "sgm/workforce/v1/workforce.pb.h"

namespace sgm::gateway {

// The backends a report draws on.
enum class ReportBackend { kIntake, kKpi, kWorkforce, kQa };

// "intake", "kpi", "workforce", "qa": the name each service publishes its
// generation under (AggregateCache::ReadGeneration).
absl::string_view CacheServiceName(ReportBackend backend);
// "intake service", "KPI service", "workforce service", "quality-assurance
// service": for reasons.
absl::string_view BackendTitle(ReportBackend backend);

// Where a report's figures come from. Each call returns the backend's own
// answer, or its error (DEADLINE_EXCEEDED past `deadline`). Thread-safe:
// the composer calls them from several threads at once.
class ReportSources {
 public:
  virtual ~ReportSources() = default;

  // False when the backend has no address configured (not deployed).
  virtual bool Deployed(ReportBackend backend) const = 0;

  // Intake GetFrontDoorFigures for the month (as of its last day).
  virtual absl::StatusOr<sgm::intake::v1::FrontDoorFigures> FrontDoor(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) = 0;
  // KPI GetIndicators for the month.
  virtual absl::StatusOr<sgm::kpi::v1::GetIndicatorsResponse> Indicators(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) = 0;
  // KPI GetIndicatorTrend over the 12 months ending with the month.
  virtual absl::StatusOr<sgm::kpi::v1::GetIndicatorTrendResponse>
  IndicatorTrend(const CallerIdentity& caller, absl::CivilMonth month,
                 absl::Time deadline) = 0;
  // KPI GetCaseStatus for the month.
  virtual absl::StatusOr<sgm::kpi::v1::CaseStatus> CaseStatus(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) = 0;
  // Workforce GetWorkforceFigures as of the month's last day.
  virtual absl::StatusOr<sgm::workforce::v1::WorkforceFigures> Workforce(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) = 0;
  // Workforce GetWorkforceTrend over the 12 months ending with the month.
  virtual absl::StatusOr<sgm::workforce::v1::GetWorkforceTrendResponse>
  WorkforceTrend(const CallerIdentity& caller, absl::CivilMonth month,
                 absl::Time deadline) = 0;
  // QA GetQaFigures for the days `from` to `to` (both included), every
  // team and theme.
  virtual absl::StatusOr<sgm::qa::v1::QaFigures> QaFigures(
      const CallerIdentity& caller, absl::CivilDay from, absl::CivilDay to,
      absl::Time deadline) = 0;
  // QA GetQaTrend over the 12 months ending with the month.
  virtual absl::StatusOr<sgm::qa::v1::GetQaTrendResponse> QaTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) = 0;

  // Practice insight (docs/insight.md), each over the months `from` to
  // `to` (both included).
  // Intake GetReferralQuality, every agency.
  virtual absl::StatusOr<sgm::intake::v1::GetReferralQualityResponse>
  ReferralQuality(const CallerIdentity& caller, absl::CivilMonth from,
                  absl::CivilMonth to, absl::Time deadline) = 0;
  // Intake GetDuplicateInput.
  virtual absl::StatusOr<sgm::intake::v1::GetDuplicateInputResponse>
  DuplicateInput(const CallerIdentity& caller, absl::CivilMonth from,
                 absl::CivilMonth to, absl::Time deadline) = 0;
  // Intake GetContactCategories.
  virtual absl::StatusOr<sgm::intake::v1::GetContactCategoriesResponse>
  ContactCategories(const CallerIdentity& caller, absl::CivilMonth from,
                    absl::CivilMonth to, absl::Time deadline) = 0;
  // KPI GetVisitQuality.
  virtual absl::StatusOr<sgm::kpi::v1::GetVisitQualityResponse> VisitQuality(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) = 0;
  // KPI GetServiceFlows.
  virtual absl::StatusOr<sgm::kpi::v1::GetServiceFlowsResponse> ServiceFlows(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) = 0;
  // KPI GetCategoryFunnel.
  virtual absl::StatusOr<sgm::kpi::v1::GetCategoryFunnelResponse>
  CategoryFunnel(const CallerIdentity& caller, absl::CivilMonth from,
                 absl::CivilMonth to, absl::Time deadline) = 0;
  // KPI GetIndicatorTrend over the months `from` to `to`.
  virtual absl::StatusOr<sgm::kpi::v1::GetIndicatorTrendResponse>
  IndicatorTrendBetween(const CallerIdentity& caller, absl::CivilMonth from,
                        absl::CivilMonth to, absl::Time deadline) = 0;
  // Workforce GetWorkforceTrend over the months `from` to `to`.
  virtual absl::StatusOr<sgm::workforce::v1::GetWorkforceTrendResponse>
  WorkforceTrendBetween(const CallerIdentity& caller, absl::CivilMonth from,
                        absl::CivilMonth to, absl::Time deadline) = 0;
};

// ReportSources over gRPC: `channels` by proto package ("sgm.intake.v1",
// "sgm.kpi.v1", "sgm.workforce.v1", "sgm.qa.v1"); a package without a
// channel is not deployed. Every call carries the caller's identity headers and
// `deadline`.
std::unique_ptr<ReportSources> MakeGrpcReportSources(
    const std::map<std::string, std::shared_ptr<grpc::Channel>>& channels);

// A span of whole months, both included.
struct ReportPeriod {
  absl::CivilMonth from;
  absl::CivilMonth to;
};

// The longest period the what-changed section compares (as CompareFigures).
inline constexpr int kLongestComparedPeriodMonths = 60;

// The "what changed" section: which figures, over which two periods.
struct WhatChangedOptions {
  // Fixed periods, e.g. a pilot's before and after: both or neither. When
  // neither, each report compares the 3 months ending with its month
  // (after) with the same 3 months a year earlier (before).
  std::optional<ReportPeriod> before;
  std::optional<ReportPeriod> after;
  // Figure ids from FigureComparer::Catalogue(), in the order shown;
  // empty: DefaultWhatChangedFigures() (those the catalogue has).
  std::vector<std::string> figure_ids;
};

struct ComposerOptions {
  // The whole composition, all backends together, must end within this.
  absl::Duration deadline = absl::Seconds(5);
  // The report's "what changed" section.
  WhatChangedOptions what_changed;
};

// The standard short list of the what-changed section: demand, progression,
// timeliness, visits, open cases, duplicate input, referral quality,
// caseloads and audit grades.
const std::vector<std::string>& DefaultWhatChangedFigures();

// The figure ids a report with `options` compares: options.figure_ids, or
// the default list's ids that `catalogue` has (every one when the
// catalogue has none of them).
std::vector<std::string> WhatChangedFigureIds(
    const WhatChangedOptions& options,
    const std::vector<sgm::gateway::v1::FigureDefinition>& catalogue);

// The periods a report of `month` compares: (before, after). The fixed
// ones when both are set; else after = month - 2 .. month and before = the
// same months a year earlier (report month 2024-05: after 2024-03..2024-05,
// before 2023-03..2023-05).
std::pair<ReportPeriod, ReportPeriod> WhatChangedPeriods(
    const WhatChangedOptions& options, absl::CivilMonth month);

// "2023-01..2023-06" as a period; INVALID_ARGUMENT saying what is wrong
// (not of that form, a month that does not exist, `from` after `to`, longer
// than kLongestComparedPeriodMonths).
absl::StatusOr<ReportPeriod> ParseReportPeriod(absl::string_view text);
// "2023-01..2023-06".
std::string FormatReportPeriod(const ReportPeriod& period);

// "a,b,c" as figure ids, each in `catalogue`, none twice (spaces around an
// id are dropped); INVALID_ARGUMENT naming the id at fault (and the known
// ids) otherwise. Empty text: no ids.
absl::StatusOr<std::vector<std::string>> ParseFigureIds(
    absl::string_view text,
    const std::vector<sgm::gateway::v1::FigureDefinition>& catalogue);

// Checks `options` as the gateway's start-up does: both periods or neither,
// each well formed, every figure id in `catalogue` and none twice.
// INVALID_ARGUMENT naming the field ("what_changed.before", ...).
absl::Status ValidateWhatChanged(
    const WhatChangedOptions& options,
    const std::vector<sgm::gateway::v1::FigureDefinition>& catalogue);

class PracticeReportComposer {
 public:
  // `cache` and `clock` are not owned and must outlive the composer; the
  // clock gives the default month and composed_at.
  PracticeReportComposer(std::unique_ptr<ReportSources> sources,
                         AggregateCache* cache, const Clock* clock,
                         ComposerOptions options);
  // Waits for fetches still running past a report's deadline (each has the
  // deadline too, so they end soon after it).
  ~PracticeReportComposer();

  PracticeReportComposer(const PracticeReportComposer&) = delete;
  PracticeReportComposer& operator=(const PracticeReportComposer&) = delete;

  // The report for the caller's authority and `month` (default: the last
  // full month, DefaultMonth). Sections that cannot be filled are marked;
  // the call itself fails only for a bad month. Answers within the
  // deadline (plus the cache's own bounded time).
  absl::StatusOr<sgm::gateway::v1::PracticeReport> Compose(
      const CallerIdentity& caller, std::optional<absl::CivilMonth> month);

  // Compose on a thread of the composer's own, then `done` on that thread:
  // for handlers that must not block (gRPC callback reactors).
  void ComposeInBackground(
      const CallerIdentity& caller, std::optional<absl::CivilMonth> month,
      std::function<void(absl::StatusOr<sgm::gateway::v1::PracticeReport>)>
          done);

  // The last full calendar month before the authority's local date of
  // `now` (Europe/London).
  static absl::CivilMonth DefaultMonth(absl::Time now);

  // The cache key of a report of `month`: the month and the published
  // generation of each deployed backend ("none" for one not deployed), e.g.
  // "report:v2:2024-05:intake=g7:kpi=g9:workforce=none:qa=g3", then
  // `settings` when not empty (WhatChangedKey). Exposed for tests.
  static std::string CacheKey(
      absl::CivilMonth month,
      const std::map<ReportBackend, std::optional<int64_t>>& generations,
      absl::string_view settings = "");

  // The part of the cache key that the what-changed settings make: empty
  // for the defaults; else e.g.
  // "wc=2023-01..2023-06,2024-01..2024-06:intake.contacts,kpi.open_cases".
  static std::string WhatChangedKey(const WhatChangedOptions& options);

 private:
  // Runs `task` on a new thread counted in `running_`.
  void Spawn(std::function<void()> task);

  const std::unique_ptr<ReportSources> sources_;
  AggregateCache* const cache_;
  const Clock* const clock_;
  const ComposerOptions options_;

  // Threads still running (a fetch past its report's deadline, or a
  // background composition); shared so a thread can finish counting down
  // after the composer has stopped waiting.
  struct Running;
  const std::shared_ptr<Running> running_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_PRACTICE_REPORT_H_
