// Pure: one record of the case-events feed -> a validated CaseEvent, or the
// field at fault and why (DESIGN section 5, case events).
#ifndef SGM_SERVICES_KPI_CASE_EVENT_FEED_PARSER_H_
#define SGM_SERVICES_KPI_CASE_EVENT_FEED_PARSER_H_

#include <optional>
#include <string>
#include <variant>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {

// event_id,event_type,child_id,child_dob,ref_id,parent_ref_id,event_date,
// source_code,primary_need,category,outcome,worker_id,team,long_term,
// visit_mode,seen_alone; required event_id, event_type, child_id, ref_id,
// event_date.
const FeedSchema& CaseEventFeedSchema();

// A case-events record (read against CaseEventFeedSchema). `now` gives
// today (the authority's local date); event_date may be at most a day later.
std::variant<CaseEvent, RecordError> ParseCaseEventRecord(
    const FeedRecord& record, absl::Time now);

// The rules alone (ids, dates, codes, which fields each event type takes).
std::optional<RecordError> ValidateCaseEvent(const CaseEvent& event,
                                             absl::CivilDay today);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_CASE_EVENT_FEED_PARSER_H_
