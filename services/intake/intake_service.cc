#include "services/intake/intake_service.h"

#include <algorithm>
#include <functional>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/cached_answer.h"
#include "common/census_codes.h"
#include "common/civil_date.h"
#include "common/feed_field_rules.h"
#include "common/feed_import.h"
#include "common/feed_reader.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/read_audit_proto.h"
#include "common/status_macros.h"
#include "services/intake/abuse_category.h"
#include "services/intake/contact_feed_parser.h"
#include "services/intake/duplicate_input.h"
#include "services/intake/referral_quality_proto.h"

namespace sgm::intake {
namespace {

constexpr char kService[] = "intake";
constexpr char kMethodPrefix[] = "/sgm.intake.v1.IntakeService/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

absl::StatusOr<CallerIdentity> Caller(const grpc::ServerContext* context) {
  return IdentityFromMetadata(context->client_metadata());
}

// --- proto <-> domain ------------------------------------------------------

void ToProto(const StoredContact& c, v1::Contact* out) {
  const ContactRecord& r = c.record;
  out->set_contact_id(ContactIdString(c.id));
  out->set_authority(c.authority);
  out->set_agency(r.agency);
  out->set_source_record_id(r.source_record_id);
  *out->mutable_received_at() = ToProtoTimestamp(r.received_at);
  *out->mutable_received_on() = ToProtoDate(c.received_on);
  out->set_child_id(r.child_id);
  if (r.child_dob) *out->mutable_child_dob() = ToProtoDate(*r.child_dob);
  out->set_source_code(r.source_code);
  out->set_primary_need(r.primary_need);
  for (const std::string& concern : r.concerns) out->add_concerns(concern);
  out->set_referrer_org(r.referrer_org);
  out->set_summary(r.summary);
  if (c.decision) {
    v1::Decision* d = out->mutable_decision();
    *d->mutable_decided_at() = ToProtoTimestamp(c.decision->decided_at);
    *d->mutable_decided_on() = ToProtoDate(c.decision->decided_on);
    d->set_outcome(static_cast<v1::Outcome>(c.decision->outcome));
    d->set_decided_by(c.decision->decided_by);
  }
}

absl::Status FieldError(absl::string_view prefix, const RecordError& e) {
  return absl::InvalidArgumentError(absl::StrCat(
      prefix, e.field.empty() ? "" : ".", e.field, ": ", e.reason));
}

absl::StatusOr<ContactRecord> FromProto(const v1::Contact& in,
                                        std::string agency, absl::Time now) {
  ContactRecord r;
  r.agency = std::move(agency);
  r.source_record_id = in.source_record_id();
  if (!in.has_received_at()) {
    return absl::InvalidArgumentError("contact.received_at: required");
  }
  SGM_ASSIGN_OR_RETURN(
      r.received_at,
      FromProtoTimestamp(in.received_at(), "contact.received_at"));
  r.child_id = in.child_id();
  if (in.has_child_dob() && !IsEmptyDate(in.child_dob())) {
    SGM_ASSIGN_OR_RETURN(r.child_dob,
                         FromProtoDate(in.child_dob(), "contact.child_dob"));
  }
  r.source_code = in.source_code();
  r.primary_need = in.primary_need();
  for (const std::string& concern : in.concerns()) {
    if (std::find(r.concerns.begin(), r.concerns.end(), concern) ==
        r.concerns.end()) {
      r.concerns.push_back(concern);
    }
  }
  r.referrer_org = in.referrer_org();
  r.summary = in.summary();
  if (std::optional<RecordError> e = ValidateContact(r, now)) {
    return FieldError("contact", *e);
  }
  return r;
}

// The agency a contact is stamped with: a partner's own, else the one the
// internal caller names.
absl::StatusOr<std::string> AgencyFor(const CallerIdentity& who,
                                      absl::string_view requested) {
  if (who.role == Role::kPartner) {
    if (!requested.empty() && requested != who.agency) {
      return absl::PermissionDeniedError(
          absl::StrCat("agency: a partner sends contacts only as its own "
                       "agency ('",
                       who.agency, "')"));
    }
    return who.agency;
  }
  if (requested.empty()) {
    return absl::InvalidArgumentError(
        "agency: required from internal callers (the agency that sent the "
        "contacts)");
  }
  return std::string(requested);
}

// --- feed imports ---------------------------------------------------------

// The feed key of a valid record, for a rejection by the store.
std::string FeedKey(const ContactRecord& r) {
  return absl::StrCat(r.agency, ":", r.source_record_id);
}
std::string FeedKey(const DecisionRecord& r) { return r.contact_ref; }

// A rejected record's key, to find it again; "" when the id is unusable
// (too long, or not an id at all), so a rejection never carries free text.
std::string ContactKey(absl::string_view agency, const FeedRecord& record,
                       int column) {
  const std::optional<std::string>& id = record.values[column];
  if (!id) return "";
  std::string key = absl::StrCat(agency, ":", *id);
  return CheckContactRef(key).has_value() ? std::string() : key;
}

}  // namespace

IntakeServiceImpl::IntakeServiceImpl(ContactStore* store, AggregateCache* cache,
                                     const Clock* clock,
                                     const WorkingDayCalendar* calendar,
                                     absl::TimeZone zone, Options options,
                                     std::unique_ptr<OpenWorkSource> open_work)
    : store_(store),
      cache_(cache),
      clock_(clock),
      calendar_(calendar),
      zone_(zone),
      options_(std::move(options)),
      open_work_(open_work != nullptr ? std::move(open_work)
                                      : std::make_unique<NoOpenWorkSource>()) {}

void IntakeServiceImpl::PublishGeneration(const std::string& authority,
                                          int64_t generation) {
  if (generation > 0)
    cache_->PublishGeneration(authority, kService, generation);
}

absl::Status IntakeServiceImpl::Audit(
    const CallerIdentity& who, absl::string_view method,
    const std::vector<const StoredContact*>& contacts) {
  ReadAuditEntry entry;
  entry.at = clock_->Now();
  entry.caller = who.caller;
  entry.role = std::string(RoleName(who.role));
  entry.authority = who.authority;
  entry.method = std::string(method);
  for (const StoredContact* c : contacts) {
    entry.contact_ids.push_back(ContactIdString(c->id));
    if (!c->record.child_id.empty()) {
      entry.child_ids.push_back(c->record.child_id);
    }
  }
  absl::Status status = store_->AppendReadAudit(entry);
  if (!status.ok()) {
    // Fail closed: no child-level data leaves without its audit record.
    LogError("read_audit_failed",
             {{"method", std::string(method)}, {"error", status.ToString()}});
    return absl::UnavailableError(
        "the read audit log cannot be written; child-level reads are "
        "refused until it can");
  }
  return absl::OkStatus();
}

grpc::Status IntakeServiceImpl::CreateContact(
    grpc::ServerContext* context, const v1::CreateContactRequest* request,
    v1::CreateContactResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::string> agency =
      AgencyFor(*who, request->contact().agency());
  if (!agency.ok()) return ToGrpcStatus(agency.status());
  absl::StatusOr<ContactRecord> record =
      FromProto(request->contact(), *agency, clock_->Now());
  if (!record.ok()) return ToGrpcStatus(record.status());
  NewContact contact{*record, absl::ToCivilDay(record->received_at, zone_)};
  absl::StatusOr<BatchResult> result =
      store_->InsertContacts(who->authority, {contact});
  if (!result.ok()) return ToGrpcStatus(result.status());
  const WriteResult& w = result->results.front();
  if (w.outcome == WriteOutcome::kConflict) {
    return ToGrpcStatus(absl::AlreadyExistsError(absl::StrCat(
        "contact.source_record_id: a different contact ", agency.value(), ":",
        record->source_record_id, " was already recorded as ",
        ContactIdString(w.contact_id), "; nothing changed")));
  }
  PublishGeneration(who->authority, result->generation);
  absl::StatusOr<StoredContact> stored =
      store_->GetContact(who->authority, ContactIdString(w.contact_id));
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  ToProto(*stored, response->mutable_contact());
  response->set_duplicate(w.outcome == WriteOutcome::kDuplicate);
  return grpc::Status::OK;
}

grpc::Status IntakeServiceImpl::RecordDecision(
    grpc::ServerContext* context, const v1::RecordDecisionRequest* request,
    v1::RecordDecisionResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  DecisionRecord d;
  d.contact_ref = request->contact_ref();
  if (!request->decision().has_decided_at()) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("decision.decided_at: required"));
  }
  absl::StatusOr<absl::Time> at = FromProtoTimestamp(
      request->decision().decided_at(), "decision.decided_at");
  if (!at.ok()) return ToGrpcStatus(at.status());
  d.decided_at = *at;
  d.outcome = static_cast<Outcome>(request->decision().outcome());
  d.decided_by = request->decision().decided_by();
  if (std::optional<RecordError> e = ValidateDecision(d, clock_->Now())) {
    return ToGrpcStatus(FieldError("decision", *e));
  }
  NewDecision decision{d, absl::ToCivilDay(d.decided_at, zone_)};
  absl::StatusOr<BatchResult> result =
      store_->InsertDecisions(who->authority, {decision});
  if (!result.ok()) return ToGrpcStatus(result.status());
  const WriteResult& w = result->results.front();
  switch (w.outcome) {
    case WriteOutcome::kNoContact:
      return ToGrpcStatus(absl::NotFoundError(
          absl::StrCat("contact_ref: no contact '", d.contact_ref, "'")));
    case WriteOutcome::kBeforeReceipt:
      return ToGrpcStatus(absl::InvalidArgumentError(
          "decision.decided_at: is before the contact was received"));
    case WriteOutcome::kConflict:
      return ToGrpcStatus(absl::AlreadyExistsError(
          absl::StrCat("contact_ref: contact ", ContactIdString(w.contact_id),
                       " already has a different decision; nothing changed")));
    default:
      break;
  }
  PublishGeneration(who->authority, result->generation);
  if (options_.decisions_committed) options_.decisions_committed();
  absl::StatusOr<StoredContact> stored =
      store_->GetContact(who->authority, ContactIdString(w.contact_id));
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  // The answer carries the whole contact: a child-level read.
  absl::Status audited = Audit(*who, "RecordDecision", {&*stored});
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(*stored, response->mutable_contact());
  response->set_duplicate(w.outcome == WriteOutcome::kDuplicate);
  return grpc::Status::OK;
}

