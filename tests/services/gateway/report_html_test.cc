// The practice report as HTML, on a report built by hand from the published
// figures (shared/data/seed-figures.json: July 2023), as the Markdown test
// does, with a short trend for the charts.
#include "services/gateway/report_html.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
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

void AddContactMonth(int year, int month, int64_t contacts, int64_t year_before,
                     iv1::FrontDoorFigures* f) {
  iv1::MonthCount* m = f->add_trend();
  SetMonth(year, month, m->mutable_month());
  m->set_contacts(contacts);
  m->set_contacts_year_before(year_before);
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
  AddContactMonth(2023, 5, 2100, 2000, f);
  AddContactMonth(2023, 6, 2650, 2400, f);
  AddContactMonth(2023, 7, 2774, 2417, f);
  f->mutable_trend(2)->set_change_percent(14.8);
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
  need = f->add_by_primary_need();
  need->set_code("N2");
  need->set_label("Child's disability");
  need->set_count(472);
  need->set_percent(17.0);

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
  kv1::Indicator* red = performance->mutable_indicators()->add_indicators();
  red->set_id("cp_visits_in_time");
  red->set_title("CP visits in time");
  red->set_numerator(70);
  red->set_denominator(100);
  red->set_percent(70.0);
  red->set_target(90);
  red->set_rag(kv1::RAG_RED);
  kv1::Indicator* none = performance->mutable_indicators()->add_indicators();
  none->set_id("icpc_in_15wd");
  none->set_title("ICPCs within 15 working days");
  none->set_rag(kv1::RAG_NONE);
  kv1::IndicatorTrend* trend = performance->add_trends();
  trend->set_id("cpp_reviews_in_time");
  kv1::TrendPoint* point = trend->add_points();
  SetMonth(2023, 6, point->mutable_month());
  point->set_percent(97.0);
  point = trend->add_points();
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
  SetMonth(2023, 6, wpoint->mutable_month());
  wpoint->set_fte_in_post(118);
  wpoint->set_agency_fte(2.5);
  wpoint->set_mean_caseload(16);
  wpoint = workforce->add_trend();
  SetMonth(2023, 7, wpoint->mutable_month());
  wpoint->set_fte_in_post(120.25);
  wpoint->set_agency_fte(1.5);
  wpoint->set_absence_days_per_fte(9.33);
  wpoint->set_mean_caseload(15);
  return report;
}

using report_fixture::AddQuality;

// The text of the report section whose class ends `name`, to its close.
std::string Section(const std::string& html, absl::string_view name) {
  const std::string open = absl::StrCat(
      "<section class=\"sgm-report-section sgm-section-", name, "\">");
  const size_t start = html.find(open);
  if (start == std::string::npos) return "";
  const size_t end = html.find("</section>", start);
  return html.substr(start, end - start);
}

// The JSON text of chart `id`, or "" when there is none.
std::string ChartText(const std::string& html, absl::string_view id) {
  const std::string open = absl::StrCat(
      "<script type=\"application/json\" class=\"sgm-chart-data\" "
      "data-chart-id=\"",
      id, "\">");
  const size_t start = html.find(open);
  if (start == std::string::npos) return "";
  const size_t from = start + open.size();
  return html.substr(from, html.find("</script>", from) - from);
}

nlohmann::json Chart(const std::string& html, absl::string_view id) {
  return nlohmann::json::parse(ChartText(html, id), nullptr, false);
}

TEST(ReportPathTest, FieldsAndIndices) {
  EXPECT_EQ(ReportPath().text(), "");
  EXPECT_EQ(ReportPath().Field("front_door").text(), "front_door");
  EXPECT_EQ(ReportPath()
                .Field("front_door")
                .Field("figures")
                .Field("by_source")
                .At(2)
                .Field("count")
                .text(),
            "front_door.figures.by_source[2].count");
  EXPECT_EQ(ReportPath()
                .Field("performance")
                .Field("trends")
                .At(0)
                .Field("points")
                .At(11)
                .Field("percent")
                .text(),
            "performance.trends[0].points[11].percent");
}

