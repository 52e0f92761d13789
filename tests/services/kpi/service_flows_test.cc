#include "services/kpi/service_flows.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using Day = absl::CivilDay;
using Month = absl::CivilMonth;
using L = ServiceLevel;

Episode Ep(const std::string& ref_id, const std::string& child_id, Day start,
           std::optional<Day> end = std::nullopt) {
  Episode episode;
  episode.ref_id = ref_id;
  episode.child_id = child_id;
  episode.start = start;
  episode.end = end;
  return episode;
}

ReferralTimeline Referral(const std::string& id, const std::string& child_id,
                          Day referred, std::optional<Day> closed,
                          const std::string& reason) {
  ReferralTimeline referral;
  referral.referral_id = id;
  referral.child_id = child_id;
  referral.referral_date = referred;
  referral.first_event_date = referred;
  referral.closed = closed;
  referral.closure_reason = reason;
  return referral;
}

// ------------------------------------------------------------ LevelMoves

TEST(LevelMovesTest, StepDownAndBackUpInsideOneMonth) {
  CaseTimelines t;
  // CP from 15 Jan to 10 Mar, CIN from 10 Mar to 20 Mar, CP again from
  // 20 Mar: NONE -> CP on 15 Jan, CP -> CIN on 10 Mar (the CP plan is not
  // open on its end day, the CIN plan is on its start day), CIN -> CP on
  // 20 Mar.
  t.cp_plans = {Ep("CP1", "A", Day(2024, 1, 15), Day(2024, 3, 10)),
                Ep("CP2", "A", Day(2024, 3, 20))};
  t.cin_plans = {Ep("CIN1", "A", Day(2024, 3, 10), Day(2024, 3, 20))};
  EXPECT_THAT(LevelMoves(t, 7),
              ElementsAre(FieldsAre("A", Day(2024, 1, 15), L::kNone,
                                    L::kChildProtection),
                          FieldsAre("A", Day(2024, 3, 10), L::kChildProtection,
                                    L::kChildInNeed),
                          FieldsAre("A", Day(2024, 3, 20), L::kChildInNeed,
                                    L::kChildProtection)));
}

TEST(LevelMovesTest, AGapOfTwoDaysIsOneStepDownDatedWhenTheNewLevelStarts) {
  CaseTimelines t;
  // CP ends 3 Mar, CIN starts 5 Mar: no level on 3 and 4 Mar (2 days).
  t.cp_plans = {Ep("CP1", "B", Day(2024, 1, 2), Day(2024, 3, 3))};
  t.cin_plans = {Ep("CIN1", "B", Day(2024, 3, 5))};
  EXPECT_THAT(LevelMoves(t, 7),
              ElementsAre(FieldsAre("B", Day(2024, 1, 2), L::kNone,
                                    L::kChildProtection),
                          FieldsAre("B", Day(2024, 3, 5), L::kChildProtection,
                                    L::kChildInNeed)));
}

TEST(LevelMovesTest, GapOfExactlyGapDaysIsBridgedOneMoreIsNot) {
  CaseTimelines exactly;
  // CP ends 1 Mar, CIN starts 8 Mar: no level 1..7 Mar = 7 days.
  exactly.cp_plans = {Ep("CP1", "B", Day(2024, 1, 2), Day(2024, 3, 1))};
  exactly.cin_plans = {Ep("CIN1", "B", Day(2024, 3, 8))};
  EXPECT_THAT(LevelMoves(exactly, 7),
              ElementsAre(FieldsAre("B", Day(2024, 1, 2), L::kNone,
                                    L::kChildProtection),
                          FieldsAre("B", Day(2024, 3, 8), L::kChildProtection,
                                    L::kChildInNeed)));

  CaseTimelines one_more;
  // CIN starts 9 Mar: no level 1..8 Mar = 8 days: an exit and an entry.
  one_more.cp_plans = {Ep("CP1", "C", Day(2024, 1, 2), Day(2024, 3, 1))};
  one_more.cin_plans = {Ep("CIN1", "C", Day(2024, 3, 9))};
  EXPECT_THAT(
      LevelMoves(one_more, 7),
      ElementsAre(
          FieldsAre("C", Day(2024, 1, 2), L::kNone, L::kChildProtection),
          FieldsAre("C", Day(2024, 3, 1), L::kChildProtection, L::kNone),
          FieldsAre("C", Day(2024, 3, 9), L::kNone, L::kChildInNeed)));
  // The gap is a setting: 8 days bridges it, 0 bridges nothing.
  EXPECT_THAT(LevelMoves(one_more, 8),
              ElementsAre(FieldsAre("C", Day(2024, 1, 2), L::kNone,
                                    L::kChildProtection),
                          FieldsAre("C", Day(2024, 3, 9), L::kChildProtection,
                                    L::kChildInNeed)));
  EXPECT_THAT(LevelMoves(exactly, 0), SizeIs(3));
}

