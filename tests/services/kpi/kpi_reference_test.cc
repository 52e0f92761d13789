#include "services/kpi/kpi_reference.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/indicator_summary.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Pair;

absl::StatusOr<KpiReference> ParseText(const std::string& json) {
  return KpiReference::Parse(json, "ref.json");
}

// The message of a parse that must fail.
std::string ErrorOf(const std::string& json) {
  absl::StatusOr<KpiReference> reference = ParseText(json);
  EXPECT_FALSE(reference.ok()) << json;
  if (reference.ok()) return "";
  EXPECT_EQ(reference.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(reference.status().message());
}

void ExpectBuiltInDefaults(const AuthorityReference& reference) {
  EXPECT_EQ(reference.name, "");
  EXPECT_EQ(reference.visit_rules.cp_visit_interval_wd, 10);
  EXPECT_EQ(reference.visit_rules.cin_review_cadence_months, 3);
  EXPECT_EQ(reference.visit_rules.cla_visit_interval_days, 42);
  EXPECT_EQ(reference.visit_rules.cla_long_term_visit_months, 3);
  EXPECT_EQ(reference.referral_rules.assessment_start_point,
            AssessmentStartPoint::kReferral);
  EXPECT_EQ(reference.referral_rules.assessment_wd, 45);
  EXPECT_EQ(reference.referral_rules.icpc_wd, 15);
  EXPECT_EQ(reference.referral_rules.repeat_plan_window_months, std::nullopt);
  ASSERT_EQ(reference.targets.size(), IndicatorDefinitions().size());
  for (const IndicatorDefinition& definition : IndicatorDefinitions()) {
    const IndicatorTarget& target = reference.targets.at(definition.id);
    EXPECT_EQ(target.target, definition.default_target.target);
    EXPECT_EQ(target.amber_margin, definition.default_target.amber_margin);
    EXPECT_EQ(target.direction, definition.default_target.direction);
  }
  EXPECT_TRUE(reference.comparators.empty());
  EXPECT_TRUE(reference.population_0_17.empty());
}

TEST(KpiReferenceTest, BuiltInDefaults) {
  const KpiReference reference;
  ExpectBuiltInDefaults(reference.For("831"));
  EXPECT_EQ(reference.For("831").targets.at("repeat_cp_plans").direction,
            Direction::kLowerIsBetter);
  EXPECT_EQ(reference.For("831").targets.at("repeat_cp_plans").target, 20.0);
}

TEST(KpiReferenceTest, AnEmptyObjectGivesTheBuiltInDefaults) {
  absl::StatusOr<KpiReference> reference = ParseText("{}");
  ASSERT_TRUE(reference.ok()) << reference.status();
  ExpectBuiltInDefaults(reference->For("831"));
  EXPECT_EQ(reference->Fingerprint(), KpiReference().Fingerprint());
}

constexpr char kFullFile[] = R"json({
  "defaults": {
    "name": "Anywhere",
    "rules": {"cp_visit_interval_working_days": 15,
              "cin_review_cadence_months": 6,
              "cla_visit_interval_days": 28,
              "cla_long_term_visit_months": 6,
              "assessment_start_point": "ASSESSMENT_START",
              "assessment_working_days": 40,
              "icpc_working_days": 10,
              "repeat_plan_window_months": 24},
    "targets": {"cpp_visits_in_time": {"target": 95, "amber_margin": 2.5}},
    "comparators": {
      "icpc_in_15wd": [{"name": "England", "year": 2021, "value": 79.2}],
      "cic_per_10k": [{"name": "England", "year": 2021, "value": 70}]
    },
    "population_0_17": {"2020": 1000}
  },
  "authorities": {
    "831": {
      "name": "Derby",
      "rules": {"icpc_working_days": 12, "repeat_plan_window_months": 0},
      "targets": {"cpp_visits_in_time": {"target": 85},
                  "repeat_cp_plans": {"target": 18.5}},
      "comparators": {
        "icpc_in_15wd": [
          {"name": "Statistical neighbours", "year": 2021, "value": 82.7},
          {"name": "England", "year": 2021, "value": 79.2}],
        "cpp_per_10k": [{"name": "England", "year": 2021, "value": 42}]
      },
      "population_0_17": {"2021": 59900, "2023": 60200}
    },
    "832": {}
  }
})json";

