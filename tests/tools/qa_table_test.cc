// The QA tables on hand-built answers: the audits by grade and their
// breakdowns, moderation, domains, feedback, actions, re-audits, themes,
// missing figures and empty periods.
#include "tools/sgm/qa_table.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm::cli {
namespace {

using ::sgm::qa::v1::AuditFigures;
using ::sgm::qa::v1::QaFigures;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

void SetDate(sgm::type::v1::Date* date, int year, int month, int day) {
  date->set_year(year);
  date->set_month(month);
  date->set_day(day);
}

void SetAudits(AuditFigures* a, const std::string& label, int64_t outstanding,
               int64_t good, int64_t ri, int64_t inadequate) {
  a->set_label(label);
  a->set_audits(outstanding + good + ri + inadequate);
  a->set_outstanding(outstanding);
  a->set_good(good);
  a->set_requires_improvement(ri);
  a->set_inadequate(inadequate);
}

sgm::qa::v1::Theme MakeTheme(const std::string& id, const std::string& name,
                             int start_month, int end_month, int end_day) {
  sgm::qa::v1::Theme theme;
  theme.set_theme_id(id);
  theme.set_name(name);
  SetDate(theme.mutable_start_date(), 2024, start_month, 1);
  SetDate(theme.mutable_end_date(), 2024, end_month, end_day);
  return theme;
}

// May 2024 for team CP1: four audits (1 outstanding, 2 good, 1 requires
// improvement: 3 of 4 good or better, 75.0%), three case-file and one
// themed; two moderated, one agreed (50.0%), one graded down; feedback 4
// and 5 from families (mean 4.50), 2 from staff; total (4 + 5 + 2) / 3 =
// 3.67.
QaFigures Sample() {
  QaFigures f;
  SetDate(f.mutable_from(), 2024, 5, 1);
  SetDate(f.mutable_to(), 2024, 5, 31);
  f.set_team("CP1");
  SetAudits(f.mutable_audits(), "Total", 1, 2, 1, 0);
  f.mutable_audits()->set_good_or_better_percent(75.0);
  AuditFigures* case_file = f.add_by_type();
  SetAudits(case_file, "CASE_FILE", 1, 1, 1, 0);
  case_file->set_good_or_better_percent(66.7);
  AuditFigures* themed = f.add_by_type();
  SetAudits(themed, "THEMED", 0, 1, 0, 0);
  themed->set_good_or_better_percent(100.0);
  AuditFigures* team = f.add_by_team();
  SetAudits(team, "CP1", 1, 2, 1, 0);
  team->set_good_or_better_percent(75.0);
  AuditFigures* theme = f.add_by_theme();
  SetAudits(theme, "CP-2024-05", 0, 1, 0, 0);
  theme->set_good_or_better_percent(100.0);

  f.mutable_moderation()->set_moderated(2);
  f.mutable_moderation()->set_agreed(1);
  f.mutable_moderation()->set_moderated_down(1);
  f.mutable_moderation()->set_agreement_percent(50.0);

  auto* recording = f.add_domains();
  recording->set_domain("RECORDING");
  recording->set_graded(4);
  recording->set_requires_improvement_or_worse(2);
  recording->set_requires_improvement_or_worse_percent(50.0);
  auto* voice = f.add_domains();
  voice->set_domain("VOICE_OF_THE_CHILD");
  voice->set_graded(3);
  voice->set_requires_improvement_or_worse_percent(0.0);

  auto* family = f.add_feedback();
  family->set_source(sgm::qa::v1::FEEDBACK_SOURCE_FAMILY);
  family->set_received(2);
  family->set_mean_rating(4.5);
  family->set_positive(2);
  auto* staff = f.add_feedback();
  staff->set_source(sgm::qa::v1::FEEDBACK_SOURCE_STAFF);
  staff->set_received(1);
  staff->set_mean_rating(2.0);
  staff->set_negative(1);
  auto* total = f.add_feedback();
  total->set_received(3);
  total->set_mean_rating(3.67);
  total->set_positive(2);
  total->set_negative(1);

  f.mutable_actions()->set_open(3);
  f.mutable_actions()->set_overdue(1);
  f.mutable_actions()->set_completed(2);
  f.mutable_actions()->set_completed_on_time(1);
  f.mutable_actions()->set_on_time_percent(50.0);
  f.mutable_actions()->set_due(2);

  f.mutable_reaudits()->set_reaudits(1);
  f.mutable_reaudits()->set_improved(1);
  f.mutable_reaudits()->set_improved_percent(100.0);

  *f.add_themes() = MakeTheme("CP-2024-05", "Child protection", 5, 6, 30);
  return f;
}

TEST(QaTableTest, AuditsByGradeWithTheirBreakdowns) {
  const std::string out = RenderQaFiguresTable(Sample());
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "Quality assurance, 2024-05-01 to 2024-05-31, team CP1");
  EXPECT_THAT(out, HasSubstr("\n\nAudits by grade (the moderator's grade "
                             "where moderated)\n"));
  EXPECT_THAT(out, ContainsRegex("\nAll audits +4 +1 +2 +1 +0 +75.0%\n"));
  EXPECT_THAT(out,
              ContainsRegex("\n  Case-file audits +3 +1 +1 +1 +0 +66.7%\n"));
  EXPECT_THAT(out, ContainsRegex("\n  Themed audits +1 +0 +1 +0 +0 +100.0%\n"));
  EXPECT_THAT(out, ContainsRegex("\nBy team\n  CP1 +4 +1 +2 +1 +0 +75.0%\n"));
  EXPECT_THAT(
      out, ContainsRegex("\nBy theme\n  CP-2024-05 +1 +0 +1 +0 +0 +100.0%\n"));
}

