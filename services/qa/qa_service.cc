#include "services/qa/qa_service.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "common/civil_date.h"
#include "common/feed_field_rules.h"
#include "common/feed_import.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/read_audit_proto.h"
#include "common/status_macros.h"
#include "common/store_generation.h"
#include "services/qa/qa_feed_parser.h"
#include "services/qa/qa_figures.h"

namespace sgm::qa {
namespace {

// The name the service publishes its generation under: the gateway's
// report reads it so.
constexpr char kService[] = "qa";
constexpr char kMethodPrefix[] = "/sgm.qa.v1.QaService/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr int kMaxTrendMonths = 60;
// A figures period is at most this many months (5 years).
constexpr int kMaxPeriodMonths = 60;
constexpr int kMaxSampleSize = 500;
constexpr int kMaxIdLength = 64;
// Raise when the meaning of a cached figure changes (docs/qa.md).
constexpr char kFiguresRules[] = "qa-figures-1";

constexpr absl::string_view kThemeConflict =
    "a different theme is stored under this theme_id; nothing changed";
constexpr absl::string_view kAuditConflict =
    "a different audit is stored under this audit_id; nothing changed";
constexpr absl::string_view kFeedbackConflict =
    "a different piece of feedback is stored under this feedback_id; "
    "nothing changed";
constexpr absl::string_view kActionConflict =
    "a different action is stored under this action_id; nothing changed";
constexpr absl::string_view kSampleConflict =
    "a dip sample with a different criterion, as_of, sample_size, seed or "
    "theme_id is stored under this sample_id; nothing changed";

absl::StatusOr<CallerIdentity> Caller(const grpc::ServerContext* context) {
  return IdentityFromMetadata(context->client_metadata());
}

// --- proto <-> domain ------------------------------------------------------

v1::AuditType ToProto(AuditType t) {
  switch (t) {
    case AuditType::kCaseFile:
      return v1::AUDIT_TYPE_CASE_FILE;
    case AuditType::kThemed:
      return v1::AUDIT_TYPE_THEMED;
    case AuditType::kDipSample:
      return v1::AUDIT_TYPE_DIP_SAMPLE;
    case AuditType::kObservation:
      return v1::AUDIT_TYPE_OBSERVATION;
    case AuditType::kMultiAgency:
      return v1::AUDIT_TYPE_MULTI_AGENCY;
  }
  return v1::AUDIT_TYPE_UNSPECIFIED;
}

std::optional<AuditType> FromProto(v1::AuditType t) {
  switch (t) {
    case v1::AUDIT_TYPE_CASE_FILE:
      return AuditType::kCaseFile;
    case v1::AUDIT_TYPE_THEMED:
      return AuditType::kThemed;
    case v1::AUDIT_TYPE_DIP_SAMPLE:
      return AuditType::kDipSample;
    case v1::AUDIT_TYPE_OBSERVATION:
      return AuditType::kObservation;
    case v1::AUDIT_TYPE_MULTI_AGENCY:
      return AuditType::kMultiAgency;
    default:
      return std::nullopt;
  }
}

v1::FeedbackSource ToProto(FeedbackSource s) {
  switch (s) {
    case FeedbackSource::kFamily:
      return v1::FEEDBACK_SOURCE_FAMILY;
    case FeedbackSource::kYoungPerson:
      return v1::FEEDBACK_SOURCE_YOUNG_PERSON;
    case FeedbackSource::kPartnerAgency:
      return v1::FEEDBACK_SOURCE_PARTNER_AGENCY;
    case FeedbackSource::kStaff:
      return v1::FEEDBACK_SOURCE_STAFF;
  }
  return v1::FEEDBACK_SOURCE_UNSPECIFIED;
}

std::optional<FeedbackSource> FromProto(v1::FeedbackSource s) {
  switch (s) {
    case v1::FEEDBACK_SOURCE_FAMILY:
      return FeedbackSource::kFamily;
    case v1::FEEDBACK_SOURCE_YOUNG_PERSON:
      return FeedbackSource::kYoungPerson;
    case v1::FEEDBACK_SOURCE_PARTNER_AGENCY:
      return FeedbackSource::kPartnerAgency;
    case v1::FEEDBACK_SOURCE_STAFF:
      return FeedbackSource::kStaff;
    default:
      return std::nullopt;
  }
}

// The proto's Grade numbers are the grades (1 outstanding .. 4 inadequate).
v1::Grade ToProtoGrade(Grade g) {
  return g >= kOutstanding && g <= kInadequate ? static_cast<v1::Grade>(g)
                                               : v1::GRADE_UNSPECIFIED;
}

std::optional<Grade> FromProtoGrade(v1::Grade g) {
  const int n = static_cast<int>(g);
  if (n < kOutstanding || n > kInadequate) return std::nullopt;
  return n;
}

// DipSampleCriterion has qa.proto's numbers (and kpi.proto's).
std::optional<DipSampleCriterion> FromProto(v1::DipSampleCriterion c) {
  const int n = static_cast<int>(c);
  if (n < static_cast<int>(DipSampleCriterion::kOpenEarlyHelp) ||
      n > static_cast<int>(DipSampleCriterion::kUnder1OnCpPlan)) {
    return std::nullopt;
  }
  return static_cast<DipSampleCriterion>(n);
}

v1::DipSampleCriterion ToProto(DipSampleCriterion c) {
  return static_cast<v1::DipSampleCriterion>(static_cast<int>(c));
}

std::optional<ActionState> FromProto(v1::ActionState s) {
  switch (s) {
    case v1::ACTION_STATE_UNSPECIFIED:
      return ActionState::kAny;
    case v1::ACTION_STATE_OPEN:
      return ActionState::kOpen;
    case v1::ACTION_STATE_OVERDUE:
      return ActionState::kOverdue;
    case v1::ACTION_STATE_COMPLETED:
      return ActionState::kCompleted;
    default:
      return std::nullopt;
  }
}

void ToProto(const Theme& t, v1::Theme* out) {
  out->set_theme_id(t.theme_id);
  out->set_name(t.name);
  *out->mutable_start_date() = ToProtoDate(t.start_date);
  *out->mutable_end_date() = ToProtoDate(t.end_date);
}

void ToProto(const Audit& a, absl::string_view authority, v1::Audit* out) {
  out->set_audit_id(a.audit_id);
  out->set_authority(std::string(authority));
  out->set_child_id(a.child_id);
  out->set_type(ToProto(a.type));
  out->set_theme_id(a.theme_id);
  out->set_team(a.team);
  out->set_worker_id(a.worker_id);
  out->set_auditor(a.auditor);
  *out->mutable_audit_date() = ToProtoDate(a.audit_date);
  out->set_grade(ToProtoGrade(a.grade));
  if (a.moderated_grade) {
    out->set_moderated_grade(ToProtoGrade(*a.moderated_grade));
  }
  out->set_moderator(a.moderator);
  for (const DomainGrade& d : a.domains) {
    v1::DomainGrade* g = out->add_domains();
    g->set_domain(d.domain);
    g->set_grade(ToProtoGrade(d.grade));
  }
  out->set_findings(a.findings);
  out->set_reaudit_of(a.reaudit_of);
  out->set_sample_id(a.sample_id);
}

void ToProto(const Feedback& f, v1::Feedback* out) {
  out->set_feedback_id(f.feedback_id);
  out->set_source(ToProto(f.source));
  out->set_team(f.team);
  *out->mutable_received_on() = ToProtoDate(f.received_on);
  out->set_rating(f.rating);
  out->set_comment(f.comment);
}

void ToProto(const Action& a, v1::Action* out) {
  out->set_action_id(a.action_id);
  out->set_origin_ref(a.origin_ref);
  out->set_owner(a.owner);
  *out->mutable_due_date() = ToProtoDate(a.due_date);
  if (a.completed_date) {
    *out->mutable_completed_date() = ToProtoDate(*a.completed_date);
  }
  if (a.raised_on) *out->mutable_raised_on() = ToProtoDate(*a.raised_on);
}

// A stored sample; its cases (with the audit of each) when `with_cases`.
void ToProto(const DipSampleRecord& r, bool with_cases, v1::DipSample* out) {
  const DipSample& s = r.sample;
  out->set_sample_id(s.sample_id);
  out->set_criterion(ToProto(s.criterion));
  *out->mutable_as_of() = ToProtoDate(s.as_of);
  out->set_sample_size(s.sample_size);
  out->set_seed(s.seed);
  out->set_theme_id(s.theme_id);
  out->set_population(s.population);
  *out->mutable_created_at() = ToProtoTimestamp(s.created_at);
  out->set_created_by(s.created_by);
  out->set_audited(r.audited);
  if (!with_cases) return;
  for (size_t i = 0; i < s.cases.size(); ++i) {
    const DipSampleCase& c = s.cases[i];
    v1::DipSampleCase* o = out->add_cases();
    o->set_child_id(c.child_id);
    o->set_ref_id(c.ref_id);
    o->set_worker_id(c.worker_id);
    o->set_team(c.team);
    if (i < r.case_audit_ids.size()) o->set_audit_id(r.case_audit_ids[i]);
  }
}

void ToProto(const AuditCounts& c, v1::AuditFigures* out) {
  out->set_label(c.label);
  out->set_audits(c.audits);
  out->set_outstanding(c.outstanding);
  out->set_good(c.good);
  out->set_requires_improvement(c.requires_improvement);
  out->set_inadequate(c.inadequate);
  if (c.good_or_better_percent) {
    out->set_good_or_better_percent(*c.good_or_better_percent);
  }
}

void ToProto(const QaFigureSet& f, v1::QaFigures* out) {
  *out->mutable_from() = ToProtoDate(f.period.from);
  *out->mutable_to() = ToProtoDate(f.period.to);
  out->set_team(f.period.team);
  out->set_theme_id(f.period.theme_id);
  ToProto(f.audits, out->mutable_audits());
  for (const AuditCounts& c : f.by_type) ToProto(c, out->add_by_type());
  for (const AuditCounts& c : f.by_team) ToProto(c, out->add_by_team());
  for (const AuditCounts& c : f.by_theme) ToProto(c, out->add_by_theme());
  v1::ModerationFigures* m = out->mutable_moderation();
  m->set_moderated(f.moderation.moderated);
  m->set_agreed(f.moderation.agreed);
  m->set_moderated_up(f.moderation.moderated_up);
  m->set_moderated_down(f.moderation.moderated_down);
  if (f.moderation.agreement_percent) {
    m->set_agreement_percent(*f.moderation.agreement_percent);
  }
  for (const DomainCounts& d : f.domains) {
    v1::DomainFigures* o = out->add_domains();
    o->set_domain(d.domain);
    o->set_graded(d.graded);
    o->set_requires_improvement_or_worse(d.requires_improvement_or_worse);
    if (d.requires_improvement_or_worse_percent) {
      o->set_requires_improvement_or_worse_percent(
          *d.requires_improvement_or_worse_percent);
    }
  }
  for (const FeedbackCounts& c : f.feedback) {
    v1::FeedbackFigures* o = out->add_feedback();
    o->set_source(c.source ? ToProto(*c.source)
                           : v1::FEEDBACK_SOURCE_UNSPECIFIED);
    o->set_received(c.received);
    if (c.mean_rating) o->set_mean_rating(*c.mean_rating);
    o->set_positive(c.positive);
    o->set_negative(c.negative);
  }
  v1::ActionFigures* a = out->mutable_actions();
  a->set_open(f.actions.open);
  a->set_overdue(f.actions.overdue);
  a->set_completed(f.actions.completed);
  a->set_completed_on_time(f.actions.completed_on_time);
  if (f.actions.on_time_percent) {
    a->set_on_time_percent(*f.actions.on_time_percent);
  }
  a->set_due(f.actions.due);
  v1::ReauditFigures* r = out->mutable_reaudits();
  r->set_reaudits(f.reaudits.reaudits);
  r->set_improved(f.reaudits.improved);
  r->set_unchanged(f.reaudits.unchanged);
  r->set_worsened(f.reaudits.worsened);
  if (f.reaudits.improved_percent) {
    r->set_improved_percent(*f.reaudits.improved_percent);
  }
  r->set_original_missing(f.reaudits.original_missing);
  for (const Theme& t : f.themes) ToProto(t, out->add_themes());
}

void ToProto(const QaTrendPoint& p, v1::QaTrendPoint* out) {
  *out->mutable_month() = ToProtoMonth(p.month);
  out->set_audits(p.audits);
  if (p.good_or_better_percent) {
    out->set_good_or_better_percent(*p.good_or_better_percent);
  }
  if (p.agreement_percent) out->set_agreement_percent(*p.agreement_percent);
  out->set_feedback(p.feedback);
  if (p.mean_rating) out->set_mean_rating(*p.mean_rating);
  out->set_open_actions(p.open_actions);
  out->set_overdue_actions(p.overdue_actions);
}

absl::Status Required(absl::string_view prefix, absl::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat(prefix, prefix.empty() ? "" : ".", field, ": required"));
}

// The proto field a feed column's error is about (the audits feed's
// "theme" column is the proto's theme_id).
absl::string_view ProtoField(absl::string_view column) {
  if (column == "theme") return "theme_id";
  return column;
}

// A rule of the feed broken by a request: INVALID_ARGUMENT naming
// `prefix`.field.
absl::Status Invalid(absl::string_view prefix, const RecordError& error) {
  return absl::InvalidArgumentError(
      absl::StrCat(prefix, error.field.empty() || prefix.empty() ? "" : ".",
                   ProtoField(error.field), ": ", error.reason));
}

bool HasDate(bool present, const sgm::type::v1::Date& date) {
  return present && !IsEmptyDate(date);
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(
    bool present, const sgm::type::v1::Date& date, absl::string_view field) {
  if (!HasDate(present, date)) return std::nullopt;
  SGM_ASSIGN_OR_RETURN(absl::CivilDay day, FromProtoDate(date, field));
  return day;
}

absl::StatusOr<absl::CivilDay> RequiredDate(bool present,
                                            const sgm::type::v1::Date& date,
                                            absl::string_view prefix,
                                            absl::string_view field) {
  if (!HasDate(present, date)) return Required(prefix, field);
  return FromProtoDate(date, prefix.empty() ? std::string(field)
                                            : absl::StrCat(prefix, ".", field));
}

// A date field that defaults to `fallback` when absent or empty.
absl::StatusOr<absl::CivilDay> DateOr(bool present,
                                      const sgm::type::v1::Date& date,
                                      absl::string_view field,
                                      absl::CivilDay fallback) {
  if (!HasDate(present, date)) return fallback;
  return FromProtoDate(date, field);
}

absl::StatusOr<absl::CivilMonth> RequiredMonth(
    bool present, const sgm::type::v1::YearMonth& month,
    absl::string_view field) {
  if (!present) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  return FromProtoMonth(month, field);
}

// The ids of this service (sample_id here; the feeds' ids are checked by
// qa_feed_parser.h with the same rule): 1-64 of letters, digits, - _ . / :.
bool IsId(absl::string_view text) {
  return !text.empty() && text.size() <= kMaxIdLength && AllOf(text, "-_./:");
}

// The theme in a request, fields converted; the rules are checked by the
// caller (ValidateTheme).
absl::StatusOr<Theme> ThemeFromProto(const v1::Theme& in) {
  constexpr absl::string_view p = "theme";
  Theme t;
  t.theme_id = in.theme_id();
  if (t.theme_id.empty()) return Required(p, "theme_id");
  t.name = in.name();
  if (t.name.empty()) return Required(p, "name");
  SGM_ASSIGN_OR_RETURN(
      t.start_date,
      RequiredDate(in.has_start_date(), in.start_date(), p, "start_date"));
  SGM_ASSIGN_OR_RETURN(t.end_date, RequiredDate(in.has_end_date(),
                                                in.end_date(), p, "end_date"));
  return t;
}

// The audit in a request; the feed's rules are checked by the caller
// (ValidateAudit).
absl::StatusOr<Audit> AuditFromProto(const v1::Audit& in) {
  constexpr absl::string_view p = "audit";
  Audit a;
  a.audit_id = in.audit_id();
  if (a.audit_id.empty()) return Required(p, "audit_id");
  a.child_id = in.child_id();
  if (a.child_id.empty()) return Required(p, "child_id");
  std::optional<AuditType> type = FromProto(in.type());
  if (!type) {
    return absl::InvalidArgumentError(
        "audit.type: required, one of the AUDIT_TYPE_ values");
  }
  a.type = *type;
  a.theme_id = in.theme_id();
  a.team = in.team();
  a.worker_id = in.worker_id();
  a.auditor = in.auditor();
  if (a.auditor.empty()) return Required(p, "auditor");
  SGM_ASSIGN_OR_RETURN(
      a.audit_date,
      RequiredDate(in.has_audit_date(), in.audit_date(), p, "audit_date"));
  std::optional<Grade> grade = FromProtoGrade(in.grade());
  if (!grade) {
    return absl::InvalidArgumentError(
        "audit.grade: required, GRADE_OUTSTANDING (1) to GRADE_INADEQUATE (4)");
  }
  a.grade = *grade;
  if (in.moderated_grade() != v1::GRADE_UNSPECIFIED) {
    a.moderated_grade = FromProtoGrade(in.moderated_grade());
    if (!a.moderated_grade) {
      return absl::InvalidArgumentError(
          "audit.moderated_grade: GRADE_OUTSTANDING (1) to GRADE_INADEQUATE "
          "(4), or unset");
    }
  }
  a.moderator = in.moderator();
  std::set<std::string> seen;
  for (int i = 0; i < in.domains_size(); ++i) {
    const v1::DomainGrade& d = in.domains(i);
    const std::string field = absl::StrCat("audit.domains[", i, "]");
    if (d.domain().empty()) return Required(field, "domain");
    std::optional<Grade> g = FromProtoGrade(d.grade());
    if (!g) {
      return absl::InvalidArgumentError(absl::StrCat(
          field,
          ".grade: required, GRADE_OUTSTANDING (1) to GRADE_INADEQUATE "
          "(4)"));
    }
    if (!seen.insert(d.domain()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".domain: each domain at most once;",
                       QuoteCode(d.domain()), " is graded twice"));
    }
    a.domains.push_back({d.domain(), *g});
  }
  a.findings = in.findings();
  a.reaudit_of = in.reaudit_of();
  a.sample_id = in.sample_id();
  return a;
}

absl::StatusOr<Feedback> FeedbackFromProto(const v1::Feedback& in) {
  constexpr absl::string_view p = "feedback";
  Feedback f;
  f.feedback_id = in.feedback_id();
  if (f.feedback_id.empty()) return Required(p, "feedback_id");
  std::optional<FeedbackSource> source = FromProto(in.source());
  if (!source) {
    return absl::InvalidArgumentError(
        "feedback.source: required, one of the FEEDBACK_SOURCE_ values");
  }
  f.source = *source;
  f.team = in.team();
  SGM_ASSIGN_OR_RETURN(
      f.received_on,
      RequiredDate(in.has_received_on(), in.received_on(), p, "received_on"));
  if (in.rating() == 0) return Required(p, "rating");
  f.rating = in.rating();
  f.comment = in.comment();
  return f;
}

absl::StatusOr<Action> ActionFromProto(const v1::Action& in) {
  constexpr absl::string_view p = "action";
  Action a;
  a.action_id = in.action_id();
  if (a.action_id.empty()) return Required(p, "action_id");
  a.origin_ref = in.origin_ref();
  if (a.origin_ref.empty()) return Required(p, "origin_ref");
  a.owner = in.owner();
  if (a.owner.empty()) return Required(p, "owner");
  SGM_ASSIGN_OR_RETURN(a.due_date, RequiredDate(in.has_due_date(),
                                                in.due_date(), p, "due_date"));
  SGM_ASSIGN_OR_RETURN(a.completed_date, OptionalDate(in.has_completed_date(),
                                                      in.completed_date(),
                                                      "action.completed_date"));
  SGM_ASSIGN_OR_RETURN(
      a.raised_on,
      OptionalDate(in.has_raised_on(), in.raised_on(), "action.raised_on"));
  return a;
}

// The position a List request starts at.
absl::StatusOr<int64_t> StartOf(const std::string& token,
                                uint64_t fingerprint) {
  if (token.empty()) return 0;
  return DecodePageToken(token, fingerprint);
}

// Store outcomes -> import verdicts: a record that fills in an empty
// moderated_grade or completed_date is accepted.
std::vector<Verdict> Verdicts(const WriteResult& result,
                              absl::string_view conflict_field,
                              absl::string_view conflict_reason) {
  std::vector<Verdict> verdicts;
  verdicts.reserve(result.outcomes.size());
  for (WriteOutcome outcome : result.outcomes) {
    switch (outcome) {
      case WriteOutcome::kAccepted:
      case WriteOutcome::kFilledIn:
        verdicts.push_back({Verdict::kAccepted, "", ""});
        break;
      case WriteOutcome::kDuplicate:
        verdicts.push_back({Verdict::kDuplicate, "", ""});
        break;
      case WriteOutcome::kConflict:
        verdicts.push_back({Verdict::kRejected, std::string(conflict_field),
                            std::string(conflict_reason)});
        break;
    }
  }
  return verdicts;
}

// A filter value for an audit entry's query: codes as they are, anything
// else (free text, a child's id) as "(given)", so that the query never
// carries personal data.
std::string QueryValue(absl::string_view value) {
  if (value.empty()) return "";
  if (!QuoteCode(value).empty()) return std::string(value);
  return "(given)";
}

std::string QueryDate(const std::optional<absl::CivilDay>& day) {
  return day ? FormatIsoDate(*day) : "";
}

// `ids` without repeats, in first-seen order.
std::vector<std::string> Distinct(std::vector<std::string> ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::string& id : ids) {
    if (id.empty() || !seen.insert(id).second) continue;
    out.push_back(std::move(id));
  }
  return out;
}

