// Pure: the workforce figures of docs/workforce.md from staff records,
// absence episodes, the establishment and (for caseloads) the KPI
// service's open allocations. No gRPC, no clock: every date is an argument.
#ifndef SGM_SERVICES_WORKFORCE_WORKFORCE_FIGURES_H_
#define SGM_SERVICES_WORKFORCE_WORKFORCE_FIGURES_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "services/workforce/staff.h"

namespace sgm::workforce {

// Per-authority settings of the figures.
struct WorkforceSettings {
  // A worker holding more open cases than this is "over threshold".
  int caseload_threshold = 20;
  // Absence reasons counted in days lost per FTE (maternity, training and
  // public duties are planned or permitted, and left out by default).
  std::set<AbsenceReason> counted_absence_reasons = {
      AbsenceReason::kSic, AbsenceReason::kOth, AbsenceReason::kUna,
      AbsenceReason::kUnp};
  // Roles whose holders' caseloads are "children's practitioners" (the
  // other caseload group is every qualified member of staff).
  std::set<std::string> practitioner_roles = {"CHILDRENS_PRACTITIONER"};
};

// Everything the figures read for one authority.
struct WorkforceData {
  std::vector<StaffMember> staff;               // any order
  std::vector<AbsenceEpisode> absences;         // any order
  std::vector<EstablishmentRow> establishment;  // any order
};

// The label of the all-areas row.
inline constexpr char kTotalArea[] = "Total";

// Staffing figures for one service area (or kTotalArea). FTE in
// thousandths; see workforce.proto's StaffingFigures for each meaning.
struct Staffing {
  std::string service_area;
  int64_t headcount = 0;
  MilliFte fte_in_post = 0;
  MilliFte social_worker_fte = 0;  // qualified, any role and employment
  MilliFte maternity_fte = 0;
  MilliFte agency_fte = 0;
  MilliFte long_term_absence_fte = 0;
  MilliFte establishment_fte = 0;
  MilliFte employed_fte = 0;                   // permanent + fixed-term
  std::optional<double> vacancy_rate_percent;  // 1 dp
  std::optional<double> agency_share_percent;  // 1 dp
  int64_t leavers_12m = 0;
  double average_headcount_12m = 0;
  std::optional<double> turnover_percent;  // 1 dp
  double absence_days_lost_12m = 0;
  double average_employed_fte_12m = 0;         // in FTE, not thousandths
  std::optional<double> absence_days_per_fte;  // 2 dp
};

// The rules (each hand-worked in tests/services/workforce):
//  - In post on D: StaffMember::InPostOn(D). headcount: staff in post;
//    fte_in_post: their FTE; agency_fte: of those employed kAgency;
//    employed_fte: of the others; social_worker_fte: of the qualified.
//  - maternity_fte: FTE of staff in post on D with a MAT episode covering D
//    (counted once however many episodes). long_term_absence_fte: FTE of
//    staff in post on D with a non-MAT episode covering D that is "a month
//    or more": ended episodes whose end_date is on or after the day a
//    month is reached, AddMonthsClamped(start, 1) - 1 day, or the clamped
//    day itself when there is no such date in the next month (1 Mar..31
//    Mar is a month; 31 Jan..28 Feb 2023 is a month, 31 Jan..27 Feb is
//    not; 28 Jan..27 Feb is); an ongoing episode once D reaches that day.
//    A member of staff on both is counted in both columns; absences of a
//    staff_id with no staff record are ignored.
//  - establishment_fte: per (service_area, team, role), the row with the
//    latest effective_from on or before D (an undated row is earliest);
//    summed. vacancy_rate_percent: max(0, establishment - employed) /
//    establishment; none when establishment is 0. Agency staff fill no
//    establishment (they cover vacancies).
//  - agency_share_percent: agency_fte / fte_in_post; none when 0.
//  - The 12-month window is (D - 12 months, D]: from AddMonthsClamped(D,
//    -12) + 1 day to D. leavers_12m: permanent and fixed-term staff whose
//    end_date is in the window. average_headcount_12m: the mean of the
//    permanent and fixed-term headcount on the window's first day and on D.
//    turnover_percent: leavers / average headcount; none when it is 0.
//  - absence_days_lost_12m: over episodes with a counted reason of staff
//    employed (not agency), days_lost apportioned by the working days
//    (WorkingDayCalendar) of the episode inside the window over its working
//    days in all (an ongoing episode: up to D; an episode with no working
//    day counts whole if it starts in the window). average_employed_fte_12m:
//    the mean of employed FTE on the window's first day and on D.
//    absence_days_per_fte: their quotient to 2 dp; none when the FTE is 0.
//  - Per service area from the staff record's service_area (the
//    establishment's for establishment_fte); areas sorted by name, then the
//    kTotalArea row over everything. Every area named by a staff record or
//    an establishment row gets a row (an area with only establishment rows
//    too).
std::vector<Staffing> StaffingOn(const WorkforceData& data, absl::CivilDay d,
                                 const WorkingDayCalendar& calendar,
                                 const WorkforceSettings& settings);

// One worker's open cases on a date, as the KPI service reports them.
struct AllocatedWorker {
  std::string worker_id;
  std::string team;
  int64_t open_cases = 0;
};

struct CaseloadGroup {
  std::string group;  // "qualified_social_workers" / "childrens_practitioners"
  int64_t case_holding_workers = 0;  // open_cases >= 1
  int64_t open_cases = 0;
  std::optional<double> mean_caseload;    // 1 dp
  std::optional<double> median_caseload;  // 1 dp (mean of the middle two)
  // Bands "1-5", "6-10", "11-15", "16-20", "21-25", "26+": always all six,
  // in that order.
  std::vector<std::pair<std::string, int64_t>> bands;
  int64_t over_threshold = 0;  // open_cases > settings.caseload_threshold
};

struct Caseloads {
  // qualified_social_workers: workers matched to a staff record in post on
  // D that is qualified; childrens_practitioners: matched, in post, not
  // qualified, role in settings.practitioner_roles. Always both, in that
  // order.
  std::vector<CaseloadGroup> groups;
  // Allocated workers with no staff record in post on D. Workers with no
  // open case are left out of everything; a matched worker in neither
  // group (not qualified, another role) is in no group and not unmatched.
  int64_t unmatched_workers = 0;
};

Caseloads CaseloadsOn(absl::Span<const StaffMember> staff,
                      absl::Span<const AllocatedWorker> workers,
                      absl::CivilDay d, const WorkforceSettings& settings);

// Costs for a financial year (April `financial_year` to March of the next).
// Pence, per service area sorted by name, then kTotalArea.
struct Costs {
  int financial_year = 0;
  std::string service_area;
  int64_t total_cost_pence = 0;
  int64_t social_worker_cost_pence = 0;  // qualified staff
  int64_t agency_cost_pence = 0;
  int64_t agency_premium_pence = 0;
  int64_t agency_without_comparator = 0;
};

// The rules:
//  - Each member of staff costs annual_cost_pence * (days in post within
//    the year) / (days in the year: 365 or 366), rounded to the nearest
//    penny (half away from zero).
//  - The agency premium of an agency worker: its pro-rata cost minus what
//    permanent staff of the same role cost at its FTE for the same days:
//    the role's mean permanent annual cost per FTE (over permanent staff of
//    that role in post on any day of the year, across all service areas)
//    * its FTE, pro rata; may be negative. The mean is FTE-weighted (the
//    summed annual costs over the summed FTE) and leaves out permanent
//    staff with no cost given (0) and fixed-term staff. A role with no such
//    permanent staff: the worker is counted in agency_without_comparator
//    instead.
//  - Areas: every service area named by a staff record, sorted by name.
std::vector<Costs> CostsFor(absl::Span<const StaffMember> staff,
                            int financial_year);

// The financial year containing `d` (January-March: the year before).
int FinancialYearOf(absl::CivilDay d);

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_WORKFORCE_FIGURES_H_
