// The abuse-category funnel on hand-worked events (range April to June
// 2024): a category change between referral and plan, an S47 without a
// category inheriting its referral's, ICPCs inheriting via their S47 or
// referral, lookups across the range's boundaries, month boundaries.
#include "services/kpi/category_funnel.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::CivilDay D(int m, int d) { return absl::CivilDay(2024, m, d); }

CaseEvent Ev(const std::string& id, EventType type, const std::string& child,
             const std::string& ref, absl::CivilDay date,
             const std::string& category, const std::string& parent = "") {
  CaseEvent e;
  e.event_id = id;
  e.type = type;
  e.child_id = child;
  e.ref_id = ref;
  e.parent_ref_id = parent;
  e.event_date = date;
  e.category = category;
  return e;
}

constexpr EventType kRef = EventType::kReferral;
constexpr EventType kS47 = EventType::kS47Start;
constexpr EventType kIcpc = EventType::kIcpc;
constexpr EventType kPlan = EventType::kCpPlanStart;

const absl::CivilMonth kFrom(2024, 4);
const absl::CivilMonth kTo(2024, 6);

std::vector<CaseEvent> Events() {
  return {
      // A: referred in March with PHY (before the range); the S47 and ICPC
      // carry none and inherit PHY; the plan is EMO: a change PHY -> EMO.
      // A second referral (NEG) after the plan start is not traced.
      Ev("a1", kRef, "A", "RA", D(3, 20), "PHY"),
      Ev("a2", kS47, "A", "SA", D(4, 2), "", "RA"),
      Ev("a3", kIcpc, "A", "SA", D(4, 20), "", "RA"),
      Ev("a4", kPlan, "A", "CPA", D(4, 20), "EMO"),
      Ev("a5", kRef, "A", "RA2", D(4, 25), "NEG"),
      // B: referral without a category; the S47 is SAB and the ICPC
      // inherits it; the plan is not traced (no referral with a category).
      Ev("b1", kRef, "B", "RB", D(4, 5), ""),
      Ev("b2", kS47, "B", "SB", D(4, 6), "SAB", "RB"),
      Ev("b3", kIcpc, "B", "SB", D(4, 25), "", "RB"),
      Ev("b4", kPlan, "B", "CPB", D(4, 25), "SAB"),
      // C: NEG in January, PHY in May, then one without a category; the
      // plan (PHY, 31 May) is traced to the May referral: no change. The
      // S47 (EMO) started before the range; its ICPC inherits EMO, not the
      // referral's PHY.
      Ev("c1", kRef, "C", "RC1", D(1, 10), "NEG"),
      Ev("c2", kRef, "C", "RC2", D(5, 2), "PHY"),
      Ev("c3", kRef, "C", "RC3", D(5, 20), ""),
      Ev("c4", kS47, "C", "SC", D(3, 28), "EMO", "RC2"),
      Ev("c5", kIcpc, "C", "SC", D(5, 30), "", "RC2"),
      Ev("c6", kPlan, "C", "CPC", D(5, 31), "PHY"),
      // D: referral MUL and plan NEG both on 30 June, the range's last day:
      // traced (on or before), a change MUL -> NEG. The S47 on 1 July is
      // after the range.
      Ev("d1", kRef, "D", "RD", D(6, 30), "MUL"),
      Ev("d2", kPlan, "D", "CPD", D(6, 30), "NEG"),
      Ev("d3", kS47, "D", "SD", D(7, 1), "", "RD"),
      // E: the S47's referral is dated after the range: not read, NONE.
      Ev("e1", kS47, "E", "SE", D(6, 10), "", "RE"),
      Ev("e2", kRef, "E", "RE", D(7, 2), "PHY"),
      // F: names child A's referral: lookups stay within a child, NONE.
      Ev("f1", kS47, "F", "SF", D(5, 5), "", "RA"),
      // G: before the range (31 March), not counted.
      Ev("g1", kRef, "G", "RG", D(3, 1), "EMO"),
      Ev("g2", kPlan, "G", "CPG", D(3, 31), "NEG"),
      // H: an ICPC's own category wins.
      Ev("h1", kIcpc, "H", "SH", D(6, 1), "MUL", "RH"),
  };
}

// The counts in NEG, PHY, SAB, EMO, MUL, NONE order.
using Counts = std::array<int64_t, kFunnelCategoryCount>;

void ExpectStage(const FunnelStageCount& got, int64_t total,
                 const Counts& by_category) {
  EXPECT_EQ(got.total, total);
  EXPECT_EQ(got.by_category, by_category);
}

using Change = std::tuple<std::string, std::string, int64_t>;

std::vector<Change> Changes(const CategoryFunnelFigures& f) {
  std::vector<Change> out;
  for (const CategoryChangeCount& c : f.changes) {
    out.emplace_back(c.from, c.to, c.plans);
  }
  return out;
}

constexpr int kReferral = static_cast<int>(FunnelStage::kReferral);
constexpr int kS47Stage = static_cast<int>(FunnelStage::kS47);
constexpr int kIcpcStage = static_cast<int>(FunnelStage::kIcpc);
constexpr int kCpPlan = static_cast<int>(FunnelStage::kCpPlan);