// The children of a sample and the records shown with it (the sample and
// the audits of its cases), for the read audit.
void SampleReadIds(const DipSampleRecord& r, std::vector<std::string>* children,
                   std::vector<std::string>* records) {
  std::vector<std::string> child_ids;
  for (const DipSampleCase& c : r.sample.cases) child_ids.push_back(c.child_id);
  *children = Distinct(std::move(child_ids));
  records->push_back(r.sample.sample_id);
  for (const std::string& id : r.case_audit_ids) {
    if (!id.empty()) records->push_back(id);
  }
}

}  // namespace

QaServiceImpl::QaServiceImpl(QaStore* store, CaseSampleSource* samples,
                             AggregateCache* cache, const Clock* clock,
                             absl::TimeZone zone, Options options)
    : store_(store),
      samples_(samples),
      cache_(cache),
      clock_(clock),
      zone_(zone),
      options_(options) {}

absl::CivilDay QaServiceImpl::Today() const {
  return absl::ToCivilDay(clock_->Now(), zone_);
}

std::string QaServiceImpl::SettingsKey() const {
  ContentFingerprint f;
  f.Add(kFiguresRules);
  f.Add(zone_.name());
  return absl::StrCat(absl::Hex(f.value()));
}

void QaServiceImpl::PublishGeneration(const std::string& authority,
                                      int64_t generation) {
  // 0 (an authority with no QA records yet) is published too: the
  // gateway's report is cached only under every backend's known
  // generation, and a department that has not loaded QA data must not
  // make every report a fresh composition. It only ever rises.
  if (generation >= 0) {
    cache_->PublishGeneration(authority, kService, generation);
  }
}