TEST(KpiReferenceTest, ReadsAFullFile) {
  absl::StatusOr<KpiReference> reference = ParseText(kFullFile);
  ASSERT_TRUE(reference.ok()) << reference.status();

  const AuthorityReference& defaults = reference->For("999");
  EXPECT_EQ(defaults.name, "Anywhere");
  EXPECT_EQ(defaults.visit_rules.cp_visit_interval_wd, 15);
  EXPECT_EQ(defaults.visit_rules.cin_review_cadence_months, 6);
  EXPECT_EQ(defaults.visit_rules.cla_visit_interval_days, 28);
  EXPECT_EQ(defaults.visit_rules.cla_long_term_visit_months, 6);
  EXPECT_EQ(defaults.referral_rules.assessment_start_point,
            AssessmentStartPoint::kAssessmentStart);
  EXPECT_EQ(defaults.referral_rules.assessment_wd, 40);
  EXPECT_EQ(defaults.referral_rules.icpc_wd, 10);
  EXPECT_THAT(defaults.referral_rules.repeat_plan_window_months, Optional(24));
  EXPECT_EQ(defaults.targets.at("cpp_visits_in_time").target, 95.0);
  EXPECT_EQ(defaults.targets.at("cpp_visits_in_time").amber_margin, 2.5);
  EXPECT_EQ(defaults.targets.size(), 8u);
  EXPECT_THAT(defaults.comparators.at("icpc_in_15wd"),
              ElementsAre(FieldsAre("England", 2021, 79.2)));
  EXPECT_THAT(defaults.population_0_17, ElementsAre(Pair(2020, 1000)));

  // An authority with no fields of its own is the defaults.
  EXPECT_EQ(reference->For("832").name, "Anywhere");
  EXPECT_EQ(reference->For("832").referral_rules.icpc_wd, 10);
}

TEST(KpiReferenceTest, AnAuthorityOverridesTheDefaultsFieldByField) {
  absl::StatusOr<KpiReference> reference = ParseText(kFullFile);
  ASSERT_TRUE(reference.ok()) << reference.status();
  const AuthorityReference& derby = reference->For("831");
  EXPECT_EQ(derby.name, "Derby");
  // Rules: the two given, the rest from the defaults; 0 means "ever".
  EXPECT_EQ(derby.referral_rules.icpc_wd, 12);
  EXPECT_EQ(derby.referral_rules.repeat_plan_window_months, std::nullopt);
  EXPECT_EQ(derby.referral_rules.assessment_wd, 40);
  EXPECT_EQ(derby.visit_rules.cp_visit_interval_wd, 15);
  // Targets per id, and within an id the fields not given are inherited.
  EXPECT_EQ(derby.targets.at("cpp_visits_in_time").target, 85.0);
  EXPECT_EQ(derby.targets.at("cpp_visits_in_time").amber_margin, 2.5);
  EXPECT_EQ(derby.targets.at("repeat_cp_plans").target, 18.5);
  EXPECT_EQ(derby.targets.at("repeat_cp_plans").direction,
            Direction::kLowerIsBetter);
  EXPECT_EQ(derby.targets.at("cic_visits_in_time").target, 90.0);
  // Comparators per id: a list replaces the defaults' list for its id.
  EXPECT_THAT(derby.comparators.at("icpc_in_15wd"),
              ElementsAre(FieldsAre("Statistical neighbours", 2021, 82.7),
                          FieldsAre("England", 2021, 79.2)));
  EXPECT_THAT(derby.comparators.at(std::string(kCppPer10k)),
              ElementsAre(FieldsAre("England", 2021, 42.0)));
  EXPECT_THAT(derby.comparators.at(std::string(kCicPer10k)),
              ElementsAre(FieldsAre("England", 2021, 70.0)));
  // Population per year.
  EXPECT_THAT(
      derby.population_0_17,
      ElementsAre(Pair(2020, 1000), Pair(2021, 59900), Pair(2023, 60200)));
}

