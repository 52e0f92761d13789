#include "services/gateway/report_html.h"

#include <cmath>
#include <cstdint>
#include <optional>
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
#include "services/gateway/web_assets.h"

namespace sgm::gateway {

ReportPath ReportPath::Field(absl::string_view name) const {
  return ReportPath(text_.empty() ? std::string(name)
                                  : absl::StrCat(text_, ".", name));
}

ReportPath ReportPath::At(int index) const {
  return ReportPath(absl::StrCat(text_, "[", index, "]"));
}

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

// "Jul 2023", for chart axes.
std::string AxisMonth(const tv1::YearMonth& month) {
  if (month.month() < 1 || month.month() > 12) return ShortMonth(month);
  return absl::StrCat(MonthName(month).substr(0, 3), " ", month.year());
}

// Text for HTML content and attribute values.
std::string Escape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"},
                                    {"'", "&#39;"}});
}

// --- chart data (JSON) -----------------------------------------------------

// A JSON string; "<", ">" and "&" as \u escapes so that the text can never
// close or open a tag inside the <script> block it is carried in.
void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (const char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '<':
        out->append("\\u003c");
        break;
      case '>':
        out->append("\\u003e");
        break;
      case '&':
        out->append("\\u0026");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendJsonNumber(std::optional<double> value, std::string* out) {
  if (!value.has_value() || !std::isfinite(*value)) {
    out->append("null");
    return;
  }
  absl::StrAppendFormat(out, "%.10g", *value);
}

struct Dataset {
  std::string label;
  std::vector<std::optional<double>> data;
  // In a chart of bars, "line" draws this one as a line; empty: the
  // chart's type.
  std::string type = "";
  // "y2": measured on the chart's second (right-hand) axis.
  std::string axis = "";
};

// One chart: what report_charts.js draws.
struct Chart {
  std::string id;       // data-chart-id, unique in the report
  std::string type;     // "line" or "bar"
  std::string title;    // also the canvas's accessible label
  std::string caption;  // the <figcaption>
  std::string y_title;  // the value axis's title
  // The second value axis (datasets with axis "y2"), on the right.
  std::string y2_title;
  bool y2_percent = false;
  bool percent = false;
  bool stacked = false;
  bool horizontal = false;
  std::vector<std::string> labels;
  std::vector<Dataset> datasets;

  std::string Json() const {
    std::string out = "{\"type\":";
    AppendJsonString(type, &out);
    out.append(",\"title\":");
    AppendJsonString(title, &out);
    out.append(",\"labels\":[");
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(labels[i], &out);
    }
    out.append("],\"datasets\":[");
    for (size_t i = 0; i < datasets.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append("{\"label\":");
      AppendJsonString(datasets[i].label, &out);
      out.append(",\"data\":[");
      for (size_t j = 0; j < datasets[i].data.size(); ++j) {
        if (j > 0) out.push_back(',');
        AppendJsonNumber(datasets[i].data[j], &out);
      }
      out.append("]");
      if (!datasets[i].type.empty()) {
        out.append(",\"type\":");
        AppendJsonString(datasets[i].type, &out);
      }
      if (!datasets[i].axis.empty()) {
        out.append(",\"axis\":");
        AppendJsonString(datasets[i].axis, &out);
      }
      out.append("}");
    }
    out.append("],\"yTitle\":");
    AppendJsonString(y_title, &out);
    if (!y2_title.empty()) {
      out.append(",\"y2Title\":");
      AppendJsonString(y2_title, &out);
      absl::StrAppend(&out, ",\"y2Percent\":", y2_percent ? "true" : "false");
    }
    absl::StrAppend(&out, ",\"percent\":", percent ? "true" : "false",
                    ",\"stacked\":", stacked ? "true" : "false",
                    ",\"horizontal\":", horizontal ? "true" : "false", "}");
    // Belt and braces: no "<" at all inside the <script> block.
    return absl::StrReplaceAll(out, {{"<", "\\u003c"}});
  }

  bool empty() const { return labels.empty() || datasets.empty(); }

  void AppendTo(std::string* out) const {
    if (empty()) return;
    const std::string escaped_id = Escape(id);
    absl::StrAppend(
        out, "<figure class=\"sgm-figure\">\n",
        "<div class=\"sgm-chart-box\"><canvas class=\"sgm-chart\" "
        "data-chart-id=\"",
        escaped_id, "\" role=\"img\" aria-label=\"", Escape(title),
        "\"></canvas></div>\n",
        "<script type=\"application/json\" class=\"sgm-chart-data\" "
        "data-chart-id=\"",
        escaped_id, "\">", Json(), "</script>\n", "<figcaption>",
        Escape(caption), "</figcaption>\n</figure>\n");
  }
};

// --- tables ----------------------------------------------------------------

struct Cell {
  std::string text;       // raw, escaped when written
  std::string css_class;  // "sgm-num", "sgm-rag sgm-rag-red", ...
};

Cell Text(std::string text) { return {std::move(text), ""}; }
Cell Num(std::string text) { return {std::move(text), "sgm-num"}; }

// A table: a caption, a header row, and rows whose first cell heads the row.
class Table {
 public:
  Table(std::string caption, std::vector<std::string> header)
      : caption_(std::move(caption)), header_(std::move(header)) {}
  void Add(std::vector<Cell> row, std::string row_class = "") {
    rows_.push_back({std::move(row), std::move(row_class)});
  }
  bool empty() const { return rows_.empty(); }

  void AppendTo(std::string* out) const {
    absl::StrAppend(out,
                    "<div class=\"sgm-table-wrap\"><table class=\"sgm-table\">",
                    "<caption>", Escape(caption_), "</caption>\n<thead><tr>");
    for (const std::string& h : header_) {
      absl::StrAppend(out, "<th scope=\"col\">", Escape(h), "</th>");
    }
    absl::StrAppend(out, "</tr></thead>\n<tbody>\n");
    for (const Row& row : rows_) {
      absl::StrAppend(out, row.css_class.empty() ? "<tr>" : "<tr class=\"",
                      row.css_class.empty() ? "" : Escape(row.css_class),
                      row.css_class.empty() ? "" : "\">");
      for (size_t i = 0; i < row.cells.size(); ++i) {
        const Cell& c = row.cells[i];
        const char* tag = i == 0 ? "th" : "td";
        absl::StrAppend(out, "<", tag, i == 0 ? " scope=\"row\"" : "");
        if (!c.css_class.empty()) {
          absl::StrAppend(out, " class=\"", Escape(c.css_class), "\"");
        }
        absl::StrAppend(out, ">", Escape(c.text), "</", tag, ">");
      }
      absl::StrAppend(out, "</tr>\n");
    }
    absl::StrAppend(out, "</tbody></table></div>\n");
  }

 private:
  struct Row {
    std::vector<Cell> cells;
    std::string css_class;
  };
  std::string caption_;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

void Paragraph(absl::string_view text, std::string* out) {
  absl::StrAppend(out, "<p>", Escape(text), "</p>\n");
}

// --- comparators -----------------------------------------------------------

// The index of the comparator of `column`, or -1.
int ComparatorIndex(
    const google::protobuf::RepeatedPtrField<kv1::Comparator>& comparators,
    Column column) {
  for (int i = 0; i < comparators.size(); ++i) {
    if (ColumnOf(comparators[i]) == column) return i;
  }
  return -1;
}

constexpr Column kColumns[] = {Column::kNeighbours, Column::kRegion,
                               Column::kEngland};
constexpr const char* kColumnNames[] = {"Statistical neighbours", "Region",
                                        "England"};

std::string RagClass(kv1::Rag rag) {
  switch (rag) {
    case kv1::RAG_GREEN:
      return "sgm-rag sgm-rag-green";
    case kv1::RAG_AMBER:
      return "sgm-rag sgm-rag-amber";
    case kv1::RAG_RED:
      return "sgm-rag sgm-rag-red";
    default:
      return "sgm-rag sgm-rag-none";
  }
}

// A verdict's cell class: better green, worse red, else plain.
std::string VerdictClass(gv1::ChangeVerdict verdict) {
  switch (verdict) {
    case gv1::CHANGE_VERDICT_BETTER:
      return "sgm-rag sgm-rag-green";
    case gv1::CHANGE_VERDICT_WORSE:
      return "sgm-rag sgm-rag-red";
    default:
      return "sgm-rag sgm-rag-none";
  }
}

bool SameMonth(const tv1::YearMonth& a, const tv1::YearMonth& b) {
  return a.year() == b.year() && a.month() == b.month();
}

// "<code> <label>", or the code alone.
std::string CodeLabel(absl::string_view code, absl::string_view label) {
  return label.empty() ? std::string(code) : absl::StrCat(code, " ", label);
}

std::string GroupName(const std::string& group) {
  if (group == "qualified_social_workers") return "Qualified social workers";
  if (group == "childrens_practitioners") return "Children's practitioners";
  return group;
}

// --- the renderer ----------------------------------------------------------

// Renders one report; knows which values are withheld.
class Renderer {
 public:
  explicit Renderer(const gv1::PracticeReport& report) : report_(report) {
    for (const std::string& path : report.suppressed_fields()) {
      withheld_.insert(path);
    }
  }

  std::string Render() {
    std::string out;
    AppendHeader(&out);
    AppendFrontDoor(&out);
    AppendPerformance(&out);
    AppendQuality(&out);
    AppendWorkforce(&out);
    AppendInsight(&out);
    AppendWhatChanged(&out);
    absl::StrAppend(&out, "</section>\n");
    return out;
  }

 private:
  bool Withheld(const ReportPath& path) const {
    return withheld_.contains(path.text());
  }

  // A count, or "<5" when withheld.
  std::string CountAt(const ReportPath& path, int64_t n) const {
    return Withheld(path) ? std::string(kWithheld) : Count(n);
  }
  // A percent, "<5" when withheld, an en dash when absent.
  std::string PercentAt(const ReportPath& path, bool has, double v) const {
    if (Withheld(path)) return std::string(kWithheld);
    return has ? Percent(v) : std::string(kNone);
  }
  std::string ChangeAt(const ReportPath& path, bool has, double v) const {
    if (Withheld(path)) return std::string(kWithheld);
    return has ? Change(v) : std::string(kNone);
  }
  // `decimals` places: NumberAt(path, true, 9.333, 2) == "9.33".
  std::string NumberAt(const ReportPath& path, bool has, double v,
                       int decimals) const {
    if (Withheld(path)) return std::string(kWithheld);
    return has ? absl::StrFormat("%.*f", decimals, v) : std::string(kNone);
  }
  std::string FteAt(const ReportPath& path, double v) const {
    return Withheld(path) ? std::string(kWithheld) : Fte(v);
  }
  std::string PoundsAt(const ReportPath& path, int64_t pence) const {
    return Withheld(path) ? std::string(kWithheld) : Pounds(pence);
  }
  // A chart point: null when withheld or absent.
  std::optional<double> Point(const ReportPath& path, bool has,
                              double v) const {
    if (Withheld(path) || !has) return std::nullopt;
    return v;
  }

