#include "services/intake/referral_quality.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/percent.h"
#include "common/utf8.h"

namespace sgm::intake {
namespace {

constexpr absl::string_view kItemNames[kQualityItemCount] = {
    "child_id", "child_dob",    "primary_need",
    "concerns", "referrer_org", "summary"};
constexpr char kThreshold[] = "threshold";
constexpr char kSummaryMinChars[] = "summary_min_chars";
constexpr int kMaxWeight = 100;
constexpr int kMaxSummaryMinChars = 4000;  // the longest summary a feed takes
constexpr int kMaxEchoedChars = 40;

std::string AllItemNames() {
  return absl::StrJoin(std::begin(kItemNames), std::end(kItemNames), ", ");
}

// `text` quoted for an error message, cut short when long.
std::string Quoted(absl::string_view text) {
  if (text.size() > kMaxEchoedChars) {
    return absl::StrCat("'", text.substr(0, kMaxEchoedChars), "...'");
  }
  return absl::StrCat("'", text, "'");
}

absl::Status LineError(int line, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", problem));
}

// Which items a contact has, indexed by QualityItem.
using Presence = std::array<bool, kQualityItemCount>;

ContactQuality Score(const Presence& present,
                     const ReferralQualityRules& rules) {
  ContactQuality q;
  q.total_weight = rules.TotalWeight();
  for (int i = 0; i < kQualityItemCount; ++i) {
    if (rules.weights[i] <= 0) continue;
    if (present[i]) {
      q.points += rules.weights[i];
    } else {
      q.missing |= 1u << i;
    }
  }
  return q;
}

bool NeedStated(absl::string_view primary_need) {
  return !primary_need.empty() && primary_need != "N0";
}

QualityPointFigure Point(const QualityTally& tally,
                         std::optional<absl::CivilMonth> month) {
  QualityPointFigure p;
  p.month = month;
  p.contacts = tally.contacts();
  p.mean_score = tally.MeanScore();
  p.below_threshold = tally.below_threshold();
  p.below_threshold_percent = tally.BelowThresholdPercent();
  return p;
}

// One agency's (or all agencies') tallies over the range and by month.
struct AgencyTallies {
  AgencyTallies(const ReferralQualityRules& rules, int months)
      : total(rules), by_month(months, QualityTally(rules)) {}
  QualityTally total;
  std::vector<QualityTally> by_month;  // index: month - from
};

AgencyQualityFigure Figure(std::string agency, const AgencyTallies& tallies,
                           absl::CivilMonth from) {
  AgencyQualityFigure f;
  f.agency = std::move(agency);
  f.total = Point(tallies.total, std::nullopt);
  for (size_t i = 0; i < tallies.by_month.size(); ++i) {
    f.trend.push_back(
        Point(tallies.by_month[i], from + static_cast<int64_t>(i)));
  }
  f.top_gaps = tallies.total.TopGaps();
  return f;
}

}  // namespace

absl::string_view QualityItemName(QualityItem item) {
  return kItemNames[static_cast<int>(item)];
}

std::optional<QualityItem> ParseQualityItem(absl::string_view name) {
  for (int i = 0; i < kQualityItemCount; ++i) {
    if (kItemNames[i] == name) return static_cast<QualityItem>(i);
  }
  return std::nullopt;
}

int ReferralQualityRules::TotalWeight() const {
  int total = 0;
  for (int w : weights) total += std::max(w, 0);
  return total;
}

std::vector<QualityItem> ReferralQualityRules::Items() const {
  std::vector<QualityItem> items;
  for (int i = 0; i < kQualityItemCount; ++i) {
    if (weights[i] > 0) items.push_back(static_cast<QualityItem>(i));
  }
  return items;
}

std::string ReferralQualityRules::Describe(QualityItem item) const {
  switch (item) {
    case QualityItem::kChildId:
      return "the child is identified (a child_id is given)";
    case QualityItem::kChildDob:
      return "the child's date of birth is given";
    case QualityItem::kPrimaryNeed:
      return "a primary need is stated (not blank and not N0)";
    case QualityItem::kConcerns:
      return "at least one concern is named";
    case QualityItem::kReferrerOrg:
      return "the referrer's organisation is given";
    case QualityItem::kSummary:
      return absl::StrCat("a summary of at least ", summary_min_chars,
                          " characters");
  }
  return "";
}

std::string ReferralQualityRules::Fingerprint() const {
  return absl::StrCat(absl::StrJoin(weights, "."), "t", threshold, "s",
                      summary_min_chars);
}

absl::StatusOr<ReferralQualityRules> ParseReferralQualityRules(
    absl::string_view text) {
  ReferralQualityRules rules;
  // The line each setting was given on (0: not given).
  std::map<std::string, int> given;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return LineError(number,
                       "expected item=weight, threshold=N or "
                       "summary_min_chars=N");
    }
    const std::string name(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(eq + 1));
    const std::optional<QualityItem> item = ParseQualityItem(name);
    int min = 0;
    int max = kMaxWeight;
    if (name == kSummaryMinChars) {
      min = 1;
      max = kMaxSummaryMinChars;
    } else if (name != kThreshold && !item) {
      return LineError(
          number, absl::StrCat("unknown item ", Quoted(name),
                               " (items: ", AllItemNames(), "; also ",
                               kThreshold, " and ", kSummaryMinChars, ")"));
    }
    if (auto [it, inserted] = given.emplace(name, number); !inserted) {
      return LineError(
          number, absl::StrCat(name, " is already set on line ", it->second));
    }
    int n = 0;
    if (!absl::SimpleAtoi(value, &n) || n < min || n > max) {
      return LineError(number,
                       absl::StrCat(name, " must be a whole number from ", min,
                                    " to ", max, ", not ", Quoted(value)));
    }
    if (item) {
      rules.weights[static_cast<int>(*item)] = n;
    } else if (name == kThreshold) {
      rules.threshold = n;
    } else {
      rules.summary_min_chars = n;
    }
  }
  if (rules.TotalWeight() <= 0) {
    return absl::InvalidArgumentError(
        "no item has a weight above 0: at least one must count");
  }
  return rules;
}

