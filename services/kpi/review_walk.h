// The review walk of DESIGN section 3: whether a plan's or episode's reviews
// up to a date E were all held in time.
#ifndef SGM_SERVICES_KPI_REVIEW_WALK_H_
#define SGM_SERVICES_KPI_REVIEW_WALK_H_

#include <functional>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"

namespace sgm::kpi {

// The due date of the next review, given the review just held and its index
// (0 for the first review held, 1 for the second, ...).
using NextReviewDue =
    std::function<absl::CivilDay(absl::CivilDay review, int review_index)>;

// The review walk (DESIGN section 3): `due` = first_due; for each review on
// or before `e` in date order: late if review > due, then
// due = next_due(review, index); finally late if e > due. True iff nothing
// was late. Reviews after `e` are ignored; `reviews` need not be sorted (a
// sorted copy is walked). The caller drops reviews before the plan's start.
bool ReviewsOnTime(absl::CivilDay first_due,
                   absl::Span<const absl::CivilDay> reviews, absl::CivilDay e,
                   const NextReviewDue& next_due);

// A review timetable: the first review is due `first` after the start; the
// review after review i (0-based) is due `after[i]` after review i, the last
// entry of `after` repeating.
struct ReviewCadence {
  enum class Unit { kWorkingDays, kMonths };
  // "+ amount working days" or "+ amount months" (clamped to the month's
  // last day, AddMonthsClamped).
  struct Step {
    Unit unit = Unit::kMonths;
    int amount = 0;  // >= 0
  };

  Step first;
  std::vector<Step> after;  // at least one entry

  // Looked after: first due start + 20 wd, second + 3 months, then
  // + 6 months (Care Planning Regulations 2010 reg 33).
  static ReviewCadence ChildInCare();
  // CP plan: first due start + 3 months, then + 6 months (Working Together).
  static ReviewCadence ChildProtection();
  // CIN plan: first due start + 3 months, then + `months` (local procedures).
  static ReviewCadence ChildInNeed(int months);

  // `day` + `step` on `calendar`.
  static absl::CivilDay Apply(absl::CivilDay day, Step step,
                              const WorkingDayCalendar& calendar);
  absl::CivilDay FirstDue(absl::CivilDay start,
                          const WorkingDayCalendar& calendar) const;
  absl::CivilDay NextDue(absl::CivilDay review, int review_index,
                         const WorkingDayCalendar& calendar) const;
};

// The review walk for a plan or episode that started on `start`, counting
// only the reviews in [start, e].
bool ReviewsOnTime(const ReviewCadence& cadence,
                   const WorkingDayCalendar& calendar, absl::CivilDay start,
                   absl::Span<const absl::CivilDay> reviews, absl::CivilDay e);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_REVIEW_WALK_H_
