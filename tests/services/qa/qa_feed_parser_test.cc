#include "services/qa/qa_feed_parser.h"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Day = absl::CivilDay;
using Fields = std::map<std::string, std::string>;

// "Today" for every test: Sunday 30 June 2024.
constexpr Day kToday(2024, 6, 30);

constexpr char kGrades[] =
    "1 (outstanding), 2 (good), 3 (requires improvement) or 4 (inadequate)";
constexpr char kIdRule[] =
    " must be 1 to 64 characters, each a letter, a digit, '-', '_', '.', '/' "
    "or ':'";
constexpr char kDomainCodeRule[] =
    ": the domain must be a code of 1 to 40 characters, each a capital "
    "letter, a digit or '_', e.g. VOICE_OF_THE_CHILD";
constexpr char kDomainForm[] =
    "DOMAIN=GRADE items separated by ';', e.g. "
    "VOICE_OF_THE_CHILD=2;PLANNING=3";

std::string Str(const char* a, const char* b) { return std::string(a) + b; }

// A record of `schema` holding `fields` (an empty value: left out); every
// field must be a column of the schema.
FeedRecord Record(const FeedSchema& schema, const Fields& fields) {
  FeedRecord record;
  record.line = 2;
  for (const std::string& column : schema.columns) {
    auto it = fields.find(column);
    if (it == fields.end() || it->second.empty()) {
      record.values.push_back(std::nullopt);
    } else {
      record.values.push_back(it->second);
    }
  }
  for (const auto& [name, value] : fields) {
    bool known = false;
    for (const std::string& column : schema.columns) known |= column == name;
    EXPECT_TRUE(known) << "no column " << name;
  }
  return record;
}

Fields With(Fields fields, const Fields& changes) {
  for (const auto& [name, value] : changes) fields[name] = value;
  return fields;
}

struct BadValue {
  std::string field;
  std::string value;
  std::string reason;
};

// ---------------------------------------------------------------------------
// Audits

const Fields kGoodAudit = {
    {"audit_id", "AUD-2024/001"},
    {"child_id", "CMS:12345"},
    {"type", "DIP_SAMPLE"},
    {"theme", "CP-2024"},
    {"team", "CP Team 1"},
    {"worker_id", "SW-001"},
    {"auditor", "Practice Lead 3"},
    {"audit_date", "2024-06-14"},
    {"grade", "3"},
    {"moderated_grade", "2"},
    {"moderator", "Head of QA"},
    {"domains", "VOICE_OF_THE_CHILD=2;PLANNING=3;MANAGEMENT_OVERSIGHT=4"},
    {"findings", "Mrs Smith's plan lacked detail.\nSee notes."},
    {"reaudit_of", "AUD-2023/117"},
    {"sample_id", "DS-2024-05"}};

const Fields kMinimalAudit = {
    {"audit_id", "A1"},     {"child_id", "C1"},           {"type", "CASE_FILE"},
    {"auditor", "Auditor"}, {"audit_date", "2024-06-01"}, {"grade", "1"}};

std::variant<Audit, RecordError> ParseAudit(const Fields& changes,
                                            Day today = kToday) {
  return ParseAuditRecord(Record(AuditFeedSchema(), With(kGoodAudit, changes)),
                          today);
}

// The audit of a record that must be accepted.
Audit GoodAudit(const Fields& changes) {
  std::variant<Audit, RecordError> parsed = ParseAudit(changes);
  EXPECT_TRUE(std::holds_alternative<Audit>(parsed))
      << std::get<RecordError>(parsed).field << ": "
      << std::get<RecordError>(parsed).reason;
  if (auto* a = std::get_if<Audit>(&parsed)) return *a;
  return {};
}

// The error of a record that must be rejected.
RecordError AuditError(const Fields& changes) {
  std::variant<Audit, RecordError> parsed = ParseAudit(changes);
  EXPECT_TRUE(std::holds_alternative<RecordError>(parsed));
  if (auto* e = std::get_if<RecordError>(&parsed)) return *e;
  return {};
}

// ---------------------------------------------------------------------------
// Feedback

const Fields kGoodFeedback = {{"feedback_id", "FB-2024-06-001"},
                              {"source", "YOUNG_PERSON"},
                              {"team", "CIC 2"},
                              {"received_on", "2024-06-30"},
                              {"rating", "5"},
                              {"comment", "My social worker listens to me."}};

std::variant<Feedback, RecordError> ParseFeedback(const Fields& changes) {
  return ParseFeedbackRecord(
      Record(FeedbackFeedSchema(), With(kGoodFeedback, changes)), kToday);
}

RecordError FeedbackError(const Fields& changes) {
  std::variant<Feedback, RecordError> parsed = ParseFeedback(changes);
  EXPECT_TRUE(std::holds_alternative<RecordError>(parsed));
  if (auto* e = std::get_if<RecordError>(&parsed)) return *e;
  return {};
}

// ---------------------------------------------------------------------------
// Actions

const Fields kGoodAction = {
    {"action_id", "ACT-17"},          {"origin_ref", "AUD-2024/001"},
    {"owner", "CP Team 1 manager"},   {"due_date", "2024-09-30"},
    {"completed_date", "2024-06-20"}, {"raised_on", "2024-05-01"}};

std::variant<Action, RecordError> ParseAction(const Fields& changes,
                                              Day today = kToday) {
  return ParseActionRecord(
      Record(ActionFeedSchema(), With(kGoodAction, changes)), today);
}

RecordError ActionError(const Fields& changes, Day today = kToday) {
  std::variant<Action, RecordError> parsed = ParseAction(changes, today);
  EXPECT_TRUE(std::holds_alternative<RecordError>(parsed));
  if (auto* e = std::get_if<RecordError>(&parsed)) return *e;
  return {};
}

// ---------------------------------------------------------------------------
// Schemas

