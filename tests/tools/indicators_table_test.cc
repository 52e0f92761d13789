// The KPI tables on hand-built answers: no percent, RAG words, targets,
// comparators, watchlists and case status.
#include "tools/sgm/indicators_table.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sgm::cli {
namespace {

using ::sgm::kpi::v1::DIRECTION_HIGHER_IS_BETTER;
using ::sgm::kpi::v1::DIRECTION_LOWER_IS_BETTER;
using ::sgm::kpi::v1::GetIndicatorsResponse;
using ::sgm::kpi::v1::Indicator;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kDash = "\u2013";

Indicator* AddIndicator(GetIndicatorsResponse* response, absl::string_view id,
                        absl::string_view title) {
  Indicator* i = response->add_indicators();
  i->set_id(std::string(id));
  i->set_title(std::string(title));
  i->set_target(90.0);
  i->set_amber_margin(5.0);
  i->set_direction(DIRECTION_HIGHER_IS_BETTER);
  return i;
}

GetIndicatorsResponse Sample() {
  GetIndicatorsResponse response;
  response.mutable_month()->set_year(2024);
  response.mutable_month()->set_month(5);
  response.mutable_month_end()->set_year(2024);
  response.mutable_month_end()->set_month(5);
  response.mutable_month_end()->set_day(31);

  Indicator* visits = AddIndicator(&response, "cic_visits_in_time",
                                   "Children in care visited in time");
  visits->set_numerator(7);
  visits->set_denominator(8);
  visits->set_percent(87.5);
  visits->set_six_month_average(88.26);
  visits->set_rag(sgm::kpi::v1::RAG_AMBER);
  auto* england = visits->add_comparators();
  england->set_name("England");
  england->set_year(2023);
  england->set_value(91.2);
  auto* neighbours = visits->add_comparators();
  neighbours->set_name("Statistical neighbours");
  neighbours->set_year(2023);
  neighbours->set_value(89.0);

  Indicator* reviews = AddIndicator(&response, "cic_reviews_in_time",
                                    "Children in care reviewed in time");
  reviews->set_rag(sgm::kpi::v1::RAG_NONE);

  Indicator* repeat = AddIndicator(&response, "repeat_cp_plans",
                                   "Repeat child protection plans");
  repeat->set_numerator(1);
  repeat->set_denominator(4);
  repeat->set_percent(25.0);
  repeat->set_target(20.0);
  repeat->set_direction(DIRECTION_LOWER_IS_BETTER);
  repeat->set_rag(sgm::kpi::v1::RAG_RED);

  Indicator* icpc = AddIndicator(
      &response, "icpc_in_15wd",
      "Initial child protection conferences within 15 working days");
  icpc->set_numerator(1234);
  icpc->set_denominator(1234);
  icpc->set_percent(100.0);
  icpc->set_target(85.0);
  icpc->set_rag(sgm::kpi::v1::RAG_GREEN);
  return response;
}

// The table's line that starts with `title` (after the indent).
std::string RowOf(const std::string& table, absl::string_view title) {
  const size_t at = table.find(absl::StrCat("  ", title));
  if (at == std::string::npos) return "";
  const size_t end = table.find('\n', at);
  return table.substr(at, end - at);
}

TEST(IndicatorsTableTest, PercentTextIsADashWithoutADenominator) {
  const GetIndicatorsResponse response = Sample();
  EXPECT_EQ(IndicatorPercentText(response.indicators(0)), "87.5%");
  EXPECT_EQ(IndicatorPercentText(response.indicators(1)), kDash);
  EXPECT_EQ(IndicatorPercentText(response.indicators(3)), "100.0%");
}

TEST(IndicatorsTableTest, TargetShowsTheDirection) {
  const GetIndicatorsResponse response = Sample();
  EXPECT_EQ(TargetText(response.indicators(0)), ">= 90.0");
  EXPECT_EQ(TargetText(response.indicators(2)), "<= 20.0");
  EXPECT_EQ(TargetText(response.indicators(3)), ">= 85.0");
}

TEST(IndicatorsTableTest, RagWords) {
  EXPECT_EQ(RagWord(sgm::kpi::v1::RAG_GREEN), "GREEN");
  EXPECT_EQ(RagWord(sgm::kpi::v1::RAG_AMBER), "AMBER");
  EXPECT_EQ(RagWord(sgm::kpi::v1::RAG_RED), "RED");
  EXPECT_EQ(RagWord(sgm::kpi::v1::RAG_NONE), kDash);
  EXPECT_EQ(RagWord(sgm::kpi::v1::RAG_UNSPECIFIED), kDash);
}

TEST(IndicatorsTableTest, OneRowPerIndicator) {
  const std::string table = RenderIndicatorsTable(Sample());
  EXPECT_THAT(table,
              HasSubstr("Indicators for May 2024 (snapshot 2024-05-31)"));

  const std::string visits = RowOf(table, "Children in care visited in time");
  EXPECT_THAT(visits, HasSubstr(" 87.5% "));
  EXPECT_THAT(visits, HasSubstr(" 7/8 "));
  EXPECT_THAT(visits, HasSubstr(" 88.3% ")) << "6-month average, 1 dp";
  EXPECT_THAT(visits, HasSubstr(">= 90.0"));
  EXPECT_THAT(visits, HasSubstr("AMBER"));
  EXPECT_THAT(visits,
              HasSubstr("England 2023 91.2; Statistical neighbours 2023 89.0"));

  const std::string reviews = RowOf(table, "Children in care reviewed in time");
  EXPECT_THAT(reviews, HasSubstr(absl::StrCat(" ", kDash, " ")));
  EXPECT_THAT(reviews, HasSubstr(" 0/0 "));
  EXPECT_THAT(reviews, Not(HasSubstr("%"))) << "no percent, no average";

  const std::string repeat = RowOf(table, "Repeat child protection plans");
  EXPECT_THAT(repeat, HasSubstr("<= 20.0"));
  EXPECT_THAT(repeat, HasSubstr("RED"));
  EXPECT_THAT(repeat, HasSubstr(" 25.0% "));

  const std::string icpc = RowOf(table, "Initial child protection conferences");
  EXPECT_THAT(icpc, HasSubstr("1,234/1,234"));
  EXPECT_THAT(icpc, HasSubstr("GREEN"));
}

TEST(IndicatorsTableTest, ColumnsLineUpWithTheDash) {
  // The en dash is three bytes but one column: the target column starts at
  // the same character on every row.
  const std::string table = RenderIndicatorsTable(Sample());
  const auto column_of = [](const std::string& row, absl::string_view text) {
    const size_t at = row.find(std::string(text));
    size_t chars = 0;
    for (size_t i = 0; i < at && i < row.size(); ++i) {
      if ((static_cast<unsigned char>(row[i]) & 0xC0) != 0x80) ++chars;
    }
    return chars;
  };
  EXPECT_EQ(
      column_of(RowOf(table, "Children in care visited in time"), ">= 90.0"),
      column_of(RowOf(table, "Children in care reviewed in time"), ">= 90.0"));
  EXPECT_EQ(
      column_of(RowOf(table, "Children in care visited in time"), ">= 90.0"),
      column_of(RowOf(table, "Repeat child protection plans"), "<= 20.0"));
}

TEST(IndicatorsTableTest, DataQualityFindingsOnlyWhenThereAreSome) {
  GetIndicatorsResponse response = Sample();
  EXPECT_THAT(RenderIndicatorsTable(response),
              Not(HasSubstr("Data-quality findings")));
  response.set_data_quality_findings(2);
  EXPECT_THAT(RenderIndicatorsTable(response),
              HasSubstr("Data-quality findings in the events: 2"));
}

TEST(IndicatorsTableTest, JsonUsesTheProtobufMapping) {
  absl::StatusOr<std::string> json = RenderMessageJson(Sample());
  ASSERT_TRUE(json.ok()) << json.status();
  const nlohmann::json parsed = nlohmann::json::parse(*json, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << *json;
  ASSERT_EQ(parsed["indicators"].size(), 4u);
  EXPECT_EQ(parsed["indicators"][0]["numerator"], "7") << "int64 as a string";
  EXPECT_EQ(parsed["indicators"][0]["rag"], "RAG_AMBER");
  EXPECT_FALSE(parsed["indicators"][1].contains("percent"))
      << "absent without a denominator";
  EXPECT_EQ(parsed["indicators"][2]["direction"], "DIRECTION_LOWER_IS_BETTER");
  EXPECT_EQ(parsed["month_end"]["day"], 31);
}

TEST(IndicatorsTableTest, WatchlistNames) {
  EXPECT_EQ(ParseWatchlistName("cp-2-years"),
            sgm::kpi::v1::WATCHLIST_CP_PLAN_2_YEARS);
  EXPECT_EQ(ParseWatchlistName("s47-over-10wd"),
            sgm::kpi::v1::WATCHLIST_S47_OVER_10_WORKING_DAYS);
  EXPECT_EQ(ParseWatchlistName("pre-proceedings-12-weeks"),
            sgm::kpi::v1::WATCHLIST_PRE_PROCEEDINGS_12_WEEKS);
  EXPECT_EQ(ParseWatchlistName("under-1-cp"),
            sgm::kpi::v1::WATCHLIST_UNDER_1_ON_CP_PLAN);
  EXPECT_EQ(ParseWatchlistName("under-1"), std::nullopt);
  EXPECT_EQ(ParseWatchlistName(""), std::nullopt);
}

TEST(IndicatorsTableTest, WatchlistRows) {
  sgm::kpi::v1::ListWatchlistResponse page;
  page.set_total_size(2);
  auto* a = page.add_entries();
  a->set_child_id("CH-0001");
  a->set_ref_id("CP-9");
  a->mutable_since()->set_year(2024);
  a->mutable_since()->set_month(3);
  a->mutable_since()->set_day(1);
  a->set_days(91);
  a->set_worker_id("W7");
  a->set_team("North");
  auto* b = page.add_entries();
  b->set_child_id("CH-2");
  b->set_ref_id("CP-10");
  b->mutable_since()->set_year(2024);
  b->mutable_since()->set_month(5);
  b->mutable_since()->set_day(2);
  b->set_days(29);
  sgm::type::v1::Date as_of;
  as_of.set_year(2024);
  as_of.set_month(5);
  as_of.set_day(31);
  const std::string table = RenderWatchlistTable(
      sgm::kpi::v1::WATCHLIST_UNDER_1_ON_CP_PLAN, as_of, page);
  EXPECT_THAT(table, HasSubstr("Under 1 on a CP plan (as of 2024-05-31): 2 "
                               "children"));
  EXPECT_THAT(table, HasSubstr("child    ref    since         days  worker  "
                               "team"));
  EXPECT_THAT(table, HasSubstr("CH-0001  CP-9   2024-03-01      91  W7      "
                               "North"));
  EXPECT_THAT(table, HasSubstr(absl::StrCat("CH-2     CP-10  2024-05-02      "
                                            "29  ",
                                            kDash, "       ", kDash)))
      << "no allocation";

  EXPECT_THAT(RenderWatchlistTable(sgm::kpi::v1::WATCHLIST_CP_PLAN_2_YEARS,
                                   sgm::type::v1::Date(),
                                   sgm::kpi::v1::ListWatchlistResponse()),
              HasSubstr("CP plan 2 years or more (as of today): 0 children"));
}

TEST(IndicatorsTableTest, CaseStatusSharesAndRates) {
  sgm::kpi::v1::CaseStatus status;
  status.mutable_month()->set_year(2024);
  status.mutable_month()->set_month(5);
  auto* open = status.mutable_open_cases();
  open->set_early_help(1);
  open->set_child_in_need(1);
  open->set_child_protection(2);
  open->set_child_in_care(0);
  open->set_total(4);
  status.set_population_0_17(50000);
  status.set_population_year(2023);
  status.mutable_children_in_care()->set_children(0);
  status.mutable_children_in_care()->set_per_10k(0);
  auto* cp = status.mutable_child_protection();
  cp->set_children(2);
  auto* england = cp->add_comparators();
  england->set_name("England");
  england->set_year(2023);
  england->set_value(41.6);
  status.set_referrals(3);
  auto* watch = status.add_watchlists();
  watch->set_watchlist(sgm::kpi::v1::WATCHLIST_UNDER_1_ON_CP_PLAN);
  watch->set_children(1);

  const std::string table = RenderCaseStatusTable(status);
  EXPECT_THAT(table, HasSubstr("Case status for May 2024"));
  EXPECT_THAT(RowOf(table, "Child protection"), HasSubstr("2    50.0%"));
  EXPECT_THAT(RowOf(table, "Early Help"), HasSubstr("1    25.0%"));
  EXPECT_THAT(RowOf(table, "Total"), HasSubstr("4   100.0%"));
  EXPECT_THAT(table, HasSubstr("(population 50,000, 2023)"));
  // The rates section's child protection row: no rate, with a comparator.
  const size_t rates = table.find("Rates per 10,000");
  ASSERT_NE(rates, std::string::npos);
  const std::string cp_rate = RowOf(table.substr(rates), "Child protection");
  EXPECT_THAT(cp_rate,
              HasSubstr(absl::StrCat("2", std::string(9, ' '), kDash)));
  EXPECT_THAT(cp_rate, HasSubstr("England 2023 41.6"));
  EXPECT_THAT(table, HasSubstr("Referrals in month"));
  EXPECT_THAT(RowOf(table, "Under 1 on a CP plan"), HasSubstr(" 1"));
}

TEST(IndicatorsTableTest, CaseStatusWithNothingOpen) {
  sgm::kpi::v1::CaseStatus status;
  const std::string table = RenderCaseStatusTable(status);
  EXPECT_THAT(RowOf(table, "Total"), HasSubstr(kDash)) << "no share of 0";
  EXPECT_THAT(table, HasSubstr("(no population configured)"));
}

TEST(IndicatorsTableTest, Caseloads) {
  sgm::kpi::v1::ListCaseloadsResponse response;
  response.set_workers(2);
  response.set_allocated_children(5);
  response.set_mean_caseload(2.5);
  auto* w = response.add_caseloads();
  w->set_worker_id("W1");
  w->set_team("North");
  w->set_open_cases(3);
  const std::string table =
      RenderCaseloadsTable(sgm::type::v1::Date(), "North", response);
  EXPECT_THAT(table, HasSubstr("Caseloads as of today, team North: 2 workers, "
                               "5 allocated children, mean caseload 2.5"));
  EXPECT_THAT(table, HasSubstr("W1      North           3"));
}

}  // namespace
}  // namespace sgm::cli
