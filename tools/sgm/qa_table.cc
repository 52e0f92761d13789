#include "tools/sgm/qa_table.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "services/gateway/report_text.h"
#include "tools/sgm/indicators_table.h"
#include "tools/sgm/progress_bar.h"

namespace sgm::cli {
namespace {

using ::sgm::qa::v1::ActionFigures;
using ::sgm::qa::v1::AuditFigures;
using ::sgm::qa::v1::DomainFigures;
using ::sgm::qa::v1::FeedbackFigures;
using ::sgm::qa::v1::ModerationFigures;
using ::sgm::qa::v1::QaFigures;
using ::sgm::qa::v1::ReauditFigures;
using ::sgm::qa::v1::Theme;
namespace report_text = ::sgm::gateway::report_text;

std::string DateText(const sgm::type::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string Percent(bool has, double value) {
  if (!has) return std::string(kNoFigure);
  return absl::StrFormat("%.1f%%", value);
}

// "12 (66.7%)": a count with its share, or the count alone without one.
std::string CountAndPercent(int64_t n, bool has, double percent) {
  if (!has) return WithThousands(n);
  return absl::StrFormat("%s (%.1f%%)", WithThousands(n), percent);
}

// A table: the first `left` columns left aligned, the others right aligned,
// each as wide as its widest cell.
std::string Table(const std::vector<std::vector<std::string>>& rows,
                  size_t left = 1) {
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

std::vector<std::string> AuditRow(const std::string& title,
                                  const AuditFigures& a) {
  return {title,
          WithThousands(a.audits()),
          WithThousands(a.outstanding()),
          WithThousands(a.good()),
          WithThousands(a.requires_improvement()),
          WithThousands(a.inadequate()),
          Percent(a.has_good_or_better_percent(), a.good_or_better_percent())};
}

// The audits by grade: the total, then a blank-titled group per breakdown.
void AppendAudits(const QaFigures& figures, std::string* out) {
  if (figures.audits().audits() == 0) {
    absl::StrAppend(out, "Audits: none in the period\n\n");
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"", "Audits", "Outstanding", "Good", "Requires improvement",
       "Inadequate", "Good or better"}};
  rows.push_back(AuditRow(report_text::AuditRowTitle(figures.audits().label()),
                          figures.audits()));
  for (const AuditFigures& a : figures.by_type()) {
    rows.push_back(
        AuditRow(absl::StrCat("  ", report_text::AuditRowTitle(a.label())), a));
  }
  if (figures.by_team_size() > 0) {
    rows.push_back({"By team"});
    for (const AuditFigures& a : figures.by_team()) {
      rows.push_back(AuditRow(
          absl::StrCat("  ", a.label().empty() ? "(no team)" : a.label()), a));
    }
  }
  if (figures.by_theme_size() > 0) {
    rows.push_back({"By theme"});
    for (const AuditFigures& a : figures.by_theme()) {
      rows.push_back(AuditRow(absl::StrCat("  ", a.label()), a));
    }
  }
  absl::StrAppend(out,
                  "Audits by grade (the moderator's grade where moderated)\n",
                  Table(rows), "\n");
}

void AppendModeration(const ModerationFigures& m, std::string* out) {
  if (m.moderated() == 0) {
    absl::StrAppend(out, "Moderation: no audit moderated\n\n");
    return;
  }
  absl::StrAppend(out, "Moderation: ", WithThousands(m.moderated()),
                  " moderated, ",
                  CountAndPercent(m.agreed(), m.has_agreement_percent(),
                                  m.agreement_percent()),
                  " agreed, ", WithThousands(m.moderated_up()), " graded up, ",
                  WithThousands(m.moderated_down()), " graded down\n\n");
}

void AppendDomains(const QaFigures& figures, std::string* out) {
  if (figures.domains_size() == 0) return;
  std::vector<std::vector<std::string>> rows = {
      {"Domain", "Graded", "Requires improvement or worse", "Share"}};
  for (const DomainFigures& d : figures.domains()) {
    rows.push_back({report_text::DomainTitle(d.domain()),
                    WithThousands(d.graded()),
                    WithThousands(d.requires_improvement_or_worse()),
                    Percent(d.has_requires_improvement_or_worse_percent(),
                            d.requires_improvement_or_worse_percent())});
  }
  absl::StrAppend(out,
                  "Domains, the most often graded requires improvement or "
                  "worse first\n",
                  Table(rows), "\n");
}

void AppendFeedback(const QaFigures& figures, std::string* out) {
  bool any = false;
  for (const FeedbackFigures& f : figures.feedback()) any |= f.received() > 0;
  if (!any) {
    absl::StrAppend(out, "Feedback: none received in the period\n\n");
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"Feedback", "Received", "Mean rating", "Positive (4-5)",
       "Negative (1-2)"}};
  for (const FeedbackFigures& f : figures.feedback()) {
    rows.push_back({report_text::FeedbackSourceTitle(f.source()),
                    WithThousands(f.received()),
                    f.has_mean_rating()
                        ? absl::StrFormat("%.2f", f.mean_rating())
                        : std::string(kNoFigure),
                    WithThousands(f.positive()), WithThousands(f.negative())});
  }
  absl::StrAppend(out, Table(rows), "\n");
}

void AppendActions(const QaFigures& figures, std::string* out) {
  const ActionFigures& a = figures.actions();
  absl::StrAppend(out, "Actions on ", DateText(figures.to()), ": ",
                  WithThousands(a.open()), " open, of which ",
                  WithThousands(a.overdue()), " overdue\n");
  absl::StrAppend(out, "In the period: ", WithThousands(a.due()), " due, ",
                  WithThousands(a.completed()), " completed, ",
                  CountAndPercent(a.completed_on_time(),
                                  a.has_on_time_percent(), a.on_time_percent()),
                  " on time\n\n");
}

void AppendReaudits(const ReauditFigures& r, std::string* out) {
  if (r.reaudits() == 0 && r.original_missing() == 0) {
    absl::StrAppend(out, "Re-audits: none in the period\n");
  } else {
    absl::StrAppend(out, "Re-audits: ", WithThousands(r.reaudits()), ", ",
                    CountAndPercent(r.improved(), r.has_improved_percent(),
                                    r.improved_percent()),
                    " improved, ", WithThousands(r.unchanged()), " unchanged, ",
                    WithThousands(r.worsened()), " worsened\n");
    if (r.original_missing() > 0) {
      absl::StrAppend(out, "Re-audits whose original is not recorded: ",
                      WithThousands(r.original_missing()), "\n");
    }
  }
}

}  // namespace

std::string RenderQaFiguresTable(const QaFigures& figures) {
  std::string out =
      absl::StrCat("Quality assurance, ", DateText(figures.from()), " to ",
                   DateText(figures.to()));
  if (!figures.team().empty()) absl::StrAppend(&out, ", team ", figures.team());
  if (!figures.theme_id().empty()) {
    absl::StrAppend(&out, ", theme ", figures.theme_id());
  }
  absl::StrAppend(&out, "\n\n");
  AppendAudits(figures, &out);
  AppendModeration(figures.moderation(), &out);
  AppendDomains(figures, &out);
  AppendFeedback(figures, &out);
  AppendActions(figures, &out);
  AppendReaudits(figures.reaudits(), &out);
  if (figures.themes_size() > 0) {
    absl::StrAppend(&out, "\nThemes in the period\n",
                    RenderThemesTable(figures.themes()));
  }
  return out;
}

std::string RenderThemesTable(
    const google::protobuf::RepeatedPtrField<Theme>& themes) {
  std::vector<std::vector<std::string>> rows = {
      {"Theme", "Name", "From", "To"}};
  for (const Theme& t : themes) {
    rows.push_back({t.theme_id(), t.name(), DateText(t.start_date()),
                    DateText(t.end_date())});
  }
  std::string out = Table(rows, /*left=*/4);
  absl::StrAppend(&out, themes.size(),
                  themes.size() == 1 ? " theme\n" : " themes\n");
  return out;
}

}  // namespace sgm::cli
