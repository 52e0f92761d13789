// Pure: validated case events, in any order -> the CP plans, CIN plans, CLA
// episodes and referral timelines the indicator rules read (DESIGN section
// 3), with the data-quality findings met on the way.
#ifndef SGM_SERVICES_KPI_TIMELINE_BUILDER_H_
#define SGM_SERVICES_KPI_TIMELINE_BUILDER_H_

#include <map>
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
  std::vector<Episode> eh_episodes;         // sorted by ref_id
  std::vector<Episode> pre_proceedings;     // sorted by ref_id
  std::vector<Allocation> allocations;      // sorted by ref_id
  std::vector<ReferralTimeline> referrals;  // sorted by referral_id
  // A child's date of birth, from the earliest event that carries one
  // (a different one on a later event: a finding).
  std::map<std::string, absl::CivilDay> child_dobs;
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
//  - Early Help episodes (EH_START/_END) and pre-proceedings
//    (PRE_PROCEEDINGS_START/_END) follow the same rules, overlaps included.
//  - An allocation per ALLOCATION_START/_END ref_id, with the rules of
//    starts and ends above; worker_id and team from its start (events
//    naming another worker: a finding). Ends without a start give a finding,
//    not an allocation. Overlapping allocations are normal: no finding.
//  - A referral timeline per referral id: the ref_id of REFERRAL events and
//    the parent_ref_id of assessment, S47, strategy discussion and ICPC
//    events (a referral may be known only from them). Assessments and S47s
//    are grouped by their own ref_id; ICPCs and strategy discussions carry
//    the S47's ref_id; an S47's end is its earliest S47_END on or after its
//    start. first_event_date: the earliest of those events.
//  - CASE_CLOSED (ref_id = the referral) closes the referral: the earliest
//    on or after its REFERRAL (else its first_event_date) wins, with its
//    outcome as closure_reason; one before that: ignored, and a finding;
//    more than one: a finding. A CASE_CLOSED of a referral no other event
//    names gives a finding and no timeline.
//  - child_dobs: per child_id, child_dob of the earliest event carrying
//    one (canonical order: event_date, then event_id); another event of the
//    child with a different child_dob gives one finding per child.
CaseTimelines BuildTimelines(absl::Span<const CaseEvent> events);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_TIMELINE_BUILDER_H_
