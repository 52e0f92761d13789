// Visit quality (docs/insight.md): per month and kind of statutory visit
// (CP, CIC, CIN), how many visits were face to face and how many saw the
// child alone, of those where the case system recorded it. Pure.
#ifndef SGM_SERVICES_KPI_VISIT_QUALITY_H_
#define SGM_SERVICES_KPI_VISIT_QUALITY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {

// The kinds of statutory visit, in the order the figures list them.
enum class VisitKind {
  kChildProtection,  // CP_VISIT
  kChildInCare,      // CLA_VISIT
  kChildInNeed,      // CIN_VISIT
};
constexpr int kVisitKindCount = 3;

// The kind of a visit event; none for any other event.
std::optional<VisitKind> VisitKindOf(EventType type);

// The visit event types (CP_VISIT, CLA_VISIT, CIN_VISIT).
constexpr EventType kVisitEventTypes[] = {
    EventType::kCpVisit, EventType::kClaVisit, EventType::kCinVisit};

// Visits of one kind in one month or over a range.
struct VisitCounts {
  int64_t visits = 0;
  int64_t mode_recorded = 0;        // visit_mode given
  int64_t face_to_face = 0;         // of those, FACE_TO_FACE
  int64_t seen_alone_recorded = 0;  // seen_alone given
  int64_t seen_alone = 0;           // of those, Y

  // face_to_face / mode_recorded, percent to 1 dp; none when nothing was
  // recorded.
  std::optional<double> FaceToFacePercent() const;
  // seen_alone / seen_alone_recorded, percent to 1 dp; none likewise.
  std::optional<double> SeenAlonePercent() const;
};

struct VisitQualityMonth {
  absl::CivilMonth month;
  std::array<VisitCounts, kVisitKindCount> by_kind;  // by VisitKind
};

struct VisitQualityFigures {
  absl::CivilMonth from;
  absl::CivilMonth to;
  // Over the whole range, by VisitKind.
  std::array<VisitCounts, kVisitKindCount> totals;
  // Every month from `from` to `to`, oldest first (months without visits
  // included, with zero counts).
  std::vector<VisitQualityMonth> months;
};

// The visit events (CP_VISIT, CLA_VISIT, CIN_VISIT) dated in `from`..`to`
// (whole months, both included) counted by the month of event_date and
// kind. Other events and visits outside the range are ignored. Each event
// counts once (the store keeps one event per event_id). from <= to.
VisitQualityFigures ComputeVisitQuality(absl::Span<const CaseEvent> events,
                                        absl::CivilMonth from,
                                        absl::CivilMonth to);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_VISIT_QUALITY_H_
