// Pure: a contact's concerns -> the CP category they point to (the first
// stage of the abuse-category funnel, docs/insight.md).
//
//   PHYSICAL                  -> PHY
//   EMOTIONAL, DOMESTIC_ABUSE -> EMO
//   SEXUAL, CSE, FGM          -> SAB
//   NEGLECT                   -> NEG
//   CCE, MENTAL_HEALTH, SUBSTANCE_MISUSE (and anything else) -> nothing
//
// Two or more distinct categories make MUL; none make "NONE".
#ifndef SGM_SERVICES_INTAKE_ABUSE_CATEGORY_H_
#define SGM_SERVICES_INTAKE_ABUSE_CATEGORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/intake/contact.h"

namespace sgm::intake {

// The code of contacts whose concerns map to no category.
inline constexpr absl::string_view kNoCategory = "NONE";

// The category one concern maps to ("PHY", "EMO", "SAB", "NEG"), or ""
// when it maps to none.
absl::string_view CategoryOfConcern(absl::string_view concern);

// The category of a contact with `concerns`: the one category they map
// to, "MUL" for two or more distinct ones, kNoCategory for none.
absl::string_view CategoryOfConcerns(absl::Span<const std::string> concerns);

// Contacts of one category.
struct CategoryCount {
  std::string code;  // NEG, PHY, SAB, EMO, MUL or NONE
  std::string label;
  int64_t count = 0;
  double percent = 0;  // of all contacts counted, 1 dp (0 when none)
};

// `facts` by category: always the six codes NEG, PHY, SAB, EMO, MUL, NONE
// in that order.
std::vector<CategoryCount> CountContactCategories(
    absl::Span<const ContactFact> facts);

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_ABUSE_CATEGORY_H_
