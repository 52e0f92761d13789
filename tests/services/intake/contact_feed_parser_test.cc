#include "services/intake/contact_feed_parser.h"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/feed_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/contact.h"

namespace sgm::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

// "Now" for every test: 10 March 2024, midday (GMT in London).
const absl::Time kNow = Utc(2024, 3, 10, 12, 0, 0);

using Fields = std::map<std::string, std::string>;

FeedRecord MakeRecord(const FeedSchema& schema, const Fields& fields) {
  FeedRecord record;
  record.line = 2;
  record.values.resize(schema.columns.size());
  for (const auto& [name, value] : fields) {
    bool found = false;
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      if (schema.columns[i] == name) {
        record.values[i] = value;
        found = true;
      }
    }
    EXPECT_TRUE(found) << "no column " << name;
  }
  return record;
}

// A valid contact with `changes` applied; an empty value removes the field.
FeedRecord Contact(const Fields& changes = {}) {
  Fields fields = {{"source_record_id", "R-1"},
                   {"received_at", "2024-03-01T09:15:00+00:00"},
                   {"source_code", "6"}};
  for (const auto& [name, value] : changes) {
    if (value.empty()) {
      fields.erase(name);
    } else {
      fields[name] = value;
    }
  }
  return MakeRecord(ContactFeedSchema(), fields);
}

FeedRecord Decision(const Fields& changes = {}) {
  Fields fields = {{"contact_ref", "C42"},
                   {"decided_at", "2024-03-02T10:00:00Z"},
                   {"outcome", "REFERRAL"}};
  for (const auto& [name, value] : changes) {
    if (value.empty()) {
      fields.erase(name);
    } else {
      fields[name] = value;
    }
  }
  return MakeRecord(DecisionFeedSchema(), fields);
}

ContactRecord ParseOk(const FeedRecord& record,
                      absl::string_view agency = "POLICE") {
  auto result = ParseContactRecord(record, agency, kNow);
  if (const auto* error = std::get_if<RecordError>(&result)) {
    ADD_FAILURE() << error->field << ": " << error->reason;
    return ContactRecord();
  }
  return std::get<ContactRecord>(result);
}

RecordError ParseError(const FeedRecord& record,
                       absl::string_view agency = "POLICE") {
  auto result = ParseContactRecord(record, agency, kNow);
  if (!std::holds_alternative<RecordError>(result)) {
    ADD_FAILURE() << "expected an error";
    return RecordError();
  }
  return std::get<RecordError>(result);
}

DecisionRecord DecisionOk(const FeedRecord& record) {
  auto result = ParseDecisionRecord(record, kNow);
  if (const auto* error = std::get_if<RecordError>(&result)) {
    ADD_FAILURE() << error->field << ": " << error->reason;
    return DecisionRecord();
  }
  return std::get<DecisionRecord>(result);
}

RecordError DecisionError(const FeedRecord& record) {
  auto result = ParseDecisionRecord(record, kNow);
  if (!std::holds_alternative<RecordError>(result)) {
    ADD_FAILURE() << "expected an error";
    return RecordError();
  }
  return std::get<RecordError>(result);
}

// --- Domain helpers ---------------------------------------------------------

TEST(ContactTest, OutcomesRoundTrip) {
  const std::vector<std::pair<Outcome, std::string>> all = {
      {Outcome::kNfa, "NFA"},
      {Outcome::kAdvice, "ADVICE"},
      {Outcome::kEarlyHelp, "EARLY_HELP"},
      {Outcome::kReferral, "REFERRAL"},
      {Outcome::kStrategyDiscussion, "STRATEGY_DISCUSSION"},
      {Outcome::kExistingCase, "EXISTING_CASE"}};
  for (const auto& [outcome, name] : all) {
    EXPECT_EQ(OutcomeName(outcome), name);
    EXPECT_EQ(ParseOutcome(name), outcome);
  }
  EXPECT_EQ(OutcomeName(Outcome::kUnspecified), "");
  EXPECT_EQ(ParseOutcome(""), std::nullopt);
  EXPECT_EQ(ParseOutcome("nfa"), std::nullopt);
  EXPECT_EQ(ParseOutcome("REFERRAL "), std::nullopt);
  EXPECT_EQ(ParseOutcome("UNSPECIFIED"), std::nullopt);
}

