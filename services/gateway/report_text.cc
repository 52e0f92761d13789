#include "services/gateway/report_text.h"

#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sgm::gateway::report_text {
namespace {

namespace gv1 = ::sgm::gateway::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace tv1 = ::sgm::type::v1;

constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

}  // namespace

std::string MonthName(const tv1::YearMonth& month) {
  if (month.month() < 1 || month.month() > 12) return ShortMonth(month);
  return absl::StrCat(kMonthNames[month.month() - 1], " ", month.year());
}

std::string ShortMonth(const tv1::YearMonth& month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

std::string DateText(const tv1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string Count(int64_t n) {
  const bool negative = n < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = absl::StrCat(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? absl::StrCat("-", out) : out;
}

std::string Percent(double value) { return absl::StrFormat("%.1f%%", value); }

std::string Change(double value) {
  return absl::StrFormat(value > 0 ? "+%.1f%%" : "%.1f%%", value);
}

std::string Fte(double fte) {
  std::string text = absl::StrFormat("%.2f", fte);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string Pounds(int64_t pence) {
  const bool negative = pence < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(pence)
                                      : static_cast<uint64_t>(pence);
  return absl::StrCat(negative ? "-" : "", "\u00a3",
                      Count(static_cast<int64_t>((magnitude + 50) / 100)));
}

std::string YearText(int year) {
  return absl::StrFormat("%d-%02d", year, (year + 1) % 100);
}

Column ColumnOf(const kv1::Comparator& comparator) {
  const std::string name = absl::AsciiStrToLower(comparator.name());
  if (name == "england") return Column::kEngland;
  if (absl::StrContains(name, "neighbour")) return Column::kNeighbours;
  return Column::kRegion;
}

std::string RagWord(kv1::Rag rag) {
  switch (rag) {
    case kv1::RAG_GREEN:
      return "GREEN";
    case kv1::RAG_AMBER:
      return "AMBER";
    case kv1::RAG_RED:
      return "RED";
    default:
      return std::string(kNone);
  }
}

std::string TargetText(const kv1::Indicator& indicator) {
  return absl::StrFormat("%s %.1f%%",
                         indicator.direction() == kv1::DIRECTION_LOWER_IS_BETTER
                             ? "\u2264"
                             : "\u2265",
                         indicator.target());
}

std::string WatchlistTitle(kv1::Watchlist watchlist) {
  switch (watchlist) {
    case kv1::WATCHLIST_CP_PLAN_2_YEARS:
      return "CP plan 2 years or more";
    case kv1::WATCHLIST_S47_OVER_10_WORKING_DAYS:
      return "S47 enquiry open over 10 working days";
    case kv1::WATCHLIST_PRE_PROCEEDINGS_12_WEEKS:
      return "Pre-proceedings 12 weeks or more";
    case kv1::WATCHLIST_UNDER_1_ON_CP_PLAN:
      return "Under 1 year old on a CP plan";
    default:
      return "Other";
  }
}

std::string AuditRowTitle(absl::string_view label) {
  if (label == "Total") return "All audits";
  if (label == "CASE_FILE") return "Case-file audits";
  if (label == "THEMED") return "Themed audits";
  if (label == "DIP_SAMPLE") return "Dip-sample audits";
  if (label == "OBSERVATION") return "Observations of practice";
  if (label == "MULTI_AGENCY") return "Multi-agency audits";
  return std::string(label);
}

std::string FeedbackSourceTitle(qv1::FeedbackSource source) {
  switch (source) {
    case qv1::FEEDBACK_SOURCE_FAMILY:
      return "Families";
    case qv1::FEEDBACK_SOURCE_YOUNG_PERSON:
      return "Young people";
    case qv1::FEEDBACK_SOURCE_PARTNER_AGENCY:
      return "Partner agencies";
    case qv1::FEEDBACK_SOURCE_STAFF:
      return "Staff";
    default:
      return "All feedback";
  }
}

int FeedbackIndex(
    const google::protobuf::RepeatedPtrField<qv1::FeedbackFigures>& rows,
    qv1::FeedbackSource source) {
  for (int i = 0; i < rows.size(); ++i) {
    if (rows[i].source() == source) return i;
  }
  return -1;
}

std::string DomainTitle(absl::string_view domain) {
  std::string text = absl::AsciiStrToLower(domain);
  for (char& c : text) {
    if (c == '_') c = ' ';
  }
  if (!text.empty()) text[0] = absl::ascii_toupper(text[0]);
  return text;
}

std::string PeriodText(const gv1::MonthPeriod& period) {
  if (period.from().year() == period.to().year() &&
      period.from().month() == period.to().month()) {
    return MonthName(period.to());
  }
  return absl::StrCat(MonthName(period.from()), " to ", MonthName(period.to()));
}

std::string QualityItemTitle(absl::string_view item) {
  if (item == "child_id") return "Child identified";
  if (item == "child_dob") return "Date of birth";
  if (item == "primary_need") return "Primary need";
  if (item == "concerns") return "Concerns";
  if (item == "referrer_org") return "Referrer's organisation";
  if (item == "summary") return "Summary";
  return DomainTitle(item);
}

std::string CategoryTitle(absl::string_view code) {
  if (code == "NEG") return "Neglect";
  if (code == "PHY") return "Physical abuse";
  if (code == "SAB") return "Sexual abuse";
  if (code == "EMO") return "Emotional abuse";
  if (code == "MUL") return "Multiple";
  if (code == "NONE") return "No category";
  return std::string(code);
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

std::string FigureValue(gv1::FigureUnit unit, double value) {
  switch (unit) {
    case gv1::FIGURE_UNIT_COUNT:
      if (value == std::floor(value) && std::fabs(value) < 9e15) {
        return Count(static_cast<int64_t>(value));
      }
      return absl::StrFormat("%.1f", value);
    case gv1::FIGURE_UNIT_PERCENT:
      return Percent(value);
    default:
      return absl::StrFormat("%.1f", value);
  }
}

std::string FigureChangeText(gv1::FigureUnit unit, double value) {
  const char* sign = value > 0 ? "+" : "";
  switch (unit) {
    case gv1::FIGURE_UNIT_COUNT:
      if (value == std::floor(value) && std::fabs(value) < 9e15) {
        return absl::StrCat(sign, Count(static_cast<int64_t>(value)));
      }
      return absl::StrFormat("%s%.1f", sign, value);
    case gv1::FIGURE_UNIT_PERCENT:
      return absl::StrFormat("%s%.1f points", sign, value);
    default:
      return absl::StrFormat("%s%.1f", sign, value);
  }
}

std::string VerdictWord(gv1::ChangeVerdict verdict) {
  switch (verdict) {
    case gv1::CHANGE_VERDICT_BETTER:
      return "better";
    case gv1::CHANGE_VERDICT_WORSE:
      return "worse";
    case gv1::CHANGE_VERDICT_SAME:
      return "no change";
    default:
      return std::string(kNone);
  }
}

}  // namespace sgm::gateway::report_text
