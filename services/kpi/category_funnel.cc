#include "services/kpi/category_funnel.h"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/civil_date.h"

namespace sgm::kpi {
namespace {

// (child_id, ref_id): lookups never cross children.
using ChildRef = std::pair<absl::string_view, absl::string_view>;

bool Before(const CaseEvent& a, const CaseEvent& b) {
  return std::tie(a.event_date, a.event_id) <
         std::tie(b.event_date, b.event_id);
}

// The category of the earliest event of each (child, ref_id) carrying one.
class EarliestCategory {
 public:
  void Add(const CaseEvent& e) {
    const CaseEvent*& kept = by_ref_[ChildRef(e.child_id, e.ref_id)];
    if (kept == nullptr || Before(e, *kept)) kept = &e;
  }
  // "" when none.
  absl::string_view Of(absl::string_view child, absl::string_view ref) const {
    auto it = by_ref_.find(ChildRef(child, ref));
    return it == by_ref_.end() ? absl::string_view() : it->second->category;
  }

 private:
  std::map<ChildRef, const CaseEvent*> by_ref_;
};

}  // namespace

int FunnelCategoryIndex(absl::string_view category) {
  for (int i = 0; i < kNoCategory; ++i) {
    if (kFunnelCategories[i] == category) return i;
  }
  return kNoCategory;
}

CategoryFunnelFigures ComputeCategoryFunnel(absl::Span<const CaseEvent> events,
                                            absl::CivilMonth from,
                                            absl::CivilMonth to) {
  CategoryFunnelFigures out;
  out.from = from;
  out.to = to;
  const absl::CivilDay first(from);
  const absl::CivilDay last = LastDayOf(to);

  // Lookups: events up to the range's end that carry a category.
  EarliestCategory referral_category;
  EarliestCategory s47_category;
  std::map<absl::string_view, std::vector<const CaseEvent*>> child_referrals;
  for (const CaseEvent& e : events) {
    if (e.event_date > last || e.category.empty()) continue;
    if (e.type == EventType::kReferral) {
      referral_category.Add(e);
      child_referrals[e.child_id].push_back(&e);
    } else if (e.type == EventType::kS47Start) {
      s47_category.Add(e);
    }
  }

  std::map<std::pair<int, int>, int64_t> changes;
  for (const CaseEvent& e : events) {
    if (e.event_date < first || e.event_date > last) continue;
    FunnelStage stage;
    absl::string_view category = e.category;
    switch (e.type) {
      case EventType::kReferral:
        stage = FunnelStage::kReferral;
        break;
      case EventType::kS47Start:
        stage = FunnelStage::kS47;
        if (category.empty()) {
          category = referral_category.Of(e.child_id, e.parent_ref_id);
        }
        break;
      case EventType::kIcpc:
        stage = FunnelStage::kIcpc;
        if (category.empty()) category = s47_category.Of(e.child_id, e.ref_id);
        if (category.empty()) {
          category = referral_category.Of(e.child_id, e.parent_ref_id);
        }
        break;
      case EventType::kCpPlanStart:
        stage = FunnelStage::kCpPlan;
        break;
      default:
        continue;
    }
    FunnelStageCount& counts = out.stages[static_cast<int>(stage)];
    ++counts.total;
    const int index = FunnelCategoryIndex(category);
    ++counts.by_category[index];
    if (stage != FunnelStage::kCpPlan) continue;

    // Traced: the child's latest referral with a category on or before the
    // plan start.
    const CaseEvent* traced = nullptr;
    auto it = child_referrals.find(e.child_id);
    if (it != child_referrals.end()) {
      for (const CaseEvent* r : it->second) {
        if (r->event_date > e.event_date) continue;
        if (traced == nullptr || Before(*traced, *r)) traced = r;
      }
    }
    if (traced == nullptr) continue;
    ++out.plans_traced;
    const int referral_index = FunnelCategoryIndex(traced->category);
    if (referral_index != index) ++changes[{referral_index, index}];
  }
  for (const auto& [pair, plans] : changes) {
    out.changes.push_back(CategoryChangeCount{
        std::string(kFunnelCategories[pair.first]),
        std::string(kFunnelCategories[pair.second]), plans});
  }
  return out;
}

}  // namespace sgm::kpi
