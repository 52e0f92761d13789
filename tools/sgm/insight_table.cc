#include "tools/sgm/insight_table.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "tools/sgm/indicators_table.h"
#include "tools/sgm/progress_bar.h"

namespace sgm::cli {
namespace {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;

using Rows = std::vector<std::vector<std::string>>;

std::string MonthText(const sgm::type::v1::YearMonth& month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

std::string PeriodText(const sgm::type::v1::YearMonth& from,
                       const sgm::type::v1::YearMonth& to) {
  return absl::StrCat(MonthText(from), " to ", MonthText(to));
}

std::string Percent(bool has, double value) {
  if (!has) return std::string(kNoFigure);
  return absl::StrFormat("%.1f%%", value);
}

std::string OneDp(bool has, double value) {
  if (!has) return std::string(kNoFigure);
  return absl::StrFormat("%.1f", value);
}

// "3 (42.9%)", or the count alone without a share.
std::string CountAndPercent(int64_t n, bool has, double percent) {
  if (!has) return WithThousands(n);
  return absl::StrFormat("%s (%.1f%%)", WithThousands(n), percent);
}

// "1 of 2 (50.0%)"; kNoFigure when nothing was recorded.
std::string OfRecorded(int64_t part, int64_t recorded, bool has,
                       double percent) {
  if (recorded == 0) return std::string(kNoFigure);
  return absl::StrFormat("%s of %s (%s)", WithThousands(part),
                         WithThousands(recorded), Percent(has, percent));
}

// The first `left` columns left aligned, the others right aligned, each as
// wide as its widest cell (UTF-8 aware).
std::string Table(const Rows& rows, size_t left = 1) {
  auto width = [](const std::string& text) {
    size_t n = 0;
    for (char c : text) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
  };
  std::vector<size_t> widths;
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
      if (i < left) {
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

std::vector<std::string> QualityRow(const std::string& title,
                                    const iv1::ReferralQualityPoint& p) {
  return {title, WithThousands(p.contacts()),
          OneDp(p.has_mean_score(), p.mean_score()),
          CountAndPercent(p.below_threshold(), p.has_below_threshold_percent(),
                          p.below_threshold_percent())};
}

void AppendBreakdowns(
    absl::string_view title,
    const google::protobuf::RepeatedPtrField<iv1::DuplicateBreakdown>& rows,
    std::string* out) {
  Rows table = {
      {std::string(title), "", "With a child", "Duplicates", "Share"}};
  for (const iv1::DuplicateBreakdown& b : rows) {
    if (b.contacts_with_child() == 0 && b.duplicates() == 0) continue;
    table.push_back(
        {b.code(), b.label(), WithThousands(b.contacts_with_child()),
         WithThousands(b.duplicates()), Percent(b.has_percent(), b.percent())});
  }
  if (table.size() == 1) return;
  absl::StrAppend(out, "\n", Table(table, 2));
}

std::string StageTitle(absl::string_view stage) {
  if (stage == "CONTACT") return "Contact";
  if (stage == "REFERRAL") return "Referral";
  if (stage == "S47") return "S47 enquiry";
  if (stage == "ICPC") return "ICPC";
  if (stage == "CP_PLAN") return "CP plan";
  return std::string(stage);
}

std::string VisitKindTitle(kv1::VisitKind kind) {
  switch (kind) {
    case kv1::VISIT_KIND_CHILD_PROTECTION:
      return "Child protection";
    case kv1::VISIT_KIND_CHILD_IN_CARE:
      return "Child in care";
    case kv1::VISIT_KIND_CHILD_IN_NEED:
      return "Child in need";
    default:
      return "Other";
  }
}

std::vector<std::string> VisitRow(const std::string& title,
                                  const kv1::VisitQuality& v) {
  return {title, WithThousands(v.visits()),
          OfRecorded(v.face_to_face(), v.mode_recorded(),
                     v.has_face_to_face_percent(), v.face_to_face_percent()),
          OfRecorded(v.seen_alone(), v.seen_alone_recorded(),
                     v.has_seen_alone_percent(), v.seen_alone_percent())};
}

std::string UnitWord(gv1::FigureUnit unit) {
  switch (unit) {
    case gv1::FIGURE_UNIT_COUNT:
      return "count";
    case gv1::FIGURE_UNIT_PERCENT:
      return "percent";
    case gv1::FIGURE_UNIT_PER_10K:
      return "per 10,000";
    case gv1::FIGURE_UNIT_NUMBER:
      return "number";
    default:
      return "";
  }
}

std::string DirectionWord(gv1::FigureDirection direction) {
  switch (direction) {
    case gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER:
      return "higher";
    case gv1::FIGURE_DIRECTION_LOWER_IS_BETTER:
      return "lower";
    case gv1::FIGURE_DIRECTION_NEUTRAL:
      return "neutral";
    default:
      return "";
  }
}

std::string VerdictWord(gv1::ChangeVerdict verdict) {
  switch (verdict) {
    case gv1::CHANGE_VERDICT_BETTER:
      return "better";
    case gv1::CHANGE_VERDICT_WORSE:
      return "worse";
    case gv1::CHANGE_VERDICT_SAME:
      return "same";
    default:
      return "not judged";
  }
}

// A value in the figure's unit: counts and rates whole, percents to 1 dp,
// other numbers to at most 2 dp (at least 1). `sign`: "+" before a
// positive value.
std::string FigureValue(gv1::FigureUnit unit, bool has, double value,
                        bool sign = false) {
  if (!has) return std::string(kNoFigure);
  const std::string plus = sign && value > 0 ? "+" : "";
  switch (unit) {
    case gv1::FIGURE_UNIT_COUNT:
    case gv1::FIGURE_UNIT_PER_10K:
      return absl::StrCat(plus, WithThousands(static_cast<int64_t>(
                                    value < 0 ? value - 0.5 : value + 0.5)));
    case gv1::FIGURE_UNIT_PERCENT:
      return absl::StrFormat("%s%.1f%%", plus, value);
    default: {
      std::string text = absl::StrFormat("%.2f", value);
      if (text.back() == '0') text.pop_back();
      return absl::StrCat(plus, text);
    }
  }
}

}  // namespace

std::string RenderReferralQualityTable(
    const iv1::GetReferralQualityResponse& quality) {
  std::string out = absl::StrFormat(
      "Referral quality, %s (below threshold: a score under %d of 100)\n\n",
      PeriodText(quality.from(), quality.to()), quality.threshold());
  Rows agencies = {{"Agency", "Contacts", "Mean score", "Below threshold"}};
  agencies.push_back(
      QualityRow("All agencies", quality.all_agencies().total()));
  for (const iv1::AgencyReferralQuality& a : quality.agencies()) {
    agencies.push_back(QualityRow(a.agency(), a.total()));
  }
  absl::StrAppend(&out, Table(agencies));
  Rows months = {
      {"Month (all agencies)", "Contacts", "Mean score", "Below threshold"}};
  for (const iv1::ReferralQualityPoint& p : quality.all_agencies().trend()) {
    months.push_back(QualityRow(MonthText(p.month()), p));
  }
  absl::StrAppend(&out, "\n", Table(months));
  const auto& gaps = quality.all_agencies().top_gaps();
  if (!gaps.empty()) {
    absl::StrAppend(&out, "\nMost often missing (all agencies):\n");
    Rows rows;
    for (const iv1::QualityGap& gap : gaps) {
      rows.push_back({absl::StrCat("  ", gap.item()),
                      CountAndPercent(gap.contacts(), true, gap.percent())});
    }
    absl::StrAppend(&out, Table(rows));
  }
  return out;
}

std::string RenderDuplicateInputTable(
    const iv1::GetDuplicateInputResponse& duplicates) {
  std::string out = absl::StrFormat(
      "Duplicate input, %s: contacts about a child with open work when they "
      "came in\n\n",
      PeriodText(duplicates.from(), duplicates.to()));
  Rows months = {{"Month", "With a child", "Duplicates", "Share"}};
  auto row = [](const std::string& title, const iv1::DuplicateInputPoint& p) {
    return std::vector<std::string>{
        title, WithThousands(p.contacts_with_child()),
        WithThousands(p.duplicates()), Percent(p.has_percent(), p.percent())};
  };
  for (const iv1::DuplicateInputPoint& p : duplicates.trend()) {
    months.push_back(row(MonthText(p.month()), p));
  }
  months.push_back(row("Total", duplicates.total()));
  absl::StrAppend(&out, Table(months));
  AppendBreakdowns("Open work met", duplicates.by_open_work(), &out);
  AppendBreakdowns("Concern", duplicates.by_concern(), &out);
  AppendBreakdowns("Source", duplicates.by_source(), &out);
  return out;
}

std::string RenderAbuseFunnelTable(const gv1::AbuseCategoryFunnel& funnel) {
  std::string out =
      absl::StrFormat("Abuse-category funnel, %s\n\n",
                      PeriodText(funnel.period().from(), funnel.period().to()));
  Rows counts = {{"Stage", "Total"}};
  Rows conversions = {{"Conversion"}};
  if (funnel.stages_size() > 0) {
    for (const kv1::CategoryCount& c : funnel.stages(0).by_category()) {
      counts[0].push_back(c.category());
      conversions[0].push_back(c.category());
    }
  }
  for (const gv1::AbuseFunnelStage& stage : funnel.stages()) {
    std::vector<std::string> row = {StageTitle(stage.stage()),
                                    WithThousands(stage.total())};
    for (const kv1::CategoryCount& c : stage.by_category()) {
      row.push_back(WithThousands(c.count()));
    }
    counts.push_back(std::move(row));
    if (stage.conversions_size() == 0) continue;
    std::vector<std::string> conversion = {StageTitle(stage.stage())};
    for (const gv1::AbuseFunnelConversion& c : stage.conversions()) {
      conversion.push_back(Percent(c.has_percent(), c.percent()));
    }
    conversions.push_back(std::move(conversion));
  }
  absl::StrAppend(&out, Table(counts), "\n",
                  "Each stage as a percent of the stage before, by category:\n",
                  Table(conversions));
  absl::StrAppend(&out, "\nCP plans traced to a referral with a category: ",
                  WithThousands(funnel.plans_traced()), "\n");
  for (const kv1::CategoryChange& change : funnel.changes()) {
    absl::StrAppend(&out, "  ", change.from(), " at referral, ", change.to(),
                    " at plan: ", WithThousands(change.plans()), "\n");
  }
  return out;
}

std::string RenderVisitQualityTable(
    const kv1::GetVisitQualityResponse& visits) {
  std::string out = absl::StrFormat("Visit quality, %s\n\n",
                                    PeriodText(visits.from(), visits.to()));
  Rows totals = {{"Visits", "Visits", "Face to face", "Seen alone"}};
  for (const kv1::VisitQuality& v : visits.totals()) {
    totals.push_back(VisitRow(VisitKindTitle(v.kind()), v));
  }
  absl::StrAppend(&out, Table(totals));
  Rows months = {{"Month", "Kind", "Visits", "Face to face", "Seen alone"}};
  for (const kv1::VisitQuality& v : visits.months()) {
    std::vector<std::string> row = VisitRow(VisitKindTitle(v.kind()), v);
    row.insert(row.begin(), MonthText(v.month()));
    months.push_back(std::move(row));
  }
  if (months.size() > 1) absl::StrAppend(&out, "\n", Table(months, 2));
  return out;
}

std::string RenderServiceFlowsTable(const kv1::GetServiceFlowsResponse& flows) {
  std::string out = absl::StrFormat(
      "Service-level flows, %s (gaps up to %d days bridged)\n\n",
      PeriodText(flows.from(), flows.to()), flows.gap_days());
  Rows moves = {{"Month", "Step downs", "CP>CIN", "CIN>EH", "Step ups",
                 "Entries", "Exits", "Closures"}};
  Rows open = {{"Month end", "Open", "Early help", "CIN", "CP", "CIC"}};
  for (const kv1::ServiceFlowMonth& m : flows.months()) {
    moves.push_back({MonthText(m.month()), WithThousands(m.step_downs()),
                     WithThousands(m.step_downs_cp_to_cin()),
                     WithThousands(m.step_downs_cin_to_early_help()),
                     WithThousands(m.step_ups()), WithThousands(m.entries()),
                     WithThousands(m.exits()),
                     WithThousands(m.closures_total())});
    const kv1::OpenCases& c = m.open_cases();
    open.push_back(
        {MonthText(m.month()), WithThousands(c.total()),
         CountAndPercent(c.early_help(), true, m.early_help_percent()),
         CountAndPercent(c.child_in_need(), true, m.child_in_need_percent()),
         CountAndPercent(c.child_protection(), true,
                         m.child_protection_percent()),
         CountAndPercent(c.child_in_care(), true, m.child_in_care_percent())});
  }
  absl::StrAppend(&out, Table(moves), "\n", Table(open));
  Rows closures = {{"Closures by reason"}};
  for (const kv1::ServiceFlowMonth& m : flows.months()) {
    for (const kv1::ClosureCount& c : m.closures()) {
      closures.push_back({MonthText(m.month()), c.reason(), c.label(),
                          WithThousands(c.closures())});
    }
  }
  if (closures.size() > 1) absl::StrAppend(&out, "\n", Table(closures, 3));
  return out;
}

std::string RenderFigureCatalogue(
    const gv1::ListComparableFiguresResponse& catalogue) {
  Rows rows = {{"Figure", "Unit", "Better", "Backend", "Title"}};
  for (const gv1::FigureDefinition& f : catalogue.figures()) {
    rows.push_back({f.id(), UnitWord(f.unit()), DirectionWord(f.direction()),
                    f.backend(), f.title()});
  }
  return absl::StrCat(Table(rows, 5), WithThousands(catalogue.figures_size()),
                      " figures; `sgm insight compare` compares any of them\n");
}

std::string RenderFigureComparisonTable(
    const gv1::FigureComparison& comparison) {
  std::string out = absl::StrFormat(
      "Before: %s; after: %s\n\n",
      PeriodText(comparison.before().from(), comparison.before().to()),
      PeriodText(comparison.after().from(), comparison.after().to()));
  Rows rows = {{"Figure", "Before", "After", "Change", "Change %", "Verdict"}};
  Rows notes;
  for (const gv1::FigureChange& c : comparison.changes()) {
    const gv1::FigureUnit unit = c.figure().unit();
    const std::string change =
        unit == gv1::FIGURE_UNIT_PERCENT
            ? (c.has_absolute_change()
                   ? absl::StrFormat("%s%.1f pts",
                                     c.absolute_change() > 0 ? "+" : "",
                                     c.absolute_change())
                   : std::string(kNoFigure))
            : FigureValue(unit, c.has_absolute_change(), c.absolute_change(),
                          /*sign=*/true);
    rows.push_back(
        {c.figure().id(), FigureValue(unit, c.has_before(), c.before()),
         FigureValue(unit, c.has_after(), c.after()), change,
         c.has_relative_change_percent()
             ? absl::StrFormat("%s%.1f%%",
                               c.relative_change_percent() > 0 ? "+" : "",
                               c.relative_change_percent())
             : std::string(kNoFigure),
         VerdictWord(c.verdict())});
    if (!c.note().empty()) notes.push_back({c.figure().id(), c.note()});
  }
  absl::StrAppend(&out, Table(rows));
  if (!notes.empty()) {
    absl::StrAppend(&out, "\nNotes:\n");
    for (const auto& note : notes) {
      absl::StrAppend(&out, "  ", note[0], ": ", note[1], "\n");
    }
  }
  return out;
}

}  // namespace sgm::cli