TEST(ContactTest, OnlyReferralAndStrategyDiscussionProgress) {
  EXPECT_TRUE(IsProgressed(Outcome::kReferral));
  EXPECT_TRUE(IsProgressed(Outcome::kStrategyDiscussion));
  EXPECT_FALSE(IsProgressed(Outcome::kNfa));
  EXPECT_FALSE(IsProgressed(Outcome::kAdvice));
  EXPECT_FALSE(IsProgressed(Outcome::kEarlyHelp));
  EXPECT_FALSE(IsProgressed(Outcome::kExistingCase));
  EXPECT_FALSE(IsProgressed(Outcome::kUnspecified));
}

TEST(ContactTest, ContactIds) {
  EXPECT_EQ(ContactIdString(42), "C42");
  EXPECT_EQ(ParseContactId("C42"), 42);
  EXPECT_EQ(ParseContactId("C1"), 1);
  EXPECT_EQ(ParseContactId("C9223372036854775807"), 9223372036854775807);
  EXPECT_EQ(ParseContactId("C9223372036854775808"), std::nullopt);
  for (const char* bad : {"", "C", "C0", "C042", "c42", "42", "C-1", "C+1",
                          "C4 2", "C42 ", " C42", "CC42", "C1e3"}) {
    EXPECT_EQ(ParseContactId(bad), std::nullopt) << bad;
  }
}

TEST(ContactTest, ContactEqualityLooksAtEveryField) {
  ContactRecord base;
  base.agency = "POLICE";
  base.source_record_id = "R1";
  base.received_at = kNow;
  base.child_id = "CH1";
  base.child_dob = absl::CivilDay(2015, 1, 2);
  base.source_code = "6";
  base.primary_need = "N1";
  base.concerns = {"NEGLECT"};
  base.referrer_org = "Org";
  base.summary = "Text";
  EXPECT_EQ(base, base);
  std::vector<ContactRecord> changed(10, base);
  changed[0].agency = "HEALTH";
  changed[1].source_record_id = "R2";
  changed[2].received_at += absl::Seconds(1);
  changed[3].child_id = "CH2";
  changed[4].child_dob = std::nullopt;
  changed[5].source_code = "2A";
  changed[6].primary_need = "";
  changed[7].concerns.push_back("CSE");
  changed[8].referrer_org = "Other";
  changed[9].summary = "Other";
  for (size_t i = 0; i < changed.size(); ++i) {
    EXPECT_FALSE(base == changed[i]) << i;
  }
}

TEST(ContactTest, DecisionEqualityLooksAtEveryField) {
  DecisionRecord base{"C1", kNow, Outcome::kNfa, "jo"};
  EXPECT_EQ(base, base);
  DecisionRecord a = base;
  a.contact_ref = "C2";
  DecisionRecord b = base;
  b.decided_at += absl::Seconds(1);
  DecisionRecord c = base;
  c.outcome = Outcome::kAdvice;
  DecisionRecord d = base;
  d.decided_by = "al";
  for (const DecisionRecord& other : {a, b, c, d}) EXPECT_FALSE(base == other);
}

// --- Schemas ----------------------------------------------------------------

TEST(SchemaTest, ContactAndDecisionColumns) {
  EXPECT_THAT(ContactFeedSchema().columns,
              ElementsAre("source_record_id", "received_at", "child_id",
                          "child_dob", "source_code", "primary_need",
                          "concerns", "referrer_org", "summary"));
  EXPECT_THAT(ContactFeedSchema().required,
              ElementsAre("source_record_id", "received_at", "source_code"));
  EXPECT_THAT(
      DecisionFeedSchema().columns,
      ElementsAre("contact_ref", "decided_at", "outcome", "decided_by"));
  EXPECT_THAT(DecisionFeedSchema().required,
              ElementsAre("contact_ref", "decided_at", "outcome"));
}

// --- Contacts
// -----------------------------------------------------------------