TEST(QaFeedParserTest, SchemasHaveTheDesignColumns) {
  EXPECT_EQ(
      AuditFeedSchema().columns,
      (std::vector<std::string>{"audit_id", "child_id", "type", "theme", "team",
                                "worker_id", "auditor", "audit_date", "grade",
                                "moderated_grade", "moderator", "domains",
                                "findings", "reaudit_of", "sample_id"}));
  EXPECT_EQ(AuditFeedSchema().required,
            (std::vector<std::string>{"audit_id", "child_id", "type", "auditor",
                                      "audit_date", "grade"}));
  EXPECT_EQ(FeedbackFeedSchema().columns,
            (std::vector<std::string>{"feedback_id", "source", "team",
                                      "received_on", "rating", "comment"}));
  EXPECT_EQ(FeedbackFeedSchema().required,
            (std::vector<std::string>{"feedback_id", "source", "received_on",
                                      "rating"}));
  EXPECT_EQ(
      ActionFeedSchema().columns,
      (std::vector<std::string>{"action_id", "origin_ref", "owner", "due_date",
                                "completed_date", "raised_on"}));
  EXPECT_EQ(ActionFeedSchema().required,
            (std::vector<std::string>{"action_id", "origin_ref", "owner",
                                      "due_date"}));
}

TEST(QaFeedParserTest, ReadsACsvFileThroughTheSchema) {
  // The design's ten audit columns only, in another order, with a quoted
  // team holding a comma.
  FeedReader reader(FeedFormat::kCsv, AuditFeedSchema());
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  ASSERT_TRUE(reader
                  .Feed("grade,audit_id,child_id,type,theme,team,worker_id,"
                        "auditor,audit_date,moderated_grade\n"
                        "2,A7,C9,THEMED,CP-2024,\"CP, Team 2\",,J Bloggs,"
                        "2024-05-02,\n",
                        &records, &errors)
                  .ok());
  ASSERT_TRUE(reader.Finish(&records, &errors).ok());
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(records.size(), 1u);
  std::variant<Audit, RecordError> parsed =
      ParseAuditRecord(records[0], kToday);
  ASSERT_TRUE(std::holds_alternative<Audit>(parsed))
      << std::get<RecordError>(parsed).reason;
  const Audit& a = std::get<Audit>(parsed);
  EXPECT_EQ(a.audit_id, "A7");
  EXPECT_EQ(a.child_id, "C9");
  EXPECT_EQ(a.type, AuditType::kThemed);
  EXPECT_EQ(a.theme_id, "CP-2024");
  EXPECT_EQ(a.team, "CP, Team 2");
  EXPECT_EQ(a.worker_id, "");
  EXPECT_EQ(a.auditor, "J Bloggs");
  EXPECT_EQ(a.audit_date, Day(2024, 5, 2));
  EXPECT_EQ(a.grade, kGood);
  EXPECT_EQ(a.moderated_grade, std::nullopt);
  EXPECT_TRUE(a.domains.empty());
}

TEST(QaFeedParserTest, ARecordOfAnotherSchemaIsRefused) {
  const RecordError audit = std::get<RecordError>(
      ParseAuditRecord(Record(FeedbackFeedSchema(), kGoodFeedback), kToday));
  EXPECT_EQ(audit.field, "");
  EXPECT_EQ(audit.reason,
            "the record was not read with the audits feed's columns");
  const RecordError feedback = std::get<RecordError>(
      ParseFeedbackRecord(Record(AuditFeedSchema(), kGoodAudit), kToday));
  EXPECT_EQ(feedback.field, "");
  EXPECT_EQ(feedback.reason,
            "the record was not read with the feedback feed's columns");
  const RecordError action = std::get<RecordError>(
      ParseActionRecord(Record(AuditFeedSchema(), kGoodAudit), kToday));
  EXPECT_EQ(action.field, "");
  EXPECT_EQ(action.reason,
            "the record was not read with the actions feed's columns");
}

// ---------------------------------------------------------------------------
// Names of the codes

