// Domain types of the front door: contacts and the decisions on them.
#ifndef SGM_SERVICES_INTAKE_CONTACT_H_
#define SGM_SERVICES_INTAKE_CONTACT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sgm::intake {

// What the front door decided. Values match sgm.intake.v1.Outcome.
enum class Outcome {
  kUnspecified = 0,
  kNfa = 1,
  kAdvice = 2,
  kEarlyHelp = 3,
  kReferral = 4,
  kStrategyDiscussion = 5,
  kExistingCase = 6,
};

// "NFA", "ADVICE", ... as in the decisions feed; nullopt for anything else.
std::optional<Outcome> ParseOutcome(absl::string_view text);
// The feed spelling of an outcome ("" for kUnspecified).
absl::string_view OutcomeName(Outcome outcome);
// A contact progresses when it is decided REFERRAL or STRATEGY_DISCUSSION.
bool IsProgressed(Outcome outcome);

// A contact as sent by an agency, validated (DESIGN section 5).
struct ContactRecord {
  std::string agency;            // with source_record_id, the feed key
  std::string source_record_id;  // required
  absl::Time received_at;        // required
  std::string child_id;          // may be empty
  std::optional<absl::CivilDay> child_dob;
  std::string source_code;   // required, a CIN census source code
  std::string primary_need;  // "" or N0..N9
  std::vector<std::string> concerns;
  std::string referrer_org;
  std::string summary;  // free text: never logged

  bool operator==(const ContactRecord& other) const;
};

// A decision as sent, validated.
struct DecisionRecord {
  std::string contact_ref;  // "C42" or "AGENCY:SOURCE_RECORD_ID"
  absl::Time decided_at;
  Outcome outcome = Outcome::kUnspecified;
  std::string decided_by;

  bool operator==(const DecisionRecord& other) const;
};

// A decision as stored with its contact.
struct StoredDecision {
  absl::Time decided_at;
  absl::CivilDay decided_on;  // local (Europe/London) date
  Outcome outcome = Outcome::kUnspecified;
  std::string decided_by;
};

// A contact as stored.
struct StoredContact {
  int64_t id = 0;  // shown as "C<id>"
  std::string authority;
  ContactRecord record;
  absl::CivilDay received_on;  // local (Europe/London) date
  std::optional<StoredDecision> decision;
};

// The few facts about a contact that the front-door figures and the
// practice-insight figures (docs/insight.md) need: no free text, only
// whether it was given and how long it is.
struct ContactFact {
  int64_t id = 0;  // intake's id ("C<id>")
  std::string agency;
  absl::CivilDay received_on;
  std::string child_id;  // "" when the child is not identified
  bool has_child_dob = false;
  std::string source_code;
  std::string primary_need;  // "" when not stated
  std::vector<std::string> concerns;
  bool has_referrer_org = false;
  int64_t summary_chars = 0;  // characters in the summary (0: none)
  std::optional<Outcome> outcome;
  std::optional<absl::CivilDay> decided_on;
};

// "C42" for id 42.
std::string ContactIdString(int64_t id);
// 42 for "C42"; nullopt when `ref` is not of that form.
std::optional<int64_t> ParseContactId(absl::string_view ref);

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_CONTACT_H_
