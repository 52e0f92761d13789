#include "services/workforce/workforce_service.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/civil_date.h"
#include "common/feed_import.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/read_audit_proto.h"
#include "common/status_macros.h"
#include "common/store_generation.h"
#include "services/workforce/workforce_feed_parser.h"

namespace sgm::workforce {
namespace {

constexpr char kService[] = "workforce";
constexpr char kMethodPrefix[] = "/sgm.workforce.v1.WorkforceService/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr int kMaxTrendMonths = 60;

constexpr absl::string_view kStaffConflict =
    "staff_id already exists with different content";
constexpr absl::string_view kAbsenceConflict =
    "an episode with this staff_id, reason and start_date was already "
    "recorded with different content; nothing changed";
constexpr absl::string_view kEstablishmentConflict =
    "a different fte was already recorded for this post and effective_from; "
    "nothing changed";
constexpr absl::string_view kUnknownStaff = "unknown staff_id";

absl::StatusOr<CallerIdentity> Caller(const grpc::ServerContext* context) {
  return IdentityFromMetadata(context->client_metadata());
}

// --- proto <-> domain ------------------------------------------------------

v1::Employment ToProto(Employment e) {
  switch (e) {
    case Employment::kPermanent:
      return v1::EMPLOYMENT_PERMANENT;
    case Employment::kFixedTerm:
      return v1::EMPLOYMENT_FIXED_TERM;
    case Employment::kAgency:
      return v1::EMPLOYMENT_AGENCY;
  }
  return v1::EMPLOYMENT_UNSPECIFIED;
}

std::optional<Employment> FromProto(v1::Employment e) {
  switch (e) {
    case v1::EMPLOYMENT_PERMANENT:
      return Employment::kPermanent;
    case v1::EMPLOYMENT_FIXED_TERM:
      return Employment::kFixedTerm;
    case v1::EMPLOYMENT_AGENCY:
      return Employment::kAgency;
    default:
      return std::nullopt;
  }
}

v1::AbsenceReason ToProto(AbsenceReason r) {
  switch (r) {
    case AbsenceReason::kMat:
      return v1::ABSENCE_REASON_MAT;
    case AbsenceReason::kSic:
      return v1::ABSENCE_REASON_SIC;
    case AbsenceReason::kTrn:
      return v1::ABSENCE_REASON_TRN;
    case AbsenceReason::kOth:
      return v1::ABSENCE_REASON_OTH;
    case AbsenceReason::kPub:
      return v1::ABSENCE_REASON_PUB;
    case AbsenceReason::kUna:
      return v1::ABSENCE_REASON_UNA;
    case AbsenceReason::kUnp:
      return v1::ABSENCE_REASON_UNP;
  }
  return v1::ABSENCE_REASON_UNSPECIFIED;
}

std::optional<AbsenceReason> FromProto(v1::AbsenceReason r) {
  switch (r) {
    case v1::ABSENCE_REASON_MAT:
      return AbsenceReason::kMat;
    case v1::ABSENCE_REASON_SIC:
      return AbsenceReason::kSic;
    case v1::ABSENCE_REASON_TRN:
      return AbsenceReason::kTrn;
    case v1::ABSENCE_REASON_OTH:
      return AbsenceReason::kOth;
    case v1::ABSENCE_REASON_PUB:
      return AbsenceReason::kPub;
    case v1::ABSENCE_REASON_UNA:
      return AbsenceReason::kUna;
    case v1::ABSENCE_REASON_UNP:
      return AbsenceReason::kUnp;
    default:
      return std::nullopt;
  }
}

double FteOf(MilliFte fte) { return static_cast<double>(fte) / 1000.0; }

// An FTE from a request in thousandths; INVALID_ARGUMENT naming `field`
// when it has more than three decimals or is out of any sensible range.
absl::StatusOr<MilliFte> MilliFteFrom(double fte, absl::string_view field) {
  if (!std::isfinite(fte) || fte < 0 || fte > 1e6) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be a number of 0 or more"));
  }
  const double thousandths = fte * 1000.0;
  const double rounded = std::round(thousandths);
  if (std::fabs(thousandths - rounded) > 1e-6) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most 3 decimals"));
  }
  return static_cast<MilliFte>(rounded);
}

void ToProto(const StaffMember& m, absl::string_view authority,
             v1::Staff* out) {
  out->set_staff_id(m.staff_id);
  out->set_authority(std::string(authority));
  out->set_role(m.role);
  out->set_qualified(m.qualified);
  out->set_service_area(m.service_area);
  out->set_team(m.team);
  out->set_employment(ToProto(m.employment));
  out->set_fte(FteOf(m.fte));
  *out->mutable_start_date() = ToProtoDate(m.start_date);
  if (m.end_date) *out->mutable_end_date() = ToProtoDate(*m.end_date);
  out->set_annual_cost_pence(m.annual_cost_pence);
}

void ToProto(const AbsenceEpisode& a, v1::Absence* out) {
  out->set_staff_id(a.staff_id);
  out->set_reason(ToProto(a.reason));
  *out->mutable_start_date() = ToProtoDate(a.start_date);
  if (a.end_date) *out->mutable_end_date() = ToProtoDate(*a.end_date);
  out->set_days_lost(a.days_lost);
}