grpc::Status IntakeServiceImpl::GetContact(grpc::ServerContext* context,
                                           const v1::GetContactRequest* request,
                                           v1::GetContactResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (std::optional<RecordError> bad =
          CheckContactRef(request->contact_ref())) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat(bad->field, ": ", bad->reason)));
  }
  absl::StatusOr<StoredContact> stored =
      store_->GetContact(who->authority, request->contact_ref());
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  absl::Status audited = Audit(*who, "GetContact", {&*stored});
  if (!audited.ok()) return ToGrpcStatus(audited);
  ToProto(*stored, response->mutable_contact());
  return grpc::Status::OK;
}

grpc::Status IntakeServiceImpl::ListContacts(
    grpc::ServerContext* context, const v1::ListContactsRequest* request,
    v1::ListContactsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  ContactFilter filter;
  if (request->has_received_from()) {
    absl::StatusOr<absl::CivilDay> d =
        FromProtoDate(request->received_from(), "received_from");
    if (!d.ok()) return ToGrpcStatus(d.status());
    filter.received_from = *d;
  }
  if (request->has_received_to()) {
    absl::StatusOr<absl::CivilDay> d =
        FromProtoDate(request->received_to(), "received_to");
    if (!d.ok()) return ToGrpcStatus(d.status());
    filter.received_to = *d;
  }
  if (!request->source_code().empty() &&
      !Contains(ReferralSources(), request->source_code())) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("source_code:", QuoteCode(request->source_code()),
                     " is not one of ", CodeList(ReferralSources()))));
  }
  filter.source_code = request->source_code();
  if (!request->primary_need().empty() &&
      !Contains(PrimaryNeeds(), request->primary_need())) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("primary_need:", QuoteCode(request->primary_need()),
                     " is not one of ", CodeList(PrimaryNeeds()))));
  }
  filter.primary_need = request->primary_need();
  if (request->outcome() != v1::OUTCOME_UNSPECIFIED) {
    if (!v1::Outcome_IsValid(request->outcome())) {
      return ToGrpcStatus(absl::InvalidArgumentError("outcome: unknown value"));
    }
    filter.outcome = static_cast<Outcome>(request->outcome());
  }
  absl::StatusOr<int> page_size_or =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size_or.ok()) return ToGrpcStatus(page_size_or.status());
  const int page_size = *page_size_or;
  const uint64_t fingerprint = FilterFingerprint(*request);
  int64_t after_id = 0;
  if (!request->page_token().empty()) {
    absl::StatusOr<int64_t> decoded =
        DecodePageToken(request->page_token(), fingerprint);
    if (!decoded.ok()) return ToGrpcStatus(decoded.status());
    after_id = *decoded;
  }
  // One more than the page tells whether there is a next page.
  absl::StatusOr<std::vector<StoredContact>> rows =
      store_->ListContacts(who->authority, filter, after_id, page_size + 1);
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  const bool more = static_cast<int>(rows->size()) > page_size;
  if (more) rows->resize(page_size);
  std::vector<const StoredContact*> shown;
  for (const StoredContact& c : *rows) shown.push_back(&c);
  if (!shown.empty()) {
    absl::Status audited = Audit(*who, "ListContacts", shown);
    if (!audited.ok()) return ToGrpcStatus(audited);
  }
  for (const StoredContact& c : *rows) ToProto(c, response->add_contacts());
  if (more) {
    response->set_next_page_token(
        EncodePageToken(rows->back().id, fingerprint));
  }
  return grpc::Status::OK;
}

