#include "services/kpi/open_work.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace sgm::kpi {

std::vector<ChildOpenWorkItems> OpenWorkOf(
    const CaseTimelines& timelines, absl::Span<const std::string> child_ids,
    absl::CivilDay from, absl::CivilDay to) {
  const absl::flat_hash_set<absl::string_view> wanted(child_ids.begin(),
                                                      child_ids.end());
  std::map<std::string, std::vector<OpenWorkItem>> by_child;
  const auto add = [&](const std::string& child_id, OpenWorkKind kind,
                       const std::string& ref_id, absl::CivilDay since,
                       std::optional<absl::CivilDay> until) {
    if (since > to || (until && *until <= from)) return;
    if (!wanted.contains(child_id)) return;
    by_child[child_id].push_back(OpenWorkItem{kind, ref_id, since, until});
  };
  for (const ReferralTimeline& r : timelines.referrals) {
    for (const ReferralTimeline::Assessment& a : r.assessments) {
      if (a.start) {
        add(r.child_id, OpenWorkKind::kAssessment, a.ref_id, *a.start, a.end);
      }
    }
    for (const ReferralTimeline::S47& s : r.s47s) {
      if (s.start)
        add(r.child_id, OpenWorkKind::kS47, s.ref_id, *s.start, s.end);
    }
  }
  const auto add_all = [&](const std::vector<Episode>& episodes,
                           OpenWorkKind kind) {
    for (const Episode& e : episodes) {
      add(e.child_id, kind, e.ref_id, e.start, e.end);
    }
  };
  add_all(timelines.cin_plans, OpenWorkKind::kCinPlan);
  add_all(timelines.cp_plans, OpenWorkKind::kCpPlan);
  add_all(timelines.cla_episodes, OpenWorkKind::kClaEpisode);
  add_all(timelines.eh_episodes, OpenWorkKind::kEarlyHelp);

  std::vector<ChildOpenWorkItems> children;
  for (auto& [child_id, work] : by_child) {
    std::sort(work.begin(), work.end(),
              [](const OpenWorkItem& a, const OpenWorkItem& b) {
                return std::tie(a.since, a.kind, a.ref_id) <
                       std::tie(b.since, b.kind, b.ref_id);
              });
    children.push_back(ChildOpenWorkItems{child_id, std::move(work)});
  }
  return children;
}

}  // namespace sgm::kpi
