#include "services/kpi/visit_quality.h"

#include <optional>

#include "common/percent.h"

namespace sgm::kpi {

std::optional<VisitKind> VisitKindOf(EventType type) {
  switch (type) {
    case EventType::kCpVisit:
      return VisitKind::kChildProtection;
    case EventType::kClaVisit:
      return VisitKind::kChildInCare;
    case EventType::kCinVisit:
      return VisitKind::kChildInNeed;
    default:
      return std::nullopt;
  }
}

std::optional<double> VisitCounts::FaceToFacePercent() const {
  return Percent1dp(face_to_face, mode_recorded);
}

std::optional<double> VisitCounts::SeenAlonePercent() const {
  return Percent1dp(seen_alone, seen_alone_recorded);
}

namespace {

void Count(const CaseEvent& visit, VisitCounts& counts) {
  ++counts.visits;
  if (!visit.visit_mode.empty()) {
    ++counts.mode_recorded;
    if (visit.visit_mode == "FACE_TO_FACE") ++counts.face_to_face;
  }
  if (visit.seen_alone.has_value()) {
    ++counts.seen_alone_recorded;
    if (*visit.seen_alone) ++counts.seen_alone;
  }
}

}  // namespace

VisitQualityFigures ComputeVisitQuality(absl::Span<const CaseEvent> events,
                                        absl::CivilMonth from,
                                        absl::CivilMonth to) {
  VisitQualityFigures out;
  out.from = from;
  out.to = to;
  for (absl::CivilMonth m = from; m <= to; ++m) {
    out.months.push_back(VisitQualityMonth{m, {}});
  }
  for (const CaseEvent& e : events) {
    const std::optional<VisitKind> kind = VisitKindOf(e.type);
    if (!kind.has_value()) continue;
    const absl::CivilMonth month(e.event_date);
    if (month < from || month > to) continue;
    const int k = static_cast<int>(*kind);
    Count(e, out.months[static_cast<size_t>(month - from)].by_kind[k]);
    Count(e, out.totals[k]);
  }
  return out;
}

}  // namespace sgm::kpi