  // The plain notice of a section that is not there; false when the
  // section is available (its figures follow).
  static bool AppendStatus(const gv1::SectionStatus& status, std::string* out) {
    switch (status.state()) {
      case gv1::SECTION_STATE_AVAILABLE:
        return false;
      case gv1::SECTION_STATE_NOT_DEPLOYED:
        absl::StrAppend(
            out,
            "<p class=\"sgm-notice sgm-not-deployed\" role=\"note\">"
            "<strong>Not deployed:</strong> ",
            Escape(status.reason().empty() ? "no service for this section"
                                           : status.reason()),
            ".</p>\n");
        return true;
      case gv1::SECTION_STATE_UNAVAILABLE:
        absl::StrAppend(
            out,
            "<p class=\"sgm-notice sgm-unavailable\" role=\"note\">"
            "<strong>Unavailable:</strong> ",
            Escape(status.reason().empty() ? "the service did not answer"
                                           : status.reason()),
            ". The rest of the report is complete.</p>\n");
        return true;
      default:
        absl::StrAppend(out,
                        "<p class=\"sgm-notice sgm-unavailable\" "
                        "role=\"note\"><strong>Unavailable:</strong> no "
                        "figures.</p>\n");
        return true;
    }
  }

  static void OpenSection(absl::string_view name, absl::string_view heading,
                          std::string* out) {
    absl::StrAppend(out, "<section class=\"sgm-report-section sgm-section-",
                    name, "\">\n<h2>", Escape(heading), "</h2>\n");
  }

  void AppendHeader(std::string* out) const {
    absl::StrAppend(out, "<section class=\"sgm-report\" data-authority=\"",
                    Escape(report_.authority()), "\" data-month=\"",
                    ShortMonth(report_.month()),
                    "\">\n<header class=\"sgm-report-header\">",
                    "\n<h1>Monitoring Safeguarding Practice: ",
                    Escape(MonthName(report_.month())), "</h1>\n",
                    "<p class=\"sgm-report-meta\">Authority <strong>",
                    Escape(report_.authority()),
                    "</strong>. Composed <time datetime=\"");
    const std::string composed =
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                         absl::FromUnixSeconds(report_.composed_at().seconds()),
                         absl::UTCTimeZone());
    absl::StrAppend(out, composed, "\">", composed,
                    "</time> from the services' figures.</p>\n");
    if (report_.suppressed()) {
      absl::StrAppend(out,
                      "<p class=\"sgm-suppression-note\" role=\"note\">"
                      "Counts under 5 are suppressed: they show as "
                      "&lt;5 in the tables and are left out of the "
                      "charts.</p>\n");
    }
    absl::StrAppend(out, "</header>\n");
  }

  // --- front door ----------------------------------------------------------

  void AppendBreakdown(
      absl::string_view title, absl::string_view what, const ReportPath& list,
      const google::protobuf::RepeatedPtrField<iv1::Breakdown>& rows,
      Chart* chart, std::string* out) const {
    absl::StrAppend(out, "<h3>", Escape(title), "</h3>\n");
    if (rows.empty()) {
      Paragraph("No contacts this month.", out);
      return;
    }
    Table table(std::string(title), {std::string(what), "contacts", "share"});
    Dataset counts{"Contacts", {}};
    for (int i = 0; i < rows.size(); ++i) {
      const iv1::Breakdown& b = rows[i];
      const ReportPath at = list.At(i);
      const std::string label =
          b.label().empty() ? b.code() : absl::StrCat(b.code(), " ", b.label());
      table.Add({Text(label), Num(CountAt(at.Field("count"), b.count())),
                 Num(PercentAt(at.Field("percent"), true, b.percent()))});
      if (chart != nullptr) {
        chart->labels.push_back(label);
        counts.data.push_back(
            Point(at.Field("count"), true, static_cast<double>(b.count())));
      }
    }
    if (chart != nullptr) {
      chart->datasets.push_back(std::move(counts));
      chart->AppendTo(out);
    }
    table.AppendTo(out);
  }

  void AppendFrontDoor(std::string* out) const {
    const gv1::FrontDoorSection& section = report_.front_door();
    OpenSection("front-door", "Front door: contacts", out);
    if (AppendStatus(section.status(), out)) {
      absl::StrAppend(out, "</section>\n");
      return;
    }
    const ReportPath fp = ReportPath().Field("front_door").Field("figures");
    const iv1::FrontDoorFigures& f = section.figures();
    const iv1::MonthCount& m = f.this_month();
    const ReportPath mp = fp.Field("this_month");
    tv1::YearMonth year_before = f.month();
    year_before.set_year(year_before.year() - 1);

    Table month(absl::StrCat("Contacts in ", MonthName(f.month()),
                             " against the same month last year"),
                {"month", "contacts"});
    month.Add({Text(MonthName(f.month())),
               Num(CountAt(mp.Field("contacts"), m.contacts()))});
    month.Add({Text(MonthName(year_before)),
               Num(CountAt(mp.Field("contacts_year_before"),
                           m.contacts_year_before()))});
    month.Add({Text("Change"),
               Num(ChangeAt(mp.Field("change_percent"), m.has_change_percent(),
                            m.change_percent()))});
    absl::StrAppend(out, "<p class=\"sgm-headline\">Contacts in ",
                    Escape(MonthName(f.month())), ": <strong>",
                    Escape(CountAt(mp.Field("contacts"), m.contacts())),
                    "</strong></p>\n");
    month.AppendTo(out);

    const iv1::WeeklyRate& ytd = f.year_to_date();
    const iv1::WeeklyRate& last = f.year_to_date_last_year();
    Table weekly(absl::StrCat("Contacts per week this year against last "
                              "(change ",
                              ChangeAt(fp.Field("per_week_change_percent"),
                                       f.has_per_week_change_percent(),
                                       f.per_week_change_percent()),
                              ")"),
                 {"period", "contacts", "per week"});
    const ReportPath yp = fp.Field("year_to_date");
    const ReportPath lp = fp.Field("year_to_date_last_year");
    weekly.Add({Text(absl::StrCat("This year (", DateText(ytd.from()), " to ",
                                  DateText(ytd.to()), ")")),
                Num(CountAt(yp.Field("contacts"), ytd.contacts())),
                Num(NumberAt(yp.Field("per_week"), true, ytd.per_week(), 1))});
    weekly.Add({Text(absl::StrCat("Last year (", DateText(last.from()), " to ",
                                  DateText(last.to()), ")")),
                Num(CountAt(lp.Field("contacts"), last.contacts())),
                Num(NumberAt(lp.Field("per_week"), true, last.per_week(), 1))});
    weekly.AppendTo(out);

    Table progression("Progression and timeliness",
                      {"measure", "contacts", "of", "share"});
    progression.Add(
        {Text("Progressed to a referral or strategy discussion"),
         Num(CountAt(fp.Field("progressed"), f.progressed())),
         Num(CountAt(fp.Field("decided"), f.decided())),
         Num(PercentAt(fp.Field("progressed_percent"),
                       f.has_progressed_percent(), f.progressed_percent()))});
    progression.Add(
        {Text("Decided within 1 working day"),
         Num(CountAt(fp.Field("decided_within_1wd"), f.decided_within_1wd())),
         Num(CountAt(fp.Field("decided"), f.decided())),
         Num(PercentAt(fp.Field("decided_within_1wd_percent"),
                       f.has_decided_within_1wd_percent(),
                       f.decided_within_1wd_percent()))});
    progression.AppendTo(out);
    Paragraph(
        absl::StrCat("Repeat contacts (", f.repeat_min_contacts(),
                     " or more within ", f.repeat_window_days(), " days): ",
                     CountAt(fp.Field("repeat_contacts"), f.repeat_contacts()),
                     " contacts about ",
                     CountAt(fp.Field("repeat_children"), f.repeat_children()),
                     " children (",
                     PercentAt(fp.Field("repeat_percent"),
                               f.has_repeat_percent(), f.repeat_percent()),
                     ")."),
        out);

    Chart need;
    need.id = "front-door-primary-need";
    need.type = "bar";
    need.horizontal = true;
    need.title =
        absl::StrCat("Contacts by primary need, ", MonthName(f.month()));
    need.caption = absl::StrCat(need.title, " (figures in the table below).");
    need.y_title = "contacts";
    AppendBreakdown("Contacts by primary need", "primary need",
                    fp.Field("by_primary_need"), f.by_primary_need(), &need,
                    out);
    AppendBreakdown("Contacts by source", "source", fp.Field("by_source"),
                    f.by_source(), nullptr, out);

    absl::StrAppend(out, "<h3>Contacts month by month</h3>\n");
    if (f.trend().empty()) {
      Paragraph("No monthly figures.", out);
    } else {
      Chart chart;
      chart.id = "front-door-trend";
      chart.type = "line";
      chart.title = "Contacts month by month, this year against last";
      chart.caption = absl::StrCat(
          "Contacts each month to ", MonthName(f.month()),
          ", beside the same month a year before (figures in the table "
          "below).");
      chart.y_title = "contacts";
      Dataset this_year{"Contacts", {}};
      Dataset year_before_set{"Same month last year", {}};
      Table trend("Contacts month by month",
                  {"month", "contacts", "same month last year", "change"});
      for (int i = 0; i < f.trend_size(); ++i) {
        const iv1::MonthCount& t = f.trend(i);
        const ReportPath tp = fp.Field("trend").At(i);
        trend.Add({Text(MonthName(t.month())),
                   Num(CountAt(tp.Field("contacts"), t.contacts())),
                   Num(CountAt(tp.Field("contacts_year_before"),
                               t.contacts_year_before())),
                   Num(ChangeAt(tp.Field("change_percent"),
                                t.has_change_percent(), t.change_percent()))});
        chart.labels.push_back(AxisMonth(t.month()));
        this_year.data.push_back(Point(tp.Field("contacts"), true,
                                       static_cast<double>(t.contacts())));
        year_before_set.data.push_back(
            Point(tp.Field("contacts_year_before"), true,
                  static_cast<double>(t.contacts_year_before())));
      }
      chart.datasets.push_back(std::move(this_year));
      chart.datasets.push_back(std::move(year_before_set));
      chart.AppendTo(out);
      trend.AppendTo(out);
    }
    absl::StrAppend(out, "</section>\n");
  }

