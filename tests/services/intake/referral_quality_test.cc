#include "services/intake/referral_quality.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/contact.h"

namespace sgm::intake {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

// A contact with every item of the default rule set.
ContactFact Full(absl::CivilDay day, std::string agency = "POLICE") {
  ContactFact f;
  f.received_on = day;
  f.agency = std::move(agency);
  f.child_id = "CH1";
  f.has_child_dob = true;
  f.primary_need = "N1";
  f.concerns = {"NEGLECT"};
  f.has_referrer_org = true;
  f.summary_chars = 80;
  f.source_code = "6";
  return f;
}

// A contact with none of them.
ContactFact Bare(absl::CivilDay day, std::string agency = "POLICE") {
  ContactFact f;
  f.received_on = day;
  f.agency = std::move(agency);
  f.source_code = "6";
  return f;
}

void ExpectGap(const QualityGapFigure& gap, const std::string& item,
               int64_t contacts, double percent) {
  EXPECT_EQ(gap.item, item);
  EXPECT_EQ(gap.contacts, contacts);
  EXPECT_DOUBLE_EQ(gap.percent, percent);
}

ReferralQualityRules Parse(const std::string& text) {
  absl::StatusOr<ReferralQualityRules> rules = ParseReferralQualityRules(text);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : ReferralQualityRules();
}

std::string ParseError(const std::string& text) {
  absl::StatusOr<ReferralQualityRules> rules = ParseReferralQualityRules(text);
  EXPECT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(rules.status().message());
}

const absl::CivilDay kDay(2024, 3, 4);

TEST(ReferralQualityRulesTest, DefaultsAreTheDocumentedSet) {
  const ReferralQualityRules rules;
  EXPECT_EQ(rules.weight(QualityItem::kChildId), 25);
  EXPECT_EQ(rules.weight(QualityItem::kChildDob), 10);
  EXPECT_EQ(rules.weight(QualityItem::kPrimaryNeed), 15);
  EXPECT_EQ(rules.weight(QualityItem::kConcerns), 20);
  EXPECT_EQ(rules.weight(QualityItem::kReferrerOrg), 10);
  EXPECT_EQ(rules.weight(QualityItem::kSummary), 20);
  EXPECT_EQ(rules.TotalWeight(), 100);
  EXPECT_EQ(rules.threshold, 60);
  EXPECT_EQ(rules.summary_min_chars, 50);
  EXPECT_EQ(rules.Items().size(), 6u);
  EXPECT_EQ(rules.Describe(QualityItem::kSummary),
            "a summary of at least 50 characters");
  EXPECT_EQ(QualityItemName(QualityItem::kReferrerOrg), "referrer_org");
  EXPECT_EQ(ParseQualityItem("child_dob"), QualityItem::kChildDob);
  EXPECT_EQ(ParseQualityItem("Child_dob"), std::nullopt);
}

TEST(ScoreContactTest, EveryItemPresentIs100AndNoneIs0) {
  const ReferralQualityRules rules;
  const ContactQuality full = ScoreContact(Full(kDay), rules);
  EXPECT_EQ(full.points, 100);
  EXPECT_DOUBLE_EQ(full.Score(), 100);
  EXPECT_EQ(full.missing, 0u);
  EXPECT_FALSE(full.BelowThreshold(60));

  const ContactQuality bare = ScoreContact(Bare(kDay), rules);
  EXPECT_EQ(bare.points, 0);
  EXPECT_DOUBLE_EQ(bare.Score(), 0);
  for (int i = 0; i < kQualityItemCount; ++i) {
    EXPECT_TRUE(bare.Missing(static_cast<QualityItem>(i))) << i;
  }
  EXPECT_TRUE(bare.BelowThreshold(60));
}

TEST(ScoreContactTest, N0IsNotAStatedNeedAndShortSummariesDoNotCount) {
  // Child identified (25) and a concern (20); primary need N0, no date of
  // birth, no organisation, a 49-character summary: 45.
  ContactFact f = Bare(kDay);
  f.child_id = "CH9";
  f.concerns = {"DOMESTIC_ABUSE", "NEGLECT"};
  f.primary_need = "N0";
  f.summary_chars = 49;
  const ContactQuality q = ScoreContact(f, ReferralQualityRules());
  EXPECT_EQ(q.points, 45);
  EXPECT_DOUBLE_EQ(q.Score(), 45);
  EXPECT_TRUE(q.Missing(QualityItem::kPrimaryNeed));
  EXPECT_TRUE(q.Missing(QualityItem::kSummary));
  EXPECT_TRUE(q.Missing(QualityItem::kChildDob));
  EXPECT_TRUE(q.Missing(QualityItem::kReferrerOrg));
  EXPECT_FALSE(q.Missing(QualityItem::kChildId));
  EXPECT_FALSE(q.Missing(QualityItem::kConcerns));

  // 50 characters is enough: 45 + 20 = 65.
  f.summary_chars = 50;
  EXPECT_EQ(ScoreContact(f, ReferralQualityRules()).points, 65);
}

TEST(ScoreContactTest, ExactlyTheThresholdIsNotBelow) {
  // child_id 25 + primary_need 15 + concerns 20 = 60 = the threshold.
  ContactFact f = Bare(kDay);
  f.child_id = "CH1";
  f.primary_need = "N4";
  f.concerns = {"NEGLECT"};
  const ContactQuality at = ScoreContact(f, ReferralQualityRules());
  EXPECT_EQ(at.points, 60);
  EXPECT_FALSE(at.BelowThreshold(60));
  EXPECT_TRUE(at.BelowThreshold(61));

  // child_id 25 + child_dob 10 + concerns 20 = 55: below.
  f.primary_need = "";
  f.has_child_dob = true;
  const ContactQuality under = ScoreContact(f, ReferralQualityRules());
  EXPECT_EQ(under.points, 55);
  EXPECT_TRUE(under.BelowThreshold(60));
}

TEST(ScoreContactTest, ARecordScoresAsItsStoredFactsAndCountsCharacters) {
  ContactRecord r;
  r.agency = "POLICE";
  r.source_record_id = "R1";
  r.child_id = "CH1";
  r.child_dob = absl::CivilDay(2015, 5, 1);
  r.source_code = "6";
  r.primary_need = "N1";
  r.referrer_org = "Force";
  // 49 two-byte characters (98 bytes): not 50 characters.
  std::string summary;
  for (int i = 0; i < 49; ++i) summary += "\xC3\xA9";  // e acute
  r.summary = summary;
  // No concern: 25 + 10 + 15 + 10 = 60, summary and concerns missing.
  ContactQuality q = ScoreContact(r, ReferralQualityRules());
  EXPECT_EQ(q.points, 60);
  EXPECT_TRUE(q.Missing(QualityItem::kSummary));
  EXPECT_TRUE(q.Missing(QualityItem::kConcerns));

  r.summary += "\xC3\xA9";  // 50 characters
  r.concerns = {"NEGLECT"};
  q = ScoreContact(r, ReferralQualityRules());
  EXPECT_EQ(q.points, 100);
  EXPECT_EQ(q.missing, 0u);
}

TEST(ComputeReferralQualityTest, AMonthOfThreeContactsFromTwoAgencies) {
  std::vector<ContactFact> facts;
  // POLICE, 4 March: everything, 100.
  facts.push_back(Full(absl::CivilDay(2024, 3, 4), "POLICE"));
  // POLICE, 20 March: child_id 25 + concerns 20 = 45 (below); missing
  // child_dob, primary_need (N0), referrer_org, summary (10 characters).
  ContactFact p2 = Bare(absl::CivilDay(2024, 3, 20), "POLICE");
  p2.child_id = "CH2";
  p2.primary_need = "N0";
  p2.concerns = {"PHYSICAL"};
  p2.summary_chars = 10;
  facts.push_back(p2);
  // SCHOOL, 31 March: primary_need 15 + concerns 20 + referrer_org 10 +
  // summary 20 = 65 (not below); missing child_id, child_dob.
  ContactFact s1 = Full(absl::CivilDay(2024, 3, 31), "SCHOOL");
  s1.child_id = "";
  s1.has_child_dob = false;
  s1.primary_need = "N4";
  s1.summary_chars = 60;
  facts.push_back(s1);
  // Outside the range February-March: left out.
  facts.push_back(Bare(absl::CivilDay(2024, 1, 31), "POLICE"));
  facts.push_back(Bare(absl::CivilDay(2024, 4, 1), "SCHOOL"));

  const ReferralQualityFigures f =
      ComputeReferralQuality(facts, absl::CivilMonth(2024, 2),
                             absl::CivilMonth(2024, 3), ReferralQualityRules());
  EXPECT_EQ(f.from, absl::CivilMonth(2024, 2));
  EXPECT_EQ(f.to, absl::CivilMonth(2024, 3));
  EXPECT_EQ(f.threshold, 60);
  ASSERT_EQ(f.rules.size(), 6u);
  EXPECT_EQ(f.rules[0].item, "child_id");
  EXPECT_EQ(f.rules[0].weight, 25);
  EXPECT_EQ(f.rules[5].item, "summary");

  // All together: (100 + 45 + 65) / 3 = 70.0; 1 of 3 below = 33.3%.
  const AgencyQualityFigure& all = f.all_agencies;
  EXPECT_EQ(all.agency, "");
  EXPECT_EQ(all.total.month, std::nullopt);
  EXPECT_EQ(all.total.contacts, 3);
  EXPECT_THAT(all.total.mean_score, Optional(70.0));
  EXPECT_EQ(all.total.below_threshold, 1);
  EXPECT_THAT(all.total.below_threshold_percent, Optional(33.3));
  // February is there, empty; March holds the three.
  ASSERT_EQ(all.trend.size(), 2u);
  EXPECT_EQ(all.trend[0].month, absl::CivilMonth(2024, 2));
  EXPECT_EQ(all.trend[0].contacts, 0);
  EXPECT_EQ(all.trend[0].mean_score, std::nullopt);
  EXPECT_EQ(all.trend[0].below_threshold_percent, std::nullopt);
  EXPECT_EQ(all.trend[1].month, absl::CivilMonth(2024, 3));
  EXPECT_EQ(all.trend[1].contacts, 3);
  EXPECT_THAT(all.trend[1].mean_score, Optional(70.0));
  // child_dob missing twice (66.7%); child_id, primary_need, referrer_org
  // and summary once each (33.3%), by name; concerns never.
  ASSERT_EQ(all.top_gaps.size(), 5u);
  ExpectGap(all.top_gaps[0], "child_dob", 2, 66.7);
  ExpectGap(all.top_gaps[1], "child_id", 1, 33.3);
  ExpectGap(all.top_gaps[2], "primary_need", 1, 33.3);
  ExpectGap(all.top_gaps[3], "referrer_org", 1, 33.3);
  ExpectGap(all.top_gaps[4], "summary", 1, 33.3);

  // SCHOOL (65.0) before POLICE (72.5): lowest mean first.
  ASSERT_EQ(f.agencies.size(), 2u);
  const AgencyQualityFigure& school = f.agencies[0];
  EXPECT_EQ(school.agency, "SCHOOL");
  EXPECT_EQ(school.total.contacts, 1);
  EXPECT_THAT(school.total.mean_score, Optional(65.0));
  EXPECT_EQ(school.total.below_threshold, 0);
  EXPECT_THAT(school.total.below_threshold_percent, Optional(0.0));
  ASSERT_EQ(school.top_gaps.size(), 2u);
  ExpectGap(school.top_gaps[0], "child_dob", 1, 100.0);
  ExpectGap(school.top_gaps[1], "child_id", 1, 100.0);

  const AgencyQualityFigure& police = f.agencies[1];
  EXPECT_EQ(police.agency, "POLICE");
  EXPECT_EQ(police.total.contacts, 2);
  EXPECT_THAT(police.total.mean_score, Optional(72.5));
  EXPECT_EQ(police.total.below_threshold, 1);
  EXPECT_THAT(police.total.below_threshold_percent, Optional(50.0));
  ASSERT_EQ(police.trend.size(), 2u);
  EXPECT_EQ(police.trend[0].contacts, 0);
  EXPECT_EQ(police.trend[1].contacts, 2);
  ASSERT_EQ(police.top_gaps.size(), 4u);
  ExpectGap(police.top_gaps[0], "child_dob", 1, 50.0);
  ExpectGap(police.top_gaps[1], "primary_need", 1, 50.0);
  ExpectGap(police.top_gaps[2], "referrer_org", 1, 50.0);
  ExpectGap(police.top_gaps[3], "summary", 1, 50.0);

  // One agency only: the total is that agency's.
  const ReferralQualityFigures only = ComputeReferralQuality(
      facts, absl::CivilMonth(2024, 2), absl::CivilMonth(2024, 3),
      ReferralQualityRules(), "SCHOOL");
  EXPECT_EQ(only.all_agencies.total.contacts, 1);
  EXPECT_THAT(only.all_agencies.total.mean_score, Optional(65.0));
  ASSERT_EQ(only.agencies.size(), 1u);
  EXPECT_EQ(only.agencies[0].agency, "SCHOOL");
}

TEST(ComputeReferralQualityTest, EqualMeansAreInAgencyNameOrder) {
  const std::vector<ContactFact> facts = {
      Full(absl::CivilDay(2024, 3, 1), "ZETA"),
      Full(absl::CivilDay(2024, 3, 2), "ALPHA")};
  const ReferralQualityFigures f =
      ComputeReferralQuality(facts, absl::CivilMonth(2024, 3),
                             absl::CivilMonth(2024, 3), ReferralQualityRules());
  ASSERT_EQ(f.agencies.size(), 2u);
  EXPECT_EQ(f.agencies[0].agency, "ALPHA");
  EXPECT_EQ(f.agencies[1].agency, "ZETA");
  EXPECT_TRUE(f.all_agencies.top_gaps.empty());
}

TEST(QualityTallyTest, AtMostFiveGapsTiesByName) {
  const ReferralQualityRules rules;
  QualityTally tally(rules);
  tally.Add(ScoreContact(Bare(kDay), rules));
  // All six missing once: the first five by name; summary is left off.
  const std::vector<QualityGapFigure> gaps = tally.TopGaps();
  ASSERT_EQ(gaps.size(), 5u);
  ExpectGap(gaps[0], "child_dob", 1, 100.0);
  ExpectGap(gaps[1], "child_id", 1, 100.0);
  ExpectGap(gaps[2], "concerns", 1, 100.0);
  ExpectGap(gaps[3], "primary_need", 1, 100.0);
  ExpectGap(gaps[4], "referrer_org", 1, 100.0);
}

TEST(QualityTallyTest, FileQualityOfNothingHasNoMean) {
  const ReferralQualityRules rules;
  const FileQualityFigure f = FileQuality(QualityTally(rules), rules);
  EXPECT_EQ(f.contacts, 0);
  EXPECT_EQ(f.mean_score, std::nullopt);
  EXPECT_EQ(f.below_threshold, 0);
  EXPECT_EQ(f.threshold, 60);
  EXPECT_TRUE(f.top_gaps.empty());
}

TEST(QualityTallyTest, MeansOfUnevenWeightsRoundToOneDecimal) {
  // child_id 2, concerns 1, the rest left out: total 3; threshold 50.
  const ReferralQualityRules rules = Parse(
      "child_id=2\nconcerns=1\nchild_dob=0\nprimary_need=0\n"
      "referrer_org=0\nsummary=0\nthreshold=50\n");
  EXPECT_EQ(rules.TotalWeight(), 3);
  ASSERT_EQ(rules.Items().size(), 2u);
  ContactFact a = Bare(kDay);
  a.child_id = "CH1";  // 2 of 3: 66.67
  ContactFact b = Bare(kDay);
  b.concerns = {"CSE"};  // 1 of 3: 33.33
  const ContactQuality qa = ScoreContact(a, rules);
  const ContactQuality qb = ScoreContact(b, rules);
  // Items left out are never missing.
  EXPECT_EQ(qa.missing, 1u << static_cast<int>(QualityItem::kConcerns));
  EXPECT_FALSE(qa.BelowThreshold(50));
  EXPECT_TRUE(qb.BelowThreshold(50));

  QualityTally one(rules);
  one.Add(qa);
  EXPECT_THAT(one.MeanScore(), Optional(66.7));
  QualityTally two(rules);
  two.Add(qa);
  two.Add(qb);
  // (2 + 1) / (3 * 2) = 50.0; 1 of 2 below.
  EXPECT_THAT(two.MeanScore(), Optional(50.0));
  EXPECT_EQ(two.below_threshold(), 1);
  EXPECT_THAT(two.BelowThresholdPercent(), Optional(50.0));
  const FileQualityFigure file = FileQuality(two, rules);
  EXPECT_EQ(file.threshold, 50);
  ASSERT_EQ(file.top_gaps.size(), 2u);
  ExpectGap(file.top_gaps[0], "child_id", 1, 50.0);
  ExpectGap(file.top_gaps[1], "concerns", 1, 50.0);
}

TEST(ParseReferralQualityRulesTest, OverridesWhatItNamesAndKeepsTheRest) {
  const ReferralQualityRules rules = Parse(
      "# stricter rules for 2025\r\n"
      "\r\n"
      "  child_id = 30  \r\n"
      "threshold=70 # raised\r\n"
      "summary_min_chars=100\r\n");
  EXPECT_EQ(rules.weight(QualityItem::kChildId), 30);
  EXPECT_EQ(rules.weight(QualityItem::kChildDob), 10);
  EXPECT_EQ(rules.TotalWeight(), 105);
  EXPECT_EQ(rules.threshold, 70);
  EXPECT_EQ(rules.summary_min_chars, 100);
  EXPECT_EQ(rules.Describe(QualityItem::kSummary),
            "a summary of at least 100 characters");
  EXPECT_NE(rules.Fingerprint(), ReferralQualityRules().Fingerprint());
  // An empty file is the defaults.
  EXPECT_EQ(Parse("").Fingerprint(), ReferralQualityRules().Fingerprint());
}

TEST(ParseReferralQualityRulesTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseError("child_id=25\n# a comment\nchild_name=5\n"),
              HasSubstr("line 3: unknown item 'child_name'"));
  EXPECT_THAT(ParseError("threshold=abc\n"),
              HasSubstr("line 1: threshold must be a whole number from 0 to "
                        "100, not 'abc'"));
  EXPECT_THAT(
      ParseError("\nsummary=101\n"),
      HasSubstr("line 2: summary must be a whole number from 0 to 100"));
  EXPECT_THAT(ParseError("concerns=-1\n"), HasSubstr("line 1: concerns"));
  EXPECT_THAT(ParseError("concerns=2.5\n"), HasSubstr("line 1: concerns"));
  EXPECT_THAT(ParseError("summary_min_chars=0\n"),
              HasSubstr("line 1: summary_min_chars must be a whole number "
                        "from 1 to 4000"));
  EXPECT_THAT(ParseError("threshold=60\n\n# again\nthreshold=70\n"),
              HasSubstr("line 4: threshold is already set on line 1"));
  EXPECT_THAT(ParseError("child_id=25\nchild_dob 10\n"),
              HasSubstr("line 2: expected item=weight"));
  EXPECT_THAT(ParseError("threshold=\n"), HasSubstr("line 1: threshold"));
  EXPECT_THAT(ParseError("child_id=0\nchild_dob=0\nprimary_need=0\n"
                         "concerns=0\nreferrer_org=0\nsummary=0\n"),
              HasSubstr("no item has a weight above 0"));
}

}  // namespace
}  // namespace sgm::intake
