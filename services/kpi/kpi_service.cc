#include "services/kpi/kpi_service.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/cached_answer.h"
#include "common/civil_date.h"
#include "common/feed_import.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/percent.h"
#include "common/proto_convert.h"
#include "common/read_audit_proto.h"
#include "common/status_macros.h"
#include "services/kpi/case_event_feed_parser.h"
#include "services/kpi/case_status.h"
#include "services/kpi/category_funnel.h"
#include "services/kpi/indicator_set.h"
#include "services/kpi/open_work.h"
#include "services/kpi/service_flows.h"
#include "services/kpi/visit_quality.h"

namespace sgm::kpi {
namespace {

constexpr char kService[] = "kpi";
constexpr char kMethodPrefix[] = "/sgm.kpi.v1.KpiService/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr int kMaxBatch = 1000;
constexpr int kMaxTrendMonths = 60;
constexpr int kMaxSample = 500;

absl::StatusOr<CallerIdentity> Caller(const grpc::ServerContext* context) {
  return IdentityFromMetadata(context->client_metadata());
}

// --- proto <-> domain ------------------------------------------------------

// The proto enum is the domain enum plus one (0 is UNSPECIFIED).
v1::EventType ToProto(EventType type) {
  return static_cast<v1::EventType>(static_cast<int>(type) + 1);
}

void ToProto(const CaseEvent& e, v1::CaseEvent* out) {
  out->set_event_id(e.event_id);
  out->set_event_type(ToProto(e.type));
  out->set_child_id(e.child_id);
  if (e.child_dob) *out->mutable_child_dob() = ToProtoDate(*e.child_dob);
  out->set_ref_id(e.ref_id);
  out->set_parent_ref_id(e.parent_ref_id);
  *out->mutable_event_date() = ToProtoDate(e.event_date);
  out->set_source_code(e.source_code);
  out->set_primary_need(e.primary_need);
  out->set_category(e.category);
  out->set_outcome(e.outcome);
  out->set_worker_id(e.worker_id);
  out->set_team(e.team);
  if (e.long_term) out->set_long_term(*e.long_term);
  out->set_visit_mode(e.visit_mode);
  if (e.seen_alone) out->set_seen_alone(*e.seen_alone);
}

// The event in a request, validated by the feed's rules; the error names
// `prefix`.field.
absl::StatusOr<CaseEvent> FromProto(const v1::CaseEvent& in,
                                    absl::string_view prefix,
                                    absl::CivilDay today) {
  CaseEvent e;
  e.event_id = in.event_id();
  if (in.event_type() == v1::EVENT_TYPE_UNSPECIFIED ||
      !v1::EventType_IsValid(in.event_type())) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, ".event_type: required, one of the feed's types"));
  }
  e.type = static_cast<EventType>(in.event_type() - 1);
  e.child_id = in.child_id();
  if (in.has_child_dob() && !IsEmptyDate(in.child_dob())) {
    SGM_ASSIGN_OR_RETURN(
        e.child_dob,
        FromProtoDate(in.child_dob(), absl::StrCat(prefix, ".child_dob")));
  }
  e.ref_id = in.ref_id();
  e.parent_ref_id = in.parent_ref_id();
  if (!in.has_event_date() || IsEmptyDate(in.event_date())) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, ".event_date: required"));
  }
  SGM_ASSIGN_OR_RETURN(
      e.event_date,
      FromProtoDate(in.event_date(), absl::StrCat(prefix, ".event_date")));
  e.source_code = in.source_code();
  e.primary_need = in.primary_need();
  e.category = in.category();
  e.outcome = in.outcome();
  e.worker_id = in.worker_id();
  e.team = in.team();
  if (in.has_long_term()) e.long_term = in.long_term();
  e.visit_mode = in.visit_mode();
  if (in.has_seen_alone()) e.seen_alone = in.seen_alone();
  if (std::optional<RecordError> error = ValidateCaseEvent(e, today)) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, error->field.empty() ? "" : ".", error->field,
                     ": ", error->reason));
  }
  return e;
}

v1::Rag ToProto(Rag rag) {
  switch (rag) {
    case Rag::kRed:
      return v1::RAG_RED;
    case Rag::kAmber:
      return v1::RAG_AMBER;
    case Rag::kGreen:
      return v1::RAG_GREEN;
    case Rag::kNone:
      break;
  }
  return v1::RAG_NONE;
}

void ToProto(const Comparator& c, v1::Comparator* out) {
  out->set_name(c.name);
  out->set_year(c.year);
  out->set_value(c.percent);
}

void ToProto(const IndicatorSummary& s, const IndicatorDefinition& definition,
             v1::Indicator* out) {
  out->set_id(s.id);
  out->set_title(definition.title);
  out->set_source(definition.source);
  out->set_numerator(s.numerator);
  out->set_denominator(s.denominator);
  if (s.percent) out->set_percent(*s.percent);
  if (s.six_month_average) out->set_six_month_average(*s.six_month_average);
  out->set_target(s.target.target);
  out->set_amber_margin(s.target.amber_margin);
  out->set_direction(s.target.direction == Direction::kLowerIsBetter
                         ? v1::DIRECTION_LOWER_IS_BETTER
                         : v1::DIRECTION_HIGHER_IS_BETTER);
  out->set_rag(ToProto(s.rag));
  for (const Comparator& c : s.comparators) ToProto(c, out->add_comparators());
}

void ToProto(const AuthorityReference& r, v1::RuleSettings* out) {
  out->set_cp_visit_interval_working_days(r.visit_rules.cp_visit_interval_wd);
  out->set_cin_review_cadence_months(r.visit_rules.cin_review_cadence_months);
  out->set_cla_visit_interval_days(r.visit_rules.cla_visit_interval_days);
  out->set_cla_long_term_visit_months(r.visit_rules.cla_long_term_visit_months);
  out->set_assessment_start_point(r.referral_rules.assessment_start_point ==
                                          AssessmentStartPoint::kAssessmentStart
                                      ? "ASSESSMENT_START"
                                      : "REFERRAL");
  out->set_assessment_working_days(r.referral_rules.assessment_wd);
  out->set_icpc_working_days(r.referral_rules.icpc_wd);
  out->set_repeat_plan_window_months(
      r.referral_rules.repeat_plan_window_months.value_or(0));
}

void ToProto(const OpenCaseCounts& c, v1::OpenCases* out) {
  out->set_early_help(c.early_help);
  out->set_child_in_need(c.child_in_need);
  out->set_child_protection(c.child_protection);
  out->set_child_in_care(c.child_in_care);
  out->set_total(c.total);
}

