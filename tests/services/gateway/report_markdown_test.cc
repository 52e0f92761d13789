// The practice report as Markdown, on a report built by hand from the
// published figures (shared/data/seed-figures.json: July 2023).
#include "services/gateway/report_markdown.h"

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/gateway/report_insight_fixture.h"
#include "tests/services/gateway/report_quality_fixture.h"

namespace sgm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;

void SetMonth(int year, int month, sgm::type::v1::YearMonth* out) {
  out->set_year(year);
  out->set_month(month);
}

void SetDate(int year, int month, int day, sgm::type::v1::Date* out) {
  out->set_year(year);
  out->set_month(month);
  out->set_day(day);
}

void AddComparators(double neighbours, double region, double england,
                    google::protobuf::RepeatedPtrField<kv1::Comparator>* out) {
  kv1::Comparator* c = out->Add();
  c->set_name("Statistical neighbours");
  c->set_year(2021);
  c->set_value(neighbours);
  c = out->Add();
  c->set_name("East Midlands");
  c->set_year(2021);
  c->set_value(region);
  c = out->Add();
  c->set_name("England");
  c->set_year(2021);
  c->set_value(england);
}

gv1::PracticeReport SeedReport() {
  gv1::PracticeReport report;
  report.set_authority("831");
  SetMonth(2023, 7, report.mutable_month());
  report.mutable_composed_at()->set_seconds(1691058600);  // 2023-08-03 10:30Z

  gv1::FrontDoorSection* front_door = report.mutable_front_door();
  front_door->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  iv1::FrontDoorFigures* f = front_door->mutable_figures();
  SetMonth(2023, 7, f->mutable_month());
  SetDate(2023, 7, 31, f->mutable_as_of());
  SetMonth(2023, 7, f->mutable_this_month()->mutable_month());
  f->mutable_this_month()->set_contacts(2774);
  f->mutable_this_month()->set_contacts_year_before(2417);
  f->mutable_this_month()->set_change_percent(14.8);
  iv1::MonthCount* march = f->add_trend();
  SetMonth(2021, 3, march->mutable_month());
  march->set_contacts(2499);
  march->set_contacts_year_before(1595);
  march->set_change_percent(56.7);
  SetDate(2023, 1, 1, f->mutable_year_to_date()->mutable_from());
  SetDate(2023, 7, 31, f->mutable_year_to_date()->mutable_to());
  f->mutable_year_to_date()->set_contacts(22510);
  f->mutable_year_to_date()->set_per_week(743.0);
  SetDate(2022, 1, 1, f->mutable_year_to_date_last_year()->mutable_from());
  SetDate(2022, 7, 31, f->mutable_year_to_date_last_year()->mutable_to());
  f->mutable_year_to_date_last_year()->set_contacts(20207);
  f->mutable_year_to_date_last_year()->set_per_week(667.0);
  f->set_per_week_change_percent(11.4);
  f->set_decided(2700);
  f->set_progressed(405);
  f->set_progressed_percent(15.0);
  iv1::Breakdown* need = f->add_by_primary_need();
  need->set_code("N1");
  need->set_label("Abuse or neglect");
  need->set_count(2302);
  need->set_percent(83.0);

  gv1::PerformanceSection* performance = report.mutable_performance();
  performance->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  kv1::Indicator* i = performance->mutable_indicators()->add_indicators();
  i->set_id("cpp_reviews_in_time");
  i->set_title("CP plans reviewed in time");
  i->set_numerator(134);
  i->set_denominator(140);
  i->set_percent(95.7);
  i->set_six_month_average(97.1);
  i->set_target(90);
  i->set_direction(kv1::DIRECTION_HIGHER_IS_BETTER);
  i->set_rag(kv1::RAG_GREEN);
  AddComparators(90.8, 87.9, 89.3, i->mutable_comparators());
  kv1::Indicator* none = performance->mutable_indicators()->add_indicators();
  none->set_id("icpc_in_15wd");
  none->set_title("ICPCs within 15 working days");
  none->set_rag(kv1::RAG_NONE);
  kv1::IndicatorTrend* trend = performance->add_trends();
  trend->set_id("cpp_reviews_in_time");
  kv1::TrendPoint* point = trend->add_points();
  SetMonth(2023, 7, point->mutable_month());
  point->set_percent(95.7);
  kv1::CaseStatus* status = performance->mutable_case_status();
  SetMonth(2023, 7, status->mutable_month());
  SetDate(2023, 7, 31, status->mutable_month_end());
  status->mutable_open_cases()->set_early_help(1425);
  status->mutable_open_cases()->set_child_in_need(1313);
  status->mutable_open_cases()->set_child_protection(350);
  status->mutable_open_cases()->set_child_in_care(662);
  status->mutable_open_cases()->set_total(3750);
  status->set_population_0_17(66000);
  status->set_population_year(2022);
  status->mutable_children_in_care()->set_children(662);
  status->mutable_children_in_care()->set_per_10k(100);
  AddComparators(82, 65, 70,
                 status->mutable_children_in_care()->mutable_comparators());
  status->mutable_child_protection()->set_children(317);
  status->mutable_child_protection()->set_per_10k(48);
  kv1::WatchlistCount* watch = status->add_watchlists();
  watch->set_watchlist(kv1::WATCHLIST_CP_PLAN_2_YEARS);
  watch->set_children(12);

  report.mutable_quality()->mutable_status()->set_state(
      gv1::SECTION_STATE_NOT_DEPLOYED);
  report.mutable_quality()->mutable_status()->set_reason(
      "no quality-assurance service is deployed");

  gv1::WorkforceSection* workforce = report.mutable_workforce();
  workforce->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  wv1::WorkforceFigures* w = workforce->mutable_figures();
  SetDate(2023, 7, 31, w->mutable_as_of());
  wv1::StaffingFigures* area = w->add_staffing();
  area->set_service_area("Children's Safeguarding");
  area->set_fte_in_post(60);
  area->set_maternity_fte(2);
  area->set_agency_fte(1.5);
  area->set_long_term_absence_fte(2);
  wv1::StaffingFigures* total = w->add_staffing();
  total->set_service_area("Total");
  total->set_fte_in_post(120.25);
  total->set_maternity_fte(3.5);
  total->set_agency_fte(1.5);
  total->set_long_term_absence_fte(4);
  total->set_absence_days_per_fte(9.33);
  total->set_agency_share_percent(1.2);
  total->set_social_worker_fte(92.6);
  w->set_caseload_threshold(20);
  w->set_caseloads_available(true);
  wv1::CaseloadFigures* caseloads = w->add_caseloads();
  caseloads->set_group("qualified_social_workers");
  caseloads->set_case_holding_workers(80);
  caseloads->set_open_cases(1200);
  caseloads->set_mean_caseload(15);
  caseloads->set_median_caseload(15);
  caseloads->set_over_threshold(3);
  wv1::CostFigures* costs = w->add_costs();
  costs->set_financial_year(2023);
  costs->set_service_area("Total");
  costs->set_total_cost_pence(940000000);
  costs->set_social_worker_cost_pence(540000000);
  costs->set_agency_cost_pence(12345678);
  wv1::WorkforceTrendPoint* wpoint = workforce->add_trend();
  SetMonth(2023, 7, wpoint->mutable_month());
  wpoint->set_fte_in_post(120.25);
  wpoint->set_agency_fte(1.5);
  wpoint->set_absence_days_per_fte(9.33);
  wpoint->set_mean_caseload(15);
  return report;
}

