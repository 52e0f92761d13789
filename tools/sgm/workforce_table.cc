#include "tools/sgm/workforce_table.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/sgm/indicators_table.h"
#include "tools/sgm/progress_bar.h"

namespace sgm::cli {
namespace {

using ::sgm::workforce::v1::CaseloadFigures;
using ::sgm::workforce::v1::CostFigures;
using ::sgm::workforce::v1::StaffingFigures;
using ::sgm::workforce::v1::WorkforceFigures;

std::string Fte(double fte) { return absl::StrFormat("%.1f", fte); }

std::string OptionalText(bool has, double value, const char* format) {
  if (!has) return std::string(kNoFigure);
  return absl::StrFormat(format, value);
}

// A table: the first column left aligned, the others right aligned, each as
// wide as its widest cell.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  auto width = [](const std::string& text) {
    size_t n = 0;
    for (char c : text) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
  };
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], width(row[i]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t pad = widths[i] - width(row[i]);
      if (i > 0) line += "  ";
      if (i == 0) {
        absl::StrAppend(&line, row[i], std::string(pad, ' '));
      } else {
        absl::StrAppend(&line, std::string(pad, ' '), row[i]);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string DateText(const sgm::type::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

}  // namespace

std::string PoundsText(int64_t pence) {
  const bool negative = pence < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(pence)
                                      : static_cast<uint64_t>(pence);
  const uint64_t pounds = (magnitude + 50) / 100;
  return absl::StrCat(negative ? "-" : "", "\u00a3",
                      WithThousands(static_cast<int64_t>(pounds)));
}

std::string RenderWorkforceTable(const WorkforceFigures& figures) {
  std::string out =
      absl::StrCat("Workforce on ", DateText(figures.as_of()), "\n\n");

  std::vector<std::vector<std::string>> staffing = {
      {"Service area", "Staff", "FTE", "SW FTE", "Maternity", "Agency",
       "Long-term absence", "Establishment", "Vacancy", "Agency share"}};
  for (const StaffingFigures& s : figures.staffing()) {
    staffing.push_back({s.service_area(), WithThousands(s.headcount()),
                        Fte(s.fte_in_post()), Fte(s.social_worker_fte()),
                        Fte(s.maternity_fte()), Fte(s.agency_fte()),
                        Fte(s.long_term_absence_fte()),
                        Fte(s.establishment_fte()),
                        OptionalText(s.has_vacancy_rate_percent(),
                                     s.vacancy_rate_percent(), "%.1f%%"),
                        OptionalText(s.has_agency_share_percent(),
                                     s.agency_share_percent(), "%.1f%%")});
  }
  absl::StrAppend(&out, "Staffing (FTE)\n", Table(staffing), "\n");

  std::vector<std::vector<std::string>> rolling = {
      {"Service area", "Leavers", "Avg staff", "Turnover", "Days lost",
       "Avg FTE", "Days per FTE"}};
  for (const StaffingFigures& s : figures.staffing()) {
    rolling.push_back(
        {s.service_area(), WithThousands(s.leavers_12m()),
         absl::StrFormat("%.1f", s.average_headcount_12m()),
         OptionalText(s.has_turnover_percent(), s.turnover_percent(), "%.1f%%"),
         absl::StrFormat("%.1f", s.absence_days_lost_12m()),
         absl::StrFormat("%.1f", s.average_employed_fte_12m()),
         OptionalText(s.has_absence_days_per_fte(), s.absence_days_per_fte(),
                      "%.2f")});
  }
  absl::StrAppend(&out,
                  "The 12 months to the date (employed staff; agency "
                  "staff left out)\n",
                  Table(rolling), "\n");

  if (!figures.caseloads_available()) {
    absl::StrAppend(&out, "Caseloads: unavailable (",
                    figures.caseloads_unavailable_reason().empty()
                        ? "the KPI service did not answer"
                        : figures.caseloads_unavailable_reason(),
                    ")\n\n");
  } else {
    std::vector<std::vector<std::string>> caseloads = {
        {"Group", "Workers", "Cases", "Mean", "Median", "1-5", "6-10", "11-15",
         "16-20", "21-25", "26+",
         absl::StrCat("Over ", figures.caseload_threshold())}};
    for (const CaseloadFigures& c : figures.caseloads()) {
      std::vector<std::string> row = {
          c.group() == "qualified_social_workers"  ? "Qualified social workers"
          : c.group() == "childrens_practitioners" ? "Children's practitioners"
                                                   : c.group(),
          WithThousands(c.case_holding_workers()),
          WithThousands(c.open_cases()),
          OptionalText(c.has_mean_caseload(), c.mean_caseload(), "%.1f"),
          OptionalText(c.has_median_caseload(), c.median_caseload(), "%.1f")};
      for (int i = 0; i < 6; ++i) {
        row.push_back(i < c.bands_size() ? WithThousands(c.bands(i).workers())
                                         : std::string(kNoFigure));
      }
      row.push_back(WithThousands(c.over_threshold()));
      caseloads.push_back(std::move(row));
    }
    absl::StrAppend(&out, "Caseloads (open cases per case-holding worker)\n",
                    Table(caseloads));
    if (figures.unmatched_workers() > 0) {
      absl::StrAppend(&out, "Allocated workers not in the staff records: ",
                      WithThousands(figures.unmatched_workers()), "\n");
    }
    out += "\n";
  }

  if (figures.costs_size() > 0) {
    const int year = figures.costs(0).financial_year();
    std::vector<std::vector<std::string>> costs = {{"Service area", "Total",
                                                    "Social workers", "Agency",
                                                    "Agency premium"}};
    int64_t without = 0;
    for (const CostFigures& c : figures.costs()) {
      costs.push_back({c.service_area(), PoundsText(c.total_cost_pence()),
                       PoundsText(c.social_worker_cost_pence()),
                       PoundsText(c.agency_cost_pence()),
                       PoundsText(c.agency_premium_pence())});
      if (c.service_area() == "Total") without = c.agency_without_comparator();
    }
    absl::StrAppend(&out,
                    absl::StrFormat("Costs, financial year %d-%02d\n", year,
                                    (year + 1) % 100),
                    Table(costs));
    if (without > 0) {
      absl::StrAppend(&out, "Agency staff with no permanent role to compare: ",
                      WithThousands(without), "\n");
    }
  }
  return out;
}

}  // namespace sgm::cli