  // --- performance ---------------------------------------------------------

  // The comparator of `column` as a cell, with its name and year added to
  // `seen` for the note under the table.
  std::string ComparatorText(
      const ReportPath& list,
      const google::protobuf::RepeatedPtrField<kv1::Comparator>& comparators,
      Column column, bool percent, std::vector<std::string>* seen) const {
    const int i = ComparatorIndex(comparators, column);
    if (i < 0) return std::string(kNone);
    const kv1::Comparator& c = comparators[i];
    const std::string source = absl::StrCat(c.name(), " ", YearText(c.year()));
    bool known = false;
    for (const std::string& s : *seen) known = known || s == source;
    if (!known) seen->push_back(source);
    const ReportPath path = list.At(i).Field("value");
    if (Withheld(path)) return std::string(kWithheld);
    return percent ? Percent(c.value()) : absl::StrFormat("%.0f", c.value());
  }

  std::optional<double> ComparatorPoint(
      const ReportPath& list,
      const google::protobuf::RepeatedPtrField<kv1::Comparator>& comparators,
      Column column) const {
    const int i = ComparatorIndex(comparators, column);
    if (i < 0) return std::nullopt;
    return Point(list.At(i).Field("value"), true, comparators[i].value());
  }

  void AppendIndicators(const ReportPath& pp, std::string* out) const {
    const kv1::GetIndicatorsResponse& indicators =
        report_.performance().indicators();
    const ReportPath ip = pp.Field("indicators").Field("indicators");
    OpenSection("indicators", "Performance indicators", out);
    Table table(
        "Performance indicators against comparators",
        {"indicator", "this month", "6-month average", "statistical neighbours",
         "region", "England", "target", "RAG"});
    Chart chart;
    chart.id = "indicators-comparators";
    chart.type = "bar";
    chart.horizontal = true;
    chart.percent = true;
    chart.title = absl::StrCat("Indicators in ", MonthName(report_.month()),
                               " against comparators");
    chart.caption = absl::StrCat(
        chart.title,
        ": this month beside statistical neighbours, region and England "
        "(figures in the table below).");
    chart.y_title = "percent";
    Dataset this_month{"This month", {}};
    std::vector<Dataset> columns;
    for (const char* name : kColumnNames) columns.push_back({name, {}});
    std::vector<std::string> seen;
    for (int n = 0; n < indicators.indicators_size(); ++n) {
      const kv1::Indicator& i = indicators.indicators(n);
      const ReportPath at = ip.At(n);
      const ReportPath cp = at.Field("comparators");
      std::string this_text;
      if (Withheld(at.Field("percent"))) {
        this_text = absl::StrCat(
            kWithheld, " (", CountAt(at.Field("numerator"), i.numerator()), "/",
            CountAt(at.Field("denominator"), i.denominator()), ")");
      } else if (i.has_percent()) {
        this_text = absl::StrCat(
            Percent(i.percent()), " (",
            CountAt(at.Field("numerator"), i.numerator()), "/",
            CountAt(at.Field("denominator"), i.denominator()), ")");
      } else {
        this_text = absl::StrCat(kNone, " (none due)");
      }
      const std::string title = i.title().empty() ? i.id() : i.title();
      table.Add(
          {Text(title),
           Num(this_text),
           Num(PercentAt(at.Field("six_month_average"),
                         i.has_six_month_average(), i.six_month_average())),
           Num(ComparatorText(cp, i.comparators(), Column::kNeighbours, true,
                              &seen)),
           Num(ComparatorText(cp, i.comparators(), Column::kRegion, true,
                              &seen)),
           Num(ComparatorText(cp, i.comparators(), Column::kEngland, true,
                              &seen)),
           Text(TargetText(i)),
           {RagWord(i.rag()), RagClass(i.rag())}});
      chart.labels.push_back(title);
      this_month.data.push_back(
          Point(at.Field("percent"), i.has_percent(), i.percent()));
      for (size_t c = 0; c < columns.size(); ++c) {
        columns[c].data.push_back(
            ComparatorPoint(cp, i.comparators(), kColumns[c]));
      }
    }
    chart.datasets.push_back(std::move(this_month));
    for (Dataset& d : columns) chart.datasets.push_back(std::move(d));
    chart.AppendTo(out);
    if (table.empty()) {
      Paragraph("No indicators.", out);
    } else {
      table.AppendTo(out);
    }
    if (!seen.empty()) {
      Paragraph(absl::StrCat("Comparators: ", absl::StrJoin(seen, "; "), "."),
                out);
    }
    if (indicators.data_quality_findings() > 0) {
      Paragraph(absl::StrCat("Data-quality findings in the case events: ",
                             Count(indicators.data_quality_findings()), "."),
                out);
    }
    AppendTrends(pp, out);
    absl::StrAppend(out, "</section>\n");
  }

  void AppendTrends(const ReportPath& pp, std::string* out) const {
    const gv1::PerformanceSection& section = report_.performance();
    if (section.trends().empty()) return;
    absl::StrAppend(out, "<h3>Indicators month by month</h3>\n");
    std::vector<tv1::YearMonth> months;
    std::vector<std::string> header = {"month"};
    for (const kv1::IndicatorTrend& t : section.trends()) {
      header.push_back(t.id());
      if (months.size() < static_cast<size_t>(t.points_size())) {
        months.clear();
        for (const kv1::TrendPoint& p : t.points()) months.push_back(p.month());
      }
    }
    Chart chart;
    chart.id = "indicators-trend";
    chart.type = "line";
    chart.percent = true;
    chart.title = "Indicators month by month";
    chart.caption = absl::StrCat("Each indicator over the months to ",
                                 MonthName(report_.month()),
                                 " (figures in the table below).");
    chart.y_title = "percent";
    for (const tv1::YearMonth& month : months) {
      chart.labels.push_back(AxisMonth(month));
    }
    Table table("Indicators month by month (percent)", header);
    std::vector<std::vector<Cell>> rows;
    for (const tv1::YearMonth& month : months) {
      rows.push_back({Text(ShortMonth(month))});
    }
    for (int t = 0; t < section.trends_size(); ++t) {
      const kv1::IndicatorTrend& trend = section.trends(t);
      std::string label = trend.id();
      for (const kv1::Indicator& i : section.indicators().indicators()) {
        if (i.id() == trend.id() && !i.title().empty()) label = i.title();
      }
      Dataset d{label, {}};
      for (size_t m = 0; m < months.size(); ++m) {
        std::string cell(kNone);
        std::optional<double> point;
        for (int p = 0; p < trend.points_size(); ++p) {
          const kv1::TrendPoint& tp = trend.points(p);
          if (tp.month().year() != months[m].year() ||
              tp.month().month() != months[m].month()) {
            continue;
          }
          const ReportPath path =
              pp.Field("trends").At(t).Field("points").At(p).Field("percent");
          cell = PercentAt(path, tp.has_percent(), tp.percent());
          point = Point(path, tp.has_percent(), tp.percent());
        }
        rows[m].push_back(Num(cell));
        d.data.push_back(point);
      }
      chart.datasets.push_back(std::move(d));
    }
    for (std::vector<Cell>& row : rows) table.Add(std::move(row));
    chart.AppendTo(out);
    table.AppendTo(out);
  }

  // A share of a total, withheld when either is.
  std::string ShareAt(const ReportPath& part_path, int64_t part,
                      const ReportPath& total_path, int64_t total) const {
    if (Withheld(part_path) || Withheld(total_path)) {
      return std::string(kWithheld);
    }
    if (total <= 0) return std::string(kNone);
    return Percent(100.0 * static_cast<double>(part) /
                   static_cast<double>(total));
  }

  void AppendCaseStatus(const ReportPath& pp, std::string* out) const {
    const kv1::CaseStatus& s = report_.performance().case_status();
    const ReportPath sp = pp.Field("case_status");
    const ReportPath op = sp.Field("open_cases");
    const kv1::OpenCases& open = s.open_cases();
    OpenSection("case-status", "Case status", out);
    absl::StrAppend(out, "<p class=\"sgm-headline\">Open cases at ",
                    DateText(s.month_end()), ": <strong>",
                    Escape(CountAt(op.Field("total"), open.total())),
                    "</strong> (each child once, at its highest level). "
                    "Referrals in ",
                    Escape(MonthName(s.month())), ": ",
                    Escape(CountAt(sp.Field("referrals"), s.referrals())),
                    ".</p>\n");
    Table levels("Open cases by level", {"level", "children", "share"});
    auto level = [&](const char* name, const char* field, int64_t n) {
      levels.Add(
          {Text(name), Num(CountAt(op.Field(field), n)),
           Num(ShareAt(op.Field(field), n, op.Field("total"), open.total()))});
    };
    level("Early Help", "early_help", open.early_help());
    level("Child in need", "child_in_need", open.child_in_need());
    level("Child protection", "child_protection", open.child_protection());
    level("Child in care", "child_in_care", open.child_in_care());
    levels.Add(
        {Text("Total"), Num(CountAt(op.Field("total"), open.total())), Num("")},
        "sgm-total");
    levels.AppendTo(out);

    absl::StrAppend(out, "<h3>Rates per 10,000 children</h3>\n");
    Table rates("Rates per 10,000 children against comparators",
                {"measure", "children", "per 10,000", "statistical neighbours",
                 "region", "England"});
    Chart chart;
    chart.id = "rates-comparators";
    chart.type = "bar";
    chart.title = "Rates per 10,000 children against comparators";
    chart.caption = absl::StrCat(chart.title, " (figures in the table below).");
    chart.y_title = "per 10,000 children";
    Dataset ours{"This authority", {}};
    std::vector<Dataset> columns;
    for (const char* name : kColumnNames) columns.push_back({name, {}});
    std::vector<std::string> seen;
    auto rate_row = [&](const char* name, const char* field,
                        const kv1::Rate& r) {
      const ReportPath rp = sp.Field(field);
      const ReportPath cp = rp.Field("comparators");
      const ReportPath per = rp.Field("per_10k");
      rates.Add({Text(name), Num(CountAt(rp.Field("children"), r.children())),
                 Num(Withheld(per)     ? std::string(kWithheld)
                     : r.has_per_10k() ? Count(r.per_10k())
                                       : std::string(kNone)),
                 Num(ComparatorText(cp, r.comparators(), Column::kNeighbours,
                                    false, &seen)),
                 Num(ComparatorText(cp, r.comparators(), Column::kRegion, false,
                                    &seen)),
                 Num(ComparatorText(cp, r.comparators(), Column::kEngland,
                                    false, &seen))});
      chart.labels.push_back(name);
      ours.data.push_back(
          Point(per, r.has_per_10k(), static_cast<double>(r.per_10k())));
      for (size_t c = 0; c < columns.size(); ++c) {
        columns[c].data.push_back(
            ComparatorPoint(cp, r.comparators(), kColumns[c]));
      }
    };
    rate_row("Children in care", "children_in_care", s.children_in_care());
    rate_row("Children on CP plans", "child_protection", s.child_protection());
    chart.datasets.push_back(std::move(ours));
    for (Dataset& d : columns) chart.datasets.push_back(std::move(d));
    chart.AppendTo(out);
    rates.AppendTo(out);
    std::string note =
        s.population_0_17() > 0
            ? absl::StrCat("Population aged 0-17: ", Count(s.population_0_17()),
                           " (", s.population_year(), ").")
            : std::string("No population aged 0-17 is configured: no rates.");
    if (!seen.empty()) {
      absl::StrAppend(&note, " Comparators: ", absl::StrJoin(seen, "; "), ".");
    }
    Paragraph(note, out);

    if (!s.trend().empty()) {
      absl::StrAppend(out, "<h3>Open cases month by month</h3>\n");
      Chart open_chart;
      open_chart.id = "open-cases-trend";
      open_chart.type = "bar";
      open_chart.stacked = true;
      open_chart.title = "Open cases by level, month by month";
      open_chart.caption =
          absl::StrCat(open_chart.title, " (figures in the table below).");
      open_chart.y_title = "children";
      const char* const names[] = {"Early Help", "Child in need",
                                   "Child protection", "Child in care"};
      const char* const fields[] = {"early_help", "child_in_need",
                                    "child_protection", "child_in_care"};
      std::vector<Dataset> sets;
      for (const char* name : names) sets.push_back({name, {}});
      Table trend("Open cases month by month",
                  {"month", "Early Help", "CIN", "CP", "CIC", "total"});
      for (int m = 0; m < s.trend_size(); ++m) {
        const kv1::OpenCases& c = s.trend(m).open_cases();
        const ReportPath cp = sp.Field("trend").At(m).Field("open_cases");
        const int64_t values[] = {c.early_help(), c.child_in_need(),
                                  c.child_protection(), c.child_in_care()};
        std::vector<Cell> row = {Text(ShortMonth(s.trend(m).month()))};
        for (int k = 0; k < 4; ++k) {
          row.push_back(Num(CountAt(cp.Field(fields[k]), values[k])));
          sets[k].data.push_back(
              Point(cp.Field(fields[k]), true, static_cast<double>(values[k])));
        }
        row.push_back(Num(CountAt(cp.Field("total"), c.total())));
        trend.Add(std::move(row));
        open_chart.labels.push_back(AxisMonth(s.trend(m).month()));
      }
      for (Dataset& d : sets) open_chart.datasets.push_back(std::move(d));
      open_chart.AppendTo(out);
      trend.AppendTo(out);
    }
    absl::StrAppend(out, "</section>\n");
  }