TEST(QaFeedParserTest, CodesRoundTrip) {
  for (const AuditType t :
       {AuditType::kCaseFile, AuditType::kThemed, AuditType::kDipSample,
        AuditType::kObservation, AuditType::kMultiAgency}) {
    EXPECT_EQ(ParseAuditType(AuditTypeName(t)), t);
  }
  EXPECT_EQ(AuditTypeName(AuditType::kCaseFile), "CASE_FILE");
  EXPECT_EQ(AuditTypeName(AuditType::kThemed), "THEMED");
  EXPECT_EQ(AuditTypeName(AuditType::kDipSample), "DIP_SAMPLE");
  EXPECT_EQ(AuditTypeName(AuditType::kObservation), "OBSERVATION");
  EXPECT_EQ(AuditTypeName(AuditType::kMultiAgency), "MULTI_AGENCY");
  EXPECT_EQ(AuditTypeName(static_cast<AuditType>(9)), "");
  EXPECT_EQ(ParseAuditType("case_file"), std::nullopt);
  EXPECT_EQ(ParseAuditType(""), std::nullopt);
  EXPECT_EQ(ParseAuditType("AUDIT_TYPE_THEMED"), std::nullopt);

  for (const FeedbackSource s :
       {FeedbackSource::kFamily, FeedbackSource::kYoungPerson,
        FeedbackSource::kPartnerAgency, FeedbackSource::kStaff}) {
    EXPECT_EQ(ParseFeedbackSource(FeedbackSourceName(s)), s);
  }
  EXPECT_EQ(FeedbackSourceName(FeedbackSource::kFamily), "FAMILY");
  EXPECT_EQ(FeedbackSourceName(FeedbackSource::kYoungPerson), "YOUNG_PERSON");
  EXPECT_EQ(FeedbackSourceName(FeedbackSource::kPartnerAgency),
            "PARTNER_AGENCY");
  EXPECT_EQ(FeedbackSourceName(FeedbackSource::kStaff), "STAFF");
  EXPECT_EQ(FeedbackSourceName(static_cast<FeedbackSource>(9)), "");
  EXPECT_EQ(ParseFeedbackSource("Family"), std::nullopt);
  EXPECT_EQ(ParseFeedbackSource("PARENT"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Audits

TEST(QaFeedParserTest, AuditFullRecord) {
  const Audit a = GoodAudit({});
  EXPECT_EQ(a.audit_id, "AUD-2024/001");
  EXPECT_EQ(a.child_id, "CMS:12345");
  EXPECT_EQ(a.type, AuditType::kDipSample);
  EXPECT_EQ(a.theme_id, "CP-2024");
  EXPECT_EQ(a.team, "CP Team 1");
  EXPECT_EQ(a.worker_id, "SW-001");
  EXPECT_EQ(a.auditor, "Practice Lead 3");
  EXPECT_EQ(a.audit_date, Day(2024, 6, 14));
  EXPECT_EQ(a.grade, kRequiresImprovement);
  EXPECT_EQ(a.moderated_grade, kGood);
  EXPECT_EQ(a.EffectiveGrade(), kGood);
  EXPECT_EQ(a.moderator, "Head of QA");
  EXPECT_EQ(a.domains,
            (std::vector<DomainGrade>{{"VOICE_OF_THE_CHILD", kGood},
                                      {"PLANNING", kRequiresImprovement},
                                      {"MANAGEMENT_OVERSIGHT", kInadequate}}));
  EXPECT_EQ(a.findings, "Mrs Smith's plan lacked detail.\nSee notes.");
  EXPECT_EQ(a.reaudit_of, "AUD-2023/117");
  EXPECT_EQ(a.sample_id, "DS-2024-05");
}

TEST(QaFeedParserTest, AuditMinimalRecord) {
  std::variant<Audit, RecordError> parsed =
      ParseAuditRecord(Record(AuditFeedSchema(), kMinimalAudit), kToday);
  ASSERT_TRUE(std::holds_alternative<Audit>(parsed))
      << std::get<RecordError>(parsed).reason;
  const Audit& a = std::get<Audit>(parsed);
  EXPECT_EQ(a.audit_id, "A1");
  EXPECT_EQ(a.child_id, "C1");
  EXPECT_EQ(a.type, AuditType::kCaseFile);
  EXPECT_EQ(a.auditor, "Auditor");
  EXPECT_EQ(a.audit_date, Day(2024, 6, 1));
  EXPECT_EQ(a.grade, kOutstanding);
  EXPECT_EQ(a.EffectiveGrade(), kOutstanding);
  EXPECT_EQ(a.theme_id, "");
  EXPECT_EQ(a.team, "");
  EXPECT_EQ(a.worker_id, "");
  EXPECT_EQ(a.moderated_grade, std::nullopt);
  EXPECT_EQ(a.moderator, "");
  EXPECT_TRUE(a.domains.empty());
  EXPECT_EQ(a.findings, "");
  EXPECT_EQ(a.reaudit_of, "");
  EXPECT_EQ(a.sample_id, "");
  EXPECT_EQ(ValidateAudit(a, kToday), std::nullopt);
}

TEST(QaFeedParserTest, AuditEveryTypeAndGrade) {
  // A theme may be given with any type; only THEMED needs one.
  for (const char* type :
       {"CASE_FILE", "THEMED", "OBSERVATION", "MULTI_AGENCY"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(GoodAudit({{"type", type}, {"sample_id", ""}}).type,
              ParseAuditType(type));
  }
  EXPECT_EQ(GoodAudit({{"grade", "1"}}).grade, 1);
  EXPECT_EQ(GoodAudit({{"grade", "4"}}).grade, 4);
  EXPECT_EQ(GoodAudit({{"moderated_grade", "1"}}).moderated_grade, 1);
  EXPECT_EQ(GoodAudit({{"moderated_grade", "4"}}).moderated_grade, 4);
  // The moderator's grade may be worse than the auditor's; it is the one
  // the figures use.
  const Audit worse = GoodAudit({{"grade", "2"}, {"moderated_grade", "4"}});
  EXPECT_EQ(worse.grade, kGood);
  EXPECT_EQ(worse.EffectiveGrade(), kInadequate);
}

TEST(QaFeedParserTest, AuditRequiredFieldsMissing) {
  const std::map<std::string, std::string> expected = {
      {"audit_id", "audit_id is required"},
      {"child_id", "child_id is required"},
      {"type",
       "type is required: CASE_FILE, THEMED, DIP_SAMPLE, OBSERVATION or "
       "MULTI_AGENCY"},
      {"auditor", "auditor is required"},
      {"audit_date", "audit_date is required: a date of the form YYYY-MM-DD"},
      {"grade", Str("grade is required: ", kGrades)},
  };
  ASSERT_EQ(expected.size(), AuditFeedSchema().required.size());
  for (const std::string& field : AuditFeedSchema().required) {
    SCOPED_TRACE(field);
    const RecordError e = AuditError({{field, ""}});
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.reason, expected.at(field));
  }
}

TEST(QaFeedParserTest, AuditBadValues) {
  const std::vector<BadValue> cases = {
      {"audit_id", std::string(65, 'a'), Str("audit_id", kIdRule)},
      {"audit_id", "A 1", Str("audit_id", kIdRule)},
      {"child_id", "C#1", Str("child_id", kIdRule)},
      {"child_id", "Jane Doe", Str("child_id", kIdRule)},
      {"type", "AUDIT",
       "type 'AUDIT' is not one of CASE_FILE, THEMED, DIP_SAMPLE, "
       "OBSERVATION or MULTI_AGENCY"},
      {"type", "case_file",
       "type 'case_file' is not one of CASE_FILE, THEMED, DIP_SAMPLE, "
       "OBSERVATION or MULTI_AGENCY"},
      {"type", "DIP SAMPLE",
       "type is not one of CASE_FILE, THEMED, DIP_SAMPLE, OBSERVATION or "
       "MULTI_AGENCY"},
      {"theme", "CP 2024", Str("theme", kIdRule)},
      {"team", std::string(101, 'T'), "team is longer than 100 characters"},
      {"team", "CP\tTeam", "team must not contain control characters"},
      {"team", "CP Team ", "team must not start or end with a space"},
      {"team", "\xC3\x28", "team is not valid UTF-8"},
      {"worker_id", "SW 1", Str("worker_id", kIdRule)},
      {"auditor", " J Bloggs", "auditor must not start or end with a space"},
      {"auditor", "J\x7F", "auditor must not contain control characters"},
      {"audit_date", "14/06/2024",
       "audit_date is not a valid date: not a date of the form YYYY-MM-DD"},
      {"audit_date", "2023-02-29",
       "audit_date is not a valid date: no such day (that month has 28 "
       "days)"},
      {"grade", "0", Str("grade '0' is not one of ", kGrades)},
      {"grade", "5", Str("grade '5' is not one of ", kGrades)},
      {"grade", "-1", Str("grade '-1' is not one of ", kGrades)},
      {"grade", "2.0", Str("grade '2.0' is not one of ", kGrades)},
      {"grade", "good", Str("grade 'good' is not one of ", kGrades)},
      {"grade", " 2", Str("grade is not one of ", kGrades)},
      {"moderated_grade", "5",
       Str("moderated_grade '5' is not one of ", kGrades)},
      {"moderated_grade", "x",
       Str("moderated_grade 'x' is not one of ", kGrades)},
      {"moderator", std::string(101, 'm'),
       "moderator is longer than 100 characters"},
      {"reaudit_of", "AUD 1", Str("reaudit_of", kIdRule)},
      {"sample_id", std::string(65, 's'), Str("sample_id", kIdRule)},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value);
    const RecordError e = AuditError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
}

TEST(QaFeedParserTest, AuditIdsAndNamesAtTheirLimits) {
  // 64 characters of every allowed kind; ':' and '/' are allowed.
  const std::string id64 = "aZ09-_./:" + std::string(55, 'x');
  ASSERT_EQ(id64.size(), 64u);
  const Audit a = GoodAudit({{"audit_id", id64},
                             {"child_id", id64},
                             {"theme", id64},
                             {"worker_id", id64},
                             {"sample_id", id64}});
  EXPECT_EQ(a.audit_id, id64);
  EXPECT_EQ(a.sample_id, id64);
  // 100 characters of 2-byte UTF-8 (200 bytes) is within the limit of 100
  // characters; 101 is not.
  std::string e_acute_100;
  for (int i = 0; i < 100; ++i) e_acute_100 += "\xC3\xA9";
  EXPECT_EQ(GoodAudit({{"auditor", e_acute_100}}).auditor, e_acute_100);
  const RecordError e = AuditError({{"auditor", e_acute_100 + "\xC3\xA9"}});
  EXPECT_EQ(e.field, "auditor");
  EXPECT_EQ(e.reason, "auditor is longer than 100 characters");
}

TEST(QaFeedParserTest, AuditDateLimits) {
  // Today (30 Jun 2024) is the latest audit_date; 1 Jul is in the future.
  EXPECT_EQ(GoodAudit({{"audit_date", "2024-06-30"}}).audit_date,
            Day(2024, 6, 30));
  RecordError e = AuditError({{"audit_date", "2024-07-01"}});
  EXPECT_EQ(e.field, "audit_date");
  EXPECT_EQ(e.reason,
            "audit_date is in the future (after the date the record was "
            "loaded)");
  // 1 Jan 2000 is the earliest; 31 Dec 1999 is refused.
  EXPECT_EQ(GoodAudit({{"audit_date", "2000-01-01"}}).audit_date,
            Day(2000, 1, 1));
  e = AuditError({{"audit_date", "1999-12-31"}});
  EXPECT_EQ(e.field, "audit_date");
  EXPECT_EQ(e.reason, "audit_date is before 2000-01-01");
  // Today decides: with today 1 Jul, 1 Jul is accepted.
  EXPECT_TRUE(std::holds_alternative<Audit>(
      ParseAudit({{"audit_date", "2024-07-01"}}, Day(2024, 7, 1))));
}

TEST(QaFeedParserTest, AuditDomains) {
  // Left out: no domains.
  EXPECT_TRUE(GoodAudit({{"domains", ""}}).domains.empty());
  // One domain.
  EXPECT_EQ(GoodAudit({{"domains", "PLANNING=1"}}).domains,
            (std::vector<DomainGrade>{{"PLANNING", kOutstanding}}));
  // Kept in the order given, not sorted; digits allowed in a code.
  EXPECT_EQ(
      GoodAudit({{"domains", "Z_LAST=1;A_FIRST=4;S47_QUALITY=2"}}).domains,
      (std::vector<DomainGrade>{{"Z_LAST", kOutstanding},
                                {"A_FIRST", kInadequate},
                                {"S47_QUALITY", kGood}}));
  // Different domains with the same grade are fine.
  EXPECT_EQ(GoodAudit({{"domains", "A=2;B=2"}}).domains.size(), 2u);
  // A code of 40 characters is the longest.
  const std::string code40(40, 'D');
  EXPECT_EQ(GoodAudit({{"domains", code40 + "=3"}}).domains,
            (std::vector<DomainGrade>{{code40, kRequiresImprovement}}));
}

TEST(QaFeedParserTest, AuditBadDomains) {
  const std::vector<BadValue> cases = {
      {"domains", "PLANNING=2;",
       Str("domains item 2 is empty: write ", kDomainForm)},
      {"domains", ";PLANNING=2",
       Str("domains item 1 is empty: write ", kDomainForm)},
      {"domains", "A=1;;B=2",
       Str("domains item 2 is empty: write ", kDomainForm)},
      {"domains", ";", Str("domains item 1 is empty: write ", kDomainForm)},
      {"domains", "PLANNING",
       Str("domains item 1 is not DOMAIN=GRADE: write ", kDomainForm)},
      {"domains", "A=1;PLANNING:2",
       Str("domains item 2 is not DOMAIN=GRADE: write ", kDomainForm)},
      {"domains", "planning=2", Str("domains item 1", kDomainCodeRule)},
      {"domains", "=2", Str("domains item 1", kDomainCodeRule)},
      {"domains", "A=1; PLANNING=2", Str("domains item 2", kDomainCodeRule)},
      {"domains", "VOICE-OF-CHILD=2", Str("domains item 1", kDomainCodeRule)},
      {"domains", std::string(41, 'D') + "=2",
       Str("domains item 1", kDomainCodeRule)},
      {"domains", "A=1;PLANNING=5",
       Str("domains item 2 (PLANNING): the grade '5' is not one of ", kGrades)},
      {"domains", "PLANNING=0",
       Str("domains item 1 (PLANNING): the grade '0' is not one of ", kGrades)},
      {"domains", "PLANNING=",
       Str("domains item 1 (PLANNING): the grade is not one of ", kGrades)},
      {"domains", "PLANNING=2=3",
       Str("domains item 1 (PLANNING): the grade is not one of ", kGrades)},
      {"domains", "PLANNING= 2",
       Str("domains item 1 (PLANNING): the grade is not one of ", kGrades)},
      {"domains", "PLANNING=2;VOICE=1;PLANNING=3",
       "domains names the domain 'PLANNING' more than once (each domain is "
       "graded at most once)"},
      {"domains", "PLANNING=2;PLANNING=2",
       "domains names the domain 'PLANNING' more than once (each domain is "
       "graded at most once)"},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value);
    const RecordError e = AuditError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
}

TEST(QaFeedParserTest, AuditThemedNeedsATheme) {
  const RecordError e =
      AuditError({{"type", "THEMED"}, {"theme", ""}, {"sample_id", ""}});
  EXPECT_EQ(e.field, "theme");
  EXPECT_EQ(e.reason,
            "theme is required for an audit of type THEMED (the theme_id of "
            "its theme)");
  // Other types need none.
  EXPECT_EQ(GoodAudit({{"type", "CASE_FILE"}, {"theme", ""}, {"sample_id", ""}})
                .theme_id,
            "");
}

TEST(QaFeedParserTest, AuditSampleIdOnlyForDipSamples) {
  const RecordError e = AuditError({{"type", "CASE_FILE"}});
  EXPECT_EQ(e.field, "sample_id");
  EXPECT_EQ(e.reason,
            "sample_id is given for an audit of type CASE_FILE (only "
            "DIP_SAMPLE audits have one)");
  EXPECT_EQ(AuditError({{"type", "THEMED"}}).field, "sample_id");
  // A DIP_SAMPLE audit may leave it out.
  EXPECT_EQ(GoodAudit({{"sample_id", ""}}).sample_id, "");
}

TEST(QaFeedParserTest, AuditReauditOfItself) {
  const RecordError e =
      AuditError({{"audit_id", "AUD-9"}, {"reaudit_of", "AUD-9"}});
  EXPECT_EQ(e.field, "reaudit_of");
  EXPECT_EQ(e.reason,
            "reaudit_of is the audit's own audit_id (it names the earlier "
            "audit this one re-audits)");
  // Ids are compared exactly: another audit differing only in case is fine.
  EXPECT_EQ(
      GoodAudit({{"audit_id", "AUD-9"}, {"reaudit_of", "aud-9"}}).reaudit_of,
      "aud-9");
}

TEST(QaFeedParserTest, AuditModeration) {
  // A moderator without a moderated grade is refused, on "moderator".
  const RecordError e = AuditError({{"moderated_grade", ""}});
  EXPECT_EQ(e.field, "moderator");
  EXPECT_EQ(e.reason,
            "moderator is given without moderated_grade (the moderator's "
            "grade)");
  // A moderated grade without a moderator is allowed in feeds.
  const Audit a = GoodAudit({{"moderator", ""}});
  EXPECT_EQ(a.moderated_grade, kGood);
  EXPECT_EQ(a.moderator, "");
  // Neither: not moderated; the auditor's grade counts.
  const Audit b = GoodAudit({{"moderator", ""}, {"moderated_grade", ""}});
  EXPECT_EQ(b.moderated_grade, std::nullopt);
  EXPECT_EQ(b.EffectiveGrade(), kRequiresImprovement);
}

TEST(QaFeedParserTest, AuditFindings) {
  // Exactly 10,000 bytes is accepted; 10,001 is not.
  EXPECT_EQ(GoodAudit({{"findings", std::string(10000, 'f')}}).findings.size(),
            10000u);
  RecordError e = AuditError({{"findings", std::string(10001, 'f')}});
  EXPECT_EQ(e.field, "findings");
  EXPECT_EQ(e.reason, "findings is longer than 10000 bytes");
  e = AuditError({{"findings", "Seen \xFF alone"}});
  EXPECT_EQ(e.field, "findings");
  EXPECT_EQ(e.reason, "findings is not valid UTF-8");
  // Line breaks and tabs are fine in free text.
  EXPECT_EQ(GoodAudit({{"findings", "a\tb\r\nc"}}).findings, "a\tb\r\nc");
}

TEST(QaFeedParserTest, AuditReasonsNeverEchoFreeText) {
  RecordError e = AuditError({{"type", "Mrs Smith, case file"}});
  EXPECT_EQ(e.field, "type");
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
  e = AuditError({{"findings", "Smith " + std::string(10000, 'x')}});
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
  e = AuditError({{"child_id", "Jane Smith"}});
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
  e = AuditError({{"auditor", "Jane Smith "}});
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
  e = AuditError({{"domains", "PLANNING=Jane Smith"}});
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
  e = AuditError({{"domains", "Jane Smith=2"}});
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
}

TEST(QaFeedParserTest, AuditFirstFaultInColumnOrder) {
  // audit_id comes before grade in the schema.
  EXPECT_EQ(AuditError({{"audit_id", "A 1"}, {"grade", "9"}}).field,
            "audit_id");
  EXPECT_EQ(AuditError({{"team", " x"}, {"audit_date", "2030-01-01"}}).field,
            "team");
}

TEST(QaFeedParserTest, ValidateAuditChecksValuesFromRpcs) {
  const Audit good = GoodAudit({});
  EXPECT_EQ(ValidateAudit(good, kToday), std::nullopt);
  Audit bad = good;
  bad.grade = 0;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "grade");
  EXPECT_EQ(ValidateAudit(bad, kToday)->reason,
            Str("grade is not one of ", kGrades));
  bad = good;
  bad.grade = 5;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "grade");
  bad = good;
  bad.moderated_grade = 5;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "moderated_grade");
  bad = good;
  bad.moderated_grade = std::nullopt;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "moderator");
  bad = good;
  bad.type = static_cast<AuditType>(9);
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "type");
  bad = good;
  bad.type = AuditType::kThemed;
  bad.theme_id = "";
  bad.sample_id = "";
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "theme");
  bad = good;
  bad.type = AuditType::kObservation;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "sample_id");
  bad = good;
  bad.reaudit_of = good.audit_id;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "reaudit_of");
  bad = good;
  bad.audit_date = kToday + 1;
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "audit_date");
  bad = good;
  bad.audit_date = Day(1999, 12, 31);
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "audit_date");
  bad = good;
  bad.auditor = "";
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "auditor");
  bad = good;
  bad.child_id = "";
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "child_id");
  bad = good;
  bad.findings = std::string(10001, 'f');
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "findings");

  // Domains: a repeated domain, a bad code, a grade out of range.
  bad = good;
  bad.domains = {{"PLANNING", 2}, {"PLANNING", 3}};
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "domains");
  EXPECT_EQ(ValidateAudit(bad, kToday)->reason,
            "domains names the domain 'PLANNING' more than once (each domain "
            "is graded at most once)");
  bad.domains = {{"PLANNING", 2}, {"voice", 3}};
  EXPECT_EQ(ValidateAudit(bad, kToday)->reason,
            Str("domains item 2", kDomainCodeRule));
  bad.domains = {{"", 2}};
  EXPECT_EQ(ValidateAudit(bad, kToday)->reason,
            Str("domains item 1", kDomainCodeRule));
  bad.domains = {{"PLANNING", 0}};
  EXPECT_EQ(
      ValidateAudit(bad, kToday)->reason,
      Str("domains item 1 (PLANNING): the grade is not one of ", kGrades));
  bad.domains = {{"PLANNING", 5}};
  EXPECT_EQ(ValidateAudit(bad, kToday)->field, "domains");
  Audit ok = good;
  ok.domains.clear();
  EXPECT_EQ(ValidateAudit(ok, kToday), std::nullopt);
}

