#include "services/kpi/service_flows.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/string_view.h"
#include "common/census_codes.h"
#include "common/civil_date.h"

namespace sgm::kpi {
namespace {

// One plan or episode putting a child at a level.
struct LevelSpan {
  absl::string_view child_id;
  ServiceLevel level;
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;

  bool OpenAt(absl::CivilDay d) const {
    return start <= d && !(end && *end <= d);
  }
};

void AddSpans(const std::vector<Episode>& episodes, ServiceLevel level,
              std::vector<LevelSpan>* out) {
  for (const Episode& e : episodes) {
    if (e.child_id.empty()) continue;
    out->push_back(LevelSpan{e.child_id, level, e.start, e.end});
  }
}

ServiceLevel LevelAt(const LevelSpan* begin, const LevelSpan* end,
                     absl::CivilDay d) {
  ServiceLevel level = ServiceLevel::kNone;
  for (const LevelSpan* s = begin; s != end; ++s) {
    if (s->OpenAt(d)) level = std::max(level, s->level);
  }
  return level;
}

// One child's moves, its spans being [begin, end).
void ChildMoves(const LevelSpan* begin, const LevelSpan* end, int gap_days,
                std::vector<ChildLevelMove>* out) {
  std::vector<absl::CivilDay> days;
  for (const LevelSpan* s = begin; s != end; ++s) {
    days.push_back(s->start);
    if (s->end) days.push_back(*s->end);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  // The raw changes: the level is constant between change days, and none
  // before the first.
  struct Change {
    absl::CivilDay date;
    ServiceLevel from;
    ServiceLevel to;
  };
  std::vector<Change> changes;
  ServiceLevel before = ServiceLevel::kNone;
  for (absl::CivilDay d : days) {
    const ServiceLevel now = LevelAt(begin, end, d);
    if (now != before) changes.push_back(Change{d, before, now});
    before = now;
  }
  const std::string child_id(begin->child_id);
  for (size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    // A level ending, and the next level starting gap_days or fewer days
    // later (the days at no level are c.date .. next.date - 1).
    if (c.to == ServiceLevel::kNone && i + 1 < changes.size() &&
        changes[i + 1].date - c.date <= gap_days) {
      const Change& next = changes[i + 1];
      if (c.from != next.to) {
        out->push_back(ChildLevelMove{child_id, next.date, c.from, next.to});
      }
      ++i;
      continue;
    }
    out->push_back(ChildLevelMove{child_id, c.date, c.from, c.to});
  }
}

}  // namespace

std::vector<ChildLevelMove> LevelMoves(const CaseTimelines& timelines,
                                       int gap_days) {
  std::vector<LevelSpan> spans;
  AddSpans(timelines.eh_episodes, ServiceLevel::kEarlyHelp, &spans);
  AddSpans(timelines.cin_plans, ServiceLevel::kChildInNeed, &spans);
  AddSpans(timelines.cp_plans, ServiceLevel::kChildProtection, &spans);
  AddSpans(timelines.cla_episodes, ServiceLevel::kChildInCare, &spans);
  std::stable_sort(spans.begin(), spans.end(),
                   [](const LevelSpan& a, const LevelSpan& b) {
                     return a.child_id < b.child_id;
                   });
  std::vector<ChildLevelMove> moves;
  for (size_t i = 0; i < spans.size();) {
    size_t j = i;
    while (j < spans.size() && spans[j].child_id == spans[i].child_id) ++j;
    ChildMoves(spans.data() + i, spans.data() + j, gap_days, &moves);
    i = j;
  }
  // Already by child, then by date within each child.
  return moves;
}

std::vector<ServiceFlowFigures> ServiceFlows(const CaseTimelines& timelines,
                                             absl::CivilMonth from,
                                             absl::CivilMonth to,
                                             int gap_days) {
  std::vector<ServiceFlowFigures> months;
  if (from > to) return months;
  for (absl::CivilMonth m = from; m <= to; ++m) {
    ServiceFlowFigures figures;
    figures.month = m;
    figures.open_cases = CountOpenCases(OpenCasesAt(timelines, LastDayOf(m)));
    months.push_back(std::move(figures));
  }
  const auto month_of = [&](absl::CivilDay d) -> ServiceFlowFigures* {
    const absl::CivilMonth m(d);
    if (m < from || m > to) return nullptr;
    return &months[static_cast<size_t>(m - from)];
  };

  std::vector<std::map<std::pair<ServiceLevel, ServiceLevel>, int64_t>> pairs(
      months.size());
  for (const ChildLevelMove& move : LevelMoves(timelines, gap_days)) {
    ServiceFlowFigures* f = month_of(move.date);
    if (f == nullptr) continue;
    ++pairs[static_cast<size_t>(f - months.data())][{move.from, move.to}];
    if (move.from == ServiceLevel::kNone) {
      ++f->entries;
    } else if (move.to == ServiceLevel::kNone) {
      ++f->exits;
    } else if (move.to < move.from) {
      ++f->step_downs;
      if (move.from == ServiceLevel::kChildProtection &&
          move.to == ServiceLevel::kChildInNeed) {
        ++f->step_downs_cp_to_cin;
      }
      if (move.from == ServiceLevel::kChildInNeed &&
          move.to == ServiceLevel::kEarlyHelp) {
        ++f->step_downs_cin_to_early_help;
      }
    } else {
      ++f->step_ups;
    }
  }
  for (size_t i = 0; i < months.size(); ++i) {
    for (const auto& [pair, n] : pairs[i]) {
      months[i].moves.push_back(LevelMoveCount{pair.first, pair.second, n});
    }
  }

  std::vector<std::map<std::string, int64_t>> reasons(months.size());
  for (const ReferralTimeline& r : timelines.referrals) {
    if (!r.closed) continue;
    ServiceFlowFigures* f = month_of(*r.closed);
    if (f == nullptr) continue;
    ++reasons[static_cast<size_t>(f - months.data())][r.closure_reason];
    ++f->closures_total;
  }
  for (size_t i = 0; i < months.size(); ++i) {
    std::map<std::string, int64_t>& counts = reasons[i];
    for (const CodeLabel& code : ClosureReasons()) {
      auto it = counts.find(std::string(code.code));
      if (it == counts.end()) continue;
      months[i].closures.push_back(ClosureReasonCount{
          std::string(code.code), std::string(code.label), it->second});
      counts.erase(it);
    }
    for (const auto& [reason, n] : counts) {
      months[i].closures.push_back(ClosureReasonCount{reason, "", n});
    }
  }
  return months;
}

}  // namespace sgm::kpi
