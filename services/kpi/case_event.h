// Domain types of the KPI service: case activity from the case-management
// system (DESIGN section 5, case events) and the timelines built from it.
#ifndef SGM_SERVICES_KPI_CASE_EVENT_H_
#define SGM_SERVICES_KPI_CASE_EVENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sgm::kpi {

enum class EventType {
  kReferral,
  kAssessmentStart,
  kAssessmentEnd,
  kStrategyDiscussion,
  kS47Start,
  kS47End,
  kIcpc,
  kCpPlanStart,
  kCpPlanEnd,
  kCpVisit,
  kCpReview,
  kCinPlanStart,
  kCinPlanEnd,
  kCinReview,
  kClaStart,
  kClaEnd,
  kClaVisit,
  kClaReview,
  kEhStart,
  kEhEnd,
  kPreProceedingsStart,
  kPreProceedingsEnd,
  kAllocationStart,
  kAllocationEnd,
  kCaseClosed,
  // Stored as the enum value: new types go last (case_event_store.cc).
  kCinVisit,  // a visit to a child on a CIN plan (ref_id = the CIN plan)
};

// "REFERRAL", "CP_PLAN_START", ... as in the feed; nullopt otherwise.
std::optional<EventType> ParseEventType(absl::string_view text);
absl::string_view EventTypeName(EventType type);

// One validated record of the case-events feed.
struct CaseEvent {
  std::string event_id;  // the feed key
  EventType type = EventType::kReferral;
  std::string child_id;
  std::optional<absl::CivilDay> child_dob;
  std::string ref_id;         // the referral, assessment, plan, episode...
  std::string parent_ref_id;  // the referral, for assessments and S47s
  absl::CivilDay event_date;
  std::string source_code;   // REFERRAL
  std::string primary_need;  // REFERRAL
  // NEG, PHY, SAB, EMO, MUL: required on CP_PLAN_START, optional on
  // REFERRAL, S47_START and ICPC (the category seen at that stage).
  std::string category;
  std::string outcome;    // S47_END; ICPC: CP_PLAN/NO_PLAN; CASE_CLOSED: RCn
  std::string worker_id;  // ALLOCATION_*
  std::string team;       // ALLOCATION_*
  std::optional<bool> long_term;   // CLA_START
  std::string visit_mode;          // visits: FACE_TO_FACE or VIRTUAL
  std::optional<bool> seen_alone;  // visits
};

// A CP plan, CIN plan or CLA episode with the visits and reviews that carry
// its ref_id, as the indicator rules see it.
struct Episode {
  std::string ref_id;
  std::string child_id;
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;    // none while open
  bool long_term = false;               // CLA only
  std::vector<absl::CivilDay> visits;   // sorted ascending
  std::vector<absl::CivilDay> reviews;  // sorted ascending

  // Open at E: started on or before E and not ended on or before E.
  bool OpenAt(absl::CivilDay e) const {
    return start <= e && !(end && *end <= e);
  }
};

// An allocation of a child to a worker (ALLOCATION_START / _END by ref_id).
struct Allocation {
  std::string ref_id;
  std::string child_id;
  std::string worker_id;
  std::string team;
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;

  bool OpenAt(absl::CivilDay e) const {
    return start <= e && !(end && *end <= e);
  }
};

// A referral's assessment and child-protection timeline.
struct ReferralTimeline {
  std::string referral_id;
  std::string child_id;
  std::optional<absl::CivilDay> referral_date;  // none: no REFERRAL event
  // The earliest event naming the referral (REFERRAL or a child event).
  absl::CivilDay first_event_date;
  // The earliest CASE_CLOSED of the referral (ref_id = the referral), if
  // any; outcome = its RC code.
  std::optional<absl::CivilDay> closed;
  std::string closure_reason;
  // Assessments of this referral: (start, end) by assessment ref_id.
  struct Assessment {
    std::string ref_id;
    std::optional<absl::CivilDay> start;
    std::optional<absl::CivilDay> end;
  };
  std::vector<Assessment> assessments;
  // S47 enquiries of this referral.
  struct S47 {
    std::string ref_id;
    std::optional<absl::CivilDay> start;
    std::vector<absl::CivilDay> strategy_discussions;  // sorted
    std::vector<absl::CivilDay> icpcs;                 // sorted
    std::optional<absl::CivilDay> end;                 // the earliest S47_END
  };
  std::vector<S47> s47s;
};

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_CASE_EVENT_H_