// ---------------------------------------------------------------------------
// Themes

TEST(QaFeedParserTest, ValidateTheme) {
  // Spanning a year end: 1 Dec 2023 to 31 Jan 2024.
  const Theme theme{"CP-2023/24", "Child Protection", Day(2023, 12, 1),
                    Day(2024, 1, 31)};
  EXPECT_EQ(ValidateTheme(theme), std::nullopt);
  // One day.
  Theme t = theme;
  t.end_date = t.start_date;
  EXPECT_EQ(ValidateTheme(t), std::nullopt);
  // 366 days, both included: 1 Mar 2023 to 29 Feb 2024 (a leap year).
  t = theme;
  t.start_date = Day(2023, 3, 1);
  t.end_date = Day(2024, 2, 29);
  EXPECT_EQ(ValidateTheme(t), std::nullopt);
  // 367 days: to 1 Mar 2024.
  t.end_date = Day(2024, 3, 1);
  ASSERT_NE(ValidateTheme(t), std::nullopt);
  EXPECT_EQ(ValidateTheme(t)->field, "end_date");
  EXPECT_EQ(ValidateTheme(t)->reason,
            "the theme is longer than 366 days (start_date to end_date, both "
            "included)");
  // 367 days across a year end: 1 Jan 2024 to 1 Jan 2025.
  t.start_date = Day(2024, 1, 1);
  t.end_date = Day(2025, 1, 1);
  EXPECT_EQ(ValidateTheme(t)->field, "end_date");
  // End before start.
  t = theme;
  t.end_date = Day(2023, 11, 30);
  ASSERT_NE(ValidateTheme(t), std::nullopt);
  EXPECT_EQ(ValidateTheme(t)->field, "end_date");
  EXPECT_EQ(ValidateTheme(t)->reason, "end_date is before start_date");
  // Before 2000.
  t = theme;
  t.start_date = Day(1999, 12, 31);
  t.end_date = Day(2000, 1, 31);
  EXPECT_EQ(ValidateTheme(t)->field, "start_date");
  EXPECT_EQ(ValidateTheme(t)->reason, "start_date is before 2000-01-01");
  // Id and name.
  t = theme;
  t.theme_id = "";
  EXPECT_EQ(ValidateTheme(t)->field, "theme_id");
  EXPECT_EQ(ValidateTheme(t)->reason, "theme_id is required");
  t.theme_id = "CP 2024";
  EXPECT_EQ(ValidateTheme(t)->reason, Str("theme_id", kIdRule));
  t = theme;
  t.name = "";
  EXPECT_EQ(ValidateTheme(t)->field, "name");
  EXPECT_EQ(ValidateTheme(t)->reason, "name is required");
  t.name = std::string(101, 'n');
  EXPECT_EQ(ValidateTheme(t)->reason, "name is longer than 100 characters");
  t.name = std::string(100, 'n');
  EXPECT_EQ(ValidateTheme(t), std::nullopt);
  t.name = "Child\nProtection";
  EXPECT_EQ(ValidateTheme(t)->reason,
            "name must not contain control characters");
}