grpc::Status IntakeServiceImpl::ImportContacts(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportContactsRequest>* reader,
    v1::ImportContactsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  v1::ImportContactsRequest first;
  absl::StatusOr<FeedFormat> format = ReadFirstChunk(reader, &first);
  if (!format.ok()) return ToGrpcStatus(format.status());
  absl::StatusOr<std::string> agency = AgencyFor(*who, first.agency());
  if (!agency.ok()) return ToGrpcStatus(agency.status());
  const absl::Time now = clock_->Now();
  const std::string authority = who->authority;
  const int id_column =
      FeedReader(*format, ContactFeedSchema()).ColumnIndex("source_record_id");
  // The completeness of the file's accepted and duplicate records.
  QualityTally quality(options_.referral_quality);

  FeedImport<ContactRecord> import(
      *format, ContactFeedSchema(),
      [&](const FeedRecord& r) { return ParseContactRecord(r, *agency, now); },
      [&](const FeedRecord& r) { return ContactKey(*agency, r, id_column); },
      [](const ContactRecord& r) { return FeedKey(r); },
      [&](const std::vector<Pending<ContactRecord>>& batch)
          -> absl::StatusOr<std::vector<Verdict>> {
        std::vector<NewContact> contacts;
        contacts.reserve(batch.size());
        for (const auto& p : batch) {
          contacts.push_back(
              {p.parsed, absl::ToCivilDay(p.parsed.received_at, zone_)});
        }
        SGM_ASSIGN_OR_RETURN(BatchResult result,
                             store_->InsertContacts(authority, contacts));
        PublishGeneration(authority, result.generation);
        std::vector<Verdict> verdicts;
        verdicts.reserve(result.results.size());
        for (size_t i = 0; i < result.results.size(); ++i) {
          const WriteResult& w = result.results[i];
          if (w.outcome == WriteOutcome::kAccepted ||
              w.outcome == WriteOutcome::kDuplicate) {
            quality.Add(
                ScoreContact(batch[i].parsed, options_.referral_quality));
          }
          if (w.outcome == WriteOutcome::kAccepted) {
            verdicts.push_back({Verdict::kAccepted, "", ""});
          } else if (w.outcome == WriteOutcome::kDuplicate) {
            verdicts.push_back({Verdict::kDuplicate, "", ""});
          } else {
            verdicts.push_back(
                {Verdict::kRejected, "source_record_id",
                 absl::StrCat("a different contact with this id was already "
                              "accepted as ",
                              ContactIdString(w.contact_id),
                              "; nothing changed")});
          }
        }
        return verdicts;
      },
      options_.import_batch_size, options_.max_rejections_listed);

  grpc::Status status =
      EndImport(PumpChunks(context, reader, first, import), "contacts", *agency,
                import, response->mutable_summary());
  if (status.ok()) {
    FileQualityToProto(FileQuality(quality, options_.referral_quality),
                       response->mutable_file_quality());
  }
  return status;
}

