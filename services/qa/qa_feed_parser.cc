#include "services/qa/qa_feed_parser.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/civil_date.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "common/utf8.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {
namespace {

// Column positions in the three schemas.
enum AuditColumn {
  kAuditId,
  kChildId,
  kType,
  kTheme,
  kTeam,
  kWorkerId,
  kAuditor,
  kAuditDate,
  kGrade,
  kModeratedGrade,
  kModerator,
  kDomains,
  kFindings,
  kReauditOf,
  kSampleId,
  kAuditColumnCount,
};
enum FeedbackColumn {
  kFeedbackId,
  kSource,
  kFeedbackTeam,
  kReceivedOn,
  kRating,
  kComment,
  kFeedbackColumnCount,
};
enum ActionColumn {
  kActionId,
  kOriginRef,
  kOwner,
  kDueDate,
  kCompletedDate,
  kRaisedOn,
  kActionColumnCount,
};

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxFreeTextBytes = 10'000;
constexpr size_t kMaxDomainLength = 40;
constexpr int kDueYearsAhead = 5;
constexpr int kMaxThemeDays = 366;
constexpr absl::CivilDay kEarliestDay(2000, 1, 1);
constexpr int kMinRating = 1;
constexpr int kMaxRating = 5;
constexpr char kTypes[] =
    "CASE_FILE, THEMED, DIP_SAMPLE, OBSERVATION or MULTI_AGENCY";
constexpr char kSources[] = "FAMILY, YOUNG_PERSON, PARTNER_AGENCY or STAFF";
constexpr char kGrades[] =
    "1 (outstanding), 2 (good), 3 (requires improvement) or 4 (inadequate)";
constexpr char kRatings[] = "a whole number from 1 (poor) to 5 (excellent)";
constexpr char kDomainForm[] =
    "DOMAIN=GRADE items separated by ';', e.g. "
    "VOICE_OF_THE_CHILD=2;PLANNING=3";

RecordError Error(absl::string_view field, std::string reason) {
  return RecordError{std::string(field), std::move(reason)};
}

// An id: 1-64 of letters, digits, '-', '_', '.', '/', ':'. Empty is an
// error only when `required`.
std::optional<RecordError> CheckId(absl::string_view field,
                                   absl::string_view id, bool required) {
  if (id.empty()) {
    if (required) return Error(field, absl::StrCat(field, " is required"));
    return std::nullopt;
  }
  if (id.size() > kMaxIdLength || !AllOf(id, "-_./:")) {
    return Error(field, absl::StrCat(field,
                                     " must be 1 to 64 characters, each a "
                                     "letter, a digit, '-', '_', '.', '/' "
                                     "or ':'"));
  }
  return std::nullopt;
}

// A name such as a team, an auditor or an owner: well-formed UTF-8, at most
// 100 characters, no control characters, no space at either end.
std::optional<RecordError> CheckName(absl::string_view field,
                                     absl::string_view text, bool required) {
  if (text.empty()) {
    if (required) return Error(field, absl::StrCat(field, " is required"));
    return std::nullopt;
  }
  const std::optional<size_t> chars = Utf8Length(text);
  if (!chars.has_value()) {
    return Error(field, absl::StrCat(field, " is not valid UTF-8"));
  }
  if (*chars > kMaxNameChars) {
    return Error(field, absl::StrCat(field, " is longer than ", kMaxNameChars,
                                     " characters"));
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return Error(field,
                   absl::StrCat(field, " must not contain control characters"));
    }
  }
  if (text.front() == ' ' || text.back() == ' ') {
    return Error(field,
                 absl::StrCat(field, " must not start or end with a space"));
  }
  return std::nullopt;
}

// Free text (findings, comment): well-formed UTF-8, at most 10,000 bytes.
// Never echoed.
std::optional<RecordError> CheckFreeText(absl::string_view field,
                                         absl::string_view text) {
  if (FindInvalidUtf8(text) != absl::string_view::npos) {
    return Error(field, absl::StrCat(field, " is not valid UTF-8"));
  }
  if (text.size() > kMaxFreeTextBytes) {
    return Error(field, absl::StrCat(field, " is longer than ",
                                     kMaxFreeTextBytes, " bytes"));
  }
  return std::nullopt;
}

