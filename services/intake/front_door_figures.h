// Pure: contacts -> the front-door figures of DESIGN section 3.
#ifndef SGM_SERVICES_INTAKE_FRONT_DOOR_FIGURES_H_
#define SGM_SERVICES_INTAKE_FRONT_DOOR_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/percent.h"
#include "common/working_day_calendar.h"
#include "services/intake/contact.h"

namespace sgm::intake {

struct FrontDoorSettings {
  // A contact is a repeat when it is at least the repeat_min_contacts-th
  // contact about the same child within repeat_window_days (inclusive of
  // the contact's own day).
  int repeat_min_contacts = 3;
  int repeat_window_days = 365;
};

struct MonthFigure {
  absl::CivilMonth month;
  int64_t contacts = 0;
  int64_t contacts_year_before = 0;
  std::optional<double> change_percent;  // 1 dp; none when year before = 0
};

struct WeeklyRateFigure {
  absl::CivilDay from;
  absl::CivilDay to;  // inclusive
  int64_t contacts = 0;
  double per_week = 0;  // contacts / (days / 7), 1 dp
};

struct BreakdownFigure {
  std::string code;
  std::string label;
  int64_t count = 0;
  double percent = 0;  // of the month's contacts, 1 dp
};

struct FrontDoorFigures {
  absl::CivilMonth month;
  absl::CivilDay as_of;
  MonthFigure this_month;
  std::vector<MonthFigure> trend;  // 13 months ending with `month`
  WeeklyRateFigure year_to_date;
  WeeklyRateFigure year_to_date_last_year;
  std::optional<double> per_week_change_percent;
  int64_t decided = 0;
  int64_t progressed = 0;
  std::optional<double> progressed_percent;
  std::vector<BreakdownFigure> by_primary_need;  // census order, all codes
  std::vector<BreakdownFigure> by_source;        // census order, all codes
  int repeat_min_contacts = 0;
  int repeat_window_days = 0;
  int64_t repeat_contacts = 0;
  int64_t repeat_children = 0;
  std::optional<double> repeat_percent;
  int64_t decided_within_1wd = 0;
  std::optional<double> decided_within_1wd_percent;
};

// The earliest received_on the figures for (month, as_of) look at: facts
// before it may be left out.
absl::CivilDay EarliestDayNeeded(absl::CivilMonth month, absl::CivilDay as_of,
                                 const FrontDoorSettings& settings);

// Figures for `month`, with year-to-date figures up to `as_of`. `facts` in
// any order; days are the authority's local dates.
FrontDoorFigures ComputeFrontDoorFigures(absl::Span<const ContactFact> facts,
                                         absl::CivilMonth month,
                                         absl::CivilDay as_of,
                                         const WorkingDayCalendar& calendar,
                                         const FrontDoorSettings& settings);

// The suite's one percentage rule (common/percent.h).
using ::sgm::Percent1dp;

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_FRONT_DOOR_FIGURES_H_