absl::Status QaServiceImpl::AuditRead(const CallerIdentity& who,
                                      absl::string_view method,
                                      std::string query,
                                      std::vector<std::string> child_ids,
                                      std::vector<std::string> record_ids) {
  QaReadAudit entry;
  entry.at = clock_->Now();
  entry.caller = who.caller;
  entry.role = std::string(RoleName(who.role));
  entry.authority = who.authority;
  entry.method = std::string(method);
  entry.query = std::move(query);
  entry.child_ids = std::move(child_ids);
  entry.record_ids = std::move(record_ids);
  absl::Status status = store_->AppendReadAudit(entry);
  if (!status.ok()) {
    // Fail closed: no child-level data leaves without its audit record.
    LogError("read_audit_failed",
             {{"method", method},
              {"code", absl::StatusCodeToString(status.code())}});
    return absl::UnavailableError(
        "the read could not be written to the audit log; try again");
  }
  return absl::OkStatus();
}

template <typename Record, typename Insert>
absl::StatusOr<bool> QaServiceImpl::StoreOne(const std::string& authority,
                                             const Record& record,
                                             Insert insert,
                                             absl::string_view conflict) {
  SGM_ASSIGN_OR_RETURN(WriteResult written,
                       (store_->*insert)(authority, {record}));
  PublishGeneration(authority, written.generation);
  const WriteOutcome outcome = written.outcomes.front();
  if (outcome == WriteOutcome::kConflict) {
    return absl::AlreadyExistsError(conflict);
  }
  // kDuplicate: stored as sent; kFilledIn: the stored record now is as sent.
  return outcome == WriteOutcome::kDuplicate;
}

