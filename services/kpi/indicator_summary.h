// One indicator's figures for a month as the report shows them (DESIGN
// section 3, "Per indicator and month"): numerator, denominator, percent
// (1 dp), the 6-month average, target and direction, comparators and a RAG
// status. Pure code: no clock, no I/O.
#ifndef SGM_SERVICES_KPI_INDICATOR_SUMMARY_H_
#define SGM_SERVICES_KPI_INDICATOR_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/kpi/indicator.h"

namespace sgm::kpi {

enum class Direction { kHigherIsBetter, kLowerIsBetter };
enum class Rag { kNone, kRed, kAmber, kGreen };

struct IndicatorTarget {
  double target = 0.0;        // percent
  double amber_margin = 5.0;  // percentage points
  Direction direction = Direction::kHigherIsBetter;
};

// Reference data with its year, e.g. {"England", 2021, 84.5} for 2021-22.
struct Comparator {
  std::string name;
  int year = 0;
  double percent = 0.0;
};

struct IndicatorSummary {
  std::string id;
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::optional<double> percent;            // none when denominator == 0
  std::optional<double> six_month_average;  // none when no month has one
  IndicatorTarget target;
  Rag rag = Rag::kNone;
  std::vector<Comparator> comparators;
};

// An indicator of DESIGN section 3 with its default target.
struct IndicatorDefinition {
  std::string id;
  std::string title;   // as the report names it
  std::string source;  // the "source of rule" column
  IndicatorTarget default_target;
};

// 100 * part / whole rounded half away from zero to 1 dp, in integer
// arithmetic; none when whole == 0. The same rule as the front door's
// figures (it calls sgm::Percent1dp in common/percent.h).
std::optional<double> Percent1dp(int64_t part, int64_t whole);

// The mean of the monthly percents of M-5..M that are present (months with
// a denominator), rounded half away from zero to 1 dp; none when none is
// present. The percents are taken to 1 dp, as Percent1dp gives them.
std::optional<double> SixMonthAverage(
    absl::Span<const std::optional<double>> monthly_percents_m_minus_5_to_m);

// Green when `percent` is on or better than the target; amber when worse
// by at most amber_margin points; red when worse by more; none when there
// is no percent. Compared in tenths of a point, so 85.9 against 90.9 - 5.0
// is amber however the doubles round.
Rag RagFor(std::optional<double> percent, const IndicatorTarget& target);

// The summary for month M from `months` = the IndicatorMonths of M-5..M in
// that order (fewer when the history is shorter; the last one is M; only
// the last six are used). numerator, denominator and percent are M's;
// six_month_average is SixMonthAverage of the months' percents; rag is
// RagFor(percent, target).
IndicatorSummary BuildIndicatorSummary(absl::string_view id,
                                       absl::Span<const IndicatorMonth> months,
                                       const IndicatorTarget& target,
                                       std::vector<Comparator> comparators);

// The eight indicators of DESIGN section 3 in table order, each with its
// direction and a default target. The defaults are configurable reference
// data chosen as sensible starting points (90% for visits and reviews, 85%
// for first assessments and ICPCs, 20% lower-is-better for repeat CP
// plans), NOT national targets: an authority sets its own.
std::vector<IndicatorDefinition> IndicatorDefinitions();

// The definition with `id`; none when there is no such indicator.
std::optional<IndicatorDefinition> FindIndicatorDefinition(
    absl::string_view id);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_INDICATOR_SUMMARY_H_
