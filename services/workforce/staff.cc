#include "services/workforce/staff.h"

#include <optional>

#include "absl/strings/string_view.h"

namespace sgm::workforce {

std::optional<Employment> ParseEmployment(absl::string_view text) {
  if (text == "PERMANENT") return Employment::kPermanent;
  if (text == "FIXED_TERM") return Employment::kFixedTerm;
  if (text == "AGENCY") return Employment::kAgency;
  return std::nullopt;
}

absl::string_view EmploymentName(Employment employment) {
  switch (employment) {
    case Employment::kPermanent:
      return "PERMANENT";
    case Employment::kFixedTerm:
      return "FIXED_TERM";
    case Employment::kAgency:
      return "AGENCY";
  }
  return "";
}

std::optional<AbsenceReason> ParseAbsenceReason(absl::string_view text) {
  if (text == "MAT") return AbsenceReason::kMat;
  if (text == "SIC") return AbsenceReason::kSic;
  if (text == "TRN") return AbsenceReason::kTrn;
  if (text == "OTH") return AbsenceReason::kOth;
  if (text == "PUB") return AbsenceReason::kPub;
  if (text == "UNA") return AbsenceReason::kUna;
  if (text == "UNP") return AbsenceReason::kUnp;
  return std::nullopt;
}

absl::string_view AbsenceReasonName(AbsenceReason reason) {
  switch (reason) {
    case AbsenceReason::kMat:
      return "MAT";
    case AbsenceReason::kSic:
      return "SIC";
    case AbsenceReason::kTrn:
      return "TRN";
    case AbsenceReason::kOth:
      return "OTH";
    case AbsenceReason::kPub:
      return "PUB";
    case AbsenceReason::kUna:
      return "UNA";
    case AbsenceReason::kUnp:
      return "UNP";
  }
  return "";
}

}  // namespace sgm::workforce
