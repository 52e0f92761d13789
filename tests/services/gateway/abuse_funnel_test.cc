// ComposeAbuseFunnel on hand-worked stages: the CONTACT stage from intake's
// categories, the KPI stages in funnel order whatever order they come in,
// missing categories as 0, and each stage's conversion from the one before
// (absent where the previous count is 0; above 100% when a category grows,
// e.g. plans re-categorised from the referral's category).
#include "services/gateway/abuse_funnel.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm::gateway {
namespace {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;

iv1::GetContactCategoriesResponse Contacts(
    int64_t total, const std::vector<std::pair<std::string, int64_t>>& rows) {
  iv1::GetContactCategoriesResponse response;
  response.set_contacts(total);
  for (const auto& [code, count] : rows) {
    iv1::Breakdown* b = response.add_by_category();
    b->set_code(code);
    b->set_count(count);
  }
  return response;
}

void AddStage(kv1::FunnelStage stage, int64_t total,
              const std::vector<std::pair<std::string, int64_t>>& rows,
              kv1::GetCategoryFunnelResponse* response) {
  kv1::FunnelStageCounts* s = response->add_stages();
  s->set_stage(stage);
  s->set_total(total);
  for (const auto& [code, count] : rows) {
    kv1::CategoryCount* c = s->add_by_category();
    c->set_category(code);
    c->set_count(count);
  }
}

// "NEG=4 PHY=3 ..." of a stage's counts, in the stage's order.
std::string CountsOf(const gv1::AbuseFunnelStage& stage) {
  std::string out;
  for (const kv1::CategoryCount& c : stage.by_category()) {
    if (!out.empty()) out += " ";
    out += c.category() + "=" + std::to_string(c.count());
  }
  return out;
}

// "NEG=66.7 PHY=60.0 SAB=- ..." of a stage's conversions ("-": absent).
std::string ConversionsOf(const gv1::AbuseFunnelStage& stage) {
  std::string out;
  for (const gv1::AbuseFunnelConversion& c : stage.conversions()) {
    if (!out.empty()) out += " ";
    char percent[32] = "-";
    if (c.has_percent())
      snprintf(percent, sizeof(percent), "%.1f", c.percent());
    out += c.category() + "=" + percent;
  }
  return out;
}

// 20 contacts in Jan-Jun 2024: NEG 6, PHY 5, SAB 2, EMO 4, MUL 1, NONE 2.
// Then, from the KPI service (sent out of order, SAB and MUL left out after
// the referral): REFERRAL 10 (NEG 4, PHY 3, SAB 0, EMO 2, MUL 0, NONE 1),
// S47 6 (NEG 2, PHY 3, EMO 1), ICPC 4 (NEG 2, PHY 1, EMO 1), CP_PLAN 3
// (NEG 1, EMO 2: one plan was PHY at referral and EMO at plan).
class AbuseFunnelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    contacts_ = Contacts(20, {{"NEG", 6},
                              {"PHY", 5},
                              {"SAB", 2},
                              {"EMO", 4},
                              {"MUL", 1},
                              {"NONE", 2}});
    AddStage(kv1::FUNNEL_STAGE_CP_PLAN, 3, {{"NEG", 1}, {"EMO", 2}}, &later_);
    AddStage(kv1::FUNNEL_STAGE_REFERRAL, 10,
             {{"NEG", 4},
              {"PHY", 3},
              {"SAB", 0},
              {"EMO", 2},
              {"MUL", 0},
              {"NONE", 1}},
             &later_);
    AddStage(kv1::FUNNEL_STAGE_S47, 6, {{"NEG", 2}, {"PHY", 3}, {"EMO", 1}},
             &later_);
    AddStage(kv1::FUNNEL_STAGE_ICPC, 4, {{"PHY", 1}, {"NEG", 2}, {"EMO", 1}},
             &later_);
    later_.set_plans_traced(3);
    kv1::CategoryChange* change = later_.add_changes();
    change->set_from("PHY");
    change->set_to("EMO");
    change->set_plans(1);
  }

  iv1::GetContactCategoriesResponse contacts_;
  kv1::GetCategoryFunnelResponse later_;
};

TEST_F(AbuseFunnelTest, StagesInFunnelOrderWithEveryCategory) {
  const gv1::AbuseCategoryFunnel funnel = ComposeAbuseFunnel(
      absl::CivilMonth(2024, 1), absl::CivilMonth(2024, 6), contacts_, later_);
  EXPECT_EQ(funnel.period().from().year(), 2024);
  EXPECT_EQ(funnel.period().from().month(), 1);
  EXPECT_EQ(funnel.period().to().month(), 6);
  ASSERT_EQ(funnel.stages_size(), 5);
  std::vector<std::string> names;
  std::vector<int64_t> totals;
  for (const gv1::AbuseFunnelStage& stage : funnel.stages()) {
    names.push_back(stage.stage());
    totals.push_back(stage.total());
  }
  EXPECT_THAT(names, ::testing::ElementsAre("CONTACT", "REFERRAL", "S47",
                                            "ICPC", "CP_PLAN"));
  EXPECT_THAT(totals, ::testing::ElementsAre(20, 10, 6, 4, 3));
  EXPECT_EQ(CountsOf(funnel.stages(0)), "NEG=6 PHY=5 SAB=2 EMO=4 MUL=1 NONE=2");
  EXPECT_EQ(CountsOf(funnel.stages(1)), "NEG=4 PHY=3 SAB=0 EMO=2 MUL=0 NONE=1");
  EXPECT_EQ(CountsOf(funnel.stages(2)), "NEG=2 PHY=3 SAB=0 EMO=1 MUL=0 NONE=0");
  EXPECT_EQ(CountsOf(funnel.stages(3)), "NEG=2 PHY=1 SAB=0 EMO=1 MUL=0 NONE=0");
  EXPECT_EQ(CountsOf(funnel.stages(4)), "NEG=1 PHY=0 SAB=0 EMO=2 MUL=0 NONE=0");
  EXPECT_EQ(funnel.plans_traced(), 3);
  ASSERT_EQ(funnel.changes_size(), 1);
  EXPECT_EQ(funnel.changes(0).from(), "PHY");
  EXPECT_EQ(funnel.changes(0).to(), "EMO");
  EXPECT_EQ(funnel.changes(0).plans(), 1);
}