std::variant<absl::CivilDay, RecordError> ParseDate(absl::string_view field,
                                                    absl::string_view text) {
  absl::StatusOr<absl::CivilDay> day = ParseIsoDate(text);
  if (!day.ok()) {
    return Error(
        field,
        absl::StrCat(field, " is not a valid date: ", day.status().message()));
  }
  return *day;
}

std::variant<absl::CivilDay, RecordError> RequiredDate(
    absl::string_view field, const std::optional<std::string>& value) {
  if (!value.has_value()) {
    return Error(field, absl::StrCat(field,
                                     " is required: a date of the form "
                                     "YYYY-MM-DD"));
  }
  return ParseDate(field, *value);
}

// An optional date column into `out`; an error when it is not a date.
std::optional<RecordError> OptionalDate(absl::string_view field,
                                        const std::optional<std::string>& value,
                                        std::optional<absl::CivilDay>* out) {
  if (!value.has_value()) return std::nullopt;
  std::variant<absl::CivilDay, RecordError> day = ParseDate(field, *value);
  if (auto* bad = std::get_if<RecordError>(&day)) return *bad;
  *out = std::get<absl::CivilDay>(day);
  return std::nullopt;
}

// No date of these records is before 2000-01-01.
std::optional<RecordError> CheckNotTooEarly(absl::string_view field,
                                            absl::CivilDay day) {
  if (day < kEarliestDay) {
    return Error(field, absl::StrCat(field, " is before 2000-01-01"));
  }
  return std::nullopt;
}

// A date of something that has happened: from 2000-01-01 to `today`.
std::optional<RecordError> CheckPastDate(absl::string_view field,
                                         absl::CivilDay day,
                                         absl::CivilDay today) {
  if (std::optional<RecordError> bad = CheckNotTooEarly(field, day)) {
    return bad;
  }
  if (day > today) {
    return Error(field, absl::StrCat(field,
                                     " is in the future (after the date the "
                                     "record was loaded)"));
  }
  return std::nullopt;
}

// A due date: from 2000-01-01 to five years after `today`.
std::optional<RecordError> CheckDueDate(absl::string_view field,
                                        absl::CivilDay day,
                                        absl::CivilDay today) {
  if (std::optional<RecordError> bad = CheckNotTooEarly(field, day)) {
    return bad;
  }
  if (day > AddMonthsClamped(today, 12 * kDueYearsAhead)) {
    return Error(field, absl::StrCat(field, " is more than ", kDueYearsAhead,
                                     " years after the date the record was "
                                     "loaded"));
  }
  return std::nullopt;
}

// A whole number of 1 to 9 digits in [low, high]; nullopt otherwise.
std::optional<int> ParseSmallNumber(absl::string_view text, int low, int high) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < low || value > high) return std::nullopt;
  return value;
}

bool IsGrade(Grade grade) {
  return grade >= kOutstanding && grade <= kInadequate;
}

// A grade column (grade, moderated_grade): 1 to 4.
std::variant<Grade, RecordError> ParseGrade(absl::string_view field,
                                            absl::string_view text) {
  const std::optional<int> grade =
      ParseSmallNumber(text, kOutstanding, kInadequate);
  if (!grade.has_value()) {
    return Error(field, absl::StrCat(field, QuoteCode(text), " is not one of ",
                                     kGrades));
  }
  return *grade;
}

