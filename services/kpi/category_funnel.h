// The abuse-category funnel after the front door (docs/insight.md): how
// many referrals, S47 enquiries, ICPCs and CP plans of a range of months
// had each category (NEG, PHY, SAB, EMO, MUL, or none known), and how CP
// plans' categories compare with the category seen at the child's referral.
// Pure.
#ifndef SGM_SERVICES_KPI_CATEGORY_FUNNEL_H_
#define SGM_SERVICES_KPI_CATEGORY_FUNNEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {

// The stages, in funnel order.
enum class FunnelStage {
  kReferral,  // REFERRAL events
  kS47,       // S47_START events
  kIcpc,      // ICPC events
  kCpPlan,    // CP_PLAN_START events
};
constexpr int kFunnelStageCount = 4;

// The categories in the order they are listed; NONE: no category known.
constexpr absl::string_view kFunnelCategories[] = {"NEG", "PHY", "SAB",
                                                   "EMO", "MUL", "NONE"};
constexpr int kFunnelCategoryCount = 6;
constexpr int kNoCategory = 5;  // the index of NONE

// The events the funnel reads (stages and the lookups between them).
constexpr EventType kFunnelEventTypes[] = {
    EventType::kReferral, EventType::kS47Start, EventType::kIcpc,
    EventType::kCpPlanStart};

struct FunnelStageCount {
  int64_t total = 0;
  // By index into kFunnelCategories; sums to total.
  std::array<int64_t, kFunnelCategoryCount> by_category{};
};

// CP plans whose category differs from their traced referral's.
struct CategoryChangeCount {
  std::string from;  // the referral's category
  std::string to;    // the plan's category
  int64_t plans = 0;
};

struct CategoryFunnelFigures {
  absl::CivilMonth from;
  absl::CivilMonth to;
  // By FunnelStage.
  std::array<FunnelStageCount, kFunnelStageCount> stages;
  // CP plans started in the range traced to a referral with a category.
  int64_t plans_traced = 0;
  // Of those, the ones whose category differs, by (from, to) in category
  // order; pairs with no plan left out.
  std::vector<CategoryChangeCount> changes;
};

// The funnel over whole months `from`..`to` (both included; from <= to).
// Only events dated on or before the range's last day are read, for the
// stages and for the lookups alike (a range's figures never depend on
// later events). Lookups stay within one child: an S47's referral is the
// REFERRAL of the same child_id with that ref_id.
//
// A stage counts each of its events dated in the range, under:
//  - REFERRAL: its own category, else NONE.
//  - S47_START: its own, else its referral's (parent_ref_id), else NONE.
//  - ICPC: its own, else its S47's (the S47_START of its ref_id), else its
//    referral's (parent_ref_id), else NONE.
//  - CP_PLAN_START: its own (required by the feed).
// "The referral's (S47's) category": the category of the earliest
// (event_date, then event_id) REFERRAL (S47_START) event of that ref_id
// that carries one.
//
// Traced plans: each CP_PLAN_START in the range is traced to the child's
// latest REFERRAL (event_date, then event_id) dated on or before the plan
// start that carries a category, wherever in time it is; a plan with none
// is not traced. `changes` counts the traced plans whose category differs
// from that referral's.
CategoryFunnelFigures ComputeCategoryFunnel(absl::Span<const CaseEvent> events,
                                            absl::CivilMonth from,
                                            absl::CivilMonth to);

// The index of `category` in kFunnelCategories; kNoCategory for anything
// else (the empty string included).
int FunnelCategoryIndex(absl::string_view category);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_CATEGORY_FUNNEL_H_