TEST(ReportHtmlTest, ShapeOfTheSourceReports) {
  const std::string html = RenderReportHtmlFragment(SeedReport());
  EXPECT_EQ(html.rfind("<section class=\"sgm-report\"", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<h1>Monitoring Safeguarding Practice: July "
                              "2023</h1>"));
  EXPECT_THAT(html, HasSubstr("Authority <strong>831</strong>"));
  EXPECT_THAT(html, HasSubstr("2023-08-03T10:30:00Z"));
  EXPECT_THAT(html, Not(HasSubstr("Counts under 5 are suppressed")));
  EXPECT_THAT(html, Not(HasSubstr("style=")));

  // Front door.
  const std::string front = Section(html, "front-door");
  EXPECT_THAT(front, HasSubstr("<h2>Front door: contacts</h2>"));
  EXPECT_THAT(front, HasSubstr("<th scope=\"row\">July 2023</th>"
                               "<td class=\"sgm-num\">2,774</td>"));
  EXPECT_THAT(front, HasSubstr("<th scope=\"row\">July 2022</th>"
                               "<td class=\"sgm-num\">2,417</td>"));
  EXPECT_THAT(front, HasSubstr("<td class=\"sgm-num\">+14.8%</td>"));
  EXPECT_THAT(front, HasSubstr("This year (2023-01-01 to 2023-07-31)</th>"
                               "<td class=\"sgm-num\">22,510</td>"
                               "<td class=\"sgm-num\">743.0</td>"));
  EXPECT_THAT(front, HasSubstr("Last year (2022-01-01 to 2022-07-31)</th>"
                               "<td class=\"sgm-num\">20,207</td>"
                               "<td class=\"sgm-num\">667.0</td>"));
  EXPECT_THAT(front, HasSubstr("(change +11.4%)"));
  EXPECT_THAT(front, HasSubstr("referral or strategy discussion</th>"
                               "<td class=\"sgm-num\">405</td>"
                               "<td class=\"sgm-num\">2,700</td>"
                               "<td class=\"sgm-num\">15.0%</td>"));
  EXPECT_THAT(front, HasSubstr("<th scope=\"row\">N1 Abuse or neglect</th>"
                               "<td class=\"sgm-num\">2,302</td>"
                               "<td class=\"sgm-num\">83.0%</td>"));
  EXPECT_THAT(front, HasSubstr("<th scope=\"row\">June 2023</th>"
                               "<td class=\"sgm-num\">2,650</td>"
                               "<td class=\"sgm-num\">2,400</td>"
                               "<td class=\"sgm-num\">\u2013</td>"));
  EXPECT_THAT(front, HasSubstr("<canvas class=\"sgm-chart\" "
                               "data-chart-id=\"front-door-trend\""));
  EXPECT_THAT(front, HasSubstr("<figcaption>"));

  // Indicators beside their comparators, RAG as a word and a class.
  const std::string indicators = Section(html, "indicators");
  EXPECT_THAT(indicators, HasSubstr("<h2>Performance indicators</h2>"));
  EXPECT_THAT(indicators,
              HasSubstr("<th scope=\"col\">indicator</th><th scope=\"col\">"
                        "this month</th><th scope=\"col\">6-month average"
                        "</th><th scope=\"col\">statistical neighbours</th>"
                        "<th scope=\"col\">region</th><th scope=\"col\">"
                        "England</th>"));
  EXPECT_THAT(indicators,
              HasSubstr("<th scope=\"row\">CP plans reviewed in time</th>"
                        "<td class=\"sgm-num\">95.7% (134/140)</td>"
                        "<td class=\"sgm-num\">97.1%</td>"
                        "<td class=\"sgm-num\">90.8%</td>"
                        "<td class=\"sgm-num\">87.9%</td>"
                        "<td class=\"sgm-num\">89.3%</td>"
                        "<td>\u2265 90.0%</td>"
                        "<td class=\"sgm-rag sgm-rag-green\">GREEN</td>"));
  EXPECT_THAT(indicators,
              HasSubstr("<td class=\"sgm-rag sgm-rag-red\">RED</td>"));
  EXPECT_THAT(indicators, HasSubstr("<td class=\"sgm-num\">\u2013 (none "
                                    "due)</td>"));
  EXPECT_THAT(indicators, HasSubstr("Comparators: Statistical neighbours "
                                    "2021-22; East Midlands 2021-22; England "
                                    "2021-22."));
  EXPECT_THAT(indicators, HasSubstr("<th scope=\"row\">2023-07</th>"
                                    "<td class=\"sgm-num\">95.7%</td>"));

  // Case status, rates and watchlists.
  const std::string cases = Section(html, "case-status");
  EXPECT_THAT(cases, HasSubstr("<h2>Case status</h2>"));
  EXPECT_THAT(cases, HasSubstr("Open cases at 2023-07-31: <strong>3,750"
                               "</strong>"));
  EXPECT_THAT(cases, HasSubstr("<th scope=\"row\">Early Help</th>"
                               "<td class=\"sgm-num\">1,425</td>"
                               "<td class=\"sgm-num\">38.0%</td>"));
  EXPECT_THAT(cases, HasSubstr("<th scope=\"row\">Children in care</th>"
                               "<td class=\"sgm-num\">662</td>"
                               "<td class=\"sgm-num\">100</td>"
                               "<td class=\"sgm-num\">82</td>"
                               "<td class=\"sgm-num\">65</td>"
                               "<td class=\"sgm-num\">70</td>"));
  const std::string watch = Section(html, "watchlists");
  EXPECT_THAT(watch, HasSubstr("<h2>Lines of sight on risk</h2>"));
  EXPECT_THAT(watch, HasSubstr("<th scope=\"row\">CP plan 2 years or more"
                               "</th><td class=\"sgm-num\">12</td>"));

  // Quality: a plain notice.
  const std::string quality = Section(html, "quality");
  EXPECT_THAT(quality, HasSubstr("<h2>Quality assurance</h2>"));
  EXPECT_THAT(quality, HasSubstr("class=\"sgm-notice sgm-not-deployed\""));
  EXPECT_THAT(quality, HasSubstr("no quality-assurance service is deployed."));
  EXPECT_THAT(quality, Not(HasSubstr("<table")));

  // Workforce.
  const std::string workforce = Section(html, "workforce");
  EXPECT_THAT(workforce, HasSubstr("<h2>Workforce</h2>"));
  EXPECT_THAT(workforce,
              HasSubstr("<th scope=\"col\">maternity</th><th scope=\"col\">"
                        "agency</th><th scope=\"col\">long-term absence</th>"));
  EXPECT_THAT(workforce,
              HasSubstr("<th scope=\"row\">Children&#39;s Safeguarding</th>"
                        "<td class=\"sgm-num\">60</td>"
                        "<td class=\"sgm-num\">2</td>"
                        "<td class=\"sgm-num\">1.5</td>"
                        "<td class=\"sgm-num\">2</td>"));
  EXPECT_THAT(workforce, HasSubstr("<tr class=\"sgm-total\"><th scope=\"row\">"
                                   "Total</th><td class=\"sgm-num\">120.25"
                                   "</td>"));
  EXPECT_THAT(workforce, HasSubstr("Absence: 9.33 days lost per FTE"));
  EXPECT_THAT(workforce, HasSubstr("<th scope=\"row\">Qualified social workers"
                                   "</th><td class=\"sgm-num\">80</td>"
                                   "<td class=\"sgm-num\">1,200</td>"
                                   "<td class=\"sgm-num\">15.0</td>"));
  EXPECT_THAT(workforce, HasSubstr("<td class=\"sgm-num\">\u00a39,400,000</td>"
                                   "<td class=\"sgm-num\">\u00a35,400,000</td>"
                                   "<td class=\"sgm-num\">\u00a3123,457</td>"));
  EXPECT_THAT(workforce, HasSubstr("<th scope=\"row\">2023-06</th>"
                                   "<td class=\"sgm-num\">118</td>"
                                   "<td class=\"sgm-num\">2.5</td>"));
}

