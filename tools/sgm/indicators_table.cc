#include "tools/sgm/indicators_table.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "tools/sgm/progress_bar.h"

namespace sgm::cli {
namespace {

using ::sgm::kpi::v1::CaseStatus;
using ::sgm::kpi::v1::Comparator;
using ::sgm::kpi::v1::GetIndicatorsResponse;
using ::sgm::kpi::v1::Indicator;
using ::sgm::kpi::v1::ListCaseloadsResponse;
using ::sgm::kpi::v1::ListWatchlistResponse;
using ::sgm::kpi::v1::OpenCases;
using ::sgm::kpi::v1::Rate;
using ::sgm::kpi::v1::Watchlist;
using ::sgm::kpi::v1::WatchlistEntry;
using ::sgm::kpi::v1::WorkerCaseload;

constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// The longest title column before titles are cut short.
constexpr size_t kMaxTitleWidth = 64;

std::string MonthName(const sgm::type::v1::YearMonth& month) {
  if (month.month() < 1 || month.month() > 12) {
    return absl::StrFormat("%04d-%02d", month.year(), month.month());
  }
  return absl::StrCat(kMonthNames[month.month() - 1], " ", month.year());
}

std::string IsoMonth(const sgm::type::v1::YearMonth& month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

bool IsEmpty(const sgm::type::v1::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

std::string IsoDate(const sgm::type::v1::Date& date) {
  if (IsEmpty(date)) return std::string(kNoFigure);
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string AsOfText(const sgm::type::v1::Date& as_of) {
  return IsEmpty(as_of) ? "today" : IsoDate(as_of);
}

std::string Percent(double percent) {
  return absl::StrFormat("%.1f%%", percent);
}

// Characters as a terminal shows them: UTF-8 continuation bytes not counted.
size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

// `text` padded with spaces to `width` characters, on the right (left
// aligned) or on the left (right aligned).
std::string Pad(absl::string_view text, size_t width, bool left_align) {
  const size_t shown = DisplayWidth(text);
  const std::string fill(shown < width ? width - shown : 0, ' ');
  return left_align ? absl::StrCat(text, fill) : absl::StrCat(fill, text);
}
std::string Left(absl::string_view text, size_t width) {
  return Pad(text, width, true);
}
std::string Right(absl::string_view text, size_t width) {
  return Pad(text, width, false);
}

std::string Shorten(absl::string_view text, size_t width) {
  if (text.size() <= width) return std::string(text);
  return absl::StrCat(text.substr(0, width - 3), "...");
}

std::string ComparatorsText(
    const google::protobuf::RepeatedPtrField<Comparator>& comparators) {
  std::vector<std::string> parts;
  for (const Comparator& c : comparators) {
    parts.push_back(
        absl::StrFormat("%s %d %.1f", c.name(), c.year(), c.value()));
  }
  return absl::StrJoin(parts, "; ");
}

// `part` as a percent of `total`; kNoFigure when the total is 0.
std::string Share(int64_t part, int64_t total) {
  if (total <= 0) return std::string(kNoFigure);
  return Percent(100.0 * static_cast<double>(part) /
                 static_cast<double>(total));
}

void AppendRate(std::string* out, absl::string_view name, const Rate& rate) {
  absl::StrAppend(out, "  ", Left(name, 20),
                  Right(WithThousands(rate.children()), 9),
                  Right(rate.has_per_10k() ? WithThousands(rate.per_10k())
                                           : std::string(kNoFigure),
                        10));
  const std::string comparators = ComparatorsText(rate.comparators());
  if (!comparators.empty()) absl::StrAppend(out, "   ", comparators);
  out->push_back('\n');
}

}  // namespace

std::string IndicatorPercentText(const Indicator& indicator) {
  return indicator.has_percent() ? Percent(indicator.percent())
                                 : std::string(kNoFigure);
}

std::string TargetText(const Indicator& indicator) {
  const char* op =
      indicator.direction() == sgm::kpi::v1::DIRECTION_LOWER_IS_BETTER ? "<="
                                                                       : ">=";
  return absl::StrFormat("%s %.1f", op, indicator.target());
}

std::string RagWord(sgm::kpi::v1::Rag rag) {
  switch (rag) {
    case sgm::kpi::v1::RAG_RED:
      return "RED";
    case sgm::kpi::v1::RAG_AMBER:
      return "AMBER";
    case sgm::kpi::v1::RAG_GREEN:
      return "GREEN";
    default:
      return std::string(kNoFigure);
  }
}

std::optional<Watchlist> ParseWatchlistName(absl::string_view name) {
  if (name == "cp-2-years") return sgm::kpi::v1::WATCHLIST_CP_PLAN_2_YEARS;
  if (name == "s47-over-10wd") {
    return sgm::kpi::v1::WATCHLIST_S47_OVER_10_WORKING_DAYS;
  }
  if (name == "pre-proceedings-12-weeks") {
    return sgm::kpi::v1::WATCHLIST_PRE_PROCEEDINGS_12_WEEKS;
  }
  if (name == "under-1-cp") return sgm::kpi::v1::WATCHLIST_UNDER_1_ON_CP_PLAN;
  return std::nullopt;
}

std::string WatchlistTitle(Watchlist watchlist) {
  switch (watchlist) {
    case sgm::kpi::v1::WATCHLIST_CP_PLAN_2_YEARS:
      return "CP plan 2 years or more";
    case sgm::kpi::v1::WATCHLIST_S47_OVER_10_WORKING_DAYS:
      return "S47 enquiry open over 10 working days";
    case sgm::kpi::v1::WATCHLIST_PRE_PROCEEDINGS_12_WEEKS:
      return "Pre-proceedings 12 weeks or more";
    case sgm::kpi::v1::WATCHLIST_UNDER_1_ON_CP_PLAN:
      return "Under 1 on a CP plan";
    default:
      return "Unknown watchlist";
  }
}

std::string RenderIndicatorsTable(const GetIndicatorsResponse& response) {
  std::string out =
      absl::StrCat("Indicators for ", MonthName(response.month()),
                   " (snapshot ", IsoDate(response.month_end()), ")\n\n");
  if (response.indicators().empty()) {
    absl::StrAppend(&out, "  (no indicators)\n");
    return out;
  }
  size_t title_width = DisplayWidth("indicator");
  for (const Indicator& i : response.indicators()) {
    title_width = std::max(title_width, DisplayWidth(i.title()));
  }
  title_width = std::min(title_width, kMaxTitleWidth);
  constexpr size_t kPercent = 10;
  constexpr size_t kCounts = 13;
  constexpr size_t kAverage = 9;
  constexpr size_t kTarget = 9;
  constexpr size_t kRag = 7;
  absl::StrAppend(&out, "  ", Left("indicator", title_width),
                  Right("this month", kPercent + 1),
                  Right("num/den", kCounts + 1),
                  Right("6-mo avg", kAverage + 1), Right("target", kTarget + 1),
                  "  ", Left("RAG", kRag), "comparators\n");
  for (const Indicator& i : response.indicators()) {
    const std::string counts = absl::StrCat(WithThousands(i.numerator()), "/",
                                            WithThousands(i.denominator()));
    const std::string average = i.has_six_month_average()
                                    ? Percent(i.six_month_average())
                                    : std::string(kNoFigure);
    const std::string comparators = ComparatorsText(i.comparators());
    std::string row = absl::StrCat(
        "  ", Left(Shorten(i.title(), title_width), title_width), " ",
        Right(IndicatorPercentText(i), kPercent), " ", Right(counts, kCounts),
        " ", Right(average, kAverage), " ", Right(TargetText(i), kTarget), "  ",
        Left(RagWord(i.rag()), kRag), comparators);
    absl::StripTrailingAsciiWhitespace(&row);
    absl::StrAppend(&out, row, "\n");
  }

  const sgm::kpi::v1::RuleSettings& rules = response.rules();
  absl::StrAppend(&out, "\nRules\n");
  absl::StrAppend(
      &out,
      absl::StrFormat("  CP visits every %d working days; CIN reviews every "
                      "%d months; CIC visits every %d days (%d months when "
                      "long-term)\n",
                      rules.cp_visit_interval_working_days(),
                      rules.cin_review_cadence_months(),
                      rules.cla_visit_interval_days(),
                      rules.cla_long_term_visit_months()));
  absl::StrAppend(
      &out,
      absl::StrFormat(
          "  assessments within %d working days of the %s; ICPCs within %d "
          "working days; repeat plans %s\n",
          rules.assessment_working_days(),
          rules.assessment_start_point() == "ASSESSMENT_START"
              ? "assessment start"
              : "referral",
          rules.icpc_working_days(),
          rules.repeat_plan_window_months() > 0
              ? absl::StrCat("within ", rules.repeat_plan_window_months(),
                             " months")
              : std::string("at any time")));
  if (response.data_quality_findings() > 0) {
    absl::StrAppend(&out, "\nData-quality findings in the events: ",
                    WithThousands(response.data_quality_findings()), "\n");
  }
  return out;
}

std::string RenderCaseStatusTable(const CaseStatus& status) {
  std::string out = absl::StrCat("Case status for ", MonthName(status.month()),
                                 " (at ", IsoDate(status.month_end()), ")\n\n");
  const OpenCases& open = status.open_cases();
  absl::StrAppend(&out, "Open cases (each child at its highest level)\n");
  const auto level = [&out, &open](absl::string_view name, int64_t count) {
    absl::StrAppend(&out, "  ", Left(name, 20), Right(WithThousands(count), 9),
                    Right(Share(count, open.total()), 9), "\n");
  };
  level("Early Help", open.early_help());
  level("Child in need", open.child_in_need());
  level("Child protection", open.child_protection());
  level("Child in care", open.child_in_care());
  level("Total", open.total());

  if (!status.trend().empty()) {
    absl::StrAppend(&out, "\nTrend (", status.trend_size(), " months)\n");
    absl::StrAppend(&out, "  ", Left("month", 9), Right("EH", 8),
                    Right("CIN", 8), Right("CP", 8), Right("CIC", 8),
                    Right("total", 9), "\n");
    for (const sgm::kpi::v1::MonthOpenCases& m : status.trend()) {
      const OpenCases& c = m.open_cases();
      absl::StrAppend(&out, "  ", Left(IsoMonth(m.month()), 9),
                      Right(WithThousands(c.early_help()), 8),
                      Right(WithThousands(c.child_in_need()), 8),
                      Right(WithThousands(c.child_protection()), 8),
                      Right(WithThousands(c.child_in_care()), 8),
                      Right(WithThousands(c.total()), 9), "\n");
    }
  }

  absl::StrAppend(&out, "\nRates per 10,000 children aged 0-17");
  if (status.population_0_17() > 0) {
    absl::StrAppend(&out, " (population ",
                    WithThousands(status.population_0_17()), ", ",
                    status.population_year(), ")\n");
  } else {
    absl::StrAppend(&out, " (no population configured)\n");
  }
  absl::StrAppend(&out, "  ", Left("", 20), Right("children", 9),
                  Right("per 10k", 10), "   comparators\n");
  AppendRate(&out, "Children in care", status.children_in_care());
  AppendRate(&out, "Child protection", status.child_protection());

  absl::StrAppend(&out, "\n  ", Left("Referrals in month", 20),
                  Right(WithThousands(status.referrals()), 9), "\n");

  absl::StrAppend(&out, "\nWatchlists (children)\n");
  if (status.watchlists().empty()) absl::StrAppend(&out, "  (none)\n");
  for (const sgm::kpi::v1::WatchlistCount& w : status.watchlists()) {
    absl::StrAppend(&out, "  ", Left(WatchlistTitle(w.watchlist()), 40),
                    Right(WithThousands(w.children()), 9), "\n");
  }
  return out;
}

std::string RenderWatchlistTable(Watchlist watchlist,
                                 const sgm::type::v1::Date& as_of,
                                 const ListWatchlistResponse& entries) {
  const int64_t total =
      std::max<int64_t>(entries.total_size(), entries.entries_size());
  std::string out = absl::StrCat(
      "Watchlist: ", WatchlistTitle(watchlist), " (as of ", AsOfText(as_of),
      "): ", WithThousands(total), total == 1 ? " child" : " children", "\n");
  if (entries.entries().empty()) return out;
  size_t child_width = DisplayWidth("child");
  size_t ref_width = DisplayWidth("ref");
  size_t worker_width = DisplayWidth("worker");
  for (const WatchlistEntry& e : entries.entries()) {
    child_width = std::max(child_width, DisplayWidth(e.child_id()));
    ref_width = std::max(ref_width, DisplayWidth(e.ref_id()));
    worker_width = std::max(worker_width, DisplayWidth(e.worker_id()));
  }
  absl::StrAppend(&out, "\n  ", Left("child", child_width), "  ",
                  Left("ref", ref_width), "  ", Left("since", 10), "  ",
                  Right("days", 6), "  ", Left("worker", worker_width),
                  "  team\n");
  for (const WatchlistEntry& e : entries.entries()) {
    absl::StrAppend(
        &out, "  ", Left(e.child_id(), child_width), "  ",
        Left(e.ref_id(), ref_width), "  ", Left(IsoDate(e.since()), 10), "  ",
        Right(WithThousands(e.days()), 6), "  ",
        Left(e.worker_id().empty() ? std::string(kNoFigure) : e.worker_id(),
             worker_width),
        "  ", e.team().empty() ? std::string(kNoFigure) : e.team(), "\n");
  }
  return out;
}

std::string RenderCaseloadsTable(const sgm::type::v1::Date& as_of,
                                 absl::string_view team,
                                 const ListCaseloadsResponse& caseloads) {
  std::string out = absl::StrCat("Caseloads as of ", AsOfText(as_of));
  if (!team.empty()) absl::StrAppend(&out, ", team ", team);
  absl::StrAppend(
      &out, ": ", WithThousands(caseloads.workers()),
      caseloads.workers() == 1 ? " worker, " : " workers, ",
      WithThousands(caseloads.allocated_children()),
      caseloads.allocated_children() == 1 ? " allocated child"
                                          : " allocated children",
      caseloads.has_mean_caseload()
          ? absl::StrFormat(", mean caseload %.1f", caseloads.mean_caseload())
          : std::string(),
      "\n");
  if (caseloads.caseloads().empty()) return out;
  size_t worker_width = DisplayWidth("worker");
  size_t team_width = DisplayWidth("team");
  for (const WorkerCaseload& c : caseloads.caseloads()) {
    worker_width = std::max(worker_width, DisplayWidth(c.worker_id()));
    team_width = std::max(team_width, DisplayWidth(c.team()));
  }
  absl::StrAppend(&out, "\n  ", Left("worker", worker_width), "  ",
                  Left("team", team_width), "  ", Right("open cases", 10),
                  "\n");
  for (const WorkerCaseload& c : caseloads.caseloads()) {
    absl::StrAppend(&out, "  ", Left(c.worker_id(), worker_width), "  ",
                    Left(c.team(), team_width), "  ",
                    Right(WithThousands(c.open_cases()), 10), "\n");
  }
  return out;
}

absl::StatusOr<std::string> RenderMessageJson(
    const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the answer as JSON: ", status.ToString()));
  }
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

}  // namespace sgm::cli