using report_fixture::AddQuality;

TEST(ReportMarkdownTest, ShapeOfTheSourceReports) {
  const std::string md = RenderPracticeReportMarkdown(SeedReport());
  EXPECT_THAT(md, HasSubstr("# Monitoring safeguarding practice: July 2023\n"));
  EXPECT_THAT(md, HasSubstr("Authority 831. Composed 2023-08-03T10:30:00Z"));
  // Front door.
  EXPECT_THAT(md, HasSubstr("Contacts in July 2023: **2,774** (July 2022: "
                            "2,417; change +14.8%)."));
  EXPECT_THAT(md, HasSubstr("| This year (2023-01-01 to 2023-07-31) | 22,510 "
                            "| 743.0 |"));
  EXPECT_THAT(md, HasSubstr("| Last year (2022-01-01 to 2022-07-31) | 20,207 "
                            "| 667.0 |"));
  EXPECT_THAT(md, HasSubstr("(change +11.4%)"));
  EXPECT_THAT(md, HasSubstr("referral or strategy discussion: 15.0% (405 of "
                            "2,700 decided contacts)"));
  EXPECT_THAT(md, HasSubstr("| N1 Abuse or neglect | 2,302 | 83.0% |"));
  EXPECT_THAT(md, HasSubstr("| March 2021 | 2,499 | 1,595 | +56.7% |"));
  // Indicators beside their comparators.
  EXPECT_THAT(md, HasSubstr("| indicator | this month | 6-month average | "
                            "statistical neighbours | region | England | "
                            "target | RAG |\n|---|---:|---:|---:|---:|---:|"
                            "---|---|\n"));
  EXPECT_THAT(md, HasSubstr("| CP plans reviewed in time | 95.7% (134/140) | "
                            "97.1% | 90.8% | 87.9% | 89.3% | \u2265 90.0% | "
                            "GREEN |"));
  EXPECT_THAT(md, HasSubstr("| ICPCs within 15 working days | \u2013 (none "
                            "due) | \u2013 | \u2013 | \u2013 | \u2013 |"));
  EXPECT_THAT(md, HasSubstr("Comparators: Statistical neighbours 2021-22; "
                            "East Midlands 2021-22; England 2021-22."));
  EXPECT_THAT(md, HasSubstr("| 2023-07 | 95.7% |"));
  // Case status and rates.
  EXPECT_THAT(md, HasSubstr("Open cases at 2023-07-31: **3,750**"));
  EXPECT_THAT(md, HasSubstr("| Early Help | 1,425 | 38.0% |"));
  EXPECT_THAT(md, HasSubstr("| Child in need | 1,313 | 35.0% |"));
  EXPECT_THAT(md, HasSubstr("| Children in care | 662 | 100 | 82 | 65 | 70 |"));
  EXPECT_THAT(md, HasSubstr("| Children on CP plans | 317 | 48 | \u2013 |"));
  EXPECT_THAT(md, HasSubstr("| CP plan 2 years or more | 12 |"));
  // Quality: plainly marked.
  EXPECT_THAT(md, HasSubstr("## Quality assurance\n\n> **Not deployed:** no "
                            "quality-assurance service is deployed.\n"));
  // Workforce.
  EXPECT_THAT(md, HasSubstr("| Children's Safeguarding | 60 | 2 | 1.5 | 2 |"));
  EXPECT_THAT(md, HasSubstr("| **Total** | 120.25 | 3.5 | 1.5 | 4 |"));
  EXPECT_THAT(md, HasSubstr("- Absence: 9.33 days lost per FTE"));
  EXPECT_THAT(md, HasSubstr("| Qualified social workers | 80 | 1,200 | 15.0 | "
                            "15.0 | 3 |"));
  EXPECT_THAT(md, HasSubstr("| **Total** | \u00a39,400,000 | \u00a35,400,000 "
                            "| \u00a3123,457 |"));
  EXPECT_THAT(md, HasSubstr("| 2023-07 | 120.25 | 1.5 |"));
  EXPECT_EQ(md.back(), '\n');
}