void ToProto(const EstablishmentRow& row, v1::EstablishmentPost* out) {
  out->set_service_area(row.service_area);
  out->set_team(row.team);
  out->set_role(row.role);
  out->set_fte(FteOf(row.fte));
  if (row.effective_from) {
    *out->mutable_effective_from() = ToProtoDate(*row.effective_from);
  }
}

absl::Status Required(absl::string_view prefix, absl::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat(prefix, ".", field, ": required"));
}

// A rule of the feed broken by a request: INVALID_ARGUMENT naming
// `prefix`.field.
absl::Status Invalid(absl::string_view prefix, const RecordError& error) {
  return absl::InvalidArgumentError(absl::StrCat(
      prefix, error.field.empty() ? "" : ".", error.field, ": ", error.reason));
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

// The staff record in a request, fields converted; the feed's rules are
// checked by the caller (ValidateStaff).
absl::StatusOr<StaffMember> StaffFromProto(const v1::Staff& in) {
  constexpr absl::string_view p = "staff";
  StaffMember m;
  m.staff_id = in.staff_id();
  if (m.staff_id.empty()) return Required(p, "staff_id");
  m.role = in.role();
  if (m.role.empty()) return Required(p, "role");
  m.qualified = in.qualified();
  m.service_area = in.service_area();
  if (m.service_area.empty()) return Required(p, "service_area");
  m.team = in.team();
  std::optional<Employment> employment = FromProto(in.employment());
  if (!employment) return Required(p, "employment");
  m.employment = *employment;
  SGM_ASSIGN_OR_RETURN(m.fte, MilliFteFrom(in.fte(), "staff.fte"));
  if (!HasDate(in.has_start_date(), in.start_date())) {
    return Required(p, "start_date");
  }
  SGM_ASSIGN_OR_RETURN(m.start_date,
                       FromProtoDate(in.start_date(), "staff.start_date"));
  SGM_ASSIGN_OR_RETURN(
      m.end_date,
      OptionalDate(in.has_end_date(), in.end_date(), "staff.end_date"));
  m.annual_cost_pence = in.annual_cost_pence();
  return m;
}

absl::StatusOr<AbsenceEpisode> AbsenceFromProto(const v1::Absence& in) {
  constexpr absl::string_view p = "absence";
  AbsenceEpisode a;
  a.staff_id = in.staff_id();
  if (a.staff_id.empty()) return Required(p, "staff_id");
  std::optional<AbsenceReason> reason = FromProto(in.reason());
  if (!reason) return Required(p, "reason");
  a.reason = *reason;
  if (!HasDate(in.has_start_date(), in.start_date())) {
    return Required(p, "start_date");
  }
  SGM_ASSIGN_OR_RETURN(a.start_date,
                       FromProtoDate(in.start_date(), "absence.start_date"));
  SGM_ASSIGN_OR_RETURN(
      a.end_date,
      OptionalDate(in.has_end_date(), in.end_date(), "absence.end_date"));
  if (!std::isfinite(in.days_lost())) {
    return absl::InvalidArgumentError("absence.days_lost: must be a number");
  }
  a.days_lost = in.days_lost();
  return a;
}

absl::StatusOr<EstablishmentRow> EstablishmentFromProto(
    const v1::EstablishmentPost& in) {
  constexpr absl::string_view p = "post";
  EstablishmentRow row;
  row.service_area = in.service_area();
  if (row.service_area.empty()) return Required(p, "service_area");
  row.team = in.team();
  row.role = in.role();
  if (row.role.empty()) return Required(p, "role");
  SGM_ASSIGN_OR_RETURN(row.fte, MilliFteFrom(in.fte(), "post.fte"));
  SGM_ASSIGN_OR_RETURN(row.effective_from, OptionalDate(in.has_effective_from(),
                                                        in.effective_from(),
                                                        "post.effective_from"));
  return row;
}

void ToProto(const Staffing& s, v1::StaffingFigures* out) {
  out->set_service_area(s.service_area);
  out->set_headcount(s.headcount);
  out->set_fte_in_post(FteOf(s.fte_in_post));
  out->set_social_worker_fte(FteOf(s.social_worker_fte));
  out->set_maternity_fte(FteOf(s.maternity_fte));
  out->set_agency_fte(FteOf(s.agency_fte));
  out->set_long_term_absence_fte(FteOf(s.long_term_absence_fte));
  out->set_establishment_fte(FteOf(s.establishment_fte));
  out->set_employed_fte(FteOf(s.employed_fte));
  if (s.vacancy_rate_percent) {
    out->set_vacancy_rate_percent(*s.vacancy_rate_percent);
  }
  if (s.agency_share_percent) {
    out->set_agency_share_percent(*s.agency_share_percent);
  }
  out->set_leavers_12m(s.leavers_12m);
  out->set_average_headcount_12m(s.average_headcount_12m);
  if (s.turnover_percent) out->set_turnover_percent(*s.turnover_percent);
  out->set_absence_days_lost_12m(s.absence_days_lost_12m);
  out->set_average_employed_fte_12m(s.average_employed_fte_12m);
  if (s.absence_days_per_fte) {
    out->set_absence_days_per_fte(*s.absence_days_per_fte);
  }
}

void ToProto(const Costs& c, v1::CostFigures* out) {
  out->set_financial_year(c.financial_year);
  out->set_service_area(c.service_area);
  out->set_total_cost_pence(c.total_cost_pence);
  out->set_social_worker_cost_pence(c.social_worker_cost_pence);
  out->set_agency_cost_pence(c.agency_cost_pence);
  out->set_agency_premium_pence(c.agency_premium_pence);
  out->set_agency_without_comparator(c.agency_without_comparator);
}

void ToProto(const CaseloadGroup& g, v1::CaseloadFigures* out) {
  out->set_group(g.group);
  out->set_case_holding_workers(g.case_holding_workers);
  out->set_open_cases(g.open_cases);
  if (g.mean_caseload) out->set_mean_caseload(*g.mean_caseload);
  if (g.median_caseload) out->set_median_caseload(*g.median_caseload);
  for (const auto& [band, workers] : g.bands) {
    v1::CaseloadBand* b = out->add_bands();
    b->set_band(band);
    b->set_workers(workers);
  }
  out->set_over_threshold(g.over_threshold);
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

// The position a List request starts at.
absl::StatusOr<int64_t> StartOf(const std::string& token,
                                uint64_t fingerprint) {
  if (token.empty()) return 0;
  return DecodePageToken(token, fingerprint);
}

std::string AbsenceKey(const AbsenceEpisode& a) {
  return absl::StrCat(a.staff_id, "/", AbsenceReasonName(a.reason), "/",
                      FormatIsoDate(a.start_date));
}

std::string EstablishmentKey(const EstablishmentRow& row) {
  return absl::StrCat(
      row.service_area, "/", row.team, "/", row.role, "/",
      row.effective_from ? FormatIsoDate(*row.effective_from) : std::string());
}

// Store outcomes -> import verdicts.
std::vector<Verdict> Verdicts(const WriteResult& result,
                              absl::string_view conflict_field,
                              absl::string_view conflict_reason) {
  std::vector<Verdict> verdicts;
  verdicts.reserve(result.outcomes.size());
  for (WriteOutcome outcome : result.outcomes) {
    switch (outcome) {
      case WriteOutcome::kAccepted:
        verdicts.push_back({Verdict::kAccepted, "", ""});
        break;
      case WriteOutcome::kDuplicate:
        verdicts.push_back({Verdict::kDuplicate, "", ""});
        break;
      case WriteOutcome::kConflict:
        verdicts.push_back({Verdict::kRejected, std::string(conflict_field),
                            std::string(conflict_reason)});
        break;
      case WriteOutcome::kUnknownStaff:
        verdicts.push_back(
            {Verdict::kRejected, "staff_id", std::string(kUnknownStaff)});
        break;
    }
  }
  return verdicts;
}

// The fields UpdateStaff may change.
constexpr absl::string_view kUpdatable[] = {
    "role",       "qualified", "service_area",     "team", "employment", "fte",
    "start_date", "end_date",  "annual_cost_pence"};

}  // namespace

WorkforceServiceImpl::WorkforceServiceImpl(
    WorkforceStore* store, CaseloadSource* caseloads, AggregateCache* cache,
    const Clock* clock, const WorkingDayCalendar* calendar, absl::TimeZone zone,
    WorkforceSettings settings, Options options)
    : store_(store),
      caseloads_(caseloads),
      cache_(cache),
      clock_(clock),
      calendar_(calendar),
      zone_(zone),
      settings_(std::move(settings)),
      options_(options) {}

absl::CivilDay WorkforceServiceImpl::Today() const {
  return absl::ToCivilDay(clock_->Now(), zone_);
}

std::string WorkforceServiceImpl::SettingsKey() const {
  ContentFingerprint f;
  f.Add(static_cast<int64_t>(settings_.caseload_threshold));
  for (AbsenceReason r : settings_.counted_absence_reasons) {
    f.Add(AbsenceReasonName(r));
  }
  f.Add("|");
  for (const std::string& role : settings_.practitioner_roles) f.Add(role);
  return absl::StrCat(absl::Hex(calendar_->Fingerprint()), ":",
                      absl::Hex(f.value()));
}

void WorkforceServiceImpl::PublishGeneration(const std::string& authority,
                                             int64_t generation) {
  if (generation > 0)
    cache_->PublishGeneration(authority, kService, generation);
}

absl::Status WorkforceServiceImpl::Audit(const CallerIdentity& who,
                                         absl::string_view method,
                                         std::string query,
                                         std::vector<std::string> staff_ids) {
  WorkforceReadAudit entry;
  entry.at = clock_->Now();
  entry.caller = who.caller;
  entry.role = std::string(RoleName(who.role));
  entry.authority = who.authority;
  entry.method = std::string(method);
  entry.query = std::move(query);
  entry.staff_ids = std::move(staff_ids);
  absl::Status status = store_->AppendReadAudit(entry);
  if (!status.ok()) {
    // Fail closed: a staff-level read that cannot be audited is refused.
    LogError("read_audit_failed",
             {{"method", method},
              {"code", absl::StatusCodeToString(status.code())}});
    return absl::UnavailableError(
        "the read could not be written to the audit log; try again");
  }
  return absl::OkStatus();
}

// --- staff -----------------------------------------------------------------

grpc::Status WorkforceServiceImpl::CreateStaff(
    grpc::ServerContext* context, const v1::CreateStaffRequest* request,
    v1::CreateStaffResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<StaffMember> staff = StaffFromProto(request->staff());
  if (!staff.ok()) return ToGrpcStatus(staff.status());
  if (std::optional<RecordError> error = ValidateStaff(*staff, Today())) {
    return ToGrpcStatus(Invalid("staff", *error));
  }
  absl::StatusOr<WriteResult> written =
      store_->InsertStaff(who->authority, {*staff});
  if (!written.ok()) return ToGrpcStatus(written.status());
  PublishGeneration(who->authority, written->generation);
  if (written->outcomes.front() == WriteOutcome::kConflict) {
    return ToGrpcStatus(absl::AlreadyExistsError(
        absl::StrCat("staff.staff_id: ", kStaffConflict)));
  }
  ToProto(*staff, who->authority, response->mutable_staff());
  response->set_duplicate(written->outcomes.front() ==
                          WriteOutcome::kDuplicate);
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::UpdateStaff(
    grpc::ServerContext* context, const v1::UpdateStaffRequest* request,
    v1::UpdateStaffResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  const v1::Staff& in = request->staff();
  if (in.staff_id().empty()) {
    return ToGrpcStatus(Required("staff", "staff_id"));
  }
  if (request->update_mask().paths_size() == 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "update_mask: required, the fields to change"));
  }
  // Each named field converted now, so that a bad value is an error before
  // anything is read.
  std::set<std::string> paths;
  for (const std::string& path : request->update_mask().paths()) {
    if (std::find(std::begin(kUpdatable), std::end(kUpdatable), path) ==
        std::end(kUpdatable)) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "update_mask: cannot change", QuoteCode(path),
          "; the fields are role, qualified, service_area, team, employment, "
          "fte, start_date, end_date, annual_cost_pence")));
    }
    paths.insert(path);
  }
  std::optional<Employment> employment;
  if (paths.count("employment") > 0) {
    employment = FromProto(in.employment());
    if (!employment) return ToGrpcStatus(Required("staff", "employment"));
  }
  MilliFte fte = 0;
  if (paths.count("fte") > 0) {
    absl::StatusOr<MilliFte> f = MilliFteFrom(in.fte(), "staff.fte");
    if (!f.ok()) return ToGrpcStatus(f.status());
    fte = *f;
  }
  absl::CivilDay start_date;
  if (paths.count("start_date") > 0) {
    if (!HasDate(in.has_start_date(), in.start_date())) {
      return ToGrpcStatus(Required("staff", "start_date"));
    }
    absl::StatusOr<absl::CivilDay> d =
        FromProtoDate(in.start_date(), "staff.start_date");
    if (!d.ok()) return ToGrpcStatus(d.status());
    start_date = *d;
  }
  std::optional<absl::CivilDay> end_date;
  if (paths.count("end_date") > 0) {
    absl::StatusOr<std::optional<absl::CivilDay>> d =
        OptionalDate(in.has_end_date(), in.end_date(), "staff.end_date");
    if (!d.ok()) return ToGrpcStatus(d.status());
    end_date = *d;
  }
  if (paths.count("role") > 0 && in.role().empty()) {
    return ToGrpcStatus(Required("staff", "role"));
  }
  if (paths.count("service_area") > 0 && in.service_area().empty()) {
    return ToGrpcStatus(Required("staff", "service_area"));
  }
  const absl::CivilDay today = Today();
  absl::StatusOr<StaffUpdate> updated = store_->UpdateStaff(
      who->authority, in.staff_id(), [&](StaffMember& m) -> absl::Status {
        if (paths.count("role") > 0) m.role = in.role();
        if (paths.count("qualified") > 0) m.qualified = in.qualified();
        if (paths.count("service_area") > 0) {
          m.service_area = in.service_area();
        }
        if (paths.count("team") > 0) m.team = in.team();
        if (employment) m.employment = *employment;
        if (paths.count("fte") > 0) m.fte = fte;
        if (paths.count("start_date") > 0) m.start_date = start_date;
        if (paths.count("end_date") > 0) m.end_date = end_date;
        if (paths.count("annual_cost_pence") > 0) {
          m.annual_cost_pence = in.annual_cost_pence();
        }
        if (std::optional<RecordError> error = ValidateStaff(m, today)) {
          return Invalid("staff", *error);
        }
        return absl::OkStatus();
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  PublishGeneration(who->authority, updated->generation);
  ToProto(updated->staff, who->authority, response->mutable_staff());
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::EndStaff(grpc::ServerContext* context,
                                            const v1::EndStaffRequest* request,
                                            v1::EndStaffResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->staff_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("staff_id: required"));
  }
  if (!HasDate(request->has_end_date(), request->end_date())) {
    return ToGrpcStatus(absl::InvalidArgumentError("end_date: required"));
  }
  absl::StatusOr<absl::CivilDay> end =
      FromProtoDate(request->end_date(), "end_date");
  if (!end.ok()) return ToGrpcStatus(end.status());
  const absl::CivilDay today = Today();
  absl::StatusOr<StaffUpdate> updated = store_->UpdateStaff(
      who->authority, request->staff_id(), [&](StaffMember& m) -> absl::Status {
        if (*end < m.start_date) {
          return absl::InvalidArgumentError(
              "end_date: must be on or after the start date");
        }
        m.end_date = *end;
        if (std::optional<RecordError> error = ValidateStaff(m, today)) {
          if (error->field == "end_date") {
            return absl::InvalidArgumentError(
                absl::StrCat("end_date: ", error->reason));
          }
          return Invalid("staff", *error);
        }
        return absl::OkStatus();
      });
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  PublishGeneration(who->authority, updated->generation);
  ToProto(updated->staff, who->authority, response->mutable_staff());
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::GetStaff(grpc::ServerContext* context,
                                            const v1::GetStaffRequest* request,
                                            v1::GetStaffResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->staff_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("staff_id: required"));
  }
  absl::StatusOr<StaffMember> staff =
      store_->GetStaff(who->authority, request->staff_id());
  if (!staff.ok()) return ToGrpcStatus(staff.status());
  absl::Status audited = Audit(*who, "GetStaff", "", {staff->staff_id});
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(*staff, who->authority, response->mutable_staff());
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::ListStaff(
    grpc::ServerContext* context, const v1::ListStaffRequest* request,
    v1::ListStaffResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  StaffFilter filter;
  absl::StatusOr<std::optional<absl::CivilDay>> in_post = OptionalDate(
      request->has_in_post_on(), request->in_post_on(), "in_post_on");
  if (!in_post.ok()) return ToGrpcStatus(in_post.status());
  filter.in_post_on = *in_post;
  filter.service_area = request->service_area();
  filter.team = request->team();
  if (request->employment() != v1::EMPLOYMENT_UNSPECIFIED) {
    filter.employment = FromProto(request->employment());
    if (!filter.employment) {
      return ToGrpcStatus(
          absl::InvalidArgumentError("employment: unknown value"));
    }
  }
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<StaffMember>> staff =
      store_->ListStaff(who->authority, filter, *offset, *page_size + 1);
  if (!staff.ok()) return ToGrpcStatus(staff.status());
  const bool more = static_cast<int>(staff->size()) > *page_size;
  if (more) staff->resize(*page_size);
  std::vector<std::string> ids;
  for (const StaffMember& m : *staff) ids.push_back(m.staff_id);
  absl::Status audited = Audit(
      *who, "ListStaff",
      absl::StrCat("in_post_on=",
                   filter.in_post_on ? FormatIsoDate(*filter.in_post_on) : "",
                   " employment=", v1::Employment_Name(request->employment()),
                   " offset=", *offset),
      std::move(ids));
  if (!audited.ok()) return ToGrpcStatus(audited);
  for (const StaffMember& m : *staff) {
    ToProto(m, who->authority, response->add_staff());
  }
  if (more) {
    response->set_next_page_token(
        EncodePageToken(*offset + *page_size, fingerprint));
  }
  return grpc::Status::OK;
}

