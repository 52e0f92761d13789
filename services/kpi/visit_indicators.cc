// The visit and review indicators (DESIGN section 3). E is the last day of
// the month M; an episode is in the population when it is open at E
// (started on or before E and not ended on or before E). Visits and reviews
// count from the episode's start up to E. Each plan or episode (ref_id) is
// counted once.
//
// cic_visits_in_time (Care Planning, Placement and Case Review (England)
// Regulations 2010, reg 28): children looked after at E. On time when
// E <= last visit + 42 days; with no visit yet, E <= start + 7 days. For an
// episode flagged long-term, once E > start + 12 months (AddMonthsClamped),
// the interval is 3 months (AddMonthsClamped) instead of 42 days.
//
// cic_reviews_in_time (same Regulations, reg 33): looked after at E with
// start + 20 working days <= E. Review walk: first due start + 20 wd, second
// due the first review + 3 months, then each review + 6 months.
//
// cpp_visits_in_time (local procedures; no national rule): on a CP plan at
// E. On time when E <= (last visit, else plan start) + 10 working days; the
// interval is configurable (VisitRules::cp_visit_interval_wd).
//
// cpp_reviews_in_time (Working Together to Safeguard Children): on a CP plan
// at E with start + 3 months <= E. Review walk: first due start + 3 months,
// then each review + 6 months.
//
// cin_reviews_in_time (local procedures): on a CIN plan at E with
// start + 3 months <= E. Review walk: first due start + 3 months, then each
// review + 3 months (VisitRules::cin_review_cadence_months).
//
// Review walk: `due` = first due date; for each review up to E in date
// order: late if review > due, then due = review + cadence; finally late if
// E > due. On time iff nothing was late (review_walk.h).
#include "services/kpi/visit_indicators.h"

#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "common/civil_date.h"
#include "services/kpi/review_walk.h"

namespace sgm::kpi {
namespace {

// The latest visit in [start, e], if any.
std::optional<absl::CivilDay> LastVisit(const Episode& episode,
                                        absl::CivilDay e) {
  std::optional<absl::CivilDay> last;
  for (absl::CivilDay visit : episode.visits) {
    if (visit < episode.start || visit > e) continue;
    if (!last || visit > *last) last = visit;
  }
  return last;
}

// Counts each distinct episode open at E and accepted by `in_population`;
// `on_time` says whether it goes in the numerator.
template <typename InPopulation, typename OnTime>
IndicatorMonth Snapshot(absl::Span<const Episode> episodes, absl::CivilDay e,
                        InPopulation in_population, OnTime on_time) {
  IndicatorMonth result;
  absl::flat_hash_set<std::string> seen;
  for (const Episode& episode : episodes) {
    if (!episode.OpenAt(e) || !in_population(episode)) continue;
    if (!seen.insert(episode.ref_id).second) continue;
    const bool counted = on_time(episode);
    ++result.denominator;
    if (counted) ++result.numerator;
    result.cases.push_back({episode.child_id, episode.ref_id, counted});
  }
  return result;
}

IndicatorMonth ReviewIndicator(absl::Span<const Episode> episodes,
                               absl::CivilMonth m,
                               const WorkingDayCalendar& cal,
                               const ReviewCadence& cadence) {
  const absl::CivilDay e = LastDayOf(m);
  return Snapshot(
      episodes, e,
      [&](const Episode& episode) {
        return cadence.FirstDue(episode.start, cal) <= e;
      },
      [&](const Episode& episode) {
        return ReviewsOnTime(cadence, cal, episode.start, episode.reviews, e);
      });
}

}  // namespace

IndicatorMonth CicVisitsInTime(absl::Span<const Episode> episodes,
                               absl::CivilMonth m,
                               const WorkingDayCalendar& cal,
                               const VisitRules& rules) {
  constexpr int kFirstVisitDays = 7;
  constexpr int kLongTermAfterMonths = 12;
  const absl::CivilDay e = LastDayOf(m);
  return Snapshot(
      episodes, e, [](const Episode&) { return true; },
      [&](const Episode& episode) {
        const std::optional<absl::CivilDay> last = LastVisit(episode, e);
        if (!last) return e <= episode.start + kFirstVisitDays;
        if (episode.long_term &&
            e > AddMonthsClamped(episode.start, kLongTermAfterMonths)) {
          return e <= AddMonthsClamped(*last, rules.cla_long_term_visit_months);
        }
        return e <= *last + rules.cla_visit_interval_days;
      });
}

IndicatorMonth CicReviewsInTime(absl::Span<const Episode> episodes,
                                absl::CivilMonth m,
                                const WorkingDayCalendar& cal,
                                const VisitRules& rules) {
  return ReviewIndicator(episodes, m, cal, ReviewCadence::ChildInCare());
}

IndicatorMonth CppVisitsInTime(absl::Span<const Episode> episodes,
                               absl::CivilMonth m,
                               const WorkingDayCalendar& cal,
                               const VisitRules& rules) {
  const absl::CivilDay e = LastDayOf(m);
  return Snapshot(
      episodes, e, [](const Episode&) { return true; },
      [&](const Episode& episode) {
        const absl::CivilDay from =
            LastVisit(episode, e).value_or(episode.start);
        return e <= cal.AddWorkingDays(from, rules.cp_visit_interval_wd);
      });
}

IndicatorMonth CppReviewsInTime(absl::Span<const Episode> episodes,
                                absl::CivilMonth m,
                                const WorkingDayCalendar& cal,
                                const VisitRules& rules) {
  return ReviewIndicator(episodes, m, cal, ReviewCadence::ChildProtection());
}

IndicatorMonth CinReviewsInTime(absl::Span<const Episode> episodes,
                                absl::CivilMonth m,
                                const WorkingDayCalendar& cal,
                                const VisitRules& rules) {
  return ReviewIndicator(
      episodes, m, cal,
      ReviewCadence::ChildInNeed(rules.cin_review_cadence_months));
}

}  // namespace sgm::kpi
