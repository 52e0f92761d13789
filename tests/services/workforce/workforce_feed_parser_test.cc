#include "services/workforce/workforce_feed_parser.h"

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/workforce/staff.h"

namespace sgm::workforce {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Day = absl::CivilDay;
using Fields = std::map<std::string, std::string>;

// "Today" for every test: Sunday 30 June 2024.
constexpr Day kToday(2024, 6, 30);

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

const Fields kGoodStaff = {{"staff_id", "SW-001/a.b_c"},
                           {"role", "SOCIAL_WORKER"},
                           {"qualified", "Y"},
                           {"service_area", "Children's Safeguarding"},
                           {"team", "CP Team 1"},
                           {"employment", "PERMANENT"},
                           {"fte", "0.8"},
                           {"start_date", "2020-01-06"},
                           {"end_date", "2024-06-28"},
                           {"annual_cost", "45000.50"}};

std::variant<StaffMember, RecordError> ParseStaff(const Fields& changes) {
  return ParseStaffRecord(Record(StaffFeedSchema(), With(kGoodStaff, changes)),
                          kToday);
}

// The error of a record that must be rejected.
RecordError StaffError(const Fields& changes) {
  std::variant<StaffMember, RecordError> parsed = ParseStaff(changes);
  EXPECT_TRUE(std::holds_alternative<RecordError>(parsed));
  if (auto* e = std::get_if<RecordError>(&parsed)) return *e;
  return {};
}

const Fields kGoodAbsence = {{"staff_id", "SW-001"},
                             {"reason", "SIC"},
                             {"start_date", "2024-06-03"},
                             {"end_date", "2024-06-07"},
                             {"days_lost", "4.5"}};

std::variant<AbsenceEpisode, RecordError> ParseAbsence(const Fields& changes) {
  return ParseAbsenceRecord(
      Record(AbsenceFeedSchema(), With(kGoodAbsence, changes)), kToday);
}

RecordError AbsenceError(const Fields& changes) {
  std::variant<AbsenceEpisode, RecordError> parsed = ParseAbsence(changes);
  EXPECT_TRUE(std::holds_alternative<RecordError>(parsed));
  if (auto* e = std::get_if<RecordError>(&parsed)) return *e;
  return {};
}

const Fields kGoodPost = {{"service_area", "Children In Care"},
                          {"team", "CIC 2"},
                          {"role", "TEAM_MANAGER"},
                          {"fte", "2.5"},
                          {"effective_from", "2024-04-01"}};

std::variant<EstablishmentRow, RecordError> ParsePost(const Fields& changes) {
  return ParseEstablishmentRecord(
      Record(EstablishmentFeedSchema(), With(kGoodPost, changes)), kToday);
}

RecordError PostError(const Fields& changes) {
  std::variant<EstablishmentRow, RecordError> parsed = ParsePost(changes);
  EXPECT_TRUE(std::holds_alternative<RecordError>(parsed));
  if (auto* e = std::get_if<RecordError>(&parsed)) return *e;
  return {};
}

// ---------------------------------------------------------------------------
// Schemas

TEST(WorkforceFeedParserTest, SchemasHaveTheDesignColumns) {
  EXPECT_EQ(StaffFeedSchema().columns,
            (std::vector<std::string>{
                "staff_id", "role", "qualified", "service_area", "team",
                "employment", "fte", "start_date", "end_date", "annual_cost"}));
  EXPECT_EQ(StaffFeedSchema().required,
            (std::vector<std::string>{"staff_id", "role", "service_area",
                                      "employment", "fte", "start_date"}));
  EXPECT_EQ(AbsenceFeedSchema().columns,
            (std::vector<std::string>{"staff_id", "reason", "start_date",
                                      "end_date", "days_lost"}));
  EXPECT_EQ(AbsenceFeedSchema().required,
            (std::vector<std::string>{"staff_id", "reason", "start_date",
                                      "days_lost"}));
  EXPECT_EQ(EstablishmentFeedSchema().columns,
            (std::vector<std::string>{"service_area", "team", "role", "fte",
                                      "effective_from"}));
  EXPECT_EQ(EstablishmentFeedSchema().required,
            (std::vector<std::string>{"service_area", "role", "fte"}));
}

TEST(WorkforceFeedParserTest, ReadsACsvFileThroughTheSchema) {
  FeedReader reader(FeedFormat::kCsv, StaffFeedSchema());
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  ASSERT_TRUE(reader
                  .Feed("staff_id,role,service_area,employment,fte,"
                        "start_date\n"
                        "A1,SOCIAL_WORKER,Early Help,AGENCY,1,2024-01-08\n",
                        &records, &errors)
                  .ok());
  ASSERT_TRUE(reader.Finish(&records, &errors).ok());
  ASSERT_EQ(records.size(), 1u);
  std::variant<StaffMember, RecordError> parsed =
      ParseStaffRecord(records[0], kToday);
  ASSERT_TRUE(std::holds_alternative<StaffMember>(parsed));
  const StaffMember& m = std::get<StaffMember>(parsed);
  EXPECT_EQ(m.staff_id, "A1");
  EXPECT_EQ(m.employment, Employment::kAgency);
  EXPECT_EQ(m.fte, 1000);
  // Defaults of the optional columns.
  EXPECT_FALSE(m.qualified);
  EXPECT_EQ(m.team, "");
  EXPECT_EQ(m.end_date, std::nullopt);
  EXPECT_EQ(m.annual_cost_pence, 0);
}

TEST(WorkforceFeedParserTest, ARecordOfAnotherSchemaIsRefused) {
  std::variant<StaffMember, RecordError> parsed =
      ParseStaffRecord(Record(AbsenceFeedSchema(), kGoodAbsence), kToday);
  ASSERT_TRUE(std::holds_alternative<RecordError>(parsed));
  EXPECT_EQ(std::get<RecordError>(parsed).field, "");
}

// ---------------------------------------------------------------------------
// Names of the codes

TEST(WorkforceFeedParserTest, CodesRoundTrip) {
  for (const Employment e :
       {Employment::kPermanent, Employment::kFixedTerm, Employment::kAgency}) {
    EXPECT_EQ(ParseEmployment(EmploymentName(e)), e);
  }
  EXPECT_EQ(EmploymentName(Employment::kFixedTerm), "FIXED_TERM");
  EXPECT_EQ(ParseEmployment("permanent"), std::nullopt);
  for (const AbsenceReason r :
       {AbsenceReason::kMat, AbsenceReason::kSic, AbsenceReason::kTrn,
        AbsenceReason::kOth, AbsenceReason::kPub, AbsenceReason::kUna,
        AbsenceReason::kUnp}) {
    EXPECT_EQ(ParseAbsenceReason(AbsenceReasonName(r)), r);
  }
  EXPECT_EQ(AbsenceReasonName(AbsenceReason::kUnp), "UNP");
  EXPECT_EQ(ParseAbsenceReason("SICK"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Staff

TEST(WorkforceFeedParserTest, StaffGoodRecord) {
  std::variant<StaffMember, RecordError> parsed = ParseStaff({});
  ASSERT_TRUE(std::holds_alternative<StaffMember>(parsed))
      << std::get<RecordError>(parsed).field << ": "
      << std::get<RecordError>(parsed).reason;
  const StaffMember& m = std::get<StaffMember>(parsed);
  EXPECT_EQ(m.staff_id, "SW-001/a.b_c");
  EXPECT_EQ(m.role, "SOCIAL_WORKER");
  EXPECT_TRUE(m.qualified);
  EXPECT_EQ(m.service_area, "Children's Safeguarding");
  EXPECT_EQ(m.team, "CP Team 1");
  EXPECT_EQ(m.employment, Employment::kPermanent);
  EXPECT_EQ(m.fte, 800);
  EXPECT_EQ(m.start_date, Day(2020, 1, 6));
  EXPECT_EQ(m.end_date, Day(2024, 6, 28));
  // £45,000.50 = 4,500,050 pence exactly.
  EXPECT_EQ(m.annual_cost_pence, 4500050);
}

TEST(WorkforceFeedParserTest, StaffNumbersAreExact) {
  // 1.5 FTE = 1500 thousandths; 0.001 = 1; "1.50" = 1500.
  EXPECT_EQ(std::get<StaffMember>(ParseStaff({{"fte", "1.5"}})).fte, 1500);
  EXPECT_EQ(std::get<StaffMember>(ParseStaff({{"fte", "0.001"}})).fte, 1);
  EXPECT_EQ(std::get<StaffMember>(ParseStaff({{"fte", "1.50"}})).fte, 1500);
  // 0.1 + 0.2 style costs: £0.29 = 29 pence, £10,000,000 = 10^9 pence (the
  // bound), "45000.5" = 4,500,050.
  EXPECT_EQ(std::get<StaffMember>(ParseStaff({{"annual_cost", "0.29"}}))
                .annual_cost_pence,
            29);
  EXPECT_EQ(std::get<StaffMember>(ParseStaff({{"annual_cost", "10000000"}}))
                .annual_cost_pence,
            1000000000);
  EXPECT_EQ(std::get<StaffMember>(ParseStaff({{"annual_cost", "45000.5"}}))
                .annual_cost_pence,
            4500050);
  EXPECT_FALSE(
      std::get<StaffMember>(ParseStaff({{"qualified", "N"}})).qualified);
  // A planned starter a year ahead (30 Jun 2025) is accepted; an end date
  // on the start date too.
  EXPECT_TRUE(std::holds_alternative<StaffMember>(
      ParseStaff({{"start_date", "2025-06-30"}, {"end_date", "2025-06-30"}})));
}

TEST(WorkforceFeedParserTest, StaffRequiredFieldsMissing) {
  const std::map<std::string, std::string> expected = {
      {"staff_id", "staff_id is required"},
      {"role", "role is required: a code such as SOCIAL_WORKER"},
      {"service_area", "service_area is required"},
      {"employment", "employment is required: PERMANENT, FIXED_TERM or AGENCY"},
      {"fte",
       "fte is required: a number more than 0 and at most 1.5, e.g. 1 or "
       "0.5"},
      {"start_date", "start_date is required: a date of the form YYYY-MM-DD"},
  };
  ASSERT_EQ(expected.size(), StaffFeedSchema().required.size());
  for (const std::string& field : StaffFeedSchema().required) {
    SCOPED_TRACE(field);
    const RecordError e = StaffError({{field, ""}});
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.reason, expected.at(field));
  }
}

struct BadValue {
  std::string field;
  std::string value;
  std::string reason;
};

TEST(WorkforceFeedParserTest, StaffBadValues) {
  const std::vector<BadValue> cases = {
      {"staff_id", std::string(65, 'a'),
       "staff_id must be 1 to 64 characters, each a letter, a digit, '-', "
       "'_', '.' or '/'"},
      {"staff_id", "W 1",
       "staff_id must be 1 to 64 characters, each a letter, a digit, '-', "
       "'_', '.' or '/'"},
      {"role", "social_worker",
       "role must be a code of 1 to 40 characters, each a capital letter, a "
       "digit or '_', e.g. SOCIAL_WORKER"},
      {"role", std::string(41, 'A'),
       "role must be a code of 1 to 40 characters, each a capital letter, a "
       "digit or '_', e.g. SOCIAL_WORKER"},
      {"qualified", "yes", "qualified 'yes' must be Y or N (empty: N)"},
      {"qualified", "y es", "qualified must be Y or N (empty: N)"},
      {"qualified", "T", "qualified 'T' must be Y or N (empty: N)"},
      {"service_area", std::string(101, 'x'),
       "service_area is longer than 100 characters"},
      {"service_area", "Early\tHelp",
       "service_area must not contain control characters"},
      {"service_area", " Early Help",
       "service_area must not start or end with a space"},
      {"service_area", "\xC3\x28", "service_area is not valid UTF-8"},
      {"team", "CP\n1", "team must not contain control characters"},
      {"employment", "CONTRACTOR",
       "employment 'CONTRACTOR' is not one of PERMANENT, FIXED_TERM or "
       "AGENCY"},
      {"fte", "0", "fte must be more than 0 and at most 1.5"},
      {"fte", "0.000", "fte must be more than 0 and at most 1.5"},
      {"fte", "1.501", "fte must be more than 0 and at most 1.5"},
      {"fte", "-0.5", "fte must be more than 0 and at most 1.5"},
      {"fte", "0.5001", "fte has more than 3 decimals"},
      {"fte", "one", "fte is not a number such as 1 or 0.5"},
      {"fte", ".5", "fte is not a number such as 1 or 0.5"},
      {"fte", "1.", "fte is not a number such as 1 or 0.5"},
      {"start_date", "2024-02-30",
       "start_date is not a valid date: no such day (that month has 29 "
       "days)"},
      // A year after 30 Jun 2024 is 30 Jun 2025; 1 Jul 2025 is too far.
      {"start_date", "2025-07-01",
       "start_date is more than a year after the date the record was "
       "loaded"},
      {"end_date", "2019-12-31",
       "end_date is before start_date (it is the last day in post)"},
      {"end_date", "2025-07-01",
       "end_date is more than a year after the date the record was loaded"},
      {"end_date", "31/12/2024",
       "end_date is not a valid date: not a date of the form YYYY-MM-DD"},
      {"annual_cost", "45000.505",
       "annual_cost has more than 2 decimals (it is in pounds and pence)"},
      {"annual_cost", "-1", "annual_cost must not be negative"},
      {"annual_cost", "10000000.01",
       "annual_cost is more than 10000000 pounds"},
      {"annual_cost", "1234567890", "annual_cost is more than 10000000 pounds"},
      {"annual_cost", "45,000",
       "annual_cost is not an amount in pounds such as 45000 or 45000.50 (no "
       "'\xC2\xA3' sign, no commas)"},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value);
    const RecordError e = StaffError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
}

TEST(WorkforceFeedParserTest, StaffReasonsNeverEchoFreeText) {
  const RecordError e = StaffError({{"employment", "Mrs Smith, agency"}});
  EXPECT_EQ(e.field, "employment");
  EXPECT_THAT(e.reason, Not(HasSubstr("Smith")));
}

TEST(WorkforceFeedParserTest, ValidateStaffChecksValuesFromRpcs) {
  StaffMember m = std::get<StaffMember>(ParseStaff({}));
  EXPECT_EQ(ValidateStaff(m, kToday), std::nullopt);
  StaffMember bad = m;
  bad.fte = 0;
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "fte");
  bad = m;
  bad.fte = 1501;
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "fte");
  bad = m;
  bad.annual_cost_pence = -1;
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "annual_cost");
  bad = m;
  bad.annual_cost_pence = 1000000001;
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "annual_cost");
  bad = m;
  bad.employment = static_cast<Employment>(7);
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "employment");
  bad = m;
  bad.service_area = "";
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "service_area");
  bad = m;
  bad.end_date = Day(2019, 1, 1);
  EXPECT_EQ(ValidateStaff(bad, kToday)->field, "end_date");
}