// --- absences and establishment ---------------------------------------------

grpc::Status WorkforceServiceImpl::RecordAbsence(
    grpc::ServerContext* context, const v1::RecordAbsenceRequest* request,
    v1::RecordAbsenceResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<AbsenceEpisode> absence = AbsenceFromProto(request->absence());
  if (!absence.ok()) return ToGrpcStatus(absence.status());
  if (std::optional<RecordError> error = ValidateAbsence(*absence, Today())) {
    return ToGrpcStatus(Invalid("absence", *error));
  }
  absl::StatusOr<WriteResult> written =
      store_->InsertAbsences(who->authority, {*absence});
  if (!written.ok()) return ToGrpcStatus(written.status());
  PublishGeneration(who->authority, written->generation);
  switch (written->outcomes.front()) {
    case WriteOutcome::kConflict:
      return ToGrpcStatus(absl::AlreadyExistsError(
          absl::StrCat("absence.start_date: ", kAbsenceConflict)));
    case WriteOutcome::kUnknownStaff:
      return ToGrpcStatus(absl::NotFoundError(
          absl::StrCat("absence.staff_id: ", kUnknownStaff)));
    default:
      break;
  }
  ToProto(*absence, response->mutable_absence());
  response->set_duplicate(written->outcomes.front() ==
                          WriteOutcome::kDuplicate);
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::ListAbsences(
    grpc::ServerContext* context, const v1::ListAbsencesRequest* request,
    v1::ListAbsencesResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  AbsenceFilter filter;
  filter.staff_id = request->staff_id();
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
  if (request->reason() != v1::ABSENCE_REASON_UNSPECIFIED) {
    filter.reason = FromProto(request->reason());
    if (!filter.reason) {
      return ToGrpcStatus(absl::InvalidArgumentError("reason: unknown value"));
    }
  }
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  absl::StatusOr<std::vector<AbsenceEpisode>> absences =
      store_->ListAbsences(who->authority, filter, *offset, *page_size + 1);
  if (!absences.ok()) return ToGrpcStatus(absences.status());
  const bool more = static_cast<int>(absences->size()) > *page_size;
  if (more) absences->resize(*page_size);
  std::vector<std::string> ids;
  for (const AbsenceEpisode& a : *absences) {
    if (ids.empty() || ids.back() != a.staff_id) ids.push_back(a.staff_id);
  }
  absl::Status audited = Audit(
      *who, "ListAbsences",
      absl::StrCat("from=", filter.from ? FormatIsoDate(*filter.from) : "",
                   " to=", filter.to ? FormatIsoDate(*filter.to) : "",
                   " reason=", v1::AbsenceReason_Name(request->reason()),
                   " offset=", *offset),
      std::move(ids));
  if (!audited.ok()) return ToGrpcStatus(audited);
  for (const AbsenceEpisode& a : *absences) {
    ToProto(a, response->add_absences());
  }
  if (more) {
    response->set_next_page_token(
        EncodePageToken(*offset + *page_size, fingerprint));
  }
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::SetEstablishment(
    grpc::ServerContext* context, const v1::SetEstablishmentRequest* request,
    v1::SetEstablishmentResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<EstablishmentRow> row =
      EstablishmentFromProto(request->post());
  if (!row.ok()) return ToGrpcStatus(row.status());
  if (std::optional<RecordError> error = ValidateEstablishment(*row, Today())) {
    return ToGrpcStatus(Invalid("post", *error));
  }
  absl::StatusOr<WriteResult> written =
      store_->InsertEstablishment(who->authority, {*row});
  if (!written.ok()) return ToGrpcStatus(written.status());
  PublishGeneration(who->authority, written->generation);
  if (written->outcomes.front() == WriteOutcome::kConflict) {
    return ToGrpcStatus(absl::AlreadyExistsError(
        absl::StrCat("post.fte: ", kEstablishmentConflict)));
  }
  ToProto(*row, response->mutable_post());
  response->set_duplicate(written->outcomes.front() ==
                          WriteOutcome::kDuplicate);
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::ListEstablishment(
    grpc::ServerContext* context, const v1::ListEstablishmentRequest* request,
    v1::ListEstablishmentResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(request->has_as_of(), request->as_of(), "as_of", Today());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  absl::StatusOr<std::vector<EstablishmentRow>> rows =
      store_->EstablishmentOn(who->authority, *as_of);
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  for (const EstablishmentRow& row : *rows) ToProto(row, response->add_posts());
  return grpc::Status::OK;
}

// --- imports -----------------------------------------------------------------

template <typename Parsed, typename Request, typename Parse, typename KeyOf,
          typename Insert>
grpc::Status WorkforceServiceImpl::RunImport(
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

grpc::Status WorkforceServiceImpl::ImportStaff(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportStaffRequest>* reader,
    v1::ImportStaffResponse* response) {
  return RunImport<StaffMember>(
      context, reader, StaffFeedSchema(), ParseStaffRecord, "staff_id",
      [](const StaffMember& m) { return m.staff_id; },
      &WorkforceStore::InsertStaff, "staff_id", kStaffConflict, "staff",
      response->mutable_summary());
}

grpc::Status WorkforceServiceImpl::ImportAbsences(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportAbsencesRequest>* reader,
    v1::ImportAbsencesResponse* response) {
  return RunImport<AbsenceEpisode>(
      context, reader, AbsenceFeedSchema(), ParseAbsenceRecord, "staff_id",
      [](const AbsenceEpisode& a) { return AbsenceKey(a); },
      &WorkforceStore::InsertAbsences, "start_date", kAbsenceConflict,
      "absences", response->mutable_summary());
}

grpc::Status WorkforceServiceImpl::ImportEstablishment(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportEstablishmentRequest>* reader,
    v1::ImportEstablishmentResponse* response) {
  return RunImport<EstablishmentRow>(
      context, reader, EstablishmentFeedSchema(), ParseEstablishmentRecord, "",
      [](const EstablishmentRow& row) { return EstablishmentKey(row); },
      &WorkforceStore::InsertEstablishment, "fte", kEstablishmentConflict,
      "establishment", response->mutable_summary());
}

// --- figures
// -------------------------------------------------------------------

grpc::Status WorkforceServiceImpl::GetWorkforceFigures(
    grpc::ServerContext* context, const v1::GetWorkforceFiguresRequest* request,
    v1::GetWorkforceFiguresResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(request->has_as_of(), request->as_of(), "as_of", Today());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  int financial_year = request->financial_year();
  if (financial_year == 0) {
    financial_year = FinancialYearOf(*as_of);
  } else if (financial_year < 1900 || financial_year > 2999) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "financial_year: the year it starts, 1900 to 2999"));
  }
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());

  // Staffing and costs come from the store alone: cached under its
  // generation. Caseloads come from the KPI service, whose writes this
  // generation does not see: never cached here (the KPI service caches its
  // own ListCaseloads under its generation).
  const std::string key = absl::StrCat("figures:v1:", FormatIsoDate(*as_of),
                                       ":", financial_year, ":", SettingsKey());
  v1::WorkforceFigures* figures = response->mutable_figures();
  std::optional<WorkforceStore::Snapshot> snapshot;
  std::optional<std::string> cached =
      cache_->Get(authority, kService, *generation, key);
  if (!cached || !figures->ParseFromString(*cached)) {
    figures->Clear();
    absl::StatusOr<WorkforceStore::Snapshot> loaded =
        store_->LoadAll(authority);
    if (!loaded.ok()) return ToGrpcStatus(loaded.status());
    snapshot = *std::move(loaded);
    *figures->mutable_as_of() = ToProtoDate(*as_of);
    for (const Staffing& s :
         StaffingOn(snapshot->data, *as_of, *calendar_, settings_)) {
      ToProto(s, figures->add_staffing());
    }
    figures->set_caseload_threshold(settings_.caseload_threshold);
    for (const Costs& c : CostsFor(snapshot->data.staff, financial_year)) {
      ToProto(c, figures->add_costs());
    }
    cache_->Put(authority, kService, snapshot->generation, key,
                figures->SerializeAsString());
    // A write made while Redis was unreachable could not publish its
    // generation; publishing again here (it only ever rises) heals that.
    PublishGeneration(authority, snapshot->generation);
  }

  absl::StatusOr<std::vector<AllocatedWorker>> workers =
      caseloads_->OpenCaseloads(authority, *as_of);
  if (!workers.ok()) {
    LogWarn("caseloads_unavailable",
            {{"method", "GetWorkforceFigures"},
             {"code", absl::StatusCodeToString(workers.status().code())}});
    figures->set_caseloads_available(false);
    figures->set_caseloads_unavailable_reason(
        std::string(workers.status().message()));
    return grpc::Status::OK;
  }
  if (!snapshot) {
    absl::StatusOr<WorkforceStore::Snapshot> loaded =
        store_->LoadAll(authority);
    if (!loaded.ok()) return ToGrpcStatus(loaded.status());
    snapshot = *std::move(loaded);
  }
  const Caseloads caseloads =
      CaseloadsOn(snapshot->data.staff, *workers, *as_of, settings_);
  figures->set_caseloads_available(true);
  for (const CaseloadGroup& g : caseloads.groups) {
    ToProto(g, figures->add_caseloads());
  }
  figures->set_unmatched_workers(caseloads.unmatched_workers);
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::GetWorkforceTrend(
    grpc::ServerContext* context, const v1::GetWorkforceTrendRequest* request,
    v1::GetWorkforceTrendResponse* response) {
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
  // The points without mean_caseload are cached (store data only).
  const std::string key = absl::StrCat("trend:v1:", FormatIsoMonth(*from), ":",
                                       FormatIsoMonth(*to), ":", SettingsKey());
  std::optional<WorkforceStore::Snapshot> snapshot;
  std::optional<std::string> cached =
      cache_->Get(authority, kService, *generation, key);
  if (!cached || !response->ParseFromString(*cached)) {
    response->Clear();
    absl::StatusOr<WorkforceStore::Snapshot> loaded =
        store_->LoadAll(authority);
    if (!loaded.ok()) return ToGrpcStatus(loaded.status());
    snapshot = *std::move(loaded);
    for (absl::CivilMonth m = *from; m <= *to; ++m) {
      const std::vector<Staffing> staffing =
          StaffingOn(snapshot->data, LastDayOf(m), *calendar_, settings_);
      v1::WorkforceTrendPoint* point = response->add_points();
      *point->mutable_month() = ToProtoMonth(m);
      if (staffing.empty()) continue;
      const Staffing& total = staffing.back();  // kTotalArea comes last
      point->set_fte_in_post(FteOf(total.fte_in_post));
      point->set_agency_fte(FteOf(total.agency_fte));
      if (total.vacancy_rate_percent) {
        point->set_vacancy_rate_percent(*total.vacancy_rate_percent);
      }
      if (total.turnover_percent) {
        point->set_turnover_percent(*total.turnover_percent);
      }
      if (total.absence_days_per_fte) {
        point->set_absence_days_per_fte(*total.absence_days_per_fte);
      }
    }
    cache_->Put(authority, kService, snapshot->generation, key,
                response->SerializeAsString());
    PublishGeneration(authority, snapshot->generation);
  }

  // One ListCaseloads a month end; the first failure ends the caseloads for
  // the whole trend (no half-filled series).
  std::vector<double> means;
  std::vector<bool> has_mean;
  bool available = true;
  for (absl::CivilMonth m = *from; m <= *to && available; ++m) {
    absl::StatusOr<std::vector<AllocatedWorker>> workers =
        caseloads_->OpenCaseloads(authority, LastDayOf(m));
    if (!workers.ok()) {
      LogWarn("caseloads_unavailable",
              {{"method", "GetWorkforceTrend"},
               {"code", absl::StatusCodeToString(workers.status().code())}});
      available = false;
      break;
    }
    if (!snapshot) {
      absl::StatusOr<WorkforceStore::Snapshot> loaded =
          store_->LoadAll(authority);
      if (!loaded.ok()) return ToGrpcStatus(loaded.status());
      snapshot = *std::move(loaded);
    }
    const Caseloads c =
        CaseloadsOn(snapshot->data.staff, *workers, LastDayOf(m), settings_);
    const bool has = !c.groups.empty() && c.groups.front().mean_caseload;
    has_mean.push_back(has);
    means.push_back(has ? *c.groups.front().mean_caseload : 0);
  }
  response->set_caseloads_available(available);
  if (available) {
    for (int i = 0; i < response->points_size(); ++i) {
      if (i < static_cast<int>(has_mean.size()) && has_mean[i]) {
        response->mutable_points(i)->set_mean_caseload(means[i]);
      }
    }
  }
  return grpc::Status::OK;
}

grpc::Status WorkforceServiceImpl::ListStaffCaseloads(
    grpc::ServerContext* context, const v1::ListStaffCaseloadsRequest* request,
    v1::ListStaffCaseloadsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<absl::CivilDay> as_of =
      DateOr(request->has_as_of(), request->as_of(), "as_of", Today());
  if (!as_of.ok()) return ToGrpcStatus(as_of.status());
  if (request->min_open_cases() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("min_open_cases: must be 0 or more"));
  }
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  // The default date is part of the filter a token is bound to.
  v1::ListStaffCaseloadsRequest bound = *request;
  *bound.mutable_as_of() = ToProtoDate(*as_of);
  const uint64_t fingerprint = FilterFingerprint(bound);
  absl::StatusOr<int64_t> offset = StartOf(request->page_token(), fingerprint);
  if (!offset.ok()) return ToGrpcStatus(offset.status());

  const std::string& authority = who->authority;
  absl::StatusOr<std::vector<AllocatedWorker>> workers =
      caseloads_->OpenCaseloads(authority, *as_of);
  if (!workers.ok()) return ToGrpcStatus(workers.status());
  absl::StatusOr<WorkforceStore::Snapshot> snapshot =
      store_->LoadAll(authority);
  if (!snapshot.ok()) return ToGrpcStatus(snapshot.status());
  absl::flat_hash_map<std::string, const StaffMember*> by_id;
  for (const StaffMember& m : snapshot->data.staff) by_id[m.staff_id] = &m;

  std::vector<const AllocatedWorker*> selected;
  for (const AllocatedWorker& w : *workers) {
    if (w.open_cases >= request->min_open_cases()) selected.push_back(&w);
  }
  std::sort(selected.begin(), selected.end(),
            [](const AllocatedWorker* a, const AllocatedWorker* b) {
              if (a->open_cases != b->open_cases) {
                return a->open_cases > b->open_cases;
              }
              return a->worker_id < b->worker_id;
            });
  std::vector<const AllocatedWorker*> page;
  for (int64_t i = *offset; i < static_cast<int64_t>(selected.size()) &&
                            static_cast<int>(page.size()) < *page_size;
       ++i) {
    page.push_back(selected[i]);
  }
  std::vector<std::string> ids;
  for (const AllocatedWorker* w : page) {
    if (!w->worker_id.empty()) ids.push_back(w->worker_id);
  }
  absl::Status audited =
      Audit(*who, "ListStaffCaseloads",
            absl::StrCat("as_of=", FormatIsoDate(*as_of), " min_open_cases=",
                         request->min_open_cases(), " offset=", *offset),
            std::move(ids));
  if (!audited.ok()) return ToGrpcStatus(audited);
  for (const AllocatedWorker* w : page) {
    v1::StaffCaseload* out = response->add_caseloads();
    out->set_staff_id(w->worker_id);
    auto it = by_id.find(w->worker_id);
    if (it != by_id.end()) {
      out->set_team(it->second->team.empty() ? w->team : it->second->team);
      out->set_role(it->second->role);
      out->set_fte(FteOf(it->second->fte));
    } else {
      out->set_team(w->team);
    }
    out->set_open_cases(w->open_cases);
    out->set_over_threshold(w->open_cases > settings_.caseload_threshold);
  }
  const int64_t next = *offset + static_cast<int64_t>(page.size());
  if (next < static_cast<int64_t>(selected.size())) {
    response->set_next_page_token(EncodePageToken(next, fingerprint));
  }
  return grpc::Status::OK;
}

// --- read audit ------------------------------------------------------------

grpc::Status WorkforceServiceImpl::ListReadAudit(
    grpc::ServerContext* context, const v1::ListReadAuditRequest* request,
    v1::ListReadAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  return ToGrpcStatus(ServeReadAuditPage<WorkforceReadAudit>(
      *who, *request, kMethodPrefix,
      [&](const ReadAuditQuery& query) {
        return store_->ListReadAudit(who->authority, query);
      },
      // Reading the log is itself a read (no ids).
      [&] { return Audit(*who, "ListReadAudit", "", {}); },
      [](const WorkforceReadAudit& e, sgm::audit::v1::ReadAuditEntry* out) {
        for (const std::string& id : e.staff_ids) out->add_record_ids(id);
        out->set_query(e.query);
      },
      response));
}

}  // namespace sgm::workforce