TEST(ReportMarkdownTest, UnavailableSectionIsOneMarkedLine) {
  gv1::PracticeReport report = SeedReport();
  gv1::PerformanceSection* performance = report.mutable_performance();
  performance->Clear();
  performance->mutable_status()->set_state(gv1::SECTION_STATE_UNAVAILABLE);
  performance->mutable_status()->set_reason(
      "the KPI service could not be reached");
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("> **Unavailable:** the KPI service could not be "
                            "reached. The rest of the report is complete.\n"));
  EXPECT_THAT(md, Not(HasSubstr("| indicator |")));
  EXPECT_THAT(md, Not(HasSubstr("Open cases at")));
  // The other sections are all there.
  EXPECT_THAT(md, HasSubstr("**2,774**"));
  EXPECT_THAT(md, HasSubstr("| **Total** | 120.25 |"));
}

TEST(ReportMarkdownTest, NotDeployedAndMissingCaseloads) {
  gv1::PracticeReport report = SeedReport();
  report.mutable_front_door()->Clear();
  report.mutable_front_door()->mutable_status()->set_state(
      gv1::SECTION_STATE_NOT_DEPLOYED);
  report.mutable_front_door()->mutable_status()->set_reason(
      "no intake service is deployed");
  wv1::WorkforceFigures* w = report.mutable_workforce()->mutable_figures();
  w->clear_caseloads();
  w->set_caseloads_available(false);
  w->set_caseloads_unavailable_reason("KPI service unreachable");
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("## Front door: contacts\n\n> **Not deployed:** "
                            "no intake service is deployed.\n"));
  EXPECT_THAT(md, HasSubstr("> **Unavailable:** caseloads (KPI service "
                            "unreachable). The other workforce figures "
                            "stand."));
}

TEST(ReportMarkdownTest, PipesInNamesDoNotBreakTables) {
  gv1::PracticeReport report = SeedReport();
  report.mutable_workforce()
      ->mutable_figures()
      ->mutable_staffing(0)
      ->set_service_area("A|B");
  EXPECT_THAT(RenderPracticeReportMarkdown(report),
              HasSubstr("| A\\|B | 60 |"));
}

