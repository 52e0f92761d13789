#include "services/intake/abuse_category.h"

#include <string>
#include <vector>

#include "common/census_codes.h"
#include "common/percent.h"

namespace sgm::intake {
namespace {

constexpr absl::string_view kMultiple = "MUL";

}  // namespace

absl::string_view CategoryOfConcern(absl::string_view concern) {
  if (concern == "PHYSICAL") return "PHY";
  if (concern == "EMOTIONAL" || concern == "DOMESTIC_ABUSE") return "EMO";
  if (concern == "SEXUAL" || concern == "CSE" || concern == "FGM") {
    return "SAB";
  }
  if (concern == "NEGLECT") return "NEG";
  return "";
}

absl::string_view CategoryOfConcerns(absl::Span<const std::string> concerns) {
  absl::string_view found;
  for (const std::string& concern : concerns) {
    const absl::string_view category = CategoryOfConcern(concern);
    if (category.empty()) continue;
    if (found.empty()) {
      found = category;
    } else if (found != category) {
      return kMultiple;
    }
  }
  return found.empty() ? kNoCategory : found;
}

std::vector<CategoryCount> CountContactCategories(
    absl::Span<const ContactFact> facts) {
  std::vector<CategoryCount> out;
  for (const CodeLabel& c : CpCategories()) {
    out.push_back({std::string(c.code), std::string(c.label), 0, 0});
  }
  out.push_back({std::string(kNoCategory), "No CP category", 0, 0});
  for (const ContactFact& f : facts) {
    const absl::string_view category = CategoryOfConcerns(f.concerns);
    for (CategoryCount& c : out) {
      if (c.code == category) {
        ++c.count;
        break;
      }
    }
  }
  const int64_t total = static_cast<int64_t>(facts.size());
  for (CategoryCount& c : out) {
    c.percent = Percent1dp(c.count, total).value_or(0);
  }
  return out;
}

}  // namespace sgm::intake
