// Synthetic quality-assurance feeds (DESIGN section 5: audits, feedback,
// actions; and the themes the QA service's CreateTheme records) for one
// authority, consistent with its synthetic case events: every audit but a
// re-audit names a child, worker and team of an allocation
// (ALLOCATION_START/_END) the case events have open on the audit's date (a
// re-audit names those of the audit it re-audits), and feedback about a
// team names a team of the allocations open in its month. At scale 1, each
// month:
//   - 25-40 audits: mostly case-file audits, about a fifth THEMED within
//     the bi-monthly theme (Jan-Feb, Mar-Apr, ...; its audits drawn from
//     the theme's teams where it has some, e.g. CP teams for "Child
//     protection"), some observations of practice and multi-agency audits;
//     no DIP_SAMPLE audits (the QA service draws dip samples itself);
//   - grades about 10% outstanding, 55% good, 30% requires improvement, 5%
//     inadequate (requires improvement falling a little over the window in
//     favour of good), each with 3-4 graded domains of VOICE_OF_THE_CHILD,
//     MANAGEMENT_OVERSIGHT, PLANNING, RISK_ASSESSMENT, RECORDING near the
//     overall grade (recording and management oversight weaker);
//   - about 20% moderated, the moderator agreeing about 80% of the time
//     (disagreeing mostly downwards);
//   - a few re-audits (reaudit_of) of audits graded requires improvement
//     or inadequate two to four months before, most of them improved;
//   - 30-50 pieces of feedback from families, young people, partner
//     agencies and staff, rated 1-5 with means of about 3.7-4.05 by source
//     (short generic comments, or none; no names);
//   - 10-20 actions, from audits graded requires improvement or worse
//     (raised on the audit's date) and from the month's QA board
//     (origin "BOARD-YYYY-MM"), due in 4-12 weeks; 96% of them completed
//     in the end, 80% of those on time and the rest up to 75 days late,
//     so that at a month end the open actions are mostly recent ones and
//     a few overdue (a year's actions about 85-90% completed by its end;
//     nearer 75% would leave a pile of overdue actions growing month by
//     month).
// --scale multiplies the monthly volumes.
//
// Pure and deterministic: the same options and allocations give
// byte-identical output. Nothing generated describes a real person.
#ifndef SGM_TOOLS_SYNTH_QA_SYNTHESIZER_H_
#define SGM_TOOLS_SYNTH_QA_SYNTHESIZER_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/kpi/case_event.h"
#include "services/qa/qa_records.h"

namespace sgm::synth {

struct QaSynthOptions {
  uint64_t seed = 1;
  absl::CivilMonth first_month = absl::CivilMonth(2023, 1);  // 2000 to 2100
  int months = 12;                                           // 1 to 240
  int scale = 1;  // 1 to 100: the monthly volumes
};

// The allocations of the case events (ALLOCATION_START/_END by ref_id):
// child, worker and team from the earliest start, the end the earliest
// ALLOCATION_END on or after it. Allocations without a worker or a team
// are left out. Sorted by start, then ref_id.
std::vector<kpi::Allocation> CaseAllocationsOf(
    absl::Span<const kpi::CaseEvent> events);

struct QaFeeds {
  std::vector<qa::Theme> themes;       // by start_date
  std::vector<qa::Audit> audits;       // by audit_date, then audit_id
  std::vector<qa::Feedback> feedback;  // by received_on, then feedback_id
  std::vector<qa::Action> actions;     // by raised_on, then action_id
};

// INVALID_ARGUMENT for bad options, or no allocation open in the window.
absl::StatusOr<QaFeeds> SynthesizeQa(
    const QaSynthOptions& options,
    absl::Span<const kpi::Allocation> allocations);

// The feeds as CSV with the canonical header rows (qa_feed_parser.h); the
// themes as theme_id,name,start_date,end_date. An error when a stream
// fails.
absl::Status WriteThemesCsv(absl::Span<const qa::Theme> themes,
                            std::ostream* out);
absl::Status WriteAuditsCsv(absl::Span<const qa::Audit> audits,
                            std::ostream* out);
absl::Status WriteFeedbackCsv(absl::Span<const qa::Feedback> feedback,
                              std::ostream* out);
absl::Status WriteActionsCsv(absl::Span<const qa::Action> actions,
                             std::ostream* out);

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_QA_SYNTHESIZER_H_