grpc::Status IntakeServiceImpl::ImportDecisions(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportDecisionsRequest>* reader,
    v1::ImportDecisionsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  v1::ImportDecisionsRequest first;
  absl::StatusOr<FeedFormat> format = ReadFirstChunk(reader, &first);
  if (!format.ok()) return ToGrpcStatus(format.status());
  const absl::Time now = clock_->Now();
  const std::string authority = who->authority;
  const int ref_column =
      FeedReader(*format, DecisionFeedSchema()).ColumnIndex("contact_ref");

  FeedImport<DecisionRecord> import(
      *format, DecisionFeedSchema(),
      [&](const FeedRecord& r) { return ParseDecisionRecord(r, now); },
      [&](const FeedRecord& r) {
        std::string ref = r.values[ref_column].value_or("");
        return CheckContactRef(ref).has_value() ? std::string() : ref;
      },
      [](const DecisionRecord& r) { return FeedKey(r); },
      [&](const std::vector<Pending<DecisionRecord>>& batch)
          -> absl::StatusOr<std::vector<Verdict>> {
        std::vector<NewDecision> decisions;
        decisions.reserve(batch.size());
        for (const auto& p : batch) {
          decisions.push_back(
              {p.parsed, absl::ToCivilDay(p.parsed.decided_at, zone_)});
        }
        SGM_ASSIGN_OR_RETURN(BatchResult result,
                             store_->InsertDecisions(authority, decisions));
        PublishGeneration(authority, result.generation);
        if (options_.decisions_committed) options_.decisions_committed();
        std::vector<Verdict> verdicts;
        verdicts.reserve(result.results.size());
        for (size_t i = 0; i < result.results.size(); ++i) {
          const WriteResult& w = result.results[i];
          switch (w.outcome) {
            case WriteOutcome::kAccepted:
              verdicts.push_back({Verdict::kAccepted, "", ""});
              break;
            case WriteOutcome::kDuplicate:
              verdicts.push_back({Verdict::kDuplicate, "", ""});
              break;
            case WriteOutcome::kConflict:
              verdicts.push_back(
                  {Verdict::kRejected, "contact_ref",
                   absl::StrCat("contact ", ContactIdString(w.contact_id),
                                " already has a different decision; nothing "
                                "changed")});
              break;
            case WriteOutcome::kNoContact:
              verdicts.push_back(
                  {Verdict::kRejected, "contact_ref",
                   absl::StrCat("no contact '", batch[i].parsed.contact_ref,
                                "' (send the contact first)")});
              break;
            case WriteOutcome::kBeforeReceipt:
              verdicts.push_back({Verdict::kRejected, "decided_at",
                                  "is before the contact was received"});
              break;
          }
        }
        return verdicts;
      },
      options_.import_batch_size, options_.max_rejections_listed);

  return EndImport(PumpChunks(context, reader, first, import), "decisions", "",
                   import, response->mutable_summary());
}

