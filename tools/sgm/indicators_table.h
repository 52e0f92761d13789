// The KPI service's answers (DESIGN section 3) for people and for programs:
// text tables of the indicators, case status, watchlists and caseloads, and
// their protobuf JSON.
#ifndef SGM_TOOLS_SGM_INDICATORS_TABLE_H_
#define SGM_TOOLS_SGM_INDICATORS_TABLE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "sgm/kpi/v1/kpi.pb.h"

namespace sgm::cli {

// What a table shows when there is no figure (e.g. no percent because the
// denominator is 0): an en dash.
inline constexpr absl::string_view kNoFigure = "\u2013";

// One row per indicator: title, this month's percent (kNoFigure without a
// denominator), numerator/denominator, the 6-month average, the target with
// its direction (">= 90.0", "<= 20.0"), the RAG word and the comparators
// ("England 2023 88.0; ..."); then the rules used and any data-quality
// findings. Ends with a newline.
std::string RenderIndicatorsTable(
    const sgm::kpi::v1::GetIndicatorsResponse& response);

// Open cases by level with their shares of the total, the 12-month trend,
// children in care and on CP plans per 10,000 with comparators, referrals
// in the month and the watchlist counts. Ends with a newline.
std::string RenderCaseStatusTable(const sgm::kpi::v1::CaseStatus& status);

// Every entry of a watchlist (all pages put together): child id, ref, since,
// days, worker and team. `as_of` empty: the service's today. Ends with a
// newline.
std::string RenderWatchlistTable(
    sgm::kpi::v1::Watchlist watchlist, const sgm::type::v1::Date& as_of,
    const sgm::kpi::v1::ListWatchlistResponse& entries);

// Caseload per worker (all pages put together) with the totals. Ends with a
// newline.
std::string RenderCaseloadsTable(
    const sgm::type::v1::Date& as_of, absl::string_view team,
    const sgm::kpi::v1::ListCaseloadsResponse& caseloads);

// The protobuf JSON mapping with the proto field names and every primitive
// field printed (int64 as strings). Ends with a newline.
absl::StatusOr<std::string> RenderMessageJson(
    const google::protobuf::Message& message);

// "87.5%", or kNoFigure when the indicator has no percent.
std::string IndicatorPercentText(const sgm::kpi::v1::Indicator& indicator);
// ">= 90.0" (higher is better) or "<= 20.0" (lower is better).
std::string TargetText(const sgm::kpi::v1::Indicator& indicator);
// "GREEN", "AMBER", "RED"; kNoFigure for RAG_NONE and unspecified.
std::string RagWord(sgm::kpi::v1::Rag rag);

// The command line's names of the watchlists: "cp-2-years",
// "s47-over-10wd", "pre-proceedings-12-weeks", "under-1-cp".
std::optional<sgm::kpi::v1::Watchlist> ParseWatchlistName(
    absl::string_view name);
// "CP plan 2 years or more", ...
std::string WatchlistTitle(sgm::kpi::v1::Watchlist watchlist);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_INDICATORS_TABLE_H_
