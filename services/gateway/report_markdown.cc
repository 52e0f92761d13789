#include "services/gateway/report_markdown.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/gateway/report_text.h"

namespace sgm::gateway {
namespace {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;
namespace tv1 = ::sgm::type::v1;
using report_text::AuditRowTitle;
using report_text::CategoryTitle;
using report_text::Change;
using report_text::Column;
using report_text::ColumnOf;
using report_text::Count;
using report_text::DateText;
using report_text::DomainTitle;
using report_text::FeedbackIndex;
using report_text::FeedbackSourceTitle;
using report_text::FigureChangeText;
using report_text::FigureValue;
using report_text::Fte;
using report_text::kFeedbackSources;
using report_text::kNone;
using report_text::kTopDomains;
using report_text::kWithheld;
using report_text::MonthName;
using report_text::Percent;
using report_text::PeriodText;
using report_text::Pounds;
using report_text::QualityItemTitle;
using report_text::RagWord;
using report_text::ShortMonth;
using report_text::StageTitle;
using report_text::TargetText;
using report_text::VerdictWord;
using report_text::VisitKindTitle;
using report_text::WatchlistTitle;
using report_text::YearText;

std::string OptionalPercent(bool has, double value) {
  return has ? Percent(value) : std::string(kNone);
}

std::string OptionalChange(bool has, double value) {
  return has ? Change(value) : std::string(kNone);
}

std::string OptionalNumber(bool has, double value, const char* format) {
  return has ? absl::StrFormat(format, value) : std::string(kNone);
}

// The report's withheld paths; each value printed is looked up by its path
// ("front_door.figures.by_source[2].count").
class Withheld {
 public:
  explicit Withheld(const gv1::PracticeReport& report)
      : paths_(report.suppressed_fields().begin(),
               report.suppressed_fields().end()) {}
  bool Has(absl::string_view path) const { return paths_.contains(path); }
  // `text`, or "<5" when the value at `path` is withheld.
  std::string Or(absl::string_view path, std::string text) const {
    return Has(path) ? std::string(kWithheld) : text;
  }

 private:
  absl::flat_hash_set<std::string> paths_;
};

// "<prefix>.<field>".
std::string At(absl::string_view prefix, absl::string_view field) {
  return absl::StrCat(prefix, ".", field);
}
// "<prefix>[<index>]".
std::string At(absl::string_view prefix, int index) {
  return absl::StrCat(prefix, "[", index, "]");
}

// A table cell: pipes escaped, line breaks flattened.
std::string Cell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}, {"\r", " "}});
}

