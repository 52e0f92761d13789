// Small rules the feed parsers share for validating fields and wording
// their rejection reasons.
#ifndef SGM_COMMON_FEED_FIELD_RULES_H_
#define SGM_COMMON_FEED_FIELD_RULES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sgm {

// Every character of `text` is ASCII A-Z, a-z, 0-9 or one of `extra`.
bool AllOf(absl::string_view text, absl::string_view extra);

// `text` quoted for a message (" 'X1'") when it looks like a code (at most
// 32 characters of A-Z a-z 0-9 _ - .), else "": free text and personal data
// never end up in a rejection reason.
std::string QuoteCode(absl::string_view text);

}  // namespace sgm

#endif  // SGM_COMMON_FEED_FIELD_RULES_H_
