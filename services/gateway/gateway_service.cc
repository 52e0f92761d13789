#include "services/gateway/gateway_service.h"

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "common/grpc_status.h"
#include "common/proto_convert.h"
#include "services/gateway/abuse_funnel.h"
#include "services/gateway/access_policy.h"
#include "services/gateway/disclosure_control.h"
#include "services/gateway/figure_comparison.h"
#include "services/gateway/practice_report.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/token_authenticator.h"

namespace sgm::gateway {

namespace {

constexpr char kGetPracticeReport[] =
    "/sgm.gateway.v1.GatewayService/GetPracticeReport";

// OK when there is no limit or `caller` has a call left; otherwise
// RESOURCE_EXHAUSTED, with the wait in the trailing metadata.
absl::Status AdmitCall(RateLimiter* rate_limiter, const std::string& caller,
                       grpc::CallbackServerContext* context) {
  if (rate_limiter == nullptr) return absl::OkStatus();
  absl::Duration retry_after;
  absl::Status admitted = rate_limiter->Admit(caller, &retry_after);
  if (!admitted.ok()) {
    context->AddTrailingMetadata(
        kRetryAfterMetadataKey,
        absl::StrCat(absl::ToInt64Milliseconds(retry_after)));
  }
  return admitted;
}

}  // namespace

// Insight calls running on their own threads.
struct GatewayServiceImpl::Running {
  absl::Mutex mu;
  int threads ABSL_GUARDED_BY(mu) = 0;
};

GatewayServiceImpl::GatewayServiceImpl(
    const TokenAuthenticator* authenticator, const AccessPolicy* policy,
    PracticeReportComposer* composer, RateLimiter* rate_limiter,
    bool outward_facing, std::unique_ptr<ReportSources> insight_sources,
    absl::Duration insight_deadline)
    : authenticator_(authenticator),
      policy_(policy),
      composer_(composer),
      rate_limiter_(rate_limiter),
      outward_facing_(outward_facing),
      insight_sources_(std::move(insight_sources)),
      comparer_(insight_sources_ != nullptr
                    ? std::make_unique<FigureComparer>(insight_sources_.get())
                    : nullptr),
      insight_deadline_(insight_deadline),
      running_(std::make_shared<Running>()) {}

GatewayServiceImpl::~GatewayServiceImpl() {
  absl::MutexLock lock(&running_->mu);
  running_->mu.Await(absl::Condition(
      +[](int* threads) { return *threads == 0; }, &running_->threads));
}

grpc::ServerUnaryReactor* GatewayServiceImpl::WhoAmI(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::WhoAmIRequest* /*request*/,
    sgm::gateway::v1::WhoAmIResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity =
      authenticator_->Authenticate(context->client_metadata());
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  if (absl::Status admitted =
          AdmitCall(rate_limiter_, identity->caller, context);
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  response->set_caller(identity->caller);
  // sgm::Role values match sgm.gateway.v1.Role.
  response->set_role(static_cast<sgm::gateway::v1::Role>(identity->role));
  response->set_authority(identity->authority);
  response->set_agency(identity->agency);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::GetPracticeReport(
    grpc::CallbackServerContext* context,
    const sgm::gateway::v1::GetPracticeReportRequest* request,
    sgm::gateway::v1::GetPracticeReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity =
      authenticator_->Authenticate(context->client_metadata());
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  if (absl::Status admitted =
          AdmitCall(rate_limiter_, identity->caller, context);
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  if (absl::Status allowed = policy_->Check(kGetPracticeReport, *identity);
      !allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  std::optional<absl::CivilMonth> month;
  if (request->has_month()) {
    absl::StatusOr<absl::CivilMonth> parsed =
        FromProtoMonth(request->month(), "month");
    if (!parsed.ok()) {
      reactor->Finish(ToGrpcStatus(parsed.status()));
      return reactor;
    }
    month = *parsed;
  }
  if (composer_ == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::UnimplementedError("GetPracticeReport: no report composer")));
    return reactor;
  }
  composer_->ComposeInBackground(
      *identity, month,
      [reactor, response, outward_facing = outward_facing_](
          absl::StatusOr<sgm::gateway::v1::PracticeReport> report) {
        if (!report.ok()) {
          reactor->Finish(ToGrpcStatus(report.status()));
          return;
        }
        sgm::gateway::v1::PracticeReport* out = response->mutable_report();
        *out = *std::move(report);
        if (outward_facing) {
          // Per response: the composer's cached report stays whole.
          out->clear_suppressed_fields();
          std::vector<std::string> withheld = WithholdSmallCounts(out);
          out->set_suppressed(true);
          for (std::string& path : withheld) {
            out->add_suppressed_fields(std::move(path));
          }
        }
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

namespace {

namespace gv1 = ::sgm::gateway::v1;

constexpr char kGetAbuseCategoryFunnel[] =
    "/sgm.gateway.v1.GatewayService/GetAbuseCategoryFunnel";
constexpr char kListComparableFigures[] =
    "/sgm.gateway.v1.GatewayService/ListComparableFigures";
constexpr char kCompareFigures[] =
    "/sgm.gateway.v1.GatewayService/CompareFigures";
// A funnel may span at most this many months (the backends' limit).
constexpr int kMaxFunnelMonths = 60;

// Authenticates the caller, takes a call from its bucket and checks the
// access policy's row for `method`, like GetPracticeReport.
absl::StatusOr<CallerIdentity> AdmitInsightCall(
    const TokenAuthenticator* authenticator, RateLimiter* rate_limiter,
    const AccessPolicy* policy, absl::string_view method,
    grpc::CallbackServerContext* context) {
  absl::StatusOr<CallerIdentity> identity =
      authenticator->Authenticate(context->client_metadata());
  if (!identity.ok()) return identity.status();
  if (absl::Status admitted =
          AdmitCall(rate_limiter, identity->caller, context);
      !admitted.ok()) {
    return admitted;
  }
  if (absl::Status allowed = policy->Check(method, *identity); !allowed.ok()) {
    return allowed;
  }
  return identity;
}

// The earlier of now + `limit` and the caller's own deadline.
absl::Time InsightDeadline(absl::Duration limit,
                           const grpc::CallbackServerContext* context) {
  return std::min(absl::Now() + limit, absl::FromChrono(context->deadline()));
}

// A backend's failure as the caller sees it: the code kept, the backend
// named (aggregate calls carry no personal data in their errors).
absl::Status BackendFailure(ReportBackend backend, const absl::Status& status,
                            absl::Duration limit) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return absl::DeadlineExceededError(
          absl::StrCat("the ", BackendTitle(backend), " did not answer within ",
                       absl::FormatDuration(limit)));
    case absl::StatusCode::kUnavailable:
      return absl::UnavailableError(
          absl::StrCat("the ", BackendTitle(backend), " could not be reached"));
    default:
      return absl::Status(
          status.code(),
          absl::StrCat("the ", BackendTitle(backend), " failed",
                       status.message().empty() ? "" : ": ", status.message()));
  }
}

// The months of a GetAbuseCategoryFunnel request: `to` required, `from`
// defaulting to 11 months before it, at most 60 months.
absl::Status FunnelMonths(const gv1::GetAbuseCategoryFunnelRequest& request,
                          MonthSpan* span) {
  if (!request.has_to()) return absl::InvalidArgumentError("to: required");
  absl::StatusOr<absl::CivilMonth> to = FromProtoMonth(request.to(), "to");
  if (!to.ok()) return to.status();
  absl::CivilMonth from = *to - 11;
  if (request.has_from()) {
    absl::StatusOr<absl::CivilMonth> parsed =
        FromProtoMonth(request.from(), "from");
    if (!parsed.ok()) return parsed.status();
    from = *parsed;
  }
  if (from > *to) return absl::InvalidArgumentError("from: after to");
  if (*to - from + 1 > kMaxFunnelMonths) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from: more than ", kMaxFunnelMonths, " months before to"));
  }
  span->from = from;
  span->to = *to;
  return absl::OkStatus();
}

// One period of a CompareFigures request (`field`: "before" or "after").
absl::StatusOr<MonthSpan> PeriodOf(bool present, const gv1::MonthPeriod& period,
                                   absl::string_view field) {
  if (!present) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (!period.has_from()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".from: required"));
  }
  if (!period.has_to()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".to: required"));
  }
  absl::StatusOr<absl::CivilMonth> from =
      FromProtoMonth(period.from(), absl::StrCat(field, ".from"));
  if (!from.ok()) return from.status();
  absl::StatusOr<absl::CivilMonth> to =
      FromProtoMonth(period.to(), absl::StrCat(field, ".to"));
  if (!to.ok()) return to.status();
  return MonthSpan{*from, *to};
}