// ---------------------------------------------------------------------------
// Absences

TEST(WorkforceFeedParserTest, AbsenceGoodRecord) {
  std::variant<AbsenceEpisode, RecordError> parsed = ParseAbsence({});
  ASSERT_TRUE(std::holds_alternative<AbsenceEpisode>(parsed))
      << std::get<RecordError>(parsed).reason;
  const AbsenceEpisode& a = std::get<AbsenceEpisode>(parsed);
  EXPECT_EQ(a.staff_id, "SW-001");
  EXPECT_EQ(a.reason, AbsenceReason::kSic);
  EXPECT_EQ(a.start_date, Day(2024, 6, 3));
  EXPECT_EQ(a.end_date, Day(2024, 6, 7));
  EXPECT_DOUBLE_EQ(a.days_lost, 4.5);
  // Ongoing: no end date; 1 Jul (today + 1) is still accepted as a start.
  std::variant<AbsenceEpisode, RecordError> ongoing =
      ParseAbsence({{"reason", "MAT"}, {"end_date", ""}, {"days_lost", "0"}});
  ASSERT_TRUE(std::holds_alternative<AbsenceEpisode>(ongoing));
  EXPECT_EQ(std::get<AbsenceEpisode>(ongoing).end_date, std::nullopt);
  EXPECT_TRUE(std::holds_alternative<AbsenceEpisode>(
      ParseAbsence({{"start_date", "2024-07-01"},
                    {"end_date", "2024-07-01"},
                    {"days_lost", "1"}})));
  // 5 calendar days, 3 to 7 June: 5 days lost is the most.
  EXPECT_TRUE(std::holds_alternative<AbsenceEpisode>(
      ParseAbsence({{"days_lost", "5"}})));
}