  void AppendWatchlists(const ReportPath& pp, std::string* out) const {
    const kv1::CaseStatus& s = report_.performance().case_status();
    OpenSection("watchlists", "Lines of sight on risk", out);
    if (s.watchlists().empty()) {
      Paragraph("No watchlist counts.", out);
    } else {
      Table table(absl::StrCat("Children on each watchlist at ",
                               DateText(s.month_end())),
                  {"watchlist", "children"});
      for (int i = 0; i < s.watchlists_size(); ++i) {
        const kv1::WatchlistCount& w = s.watchlists(i);
        table.Add({Text(WatchlistTitle(w.watchlist())),
                   Num(CountAt(pp.Field("case_status")
                                   .Field("watchlists")
                                   .At(i)
                                   .Field("children"),
                               w.children()))});
      }
      table.AppendTo(out);
    }
    absl::StrAppend(out, "</section>\n");
  }

  void AppendPerformance(std::string* out) const {
    const gv1::PerformanceSection& section = report_.performance();
    if (section.status().state() != gv1::SECTION_STATE_AVAILABLE) {
      // One notice stands for the KPI service's three parts.
      OpenSection("performance",
                  "Performance indicators, case status and lines of sight "
                  "on risk",
                  out);
      AppendStatus(section.status(), out);
      absl::StrAppend(out, "</section>\n");
      return;
    }
    const ReportPath pp = ReportPath().Field("performance");
    AppendIndicators(pp, out);
    AppendCaseStatus(pp, out);
    AppendWatchlists(pp, out);
  }

  // --- quality and workforce -----------------------------------------------

  // One period's audits: the total row, then one row an audit type.
  void AppendAuditGrades(absl::string_view period, const qv1::QaFigures& f,
                         const ReportPath& fp, std::string* out) const {
    const ReportPath tp = fp.Field("audits");
    if (f.audits().audits() == 0 && !Withheld(tp.Field("audits"))) {
      Paragraph(absl::StrCat(period, ": no audits."), out);
      return;
    }
    Table table(absl::StrCat("Audits and grades, ", period),
                {"type", "audits", "outstanding", "good",
                 "requires improvement", "inadequate", "good or better"});
    auto row = [&](const qv1::AuditFigures& a, const ReportPath& at,
                   bool total) {
      table.Add({Text(AuditRowTitle(a.label())),
                 Num(CountAt(at.Field("audits"), a.audits())),
                 Num(CountAt(at.Field("outstanding"), a.outstanding())),
                 Num(CountAt(at.Field("good"), a.good())),
                 Num(CountAt(at.Field("requires_improvement"),
                             a.requires_improvement())),
                 Num(CountAt(at.Field("inadequate"), a.inadequate())),
                 Num(PercentAt(at.Field("good_or_better_percent"),
                               a.has_good_or_better_percent(),
                               a.good_or_better_percent()))},
                total ? "sgm-total" : "");
    };
    row(f.audits(), tp, true);
    for (int i = 0; i < f.by_type_size(); ++i) {
      row(f.by_type(i), fp.Field("by_type").At(i), false);
    }
    table.AppendTo(out);
  }

  // One period's domains most often graded requires improvement or worse.
  void AppendDomains(absl::string_view period, const qv1::QaFigures& f,
                     const ReportPath& fp, std::string* out) const {
    if (f.domains().empty()) {
      Paragraph(absl::StrCat(period, ": no graded domains."), out);
      return;
    }
    Table table(absl::StrCat("Domains most often graded requires improvement "
                             "or worse, ",
                             period),
                {"domain", "audits grading it", "requires improvement or worse",
                 "share"});
    for (int i = 0; i < f.domains_size() && i < kTopDomains; ++i) {
      const qv1::DomainFigures& d = f.domains(i);
      const ReportPath at = fp.Field("domains").At(i);
      table.Add(
          {Text(DomainTitle(d.domain())),
           Num(CountAt(at.Field("graded"), d.graded())),
           Num(CountAt(at.Field("requires_improvement_or_worse"),
                       d.requires_improvement_or_worse())),
           Num(PercentAt(at.Field("requires_improvement_or_worse_percent"),
                         d.has_requires_improvement_or_worse_percent(),
                         d.requires_improvement_or_worse_percent()))});
    }
    table.AppendTo(out);
  }

