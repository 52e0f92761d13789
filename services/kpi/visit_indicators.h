// The visit and review indicators of DESIGN section 3: snapshots at E, the
// last day of a month, over CLA episodes, CP plans and CIN plans.
#ifndef SGM_SERVICES_KPI_VISIT_INDICATORS_H_
#define SGM_SERVICES_KPI_VISIT_INDICATORS_H_

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "services/kpi/case_event.h"
#include "services/kpi/indicator.h"

namespace sgm::kpi {

// The intervals an authority may configure.
struct VisitRules {
  int cp_visit_interval_wd = 10;       // cpp_visits_in_time
  int cin_review_cadence_months = 3;   // cin_review_in_time, after the first
  int cla_visit_interval_days = 42;    // cic_visits_in_time
  int cla_long_term_visit_months = 3;  // cic_visits_in_time, long-term
};

// Each function takes the episodes of one kind (CLA episodes for the cic_*
// indicators, CP plans for cpp_*, CIN plans for cin_*) and counts each
// distinct ref_id once (the first episode with that ref_id). Visit and
// review vectors need not be sorted; dates before the episode's start or
// after E are ignored. `cases` lists the population in input order.

// cic_visits_in_time.
IndicatorMonth CicVisitsInTime(absl::Span<const Episode> episodes,
                               absl::CivilMonth m,
                               const WorkingDayCalendar& cal,
                               const VisitRules& rules);
// cic_reviews_in_time.
IndicatorMonth CicReviewsInTime(absl::Span<const Episode> episodes,
                                absl::CivilMonth m,
                                const WorkingDayCalendar& cal,
                                const VisitRules& rules);
// cpp_visits_in_time.
IndicatorMonth CppVisitsInTime(absl::Span<const Episode> episodes,
                               absl::CivilMonth m,
                               const WorkingDayCalendar& cal,
                               const VisitRules& rules);
// cpp_reviews_in_time.
IndicatorMonth CppReviewsInTime(absl::Span<const Episode> episodes,
                                absl::CivilMonth m,
                                const WorkingDayCalendar& cal,
                                const VisitRules& rules);
// cin_reviews_in_time.
IndicatorMonth CinReviewsInTime(absl::Span<const Episode> episodes,
                                absl::CivilMonth m,
                                const WorkingDayCalendar& cal,
                                const VisitRules& rules);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_VISIT_INDICATORS_H_