// A pipe table: `align` holds one 'l' or 'r' per column.
class Table {
 public:
  Table(std::vector<std::string> header, std::string align)
      : header_(std::move(header)), align_(std::move(align)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  void AppendTo(std::string* out) const {
    auto line = [&](const std::vector<std::string>& cells) {
      std::vector<std::string> escaped;
      for (const std::string& c : cells) escaped.push_back(Cell(c));
      absl::StrAppend(out, "| ", absl::StrJoin(escaped, " | "), " |\n");
    };
    line(header_);
    std::vector<std::string> rule;
    for (size_t i = 0; i < header_.size(); ++i) {
      rule.push_back(i < align_.size() && align_[i] == 'r' ? "---:" : "---");
    }
    absl::StrAppend(out, "|", absl::StrJoin(rule, "|"), "|\n");
    for (const auto& row : rows_) line(row);
    absl::StrAppend(out, "\n");
  }

 private:
  std::vector<std::string> header_;
  std::string align_;
  std::vector<std::vector<std::string>> rows_;
};

// The plainly marked line of a section that is not there; false when the
// section is available (its figures follow).
bool AppendStatusLine(const gv1::SectionStatus& status, std::string* out) {
  switch (status.state()) {
    case gv1::SECTION_STATE_AVAILABLE:
      return false;
    case gv1::SECTION_STATE_NOT_DEPLOYED:
      absl::StrAppend(out, "> **Not deployed:** ",
                      status.reason().empty() ? "no service for this section"
                                              : status.reason(),
                      ".\n\n");
      return true;
    case gv1::SECTION_STATE_UNAVAILABLE:
      absl::StrAppend(out, "> **Unavailable:** ",
                      status.reason().empty() ? "the service did not answer"
                                              : status.reason(),
                      ". The rest of the report is complete.\n\n");
      return true;
    default:
      absl::StrAppend(out, "> **Unavailable:** no figures.\n\n");
      return true;
  }
}

// --- front door ------------------------------------------------------------

void AppendBreakdown(
    absl::string_view title, absl::string_view what,
    const google::protobuf::RepeatedPtrField<iv1::Breakdown>& rows,
    absl::string_view path, const Withheld& w, std::string* out) {
  absl::StrAppend(out, "### ", title, "\n\n");
  if (rows.empty()) {
    absl::StrAppend(out, "No contacts this month.\n\n");
    return;
  }
  Table table({std::string(what), "contacts", "share"}, "lrr");
  for (int i = 0; i < rows.size(); ++i) {
    const iv1::Breakdown& b = rows[i];
    const std::string at = At(path, i);
    table.Add(
        {b.label().empty() ? b.code() : absl::StrCat(b.code(), " ", b.label()),
         w.Or(At(at, "count"), Count(b.count())),
         w.Or(At(at, "percent"), Percent(b.percent()))});
  }
  table.AppendTo(out);
}

void AppendFrontDoor(const gv1::FrontDoorSection& section, const Withheld& w,
                     std::string* out) {
  absl::StrAppend(out, "## Front door: contacts\n\n");
  if (AppendStatusLine(section.status(), out)) return;
  const iv1::FrontDoorFigures& f = section.figures();
  const std::string fp = "front_door.figures";
  auto field = [&](absl::string_view name) { return At(fp, name); };
  const iv1::MonthCount& m = f.this_month();
  tv1::YearMonth year_before = f.month();
  year_before.set_year(year_before.year() - 1);
  absl::StrAppend(
      out, "Contacts in ", MonthName(f.month()), ": **",
      w.Or(field("this_month.contacts"), Count(m.contacts())), "** (",
      MonthName(year_before), ": ",
      w.Or(field("this_month.contacts_year_before"),
           Count(m.contacts_year_before())),
      "; change ",
      w.Or(field("this_month.change_percent"),
           OptionalChange(m.has_change_percent(), m.change_percent())),
      ").\n\n");
  const iv1::WeeklyRate& ytd = f.year_to_date();
  const iv1::WeeklyRate& last = f.year_to_date_last_year();
  Table weekly({"period", "contacts", "per week"}, "lrr");
  weekly.Add({absl::StrCat("This year (", DateText(ytd.from()), " to ",
                           DateText(ytd.to()), ")"),
              w.Or(field("year_to_date.contacts"), Count(ytd.contacts())),
              w.Or(field("year_to_date.per_week"),
                   absl::StrFormat("%.1f", ytd.per_week()))});
  weekly.Add(
      {absl::StrCat("Last year (", DateText(last.from()), " to ",
                    DateText(last.to()), ")"),
       w.Or(field("year_to_date_last_year.contacts"), Count(last.contacts())),
       w.Or(field("year_to_date_last_year.per_week"),
            absl::StrFormat("%.1f", last.per_week()))});
  absl::StrAppend(out, "Contacts per week this year against last (", "change ",
                  w.Or(field("per_week_change_percent"),
                       OptionalChange(f.has_per_week_change_percent(),
                                      f.per_week_change_percent())),
                  "):\n\n");
  weekly.AppendTo(out);
  const std::string decided = w.Or(field("decided"), Count(f.decided()));
  absl::StrAppend(
      out, "- Progressed to a referral or strategy discussion: ",
      w.Or(field("progressed_percent"),
           OptionalPercent(f.has_progressed_percent(), f.progressed_percent())),
      " (", w.Or(field("progressed"), Count(f.progressed())), " of ", decided,
      " decided contacts).\n", "- Decided within 1 working day: ",
      w.Or(field("decided_within_1wd_percent"),
           OptionalPercent(f.has_decided_within_1wd_percent(),
                           f.decided_within_1wd_percent())),
      " (", w.Or(field("decided_within_1wd"), Count(f.decided_within_1wd())),
      " of ", decided, ").\n", "- Repeat contacts (", f.repeat_min_contacts(),
      " or more within ", f.repeat_window_days(),
      " days): ", w.Or(field("repeat_contacts"), Count(f.repeat_contacts())),
      " contacts about ",
      w.Or(field("repeat_children"), Count(f.repeat_children())), " children (",
      w.Or(field("repeat_percent"),
           OptionalPercent(f.has_repeat_percent(), f.repeat_percent())),
      ").\n\n");
  AppendBreakdown("Contacts by primary need", "primary need",
                  f.by_primary_need(), field("by_primary_need"), w, out);
  AppendBreakdown("Contacts by source", "source", f.by_source(),
                  field("by_source"), w, out);
  absl::StrAppend(out, "### Contacts month by month\n\n");
  Table trend({"month", "contacts", "same month last year", "change"}, "lrrr");
  for (int i = 0; i < f.trend_size(); ++i) {
    const iv1::MonthCount& t = f.trend(i);
    const std::string at = At(field("trend"), i);
    trend.Add(
        {MonthName(t.month()), w.Or(At(at, "contacts"), Count(t.contacts())),
         w.Or(At(at, "contacts_year_before"), Count(t.contacts_year_before())),
         w.Or(At(at, "change_percent"),
              OptionalChange(t.has_change_percent(), t.change_percent()))});
  }
  trend.AppendTo(out);
}

// --- performance -----------------------------------------------------------

// The comparator of `column`, as "87.9%" (or "87.9" when `percent` is
// false), or an en dash; its name and year join `seen` for the note.
std::string ComparatorCell(
    const google::protobuf::RepeatedPtrField<kv1::Comparator>& comparators,
    Column column, bool percent, std::vector<std::string>* seen) {
  for (const kv1::Comparator& c : comparators) {
    if (ColumnOf(c) != column) continue;
    const std::string source = absl::StrCat(c.name(), " ", YearText(c.year()));
    bool known = false;
    for (const std::string& s : *seen) known = known || s == source;
    if (!known) seen->push_back(source);
    return percent ? Percent(c.value()) : absl::StrFormat("%.0f", c.value());
  }
  return std::string(kNone);
}

void AppendIndicators(const kv1::GetIndicatorsResponse& indicators,
                      const Withheld& w, std::string* out) {
  absl::StrAppend(out, "## Performance indicators\n\n");
  Table table({"indicator", "this month", "6-month average",
               "statistical neighbours", "region", "England", "target", "RAG"},
              "lrrrrrll");
  std::vector<std::string> seen;
  for (int n = 0; n < indicators.indicators_size(); ++n) {
    const kv1::Indicator& i = indicators.indicators(n);
    const std::string at = At("performance.indicators.indicators", n);
    const std::string fraction =
        absl::StrCat(" (", w.Or(At(at, "numerator"), Count(i.numerator())), "/",
                     w.Or(At(at, "denominator"), Count(i.denominator())), ")");
    const std::string this_month =
        w.Has(At(at, "percent")) ? absl::StrCat(kWithheld, fraction)
        : i.has_percent()        ? absl::StrCat(Percent(i.percent()), fraction)
                                 : absl::StrCat(kNone, " (none due)");
    table.Add(
        {i.title().empty() ? i.id() : i.title(), this_month,
         OptionalPercent(i.has_six_month_average(), i.six_month_average()),
         ComparatorCell(i.comparators(), Column::kNeighbours, true, &seen),
         ComparatorCell(i.comparators(), Column::kRegion, true, &seen),
         ComparatorCell(i.comparators(), Column::kEngland, true, &seen),
         TargetText(i), RagWord(i.rag())});
  }
  table.AppendTo(out);
  if (!seen.empty()) {
    absl::StrAppend(out, "Comparators: ", absl::StrJoin(seen, "; "), ".\n\n");
  }
  const std::string findings = "performance.indicators.data_quality_findings";
  if (indicators.data_quality_findings() > 0 || w.Has(findings)) {
    absl::StrAppend(out, "Data-quality findings in the case events: ",
                    w.Or(findings, Count(indicators.data_quality_findings())),
                    ".\n\n");
  }
}

void AppendTrends(const gv1::PerformanceSection& section, const Withheld& w,
                  std::string* out) {
  if (section.trends().empty()) return;
  absl::StrAppend(out, "### Indicators month by month\n\n");
  // One row a month, one column an indicator (by id, in the order given).
  std::vector<std::string> header = {"month"};
  std::string align = "l";
  std::vector<tv1::YearMonth> months;
  for (const kv1::IndicatorTrend& t : section.trends()) {
    header.push_back(t.id());
    align.push_back('r');
    if (months.size() < static_cast<size_t>(t.points_size())) {
      months.clear();
      for (const kv1::TrendPoint& p : t.points()) months.push_back(p.month());
    }
  }
  Table table(header, align);
  for (const tv1::YearMonth& month : months) {
    std::vector<std::string> row = {ShortMonth(month)};
    for (int n = 0; n < section.trends_size(); ++n) {
      const kv1::IndicatorTrend& t = section.trends(n);
      std::string cell(kNone);
      for (int j = 0; j < t.points_size(); ++j) {
        const kv1::TrendPoint& p = t.points(j);
        if (p.month().year() != month.year() ||
            p.month().month() != month.month()) {
          continue;
        }
        const std::string percent =
            At(At(At(At("performance.trends", n), "points"), j), "percent");
        if (w.Has(percent)) {
          cell = std::string(kWithheld);
        } else if (p.has_percent()) {
          cell = Percent(p.percent());
        }
      }
      row.push_back(cell);
    }
    table.Add(std::move(row));
  }
  table.AppendTo(out);
}

std::string Share(int64_t part, int64_t total) {
  if (total <= 0) return std::string(kNone);
  return Percent(100.0 * static_cast<double>(part) /
                 static_cast<double>(total));
}

void AppendCaseStatus(const kv1::CaseStatus& s, const Withheld& w,
                      std::string* out) {
  absl::StrAppend(out, "## Case status\n\n");
  const std::string sp = "performance.case_status";
  const kv1::OpenCases& open = s.open_cases();
  const std::string op = At(sp, "open_cases");
  absl::StrAppend(out, "Open cases at ", DateText(s.month_end()), ": **",
                  w.Or(At(op, "total"), Count(open.total())),
                  "** (each child once, at its highest "
                  "level). Referrals in ",
                  MonthName(s.month()), ": ",
                  w.Or(At(sp, "referrals"), Count(s.referrals())), ".\n\n");
  Table levels({"level", "children", "share"}, "lrr");
  // A share computed here from a withheld count (or total) is withheld.
  auto level = [&](absl::string_view name, absl::string_view field, int64_t n) {
    const bool held = w.Has(At(op, field)) || w.Has(At(op, "total"));
    levels.Add({std::string(name), w.Or(At(op, field), Count(n)),
                held ? std::string(kWithheld) : Share(n, open.total())});
  };
  level("Early Help", "early_help", open.early_help());
  level("Child in need", "child_in_need", open.child_in_need());
  level("Child protection", "child_protection", open.child_protection());
  level("Child in care", "child_in_care", open.child_in_care());
  levels.AppendTo(out);

  absl::StrAppend(out, "### Rates per 10,000 children\n\n");
  Table rates({"measure", "children", "per 10,000", "statistical neighbours",
               "region", "England"},
              "lrrrrr");
  std::vector<std::string> seen;
  auto rate_row = [&](absl::string_view name, absl::string_view field,
                      const kv1::Rate& r) {
    const std::string at = At(sp, field);
    rates.Add(
        {std::string(name), w.Or(At(at, "children"), Count(r.children())),
         w.Or(At(at, "per_10k"),
              r.has_per_10k() ? Count(r.per_10k()) : std::string(kNone)),
         ComparatorCell(r.comparators(), Column::kNeighbours, false, &seen),
         ComparatorCell(r.comparators(), Column::kRegion, false, &seen),
         ComparatorCell(r.comparators(), Column::kEngland, false, &seen)});
  };
  rate_row("Children in care", "children_in_care", s.children_in_care());
  rate_row("Children on CP plans", "child_protection", s.child_protection());
  rates.AppendTo(out);
  if (s.population_0_17() > 0) {
    absl::StrAppend(out, "Population aged 0-17: ", Count(s.population_0_17()),
                    " (", s.population_year(), ").");
  } else {
    absl::StrAppend(out, "No population aged 0-17 is configured: no rates.");
  }
  if (!seen.empty()) {
    absl::StrAppend(out, " Comparators: ", absl::StrJoin(seen, "; "), ".");
  }
  absl::StrAppend(out, "\n\n");

  if (!s.trend().empty()) {
    absl::StrAppend(out, "### Open cases month by month\n\n");
    Table trend({"month", "Early Help", "CIN", "CP", "CIC", "total"}, "lrrrrr");
    for (int i = 0; i < s.trend_size(); ++i) {
      const kv1::MonthOpenCases& m = s.trend(i);
      const kv1::OpenCases& c = m.open_cases();
      const std::string at = At(At(At(sp, "trend"), i), "open_cases");
      trend.Add({ShortMonth(m.month()),
                 w.Or(At(at, "early_help"), Count(c.early_help())),
                 w.Or(At(at, "child_in_need"), Count(c.child_in_need())),
                 w.Or(At(at, "child_protection"), Count(c.child_protection())),
                 w.Or(At(at, "child_in_care"), Count(c.child_in_care())),
                 w.Or(At(at, "total"), Count(c.total()))});
    }
    trend.AppendTo(out);
  }
}

void AppendWatchlists(const kv1::CaseStatus& s, const Withheld& w,
                      std::string* out) {
  absl::StrAppend(out, "## Lines of sight on risk\n\n");
  if (s.watchlists().empty()) {
    absl::StrAppend(out, "No watchlist counts.\n\n");
    return;
  }
  Table table({"watchlist", "children"}, "lr");
  for (int i = 0; i < s.watchlists_size(); ++i) {
    const kv1::WatchlistCount& c = s.watchlists(i);
    table.Add({WatchlistTitle(c.watchlist()),
               w.Or(At(At("performance.case_status.watchlists", i), "children"),
                    Count(c.children()))});
  }
  absl::StrAppend(out, "At ", DateText(s.month_end()), ":\n\n");
  table.AppendTo(out);
}

void AppendPerformance(const gv1::PerformanceSection& section,
                       const Withheld& w, std::string* out) {
  if (section.status().state() != gv1::SECTION_STATE_AVAILABLE) {
    // One marked line stands for the KPI service's three parts.
    absl::StrAppend(out,
                    "## Performance indicators, case status and lines "
                    "of sight on risk\n\n");
    AppendStatusLine(section.status(), out);
    return;
  }
  AppendIndicators(section.indicators(), w, out);
  AppendTrends(section, w, out);
  AppendCaseStatus(section.case_status(), w, out);
  AppendWatchlists(section.case_status(), w, out);
}

// --- quality and workforce -------------------------------------------------

// One period's audits: the total row, then one row an audit type.
void AppendAuditGrades(absl::string_view period, const qv1::QaFigures& f,
                       absl::string_view path, const Withheld& w,
                       std::string* out) {
  absl::StrAppend(out, "### Audits and grades, ", period, "\n\n");
  const std::string total_at = At(path, "audits");
  if (f.audits().audits() == 0 && !w.Has(At(total_at, "audits"))) {
    absl::StrAppend(out, "No audits dated in the period.\n\n");
    return;
  }
  Table table({"type", "audits", "outstanding", "good", "requires improvement",
               "inadequate", "good or better"},
              "lrrrrrr");
  auto row = [&](const qv1::AuditFigures& a, const std::string& at,
                 bool total) {
    const std::string title = AuditRowTitle(a.label());
    table.Add(
        {total ? absl::StrCat("**", title, "**") : title,
         w.Or(At(at, "audits"), Count(a.audits())),
         w.Or(At(at, "outstanding"), Count(a.outstanding())),
         w.Or(At(at, "good"), Count(a.good())),
         w.Or(At(at, "requires_improvement"), Count(a.requires_improvement())),
         w.Or(At(at, "inadequate"), Count(a.inadequate())),
         w.Or(At(at, "good_or_better_percent"),
              OptionalPercent(a.has_good_or_better_percent(),
                              a.good_or_better_percent()))});
  };
  row(f.audits(), total_at, true);
  for (int i = 0; i < f.by_type_size(); ++i) {
    row(f.by_type(i), At(At(path, "by_type"), i), false);
  }
  table.AppendTo(out);
}

// One period's domains most often graded requires improvement or worse.
void AppendDomains(absl::string_view period, const qv1::QaFigures& f,
                   absl::string_view path, const Withheld& w,
                   std::string* out) {
  absl::StrAppend(out, period, ":\n\n");
  if (f.domains().empty()) {
    absl::StrAppend(out, "No graded domains.\n\n");
    return;
  }
  Table table(
      {"domain", "audits grading it", "requires improvement or worse", "share"},
      "lrrr");
  for (int i = 0; i < f.domains_size() && i < kTopDomains; ++i) {
    const qv1::DomainFigures& d = f.domains(i);
    const std::string at = At(At(path, "domains"), i);
    table.Add(
        {DomainTitle(d.domain()), w.Or(At(at, "graded"), Count(d.graded())),
         w.Or(At(at, "requires_improvement_or_worse"),
              Count(d.requires_improvement_or_worse())),
         w.Or(At(at, "requires_improvement_or_worse_percent"),
              OptionalPercent(d.has_requires_improvement_or_worse_percent(),
                              d.requires_improvement_or_worse_percent()))});
  }
  table.AppendTo(out);
}

void AppendQuality(const gv1::QualitySection& section,
                   const tv1::YearMonth& month, const Withheld& w,
                   std::string* out) {
  absl::StrAppend(out, "## Quality assurance\n\n");
  if (AppendStatusLine(section.status(), out)) return;
  const qv1::QaFigures& m = section.month();
  const qv1::QaFigures& y = section.last_12_months();
  const std::string mp = "quality.month";
  const std::string yp = "quality.last_12_months";
  const std::string this_month = MonthName(month);
  const std::string year = absl::StrCat("12 months to ", this_month);

  absl::StrAppend(
      out, "Audits in ", this_month, ": **",
      w.Or(At(mp, "audits.audits"), Count(m.audits().audits())),
      "**, good or better ",
      w.Or(At(mp, "audits.good_or_better_percent"),
           OptionalPercent(m.audits().has_good_or_better_percent(),
                           m.audits().good_or_better_percent())),
      ". Over the ", year, " (", DateText(y.from()), " to ", DateText(y.to()),
      "): ", w.Or(At(yp, "audits.audits"), Count(y.audits().audits())),
      " audits, good or better ",
      w.Or(At(yp, "audits.good_or_better_percent"),
           OptionalPercent(y.audits().has_good_or_better_percent(),
                           y.audits().good_or_better_percent())),
      ". Grades are the moderator's where an audit was moderated.\n\n");
  AppendAuditGrades(this_month, m, mp, w, out);
  AppendAuditGrades(year, y, yp, w, out);

  absl::StrAppend(out, "### Moderation\n\n");
  Table moderation({"period", "moderated", "agreed", "graded up", "graded down",
                    "agreement"},
                   "lrrrrr");
  auto moderation_row = [&](const std::string& period,
                            const qv1::ModerationFigures& g,
                            const std::string& path) {
    const std::string at = At(path, "moderation");
    moderation.Add({period, w.Or(At(at, "moderated"), Count(g.moderated())),
                    w.Or(At(at, "agreed"), Count(g.agreed())),
                    w.Or(At(at, "moderated_up"), Count(g.moderated_up())),
                    w.Or(At(at, "moderated_down"), Count(g.moderated_down())),
                    w.Or(At(at, "agreement_percent"),
                         OptionalPercent(g.has_agreement_percent(),
                                         g.agreement_percent()))});
  };
  moderation_row(this_month, m.moderation(), mp);
  moderation_row(year, y.moderation(), yp);
  moderation.AppendTo(out);

  absl::StrAppend(out,
                  "### Domains most often graded requires improvement or "
                  "worse\n\n");
  AppendDomains(this_month, m, mp, w, out);
  AppendDomains(year, y, yp, w, out);

  absl::StrAppend(out, "### Feedback\n\n");
  Table feedback(
      {"from", absl::StrCat("received in ", this_month), "mean rating",
       absl::StrCat("received in the ", year), "mean rating"},
      "lrrrr");
  for (qv1::FeedbackSource source : kFeedbackSources) {
    const int mi = FeedbackIndex(m.feedback(), source);
    const int yi = FeedbackIndex(y.feedback(), source);
    if (mi < 0 && yi < 0) continue;
    auto cells = [&](const qv1::QaFigures& f, int i, const std::string& path,
                     std::vector<std::string>* row) {
      if (i < 0) {
        row->push_back(Count(0));
        row->push_back(std::string(kNone));
        return;
      }
      const qv1::FeedbackFigures& r = f.feedback(i);
      const std::string at = At(At(path, "feedback"), i);
      row->push_back(w.Or(At(at, "received"), Count(r.received())));
      row->push_back(
          w.Or(At(at, "mean_rating"),
               OptionalNumber(r.has_mean_rating(), r.mean_rating(), "%.2f")));
    };
    const std::string title = FeedbackSourceTitle(source);
    std::vector<std::string> row = {source == qv1::FEEDBACK_SOURCE_UNSPECIFIED
                                        ? absl::StrCat("**", title, "**")
                                        : title};
    cells(m, mi, mp, &row);
    cells(y, yi, yp, &row);
    feedback.Add(std::move(row));
  }
  if (feedback.empty()) {
    absl::StrAppend(out, "No feedback received.\n\n");
  } else {
    feedback.AppendTo(out);
    absl::StrAppend(out, "Ratings from 1 (poor) to 5 (excellent).\n\n");
  }

  absl::StrAppend(out, "### Actions\n\n");
  absl::StrAppend(out, "Open at ", DateText(m.to()), ": **",
                  w.Or(At(mp, "actions.open"), Count(m.actions().open())),
                  "**, of which ",
                  w.Or(At(mp, "actions.overdue"), Count(m.actions().overdue())),
                  " overdue.\n\n");
  Table actions({"period", "due", "completed", "completed on time", "on time"},
                "lrrrr");
  auto action_row = [&](const std::string& period, const qv1::ActionFigures& a,
                        const std::string& path) {
    const std::string at = At(path, "actions");
    actions.Add(
        {period, w.Or(At(at, "due"), Count(a.due())),
         w.Or(At(at, "completed"), Count(a.completed())),
         w.Or(At(at, "completed_on_time"), Count(a.completed_on_time())),
         w.Or(At(at, "on_time_percent"),
              OptionalPercent(a.has_on_time_percent(), a.on_time_percent()))});
  };
  action_row(this_month, m.actions(), mp);
  action_row(year, y.actions(), yp);
  actions.AppendTo(out);

  absl::StrAppend(out, "### Re-audits\n\n");
  Table reaudits({"period", "re-audits", "improved", "unchanged", "worsened",
                  "improved "
                  "share"},
                 "lrrrrr");
  auto reaudit_row = [&](const std::string& period,
                         const qv1::ReauditFigures& r,
                         const std::string& path) {
    const std::string at = At(path, "reaudits");
    reaudits.Add({period, w.Or(At(at, "reaudits"), Count(r.reaudits())),
                  w.Or(At(at, "improved"), Count(r.improved())),
                  w.Or(At(at, "unchanged"), Count(r.unchanged())),
                  w.Or(At(at, "worsened"), Count(r.worsened())),
                  w.Or(At(at, "improved_percent"),
                       OptionalPercent(r.has_improved_percent(),
                                       r.improved_percent()))});
  };
  reaudit_row(this_month, m.reaudits(), mp);
  reaudit_row(year, y.reaudits(), yp);
  reaudits.AppendTo(out);
  const std::string missing = At(yp, "reaudits.original_missing");
  if (y.reaudits().original_missing() > 0 || w.Has(missing)) {
    absl::StrAppend(out, "Re-audits over the ", year,
                    " whose original audit is not recorded (left out above): ",
                    w.Or(missing, Count(y.reaudits().original_missing())),
                    ".\n\n");
  }

  absl::StrAppend(out, "### Themes\n\n");
  if (m.themes().empty()) {
    absl::StrAppend(out, "No theme is active in ", this_month, ".\n\n");
  } else {
    std::vector<std::string> themes;
    for (const qv1::Theme& t : m.themes()) {
      themes.push_back(absl::StrCat(t.name(), " (", t.theme_id(), ", ",
                                    DateText(t.start_date()), " to ",
                                    DateText(t.end_date()), ")"));
    }
    absl::StrAppend(out, "Active in ", this_month, ": ",
                    absl::StrJoin(themes, "; "), ".\n\n");
  }

  if (!section.trend().empty()) {
    absl::StrAppend(out, "### Quality assurance month by month\n\n");
    Table trend({"month", "audits", "good or better", "moderation agreement",
                 "feedback", "mean rating", "open actions", "overdue"},
                "lrrrrrrr");
    for (int i = 0; i < section.trend_size(); ++i) {
      const qv1::QaTrendPoint& p = section.trend(i);
      const std::string at = At("quality.trend", i);
      trend.Add(
          {ShortMonth(p.month()), w.Or(At(at, "audits"), Count(p.audits())),
           w.Or(At(at, "good_or_better_percent"),
                OptionalPercent(p.has_good_or_better_percent(),
                                p.good_or_better_percent())),
           w.Or(At(at, "agreement_percent"),
                OptionalPercent(p.has_agreement_percent(),
                                p.agreement_percent())),
           w.Or(At(at, "feedback"), Count(p.feedback())),
           w.Or(At(at, "mean_rating"),
                OptionalNumber(p.has_mean_rating(), p.mean_rating(), "%.2f")),
           w.Or(At(at, "open_actions"), Count(p.open_actions())),
           w.Or(At(at, "overdue_actions"), Count(p.overdue_actions()))});
    }
    trend.AppendTo(out);
  }
}

void AppendWorkforce(const gv1::WorkforceSection& section, const Withheld& w,
                     std::string* out) {
  absl::StrAppend(out, "## Workforce\n\n");
  if (AppendStatusLine(section.status(), out)) return;
  const wv1::WorkforceFigures& f = section.figures();
  absl::StrAppend(out, "At ", DateText(f.as_of()),
                  ", FTE by service area:\n\n");
  Table staffing(
      {"service area", "in post", "maternity", "agency", "long-term absence",
       "establishment", "vacancy rate", "turnover (12 months)"},
      "lrrrrrrr");
  const wv1::StaffingFigures* total = nullptr;
  std::string total_at;
  for (int i = 0; i < f.staffing_size(); ++i) {
    const wv1::StaffingFigures& s = f.staffing(i);
    const std::string at = At("workforce.figures.staffing", i);
    if (s.service_area() == "Total") {
      total = &s;
      total_at = at;
    }
    staffing.Add(
        {s.service_area() == "Total" ? "**Total**" : s.service_area(),
         w.Or(At(at, "fte_in_post"), Fte(s.fte_in_post())),
         w.Or(At(at, "maternity_fte"), Fte(s.maternity_fte())),
         w.Or(At(at, "agency_fte"), Fte(s.agency_fte())),
         w.Or(At(at, "long_term_absence_fte"), Fte(s.long_term_absence_fte())),
         w.Or(At(at, "establishment_fte"), Fte(s.establishment_fte())),
         w.Or(At(at, "vacancy_rate_percent"),
              OptionalPercent(s.has_vacancy_rate_percent(),
                              s.vacancy_rate_percent())),
         w.Or(
             At(at, "turnover_percent"),
             OptionalPercent(s.has_turnover_percent(), s.turnover_percent()))});
  }
  if (staffing.empty()) {
    absl::StrAppend(out, "No staff records.\n\n");
  } else {
    staffing.AppendTo(out);
  }
  if (total != nullptr) {
    auto total_field = [&](absl::string_view name) {
      return At(total_at, name);
    };
    absl::StrAppend(
        out, "- Absence: ",
        w.Or(total_field("absence_days_per_fte"),
             OptionalNumber(total->has_absence_days_per_fte(),
                            total->absence_days_per_fte(), "%.2f")),
        " days lost per FTE over the 12 months (",
        w.Or(total_field("absence_days_lost_12m"),
             absl::StrFormat("%.1f", total->absence_days_lost_12m())),
        " days).\n",
        "- Agency: ", w.Or(total_field("agency_fte"), Fte(total->agency_fte())),
        " FTE (",
        w.Or(total_field("agency_share_percent"),
             OptionalPercent(total->has_agency_share_percent(),
                             total->agency_share_percent())),
        " of FTE in post).\n", "- Qualified social workers: ",
        w.Or(total_field("social_worker_fte"), Fte(total->social_worker_fte())),
        " FTE.\n\n");
  }

  absl::StrAppend(out, "### Caseloads\n\n");
  if (!f.caseloads_available()) {
    absl::StrAppend(out, "> **Unavailable:** caseloads (",
                    f.caseloads_unavailable_reason().empty()
                        ? "the KPI service did not answer"
                        : f.caseloads_unavailable_reason(),
                    "). The other workforce figures stand.\n\n");
  } else {
    Table caseloads(
        {"group", "case-holding workers", "open cases", "mean caseload",
         "median caseload", absl::StrCat("over ", f.caseload_threshold())},
        "lrrrrr");
    for (int i = 0; i < f.caseloads_size(); ++i) {
      const wv1::CaseloadFigures& c = f.caseloads(i);
      const std::string at = At("workforce.figures.caseloads", i);
      caseloads.Add(
          {c.group() == "qualified_social_workers"  ? "Qualified social workers"
           : c.group() == "childrens_practitioners" ? "Children's practitioners"
                                                    : c.group(),
           w.Or(At(at, "case_holding_workers"),
                Count(c.case_holding_workers())),
           w.Or(At(at, "open_cases"), Count(c.open_cases())),
           w.Or(At(at, "mean_caseload"),
                OptionalNumber(c.has_mean_caseload(), c.mean_caseload(),
                               "%.1f")),
           w.Or(At(at, "median_caseload"),
                OptionalNumber(c.has_median_caseload(), c.median_caseload(),
                               "%.1f")),
           w.Or(At(at, "over_threshold"), Count(c.over_threshold()))});
    }
    caseloads.AppendTo(out);
  }

  if (!f.costs().empty()) {
    absl::StrAppend(out, "### Staffing costs, financial year ",
                    YearText(f.costs(0).financial_year()), "\n\n");
    Table costs({"service area", "all staff", "social workers", "agency",
                 "agency premium"},
                "lrrrr");
    for (int i = 0; i < f.costs_size(); ++i) {
      const wv1::CostFigures& c = f.costs(i);
      const std::string at = At("workforce.figures.costs", i);
      costs.Add(
          {c.service_area() == "Total" ? "**Total**" : c.service_area(),
           w.Or(At(at, "total_cost_pence"), Pounds(c.total_cost_pence())),
           w.Or(At(at, "social_worker_cost_pence"),
                Pounds(c.social_worker_cost_pence())),
           w.Or(At(at, "agency_cost_pence"), Pounds(c.agency_cost_pence())),
           w.Or(At(at, "agency_premium_pence"),
                Pounds(c.agency_premium_pence()))});
    }
    costs.AppendTo(out);
  }

  if (!section.trend().empty()) {
    absl::StrAppend(out, "### Workforce month by month\n\n");
    Table trend({"month", "FTE in post", "agency FTE", "vacancy rate",
                 "turnover", "absence days per FTE", "mean caseload"},
                "lrrrrrr");
    for (int i = 0; i < section.trend_size(); ++i) {
      const wv1::WorkforceTrendPoint& p = section.trend(i);
      const std::string at = At("workforce.trend", i);
      trend.Add({ShortMonth(p.month()),
                 w.Or(At(at, "fte_in_post"), Fte(p.fte_in_post())),
                 w.Or(At(at, "agency_fte"), Fte(p.agency_fte())),
                 w.Or(At(at, "vacancy_rate_percent"),
                      OptionalPercent(p.has_vacancy_rate_percent(),
                                      p.vacancy_rate_percent())),
                 w.Or(At(at, "turnover_percent"),
                      OptionalPercent(p.has_turnover_percent(),
                                      p.turnover_percent())),
                 w.Or(At(at, "absence_days_per_fte"),
                      OptionalNumber(p.has_absence_days_per_fte(),
                                     p.absence_days_per_fte(), "%.2f")),
                 w.Or(At(at, "mean_caseload"),
                      OptionalNumber(p.has_mean_caseload(), p.mean_caseload(),
                                     "%.1f"))});
    }
    trend.AppendTo(out);
  }
}

// --- practice insight ------------------------------------------------------

bool SameMonth(const tv1::YearMonth& a, const tv1::YearMonth& b) {
  return a.year() == b.year() && a.month() == b.month();
}

// "<code> <label>", or the code alone.
std::string CodeLabel(absl::string_view code, absl::string_view label) {
  return label.empty() ? std::string(code) : absl::StrCat(code, " ", label);
}

void AppendReferralQuality(const iv1::GetReferralQualityResponse& q,
                           const Withheld& w, std::string* out) {
  const std::string qp = "insight.referral_quality";
  absl::StrAppend(out, "### Referral quality by agency\n\n");
  std::vector<std::string> rules;
  for (const iv1::QualityRule& r : q.rules()) {
    rules.push_back(absl::StrCat(QualityItemTitle(r.item()), " ", r.weight()));
  }
  absl::StrAppend(
      out, "Each contact scores 0 to 100 by the details it gives",
      rules.empty()
          ? std::string()
          : absl::StrCat(" (weights: ", absl::StrJoin(rules, "; "), ")"),
      "; a score below ", q.threshold(), " is below threshold.\n\n");
  if (q.agencies().empty()) {
    absl::StrAppend(out, "No contacts in the period.\n\n");
    return;
  }
  Table table({"agency", "contacts", "mean score", "below threshold",
               "share below", "most common gaps"},
              "lrrrrl");
  auto row = [&](const std::string& name, const iv1::AgencyReferralQuality& a,
                 const std::string& at) {
    const iv1::ReferralQualityPoint& t = a.total();
    const std::string tp = At(at, "total");
    std::vector<std::string> gaps;
    for (int i = 0; i < a.top_gaps_size() && i < 3; ++i) {
      const iv1::QualityGap& g = a.top_gaps(i);
      gaps.push_back(absl::StrCat(QualityItemTitle(g.item()), " ",
                                  w.Or(At(At(At(at, "top_gaps"), i), "percent"),
                                       Percent(g.percent()))));
    }
    table.Add({name, w.Or(At(tp, "contacts"), Count(t.contacts())),
               w.Or(At(tp, "mean_score"),
                    OptionalNumber(t.has_mean_score(), t.mean_score(), "%.1f")),
               w.Or(At(tp, "below_threshold"), Count(t.below_threshold())),
               w.Or(At(tp, "below_threshold_percent"),
                    OptionalPercent(t.has_below_threshold_percent(),
                                    t.below_threshold_percent())),
               gaps.empty() ? std::string(kNone) : absl::StrJoin(gaps, "; ")});
  };
  for (int i = 0; i < q.agencies_size(); ++i) {
    row(q.agencies(i).agency(), q.agencies(i), At(At(qp, "agencies"), i));
  }
  row("**All agencies**", q.all_agencies(), At(qp, "all_agencies"));
  table.AppendTo(out);
  const iv1::AgencyReferralQuality& all = q.all_agencies();
  if (!all.trend().empty()) {
    absl::StrAppend(out, "All agencies month by month:\n\n");
    Table trend({"month", "contacts", "mean score", "share below threshold"},
                "lrrr");
    for (int i = 0; i < all.trend_size(); ++i) {
      const iv1::ReferralQualityPoint& p = all.trend(i);
      const std::string at = At(At(At(qp, "all_agencies"), "trend"), i);
      trend.Add(
          {ShortMonth(p.month()), w.Or(At(at, "contacts"), Count(p.contacts())),
           w.Or(At(at, "mean_score"),
                OptionalNumber(p.has_mean_score(), p.mean_score(), "%.1f")),
           w.Or(At(at, "below_threshold_percent"),
                OptionalPercent(p.has_below_threshold_percent(),
                                p.below_threshold_percent()))});
    }
    trend.AppendTo(out);
  }
}

void AppendDuplicateBreakdown(
    absl::string_view title, absl::string_view what,
    const google::protobuf::RepeatedPtrField<iv1::DuplicateBreakdown>& rows,
    const std::string& path, const Withheld& w, std::string* out) {
  if (rows.empty()) return;
  absl::StrAppend(out, title, ":\n\n");
  Table table(
      {std::string(what), "contacts with a child", "duplicates", "share"},
      "lrrr");
  for (int i = 0; i < rows.size(); ++i) {
    const iv1::DuplicateBreakdown& b = rows[i];
    const std::string at = At(path, i);
    table.Add(
        {CodeLabel(b.code(), b.label()),
         w.Or(At(at, "contacts_with_child"), Count(b.contacts_with_child())),
         w.Or(At(at, "duplicates"), Count(b.duplicates())),
         w.Or(At(at, "percent"),
              OptionalPercent(b.has_percent(), b.percent()))});
  }
  table.AppendTo(out);
}

void AppendDuplicateInput(const iv1::GetDuplicateInputResponse& d,
                          const tv1::YearMonth& month, const Withheld& w,
                          std::string* out) {
  const std::string dp = "insight.duplicate_input";
  absl::StrAppend(out, "### Duplicate input\n\n");
  auto fraction = [&](const iv1::DuplicateInputPoint& p,
                      const std::string& at) {
    return absl::StrCat(
        w.Or(At(at, "duplicates"), Count(p.duplicates())), " of ",
        w.Or(At(at, "contacts_with_child"), Count(p.contacts_with_child())),
        " contacts with a child identified (",
        w.Or(At(at, "percent"), OptionalPercent(p.has_percent(), p.percent())),
        ")");
  };
  absl::StrAppend(out,
                  "Contacts about a child who already had an open "
                  "assessment, plan or episode when the contact came in");
  for (int i = 0; i < d.trend_size(); ++i) {
    if (!SameMonth(d.trend(i).month(), month)) continue;
    absl::StrAppend(out, ": in ", MonthName(month), " ",
                    fraction(d.trend(i), At(At(dp, "trend"), i)));
  }
  absl::StrAppend(out, "; over the 12 months ",
                  fraction(d.total(), At(dp, "total")), ".\n\n");
  if (!d.trend().empty()) {
    Table trend({"month", "contacts with a child", "duplicates", "share"},
                "lrrr");
    for (int i = 0; i < d.trend_size(); ++i) {
      const iv1::DuplicateInputPoint& p = d.trend(i);
      const std::string at = At(At(dp, "trend"), i);
      trend.Add(
          {ShortMonth(p.month()),
           w.Or(At(at, "contacts_with_child"), Count(p.contacts_with_child())),
           w.Or(At(at, "duplicates"), Count(p.duplicates())),
           w.Or(At(at, "percent"),
                OptionalPercent(p.has_percent(), p.percent()))});
    }
    trend.AppendTo(out);
  }
  AppendDuplicateBreakdown("By concern (a contact counts under each)",
                           "concern", d.by_concern(), At(dp, "by_concern"), w,
                           out);
  AppendDuplicateBreakdown("By source", "source", d.by_source(),
                           At(dp, "by_source"), w, out);
  AppendDuplicateBreakdown("By the open work met", "open work",
                           d.by_open_work(), At(dp, "by_open_work"), w, out);
}

// The index of `category` in `counts`, or -1.
int CategoryIndex(
    const google::protobuf::RepeatedPtrField<kv1::CategoryCount>& counts,
    absl::string_view category) {
  for (int i = 0; i < counts.size(); ++i) {
    if (counts[i].category() == category) return i;
  }
  return -1;
}

void AppendFunnel(const gv1::AbuseCategoryFunnel& f, const Withheld& w,
                  std::string* out) {
  const std::string fp = "insight.funnel";
  absl::StrAppend(out, "### Abuse-category funnel\n\n");
  if (f.stages().empty()) {
    absl::StrAppend(out, "No funnel figures.\n\n");
    return;
  }
  absl::StrAppend(out, "From contact to CP plan, ", PeriodText(f.period()),
                  ": each stage by category (share of the stage), then each "
                  "stage as a percent of the stage before, category by "
                  "category.\n\n");
  std::vector<std::string> categories;
  for (const kv1::CategoryCount& c : f.stages(0).by_category()) {
    categories.push_back(c.category());
  }
  std::vector<std::string> header = {"stage", "total"};
  std::vector<std::string> conversion_header = {"stage"};
  std::string align = "lr";
  std::string conversion_align = "l";
  for (const std::string& c : categories) {
    header.push_back(CategoryTitle(c));
    conversion_header.push_back(CategoryTitle(c));
    align.push_back('r');
    conversion_align.push_back('r');
  }
  Table shares(header, align);
  Table conversions(conversion_header, conversion_align);
  for (int s = 0; s < f.stages_size(); ++s) {
    const gv1::AbuseFunnelStage& stage = f.stages(s);
    const std::string sp = At(At(fp, "stages"), s);
    std::vector<std::string> row = {
        StageTitle(stage.stage()), w.Or(At(sp, "total"), Count(stage.total()))};
    std::vector<std::string> conversion_row = {StageTitle(stage.stage())};
    for (const std::string& c : categories) {
      const int i = CategoryIndex(stage.by_category(), c);
      if (i < 0) {
        row.push_back(Count(0));
      } else {
        const kv1::CategoryCount& count = stage.by_category(i);
        const std::string cp = At(At(sp, "by_category"), i);
        row.push_back(
            w.Has(At(cp, "count"))
                ? std::string(kWithheld)
                : absl::StrCat(
                      Count(count.count()), " (",
                      w.Or(At(cp, "percent"), Percent(count.percent())), ")"));
      }
      std::string cell(kNone);
      for (int j = 0; j < stage.conversions_size(); ++j) {
        const gv1::AbuseFunnelConversion& v = stage.conversions(j);
        if (v.category() != c) continue;
        cell = w.Or(At(At(At(sp, "conversions"), j), "percent"),
                    OptionalPercent(v.has_percent(), v.percent()));
      }
      conversion_row.push_back(cell);
    }
    shares.Add(std::move(row));
    if (s > 0) conversions.Add(std::move(conversion_row));
  }
  shares.AppendTo(out);
  if (!conversions.empty()) {
    absl::StrAppend(out, "Conversion from the stage before:\n\n");
    conversions.AppendTo(out);
  }
  std::vector<std::string> changes;
  for (int i = 0; i < f.changes_size(); ++i) {
    const kv1::CategoryChange& c = f.changes(i);
    changes.push_back(absl::StrCat(
        CategoryTitle(c.from()), " to ", CategoryTitle(c.to()), ": ",
        w.Or(At(At(At(fp, "changes"), i), "plans"), Count(c.plans()))));
  }
  absl::StrAppend(
      out, "CP plans traced to a referral with a category: ",
      w.Or(At(fp, "plans_traced"), Count(f.plans_traced())),
      changes.empty()
          ? std::string("; none changed category.")
          : absl::StrCat("; category changed between referral and plan: ",
                         absl::StrJoin(changes, "; "), "."),
      "\n\n");
}

void AppendVisitQuality(const kv1::GetVisitQualityResponse& v,
                        const Withheld& w, std::string* out) {
  const std::string vp = "insight.visit_quality";
  absl::StrAppend(out, "### Visit quality\n\n");
  if (v.totals().empty()) {
    absl::StrAppend(out, "No visits in the period.\n\n");
    return;
  }
  Table totals({"visit type", "visits", "mode recorded", "face to face",
                "share face to face", "seen alone recorded", "seen alone",
                "share seen alone"},
               "lrrrrrrr");
  for (int i = 0; i < v.totals_size(); ++i) {
    const kv1::VisitQuality& q = v.totals(i);
    const std::string at = At(At(vp, "totals"), i);
    totals.Add(
        {VisitKindTitle(q.kind()), w.Or(At(at, "visits"), Count(q.visits())),
         w.Or(At(at, "mode_recorded"), Count(q.mode_recorded())),
         w.Or(At(at, "face_to_face"), Count(q.face_to_face())),
         w.Or(At(at, "face_to_face_percent"),
              OptionalPercent(q.has_face_to_face_percent(),
                              q.face_to_face_percent())),
         w.Or(At(at, "seen_alone_recorded"), Count(q.seen_alone_recorded())),
         w.Or(At(at, "seen_alone"), Count(q.seen_alone())),
         w.Or(At(at, "seen_alone_percent"),
              OptionalPercent(q.has_seen_alone_percent(),
                              q.seen_alone_percent()))});
  }
  absl::StrAppend(out, "Over the 12 months:\n\n");
  totals.AppendTo(out);
  if (v.months().empty()) return;
  // One row a month; per kind (in the totals' order) face to face, then
  // seen alone.
  std::vector<kv1::VisitKind> kinds;
  for (const kv1::VisitQuality& q : v.totals()) kinds.push_back(q.kind());
  std::vector<std::string> header = {"month"};
  std::string align = "l";
  for (const char* what : {"face to face", "seen alone"}) {
    for (kv1::VisitKind kind : kinds) {
      header.push_back(absl::StrCat(VisitKindTitle(kind), " ", what));
      align.push_back('r');
    }
  }
  Table months(header, align);
  std::vector<tv1::YearMonth> order;
  for (const kv1::VisitQuality& q : v.months()) {
    bool seen = false;
    for (const tv1::YearMonth& m : order)
      seen = seen || SameMonth(m, q.month());
    if (!seen) order.push_back(q.month());
  }
  for (const tv1::YearMonth& month : order) {
    std::vector<std::string> row = {ShortMonth(month)};
    for (bool face : {true, false}) {
      for (kv1::VisitKind kind : kinds) {
        std::string cell(kNone);
        for (int i = 0; i < v.months_size(); ++i) {
          const kv1::VisitQuality& q = v.months(i);
          if (q.kind() != kind || !SameMonth(q.month(), month)) continue;
          const std::string at = At(At(vp, "months"), i);
          cell = face ? w.Or(At(at, "face_to_face_percent"),
                             OptionalPercent(q.has_face_to_face_percent(),
                                             q.face_to_face_percent()))
                      : w.Or(At(at, "seen_alone_percent"),
                             OptionalPercent(q.has_seen_alone_percent(),
                                             q.seen_alone_percent()));
        }
        row.push_back(cell);
      }
    }
    months.Add(std::move(row));
  }
  absl::StrAppend(out,
                  "Month by month (share face to face, share seen "
                  "alone):\n\n");
  months.AppendTo(out);
}

void AppendServiceFlows(const kv1::GetServiceFlowsResponse& f,
                        const Withheld& w, std::string* out) {
  const std::string fp = "insight.service_flows";
  absl::StrAppend(out, "### Service-level flows\n\n");
  if (f.months().empty()) {
    absl::StrAppend(out, "No months.\n\n");
    return;
  }
  absl::StrAppend(out,
                  "Children moving between Early Help, child in need, child "
                  "protection and care (a gap of up to ",
                  f.gap_days(),
                  " days between two levels is a direct move), cases closed, "
                  "and the share of open cases by level at each month "
                  "end.\n\n");
  Table table(
      {"month", "step downs", "CP to CIN", "CIN to Early Help", "step ups",
       "entries", "exits", "closures", "Early Help", "CIN", "CP", "CIC"},
      "lrrrrrrrrrrr");
  for (int i = 0; i < f.months_size(); ++i) {
    const kv1::ServiceFlowMonth& m = f.months(i);
    const std::string at = At(At(fp, "months"), i);
    table.Add(
        {ShortMonth(m.month()),
         w.Or(At(at, "step_downs"), Count(m.step_downs())),
         w.Or(At(at, "step_downs_cp_to_cin"), Count(m.step_downs_cp_to_cin())),
         w.Or(At(at, "step_downs_cin_to_early_help"),
              Count(m.step_downs_cin_to_early_help())),
         w.Or(At(at, "step_ups"), Count(m.step_ups())),
         w.Or(At(at, "entries"), Count(m.entries())),
         w.Or(At(at, "exits"), Count(m.exits())),
         w.Or(At(at, "closures_total"), Count(m.closures_total())),
         w.Or(At(at, "early_help_percent"), Percent(m.early_help_percent())),
         w.Or(At(at, "child_in_need_percent"),
              Percent(m.child_in_need_percent())),
         w.Or(At(at, "child_protection_percent"),
              Percent(m.child_protection_percent())),
         w.Or(At(at, "child_in_care_percent"),
              Percent(m.child_in_care_percent()))});
  }
  table.AppendTo(out);
  const int last = f.months_size() - 1;
  const kv1::ServiceFlowMonth& m = f.months(last);
  absl::StrAppend(out, "Cases closed in ", MonthName(m.month()),
                  " by reason:\n\n");
  if (m.closures().empty()) {
    absl::StrAppend(out, "None.\n\n");
    return;
  }
  Table closures({"reason", "closures"}, "lr");
  for (int i = 0; i < m.closures_size(); ++i) {
    const kv1::ClosureCount& c = m.closures(i);
    const std::string at = At(At(At(At(fp, "months"), last), "closures"), i);
    closures.Add({CodeLabel(c.reason(), c.label()),
                  w.Or(At(at, "closures"), Count(c.closures()))});
  }
  closures.AppendTo(out);
}

void AppendInsight(const gv1::InsightSection& section,
                   const tv1::YearMonth& month, const Withheld& w,
                   std::string* out) {
  absl::StrAppend(out, "## Practice insight\n\n");
  if (AppendStatusLine(section.status(), out)) return;
  tv1::YearMonth from = month;
  from.set_year(month.month() == 12 ? month.year() : month.year() - 1);
  from.set_month(month.month() % 12 + 1);
  gv1::MonthPeriod period;
  *period.mutable_from() = from;
  *period.mutable_to() = month;
  absl::StrAppend(out, "Over the 12 months ", PeriodText(period), ".\n\n");
  AppendReferralQuality(section.referral_quality(), w, out);
  AppendDuplicateInput(section.duplicate_input(), month, w, out);
  AppendFunnel(section.funnel(), w, out);
  AppendVisitQuality(section.visit_quality(), w, out);
  AppendServiceFlows(section.service_flows(), w, out);
}

// --- what changed ----------------------------------------------------------

void AppendWhatChanged(const gv1::ChangeSection& section, const Withheld& w,
                       std::string* out) {
  absl::StrAppend(out, "## What changed\n\n");
  if (AppendStatusLine(section.status(), out)) return;
  const gv1::FigureComparison& c = section.comparison();
  absl::StrAppend(out, PeriodText(c.after()), " against ",
                  PeriodText(c.before()), ".\n\n");
  if (c.changes().empty()) {
    absl::StrAppend(out, "No figures compared.\n\n");
    return;
  }
  bool notes = false;
  for (const gv1::FigureChange& change : c.changes()) {
    notes = notes || !change.note().empty();
  }
  std::vector<std::string> header = {"figure", "before",          "after",
                                     "change", "relative change", "verdict"};
  if (notes) header.push_back("note");
  Table table(header, notes ? "lrrrrll" : "lrrrrl");
  for (int i = 0; i < c.changes_size(); ++i) {
    const gv1::FigureChange& change = c.changes(i);
    const gv1::FigureUnit unit = change.figure().unit();
    auto field = [&](absl::string_view name) {
      return At(At("what_changed.comparison.changes", i), name);
    };
    std::vector<std::string> row = {
        change.figure().title().empty() ? change.figure().id()
                                        : change.figure().title(),
        w.Or(field("before"), change.has_before()
                                  ? FigureValue(unit, change.before())
                                  : std::string(kNone)),
        w.Or(field("after"), change.has_after()
                                 ? FigureValue(unit, change.after())
                                 : std::string(kNone)),
        w.Or(field("absolute_change"),
             change.has_absolute_change()
                 ? FigureChangeText(unit, change.absolute_change())
                 : std::string(kNone)),
        w.Or(field("relative_change_percent"),
             OptionalChange(change.has_relative_change_percent(),
                            change.relative_change_percent())),
        VerdictWord(change.verdict())};
    if (notes) row.push_back(change.note());
    table.Add(std::move(row));
  }
  table.AppendTo(out);
}

}  // namespace

std::string RenderPracticeReportMarkdown(const gv1::PracticeReport& report) {
  std::string out;
  absl::StrAppend(&out, "# Monitoring safeguarding practice: ",
                  MonthName(report.month()), "\n\n");
  absl::StrAppend(
      &out, "Authority ", report.authority(), ". Composed ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                       absl::FromUnixSeconds(report.composed_at().seconds()),
                       absl::UTCTimeZone()),
      " from the services' figures.");
  if (report.suppressed()) {
    absl::StrAppend(&out,
                    " Counts under 5 are suppressed: counts from 1 to 4, and "
                    "figures derived from them, show as \"",
                    kWithheld, "\".");
  }
  absl::StrAppend(&out, "\n\n");
  const Withheld withheld(report);
  AppendFrontDoor(report.front_door(), withheld, &out);
  AppendPerformance(report.performance(), withheld, &out);
  AppendQuality(report.quality(), report.month(), withheld, &out);
  AppendWorkforce(report.workforce(), withheld, &out);
  AppendInsight(report.insight(), report.month(), withheld, &out);
  AppendWhatChanged(report.what_changed(), withheld, &out);
  return out;
}

}  // namespace sgm::gateway