absl::StatusOr<WatchlistKind> WatchlistFrom(v1::Watchlist w) {
  switch (w) {
    case v1::WATCHLIST_CP_PLAN_2_YEARS:
      return WatchlistKind::kCpPlanTwoYears;
    case v1::WATCHLIST_S47_OVER_10_WORKING_DAYS:
      return WatchlistKind::kS47OverTenWorkingDays;
    case v1::WATCHLIST_PRE_PROCEEDINGS_12_WEEKS:
      return WatchlistKind::kPreProceedingsTwelveWeeks;
    case v1::WATCHLIST_UNDER_1_ON_CP_PLAN:
      return WatchlistKind::kUnderOneOnCpPlan;
    default:
      return absl::InvalidArgumentError(
          "watchlist: required, one of WATCHLIST_CP_PLAN_2_YEARS, "
          "WATCHLIST_S47_OVER_10_WORKING_DAYS, "
          "WATCHLIST_PRE_PROCEEDINGS_12_WEEKS, WATCHLIST_UNDER_1_ON_CP_PLAN");
  }
}

constexpr v1::Watchlist kWatchlists[] = {
    v1::WATCHLIST_CP_PLAN_2_YEARS, v1::WATCHLIST_S47_OVER_10_WORKING_DAYS,
    v1::WATCHLIST_PRE_PROCEEDINGS_12_WEEKS, v1::WATCHLIST_UNDER_1_ON_CP_PLAN};

absl::StatusOr<absl::CivilMonth> RequiredMonth(
    bool present, const sgm::type::v1::YearMonth& month,
    absl::string_view field) {
  if (!present) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  return FromProtoMonth(month, field);
}

// A date field that defaults to `fallback` when absent or empty.
absl::StatusOr<absl::CivilDay> DateOr(bool present,
                                      const sgm::type::v1::Date& date,
                                      absl::string_view field,
                                      absl::CivilDay fallback) {
  if (!present || IsEmptyDate(date)) return fallback;
  return FromProtoDate(date, field);
}

// The slice [offset, offset + size) of `all` and the next page's token.
template <typename T>
std::pair<std::vector<const T*>, std::string> Page(const std::vector<T>& all,
                                                   int64_t offset, int size,
                                                   uint64_t fingerprint) {
  std::vector<const T*> page;
  for (int64_t i = offset;
       i < static_cast<int64_t>(all.size()) && page.size() < size_t(size);
       ++i) {
    page.push_back(&all[i]);
  }
  const int64_t next = offset + static_cast<int64_t>(page.size());
  std::string token;
  if (next < static_cast<int64_t>(all.size())) {
    token = EncodePageToken(next, fingerprint);
  }
  return {std::move(page), std::move(token)};
}

// The position a List request starts at.
absl::StatusOr<int64_t> StartOf(const google::protobuf::Message& request,
                                const std::string& token,
                                uint64_t fingerprint) {
  if (token.empty()) return 0;
  return DecodePageToken(token, fingerprint);
}

constexpr absl::string_view kConflictReason =
    "a different event with this id was already recorded; nothing changed";

}  // namespace

KpiServiceImpl::KpiServiceImpl(CaseEventStore* store, AggregateCache* cache,
                               const Clock* clock,
                               const WorkingDayCalendar* calendar,
                               const KpiReference* reference,
                               absl::TimeZone zone, Options options)
    : store_(store),
      cache_(cache),
      clock_(clock),
      calendar_(calendar),
      reference_(reference),
      zone_(zone),
      options_(std::move(options)) {}

absl::CivilDay KpiServiceImpl::Today() const {
  return absl::ToCivilDay(clock_->Now(), zone_);
}

std::string KpiServiceImpl::SettingsKey() const {
  return absl::StrCat(absl::Hex(reference_->Fingerprint()), ":",
                      absl::Hex(calendar_->Fingerprint()));
}

void KpiServiceImpl::PublishGeneration(const std::string& authority,
                                       int64_t generation) {
  if (generation > 0)
    cache_->PublishGeneration(authority, kService, generation);
}

void KpiServiceImpl::ForgetTimelines() {
  absl::MutexLock lock(&models_mu_);
  models_.clear();
}

absl::StatusOr<std::shared_ptr<const KpiServiceImpl::Model>>
KpiServiceImpl::ModelFor(const std::string& authority) {
  // The kept model at the store's generation, if any.
  const auto kept = [&](int64_t generation) -> std::shared_ptr<const Model> {
    absl::MutexLock lock(&models_mu_);
    for (auto it = models_.begin(); it != models_.end(); ++it) {
      if (it->first != authority) continue;
      if (it->second->generation != generation) return nullptr;
      models_.splice(models_.begin(), models_, it);
      return models_.front().second;
    }
    return nullptr;
  };
  SGM_ASSIGN_OR_RETURN(int64_t generation, store_->Generation(authority));
  if (std::shared_ptr<const Model> model = kept(generation)) return model;
  {
    // A write of this service may be between its commit and its update of
    // the model: wait for it, then look again.
    absl::MutexLock apply(&apply_mu_);
    SGM_ASSIGN_OR_RETURN(generation, store_->Generation(authority));
    if (std::shared_ptr<const Model> model = kept(generation)) return model;
  }
  // Built outside the lock: reads of other authorities go on meanwhile.
  CaseModel::Loader loader;
  SGM_ASSIGN_OR_RETURN(
      const int64_t loaded,
      store_->ScanTimelineEvents(
          authority, [&](const TimelineEvent& e) { loader.Add(e); }));
  full_loads_.fetch_add(1);
  auto model = std::make_shared<Model>();
  model->generation = loaded;
  model->cases = std::move(loader).Finish();
  absl::MutexLock lock(&models_mu_);
  for (auto it = models_.begin(); it != models_.end(); ++it) {
    if (it->first == authority) {
      // A newer model (a write applied meanwhile) stays.
      if (it->second->generation > model->generation) {
        return std::shared_ptr<const Model>(std::move(model));
      }
      models_.erase(it);
      break;
    }
  }
  models_.emplace_front(authority, model);
  while (static_cast<int>(models_.size()) >
         std::max(1, options_.timelines_kept)) {
    models_.pop_back();
  }
  return std::shared_ptr<const Model>(std::move(model));
}

absl::Status KpiServiceImpl::Preload() {
  SGM_ASSIGN_OR_RETURN(std::vector<std::string> authorities,
                       store_->Authorities());
  const size_t kept = static_cast<size_t>(std::max(1, options_.timelines_kept));
  if (authorities.size() > kept) authorities.resize(kept);
  // The largest last, so it is the most recently used.
  for (auto it = authorities.rbegin(); it != authorities.rend(); ++it) {
    SGM_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model, ModelFor(*it));
    model->timelines();  // merged now, not on the first read
  }
  return absl::OkStatus();
}

