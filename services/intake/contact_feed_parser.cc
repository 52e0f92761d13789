#include "services/intake/contact_feed_parser.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/census_codes.h"
#include "common/civil_date.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "common/utf8.h"
#include "services/intake/contact.h"

namespace sgm::intake {
namespace {

// Column positions in ContactFeedSchema() and DecisionFeedSchema().
enum ContactColumn {
  kSourceRecordId,
  kReceivedAt,
  kChildId,
  kChildDob,
  kSourceCode,
  kPrimaryNeed,
  kConcerns,
  kReferrerOrg,
  kSummary,
  kContactColumnCount,
};
enum DecisionColumn {
  kContactRef,
  kDecidedAt,
  kOutcome,
  kDecidedBy,
  kDecisionColumnCount,
};

// How far ahead of `now` a time may be (clocks of partners differ).
constexpr absl::Duration kFutureSkew = absl::Hours(24);
constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxAgencyLength = 32;
constexpr size_t kMaxReferrerOrgChars = 200;
constexpr size_t kMaxSummaryChars = 4000;
constexpr char kTimestampExample[] = "e.g. 2024-03-01T09:15:00+00:00";

RecordError Error(absl::string_view field, std::string reason) {
  return RecordError{std::string(field), std::move(reason)};
}

std::optional<RecordError> CheckAgency(absl::string_view agency) {
  if (agency.empty() || agency.size() > kMaxAgencyLength ||
      !AllOf(agency, "_-")) {
    return Error("agency",
                 "agency must be 1 to 32 characters, each a letter, a digit, "
                 "'_' or '-'");
  }
  return std::nullopt;
}

std::optional<RecordError> CheckSourceRecordId(absl::string_view field,
                                               absl::string_view id) {
  if (id.empty()) {
    return Error(field, absl::StrCat(field, " is required"));
  }
  if (id.size() > kMaxIdLength) {
    return Error(field, absl::StrCat(field, " is longer than 64 characters"));
  }
  for (const char c : id) {
    if (c < 0x20 || c > 0x7E) {
      return Error(field,
                   absl::StrCat(field,
                                " may hold only printable ASCII characters "
                                "(no control characters, no accented "
                                "letters)"));
    }
    if (c == ':') {
      return Error(field,
                   absl::StrCat(field,
                                " must not contain ':' (it separates the "
                                "agency from the id in contact references)"));
    }
  }
  if (id.front() == ' ' || id.back() == ' ') {
    return Error(field,
                 absl::StrCat(field, " must not start or end with a space"));
  }
  return std::nullopt;
}

std::optional<RecordError> CheckNotFuture(absl::string_view field, absl::Time t,
                                          absl::Time now) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture() ||
      absl::ToCivilYear(t, absl::UTCTimeZone()).year() < 1900) {
    return Error(field, absl::StrCat(field, " is missing or out of range"));
  }
  if (t > now + kFutureSkew) {
    return Error(field,
                 absl::StrCat(field,
                              " is in the future (more than 1 day after the "
                              "time the record was loaded)"));
  }
  return std::nullopt;
}

std::optional<RecordError> CheckFreeText(absl::string_view field,
                                         absl::string_view text,
                                         size_t max_chars) {
  const std::optional<size_t> chars = Utf8Length(text);
  if (!chars.has_value()) {
    return Error(field, absl::StrCat(field, " is not valid UTF-8"));
  }
  if (*chars > max_chars) {
    return Error(field, absl::StrCat(field, " is longer than ", max_chars,
                                     " characters (it has ", *chars, ")"));
  }
  return std::nullopt;
}

// Converts a required timestamp field.
std::variant<absl::Time, RecordError> RequiredTimestamp(
    absl::string_view field, const std::optional<std::string>& value) {
  if (!value.has_value()) {
    return Error(field, absl::StrCat(field,
                                     " is required: a date and time with a "
                                     "UTC offset, ",
                                     kTimestampExample));
  }
  absl::StatusOr<absl::Time> t = ParseIsoTimestamp(*value);
  if (!t.ok()) {
    return Error(field, absl::StrCat(field, " is not a valid timestamp: ",
                                     t.status().message()));
  }
  return *t;
}

}  // namespace