// Outward-facing: each value named in suppressed_fields shows as "<5" (the
// gateway has set it to 0); the others are unchanged.
TEST(ReportMarkdownTest, WithheldValuesShowAsUnderFive) {
  gv1::PracticeReport report = SeedReport();
  report.set_suppressed(true);
  for (const char* path : {
           "front_door.figures.by_primary_need[0].count",
           "front_door.figures.by_primary_need[0].percent",
           "performance.indicators.indicators[0].numerator",
           "performance.indicators.indicators[0].percent",
           "performance.case_status.open_cases.child_in_care",
           "performance.case_status.children_in_care.children",
           "performance.case_status.children_in_care.per_10k",
           "workforce.figures.staffing[0].maternity_fte",
       }) {
    report.add_suppressed_fields(path);
  }
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("Counts under 5 are suppressed: counts from 1 to "
                            "4, and figures derived from them, show as "
                            "\"<5\"."));
  EXPECT_THAT(md, HasSubstr("| N1 Abuse or neglect | <5 | <5 |"));
  EXPECT_THAT(md, HasSubstr("| CP plans reviewed in time | <5 (<5/140) | "
                            "97.1% |"));
  EXPECT_THAT(md, HasSubstr("| Child in care | <5 | <5 |"));
  EXPECT_THAT(md, HasSubstr("| Early Help | 1,425 | 38.0% |"));
  EXPECT_THAT(md, HasSubstr("| Children in care | <5 | <5 | 82 | 65 | 70 |"));
  EXPECT_THAT(md, HasSubstr("| Children's Safeguarding | 60 | <5 | 1.5 | 2 |"));
  // Not listed: shown.
  EXPECT_THAT(md, HasSubstr("Contacts in July 2023: **2,774**"));
}

TEST(ReportMarkdownTest, QualityAssuranceSection) {
  gv1::PracticeReport report = SeedReport();
  AddQuality(&report);
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("## Quality assurance\n\nAudits in July 2023: "
                            "**12**, good or better 58.3%. Over the 12 months "
                            "to July 2023 (2022-08-01 to 2023-07-31): 140 "
                            "audits, good or better 61.4%."));
  // The grade distribution, this month and over 12 months, by type.
  EXPECT_THAT(md, HasSubstr("### Audits and grades, July 2023\n\n"
                            "| type | audits | outstanding | good | requires "
                            "improvement | inadequate | good or better |\n"
                            "|---|---:|---:|---:|---:|---:|---:|\n"
                            "| **All audits** | 12 | 1 | 6 | 4 | 1 | 58.3% |\n"
                            "| Case-file audits | 8 | 1 | 4 | 2 | 1 | 62.5% |\n"
                            "| Themed audits | 4 | 0 | 2 | 2 | 0 | 50.0% |\n"));
  EXPECT_THAT(md, HasSubstr("### Audits and grades, 12 months to July 2023\n"
                            "\n"));
  EXPECT_THAT(md, HasSubstr("| **All audits** | 140 | 10 | 76 | 44 | 10 | "
                            "61.4% |"));
  EXPECT_THAT(md, HasSubstr("| Observations of practice | 10 | 1 | 5 | 2 | 2 "
                            "| 60.0% |"));
  // Moderation.
  EXPECT_THAT(md, HasSubstr("| period | moderated | agreed | graded up | "
                            "graded down | agreement |"));
  EXPECT_THAT(md, HasSubstr("| July 2023 | 4 | 3 | 0 | 1 | 75.0% |"));
  EXPECT_THAT(md, HasSubstr("| 12 months to July 2023 | 50 | 41 | 3 | 6 | "
                            "82.0% |"));
  // The top five domains; the sixth is left out.
  EXPECT_THAT(md, HasSubstr("### Domains most often graded requires "
                            "improvement or worse\n\nJuly 2023:\n\n"
                            "| domain | audits grading it | requires "
                            "improvement or worse | share |\n"
                            "|---|---:|---:|---:|\n"
                            "| Voice of the child | 12 | 5 | 41.7% |\n"));
  EXPECT_THAT(md, HasSubstr("| Risk assessment | 12 | 2 | 16.7% |\n\n"
                            "12 months to July 2023:\n"));
  EXPECT_THAT(md, Not(HasSubstr("Supervision")));
  EXPECT_THAT(md, HasSubstr("| Planning | 130 | 50 | 38.5% |"));
  // Feedback by source, both periods in one table; a source with none this
  // month shows 0 and no mean.
  EXPECT_THAT(md, HasSubstr("| from | received in July 2023 | mean rating | "
                            "received in the 12 months to July 2023 | mean "
                            "rating |"));
  EXPECT_THAT(md, HasSubstr("| Families | 3 | 4.33 | 40 | 4.10 |\n"
                            "| Young people | 0 | \u2013 | 12 | 3.92 |\n"
                            "| Partner agencies | 2 | 3.50 | 25 | 3.60 |\n"
                            "| Staff | 0 | \u2013 | 10 | 4.50 |\n"
                            "| **All feedback** | 5 | 4.00 | 87 | 3.98 |\n"));
  // Actions and re-audits.
  EXPECT_THAT(md, HasSubstr("Open at 2023-07-31: **6**, of which 2 overdue."));
  EXPECT_THAT(md, HasSubstr("| July 2023 | 5 | 4 | 3 | 75.0% |"));
  EXPECT_THAT(md, HasSubstr("| 12 months to July 2023 | 60 | 55 | 44 | 80.0% "
                            "|"));
  EXPECT_THAT(md, HasSubstr("| July 2023 | 2 | 1 | 1 | 0 | 50.0% |"));
  EXPECT_THAT(md, HasSubstr("| 12 months to July 2023 | 15 | 9 | 5 | 1 | "
                            "60.0% |"));
  EXPECT_THAT(md, HasSubstr("whose original audit is not recorded (left out "
                            "above): 1."));
  // Themes and the months.
  EXPECT_THAT(md, HasSubstr("Active in July 2023: Child Protection (CP-2023, "
                            "2023-07-01 to 2023-08-31)."));
  EXPECT_THAT(md, HasSubstr("| 2023-06 | 10 | 60.0% | 80.0% | 6 | 4.17 | 5 | "
                            "1 |\n| 2023-07 | 12 | 58.3% | 75.0% | 5 | 4.00 | "
                            "6 | 2 |\n"));
  // In the source reports' order: before the workforce.
  EXPECT_LT(md.find("## Quality assurance"), md.find("## Workforce"));
}