absl::StatusOr<EventBatchResult> KpiServiceImpl::WriteEvents(
    const std::string& authority, absl::Span<const CaseEvent> events) {
  EventBatchResult result;
  {
    // Commit and model update as one step for readers (ModelFor).
    absl::MutexLock apply(&apply_mu_);
    SGM_ASSIGN_OR_RETURN(result, store_->InsertEvents(authority, events));
    if (result.generation != result.previous_generation) {
      ApplyToModel(authority, events, result);
    }
  }
  PublishGeneration(authority, result.generation);
  return result;
}

void KpiServiceImpl::ApplyToModel(const std::string& authority,
                                  absl::Span<const CaseEvent> events,
                                  const EventBatchResult& result) {
  std::vector<CaseEvent> accepted;
  for (size_t i = 0; i < result.outcomes.size() && i < events.size(); ++i) {
    if (result.outcomes[i] == EventWriteOutcome::kAccepted) {
      accepted.push_back(events[i]);
    }
  }
  std::shared_ptr<const Model> base;
  {
    absl::MutexLock lock(&models_mu_);
    for (const auto& [name, model] : models_) {
      if (name == authority) {
        base = model;
        break;
      }
    }
  }
  // No model, or one that is not the store just before this batch (another
  // writer, a reload racing this write): the next read reloads.
  if (base == nullptr || base->generation != result.previous_generation) {
    return;
  }
  auto next = std::make_shared<Model>();
  next->generation = result.generation;
  next->cases = base->cases.With(accepted);
  absl::MutexLock lock(&models_mu_);
  for (auto& [name, model] : models_) {
    if (name == authority && model == base) {
      model = std::move(next);
      break;
    }
  }
}

absl::Status KpiServiceImpl::Audit(const CallerIdentity& who,
                                   absl::string_view method, std::string query,
                                   std::vector<std::string> child_ids,
                                   std::vector<std::string> ref_ids) {
  KpiReadAudit entry;
  entry.at = clock_->Now();
  entry.caller = who.caller;
  entry.role = std::string(RoleName(who.role));
  entry.authority = who.authority;
  entry.method = std::string(method);
  entry.query = std::move(query);
  entry.child_ids = std::move(child_ids);
  entry.ref_ids = std::move(ref_ids);
  absl::Status status = store_->AppendReadAudit(entry);
  if (!status.ok()) {
    // Fail closed: a child-level read that cannot be audited is refused.
    LogError("read_audit_failed",
             {{"method", method}, {"error", status.ToString()}});
    return absl::UnavailableError(
        "the read could not be written to the audit log; try again");
  }
  return absl::OkStatus();
}

// --- writes ----------------------------------------------------------------

grpc::Status KpiServiceImpl::RecordCaseEvent(
    grpc::ServerContext* context, const v1::RecordCaseEventRequest* request,
    v1::RecordCaseEventResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<CaseEvent> event =
      FromProto(request->event(), "event", Today());
  if (!event.ok()) return ToGrpcStatus(event.status());
  absl::StatusOr<EventBatchResult> result =
      WriteEvents(who->authority, {*event});
  if (!result.ok()) return ToGrpcStatus(result.status());
  if (result->outcomes.front() == EventWriteOutcome::kConflict) {
    return ToGrpcStatus(absl::AlreadyExistsError(
        absl::StrCat("event.event_id: ", kConflictReason)));
  }
  ToProto(*event, response->mutable_event());
  response->set_duplicate(result->outcomes.front() ==
                          EventWriteOutcome::kDuplicate);
  return grpc::Status::OK;
}

grpc::Status KpiServiceImpl::BatchRecordCaseEvents(
    grpc::ServerContext* context,
    const v1::BatchRecordCaseEventsRequest* request,
    v1::BatchRecordCaseEventsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->events_size() > kMaxBatch) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("events: at most ", kMaxBatch, " a call, not ",
                     request->events_size())));
  }
  const absl::CivilDay today = Today();
  std::vector<CaseEvent> valid;
  std::vector<int> valid_index;
  for (int i = 0; i < request->events_size(); ++i) {
    v1::BatchRecordCaseEventsResponse::Result* result = response->add_results();
    const std::string& id = request->events(i).event_id();
    if (id.size() <= 64 && AllOf(id, "._-")) result->set_event_id(id);
    absl::StatusOr<CaseEvent> event =
        FromProto(request->events(i), absl::StrCat("events[", i, "]"), today);
    if (!event.ok()) {
      result->set_outcome(v1::RECORD_OUTCOME_INVALID);
      const std::string message(event.status().message());
      const size_t colon = message.find(": ");
      result->set_field(message.substr(0, colon));
      result->set_reason(
          colon == std::string::npos ? message : message.substr(colon + 2));
      continue;
    }
    valid.push_back(*std::move(event));
    valid_index.push_back(i);
  }
  if (!valid.empty()) {
    absl::StatusOr<EventBatchResult> written =
        WriteEvents(who->authority, valid);
    if (!written.ok()) {
      response->Clear();
      return ToGrpcStatus(written.status());
    }
    for (size_t k = 0; k < written->outcomes.size(); ++k) {
      v1::BatchRecordCaseEventsResponse::Result* result =
          response->mutable_results(valid_index[k]);
      switch (written->outcomes[k]) {
        case EventWriteOutcome::kAccepted:
          result->set_outcome(v1::RECORD_OUTCOME_ACCEPTED);
          break;
        case EventWriteOutcome::kDuplicate:
          result->set_outcome(v1::RECORD_OUTCOME_DUPLICATE);
          break;
        case EventWriteOutcome::kConflict:
          result->set_outcome(v1::RECORD_OUTCOME_CONFLICT);
          result->set_field("event_id");
          result->set_reason(std::string(kConflictReason));
          break;
      }
    }
  }
  return grpc::Status::OK;
}

