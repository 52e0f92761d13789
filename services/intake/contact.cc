#include "services/intake/contact.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sgm::intake {

std::optional<Outcome> ParseOutcome(absl::string_view text) {
  for (const Outcome outcome :
       {Outcome::kNfa, Outcome::kAdvice, Outcome::kEarlyHelp,
        Outcome::kReferral, Outcome::kStrategyDiscussion,
        Outcome::kExistingCase}) {
    if (text == OutcomeName(outcome)) return outcome;
  }
  return std::nullopt;
}

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNfa:
      return "NFA";
    case Outcome::kAdvice:
      return "ADVICE";
    case Outcome::kEarlyHelp:
      return "EARLY_HELP";
    case Outcome::kReferral:
      return "REFERRAL";
    case Outcome::kStrategyDiscussion:
      return "STRATEGY_DISCUSSION";
    case Outcome::kExistingCase:
      return "EXISTING_CASE";
    case Outcome::kUnspecified:
      break;
  }
  return "";
}

bool IsProgressed(Outcome outcome) {
  return outcome == Outcome::kReferral ||
         outcome == Outcome::kStrategyDiscussion;
}

bool ContactRecord::operator==(const ContactRecord& other) const {
  return agency == other.agency && source_record_id == other.source_record_id &&
         received_at == other.received_at && child_id == other.child_id &&
         child_dob == other.child_dob && source_code == other.source_code &&
         primary_need == other.primary_need && concerns == other.concerns &&
         referrer_org == other.referrer_org && summary == other.summary;
}

bool DecisionRecord::operator==(const DecisionRecord& other) const {
  return contact_ref == other.contact_ref && decided_at == other.decided_at &&
         outcome == other.outcome && decided_by == other.decided_by;
}

std::string ContactIdString(int64_t id) { return absl::StrCat("C", id); }

std::optional<int64_t> ParseContactId(absl::string_view ref) {
  if (ref.size() < 2 || ref[0] != 'C' || ref[1] == '0') return std::nullopt;
  int64_t value = 0;
  for (size_t i = 1; i < ref.size(); ++i) {
    const char c = ref[i];
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace sgm::intake
