#include "services/gateway/practice_report.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/civil_date.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "services/gateway/abuse_funnel.h"
#include "services/gateway/figure_comparison.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"

namespace sgm::gateway {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;

// The name the report is cached under (AggregateCache's `service`). The
// generations the report depends on are in the key; the generation slot
// itself is unused (0).
constexpr char kReportCacheService[] = "gateway";
constexpr int64_t kReportCacheGeneration = 0;
// Trends cover the 12 months ending with the report's month.
constexpr int kTrendMonths = 12;
// What changed, by default: the 3 months ending with the report's month
// against the same months a year earlier.
constexpr int kWhatChangedMonths = 3;

constexpr ReportBackend kBackends[] = {
    ReportBackend::kIntake, ReportBackend::kKpi, ReportBackend::kWorkforce,
    ReportBackend::kQa};

absl::string_view CacheServiceName(ReportBackend backend) {
  switch (backend) {
    case ReportBackend::kIntake:
      return "intake";
    case ReportBackend::kKpi:
      return "kpi";
    case ReportBackend::kWorkforce:
      return "workforce";
    case ReportBackend::kQa:
      return "qa";
  }
  return "unknown";
}

absl::string_view BackendTitle(ReportBackend backend) {
  switch (backend) {
    case ReportBackend::kIntake:
      return "intake service";
    case ReportBackend::kKpi:
      return "KPI service";
    case ReportBackend::kWorkforce:
      return "workforce service";
    case ReportBackend::kQa:
      return "quality-assurance service";
  }
  return "service";
}

namespace {

// --- gRPC sources ----------------------------------------------------------

void Prepare(const CallerIdentity& caller, absl::Time deadline,
             grpc::ClientContext* context) {
  AttachIdentity(caller, context);
  context->set_deadline(absl::ToChronoTime(deadline));
}

absl::Status NotDeployed(ReportBackend backend) {
  return absl::FailedPreconditionError(
      absl::StrCat("no ", BackendTitle(backend), " is configured"));
}

// One unary call on `stub` (null: the backend is not deployed) with the
// caller's identity and the deadline; the response or the call's error.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> CallBackend(
    Stub* stub, ReportBackend backend,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request, const CallerIdentity& caller, absl::Time deadline) {
  if (stub == nullptr) return NotDeployed(backend);
  Response response;
  grpc::ClientContext context;
  Prepare(caller, deadline, &context);
  const grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

// A request with `from` and `to` months set.
template <typename Request>
Request RangeRequest(absl::CivilMonth from, absl::CivilMonth to) {
  Request request;
  *request.mutable_from() = ToProtoMonth(from);
  *request.mutable_to() = ToProtoMonth(to);
  return request;
}

class GrpcReportSources final : public ReportSources {
 public:
  explicit GrpcReportSources(
      const std::map<std::string, std::shared_ptr<grpc::Channel>>& channels) {
    if (auto it = channels.find("sgm.intake.v1"); it != channels.end()) {
      intake_ = iv1::IntakeService::NewStub(it->second);
    }
    if (auto it = channels.find("sgm.kpi.v1"); it != channels.end()) {
      kpi_ = kv1::KpiService::NewStub(it->second);
    }
    if (auto it = channels.find("sgm.workforce.v1"); it != channels.end()) {
      workforce_ = wv1::WorkforceService::NewStub(it->second);
    }
    if (auto it = channels.find("sgm.qa.v1"); it != channels.end()) {
      qa_ = qv1::QaService::NewStub(it->second);
    }
  }

  bool Deployed(ReportBackend backend) const override {
    switch (backend) {
      case ReportBackend::kIntake:
        return intake_ != nullptr;
      case ReportBackend::kKpi:
        return kpi_ != nullptr;
      case ReportBackend::kWorkforce:
        return workforce_ != nullptr;
      case ReportBackend::kQa:
        return qa_ != nullptr;
    }
    return false;
  }

  absl::StatusOr<iv1::FrontDoorFigures> FrontDoor(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    iv1::GetFrontDoorFiguresRequest request;
    *request.mutable_month() = ToProtoMonth(month);
    SGM_ASSIGN_OR_RETURN(
        iv1::GetFrontDoorFiguresResponse response,
        CallBackend(intake_.get(), ReportBackend::kIntake,
                    &iv1::IntakeService::Stub::GetFrontDoorFigures, request,
                    caller, deadline));
    return std::move(*response.mutable_figures());
  }

  absl::StatusOr<kv1::GetIndicatorsResponse> Indicators(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    kv1::GetIndicatorsRequest request;
    *request.mutable_month() = ToProtoMonth(month);
    return CallBackend(kpi_.get(), ReportBackend::kKpi,
                       &kv1::KpiService::Stub::GetIndicators, request, caller,
                       deadline);
  }

  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    return IndicatorTrendBetween(caller, month - (kTrendMonths - 1), month,
                                 deadline);
  }

  absl::StatusOr<kv1::CaseStatus> CaseStatus(const CallerIdentity& caller,
                                             absl::CivilMonth month,
                                             absl::Time deadline) override {
    kv1::GetCaseStatusRequest request;
    *request.mutable_month() = ToProtoMonth(month);
    SGM_ASSIGN_OR_RETURN(kv1::GetCaseStatusResponse response,
                         CallBackend(kpi_.get(), ReportBackend::kKpi,
                                     &kv1::KpiService::Stub::GetCaseStatus,
                                     request, caller, deadline));
    return std::move(*response.mutable_status());
  }

  absl::StatusOr<wv1::WorkforceFigures> Workforce(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    wv1::GetWorkforceFiguresRequest request;
    *request.mutable_as_of() = ToProtoDate(LastDayOf(month));
    SGM_ASSIGN_OR_RETURN(
        wv1::GetWorkforceFiguresResponse response,
        CallBackend(workforce_.get(), ReportBackend::kWorkforce,
                    &wv1::WorkforceService::Stub::GetWorkforceFigures, request,
                    caller, deadline));
    return std::move(*response.mutable_figures());
  }

  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    return WorkforceTrendBetween(caller, month - (kTrendMonths - 1), month,
                                 deadline);
  }