TEST(ReportHtmlTest, EveryChartIsThereAndParses) {
  const std::string html = RenderReportHtmlFragment(SeedReport());
  for (const char* id :
       {"front-door-trend", "front-door-primary-need", "indicators-trend",
        "indicators-comparators", "rates-comparators", "workforce-areas",
        "workforce-caseloads", "workforce-trend"}) {
    SCOPED_TRACE(id);
    EXPECT_THAT(html,
                HasSubstr(absl::StrCat(
                    "<canvas class=\"sgm-chart\" data-chart-id=\"", id, "\"")));
    const nlohmann::json chart = Chart(html, id);
    ASSERT_FALSE(chart.is_discarded()) << ChartText(html, id);
    EXPECT_TRUE(chart["type"] == "line" || chart["type"] == "bar");
    EXPECT_TRUE(chart["title"].is_string());
    EXPECT_FALSE(chart["labels"].empty());
    EXPECT_FALSE(chart["datasets"].empty());
  }

  const nlohmann::json trend = Chart(html, "front-door-trend");
  EXPECT_EQ(trend["type"], "line");
  EXPECT_EQ(trend["labels"],
            nlohmann::json::parse(R"(["May 2023","Jun 2023","Jul 2023"])"));
  EXPECT_EQ(trend["datasets"][0]["label"], "Contacts");
  EXPECT_EQ(trend["datasets"][0]["data"],
            nlohmann::json::parse("[2100,2650,2774]"));
  EXPECT_EQ(trend["datasets"][1]["label"], "Same month last year");
  EXPECT_EQ(trend["datasets"][1]["data"],
            nlohmann::json::parse("[2000,2400,2417]"));

  const nlohmann::json need = Chart(html, "front-door-primary-need");
  EXPECT_EQ(need["type"], "bar");
  EXPECT_EQ(need["labels"],
            nlohmann::json::parse(
                R"(["N1 Abuse or neglect","N2 Child's disability"])"));
  EXPECT_EQ(need["datasets"][0]["data"], nlohmann::json::parse("[2302,472]"));

  // This month beside the three comparators; an indicator with nothing due
  // and one without comparators leave gaps.
  const nlohmann::json versus = Chart(html, "indicators-comparators");
  EXPECT_EQ(versus["percent"], true);
  EXPECT_EQ(versus["labels"][0], "CP plans reviewed in time");
  EXPECT_EQ(versus["datasets"][0]["data"],
            nlohmann::json::parse("[95.7,70,null]"));
  EXPECT_EQ(versus["datasets"][1]["label"], "Statistical neighbours");
  EXPECT_EQ(versus["datasets"][1]["data"],
            nlohmann::json::parse("[90.8,null,null]"));
  EXPECT_EQ(versus["datasets"][3]["label"], "England");
  EXPECT_EQ(versus["datasets"][3]["data"][0], 89.3);

  const nlohmann::json lines = Chart(html, "indicators-trend");
  EXPECT_EQ(lines["datasets"][0]["label"], "CP plans reviewed in time");
  EXPECT_EQ(lines["datasets"][0]["data"], nlohmann::json::parse("[97,95.7]"));

  const nlohmann::json workforce = Chart(html, "workforce-trend");
  EXPECT_EQ(workforce["labels"],
            nlohmann::json::parse(R"(["Jun 2023","Jul 2023"])"));
  EXPECT_EQ(workforce["datasets"][0]["label"], "Agency FTE");
  EXPECT_EQ(workforce["datasets"][0]["data"],
            nlohmann::json::parse("[2.5,1.5]"));
  // June has no absence figure: a gap, not a zero.
  EXPECT_EQ(workforce["datasets"][1]["data"],
            nlohmann::json::parse("[null,9.33]"));

  const nlohmann::json areas = Chart(html, "workforce-areas");
  EXPECT_EQ(areas["stacked"], true);
  EXPECT_EQ(areas["horizontal"], true);
  // The Total row is in the table but not among the bars.
  EXPECT_EQ(areas["labels"],
            nlohmann::json::parse(R"(["Children's Safeguarding"])"));
  EXPECT_EQ(areas["datasets"][2]["label"], "Long-term absence");
  EXPECT_EQ(areas["datasets"][2]["data"], nlohmann::json::parse("[2]"));
}

TEST(ReportHtmlTest, UnavailableSectionsShowANoticeAndNoTable) {
  gv1::PracticeReport report = SeedReport();
  gv1::PerformanceSection* performance = report.mutable_performance();
  performance->Clear();
  performance->mutable_status()->set_state(gv1::SECTION_STATE_UNAVAILABLE);
  performance->mutable_status()->set_reason(
      "the KPI service could not be reached");
  report.mutable_front_door()->Clear();
  report.mutable_front_door()->mutable_status()->set_state(
      gv1::SECTION_STATE_NOT_DEPLOYED);
  report.mutable_front_door()->mutable_status()->set_reason(
      "no intake service is deployed");
  wv1::WorkforceFigures* w = report.mutable_workforce()->mutable_figures();
  w->clear_caseloads();
  w->set_caseloads_available(false);
  w->set_caseloads_unavailable_reason("KPI service unreachable");
  const std::string html = RenderReportHtmlFragment(report);

  const std::string kpi = Section(html, "performance");
  EXPECT_THAT(kpi, HasSubstr("<h2>Performance indicators, case status and "
                             "lines of sight on risk</h2>"));
  EXPECT_THAT(kpi, HasSubstr("<p class=\"sgm-notice sgm-unavailable\" "
                             "role=\"note\"><strong>Unavailable:</strong> the "
                             "KPI service could not be reached. The rest of "
                             "the report is complete.</p>"));
  EXPECT_THAT(kpi, Not(HasSubstr("<table")));
  EXPECT_THAT(kpi, Not(HasSubstr("<canvas")));
  EXPECT_THAT(html, Not(HasSubstr("Open cases at")));
  EXPECT_THAT(html, Not(HasSubstr("indicators-comparators")));

  const std::string front = Section(html, "front-door");
  EXPECT_THAT(front, HasSubstr("<p class=\"sgm-notice sgm-not-deployed\" "
                               "role=\"note\"><strong>Not deployed:</strong> "
                               "no intake service is deployed.</p>"));
  EXPECT_THAT(front, Not(HasSubstr("<table")));
  EXPECT_THAT(html, Not(HasSubstr("front-door-trend")));

  // The rest is all there.
  const std::string workforce = Section(html, "workforce");
  EXPECT_THAT(workforce, HasSubstr("<td class=\"sgm-num\">120.25</td>"));
  EXPECT_THAT(workforce, HasSubstr("<strong>Unavailable:</strong> caseloads "
                                   "(KPI service unreachable). The other "
                                   "workforce figures stand."));
  EXPECT_THAT(workforce, Not(HasSubstr("workforce-caseloads")));
}

TEST(ReportHtmlTest, HostileTextIsEscaped) {
  gv1::PracticeReport report = SeedReport();
  report.set_authority("<script>alert(1)</script>");
  report.mutable_front_door()
      ->mutable_figures()
      ->mutable_by_primary_need(0)
      ->set_label("</script><script>alert(2)</script>");
  report.mutable_performance()
      ->mutable_indicators()
      ->mutable_indicators(0)
      ->set_title("\"quoted\" & 'single' <b>");
  report.mutable_quality()->mutable_status()->set_reason(
      "<img src=x onerror=alert(3)>");
  const std::string html = RenderReportHtmlFragment(report);

  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("data-authority=\"&lt;script&gt;alert(1)&lt;"
                              "/script&gt;\""));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(3)&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;quoted&quot; &amp; &#39;single&#39; "
                              "&lt;b&gt;"));

  // In the chart JSON "<" is \u003c, so no "</script>" can close the block;
  // the JSON still reads back as the original text.
  const std::string need = ChartText(html, "front-door-primary-need");
  EXPECT_THAT(need, Not(HasSubstr("<")));
  EXPECT_THAT(need, HasSubstr("\\u003c/script\\u003e"));
  const nlohmann::json parsed = nlohmann::json::parse(need, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << need;
  EXPECT_EQ(parsed["labels"][0], "N1 </script><script>alert(2)</script>");
  const nlohmann::json versus = Chart(html, "indicators-comparators");
  ASSERT_FALSE(versus.is_discarded());
  EXPECT_EQ(versus["labels"][0], "\"quoted\" & 'single' <b>");

  // Every "<script" in the fragment is a chart's data block.
  size_t scripts = 0;
  size_t blocks = 0;
  for (size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1)) {
    ++scripts;
  }
  for (size_t at = html.find("class=\"sgm-chart-data\"");
       at != std::string::npos;
       at = html.find("class=\"sgm-chart-data\"", at + 1)) {
    ++blocks;
  }
  EXPECT_EQ(scripts, blocks);
  EXPECT_EQ(blocks, 8u);
}

TEST(ReportHtmlTest, SuppressedValuesShowUnder5AndLeaveChartGaps) {
  gv1::PracticeReport report = SeedReport();
  report.set_suppressed(true);
  iv1::FrontDoorFigures* f = report.mutable_front_door()->mutable_figures();
  f->mutable_by_primary_need(1)->set_count(0);
  f->mutable_by_primary_need(1)->set_percent(0);
  f->mutable_trend(0)->set_contacts_year_before(0);
  report.mutable_performance()
      ->mutable_case_status()
      ->mutable_watchlists(0)
      ->set_children(0);
  report.mutable_workforce()
      ->mutable_figures()
      ->mutable_caseloads(0)
      ->set_over_threshold(0);
  report.add_suppressed_fields("front_door.figures.by_primary_need[1].count");
  report.add_suppressed_fields("front_door.figures.by_primary_need[1].percent");
  report.add_suppressed_fields(
      "front_door.figures.trend[0].contacts_year_before");
  report.add_suppressed_fields(
      "performance.case_status.watchlists[0].children");
  report.add_suppressed_fields("workforce.figures.caseloads[0].over_threshold");
  const std::string html = RenderReportHtmlFragment(report);

  EXPECT_THAT(html, HasSubstr("Counts under 5 are suppressed"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">N2 Child&#39;s disability</th>"
                              "<td class=\"sgm-num\">&lt;5</td>"
                              "<td class=\"sgm-num\">&lt;5</td>"));
  // Its neighbour is not withheld.
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">N1 Abuse or neglect</th>"
                              "<td class=\"sgm-num\">2,302</td>"
                              "<td class=\"sgm-num\">83.0%</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">May 2023</th>"
                              "<td class=\"sgm-num\">2,100</td>"
                              "<td class=\"sgm-num\">&lt;5</td>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">CP plan 2 years or more</th>"
                              "<td class=\"sgm-num\">&lt;5</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"sgm-num\">15.0</td>"
                              "<td class=\"sgm-num\">&lt;5</td></tr>"));

  EXPECT_EQ(Chart(html, "front-door-primary-need")["datasets"][0]["data"],
            nlohmann::json::parse("[2302,null]"));
  const nlohmann::json trend = Chart(html, "front-door-trend");
  EXPECT_EQ(trend["datasets"][0]["data"],
            nlohmann::json::parse("[2100,2650,2774]"));
  EXPECT_EQ(trend["datasets"][1]["data"],
            nlohmann::json::parse("[null,2400,2417]"));
}

