// Pure: validated case events, in any order -> the CP plans, CIN plans, CLA
// episodes and referral timelines the indicator rules read (DESIGN section
// 3), with the data-quality findings met on the way. Built child by child
// (each child's timelines depend on that child's events only) and merged,
// so a model can rebuild only the children a new batch touches
// (services/kpi/case_model.h) and get what a full build gives.
#ifndef SGM_SERVICES_KPI_TIMELINE_BUILDER_H_
#define SGM_SERVICES_KPI_TIMELINE_BUILDER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
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

// The same events in any order give the same result. The events are
// grouped by child_id and each child's timelines are built from its own
// events only, then merged (MergeChildTimelines):
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
//    of the same child names gives a finding and no timeline.
//  - child_dobs: per child_id, child_dob of the earliest event carrying
//    one (canonical order: event_date, then event_id); another event of the
//    child with a different child_dob gives one finding per child.
//  - One ref_id, several children: events are never merged across
//    children. When the same ref_id names an item of one list (CP plans,
//    CIN plans, CLA episodes, Early Help episodes, pre-proceedings,
//    allocations, referrals) for more than one child, the child whose item
//    starts first (episode or allocation start; referral first_event_date;
//    then the lowest child_id) keeps it, and each other child's item is
//    left out with a finding ("... ref_id already used by child X; not
//    counted for this child"), so every list has one item per ref_id.
CaseTimelines BuildTimelines(absl::Span<const CaseEvent> events);

// The parts of a case event the timelines read. The views must outlive the
// call they are passed to (they point into CaseEvents, or into a model's
// interned strings).
struct TimelineEvent {
  absl::string_view event_id;
  absl::string_view child_id;
  absl::string_view ref_id;
  absl::string_view parent_ref_id;
  absl::string_view outcome;
  absl::string_view worker_id;
  absl::string_view team;
  absl::CivilDay event_date;
  std::optional<absl::CivilDay> child_dob;
  EventType type = EventType::kReferral;
  std::optional<bool> long_term;
};

TimelineEvent TimelineEventOf(const CaseEvent& event);

// The order every event is handled in, whatever order they came in: by
// date, then by the feed key (then the rest, for keys sent twice).
bool CanonicalLess(const TimelineEvent& a, const TimelineEvent& b);

// The events grouped by child_id: the groups in child_id order, each in
// canonical order. (The building blocks of BuildTimelines, for models that
// keep each child's events and timelines.)
std::vector<std::vector<TimelineEvent>> GroupByChild(
    absl::Span<const TimelineEvent> events);

// One child's timelines from all of that child's events, in canonical
// order. Its lists are sorted by ref_id and its findings as in
// CaseTimelines.
CaseTimelines BuildChildTimelines(absl::Span<const TimelineEvent> events);

// The children's timelines (from BuildChildTimelines, one per child, in
// child_id order) as one CaseTimelines, by the rules above (a ref_id used
// by more than one child included).
CaseTimelines MergeChildTimelines(
    absl::Span<const CaseTimelines* const> children);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_TIMELINE_BUILDER_H_