  absl::StatusOr<qv1::QaFigures> QaFigures(const CallerIdentity& caller,
                                           absl::CivilDay from,
                                           absl::CivilDay to,
                                           absl::Time deadline) override {
    qv1::GetQaFiguresRequest request;
    *request.mutable_from() = ToProtoDate(from);
    *request.mutable_to() = ToProtoDate(to);
    SGM_ASSIGN_OR_RETURN(qv1::GetQaFiguresResponse response,
                         CallBackend(qa_.get(), ReportBackend::kQa,
                                     &qv1::QaService::Stub::GetQaFigures,
                                     request, caller, deadline));
    return std::move(*response.mutable_figures());
  }

  absl::StatusOr<qv1::GetQaTrendResponse> QaTrend(
      const CallerIdentity& caller, absl::CivilMonth month,
      absl::Time deadline) override {
    return CallBackend(
        qa_.get(), ReportBackend::kQa, &qv1::QaService::Stub::GetQaTrend,
        RangeRequest<qv1::GetQaTrendRequest>(month - (kTrendMonths - 1), month),
        caller, deadline);
  }

  absl::StatusOr<iv1::GetReferralQualityResponse> ReferralQuality(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(intake_.get(), ReportBackend::kIntake,
                       &iv1::IntakeService::Stub::GetReferralQuality,
                       RangeRequest<iv1::GetReferralQualityRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<iv1::GetDuplicateInputResponse> DuplicateInput(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(intake_.get(), ReportBackend::kIntake,
                       &iv1::IntakeService::Stub::GetDuplicateInput,
                       RangeRequest<iv1::GetDuplicateInputRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<iv1::GetContactCategoriesResponse> ContactCategories(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(intake_.get(), ReportBackend::kIntake,
                       &iv1::IntakeService::Stub::GetContactCategories,
                       RangeRequest<iv1::GetContactCategoriesRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<kv1::GetVisitQualityResponse> VisitQuality(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(kpi_.get(), ReportBackend::kKpi,
                       &kv1::KpiService::Stub::GetVisitQuality,
                       RangeRequest<kv1::GetVisitQualityRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<kv1::GetServiceFlowsResponse> ServiceFlows(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(kpi_.get(), ReportBackend::kKpi,
                       &kv1::KpiService::Stub::GetServiceFlows,
                       RangeRequest<kv1::GetServiceFlowsRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<kv1::GetCategoryFunnelResponse> CategoryFunnel(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(kpi_.get(), ReportBackend::kKpi,
                       &kv1::KpiService::Stub::GetCategoryFunnel,
                       RangeRequest<kv1::GetCategoryFunnelRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<kv1::GetIndicatorTrendResponse> IndicatorTrendBetween(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(kpi_.get(), ReportBackend::kKpi,
                       &kv1::KpiService::Stub::GetIndicatorTrend,
                       RangeRequest<kv1::GetIndicatorTrendRequest>(from, to),
                       caller, deadline);
  }

  absl::StatusOr<wv1::GetWorkforceTrendResponse> WorkforceTrendBetween(
      const CallerIdentity& caller, absl::CivilMonth from, absl::CivilMonth to,
      absl::Time deadline) override {
    return CallBackend(workforce_.get(), ReportBackend::kWorkforce,
                       &wv1::WorkforceService::Stub::GetWorkforceTrend,
                       RangeRequest<wv1::GetWorkforceTrendRequest>(from, to),
                       caller, deadline);
  }

 private:
  std::unique_ptr<iv1::IntakeService::Stub> intake_;
  std::unique_ptr<kv1::KpiService::Stub> kpi_;
  std::unique_ptr<wv1::WorkforceService::Stub> workforce_;
  std::unique_ptr<qv1::QaService::Stub> qa_;
};

// --- composition -----------------------------------------------------------

// The answers of one composition's fetches. Shared with the fetch threads:
// one that answers after the deadline writes here after the composer has
// moved on, and its answer is dropped with the state.
struct Fetches {
  absl::Mutex mu;
  int pending ABSL_GUARDED_BY(mu) = 0;
  std::optional<absl::StatusOr<iv1::FrontDoorFigures>> front_door
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<kv1::GetIndicatorsResponse>> indicators
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<kv1::GetIndicatorTrendResponse>> trend
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<kv1::CaseStatus>> case_status
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<wv1::WorkforceFigures>> workforce
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<wv1::GetWorkforceTrendResponse>> workforce_trend
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<qv1::QaFigures>> qa_month ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<qv1::QaFigures>> qa_12_months
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<qv1::GetQaTrendResponse>> qa_trend
      ABSL_GUARDED_BY(mu);
  // Practice insight.
  std::optional<absl::StatusOr<iv1::GetReferralQualityResponse>>
      referral_quality ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<iv1::GetDuplicateInputResponse>> duplicate_input
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<iv1::GetContactCategoriesResponse>>
      contact_categories ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<kv1::GetVisitQualityResponse>> visit_quality
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<kv1::GetServiceFlowsResponse>> service_flows
      ABSL_GUARDED_BY(mu);
  std::optional<absl::StatusOr<kv1::GetCategoryFunnelResponse>> category_funnel
      ABSL_GUARDED_BY(mu);
  // What changed.
  std::optional<absl::StatusOr<gv1::FigureComparison>> comparison
      ABSL_GUARDED_BY(mu);
};

bool NothingPending(int* pending) { return *pending == 0; }

// A fetch that had not answered when the deadline came.
template <typename T>
absl::StatusOr<T> Take(std::optional<absl::StatusOr<T>>& slot,
                       absl::Duration deadline) {
  if (!slot.has_value()) {
    return absl::DeadlineExceededError(
        absl::StrCat("no answer within ", absl::FormatDuration(deadline)));
  }
  return *std::move(slot);
}

// Why a section is unavailable, for people: plain words, the code, and the
// backend's message (aggregate calls carry no personal data in errors).
std::string Reason(ReportBackend backend, const absl::Status& status,
                   absl::Duration deadline) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StrCat("the ", BackendTitle(backend),
                          " did not answer within ",
                          absl::FormatDuration(deadline));
    case absl::StatusCode::kUnavailable:
      return absl::StrCat("the ", BackendTitle(backend),
                          " could not be reached");
    default:
      return absl::StrCat("the ", BackendTitle(backend), " failed (",
                          absl::StatusCodeToString(status.code()),
                          status.message().empty() ? "" : ": ",
                          status.message(), ")");
  }
}

void MarkAvailable(gv1::SectionStatus* status) {
  status->set_state(gv1::SECTION_STATE_AVAILABLE);
}

void MarkNotDeployed(ReportBackend backend, gv1::SectionStatus* status) {
  status->set_state(gv1::SECTION_STATE_NOT_DEPLOYED);
  status->set_reason(
      absl::StrCat("no ", BackendTitle(backend), " is deployed"));
}

void MarkUnavailable(ReportBackend backend, const absl::Status& error,
                     absl::Duration deadline, gv1::SectionStatus* status) {
  status->set_state(gv1::SECTION_STATE_UNAVAILABLE);
  status->set_reason(Reason(backend, error, deadline));
  LogWarn("report_section_unavailable",
          {{"backend", std::string(CacheServiceName(backend))},
           {"code", absl::StatusCodeToString(error.code())}});
}

// The first error of `results`, or OK.
absl::Status FirstError(std::initializer_list<absl::Status> results) {
  for (const absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// A piece's result and the backend it came from.
struct PieceResult {
  ReportBackend backend;
  absl::Status status;
};

// Why the comparison is unavailable, for people.
std::string ComparisonReason(const absl::Status& status,
                             absl::Duration deadline) {
  if (status.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::StrCat("the comparison did not finish within ",
                        absl::FormatDuration(deadline));
  }
  return absl::StrCat(
      "the comparison failed (", absl::StatusCodeToString(status.code()),
      status.message().empty() ? "" : ": ", status.message(), ")");
}

// The backend a figure comes from (FigureDefinition.backend), if known.
std::optional<ReportBackend> BackendNamed(absl::string_view name) {
  for (ReportBackend backend : kBackends) {
    if (CacheServiceName(backend) == name) return backend;
  }
  return std::nullopt;
}

MonthSpan ToSpan(const ReportPeriod& period) {
  return MonthSpan{period.from, period.to};
}

}  // namespace

// --- what-changed settings ---------------------------------------------------

const std::vector<std::string>& DefaultWhatChangedFigures() {
  static const auto* const ids = new std::vector<std::string>{
      "intake.contacts",
      "intake.progressed_percent",
      "kpi.first_assessments_in_time",
      "kpi.cpp_visits_in_time",
      "kpi.open_cases",
      "kpi.visits_face_to_face_percent",
      "intake.duplicate_input_percent",
      "intake.referral_quality_mean",
      "workforce.mean_caseload",
      "qa.good_or_better_percent",
  };
  return *ids;
}

std::vector<std::string> WhatChangedFigureIds(
    const WhatChangedOptions& options,
    const std::vector<gv1::FigureDefinition>& catalogue) {
  if (!options.figure_ids.empty()) return options.figure_ids;
  std::vector<std::string> ids;
  for (const std::string& id : DefaultWhatChangedFigures()) {
    for (const gv1::FigureDefinition& figure : catalogue) {
      if (figure.id() == id) {
        ids.push_back(id);
        break;
      }
    }
  }
  return ids;  // none known: empty, the whole catalogue
}

std::pair<ReportPeriod, ReportPeriod> WhatChangedPeriods(
    const WhatChangedOptions& options, absl::CivilMonth month) {
  if (options.before.has_value() && options.after.has_value()) {
    return {*options.before, *options.after};
  }
  const ReportPeriod after{month - (kWhatChangedMonths - 1), month};
  const ReportPeriod before{after.from - 12, after.to - 12};
  return {before, after};
}

absl::StatusOr<ReportPeriod> ParseReportPeriod(absl::string_view text) {
  constexpr char kForm[] =
      "not a period of the form YYYY-MM..YYYY-MM (first and last month, "
      "both included)";
  const size_t dots = text.find("..");
  if (dots == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is ", kForm));
  }
  const absl::string_view from_text = text.substr(0, dots);
  const absl::string_view to_text = text.substr(dots + 2);
  absl::StatusOr<absl::CivilMonth> from = ParseIsoMonth(from_text);
  if (!from.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "': first month '", from_text,
        "': ", from.status().message(), " (the form is YYYY-MM..YYYY-MM)"));
  }
  absl::StatusOr<absl::CivilMonth> to = ParseIsoMonth(to_text);
  if (!to.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "': last month '", to_text, "': ", to.status().message(),
        " (the form is YYYY-MM..YYYY-MM)"));
  }
  if (*from > *to) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': the first month is after the last"));
  }
  if (*to - *from + 1 > kLongestComparedPeriodMonths) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "': ", *to - *from + 1, " months; a period is at most ",
        kLongestComparedPeriodMonths, " months"));
  }
  return ReportPeriod{*from, *to};
}

std::string FormatReportPeriod(const ReportPeriod& period) {
  return absl::StrCat(FormatIsoMonth(period.from), "..",
                      FormatIsoMonth(period.to));
}

absl::StatusOr<std::vector<std::string>> ParseFigureIds(
    absl::string_view text,
    const std::vector<gv1::FigureDefinition>& catalogue) {
  std::vector<std::string> ids;
  if (absl::StripAsciiWhitespace(text).empty()) return ids;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    const std::string id(absl::StripAsciiWhitespace(part));
    if (id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text,
                       "': an empty figure id (ids are separated "
                       "by single commas)"));
    }
    bool known = false;
    for (const gv1::FigureDefinition& figure : catalogue) {
      known = known || figure.id() == id;
    }
    if (!known) {
      std::vector<std::string> names;
      for (const gv1::FigureDefinition& figure : catalogue) {
        names.push_back(figure.id());
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown figure id '", id, "' (known: ",
          names.empty() ? std::string("none") : absl::StrJoin(names, ", "),
          ")"));
    }
    for (const std::string& seen : ids) {
      if (seen == id) {
        return absl::InvalidArgumentError(
            absl::StrCat("figure id '", id, "' is given twice"));
      }
    }
    ids.push_back(id);
  }
  return ids;
}