namespace {

void ToProto(const MonthFigure& in, v1::MonthCount* out) {
  *out->mutable_month() = ToProtoMonth(in.month);
  out->set_contacts(in.contacts);
  out->set_contacts_year_before(in.contacts_year_before);
  if (in.change_percent) out->set_change_percent(*in.change_percent);
}

void ToProto(const WeeklyRateFigure& in, v1::WeeklyRate* out) {
  *out->mutable_from() = ToProtoDate(in.from);
  *out->mutable_to() = ToProtoDate(in.to);
  out->set_contacts(in.contacts);
  out->set_per_week(in.per_week);
}

void ToProto(const BreakdownFigure& in, v1::Breakdown* out) {
  out->set_code(in.code);
  out->set_label(in.label);
  out->set_count(in.count);
  out->set_percent(in.percent);
}

v1::FrontDoorFigures ToProto(const FrontDoorFigures& f) {
  v1::FrontDoorFigures out;
  *out.mutable_month() = ToProtoMonth(f.month);
  *out.mutable_as_of() = ToProtoDate(f.as_of);
  ToProto(f.this_month, out.mutable_this_month());
  for (const MonthFigure& m : f.trend) ToProto(m, out.add_trend());
  ToProto(f.year_to_date, out.mutable_year_to_date());
  ToProto(f.year_to_date_last_year, out.mutable_year_to_date_last_year());
  if (f.per_week_change_percent) {
    out.set_per_week_change_percent(*f.per_week_change_percent);
  }
  out.set_decided(f.decided);
  out.set_progressed(f.progressed);
  if (f.progressed_percent) out.set_progressed_percent(*f.progressed_percent);
  for (const BreakdownFigure& b : f.by_primary_need) {
    ToProto(b, out.add_by_primary_need());
  }
  for (const BreakdownFigure& b : f.by_source) ToProto(b, out.add_by_source());
  out.set_repeat_min_contacts(f.repeat_min_contacts);
  out.set_repeat_window_days(f.repeat_window_days);
  out.set_repeat_contacts(f.repeat_contacts);
  out.set_repeat_children(f.repeat_children);
  if (f.repeat_percent) out.set_repeat_percent(*f.repeat_percent);
  out.set_decided_within_1wd(f.decided_within_1wd);
  if (f.decided_within_1wd_percent) {
    out.set_decided_within_1wd_percent(*f.decided_within_1wd_percent);
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::FrontDoorFigures> IntakeServiceImpl::FrontDoorFiguresFor(
    const std::string& authority, absl::CivilMonth month,
    absl::CivilDay as_of) {
  SGM_ASSIGN_OR_RETURN(int64_t generation, store_->Generation(authority));
  const std::string key = absl::StrCat(
      "frontdoor:v1:", FormatIsoMonth(month), ":", FormatIsoDate(as_of), ":",
      options_.front_door.repeat_min_contacts, ":",
      options_.front_door.repeat_window_days, ":",
      absl::Hex(calendar_->Fingerprint()));
  if (std::optional<std::string> cached =
          cache_->Get(authority, kService, generation, key)) {
    v1::FrontDoorFigures figures;
    if (figures.ParseFromString(*cached)) return figures;
  }
  const absl::CivilDay from =
      EarliestDayNeeded(month, as_of, options_.front_door);
  const absl::CivilDay to = std::max(as_of, LastDayOf(month));
  SGM_ASSIGN_OR_RETURN(std::vector<ContactFact> facts,
                       store_->LoadFacts(authority, from, to));
  v1::FrontDoorFigures figures = ToProto(ComputeFrontDoorFigures(
      facts, month, as_of, *calendar_, options_.front_door));
  cache_->Put(authority, kService, generation, key,
              figures.SerializeAsString());
  // A write made while Redis was unreachable could not publish its
  // generation; publishing again here (it only ever rises) heals that.
  PublishGeneration(authority, generation);
  return figures;
}

grpc::Status IntakeServiceImpl::GetFrontDoorFigures(
    grpc::ServerContext* context, const v1::GetFrontDoorFiguresRequest* request,
    v1::GetFrontDoorFiguresResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (!request->has_month()) {
    return ToGrpcStatus(absl::InvalidArgumentError("month: required"));
  }
  absl::StatusOr<absl::CivilMonth> month =
      FromProtoMonth(request->month(), "month");
  if (!month.ok()) return ToGrpcStatus(month.status());
  absl::CivilDay as_of = LastDayOf(*month);
  if (request->has_as_of() && !IsEmptyDate(request->as_of())) {
    absl::StatusOr<absl::CivilDay> d = FromProtoDate(request->as_of(), "as_of");
    if (!d.ok()) return ToGrpcStatus(d.status());
    as_of = *d;
  }
  absl::StatusOr<v1::FrontDoorFigures> figures =
      FrontDoorFiguresFor(who->authority, *month, as_of);
  if (!figures.ok()) return ToGrpcStatus(figures.status());
  *response->mutable_figures() = *std::move(figures);
  return grpc::Status::OK;
}

// --- read audit ------------------------------------------------------------

grpc::Status IntakeServiceImpl::ListReadAudit(
    grpc::ServerContext* context, const v1::ListReadAuditRequest* request,
    v1::ListReadAuditResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  return ToGrpcStatus(ServeReadAuditPage<ReadAuditEntry>(
      *who, *request, kMethodPrefix,
      [&](const ReadAuditQuery& query) {
        return store_->ListReadAudit(who->authority, query);
      },
      // Reading the log is itself a read (no ids).
      [&] { return Audit(*who, "ListReadAudit", {}); },
      [](const ReadAuditEntry& e, sgm::audit::v1::ReadAuditEntry* out) {
        for (const std::string& id : e.child_ids) out->add_child_ids(id);
        for (const std::string& id : e.contact_ids) out->add_record_ids(id);
      },
      response));
}

namespace {

// The longest range the insight calls (GetReferralQuality,
// GetDuplicateInput, GetContactCategories) answer in one call.
constexpr int kMaxInsightMonths = 60;

// INVALID_ARGUMENT naming `from` when the range is backwards or too long.
absl::Status CheckMonthRange(absl::CivilMonth from, absl::CivilMonth to) {
  if (from > to) {
    return absl::InvalidArgumentError("from: must not be after 'to'");
  }
  if (to - from + 1 > kMaxInsightMonths) {
    return absl::InvalidArgumentError(
        absl::StrCat("from: at most ", kMaxInsightMonths, " months a call"));
  }
  return absl::OkStatus();
}

// An agency name as the feeds allow it: 1 to 32 letters, digits, '_', '-'.
bool IsAgencyName(absl::string_view agency) {
  if (agency.empty() || agency.size() > 32) return false;
  return std::all_of(agency.begin(), agency.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '-';
  });
}

}  // namespace

grpc::Status IntakeServiceImpl::GetReferralQuality(
    grpc::ServerContext* context, const v1::GetReferralQualityRequest* request,
    v1::GetReferralQualityResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>> range =
      TrailingMonthRange(*request, kMaxInsightMonths);
  if (!range.ok()) return ToGrpcStatus(range.status());
  const absl::CivilMonth from = range->first;
  const absl::CivilMonth to = range->second;
  const std::string& agency = request->agency();
  if (!agency.empty() && !IsAgencyName(agency)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "agency: must be 1 to 32 characters, each a letter, a digit, '_' or "
        "'-'"));
  }
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key = absl::StrCat(
      "refquality:v1:", FormatIsoMonth(from), ":", FormatIsoMonth(to), ":",
      agency, ":", options_.referral_quality.Fingerprint());
  absl::Status answered = AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        SGM_ASSIGN_OR_RETURN(
            std::vector<ContactFact> facts,
            store_->LoadFacts(authority, absl::CivilDay(from), LastDayOf(to)));
        ReferralQualityToProto(
            ComputeReferralQuality(facts, from, to, options_.referral_quality,
                                   agency),
            response);
        return *generation;
      });
  if (!answered.ok()) return ToGrpcStatus(answered);
  // A write made while Redis was unreachable could not publish its
  // generation; publishing again here (it only ever rises) heals that.
  PublishGeneration(authority, *generation);
  return grpc::Status::OK;
}