// --- themes ----------------------------------------------------------------

grpc::Status QaServiceImpl::CreateTheme(grpc::ServerContext* context,
                                        const v1::CreateThemeRequest* request,
                                        v1::CreateThemeResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<Theme> theme = ThemeFromProto(request->theme());
  if (!theme.ok()) return ToGrpcStatus(theme.status());
  if (std::optional<RecordError> error = ValidateTheme(*theme)) {
    return ToGrpcStatus(Invalid("theme", *error));
  }
  absl::StatusOr<bool> duplicate =
      StoreOne(who->authority, *theme, &QaStore::InsertThemes,
               absl::StrCat("theme.theme_id: ", kThemeConflict));
  if (!duplicate.ok()) return ToGrpcStatus(duplicate.status());
  ToProto(*theme, response->mutable_theme());
  response->set_duplicate(*duplicate);
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::ListThemes(grpc::ServerContext* context,
                                       const v1::ListThemesRequest* request,
                                       v1::ListThemesResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::optional<absl::CivilDay>> active_on =
      OptionalDate(request->has_active_on(), request->active_on(), "active_on");
  if (!active_on.ok()) return ToGrpcStatus(active_on.status());
  absl::StatusOr<std::vector<Theme>> themes =
      store_->ListThemes(who->authority, *active_on);
  if (!themes.ok()) return ToGrpcStatus(themes.status());
  for (const Theme& t : *themes) ToProto(t, response->add_themes());
  return grpc::Status::OK;
}

// --- audits ----------------------------------------------------------------

// A THEMED audit whose theme_id names no stored theme, and a DIP_SAMPLE
// audit whose sample_id names no stored sample, are accepted: audits are
// often recorded (or imported from the QA spreadsheet) before the theme is
// set up here, and the figures count a themed audit under its theme_id
// whether or not the theme is known. The theme's dates only decide the
// default period of GetQaFigures.
grpc::Status QaServiceImpl::CreateAudit(grpc::ServerContext* context,
                                        const v1::CreateAuditRequest* request,
                                        v1::CreateAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<qa::Audit> audit = AuditFromProto(request->audit());
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  if (std::optional<RecordError> error = ValidateAudit(*audit, Today())) {
    return ToGrpcStatus(Invalid("audit", *error));
  }
  absl::StatusOr<bool> duplicate =
      StoreOne(who->authority, *audit, &QaStore::InsertAudits,
               absl::StrCat("audit.audit_id: ", kAuditConflict));
  if (!duplicate.ok()) return ToGrpcStatus(duplicate.status());
  ToProto(*audit, who->authority, response->mutable_audit());
  response->set_duplicate(*duplicate);
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::ModerateAudit(
    grpc::ServerContext* context, const v1::ModerateAuditRequest* request,
    v1::ModerateAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->audit_id().empty()) {
    return ToGrpcStatus(Required("", "audit_id"));
  }
  std::optional<Grade> grade = FromProtoGrade(request->moderated_grade());
  if (!grade) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "moderated_grade: required, GRADE_OUTSTANDING (1) to "
        "GRADE_INADEQUATE (4)"));
  }
  if (request->moderator().empty()) {
    return ToGrpcStatus(Required("", "moderator"));
  }
  const absl::CivilDay today = Today();
  absl::StatusOr<Updated<qa::Audit>> updated = store_->UpdateAudit(
      who->authority, request->audit_id(), [&](qa::Audit& a) -> absl::Status {
        a.moderated_grade = *grade;
        a.moderator = request->moderator();
        if (std::optional<RecordError> error = ValidateAudit(a, today)) {
          if (error->field == "moderator" ||
              error->field == "moderated_grade") {
            return Invalid("", *error);
          }
          return Invalid("audit", *error);
        }
        return absl::OkStatus();
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  PublishGeneration(who->authority, updated->generation);
  // The answer carries the whole audit (the child, the findings), which
  // the caller may not have had: audited as a read.
  absl::Status audited =
      AuditRead(*who, "ModerateAudit", "", {updated->record.child_id},
                {updated->record.audit_id});
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(updated->record, who->authority, response->mutable_audit());
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::GetAudit(grpc::ServerContext* context,
                                     const v1::GetAuditRequest* request,
                                     v1::GetAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->audit_id().empty()) {
    return ToGrpcStatus(Required("", "audit_id"));
  }
  absl::StatusOr<qa::Audit> audit =
      store_->GetAudit(who->authority, request->audit_id());
  if (!audit.ok()) return ToGrpcStatus(audit.status());
  absl::Status audited =
      AuditRead(*who, "GetAudit", "", {audit->child_id}, {audit->audit_id});
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(*audit, who->authority, response->mutable_audit());
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::ListAudits(grpc::ServerContext* context,
                                       const v1::ListAuditsRequest* request,
                                       v1::ListAuditsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  AuditFilter filter;
  absl::StatusOr<std::optional<absl::CivilDay>> from =
      OptionalDate(request->has_from(), request->from(), "from");
  if (!from.ok()) return ToGrpcStatus(from.status());
  absl::StatusOr<std::optional<absl::CivilDay>> to =
      OptionalDate(request->has_to(), request->to(), "to");
  if (!to.ok()) return ToGrpcStatus(to.status());
  if (*from && *to && **from > **to) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("from: must not be after 'to'"));
  }
  filter.from = *from;
  filter.to = *to;
  filter.team = request->team();
  filter.theme_id = request->theme_id();
  if (request->type() != v1::AUDIT_TYPE_UNSPECIFIED) {
    filter.type = FromProto(request->type());
    if (!filter.type) {
      return ToGrpcStatus(absl::InvalidArgumentError("type: unknown value"));
    }
  }
  filter.child_id = request->child_id();
  filter.sample_id = request->sample_id();
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<qa::Audit>> audits =
      store_->ListAudits(who->authority, filter, *offset, *page_size + 1);
  if (!audits.ok()) return ToGrpcStatus(audits.status());
  const bool more = static_cast<int>(audits->size()) > *page_size;
  if (more) audits->resize(*page_size);
  std::vector<std::string> children, records;
  // Asking after one child is a read about that child even when nothing
  // is found.
  if (!filter.child_id.empty()) children.push_back(filter.child_id);
  for (const qa::Audit& a : *audits) {
    children.push_back(a.child_id);
    records.push_back(a.audit_id);
  }
  absl::Status audited = AuditRead(
      *who, "ListAudits",
      absl::StrCat(
          "from=", QueryDate(filter.from), " to=", QueryDate(filter.to),
          " team=", QueryValue(filter.team),
          " theme_id=", QueryValue(filter.theme_id),
          " type=", filter.type ? AuditTypeName(*filter.type) : "",
          " child_id=", filter.child_id.empty() ? "" : "(given)",
          " sample_id=", QueryValue(filter.sample_id), " offset=", *offset),
      Distinct(std::move(children)), std::move(records));
  if (!audited.ok()) return ToGrpcStatus(audited);
  for (const qa::Audit& a : *audits) {
    ToProto(a, who->authority, response->add_audits());
  }
  if (more) {
    response->set_next_page_token(
        EncodePageToken(*offset + *page_size, fingerprint));
  }
  return grpc::Status::OK;
}