grpc::Status KpiServiceImpl::ImportCaseEvents(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportCaseEventsRequest>* reader,
    v1::ImportCaseEventsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  v1::ImportCaseEventsRequest first;
  absl::StatusOr<FeedFormat> format = ReadFirstChunk(reader, &first);
  if (!format.ok()) return ToGrpcStatus(format.status());
  const absl::Time now = clock_->Now();
  const std::string authority = who->authority;
  const int id_column =
      FeedReader(*format, CaseEventFeedSchema()).ColumnIndex("event_id");

  FeedImport<CaseEvent> import(
      *format, CaseEventFeedSchema(),
      [&](const FeedRecord& r) { return ParseCaseEventRecord(r, now); },
      [&](const FeedRecord& r) { return RejectionKey(r, id_column); },
      [](const CaseEvent& e) { return e.event_id; },
      [&](const std::vector<Pending<CaseEvent>>& batch)
          -> absl::StatusOr<std::vector<Verdict>> {
        std::vector<CaseEvent> events;
        events.reserve(batch.size());
        for (const auto& p : batch) events.push_back(p.parsed);
        SGM_ASSIGN_OR_RETURN(EventBatchResult result,
                             WriteEvents(authority, events));
        std::vector<Verdict> verdicts;
        verdicts.reserve(result.outcomes.size());
        for (EventWriteOutcome outcome : result.outcomes) {
          switch (outcome) {
            case EventWriteOutcome::kAccepted:
              verdicts.push_back({Verdict::kAccepted, "", ""});
              break;
            case EventWriteOutcome::kDuplicate:
              verdicts.push_back({Verdict::kDuplicate, "", ""});
              break;
            case EventWriteOutcome::kConflict:
              verdicts.push_back({Verdict::kRejected, "event_id",
                                  std::string(kConflictReason)});
              break;
          }
        }
        return verdicts;
      },
      options_.import_batch_size, options_.max_rejections_listed);

  return EndImport(PumpChunks(context, reader, first, import), "case_events",
                   "", import, response->mutable_summary());
}

// --- aggregates ------------------------------------------------------------

absl::StatusOr<v1::GetIndicatorsResponse> KpiServiceImpl::IndicatorsFor(
    const std::string& authority, absl::CivilMonth month) {
  SGM_ASSIGN_OR_RETURN(int64_t generation, store_->Generation(authority));
  const std::string key =
      absl::StrCat("indicators:v1:", FormatIsoMonth(month), ":", SettingsKey());
  if (std::optional<std::string> cached =
          cache_->Get(authority, kService, generation, key)) {
    v1::GetIndicatorsResponse response;
    if (response.ParseFromString(*cached)) return response;
  }
  SGM_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model, ModelFor(authority));
  const AuthorityReference& reference = reference_->For(authority);
  v1::GetIndicatorsResponse response;
  *response.mutable_month() = ToProtoMonth(month);
  *response.mutable_month_end() = ToProtoDate(LastDayOf(month));
  const std::vector<IndicatorDefinition> definitions = IndicatorDefinitions();
  const std::vector<IndicatorSummary> summaries =
      SummariseIndicators(model->timelines(), month, *calendar_, reference);
  for (size_t i = 0; i < summaries.size(); ++i) {
    ToProto(summaries[i], definitions[i], response.add_indicators());
  }
  ToProto(reference, response.mutable_rules());
  response.set_data_quality_findings(
      static_cast<int64_t>(model->timelines().findings.size()));
  cache_->Put(authority, kService, model->generation, key,
              response.SerializeAsString());
  // A write made while Redis was unreachable could not publish its
  // generation; publishing again here (it only ever rises) heals that.
  PublishGeneration(authority, model->generation);
  return response;
}

grpc::Status KpiServiceImpl::GetIndicators(
    grpc::ServerContext* context, const v1::GetIndicatorsRequest* request,
    v1::GetIndicatorsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilMonth> month =
      RequiredMonth(request->has_month(), request->month(), "month");
  if (!month.ok()) return ToGrpcStatus(month.status());
  absl::StatusOr<v1::GetIndicatorsResponse> indicators =
      IndicatorsFor(who->authority, *month);
  if (!indicators.ok()) return ToGrpcStatus(indicators.status());
  *response = *std::move(indicators);
  return grpc::Status::OK;
}

grpc::Status KpiServiceImpl::GetIndicatorTrend(
    grpc::ServerContext* context, const v1::GetIndicatorTrendRequest* request,
    v1::GetIndicatorTrendResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>> range =
      TrailingMonthRange(*request, kMaxTrendMonths);
  if (!range.ok()) return ToGrpcStatus(range.status());
  const absl::CivilMonth from = range->first;
  const absl::CivilMonth to = range->second;
  std::vector<std::string> ids;
  if (request->indicator_id().empty()) {
    for (const IndicatorDefinition& d : IndicatorDefinitions()) {
      ids.push_back(d.id);
    }
  } else if (FindIndicatorDefinition(request->indicator_id())) {
    ids.push_back(request->indicator_id());
  } else {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "indicator_id: not one of the eight indicators"));
  }
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key =
      absl::StrCat("trend:v1:", FormatIsoMonth(from), ":", FormatIsoMonth(to),
                   ":", request->indicator_id(), ":", SettingsKey());
  return ToGrpcStatus(AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        SGM_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model,
                             ModelFor(authority));
        const AuthorityReference& reference = reference_->For(authority);
        for (const std::string& id : ids) {
          v1::IndicatorTrend* trend = response->add_trends();
          trend->set_id(id);
          for (absl::CivilMonth m = from; m <= to; ++m) {
            const IndicatorMonth figures = *ComputeIndicatorMonth(
                id, model->timelines(), m, *calendar_, reference);
            v1::TrendPoint* point = trend->add_points();
            *point->mutable_month() = ToProtoMonth(m);
            point->set_numerator(figures.numerator);
            point->set_denominator(figures.denominator);
            if (std::optional<double> p =
                    Percent1dp(figures.numerator, figures.denominator)) {
              point->set_percent(*p);
            }
          }
        }
        return model->generation;
      }));
}

