// Per-authority reference data and rule settings of the KPI service
// (DESIGN section 3): targets, comparators with their year, the 0-17
// population by year, and the rule settings an authority may change. Read
// from a JSON file at start-up (--reference_data); see
// data/kpi-reference.json and docs/indicators.md for its shape.
#ifndef SGM_SERVICES_KPI_KPI_REFERENCE_H_
#define SGM_SERVICES_KPI_KPI_REFERENCE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/kpi/indicator_summary.h"
#include "services/kpi/referral_indicators.h"
#include "services/kpi/visit_indicators.h"

namespace sgm::kpi {

// Comparator ids besides the eight indicator ids.
inline constexpr absl::string_view kCicPer10k = "cic_per_10k";
inline constexpr absl::string_view kCppPer10k = "cpp_per_10k";

struct AuthorityReference {
  std::string name;  // e.g. "Derby"; may be empty
  VisitRules visit_rules;
  ReferralRules referral_rules;
  // By indicator id; every one of the eight is present (defaults filled).
  std::map<std::string, IndicatorTarget> targets;
  // By indicator id, kCicPer10k or kCppPer10k. Comparator::percent holds
  // the value (a percent, or a rate per 10,000).
  std::map<std::string, std::vector<Comparator>> comparators;
  // Children aged 0-17 by year.
  std::map<int, int64_t> population_0_17;
};

class KpiReference {
 public:
  // Built-in defaults only: the rules' defaults, the definitions' targets,
  // no comparators, no population.
  KpiReference();

  // The file's JSON text. Shape:
  // {"defaults": {<authority fields>}, "authorities": {"831": {<authority
  //  fields>}, ...}}, authority fields: "name", "rules": {
  //  "cp_visit_interval_working_days", "cin_review_cadence_months",
  //  "cla_visit_interval_days", "cla_long_term_visit_months",
  //  "assessment_start_point" ("REFERRAL" | "ASSESSMENT_START"),
  //  "assessment_working_days", "icpc_working_days",
  //  "repeat_plan_window_months" (0 or absent: ever)}, "targets": {id:
  //  {"target", "amber_margin"}}, "comparators": {id: [{"name", "year",
  //  "value"}]}, "population_0_17": {"2023": 60000}. An authority's fields
  //  override the defaults' one by one (rules field by field, targets and
  //  comparators per id, population per year). Unknown keys, unknown
  //  indicator ids, wrong types and out-of-range values are errors naming
  //  `origin` and the JSON path (e.g. "x.json: authorities.831.rules.
  //  icpc_working_days: must be 1 to 60").
  static absl::StatusOr<KpiReference> Parse(absl::string_view json,
                                            absl::string_view origin);
  // Reads and parses a file; NOT_FOUND when it cannot be read.
  static absl::StatusOr<KpiReference> Load(const std::string& path);

  // The authority's reference (the defaults for an authority not listed).
  const AuthorityReference& For(absl::string_view authority) const;

  // The population for `year`: the latest year on or before it, else the
  // earliest year after it; none when the authority has none. Returns
  // (year used, population).
  static std::optional<std::pair<int, int64_t>> PopulationFor(
      const AuthorityReference& reference, int year);

  // Changes whenever any value changes (for cache keys).
  uint64_t Fingerprint() const { return fingerprint_; }

 private:
  AuthorityReference defaults_;
  std::map<std::string, AuthorityReference, std::less<>> authorities_;
  uint64_t fingerprint_ = 0;
};

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_KPI_REFERENCE_H_