TEST(CategoryFunnelTest, StagesTracedPlansAndChangesOnHandWorkedEvents) {
  const CategoryFunnelFigures f = ComputeCategoryFunnel(Events(), kFrom, kTo);
  EXPECT_EQ(f.from, kFrom);
  EXPECT_EQ(f.to, kTo);
  // Referrals dated 1 April..30 June: RA2 NEG, RB none, RC2 PHY, RC3 none,
  // RD MUL.
  ExpectStage(f.stages[kReferral], 5, {1, 1, 0, 0, 1, 2});
  // S47s: SA PHY (its referral's), SB SAB, SE none (referral after the
  // range), SF none (another child's referral).
  ExpectStage(f.stages[kS47Stage], 4, {0, 1, 1, 0, 0, 2});
  // ICPCs: SA PHY (via its referral), SB SAB (via its S47), SC EMO (via
  // its S47 before the range), SH MUL (its own).
  ExpectStage(f.stages[kIcpcStage], 4, {0, 1, 1, 1, 1, 0});
  // Plans: CPA EMO, CPB SAB, CPC PHY, CPD NEG (CPG is before the range).
  ExpectStage(f.stages[kCpPlan], 4, {1, 1, 1, 1, 0, 0});
  // Traced: CPA -> RA (PHY), CPC -> RC2 (PHY), CPD -> RD (MUL); CPB has
  // no referral with a category.
  EXPECT_EQ(f.plans_traced, 3);
  EXPECT_THAT(Changes(f),
              ElementsAre(Change("PHY", "EMO", 1), Change("MUL", "NEG", 1)));
}

TEST(CategoryFunnelTest, AnyOrderGivesTheSameFigures) {
  std::vector<CaseEvent> events = Events();
  const CategoryFunnelFigures want = ComputeCategoryFunnel(events, kFrom, kTo);
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(events.begin(), events.end(), rng);
    const CategoryFunnelFigures got = ComputeCategoryFunnel(events, kFrom, kTo);
    for (int s = 0; s < kFunnelStageCount; ++s) {
      EXPECT_EQ(got.stages[s].by_category, want.stages[s].by_category);
    }
    EXPECT_EQ(got.plans_traced, want.plans_traced);
    EXPECT_EQ(Changes(got), Changes(want));
  }
}

TEST(CategoryFunnelTest, ARangeOfOneMonthCutsAtItsBoundaries) {
  // May only: RC2 PHY, RC3 none; SF none; SC's ICPC EMO; CPC PHY, traced
  // to RC2 with no change.
  const CategoryFunnelFigures f = ComputeCategoryFunnel(
      Events(), absl::CivilMonth(2024, 5), absl::CivilMonth(2024, 5));
  ExpectStage(f.stages[kReferral], 2, {0, 1, 0, 0, 0, 1});
  ExpectStage(f.stages[kS47Stage], 1, {0, 0, 0, 0, 0, 1});
  ExpectStage(f.stages[kIcpcStage], 1, {0, 0, 0, 1, 0, 0});
  ExpectStage(f.stages[kCpPlan], 1, {0, 1, 0, 0, 0, 0});
  EXPECT_EQ(f.plans_traced, 1);
  EXPECT_THAT(f.changes, IsEmpty());
}

TEST(CategoryFunnelTest, SamePairsAddUpAndTheEarliestReferralEventWins) {
  const std::vector<CaseEvent> events = {
      // Two children referred NEG, both on PHY plans: one pair, 2 plans.
      Ev("1", kRef, "K1", "R1", D(2, 1), "NEG"),
      Ev("2", kPlan, "K1", "P1", D(2, 20), "PHY"),
      Ev("3", kRef, "K2", "R2", D(2, 3), "NEG"),
      Ev("4", kPlan, "K2", "P2", D(2, 21), "PHY"),
      // R3 sent twice with different categories: the S47 takes the earlier
      // event's (EMO, 2 Feb), whatever the ids.
      Ev("9", kRef, "K3", "R3", D(2, 2), "EMO"),
      Ev("5", kRef, "K3", "R3", D(2, 4), "SAB"),
      Ev("6", kS47, "K3", "S3", D(2, 5), "", "R3"),
      // K3's plan traces to the latest referral event (SAB, 4 Feb).
      Ev("7", kPlan, "K3", "P3", D(2, 25), "SAB"),
  };
  const CategoryFunnelFigures f = ComputeCategoryFunnel(
      events, absl::CivilMonth(2024, 2), absl::CivilMonth(2024, 2));
  ExpectStage(f.stages[kReferral], 4, {2, 0, 1, 1, 0, 0});
  ExpectStage(f.stages[kS47Stage], 1, {0, 0, 0, 1, 0, 0});
  EXPECT_EQ(f.plans_traced, 3);
  EXPECT_THAT(Changes(f), ElementsAre(Change("NEG", "PHY", 2)));
}

TEST(CategoryFunnelTest, NothingInTheRange) {
  const CategoryFunnelFigures f = ComputeCategoryFunnel(
      Events(), absl::CivilMonth(2023, 1), absl::CivilMonth(2023, 12));
  for (int s = 0; s < kFunnelStageCount; ++s) {
    ExpectStage(f.stages[s], 0, {0, 0, 0, 0, 0, 0});
  }
  EXPECT_EQ(f.plans_traced, 0);
  EXPECT_THAT(f.changes, IsEmpty());
}

TEST(CategoryFunnelTest, CategoryIndex) {
  EXPECT_EQ(FunnelCategoryIndex("NEG"), 0);
  EXPECT_EQ(FunnelCategoryIndex("MUL"), 4);
  EXPECT_EQ(FunnelCategoryIndex(""), kNoCategory);
  EXPECT_EQ(FunnelCategoryIndex("NONE"), kNoCategory);
  EXPECT_EQ(FunnelCategoryIndex("phy"), kNoCategory);
}

}  // namespace
}  // namespace sgm::kpi