TEST(ReportHtmlTest, DocumentIsStandalone) {
  gv1::PracticeReport report = SeedReport();
  const std::string html = RenderReportHtmlDocument(report);
  EXPECT_EQ(html.rfind("<!doctype html>\n", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<title>Monitoring Safeguarding Practice - 831 "
                              "- July 2023</title>"));
  EXPECT_THAT(html, HasSubstr(RenderReportHtmlFragment(report)));
  // report.css, Chart.js and report_charts.js, inlined.
  EXPECT_THAT(html, HasSubstr("<style>\n/* The practice report"));
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, HasSubstr("Chart.js v4"));
  EXPECT_THAT(html, HasSubstr("window.SgmReportCharts = {"));
  EXPECT_THAT(html, HasSubstr("window.SgmReportCharts.drawAll(document)"));
  // Chart.js before the script that uses it, and that before the call.
  EXPECT_LT(html.find("Chart.js v4"), html.find("window.SgmReportCharts = {"));
  EXPECT_LT(html.find("window.SgmReportCharts = {"),
            html.find("window.SgmReportCharts.drawAll(document)"));
  // Nothing loaded from anywhere.
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr(" src=\"")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr(" href=\"")));

  report.set_authority("</title><script>alert(1)</script>");
  EXPECT_THAT(RenderReportHtmlDocument(report),
              HasSubstr("<title>Monitoring Safeguarding Practice - &lt;/title"
                        "&gt;&lt;script&gt;alert(1)&lt;/script&gt; - July "
                        "2023</title>"));
}