TEST(WorkforceFeedParserTest, AbsenceRequiredFieldsMissing) {
  const std::map<std::string, std::string> expected = {
      {"staff_id", "staff_id is required"},
      {"reason", "reason is required: MAT, SIC, TRN, OTH, PUB, UNA or UNP"},
      {"start_date", "start_date is required: a date of the form YYYY-MM-DD"},
      {"days_lost",
       "days_lost is required: the working days lost, e.g. 3 or 2.5"},
  };
  ASSERT_EQ(expected.size(), AbsenceFeedSchema().required.size());
  for (const std::string& field : AbsenceFeedSchema().required) {
    SCOPED_TRACE(field);
    const RecordError e = AbsenceError({{field, ""}});
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.reason, expected.at(field));
  }
}

TEST(WorkforceFeedParserTest, AbsenceBadValues) {
  const std::vector<BadValue> cases = {
      {"staff_id", "W:1",
       "staff_id must be 1 to 64 characters, each a letter, a digit, '-', "
       "'_', '.' or '/'"},
      {"reason", "XYZ",
       "reason 'XYZ' is not one of MAT, SIC, TRN, OTH, PUB, UNA or UNP"},
      {"reason", "sic",
       "reason 'sic' is not one of MAT, SIC, TRN, OTH, PUB, UNA or UNP"},
      {"start_date", "2024-6-3",
       "start_date is not a valid date: not a date of the form YYYY-MM-DD"},
      // Today is 30 Jun: 2 Jul is more than a day ahead.
      {"start_date", "2024-07-02",
       "start_date is in the future (more than 1 day after the date the "
       "record was loaded)"},
      {"end_date", "2024-06-02",
       "end_date is before start_date (it is the last day absent)"},
      {"end_date", "2024-07-02",
       "end_date is in the future (more than 1 day after the date the "
       "record was loaded)"},
      {"days_lost", "-1", "days_lost must not be negative"},
      {"days_lost", "1.125", "days_lost has more than 2 decimals"},
      {"days_lost", "lots", "days_lost is not a number such as 3 or 2.5"},
      // 3 to 7 June is 5 calendar days.
      {"days_lost", "5.01",
       "days_lost is more than the 5 calendar days of the episode"},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value);
    const RecordError e = AbsenceError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
  // Ongoing from 3 June: 28 calendar days to 30 June, so 28 is the most.
  EXPECT_TRUE(std::holds_alternative<AbsenceEpisode>(
      ParseAbsence({{"end_date", ""}, {"days_lost", "28"}})));
  const RecordError e = AbsenceError({{"end_date", ""}, {"days_lost", "29"}});
  EXPECT_EQ(e.field, "days_lost");
  EXPECT_EQ(e.reason,
            "days_lost is more than the calendar days from start_date to the "
            "date the record was loaded (the episode is ongoing)");
}

