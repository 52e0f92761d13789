#include "common/census_codes.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Codes(const std::vector<CodeLabel>& list) {
  std::vector<std::string> codes;
  for (const CodeLabel& entry : list) codes.emplace_back(entry.code);
  return codes;
}

TEST(CensusCodesTest, PrimaryNeedsInCensusOrderWithLabels) {
  EXPECT_THAT(Codes(PrimaryNeeds()), ElementsAre("N0", "N1", "N2", "N3", "N4",
                                                 "N5", "N6", "N7", "N8", "N9"));
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N0"), "Not stated");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N1"), "Abuse or neglect");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N2"), "Child's disability");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N3"), "Parental disability or illness");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N4"), "Family in acute stress");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N5"), "Family dysfunction");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N6"), "Socially unacceptable behaviour");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N7"), "Low income");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N8"), "Absent parenting");
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N9"), "Cases other than children in need");
}

TEST(CensusCodesTest, ReferralSourcesInCensusOrder) {
  EXPECT_THAT(Codes(ReferralSources()),
              ElementsAre("1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C",
                          "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6",
                          "7", "8", "9", "10"));
  EXPECT_EQ(LabelOf(ReferralSources(), "6"), "Police");
  EXPECT_EQ(LabelOf(ReferralSources(), "3A"), "GP");
  EXPECT_EQ(LabelOf(ReferralSources(), "2A"), "Schools");
  EXPECT_EQ(LabelOf(ReferralSources(), "10"), "Unknown");
}

TEST(CensusCodesTest, ConcernsAndOtherLists) {
  EXPECT_THAT(Codes(ContactConcerns()),
              ElementsAre("DOMESTIC_ABUSE", "NEGLECT", "PHYSICAL", "EMOTIONAL",
                          "SEXUAL", "CSE", "CCE", "FGM", "MENTAL_HEALTH",
                          "SUBSTANCE_MISUSE"));
  EXPECT_EQ(LabelOf(ContactConcerns(), "CSE"), "Child sexual exploitation");
  EXPECT_EQ(LabelOf(ContactConcerns(), "DOMESTIC_ABUSE"), "Domestic abuse");
  EXPECT_THAT(Codes(CpCategories()),
              ElementsAre("NEG", "PHY", "SAB", "EMO", "MUL"));
  EXPECT_THAT(Codes(ClosureReasons()),
              ElementsAre("RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7",
                          "RC8", "RC9"));
  EXPECT_EQ(LabelOf(ClosureReasons(), "RC4"), "Special guardianship order");
  EXPECT_THAT(Codes(AbsenceReasons()),
              ElementsAre("MAT", "SIC", "TRN", "OTH", "PUB", "UNA", "UNP"));
}

TEST(CensusCodesTest, EveryListHasUniqueCodesAndALabel) {
  for (const std::vector<CodeLabel>* list :
       {&PrimaryNeeds(), &ReferralSources(), &ContactConcerns(),
        &CpCategories(), &ClosureReasons(), &AbsenceReasons()}) {
    std::set<std::string> seen;
    for (const CodeLabel& entry : *list) {
      EXPECT_TRUE(seen.insert(std::string(entry.code)).second) << entry.code;
      EXPECT_FALSE(entry.label.empty()) << entry.code;
    }
  }
}

TEST(CensusCodesTest, LookupsAreExactAndCaseSensitive) {
  EXPECT_TRUE(Contains(PrimaryNeeds(), "N9"));
  EXPECT_FALSE(Contains(PrimaryNeeds(), "n9"));
  EXPECT_FALSE(Contains(PrimaryNeeds(), "N10"));
  EXPECT_FALSE(Contains(PrimaryNeeds(), ""));
  EXPECT_FALSE(Contains(ReferralSources(), "1"));
  EXPECT_FALSE(Contains(ReferralSources(), "1a"));
  EXPECT_TRUE(Contains(ReferralSources(), "10"));
  EXPECT_EQ(LabelOf(PrimaryNeeds(), "N10"), "");
  EXPECT_EQ(LabelOf(ContactConcerns(), "neglect"), "");
}

TEST(CensusCodesTest, CodeListForMessages) {
  EXPECT_EQ(CodeList(PrimaryNeeds()), "N0, N1, N2, N3, N4, N5, N6, N7, N8, N9");
  EXPECT_EQ(CodeList(CpCategories()), "NEG, PHY, SAB, EMO, MUL");
  EXPECT_EQ(CodeList({}), "");
}

}  // namespace
}  // namespace sgm
