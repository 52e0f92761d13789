// DfE CIN census codes and the suite's other closed lists (DESIGN section 4).
#ifndef SGM_COMMON_CENSUS_CODES_H_
#define SGM_COMMON_CENSUS_CODES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sgm {

struct CodeLabel {
  absl::string_view code;
  absl::string_view label;
};

// Primary need N0..N9 in census order.
const std::vector<CodeLabel>& PrimaryNeeds();
// Source of referral 1A..10 in census order.
const std::vector<CodeLabel>& ReferralSources();
// Contact concerns: DOMESTIC_ABUSE, NEGLECT, PHYSICAL, EMOTIONAL, SEXUAL,
// CSE, CCE, FGM, MENTAL_HEALTH, SUBSTANCE_MISUSE.
const std::vector<CodeLabel>& ContactConcerns();
// CP category NEG, PHY, SAB, EMO, MUL.
const std::vector<CodeLabel>& CpCategories();
// Closure reason RC1..RC9.
const std::vector<CodeLabel>& ClosureReasons();
// Workforce absence MAT, SIC, TRN, OTH, PUB, UNA, UNP.
const std::vector<CodeLabel>& AbsenceReasons();

// The label of `code` in `list`, or "" when it is not there.
absl::string_view LabelOf(const std::vector<CodeLabel>& list,
                          absl::string_view code);
bool Contains(const std::vector<CodeLabel>& list, absl::string_view code);
// "N0, N1, ..." for error messages.
std::string CodeList(const std::vector<CodeLabel>& list);

}  // namespace sgm

#endif  // SGM_COMMON_CENSUS_CODES_H_