// --- feedback --------------------------------------------------------------

grpc::Status QaServiceImpl::CreateFeedback(
    grpc::ServerContext* context, const v1::CreateFeedbackRequest* request,
    v1::CreateFeedbackResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<Feedback> feedback = FeedbackFromProto(request->feedback());
  if (!feedback.ok()) return ToGrpcStatus(feedback.status());
  if (std::optional<RecordError> error = ValidateFeedback(*feedback, Today())) {
    return ToGrpcStatus(Invalid("feedback", *error));
  }
  absl::StatusOr<bool> duplicate =
      StoreOne(who->authority, *feedback, &QaStore::InsertFeedback,
               absl::StrCat("feedback.feedback_id: ", kFeedbackConflict));
  if (!duplicate.ok()) return ToGrpcStatus(duplicate.status());
  ToProto(*feedback, response->mutable_feedback());
  response->set_duplicate(*duplicate);
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::ListFeedback(grpc::ServerContext* context,
                                         const v1::ListFeedbackRequest* request,
                                         v1::ListFeedbackResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  FeedbackFilter filter;
  absl::StatusOr<std::optional<absl::CivilDay>> from =
      OptionalDate(request->has_from(), request->from(), "from");
  if (!from.ok()) return ToGrpcStatus(from.status());
  absl::StatusOr<std::optional<absl::CivilDay>> to =
      OptionalDate(request->has_to(), request->to(), "to");
  if (!to.ok()) return ToGrpcStatus(to.status());
  if (*from && *to && **from > **to) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("from: must not be after 'to'"));
  }
  filter.from = *from;
  filter.to = *to;
  if (request->source() != v1::FEEDBACK_SOURCE_UNSPECIFIED) {
    filter.source = FromProto(request->source());
    if (!filter.source) {
      return ToGrpcStatus(absl::InvalidArgumentError("source: unknown value"));
    }
  }
  filter.team = request->team();
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<Feedback>> feedback =
      store_->ListFeedback(who->authority, filter, *offset, *page_size + 1);
  if (!feedback.ok()) return ToGrpcStatus(feedback.status());
  const bool more = static_cast<int>(feedback->size()) > *page_size;
  if (more) feedback->resize(*page_size);
  for (const Feedback& f : *feedback) ToProto(f, response->add_feedback());
  if (more) {
    response->set_next_page_token(
        EncodePageToken(*offset + *page_size, fingerprint));
  }
  return grpc::Status::OK;
}