// ---------------------------------------------------------------------------
// Feedback

TEST(QaFeedParserTest, FeedbackFullRecord) {
  std::variant<Feedback, RecordError> parsed = ParseFeedback({});
  ASSERT_TRUE(std::holds_alternative<Feedback>(parsed))
      << std::get<RecordError>(parsed).reason;
  const Feedback& f = std::get<Feedback>(parsed);
  EXPECT_EQ(f.feedback_id, "FB-2024-06-001");
  EXPECT_EQ(f.source, FeedbackSource::kYoungPerson);
  EXPECT_EQ(f.team, "CIC 2");
  // Today is the latest day it may have been received.
  EXPECT_EQ(f.received_on, Day(2024, 6, 30));
  EXPECT_EQ(f.rating, 5);
  EXPECT_EQ(f.comment, "My social worker listens to me.");
}

TEST(QaFeedParserTest, FeedbackMinimalRecord) {
  std::variant<Feedback, RecordError> parsed =
      ParseFeedback({{"team", ""},
                     {"comment", ""},
                     {"source", "PARTNER_AGENCY"},
                     {"received_on", "2000-01-01"},
                     {"rating", "1"}});
  ASSERT_TRUE(std::holds_alternative<Feedback>(parsed))
      << std::get<RecordError>(parsed).reason;
  const Feedback& f = std::get<Feedback>(parsed);
  EXPECT_EQ(f.source, FeedbackSource::kPartnerAgency);
  EXPECT_EQ(f.team, "");
  EXPECT_EQ(f.received_on, Day(2000, 1, 1));
  EXPECT_EQ(f.rating, 1);
  EXPECT_EQ(f.comment, "");
  for (const char* source : {"FAMILY", "YOUNG_PERSON", "STAFF"}) {
    SCOPED_TRACE(source);
    EXPECT_EQ(std::get<Feedback>(ParseFeedback({{"source", source}})).source,
              ParseFeedbackSource(source));
  }
}