std::optional<RecordError> CheckContactRef(absl::string_view ref) {
  constexpr char kForms[] =
      "an intake contact id such as C42, or AGENCY:SOURCE_RECORD_ID";
  if (ref.empty()) {
    return Error("contact_ref",
                 absl::StrCat("contact_ref is required: ", kForms));
  }
  const size_t colon = ref.find(':');
  if (colon == absl::string_view::npos) {
    if (ParseContactId(ref).has_value()) return std::nullopt;
    return Error("contact_ref",
                 absl::StrCat("contact_ref must be ", kForms,
                              " (a contact id is 'C' and a number without "
                              "leading zeros)"));
  }
  if (CheckAgency(ref.substr(0, colon)).has_value()) {
    return Error("contact_ref",
                 absl::StrCat("contact_ref must be ", kForms,
                              "; the agency before ':' must be 1 to 32 "
                              "characters, each a letter, a digit, '_' or "
                              "'-'"));
  }
  if (std::optional<RecordError> bad = CheckSourceRecordId(
          "the source record id after ':'", ref.substr(colon + 1))) {
    return Error("contact_ref", absl::StrCat("contact_ref must be ", kForms,
                                             "; ", bad->reason));
  }
  return std::nullopt;
}

const FeedSchema& ContactFeedSchema() {
  static const FeedSchema* const kSchema = new FeedSchema{
      {"source_record_id", "received_at", "child_id", "child_dob",
       "source_code", "primary_need", "concerns", "referrer_org", "summary"},
      {"source_record_id", "received_at", "source_code"}};
  return *kSchema;
}

const FeedSchema& DecisionFeedSchema() {
  static const FeedSchema* const kSchema =
      new FeedSchema{{"contact_ref", "decided_at", "outcome", "decided_by"},
                     {"contact_ref", "decided_at", "outcome"}};
  return *kSchema;
}

std::variant<ContactRecord, RecordError> ParseContactRecord(
    const FeedRecord& record, absl::string_view agency, absl::Time now) {
  if (record.values.size() != kContactColumnCount) {
    return Error("",
                 "the record was not read with the contacts feed's "
                 "columns");
  }
  if (std::optional<RecordError> bad = CheckAgency(agency)) return *bad;
  const auto& values = record.values;
  ContactRecord contact;
  contact.agency = std::string(agency);
  if (!values[kSourceRecordId].has_value()) {
    return Error("source_record_id", "source_record_id is required");
  }
  contact.source_record_id = *values[kSourceRecordId];

  std::variant<absl::Time, RecordError> received =
      RequiredTimestamp("received_at", values[kReceivedAt]);
  if (auto* bad = std::get_if<RecordError>(&received)) return *bad;
  contact.received_at = std::get<absl::Time>(received);

  contact.child_id = values[kChildId].value_or("");
  if (values[kChildDob].has_value()) {
    absl::StatusOr<absl::CivilDay> dob = ParseIsoDate(*values[kChildDob]);
    if (!dob.ok()) {
      return Error("child_dob", absl::StrCat("child_dob is not a valid date: ",
                                             dob.status().message()));
    }
    contact.child_dob = *dob;
  }
  if (!values[kSourceCode].has_value()) {
    return Error("source_code", absl::StrCat("source_code is required: one of ",
                                             CodeList(ReferralSources())));
  }
  contact.source_code = *values[kSourceCode];
  contact.primary_need = values[kPrimaryNeed].value_or("");
  if (values[kConcerns].has_value()) {
    // Items are trimmed; empty ones and repeats are dropped.
    for (absl::string_view item : absl::StrSplit(*values[kConcerns], ';')) {
      item = absl::StripAsciiWhitespace(item);
      if (item.empty()) continue;
      bool repeated = false;
      for (const std::string& seen : contact.concerns) {
        if (seen == item) repeated = true;
      }
      if (!repeated) contact.concerns.emplace_back(item);
    }
  }
  contact.referrer_org = values[kReferrerOrg].value_or("");
  contact.summary = values[kSummary].value_or("");

  if (std::optional<RecordError> bad = ValidateContact(contact, now)) {
    return *bad;
  }
  return contact;
}

