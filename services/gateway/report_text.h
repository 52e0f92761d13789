// The words and numbers the practice report's renderers (Markdown and HTML)
// print the same way: months, dates, counts with thousands separators,
// percentages, FTEs, money, comparator columns, RAG and watchlist names,
// the quality-assurance section's audit types, feedback sources and
// domains, and the practice-insight and what-changed sections' categories,
// stages, visit kinds, figure values and verdicts. Pure.
#ifndef SGM_SERVICES_GATEWAY_REPORT_TEXT_H_
#define SGM_SERVICES_GATEWAY_REPORT_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/kpi/v1/kpi.pb.h"
#include "sgm/qa/v1/qa.pb.h"
#include "sgm/type/v1/date.pb.h"

namespace sgm::gateway::report_text {

// No figure (e.g. a percent without a denominator): an en dash.
inline constexpr absl::string_view kNone = "\u2013";
// A withheld value (suppressed_fields): a count from 1 to 4 or a figure
// derived from one.
inline constexpr absl::string_view kWithheld = "<5";

// "May 2024" ("2024-13" for a month out of range).
std::string MonthName(const sgm::type::v1::YearMonth& month);
// "2024-05".
std::string ShortMonth(const sgm::type::v1::YearMonth& month);
// "2024-05-31".
std::string DateText(const sgm::type::v1::Date& date);
// "1,234"; "-1,234".
std::string Count(int64_t n);
// "87.9%".
std::string Percent(double value);
// "+23.4%", "-5.0%", "0.0%".
std::string Change(double value);
// An FTE to at most two decimals, trailing zeros dropped: 1.5, 2, 0.25.
std::string Fte(double fte);
// "£5,400,000" (whole pounds, rounded half away from zero).
std::string Pounds(int64_t pence);
// "2021-22" for the year a comparator is for.
std::string YearText(int year);

// The comparator columns of the indicator and rate tables.
enum class Column { kNeighbours, kRegion, kEngland };
// "England" -> kEngland; a name with "neighbour" -> kNeighbours; else
// kRegion.
Column ColumnOf(const sgm::kpi::v1::Comparator& comparator);

// "GREEN", "AMBER", "RED", or kNone.
std::string RagWord(sgm::kpi::v1::Rag rag);
// "≥ 90.0%" or "≤ 20.0%" by the indicator's direction.
std::string TargetText(const sgm::kpi::v1::Indicator& indicator);
// "CP plan 2 years or more", ...
std::string WatchlistTitle(sgm::kpi::v1::Watchlist watchlist);

// An AuditFigures row's label as a title: "CASE_FILE" -> "Case-file
// audits", "Total" -> "All audits"; a team or theme label as it is.
std::string AuditRowTitle(absl::string_view label);
// "Families", "Young people", "Partner agencies", "Staff"; the total row
// (FEEDBACK_SOURCE_UNSPECIFIED) "All feedback".
std::string FeedbackSourceTitle(sgm::qa::v1::FeedbackSource source);
// A domain code as words: "VOICE_OF_THE_CHILD" -> "Voice of the child".
std::string DomainTitle(absl::string_view domain);
// How many domains the report shows (the first of QaFigures.domains: most
// often graded requires improvement or worse first).
inline constexpr int kTopDomains = 5;
// The feedback sources in the order the report lists them, the total row
// (FEEDBACK_SOURCE_UNSPECIFIED) last.
inline constexpr sgm::qa::v1::FeedbackSource kFeedbackSources[] = {
    sgm::qa::v1::FEEDBACK_SOURCE_FAMILY,
    sgm::qa::v1::FEEDBACK_SOURCE_YOUNG_PERSON,
    sgm::qa::v1::FEEDBACK_SOURCE_PARTNER_AGENCY,
    sgm::qa::v1::FEEDBACK_SOURCE_STAFF,
    sgm::qa::v1::FEEDBACK_SOURCE_UNSPECIFIED};
// The index of `source`'s row in `rows`, or -1.
int FeedbackIndex(const google::protobuf::RepeatedPtrField<
                      sgm::qa::v1::FeedbackFigures>& rows,
                  sgm::qa::v1::FeedbackSource source);

// --- practice insight and what changed --------------------------------------

// "March 2024 to May 2024"; one month: "May 2024".
std::string PeriodText(const sgm::gateway::v1::MonthPeriod& period);
// A referral-quality rule item as words: "child_dob" -> "Date of birth";
// an item not known here as DomainTitle gives it.
std::string QualityItemTitle(absl::string_view item);
// A CP category code as words: "PHY" -> "Physical abuse", "NONE" -> "No
// category"; an unknown code as it is.
std::string CategoryTitle(absl::string_view code);
// A funnel stage as words: "S47" -> "S47 enquiry".
std::string StageTitle(absl::string_view stage);
// "Child protection", "Child in care", "Child in need".
std::string VisitKindTitle(sgm::kpi::v1::VisitKind kind);
// A figure's value in its unit: a count "1,234" (one decimal when not
// whole, e.g. a mean of monthly counts), a percent "87.9%", a rate or
// another number to 1 dp.
std::string FigureValue(sgm::gateway::v1::FigureUnit unit, double value);
// A change in a figure's unit, signed: "+12", "-3.5 points" (percent),
// "+1.2".
std::string FigureChangeText(sgm::gateway::v1::FigureUnit unit, double value);
// "better", "worse", "no change", or kNone (not judged).
std::string VerdictWord(sgm::gateway::v1::ChangeVerdict verdict);

}  // namespace sgm::gateway::report_text

#endif  // SGM_SERVICES_GATEWAY_REPORT_TEXT_H_