TEST(QaFeedParserTest, FeedbackRequiredFieldsMissing) {
  const std::map<std::string, std::string> expected = {
      {"feedback_id", "feedback_id is required"},
      {"source",
       "source is required: FAMILY, YOUNG_PERSON, PARTNER_AGENCY or STAFF"},
      {"received_on", "received_on is required: a date of the form YYYY-MM-DD"},
      {"rating",
       "rating is required: a whole number from 1 (poor) to 5 (excellent)"},
  };
  ASSERT_EQ(expected.size(), FeedbackFeedSchema().required.size());
  for (const std::string& field : FeedbackFeedSchema().required) {
    SCOPED_TRACE(field);
    const RecordError e = FeedbackError({{field, ""}});
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.reason, expected.at(field));
  }
}

TEST(QaFeedParserTest, FeedbackBadValues) {
  const std::vector<BadValue> cases = {
      {"feedback_id", "FB 1", Str("feedback_id", kIdRule)},
      {"source", "PARENT",
       "source 'PARENT' is not one of FAMILY, YOUNG_PERSON, PARTNER_AGENCY or "
       "STAFF"},
      {"source", "family",
       "source 'family' is not one of FAMILY, YOUNG_PERSON, PARTNER_AGENCY or "
       "STAFF"},
      {"team", "\tCIC", "team must not contain control characters"},
      {"received_on", "2024-07-01",
       "received_on is in the future (after the date the record was "
       "loaded)"},
      {"received_on", "1999-12-31", "received_on is before 2000-01-01"},
      {"received_on", "2024-06-31",
       "received_on is not a valid date: no such day (that month has 30 "
       "days)"},
      {"rating", "0",
       "rating '0' is not a whole number from 1 (poor) to 5 (excellent)"},
      {"rating", "6",
       "rating '6' is not a whole number from 1 (poor) to 5 (excellent)"},
      {"rating", "4.5",
       "rating '4.5' is not a whole number from 1 (poor) to 5 (excellent)"},
      {"rating", "-3",
       "rating '-3' is not a whole number from 1 (poor) to 5 (excellent)"},
      {"rating", "five",
       "rating 'five' is not a whole number from 1 (poor) to 5 "
       "(excellent)"},
      {"rating", "99999999999",
       "rating '99999999999' is not a whole number from 1 (poor) to 5 "
       "(excellent)"},
      {"comment", std::string(10001, 'c'),
       "comment is longer than 10000 bytes"},
      {"comment", "ok \xC0\x80", "comment is not valid UTF-8"},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value.substr(0, 20));
    const RecordError e = FeedbackError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
  // 10,000 bytes of comment is the most.
  EXPECT_TRUE(std::holds_alternative<Feedback>(
      ParseFeedback({{"comment", std::string(10000, 'c')}})));
}

