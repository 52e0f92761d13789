// Synthetic workforce feeds (DESIGN section 5: staff, absences,
// establishment) for one authority, consistent with its synthetic case
// events: every worker the case events allocate cases to is a member of
// staff with that staff_id, in the service area its team belongs to. At
// scale 1 (data/seed-figures.json, workforce_2023) over the window:
//   - the case holders of the case events: qualified social workers
//     (about 93 FTE) and unqualified family-help practitioners (early help
//     and CIN plans, role CHILDRENS_PRACTITIONER), plus team managers (one per
//     team), a service manager per area, and newly qualified social workers
//     not yet holding cases (whose posts turn over: leavers are replaced a
//     month or two later; turnover of the whole workforce is a few percent
//     a year, as case holders stay for the case events' whole window);
//   - agency social workers falling from about 10 FTE at the first month to
//     1.5 FTE at the last (two case holders stay agency throughout);
//   - sickness falling from about 14-16 to about 8-10 days lost per FTE a
//     year (the reports: 16.03 -> 9.33), a few long-term episodes (a month
//     or more) and maternity leave open at any time (a few FTE each, for a
//     workforce of about 300 with the family-help practitioners);
//   - an establishment a little above the staff employed (vacancy rate
//     about 5-12%), with one dated change at the last April in the window;
//   - costs with on-costs: social workers about £58,000 per FTE, agency
//     social workers about £85,000.
//
// Pure and deterministic: the same options and case holders give
// byte-identical output. Nothing generated describes a real person.
#ifndef SGM_TOOLS_SYNTH_WORKFORCE_SYNTHESIZER_H_
#define SGM_TOOLS_SYNTH_WORKFORCE_SYNTHESIZER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "services/kpi/case_event.h"
#include "services/workforce/staff.h"

namespace sgm::synth {

struct WorkforceSynthOptions {
  uint64_t seed = 1;
  absl::CivilMonth first_month = absl::CivilMonth(2023, 1);  // 2000 to 2100
  int months = 12;                                           // 1 to 240
  int scale = 1;  // 1 to 100: more non-case-holding staff
};

// A worker the case events allocate cases to.
struct CaseHolder {
  std::string worker_id;
  std::string team;  // from the worker's earliest ALLOCATION_START
};

// The distinct workers of the ALLOCATION_START events, by worker_id.
std::vector<CaseHolder> CaseHoldersOf(absl::Span<const kpi::CaseEvent> events);

// The service area a case-event team belongs to: "Children In Care",
// "Integrated Disabled Children's Service", "Early Help" or, for every
// other team, "Children's Safeguarding".
std::string ServiceAreaOfTeam(const std::string& team);

struct WorkforceFeeds {
  std::vector<workforce::StaffMember> staff;        // by staff_id
  std::vector<workforce::AbsenceEpisode> absences;  // by staff_id, start
  std::vector<workforce::EstablishmentRow> establishment;
};

// INVALID_ARGUMENT for bad options or no case holders.
absl::StatusOr<WorkforceFeeds> SynthesizeWorkforce(
    const WorkforceSynthOptions& options,
    absl::Span<const CaseHolder> case_holders,
    const WorkingDayCalendar& calendar);

// The feeds as CSV with the canonical header rows; an error when a stream
// fails.
absl::Status WriteStaffCsv(absl::Span<const workforce::StaffMember> staff,
                           std::ostream* out);
absl::Status WriteAbsencesCsv(
    absl::Span<const workforce::AbsenceEpisode> absences, std::ostream* out);
absl::Status WriteEstablishmentCsv(
    absl::Span<const workforce::EstablishmentRow> rows, std::ostream* out);

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_WORKFORCE_SYNTHESIZER_H_
