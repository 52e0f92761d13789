#include "services/kpi/kpi_reference.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace sgm::kpi {
namespace {

using Json = nlohmann::json;

// Ranges of the values a file may give.
constexpr int kMinYear = 1990;
constexpr int kMaxYear = 2100;
constexpr int64_t kMaxPopulation = 100'000'000;
constexpr int kMaxWorkingDays = 60;
constexpr int kMaxMonths = 12;
constexpr int kMaxVisitDays = 366;
constexpr int kMaxRepeatWindowMonths = 240;
constexpr double kMaxPer10k = 10'000;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxAuthorityCodeChars = 16;

constexpr char kAuthorityKeys[] =
    "name, rules, targets, comparators, "
    "population_0_17";

bool IsRateId(absl::string_view id) {
  return id == kCicPer10k || id == kCppPer10k;
}

std::string IndicatorIdList() {
  std::vector<std::string> ids;
  for (const IndicatorDefinition& definition : IndicatorDefinitions()) {
    ids.push_back(definition.id);
  }
  return absl::StrJoin(ids, ", ");
}

// Reads one file's JSON tree into AuthorityReference values; every error
// names the origin, the JSON path and the rule broken.
class ReferenceParser {
 public:
  explicit ReferenceParser(absl::string_view origin) : origin_(origin) {}

  absl::Status Error(absl::string_view path, absl::string_view rule) const {
    return absl::InvalidArgumentError(
        absl::StrCat(origin_, ": ", path, ": ", rule));
  }

