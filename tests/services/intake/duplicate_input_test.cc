#include "services/intake/duplicate_input.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/contact.h"

namespace sgm::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Optional;

absl::CivilDay Day(int m, int d) { return absl::CivilDay(2024, m, d); }

OpenWork Work(OpenWorkKind kind, std::string ref, absl::CivilDay since,
              std::optional<absl::CivilDay> until = std::nullopt) {
  OpenWork w;
  w.kind = kind;
  w.ref_id = std::move(ref);
  w.since = since;
  w.until = until;
  return w;
}

ContactFact Contact(int64_t id, std::string child, absl::CivilDay day,
                    std::string source, std::vector<std::string> concerns) {
  ContactFact f;
  f.id = id;
  f.agency = "POLICE";
  f.child_id = std::move(child);
  f.received_on = day;
  f.source_code = std::move(source);
  f.concerns = std::move(concerns);
  return f;
}

TEST(IsOpenOnTest, FromItsStartUpToTheDayBeforeItEnds) {
  const OpenWork assessment =
      Work(OpenWorkKind::kAssessment, "A1", Day(5, 1), Day(5, 20));
  EXPECT_FALSE(IsOpenOn(assessment, Day(4, 30)));
  EXPECT_TRUE(IsOpenOn(assessment, Day(5, 1)));  // the day it starts
  EXPECT_TRUE(IsOpenOn(assessment, Day(5, 19)));
  EXPECT_FALSE(IsOpenOn(assessment, Day(5, 20)));  // the day it ends
  EXPECT_FALSE(IsOpenOn(assessment, Day(5, 21)));
  const OpenWork plan = Work(OpenWorkKind::kCpPlan, "P1", Day(6, 10));
  EXPECT_FALSE(IsOpenOn(plan, Day(6, 9)));
  EXPECT_TRUE(IsOpenOn(plan, Day(6, 10)));
  EXPECT_TRUE(IsOpenOn(plan, absl::CivilDay(2030, 1, 1)));  // still open
}

TEST(OpenWorkKindTest, CodesAndLabels) {
  ASSERT_EQ(AllOpenWorkKinds().size(), 6u);
  EXPECT_EQ(OpenWorkKindCode(OpenWorkKind::kAssessment), "ASSESSMENT");
  EXPECT_EQ(OpenWorkKindCode(OpenWorkKind::kS47), "S47");
  EXPECT_EQ(OpenWorkKindCode(OpenWorkKind::kCinPlan), "CIN_PLAN");
  EXPECT_EQ(OpenWorkKindCode(OpenWorkKind::kCpPlan), "CP_PLAN");
  EXPECT_EQ(OpenWorkKindCode(OpenWorkKind::kClaEpisode), "CLA_EPISODE");
  EXPECT_EQ(OpenWorkKindCode(OpenWorkKind::kEarlyHelp), "EARLY_HELP");
  for (const OpenWorkKind kind : AllOpenWorkKinds()) {
    EXPECT_FALSE(OpenWorkKindLabel(kind).empty());
  }
}

// Children and their work in the KPI service:
//   A: assessment A-ASM 1 May .. 20 May 2024
//   B: CP plan B-CPP from 10 Jun 2024 (open)
//   C: assessment C-ASM from 1 Apr (open) and CIN plan C-CIN 1 Mar .. 1 Jul
//   D: early help D-EH 1 Jan .. 30 Apr (ended before the range)
//   E: nothing
ChildrenOpenWork Children() {
  ChildrenOpenWork work;
  work["A"] = {Work(OpenWorkKind::kAssessment, "A-ASM", Day(5, 1), Day(5, 20))};
  work["B"] = {Work(OpenWorkKind::kCpPlan, "B-CPP", Day(6, 10))};
  work["C"] = {Work(OpenWorkKind::kCinPlan, "C-CIN", Day(3, 1), Day(7, 1)),
               Work(OpenWorkKind::kAssessment, "C-ASM", Day(4, 1))};
  work["D"] = {Work(OpenWorkKind::kEarlyHelp, "D-EH", Day(1, 1), Day(4, 30))};
  return work;
}