absl::Status ValidateWhatChanged(
    const WhatChangedOptions& options,
    const std::vector<gv1::FigureDefinition>& catalogue) {
  if (options.before.has_value() != options.after.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.before.has_value() ? "what_changed.after"
                                   : "what_changed.before",
        ": required when the other period is set (both periods or neither)"));
  }
  for (const auto& [name, period] :
       {std::make_pair("what_changed.before", options.before),
        std::make_pair("what_changed.after", options.after)}) {
    if (!period.has_value()) continue;
    absl::Status valid =
        ParseReportPeriod(FormatReportPeriod(*period)).status();
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": ", valid.message()));
    }
  }
  absl::Status ids =
      ParseFigureIds(absl::StrJoin(options.figure_ids, ","), catalogue)
          .status();
  if (!ids.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("what_changed.figure_ids: ", ids.message()));
  }
  return absl::OkStatus();
}

std::unique_ptr<ReportSources> MakeGrpcReportSources(
    const std::map<std::string, std::shared_ptr<grpc::Channel>>& channels) {
  return std::make_unique<GrpcReportSources>(channels);
}

struct PracticeReportComposer::Running {
  absl::Mutex mu;
  int threads ABSL_GUARDED_BY(mu) = 0;
};

PracticeReportComposer::PracticeReportComposer(
    std::unique_ptr<ReportSources> sources, AggregateCache* cache,
    const Clock* clock, ComposerOptions options)
    : sources_(std::move(sources)),
      cache_(cache),
      clock_(clock),
      options_(options),
      running_(std::make_shared<Running>()) {}