TEST(ReportMarkdownTest, QualityWithoutFiguresOrUnavailable) {
  gv1::PracticeReport report = SeedReport();
  gv1::QualitySection* q = report.mutable_quality();
  q->Clear();
  q->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  SetDate(2023, 7, 31, q->mutable_month()->mutable_to());
  q->mutable_month()->mutable_audits()->set_label("Total");
  std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("Audits in July 2023: **0**, good or better "
                            "\u2013."));
  EXPECT_THAT(md, HasSubstr("### Audits and grades, July 2023\n\nNo audits "
                            "dated in the period.\n"));
  EXPECT_THAT(md, HasSubstr("July 2023:\n\nNo graded domains.\n"));
  EXPECT_THAT(md, HasSubstr("### Feedback\n\nNo feedback received.\n"));
  EXPECT_THAT(md, HasSubstr("No theme is active in July 2023."));
  EXPECT_THAT(md, Not(HasSubstr("### Quality assurance month by month")));

  q->Clear();
  q->mutable_status()->set_state(gv1::SECTION_STATE_UNAVAILABLE);
  q->mutable_status()->set_reason(
      "the quality-assurance service could not be reached");
  md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("## Quality assurance\n\n> **Unavailable:** the "
                            "quality-assurance service could not be reached. "
                            "The rest of the report is complete.\n\n## "
                            "Workforce"));
}

// Outward-facing: the QA counts from 1 to 4, and what is derived from them,
// show as "<5".
TEST(ReportMarkdownTest, WithheldQualityValuesShowAsUnderFive) {
  gv1::PracticeReport report = SeedReport();
  AddQuality(&report);
  report.set_suppressed(true);
  for (const char* path : {
           "quality.month.audits.outstanding",
           "quality.month.audits.requires_improvement",
           "quality.month.audits.inadequate",
           "quality.month.audits.good_or_better_percent",
           "quality.month.feedback[1].received",
           "quality.month.feedback[1].mean_rating",
           "quality.month.actions.overdue",
           "quality.last_12_months.reaudits.original_missing",
           "quality.trend[1].overdue_actions",
       }) {
    report.add_suppressed_fields(path);
  }
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("Audits in July 2023: **12**, good or better <5."));
  EXPECT_THAT(md, HasSubstr("| **All audits** | 12 | <5 | 6 | <5 | <5 | <5 |"));
  EXPECT_THAT(md, HasSubstr("| Partner agencies | <5 | <5 | 25 | 3.60 |"));
  EXPECT_THAT(md, HasSubstr("Open at 2023-07-31: **6**, of which <5 overdue."));
  EXPECT_THAT(md, HasSubstr("(left out above): <5."));
  EXPECT_THAT(md, HasSubstr("| 2023-07 | 12 | 58.3% | 75.0% | 5 | 4.00 | 6 | "
                            "<5 |"));
  // Not listed: shown.
  EXPECT_THAT(md, HasSubstr("| Families | 3 | 4.33 | 40 | 4.10 |"));
}

