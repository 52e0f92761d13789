#include "services/kpi/review_walk.h"

#include <algorithm>
#include <vector>

#include "common/civil_date.h"

namespace sgm::kpi {

bool ReviewsOnTime(absl::CivilDay first_due,
                   absl::Span<const absl::CivilDay> reviews, absl::CivilDay e,
                   const NextReviewDue& next_due) {
  std::vector<absl::CivilDay> held;
  held.reserve(reviews.size());
  for (absl::CivilDay review : reviews) {
    if (review <= e) held.push_back(review);
  }
  std::sort(held.begin(), held.end());
  bool late = false;
  absl::CivilDay due = first_due;
  for (int i = 0; i < static_cast<int>(held.size()); ++i) {
    if (held[i] > due) late = true;
    due = next_due(held[i], i);
  }
  if (e > due) late = true;
  return !late;
}

ReviewCadence ReviewCadence::ChildInCare() {
  ReviewCadence cadence;
  cadence.first = {Unit::kWorkingDays, 20};
  cadence.after = {{Unit::kMonths, 3}, {Unit::kMonths, 6}};
  return cadence;
}

ReviewCadence ReviewCadence::ChildProtection() {
  ReviewCadence cadence;
  cadence.first = {Unit::kMonths, 3};
  cadence.after = {{Unit::kMonths, 6}};
  return cadence;
}

ReviewCadence ReviewCadence::ChildInNeed(int months) {
  ReviewCadence cadence;
  cadence.first = {Unit::kMonths, 3};
  cadence.after = {{Unit::kMonths, months}};
  return cadence;
}

absl::CivilDay ReviewCadence::Apply(absl::CivilDay day, Step step,
                                    const WorkingDayCalendar& calendar) {
  switch (step.unit) {
    case Unit::kWorkingDays:
      return calendar.AddWorkingDays(day, step.amount);
    case Unit::kMonths:
      return AddMonthsClamped(day, step.amount);
  }
  return day;
}

absl::CivilDay ReviewCadence::FirstDue(
    absl::CivilDay start, const WorkingDayCalendar& calendar) const {
  return Apply(start, first, calendar);
}

absl::CivilDay ReviewCadence::NextDue(
    absl::CivilDay review, int review_index,
    const WorkingDayCalendar& calendar) const {
  if (after.empty()) return Apply(review, first, calendar);
  const size_t i =
      std::min(static_cast<size_t>(review_index), after.size() - 1);
  return Apply(review, after[i], calendar);
}

bool ReviewsOnTime(const ReviewCadence& cadence,
                   const WorkingDayCalendar& calendar, absl::CivilDay start,
                   absl::Span<const absl::CivilDay> reviews, absl::CivilDay e) {
  std::vector<absl::CivilDay> from_start;
  from_start.reserve(reviews.size());
  for (absl::CivilDay review : reviews) {
    if (review >= start) from_start.push_back(review);
  }
  return ReviewsOnTime(cadence.FirstDue(start, calendar), from_start, e,
                       [&cadence, &calendar](absl::CivilDay review, int index) {
                         return cadence.NextDue(review, index, calendar);
                       });
}

}  // namespace sgm::kpi