  void AppendQuality(std::string* out) const {
    const gv1::QualitySection& section = report_.quality();
    OpenSection("quality", "Quality assurance", out);
    if (AppendStatus(section.status(), out)) {
      absl::StrAppend(out, "</section>\n");
      return;
    }
    const ReportPath qp = ReportPath().Field("quality");
    const ReportPath mp = qp.Field("month");
    const ReportPath yp = qp.Field("last_12_months");
    const qv1::QaFigures& m = section.month();
    const qv1::QaFigures& y = section.last_12_months();
    const std::string this_month = MonthName(report_.month());
    const std::string year = absl::StrCat("12 months to ", this_month);

    absl::StrAppend(
        out, "<p class=\"sgm-headline\">Audits in ", Escape(this_month),
        ": <strong>",
        Escape(
            CountAt(mp.Field("audits").Field("audits"), m.audits().audits())),
        "</strong>, good or better ",
        Escape(PercentAt(mp.Field("audits").Field("good_or_better_percent"),
                         m.audits().has_good_or_better_percent(),
                         m.audits().good_or_better_percent())),
        ". Over the ", Escape(year), " (", DateText(y.from()), " to ",
        DateText(y.to()), "): ",
        Escape(
            CountAt(yp.Field("audits").Field("audits"), y.audits().audits())),
        " audits, good or better ",
        Escape(PercentAt(yp.Field("audits").Field("good_or_better_percent"),
                         y.audits().has_good_or_better_percent(),
                         y.audits().good_or_better_percent())),
        ".</p>\n");
    Paragraph("Grades are the moderator's where an audit was moderated.", out);

    absl::StrAppend(out, "<h3>Audits and grades</h3>\n");
    AppendAuditGrades(this_month, m, mp, out);
    AppendAuditGrades(year, y, yp, out);

    if (!section.trend().empty()) {
      absl::StrAppend(out, "<h3>Quality assurance month by month</h3>\n");
      Chart chart;
      chart.id = "quality-trend";
      chart.type = "bar";
      chart.title = "Audits and the share good or better, month by month";
      chart.caption =
          absl::StrCat("Audits each month to ", this_month,
                       " (bars) and the share graded good or better (line; "
                       "figures in the table below).");
      chart.y_title = "audits";
      chart.y2_title = "good or better";
      chart.y2_percent = true;
      Dataset audits{"Audits", {}};
      Dataset good{"Good or better", {}, "line", "y2"};
      Table trend("Quality assurance month by month",
                  {"month", "audits", "good or better", "moderation agreement",
                   "feedback", "mean rating", "open actions", "overdue"});
      for (int i = 0; i < section.trend_size(); ++i) {
        const qv1::QaTrendPoint& p = section.trend(i);
        const ReportPath tp = qp.Field("trend").At(i);
        trend.Add(
            {Text(ShortMonth(p.month())),
             Num(CountAt(tp.Field("audits"), p.audits())),
             Num(PercentAt(tp.Field("good_or_better_percent"),
                           p.has_good_or_better_percent(),
                           p.good_or_better_percent())),
             Num(PercentAt(tp.Field("agreement_percent"),
                           p.has_agreement_percent(), p.agreement_percent())),
             Num(CountAt(tp.Field("feedback"), p.feedback())),
             Num(NumberAt(tp.Field("mean_rating"), p.has_mean_rating(),
                          p.mean_rating(), 2)),
             Num(CountAt(tp.Field("open_actions"), p.open_actions())),
             Num(CountAt(tp.Field("overdue_actions"), p.overdue_actions()))});
        chart.labels.push_back(AxisMonth(p.month()));
        audits.data.push_back(
            Point(tp.Field("audits"), true, static_cast<double>(p.audits())));
        good.data.push_back(Point(tp.Field("good_or_better_percent"),
                                  p.has_good_or_better_percent(),
                                  p.good_or_better_percent()));
      }
      chart.datasets = {std::move(good), std::move(audits)};
      chart.AppendTo(out);
      trend.AppendTo(out);
    }

    absl::StrAppend(out, "<h3>Moderation</h3>\n");
    Table moderation("Moderation of the audits",
                     {"period", "moderated", "agreed", "graded up",
                      "graded down", "agreement"});
    auto moderation_row = [&](const std::string& period,
                              const qv1::ModerationFigures& g,
                              const ReportPath& fp) {
      const ReportPath at = fp.Field("moderation");
      moderation.Add(
          {Text(period), Num(CountAt(at.Field("moderated"), g.moderated())),
           Num(CountAt(at.Field("agreed"), g.agreed())),
           Num(CountAt(at.Field("moderated_up"), g.moderated_up())),
           Num(CountAt(at.Field("moderated_down"), g.moderated_down())),
           Num(PercentAt(at.Field("agreement_percent"),
                         g.has_agreement_percent(), g.agreement_percent()))});
    };
    moderation_row(this_month, m.moderation(), mp);
    moderation_row(year, y.moderation(), yp);
    moderation.AppendTo(out);

    absl::StrAppend(out,
                    "<h3>Domains most often graded requires improvement or "
                    "worse</h3>\n");
    AppendDomains(this_month, m, mp, out);
    AppendDomains(year, y, yp, out);

    absl::StrAppend(out, "<h3>Feedback</h3>\n");
    Table feedback(
        "Feedback by source (ratings from 1, poor, to 5, "
        "excellent)",
        {"from", absl::StrCat("received in ", this_month), "mean rating",
         absl::StrCat("received in the ", year), "mean rating"});
    for (qv1::FeedbackSource source : kFeedbackSources) {
      const int mi = FeedbackIndex(m.feedback(), source);
      const int yi = FeedbackIndex(y.feedback(), source);
      if (mi < 0 && yi < 0) continue;
      std::vector<Cell> row = {Text(FeedbackSourceTitle(source))};
      auto cells = [&](const qv1::QaFigures& f, int i, const ReportPath& fp) {
        if (i < 0) {
          row.push_back(Num(Count(0)));
          row.push_back(Num(std::string(kNone)));
          return;
        }
        const qv1::FeedbackFigures& r = f.feedback(i);
        const ReportPath at = fp.Field("feedback").At(i);
        row.push_back(Num(CountAt(at.Field("received"), r.received())));
        row.push_back(Num(NumberAt(at.Field("mean_rating"), r.has_mean_rating(),
                                   r.mean_rating(), 2)));
      };
      cells(m, mi, mp);
      cells(y, yi, yp);
      feedback.Add(std::move(row), source == qv1::FEEDBACK_SOURCE_UNSPECIFIED
                                       ? "sgm-total"
                                       : "");
    }
    if (feedback.empty()) {
      Paragraph("No feedback received.", out);
    } else {
      feedback.AppendTo(out);
    }

    absl::StrAppend(out, "<h3>Actions</h3>\n");
    Paragraph(absl::StrCat("Open at ", DateText(m.to()), ": ",
                           CountAt(mp.Field("actions").Field("open"),
                                   m.actions().open()),
                           ", of which ",
                           CountAt(mp.Field("actions").Field("overdue"),
                                   m.actions().overdue()),
                           " overdue."),
              out);
    Table actions(
        "Actions due and completed",
        {"period", "due", "completed", "completed on time", "on time"});
    auto action_row = [&](const std::string& period,
                          const qv1::ActionFigures& a, const ReportPath& fp) {
      const ReportPath at = fp.Field("actions");
      actions.Add(
          {Text(period), Num(CountAt(at.Field("due"), a.due())),
           Num(CountAt(at.Field("completed"), a.completed())),
           Num(CountAt(at.Field("completed_on_time"), a.completed_on_time())),
           Num(PercentAt(at.Field("on_time_percent"), a.has_on_time_percent(),
                         a.on_time_percent()))});
    };
    action_row(this_month, m.actions(), mp);
    action_row(year, y.actions(), yp);
    actions.AppendTo(out);

    absl::StrAppend(out, "<h3>Re-audits</h3>\n");
    Table reaudits("Re-audits against the audits they re-audit",
                   {"period", "re-audits", "improved", "unchanged", "worsened",
                    "improved share"});
    auto reaudit_row = [&](const std::string& period,
                           const qv1::ReauditFigures& r, const ReportPath& fp) {
      const ReportPath at = fp.Field("reaudits");
      reaudits.Add(
          {Text(period), Num(CountAt(at.Field("reaudits"), r.reaudits())),
           Num(CountAt(at.Field("improved"), r.improved())),
           Num(CountAt(at.Field("unchanged"), r.unchanged())),
           Num(CountAt(at.Field("worsened"), r.worsened())),
           Num(PercentAt(at.Field("improved_percent"), r.has_improved_percent(),
                         r.improved_percent()))});
    };
    reaudit_row(this_month, m.reaudits(), mp);
    reaudit_row(year, y.reaudits(), yp);
    reaudits.AppendTo(out);
    const ReportPath missing = yp.Field("reaudits").Field("original_missing");
    if (y.reaudits().original_missing() > 0 || Withheld(missing)) {
      Paragraph(
          absl::StrCat("Re-audits over the ", year,
                       " whose original audit is not recorded (left "
                       "out above): ",
                       CountAt(missing, y.reaudits().original_missing()), "."),
          out);
    }

    absl::StrAppend(out, "<h3>Themes</h3>\n");
    if (m.themes().empty()) {
      Paragraph(absl::StrCat("No theme is active in ", this_month, "."), out);
    } else {
      absl::StrAppend(out, "<ul class=\"sgm-facts\">\n");
      for (const qv1::Theme& t : m.themes()) {
        absl::StrAppend(out, "<li>",
                        Escape(absl::StrCat(t.name(), " (", t.theme_id(), ", ",
                                            DateText(t.start_date()), " to ",
                                            DateText(t.end_date()), ")")),
                        "</li>\n");
      }
      absl::StrAppend(out, "</ul>\n");
    }
    absl::StrAppend(out, "</section>\n");
  }