namespace {

// The KPI service's name in the cache (its published generation).
constexpr char kKpiCacheService[] = "kpi";

// The open work of the children of `facts` over [from, to]; nothing (and
// no call) when no contact names a child.
absl::StatusOr<FetchedOpenWork> OpenWorkOf(OpenWorkSource& source,
                                           const std::string& authority,
                                           absl::Span<const ContactFact> facts,
                                           absl::CivilDay from,
                                           absl::CivilDay to,
                                           absl::string_view method) {
  const std::vector<std::string> children = ChildIdsOf(facts);
  if (children.empty()) return FetchedOpenWork{};
  absl::StatusOr<FetchedOpenWork> fetched =
      source.Fetch(authority, children, from, to);
  if (!fetched.ok()) {
    LogWarn("open_work_unavailable",
            {{"method", std::string(method)},
             {"code", absl::StatusCodeToString(fetched.status().code())}});
  }
  return fetched;
}

void ToProto(const DuplicatePoint& in, v1::DuplicateInputPoint* out) {
  if (in.month) *out->mutable_month() = ToProtoMonth(*in.month);
  out->set_contacts_with_child(in.contacts_with_child);
  out->set_duplicates(in.duplicates);
  if (in.percent) out->set_percent(*in.percent);
}

void ToProto(const DuplicateBreakdownFigure& in, v1::DuplicateBreakdown* out) {
  out->set_code(in.code);
  out->set_label(in.label);
  out->set_contacts_with_child(in.contacts_with_child);
  out->set_duplicates(in.duplicates);
  if (in.percent) out->set_percent(*in.percent);
}

void ToProto(const DuplicateInputFigures& in,
             v1::GetDuplicateInputResponse* out) {
  *out->mutable_from() = ToProtoMonth(in.from);
  *out->mutable_to() = ToProtoMonth(in.to);
  ToProto(in.total, out->mutable_total());
  for (const DuplicatePoint& p : in.trend) ToProto(p, out->add_trend());
  for (const DuplicateBreakdownFigure& b : in.by_concern) {
    ToProto(b, out->add_by_concern());
  }
  for (const DuplicateBreakdownFigure& b : in.by_source) {
    ToProto(b, out->add_by_source());
  }
  for (const DuplicateBreakdownFigure& b : in.by_open_work) {
    ToProto(b, out->add_by_open_work());
  }
}

void ToProto(const DuplicateContactFact& in, v1::DuplicateContact* out) {
  out->set_contact_id(ContactIdString(in.id));
  out->set_agency(in.agency);
  out->set_child_id(in.child_id);
  *out->mutable_received_on() = ToProtoDate(in.received_on);
  out->set_source_code(in.source_code);
  for (const std::string& concern : in.concerns) out->add_concerns(concern);
  for (const OpenWork& w : in.open_work) {
    sgm::kpi::v1::OpenWork* work = out->add_open_work();
    work->set_kind(static_cast<sgm::kpi::v1::OpenWorkKind>(w.kind));
    work->set_ref_id(w.ref_id);
    *work->mutable_since() = ToProtoDate(w.since);
    if (w.until) *work->mutable_until() = ToProtoDate(*w.until);
  }
}

}  // namespace