// A domain code: 1-40 of A-Z, 0-9, '_'.
bool IsDomainCode(absl::string_view code) {
  if (code.empty() || code.size() > kMaxDomainLength) return false;
  for (const char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

RecordError BadDomainCode(size_t item) {
  return Error("domains",
               absl::StrCat("domains item ", item,
                            ": the domain must be a code of 1 to 40 "
                            "characters, each a capital letter, a digit or "
                            "'_', e.g. VOICE_OF_THE_CHILD"));
}

RecordError RepeatedDomain(absl::string_view code) {
  return Error("domains",
               absl::StrCat("domains names the domain", QuoteCode(code),
                            " more than once (each domain is "
                            "graded at most once)"));
}

// "CODE=G;CODE=G" in the order given; the codes and grades are checked
// item by item, a repeated domain refused.
std::variant<std::vector<DomainGrade>, RecordError> ParseDomains(
    absl::string_view text) {
  std::vector<DomainGrade> domains;
  absl::flat_hash_set<absl::string_view> seen;
  size_t item = 0;
  for (const absl::string_view part : absl::StrSplit(text, ';')) {
    ++item;
    if (part.empty()) {
      return Error("domains", absl::StrCat("domains item ", item,
                                           " is empty: write ", kDomainForm));
    }
    const size_t equals = part.find('=');
    if (equals == absl::string_view::npos) {
      return Error("domains",
                   absl::StrCat("domains item ", item,
                                " is not DOMAIN=GRADE: write ", kDomainForm));
    }
    const absl::string_view code = part.substr(0, equals);
    const absl::string_view grade_text = part.substr(equals + 1);
    if (!IsDomainCode(code)) return BadDomainCode(item);
    const std::optional<int> grade =
        ParseSmallNumber(grade_text, kOutstanding, kInadequate);
    if (!grade.has_value()) {
      return Error(
          "domains",
          absl::StrCat("domains item ", item, " (", code, "): the grade",
                       QuoteCode(grade_text), " is not one of ", kGrades));
    }
    if (!seen.insert(code).second) return RepeatedDomain(code);
    domains.push_back(DomainGrade{std::string(code), *grade});
  }
  return domains;
}

std::optional<RecordError> CheckDomains(
    const std::vector<DomainGrade>& domains) {
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < domains.size(); ++i) {
    const DomainGrade& d = domains[i];
    if (!IsDomainCode(d.domain)) return BadDomainCode(i + 1);
    if (!IsGrade(d.grade)) {
      return Error("domains",
                   absl::StrCat("domains item ", i + 1, " (", d.domain,
                                "): the grade is not one "
                                "of ",
                                kGrades));
    }
    if (!seen.insert(d.domain).second) return RepeatedDomain(d.domain);
  }
  return std::nullopt;
}

// The rules that tie the audit's columns together, each reported on the
// later column.
std::optional<RecordError> CheckThemeForType(const Audit& audit) {
  if (audit.type == AuditType::kThemed && audit.theme_id.empty()) {
    return Error("theme",
                 "theme is required for an audit of type THEMED (the "
                 "theme_id of its theme)");
  }
  return std::nullopt;
}

std::optional<RecordError> CheckModerator(const Audit& audit) {
  if (!audit.moderator.empty() && !audit.moderated_grade.has_value()) {
    return Error("moderator",
                 "moderator is given without moderated_grade (the "
                 "moderator's grade)");
  }
  return std::nullopt;
}

std::optional<RecordError> CheckReauditOf(const Audit& audit) {
  if (!audit.reaudit_of.empty() && audit.reaudit_of == audit.audit_id) {
    return Error("reaudit_of",
                 "reaudit_of is the audit's own audit_id (it names the "
                 "earlier audit this one re-audits)");
  }
  return std::nullopt;
}

std::optional<RecordError> CheckSampleForType(const Audit& audit) {
  if (!audit.sample_id.empty() && audit.type != AuditType::kDipSample) {
    return Error("sample_id",
                 absl::StrCat("sample_id is given for an audit of type ",
                              AuditTypeName(audit.type),
                              " (only DIP_SAMPLE audits have one)"));
  }
  return std::nullopt;
}

std::optional<RecordError> CheckCompletedAfterRaised(const Action& action) {
  if (action.completed_date.has_value() && action.raised_on.has_value() &&
      *action.completed_date < *action.raised_on) {
    return Error("completed_date", "completed_date is before raised_on");
  }
  return std::nullopt;
}

}  // namespace

const FeedSchema& AuditFeedSchema() {
  static const FeedSchema* const kSchema = new FeedSchema{
      {"audit_id", "child_id", "type", "theme", "team", "worker_id", "auditor",
       "audit_date", "grade", "moderated_grade", "moderator", "domains",
       "findings", "reaudit_of", "sample_id"},
      {"audit_id", "child_id", "type", "auditor", "audit_date", "grade"}};
  return *kSchema;
}

