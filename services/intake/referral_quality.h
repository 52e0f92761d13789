// Pure: referral quality (docs/insight.md, "Referral quality per agency").
// Each contact gets a completeness score from 0 to 100: the weights of the
// rule items it has, over the total weight of the rule set, times 100. The
// figures are the mean score and the share of contacts below a threshold,
// per agency and month, and the items missing most often.
//
// The default rule set (weights sum to 100; threshold 60):
//   child_id      25  the child is identified (a child_id is given)
//   child_dob     10  the child's date of birth is given
//   primary_need  15  a primary need is stated (not blank and not N0)
//   concerns      20  at least one concern is named
//   referrer_org  10  the referrer's organisation is given
//   summary       20  a summary of at least 50 characters
// A contact scoring exactly the threshold is not below it.
#ifndef SGM_SERVICES_INTAKE_REFERRAL_QUALITY_H_
#define SGM_SERVICES_INTAKE_REFERRAL_QUALITY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/intake/contact.h"

namespace sgm::intake {

// The items a rule set can weigh, in the order they are listed.
enum class QualityItem {
  kChildId = 0,
  kChildDob = 1,
  kPrimaryNeed = 2,
  kConcerns = 3,
  kReferrerOrg = 4,
  kSummary = 5,
};
inline constexpr int kQualityItemCount = 6;

// "child_id", "child_dob", "primary_need", "concerns", "referrer_org",
// "summary".
absl::string_view QualityItemName(QualityItem item);
// The item named `name`; nullopt for any other text.
std::optional<QualityItem> ParseQualityItem(absl::string_view name);

struct ReferralQualityRules {
  // Weight of each item, indexed by QualityItem; 0 leaves it out.
  std::array<int, kQualityItemCount> weights = {25, 10, 15, 20, 10, 20};
  // A contact scoring below this (0-100) counts as below threshold.
  int threshold = 60;
  // The summary item needs at least this many characters.
  int summary_min_chars = 50;

  int weight(QualityItem item) const { return weights[static_cast<int>(item)]; }
  // Sum of the weights (> 0 for any rule set the parser accepts).
  int TotalWeight() const;
  // The items with a weight above 0, in QualityItem order.
  std::vector<QualityItem> Items() const;
  // What it takes for `item` to be present, for people.
  std::string Describe(QualityItem item) const;
  // The whole rule set in a few characters, for cache keys.
  std::string Fingerprint() const;
};

// Parses a rules file: one setting a line, `item=weight` (an item above,
// weight 0 to 100), `threshold=N` (0 to 100) or `summary_min_chars=N`
// (1 to 4000); blank lines and everything after '#' are ignored; spaces
// around names and numbers are allowed. Settings not given keep their
// default. INVALID_ARGUMENT naming the line ("line 3: ...") for an unknown
// name, a bad or out-of-range number, a setting given twice or a line
// without '='; and when no item is left with a weight above 0.
absl::StatusOr<ReferralQualityRules> ParseReferralQualityRules(
    absl::string_view text);

// The score of one contact.
struct ContactQuality {
  int points = 0;        // sum of the weights of the items present
  int total_weight = 0;  // of the rule set
  // Bit i set: item i (QualityItem) is weighed and missing.
  uint32_t missing = 0;

  // 100 * points / total_weight, not rounded.
  double Score() const;
  // Score < threshold, computed exactly (a score equal to it is not below).
  bool BelowThreshold(int threshold) const;
  bool Missing(QualityItem item) const {
    return (missing >> static_cast<int>(item)) & 1u;
  }
};

// Scores a stored contact's facts.
ContactQuality ScoreContact(const ContactFact& fact,
                            const ReferralQualityRules& rules);
// Scores a contact as sent (for an import's summary); the same rules as the
// stored facts (the summary's length in UTF-8 characters).
ContactQuality ScoreContact(const ContactRecord& record,
                            const ReferralQualityRules& rules);

// How often one item was missing.
struct QualityGapFigure {
  std::string item;
  int64_t contacts = 0;
  double percent = 0;  // of the contacts scored, 1 dp
};

// Scores added up.
class QualityTally {
 public:
  explicit QualityTally(const ReferralQualityRules& rules);

  void Add(const ContactQuality& quality);

  int64_t contacts() const { return contacts_; }
  int64_t below_threshold() const { return below_; }
  // Mean score to 1 dp (exact: total points over total possible); none
  // when nothing was added.
  std::optional<double> MeanScore() const;
  // below_threshold / contacts, percent to 1 dp; none when nothing added.
  std::optional<double> BelowThresholdPercent() const;
  // The items missing most often (never-missing ones left out), most
  // frequent first, ties by item name; at most `limit`.
  std::vector<QualityGapFigure> TopGaps(int limit = 5) const;

 private:
  int threshold_;
  int total_weight_;
  int64_t contacts_ = 0;
  int64_t points_ = 0;
  int64_t below_ = 0;
  std::array<int64_t, kQualityItemCount> missing_ = {};
};

// The completeness of one uploaded file.
struct FileQualityFigure {
  int64_t contacts = 0;
  std::optional<double> mean_score;
  int64_t below_threshold = 0;
  int threshold = 0;
  std::vector<QualityGapFigure> top_gaps;  // at most 5
};
FileQualityFigure FileQuality(const QualityTally& tally,
                              const ReferralQualityRules& rules);

// One agency (or all) in one month or over the range.
struct QualityPointFigure {
  std::optional<absl::CivilMonth> month;  // none: the whole range
  int64_t contacts = 0;
  std::optional<double> mean_score;
  int64_t below_threshold = 0;
  std::optional<double> below_threshold_percent;
};

struct AgencyQualityFigure {
  std::string agency;  // "" for all agencies together
  QualityPointFigure total;
  std::vector<QualityPointFigure> trend;   // every month, oldest first
  std::vector<QualityGapFigure> top_gaps;  // over the range, at most 5
};

struct QualityRuleFigure {
  std::string item;
  std::string description;
  int weight = 0;
};

struct ReferralQualityFigures {
  absl::CivilMonth from;
  absl::CivilMonth to;
  std::vector<QualityRuleFigure> rules;  // the items weighed
  int threshold = 0;
  AgencyQualityFigure all_agencies;
  // Each agency with contacts in the range, lowest mean first (ties by
  // name).
  std::vector<AgencyQualityFigure> agencies;
};

// The figures for the contacts received (local date) in months from..to
// (from <= to); facts outside the range are ignored, and so are those of
// other agencies when `agency` is not empty.
ReferralQualityFigures ComputeReferralQuality(
    absl::Span<const ContactFact> facts, absl::CivilMonth from,
    absl::CivilMonth to, const ReferralQualityRules& rules,
    absl::string_view agency = "");

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_REFERRAL_QUALITY_H_