  // Unknown keys of `object` (not in `allowed`) are errors; so is a value
  // that is not an object.
  absl::Status CheckObject(const Json& object, absl::string_view path,
                           std::initializer_list<absl::string_view> allowed,
                           absl::string_view expected) const {
    if (!object.is_object()) return Error(path, "must be an object");
    for (auto it = object.begin(); it != object.end(); ++it) {
      bool known = false;
      for (absl::string_view key : allowed) known = known || it.key() == key;
      if (!known) {
        return Error(Child(path, it.key()),
                     absl::StrCat("unknown key; expected one of ", expected));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> ReadInt(const Json& value, absl::string_view path,
                                  int64_t lo, int64_t hi) const {
    const std::string range = absl::StrCat("must be ", lo, " to ", hi);
    if (value.is_number_unsigned()) {
      const uint64_t v = value.get<uint64_t>();
      if (v > static_cast<uint64_t>(hi) || static_cast<int64_t>(v) < lo) {
        return Error(path, range);
      }
      return static_cast<int64_t>(v);
    }
    if (value.is_number_integer()) {
      const int64_t v = value.get<int64_t>();
      if (v < lo || v > hi) return Error(path, range);
      return v;
    }
    return Error(path,
                 absl::StrCat("must be a whole number (", lo, " to ", hi, ")"));
  }

  absl::StatusOr<double> ReadNumber(const Json& value, absl::string_view path,
                                    double lo, double hi) const {
    if (!value.is_number()) {
      return Error(path,
                   absl::StrCat("must be a number (", lo, " to ", hi, ")"));
    }
    double v = value.get<double>();
    if (!std::isfinite(v) || v < lo || v > hi) {
      return Error(path, absl::StrCat("must be ", lo, " to ", hi));
    }
    if (v == 0) v = 0;  // -0 and 0 are the same value
    return v;
  }

  absl::StatusOr<std::string> ReadName(const Json& value,
                                       absl::string_view path,
                                       bool may_be_empty) const {
    if (!value.is_string()) return Error(path, "must be a string");
    const std::string& text = value.get_ref<const std::string&>();
    if (text.empty() && !may_be_empty) return Error(path, "must not be empty");
    size_t chars = 0;
    for (const char c : text) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        return Error(path, "must not contain control characters");
      }
    }
    if (chars > kMaxNameChars) {
      return Error(
          path, absl::StrCat("must be at most ", kMaxNameChars, " characters"));
    }
    return text;
  }

  // Applies the authority fields of `object` over `reference`.
  absl::Status ApplyAuthority(const Json& object, absl::string_view path,
                              AuthorityReference* reference) const {
    SGM_RETURN_IF_ERROR(CheckObject(
        object, path,
        {"name", "rules", "targets", "comparators", "population_0_17"},
        kAuthorityKeys));
    if (object.contains("name")) {
      SGM_ASSIGN_OR_RETURN(
          reference->name,
          ReadName(object["name"], Child(path, "name"), /*may_be_empty=*/true));
    }
    if (object.contains("rules")) {
      SGM_RETURN_IF_ERROR(
          ApplyRules(object["rules"], Child(path, "rules"), reference));
    }
    if (object.contains("targets")) {
      SGM_RETURN_IF_ERROR(
          ApplyTargets(object["targets"], Child(path, "targets"), reference));
    }
    if (object.contains("comparators")) {
      SGM_RETURN_IF_ERROR(ApplyComparators(
          object["comparators"], Child(path, "comparators"), reference));
    }
    if (object.contains("population_0_17")) {
      SGM_RETURN_IF_ERROR(ApplyPopulation(object["population_0_17"],
                                          Child(path, "population_0_17"),
                                          reference));
    }
    return absl::OkStatus();
  }

  static std::string Child(absl::string_view path, absl::string_view key) {
    return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
  }

 private:
  absl::Status ApplyRules(const Json& rules, absl::string_view path,
                          AuthorityReference* reference) const {
    SGM_RETURN_IF_ERROR(CheckObject(
        rules, path,
        {"cp_visit_interval_working_days", "cin_review_cadence_months",
         "cla_visit_interval_days", "cla_long_term_visit_months",
         "assessment_start_point", "assessment_working_days",
         "icpc_working_days", "repeat_plan_window_months"},
        "cp_visit_interval_working_days, cin_review_cadence_months, "
        "cla_visit_interval_days, cla_long_term_visit_months, "
        "assessment_start_point, assessment_working_days, icpc_working_days, "
        "repeat_plan_window_months"));
    VisitRules& visit = reference->visit_rules;
    ReferralRules& referral = reference->referral_rules;
    // (key, field, lo, hi)
    struct IntRule {
      absl::string_view key;
      int* field;
      int lo;
      int hi;
    };
    const IntRule int_rules[] = {
        {"cp_visit_interval_working_days", &visit.cp_visit_interval_wd, 1,
         kMaxWorkingDays},
        {"cin_review_cadence_months", &visit.cin_review_cadence_months, 1,
         kMaxMonths},
        {"cla_visit_interval_days", &visit.cla_visit_interval_days, 1,
         kMaxVisitDays},
        {"cla_long_term_visit_months", &visit.cla_long_term_visit_months, 1,
         kMaxMonths},
        {"assessment_working_days", &referral.assessment_wd, 1,
         kMaxWorkingDays},
        {"icpc_working_days", &referral.icpc_wd, 1, kMaxWorkingDays},
    };
    for (const IntRule& rule : int_rules) {
      const std::string key(rule.key);
      if (!rules.contains(key)) continue;
      SGM_ASSIGN_OR_RETURN(
          const int64_t value,
          ReadInt(rules[key], Child(path, key), rule.lo, rule.hi));
      *rule.field = static_cast<int>(value);
    }
    if (rules.contains("assessment_start_point")) {
      const Json& value = rules["assessment_start_point"];
      const std::string here = Child(path, "assessment_start_point");
      constexpr char kChoices[] =
          "must be \"REFERRAL\" or \"ASSESSMENT_START\"";
      if (!value.is_string()) return Error(here, kChoices);
      const std::string& text = value.get_ref<const std::string&>();
      if (text == "REFERRAL") {
        referral.assessment_start_point = AssessmentStartPoint::kReferral;
      } else if (text == "ASSESSMENT_START") {
        referral.assessment_start_point =
            AssessmentStartPoint::kAssessmentStart;
      } else {
        return Error(here, kChoices);
      }
    }
    if (rules.contains("repeat_plan_window_months")) {
      SGM_ASSIGN_OR_RETURN(const int64_t months,
                           ReadInt(rules["repeat_plan_window_months"],
                                   Child(path, "repeat_plan_window_months"), 0,
                                   kMaxRepeatWindowMonths));
      referral.repeat_plan_window_months =
          months == 0 ? std::nullopt
                      : std::optional<int>(static_cast<int>(months));
    }
    return absl::OkStatus();
  }

  absl::Status ApplyTargets(const Json& targets, absl::string_view path,
                            AuthorityReference* reference) const {
    if (!targets.is_object()) return Error(path, "must be an object");
    for (auto it = targets.begin(); it != targets.end(); ++it) {
      const std::string here = Child(path, it.key());
      if (!FindIndicatorDefinition(it.key()).has_value()) {
        return Error(here, absl::StrCat("not an indicator id; expected one of ",
                                        IndicatorIdList()));
      }
      SGM_RETURN_IF_ERROR(CheckObject(it.value(), here,
                                      {"target", "amber_margin"},
                                      "target, amber_margin"));
      IndicatorTarget& target = reference->targets[it.key()];
      if (it.value().contains("target")) {
        SGM_ASSIGN_OR_RETURN(
            target.target,
            ReadNumber(it.value()["target"], Child(here, "target"), 0, 100));
      }
      if (it.value().contains("amber_margin")) {
        SGM_ASSIGN_OR_RETURN(target.amber_margin,
                             ReadNumber(it.value()["amber_margin"],
                                        Child(here, "amber_margin"), 0, 100));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ApplyComparators(const Json& comparators, absl::string_view path,
                                AuthorityReference* reference) const {
    if (!comparators.is_object()) return Error(path, "must be an object");
    for (auto it = comparators.begin(); it != comparators.end(); ++it) {
      const std::string here = Child(path, it.key());
      const bool rate = IsRateId(it.key());
      if (!rate && !FindIndicatorDefinition(it.key()).has_value()) {
        return Error(here, absl::StrCat("not an indicator id; expected one of ",
                                        IndicatorIdList(), ", ", kCicPer10k,
                                        ", ", kCppPer10k));
      }
      if (!it.value().is_array()) {
        return Error(here, "must be a list of {\"name\", \"year\", \"value\"}");
      }
      std::vector<Comparator> list;
      std::set<std::string> names;
      for (size_t i = 0; i < it.value().size(); ++i) {
        const Json& item = it.value()[i];
        const std::string at = absl::StrCat(here, "[", i, "]");
        SGM_RETURN_IF_ERROR(CheckObject(item, at, {"name", "year", "value"},
                                        "name, year, value"));
        for (const char* key : {"name", "year", "value"}) {
          if (!item.contains(key)) {
            return Error(Child(at, key), "is required");
          }
        }
        Comparator comparator;
        SGM_ASSIGN_OR_RETURN(comparator.name,
                             ReadName(item["name"], Child(at, "name"),
                                      /*may_be_empty=*/false));
        SGM_ASSIGN_OR_RETURN(
            const int64_t year,
            ReadInt(item["year"], Child(at, "year"), kMinYear, kMaxYear));
        comparator.year = static_cast<int>(year);
        SGM_ASSIGN_OR_RETURN(comparator.percent,
                             ReadNumber(item["value"], Child(at, "value"), 0,
                                        rate ? kMaxPer10k : 100));
        if (!names.insert(comparator.name).second) {
          return Error(Child(at, "name"),
                       absl::StrCat("\"", comparator.name,
                                    "\" appears twice in the list"));
        }
        list.push_back(std::move(comparator));
      }
      reference->comparators[it.key()] = std::move(list);
    }
    return absl::OkStatus();
  }

  absl::Status ApplyPopulation(const Json& population, absl::string_view path,
                               AuthorityReference* reference) const {
    if (!population.is_object()) return Error(path, "must be an object");
    for (auto it = population.begin(); it != population.end(); ++it) {
      const std::string here = Child(path, it.key());
      int year = 0;
      if (it.key().size() != 4 || !absl::SimpleAtoi(it.key(), &year) ||
          year < kMinYear || year > kMaxYear) {
        return Error(here, absl::StrCat("the key must be a year, ", kMinYear,
                                        " to ", kMaxYear));
      }
      SGM_ASSIGN_OR_RETURN(const int64_t value,
                           ReadInt(it.value(), here, 1, kMaxPopulation));
      reference->population_0_17[year] = value;
    }
    return absl::OkStatus();
  }

  std::string origin_;
};

// The built-in defaults: the rules' defaults and the definitions' targets.
AuthorityReference BuiltInDefaults() {
  AuthorityReference reference;
  for (const IndicatorDefinition& definition : IndicatorDefinitions()) {
    reference.targets[definition.id] = definition.default_target;
  }
  return reference;
}

// FNV-1a over a canonical serialisation: every value in a fixed order,
// strings with their length, numbers as fixed-width bytes.
class Fnv1a {
 public:
  void Bytes(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      hash_ ^= bytes[i];
      hash_ *= 0x100000001B3ULL;
    }
  }
  void Int(int64_t value) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i) {
      bytes[i] =
          static_cast<unsigned char>(static_cast<uint64_t>(value) >> (8 * i));
    }
    Bytes(bytes, sizeof(bytes));
  }
  void Double(double value) {
    uint64_t bits = 0;
    static_assert(sizeof(bits) == sizeof(value));
    std::memcpy(&bits, &value, sizeof(bits));
    Int(static_cast<int64_t>(bits));
  }
  void String(absl::string_view text) {
    Int(static_cast<int64_t>(text.size()));
    Bytes(text.data(), text.size());
  }
  uint64_t hash() const { return hash_; }

 private:
  uint64_t hash_ = 0xCBF29CE484222325ULL;
};

void HashAuthority(const AuthorityReference& reference, Fnv1a* fnv) {
  fnv->String(reference.name);
  const VisitRules& visit = reference.visit_rules;
  fnv->Int(visit.cp_visit_interval_wd);
  fnv->Int(visit.cin_review_cadence_months);
  fnv->Int(visit.cla_visit_interval_days);
  fnv->Int(visit.cla_long_term_visit_months);
  const ReferralRules& referral = reference.referral_rules;
  fnv->Int(referral.assessment_start_point == AssessmentStartPoint::kReferral
               ? 0
               : 1);
  fnv->Int(referral.assessment_wd);
  fnv->Int(referral.icpc_wd);
  fnv->Int(referral.repeat_plan_window_months.value_or(-1));
  fnv->Int(static_cast<int64_t>(reference.targets.size()));
  for (const auto& [id, target] : reference.targets) {
    fnv->String(id);
    fnv->Double(target.target);
    fnv->Double(target.amber_margin);
    fnv->Int(target.direction == Direction::kHigherIsBetter ? 0 : 1);
  }
  fnv->Int(static_cast<int64_t>(reference.comparators.size()));
  for (const auto& [id, list] : reference.comparators) {
    fnv->String(id);
    fnv->Int(static_cast<int64_t>(list.size()));
    for (const Comparator& comparator : list) {
      fnv->String(comparator.name);
      fnv->Int(comparator.year);
      fnv->Double(comparator.percent);
    }
  }
  fnv->Int(static_cast<int64_t>(reference.population_0_17.size()));
  for (const auto& [year, population] : reference.population_0_17) {
    fnv->Int(year);
    fnv->Int(population);
  }
}

bool IsAuthorityCode(absl::string_view code) {
  if (code.empty() || code.size() > kMaxAuthorityCodeChars) return false;
  for (const char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

KpiReference::KpiReference() : defaults_(BuiltInDefaults()) {
  Fnv1a fnv;
  HashAuthority(defaults_, &fnv);
  fnv.Int(0);
  fingerprint_ = fnv.hash();
}

absl::StatusOr<KpiReference> KpiReference::Parse(absl::string_view json,
                                                 absl::string_view origin) {
  const ReferenceParser parser(origin);
  // nlohmann keeps the last of repeated keys silently; a repeated key is an
  // error here, since either value may be the one meant.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  Json::parser_callback_t on_event = [&](int depth, Json::parse_event_t event,
                                         Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Json::parse_event_t::key && !open_objects.empty() &&
               parsed.is_string() && duplicate.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second) duplicate = key;
    }
    return true;
  };
  Json root;
  try {
    root = Json::parse(json.begin(), json.end(), on_event);
  } catch (const Json::parse_error& error) {
    std::string what = error.what();
    const size_t bracket = what.find("] ");
    if (bracket != std::string::npos) what.erase(0, bracket + 2);
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": not valid JSON: ", what));
  }
  if (!duplicate.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ": the key \"", duplicate, "\" appears twice in one object"));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin,
                     ": the file must hold a JSON object with "
                     "\"defaults\" and \"authorities\""));
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() != "defaults" && it.key() != "authorities") {
      return parser.Error(it.key(),
                          "unknown key; expected one of defaults, authorities");
    }
  }
  KpiReference reference;
  if (root.contains("defaults")) {
    SGM_RETURN_IF_ERROR(parser.ApplyAuthority(root["defaults"], "defaults",
                                              &reference.defaults_));
  }
  if (root.contains("authorities")) {
    const Json& authorities = root["authorities"];
    if (!authorities.is_object()) {
      return parser.Error("authorities",
                          "must be an object keyed by authority code");
    }
    for (auto it = authorities.begin(); it != authorities.end(); ++it) {
      const std::string path = ReferenceParser::Child("authorities", it.key());
      if (!IsAuthorityCode(it.key())) {
        return parser.Error(path,
                            "the key must be an authority code of 1 to 16 "
                            "letters or digits, e.g. \"831\"");
      }
      AuthorityReference authority = reference.defaults_;
      SGM_RETURN_IF_ERROR(parser.ApplyAuthority(it.value(), path, &authority));
      reference.authorities_.emplace(it.key(), std::move(authority));
    }
  }
  Fnv1a fnv;
  HashAuthority(reference.defaults_, &fnv);
  fnv.Int(static_cast<int64_t>(reference.authorities_.size()));
  for (const auto& [code, authority] : reference.authorities_) {
    fnv.String(code);
    HashAuthority(authority, &fnv);
  }
  reference.fingerprint_ = fnv.hash();
  return reference;
}

absl::StatusOr<KpiReference> KpiReference::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        path, ": cannot read the reference data: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read the reference data"));
  }
  return Parse(text.str(), path);
}

const AuthorityReference& KpiReference::For(absl::string_view authority) const {
  const auto it = authorities_.find(authority);
  return it == authorities_.end() ? defaults_ : it->second;
}

std::optional<std::pair<int, int64_t>> KpiReference::PopulationFor(
    const AuthorityReference& reference, int year) {
  const std::map<int, int64_t>& population = reference.population_0_17;
  if (population.empty()) return std::nullopt;
  auto it = population.upper_bound(year);  // the first year after `year`
  if (it != population.begin()) --it;      // the latest on or before it
  return std::make_pair(it->first, it->second);
}

}  // namespace sgm::kpi