grpc::Status KpiServiceImpl::ListIndicatorCases(
    grpc::ServerContext* context, const v1::ListIndicatorCasesRequest* request,
    v1::ListIndicatorCasesResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (!FindIndicatorDefinition(request->indicator_id())) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "indicator_id: required, one of the eight indicators"));
  }
  absl::StatusOr<absl::CivilMonth> month =
      RequiredMonth(request->has_month(), request->month(), "month");
  if (!month.ok()) return ToGrpcStatus(month.status());
  v1::CaseFilter filter = request->filter();
  if (filter == v1::CASE_FILTER_UNSPECIFIED)
    filter = v1::CASE_FILTER_OUT_OF_TIME;
  if (!v1::CaseFilter_IsValid(filter)) {
    return ToGrpcStatus(absl::InvalidArgumentError("filter: unknown value"));
  }
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  absl::StatusOr<int64_t> offset =
      StartOf(*request, request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());

  absl::StatusOr<std::shared_ptr<const Model>> model = ModelFor(who->authority);
  if (!model.ok()) return ToGrpcStatus(model.status());
  const IndicatorMonth figures = *ComputeIndicatorMonth(
      request->indicator_id(), (*model)->timelines(), *month, *calendar_,
      reference_->For(who->authority));
  // For repeat_cp_plans the numerator holds the repeats (lower is better):
  // "out of time" there means a repeat plan.
  const bool lower_is_better = request->indicator_id() == "repeat_cp_plans";
  std::vector<CountedCase> selected;
  for (const CountedCase& c : figures.cases) {
    const bool bad =
        lower_is_better ? c.counted_in_numerator : !c.counted_in_numerator;
    if (filter == v1::CASE_FILTER_ALL ||
        (filter == v1::CASE_FILTER_OUT_OF_TIME && bad) ||
        (filter == v1::CASE_FILTER_IN_TIME && !bad)) {
      selected.push_back(c);
    }
  }
  auto [page, token] = Page(selected, *offset, *page_size, fingerprint);
  std::vector<std::string> child_ids, ref_ids;
  for (const CountedCase* c : page) {
    child_ids.push_back(c->child_id);
    ref_ids.push_back(c->ref_id);
  }
  if (!page.empty()) {
    absl::Status audited =
        Audit(*who, "ListIndicatorCases",
              absl::StrCat("indicator=", request->indicator_id(),
                           " month=", FormatIsoMonth(*month),
                           " filter=", v1::CaseFilter_Name(filter)),
              std::move(child_ids), std::move(ref_ids));
    if (!audited.ok()) return ToGrpcStatus(audited);
  }
  for (const CountedCase* c : page) {
    v1::IndicatorCase* out = response->add_cases();
    out->set_child_id(c->child_id);
    out->set_ref_id(c->ref_id);
    out->set_in_numerator(c->counted_in_numerator);
  }
  response->set_next_page_token(token);
  response->set_total_size(static_cast<int64_t>(selected.size()));
  return grpc::Status::OK;
}

grpc::Status KpiServiceImpl::GetCaseStatus(
    grpc::ServerContext* context, const v1::GetCaseStatusRequest* request,
    v1::GetCaseStatusResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilMonth> month =
      RequiredMonth(request->has_month(), request->month(), "month");
  if (!month.ok()) return ToGrpcStatus(month.status());
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key =
      absl::StrCat("status:v1:", FormatIsoMonth(*month), ":", SettingsKey());
  return ToGrpcStatus(AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        SGM_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model,
                             ModelFor(authority));
        const CaseTimelines& t = model->timelines();
        const AuthorityReference& reference = reference_->For(authority);
        const absl::CivilDay e = LastDayOf(*month);

        v1::CaseStatus* status = response->mutable_status();
        *status->mutable_month() = ToProtoMonth(*month);
        *status->mutable_month_end() = ToProtoDate(e);
        ToProto(CountOpenCases(OpenCasesAt(t, e)),
                status->mutable_open_cases());
        for (absl::CivilMonth m = *month - 11; m <= *month; ++m) {
          v1::MonthOpenCases* point = status->add_trend();
          *point->mutable_month() = ToProtoMonth(m);
          ToProto(CountOpenCases(OpenCasesAt(t, LastDayOf(m))),
                  point->mutable_open_cases());
        }
        std::optional<std::pair<int, int64_t>> population =
            KpiReference::PopulationFor(reference, static_cast<int>(e.year()));
        if (population) {
          status->set_population_year(population->first);
          status->set_population_0_17(population->second);
        }
        const auto fill_rate = [&](int64_t children,
                                   absl::string_view comparator_id,
                                   v1::Rate* rate) {
          rate->set_children(children);
          if (population) {
            if (std::optional<int64_t> per =
                    Per10k(children, population->second)) {
              rate->set_per_10k(*per);
            }
          }
          auto it = reference.comparators.find(std::string(comparator_id));
          if (it != reference.comparators.end()) {
            for (const Comparator& c : it->second) {
              ToProto(c, rate->add_comparators());
            }
          }
        };
        fill_rate(ChildrenOpenAt(t.cla_episodes, e), kCicPer10k,
                  status->mutable_children_in_care());
        fill_rate(ChildrenOpenAt(t.cp_plans, e), kCppPer10k,
                  status->mutable_child_protection());
        status->set_referrals(ReferralsIn(t, *month));
        for (v1::Watchlist w : kWatchlists) {
          v1::WatchlistCount* count = status->add_watchlists();
          count->set_watchlist(w);
          std::vector<WatchlistEntry> entries =
              WatchlistAt(t, *WatchlistFrom(w), e, *calendar_);
          std::vector<std::string> children;
          for (const WatchlistEntry& entry : entries) {
            children.push_back(entry.child_id);
          }
          std::sort(children.begin(), children.end());
          children.erase(std::unique(children.begin(), children.end()),
                         children.end());
          count->set_children(static_cast<int64_t>(children.size()));
        }
        return model->generation;
      }));
}

grpc::Status KpiServiceImpl::ListWatchlist(
    grpc::ServerContext* context, const v1::ListWatchlistRequest* request,
    v1::ListWatchlistResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<WatchlistKind> kind = WatchlistFrom(request->watchlist());
  if (!kind.ok()) return ToGrpcStatus(kind.status());
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(request->has_as_of(), request->as_of(), "as_of", Today());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  // The default date is part of the filter a token is bound to.
  v1::ListWatchlistRequest bound = *request;
  *bound.mutable_as_of() = ToProtoDate(*as_of);
  const uint64_t fingerprint = FilterFingerprint(bound);
  absl::StatusOr<int64_t> offset =
      StartOf(*request, request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());

  absl::StatusOr<std::shared_ptr<const Model>> model = ModelFor(who->authority);
  if (!model.ok()) return ToGrpcStatus(model.status());
  const CaseTimelines& t = (*model)->timelines();
  const std::vector<WatchlistEntry> entries =
      WatchlistAt(t, *kind, *as_of, *calendar_);
  auto [page, token] = Page(entries, *offset, *page_size, fingerprint);
  const std::vector<std::pair<std::string, Allocated>> allocations =
      AllocationsAt(t, *as_of);
  std::vector<std::string> child_ids, ref_ids;
  for (const WatchlistEntry* e : page) {
    child_ids.push_back(e->child_id);
    ref_ids.push_back(e->ref_id);
  }
  if (!page.empty()) {
    absl::Status audited = Audit(
        *who, "ListWatchlist",
        absl::StrCat("watchlist=", v1::Watchlist_Name(request->watchlist()),
                     " as_of=", FormatIsoDate(*as_of)),
        std::move(child_ids), std::move(ref_ids));
    if (!audited.ok()) return ToGrpcStatus(audited);
  }
  for (const WatchlistEntry* e : page) {
    v1::WatchlistEntry* out = response->add_entries();
    out->set_child_id(e->child_id);
    out->set_ref_id(e->ref_id);
    *out->mutable_since() = ToProtoDate(e->since);
    out->set_days(e->days);
    auto it = std::lower_bound(
        allocations.begin(), allocations.end(), e->child_id,
        [](const auto& a, const std::string& id) { return a.first < id; });
    if (it != allocations.end() && it->first == e->child_id) {
      out->set_worker_id(it->second.worker_id);
      out->set_team(it->second.team);
    }
  }
  response->set_next_page_token(token);
  response->set_total_size(static_cast<int64_t>(entries.size()));
  return grpc::Status::OK;
}