TEST(ReportHtmlTest, QualityAssuranceSection) {
  gv1::PracticeReport report = SeedReport();
  AddQuality(&report);
  const std::string html = RenderReportHtmlFragment(report);
  const std::string quality = Section(html, "quality");
  EXPECT_THAT(quality, HasSubstr("<h2>Quality assurance</h2>"));
  EXPECT_THAT(quality, Not(HasSubstr("sgm-notice")));
  EXPECT_THAT(quality,
              HasSubstr("<p class=\"sgm-headline\">Audits in July 2023: "
                        "<strong>12</strong>, good or better 58.3%. Over the "
                        "12 months to July 2023 (2022-08-01 to 2023-07-31): "
                        "140 audits, good or better 61.4%.</p>"));
  // The grade distribution by type, this month and over 12 months.
  EXPECT_THAT(quality, HasSubstr("<caption>Audits and grades, July 2023"
                                 "</caption>"));
  EXPECT_THAT(quality,
              HasSubstr("<tr class=\"sgm-total\"><th scope=\"row\">All "
                        "audits</th><td class=\"sgm-num\">12</td>"
                        "<td class=\"sgm-num\">1</td>"
                        "<td class=\"sgm-num\">6</td>"
                        "<td class=\"sgm-num\">4</td>"
                        "<td class=\"sgm-num\">1</td>"
                        "<td class=\"sgm-num\">58.3%</td></tr>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">Case-file audits</th>"
                                 "<td class=\"sgm-num\">8</td>"));
  EXPECT_THAT(quality, HasSubstr("<caption>Audits and grades, 12 months to "
                                 "July 2023</caption>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">Observations of practice"
                                 "</th><td class=\"sgm-num\">10</td>"));
  // Moderation, domains (top five), feedback, actions, re-audits, themes.
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">July 2023</th>"
                                 "<td class=\"sgm-num\">4</td>"
                                 "<td class=\"sgm-num\">3</td>"
                                 "<td class=\"sgm-num\">0</td>"
                                 "<td class=\"sgm-num\">1</td>"
                                 "<td class=\"sgm-num\">75.0%</td>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">Voice of the child</th>"
                                 "<td class=\"sgm-num\">12</td>"
                                 "<td class=\"sgm-num\">5</td>"
                                 "<td class=\"sgm-num\">41.7%</td>"));
  EXPECT_THAT(quality, HasSubstr("Risk assessment"));
  EXPECT_THAT(quality, Not(HasSubstr("Supervision")));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">Young people</th>"
                                 "<td class=\"sgm-num\">0</td>"
                                 "<td class=\"sgm-num\">\u2013</td>"
                                 "<td class=\"sgm-num\">12</td>"
                                 "<td class=\"sgm-num\">3.92</td>"));
  EXPECT_THAT(quality, HasSubstr("<tr class=\"sgm-total\"><th scope=\"row\">"
                                 "All feedback</th><td class=\"sgm-num\">5"
                                 "</td><td class=\"sgm-num\">4.00</td>"));
  EXPECT_THAT(quality, HasSubstr("<p>Open at 2023-07-31: 6, of which 2 "
                                 "overdue.</p>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">12 months to July 2023"
                                 "</th><td class=\"sgm-num\">60</td>"
                                 "<td class=\"sgm-num\">55</td>"
                                 "<td class=\"sgm-num\">44</td>"
                                 "<td class=\"sgm-num\">80.0%</td>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">12 months to July 2023"
                                 "</th><td class=\"sgm-num\">15</td>"
                                 "<td class=\"sgm-num\">9</td>"));
  EXPECT_THAT(quality, HasSubstr("<li>Child Protection (CP-2023, 2023-07-01 "
                                 "to 2023-08-31)</li>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">2023-07</th>"
                                 "<td class=\"sgm-num\">12</td>"
                                 "<td class=\"sgm-num\">58.3%</td>"
                                 "<td class=\"sgm-num\">75.0%</td>"
                                 "<td class=\"sgm-num\">5</td>"
                                 "<td class=\"sgm-num\">4.00</td>"
                                 "<td class=\"sgm-num\">6</td>"
                                 "<td class=\"sgm-num\">2</td>"));

  // The chart: audits a month as bars, the share good or better as a line
  // on a percent axis of its own (drawn on top: first).
  EXPECT_THAT(quality, HasSubstr("<canvas class=\"sgm-chart\" "
                                 "data-chart-id=\"quality-trend\""));
  const nlohmann::json chart = Chart(html, "quality-trend");
  ASSERT_FALSE(chart.is_discarded()) << ChartText(html, "quality-trend");
  EXPECT_EQ(chart["type"], "bar");
  EXPECT_EQ(chart["labels"],
            nlohmann::json::parse(R"(["Jun 2023","Jul 2023"])"));
  EXPECT_EQ(chart["yTitle"], "audits");
  EXPECT_EQ(chart["y2Title"], "good or better");
  EXPECT_EQ(chart["y2Percent"], true);
  EXPECT_EQ(chart["datasets"][0]["label"], "Good or better");
  EXPECT_EQ(chart["datasets"][0]["type"], "line");
  EXPECT_EQ(chart["datasets"][0]["axis"], "y2");
  EXPECT_EQ(chart["datasets"][0]["data"], nlohmann::json::parse("[60,58.3]"));
  EXPECT_EQ(chart["datasets"][1]["label"], "Audits");
  EXPECT_FALSE(chart["datasets"][1].contains("type"));
  EXPECT_EQ(chart["datasets"][1]["data"], nlohmann::json::parse("[10,12]"));
  // Other charts carry no second axis.
  EXPECT_FALSE(Chart(html, "front-door-trend").contains("y2Title"));
}