TEST(QaFeedParserTest, FeedbackReasonsNeverEchoFreeText) {
  RecordError e = FeedbackError({{"source", "Jane Smith"}});
  EXPECT_EQ(e.field, "source");
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
  e = FeedbackError({{"comment", "Smith \xFF"}});
  EXPECT_EQ(e.field, "comment");
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
}

TEST(QaFeedParserTest, ValidateFeedbackChecksValuesFromRpcs) {
  const Feedback good = std::get<Feedback>(ParseFeedback({}));
  EXPECT_EQ(ValidateFeedback(good, kToday), std::nullopt);
  Feedback bad = good;
  bad.rating = 0;
  EXPECT_EQ(ValidateFeedback(bad, kToday)->field, "rating");
  EXPECT_EQ(ValidateFeedback(bad, kToday)->reason,
            "rating is not a whole number from 1 (poor) to 5 (excellent)");
  bad.rating = 6;
  EXPECT_EQ(ValidateFeedback(bad, kToday)->field, "rating");
  bad.rating = 1;
  EXPECT_EQ(ValidateFeedback(bad, kToday), std::nullopt);
  bad = good;
  bad.source = static_cast<FeedbackSource>(7);
  EXPECT_EQ(ValidateFeedback(bad, kToday)->field, "source");
  bad = good;
  bad.received_on = kToday + 1;
  EXPECT_EQ(ValidateFeedback(bad, kToday)->field, "received_on");
  bad = good;
  bad.feedback_id = "";
  EXPECT_EQ(ValidateFeedback(bad, kToday)->field, "feedback_id");
  bad = good;
  bad.comment = "\xFF";
  EXPECT_EQ(ValidateFeedback(bad, kToday)->field, "comment");
}

// ---------------------------------------------------------------------------
// Actions

TEST(QaFeedParserTest, ActionFullRecord) {
  std::variant<Action, RecordError> parsed = ParseAction({});
  ASSERT_TRUE(std::holds_alternative<Action>(parsed))
      << std::get<RecordError>(parsed).reason;
  const Action& a = std::get<Action>(parsed);
  EXPECT_EQ(a.action_id, "ACT-17");
  EXPECT_EQ(a.origin_ref, "AUD-2024/001");
  EXPECT_EQ(a.owner, "CP Team 1 manager");
  EXPECT_EQ(a.due_date, Day(2024, 9, 30));
  EXPECT_EQ(a.completed_date, Day(2024, 6, 20));
  EXPECT_EQ(a.raised_on, Day(2024, 5, 1));
  // Completed 20 Jun, due 30 Sep: on time; open on 19 Jun, not on 20 Jun.
  EXPECT_TRUE(a.CompletedOnTime());
  EXPECT_TRUE(a.OpenOn(Day(2024, 6, 19)));
  EXPECT_FALSE(a.OpenOn(Day(2024, 6, 20)));
  EXPECT_FALSE(a.OpenOn(Day(2024, 4, 30)));
}