TEST(ParseContactTest, FullRecord) {
  ContactRecord c = ParseOk(Contact({{"child_id", "CH-0001.a_b"},
                                     {"child_dob", "2015-06-01"},
                                     {"source_code", "2A"},
                                     {"primary_need", "N1"},
                                     {"concerns", "NEGLECT;CSE"},
                                     {"referrer_org", "Derby Primary"},
                                     {"summary", "Seen with bruises."}}),
                            "POLICE");
  EXPECT_EQ(c.agency, "POLICE");
  EXPECT_EQ(c.source_record_id, "R-1");
  EXPECT_EQ(c.received_at, Utc(2024, 3, 1, 9, 15, 0));
  EXPECT_EQ(c.child_id, "CH-0001.a_b");
  EXPECT_EQ(c.child_dob, absl::CivilDay(2015, 6, 1));
  EXPECT_EQ(c.source_code, "2A");
  EXPECT_EQ(c.primary_need, "N1");
  EXPECT_THAT(c.concerns, ElementsAre("NEGLECT", "CSE"));
  EXPECT_EQ(c.referrer_org, "Derby Primary");
  EXPECT_EQ(c.summary, "Seen with bruises.");
}

TEST(ParseContactTest, OnlyRequiredFields) {
  ContactRecord c = ParseOk(Contact());
  EXPECT_EQ(c.child_id, "");
  EXPECT_EQ(c.child_dob, std::nullopt);
  EXPECT_EQ(c.primary_need, "");
  EXPECT_THAT(c.concerns, IsEmpty());
  EXPECT_EQ(c.referrer_org, "");
  EXPECT_EQ(c.summary, "");
}

TEST(ParseContactTest, RequiredFieldsMissing) {
  for (const char* field : {"source_record_id", "received_at", "source_code"}) {
    RecordError e = ParseError(Contact({{field, ""}}));
    EXPECT_EQ(e.field, field);
    EXPECT_THAT(e.reason, HasSubstr(absl::StrCat(field, " is required")));
  }
  EXPECT_THAT(ParseError(Contact({{"source_code", ""}})).reason,
              HasSubstr("1A, 1B"));
}

TEST(ParseContactTest, RecordOfTheWrongShape) {
  FeedRecord record;
  record.values.resize(4);
  EXPECT_EQ(ParseError(record).field, "");
}

TEST(ParseContactTest, Agency) {
  EXPECT_EQ(ParseOk(Contact(), "west-mids_police2").agency,
            "west-mids_police2");
  EXPECT_EQ(ParseOk(Contact(), std::string(32, 'A')).agency,
            std::string(32, 'A'));
  for (const std::string& bad :
       {std::string(""), std::string(33, 'A'), std::string("POL ICE"),
        std::string("POLICE:1"), std::string("police.uk"),
        std::string("caf\xC3\xA9")}) {
    RecordError e = ParseError(Contact(), bad);
    EXPECT_EQ(e.field, "agency") << bad;
    EXPECT_THAT(e.reason, HasSubstr("agency must be 1 to 32 characters"));
  }
}

TEST(ParseContactTest, SourceRecordId) {
  EXPECT_EQ(ParseOk(Contact({{"source_record_id", std::string(64, 'x')}}))
                .source_record_id,
            std::string(64, 'x'));
  EXPECT_EQ(
      ParseOk(Contact({{"source_record_id", "A b/#~!{}"}})).source_record_id,
      "A b/#~!{}");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {std::string(65, 'x'), "longer than 64"},
      {"A:1", "must not contain ':'"},
      {"A\t1", "printable ASCII"},
      {"caf\xC3\xA9", "printable ASCII"},
      {"A\x7F", "printable ASCII"},
      {" A1", "space"},
      {"A1 ", "space"},
  };
  for (const auto& [id, reason] : bad) {
    RecordError e = ParseError(Contact({{"source_record_id", id}}));
    EXPECT_EQ(e.field, "source_record_id") << id;
    EXPECT_THAT(e.reason, HasSubstr(reason)) << id;
    EXPECT_THAT(e.reason, HasSubstr("source_record_id")) << id;
  }
}

TEST(ParseContactTest, ReceivedAtFormat) {
  EXPECT_EQ(ParseOk(Contact({{"received_at", "2024-03-01T10:15:00+01:00"}}))
                .received_at,
            Utc(2024, 3, 1, 9, 15, 0));
  RecordError e = ParseError(Contact({{"received_at", "2024-03-01T09:15:00"}}));
  EXPECT_EQ(e.field, "received_at");
  EXPECT_EQ(e.reason,
            "received_at is not a valid timestamp: needs a UTC offset, e.g. "
            "2024-03-01T09:15:00+00:00");
  EXPECT_EQ(ParseError(Contact({{"received_at", "01/03/2024"}})).field,
            "received_at");
  EXPECT_EQ(
      ParseError(Contact({{"received_at", "2023-02-29T09:00:00Z"}})).field,
      "received_at");
}

