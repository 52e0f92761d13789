// Pure: one record of the audits, feedback or actions feed -> a validated
// domain value, or the field at fault and why (DESIGN section 5). The same
// rules validate values that came by RPC.
#ifndef SGM_SERVICES_QA_QA_FEED_PARSER_H_
#define SGM_SERVICES_QA_QA_FEED_PARSER_H_

#include <optional>
#include <variant>

#include "absl/time/civil_time.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {

// audit_id,child_id,type,theme,team,worker_id,auditor,audit_date,grade,
// moderated_grade, and this system's optional additions moderator,
// domains,findings,reaudit_of,sample_id. Required: audit_id, child_id,
// type, auditor, audit_date, grade. grade and moderated_grade 1-4;
// domains a ';'-separated list of DOMAIN=GRADE (e.g.
// "VOICE_OF_THE_CHILD=2;PLANNING=3"), each domain at most once; theme is
// the theme_id (required for type THEMED); sample_id only with type
// DIP_SAMPLE; reaudit_of not the audit's own id.
const FeedSchema& AuditFeedSchema();
// feedback_id,source,team,received_on,rating,comment; required
// feedback_id, source, received_on, rating. rating 1-5.
const FeedSchema& FeedbackFeedSchema();
// action_id,origin_ref,owner,due_date,completed_date, and the optional
// addition raised_on. Required: action_id, origin_ref, owner, due_date.
// completed_date on or after raised_on when both are given.
const FeedSchema& ActionFeedSchema();

// `today` is the authority's local date: audit_date, received_on,
// completed_date and raised_on may not be after it; a due_date at most
// five years ahead; no date before 2000-01-01. Ids (audit_id, child_id,
// theme, worker_id, reaudit_of, sample_id, feedback_id, action_id,
// origin_ref): 1-64 of letters, digits, - _ . / :. team, auditor,
// moderator and owner: at most 100 characters of UTF-8, no control
// characters, no space at either end. findings and comment: UTF-8, at most
// 10,000 bytes; never echoed in a reason. Errors name the column ("grade",
// "domains"...).
std::variant<Audit, RecordError> ParseAuditRecord(const FeedRecord& record,
                                                  absl::CivilDay today);
std::variant<Feedback, RecordError> ParseFeedbackRecord(
    const FeedRecord& record, absl::CivilDay today);
std::variant<Action, RecordError> ParseActionRecord(const FeedRecord& record,
                                                    absl::CivilDay today);

// The rules alone, for values that came another way (the RPCs); errors
// name the feed column as above. A theme: theme_id as an id, name 1-100
// characters as team, end_date on or after start_date, at most 366 days.
std::optional<RecordError> ValidateTheme(const Theme& theme);
std::optional<RecordError> ValidateAudit(const Audit& audit,
                                         absl::CivilDay today);
std::optional<RecordError> ValidateFeedback(const Feedback& feedback,
                                            absl::CivilDay today);
std::optional<RecordError> ValidateAction(const Action& action,
                                          absl::CivilDay today);

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_QA_FEED_PARSER_H_