TEST(QaFeedParserTest, ActionMinimalRecord) {
  std::variant<Action, RecordError> parsed =
      ParseAction({{"completed_date", ""},
                   {"raised_on", ""},
                   {"origin_ref", "BOARD-2024-05"}});
  ASSERT_TRUE(std::holds_alternative<Action>(parsed))
      << std::get<RecordError>(parsed).reason;
  const Action& a = std::get<Action>(parsed);
  EXPECT_EQ(a.origin_ref, "BOARD-2024-05");
  EXPECT_EQ(a.completed_date, std::nullopt);
  EXPECT_EQ(a.raised_on, std::nullopt);
  EXPECT_FALSE(a.CompletedOnTime());
  EXPECT_TRUE(a.OpenOn(Day(2000, 1, 1)));
}

TEST(QaFeedParserTest, ActionRequiredFieldsMissing) {
  const std::map<std::string, std::string> expected = {
      {"action_id", "action_id is required"},
      {"origin_ref", "origin_ref is required"},
      {"owner", "owner is required"},
      {"due_date", "due_date is required: a date of the form YYYY-MM-DD"},
  };
  ASSERT_EQ(expected.size(), ActionFeedSchema().required.size());
  for (const std::string& field : ActionFeedSchema().required) {
    SCOPED_TRACE(field);
    const RecordError e = ActionError({{field, ""}});
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.reason, expected.at(field));
  }
}

TEST(QaFeedParserTest, ActionBadValues) {
  const std::vector<BadValue> cases = {
      {"action_id", "ACT 17", Str("action_id", kIdRule)},
      {"origin_ref", "Board, May", Str("origin_ref", kIdRule)},
      {"owner", std::string(101, 'o'), "owner is longer than 100 characters"},
      {"owner", "Manager ", "owner must not start or end with a space"},
      {"due_date", "30-09-2024",
       "due_date is not a valid date: not a date of the form YYYY-MM-DD"},
      {"due_date", "1999-12-31", "due_date is before 2000-01-01"},
      {"completed_date", "2024-07-01",
       "completed_date is in the future (after the date the record was "
       "loaded)"},
      {"completed_date", "1999-12-31", "completed_date is before 2000-01-01"},
      {"completed_date", "2024-04-30", "completed_date is before raised_on"},
      {"raised_on", "2024-07-01",
       "raised_on is in the future (after the date the record was loaded)"},
      {"raised_on", "1999-12-31", "raised_on is before 2000-01-01"},
      {"raised_on", "2024-6-1",
       "raised_on is not a valid date: not a date of the form YYYY-MM-DD"},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value);
    const RecordError e = ActionError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
  // Raised (21 Jun) after it was completed (20 Jun): the fault is reported
  // on completed_date.
  const RecordError e = ActionError({{"raised_on", "2024-06-21"}});
  EXPECT_EQ(e.field, "completed_date");
  EXPECT_EQ(e.reason, "completed_date is before raised_on");
}

TEST(QaFeedParserTest, ActionDateLimits) {
  // Due at most 5 years after today (30 Jun 2024): 30 Jun 2029.
  EXPECT_EQ(
      std::get<Action>(ParseAction({{"due_date", "2029-06-30"}})).due_date,
      Day(2029, 6, 30));
  RecordError e = ActionError({{"due_date", "2029-07-01"}});
  EXPECT_EQ(e.field, "due_date");
  EXPECT_EQ(e.reason,
            "due_date is more than 5 years after the date the record was "
            "loaded");
  // From a leap day, 5 years on is 28 Feb 2029.
  EXPECT_TRUE(std::holds_alternative<Action>(ParseAction(
      {{"due_date", "2029-02-28"}, {"completed_date", ""}, {"raised_on", ""}},
      Day(2024, 2, 29))));
  EXPECT_EQ(ActionError({{"due_date", "2029-03-01"},
                         {"completed_date", ""},
                         {"raised_on", ""}},
                        Day(2024, 2, 29))
                .field,
            "due_date");
  // An overdue action (due in the past) is fine, back to 1 Jan 2000.
  EXPECT_TRUE(std::holds_alternative<Action>(
      ParseAction({{"due_date", "2000-01-01"}})));
  // Completed and raised today; completed on the day raised.
  EXPECT_TRUE(std::holds_alternative<Action>(ParseAction(
      {{"completed_date", "2024-06-30"}, {"raised_on", "2024-06-30"}})));
  // Completed after its due date: accepted, just not on time.
  const Action late = std::get<Action>(ParseAction(
      {{"due_date", "2024-06-01"}, {"completed_date", "2024-06-02"}}));
  EXPECT_FALSE(late.CompletedOnTime());
  // Completed with no raised_on: no order to check.
  EXPECT_TRUE(std::holds_alternative<Action>(
      ParseAction({{"raised_on", ""}, {"completed_date", "2000-01-01"}})));
}

TEST(QaFeedParserTest, ValidateActionChecksValuesFromRpcs) {
  const Action good = std::get<Action>(ParseAction({}));
  EXPECT_EQ(ValidateAction(good, kToday), std::nullopt);
  Action bad = good;
  bad.completed_date = Day(2024, 4, 30);
  EXPECT_EQ(ValidateAction(bad, kToday)->field, "completed_date");
  EXPECT_EQ(ValidateAction(bad, kToday)->reason,
            "completed_date is before raised_on");
  bad = good;
  bad.due_date = Day(2029, 7, 1);
  EXPECT_EQ(ValidateAction(bad, kToday)->field, "due_date");
  bad = good;
  bad.raised_on = kToday + 1;
  bad.completed_date = std::nullopt;
  EXPECT_EQ(ValidateAction(bad, kToday)->field, "raised_on");
  bad = good;
  bad.owner = "";
  EXPECT_EQ(ValidateAction(bad, kToday)->field, "owner");
  bad = good;
  bad.origin_ref = std::string(65, 'r');
  EXPECT_EQ(ValidateAction(bad, kToday)->field, "origin_ref");
}

}  // namespace
}  // namespace sgm::qa