TEST(ParseContactTest, ReceivedAtMayBeUpToOneDayAhead) {
  // kNow is 2024-03-10T12:00:00Z.
  EXPECT_TRUE(std::holds_alternative<ContactRecord>(ParseContactRecord(
      Contact({{"received_at", "2024-03-11T12:00:00Z"}}), "P", kNow)));
  EXPECT_TRUE(std::holds_alternative<ContactRecord>(ParseContactRecord(
      Contact({{"received_at", "2024-03-11T13:00:00+01:00"}}), "P", kNow)));
  RecordError e =
      ParseError(Contact({{"received_at", "2024-03-11T12:00:01Z"}}));
  EXPECT_EQ(e.field, "received_at");
  EXPECT_THAT(e.reason, HasSubstr("received_at is in the future"));
  EXPECT_EQ(
      ParseError(Contact({{"received_at", "2024-03-11T12:00:00.001Z"}})).field,
      "received_at");
}

TEST(ParseContactTest, ChildId) {
  EXPECT_EQ(ParseOk(Contact({{"child_id", std::string(64, '9')}})).child_id,
            std::string(64, '9'));
  EXPECT_EQ(ParseOk(Contact({{"child_id", "A"}})).child_id, "A");
  for (const std::string& bad :
       {std::string(65, '9'), std::string("CH 1"), std::string("CH/1"),
        std::string("CH:1"), std::string("CH@1"), std::string("\xC3\xA9")}) {
    RecordError e = ParseError(Contact({{"child_id", bad}}));
    EXPECT_EQ(e.field, "child_id") << bad;
    EXPECT_THAT(e.reason, HasSubstr("child_id must be 1 to 64 characters"));
  }
}

TEST(ParseContactTest, ChildDobFormat) {
  RecordError e = ParseError(Contact({{"child_dob", "2023-02-29"}}));
  EXPECT_EQ(e.field, "child_dob");
  EXPECT_THAT(e.reason,
              HasSubstr("child_dob is not a valid date: no such day"));
  EXPECT_THAT(ParseError(Contact({{"child_dob", "01/02/2015"}})).reason,
              HasSubstr("YYYY-MM-DD"));
}

TEST(ParseContactTest, ChildDobUpTo280DaysAfterReceipt) {
  // Received 2024-03-10: 280 days later is 2024-12-15.
  const Fields at = {{"received_at", "2024-03-10T09:00:00Z"}};
  Fields ok = at;
  ok["child_dob"] = "2024-12-15";
  EXPECT_EQ(ParseOk(Contact(ok)).child_dob, absl::CivilDay(2024, 12, 15));
  Fields late = at;
  late["child_dob"] = "2024-12-16";
  RecordError e = ParseError(Contact(late));
  EXPECT_EQ(e.field, "child_dob");
  EXPECT_THAT(e.reason, HasSubstr("more than 280 days after"));
}

TEST(ParseContactTest, ChildDobAtMost25YearsBeforeReceipt) {
  const Fields at = {{"received_at", "2024-03-10T09:00:00Z"}};
  Fields ok = at;
  ok["child_dob"] = "1999-03-10";
  EXPECT_EQ(ParseOk(Contact(ok)).child_dob, absl::CivilDay(1999, 3, 10));
  Fields old = at;
  old["child_dob"] = "1999-03-09";
  RecordError e = ParseError(Contact(old));
  EXPECT_EQ(e.field, "child_dob");
  EXPECT_THAT(e.reason, HasSubstr("more than 25 years before"));
}

TEST(ParseContactTest, ChildDobIsComparedWithTheLondonDateOfReceipt) {
  // 23:30 UTC on 30 June is 1 July in London (BST): 280 days after 1 July
  // 2024 is 7 April 2025.
  const absl::Time now = Utc(2024, 7, 2, 0, 0, 0);
  FeedRecord record = Contact(
      {{"received_at", "2024-06-30T23:30:00Z"}, {"child_dob", "2025-04-07"}});
  EXPECT_TRUE(std::holds_alternative<ContactRecord>(
      ParseContactRecord(record, "P", now)));
  record = Contact(
      {{"received_at", "2024-06-30T23:30:00Z"}, {"child_dob", "2025-04-08"}});
  EXPECT_TRUE(std::holds_alternative<RecordError>(
      ParseContactRecord(record, "P", now)));
}