grpc::Status KpiServiceImpl::ListCaseloads(
    grpc::ServerContext* context, const v1::ListCaseloadsRequest* request,
    v1::ListCaseloadsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(request->has_as_of(), request->as_of(), "as_of", Today());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  if (request->team().size() > 64) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("team: at most 64 characters"));
  }
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  v1::ListCaseloadsRequest bound = *request;
  *bound.mutable_as_of() = ToProtoDate(*as_of);
  const uint64_t fingerprint = FilterFingerprint(bound);
  absl::StatusOr<int64_t> offset =
      StartOf(*request, request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());

  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  // The whole (unpaged) list is the cached aggregate: worker-level, no
  // child ids.
  const std::string key =
      absl::StrCat("caseloads:v1:", FormatIsoDate(*as_of), ":", SettingsKey());
  v1::ListCaseloadsResponse all;
  std::optional<std::string> cached =
      cache_->Get(authority, kService, *generation, key);
  if (!cached || !all.ParseFromString(*cached)) {
    all.Clear();
    absl::StatusOr<std::shared_ptr<const Model>> model = ModelFor(authority);
    if (!model.ok()) return ToGrpcStatus(model.status());
    for (const WorkerCaseload& w : CaseloadsAt((*model)->timelines(), *as_of)) {
      v1::WorkerCaseload* out = all.add_caseloads();
      out->set_worker_id(w.worker_id);
      out->set_team(w.team);
      out->set_open_cases(w.open_cases);
    }
    cache_->Put(authority, kService, (*model)->generation, key,
                all.SerializeAsString());
  }
  std::vector<v1::WorkerCaseload> selected;
  int64_t cases = 0;
  for (const v1::WorkerCaseload& w : all.caseloads()) {
    if (!request->team().empty() && w.team() != request->team()) continue;
    cases += w.open_cases();
    selected.push_back(w);
  }
  auto [page, token] = Page(selected, *offset, *page_size, fingerprint);
  for (const v1::WorkerCaseload* w : page) *response->add_caseloads() = *w;
  response->set_next_page_token(token);
  response->set_workers(static_cast<int64_t>(selected.size()));
  response->set_allocated_children(cases);
  if (!selected.empty()) {
    // Mean caseload to 1 dp, half away from zero.
    response->set_mean_caseload(
        static_cast<double>(
            RoundedTenths(cases, static_cast<int64_t>(selected.size()))) /
        10.0);
  }
  return grpc::Status::OK;
}

grpc::Status KpiServiceImpl::SampleCases(grpc::ServerContext* context,
                                         const v1::SampleCasesRequest* request,
                                         v1::SampleCasesResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->sample_size() < 1 || request->sample_size() > kMaxSample) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("sample_size: must be 1 to ", kMaxSample)));
  }
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(request->has_as_of(), request->as_of(), "as_of", Today());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  std::optional<CaseLevel> level;
  std::optional<WatchlistKind> watchlist;
  switch (request->criterion()) {
    case v1::SAMPLE_CRITERION_OPEN_EARLY_HELP:
      level = CaseLevel::kEarlyHelp;
      break;
    case v1::SAMPLE_CRITERION_OPEN_CHILD_IN_NEED:
      level = CaseLevel::kChildInNeed;
      break;
    case v1::SAMPLE_CRITERION_OPEN_CHILD_PROTECTION:
      level = CaseLevel::kChildProtection;
      break;
    case v1::SAMPLE_CRITERION_OPEN_CHILD_IN_CARE:
      level = CaseLevel::kChildInCare;
      break;
    case v1::SAMPLE_CRITERION_CP_PLAN_2_YEARS:
      watchlist = WatchlistKind::kCpPlanTwoYears;
      break;
    case v1::SAMPLE_CRITERION_S47_OVER_10_WORKING_DAYS:
      watchlist = WatchlistKind::kS47OverTenWorkingDays;
      break;
    case v1::SAMPLE_CRITERION_PRE_PROCEEDINGS_12_WEEKS:
      watchlist = WatchlistKind::kPreProceedingsTwelveWeeks;
      break;
    case v1::SAMPLE_CRITERION_UNDER_1_ON_CP_PLAN:
      watchlist = WatchlistKind::kUnderOneOnCpPlan;
      break;
    default:
      return ToGrpcStatus(absl::InvalidArgumentError(
          "criterion: required, one of the SAMPLE_CRITERION_ values"));
  }
  absl::StatusOr<std::shared_ptr<const Model>> model = ModelFor(who->authority);
  if (!model.ok()) return ToGrpcStatus(model.status());
  const CaseTimelines& t = (*model)->timelines();
  // The population in a canonical order (child, then ref), so the same
  // seed draws the same cases whatever order the rules list them in.
  std::vector<std::pair<std::string, std::string>> population;
  if (level) {
    for (const OpenCase& c : OpenCasesAt(t, *as_of)) {
      if (c.level == *level) population.emplace_back(c.child_id, c.ref_id);
    }
  } else {
    for (const WatchlistEntry& e :
         WatchlistAt(t, *watchlist, *as_of, *calendar_)) {
      population.emplace_back(e.child_id, e.ref_id);
    }
  }
  std::sort(population.begin(), population.end());
  const std::vector<size_t> drawn = SampleIndices(
      population.size(), static_cast<size_t>(request->sample_size()),
      request->seed());
  const std::vector<std::pair<std::string, Allocated>> allocations =
      AllocationsAt(t, *as_of);
  std::vector<std::string> child_ids, ref_ids;
  for (size_t i : drawn) {
    child_ids.push_back(population[i].first);
    ref_ids.push_back(population[i].second);
  }
  if (!drawn.empty()) {
    absl::Status audited =
        Audit(*who, "SampleCases",
              absl::StrCat(
                  "criterion=", v1::SampleCriterion_Name(request->criterion()),
                  " as_of=", FormatIsoDate(*as_of),
                  " size=", request->sample_size(), " seed=", request->seed()),
              child_ids, ref_ids);
    if (!audited.ok()) return ToGrpcStatus(audited);
  }
  for (size_t i : drawn) {
    v1::SampledCase* out = response->add_cases();
    out->set_child_id(population[i].first);
    out->set_ref_id(population[i].second);
    auto it = std::lower_bound(
        allocations.begin(), allocations.end(), population[i].first,
        [](const auto& a, const std::string& id) { return a.first < id; });
    if (it != allocations.end() && it->first == population[i].first) {
      out->set_worker_id(it->second.worker_id);
      out->set_team(it->second.team);
    }
  }
  response->set_population(static_cast<int64_t>(population.size()));
  return grpc::Status::OK;
}

