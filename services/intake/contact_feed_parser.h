// Pure: one record of a contacts or decisions feed -> a validated domain
// record, or the field at fault and why (DESIGN sections 4 and 5). The same
// rules validate records that arrive through the single-record RPCs.
#ifndef SGM_SERVICES_INTAKE_CONTACT_FEED_PARSER_H_
#define SGM_SERVICES_INTAKE_CONTACT_FEED_PARSER_H_

#include <optional>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "services/intake/contact.h"

namespace sgm::intake {

// source_record_id,received_at,child_id,child_dob,source_code,primary_need,
// concerns,referrer_org,summary; required source_record_id, received_at,
// source_code.
const FeedSchema& ContactFeedSchema();
// contact_ref,decided_at,outcome,decided_by; all but decided_by required.
const FeedSchema& DecisionFeedSchema();

// A contacts-feed record (read against ContactFeedSchema) for `agency`.
// `now` bounds how far in the future received_at may be (1 day of skew).
std::variant<ContactRecord, RecordError> ParseContactRecord(
    const FeedRecord& record, absl::string_view agency, absl::Time now);
// A decisions-feed record (read against DecisionFeedSchema).
std::variant<DecisionRecord, RecordError> ParseDecisionRecord(
    const FeedRecord& record, absl::Time now);

// A contact reference: "C<n>" (intake's id) or "AGENCY:SOURCE_RECORD_ID".
std::optional<RecordError> CheckContactRef(absl::string_view ref);

// The rules alone, for records built from RPC messages.
std::optional<RecordError> ValidateContact(const ContactRecord& contact,
                                           absl::Time now);
std::optional<RecordError> ValidateDecision(const DecisionRecord& decision,
                                            absl::Time now);

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_CONTACT_FEED_PARSER_H_
