#include "services/kpi/case_event_feed_parser.h"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/feed_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// "Now" for every test: 10 March 2024, midday (GMT in London).
absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2024, 3, 10, 12, 0, 0),
                         absl::UTCTimeZone());
}

using Fields = std::map<std::string, std::string>;

// A valid event of `type` (with what that type requires) with `changes`
// applied; an empty value leaves the field out.
Fields Event(const std::string& type, const Fields& changes = {}) {
  Fields fields = {{"event_id", "E-1"},
                   {"event_type", type},
                   {"child_id", "CH.1"},
                   {"ref_id", "R_1"},
                   {"event_date", "2024-03-01"}};
  if (type == "ASSESSMENT_START" || type == "ASSESSMENT_END" ||
      type == "STRATEGY_DISCUSSION" || type == "S47_START" ||
      type == "S47_END" || type == "ICPC") {
    fields["parent_ref_id"] = "REF-9";
  }
  if (type == "ICPC") fields["outcome"] = "CP_PLAN";
  if (type == "CASE_CLOSED") fields["outcome"] = "RC7";
  if (type == "CP_PLAN_START") fields["category"] = "NEG";
  if (type == "ALLOCATION_START" || type == "ALLOCATION_END") {
    fields["worker_id"] = "W1";
  }
  for (const auto& [name, value] : changes) fields[name] = value;
  return fields;
}