  void AppendWorkforce(std::string* out) const {
    const gv1::WorkforceSection& section = report_.workforce();
    OpenSection("workforce", "Workforce", out);
    if (AppendStatus(section.status(), out)) {
      absl::StrAppend(out, "</section>\n");
      return;
    }
    const ReportPath wp = ReportPath().Field("workforce");
    const ReportPath fp = wp.Field("figures");
    const wv1::WorkforceFigures& f = section.figures();

    Table staffing(
        absl::StrCat("FTE by service area at ", DateText(f.as_of())),
        {"service area", "in post", "maternity", "agency", "long-term absence",
         "establishment", "vacancy rate", "turnover (12 months)"});
    Chart areas;
    areas.id = "workforce-areas";
    areas.type = "bar";
    areas.stacked = true;
    areas.horizontal = true;
    areas.title = absl::StrCat(
        "Maternity, agency and long-term absence FTE by service area at ",
        DateText(f.as_of()));
    areas.caption = absl::StrCat(areas.title, " (figures in the table below).");
    areas.y_title = "FTE";
    Dataset maternity{"Maternity", {}};
    Dataset agency{"Agency", {}};
    Dataset absence{"Long-term absence", {}};
    const wv1::StaffingFigures* total = nullptr;
    ReportPath total_path;
    for (int i = 0; i < f.staffing_size(); ++i) {
      const wv1::StaffingFigures& s = f.staffing(i);
      const ReportPath sp = fp.Field("staffing").At(i);
      const bool is_total = s.service_area() == "Total";
      if (is_total) {
        total = &s;
        total_path = sp;
      }
      staffing.Add(
          {Text(s.service_area()),
           Num(FteAt(sp.Field("fte_in_post"), s.fte_in_post())),
           Num(FteAt(sp.Field("maternity_fte"), s.maternity_fte())),
           Num(FteAt(sp.Field("agency_fte"), s.agency_fte())),
           Num(FteAt(sp.Field("long_term_absence_fte"),
                     s.long_term_absence_fte())),
           Num(FteAt(sp.Field("establishment_fte"), s.establishment_fte())),
           Num(PercentAt(sp.Field("vacancy_rate_percent"),
                         s.has_vacancy_rate_percent(),
                         s.vacancy_rate_percent())),
           Num(PercentAt(sp.Field("turnover_percent"), s.has_turnover_percent(),
                         s.turnover_percent()))},
          is_total ? "sgm-total" : "");
      if (is_total) continue;
      areas.labels.push_back(s.service_area());
      maternity.data.push_back(
          Point(sp.Field("maternity_fte"), true, s.maternity_fte()));
      agency.data.push_back(
          Point(sp.Field("agency_fte"), true, s.agency_fte()));
      absence.data.push_back(Point(sp.Field("long_term_absence_fte"), true,
                                   s.long_term_absence_fte()));
    }
    if (staffing.empty()) {
      Paragraph("No staff records.", out);
    } else {
      areas.datasets = {std::move(maternity), std::move(agency),
                        std::move(absence)};
      areas.AppendTo(out);
      staffing.AppendTo(out);
    }
    if (total != nullptr) {
      absl::StrAppend(
          out, "<ul class=\"sgm-facts\">\n<li>",
          Escape(
              absl::StrCat("Absence: ",
                           NumberAt(total_path.Field("absence_days_per_fte"),
                                    total->has_absence_days_per_fte(),
                                    total->absence_days_per_fte(), 2),
                           " days lost per FTE over the 12 months (",
                           NumberAt(total_path.Field("absence_days_lost_12m"),
                                    true, total->absence_days_lost_12m(), 1),
                           " days).")),
          "</li>\n<li>",
          Escape(absl::StrCat(
              "Agency: ",
              FteAt(total_path.Field("agency_fte"), total->agency_fte()),
              " FTE (",
              PercentAt(total_path.Field("agency_share_percent"),
                        total->has_agency_share_percent(),
                        total->agency_share_percent()),
              " of FTE in post).")),
          "</li>\n<li>",
          Escape(absl::StrCat("Qualified social workers: ",
                              FteAt(total_path.Field("social_worker_fte"),
                                    total->social_worker_fte()),
                              " FTE.")),
          "</li>\n</ul>\n");
    }

    absl::StrAppend(out, "<h3>Caseloads</h3>\n");
    if (!f.caseloads_available()) {
      absl::StrAppend(out,
                      "<p class=\"sgm-notice sgm-unavailable\" role=\"note\">"
                      "<strong>Unavailable:</strong> caseloads (",
                      Escape(f.caseloads_unavailable_reason().empty()
                                 ? "the KPI service did not answer"
                                 : f.caseloads_unavailable_reason()),
                      "). The other workforce figures stand.</p>\n");
    } else {
      Table caseloads(
          "Caseloads by group",
          {"group", "case-holding workers", "open cases", "mean caseload",
           "median caseload", absl::StrCat("over ", f.caseload_threshold())});
      Chart chart;
      chart.id = "workforce-caseloads";
      chart.type = "bar";
      chart.title = "Mean and median caseload by group";
      chart.caption =
          absl::StrCat(chart.title, " (figures in the table below).");
      chart.y_title = "open cases per worker";
      Dataset mean{"Mean caseload", {}};
      Dataset median{"Median caseload", {}};
      for (int i = 0; i < f.caseloads_size(); ++i) {
        const wv1::CaseloadFigures& c = f.caseloads(i);
        const ReportPath cp = fp.Field("caseloads").At(i);
        caseloads.Add(
            {Text(GroupName(c.group())),
             Num(CountAt(cp.Field("case_holding_workers"),
                         c.case_holding_workers())),
             Num(CountAt(cp.Field("open_cases"), c.open_cases())),
             Num(NumberAt(cp.Field("mean_caseload"), c.has_mean_caseload(),
                          c.mean_caseload(), 1)),
             Num(NumberAt(cp.Field("median_caseload"), c.has_median_caseload(),
                          c.median_caseload(), 1)),
             Num(CountAt(cp.Field("over_threshold"), c.over_threshold()))});
        chart.labels.push_back(GroupName(c.group()));
        mean.data.push_back(Point(cp.Field("mean_caseload"),
                                  c.has_mean_caseload(), c.mean_caseload()));
        median.data.push_back(Point(cp.Field("median_caseload"),
                                    c.has_median_caseload(),
                                    c.median_caseload()));
      }
      if (caseloads.empty()) {
        Paragraph("No case-holding workers.", out);
      } else {
        chart.datasets = {std::move(mean), std::move(median)};
        chart.AppendTo(out);
        caseloads.AppendTo(out);
      }
    }

    if (!f.costs().empty()) {
      absl::StrAppend(out, "<h3>Staffing costs, financial year ",
                      YearText(f.costs(0).financial_year()), "</h3>\n");
      Table costs("Staffing costs by service area",
                  {"service area", "all staff", "social workers", "agency",
                   "agency premium"});
      for (int i = 0; i < f.costs_size(); ++i) {
        const wv1::CostFigures& c = f.costs(i);
        const ReportPath cp = fp.Field("costs").At(i);
        costs.Add(
            {Text(c.service_area()),
             Num(PoundsAt(cp.Field("total_cost_pence"), c.total_cost_pence())),
             Num(PoundsAt(cp.Field("social_worker_cost_pence"),
                          c.social_worker_cost_pence())),
             Num(PoundsAt(cp.Field("agency_cost_pence"),
                          c.agency_cost_pence())),
             Num(PoundsAt(cp.Field("agency_premium_pence"),
                          c.agency_premium_pence()))},
            c.service_area() == "Total" ? "sgm-total" : "");
      }
      costs.AppendTo(out);
    }

    if (!section.trend().empty()) {
      absl::StrAppend(out, "<h3>Workforce month by month</h3>\n");
      Chart chart;
      chart.id = "workforce-trend";
      chart.type = "line";
      chart.title = "Agency FTE, absence and mean caseload month by month";
      chart.caption =
          absl::StrCat(chart.title, " to ", MonthName(report_.month()),
                       " (figures in the table below).");
      Dataset agency_fte{"Agency FTE", {}};
      Dataset absence_days{"Absence days per FTE", {}};
      Dataset mean_caseload{"Mean caseload", {}};
      Table trend("Workforce month by month",
                  {"month", "FTE in post", "agency FTE", "vacancy rate",
                   "turnover", "absence days per FTE", "mean caseload"});
      for (int i = 0; i < section.trend_size(); ++i) {
        const wv1::WorkforceTrendPoint& p = section.trend(i);
        const ReportPath tp = wp.Field("trend").At(i);
        trend.Add(
            {Text(ShortMonth(p.month())),
             Num(FteAt(tp.Field("fte_in_post"), p.fte_in_post())),
             Num(FteAt(tp.Field("agency_fte"), p.agency_fte())),
             Num(PercentAt(tp.Field("vacancy_rate_percent"),
                           p.has_vacancy_rate_percent(),
                           p.vacancy_rate_percent())),
             Num(PercentAt(tp.Field("turnover_percent"),
                           p.has_turnover_percent(), p.turnover_percent())),
             Num(NumberAt(tp.Field("absence_days_per_fte"),
                          p.has_absence_days_per_fte(),
                          p.absence_days_per_fte(), 2)),
             Num(NumberAt(tp.Field("mean_caseload"), p.has_mean_caseload(),
                          p.mean_caseload(), 1))});
        chart.labels.push_back(AxisMonth(p.month()));
        agency_fte.data.push_back(
            Point(tp.Field("agency_fte"), true, p.agency_fte()));
        absence_days.data.push_back(Point(tp.Field("absence_days_per_fte"),
                                          p.has_absence_days_per_fte(),
                                          p.absence_days_per_fte()));
        mean_caseload.data.push_back(Point(tp.Field("mean_caseload"),
                                           p.has_mean_caseload(),
                                           p.mean_caseload()));
      }
      chart.datasets = {std::move(agency_fte), std::move(absence_days),
                        std::move(mean_caseload)};
      chart.AppendTo(out);
      trend.AppendTo(out);
    }
    absl::StrAppend(out, "</section>\n");
  }

  // --- practice insight ----------------------------------------------------

  void AppendReferralQuality(const ReportPath& qp, std::string* out) const {
    const iv1::GetReferralQualityResponse& q =
        report_.insight().referral_quality();
    absl::StrAppend(out, "<h3>Referral quality by agency</h3>\n");
    std::vector<std::string> rules;
    for (const iv1::QualityRule& r : q.rules()) {
      rules.push_back(
          absl::StrCat(QualityItemTitle(r.item()), " ", r.weight()));
    }
    Paragraph(
        absl::StrCat(
            "Each contact scores 0 to 100 by the details it gives",
            rules.empty()
                ? std::string()
                : absl::StrCat(" (weights: ", absl::StrJoin(rules, "; "), ")"),
            "; a score below ", q.threshold(), " is below threshold."),
        out);
    if (q.agencies().empty()) {
      Paragraph("No contacts in the period.", out);
      return;
    }
    Table table("Referral quality by agency over the 12 months",
                {"agency", "contacts", "mean score", "below threshold",
                 "share below", "most common gaps"});
    Chart chart;
    chart.id = "insight-referral-quality";
    chart.type = "bar";
    chart.horizontal = true;
    chart.title = "Mean referral-quality score by agency";
    chart.caption =
        absl::StrCat(chart.title,
                     ", 0 to 100, over the 12 months (figures in the table "
                     "below).");
    chart.y_title = "mean score";
    Dataset means{"Mean score", {}};
    auto row = [&](const std::string& name, const iv1::AgencyReferralQuality& a,
                   const ReportPath& at, bool total) {
      const iv1::ReferralQualityPoint& t = a.total();
      const ReportPath tp = at.Field("total");
      std::vector<std::string> gaps;
      for (int i = 0; i < a.top_gaps_size() && i < 3; ++i) {
        const iv1::QualityGap& g = a.top_gaps(i);
        gaps.push_back(
            absl::StrCat(QualityItemTitle(g.item()), " ",
                         PercentAt(at.Field("top_gaps").At(i).Field("percent"),
                                   true, g.percent())));
      }
      table.Add(
          {Text(name), Num(CountAt(tp.Field("contacts"), t.contacts())),
           Num(NumberAt(tp.Field("mean_score"), t.has_mean_score(),
                        t.mean_score(), 1)),
           Num(CountAt(tp.Field("below_threshold"), t.below_threshold())),
           Num(PercentAt(tp.Field("below_threshold_percent"),
                         t.has_below_threshold_percent(),
                         t.below_threshold_percent())),
           Text(gaps.empty() ? std::string(kNone) : absl::StrJoin(gaps, "; "))},
          total ? "sgm-total" : "");
      chart.labels.push_back(name);
      means.data.push_back(
          Point(tp.Field("mean_score"), t.has_mean_score(), t.mean_score()));
    };
    for (int i = 0; i < q.agencies_size(); ++i) {
      row(q.agencies(i).agency(), q.agencies(i), qp.Field("agencies").At(i),
          false);
    }
    row("All agencies", q.all_agencies(), qp.Field("all_agencies"), true);
    chart.datasets.push_back(std::move(means));
    chart.AppendTo(out);
    table.AppendTo(out);

    const iv1::AgencyReferralQuality& all = q.all_agencies();
    if (all.trend().empty()) return;
    Table trend("All agencies month by month",
                {"month", "contacts", "mean score", "share below threshold"});
    for (int i = 0; i < all.trend_size(); ++i) {
      const iv1::ReferralQualityPoint& p = all.trend(i);
      const ReportPath at = qp.Field("all_agencies").Field("trend").At(i);
      trend.Add({Text(ShortMonth(p.month())),
                 Num(CountAt(at.Field("contacts"), p.contacts())),
                 Num(NumberAt(at.Field("mean_score"), p.has_mean_score(),
                              p.mean_score(), 1)),
                 Num(PercentAt(at.Field("below_threshold_percent"),
                               p.has_below_threshold_percent(),
                               p.below_threshold_percent()))});
    }
    trend.AppendTo(out);
  }

  void AppendDuplicateBreakdown(
      absl::string_view caption, absl::string_view what, const ReportPath& list,
      const google::protobuf::RepeatedPtrField<iv1::DuplicateBreakdown>& rows,
      std::string* out) const {
    if (rows.empty()) return;
    Table table(
        std::string(caption),
        {std::string(what), "contacts with a child", "duplicates", "share"});
    for (int i = 0; i < rows.size(); ++i) {
      const iv1::DuplicateBreakdown& b = rows[i];
      const ReportPath at = list.At(i);
      table.Add(
          {Text(CodeLabel(b.code(), b.label())),
           Num(CountAt(at.Field("contacts_with_child"),
                       b.contacts_with_child())),
           Num(CountAt(at.Field("duplicates"), b.duplicates())),
           Num(PercentAt(at.Field("percent"), b.has_percent(), b.percent()))});
    }
    table.AppendTo(out);
  }