// --- practice insight and what changed ---------------------------------------

using insight_fixture::AddInsight;
using insight_fixture::AddWhatChanged;

TEST(ReportMarkdownTest, PracticeInsightSection) {
  gv1::PracticeReport report = SeedReport();
  AddInsight(&report);
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("## Practice insight\n\nOver the 12 months August "
                            "2022 to July 2023.\n\n### Referral quality by "
                            "agency\n\n"));
  // Referral quality: agencies lowest mean first, then all together.
  EXPECT_THAT(md, HasSubstr("Each contact scores 0 to 100 by the details it "
                            "gives (weights: Child identified 25; Date of "
                            "birth 10; Primary need 15; Concerns 20; "
                            "Referrer's organisation 10; Summary 20); a score "
                            "below 60 is below threshold.\n\n"));
  EXPECT_THAT(md, HasSubstr("| agency | contacts | mean score | below "
                            "threshold | share below | most common gaps |\n"
                            "|---|---:|---:|---:|---:|---|\n"
                            "| SCHOOLS | 40 | 58.5 | 22 | 55.0% | Summary "
                            "60.0%; Date of birth 45.0%; Concerns 25.0% |\n"
                            "| POLICE | 160 | 81.3 | 16 | 10.0% | Date of "
                            "birth 30.0%; Summary 12.5% |\n"
                            "| **All agencies** | 200 | 76.7 | 38 | 19.0% | "
                            "Date of birth 33.0%; Summary 22.0%; Concerns "
                            "5.0% |\n"));
  // Only the top three gaps: SCHOOLS' fourth is left out.
  EXPECT_THAT(md, Not(HasSubstr("Referrer's organisation 10.0%")));
  EXPECT_THAT(md, HasSubstr("| month | contacts | mean score | share below "
                            "threshold |\n|---|---:|---:|---:|\n"
                            "| 2023-06 | 95 | 75.2 | 21.1% |\n"
                            "| 2023-07 | 105 | 78.1 | 17.1% |\n"));
  // Duplicate input.
  EXPECT_THAT(md, HasSubstr("### Duplicate input\n\nContacts about a child "
                            "who already had an open assessment, plan or "
                            "episode when the contact came in: in July 2023 "
                            "15 of 95 contacts with a child identified "
                            "(15.8%); over the 12 months 27 of 180 contacts "
                            "with a child identified (15.0%).\n\n"));
  EXPECT_THAT(md, HasSubstr("| 2023-06 | 85 | 12 | 14.1% |\n"
                            "| 2023-07 | 95 | 15 | 15.8% |\n"));
  EXPECT_THAT(md, HasSubstr("By concern (a contact counts under each):\n\n"
                            "| concern | contacts with a child | duplicates | "
                            "share |\n|---|---:|---:|---:|\n"
                            "| DOMESTIC_ABUSE Domestic abuse | 60 | 15 | 25.0% "
                            "|\n| NEGLECT Neglect | 50 | 6 | 12.0% |\n"));
  EXPECT_THAT(md, HasSubstr("| 6 Police | 140 | 24 | 17.1% |\n"
                            "| 2A Schools | 40 | 3 | 7.5% |\n"));
  EXPECT_THAT(md, HasSubstr("| CP_PLAN Child-protection plan | 180 | 10 | "
                            "5.6% |\n"));
  // The funnel: shares, then conversions.
  EXPECT_THAT(md, HasSubstr("From contact to CP plan, August 2022 to July "
                            "2023: each stage by category"));
  EXPECT_THAT(md, HasSubstr("| stage | total | Neglect | Physical abuse | "
                            "Sexual abuse | Emotional abuse | Multiple | No "
                            "category |\n"
                            "|---|---:|---:|---:|---:|---:|---:|---:|\n"
                            "| Contact | 200 | 60 (30.0%) | 50 (25.0%) | 10 "
                            "(5.0%) | 40 (20.0%) | 10 (5.0%) | 30 (15.0%) |\n"
                            "| Referral | 80 | 30 (37.5%) | 20 (25.0%) | 5 "
                            "(6.3%) | 15 (18.8%) | 5 (6.3%) | 5 (6.3%) |\n"
                            "| S47 enquiry | 40 | 15 (37.5%) | 12 (30.0%) | 5 "
                            "(12.5%) | 6 (15.0%) | 2 (5.0%) | 0 (0.0%) |\n"
                            "| ICPC | 25 | 10 (40.0%) | 6 (24.0%) | 4 (16.0%) "
                            "| 4 (16.0%) | 1 (4.0%) | 0 (0.0%) |\n"
                            "| CP plan | 20 | 9 (45.0%) | 3 (15.0%) | 3 "
                            "(15.0%) | 4 (20.0%) | 1 (5.0%) | 0 (0.0%) |\n"));
  EXPECT_THAT(md, HasSubstr("Conversion from the stage before:\n\n"
                            "| stage | Neglect | Physical abuse | Sexual abuse "
                            "| Emotional abuse | Multiple | No category |\n"
                            "|---|---:|---:|---:|---:|---:|---:|\n"
                            "| Referral | 50.0% | 40.0% | 50.0% | 37.5% | "
                            "50.0% | 16.7% |\n"
                            "| S47 enquiry | 50.0% | 60.0% | 100.0% | 40.0% | "
                            "40.0% | 0.0% |\n"
                            "| ICPC | 66.7% | 50.0% | 80.0% | 66.7% | 50.0% | "
                            "\u2013 |\n"
                            "| CP plan | 90.0% | 50.0% | 75.0% | 100.0% | "
                            "100.0% | \u2013 |\n"));
  EXPECT_THAT(md, HasSubstr("CP plans traced to a referral with a category: "
                            "18; category changed between referral and plan: "
                            "Physical abuse to Emotional abuse: 2; Physical "
                            "abuse to Neglect: 1.\n"));
  // Visit quality.
  EXPECT_THAT(md, HasSubstr("| visit type | visits | mode recorded | face to "
                            "face | share face to face | seen alone recorded "
                            "| seen alone | share seen alone |\n"
                            "|---|---:|---:|---:|---:|---:|---:|---:|\n"
                            "| Child protection | 400 | 390 | 351 | 90.0% | "
                            "300 | 240 | 80.0% |\n"
                            "| Child in care | 600 | 600 | 570 | 95.0% | 0 | "
                            "0 | \u2013 |\n"
                            "| Child in need | 250 | 200 | 150 | 75.0% | 100 "
                            "| 55 | 55.0% |\n"));
  EXPECT_THAT(md, HasSubstr("| month | Child protection face to face | Child "
                            "in care face to face | Child in need face to "
                            "face | Child protection seen alone | Child in "
                            "care seen alone | Child in need seen alone |\n"));
  EXPECT_THAT(md, HasSubstr("| 2023-06 | 85.3% | 96.0% | 75.0% | 80.0% | "
                            "\u2013 | 50.0% |\n"
                            "| 2023-07 | 91.7% | 94.2% | 80.0% | 80.8% | "
                            "\u2013 | 60.0% |\n"));
  // Service-level flows.
  EXPECT_THAT(md, HasSubstr("(a gap of up to 7 days between two levels is a "
                            "direct move)"));
  EXPECT_THAT(md, HasSubstr("| month | step downs | CP to CIN | CIN to Early "
                            "Help | step ups | entries | exits | closures | "
                            "Early Help | CIN | CP | CIC |\n"));
  EXPECT_THAT(md, HasSubstr("| 2023-06 | 18 | 10 | 8 | 6 | 40 | 35 | 32 | "
                            "37.8% | 35.1% | 9.2% | 17.8% |\n"
                            "| 2023-07 | 21 | 12 | 9 | 5 | 52 | 27 | 48 | "
                            "38.0% | 35.0% | 9.3% | 17.7% |\n"));
  EXPECT_THAT(md, HasSubstr("Cases closed in July 2023 by reason:\n\n"
                            "| reason | closures |\n|---|---:|\n"
                            "| RC7 Services ceased for any other reason | 14 "
                            "|\n| RC8 Closed after assessment, no further "
                            "action | 25 |\n| RC9 Closed after assessment, "
                            "referred to early help | 9 |\n"));
  // After the workforce.
  EXPECT_LT(md.find("## Workforce"), md.find("## Practice insight"));
}