TEST(ReportHtmlTest, QualityUnavailableOrEmpty) {
  gv1::PracticeReport report = SeedReport();
  gv1::QualitySection* q = report.mutable_quality();
  q->Clear();
  q->mutable_status()->set_state(gv1::SECTION_STATE_UNAVAILABLE);
  q->mutable_status()->set_reason(
      "the quality-assurance service did not answer within 5s");
  std::string html = RenderReportHtmlFragment(report);
  std::string quality = Section(html, "quality");
  EXPECT_THAT(quality, HasSubstr("<p class=\"sgm-notice sgm-unavailable\" "
                                 "role=\"note\"><strong>Unavailable:</strong> "
                                 "the quality-assurance service did not answer "
                                 "within 5s. The rest of the report is "
                                 "complete.</p>"));
  EXPECT_THAT(quality, Not(HasSubstr("<table")));
  EXPECT_THAT(html, Not(HasSubstr("quality-trend")));
  EXPECT_THAT(Section(html, "workforce"), HasSubstr("120.25"));

  q->Clear();
  q->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  q->mutable_month()->mutable_audits()->set_label("Total");
  html = RenderReportHtmlFragment(report);
  quality = Section(html, "quality");
  EXPECT_THAT(quality, HasSubstr("<p>July 2023: no audits.</p>"));
  EXPECT_THAT(quality, HasSubstr("<p>12 months to July 2023: no graded "
                                 "domains.</p>"));
  EXPECT_THAT(quality, HasSubstr("<p>No feedback received.</p>"));
  EXPECT_THAT(quality, HasSubstr("<p>No theme is active in July 2023.</p>"));
  EXPECT_THAT(html, Not(HasSubstr("quality-trend")));
}

TEST(ReportHtmlTest, SuppressedQualityValuesShowUnder5AndLeaveChartGaps) {
  gv1::PracticeReport report = SeedReport();
  AddQuality(&report);
  report.set_suppressed(true);
  gv1::QualitySection* q = report.mutable_quality();
  q->mutable_trend(0)->clear_good_or_better_percent();
  q->mutable_trend(0)->set_overdue_actions(0);
  q->mutable_month()->mutable_moderation()->set_moderated(0);
  q->mutable_month()->mutable_moderation()->set_agreed(0);
  q->mutable_month()->mutable_moderation()->set_moderated_down(0);
  q->mutable_month()->mutable_moderation()->clear_agreement_percent();
  for (const char* path : {
           "quality.trend[0].overdue_actions",
           "quality.trend[0].good_or_better_percent",
           "quality.month.moderation.moderated",
           "quality.month.moderation.agreed",
           "quality.month.moderation.moderated_down",
           "quality.month.moderation.agreement_percent",
       }) {
    report.add_suppressed_fields(path);
  }
  const std::string html = RenderReportHtmlFragment(report);
  const std::string quality = Section(html, "quality");
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">July 2023</th>"
                                 "<td class=\"sgm-num\">&lt;5</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"
                                 "<td class=\"sgm-num\">0</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"));
  EXPECT_THAT(quality, HasSubstr("<th scope=\"row\">2023-06</th>"
                                 "<td class=\"sgm-num\">10</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"));
  const nlohmann::json chart = Chart(html, "quality-trend");
  EXPECT_EQ(chart["datasets"][0]["data"], nlohmann::json::parse("[null,58.3]"));
  EXPECT_EQ(chart["datasets"][1]["data"], nlohmann::json::parse("[10,12]"));
}

// --- practice insight and what changed ---------------------------------------

using insight_fixture::AddInsight;
using insight_fixture::AddWhatChanged;