  void AppendDuplicateInput(const ReportPath& dp, std::string* out) const {
    const iv1::GetDuplicateInputResponse& d =
        report_.insight().duplicate_input();
    absl::StrAppend(out, "<h3>Duplicate input</h3>\n");
    auto fraction = [&](const iv1::DuplicateInputPoint& p,
                        const ReportPath& at) {
      return absl::StrCat(
          CountAt(at.Field("duplicates"), p.duplicates()), " of ",
          CountAt(at.Field("contacts_with_child"), p.contacts_with_child()),
          " contacts with a child identified (",
          PercentAt(at.Field("percent"), p.has_percent(), p.percent()), ")");
    };
    std::string text =
        "Contacts about a child who already had an open assessment, plan or "
        "episode when the contact came in";
    for (int i = 0; i < d.trend_size(); ++i) {
      if (!SameMonth(d.trend(i).month(), report_.month())) continue;
      absl::StrAppend(&text, ": in ", MonthName(report_.month()), " ",
                      fraction(d.trend(i), dp.Field("trend").At(i)));
    }
    absl::StrAppend(&text, "; over the 12 months ",
                    fraction(d.total(), dp.Field("total")), ".");
    Paragraph(text, out);
    if (!d.trend().empty()) {
      Chart chart;
      chart.id = "insight-duplicate-trend";
      chart.type = "bar";
      chart.title = "Duplicate input month by month";
      chart.caption = absl::StrCat(
          "Contacts about a child with open work each month (bars) and their "
          "share of the contacts with a child identified (line; figures in "
          "the table below).");
      chart.y_title = "contacts";
      chart.y2_title = "share";
      chart.y2_percent = true;
      Dataset duplicates{"Duplicates", {}};
      Dataset share{"Share of contacts", {}, "line", "y2"};
      Table trend("Duplicate input month by month",
                  {"month", "contacts with a child", "duplicates", "share"});
      for (int i = 0; i < d.trend_size(); ++i) {
        const iv1::DuplicateInputPoint& p = d.trend(i);
        const ReportPath at = dp.Field("trend").At(i);
        trend.Add({Text(ShortMonth(p.month())),
                   Num(CountAt(at.Field("contacts_with_child"),
                               p.contacts_with_child())),
                   Num(CountAt(at.Field("duplicates"), p.duplicates())),
                   Num(PercentAt(at.Field("percent"), p.has_percent(),
                                 p.percent()))});
        chart.labels.push_back(AxisMonth(p.month()));
        duplicates.data.push_back(Point(at.Field("duplicates"), true,
                                        static_cast<double>(p.duplicates())));
        share.data.push_back(
            Point(at.Field("percent"), p.has_percent(), p.percent()));
      }
      chart.datasets = {std::move(share), std::move(duplicates)};
      chart.AppendTo(out);
      trend.AppendTo(out);
    }
    AppendDuplicateBreakdown(
        "Duplicate input by concern (a contact counts "
        "under each)",
        "concern", dp.Field("by_concern"), d.by_concern(), out);
    AppendDuplicateBreakdown("Duplicate input by source", "source",
                             dp.Field("by_source"), d.by_source(), out);
    AppendDuplicateBreakdown("Duplicate input by the open work met",
                             "open work", dp.Field("by_open_work"),
                             d.by_open_work(), out);
  }

  void AppendFunnel(const ReportPath& fp, std::string* out) const {
    const gv1::AbuseCategoryFunnel& f = report_.insight().funnel();
    absl::StrAppend(out, "<h3>Abuse-category funnel</h3>\n");
    if (f.stages().empty()) {
      Paragraph("No funnel figures.", out);
      return;
    }
    Paragraph(absl::StrCat("From contact to CP plan, ", PeriodText(f.period()),
                           ": each stage by category (share of the stage), "
                           "then each stage as a percent of the stage "
                           "before, category by category."),
              out);
    std::vector<std::string> categories;
    for (const kv1::CategoryCount& c : f.stages(0).by_category()) {
      categories.push_back(c.category());
    }
    std::vector<std::string> header = {"stage", "total"};
    std::vector<std::string> conversion_header = {"stage"};
    for (const std::string& c : categories) {
      header.push_back(CategoryTitle(c));
      conversion_header.push_back(CategoryTitle(c));
    }
    Table shares("Items at each stage by abuse category (share of the stage)",
                 header);
    Table conversions("Each stage as a percent of the stage before",
                      conversion_header);
    Chart chart;
    chart.id = "insight-funnel";
    chart.type = "bar";
    chart.percent = true;
    chart.title = "Share of each abuse category at each stage";
    chart.caption =
        absl::StrCat(chart.title, ", contact to CP plan, ",
                     PeriodText(f.period()), " (figures in the table below).");
    chart.y_title = "share of the stage";
    std::vector<Dataset> sets;
    for (const std::string& c : categories)
      sets.push_back({CategoryTitle(c), {}});
    for (int s = 0; s < f.stages_size(); ++s) {
      const gv1::AbuseFunnelStage& stage = f.stages(s);
      const ReportPath sp = fp.Field("stages").At(s);
      std::vector<Cell> row = {Text(StageTitle(stage.stage())),
                               Num(CountAt(sp.Field("total"), stage.total()))};
      std::vector<Cell> conversion_row = {Text(StageTitle(stage.stage()))};
      chart.labels.push_back(StageTitle(stage.stage()));
      for (size_t k = 0; k < categories.size(); ++k) {
        int index = -1;
        for (int i = 0; i < stage.by_category_size(); ++i) {
          if (stage.by_category(i).category() == categories[k]) index = i;
        }
        if (index < 0) {
          row.push_back(Num(Count(0)));
          sets[k].data.push_back(std::nullopt);
        } else {
          const kv1::CategoryCount& count = stage.by_category(index);
          const ReportPath cp = sp.Field("by_category").At(index);
          row.push_back(Num(Withheld(cp.Field("count"))
                                ? std::string(kWithheld)
                                : absl::StrCat(Count(count.count()), " (",
                                               PercentAt(cp.Field("percent"),
                                                         true, count.percent()),
                                               ")")));
          sets[k].data.push_back(
              Withheld(cp.Field("count"))
                  ? std::nullopt
                  : Point(cp.Field("percent"), true, count.percent()));
        }
        std::string cell(kNone);
        for (int j = 0; j < stage.conversions_size(); ++j) {
          const gv1::AbuseFunnelConversion& v = stage.conversions(j);
          if (v.category() != categories[k]) continue;
          cell = PercentAt(sp.Field("conversions").At(j).Field("percent"),
                           v.has_percent(), v.percent());
        }
        conversion_row.push_back(Num(cell));
      }
      shares.Add(std::move(row));
      if (s > 0) conversions.Add(std::move(conversion_row));
    }
    for (Dataset& d : sets) chart.datasets.push_back(std::move(d));
    chart.AppendTo(out);
    shares.AppendTo(out);
    if (!conversions.empty()) conversions.AppendTo(out);
    std::vector<std::string> changes;
    for (int i = 0; i < f.changes_size(); ++i) {
      const kv1::CategoryChange& c = f.changes(i);
      changes.push_back(absl::StrCat(
          CategoryTitle(c.from()), " to ", CategoryTitle(c.to()), ": ",
          CountAt(fp.Field("changes").At(i).Field("plans"), c.plans())));
    }
    Paragraph(absl::StrCat(
                  "CP plans traced to a referral with a category: ",
                  CountAt(fp.Field("plans_traced"), f.plans_traced()),
                  changes.empty()
                      ? std::string("; none changed category.")
                      : absl::StrCat("; category changed between referral and "
                                     "plan: ",
                                     absl::StrJoin(changes, "; "), ".")),
              out);
  }

  void AppendVisitQuality(const ReportPath& vp, std::string* out) const {
    const kv1::GetVisitQualityResponse& v = report_.insight().visit_quality();
    absl::StrAppend(out, "<h3>Visit quality</h3>\n");
    if (v.totals().empty()) {
      Paragraph("No visits in the period.", out);
      return;
    }
    Table totals("Visits over the 12 months by type",
                 {"visit type", "visits", "mode recorded", "face to face",
                  "share face to face", "seen alone recorded", "seen alone",
                  "share seen alone"});
    std::vector<kv1::VisitKind> kinds;
    for (int i = 0; i < v.totals_size(); ++i) {
      const kv1::VisitQuality& q = v.totals(i);
      const ReportPath at = vp.Field("totals").At(i);
      kinds.push_back(q.kind());
      totals.Add(
          {Text(VisitKindTitle(q.kind())),
           Num(CountAt(at.Field("visits"), q.visits())),
           Num(CountAt(at.Field("mode_recorded"), q.mode_recorded())),
           Num(CountAt(at.Field("face_to_face"), q.face_to_face())),
           Num(PercentAt(at.Field("face_to_face_percent"),
                         q.has_face_to_face_percent(),
                         q.face_to_face_percent())),
           Num(CountAt(at.Field("seen_alone_recorded"),
                       q.seen_alone_recorded())),
           Num(CountAt(at.Field("seen_alone"), q.seen_alone())),
           Num(PercentAt(at.Field("seen_alone_percent"),
                         q.has_seen_alone_percent(), q.seen_alone_percent()))});
    }
    std::vector<tv1::YearMonth> order;
    for (const kv1::VisitQuality& q : v.months()) {
      bool seen = false;
      for (const tv1::YearMonth& m : order) {
        seen = seen || SameMonth(m, q.month());
      }
      if (!seen) order.push_back(q.month());
    }
    if (!order.empty()) {
      Chart chart;
      chart.id = "insight-visits-face-to-face";
      chart.type = "line";
      chart.percent = true;
      chart.title = "Visits face to face, month by month";
      chart.caption = absl::StrCat(
          "The share of each type of statutory visit made face to face each "
          "month to ",
          MonthName(report_.month()), " (figures in the table below).");
      chart.y_title = "face to face";
      std::vector<std::string> header = {"month"};
      for (const char* what : {"face to face", "seen alone"}) {
        for (kv1::VisitKind kind : kinds) {
          header.push_back(absl::StrCat(VisitKindTitle(kind), " ", what));
        }
      }
      Table months(
          "Visits month by month (share face to face, share seen "
          "alone)",
          header);
      std::vector<Dataset> sets;
      for (kv1::VisitKind kind : kinds)
        sets.push_back({VisitKindTitle(kind), {}});
      for (const tv1::YearMonth& month : order) {
        chart.labels.push_back(AxisMonth(month));
        std::vector<Cell> row = {Text(ShortMonth(month))};
        for (bool face : {true, false}) {
          for (size_t k = 0; k < kinds.size(); ++k) {
            std::string cell(kNone);
            std::optional<double> point;
            for (int i = 0; i < v.months_size(); ++i) {
              const kv1::VisitQuality& q = v.months(i);
              if (q.kind() != kinds[k] || !SameMonth(q.month(), month)) {
                continue;
              }
              const ReportPath at = vp.Field("months").At(i);
              if (face) {
                cell = PercentAt(at.Field("face_to_face_percent"),
                                 q.has_face_to_face_percent(),
                                 q.face_to_face_percent());
                point = Point(at.Field("face_to_face_percent"),
                              q.has_face_to_face_percent(),
                              q.face_to_face_percent());
              } else {
                cell = PercentAt(at.Field("seen_alone_percent"),
                                 q.has_seen_alone_percent(),
                                 q.seen_alone_percent());
              }
            }
            row.push_back(Num(cell));
            if (face) sets[k].data.push_back(point);
          }
        }
        months.Add(std::move(row));
      }
      for (Dataset& d : sets) chart.datasets.push_back(std::move(d));
      chart.AppendTo(out);
      totals.AppendTo(out);
      months.AppendTo(out);
    } else {
      totals.AppendTo(out);
    }
  }

