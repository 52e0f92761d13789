// Small rules the feed parsers share for validating fields and wording
// their rejection reasons.
#ifndef SGM_COMMON_FEED_FIELD_RULES_H_
#define SGM_COMMON_FEED_FIELD_RULES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sgm {

// Why one record of a feed (or one RPC message) was refused: the field at
// fault and a reason that never echoes free text or personal data.
struct RecordError {
  std::string field;  // "" for the record as a whole
  std::string reason;
};

// Every character of `text` is ASCII A-Z, a-z, 0-9 or one of `extra`.
bool AllOf(absl::string_view text, absl::string_view extra);

// `text` quoted for a message (" 'X1'") when it looks like a code (at most
// 32 characters of A-Z a-z 0-9 _ - .), else "": free text and personal data
// never end up in a rejection reason.
std::string QuoteCode(absl::string_view text);

// The feeds' plausibility rule for a child's date of birth, against the
// date of the record (`on`, e.g. an event date or the local date a contact
// was received): no more than 280 days after it (an unborn child's expected
// date of birth) and no more than 25 years before it (AddMonthsClamped).
// The error is on field "child_dob"; `on_name` names the record's date in
// the reason ("event_date", "the date in received_at").
std::optional<RecordError> CheckChildDob(absl::CivilDay dob, absl::CivilDay on,
                                         absl::string_view on_name);

}  // namespace sgm

#endif  // SGM_COMMON_FEED_FIELD_RULES_H_