double ContactQuality::Score() const {
  if (total_weight <= 0) return 0;
  return 100.0 * points / total_weight;
}

bool ContactQuality::BelowThreshold(int threshold) const {
  // points / total * 100 < threshold, without division.
  return 100 * static_cast<int64_t>(points) <
         static_cast<int64_t>(threshold) * total_weight;
}

ContactQuality ScoreContact(const ContactFact& fact,
                            const ReferralQualityRules& rules) {
  Presence present = {};
  present[static_cast<int>(QualityItem::kChildId)] = !fact.child_id.empty();
  present[static_cast<int>(QualityItem::kChildDob)] = fact.has_child_dob;
  present[static_cast<int>(QualityItem::kPrimaryNeed)] =
      NeedStated(fact.primary_need);
  present[static_cast<int>(QualityItem::kConcerns)] = !fact.concerns.empty();
  present[static_cast<int>(QualityItem::kReferrerOrg)] = fact.has_referrer_org;
  present[static_cast<int>(QualityItem::kSummary)] =
      fact.summary_chars >= rules.summary_min_chars;
  return Score(present, rules);
}

ContactQuality ScoreContact(const ContactRecord& record,
                            const ReferralQualityRules& rules) {
  // Stored summaries are counted in characters (SQLite length()); a record
  // here has been validated as UTF-8, bytes are the fallback regardless.
  const int64_t summary_chars = static_cast<int64_t>(
      Utf8Length(record.summary).value_or(record.summary.size()));
  Presence present = {};
  present[static_cast<int>(QualityItem::kChildId)] = !record.child_id.empty();
  present[static_cast<int>(QualityItem::kChildDob)] =
      record.child_dob.has_value();
  present[static_cast<int>(QualityItem::kPrimaryNeed)] =
      NeedStated(record.primary_need);
  present[static_cast<int>(QualityItem::kConcerns)] = !record.concerns.empty();
  present[static_cast<int>(QualityItem::kReferrerOrg)] =
      !record.referrer_org.empty();
  present[static_cast<int>(QualityItem::kSummary)] =
      summary_chars >= rules.summary_min_chars;
  return Score(present, rules);
}