  void AppendServiceFlows(const ReportPath& fp, std::string* out) const {
    const kv1::GetServiceFlowsResponse& f = report_.insight().service_flows();
    absl::StrAppend(out, "<h3>Service-level flows</h3>\n");
    if (f.months().empty()) {
      Paragraph("No months.", out);
      return;
    }
    Paragraph(absl::StrCat(
                  "Children moving between Early Help, child in need, child "
                  "protection and care (a gap of up to ",
                  f.gap_days(),
                  " days between two levels is a direct move), cases closed, "
                  "and the share of open cases by level at each month end."),
              out);
    Chart chart;
    chart.id = "insight-service-flows";
    chart.type = "bar";
    chart.title = "Step downs, step ups and closures, month by month";
    chart.caption =
        absl::StrCat(chart.title, " to ", MonthName(report_.month()),
                     " (figures in the table below).");
    chart.y_title = "children";
    Dataset downs{"Step downs", {}};
    Dataset ups{"Step ups", {}};
    Dataset closed{"Closures", {}};
    Table table(
        "Service-level flows month by month",
        {"month", "step downs", "CP to CIN", "CIN to Early Help", "step ups",
         "entries", "exits", "closures", "Early Help", "CIN", "CP", "CIC"});
    for (int i = 0; i < f.months_size(); ++i) {
      const kv1::ServiceFlowMonth& m = f.months(i);
      const ReportPath at = fp.Field("months").At(i);
      table.Add({Text(ShortMonth(m.month())),
                 Num(CountAt(at.Field("step_downs"), m.step_downs())),
                 Num(CountAt(at.Field("step_downs_cp_to_cin"),
                             m.step_downs_cp_to_cin())),
                 Num(CountAt(at.Field("step_downs_cin_to_early_help"),
                             m.step_downs_cin_to_early_help())),
                 Num(CountAt(at.Field("step_ups"), m.step_ups())),
                 Num(CountAt(at.Field("entries"), m.entries())),
                 Num(CountAt(at.Field("exits"), m.exits())),
                 Num(CountAt(at.Field("closures_total"), m.closures_total())),
                 Num(PercentAt(at.Field("early_help_percent"), true,
                               m.early_help_percent())),
                 Num(PercentAt(at.Field("child_in_need_percent"), true,
                               m.child_in_need_percent())),
                 Num(PercentAt(at.Field("child_protection_percent"), true,
                               m.child_protection_percent())),
                 Num(PercentAt(at.Field("child_in_care_percent"), true,
                               m.child_in_care_percent()))});
      chart.labels.push_back(AxisMonth(m.month()));
      downs.data.push_back(Point(at.Field("step_downs"), true,
                                 static_cast<double>(m.step_downs())));
      ups.data.push_back(
          Point(at.Field("step_ups"), true, static_cast<double>(m.step_ups())));
      closed.data.push_back(Point(at.Field("closures_total"), true,
                                  static_cast<double>(m.closures_total())));
    }
    chart.datasets = {std::move(downs), std::move(ups), std::move(closed)};
    chart.AppendTo(out);
    table.AppendTo(out);
    const int last = f.months_size() - 1;
    const kv1::ServiceFlowMonth& m = f.months(last);
    if (m.closures().empty()) {
      Paragraph(absl::StrCat("No cases closed in ", MonthName(m.month()), "."),
                out);
      return;
    }
    Table closures(
        absl::StrCat("Cases closed in ", MonthName(m.month()), " by reason"),
        {"reason", "closures"});
    for (int i = 0; i < m.closures_size(); ++i) {
      const kv1::ClosureCount& c = m.closures(i);
      closures.Add({Text(CodeLabel(c.reason(), c.label())),
                    Num(CountAt(fp.Field("months")
                                    .At(last)
                                    .Field("closures")
                                    .At(i)
                                    .Field("closures"),
                                c.closures()))});
    }
    closures.AppendTo(out);
  }

  void AppendInsight(std::string* out) const {
    const gv1::InsightSection& section = report_.insight();
    OpenSection("insight", "Practice insight", out);
    if (AppendStatus(section.status(), out)) {
      absl::StrAppend(out, "</section>\n");
      return;
    }
    tv1::YearMonth from = report_.month();
    from.set_year(report_.month().month() == 12 ? report_.month().year()
                                                : report_.month().year() - 1);
    from.set_month(report_.month().month() % 12 + 1);
    gv1::MonthPeriod period;
    *period.mutable_from() = from;
    *period.mutable_to() = report_.month();
    Paragraph(absl::StrCat("Over the 12 months ", PeriodText(period), "."),
              out);
    const ReportPath ip = ReportPath().Field("insight");
    AppendReferralQuality(ip.Field("referral_quality"), out);
    AppendDuplicateInput(ip.Field("duplicate_input"), out);
    AppendFunnel(ip.Field("funnel"), out);
    AppendVisitQuality(ip.Field("visit_quality"), out);
    AppendServiceFlows(ip.Field("service_flows"), out);
    absl::StrAppend(out, "</section>\n");
  }

  // --- what changed --------------------------------------------------------

  void AppendWhatChanged(std::string* out) const {
    const gv1::ChangeSection& section = report_.what_changed();
    OpenSection("what-changed", "What changed", out);
    if (AppendStatus(section.status(), out)) {
      absl::StrAppend(out, "</section>\n");
      return;
    }
    const gv1::FigureComparison& c = section.comparison();
    const ReportPath cp =
        ReportPath().Field("what_changed").Field("comparison").Field("changes");
    absl::StrAppend(out, "<p class=\"sgm-headline\">",
                    Escape(PeriodText(c.after())), " against ",
                    Escape(PeriodText(c.before())), "</p>\n");
    if (c.changes().empty()) {
      Paragraph("No figures compared.", out);
      absl::StrAppend(out, "</section>\n");
      return;
    }
    bool notes = false;
    for (const gv1::FigureChange& change : c.changes()) {
      notes = notes || !change.note().empty();
    }
    std::vector<std::string> header = {
        "figure",
        absl::StrCat("before (", PeriodText(c.before()), ")"),
        absl::StrCat("after (", PeriodText(c.after()), ")"),
        "change",
        "relative change",
        "verdict"};
    if (notes) header.push_back("note");
    Table table("What changed between the two periods", header);
    for (int i = 0; i < c.changes_size(); ++i) {
      const gv1::FigureChange& change = c.changes(i);
      const gv1::FigureUnit unit = change.figure().unit();
      const ReportPath at = cp.At(i);
      auto value = [&](const char* field, bool has, double v) {
        if (Withheld(at.Field(field))) return std::string(kWithheld);
        return has ? FigureValue(unit, v) : std::string(kNone);
      };
      std::vector<Cell> row = {
          Text(change.figure().title().empty() ? change.figure().id()
                                               : change.figure().title()),
          Num(value("before", change.has_before(), change.before())),
          Num(value("after", change.has_after(), change.after())),
          Num(Withheld(at.Field("absolute_change")) ? std::string(kWithheld)
              : change.has_absolute_change()
                  ? FigureChangeText(unit, change.absolute_change())
                  : std::string(kNone)),
          Num(ChangeAt(at.Field("relative_change_percent"),
                       change.has_relative_change_percent(),
                       change.relative_change_percent())),
          {VerdictWord(change.verdict()), VerdictClass(change.verdict())}};
      if (notes) row.push_back(Text(change.note()));
      table.Add(std::move(row));
    }
    table.AppendTo(out);
    absl::StrAppend(out, "</section>\n");
  }

  const gv1::PracticeReport& report_;
  absl::flat_hash_set<std::string> withheld_;
};

// A script's text made safe to inline: no "</script" (any case) can end the
// element early.
std::string InlineScript(absl::string_view source) {
  std::string out;
  out.reserve(source.size());
  size_t i = 0;
  while (i < source.size()) {
    if (source[i] == '<' && i + 8 <= source.size() &&
        absl::EqualsIgnoreCase(source.substr(i, 8), "</script")) {
      out.append("<\\/");
      out.append(source.substr(i + 2, 6).data(), 6);
      i += 8;
      continue;
    }
    out.push_back(source[i]);
    ++i;
  }
  return out;
}

std::string AssetText(absl::string_view name) {
  const WebAsset* asset = FindWebAsset(name);
  return asset == nullptr ? std::string() : std::string(asset->body);
}

}  // namespace

std::string RenderReportHtmlFragment(const gv1::PracticeReport& report) {
  return Renderer(report).Render();
}

std::string RenderReportHtmlDocument(const gv1::PracticeReport& report) {
  std::string out;
  absl::StrAppend(
      &out,
      "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta "
      "charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n<title>",
      Escape(absl::StrCat("Monitoring Safeguarding Practice - ",
                          report.authority(), " - ",
                          MonthName(report.month()))),
      "</title>\n<style>\n",
      absl::StrReplaceAll(AssetText("report.css"), {{"</", "<\\/"}}),
      "\n</style>\n</head>\n<body class=\"sgm-report-page\">\n<main>\n",
      RenderReportHtmlFragment(report), "</main>\n<script>\n",
      InlineScript(AssetText("chart.umd.js")), "\n</script>\n<script>\n",
      InlineScript(AssetText("report_charts.js")),
      "\n</script>\n<script>\n"
      "window.addEventListener(\"load\", function () {\n"
      "  window.SgmReportCharts.drawAll(document);\n"
      "});\n</script>\n</body>\n</html>\n");
  return out;
}

}  // namespace sgm::gateway