// In no particular order. Duplicates marked *.
std::vector<ContactFact> Contacts() {
  return {
      // May 2024.
      Contact(5, "C", Day(5, 31), "6", {"DOMESTIC_ABUSE"}),  // * ASM + CIN
      Contact(1, "A", Day(5, 20), "6", {"DOMESTIC_ABUSE"}),  // the day A ends
      Contact(2, "A", Day(5, 19), "6", {"DOMESTIC_ABUSE", "PHYSICAL"}),  // *
      Contact(7, "", Day(5, 19), "6", {"DOMESTIC_ABUSE"}),  // no child
      Contact(9, "D", Day(5, 2), "6", {}),  // D's early help has ended
      // June 2024.
      Contact(3, "B", Day(6, 10), "2A", {"NEGLECT"}),   // * the day B starts
      Contact(4, "B", Day(6, 9), "2A", {"NEGLECT"}),    // the day before
      Contact(6, "C", Day(6, 1), "3A", {"EMOTIONAL"}),  // * ASM + CIN
      Contact(8, "", Day(6, 15), "2A", {"NEGLECT"}),    // no child
      Contact(10, "E", Day(6, 30), "6", {"PHYSICAL"}),
      Contact(13, "E", Day(6, 20), "3A", {"CCE"}),
      // Outside May-June.
      Contact(11, "C", Day(4, 30), "6", {"DOMESTIC_ABUSE"}),  // would be *
      Contact(12, "C", Day(7, 1), "6", {"DOMESTIC_ABUSE"}),   // would be *
  };
}

const DuplicateBreakdownFigure& Row(
    const std::vector<DuplicateBreakdownFigure>& rows, absl::string_view code) {
  for (const DuplicateBreakdownFigure& row : rows) {
    if (row.code == code) return row;
  }
  ADD_FAILURE() << "no row " << code;
  static const DuplicateBreakdownFigure kNone;
  return kNone;
}

TEST(DuplicateInputTest, TotalsAndMonthsFromHandWorkedContacts) {
  const DuplicateInputFigures f =
      ComputeDuplicateInput(Contacts(), Children(), absl::CivilMonth(2024, 5),
                            absl::CivilMonth(2024, 6));
  EXPECT_EQ(f.from, absl::CivilMonth(2024, 5));
  EXPECT_EQ(f.to, absl::CivilMonth(2024, 6));
  // May: 1, 2, 5, 9 have a child (7 does not); 2 and 5 met open work.
  // June: 3, 4, 6, 10, 13 (not 8); 3 and 6 met open work.
  EXPECT_EQ(f.total.month, std::nullopt);
  EXPECT_EQ(f.total.contacts_with_child, 9);
  EXPECT_EQ(f.total.duplicates, 4);
  EXPECT_THAT(f.total.percent, Optional(44.4));  // 4 / 9
  ASSERT_EQ(f.trend.size(), 2u);
  EXPECT_EQ(f.trend[0].month, absl::CivilMonth(2024, 5));
  EXPECT_EQ(f.trend[0].contacts_with_child, 4);
  EXPECT_EQ(f.trend[0].duplicates, 2);
  EXPECT_THAT(f.trend[0].percent, Optional(50.0));
  EXPECT_EQ(f.trend[1].month, absl::CivilMonth(2024, 6));
  EXPECT_EQ(f.trend[1].contacts_with_child, 5);
  EXPECT_EQ(f.trend[1].duplicates, 2);
  EXPECT_THAT(f.trend[1].percent, Optional(40.0));
}

TEST(DuplicateInputTest, ByConcernCountsEachConcernOfAContact) {
  const DuplicateInputFigures f =
      ComputeDuplicateInput(Contacts(), Children(), absl::CivilMonth(2024, 5),
                            absl::CivilMonth(2024, 6));
  // Every concern, in the census list's order.
  ASSERT_EQ(f.by_concern.size(), 10u);
  EXPECT_EQ(f.by_concern[0].code, "DOMESTIC_ABUSE");
  EXPECT_EQ(f.by_concern[0].label, "Domestic abuse");
  // DOMESTIC_ABUSE: 1, 2*, 5* (7 has no child; 11, 12 are outside).
  EXPECT_EQ(Row(f.by_concern, "DOMESTIC_ABUSE").contacts_with_child, 3);
  EXPECT_EQ(Row(f.by_concern, "DOMESTIC_ABUSE").duplicates, 2);
  EXPECT_THAT(Row(f.by_concern, "DOMESTIC_ABUSE").percent, Optional(66.7));
  // PHYSICAL: 2*, 10.
  EXPECT_EQ(Row(f.by_concern, "PHYSICAL").contacts_with_child, 2);
  EXPECT_EQ(Row(f.by_concern, "PHYSICAL").duplicates, 1);
  EXPECT_THAT(Row(f.by_concern, "PHYSICAL").percent, Optional(50.0));
  // NEGLECT: 3*, 4.
  EXPECT_EQ(Row(f.by_concern, "NEGLECT").contacts_with_child, 2);
  EXPECT_EQ(Row(f.by_concern, "NEGLECT").duplicates, 1);
  // EMOTIONAL: 6*.
  EXPECT_THAT(Row(f.by_concern, "EMOTIONAL").percent, Optional(100.0));
  // CCE: 13.
  EXPECT_EQ(Row(f.by_concern, "CCE").contacts_with_child, 1);
  EXPECT_THAT(Row(f.by_concern, "CCE").percent, Optional(0.0));
  EXPECT_EQ(Row(f.by_concern, "SEXUAL").contacts_with_child, 0);
  EXPECT_EQ(Row(f.by_concern, "SEXUAL").percent, std::nullopt);
}

