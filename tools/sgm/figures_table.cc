#include "tools/sgm/figures_table.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "tools/sgm/progress_bar.h"

namespace sgm::cli {
namespace {

using ::sgm::intake::v1::Breakdown;
using ::sgm::intake::v1::FrontDoorFigures;
using ::sgm::intake::v1::MonthCount;

constexpr int kTopBreakdowns = 10;
constexpr int kTrendBarWidth = 30;

constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string MonthName(const sgm::type::v1::YearMonth& month) {
  if (month.month() < 1 || month.month() > 12) {
    return absl::StrFormat("%04d-%02d", month.year(), month.month());
  }
  return absl::StrCat(kMonthNames[month.month() - 1], " ", month.year());
}

std::string IsoMonth(const sgm::type::v1::YearMonth& month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

std::string IsoDate(const sgm::type::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string Percent(double percent) {
  return absl::StrFormat("%.1f%%", percent);
}

// A row's first column, then the rest.
void AppendRow(std::string* out, absl::string_view name,
               absl::string_view rest) {
  absl::StrAppend(out, absl::StrFormat("  %-24s%s\n", name, rest));
}

std::string ChangeText(const MonthCount& month) {
  return month.has_change_percent() ? SignedPercent(month.change_percent())
                                    : "n/a";
}

void AppendBreakdowns(std::string* out, absl::string_view title,
                      const google::protobuf::RepeatedPtrField<Breakdown>& all,
                      absl::string_view rest_label) {
  std::vector<const Breakdown*> rows;
  for (const Breakdown& b : all) {
    if (b.count() > 0) rows.push_back(&b);
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Breakdown* a, const Breakdown* b) {
                     return a->count() > b->count();
                   });
  absl::StrAppend(out, "\n", title, "\n");
  if (rows.empty()) {
    absl::StrAppend(out, "  (no contacts)\n");
    return;
  }
  int64_t rest_count = 0;
  double rest_percent = 0;
  int rest_codes = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Breakdown& b = *rows[i];
    if (static_cast<int>(i) < kTopBreakdowns) {
      std::string label = b.label();
      if (label.size() > 40) label = absl::StrCat(label.substr(0, 37), "...");
      absl::StrAppend(
          out, absl::StrFormat("  %-4s %-40s %9s %7s\n", b.code(), label,
                               WithThousands(b.count()), Percent(b.percent())));
    } else {
      rest_count += b.count();
      rest_percent += b.percent();
      ++rest_codes;
    }
  }
  if (rest_codes > 0) {
    absl::StrAppend(
        out, absl::StrFormat("  %-4s %-40s %9s %7s\n", "",
                             absl::StrCat(rest_label, " (", rest_codes, ")"),
                             WithThousands(rest_count), Percent(rest_percent)));
  }
}

}  // namespace

std::string SignedPercent(double percent) {
  return absl::StrFormat("%+.1f%%", percent);
}

std::string RenderFiguresTable(const FrontDoorFigures& figures) {
  std::string out =
      absl::StrCat("Front door: contacts in ", MonthName(figures.month()),
                   " (as of ", IsoDate(figures.as_of()), ")\n\n");

  const MonthCount& month = figures.this_month();
  sgm::type::v1::YearMonth year_before = figures.month();
  year_before.set_year(year_before.year() - 1);
  AppendRow(
      &out, "Contacts this month",
      absl::StrFormat("%9s   %s: %s   change %s",
                      WithThousands(month.contacts()), MonthName(year_before),
                      WithThousands(month.contacts_year_before()),
                      ChangeText(month)));
  AppendRow(&out, "Progressed",
            absl::StrFormat(
                "%9s   %s of %s decided (referral or strategy discussion)",
                figures.has_progressed_percent()
                    ? Percent(figures.progressed_percent())
                    : "n/a",
                WithThousands(figures.progressed()),
                WithThousands(figures.decided())));
  AppendRow(&out, "Decided within 1 wd",
            absl::StrFormat("%9s   %s of %s decided",
                            figures.has_decided_within_1wd_percent()
                                ? Percent(figures.decided_within_1wd_percent())
                                : "n/a",
                            WithThousands(figures.decided_within_1wd()),
                            WithThousands(figures.decided())));
  AppendRow(&out, "Repeat contacts",
            absl::StrFormat(
                "%9s   %s contacts about %s children (%d+ contacts within %d "
                "days)",
                figures.has_repeat_percent() ? Percent(figures.repeat_percent())
                                             : "n/a",
                WithThousands(figures.repeat_contacts()),
                WithThousands(figures.repeat_children()),
                figures.repeat_min_contacts(), figures.repeat_window_days()));

  // Per week, year to date.
  absl::StrAppend(&out, "\nContacts per week, year to date\n");
  absl::StrAppend(&out, absl::StrFormat("  %-10s %-10s  %-10s  %9s  %9s\n", "",
                                        "from", "to", "contacts", "per week"));
  const auto weekly_row = [&out](const sgm::intake::v1::WeeklyRate& rate) {
    absl::StrAppend(
        &out, absl::StrFormat("  %-10d %-10s  %-10s  %9s  %9.1f\n",
                              rate.from().year(), IsoDate(rate.from()),
                              IsoDate(rate.to()),
                              WithThousands(rate.contacts()), rate.per_week()));
  };
  weekly_row(figures.year_to_date());
  weekly_row(figures.year_to_date_last_year());
  absl::StrAppend(
      &out,
      absl::StrFormat("  %-10s %-10s  %-10s  %9s  %9s\n", "change", "", "", "",
                      figures.has_per_week_change_percent()
                          ? SignedPercent(figures.per_week_change_percent())
                          : "n/a"));

  // Trend.
  absl::StrAppend(&out, "\nTrend (", figures.trend_size(), " months)\n");
  absl::StrAppend(&out, absl::StrFormat("  %-9s %9s  %11s  %7s\n", "month",
                                        "contacts", "year before", "change"));
  int64_t most = 0;
  for (const MonthCount& m : figures.trend())
    most = std::max(most, m.contacts());
  for (const MonthCount& m : figures.trend()) {
    const int width =
        most > 0 ? static_cast<int>(m.contacts() * kTrendBarWidth / most) : 0;
    absl::StrAppend(
        &out, absl::StrFormat("  %-9s %9s  %11s  %7s  %s\n",
                              IsoMonth(m.month()), WithThousands(m.contacts()),
                              WithThousands(m.contacts_year_before()),
                              ChangeText(m), std::string(width, '#')));
  }

  AppendBreakdowns(&out, "Primary need (this month)", figures.by_primary_need(),
                   "other needs");
  AppendBreakdowns(&out, "Source (this month)", figures.by_source(),
                   "other sources");
  return out;
}

absl::StatusOr<std::string> RenderFiguresJson(const FrontDoorFigures& figures) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(figures, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the figures as JSON: ", status.ToString()));
  }
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

}  // namespace sgm::cli