TEST(WorkforceFeedParserTest, ValidateAbsenceChecksValuesFromRpcs) {
  AbsenceEpisode a = std::get<AbsenceEpisode>(ParseAbsence({}));
  EXPECT_EQ(ValidateAbsence(a, kToday), std::nullopt);
  AbsenceEpisode bad = a;
  bad.days_lost = -0.5;
  EXPECT_EQ(ValidateAbsence(bad, kToday)->field, "days_lost");
  bad = a;
  bad.days_lost = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(ValidateAbsence(bad, kToday)->field, "days_lost");
  bad = a;
  bad.reason = static_cast<AbsenceReason>(42);
  EXPECT_EQ(ValidateAbsence(bad, kToday)->field, "reason");
  bad = a;
  bad.staff_id = "";
  EXPECT_EQ(ValidateAbsence(bad, kToday)->field, "staff_id");
}

// ---------------------------------------------------------------------------
// Establishment

TEST(WorkforceFeedParserTest, EstablishmentGoodRecord) {
  std::variant<EstablishmentRow, RecordError> parsed = ParsePost({});
  ASSERT_TRUE(std::holds_alternative<EstablishmentRow>(parsed))
      << std::get<RecordError>(parsed).reason;
  const EstablishmentRow& row = std::get<EstablishmentRow>(parsed);
  EXPECT_EQ(row.service_area, "Children In Care");
  EXPECT_EQ(row.team, "CIC 2");
  EXPECT_EQ(row.role, "TEAM_MANAGER");
  EXPECT_EQ(row.fte, 2500);
  EXPECT_EQ(row.effective_from, Day(2024, 4, 1));
  // Undated, no team, fte 0 (closing the posts), 10,000 FTE (the bound), a
  // change funded a year ahead.
  std::variant<EstablishmentRow, RecordError> closing =
      ParsePost({{"team", ""}, {"fte", "0"}, {"effective_from", ""}});
  ASSERT_TRUE(std::holds_alternative<EstablishmentRow>(closing));
  EXPECT_EQ(std::get<EstablishmentRow>(closing).fte, 0);
  EXPECT_EQ(std::get<EstablishmentRow>(closing).effective_from, std::nullopt);
  EXPECT_EQ(std::get<EstablishmentRow>(closing).team, "");
  EXPECT_EQ(std::get<EstablishmentRow>(ParsePost({{"fte", "10000"}})).fte,
            10000000);
  EXPECT_TRUE(std::holds_alternative<EstablishmentRow>(
      ParsePost({{"effective_from", "2025-06-30"}})));
}