// An outward-facing deployment: counts from 1 to 4 (and what is derived from
// them) withheld from `response`, their paths in the trailing metadata.
void SuppressInsightAnswer(google::protobuf::Message* response,
                           grpc::CallbackServerContext* context) {
  const std::string withheld = WithholdInGatewayAnswer(response);
  if (!withheld.empty()) {
    context->AddTrailingMetadata(kSuppressedFieldsTrailer, withheld);
  }
}

}  // namespace

void GatewayServiceImpl::InBackground(std::function<void()> task) {
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

grpc::ServerUnaryReactor* GatewayServiceImpl::GetAbuseCategoryFunnel(
    grpc::CallbackServerContext* context,
    const gv1::GetAbuseCategoryFunnelRequest* request,
    gv1::GetAbuseCategoryFunnelResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity = AdmitInsightCall(
      authenticator_, rate_limiter_, policy_, kGetAbuseCategoryFunnel, context);
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  MonthSpan span;
  if (absl::Status valid = FunnelMonths(*request, &span); !valid.ok()) {
    reactor->Finish(ToGrpcStatus(valid));
    return reactor;
  }
  if (insight_sources_ == nullptr) {
    reactor->Finish(ToGrpcStatus(absl::UnimplementedError(
        "GetAbuseCategoryFunnel: no backends configured")));
    return reactor;
  }
  for (ReportBackend backend : {ReportBackend::kIntake, ReportBackend::kKpi}) {
    if (!insight_sources_->Deployed(backend)) {
      reactor->Finish(ToGrpcStatus(absl::FailedPreconditionError(
          absl::StrCat("the abuse-category funnel needs the ",
                       BackendTitle(backend), ": none is deployed"))));
      return reactor;
    }
  }
  const absl::Time deadline = InsightDeadline(insight_deadline_, context);
  InBackground([this, context, reactor, response, caller = *std::move(identity),
                span, deadline] {
    ReportSources* sources = insight_sources_.get();
    // The two backends at once.
    absl::StatusOr<sgm::intake::v1::GetContactCategoriesResponse> contacts;
    std::thread intake([&] {
      contacts =
          sources->ContactCategories(caller, span.from, span.to, deadline);
    });
    absl::StatusOr<sgm::kpi::v1::GetCategoryFunnelResponse> later =
        sources->CategoryFunnel(caller, span.from, span.to, deadline);
    intake.join();
    if (!contacts.ok()) {
      reactor->Finish(ToGrpcStatus(BackendFailure(
          ReportBackend::kIntake, contacts.status(), insight_deadline_)));
      return;
    }
    if (!later.ok()) {
      reactor->Finish(ToGrpcStatus(BackendFailure(
          ReportBackend::kKpi, later.status(), insight_deadline_)));
      return;
    }
    *response->mutable_funnel() =
        ComposeAbuseFunnel(span.from, span.to, *contacts, *later);
    if (outward_facing_) SuppressInsightAnswer(response, context);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::ListComparableFigures(
    grpc::CallbackServerContext* context,
    const gv1::ListComparableFiguresRequest* /*request*/,
    gv1::ListComparableFiguresResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity = AdmitInsightCall(
      authenticator_, rate_limiter_, policy_, kListComparableFigures, context);
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  // The catalogue is fixed: answered here, no backend involved.
  for (gv1::FigureDefinition& definition : FigureComparer::Catalogue()) {
    *response->add_figures() = std::move(definition);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::CompareFigures(
    grpc::CallbackServerContext* context,
    const gv1::CompareFiguresRequest* request,
    gv1::CompareFiguresResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<CallerIdentity> identity = AdmitInsightCall(
      authenticator_, rate_limiter_, policy_, kCompareFigures, context);
  if (!identity.ok()) {
    reactor->Finish(ToGrpcStatus(identity.status()));
    return reactor;
  }
  absl::StatusOr<MonthSpan> before =
      PeriodOf(request->has_before(), request->before(), "before");
  if (!before.ok()) {
    reactor->Finish(ToGrpcStatus(before.status()));
    return reactor;
  }
  absl::StatusOr<MonthSpan> after =
      PeriodOf(request->has_after(), request->after(), "after");
  if (!after.ok()) {
    reactor->Finish(ToGrpcStatus(after.status()));
    return reactor;
  }
  if (comparer_ == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::UnimplementedError("CompareFigures: no backends configured")));
    return reactor;
  }
  std::vector<std::string> ids(request->figure_ids().begin(),
                               request->figure_ids().end());
  const absl::Time deadline = InsightDeadline(insight_deadline_, context);
  InBackground([this, context, reactor, response, caller = *std::move(identity),
                ids = std::move(ids), before = *before, after = *after,
                deadline] {
    absl::StatusOr<gv1::FigureComparison> comparison =
        comparer_->Compare(caller, ids, before, after, deadline);
    if (!comparison.ok()) {
      reactor->Finish(ToGrpcStatus(comparison.status()));
      return;
    }
    *response->mutable_comparison() = *std::move(comparison);
    if (outward_facing_) SuppressInsightAnswer(response, context);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace sgm::gateway