TEST(LevelMovesTest, BridgedGapBackToTheSameLevelIsNoMove) {
  CaseTimelines t;
  // CP ends 1 Mar, a new CP starts 4 Mar: the child never left CP.
  t.cp_plans = {Ep("CP1", "D", Day(2024, 1, 2), Day(2024, 3, 1)),
                Ep("CP2", "D", Day(2024, 3, 4))};
  EXPECT_THAT(LevelMoves(t, 7),
              ElementsAre(FieldsAre("D", Day(2024, 1, 2), L::kNone,
                                    L::kChildProtection)));
}

TEST(LevelMovesTest, ChildInCareOnACpPlanIsInCare) {
  CaseTimelines t;
  // CLA 1 Feb to 10 Apr, CP plan from 10 Feb to 20 Feb and another from
  // 1 Mar: the plans change nothing while the child is in care; when the
  // CLA episode ends the child is at CP.
  t.cla_episodes = {Ep("CLA1", "D", Day(2024, 2, 1), Day(2024, 4, 10))};
  t.cp_plans = {Ep("CP1", "D", Day(2024, 2, 10), Day(2024, 2, 20)),
                Ep("CP2", "D", Day(2024, 3, 1))};
  EXPECT_THAT(
      LevelMoves(t, 7),
      ElementsAre(FieldsAre("D", Day(2024, 2, 1), L::kNone, L::kChildInCare),
                  FieldsAre("D", Day(2024, 4, 10), L::kChildInCare,
                            L::kChildProtection)));
}

TEST(LevelMovesTest, ChildrenAreSeparateAndUnnamedEpisodesLeftOut) {
  CaseTimelines t;
  // K2's EH ends 5 Mar and K1's CIN starts 6 Mar: not a gap of one child.
  t.eh_episodes = {Ep("EH1", "K2", Day(2024, 1, 1), Day(2024, 3, 5)),
                   Ep("EH2", "", Day(2024, 1, 1))};
  t.cin_plans = {Ep("CIN1", "K1", Day(2024, 3, 6))};
  EXPECT_THAT(
      LevelMoves(t, 7),
      ElementsAre(FieldsAre("K1", Day(2024, 3, 6), L::kNone, L::kChildInNeed),
                  FieldsAre("K2", Day(2024, 1, 1), L::kNone, L::kEarlyHelp),
                  FieldsAre("K2", Day(2024, 3, 5), L::kEarlyHelp, L::kNone)));
}

// ---------------------------------------------------------- ServiceFlows