const FeedSchema& FeedbackFeedSchema() {
  static const FeedSchema* const kSchema = new FeedSchema{
      {"feedback_id", "source", "team", "received_on", "rating", "comment"},
      {"feedback_id", "source", "received_on", "rating"}};
  return *kSchema;
}

const FeedSchema& ActionFeedSchema() {
  static const FeedSchema* const kSchema =
      new FeedSchema{{"action_id", "origin_ref", "owner", "due_date",
                      "completed_date", "raised_on"},
                     {"action_id", "origin_ref", "owner", "due_date"}};
  return *kSchema;
}

std::variant<Audit, RecordError> ParseAuditRecord(const FeedRecord& record,
                                                  absl::CivilDay today) {
  if (record.values.size() != kAuditColumnCount) {
    return Error("", "the record was not read with the audits feed's columns");
  }
  const auto& values = record.values;
  // Each column is checked in the order of the schema, so that the first
  // fault of a record is the one reported.
  Audit audit;
  audit.audit_id = values[kAuditId].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("audit_id", audit.audit_id, /*required=*/true)) {
    return *bad;
  }
  audit.child_id = values[kChildId].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("child_id", audit.child_id, /*required=*/true)) {
    return *bad;
  }
  if (!values[kType].has_value()) {
    return Error("type", absl::StrCat("type is required: ", kTypes));
  }
  const std::optional<AuditType> type = ParseAuditType(*values[kType]);
  if (!type.has_value()) {
    return Error("type", absl::StrCat("type", QuoteCode(*values[kType]),
                                      " is not one of ", kTypes));
  }
  audit.type = *type;
  audit.theme_id = values[kTheme].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("theme", audit.theme_id, /*required=*/false)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = CheckThemeForType(audit)) return *bad;
  audit.team = values[kTeam].value_or("");
  if (std::optional<RecordError> bad =
          CheckName("team", audit.team, /*required=*/false)) {
    return *bad;
  }
  audit.worker_id = values[kWorkerId].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("worker_id", audit.worker_id, /*required=*/false)) {
    return *bad;
  }
  audit.auditor = values[kAuditor].value_or("");
  if (std::optional<RecordError> bad =
          CheckName("auditor", audit.auditor, /*required=*/true)) {
    return *bad;
  }
  std::variant<absl::CivilDay, RecordError> audit_date =
      RequiredDate("audit_date", values[kAuditDate]);
  if (auto* bad = std::get_if<RecordError>(&audit_date)) return *bad;
  audit.audit_date = std::get<absl::CivilDay>(audit_date);
  if (std::optional<RecordError> bad =
          CheckPastDate("audit_date", audit.audit_date, today)) {
    return *bad;
  }
  if (!values[kGrade].has_value()) {
    return Error("grade", absl::StrCat("grade is required: ", kGrades));
  }
  std::variant<Grade, RecordError> grade = ParseGrade("grade", *values[kGrade]);
  if (auto* bad = std::get_if<RecordError>(&grade)) return *bad;
  audit.grade = std::get<Grade>(grade);
  if (values[kModeratedGrade].has_value()) {
    std::variant<Grade, RecordError> moderated =
        ParseGrade("moderated_grade", *values[kModeratedGrade]);
    if (auto* bad = std::get_if<RecordError>(&moderated)) return *bad;
    audit.moderated_grade = std::get<Grade>(moderated);
  }
  audit.moderator = values[kModerator].value_or("");
  if (std::optional<RecordError> bad =
          CheckName("moderator", audit.moderator, /*required=*/false)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = CheckModerator(audit)) return *bad;
  if (values[kDomains].has_value()) {
    std::variant<std::vector<DomainGrade>, RecordError> domains =
        ParseDomains(*values[kDomains]);
    if (auto* bad = std::get_if<RecordError>(&domains)) return *bad;
    audit.domains = std::move(std::get<std::vector<DomainGrade>>(domains));
  }
  audit.findings = values[kFindings].value_or("");
  if (std::optional<RecordError> bad =
          CheckFreeText("findings", audit.findings)) {
    return *bad;
  }
  audit.reaudit_of = values[kReauditOf].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("reaudit_of", audit.reaudit_of, /*required=*/false)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = CheckReauditOf(audit)) return *bad;
  audit.sample_id = values[kSampleId].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("sample_id", audit.sample_id, /*required=*/false)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = CheckSampleForType(audit)) return *bad;
  if (std::optional<RecordError> bad = ValidateAudit(audit, today)) {
    return *bad;
  }
  return audit;
}