// --- read audit ------------------------------------------------------------

grpc::Status KpiServiceImpl::ListReadAudit(
    grpc::ServerContext* context, const v1::ListReadAuditRequest* request,
    v1::ListReadAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  return ToGrpcStatus(ServeReadAuditPage<KpiReadAudit>(
      *who, *request, kMethodPrefix,
      [&](const ReadAuditQuery& query) {
        return store_->ListReadAudit(who->authority, query);
      },
      // Reading the log is itself a read (no ids).
      [&] { return Audit(*who, "ListReadAudit", "", {}, {}); },
      [](const KpiReadAudit& e, sgm::audit::v1::ReadAuditEntry* out) {
        for (const std::string& id : e.child_ids) out->add_child_ids(id);
        for (const std::string& id : e.ref_ids) out->add_record_ids(id);
        out->set_query(e.query);
      },
      response));
}

namespace {

// The domain enum is the proto enum minus one (0 is UNSPECIFIED).
v1::VisitKind ToProto(VisitKind kind) {
  return static_cast<v1::VisitKind>(static_cast<int>(kind) + 1);
}

void ToProto(const VisitCounts& c, VisitKind kind,
             std::optional<absl::CivilMonth> month, v1::VisitQuality* out) {
  out->set_kind(ToProto(kind));
  if (month) *out->mutable_month() = ToProtoMonth(*month);
  out->set_visits(c.visits);
  out->set_mode_recorded(c.mode_recorded);
  out->set_face_to_face(c.face_to_face);
  if (std::optional<double> p = c.FaceToFacePercent()) {
    out->set_face_to_face_percent(*p);
  }
  out->set_seen_alone_recorded(c.seen_alone_recorded);
  out->set_seen_alone(c.seen_alone);
  if (std::optional<double> p = c.SeenAlonePercent()) {
    out->set_seen_alone_percent(*p);
  }
}

}  // namespace

grpc::Status KpiServiceImpl::GetVisitQuality(
    grpc::ServerContext* context, const v1::GetVisitQualityRequest* request,
    v1::GetVisitQualityResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>> range =
      TrailingMonthRange(*request, kMaxTrendMonths);
  if (!range.ok()) return ToGrpcStatus(range.status());
  const absl::CivilMonth from = range->first;
  const absl::CivilMonth to = range->second;
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key =
      absl::StrCat("visit_quality:v1:", FormatIsoMonth(from), ":",
                   FormatIsoMonth(to), ":", SettingsKey());
  return ToGrpcStatus(AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        // Only the visits of the range, with the fields the timelines drop.
        SGM_ASSIGN_OR_RETURN(
            CaseEventStore::Snapshot visits,
            store_->LoadEventsOfTypes(authority, kVisitEventTypes,
                                      absl::CivilDay(from), LastDayOf(to)));
        const VisitQualityFigures figures =
            ComputeVisitQuality(visits.events, from, to);
        *response->mutable_from() = ToProtoMonth(from);
        *response->mutable_to() = ToProtoMonth(to);
        for (int k = 0; k < kVisitKindCount; ++k) {
          ToProto(figures.totals[k], static_cast<VisitKind>(k), std::nullopt,
                  response->add_totals());
        }
        for (const VisitQualityMonth& m : figures.months) {
          for (int k = 0; k < kVisitKindCount; ++k) {
            ToProto(m.by_kind[k], static_cast<VisitKind>(k), m.month,
                    response->add_months());
          }
        }
        return visits.generation;
      }));
}

namespace {

v1::FunnelStage ToProto(FunnelStage stage) {
  return static_cast<v1::FunnelStage>(static_cast<int>(stage) + 1);
}

void CategoryFunnelToProto(const CategoryFunnelFigures& figures,
                           absl::CivilMonth from, absl::CivilMonth to,
                           v1::GetCategoryFunnelResponse* response) {
  *response->mutable_from() = ToProtoMonth(from);
  *response->mutable_to() = ToProtoMonth(to);
  for (int s = 0; s < kFunnelStageCount; ++s) {
    const FunnelStageCount& counts = figures.stages[s];
    v1::FunnelStageCounts* stage = response->add_stages();
    stage->set_stage(ToProto(static_cast<FunnelStage>(s)));
    stage->set_total(counts.total);
    for (int c = 0; c < kFunnelCategoryCount; ++c) {
      v1::CategoryCount* category = stage->add_by_category();
      category->set_category(std::string(kFunnelCategories[c]));
      category->set_count(counts.by_category[c]);
      category->set_percent(
          Percent1dp(counts.by_category[c], counts.total).value_or(0.0));
    }
  }
  response->set_plans_traced(figures.plans_traced);
  for (const CategoryChangeCount& change : figures.changes) {
    v1::CategoryChange* out = response->add_changes();
    out->set_from(change.from);
    out->set_to(change.to);
    out->set_plans(change.plans);
  }
}

}  // namespace

grpc::Status KpiServiceImpl::GetCategoryFunnel(
    grpc::ServerContext* context, const v1::GetCategoryFunnelRequest* request,
    v1::GetCategoryFunnelResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>> range =
      TrailingMonthRange(*request, kMaxTrendMonths);
  if (!range.ok()) return ToGrpcStatus(range.status());
  const absl::CivilMonth from = range->first;
  const absl::CivilMonth to = range->second;
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key =
      absl::StrCat("category_funnel:v1:", FormatIsoMonth(from), ":",
                   FormatIsoMonth(to), ":", SettingsKey());
  return ToGrpcStatus(AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        // The stages' events up to the range's end: a referral or S47
        // looked up from the range may be dated before it.
        SGM_ASSIGN_OR_RETURN(
            CaseEventStore::Snapshot events,
            store_->LoadEventsOfTypes(authority, kFunnelEventTypes,
                                      std::nullopt, LastDayOf(to)));
        CategoryFunnelToProto(ComputeCategoryFunnel(events.events, from, to),
                              from, to, response);
        return events.generation;
      }));
}