// --- actions ---------------------------------------------------------------

grpc::Status QaServiceImpl::CreateAction(grpc::ServerContext* context,
                                         const v1::CreateActionRequest* request,
                                         v1::CreateActionResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<Action> action = ActionFromProto(request->action());
  if (!action.ok()) return ToGrpcStatus(action.status());
  if (std::optional<RecordError> error = ValidateAction(*action, Today())) {
    return ToGrpcStatus(Invalid("action", *error));
  }
  absl::StatusOr<bool> duplicate =
      StoreOne(who->authority, *action, &QaStore::InsertActions,
               absl::StrCat("action.action_id: ", kActionConflict));
  if (!duplicate.ok()) return ToGrpcStatus(duplicate.status());
  ToProto(*action, response->mutable_action());
  response->set_duplicate(*duplicate);
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::CompleteAction(
    grpc::ServerContext* context, const v1::CompleteActionRequest* request,
    v1::CompleteActionResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->action_id().empty()) {
    return ToGrpcStatus(Required("", "action_id"));
  }
  absl::StatusOr<absl::CivilDay> completed =
      RequiredDate(request->has_completed_date(), request->completed_date(), "",
                   "completed_date");
  if (!completed.ok()) return ToGrpcStatus(completed.status());
  const absl::CivilDay today = Today();
  if (*completed > today) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("completed_date: must not be after today (",
                     FormatIsoDate(today), ", the authority's local date)")));
  }
  absl::StatusOr<Updated<Action>> updated = store_->UpdateAction(
      who->authority, request->action_id(), [&](Action& a) -> absl::Status {
        if (a.raised_on && *completed < *a.raised_on) {
          return absl::InvalidArgumentError(
              absl::StrCat("completed_date: must not be before the day the "
                           "action was raised (",
                           FormatIsoDate(*a.raised_on), ")"));
        }
        a.completed_date = *completed;
        if (std::optional<RecordError> error = ValidateAction(a, today)) {
          if (error->field == "completed_date") return Invalid("", *error);
          return Invalid("action", *error);
        }
        return absl::OkStatus();
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  PublishGeneration(who->authority, updated->generation);
  ToProto(updated->record, response->mutable_action());
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::ListActions(grpc::ServerContext* context,
                                        const v1::ListActionsRequest* request,
                                        v1::ListActionsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  ActionFilter filter;
  std::optional<ActionState> state = FromProto(request->state());
  if (!state) {
    return ToGrpcStatus(absl::InvalidArgumentError("state: unknown value"));
  }
  filter.state = *state;
  absl::StatusOr<absl::CivilDay> state_on =
      DateOr(request->has_state_on(), request->state_on(), "state_on", Today());
  if (!state_on.ok()) return ToGrpcStatus(state_on.status());
  filter.state_on = *state_on;
  filter.owner = request->owner();
  filter.origin_ref = request->origin_ref();
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  // The default date is part of the filter a token is bound to.
  v1::ListActionsRequest bound = *request;
  *bound.mutable_state_on() = ToProtoDate(*state_on);
  const uint64_t fingerprint = FilterFingerprint(bound);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<Action>> actions =
      store_->ListActions(who->authority, filter, *offset, *page_size + 1);
  if (!actions.ok()) return ToGrpcStatus(actions.status());
  const bool more = static_cast<int>(actions->size()) > *page_size;
  if (more) actions->resize(*page_size);
  for (const Action& a : *actions) ToProto(a, response->add_actions());
  if (more) {
    response->set_next_page_token(
        EncodePageToken(*offset + *page_size, fingerprint));
  }
  return grpc::Status::OK;
}

// --- imports ---------------------------------------------------------------

template <typename Parsed, typename Request, typename Parse, typename KeyOf,
          typename Insert>
grpc::Status QaServiceImpl::RunImport(
    grpc::ServerContext* context, grpc::ServerReader<Request>* reader,
    const FeedSchema& schema, Parse parse, absl::string_view key_column,
    KeyOf key_of, Insert insert, absl::string_view conflict_field,
    absl::string_view conflict_reason, absl::string_view feed,
    sgm::feed::v1::ImportSummary* summary) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  const absl::CivilDay today = Today();
  const std::string authority = who->authority;
  return ServeKeyedFeedImport<Parsed>(
      context, reader, schema,
      [&](const FeedRecord& r) { return parse(r, today); }, key_column, key_of,
      [&](const std::vector<Parsed>& values)
          -> absl::StatusOr<std::vector<Verdict>> {
        SGM_ASSIGN_OR_RETURN(WriteResult result,
                             (store_->*insert)(authority, values));
        PublishGeneration(authority, result.generation);
        return Verdicts(result, conflict_field, conflict_reason);
      },
      feed, options_.import_batch_size, options_.max_rejections_listed,
      summary);
}

grpc::Status QaServiceImpl::ImportAudits(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportAuditsRequest>* reader,
    v1::ImportAuditsResponse* response) {
  return RunImport<qa::Audit>(
      context, reader, AuditFeedSchema(), ParseAuditRecord, "audit_id",
      [](const qa::Audit& a) { return a.audit_id; }, &QaStore::InsertAudits,
      "audit_id", kAuditConflict, "audits", response->mutable_summary());
}

grpc::Status QaServiceImpl::ImportFeedback(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportFeedbackRequest>* reader,
    v1::ImportFeedbackResponse* response) {
  return RunImport<Feedback>(
      context, reader, FeedbackFeedSchema(), ParseFeedbackRecord, "feedback_id",
      [](const Feedback& f) { return f.feedback_id; }, &QaStore::InsertFeedback,
      "feedback_id", kFeedbackConflict, "feedback",
      response->mutable_summary());
}

grpc::Status QaServiceImpl::ImportActions(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportActionsRequest>* reader,
    v1::ImportActionsResponse* response) {
  return RunImport<Action>(
      context, reader, ActionFeedSchema(), ParseActionRecord, "action_id",
      [](const Action& a) { return a.action_id; }, &QaStore::InsertActions,
      "action_id", kActionConflict, "actions", response->mutable_summary());
}

// --- dip samples -----------------------------------------------------------

grpc::Status QaServiceImpl::CreateDipSample(
    grpc::ServerContext* context, const v1::CreateDipSampleRequest* request,
    v1::CreateDipSampleResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  const v1::DipSample& in = request->sample();
  DipSample sample;
  sample.sample_id = in.sample_id();
  if (sample.sample_id.empty()) {
    return ToGrpcStatus(Required("sample", "sample_id"));
  }
  if (!IsId(sample.sample_id)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "sample.sample_id: 1 to 64 of letters, digits, - _ . / :"));
  }
  std::optional<DipSampleCriterion> criterion = FromProto(in.criterion());
  if (!criterion) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "sample.criterion: required, one of the DIP_SAMPLE_CRITERION_ values"));
  }
  sample.criterion = *criterion;
  if (in.sample_size() < 1 || in.sample_size() > kMaxSampleSize) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("sample.sample_size: required, 1 to ", kMaxSampleSize)));
  }
  sample.sample_size = in.sample_size();
  sample.seed = in.seed();
  sample.theme_id = in.theme_id();
  if (!sample.theme_id.empty() && !IsId(sample.theme_id)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "sample.theme_id: 1 to 64 of letters, digits, - _ . / :, or empty"));
  }
  const absl::CivilDay today = Today();
  const bool as_of_given = HasDate(in.has_as_of(), in.as_of());
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(in.has_as_of(), in.as_of(), "sample.as_of", today);
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  if (*as_of > today) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("sample.as_of: must not be after today (",
                     FormatIsoDate(today), ", the authority's local date)")));
  }
  sample.as_of = *as_of;
  const std::string& authority = who->authority;

  // A re-send is answered from the store, without asking the KPI service
  // again. A re-send without as_of asks for the stored sample whatever day
  // it was drawn on (a retry may cross midnight).
  std::optional<DipSampleRecord> stored;
  absl::StatusOr<DipSampleRecord> existing =
      store_->GetDipSample(authority, sample.sample_id);
  if (existing.ok()) {
    stored = *std::move(existing);
  } else if (existing.status().code() != absl::StatusCode::kNotFound) {
    return ToGrpcStatus(existing.status());
  }
  if (stored) {
    if (!as_of_given) sample.as_of = stored->sample.as_of;
    if (!stored->sample.SameRequest(sample)) {
      return ToGrpcStatus(absl::AlreadyExistsError(
          absl::StrCat("sample.sample_id: ", kSampleConflict)));
    }
    response->set_duplicate(true);
  } else {
    absl::StatusOr<DrawnCases> drawn =
        samples_->Draw(authority, sample.criterion, sample.as_of,
                       sample.sample_size, sample.seed);
    if (!drawn.ok()) {
      LogWarn("dip_sample_not_drawn",
              {{"code", absl::StatusCodeToString(drawn.status().code())}});
      if (drawn.status().code() == absl::StatusCode::kInvalidArgument) {
        return ToGrpcStatus(drawn.status());
      }
      return ToGrpcStatus(absl::UnavailableError(
          absl::StrCat("the dip sample could not be drawn and nothing was "
                       "stored (",
                       drawn.status().message(), "); try again later")));
    }
    sample.population = drawn->population;
    sample.cases = std::move(drawn->cases);
    sample.created_at = clock_->Now();
    sample.created_by = who->caller;
    absl::StatusOr<QaStore::SampleWrite> written =
        store_->InsertDipSample(authority, sample);
    if (!written.ok()) return ToGrpcStatus(written.status());
    PublishGeneration(authority, written->generation);
    if (written->outcome == WriteOutcome::kConflict) {
      // Another call stored a different sample under this id meanwhile.
      return ToGrpcStatus(absl::AlreadyExistsError(
          absl::StrCat("sample.sample_id: ", kSampleConflict)));
    }
    response->set_duplicate(written->outcome == WriteOutcome::kDuplicate);
    stored = std::move(written->stored);
  }
  std::vector<std::string> children, records;
  SampleReadIds(*stored, &children, &records);
  absl::Status audited = AuditRead(
      *who, "CreateDipSample",
      absl::StrCat("criterion=", v1::DipSampleCriterion_Name(in.criterion()),
                   " as_of=", FormatIsoDate(stored->sample.as_of), " size=",
                   stored->sample.sample_size, " seed=", stored->sample.seed),
      std::move(children), std::move(records));
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(*stored, /*with_cases=*/true, response->mutable_sample());
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::GetDipSample(grpc::ServerContext* context,
                                         const v1::GetDipSampleRequest* request,
                                         v1::GetDipSampleResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->sample_id().empty()) {
    return ToGrpcStatus(Required("", "sample_id"));
  }
  absl::StatusOr<DipSampleRecord> stored =
      store_->GetDipSample(who->authority, request->sample_id());
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  std::vector<std::string> children, records;
  SampleReadIds(*stored, &children, &records);
  absl::Status audited = AuditRead(*who, "GetDipSample", "",
                                   std::move(children), std::move(records));
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(*stored, /*with_cases=*/true, response->mutable_sample());
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::ListDipSamples(
    grpc::ServerContext* context, const v1::ListDipSamplesRequest* request,
    v1::ListDipSamplesResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<DipSampleRecord>> samples =
      store_->ListDipSamples(who->authority, *offset, *page_size + 1);
  if (!samples.ok()) return ToGrpcStatus(samples.status());
  const bool more = static_cast<int>(samples->size()) > *page_size;
  if (more) samples->resize(*page_size);
  for (const DipSampleRecord& r : *samples) {
    ToProto(r, /*with_cases=*/false, response->add_samples());
  }
  if (more) {
    response->set_next_page_token(
        EncodePageToken(*offset + *page_size, fingerprint));
  }
  return grpc::Status::OK;
}