grpc::Status IntakeServiceImpl::GetDuplicateInput(
    grpc::ServerContext* context, const v1::GetDuplicateInputRequest* request,
    v1::GetDuplicateInputResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>> range =
      TrailingMonthRange(*request, kMaxInsightMonths);
  if (!range.ok()) return ToGrpcStatus(range.status());
  const absl::CivilMonth from = range->first;
  const absl::CivilMonth to = range->second;
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  // The figure depends on both stores: the key carries intake's generation
  // (through Get/Put) and the KPI service's. Unknown KPI generation: no
  // cached answer can be trusted.
  const std::string key_prefix = absl::StrCat(
      "dupinput:v1:", FormatIsoMonth(from), ":", FormatIsoMonth(to), ":k");
  if (std::optional<int64_t> kpi_generation =
          cache_->ReadGeneration(authority, kKpiCacheService)) {
    if (std::optional<std::string> cached =
            cache_->Get(authority, kService, *generation,
                        absl::StrCat(key_prefix, *kpi_generation))) {
      if (response->ParseFromString(*cached)) return grpc::Status::OK;
      response->Clear();
    }
  }
  const absl::CivilDay first = absl::CivilDay(from);
  const absl::CivilDay last = LastDayOf(to);
  absl::StatusOr<std::vector<ContactFact>> facts =
      store_->LoadFacts(authority, first, last);
  if (!facts.ok()) return ToGrpcStatus(facts.status());
  absl::StatusOr<FetchedOpenWork> work = OpenWorkOf(
      *open_work_, authority, *facts, first, last, "GetDuplicateInput");
  if (!work.ok()) return ToGrpcStatus(work.status());
  ToProto(ComputeDuplicateInput(*facts, work->children, from, to), response);
  // Stored under the generation the KPI service answered at (0: unknown,
  // or batches read at different ones: not stored).
  if (work->generation > 0) {
    cache_->Put(authority, kService, *generation,
                absl::StrCat(key_prefix, work->generation),
                response->SerializeAsString());
  }
  PublishGeneration(authority, *generation);
  return grpc::Status::OK;
}