TEST(ParseContactTest, SourceCode) {
  for (const char* code :
       {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E",
        "3F", "4",  "5A", "5B", "5C", "5D", "6",  "7",  "8",  "9",  "10"}) {
    EXPECT_EQ(ParseOk(Contact({{"source_code", code}})).source_code, code);
  }
  for (const char* bad : {"2a", "11", "1", "3G", " 6", "POLICE"}) {
    RecordError e = ParseError(Contact({{"source_code", bad}}));
    EXPECT_EQ(e.field, "source_code") << bad;
    EXPECT_THAT(e.reason, HasSubstr("not a CIN census source code"));
    EXPECT_THAT(e.reason,
                HasSubstr("1A, 1B, 1C, 1D, 2A, 2B, 3A, 3B, 3C, 3D, 3E, 3F, "
                          "4, 5A, 5B, 5C, 5D, 6, 7, 8, 9, 10"));
  }
  EXPECT_THAT(ParseError(Contact({{"source_code", "11"}})).reason,
              HasSubstr("source_code '11'"));
}

TEST(ParseContactTest, PrimaryNeed) {
  for (int n = 0; n <= 9; ++n) {
    const std::string code = absl::StrCat("N", n);
    EXPECT_EQ(ParseOk(Contact({{"primary_need", code}})).primary_need, code);
  }
  for (const char* bad : {"N10", "n1", "N", "1", "Abuse or neglect"}) {
    RecordError e = ParseError(Contact({{"primary_need", bad}}));
    EXPECT_EQ(e.field, "primary_need") << bad;
    EXPECT_THAT(e.reason, HasSubstr("N0, N1, N2"));
  }
}

TEST(ParseContactTest, ConcernsAreNormalised) {
  EXPECT_THAT(
      ParseOk(Contact({{"concerns", " NEGLECT ; CSE;;NEGLECT;\tFGM ;"}}))
          .concerns,
      ElementsAre("NEGLECT", "CSE", "FGM"));
  EXPECT_THAT(ParseOk(Contact({{"concerns", ";; ;"}})).concerns, IsEmpty());
  EXPECT_THAT(ParseOk(Contact({{"concerns",
                                "DOMESTIC_ABUSE;NEGLECT;PHYSICAL;EMOTIONAL;"
                                "SEXUAL;CSE;CCE;FGM;MENTAL_HEALTH;"
                                "SUBSTANCE_MISUSE"}}))
                  .concerns,
              ElementsAre("DOMESTIC_ABUSE", "NEGLECT", "PHYSICAL", "EMOTIONAL",
                          "SEXUAL", "CSE", "CCE", "FGM", "MENTAL_HEALTH",
                          "SUBSTANCE_MISUSE"));
}

TEST(ParseContactTest, UnknownConcern) {
  RecordError e = ParseError(Contact({{"concerns", "NEGLECT;Neglect"}}));
  EXPECT_EQ(e.field, "concerns");
  EXPECT_THAT(e.reason, HasSubstr("concerns item 2 'Neglect'"));
  EXPECT_THAT(e.reason, HasSubstr("DOMESTIC_ABUSE, NEGLECT"));
  EXPECT_EQ(ParseError(Contact({{"concerns", "NEGLECT,CSE"}})).field,
            "concerns");
}

TEST(ParseContactTest, FreeTextLengthsInCharacters) {
  const std::string e_acute = "\xC3\xA9";
  std::string org200;
  for (int i = 0; i < 200; ++i) org200 += e_acute;
  EXPECT_EQ(ParseOk(Contact({{"referrer_org", org200}})).referrer_org, org200);
  RecordError e = ParseError(Contact({{"referrer_org", org200 + "x"}}));
  EXPECT_EQ(e.field, "referrer_org");
  EXPECT_THAT(e.reason, HasSubstr("longer than 200 characters (it has 201)"));

  const std::string summary(4000, 's');
  EXPECT_EQ(ParseOk(Contact({{"summary", summary}})).summary, summary);
  e = ParseError(Contact({{"summary", summary + "s"}}));
  EXPECT_EQ(e.field, "summary");
  EXPECT_THAT(e.reason, HasSubstr("longer than 4000 characters"));
  EXPECT_EQ(ParseOk(Contact({{"summary",
                              "line 1\nline 2, \"quoted\" \xF0\x9F\x98\x80"}}))
                .summary,
            "line 1\nline 2, \"quoted\" \xF0\x9F\x98\x80");
}