// CSV cell, quoted when needed.
std::string Cell(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Reads `fields` as a one-record CSV file (every column in the header)
// through FeedReader and the schema, then parses the record.
std::variant<CaseEvent, RecordError> Parse(const Fields& fields) {
  const FeedSchema& schema = CaseEventFeedSchema();
  std::vector<std::string> row;
  for (const std::string& column : schema.columns) {
    auto it = fields.find(column);
    row.push_back(it == fields.end() ? "" : Cell(it->second));
  }
  for (const auto& [name, value] : fields) {
    bool known = false;
    for (const std::string& column : schema.columns) known |= column == name;
    EXPECT_TRUE(known) << "no column " << name;
  }
  const std::string csv = absl::StrCat(absl::StrJoin(schema.columns, ","), "\n",
                                       absl::StrJoin(row, ","), "\n");
  FeedReader reader(FeedFormat::kCsv, schema);
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  EXPECT_TRUE(reader.Feed(csv, &records, &errors).ok());
  EXPECT_TRUE(reader.Finish(&records, &errors).ok());
  EXPECT_TRUE(errors.empty())
      << errors.front().field << ": " << errors.front().reason;
  if (records.size() != 1) {
    ADD_FAILURE() << "records: " << records.size();
    return RecordError{"", "not read"};
  }
  return ParseCaseEventRecord(records.front(), Now());
}

// The event, failing the test when it was rejected.
CaseEvent Accepted(const Fields& fields) {
  std::variant<CaseEvent, RecordError> result = Parse(fields);
  if (auto* error = std::get_if<RecordError>(&result)) {
    ADD_FAILURE() << "rejected: " << error->field << ": " << error->reason;
    return CaseEvent();
  }
  return std::get<CaseEvent>(result);
}

// The error, failing the test when the record was accepted.
RecordError Rejected(const Fields& fields) {
  std::variant<CaseEvent, RecordError> result = Parse(fields);
  if (auto* error = std::get_if<RecordError>(&result)) return *error;
  ADD_FAILURE() << "accepted";
  return RecordError();
}

const char* const kAllTypes[] = {"REFERRAL",
                                 "ASSESSMENT_START",
                                 "ASSESSMENT_END",
                                 "STRATEGY_DISCUSSION",
                                 "S47_START",
                                 "S47_END",
                                 "ICPC",
                                 "CP_PLAN_START",
                                 "CP_PLAN_END",
                                 "CP_VISIT",
                                 "CP_REVIEW",
                                 "CIN_PLAN_START",
                                 "CIN_PLAN_END",
                                 "CIN_REVIEW",
                                 "CLA_START",
                                 "CLA_END",
                                 "CLA_VISIT",
                                 "CLA_REVIEW",
                                 "EH_START",
                                 "EH_END",
                                 "PRE_PROCEEDINGS_START",
                                 "PRE_PROCEEDINGS_END",
                                 "ALLOCATION_START",
                                 "ALLOCATION_END",
                                 "CASE_CLOSED",
                                 "CIN_VISIT"};

TEST(EventTypeTest, EveryFeedSpellingRoundTripsInEnumOrder) {
  int i = 0;
  for (const char* name : kAllTypes) {
    SCOPED_TRACE(name);
    const std::optional<EventType> type = ParseEventType(name);
    ASSERT_TRUE(type.has_value());
    EXPECT_EQ(static_cast<int>(*type), i);
    EXPECT_EQ(EventTypeName(*type), name);
    ++i;
  }
  EXPECT_EQ(i, 26);
}

TEST(EventTypeTest, OtherSpellingsAreUnknown) {
  EXPECT_FALSE(ParseEventType("referral").has_value());
  EXPECT_FALSE(ParseEventType("REFERRAL ").has_value());
  EXPECT_FALSE(ParseEventType("").has_value());
  EXPECT_FALSE(ParseEventType("S47").has_value());
}

TEST(CaseEventFeedSchemaTest, ColumnsAndRequired) {
  const FeedSchema& schema = CaseEventFeedSchema();
  EXPECT_EQ(absl::StrJoin(schema.columns, ","),
            "event_id,event_type,child_id,child_dob,ref_id,parent_ref_id,"
            "event_date,source_code,primary_need,category,outcome,worker_id,"
            "team,long_term,visit_mode,seen_alone");
  EXPECT_EQ(absl::StrJoin(schema.required, ","),
            "event_id,event_type,child_id,ref_id,event_date");
}

TEST(CaseEventFeedSchemaTest, ReaderRejectsARecordMissingARequiredValue) {
  FeedReader reader(FeedFormat::kCsv, CaseEventFeedSchema());
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  ASSERT_TRUE(reader
                  .Feed("event_id,event_type,child_id,ref_id,event_date\n"
                        "E1,REFERRAL,C1,,2024-03-01\n",
                        &records, &errors)
                  .ok());
  ASSERT_TRUE(reader.Finish(&records, &errors).ok());
  EXPECT_TRUE(records.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "ref_id");
}

TEST(CaseEventParserTest, ReferralWithEveryField) {
  const CaseEvent event =
      Accepted(Event("REFERRAL", {{"child_dob", "2015-06-30"},
                                  {"source_code", "3A"},
                                  {"primary_need", "N1"}}));
  EXPECT_EQ(event.event_id, "E-1");
  EXPECT_EQ(event.type, EventType::kReferral);
  EXPECT_EQ(event.child_id, "CH.1");
  EXPECT_EQ(event.child_dob, absl::CivilDay(2015, 6, 30));
  EXPECT_EQ(event.ref_id, "R_1");
  EXPECT_EQ(event.parent_ref_id, "");
  EXPECT_EQ(event.event_date, absl::CivilDay(2024, 3, 1));
  EXPECT_EQ(event.source_code, "3A");
  EXPECT_EQ(event.primary_need, "N1");
  EXPECT_FALSE(event.long_term.has_value());
  EXPECT_FALSE(event.seen_alone.has_value());
}

TEST(CaseEventParserTest, EveryTypeWithItsRequiredFieldsIsAccepted) {
  for (const char* type : kAllTypes) {
    SCOPED_TRACE(type);
    EXPECT_EQ(Accepted(Event(type)).type, ParseEventType(type));
  }
}

TEST(CaseEventParserTest, UnknownEventTypeIsRejectedWithoutEchoingText) {
  RecordError error = Rejected(Event("CP_VISITT"));
  EXPECT_EQ(error.field, "event_type");
  EXPECT_THAT(error.reason, HasSubstr("'CP_VISITT' is not one of"));
  EXPECT_THAT(error.reason, HasSubstr("CASE_CLOSED"));
  error = Rejected(Event("visit to Jane Doe"));
  EXPECT_EQ(error.field, "event_type");
  EXPECT_THAT(error.reason, Not(HasSubstr("Jane")));
}

TEST(CaseEventParserTest, IdsAreOneTo64OfLettersDigitsDotUnderscoreDash) {
  const std::string id64(64, 'a');
  const std::string id65(65, 'a');
  for (const char* field : {"event_id", "child_id", "ref_id"}) {
    SCOPED_TRACE(field);
    EXPECT_EQ(Accepted(Event("REFERRAL", {{field, id64}})).event_id,
              field == std::string("event_id") ? id64 : "E-1");
    for (const std::string& bad :
         {id65, std::string("a b"), std::string("A:1"), std::string("é")}) {
      const RecordError error = Rejected(Event("REFERRAL", {{field, bad}}));
      EXPECT_EQ(error.field, field);
      EXPECT_THAT(error.reason, HasSubstr("1 to 64 characters"));
    }
  }
  RecordError error =
      Rejected(Event("ASSESSMENT_START", {{"parent_ref_id", "R/1"}}));
  EXPECT_EQ(error.field, "parent_ref_id");
  error = Rejected(Event("ALLOCATION_START", {{"worker_id", "w 1"}}));
  EXPECT_EQ(error.field, "worker_id");
}

TEST(CaseEventParserTest, EventDateIsAnIsoDateNoLaterThanTomorrow) {
  EXPECT_EQ(
      Accepted(Event("REFERRAL", {{"event_date", "2024-03-11"}})).event_date,
      absl::CivilDay(2024, 3, 11));
  RecordError error =
      Rejected(Event("REFERRAL", {{"event_date", "2024-03-12"}}));
  EXPECT_EQ(error.field, "event_date");
  EXPECT_THAT(error.reason, HasSubstr("future"));
  for (const char* bad : {"01/03/2024", "2024-02-30", "2024-3-1"}) {
    SCOPED_TRACE(bad);
    error = Rejected(Event("REFERRAL", {{"event_date", bad}}));
    EXPECT_EQ(error.field, "event_date");
    EXPECT_THAT(error.reason, HasSubstr("not a valid date"));
  }
}

TEST(CaseEventParserTest, ChildDobMustBeAPlausibleDate) {
  EXPECT_EQ(Rejected(Event("REFERRAL", {{"child_dob", "2015-13-01"}})).field,
            "child_dob");
  EXPECT_EQ(Rejected(Event("REFERRAL", {{"child_dob", "1990-01-01"}})).field,
            "child_dob");
  EXPECT_EQ(Rejected(Event("REFERRAL", {{"child_dob", "2025-01-01"}})).field,
            "child_dob");
  // Unborn: an expected date up to 280 days after the event.
  EXPECT_EQ(
      Accepted(Event("REFERRAL", {{"child_dob", "2024-06-01"}})).child_dob,
      absl::CivilDay(2024, 6, 1));
}

TEST(CaseEventParserTest, ParentRefIdRequiredOnAssessmentsAndS47s) {
  for (const char* type :
       {"ASSESSMENT_START", "ASSESSMENT_END", "STRATEGY_DISCUSSION",
        "S47_START", "S47_END", "ICPC"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(Accepted(Event(type)).parent_ref_id, "REF-9");
    const RecordError error = Rejected(Event(type, {{"parent_ref_id", ""}}));
    EXPECT_EQ(error.field, "parent_ref_id");
    EXPECT_THAT(error.reason, HasSubstr("required on"));
  }
}

TEST(CaseEventParserTest, ParentRefIdNotUsedOnOtherTypes) {
  for (const char* type : {"REFERRAL", "CP_PLAN_START", "CASE_CLOSED"}) {
    SCOPED_TRACE(type);
    const RecordError error = Rejected(Event(type, {{"parent_ref_id", "P"}}));
    EXPECT_EQ(error.field, "parent_ref_id");
    EXPECT_THAT(error.reason, HasSubstr(absl::StrCat("not used on ", type)));
  }
}

TEST(CaseEventParserTest, ReferralCodesMustBeCensusCodes) {
  RecordError error = Rejected(Event("REFERRAL", {{"source_code", "1E"}}));
  EXPECT_EQ(error.field, "source_code");
  EXPECT_THAT(error.reason, HasSubstr("'1E'"));
  error = Rejected(Event("REFERRAL", {{"primary_need", "N10"}}));
  EXPECT_EQ(error.field, "primary_need");
  // Optional on REFERRAL.
  EXPECT_EQ(Accepted(Event("REFERRAL")).source_code, "");
}

TEST(CaseEventParserTest, ReferralCodesOnOtherTypesAreAcceptedWhenValid) {
  const CaseEvent event = Accepted(
      Event("CP_VISIT", {{"source_code", "6"}, {"primary_need", "N4"}}));
  EXPECT_EQ(event.source_code, "6");
  EXPECT_EQ(event.primary_need, "N4");
  EXPECT_EQ(Rejected(Event("CP_VISIT", {{"source_code", "66"}})).field,
            "source_code");
}

TEST(CaseEventParserTest, CategoryRequiredAndValidOnCpPlanStartOnly) {
  EXPECT_EQ(Accepted(Event("CP_PLAN_START", {{"category", "MUL"}})).category,
            "MUL");
  RecordError error = Rejected(Event("CP_PLAN_START", {{"category", ""}}));
  EXPECT_EQ(error.field, "category");
  EXPECT_THAT(error.reason, HasSubstr("required"));
  error = Rejected(Event("CP_PLAN_START", {{"category", "NEGLECT"}}));
  EXPECT_EQ(error.field, "category");
  EXPECT_THAT(error.reason, HasSubstr("NEG, PHY, SAB, EMO, MUL"));
  error = Rejected(Event("CP_PLAN_END", {{"category", "NEG"}}));
  EXPECT_EQ(error.field, "category");
  EXPECT_THAT(error.reason, HasSubstr("not used on CP_PLAN_END"));
}

TEST(CaseEventParserTest, CategoryOptionalOnReferralS47StartAndIcpc) {
  for (const char* type : {"REFERRAL", "S47_START", "ICPC"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(Accepted(Event(type, {{"category", "PHY"}})).category, "PHY");
    EXPECT_EQ(Accepted(Event(type)).category, "");
    const RecordError error = Rejected(Event(type, {{"category", "PHYS"}}));
    EXPECT_EQ(error.field, "category");
    EXPECT_THAT(error.reason, HasSubstr("NEG, PHY, SAB, EMO, MUL"));
  }
  for (const char* type : {"S47_END", "STRATEGY_DISCUSSION", "CIN_VISIT"}) {
    SCOPED_TRACE(type);
    const RecordError error = Rejected(Event(type, {{"category", "EMO"}}));
    EXPECT_EQ(error.field, "category");
    EXPECT_THAT(error.reason, HasSubstr(absl::StrCat("not used on ", type)));
  }
}

TEST(CaseEventParserTest, IcpcOutcomeIsCpPlanOrNoPlan) {
  EXPECT_EQ(Accepted(Event("ICPC", {{"outcome", "NO_PLAN"}})).outcome,
            "NO_PLAN");
  RecordError error = Rejected(Event("ICPC", {{"outcome", ""}}));
  EXPECT_EQ(error.field, "outcome");
  EXPECT_THAT(error.reason, HasSubstr("required on ICPC"));
  error = Rejected(Event("ICPC", {{"outcome", "RC1"}}));
  EXPECT_EQ(error.field, "outcome");
  EXPECT_THAT(error.reason, HasSubstr("CP_PLAN or NO_PLAN"));
}

TEST(CaseEventParserTest, CaseClosedOutcomeIsAClosureReason) {
  EXPECT_EQ(Accepted(Event("CASE_CLOSED", {{"outcome", "RC9"}})).outcome,
            "RC9");
  EXPECT_THAT(Rejected(Event("CASE_CLOSED", {{"outcome", ""}})).reason,
              HasSubstr("required on CASE_CLOSED"));
  const RecordError error =
      Rejected(Event("CASE_CLOSED", {{"outcome", "RC10"}}));
  EXPECT_EQ(error.field, "outcome");
  EXPECT_THAT(error.reason, HasSubstr("RC1, RC2"));
}

TEST(CaseEventParserTest, S47EndOutcomeIsAnOptionalCode) {
  EXPECT_EQ(Accepted(Event("S47_END")).outcome, "");
  EXPECT_EQ(
      Accepted(Event("S47_END", {{"outcome", "SUBSTANTIATED_CP"}})).outcome,
      "SUBSTANTIATED_CP");
  for (const char* bad :
       {"substantiated", "NFA 2", "A-B", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG"}) {
    SCOPED_TRACE(bad);
    const RecordError error = Rejected(Event("S47_END", {{"outcome", bad}}));
    EXPECT_EQ(error.field, "outcome");
    EXPECT_THAT(error.reason, Not(HasSubstr(bad)));
  }
}

TEST(CaseEventParserTest, OutcomeNotUsedOnOtherTypes) {
  const RecordError error = Rejected(Event("S47_START", {{"outcome", "X"}}));
  EXPECT_EQ(error.field, "outcome");
  EXPECT_THAT(error.reason, HasSubstr("not used on S47_START"));
}

TEST(CaseEventParserTest, WorkerIdRequiredOnAllocations) {
  for (const char* type : {"ALLOCATION_START", "ALLOCATION_END"}) {
    SCOPED_TRACE(type);
    const CaseEvent event = Accepted(
        Event(type, {{"worker_id", "SW-12"}, {"team", "Team North, 2"}}));
    EXPECT_EQ(event.worker_id, "SW-12");
    EXPECT_EQ(event.team, "Team North, 2");
    const RecordError error = Rejected(Event(type, {{"worker_id", ""}}));
    EXPECT_EQ(error.field, "worker_id");
    EXPECT_THAT(error.reason, HasSubstr("required"));
  }
  EXPECT_EQ(Rejected(Event("CP_VISIT", {{"worker_id", "SW-12"}})).field,
            "worker_id");
}

TEST(CaseEventParserTest, TeamNotUsedOffAllocationsAndNeverEchoed) {
  const RecordError error =
      Rejected(Event("REFERRAL", {{"team", "Jane Smith's team"}}));
  EXPECT_EQ(error.field, "team");
  EXPECT_THAT(error.reason, HasSubstr("not used on REFERRAL"));
  EXPECT_THAT(error.reason, Not(HasSubstr("Jane")));
  EXPECT_EQ(
      Rejected(Event("ALLOCATION_START", {{"team", std::string(101, 't')}}))
          .field,
      "team");
}

TEST(CaseEventParserTest, LongTermIsYOrNOnClaStartDefaultingToN) {
  EXPECT_EQ(Accepted(Event("CLA_START", {{"long_term", "Y"}})).long_term, true);
  EXPECT_EQ(Accepted(Event("CLA_START", {{"long_term", "N"}})).long_term,
            false);
  EXPECT_EQ(Accepted(Event("CLA_START")).long_term, false);
  RecordError error = Rejected(Event("CLA_START", {{"long_term", "yes"}}));
  EXPECT_EQ(error.field, "long_term");
  EXPECT_THAT(error.reason, HasSubstr("Y or N"));
  error = Rejected(Event("CLA_VISIT", {{"long_term", "Y"}}));
  EXPECT_EQ(error.field, "long_term");
  EXPECT_THAT(error.reason, HasSubstr("not used on CLA_VISIT"));
}

TEST(CaseEventParserTest, VisitModeAndSeenAloneOnVisitsOnly) {
  for (const char* type : {"CP_VISIT", "CLA_VISIT", "CIN_VISIT"}) {
    SCOPED_TRACE(type);
    CaseEvent event = Accepted(
        Event(type, {{"visit_mode", "FACE_TO_FACE"}, {"seen_alone", "Y"}}));
    EXPECT_EQ(event.visit_mode, "FACE_TO_FACE");
    EXPECT_EQ(event.seen_alone, true);
    event =
        Accepted(Event(type, {{"visit_mode", "VIRTUAL"}, {"seen_alone", "N"}}));
    EXPECT_EQ(event.visit_mode, "VIRTUAL");
    EXPECT_EQ(event.seen_alone, false);
    event = Accepted(Event(type));
    EXPECT_EQ(event.visit_mode, "");
    EXPECT_FALSE(event.seen_alone.has_value());
    RecordError error = Rejected(Event(type, {{"visit_mode", "PHONE"}}));
    EXPECT_EQ(error.field, "visit_mode");
    EXPECT_THAT(error.reason, HasSubstr("FACE_TO_FACE or VIRTUAL"));
    error = Rejected(Event(type, {{"seen_alone", "y"}}));
    EXPECT_EQ(error.field, "seen_alone");
  }
  RecordError error = Rejected(Event("CP_REVIEW", {{"visit_mode", "VIRTUAL"}}));
  EXPECT_EQ(error.field, "visit_mode");
  EXPECT_THAT(error.reason, HasSubstr("not used on CP_REVIEW"));
  error = Rejected(Event("CLA_START", {{"seen_alone", "Y"}}));
  EXPECT_EQ(error.field, "seen_alone");
  EXPECT_THAT(error.reason, HasSubstr("not used on CLA_START"));
}

TEST(ValidateCaseEventTest, AppliesTheRulesToABuiltEvent) {
  CaseEvent event;
  event.event_id = "E1";
  event.type = EventType::kCpPlanStart;
  event.child_id = "C1";
  event.ref_id = "CP1";
  event.event_date = absl::CivilDay(2024, 3, 1);
  event.category = "PHY";
  const absl::CivilDay today(2024, 3, 10);
  EXPECT_FALSE(ValidateCaseEvent(event, today).has_value());
  EXPECT_FALSE(
      ValidateCaseEvent(event, absl::CivilDay(2024, 2, 29)).has_value());
  std::optional<RecordError> error =
      ValidateCaseEvent(event, absl::CivilDay(2024, 2, 28));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "event_date");
  event.long_term = true;
  error = ValidateCaseEvent(event, today);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "long_term");
  event.long_term.reset();
  event.ref_id = "";
  error = ValidateCaseEvent(event, today);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "ref_id");
  EXPECT_THAT(error->reason, HasSubstr("required"));
}

}  // namespace
}  // namespace sgm::kpi