TEST(DuplicateInputTest, BySource) {
  const DuplicateInputFigures f =
      ComputeDuplicateInput(Contacts(), Children(), absl::CivilMonth(2024, 5),
                            absl::CivilMonth(2024, 6));
  ASSERT_EQ(f.by_source.size(), 22u);  // every census source code
  EXPECT_EQ(f.by_source[0].code, "1A");
  // "6": 1, 2*, 5*, 9, 10.
  EXPECT_EQ(Row(f.by_source, "6").contacts_with_child, 5);
  EXPECT_EQ(Row(f.by_source, "6").duplicates, 2);
  EXPECT_THAT(Row(f.by_source, "6").percent, Optional(40.0));
  EXPECT_EQ(Row(f.by_source, "6").label, "Police");
  // "2A": 3*, 4 (8 has no child).
  EXPECT_EQ(Row(f.by_source, "2A").contacts_with_child, 2);
  EXPECT_EQ(Row(f.by_source, "2A").duplicates, 1);
  // "3A": 6*, 13.
  EXPECT_EQ(Row(f.by_source, "3A").contacts_with_child, 2);
  EXPECT_EQ(Row(f.by_source, "3A").duplicates, 1);
  EXPECT_EQ(Row(f.by_source, "1A").contacts_with_child, 0);
  EXPECT_EQ(Row(f.by_source, "1A").percent, std::nullopt);
}

TEST(DuplicateInputTest, AChildWithTwoPiecesOfWorkIsOneDuplicateUnderBoth) {
  const DuplicateInputFigures f =
      ComputeDuplicateInput(Contacts(), Children(), absl::CivilMonth(2024, 5),
                            absl::CivilMonth(2024, 6));
  EXPECT_THAT(
      f.by_open_work,
      ElementsAre(Field(&DuplicateBreakdownFigure::code, "ASSESSMENT"),
                  Field(&DuplicateBreakdownFigure::code, "S47"),
                  Field(&DuplicateBreakdownFigure::code, "CIN_PLAN"),
                  Field(&DuplicateBreakdownFigure::code, "CP_PLAN"),
                  Field(&DuplicateBreakdownFigure::code, "CLA_EPISODE"),
                  Field(&DuplicateBreakdownFigure::code, "EARLY_HELP")));
  // 5 and 6 (child C) met an assessment and a CIN plan: 4 duplicates in
  // all, 6 under the kinds.
  for (const DuplicateBreakdownFigure& row : f.by_open_work) {
    EXPECT_EQ(row.contacts_with_child, 9) << row.code;
  }
  EXPECT_EQ(Row(f.by_open_work, "ASSESSMENT").duplicates, 3);  // 2, 5, 6
  EXPECT_THAT(Row(f.by_open_work, "ASSESSMENT").percent, Optional(33.3));
  EXPECT_EQ(Row(f.by_open_work, "CIN_PLAN").duplicates, 2);  // 5, 6
  EXPECT_THAT(Row(f.by_open_work, "CIN_PLAN").percent, Optional(22.2));
  EXPECT_EQ(Row(f.by_open_work, "CP_PLAN").duplicates, 1);  // 3
  EXPECT_THAT(Row(f.by_open_work, "CP_PLAN").percent, Optional(11.1));
  EXPECT_EQ(Row(f.by_open_work, "S47").duplicates, 0);
  EXPECT_THAT(Row(f.by_open_work, "S47").percent, Optional(0.0));
  EXPECT_EQ(Row(f.by_open_work, "EARLY_HELP").duplicates, 0);  // D's ended
  EXPECT_EQ(f.total.duplicates, 4);
}