TEST(ParseContactTest, FreeTextMustBeUtf8) {
  EXPECT_EQ(ParseError(Contact({{"summary", "bad \xC3"}})).field, "summary");
  EXPECT_EQ(ParseError(Contact({{"referrer_org", "\xED\xA0\x80"}})).field,
            "referrer_org");
}

TEST(ValidateContactTest, RulesOnTheDomainRecord) {
  ContactRecord c;
  c.agency = "POLICE";
  c.source_record_id = "R1";
  c.received_at = Utc(2024, 3, 1, 9, 0, 0);
  c.source_code = "6";
  EXPECT_EQ(ValidateContact(c, kNow), std::nullopt);

  ContactRecord repeated = c;
  repeated.concerns = {"CSE", "NEGLECT", "CSE"};
  std::optional<RecordError> e = ValidateContact(repeated, kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "concerns");
  EXPECT_THAT(e->reason, HasSubstr("'CSE' more than once"));

  ContactRecord blank_concern = c;
  blank_concern.concerns = {""};
  EXPECT_EQ(ValidateContact(blank_concern, kNow)->field, "concerns");

  ContactRecord no_source = c;
  no_source.source_code = "";
  EXPECT_EQ(ValidateContact(no_source, kNow)->field, "source_code");

  ContactRecord no_id = c;
  no_id.source_record_id = "";
  EXPECT_EQ(ValidateContact(no_id, kNow)->field, "source_record_id");

  ContactRecord no_time = c;
  no_time.received_at = absl::InfinitePast();
  EXPECT_EQ(ValidateContact(no_time, kNow)->field, "received_at");

  ContactRecord no_agency = c;
  no_agency.agency = "";
  EXPECT_EQ(ValidateContact(no_agency, kNow)->field, "agency");
}

TEST(ParseContactTest, ReadFromACsvFeed) {
  FeedReader reader(FeedFormat::kCsv, ContactFeedSchema());
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  ASSERT_TRUE(reader
                  .Feed("source_record_id,received_at,source_code,concerns,"
                        "summary\n"
                        "A1,2024-03-01T09:15:00Z,3A,\"CSE; FGM\",\"Hello, "
                        "world\"\n"
                        "A2,2024-03-01T09:15:00,3A,,\n",
                        &records, &errors)
                  .ok());
  ASSERT_TRUE(reader.Finish(&records, &errors).ok());
  ASSERT_EQ(records.size(), 2u);
  ContactRecord first = ParseOk(records[0], "HEALTH");
  EXPECT_EQ(first.source_record_id, "A1");
  EXPECT_THAT(first.concerns, ElementsAre("CSE", "FGM"));
  EXPECT_EQ(first.summary, "Hello, world");
  EXPECT_EQ(ParseError(records[1]).field, "received_at");
}

// --- Decisions
// ----------------------------------------------------------------

TEST(ParseDecisionTest, Minimal) {
  DecisionRecord d = DecisionOk(Decision());
  EXPECT_EQ(d.contact_ref, "C42");
  EXPECT_EQ(d.decided_at, Utc(2024, 3, 2, 10, 0, 0));
  EXPECT_EQ(d.outcome, Outcome::kReferral);
  EXPECT_EQ(d.decided_by, "");
}

TEST(ParseDecisionTest, ContactRefForms) {
  for (const char* ok :
       {"C1", "C42", "POLICE:R-1", "west_mids-1:A b/1", "P:x"}) {
    EXPECT_EQ(DecisionOk(Decision({{"contact_ref", ok}})).contact_ref, ok);
  }
  EXPECT_EQ(DecisionOk(Decision({{"contact_ref",
                                  absl::StrCat(std::string(32, 'A'), ":",
                                               std::string(64, 'r'))}}))
                .contact_ref.size(),
            97u);
  for (const std::string& bad :
       {std::string("C0"), std::string("C042"), std::string("c42"),
        std::string("42"), std::string("R-1"), std::string("POLICE:"),
        std::string(":R1"), std::string("POL ICE:R1"),
        std::string("POLICE:a:b"), std::string("POLICE: R1"),
        absl::StrCat(std::string(33, 'A'), ":R1"),
        absl::StrCat("P:", std::string(65, 'r'))}) {
    RecordError e = DecisionError(Decision({{"contact_ref", bad}}));
    EXPECT_EQ(e.field, "contact_ref") << bad;
    EXPECT_THAT(e.reason, HasSubstr("C42, or AGENCY:SOURCE_RECORD_ID")) << bad;
  }
  RecordError missing = DecisionError(Decision({{"contact_ref", ""}}));
  EXPECT_EQ(missing.field, "contact_ref");
  EXPECT_THAT(missing.reason, HasSubstr("contact_ref is required"));
}