std::variant<Feedback, RecordError> ParseFeedbackRecord(
    const FeedRecord& record, absl::CivilDay today) {
  if (record.values.size() != kFeedbackColumnCount) {
    return Error("",
                 "the record was not read with the feedback feed's columns");
  }
  const auto& values = record.values;
  Feedback feedback;
  feedback.feedback_id = values[kFeedbackId].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("feedback_id", feedback.feedback_id, /*required=*/true)) {
    return *bad;
  }
  if (!values[kSource].has_value()) {
    return Error("source", absl::StrCat("source is required: ", kSources));
  }
  const std::optional<FeedbackSource> source =
      ParseFeedbackSource(*values[kSource]);
  if (!source.has_value()) {
    return Error("source", absl::StrCat("source", QuoteCode(*values[kSource]),
                                        " is not one of ", kSources));
  }
  feedback.source = *source;
  feedback.team = values[kFeedbackTeam].value_or("");
  if (std::optional<RecordError> bad =
          CheckName("team", feedback.team, /*required=*/false)) {
    return *bad;
  }
  std::variant<absl::CivilDay, RecordError> received =
      RequiredDate("received_on", values[kReceivedOn]);
  if (auto* bad = std::get_if<RecordError>(&received)) return *bad;
  feedback.received_on = std::get<absl::CivilDay>(received);
  if (std::optional<RecordError> bad =
          CheckPastDate("received_on", feedback.received_on, today)) {
    return *bad;
  }
  if (!values[kRating].has_value()) {
    return Error("rating", absl::StrCat("rating is required: ", kRatings));
  }
  const std::optional<int> rating =
      ParseSmallNumber(*values[kRating], kMinRating, kMaxRating);
  if (!rating.has_value()) {
    return Error("rating", absl::StrCat("rating", QuoteCode(*values[kRating]),
                                        " is not ", kRatings));
  }
  feedback.rating = *rating;
  feedback.comment = values[kComment].value_or("");
  if (std::optional<RecordError> bad =
          CheckFreeText("comment", feedback.comment)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = ValidateFeedback(feedback, today)) {
    return *bad;
  }
  return feedback;
}

std::variant<Action, RecordError> ParseActionRecord(const FeedRecord& record,
                                                    absl::CivilDay today) {
  if (record.values.size() != kActionColumnCount) {
    return Error("", "the record was not read with the actions feed's columns");
  }
  const auto& values = record.values;
  Action action;
  action.action_id = values[kActionId].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("action_id", action.action_id, /*required=*/true)) {
    return *bad;
  }
  action.origin_ref = values[kOriginRef].value_or("");
  if (std::optional<RecordError> bad =
          CheckId("origin_ref", action.origin_ref, /*required=*/true)) {
    return *bad;
  }
  action.owner = values[kOwner].value_or("");
  if (std::optional<RecordError> bad =
          CheckName("owner", action.owner, /*required=*/true)) {
    return *bad;
  }
  std::variant<absl::CivilDay, RecordError> due =
      RequiredDate("due_date", values[kDueDate]);
  if (auto* bad = std::get_if<RecordError>(&due)) return *bad;
  action.due_date = std::get<absl::CivilDay>(due);
  if (std::optional<RecordError> bad =
          CheckDueDate("due_date", action.due_date, today)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = OptionalDate(
          "completed_date", values[kCompletedDate], &action.completed_date)) {
    return *bad;
  }
  if (action.completed_date.has_value()) {
    if (std::optional<RecordError> bad =
            CheckPastDate("completed_date", *action.completed_date, today)) {
      return *bad;
    }
  }
  if (std::optional<RecordError> bad =
          OptionalDate("raised_on", values[kRaisedOn], &action.raised_on)) {
    return *bad;
  }
  if (action.raised_on.has_value()) {
    if (std::optional<RecordError> bad =
            CheckPastDate("raised_on", *action.raised_on, today)) {
      return *bad;
    }
  }
  if (std::optional<RecordError> bad = CheckCompletedAfterRaised(action)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = ValidateAction(action, today)) {
    return *bad;
  }
  return action;
}