TEST(WorkforceFeedParserTest, EstablishmentRequiredFieldsMissing) {
  const std::map<std::string, std::string> expected = {
      {"service_area", "service_area is required"},
      {"role", "role is required: a code such as SOCIAL_WORKER"},
      {"fte", "fte is required: the funded FTE, 0 or more, e.g. 3 or 2.5"},
  };
  ASSERT_EQ(expected.size(), EstablishmentFeedSchema().required.size());
  for (const std::string& field : EstablishmentFeedSchema().required) {
    SCOPED_TRACE(field);
    const RecordError e = PostError({{field, ""}});
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.reason, expected.at(field));
  }
}

TEST(WorkforceFeedParserTest, EstablishmentBadValues) {
  const std::vector<BadValue> cases = {
      {"service_area", "Care\x7F",
       "service_area must not contain control "
       "characters"},
      {"team", std::string(101, 'T'), "team is longer than 100 characters"},
      {"role", "Team Manager",
       "role must be a code of 1 to 40 characters, each a capital letter, a "
       "digit or '_', e.g. SOCIAL_WORKER"},
      {"fte", "-1", "fte must not be negative (0 ends the posts)"},
      {"fte", "2.0005", "fte has more than 3 decimals"},
      {"fte", "10000.001", "fte is more than 10000"},
      {"fte", "two", "fte is not a number such as 3 or 2.5"},
      {"effective_from", "2025-07-01",
       "effective_from is more than a year after the date the record was "
       "loaded"},
      {"effective_from", "2024-13-01",
       "effective_from is not a valid date: no such month (months are "
       "01-12)"},
  };
  for (const BadValue& c : cases) {
    SCOPED_TRACE(c.field + " = " + c.value);
    const RecordError e = PostError({{c.field, c.value}});
    EXPECT_EQ(e.field, c.field);
    EXPECT_EQ(e.reason, c.reason);
  }
}

TEST(WorkforceFeedParserTest, ValidateEstablishmentChecksValuesFromRpcs) {
  EstablishmentRow row = std::get<EstablishmentRow>(ParsePost({}));
  EXPECT_EQ(ValidateEstablishment(row, kToday), std::nullopt);
  EstablishmentRow bad = row;
  bad.fte = -1;
  EXPECT_EQ(ValidateEstablishment(bad, kToday)->field, "fte");
  bad = row;
  bad.role = "";
  EXPECT_EQ(ValidateEstablishment(bad, kToday)->field, "role");
  bad = row;
  bad.effective_from = Day(2026, 1, 1);
  EXPECT_EQ(ValidateEstablishment(bad, kToday)->field, "effective_from");
}

}  // namespace
}  // namespace sgm::workforce