TEST(KpiReferenceTest, ErrorsNameTheOriginThePathAndTheRule) {
  EXPECT_EQ(ErrorOf(R"({"authorities": {"831": {"rules":
              {"icpc_working_days": 61}}}})"),
            "ref.json: authorities.831.rules.icpc_working_days: must be 1 to "
            "60");
  EXPECT_EQ(ErrorOf(R"({"defaults": {"rules":
              {"cla_visit_interval_days": 0}}})"),
            "ref.json: defaults.rules.cla_visit_interval_days: must be 1 to "
            "366");
  EXPECT_EQ(ErrorOf(R"({"defaults": {"rules":
              {"cin_review_cadence_months": 13}}})"),
            "ref.json: defaults.rules.cin_review_cadence_months: must be 1 "
            "to 12");
  EXPECT_THAT(ErrorOf(R"({"defaults": {"rules":
              {"assessment_working_days": 45.5}}})"),
              HasSubstr("defaults.rules.assessment_working_days: must be a "
                        "whole number"));
  EXPECT_THAT(ErrorOf(R"({"defaults": {"rules":
              {"assessment_start_point": "CONTACT"}}})"),
              HasSubstr("defaults.rules.assessment_start_point: must be "
                        "\"REFERRAL\" or \"ASSESSMENT_START\""));
  EXPECT_THAT(ErrorOf(R"({"defaults": {"rules": {"speed": 1}}})"),
              HasSubstr("ref.json: defaults.rules.speed: unknown key"));
  EXPECT_EQ(ErrorOf(R"({"authorities": {"831": {"targets":
              {"cic_visits_in_time": {"target": 100.5}}}}})"),
            "ref.json: authorities.831.targets.cic_visits_in_time.target: "
            "must be 0 to 100");
  EXPECT_EQ(ErrorOf(R"({"authorities": {"831": {"targets":
              {"cic_visits_in_time": {"amber_margin": -1}}}}})"),
            "ref.json: authorities.831.targets.cic_visits_in_time."
            "amber_margin: must be 0 to 100");
  EXPECT_THAT(ErrorOf(R"({"defaults": {"targets": {"cic_per_10k":
              {"target": 50}}}})"),
              HasSubstr("defaults.targets.cic_per_10k: not an indicator id"));
  EXPECT_THAT(ErrorOf(R"({"defaults": {"comparators": {"visits":
              []}}})"),
              HasSubstr("defaults.comparators.visits: not an indicator id"));
  EXPECT_EQ(ErrorOf(R"({"defaults": {"comparators": {"icpc_in_15wd":
              [{"name": "England", "year": 2021, "value": 79.2},
               {"name": "Region", "year": 1989, "value": 80}]}}})"),
            "ref.json: defaults.comparators.icpc_in_15wd[1].year: must be "
            "1990 to 2100");
  EXPECT_EQ(ErrorOf(R"({"defaults": {"comparators": {"icpc_in_15wd":
              [{"name": "England", "year": 2021}]}}})"),
            "ref.json: defaults.comparators.icpc_in_15wd[0].value: is "
            "required");
  EXPECT_THAT(ErrorOf(R"({"defaults": {"comparators": {"icpc_in_15wd":
              [{"name": "England", "year": 2021, "value": 101}]}}})"),
              HasSubstr("icpc_in_15wd[0].value: must be 0 to 100"));
  EXPECT_EQ(ErrorOf(R"({"authorities": {"831": {"population_0_17":
              {"2023": 0}}}})"),
            "ref.json: authorities.831.population_0_17.2023: must be 1 to "
            "100000000");
  EXPECT_THAT(ErrorOf(R"({"authorities": {"831": {"population_0_17":
              {"23": 60000}}}})"),
              HasSubstr("authorities.831.population_0_17.23: the key must "
                        "be a year"));
  EXPECT_THAT(ErrorOf(R"({"authorities": {"831": {"nme": "Derby"}}})"),
              HasSubstr("ref.json: authorities.831.nme: unknown key"));
  EXPECT_THAT(ErrorOf(R"({"_about": "x"})"),
              HasSubstr("ref.json: _about: unknown key"));
  EXPECT_THAT(ErrorOf(R"({"authorities": {"831": {"name": 831}}})"),
              HasSubstr("authorities.831.name: must be a string"));
  EXPECT_THAT(ErrorOf(R"({"authorities": {"8 31": {}}})"),
              HasSubstr("authorities.8 31: the key must be an authority "
                        "code"));
}

TEST(KpiReferenceTest, RatesPer10kMayExceedAHundred) {
  absl::StatusOr<KpiReference> reference = ParseText(R"({"defaults":
      {"comparators": {"cic_per_10k":
        [{"name": "Derby", "year": 2023, "value": 100.5}]}}})");
  ASSERT_TRUE(reference.ok()) << reference.status();
  EXPECT_EQ(
      reference->For("831").comparators.at(std::string(kCicPer10k))[0].percent,
      100.5);
}

TEST(KpiReferenceTest, BadJsonAndRepeatedKeysAreErrors) {
  EXPECT_THAT(ErrorOf("{\"defaults\": "),
              HasSubstr("ref.json: not valid JSON"));
  EXPECT_THAT(ErrorOf("[]"), HasSubstr("ref.json: the file must hold a JSON "
                                       "object"));
  EXPECT_THAT(ErrorOf(R"({"defaults": {"rules": {"icpc_working_days": 10,
                        "icpc_working_days": 20}}})"),
              HasSubstr("ref.json: the key \"icpc_working_days\" appears "
                        "twice"));
  EXPECT_THAT(ErrorOf(R"({"defaults": {"comparators": {"icpc_in_15wd":
              [{"name": "England", "year": 2021, "value": 79.2},
               {"name": "England", "year": 2022, "value": 80}]}}})"),
              HasSubstr("icpc_in_15wd[1].name: \"England\" appears twice"));
}