// January to April 2024, gap 7 days:
//   A  CP 15 Jan - 10 Mar, CIN 10 Mar - 20 Mar, CP from 20 Mar:
//      Jan entry (NONE->CP); Mar CP->CIN down, CIN->CP up.
//   B  CP 1 Nov 2023 - 1 Mar, CIN from 8 Mar (7 days at no level):
//      Mar CP->CIN down (bridged), dated 8 Mar.
//   C  CP 1 Nov 2023 - 1 Mar, CIN from 9 Mar (8 days): Mar exit on 1 Mar
//      and entry on 9 Mar.
//   D  CLA 1 Feb - 10 Apr and CP from 10 Feb: Feb entry (NONE->CIC), at
//      CIC (not CP) at 29 Feb and 31 Mar; Apr CIC->CP down.
//   E  CP 5 Jan - 1 Apr, CIN 1 Apr - 20 Apr, EH from 20 Apr: Jan entry;
//      the CP->CIN move on 1 Apr is April's (E is still CP at 31 Mar);
//      Apr CIN->EH down.
//   Referrals: G 10 Jan closed 31 Jan RC1 (not open at 31 Jan); F 1 Feb
//   closed 15 Mar RC8 (open at 29 Feb: counts as CIN there); H 2 Mar
//   closed 30 Mar RC9.
CaseTimelines FourMonths() {
  CaseTimelines t;
  t.cp_plans = {Ep("CPA1", "A", Day(2024, 1, 15), Day(2024, 3, 10)),
                Ep("CPA2", "A", Day(2024, 3, 20)),
                Ep("CPB", "B", Day(2023, 11, 1), Day(2024, 3, 1)),
                Ep("CPC", "C", Day(2023, 11, 1), Day(2024, 3, 1)),
                Ep("CPD", "D", Day(2024, 2, 10)),
                Ep("CPE", "E", Day(2024, 1, 5), Day(2024, 4, 1))};
  t.cin_plans = {Ep("CINA", "A", Day(2024, 3, 10), Day(2024, 3, 20)),
                 Ep("CINB", "B", Day(2024, 3, 8)),
                 Ep("CINC", "C", Day(2024, 3, 9)),
                 Ep("CINE", "E", Day(2024, 4, 1), Day(2024, 4, 20))};
  t.cla_episodes = {Ep("CLAD", "D", Day(2024, 2, 1), Day(2024, 4, 10))};
  t.eh_episodes = {Ep("EHE", "E", Day(2024, 4, 20))};
  t.referrals = {Referral("RF", "F", Day(2024, 2, 1), Day(2024, 3, 15), "RC8"),
                 Referral("RG", "G", Day(2024, 1, 10), Day(2024, 1, 31), "RC1"),
                 Referral("RH", "H", Day(2024, 3, 2), Day(2024, 3, 30), "RC9")};
  return t;
}