// --- figures ---------------------------------------------------------------

grpc::Status QaServiceImpl::GetQaFigures(grpc::ServerContext* context,
                                         const v1::GetQaFiguresRequest* request,
                                         v1::GetQaFiguresResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  const std::string& authority = who->authority;
  absl::StatusOr<std::optional<absl::CivilDay>> from =
      OptionalDate(request->has_from(), request->from(), "from");
  if (!from.ok()) return ToGrpcStatus(from.status());
  absl::StatusOr<std::optional<absl::CivilDay>> to =
      OptionalDate(request->has_to(), request->to(), "to");
  if (!to.ok()) return ToGrpcStatus(to.status());
  QaPeriod period;
  period.team = request->team();
  period.theme_id = request->theme_id();
  if (!period.theme_id.empty()) {
    // The theme's days are the default period (NOT_FOUND: no such theme).
    absl::StatusOr<Theme> theme = store_->GetTheme(authority, period.theme_id);
    if (!theme.ok()) return ToGrpcStatus(theme.status());
    period.from = from->value_or(theme->start_date);
    period.to = to->value_or(theme->end_date);
  } else {
    period.to = to->value_or(Today());
    period.from =
        from->value_or(absl::CivilDay(period.to.year(), period.to.month(), 1));
  }
  if (period.to < period.from) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("to: must not be before from (", FormatIsoDate(period.to),
                     " is before ", FormatIsoDate(period.from), ")")));
  }
  if (period.to >= AddMonthsClamped(period.from, kMaxPeriodMonths)) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("to: the period may be at most 5 years"));
  }
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  ContentFingerprint filters;
  filters.Add(period.team).Add(period.theme_id);
  const std::string key = absl::StrCat(
      "figures:v1:", FormatIsoDate(period.from), ":", FormatIsoDate(period.to),
      ":", absl::Hex(filters.value()), ":", SettingsKey());
  v1::QaFigures* figures = response->mutable_figures();
  std::optional<std::string> cached =
      cache_->Get(authority, kService, *generation, key);
  if (cached && figures->ParseFromString(*cached)) return grpc::Status::OK;
  figures->Clear();
  absl::StatusOr<QaStore::Snapshot> snapshot = store_->LoadAll(authority);
  if (!snapshot.ok()) return ToGrpcStatus(snapshot.status());
  absl::StatusOr<QaFigureSet> computed =
      ComputeQaFigures(snapshot->data, period);
  if (!computed.ok()) return ToGrpcStatus(computed.status());
  ToProto(*computed, figures);
  cache_->Put(authority, kService, snapshot->generation, key,
              figures->SerializeAsString());
  // A write made while Redis was unreachable could not publish its
  // generation; publishing again here (it only ever rises) heals that.
  PublishGeneration(authority, snapshot->generation);
  return grpc::Status::OK;
}