std::optional<RecordError> ValidateTheme(const Theme& theme) {
  if (std::optional<RecordError> bad =
          CheckId("theme_id", theme.theme_id, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckName("name", theme.name, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckNotTooEarly("start_date", theme.start_date)) {
    return bad;
  }
  if (theme.end_date < theme.start_date) {
    return Error("end_date", "end_date is before start_date");
  }
  // Both days count: 1 Jan to 31 Dec of a leap year is 366 days.
  if (theme.end_date - theme.start_date + 1 > kMaxThemeDays) {
    return Error("end_date",
                 absl::StrCat("the theme is longer than ", kMaxThemeDays,
                              " days (start_date to end_date, "
                              "both included)"));
  }
  return std::nullopt;
}

std::optional<RecordError> ValidateAudit(const Audit& audit,
                                         absl::CivilDay today) {
  if (std::optional<RecordError> bad =
          CheckId("audit_id", audit.audit_id, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckId("child_id", audit.child_id, /*required=*/true)) {
    return bad;
  }
  if (AuditTypeName(audit.type).empty()) {
    return Error("type", absl::StrCat("type is required: ", kTypes));
  }
  if (std::optional<RecordError> bad =
          CheckId("theme", audit.theme_id, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckThemeForType(audit)) return bad;
  if (std::optional<RecordError> bad =
          CheckName("team", audit.team, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckId("worker_id", audit.worker_id, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckName("auditor", audit.auditor, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckPastDate("audit_date", audit.audit_date, today)) {
    return bad;
  }
  if (!IsGrade(audit.grade)) {
    return Error("grade", absl::StrCat("grade is not one of ", kGrades));
  }
  if (audit.moderated_grade.has_value() && !IsGrade(*audit.moderated_grade)) {
    return Error("moderated_grade",
                 absl::StrCat("moderated_grade is not one of ", kGrades));
  }
  if (std::optional<RecordError> bad =
          CheckName("moderator", audit.moderator, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckModerator(audit)) return bad;
  if (std::optional<RecordError> bad = CheckDomains(audit.domains)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckFreeText("findings", audit.findings)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckId("reaudit_of", audit.reaudit_of, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckReauditOf(audit)) return bad;
  if (std::optional<RecordError> bad =
          CheckId("sample_id", audit.sample_id, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckSampleForType(audit)) return bad;
  return std::nullopt;
}

std::optional<RecordError> ValidateFeedback(const Feedback& feedback,
                                            absl::CivilDay today) {
  if (std::optional<RecordError> bad =
          CheckId("feedback_id", feedback.feedback_id, /*required=*/true)) {
    return bad;
  }
  if (FeedbackSourceName(feedback.source).empty()) {
    return Error("source", absl::StrCat("source is required: ", kSources));
  }
  if (std::optional<RecordError> bad =
          CheckName("team", feedback.team, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckPastDate("received_on", feedback.received_on, today)) {
    return bad;
  }
  if (feedback.rating < kMinRating || feedback.rating > kMaxRating) {
    return Error("rating", absl::StrCat("rating is not ", kRatings));
  }
  if (std::optional<RecordError> bad =
          CheckFreeText("comment", feedback.comment)) {
    return bad;
  }
  return std::nullopt;
}

std::optional<RecordError> ValidateAction(const Action& action,
                                          absl::CivilDay today) {
  if (std::optional<RecordError> bad =
          CheckId("action_id", action.action_id, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckId("origin_ref", action.origin_ref, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckName("owner", action.owner, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckDueDate("due_date", action.due_date, today)) {
    return bad;
  }
  if (action.completed_date.has_value()) {
    if (std::optional<RecordError> bad =
            CheckPastDate("completed_date", *action.completed_date, today)) {
      return bad;
    }
  }
  if (action.raised_on.has_value()) {
    if (std::optional<RecordError> bad =
            CheckPastDate("raised_on", *action.raised_on, today)) {
      return bad;
    }
  }
  if (std::optional<RecordError> bad = CheckCompletedAfterRaised(action)) {
    return bad;
  }
  return std::nullopt;
}

}  // namespace sgm::qa