TEST(ReportHtmlTest, PracticeInsightSection) {
  gv1::PracticeReport report = SeedReport();
  AddInsight(&report);
  const std::string html = RenderReportHtmlFragment(report);
  const std::string insight = Section(html, "insight");
  EXPECT_THAT(insight, HasSubstr("<h2>Practice insight</h2>"));
  EXPECT_THAT(insight, Not(HasSubstr("sgm-notice")));
  EXPECT_THAT(insight, HasSubstr("<p>Over the 12 months August 2022 to July "
                                 "2023.</p>"));
  // Referral quality.
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">SCHOOLS</th>"
                                 "<td class=\"sgm-num\">40</td>"
                                 "<td class=\"sgm-num\">58.5</td>"
                                 "<td class=\"sgm-num\">22</td>"
                                 "<td class=\"sgm-num\">55.0%</td>"
                                 "<td>Summary 60.0%; Date of birth 45.0%; "
                                 "Concerns 25.0%</td>"));
  EXPECT_THAT(insight, HasSubstr("<tr class=\"sgm-total\"><th scope=\"row\">"
                                 "All agencies</th><td class=\"sgm-num\">200"
                                 "</td><td class=\"sgm-num\">76.7</td>"));
  EXPECT_THAT(insight, HasSubstr("Referrer&#39;s organisation 10"));
  const nlohmann::json quality = Chart(html, "insight-referral-quality");
  ASSERT_FALSE(quality.is_discarded())
      << ChartText(html, "insight-referral-quality");
  EXPECT_EQ(quality["horizontal"], true);
  EXPECT_EQ(quality["labels"],
            nlohmann::json::parse(R"(["SCHOOLS","POLICE","All agencies"])"));
  EXPECT_EQ(quality["datasets"][0]["data"],
            nlohmann::json::parse("[58.5,81.3,76.7]"));
  // Duplicate input: the month, the 12 months, the months as bars with the
  // share as a line on a percent axis.
  EXPECT_THAT(insight, HasSubstr("in July 2023 15 of 95 contacts with a child "
                                 "identified (15.8%); over the 12 months 27 "
                                 "of 180 contacts with a child identified "
                                 "(15.0%).</p>"));
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">DOMESTIC_ABUSE Domestic "
                                 "abuse</th><td class=\"sgm-num\">60</td>"
                                 "<td class=\"sgm-num\">15</td>"
                                 "<td class=\"sgm-num\">25.0%</td>"));
  const nlohmann::json duplicates = Chart(html, "insight-duplicate-trend");
  ASSERT_FALSE(duplicates.is_discarded());
  EXPECT_EQ(duplicates["labels"],
            nlohmann::json::parse(R"(["Jun 2023","Jul 2023"])"));
  EXPECT_EQ(duplicates["y2Percent"], true);
  EXPECT_EQ(duplicates["datasets"][0]["axis"], "y2");
  EXPECT_EQ(duplicates["datasets"][0]["data"],
            nlohmann::json::parse("[14.1,15.8]"));
  EXPECT_EQ(duplicates["datasets"][1]["label"], "Duplicates");
  EXPECT_EQ(duplicates["datasets"][1]["data"],
            nlohmann::json::parse("[12,15]"));
  // The funnel: grouped bars by stage, one bar a category, of its share.
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">CP plan</th>"
                                 "<td class=\"sgm-num\">20</td>"
                                 "<td class=\"sgm-num\">9 (45.0%)</td>"
                                 "<td class=\"sgm-num\">3 (15.0%)</td>"));
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">ICPC</th>"
                                 "<td class=\"sgm-num\">66.7%</td>"
                                 "<td class=\"sgm-num\">50.0%</td>"
                                 "<td class=\"sgm-num\">80.0%</td>"
                                 "<td class=\"sgm-num\">66.7%</td>"
                                 "<td class=\"sgm-num\">50.0%</td>"
                                 "<td class=\"sgm-num\">\u2013</td></tr>"));
  EXPECT_THAT(insight, HasSubstr("<p>CP plans traced to a referral with a "
                                 "category: 18; category changed between "
                                 "referral and plan: Physical abuse to "
                                 "Emotional abuse: 2; Physical abuse to "
                                 "Neglect: 1.</p>"));
  const nlohmann::json funnel = Chart(html, "insight-funnel");
  ASSERT_FALSE(funnel.is_discarded());
  EXPECT_EQ(funnel["type"], "bar");
  EXPECT_EQ(funnel["percent"], true);
  EXPECT_EQ(funnel["labels"],
            nlohmann::json::parse(
                R"(["Contact","Referral","S47 enquiry","ICPC","CP plan"])"));
  ASSERT_EQ(funnel["datasets"].size(), 6u);
  EXPECT_EQ(funnel["datasets"][1]["label"], "Physical abuse");
  EXPECT_EQ(funnel["datasets"][1]["data"],
            nlohmann::json::parse("[25,25,30,24,15]"));
  // Visit quality: face to face month by month, one line a kind.
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">Child in care</th>"
                                 "<td class=\"sgm-num\">600</td>"
                                 "<td class=\"sgm-num\">600</td>"
                                 "<td class=\"sgm-num\">570</td>"
                                 "<td class=\"sgm-num\">95.0%</td>"
                                 "<td class=\"sgm-num\">0</td>"
                                 "<td class=\"sgm-num\">0</td>"
                                 "<td class=\"sgm-num\">\u2013</td>"));
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">2023-06</th>"
                                 "<td class=\"sgm-num\">85.3%</td>"
                                 "<td class=\"sgm-num\">96.0%</td>"
                                 "<td class=\"sgm-num\">75.0%</td>"
                                 "<td class=\"sgm-num\">80.0%</td>"
                                 "<td class=\"sgm-num\">\u2013</td>"
                                 "<td class=\"sgm-num\">50.0%</td>"));
  const nlohmann::json visits = Chart(html, "insight-visits-face-to-face");
  ASSERT_FALSE(visits.is_discarded());
  EXPECT_EQ(visits["type"], "line");
  EXPECT_EQ(visits["percent"], true);
  EXPECT_EQ(visits["datasets"][0]["label"], "Child protection");
  EXPECT_EQ(visits["datasets"][0]["data"],
            nlohmann::json::parse("[85.3,91.7]"));
  EXPECT_EQ(visits["datasets"][2]["label"], "Child in need");
  EXPECT_EQ(visits["datasets"][2]["data"], nlohmann::json::parse("[75,80]"));
  // Service-level flows: step downs, step ups and closures as bars.
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">2023-07</th>"
                                 "<td class=\"sgm-num\">21</td>"
                                 "<td class=\"sgm-num\">12</td>"
                                 "<td class=\"sgm-num\">9</td>"
                                 "<td class=\"sgm-num\">5</td>"
                                 "<td class=\"sgm-num\">52</td>"
                                 "<td class=\"sgm-num\">27</td>"
                                 "<td class=\"sgm-num\">48</td>"
                                 "<td class=\"sgm-num\">38.0%</td>"
                                 "<td class=\"sgm-num\">35.0%</td>"
                                 "<td class=\"sgm-num\">9.3%</td>"
                                 "<td class=\"sgm-num\">17.7%</td>"));
  EXPECT_THAT(insight, HasSubstr("<caption>Cases closed in July 2023 by "
                                 "reason</caption>"));
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">RC8 Closed after "
                                 "assessment, no further action</th>"
                                 "<td class=\"sgm-num\">25</td>"));
  const nlohmann::json flows = Chart(html, "insight-service-flows");
  ASSERT_FALSE(flows.is_discarded());
  EXPECT_EQ(flows["datasets"][0]["label"], "Step downs");
  EXPECT_EQ(flows["datasets"][0]["data"], nlohmann::json::parse("[18,21]"));
  EXPECT_EQ(flows["datasets"][1]["data"], nlohmann::json::parse("[6,5]"));
  EXPECT_EQ(flows["datasets"][2]["label"], "Closures");
  EXPECT_EQ(flows["datasets"][2]["data"], nlohmann::json::parse("[32,48]"));
}