grpc::Status QaServiceImpl::GetQaTrend(grpc::ServerContext* context,
                                       const v1::GetQaTrendRequest* request,
                                       v1::GetQaTrendResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilMonth> from =
      RequiredMonth(request->has_from(), request->from(), "from");
  if (!from.ok()) return ToGrpcStatus(from.status());
  absl::StatusOr<absl::CivilMonth> to =
      RequiredMonth(request->has_to(), request->to(), "to");
  if (!to.ok()) return ToGrpcStatus(to.status());
  if (*from > *to) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("from: must not be after 'to'"));
  }
  if (*to - *from + 1 > kMaxTrendMonths) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("to: at most ", kMaxTrendMonths, " months after from")));
  }
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key = absl::StrCat("trend:v1:", FormatIsoMonth(*from), ":",
                                       FormatIsoMonth(*to), ":", SettingsKey());
  std::optional<std::string> cached =
      cache_->Get(authority, kService, *generation, key);
  if (cached && response->ParseFromString(*cached)) return grpc::Status::OK;
  response->Clear();
  absl::StatusOr<QaStore::Snapshot> snapshot = store_->LoadAll(authority);
  if (!snapshot.ok()) return ToGrpcStatus(snapshot.status());
  for (const QaTrendPoint& p : ComputeQaTrend(snapshot->data, *from, *to)) {
    ToProto(p, response->add_points());
  }
  cache_->Put(authority, kService, snapshot->generation, key,
              response->SerializeAsString());
  PublishGeneration(authority, snapshot->generation);
  return grpc::Status::OK;
}

// --- read audit ------------------------------------------------------------

grpc::Status QaServiceImpl::ListReadAudit(
    grpc::ServerContext* context, const v1::ListReadAuditRequest* request,
    v1::ListReadAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  return ToGrpcStatus(ServeReadAuditPage<QaReadAudit>(
      *who, *request, kMethodPrefix,
      [&](const ReadAuditQuery& query) {
        return store_->ListReadAudit(who->authority, query);
      },
      // Reading the log is itself a read (no ids).
      [&] { return AuditRead(*who, "ListReadAudit", "", {}, {}); },
      [](const QaReadAudit& e, sgm::audit::v1::ReadAuditEntry* out) {
        for (const std::string& id : e.child_ids) out->add_child_ids(id);
        for (const std::string& id : e.record_ids) out->add_record_ids(id);
        out->set_query(e.query);
      },
      response));
}

}  // namespace sgm::qa
