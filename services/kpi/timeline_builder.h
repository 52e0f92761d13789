// Pure: validated case events, in any order -> the CP plans, CIN plans, CLA
// episodes and referral timelines the indicator rules read (DESIGN section
// 3), with the data-quality findings met on the way.
#ifndef SGM_SERVICES_KPI_TIMELINE_BUILDER_H_
#define SGM_SERVICES_KPI_TIMELINE_BUILDER_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {

// Something in the events that the timelines had to work around.
struct DataQualityFinding {
  std::string child_id;
  std::string ref_id;
  std::string problem;  // never free text from the feed
};

struct CaseTimelines {
  std::vector<Episode> cp_plans;            // sorted by ref_id
  std::vector<Episode> cin_plans;           // sorted by ref_id
  std::vector<Episode> cla_episodes;        // sorted by ref_id
  std::vector<ReferralTimeline> referrals;  // sorted by referral_id
  // Sorted by (child_id, ref_id, problem).
  std::vector<DataQualityFinding> findings;
};

// The same events in any order give the same result.
//  - An episode per CP plan / CIN plan / CLA episode ref_id: start from its
//    *_START (more than one: the earliest, and a finding), end from its
//    *_END (before the start: ignored, and a finding; more than one: the
//    earliest on or after the start, and a finding), visits and reviews
//    from the events carrying that ref_id; long_term from CLA_START. Events
//    of a ref_id without a *_START give a finding, not an episode. Two
//    episodes of one kind open at once for a child give a finding (both are
//    kept).
//  - A referral timeline per referral id: the ref_id of REFERRAL events and
//    the parent_ref_id of assessment, S47, strategy discussion and ICPC
//    events (a referral may be known only from them). Assessments and S47s
//    are grouped by their own ref_id; ICPCs and strategy discussions carry
//    the S47's ref_id.
CaseTimelines BuildTimelines(absl::Span<const CaseEvent> events);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_TIMELINE_BUILDER_H_
