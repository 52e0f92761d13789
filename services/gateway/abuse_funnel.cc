#include "services/gateway/abuse_funnel.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "common/percent.h"
#include "common/proto_convert.h"

namespace sgm::gateway {
namespace {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;

// Every stage lists these, in this order.
constexpr std::array<absl::string_view, 6> kCategories = {"NEG", "PHY", "SAB",
                                                          "EMO", "MUL", "NONE"};
constexpr size_t kCategoryCount = kCategories.size();

using Counts = std::array<int64_t, kCategoryCount>;

// The slot of `code` in kCategories, or kCategoryCount for none.
size_t SlotOf(absl::string_view code) {
  for (size_t i = 0; i < kCategoryCount; ++i) {
    if (kCategories[i] == code) return i;
  }
  return kCategoryCount;
}

// Adds a stage named `name` with `total` and `counts` to `funnel`, with the
// conversions from `previous` (none for the first stage).
void AddStage(absl::string_view name, int64_t total, const Counts& counts,
              const Counts* previous, gv1::AbuseCategoryFunnel* funnel) {
  gv1::AbuseFunnelStage* stage = funnel->add_stages();
  stage->set_stage(std::string(name));
  stage->set_total(total);
  for (size_t i = 0; i < kCategoryCount; ++i) {
    kv1::CategoryCount* count = stage->add_by_category();
    count->set_category(std::string(kCategories[i]));
    count->set_count(counts[i]);
    count->set_percent(Percent1dp(counts[i], total).value_or(0));
  }
  if (previous == nullptr) return;
  for (size_t i = 0; i < kCategoryCount; ++i) {
    gv1::AbuseFunnelConversion* conversion = stage->add_conversions();
    conversion->set_category(std::string(kCategories[i]));
    if (std::optional<double> percent = Percent1dp(counts[i], (*previous)[i])) {
      conversion->set_percent(*percent);
    }
  }
}

// The KPI stages in funnel order with their names.
struct LaterStage {
  kv1::FunnelStage stage;
  absl::string_view name;
};
constexpr LaterStage kLaterStages[] = {
    {kv1::FUNNEL_STAGE_REFERRAL, "REFERRAL"},
    {kv1::FUNNEL_STAGE_S47, "S47"},
    {kv1::FUNNEL_STAGE_ICPC, "ICPC"},
    {kv1::FUNNEL_STAGE_CP_PLAN, "CP_PLAN"},
};

}  // namespace

gv1::AbuseCategoryFunnel ComposeAbuseFunnel(
    absl::CivilMonth from, absl::CivilMonth to,
    const iv1::GetContactCategoriesResponse& contacts,
    const kv1::GetCategoryFunnelResponse& later_stages) {
  gv1::AbuseCategoryFunnel funnel;
  *funnel.mutable_period()->mutable_from() = ToProtoMonth(from);
  *funnel.mutable_period()->mutable_to() = ToProtoMonth(to);

  Counts previous{};
  for (const iv1::Breakdown& breakdown : contacts.by_category()) {
    const size_t slot = SlotOf(breakdown.code());
    if (slot < kCategoryCount) previous[slot] += breakdown.count();
  }
  AddStage("CONTACT", contacts.contacts(), previous, nullptr, &funnel);

  for (const LaterStage& later : kLaterStages) {
    Counts counts{};
    int64_t total = 0;
    for (const kv1::FunnelStageCounts& stage : later_stages.stages()) {
      if (stage.stage() != later.stage) continue;
      total += stage.total();
      for (const kv1::CategoryCount& count : stage.by_category()) {
        const size_t slot = SlotOf(count.category());
        if (slot < kCategoryCount) counts[slot] += count.count();
      }
    }
    AddStage(later.name, total, counts, &previous, &funnel);
    previous = counts;
  }

  funnel.set_plans_traced(later_stages.plans_traced());
  *funnel.mutable_changes() = later_stages.changes();
  return funnel;
}

}  // namespace sgm::gateway