PracticeReportComposer::~PracticeReportComposer() {
  absl::MutexLock lock(&running_->mu);
  running_->mu.Await(absl::Condition(&NothingPending, &running_->threads));
}

void PracticeReportComposer::Spawn(std::function<void()> task) {
  {
    absl::MutexLock lock(&running_->mu);
    ++running_->threads;
  }
  std::thread([running = running_, task = std::move(task)] {
    task();
    absl::MutexLock lock(&running->mu);
    --running->threads;
  }).detach();
}

absl::CivilMonth PracticeReportComposer::DefaultMonth(absl::Time now) {
  return absl::CivilMonth(LondonDay(now)) - 1;
}

std::string PracticeReportComposer::CacheKey(
    absl::CivilMonth month,
    const std::map<ReportBackend, std::optional<int64_t>>& generations,
    absl::string_view settings) {
  std::string key = absl::StrCat("report:v2:", FormatIsoMonth(month));
  for (ReportBackend backend : kBackends) {
    auto it = generations.find(backend);
    const bool known = it != generations.end() && it->second.has_value();
    absl::StrAppend(&key, ":", CacheServiceName(backend), "=",
                    known ? absl::StrCat("g", *it->second) : "none");
  }
  if (!settings.empty()) absl::StrAppend(&key, ":", settings);
  return key;
}

