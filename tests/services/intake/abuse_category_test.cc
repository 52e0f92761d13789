#include "services/intake/abuse_category.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/referral_dispatcher.h"

namespace sgm::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

absl::string_view Of(std::vector<std::string> concerns) {
  return CategoryOfConcerns(concerns);
}

TEST(AbuseCategoryTest, EachConcernMapsAsDocumented) {
  EXPECT_EQ(CategoryOfConcern("PHYSICAL"), "PHY");
  EXPECT_EQ(CategoryOfConcern("EMOTIONAL"), "EMO");
  EXPECT_EQ(CategoryOfConcern("DOMESTIC_ABUSE"), "EMO");
  EXPECT_EQ(CategoryOfConcern("SEXUAL"), "SAB");
  EXPECT_EQ(CategoryOfConcern("CSE"), "SAB");
  EXPECT_EQ(CategoryOfConcern("FGM"), "SAB");
  EXPECT_EQ(CategoryOfConcern("NEGLECT"), "NEG");
  EXPECT_EQ(CategoryOfConcern("CCE"), "");
  EXPECT_EQ(CategoryOfConcern("MENTAL_HEALTH"), "");
  EXPECT_EQ(CategoryOfConcern("SUBSTANCE_MISUSE"), "");
  EXPECT_EQ(CategoryOfConcern("physical"), "");  // codes are exact
  EXPECT_EQ(CategoryOfConcern(""), "");
}

TEST(AbuseCategoryTest, OneCategoryEvenFromTwoConcerns) {
  EXPECT_EQ(Of({"PHYSICAL"}), "PHY");
  // Domestic abuse and emotional abuse are both EMO: one category.
  EXPECT_EQ(Of({"DOMESTIC_ABUSE", "EMOTIONAL"}), "EMO");
  EXPECT_EQ(Of({"CSE", "FGM", "SEXUAL"}), "SAB");
  // Concerns without a category do not add one.
  EXPECT_EQ(Of({"MENTAL_HEALTH", "NEGLECT", "SUBSTANCE_MISUSE"}), "NEG");
}

TEST(AbuseCategoryTest, TwoDistinctCategoriesAreMultiple) {
  EXPECT_EQ(Of({"DOMESTIC_ABUSE", "PHYSICAL"}), "MUL");
  EXPECT_EQ(Of({"NEGLECT", "CCE", "CSE"}), "MUL");
  EXPECT_EQ(Of({"EMOTIONAL", "DOMESTIC_ABUSE", "NEGLECT"}), "MUL");
}

TEST(AbuseCategoryTest, NoCategoryIsNone) {
  EXPECT_EQ(Of({}), "NONE");
  EXPECT_EQ(Of({"CCE"}), "NONE");
  EXPECT_EQ(Of({"MENTAL_HEALTH", "SUBSTANCE_MISUSE"}), "NONE");
}

ContactFact WithConcerns(std::vector<std::string> concerns) {
  ContactFact f;
  f.concerns = std::move(concerns);
  return f;
}

TEST(AbuseCategoryTest, CountsEverySixCodesInOrderWithPercents) {
  // 8 contacts: NEG 1, PHY 3, SAB 0, EMO 2, MUL 1, NONE 1.
  const std::vector<ContactFact> facts = {
      WithConcerns({"NEGLECT"}),
      WithConcerns({"PHYSICAL"}),
      WithConcerns({"PHYSICAL", "MENTAL_HEALTH"}),
      WithConcerns({"PHYSICAL"}),
      WithConcerns({"DOMESTIC_ABUSE"}),
      WithConcerns({"EMOTIONAL", "DOMESTIC_ABUSE"}),
      WithConcerns({"PHYSICAL", "SEXUAL"}),
      WithConcerns({}),
  };
  const std::vector<CategoryCount> counts = CountContactCategories(facts);
  EXPECT_THAT(counts, ElementsAre(Field(&CategoryCount::code, "NEG"),
                                  Field(&CategoryCount::code, "PHY"),
                                  Field(&CategoryCount::code, "SAB"),
                                  Field(&CategoryCount::code, "EMO"),
                                  Field(&CategoryCount::code, "MUL"),
                                  Field(&CategoryCount::code, "NONE")));
  const std::vector<int64_t> expected_counts = {1, 3, 0, 2, 1, 1};
  // 1/8 = 12.5, 3/8 = 37.5, 2/8 = 25.
  const std::vector<double> expected_percents = {12.5, 37.5, 0,
                                                 25.0, 12.5, 12.5};
  for (size_t i = 0; i < counts.size(); ++i) {
    EXPECT_EQ(counts[i].count, expected_counts[i]) << counts[i].code;
    EXPECT_DOUBLE_EQ(counts[i].percent, expected_percents[i]) << counts[i].code;
  }
  EXPECT_EQ(counts[1].label, "Physical abuse");
  EXPECT_EQ(counts[4].label, "Multiple categories");
  EXPECT_FALSE(counts[5].label.empty());
}

TEST(AbuseCategoryTest, PercentsRoundToOneDecimal) {
  // 3 contacts: PHY 1 (33.3), NONE 2 (66.7).
  const std::vector<CategoryCount> counts = CountContactCategories(
      {WithConcerns({"PHYSICAL"}), WithConcerns({"CCE"}), WithConcerns({})});
  EXPECT_DOUBLE_EQ(counts[1].percent, 33.3);
  EXPECT_DOUBLE_EQ(counts[5].percent, 66.7);
}

TEST(AbuseCategoryTest, NoContactsStillListsEveryCodeAtZero) {
  const std::vector<CategoryCount> counts = CountContactCategories({});
  ASSERT_EQ(counts.size(), 6u);
  for (const CategoryCount& c : counts) {
    EXPECT_EQ(c.count, 0) << c.code;
    EXPECT_EQ(c.percent, 0) << c.code;
  }
}

// The referral the dispatcher sends carries the contact's category (the
// funnel's referral stage), and none when the concerns map to none.
TEST(AbuseCategoryTest, ReferralEventCarriesTheCategory) {
  ReferralOutboxRow row;
  row.authority = "831";
  row.contact_id = 42;
  row.event_id = "intake.C42";
  row.ref_id = "C42";
  row.child_id = "CH1";
  row.event_date = absl::CivilDay(2024, 3, 5);
  row.source_code = "6";
  row.concerns = {"DOMESTIC_ABUSE", "MENTAL_HEALTH"};
  EXPECT_EQ(ReferralEvent(row).category(), "EMO");
  row.concerns = {"DOMESTIC_ABUSE", "PHYSICAL"};
  EXPECT_EQ(ReferralEvent(row).category(), "MUL");
  row.concerns = {"CCE"};
  EXPECT_EQ(ReferralEvent(row).category(), "");
  row.concerns.clear();
  const sgm::kpi::v1::CaseEvent event = ReferralEvent(row);
  EXPECT_EQ(event.category(), "");
  EXPECT_EQ(event.event_type(), sgm::kpi::v1::EVENT_TYPE_REFERRAL);
  EXPECT_EQ(event.ref_id(), "C42");
}

}  // namespace
}  // namespace sgm::intake
