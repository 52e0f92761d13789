#include "services/qa/qa_figures.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {
namespace {

using Day = absl::CivilDay;
using Month = absl::CivilMonth;

// An audit of child C-<id>; case file, no team, no theme unless told.
Audit MakeAudit(std::string id, Day date, Grade grade,
                AuditType type = AuditType::kCaseFile, std::string team = "",
                std::string theme_id = "") {
  Audit a;
  a.child_id = "C-" + id;
  a.audit_id = std::move(id);
  a.type = type;
  a.team = std::move(team);
  a.theme_id = std::move(theme_id);
  a.auditor = "AUD1";
  a.audit_date = date;
  a.grade = grade;
  return a;
}

Audit Moderated(Audit a, Grade moderated) {
  a.moderated_grade = moderated;
  a.moderator = "MOD1";
  return a;
}

Audit Reaudit(Audit a, std::string original) {
  a.reaudit_of = std::move(original);
  return a;
}

Audit WithDomains(Audit a, std::vector<DomainGrade> domains) {
  a.domains = std::move(domains);
  return a;
}

Feedback MakeFeedback(std::string id, FeedbackSource source, Day received_on,
                      int rating, std::string team = "") {
  Feedback f;
  f.feedback_id = std::move(id);
  f.source = source;
  f.team = std::move(team);
  f.received_on = received_on;
  f.rating = rating;
  return f;
}

Action MakeAction(std::string id, Day due,
                  std::optional<Day> completed = std::nullopt,
                  std::optional<Day> raised_on = std::nullopt) {
  Action a;
  a.action_id = std::move(id);
  a.origin_ref = "BOARD-2024-01";
  a.owner = "Head of Service";
  a.due_date = due;
  a.completed_date = completed;
  a.raised_on = raised_on;
  return a;
}

Theme MakeTheme(std::string id, Day start, Day end) {
  Theme t;
  t.theme_id = std::move(id);
  t.name = "Theme " + t.theme_id;
  t.start_date = start;
  t.end_date = end;
  return t;
}

QaPeriod Period(Day from, Day to, std::string team = "",
                std::string theme_id = "") {
  QaPeriod p;
  p.from = from;
  p.to = to;
  p.team = std::move(team);
  p.theme_id = std::move(theme_id);
  return p;
}

QaPeriod March2024(std::string team = "", std::string theme_id = "") {
  return Period(Day(2024, 3, 1), Day(2024, 3, 31), std::move(team),
                std::move(theme_id));
}

QaFigureSet Figures(const QaData& data, const QaPeriod& period) {
  absl::StatusOr<QaFigureSet> figures = ComputeQaFigures(data, period);
  EXPECT_TRUE(figures.ok()) << figures.status();
  if (!figures.ok()) return QaFigureSet();
  return *std::move(figures);
}

std::vector<std::string> LabelsOf(const std::vector<AuditCounts>& rows) {
  std::vector<std::string> out;
  for (const AuditCounts& row : rows) out.push_back(row.label);
  return out;
}

std::vector<std::string> ThemeIdsOf(const std::vector<Theme>& themes) {
  std::vector<std::string> out;
  for (const Theme& t : themes) out.push_back(t.theme_id);
  return out;
}

TEST(QaFiguresTest, GradeDistributionAndGoodOrBetter) {
  QaData data;
  data.audits = {
      MakeAudit("A1", Day(2024, 3, 1), kOutstanding, AuditType::kObservation,
                "East"),
      MakeAudit("A2", Day(2024, 3, 12), kGood, AuditType::kCaseFile, "East"),
      MakeAudit("A3", Day(2024, 3, 20), kRequiresImprovement,
                AuditType::kCaseFile, "East"),
      MakeAudit("A4", Day(2024, 3, 31), kGood, AuditType::kCaseFile, "North"),
      MakeAudit("A5", Day(2024, 3, 15), kInadequate, AuditType::kObservation,
                ""),
      // Outside March: the day before and the day after.
      MakeAudit("B1", Day(2024, 2, 29), kGood, AuditType::kCaseFile, "East"),
      MakeAudit("B2", Day(2024, 4, 1), kRequiresImprovement,
                AuditType::kMultiAgency, "North"),
  };
  const QaFigureSet f = Figures(data, March2024());

  // A1-A5 (1 and 31 March inclusive): grades 1, 2, 3, 2, 4.
  EXPECT_EQ(f.audits.label, "Total");
  EXPECT_EQ(f.audits.audits, 5);
  EXPECT_EQ(f.audits.outstanding, 1);
  EXPECT_EQ(f.audits.good, 2);
  EXPECT_EQ(f.audits.requires_improvement, 1);
  EXPECT_EQ(f.audits.inadequate, 1);
  // (1 + 2) / 5 = 60.0%.
  EXPECT_EQ(f.audits.good_or_better_percent, 60.0);

  // Enum order (CASE_FILE before OBSERVATION) whatever the data order;
  // MULTI_AGENCY has no audit in March and no row.
  ASSERT_EQ(LabelsOf(f.by_type),
            (std::vector<std::string>{"CASE_FILE", "OBSERVATION"}));
  // CASE_FILE: A2 2, A3 3, A4 2: 2 / 3 = 66.666...% -> 66.7.
  EXPECT_EQ(f.by_type[0].audits, 3);
  EXPECT_EQ(f.by_type[0].good, 2);
  EXPECT_EQ(f.by_type[0].requires_improvement, 1);
  EXPECT_EQ(f.by_type[0].good_or_better_percent, 66.7);
  // OBSERVATION: A1 1, A5 4: 1 / 2 = 50.0%.
  EXPECT_EQ(f.by_type[1].audits, 2);
  EXPECT_EQ(f.by_type[1].outstanding, 1);
  EXPECT_EQ(f.by_type[1].inadequate, 1);
  EXPECT_EQ(f.by_type[1].good_or_better_percent, 50.0);

  // By team, "" (no team) first.
  ASSERT_EQ(LabelsOf(f.by_team),
            (std::vector<std::string>{"", "East", "North"}));
  EXPECT_EQ(f.by_team[0].audits, 1);  // A5, grade 4: 0 / 1
  EXPECT_EQ(f.by_team[0].good_or_better_percent, 0.0);
  EXPECT_EQ(f.by_team[1].audits, 3);  // A1 1, A2 2, A3 3: 2 / 3
  EXPECT_EQ(f.by_team[1].good_or_better_percent, 66.7);
  EXPECT_EQ(f.by_team[2].audits, 1);  // A4 2: 1 / 1
  EXPECT_EQ(f.by_team[2].good_or_better_percent, 100.0);

  EXPECT_TRUE(f.by_theme.empty());  // no audit has a theme
}

TEST(QaFiguresTest, ModerationChangesTheGradeTheFiguresUse) {
  QaData data;
  data.audits = {
      Moderated(MakeAudit("M1", Day(2024, 3, 4), kRequiresImprovement),
                kGood),                                           // up
      Moderated(MakeAudit("M2", Day(2024, 3, 5), kGood), kGood),  // agreed
      Moderated(MakeAudit("M3", Day(2024, 3, 6), kInadequate),
                kInadequate),                          // agreed
      MakeAudit("M4", Day(2024, 3, 7), kOutstanding),  // not moderated
      Moderated(MakeAudit("M5", Day(2024, 3, 8), kOutstanding), kGood),  // down
      // Moderated but dated in February: not in March's figures.
      Moderated(MakeAudit("M6", Day(2024, 2, 28), kGood), kInadequate),
  };
  const QaFigureSet f = Figures(data, March2024());

  // Effective grades M1..M5: 2, 2, 4, 1, 2 (the auditor's were 3, 2, 4, 1,
  // 1: 3 / 5 = 60% good or better before moderation).
  EXPECT_EQ(f.audits.audits, 5);
  EXPECT_EQ(f.audits.outstanding, 1);
  EXPECT_EQ(f.audits.good, 3);
  EXPECT_EQ(f.audits.requires_improvement, 0);  // M1's 3 moderated to 2
  EXPECT_EQ(f.audits.inadequate, 1);
  // (1 + 3) / 5 = 80.0%.
  EXPECT_EQ(f.audits.good_or_better_percent, 80.0);

  // Moderated M1, M2, M3, M5; agreed M2, M3; up M1 (3 -> 2); down M5
  // (1 -> 2). Agreement 2 / 4 = 50.0%.
  EXPECT_EQ(f.moderation.moderated, 4);
  EXPECT_EQ(f.moderation.agreed, 2);
  EXPECT_EQ(f.moderation.moderated_up, 1);
  EXPECT_EQ(f.moderation.moderated_down, 1);
  EXPECT_EQ(f.moderation.agreement_percent, 50.0);
}

TEST(QaFiguresTest, ModerationAgreementRoundsToOneDecimal) {
  QaData data;
  data.audits = {
      Moderated(MakeAudit("M1", Day(2024, 3, 4), kGood), kGood),
      Moderated(MakeAudit("M2", Day(2024, 3, 5), kGood), kGood),
      Moderated(MakeAudit("M3", Day(2024, 3, 6), kGood), kRequiresImprovement),
  };
  const QaFigureSet f = Figures(data, March2024());
  // 2 / 3 = 66.666...% -> 66.7; M3 moderated down (2 -> 3), so the
  // effective grades are 2, 2, 3: 66.7% good or better too.
  EXPECT_EQ(f.moderation.agreement_percent, 66.7);
  EXPECT_EQ(f.moderation.moderated_down, 1);
  EXPECT_EQ(f.audits.requires_improvement, 1);
  EXPECT_EQ(f.audits.good_or_better_percent, 66.7);
}

TEST(QaFiguresTest, DomainsMostOftenRequiresImprovementOrWorseFirst) {
  QaData data;
  data.audits = {
      WithDomains(MakeAudit("D1", Day(2024, 3, 1), kGood),
                  {{"VOICE_OF_THE_CHILD", 3},
                   {"PLANNING", 3},
                   {"MANAGEMENT_OVERSIGHT", 4},
                   {"CHRONOLOGY", 2},
                   {"SAFETY_PLANNING", 1}}),
      WithDomains(MakeAudit("D2", Day(2024, 3, 2), kGood),
                  {{"VOICE_OF_THE_CHILD", 4},
                   {"PLANNING", 4},
                   {"MANAGEMENT_OVERSIGHT", 2},
                   {"CHRONOLOGY", 3},
                   {"SAFETY_PLANNING", 2}}),
      // Moderation changes the overall grade, not the domain grades.
      WithDomains(
          Moderated(MakeAudit("D3", Day(2024, 3, 3), kRequiresImprovement),
                    kGood),
          {{"VOICE_OF_THE_CHILD", 2},
           {"MANAGEMENT_OVERSIGHT", 1},
           {"CHRONOLOGY", 2},
           {"ASSESSMENT", 3}}),
      WithDomains(MakeAudit("D4", Day(2024, 3, 4), kGood),
                  {{"VOICE_OF_THE_CHILD", 1}}),
      // April: left out (it would put SAFETY_PLANNING at 2 of 3).
      WithDomains(MakeAudit("D5", Day(2024, 4, 1), kGood),
                  {{"SAFETY_PLANNING", 4}, {"ASSESSMENT", 4}}),
  };
  const QaFigureSet f = Figures(data, March2024());

  // graded / RI-or-worse:
  //   VOICE_OF_THE_CHILD 4 / 2 (D1 3, D2 4)      50.0%
  //   PLANNING 2 / 2 (D1 3, D2 4)                100.0%
  //   MANAGEMENT_OVERSIGHT 3 / 1 (D1 4)          33.3%
  //   CHRONOLOGY 3 / 1 (D2 3)                    33.3%
  //   ASSESSMENT 1 / 1 (D3 3)                    100.0%
  //   SAFETY_PLANNING 2 / 0                      0.0%
  // Count 2: PLANNING (100%) before VOICE (50%); count 1: ASSESSMENT
  // (100%), then CHRONOLOGY and MANAGEMENT_OVERSIGHT (both 1 of 3) by
  // code; count 0: SAFETY_PLANNING.
  ASSERT_EQ(f.domains.size(), 6u);
  const std::vector<std::string> order = {
      "PLANNING",   "VOICE_OF_THE_CHILD",   "ASSESSMENT",
      "CHRONOLOGY", "MANAGEMENT_OVERSIGHT", "SAFETY_PLANNING"};
  const std::vector<int64_t> graded = {2, 4, 1, 3, 3, 2};
  const std::vector<int64_t> ri = {2, 2, 1, 1, 1, 0};
  const std::vector<double> percent = {100.0, 50.0, 100.0, 33.3, 33.3, 0.0};
  for (size_t i = 0; i < order.size(); ++i) {
    SCOPED_TRACE(order[i]);
    EXPECT_EQ(f.domains[i].domain, order[i]);
    EXPECT_EQ(f.domains[i].graded, graded[i]);
    EXPECT_EQ(f.domains[i].requires_improvement_or_worse, ri[i]);
    EXPECT_EQ(f.domains[i].requires_improvement_or_worse_percent, percent[i]);
  }
}

TEST(QaFiguresTest, FeedbackBySourceWithMeans) {
  QaData data;
  data.feedback = {
      MakeFeedback("F1", FeedbackSource::kPartnerAgency, Day(2024, 3, 2), 3),
      MakeFeedback("F2", FeedbackSource::kFamily, Day(2024, 3, 1), 5),
      MakeFeedback("F3", FeedbackSource::kFamily, Day(2024, 3, 10), 4),
      MakeFeedback("F4", FeedbackSource::kFamily, Day(2024, 3, 31), 2),
      MakeFeedback("F5", FeedbackSource::kYoungPerson, Day(2024, 3, 12), 4),
      MakeFeedback("F6", FeedbackSource::kPartnerAgency, Day(2024, 3, 20), 1),
      // April and February: left out, so STAFF has no row.
      MakeFeedback("F7", FeedbackSource::kStaff, Day(2024, 4, 1), 5),
      MakeFeedback("F8", FeedbackSource::kFamily, Day(2024, 2, 29), 1),
  };
  const QaFigureSet f = Figures(data, March2024());

  ASSERT_EQ(f.feedback.size(), 4u);
  // FAMILY: 5, 4, 2: 11 / 3 = 3.666... -> 3.67; positive 5, 4; negative 2.
  EXPECT_EQ(f.feedback[0].source, FeedbackSource::kFamily);
  EXPECT_EQ(f.feedback[0].received, 3);
  EXPECT_EQ(f.feedback[0].mean_rating, 3.67);
  EXPECT_EQ(f.feedback[0].positive, 2);
  EXPECT_EQ(f.feedback[0].negative, 1);
  // YOUNG_PERSON: 4.
  EXPECT_EQ(f.feedback[1].source, FeedbackSource::kYoungPerson);
  EXPECT_EQ(f.feedback[1].received, 1);
  EXPECT_EQ(f.feedback[1].mean_rating, 4.0);
  EXPECT_EQ(f.feedback[1].positive, 1);
  EXPECT_EQ(f.feedback[1].negative, 0);
  // PARTNER_AGENCY: 3, 1: 4 / 2 = 2.00; 3 is neither positive nor negative.
  EXPECT_EQ(f.feedback[2].source, FeedbackSource::kPartnerAgency);
  EXPECT_EQ(f.feedback[2].received, 2);
  EXPECT_EQ(f.feedback[2].mean_rating, 2.0);
  EXPECT_EQ(f.feedback[2].positive, 0);
  EXPECT_EQ(f.feedback[2].negative, 1);
  // Total: 5, 4, 2, 4, 3, 1: 19 / 6 = 3.1666... -> 3.17.
  EXPECT_EQ(f.feedback[3].source, std::nullopt);
  EXPECT_EQ(f.feedback[3].received, 6);
  EXPECT_EQ(f.feedback[3].mean_rating, 3.17);
  EXPECT_EQ(f.feedback[3].positive, 3);
  EXPECT_EQ(f.feedback[3].negative, 2);
}

TEST(QaFiguresTest, MeanRatingRoundsHalfAwayFromZero) {
  QaData data;
  const std::vector<int> ratings = {4, 4, 4, 4, 3, 2, 2, 2};
  for (size_t i = 0; i < ratings.size(); ++i) {
    data.feedback.push_back(MakeFeedback("F" + std::to_string(i),
                                         FeedbackSource::kStaff,
                                         Day(2024, 3, 5), ratings[i]));
  }
  const QaFigureSet f = Figures(data, March2024());
  // 25 / 8 = 3.125 exactly -> 3.13 (not 3.12).
  ASSERT_EQ(f.feedback.size(), 2u);
  EXPECT_EQ(f.feedback[0].source, FeedbackSource::kStaff);
  EXPECT_EQ(f.feedback[0].mean_rating, 3.13);
  EXPECT_EQ(f.feedback[1].mean_rating, 3.13);
}

TEST(QaFiguresTest, ActionCompletedOnItsDueDateIsOnTimeADayLateIsNot) {
  QaData data;
  data.actions = {
      MakeAction("A1", Day(2024, 3, 10), Day(2024, 3, 10)),  // on time
      MakeAction("A2", Day(2024, 3, 10), Day(2024, 3, 11)),  // a day late
      // Completed in February: not completed within March.
      MakeAction("A3", Day(2024, 2, 20), Day(2024, 2, 25)),
  };
  const QaFigureSet f = Figures(data, March2024());
  // Completed in March: A1, A2; on time A1: 1 / 2 = 50.0%.
  EXPECT_EQ(f.actions.completed, 2);
  EXPECT_EQ(f.actions.completed_on_time, 1);
  EXPECT_EQ(f.actions.on_time_percent, 50.0);
  // Due in March: A1, A2 (A3 was due in February).
  EXPECT_EQ(f.actions.due, 2);
  EXPECT_EQ(f.actions.open, 0);
  EXPECT_EQ(f.actions.overdue, 0);
}

TEST(QaFiguresTest, OpenAndOverdueActionsAtThePeriodEnd) {
  QaData data;
  data.actions = {
      // Open on 31 Mar, due before it: overdue.
      MakeAction("B1", Day(2024, 3, 15), std::nullopt, Day(2024, 2, 1)),
      // Open, due on 31 Mar itself: not overdue.
      MakeAction("B2", Day(2024, 3, 31), std::nullopt, Day(2024, 3, 5)),
      // Raised after the period end: not open on 31 Mar.
      MakeAction("B3", Day(2024, 4, 30), std::nullopt, Day(2024, 4, 2)),
      // Completed on the last day (late: due 20 Mar): not open.
      MakeAction("B4", Day(2024, 3, 20), Day(2024, 3, 31), Day(2024, 3, 1)),
      // No raised_on (counted from the start), due in January: overdue.
      MakeAction("B5", Day(2024, 1, 31)),
      // Completed after the period end: open on 31 Mar, not yet due.
      MakeAction("B6", Day(2024, 4, 15), Day(2024, 4, 1), Day(2024, 1, 1)),
  };
  const QaFigureSet f = Figures(data, March2024());
  // Open: B1, B2, B5, B6; overdue: B1 (15 Mar), B5 (31 Jan).
  EXPECT_EQ(f.actions.open, 4);
  EXPECT_EQ(f.actions.overdue, 2);
  // Completed in March: B4, late (31 Mar > 20 Mar): 0 / 1 = 0.0%.
  EXPECT_EQ(f.actions.completed, 1);
  EXPECT_EQ(f.actions.completed_on_time, 0);
  EXPECT_EQ(f.actions.on_time_percent, 0.0);
  // Due in March: B1 (15), B2 (31), B4 (20).
  EXPECT_EQ(f.actions.due, 3);
}

TEST(QaFiguresTest, ThemeSpanningTheYearEnd) {
  QaData data;
  data.themes = {
      MakeTheme("EH-2024", Day(2024, 2, 1), Day(2024, 3, 31)),
      MakeTheme("CP-2023", Day(2023, 12, 1), Day(2024, 1, 31)),
      MakeTheme("CIN-2023", Day(2023, 6, 1), Day(2023, 7, 31)),
  };
  data.audits = {
      MakeAudit("X1", Day(2023, 12, 15), kGood, AuditType::kThemed, "East",
                "CP-2023"),
      MakeAudit("X2", Day(2024, 1, 20), kRequiresImprovement,
                AuditType::kThemed, "West", "CP-2023"),
      // A CP-2023 audit in February: outside the theme's dates.
      MakeAudit("X3", Day(2024, 2, 10), kGood, AuditType::kThemed, "East",
                "CP-2023"),
      // In the theme's dates but of no theme.
      MakeAudit("X4", Day(2024, 1, 5), kOutstanding),
  };

  // The theme's period and the theme filter: X1 (2) and X2 (3) across the
  // year end; X3 is in February, X4 of no theme.
  const QaFigureSet theme =
      Figures(data, Period(Day(2023, 12, 1), Day(2024, 1, 31), "", "CP-2023"));
  EXPECT_EQ(theme.audits.audits, 2);
  EXPECT_EQ(theme.audits.good, 1);
  EXPECT_EQ(theme.audits.requires_improvement, 1);
  EXPECT_EQ(theme.audits.good_or_better_percent, 50.0);  // 1 / 2
  ASSERT_EQ(LabelsOf(theme.by_theme), (std::vector<std::string>{"CP-2023"}));
  EXPECT_EQ(theme.by_theme[0].audits, 2);
  ASSERT_EQ(LabelsOf(theme.by_type), (std::vector<std::string>{"THEMED"}));
  EXPECT_EQ(LabelsOf(theme.by_team),
            (std::vector<std::string>{"East", "West"}));
  // Only CP-2023 overlaps Dec-Jan (EH-2024 starts 1 Feb).
  EXPECT_EQ(ThemeIdsOf(theme.themes), (std::vector<std::string>{"CP-2023"}));

  // January 2024, no filter: the theme is listed; X2 and X4 are January's
  // audits, only X2 themed.
  const QaFigureSet january =
      Figures(data, Period(Day(2024, 1, 1), Day(2024, 1, 31)));
  EXPECT_EQ(ThemeIdsOf(january.themes), (std::vector<std::string>{"CP-2023"}));
  EXPECT_EQ(january.audits.audits, 2);
  ASSERT_EQ(LabelsOf(january.by_theme), (std::vector<std::string>{"CP-2023"}));
  EXPECT_EQ(january.by_theme[0].audits, 1);
  EXPECT_EQ(january.by_theme[0].good_or_better_percent, 0.0);  // X2: 3

  // February with the theme filter: X3 only.
  const QaFigureSet february =
      Figures(data, Period(Day(2024, 2, 1), Day(2024, 2, 29), "", "CP-2023"));
  EXPECT_EQ(february.audits.audits, 1);
  EXPECT_EQ(ThemeIdsOf(february.themes), (std::vector<std::string>{"EH-2024"}));
}

TEST(QaFiguresTest, ThemesOverlappingByStartThenId) {
  QaData data;
  data.themes = {
      MakeTheme("EH-2024", Day(2024, 2, 1), Day(2024, 3, 31)),
      MakeTheme("CP-2023", Day(2023, 12, 1), Day(2024, 1, 31)),
      MakeTheme("B-2023", Day(2023, 12, 1), Day(2023, 12, 31)),
      MakeTheme("CIN-2023", Day(2023, 6, 1), Day(2023, 7, 31)),
      // Ends the day before the period: left out.
      MakeTheme("OLD", Day(2023, 5, 1), Day(2023, 7, 14)),
      // Starts the day after: left out.
      MakeTheme("NEW", Day(2024, 2, 16), Day(2024, 3, 31)),
  };
  const QaFigureSet f =
      Figures(data, Period(Day(2023, 7, 15), Day(2024, 2, 15)));
  // By start date; B-2023 and CP-2023 both start 1 Dec: by theme_id.
  EXPECT_EQ(
      ThemeIdsOf(f.themes),
      (std::vector<std::string>{"CIN-2023", "B-2023", "CP-2023", "EH-2024"}));
}

TEST(QaFiguresTest, ReauditImprovementAgainstTheOriginal) {
  QaData data;
  data.audits = {
      // Originals, any date (O1, O2, O4 before the period).
      MakeAudit("O1", Day(2023, 11, 1), kInadequate),
      Moderated(MakeAudit("O2", Day(2024, 1, 10), kRequiresImprovement),
                kGood),  // effective 2
      MakeAudit("O3", Day(2024, 3, 2), kGood),
      MakeAudit("O4", Day(2023, 10, 1), kRequiresImprovement),
      // Re-audits in March.
      Reaudit(MakeAudit("R1", Day(2024, 3, 10), kRequiresImprovement), "O1"),
      Reaudit(MakeAudit("R2", Day(2024, 3, 11), kGood), "O2"),
      Reaudit(MakeAudit("R3", Day(2024, 3, 12), kRequiresImprovement), "O3"),
      Reaudit(MakeAudit("R4", Day(2024, 3, 13), kOutstanding), "MISSING"),
      Reaudit(Moderated(MakeAudit("R5", Day(2024, 3, 14), kRequiresImprovement),
                        kGood),
              "O4"),
      // April: not in March's figures.
      Reaudit(MakeAudit("R6", Day(2024, 4, 2), kOutstanding), "O1"),
  };
  const QaFigureSet f = Figures(data, March2024());
  // R1 3 vs O1 4: improved. R2 2 vs O2's moderated 2: unchanged (3 by the
  // auditor's grade would have made it improved). R3 3 vs O3 2: worsened.
  // R4: original missing. R5 moderated 2 vs O4 3: improved.
  EXPECT_EQ(f.reaudits.reaudits, 4);
  EXPECT_EQ(f.reaudits.improved, 2);
  EXPECT_EQ(f.reaudits.unchanged, 1);
  EXPECT_EQ(f.reaudits.worsened, 1);
  EXPECT_EQ(f.reaudits.original_missing, 1);
  // 2 / 4 = 50.0% (R4 left out).
  EXPECT_EQ(f.reaudits.improved_percent, 50.0);
}

TEST(QaFiguresTest, TeamAndThemeFilters) {
  QaData data;
  data.audits = {
      MakeAudit("N1", Day(2024, 3, 1), kGood, AuditType::kThemed, "North",
                "T1"),
      MakeAudit("N2", Day(2023, 12, 1), kInadequate, AuditType::kCaseFile,
                "North"),
      MakeAudit("N3", Day(2024, 3, 2), kInadequate, AuditType::kCaseFile,
                "North"),
      MakeAudit("S1", Day(2024, 3, 3), kOutstanding, AuditType::kThemed,
                "South", "T1"),
      // A South re-audit of a North audit from December.
      Reaudit(MakeAudit("S2", Day(2024, 3, 4), kRequiresImprovement,
                        AuditType::kCaseFile, "South"),
              "N2"),
  };
  data.feedback = {
      MakeFeedback("F1", FeedbackSource::kFamily, Day(2024, 3, 5), 5, "North"),
      MakeFeedback("F2", FeedbackSource::kFamily, Day(2024, 3, 6), 1, "South"),
      MakeFeedback("F3", FeedbackSource::kStaff, Day(2024, 3, 7), 3, ""),
  };
  data.actions = {
      MakeAction("A1", Day(2024, 3, 10)),
      MakeAction("A2", Day(2024, 4, 10)),
  };

  // Team North: N1 (2) and N3 (4) in March: 1 / 2 = 50.0%; feedback F1
  // only; actions have no team: A1, A2 open, A1 overdue.
  const QaFigureSet north = Figures(data, March2024("North"));
  EXPECT_EQ(north.period.team, "North");
  EXPECT_EQ(north.audits.audits, 2);
  EXPECT_EQ(north.audits.good_or_better_percent, 50.0);
  EXPECT_EQ(LabelsOf(north.by_team), (std::vector<std::string>{"North"}));
  ASSERT_EQ(north.feedback.size(), 2u);
  EXPECT_EQ(north.feedback.back().received, 1);
  EXPECT_EQ(north.feedback.back().mean_rating, 5.0);
  EXPECT_EQ(north.actions.open, 2);
  EXPECT_EQ(north.actions.overdue, 1);
  EXPECT_EQ(north.reaudits.reaudits, 0);

  // Team South: S1 (1), S2 (3): 1 / 2; S2's original N2 is found although
  // it is North's and dated in December: 3 vs 4, improved, 1 / 1 = 100.0%.
  const QaFigureSet south = Figures(data, March2024("South"));
  EXPECT_EQ(south.audits.audits, 2);
  EXPECT_EQ(south.reaudits.reaudits, 1);
  EXPECT_EQ(south.reaudits.improved, 1);
  EXPECT_EQ(south.reaudits.original_missing, 0);
  EXPECT_EQ(south.reaudits.improved_percent, 100.0);
  EXPECT_EQ(south.feedback.back().mean_rating, 1.0);

  // Theme T1: N1 (2), S1 (1): 2 / 2 = 100.0%; both teams; feedback is not
  // filtered by theme: 5, 1, 3 = 9 / 3 = 3.00; S2 is not of T1.
  const QaFigureSet t1 = Figures(data, March2024("", "T1"));
  EXPECT_EQ(t1.period.theme_id, "T1");
  EXPECT_EQ(t1.audits.audits, 2);
  EXPECT_EQ(t1.audits.good_or_better_percent, 100.0);
  EXPECT_EQ(LabelsOf(t1.by_team), (std::vector<std::string>{"North", "South"}));
  EXPECT_EQ(t1.feedback.back().received, 3);
  EXPECT_EQ(t1.feedback.back().mean_rating, 3.0);
  EXPECT_EQ(t1.reaudits.reaudits, 0);
  EXPECT_EQ(t1.reaudits.improved_percent, std::nullopt);
  EXPECT_EQ(t1.actions.open, 2);

  // Both filters: North and T1: N1 only.
  const QaFigureSet both = Figures(data, March2024("North", "T1"));
  EXPECT_EQ(both.audits.audits, 1);
  EXPECT_EQ(both.audits.good, 1);
}

TEST(QaFiguresTest, EmptyDataHasNoPercentages) {
  const QaFigureSet f = Figures(QaData(), March2024());
  EXPECT_EQ(f.audits.label, "Total");
  EXPECT_EQ(f.audits.audits, 0);
  EXPECT_EQ(f.audits.good_or_better_percent, std::nullopt);
  EXPECT_TRUE(f.by_type.empty());
  EXPECT_TRUE(f.by_team.empty());
  EXPECT_TRUE(f.by_theme.empty());
  EXPECT_EQ(f.moderation.moderated, 0);
  EXPECT_EQ(f.moderation.agreement_percent, std::nullopt);
  EXPECT_TRUE(f.domains.empty());
  // The total row is always there.
  ASSERT_EQ(f.feedback.size(), 1u);
  EXPECT_EQ(f.feedback[0].source, std::nullopt);
  EXPECT_EQ(f.feedback[0].received, 0);
  EXPECT_EQ(f.feedback[0].mean_rating, std::nullopt);
  EXPECT_EQ(f.actions.open, 0);
  EXPECT_EQ(f.actions.completed, 0);
  EXPECT_EQ(f.actions.on_time_percent, std::nullopt);
  EXPECT_EQ(f.reaudits.reaudits, 0);
  EXPECT_EQ(f.reaudits.improved_percent, std::nullopt);
  EXPECT_TRUE(f.themes.empty());
}

TEST(QaFiguresTest, ToBeforeFromIsInvalid) {
  absl::StatusOr<QaFigureSet> figures =
      ComputeQaFigures(QaData(), Period(Day(2024, 3, 2), Day(2024, 3, 1)));
  EXPECT_EQ(figures.status().code(), absl::StatusCode::kInvalidArgument);

  // A single day is a period.
  QaData data;
  data.audits = {MakeAudit("A1", Day(2024, 3, 1), kGood),
                 MakeAudit("A2", Day(2024, 3, 2), kGood)};
  const QaFigureSet f = Figures(data, Period(Day(2024, 3, 1), Day(2024, 3, 1)));
  EXPECT_EQ(f.audits.audits, 1);
}

TEST(QaFiguresTest, TrendOverThreeMonths) {
  QaData data;
  data.audits = {
      // January: 2 and 3 (moderator agrees): 1 / 2 = 50.0%; agreement 1 / 1.
      MakeAudit("J1", Day(2024, 1, 31), kGood, AuditType::kCaseFile, "East"),
      Moderated(MakeAudit("J2", Day(2024, 1, 10), kRequiresImprovement,
                          AuditType::kCaseFile, "West", "T1"),
                kRequiresImprovement),
      // February: none.
      // March: 1; 2 moderated to 3; 4 moderated to 3: effective 1, 3, 3:
      // 1 / 3 = 33.3%; agreement 0 / 2 = 0.0%.
      MakeAudit("M1", Day(2024, 3, 1), kOutstanding),
      Moderated(MakeAudit("M2", Day(2024, 3, 15), kGood), kRequiresImprovement),
      Moderated(MakeAudit("M3", Day(2024, 3, 31), kInadequate),
                kRequiresImprovement),
      // December and April: outside the trend.
      MakeAudit("D1", Day(2023, 12, 31), kGood),
      MakeAudit("P1", Day(2024, 4, 1), kGood),
  };
  data.feedback = {
      // January: 4, 5: 9 / 2 = 4.50. February: 1. March: none.
      MakeFeedback("F1", FeedbackSource::kFamily, Day(2024, 1, 1), 4, "East"),
      MakeFeedback("F2", FeedbackSource::kStaff, Day(2024, 1, 31), 5),
      MakeFeedback("F3", FeedbackSource::kYoungPerson, Day(2024, 2, 29), 1),
  };
  data.actions = {
      // Open at 31 Jan (due 10 Feb: not overdue); completed on 29 Feb, the
      // last day of February: not open at its end.
      MakeAction("C1", Day(2024, 2, 10), Day(2024, 2, 29), Day(2024, 1, 5)),
      // Raised 1 Feb; due 29 Feb: open and not overdue at 29 Feb, overdue at
      // 31 Mar.
      MakeAction("C2", Day(2024, 2, 29), std::nullopt, Day(2024, 2, 1)),
      // No raised_on; due 15 Jan; completed 31 Mar: open and overdue at the
      // end of January and February, not at the end of March.
      MakeAction("C3", Day(2024, 1, 15), Day(2024, 3, 31)),
  };
  const std::vector<QaTrendPoint> points =
      ComputeQaTrend(data, Month(2024, 1), Month(2024, 3));
  ASSERT_EQ(points.size(), 3u);

  EXPECT_EQ(points[0].month, Month(2024, 1));
  EXPECT_EQ(points[0].audits, 2);
  EXPECT_EQ(points[0].good_or_better_percent, 50.0);
  EXPECT_EQ(points[0].agreement_percent, 100.0);
  EXPECT_EQ(points[0].feedback, 2);
  EXPECT_EQ(points[0].mean_rating, 4.5);
  EXPECT_EQ(points[0].open_actions, 2);     // C1, C3
  EXPECT_EQ(points[0].overdue_actions, 1);  // C3

  EXPECT_EQ(points[1].month, Month(2024, 2));
  EXPECT_EQ(points[1].audits, 0);
  EXPECT_EQ(points[1].good_or_better_percent, std::nullopt);
  EXPECT_EQ(points[1].agreement_percent, std::nullopt);
  EXPECT_EQ(points[1].feedback, 1);
  EXPECT_EQ(points[1].mean_rating, 1.0);
  EXPECT_EQ(points[1].open_actions, 2);     // C2, C3
  EXPECT_EQ(points[1].overdue_actions, 1);  // C3

  EXPECT_EQ(points[2].month, Month(2024, 3));
  EXPECT_EQ(points[2].audits, 3);
  EXPECT_EQ(points[2].good_or_better_percent, 33.3);
  EXPECT_EQ(points[2].agreement_percent, 0.0);
  EXPECT_EQ(points[2].feedback, 0);
  EXPECT_EQ(points[2].mean_rating, std::nullopt);
  EXPECT_EQ(points[2].open_actions, 1);     // C2
  EXPECT_EQ(points[2].overdue_actions, 1);  // C2

  EXPECT_TRUE(ComputeQaTrend(data, Month(2024, 3), Month(2024, 2)).empty());
}

}  // namespace
}  // namespace sgm::qa