QualityTally::QualityTally(const ReferralQualityRules& rules)
    : threshold_(rules.threshold), total_weight_(rules.TotalWeight()) {}

void QualityTally::Add(const ContactQuality& quality) {
  ++contacts_;
  points_ += quality.points;
  if (quality.BelowThreshold(threshold_)) ++below_;
  for (int i = 0; i < kQualityItemCount; ++i) {
    if ((quality.missing >> i) & 1u) ++missing_[i];
  }
}

std::optional<double> QualityTally::MeanScore() const {
  // mean of 100 * points_i / total = 100 * sum(points) / (total * n).
  return Percent1dp(points_, static_cast<int64_t>(total_weight_) * contacts_);
}

std::optional<double> QualityTally::BelowThresholdPercent() const {
  return Percent1dp(below_, contacts_);
}

std::vector<QualityGapFigure> QualityTally::TopGaps(int limit) const {
  std::vector<QualityGapFigure> gaps;
  for (int i = 0; i < kQualityItemCount; ++i) {
    if (missing_[i] == 0) continue;
    gaps.push_back({std::string(kItemNames[i]), missing_[i],
                    Percent1dp(missing_[i], contacts_).value_or(0)});
  }
  std::sort(gaps.begin(), gaps.end(),
            [](const QualityGapFigure& a, const QualityGapFigure& b) {
              if (a.contacts != b.contacts) return a.contacts > b.contacts;
              return a.item < b.item;
            });
  if (static_cast<int>(gaps.size()) > limit) gaps.resize(std::max(limit, 0));
  return gaps;
}

FileQualityFigure FileQuality(const QualityTally& tally,
                              const ReferralQualityRules& rules) {
  FileQualityFigure f;
  f.contacts = tally.contacts();
  f.mean_score = tally.MeanScore();
  f.below_threshold = tally.below_threshold();
  f.threshold = rules.threshold;
  f.top_gaps = tally.TopGaps();
  return f;
}

ReferralQualityFigures ComputeReferralQuality(
    absl::Span<const ContactFact> facts, absl::CivilMonth from,
    absl::CivilMonth to, const ReferralQualityRules& rules,
    absl::string_view agency) {
  ReferralQualityFigures out;
  out.from = from;
  out.to = to;
  out.threshold = rules.threshold;
  for (QualityItem item : rules.Items()) {
    out.rules.push_back({std::string(QualityItemName(item)),
                         rules.Describe(item), rules.weight(item)});
  }
  const int months = to >= from ? static_cast<int>(to - from) + 1 : 0;
  AgencyTallies all(rules, months);
  std::map<std::string, AgencyTallies, std::less<>> by_agency;
  for (const ContactFact& fact : facts) {
    const absl::CivilMonth month(fact.received_on);
    if (month < from || month > to) continue;
    if (!agency.empty() && fact.agency != agency) continue;
    const ContactQuality q = ScoreContact(fact, rules);
    const int64_t index = month - from;
    all.total.Add(q);
    all.by_month[index].Add(q);
    auto it = by_agency.try_emplace(fact.agency, rules, months).first;
    it->second.total.Add(q);
    it->second.by_month[index].Add(q);
  }
  out.all_agencies = Figure("", all, from);
  for (const auto& [name, tallies] : by_agency) {
    out.agencies.push_back(Figure(name, tallies, from));
  }
  // Lowest mean first; by_agency was in name order, which breaks ties.
  std::stable_sort(
      out.agencies.begin(), out.agencies.end(),
      [](const AgencyQualityFigure& a, const AgencyQualityFigure& b) {
        return a.total.mean_score.value_or(0) < b.total.mean_score.value_or(0);
      });
  return out;
}

}  // namespace sgm::intake