namespace {

constexpr int kMaxFlowMonths = 60;
constexpr int kMaxOpenWorkChildren = 1000;

// The domain enums are the proto enums minus one (0 is UNSPECIFIED).
v1::ServiceLevel ToProto(ServiceLevel level) {
  return static_cast<v1::ServiceLevel>(static_cast<int>(level) + 1);
}

v1::OpenWorkKind ToProto(OpenWorkKind kind) {
  return static_cast<v1::OpenWorkKind>(static_cast<int>(kind) + 1);
}

double FlowShare(int64_t part, int64_t total) {
  return Percent1dp(part, total).value_or(0.0);
}

void ToProto(const ServiceFlowFigures& f, v1::ServiceFlowMonth* out) {
  *out->mutable_month() = ToProtoMonth(f.month);
  out->set_step_downs(f.step_downs);
  out->set_step_downs_cp_to_cin(f.step_downs_cp_to_cin);
  out->set_step_downs_cin_to_early_help(f.step_downs_cin_to_early_help);
  out->set_step_ups(f.step_ups);
  out->set_entries(f.entries);
  out->set_exits(f.exits);
  for (const LevelMoveCount& m : f.moves) {
    v1::LevelMove* move = out->add_moves();
    move->set_from(ToProto(m.from));
    move->set_to(ToProto(m.to));
    move->set_moves(m.moves);
  }
  for (const ClosureReasonCount& c : f.closures) {
    v1::ClosureCount* closure = out->add_closures();
    closure->set_reason(c.reason);
    closure->set_label(c.label);
    closure->set_closures(c.closures);
  }
  out->set_closures_total(f.closures_total);
  ToProto(f.open_cases, out->mutable_open_cases());
  const int64_t total = f.open_cases.total;
  out->set_early_help_percent(FlowShare(f.open_cases.early_help, total));
  out->set_child_in_need_percent(FlowShare(f.open_cases.child_in_need, total));
  out->set_child_protection_percent(
      FlowShare(f.open_cases.child_protection, total));
  out->set_child_in_care_percent(FlowShare(f.open_cases.child_in_care, total));
}

// 1 to kMaxOpenWorkChildren distinct non-empty ids (no id in the errors).
absl::Status CheckOpenWorkChildIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.empty() || ids.size() > kMaxOpenWorkChildren) {
    return absl::InvalidArgumentError(
        absl::StrCat("child_ids: 1 to ", kMaxOpenWorkChildren,
                     " ids required, got ", ids.size()));
  }
  std::vector<absl::string_view> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  if (sorted.front().empty()) {
    return absl::InvalidArgumentError("child_ids: an id is empty");
  }
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return absl::InvalidArgumentError("child_ids: an id is repeated");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> OpenWorkDay(bool present,
                                           const sgm::type::v1::Date& date,
                                           absl::string_view field) {
  if (!present || IsEmptyDate(date)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  return FromProtoDate(date, field);
}

}  // namespace

grpc::Status KpiServiceImpl::GetServiceFlows(
    grpc::ServerContext* context, const v1::GetServiceFlowsRequest* request,
    v1::GetServiceFlowsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>> range =
      TrailingMonthRange(*request, kMaxFlowMonths);
  if (!range.ok()) return ToGrpcStatus(range.status());
  const absl::CivilMonth from = range->first;
  const absl::CivilMonth to = range->second;
  const int gap_days = options_.flow_gap_days;
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key =
      absl::StrCat("flows:v1:", FormatIsoMonth(from), ":", FormatIsoMonth(to),
                   ":gap", gap_days, ":", SettingsKey());
  return ToGrpcStatus(AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        SGM_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model,
                             ModelFor(authority));
        *response->mutable_from() = ToProtoMonth(from);
        *response->mutable_to() = ToProtoMonth(to);
        response->set_gap_days(gap_days);
        for (const ServiceFlowFigures& f :
             ServiceFlows(model->timelines(), from, to, gap_days)) {
          ToProto(f, response->add_months());
        }
        return model->generation;
      }));
}

grpc::Status KpiServiceImpl::ListOpenWork(
    grpc::ServerContext* context, const v1::ListOpenWorkRequest* request,
    v1::ListOpenWorkResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (absl::Status ids = CheckOpenWorkChildIds(request->child_ids());
      !ids.ok()) {
    return ToGrpcStatus(ids);
  }
  absl::StatusOr<absl::CivilDay> from =
      OpenWorkDay(request->has_from(), request->from(), "from");
  if (!from.ok()) return ToGrpcStatus(from.status());
  absl::StatusOr<absl::CivilDay> to =
      OpenWorkDay(request->has_to(), request->to(), "to");
  if (!to.ok()) return ToGrpcStatus(to.status());
  if (*from > *to) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("from: must not be after 'to'"));
  }
  absl::StatusOr<std::shared_ptr<const Model>> model = ModelFor(who->authority);
  if (!model.ok()) return ToGrpcStatus(model.status());
  const std::vector<std::string> ids(request->child_ids().begin(),
                                     request->child_ids().end());
  const std::vector<ChildOpenWorkItems> children =
      OpenWorkOf((*model)->timelines(), ids, *from, *to);
  std::vector<std::string> child_ids, ref_ids;
  for (const ChildOpenWorkItems& child : children) {
    child_ids.push_back(child.child_id);
    for (const OpenWorkItem& item : child.work) ref_ids.push_back(item.ref_id);
  }
  if (!children.empty()) {
    absl::Status audited = Audit(
        *who, "ListOpenWork",
        absl::StrCat("from=", FormatIsoDate(*from), " to=", FormatIsoDate(*to),
                     " children_asked=", ids.size()),
        std::move(child_ids), std::move(ref_ids));
    if (!audited.ok()) return ToGrpcStatus(audited);
  }
  for (const ChildOpenWorkItems& child : children) {
    v1::ChildOpenWork* out = response->add_children();
    out->set_child_id(child.child_id);
    for (const OpenWorkItem& item : child.work) {
      v1::OpenWork* work = out->add_work();
      work->set_kind(ToProto(item.kind));
      work->set_ref_id(item.ref_id);
      *work->mutable_since() = ToProtoDate(item.since);
      if (item.until) *work->mutable_until() = ToProtoDate(*item.until);
    }
  }
  response->set_generation((*model)->generation);
  return grpc::Status::OK;
}

}  // namespace sgm::kpi