TEST(ServiceFlowsTest, FourMonthsWorkedByHand) {
  const std::vector<ServiceFlowFigures> months =
      ServiceFlows(FourMonths(), Month(2024, 1), Month(2024, 4), 7);
  ASSERT_THAT(months, SizeIs(4));

  const ServiceFlowFigures& jan = months[0];
  EXPECT_EQ(jan.month, Month(2024, 1));
  EXPECT_EQ(jan.entries, 2);  // A, E
  EXPECT_EQ(jan.exits, 0);
  EXPECT_EQ(jan.step_downs, 0);
  EXPECT_EQ(jan.step_ups, 0);
  EXPECT_THAT(jan.moves,
              ElementsAre(FieldsAre(L::kNone, L::kChildProtection, 2)));
  EXPECT_THAT(jan.closures, ElementsAre(FieldsAre("RC1", "Adopted", 1)));
  EXPECT_EQ(jan.closures_total, 1);
  // 31 Jan: A, B, C, E on CP plans.
  EXPECT_THAT(jan.open_cases, FieldsAre(0, 0, 4, 0, 4));

  const ServiceFlowFigures& feb = months[1];
  EXPECT_EQ(feb.entries, 1);  // D
  EXPECT_THAT(feb.moves, ElementsAre(FieldsAre(L::kNone, L::kChildInCare, 1)));
  EXPECT_THAT(feb.closures, IsEmpty());
  EXPECT_EQ(feb.closures_total, 0);
  // 29 Feb: D in care, A B C E on CP plans, F's open referral as CIN.
  EXPECT_THAT(feb.open_cases, FieldsAre(0, 1, 4, 1, 6));

  const ServiceFlowFigures& mar = months[2];
  EXPECT_EQ(mar.step_downs, 2);  // A CP->CIN, B CP->CIN (bridged)
  EXPECT_EQ(mar.step_downs_cp_to_cin, 2);
  EXPECT_EQ(mar.step_downs_cin_to_early_help, 0);
  EXPECT_EQ(mar.step_ups, 1);  // A CIN->CP
  EXPECT_EQ(mar.entries, 1);   // C
  EXPECT_EQ(mar.exits, 1);     // C
  EXPECT_THAT(mar.moves,
              ElementsAre(FieldsAre(L::kNone, L::kChildInNeed, 1),
                          FieldsAre(L::kChildInNeed, L::kChildProtection, 1),
                          FieldsAre(L::kChildProtection, L::kNone, 1),
                          FieldsAre(L::kChildProtection, L::kChildInNeed, 2)));
  EXPECT_THAT(
      mar.closures,
      ElementsAre(
          FieldsAre("RC8", "Closed after assessment, no further action", 1),
          FieldsAre("RC9", "Closed after assessment, referred to early help",
                    1)));
  EXPECT_EQ(mar.closures_total, 2);
  // 31 Mar: A CP, B CIN, C CIN, D CIC, E CP (its plan ends 1 Apr).
  EXPECT_THAT(mar.open_cases, FieldsAre(0, 2, 2, 1, 5));

  const ServiceFlowFigures& apr = months[3];
  EXPECT_EQ(apr.step_downs, 3);  // E CP->CIN, E CIN->EH, D CIC->CP
  EXPECT_EQ(apr.step_downs_cp_to_cin, 1);
  EXPECT_EQ(apr.step_downs_cin_to_early_help, 1);
  EXPECT_EQ(apr.step_ups, 0);
  EXPECT_EQ(apr.entries, 0);
  EXPECT_EQ(apr.exits, 0);
  EXPECT_THAT(apr.moves,
              ElementsAre(FieldsAre(L::kChildInNeed, L::kEarlyHelp, 1),
                          FieldsAre(L::kChildProtection, L::kChildInNeed, 1),
                          FieldsAre(L::kChildInCare, L::kChildProtection, 1)));
  EXPECT_EQ(apr.closures_total, 0);
  // 30 Apr: A CP, B CIN, C CIN, D CP, E EH.
  EXPECT_THAT(apr.open_cases, FieldsAre(1, 2, 2, 0, 5));
}

TEST(ServiceFlowsTest, MovesOutsideTheRangeAreNotCounted) {
  // March alone: the same March as above; January's entries and April's
  // moves are not in it.
  const std::vector<ServiceFlowFigures> march =
      ServiceFlows(FourMonths(), Month(2024, 3), Month(2024, 3), 7);
  ASSERT_THAT(march, SizeIs(1));
  EXPECT_EQ(march[0].month, Month(2024, 3));
  EXPECT_EQ(march[0].step_downs, 2);
  EXPECT_EQ(march[0].entries, 1);
  EXPECT_EQ(march[0].exits, 1);
  EXPECT_EQ(march[0].closures_total, 2);
  EXPECT_THAT(ServiceFlows(FourMonths(), Month(2024, 4), Month(2024, 3), 7),
              IsEmpty());
}

TEST(ServiceFlowsTest, AWiderGapTurnsTheExitAndEntryIntoAStepDown) {
  // Gap 8: C's 8 days at no level are bridged: March has 3 step downs
  // CP->CIN, no exit and no entry.
  const std::vector<ServiceFlowFigures> march =
      ServiceFlows(FourMonths(), Month(2024, 3), Month(2024, 3), 8);
  ASSERT_THAT(march, SizeIs(1));
  EXPECT_EQ(march[0].step_downs, 3);
  EXPECT_EQ(march[0].step_downs_cp_to_cin, 3);
  EXPECT_EQ(march[0].entries, 0);
  EXPECT_EQ(march[0].exits, 0);
}

}  // namespace
}  // namespace sgm::kpi
