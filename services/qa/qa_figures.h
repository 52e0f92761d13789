// Pure: the quality-assurance figures of docs/qa.md from audits, feedback,
// actions and themes. No gRPC, no clock: every date is an argument.
#ifndef SGM_SERVICES_QA_QA_FIGURES_H_
#define SGM_SERVICES_QA_QA_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {

// Everything the figures read for one authority.
struct QaData {
  std::vector<Theme> themes;       // any order
  std::vector<Audit> audits;       // any order
  std::vector<Feedback> feedback;  // any order
  std::vector<Action> actions;     // any order
};

// The label of the all-audits row.
inline constexpr char kTotalLabel[] = "Total";

// What the figures are for. The period's days are inclusive.
struct QaPeriod {
  absl::CivilDay from;
  absl::CivilDay to;
  std::string team;      // "": every team
  std::string theme_id;  // "": every audit
};

// Audits and their effective grades (qa.proto AuditFigures).
struct AuditCounts {
  std::string label;
  int64_t audits = 0;
  int64_t outstanding = 0;
  int64_t good = 0;
  int64_t requires_improvement = 0;
  int64_t inadequate = 0;
  std::optional<double> good_or_better_percent;  // 1 dp
};

// qa.proto ModerationFigures.
struct ModerationCounts {
  int64_t moderated = 0;
  int64_t agreed = 0;
  int64_t moderated_up = 0;                 // moderator's grade better (lower)
  int64_t moderated_down = 0;               // moderator's grade worse (higher)
  std::optional<double> agreement_percent;  // 1 dp
};

// qa.proto DomainFigures.
struct DomainCounts {
  std::string domain;
  int64_t graded = 0;
  int64_t requires_improvement_or_worse = 0;
  std::optional<double> requires_improvement_or_worse_percent;  // 1 dp
};

// qa.proto FeedbackFigures; source nullopt for the total row.
struct FeedbackCounts {
  std::optional<FeedbackSource> source;
  int64_t received = 0;
  std::optional<double> mean_rating;  // 2 dp
  int64_t positive = 0;               // rated 4-5
  int64_t negative = 0;               // rated 1-2
};

// qa.proto ActionFigures.
struct ActionCounts {
  int64_t open = 0;
  int64_t overdue = 0;
  int64_t completed = 0;
  int64_t completed_on_time = 0;
  std::optional<double> on_time_percent;  // 1 dp
  int64_t due = 0;
};

// qa.proto ReauditFigures.
struct ReauditCounts {
  int64_t reaudits = 0;
  int64_t improved = 0;
  int64_t unchanged = 0;
  int64_t worsened = 0;
  std::optional<double> improved_percent;  // 1 dp
  int64_t original_missing = 0;
};

// qa.proto QaFigures.
struct QaFigureSet {
  QaPeriod period;
  AuditCounts audits;                 // label kTotalLabel
  std::vector<AuditCounts> by_type;   // label AuditTypeName; in enum order
  std::vector<AuditCounts> by_team;   // by team
  std::vector<AuditCounts> by_theme;  // by theme_id
  ModerationCounts moderation;
  std::vector<DomainCounts> domains;     // most often RI-or-worse first
  std::vector<FeedbackCounts> feedback;  // per source in enum order, total
  ActionCounts actions;
  ReauditCounts reaudits;
  std::vector<Theme> themes;  // overlapping the period, by start, theme_id
};

// The figures for `period` (docs/qa.md defines each). The team filter
// applies to audits and feedback; the theme filter to audits only.
// INVALID_ARGUMENT when period.to is before period.from.
absl::StatusOr<QaFigureSet> ComputeQaFigures(const QaData& data,
                                             const QaPeriod& period);

// The headline figures of one month (qa.proto QaTrendPoint).
struct QaTrendPoint {
  absl::CivilMonth month;
  int64_t audits = 0;
  std::optional<double> good_or_better_percent;
  std::optional<double> agreement_percent;
  int64_t feedback = 0;
  std::optional<double> mean_rating;
  int64_t open_actions = 0;     // at the month end
  int64_t overdue_actions = 0;  // at the month end
};

// One point a month from `from` to `to` inclusive, oldest first; an empty
// list when to is before from.
std::vector<QaTrendPoint> ComputeQaTrend(const QaData& data,
                                         absl::CivilMonth from,
                                         absl::CivilMonth to);

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_QA_FIGURES_H_