grpc::Status IntakeServiceImpl::ListDuplicateContacts(
    grpc::ServerContext* context,
    const v1::ListDuplicateContactsRequest* request,
    v1::ListDuplicateContactsResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (!request->has_month()) {
    return ToGrpcStatus(absl::InvalidArgumentError("month: required"));
  }
  absl::StatusOr<absl::CivilMonth> month =
      FromProtoMonth(request->month(), "month");
  if (!month.ok()) return ToGrpcStatus(month.status());
  const std::string& concern = request->concern();
  if (!concern.empty() && !Contains(ContactConcerns(), concern)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("concern:", QuoteCode(concern), " is not one of ",
                     CodeList(ContactConcerns()))));
  }
  const std::string& source_code = request->source_code();
  if (!source_code.empty() && !Contains(ReferralSources(), source_code)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("source_code:", QuoteCode(source_code), " is not one of ",
                     CodeList(ReferralSources()))));
  }
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  const uint64_t fingerprint = FilterFingerprint(*request);
  int64_t after_id = 0;
  if (!request->page_token().empty()) {
    absl::StatusOr<int64_t> decoded =
        DecodePageToken(request->page_token(), fingerprint);
    if (!decoded.ok()) return ToGrpcStatus(decoded.status());
    after_id = *decoded;
  }
  const std::string& authority = who->authority;
  const absl::CivilDay first = absl::CivilDay(*month);
  const absl::CivilDay last = LastDayOf(*month);
  absl::StatusOr<std::vector<ContactFact>> loaded =
      store_->LoadFacts(authority, first, last);
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  // The filters first, so the KPI service is asked only about the children
  // that can be listed.
  std::vector<ContactFact> facts;
  for (ContactFact& f : *loaded) {
    if (f.child_id.empty()) continue;
    if (!source_code.empty() && f.source_code != source_code) continue;
    if (!concern.empty() && std::find(f.concerns.begin(), f.concerns.end(),
                                      concern) == f.concerns.end()) {
      continue;
    }
    facts.push_back(std::move(f));
  }
  absl::StatusOr<FetchedOpenWork> work = OpenWorkOf(
      *open_work_, authority, facts, first, last, "ListDuplicateContacts");
  if (!work.ok()) return ToGrpcStatus(work.status());
  const std::vector<DuplicateContactFact> duplicates =
      FindDuplicateContacts(facts, work->children);
  std::vector<const DuplicateContactFact*> page;
  bool more = false;
  for (const DuplicateContactFact& d : duplicates) {
    if (d.id <= after_id) continue;
    if (static_cast<int>(page.size()) == *page_size) {
      more = true;
      break;
    }
    page.push_back(&d);
  }
  if (!page.empty()) {
    // Child-level: the page's contacts and children are audited first.
    std::vector<StoredContact> shown(page.size());
    std::vector<const StoredContact*> audited;
    for (size_t i = 0; i < page.size(); ++i) {
      shown[i].id = page[i]->id;
      shown[i].record.child_id = page[i]->child_id;
      audited.push_back(&shown[i]);
    }
    absl::Status status = Audit(*who, "ListDuplicateContacts", audited);
    if (!status.ok()) return ToGrpcStatus(status);
  }
  for (const DuplicateContactFact* d : page) {
    ToProto(*d, response->add_contacts());
  }
  if (more) {
    response->set_next_page_token(
        EncodePageToken(page.back()->id, fingerprint));
  }
  response->set_total_size(static_cast<int64_t>(duplicates.size()));
  return grpc::Status::OK;
}

grpc::Status IntakeServiceImpl::GetContactCategories(
    grpc::ServerContext* context,
    const v1::GetContactCategoriesRequest* request,
    v1::GetContactCategoriesResponse* response) {
  absl::StatusOr<CallerIdentity> who = Caller(context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (!request->has_from()) {
    return ToGrpcStatus(absl::InvalidArgumentError("from: required"));
  }
  absl::StatusOr<absl::CivilMonth> from =
      FromProtoMonth(request->from(), "from");
  if (!from.ok()) return ToGrpcStatus(from.status());
  absl::CivilMonth to = *from;
  if (request->has_to()) {
    absl::StatusOr<absl::CivilMonth> t = FromProtoMonth(request->to(), "to");
    if (!t.ok()) return ToGrpcStatus(t.status());
    to = *t;
  }
  if (absl::Status s = CheckMonthRange(*from, to); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const std::string& authority = who->authority;
  absl::StatusOr<int64_t> generation = store_->Generation(authority);
  if (!generation.ok()) return ToGrpcStatus(generation.status());
  const std::string key = absl::StrCat("categories:v1:", FormatIsoMonth(*from),
                                       ":", FormatIsoMonth(to));
  absl::Status answered = AnswerFromCache(
      *cache_, authority, kService, *generation, key, response,
      [&]() -> absl::StatusOr<int64_t> {
        SGM_ASSIGN_OR_RETURN(
            std::vector<ContactFact> facts,
            store_->LoadFacts(authority, absl::CivilDay(*from), LastDayOf(to)));
        response->set_contacts(static_cast<int64_t>(facts.size()));
        for (const CategoryCount& c : CountContactCategories(facts)) {
          v1::Breakdown* out = response->add_by_category();
          out->set_code(c.code);
          out->set_label(c.label);
          out->set_count(c.count);
          out->set_percent(c.percent);
        }
        return *generation;
      });
  if (!answered.ok()) return ToGrpcStatus(answered);
  PublishGeneration(authority, *generation);
  return grpc::Status::OK;
}

}  // namespace sgm::intake