TEST(ReportHtmlTest, WhatChangedSection) {
  gv1::PracticeReport report = SeedReport();
  AddWhatChanged(&report);
  const std::string html = RenderReportHtmlFragment(report);
  const std::string changed = Section(html, "what-changed");
  EXPECT_THAT(changed, HasSubstr("<h2>What changed</h2>"));
  EXPECT_THAT(changed, HasSubstr("<p class=\"sgm-headline\">May 2023 to July "
                                 "2023 against May 2022 to July 2022</p>"));
  EXPECT_THAT(changed, HasSubstr("<th scope=\"col\">before (May 2022 to July "
                                 "2022)</th><th scope=\"col\">after (May 2023 "
                                 "to July 2023)</th>"));
  EXPECT_THAT(changed, HasSubstr("<th scope=\"row\">Contacts</th>"
                                 "<td class=\"sgm-num\">7,251</td>"
                                 "<td class=\"sgm-num\">8,322</td>"
                                 "<td class=\"sgm-num\">+1,071</td>"
                                 "<td class=\"sgm-num\">+14.8%</td>"
                                 "<td class=\"sgm-rag sgm-rag-none\">\u2013"
                                 "</td><td></td></tr>"));
  EXPECT_THAT(changed, HasSubstr("<td class=\"sgm-num\">+6.5 points</td>"
                                 "<td class=\"sgm-num\">+7.9%</td>"
                                 "<td class=\"sgm-rag sgm-rag-green\">better"
                                 "</td>"));
  EXPECT_THAT(changed, HasSubstr("<td class=\"sgm-num\">-1.5 points</td>"
                                 "<td class=\"sgm-num\">-1.6%</td>"
                                 "<td class=\"sgm-rag sgm-rag-red\">worse"
                                 "</td>"));
  EXPECT_THAT(changed, HasSubstr("<th scope=\"row\">Mean caseload</th>"
                                 "<td class=\"sgm-num\">20.0</td>"
                                 "<td class=\"sgm-num\">15.0</td>"
                                 "<td class=\"sgm-num\">-5.0</td>"
                                 "<td class=\"sgm-num\">-25.0%</td>"));
  EXPECT_THAT(changed, HasSubstr("<th scope=\"row\">Audits good or better"
                                 "</th><td class=\"sgm-num\">\u2013</td>"
                                 "<td class=\"sgm-num\">61.4%</td>"));
  EXPECT_THAT(changed, HasSubstr("<td>the intake service could not be "
                                 "reached</td>"));
  // Last in the report.
  EXPECT_LT(html.find("sgm-section-insight"),
            html.find("sgm-section-what-changed"));
}

TEST(ReportHtmlTest, InsightAndWhatChangedUnavailable) {
  gv1::PracticeReport report = SeedReport();
  report.mutable_insight()->mutable_status()->set_state(
      gv1::SECTION_STATE_NOT_DEPLOYED);
  report.mutable_insight()->mutable_status()->set_reason(
      "no KPI service is deployed");
  report.mutable_what_changed()->mutable_status()->set_state(
      gv1::SECTION_STATE_UNAVAILABLE);
  report.mutable_what_changed()->mutable_status()->set_reason(
      "the comparison did not finish within 5s");
  const std::string html = RenderReportHtmlFragment(report);
  EXPECT_THAT(Section(html, "insight"),
              HasSubstr("<p class=\"sgm-notice sgm-not-deployed\" "
                        "role=\"note\"><strong>Not deployed:</strong> no KPI "
                        "service is deployed.</p>"));
  EXPECT_THAT(Section(html, "what-changed"),
              HasSubstr("<strong>Unavailable:</strong> the comparison did not "
                        "finish within 5s. The rest of the report is "
                        "complete.</p>"));
  EXPECT_THAT(html, Not(HasSubstr("insight-funnel")));
  EXPECT_THAT(Section(html, "what-changed"), Not(HasSubstr("<table")));
}

TEST(ReportHtmlTest, SuppressedInsightValuesShowUnder5AndLeaveChartGaps) {
  gv1::PracticeReport report = SeedReport();
  AddInsight(&report);
  AddWhatChanged(&report);
  report.set_suppressed(true);
  gv1::AbuseFunnelStage* plans =
      report.mutable_insight()->mutable_funnel()->mutable_stages(4);
  plans->mutable_by_category(4)->set_count(0);
  plans->mutable_by_category(4)->set_percent(0);
  plans->mutable_conversions(4)->clear_percent();
  gv1::FigureChange* contacts =
      report.mutable_what_changed()->mutable_comparison()->mutable_changes(0);
  contacts->clear_before();
  contacts->clear_absolute_change();
  contacts->clear_relative_change_percent();
  for (const char* path : {
           "insight.funnel.stages[4].by_category[4].count",
           "insight.funnel.stages[4].by_category[4].percent",
           "insight.funnel.stages[4].conversions[4].percent",
           "insight.visit_quality.months[2].seen_alone",
           "insight.visit_quality.months[2].seen_alone_percent",
           "what_changed.comparison.changes[0].before",
           "what_changed.comparison.changes[0].absolute_change",
           "what_changed.comparison.changes[0].relative_change_percent",
       }) {
    report.add_suppressed_fields(path);
  }
  const std::string html = RenderReportHtmlFragment(report);
  const std::string insight = Section(html, "insight");
  EXPECT_THAT(insight, HasSubstr("<td class=\"sgm-num\">4 (20.0%)</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"
                                 "<td class=\"sgm-num\">0 (0.0%)</td></tr>"));
  EXPECT_THAT(insight, HasSubstr("<td class=\"sgm-num\">100.0%</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"
                                 "<td class=\"sgm-num\">\u2013</td></tr>"));
  EXPECT_THAT(insight, HasSubstr("<th scope=\"row\">2023-06</th>"
                                 "<td class=\"sgm-num\">85.3%</td>"
                                 "<td class=\"sgm-num\">96.0%</td>"
                                 "<td class=\"sgm-num\">75.0%</td>"
                                 "<td class=\"sgm-num\">80.0%</td>"
                                 "<td class=\"sgm-num\">\u2013</td>"
                                 "<td class=\"sgm-num\">&lt;5</td>"));
  // The withheld share is a gap in the funnel chart, not a zero.
  const nlohmann::json funnel = Chart(html, "insight-funnel");
  EXPECT_EQ(funnel["datasets"][4]["label"], "Multiple");
  EXPECT_EQ(funnel["datasets"][4]["data"],
            nlohmann::json::parse("[5,6.3,5,4,null]"));
  EXPECT_THAT(Section(html, "what-changed"),
              HasSubstr("<th scope=\"row\">Contacts</th>"
                        "<td class=\"sgm-num\">&lt;5</td>"
                        "<td class=\"sgm-num\">8,322</td>"
                        "<td class=\"sgm-num\">&lt;5</td>"
                        "<td class=\"sgm-num\">&lt;5</td>"));
}

}  // namespace
}  // namespace sgm::gateway