std::string PracticeReportComposer::WhatChangedKey(
    const WhatChangedOptions& options) {
  const bool fixed = options.before.has_value() && options.after.has_value();
  if (!fixed && options.figure_ids.empty()) return "";
  return absl::StrCat(
      "wc=",
      fixed ? absl::StrCat(FormatReportPeriod(*options.before), ",",
                           FormatReportPeriod(*options.after))
            : std::string("default"),
      ":",
      options.figure_ids.empty() ? std::string("default")
                                 : absl::StrJoin(options.figure_ids, ","));
}

void PracticeReportComposer::ComposeInBackground(
    const CallerIdentity& caller, std::optional<absl::CivilMonth> month,
    std::function<void(absl::StatusOr<gv1::PracticeReport>)> done) {
  Spawn([this, caller, month, done = std::move(done)] {
    done(Compose(caller, month));
  });
}

absl::StatusOr<gv1::PracticeReport> PracticeReportComposer::Compose(
    const CallerIdentity& caller, std::optional<absl::CivilMonth> month) {
  if (caller.authority.empty()) {
    return absl::InvalidArgumentError("report: the caller has no authority");
  }
  // The deadline runs on real time: it bounds how long the caller waits.
  const absl::Time deadline = absl::Now() + options_.deadline;
  const absl::Time now = clock_->Now();
  const absl::CivilMonth report_month = month.value_or(DefaultMonth(now));
  if (report_month > absl::CivilMonth(LondonDay(now))) {
    return absl::InvalidArgumentError(
        absl::StrCat("month: ", FormatIsoMonth(report_month),
                     " is after the current month"));
  }
  const std::string& authority = caller.authority;

  std::map<ReportBackend, bool> deployed;
  for (ReportBackend backend : kBackends) {
    deployed[backend] = sources_->Deployed(backend);
  }

  // The cache: only when every deployed backend has published its
  // generation (otherwise a cached report could be older than a write).
  std::optional<std::string> key;
  {
    std::map<ReportBackend, std::optional<int64_t>> generations;
    bool all_known = true;
    for (ReportBackend backend : kBackends) {
      if (!deployed[backend]) continue;
      generations[backend] =
          cache_->ReadGeneration(authority, CacheServiceName(backend));
      if (!generations[backend].has_value()) {
        all_known = false;
        break;
      }
    }
    if (all_known) {
      key = CacheKey(report_month, generations,
                     WhatChangedKey(options_.what_changed));
    }
  }
  if (key.has_value()) {
    if (std::optional<std::string> cached = cache_->Get(
            authority, kReportCacheService, kReportCacheGeneration, *key)) {
      gv1::PracticeReport report;
      if (report.ParseFromString(*cached) && report.authority() == authority) {
        return report;
      }
    }
  }

  // Practice insight needs intake and the KPI service; what changed needs
  // any backend (the comparer notes the figures of one not deployed).
  const bool insight_deployed =
      deployed[ReportBackend::kIntake] && deployed[ReportBackend::kKpi];
  bool any_deployed = false;
  for (ReportBackend backend : kBackends) {
    any_deployed = any_deployed || deployed[backend];
  }
  const absl::CivilMonth insight_from = report_month - (kTrendMonths - 1);

  // Every piece at once, each on its own thread with the deadline.
  auto fetches = std::make_shared<Fetches>();
  int pieces = 0;
  if (deployed[ReportBackend::kIntake]) pieces += 1;
  if (deployed[ReportBackend::kKpi]) pieces += 3;
  if (deployed[ReportBackend::kWorkforce]) pieces += 2;
  if (deployed[ReportBackend::kQa]) pieces += 3;
  if (insight_deployed) pieces += 6;
  if (any_deployed) pieces += 1;
  {
    absl::MutexLock lock(&fetches->mu);
    fetches->pending = pieces;
  }
  // Each answer goes to its slot of `fetches` under the lock.
  auto fetch = [this, fetches](auto call, auto slot) {
    Spawn([fetches, call = std::move(call), slot] {
      auto result = call();
      absl::MutexLock lock(&fetches->mu);
      (*fetches).*slot = std::move(result);
      --fetches->pending;
    });
  };
  ReportSources* sources = sources_.get();
  if (deployed[ReportBackend::kIntake]) {
    fetch([=] { return sources->FrontDoor(caller, report_month, deadline); },
          &Fetches::front_door);
  }
  if (deployed[ReportBackend::kKpi]) {
    fetch([=] { return sources->Indicators(caller, report_month, deadline); },
          &Fetches::indicators);
    fetch(
        [=] { return sources->IndicatorTrend(caller, report_month, deadline); },
        &Fetches::trend);
    fetch([=] { return sources->CaseStatus(caller, report_month, deadline); },
          &Fetches::case_status);
  }
  if (deployed[ReportBackend::kWorkforce]) {
    fetch([=] { return sources->Workforce(caller, report_month, deadline); },
          &Fetches::workforce);
    fetch(
        [=] { return sources->WorkforceTrend(caller, report_month, deadline); },
        &Fetches::workforce_trend);
  }
  if (deployed[ReportBackend::kQa]) {
    // The month's first to last day, and the 12 months to that last day.
    const absl::CivilDay first = absl::CivilDay(report_month);
    const absl::CivilDay last = LastDayOf(report_month);
    const absl::CivilDay first_of_12 =
        absl::CivilDay(report_month - (kTrendMonths - 1));
    fetch([=] { return sources->QaFigures(caller, first, last, deadline); },
          &Fetches::qa_month);
    fetch(
        [=] { return sources->QaFigures(caller, first_of_12, last, deadline); },
        &Fetches::qa_12_months);
    fetch([=] { return sources->QaTrend(caller, report_month, deadline); },
          &Fetches::qa_trend);
  }
  if (insight_deployed) {
    const absl::CivilMonth from = insight_from;
    const absl::CivilMonth to = report_month;
    fetch([=] { return sources->ReferralQuality(caller, from, to, deadline); },
          &Fetches::referral_quality);
    fetch([=] { return sources->DuplicateInput(caller, from, to, deadline); },
          &Fetches::duplicate_input);
    fetch(
        [=] { return sources->ContactCategories(caller, from, to, deadline); },
        &Fetches::contact_categories);
    fetch([=] { return sources->VisitQuality(caller, from, to, deadline); },
          &Fetches::visit_quality);
    fetch([=] { return sources->ServiceFlows(caller, from, to, deadline); },
          &Fetches::service_flows);
    fetch([=] { return sources->CategoryFunnel(caller, from, to, deadline); },
          &Fetches::category_funnel);
  }
  if (any_deployed) {
    const std::pair<ReportPeriod, ReportPeriod> periods =
        WhatChangedPeriods(options_.what_changed, report_month);
    const std::vector<std::string> ids = WhatChangedFigureIds(
        options_.what_changed, FigureComparer::Catalogue());
    fetch(
        [=] {
          return FigureComparer(sources).Compare(
              caller, ids, ToSpan(periods.first), ToSpan(periods.second),
              deadline);
        },
        &Fetches::comparison);
  }

  gv1::PracticeReport report;
  report.set_authority(authority);
  *report.mutable_month() = ToProtoMonth(report_month);
  *report.mutable_composed_at() = ToProtoTimestamp(now);
  // Suppression of small counts (outward-facing deployments) is not
  // implemented yet: the report says so.
  report.set_suppressed(false);
  bool complete = true;
  {
    absl::MutexLock lock(&fetches->mu);
    fetches->mu.AwaitWithDeadline(
        absl::Condition(&NothingPending, &fetches->pending), deadline);
    const absl::Duration limit = options_.deadline;

    gv1::FrontDoorSection* front_door = report.mutable_front_door();
    if (!deployed[ReportBackend::kIntake]) {
      MarkNotDeployed(ReportBackend::kIntake, front_door->mutable_status());
    } else {
      absl::StatusOr<iv1::FrontDoorFigures> figures =
          Take(fetches->front_door, limit);
      if (figures.ok()) {
        MarkAvailable(front_door->mutable_status());
        *front_door->mutable_figures() = *std::move(figures);
      } else {
        complete = false;
        MarkUnavailable(ReportBackend::kIntake, figures.status(), limit,
                        front_door->mutable_status());
      }
    }

    gv1::PerformanceSection* performance = report.mutable_performance();
    if (!deployed[ReportBackend::kKpi]) {
      MarkNotDeployed(ReportBackend::kKpi, performance->mutable_status());
    } else {
      absl::StatusOr<kv1::GetIndicatorsResponse> indicators =
          Take(fetches->indicators, limit);
      absl::StatusOr<kv1::GetIndicatorTrendResponse> trend =
          Take(fetches->trend, limit);
      absl::StatusOr<kv1::CaseStatus> status =
          Take(fetches->case_status, limit);
      const absl::Status error =
          FirstError({indicators.status(), trend.status(), status.status()});
      if (error.ok()) {
        MarkAvailable(performance->mutable_status());
        *performance->mutable_indicators() = *std::move(indicators);
        for (kv1::IndicatorTrend& t : *trend->mutable_trends()) {
          *performance->add_trends() = std::move(t);
        }
        *performance->mutable_case_status() = *std::move(status);
      } else {
        complete = false;
        MarkUnavailable(ReportBackend::kKpi, error, limit,
                        performance->mutable_status());
      }
    }

    gv1::WorkforceSection* workforce = report.mutable_workforce();
    if (!deployed[ReportBackend::kWorkforce]) {
      MarkNotDeployed(ReportBackend::kWorkforce, workforce->mutable_status());
    } else {
      absl::StatusOr<wv1::WorkforceFigures> figures =
          Take(fetches->workforce, limit);
      absl::StatusOr<wv1::GetWorkforceTrendResponse> trend =
          Take(fetches->workforce_trend, limit);
      const absl::Status error = FirstError({figures.status(), trend.status()});
      if (error.ok()) {
        MarkAvailable(workforce->mutable_status());
        // Figures without caseloads (the KPI service did not answer the
        // workforce service) are served, never cached.
        if (!figures->caseloads_available() || !trend->caseloads_available()) {
          complete = false;
        }
        *workforce->mutable_figures() = *std::move(figures);
        for (wv1::WorkforceTrendPoint& p : *trend->mutable_points()) {
          *workforce->add_trend() = std::move(p);
        }
      } else {
        complete = false;
        MarkUnavailable(ReportBackend::kWorkforce, error, limit,
                        workforce->mutable_status());
      }
    }

    gv1::QualitySection* quality = report.mutable_quality();
    if (!deployed[ReportBackend::kQa]) {
      MarkNotDeployed(ReportBackend::kQa, quality->mutable_status());
    } else {
      absl::StatusOr<qv1::QaFigures> month_figures =
          Take(fetches->qa_month, limit);
      absl::StatusOr<qv1::QaFigures> year_figures =
          Take(fetches->qa_12_months, limit);
      absl::StatusOr<qv1::GetQaTrendResponse> trend =
          Take(fetches->qa_trend, limit);
      const absl::Status error = FirstError(
          {month_figures.status(), year_figures.status(), trend.status()});
      if (error.ok()) {
        MarkAvailable(quality->mutable_status());
        *quality->mutable_month() = *std::move(month_figures);
        *quality->mutable_last_12_months() = *std::move(year_figures);
        for (qv1::QaTrendPoint& p : *trend->mutable_points()) {
          *quality->add_trend() = std::move(p);
        }
      } else {
        complete = false;
        MarkUnavailable(ReportBackend::kQa, error, limit,
                        quality->mutable_status());
      }
    }

    gv1::InsightSection* insight = report.mutable_insight();
    if (!deployed[ReportBackend::kIntake]) {
      MarkNotDeployed(ReportBackend::kIntake, insight->mutable_status());
    } else if (!deployed[ReportBackend::kKpi]) {
      MarkNotDeployed(ReportBackend::kKpi, insight->mutable_status());
    } else {
      absl::StatusOr<iv1::GetReferralQualityResponse> referral_quality =
          Take(fetches->referral_quality, limit);
      absl::StatusOr<iv1::GetDuplicateInputResponse> duplicate_input =
          Take(fetches->duplicate_input, limit);
      absl::StatusOr<iv1::GetContactCategoriesResponse> categories =
          Take(fetches->contact_categories, limit);
      absl::StatusOr<kv1::GetVisitQualityResponse> visit_quality =
          Take(fetches->visit_quality, limit);
      absl::StatusOr<kv1::GetServiceFlowsResponse> service_flows =
          Take(fetches->service_flows, limit);
      absl::StatusOr<kv1::GetCategoryFunnelResponse> later_stages =
          Take(fetches->category_funnel, limit);
      // The KPI service's failures first: intake's duplicate input asks the
      // KPI service, so one KPI failure explains both.
      const PieceResult results[] = {
          {ReportBackend::kKpi, visit_quality.status()},
          {ReportBackend::kKpi, service_flows.status()},
          {ReportBackend::kKpi, later_stages.status()},
          {ReportBackend::kIntake, referral_quality.status()},
          {ReportBackend::kIntake, duplicate_input.status()},
          {ReportBackend::kIntake, categories.status()}};
      const PieceResult* failed = nullptr;
      for (const PieceResult& result : results) {
        if (!result.status.ok()) {
          failed = &result;
          break;
        }
      }
      if (failed == nullptr) {
        MarkAvailable(insight->mutable_status());
        *insight->mutable_referral_quality() = *std::move(referral_quality);
        *insight->mutable_duplicate_input() = *std::move(duplicate_input);
        *insight->mutable_funnel() = ComposeAbuseFunnel(
            insight_from, report_month, *categories, *later_stages);
        *insight->mutable_visit_quality() = *std::move(visit_quality);
        *insight->mutable_service_flows() = *std::move(service_flows);
      } else {
        complete = false;
        MarkUnavailable(failed->backend, failed->status, limit,
                        insight->mutable_status());
      }
    }

    gv1::ChangeSection* what_changed = report.mutable_what_changed();
    if (!any_deployed) {
      what_changed->mutable_status()->set_state(
          gv1::SECTION_STATE_NOT_DEPLOYED);
      what_changed->mutable_status()->set_reason("no service is deployed");
    } else {
      absl::StatusOr<gv1::FigureComparison> comparison =
          Take(fetches->comparison, limit);
      if (comparison.ok()) {
        MarkAvailable(what_changed->mutable_status());
        // A value missing because a deployed backend failed: served, never
        // cached (one of a backend not deployed stays missing).
        for (const gv1::FigureChange& change : comparison->changes()) {
          if (change.note().empty()) continue;
          std::optional<ReportBackend> backend =
              BackendNamed(change.figure().backend());
          if (!backend.has_value() || deployed[*backend]) complete = false;
        }
        *what_changed->mutable_comparison() = *std::move(comparison);
      } else {
        complete = false;
        what_changed->mutable_status()->set_state(
            gv1::SECTION_STATE_UNAVAILABLE);
        what_changed->mutable_status()->set_reason(
            ComparisonReason(comparison.status(), limit));
        LogWarn(
            "report_section_unavailable",
            {{"section", "what_changed"},
             {"code", absl::StatusCodeToString(comparison.status().code())}});
      }
    }
  }

  if (key.has_value() && complete) {
    cache_->Put(authority, kReportCacheService, kReportCacheGeneration, *key,
                report.SerializeAsString());
  }
  return report;
}

}  // namespace sgm::gateway