TEST(QaTableTest, ModerationDomainsFeedbackActionsAndReaudits) {
  const std::string out = RenderQaFiguresTable(Sample());
  EXPECT_THAT(out, HasSubstr("\nModeration: 2 moderated, 1 (50.0%) agreed, 0 "
                             "graded up, 1 graded down\n"));
  // The domains in the service's order, as words.
  EXPECT_THAT(out, HasSubstr("\nDomains, the most often graded requires "
                             "improvement or worse first\nDomain  "));
  EXPECT_THAT(out, ContainsRegex("\nRecording +4 +2 +50.0%\nVoice of the "
                                 "child +3 +0 +0.0%\n"));
  EXPECT_THAT(out, ContainsRegex("\nFamilies +2 +4.50 +2 +0\n"));
  EXPECT_THAT(out, ContainsRegex("\nStaff +1 +2.00 +0 +1\n"));
  EXPECT_THAT(out, ContainsRegex("\nAll feedback +3 +3.67 +2 +1\n"));
  EXPECT_THAT(out, Not(HasSubstr("Young people")))
      << "only the sources the service answered with";
  EXPECT_THAT(out,
              HasSubstr("\nActions on 2024-05-31: 3 open, of which 1 overdue\n"
                        "In the period: 2 due, 2 completed, 1 (50.0%) on "
                        "time\n"));
  EXPECT_THAT(out, HasSubstr("\nRe-audits: 1, 1 (100.0%) improved, 0 "
                             "unchanged, 0 worsened\n"));
  EXPECT_THAT(out, Not(HasSubstr("not recorded")));
  EXPECT_THAT(out, HasSubstr("\nThemes in the period\n"));
  EXPECT_THAT(out, HasSubstr("\nCP-2024-05  Child protection  2024-05-01  "
                             "2024-06-30\n1 theme\n"));
  EXPECT_EQ(out.back(), '\n');
}

TEST(QaTableTest, MissingFiguresShowADash) {
  QaFigures f = Sample();
  f.mutable_by_type(1)->clear_good_or_better_percent();
  f.mutable_domains(1)->clear_requires_improvement_or_worse_percent();
  f.mutable_feedback(1)->clear_mean_rating();
  f.mutable_moderation()->clear_agreement_percent();
  f.mutable_actions()->clear_on_time_percent();
  f.mutable_reaudits()->clear_improved_percent();
  f.mutable_reaudits()->set_original_missing(2);
  const std::string out = RenderQaFiguresTable(f);
  EXPECT_THAT(out, ContainsRegex("\n  Themed audits +1 +0 +1 +0 +0 +\u2013\n"));
  EXPECT_THAT(out, ContainsRegex("\nVoice of the child +3 +0 +\u2013\n"));
  EXPECT_THAT(out, ContainsRegex("\nStaff +1 +\u2013 +0 +1\n"));
  EXPECT_THAT(out, HasSubstr("Moderation: 2 moderated, 1 agreed,"));
  EXPECT_THAT(out, HasSubstr("2 completed, 1 on time\n"));
  EXPECT_THAT(out, HasSubstr("Re-audits: 1, 1 improved,"));
  EXPECT_THAT(out,
              HasSubstr("\nRe-audits whose original is not recorded: 2\n"));
}

TEST(QaTableTest, AnEmptyPeriodSaysSo) {
  QaFigures f;
  SetDate(f.mutable_from(), 2024, 5, 1);
  SetDate(f.mutable_to(), 2024, 5, 31);
  f.set_theme_id("CP-2024-05");
  SetAudits(f.mutable_audits(), "Total", 0, 0, 0, 0);
  f.add_feedback();  // the total row, nothing received
  const std::string out = RenderQaFiguresTable(f);
  EXPECT_EQ(out,
            "Quality assurance, 2024-05-01 to 2024-05-31, theme CP-2024-05\n"
            "\n"
            "Audits: none in the period\n"
            "\n"
            "Moderation: no audit moderated\n"
            "\n"
            "Feedback: none received in the period\n"
            "\n"
            "Actions on 2024-05-31: 0 open, of which 0 overdue\n"
            "In the period: 0 due, 0 completed, 0 on time\n"
            "\n"
            "Re-audits: none in the period\n");
}

TEST(QaTableTest, ThemesLeftAlignedWithTheirDays) {
  google::protobuf::RepeatedPtrField<sgm::qa::v1::Theme> themes;
  *themes.Add() = MakeTheme("CP-2024-05", "Child protection", 5, 6, 30);
  *themes.Add() = MakeTheme("NEG-2024-07", "Neglect", 7, 8, 31);
  EXPECT_EQ(RenderThemesTable(themes),
            absl::StrCat("Theme", std::string(8, ' '), "Name",
                         std::string(14, ' '), "From", std::string(8, ' '),
                         "To\n", "CP-2024-05", std::string(3, ' '),
                         "Child protection  2024-05-01  2024-06-30\n",
                         "NEG-2024-07  Neglect", std::string(11, ' '),
                         "2024-07-01  2024-08-31\n", "2 themes\n"));
  EXPECT_EQ(RenderThemesTable({}), "Theme  Name  From  To\n0 themes\n");
}

}  // namespace
}  // namespace sgm::cli