TEST(DuplicateInputTest, OneMonthLeavesTheNeighboursOut) {
  // June only: 31 May (5) and 1 Jul (12) fall outside.
  const DuplicateInputFigures f =
      ComputeDuplicateInput(Contacts(), Children(), absl::CivilMonth(2024, 6),
                            absl::CivilMonth(2024, 6));
  ASSERT_EQ(f.trend.size(), 1u);
  EXPECT_EQ(f.total.contacts_with_child, 5);
  EXPECT_EQ(f.total.duplicates, 2);
  EXPECT_EQ(Row(f.by_open_work, "ASSESSMENT").duplicates, 1);  // 6
  EXPECT_EQ(Row(f.by_open_work, "ASSESSMENT").contacts_with_child, 5);
  // July alone: 12 met C's assessment only (the CIN plan ended that day).
  const DuplicateInputFigures july =
      ComputeDuplicateInput(Contacts(), Children(), absl::CivilMonth(2024, 7),
                            absl::CivilMonth(2024, 7));
  EXPECT_EQ(july.total.contacts_with_child, 1);
  EXPECT_EQ(july.total.duplicates, 1);
  EXPECT_EQ(Row(july.by_open_work, "ASSESSMENT").duplicates, 1);
  EXPECT_EQ(Row(july.by_open_work, "CIN_PLAN").duplicates, 0);
}

TEST(DuplicateInputTest, NoContactsWithAChildHaveNoPercents) {
  const std::vector<ContactFact> facts = {
      Contact(1, "", Day(6, 3), "6", {"DOMESTIC_ABUSE"})};
  const DuplicateInputFigures f = ComputeDuplicateInput(
      facts, Children(), absl::CivilMonth(2024, 4), absl::CivilMonth(2024, 6));
  ASSERT_EQ(f.trend.size(), 3u);
  EXPECT_EQ(f.trend[0].month, absl::CivilMonth(2024, 4));
  EXPECT_EQ(f.total.contacts_with_child, 0);
  EXPECT_EQ(f.total.percent, std::nullopt);
  for (const DuplicatePoint& p : f.trend) {
    EXPECT_EQ(p.contacts_with_child, 0);
    EXPECT_EQ(p.percent, std::nullopt);
  }
  for (const DuplicateBreakdownFigure& row : f.by_open_work) {
    EXPECT_EQ(row.percent, std::nullopt) << row.code;
  }
}

TEST(DuplicateInputTest, DuplicateContactsWithTheWorkTheyMet) {
  const std::vector<DuplicateContactFact> found =
      FindDuplicateContacts(Contacts(), Children());
  // By id: 2, 3, 5, 6, 11 and 12 (any date: the caller picks the facts).
  ASSERT_THAT(found, ElementsAre(Field(&DuplicateContactFact::id, 2),
                                 Field(&DuplicateContactFact::id, 3),
                                 Field(&DuplicateContactFact::id, 5),
                                 Field(&DuplicateContactFact::id, 6),
                                 Field(&DuplicateContactFact::id, 11),
                                 Field(&DuplicateContactFact::id, 12)));
  EXPECT_EQ(found[0].child_id, "A");
  EXPECT_EQ(found[0].agency, "POLICE");
  EXPECT_EQ(found[0].received_on, Day(5, 19));
  EXPECT_EQ(found[0].source_code, "6");
  EXPECT_THAT(found[0].concerns, ElementsAre("DOMESTIC_ABUSE", "PHYSICAL"));
  EXPECT_THAT(found[0].open_work,
              ElementsAre(Work(OpenWorkKind::kAssessment, "A-ASM", Day(5, 1),
                               Day(5, 20))));
  EXPECT_THAT(found[1].open_work,
              ElementsAre(Work(OpenWorkKind::kCpPlan, "B-CPP", Day(6, 10))));
  // Both of C's pieces on 31 May; only the assessment on 1 Jul.
  EXPECT_THAT(found[2].open_work,
              ElementsAre(Field(&OpenWork::ref_id, "C-CIN"),
                          Field(&OpenWork::ref_id, "C-ASM")));
  EXPECT_THAT(found[5].open_work,
              ElementsAre(Field(&OpenWork::ref_id, "C-ASM")));
}

TEST(DuplicateInputTest, ChildIdsOnceEachWithoutBlanks) {
  EXPECT_THAT(ChildIdsOf(Contacts()), ElementsAre("A", "B", "C", "D", "E"));
  EXPECT_TRUE(ChildIdsOf({}).empty());
}

}  // namespace
}  // namespace sgm::intake