TEST(ReportMarkdownTest, WhatChangedSection) {
  gv1::PracticeReport report = SeedReport();
  AddWhatChanged(&report);
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(
      md, HasSubstr("## What changed\n\nMay 2023 to July 2023 against May "
                    "2022 to July 2022.\n\n"
                    "| figure | before | after | change | relative change | "
                    "verdict | note |\n"
                    "|---|---:|---:|---:|---:|---|---|\n"
                    "| Contacts | 7,251 | 8,322 | +1,071 | +14.8% | \u2013 "
                    "|  |\n"
                    "| Assessments within 45 working days | 82.4% | 88.9% "
                    "| +6.5 points | +7.9% | better |  |\n"
                    "| CP visits in time | 93.0% | 91.5% | -1.5 points | "
                    "-1.6% | worse |  |\n"
                    "| Mean caseload | 20.0 | 15.0 | -5.0 | -25.0% | better "
                    "|  |\n"
                    "| Audits good or better | \u2013 | 61.4% | \u2013 | "
                    "\u2013 | \u2013 |  |\n"
                    "| Referral quality (mean score) | \u2013 | \u2013 | "
                    "\u2013 | \u2013 | \u2013 | the intake service could "
                    "not be reached |\n"));
  // Last in the report.
  EXPECT_LT(md.find("## Practice insight"), md.find("## What changed"));
  // Without notes, no note column.
  report.mutable_what_changed()
      ->mutable_comparison()
      ->mutable_changes()
      ->RemoveLast();
  EXPECT_THAT(RenderPracticeReportMarkdown(report),
              HasSubstr("| figure | before | after | change | relative change "
                        "| verdict |\n|---|---:|---:|---:|---:|---|\n"));
}