TEST(ParseDecisionTest, EveryOutcome) {
  const std::vector<std::pair<std::string, Outcome>> all = {
      {"NFA", Outcome::kNfa},
      {"ADVICE", Outcome::kAdvice},
      {"EARLY_HELP", Outcome::kEarlyHelp},
      {"REFERRAL", Outcome::kReferral},
      {"STRATEGY_DISCUSSION", Outcome::kStrategyDiscussion},
      {"EXISTING_CASE", Outcome::kExistingCase}};
  for (const auto& [text, outcome] : all) {
    EXPECT_EQ(DecisionOk(Decision({{"outcome", text}})).outcome, outcome);
  }
  for (const char* bad : {"nfa", "Referral", "UNSPECIFIED", "CLOSED"}) {
    RecordError e = DecisionError(Decision({{"outcome", bad}}));
    EXPECT_EQ(e.field, "outcome") << bad;
    EXPECT_THAT(e.reason, HasSubstr("NFA, ADVICE, EARLY_HELP, REFERRAL, "
                                    "STRATEGY_DISCUSSION or EXISTING_CASE"));
  }
  RecordError missing = DecisionError(Decision({{"outcome", ""}}));
  EXPECT_EQ(missing.field, "outcome");
  EXPECT_THAT(missing.reason, HasSubstr("outcome is required"));
}

TEST(ParseDecisionTest, DecidedAt) {
  EXPECT_EQ(
      DecisionOk(Decision({{"decided_at", "2024-03-11T12:00:00Z"}})).decided_at,
      Utc(2024, 3, 11, 12, 0, 0));
  RecordError future =
      DecisionError(Decision({{"decided_at", "2024-03-11T12:00:01Z"}}));
  EXPECT_EQ(future.field, "decided_at");
  EXPECT_THAT(future.reason, HasSubstr("decided_at is in the future"));
  RecordError no_offset =
      DecisionError(Decision({{"decided_at", "2024-03-02 10:00"}}));
  EXPECT_EQ(no_offset.field, "decided_at");
  EXPECT_THAT(no_offset.reason, HasSubstr("needs a UTC offset"));
  RecordError missing = DecisionError(Decision({{"decided_at", ""}}));
  EXPECT_EQ(missing.field, "decided_at");
  EXPECT_THAT(missing.reason, HasSubstr("decided_at is required"));
}

TEST(ParseDecisionTest, DecidedBy) {
  EXPECT_EQ(DecisionOk(Decision({{"decided_by", "jane.doe-2@derby.gov.uk"}}))
                .decided_by,
            "jane.doe-2@derby.gov.uk");
  EXPECT_EQ(DecisionOk(Decision({{"decided_by", std::string(64, 'j')}}))
                .decided_by.size(),
            64u);
  for (const std::string& bad :
       {std::string(65, 'j'), std::string("jane doe"), std::string("jane+1"),
        std::string("DERBY\\jane")}) {
    RecordError e = DecisionError(Decision({{"decided_by", bad}}));
    EXPECT_EQ(e.field, "decided_by") << bad;
    EXPECT_THAT(e.reason, HasSubstr("decided_by must be 1 to 64 characters"));
  }
}

TEST(ValidateDecisionTest, UnspecifiedOutcomeIsRejected) {
  DecisionRecord d{"C1", kNow, Outcome::kUnspecified, ""};
  std::optional<RecordError> e = ValidateDecision(d, kNow);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "outcome");
  d.outcome = Outcome::kNfa;
  EXPECT_EQ(ValidateDecision(d, kNow), std::nullopt);
}

}  // namespace
}  // namespace sgm::intake