TEST_F(AbuseFunnelTest, SharesOfEachStage) {
  const gv1::AbuseCategoryFunnel funnel = ComposeAbuseFunnel(
      absl::CivilMonth(2024, 1), absl::CivilMonth(2024, 6), contacts_, later_);
  // Contacts: 6/20 = 30.0, 5/20 = 25.0, 2/20 = 10.0, 4/20 = 20.0, 1/20 = 5.0,
  // 2/20 = 10.0.
  std::vector<double> shares;
  for (const kv1::CategoryCount& c : funnel.stages(0).by_category()) {
    shares.push_back(c.percent());
  }
  EXPECT_THAT(shares,
              ::testing::ElementsAre(30.0, 25.0, 10.0, 20.0, 5.0, 10.0));
  // S47: 2/6 = 33.3, 3/6 = 50.0, 1/6 = 16.7.
  shares.clear();
  for (const kv1::CategoryCount& c : funnel.stages(2).by_category()) {
    shares.push_back(c.percent());
  }
  EXPECT_THAT(shares, ::testing::ElementsAre(33.3, 50.0, 0.0, 16.7, 0.0, 0.0));
}

TEST_F(AbuseFunnelTest, ConversionsFromThePreviousStage) {
  const gv1::AbuseCategoryFunnel funnel = ComposeAbuseFunnel(
      absl::CivilMonth(2024, 1), absl::CivilMonth(2024, 6), contacts_, later_);
  EXPECT_EQ(funnel.stages(0).conversions_size(), 0);
  // Referral / contact: 4/6 = 66.7, 3/5 = 60.0, 0/2, 2/4 = 50.0, 0/1,
  // 1/2 = 50.0.
  EXPECT_EQ(ConversionsOf(funnel.stages(1)),
            "NEG=66.7 PHY=60.0 SAB=0.0 EMO=50.0 MUL=0.0 NONE=50.0");
  // S47 / referral: 2/4, 3/3, SAB and MUL had no referral, 1/2, 0/1.
  EXPECT_EQ(ConversionsOf(funnel.stages(2)),
            "NEG=50.0 PHY=100.0 SAB=- EMO=50.0 MUL=- NONE=0.0");
  // ICPC / S47: 2/2, 1/3 = 33.3, -, 1/1, -, no S47 without a category.
  EXPECT_EQ(ConversionsOf(funnel.stages(3)),
            "NEG=100.0 PHY=33.3 SAB=- EMO=100.0 MUL=- NONE=-");
  // CP plan / ICPC: 1/2, 0/1, -, 2/1 = 200.0 (the PHY plan became EMO), -,
  // -.
  EXPECT_EQ(ConversionsOf(funnel.stages(4)),
            "NEG=50.0 PHY=0.0 SAB=- EMO=200.0 MUL=- NONE=-");
}

TEST(AbuseFunnelEmptyTest, NoDataGivesZeroStagesWithoutConversions) {
  const gv1::AbuseCategoryFunnel funnel = ComposeAbuseFunnel(
      absl::CivilMonth(2024, 5), absl::CivilMonth(2024, 5),
      iv1::GetContactCategoriesResponse(), kv1::GetCategoryFunnelResponse());
  ASSERT_EQ(funnel.stages_size(), 5);
  for (const gv1::AbuseFunnelStage& stage : funnel.stages()) {
    EXPECT_EQ(stage.total(), 0) << stage.stage();
    EXPECT_EQ(CountsOf(stage), "NEG=0 PHY=0 SAB=0 EMO=0 MUL=0 NONE=0")
        << stage.stage();
    for (const gv1::AbuseFunnelConversion& c : stage.conversions()) {
      EXPECT_FALSE(c.has_percent()) << stage.stage() << " " << c.category();
    }
  }
  EXPECT_EQ(funnel.stages(4).conversions_size(), 6);
  EXPECT_EQ(funnel.plans_traced(), 0);
}

TEST(AbuseFunnelEmptyTest, UnknownCategoryCodesAreIgnored) {
  // A code outside the six (e.g. from a newer backend) is not counted in
  // any category; the stage's total is the backend's.
  const gv1::AbuseCategoryFunnel funnel = ComposeAbuseFunnel(
      absl::CivilMonth(2024, 5), absl::CivilMonth(2024, 5),
      Contacts(3, {{"PHY", 2}, {"XYZ", 1}}), kv1::GetCategoryFunnelResponse());
  EXPECT_EQ(funnel.stages(0).total(), 3);
  EXPECT_EQ(CountsOf(funnel.stages(0)), "NEG=0 PHY=2 SAB=0 EMO=0 MUL=0 NONE=0");
  EXPECT_DOUBLE_EQ(funnel.stages(0).by_category(1).percent(), 66.7);
}

}  // namespace
}  // namespace sgm::gateway