TEST(ReportMarkdownTest, InsightAndWhatChangedUnavailableOrNotDeployed) {
  gv1::PracticeReport report = SeedReport();
  report.mutable_insight()->mutable_status()->set_state(
      gv1::SECTION_STATE_UNAVAILABLE);
  report.mutable_insight()->mutable_status()->set_reason(
      "the KPI service could not be reached");
  report.mutable_what_changed()->mutable_status()->set_state(
      gv1::SECTION_STATE_NOT_DEPLOYED);
  report.mutable_what_changed()->mutable_status()->set_reason(
      "no service is deployed");
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("## Practice insight\n\n> **Unavailable:** the KPI "
                            "service could not be reached. The rest of the "
                            "report is complete.\n\n## What changed\n\n> "
                            "**Not deployed:** no service is deployed.\n"));
  EXPECT_THAT(md, Not(HasSubstr("### Referral quality")));
}

// Outward-facing: the withheld insight and what-changed values show as
// "<5".
TEST(ReportMarkdownTest, WithheldInsightValuesShowAsUnderFive) {
  gv1::PracticeReport report = SeedReport();
  AddInsight(&report);
  AddWhatChanged(&report);
  report.set_suppressed(true);
  for (const char* path : {
           "insight.duplicate_input.by_source[1].duplicates",
           "insight.duplicate_input.by_source[1].percent",
           "insight.funnel.stages[4].by_category[4].count",
           "insight.funnel.stages[4].by_category[4].percent",
           "insight.funnel.stages[4].conversions[4].percent",
           "insight.visit_quality.months[2].seen_alone",
           "insight.visit_quality.months[2].seen_alone_percent",
           "insight.service_flows.months[1].closures[2].closures",
           "what_changed.comparison.changes[0].before",
           "what_changed.comparison.changes[0].absolute_change",
           "what_changed.comparison.changes[0].relative_change_percent",
       }) {
    report.add_suppressed_fields(path);
  }
  const std::string md = RenderPracticeReportMarkdown(report);
  EXPECT_THAT(md, HasSubstr("| 2A Schools | 40 | <5 | <5 |"));
  EXPECT_THAT(md, HasSubstr("| CP plan | 20 | 9 (45.0%) | 3 (15.0%) | 3 "
                            "(15.0%) | 4 (20.0%) | <5 | 0 (0.0%) |"));
  EXPECT_THAT(md, HasSubstr("| CP plan | 90.0% | 50.0% | 75.0% | 100.0% | <5 "
                            "| \u2013 |"));
  EXPECT_THAT(md, HasSubstr("| 2023-06 | 85.3% | 96.0% | 75.0% | 80.0% | "
                            "\u2013 | <5 |"));
  EXPECT_THAT(md, HasSubstr("| RC9 Closed after assessment, referred to early "
                            "help | <5 |"));
  EXPECT_THAT(md, HasSubstr("| Contacts | <5 | 8,322 | <5 | <5 | \u2013 |  |"));
  // Not listed: shown.
  EXPECT_THAT(md, HasSubstr("| 6 Police | 140 | 24 | 17.1% |"));
}

}  // namespace
}  // namespace sgm::gateway
