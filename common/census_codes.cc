#include "common/census_codes.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sgm {

const std::vector<CodeLabel>& PrimaryNeeds() {
  static const auto* const kList = new std::vector<CodeLabel>{
      {"N0", "Not stated"},
      {"N1", "Abuse or neglect"},
      {"N2", "Child's disability"},
      {"N3", "Parental disability or illness"},
      {"N4", "Family in acute stress"},
      {"N5", "Family dysfunction"},
      {"N6", "Socially unacceptable behaviour"},
      {"N7", "Low income"},
      {"N8", "Absent parenting"},
      {"N9", "Cases other than children in need"},
  };
  return *kList;
}

const std::vector<CodeLabel>& ReferralSources() {
  static const auto* const kList = new std::vector<CodeLabel>{
      {"1A", "Family member, relative or carer"},
      {"1B", "Acquaintance"},
      {"1C", "Self"},
      {"1D", "Other individual"},
      {"2A", "Schools"},
      {"2B", "Education services"},
      {"3A", "GP"},
      {"3B", "Health visitor"},
      {"3C", "School nurse"},
      {"3D", "Other primary health services"},
      {"3E", "A&E"},
      {"3F", "Other health services"},
      {"4", "Housing"},
      {"5A", "LA services: social care"},
      {"5B", "Other internal LA services"},
      {"5C", "Another local authority"},
      {"5D", "Early help"},
      {"6", "Police"},
      {"7", "Other legal agency"},
      {"8", "Other"},
      {"9", "Anonymous"},
      {"10", "Unknown"},
  };
  return *kList;
}

const std::vector<CodeLabel>& ContactConcerns() {
  static const auto* const kList = new std::vector<CodeLabel>{
      {"DOMESTIC_ABUSE", "Domestic abuse"},
      {"NEGLECT", "Neglect"},
      {"PHYSICAL", "Physical abuse"},
      {"EMOTIONAL", "Emotional abuse"},
      {"SEXUAL", "Sexual abuse"},
      {"CSE", "Child sexual exploitation"},
      {"CCE", "Child criminal exploitation"},
      {"FGM", "Female genital mutilation"},
      {"MENTAL_HEALTH", "Mental health"},
      {"SUBSTANCE_MISUSE", "Substance misuse"},
  };
  return *kList;
}

const std::vector<CodeLabel>& CpCategories() {
  static const auto* const kList = new std::vector<CodeLabel>{
      {"NEG", "Neglect"},
      {"PHY", "Physical abuse"},
      {"SAB", "Sexual abuse"},
      {"EMO", "Emotional abuse"},
      {"MUL", "Multiple categories"},
  };
  return *kList;
}

const std::vector<CodeLabel>& ClosureReasons() {
  static const auto* const kList = new std::vector<CodeLabel>{
      {"RC1", "Adopted"},
      {"RC2", "Died"},
      {"RC3", "Child arrangements order"},
      {"RC4", "Special guardianship order"},
      {"RC5", "Transferred to another local authority"},
      {"RC6", "Transferred to adult social care"},
      {"RC7", "Services ceased for any other reason"},
      {"RC8", "Closed after assessment, no further action"},
      {"RC9", "Closed after assessment, referred to early help"},
  };
  return *kList;
}

const std::vector<CodeLabel>& AbsenceReasons() {
  static const auto* const kList = new std::vector<CodeLabel>{
      {"MAT", "Maternity, paternity or adoption leave"},
      {"SIC", "Sickness"},
      {"TRN", "Training"},
      {"OTH", "Other paid authorised absence"},
      {"PUB", "Public duties"},
      {"UNA", "Unauthorised absence"},
      {"UNP", "Unpaid authorised absence"},
  };
  return *kList;
}

absl::string_view LabelOf(const std::vector<CodeLabel>& list,
                          absl::string_view code) {
  for (const CodeLabel& entry : list) {
    if (entry.code == code) return entry.label;
  }
  return "";
}

bool Contains(const std::vector<CodeLabel>& list, absl::string_view code) {
  for (const CodeLabel& entry : list) {
    if (entry.code == code) return true;
  }
  return false;
}

std::string CodeList(const std::vector<CodeLabel>& list) {
  std::string out;
  for (const CodeLabel& entry : list) {
    if (!out.empty()) out += ", ";
    out.append(entry.code.data(), entry.code.size());
  }
  return out;
}

}  // namespace sgm