std::variant<DecisionRecord, RecordError> ParseDecisionRecord(
    const FeedRecord& record, absl::Time now) {
  if (record.values.size() != kDecisionColumnCount) {
    return Error("",
                 "the record was not read with the decisions feed's "
                 "columns");
  }
  const auto& values = record.values;
  DecisionRecord decision;
  decision.contact_ref = values[kContactRef].value_or("");
  if (std::optional<RecordError> bad = CheckContactRef(decision.contact_ref)) {
    return *bad;
  }
  std::variant<absl::Time, RecordError> decided =
      RequiredTimestamp("decided_at", values[kDecidedAt]);
  if (auto* bad = std::get_if<RecordError>(&decided)) return *bad;
  decision.decided_at = std::get<absl::Time>(decided);

  const std::string outcomes =
      "NFA, ADVICE, EARLY_HELP, REFERRAL, STRATEGY_DISCUSSION or "
      "EXISTING_CASE";
  if (!values[kOutcome].has_value()) {
    return Error("outcome", absl::StrCat("outcome is required: ", outcomes));
  }
  const std::optional<Outcome> outcome = ParseOutcome(*values[kOutcome]);
  if (!outcome.has_value()) {
    return Error("outcome",
                 absl::StrCat("outcome", QuoteCode(*values[kOutcome]),
                              " is not one of ", outcomes));
  }
  decision.outcome = *outcome;
  decision.decided_by = values[kDecidedBy].value_or("");

  if (std::optional<RecordError> bad = ValidateDecision(decision, now)) {
    return *bad;
  }
  return decision;
}

std::optional<RecordError> ValidateContact(const ContactRecord& contact,
                                           absl::Time now) {
  if (std::optional<RecordError> bad = CheckAgency(contact.agency)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckSourceRecordId("source_record_id", contact.source_record_id)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckNotFuture("received_at", contact.received_at, now)) {
    return bad;
  }
  if (!contact.child_id.empty() && (contact.child_id.size() > kMaxIdLength ||
                                    !AllOf(contact.child_id, "._-"))) {
    return Error("child_id",
                 "child_id must be 1 to 64 characters, each a letter, a "
                 "digit, '.', '_' or '-'");
  }
  if (contact.child_dob.has_value()) {
    if (std::optional<RecordError> bad =
            CheckChildDob(*contact.child_dob, LondonDay(contact.received_at),
                          "the date in received_at")) {
      return bad;
    }
  }
  if (!Contains(ReferralSources(), contact.source_code)) {
    if (contact.source_code.empty()) {
      return Error("source_code",
                   absl::StrCat("source_code is required: one of ",
                                CodeList(ReferralSources())));
    }
    return Error("source_code",
                 absl::StrCat("source_code", QuoteCode(contact.source_code),
                              " is not a CIN census source code; use one of ",
                              CodeList(ReferralSources())));
  }
  if (!contact.primary_need.empty() &&
      !Contains(PrimaryNeeds(), contact.primary_need)) {
    return Error("primary_need",
                 absl::StrCat("primary_need", QuoteCode(contact.primary_need),
                              " is not a CIN census primary need; use one "
                              "of ",
                              CodeList(PrimaryNeeds())));
  }
  for (size_t i = 0; i < contact.concerns.size(); ++i) {
    const std::string& concern = contact.concerns[i];
    if (!Contains(ContactConcerns(), concern)) {
      return Error(
          "concerns",
          absl::StrCat("concerns item ", i + 1, QuoteCode(concern),
                       " is not a known concern; use one or more of ",
                       CodeList(ContactConcerns()), ", separated by ';'"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (contact.concerns[j] == concern) {
        return Error("concerns", absl::StrCat("concerns lists '", concern,
                                              "' more than once"));
      }
    }
  }
  if (std::optional<RecordError> bad = CheckFreeText(
          "referrer_org", contact.referrer_org, kMaxReferrerOrgChars)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckFreeText("summary", contact.summary, kMaxSummaryChars)) {
    return bad;
  }
  return std::nullopt;
}

std::optional<RecordError> ValidateDecision(const DecisionRecord& decision,
                                            absl::Time now) {
  if (std::optional<RecordError> bad = CheckContactRef(decision.contact_ref)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckNotFuture("decided_at", decision.decided_at, now)) {
    return bad;
  }
  if (OutcomeName(decision.outcome).empty()) {
    return Error("outcome",
                 "outcome is required: NFA, ADVICE, EARLY_HELP, REFERRAL, "
                 "STRATEGY_DISCUSSION or EXISTING_CASE");
  }
  if (!decision.decided_by.empty() &&
      (decision.decided_by.size() > kMaxIdLength ||
       !AllOf(decision.decided_by, "._@-"))) {
    return Error("decided_by",
                 "decided_by must be 1 to 64 characters, each a letter, a "
                 "digit, '.', '_', '@' or '-'");
  }
  return std::nullopt;
}

}  // namespace sgm::intake
