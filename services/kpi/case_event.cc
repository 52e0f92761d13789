#include "services/kpi/case_event.h"

#include <optional>

#include "absl/strings/string_view.h"

namespace sgm::kpi {
namespace {

struct EventTypeSpelling {
  EventType type;
  absl::string_view name;
};

// Every event type with its feed spelling (DESIGN section 5), in enum order.
constexpr EventTypeSpelling kSpellings[] = {
    {EventType::kReferral, "REFERRAL"},
    {EventType::kAssessmentStart, "ASSESSMENT_START"},
    {EventType::kAssessmentEnd, "ASSESSMENT_END"},
    {EventType::kStrategyDiscussion, "STRATEGY_DISCUSSION"},
    {EventType::kS47Start, "S47_START"},
    {EventType::kS47End, "S47_END"},
    {EventType::kIcpc, "ICPC"},
    {EventType::kCpPlanStart, "CP_PLAN_START"},
    {EventType::kCpPlanEnd, "CP_PLAN_END"},
    {EventType::kCpVisit, "CP_VISIT"},
    {EventType::kCpReview, "CP_REVIEW"},
    {EventType::kCinPlanStart, "CIN_PLAN_START"},
    {EventType::kCinPlanEnd, "CIN_PLAN_END"},
    {EventType::kCinReview, "CIN_REVIEW"},
    {EventType::kClaStart, "CLA_START"},
    {EventType::kClaEnd, "CLA_END"},
    {EventType::kClaVisit, "CLA_VISIT"},
    {EventType::kClaReview, "CLA_REVIEW"},
    {EventType::kEhStart, "EH_START"},
    {EventType::kEhEnd, "EH_END"},
    {EventType::kPreProceedingsStart, "PRE_PROCEEDINGS_START"},
    {EventType::kPreProceedingsEnd, "PRE_PROCEEDINGS_END"},
    {EventType::kAllocationStart, "ALLOCATION_START"},
    {EventType::kAllocationEnd, "ALLOCATION_END"},
    {EventType::kCaseClosed, "CASE_CLOSED"},
    {EventType::kCinVisit, "CIN_VISIT"},
};

}  // namespace

std::optional<EventType> ParseEventType(absl::string_view text) {
  for (const EventTypeSpelling& spelling : kSpellings) {
    if (spelling.name == text) return spelling.type;
  }
  return std::nullopt;
}

absl::string_view EventTypeName(EventType type) {
  for (const EventTypeSpelling& spelling : kSpellings) {
    if (spelling.type == type) return spelling.name;
  }
  return "";
}

}  // namespace sgm::kpi
