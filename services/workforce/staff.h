// Domain types of the workforce service (DESIGN section 5: staff, absences,
// establishment; section 4: absence reasons).
#ifndef SGM_SERVICES_WORKFORCE_STAFF_H_
#define SGM_SERVICES_WORKFORCE_STAFF_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sgm::workforce {

enum class Employment { kPermanent, kFixedTerm, kAgency };

// PERMANENT, FIXED_TERM, AGENCY as in the feed; nullopt otherwise.
std::optional<Employment> ParseEmployment(absl::string_view text);
absl::string_view EmploymentName(Employment employment);

enum class AbsenceReason { kMat, kSic, kTrn, kOth, kPub, kUna, kUnp };

// MAT, SIC, TRN, OTH, PUB, UNA, UNP as in the feed; nullopt otherwise.
std::optional<AbsenceReason> ParseAbsenceReason(absl::string_view text);
absl::string_view AbsenceReasonName(AbsenceReason reason);

// FTE is held in thousandths (0.5 FTE = 500) so that sums are exact; the
// feed gives at most three decimals.
using MilliFte = int64_t;

// A member of staff (key: staff_id).
struct StaffMember {
  std::string staff_id;
  std::string role;  // upper-case code, e.g. SOCIAL_WORKER
  bool qualified = false;
  std::string service_area;
  std::string team;
  Employment employment = Employment::kPermanent;
  MilliFte fte = 1000;  // 1 to 1500
  absl::CivilDay start_date;
  std::optional<absl::CivilDay> end_date;  // last day in post
  int64_t annual_cost_pence = 0;           // at this FTE, for a whole year

  // In post on `day`: started on or before it, and not ended before it.
  bool InPostOn(absl::CivilDay day) const {
    return start_date <= day && !(end_date && *end_date < day);
  }
};

// An absence episode (key: staff_id + reason + start_date).
struct AbsenceEpisode {
  std::string staff_id;
  AbsenceReason reason = AbsenceReason::kSic;
  absl::CivilDay start_date;
  std::optional<absl::CivilDay> end_date;  // last day absent; none: ongoing
  double days_lost = 0;                    // working days (FTE days), >= 0

  // Absent on `day` (an ongoing episode covers every day from its start).
  bool Covers(absl::CivilDay day) const {
    return start_date <= day && !(end_date && *end_date < day);
  }
};

// Funded posts (key: service_area + team + role + effective_from). The row
// in force on a day is the one with the latest effective_from on or before
// it; no effective_from means "always" (before any dated row).
struct EstablishmentRow {
  std::string service_area;
  std::string team;  // may be empty: funded for the whole service area
  std::string role;
  MilliFte fte = 0;  // 0 ends the posts
  std::optional<absl::CivilDay> effective_from;
};

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_STAFF_H_