TEST(KpiReferenceTest, LoadOfAMissingFileIsNotFound) {
  absl::StatusOr<KpiReference> reference =
      KpiReference::Load("/nonexistent/kpi-reference.json");
  EXPECT_EQ(reference.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(reference.status().message(),
              HasSubstr("/nonexistent/kpi-reference.json"));
}

TEST(KpiReferenceTest, PopulationForTakesTheLatestYearOnOrBefore) {
  AuthorityReference reference;
  EXPECT_EQ(KpiReference::PopulationFor(reference, 2023), std::nullopt);
  reference.population_0_17 = {{2021, 59900}, {2023, 60200}};
  EXPECT_THAT(KpiReference::PopulationFor(reference, 2023),
              Optional(Pair(2023, 60200)));
  EXPECT_THAT(KpiReference::PopulationFor(reference, 2022),
              Optional(Pair(2021, 59900)));
  EXPECT_THAT(KpiReference::PopulationFor(reference, 2030),
              Optional(Pair(2023, 60200)));
  // Before the first year: the earliest after it.
  EXPECT_THAT(KpiReference::PopulationFor(reference, 2019),
              Optional(Pair(2021, 59900)));
}

TEST(KpiReferenceTest, FingerprintChangesWhenAValueChanges) {
  absl::StatusOr<KpiReference> base = ParseText(kFullFile);
  absl::StatusOr<KpiReference> same = ParseText(kFullFile);
  ASSERT_TRUE(base.ok() && same.ok());
  EXPECT_EQ(base->Fingerprint(), same->Fingerprint());

  const std::pair<std::string, std::string> edits[] = {
      {"\"value\": 82.7", "\"value\": 82.8"},
      {"\"2023\": 60200", "\"2023\": 60201"},
      {"\"icpc_working_days\": 12", "\"icpc_working_days\": 13"},
      {"\"name\": \"Derby\"", "\"name\": \"Derby City\""},
      {"\"832\": {}", "\"833\": {}"},
      {"\"target\": 18.5", "\"target\": 18.6"},
  };
  for (const auto& [from, to] : edits) {
    std::string text = kFullFile;
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    absl::StatusOr<KpiReference> changed = ParseText(text);
    ASSERT_TRUE(changed.ok()) << changed.status();
    EXPECT_NE(changed->Fingerprint(), base->Fingerprint()) << to;
  }
  // Formatting alone changes nothing.
  absl::StatusOr<KpiReference> reformatted =
      ParseText(std::string(kFullFile) + "\n\n");
  ASSERT_TRUE(reformatted.ok());
  EXPECT_EQ(reformatted->Fingerprint(), base->Fingerprint());
}

TEST(KpiReferenceTest, TheShippedFileParses) {
  absl::StatusOr<KpiReference> reference =
      KpiReference::Load(SGM_SOURCE_DIR "/data/kpi-reference.json");
  ASSERT_TRUE(reference.ok()) << reference.status();
  const AuthorityReference& derby = reference->For("831");
  EXPECT_EQ(derby.name, "Derby");
  EXPECT_THAT(KpiReference::PopulationFor(derby, 2023),
              Optional(Pair(2023, 60200)));
  EXPECT_THAT(derby.comparators.at("first_assessments_in_time"),
              ElementsAre(FieldsAre("Statistical neighbours", 2021, 83.4),
                          FieldsAre("East Midlands", 2021, 92.3),
                          FieldsAre("England", 2021, 84.5)));
  EXPECT_THAT(derby.comparators.at(std::string(kCicPer10k)),
              ElementsAre(FieldsAre("Statistical neighbours", 2021, 82.0),
                          FieldsAre("East Midlands", 2021, 65.0),
                          FieldsAre("England", 2021, 70.0)));
  // Any other authority gets the England comparators.
  const AuthorityReference& other = reference->For("202");
  EXPECT_EQ(other.name, "");
  EXPECT_THAT(other.comparators.at("repeat_cp_plans"),
              ElementsAre(FieldsAre("England", 2021, 23.3)));
  EXPECT_THAT(other.comparators.at(std::string(kCppPer10k)),
              ElementsAre(FieldsAre("England", 2021, 42.0)));
  EXPECT_EQ(other.targets.size(), 8u);
}

}  // namespace
}  // namespace sgm::kpi
