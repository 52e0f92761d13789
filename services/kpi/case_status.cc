#include "services/kpi/case_status.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/time/civil_time.h"
#include "common/civil_date.h"
#include "common/working_day_calendar.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {
namespace {

constexpr int kCpPlanWatchMonths = 24;
constexpr int kS47WatchWorkingDays = 10;
constexpr int kPreProceedingsWatchDays = 84;  // 12 weeks
constexpr int kUnderOneMonths = 12;

// A candidate for a child's open case: its level and what puts it there.
struct Candidate {
  CaseLevel level;
  absl::CivilDay start;
  std::string ref_id;
};

// Higher level first; within a level the earliest started, then the
// smallest ref_id.
bool Outranks(const Candidate& a, const Candidate& b) {
  if (a.level != b.level) return a.level > b.level;
  return std::tie(a.start, a.ref_id) < std::tie(b.start, b.ref_id);
}

class OpenCaseCollector {
 public:
  void Offer(const std::string& child_id, CaseLevel level, absl::CivilDay start,
             const std::string& ref_id) {
    if (child_id.empty()) return;
    Candidate candidate{level, start, ref_id};
    const auto [it, inserted] = best_.emplace(child_id, candidate);
    if (!inserted && Outranks(candidate, it->second)) {
      it->second = std::move(candidate);
    }
  }

  void OfferOpen(const std::vector<Episode>& episodes, CaseLevel level,
                 absl::CivilDay e) {
    for (const Episode& episode : episodes) {
      if (episode.OpenAt(e)) {
        Offer(episode.child_id, level, episode.start, episode.ref_id);
      }
    }
  }

  std::vector<OpenCase> Take() {
    std::vector<OpenCase> open;
    open.reserve(best_.size());
    for (auto& [child_id, candidate] : best_) {  // std::map: by child_id
      open.push_back({child_id, candidate.level, std::move(candidate.ref_id)});
    }
    return open;
  }

 private:
  std::map<std::string, Candidate> best_;
};

// The date a referral opens: its REFERRAL, else its earliest event.
absl::CivilDay OpenedOn(const ReferralTimeline& referral) {
  return referral.referral_date.value_or(referral.first_event_date);
}

bool ReferralOpenAt(const ReferralTimeline& referral, absl::CivilDay e) {
  return OpenedOn(referral) <= e && !(referral.closed && *referral.closed <= e);
}

WatchlistEntry Entry(const std::string& child_id, const std::string& ref_id,
                     absl::CivilDay since, absl::CivilDay as_of) {
  return {child_id, ref_id, since, static_cast<int>(as_of - since)};
}

// splitmix64 (Steele, Lea and Flood 2014; the constants of Vigna's public
// domain reference): a 64-bit generator defined by unsigned arithmetic
// alone, so every platform draws the same sequence from one seed.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15u;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound), bound >= 1, without modulo bias: draws below
  // 2^64 mod bound are rejected, so the accepted range is a whole multiple
  // of bound.
  uint64_t Below(uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (true) {
      const uint64_t draw = Next();
      if (draw >= threshold) return draw % bound;
    }
  }

 private:
  uint64_t state_;
};

}  // namespace

std::vector<OpenCase> OpenCasesAt(const CaseTimelines& timelines,
                                  absl::CivilDay e) {
  OpenCaseCollector collector;
  collector.OfferOpen(timelines.cla_episodes, CaseLevel::kChildInCare, e);
  collector.OfferOpen(timelines.cp_plans, CaseLevel::kChildProtection, e);
  collector.OfferOpen(timelines.cin_plans, CaseLevel::kChildInNeed, e);
  for (const ReferralTimeline& referral : timelines.referrals) {
    if (ReferralOpenAt(referral, e)) {
      collector.Offer(referral.child_id, CaseLevel::kChildInNeed,
                      OpenedOn(referral), referral.referral_id);
    }
  }
  collector.OfferOpen(timelines.eh_episodes, CaseLevel::kEarlyHelp, e);
  return collector.Take();
}

OpenCaseCounts CountOpenCases(const std::vector<OpenCase>& open) {
  OpenCaseCounts counts;
  for (const OpenCase& open_case : open) {
    switch (open_case.level) {
      case CaseLevel::kEarlyHelp:
        ++counts.early_help;
        break;
      case CaseLevel::kChildInNeed:
        ++counts.child_in_need;
        break;
      case CaseLevel::kChildProtection:
        ++counts.child_protection;
        break;
      case CaseLevel::kChildInCare:
        ++counts.child_in_care;
        break;
    }
    ++counts.total;
  }
  return counts;
}

int64_t ChildrenOpenAt(const std::vector<Episode>& episodes, absl::CivilDay e) {
  std::set<std::string> children;
  for (const Episode& episode : episodes) {
    if (!episode.child_id.empty() && episode.OpenAt(e)) {
      children.insert(episode.child_id);
    }
  }
  return static_cast<int64_t>(children.size());
}

std::optional<int64_t> Per10k(int64_t children, int64_t population) {
  if (population <= 0) return std::nullopt;
  // In 128 bits: children x 10,000 cannot overflow.
  const absl::int128 numerator = absl::int128(children) * 10000;
  absl::int128 quotient = numerator / population;  // truncates toward zero
  const absl::int128 remainder = numerator % population;  // sign of numerator
  // Half away from zero: |remainder| / population >= 1/2.
  if (remainder > 0 && 2 * remainder >= population) ++quotient;
  if (remainder < 0 && -2 * remainder >= population) --quotient;
  if (quotient > std::numeric_limits<int64_t>::max() ||
      quotient < std::numeric_limits<int64_t>::min()) {
    return std::nullopt;
  }
  return static_cast<int64_t>(quotient);
}

int64_t ReferralsIn(const CaseTimelines& timelines, absl::CivilMonth m) {
  int64_t count = 0;
  for (const ReferralTimeline& referral : timelines.referrals) {
    if (referral.referral_date.has_value() &&
        absl::CivilMonth(*referral.referral_date) == m) {
      ++count;
    }
  }
  return count;
}

std::vector<WatchlistEntry> WatchlistAt(const CaseTimelines& timelines,
                                        WatchlistKind kind,
                                        absl::CivilDay as_of,
                                        const WorkingDayCalendar& calendar) {
  std::vector<WatchlistEntry> entries;
  switch (kind) {
    case WatchlistKind::kCpPlanTwoYears:
      for (const Episode& plan : timelines.cp_plans) {
        if (plan.OpenAt(as_of) &&
            AddMonthsClamped(plan.start, kCpPlanWatchMonths) <= as_of) {
          entries.push_back(
              Entry(plan.child_id, plan.ref_id, plan.start, as_of));
        }
      }
      break;
    case WatchlistKind::kS47OverTenWorkingDays:
      for (const ReferralTimeline& referral : timelines.referrals) {
        for (const ReferralTimeline::S47& s47 : referral.s47s) {
          if (!s47.start.has_value() || (s47.end && *s47.end <= as_of)) {
            continue;
          }
          if (as_of >
              calendar.AddWorkingDays(*s47.start, kS47WatchWorkingDays)) {
            entries.push_back(
                Entry(referral.child_id, s47.ref_id, *s47.start, as_of));
          }
        }
      }
      break;
    case WatchlistKind::kPreProceedingsTwelveWeeks:
      for (const Episode& episode : timelines.pre_proceedings) {
        if (episode.OpenAt(as_of) &&
            episode.start + kPreProceedingsWatchDays <= as_of) {
          entries.push_back(
              Entry(episode.child_id, episode.ref_id, episode.start, as_of));
        }
      }
      break;
    case WatchlistKind::kUnderOneOnCpPlan:
      for (const Episode& plan : timelines.cp_plans) {
        if (!plan.OpenAt(as_of)) continue;
        const auto dob = timelines.child_dobs.find(plan.child_id);
        if (dob == timelines.child_dobs.end()) continue;
        if (as_of < AddMonthsClamped(dob->second, kUnderOneMonths)) {
          entries.push_back(
              Entry(plan.child_id, plan.ref_id, plan.start, as_of));
        }
      }
      break;
  }
  std::sort(entries.begin(), entries.end(),
            [](const WatchlistEntry& a, const WatchlistEntry& b) {
              return std::tie(a.since, a.child_id, a.ref_id) <
                     std::tie(b.since, b.child_id, b.ref_id);
            });
  return entries;
}

std::vector<std::pair<std::string, Allocated>> AllocationsAt(
    const CaseTimelines& timelines, absl::CivilDay as_of) {
  // Per child, the latest-started open allocation, then the greatest ref_id.
  std::map<std::string, const Allocation*> latest;
  for (const Allocation& allocation : timelines.allocations) {
    if (allocation.child_id.empty() || !allocation.OpenAt(as_of)) continue;
    const Allocation*& best = latest[allocation.child_id];
    if (best == nullptr || std::tie(allocation.start, allocation.ref_id) >
                               std::tie(best->start, best->ref_id)) {
      best = &allocation;
    }
  }
  std::vector<std::pair<std::string, Allocated>> out;
  out.reserve(latest.size());
  for (const auto& [child_id, allocation] : latest) {
    out.push_back(
        {child_id, Allocated{allocation->worker_id, allocation->team}});
  }
  return out;
}

std::vector<WorkerCaseload> CaseloadsAt(const CaseTimelines& timelines,
                                        absl::CivilDay as_of) {
  struct Worker {
    const Allocation* latest = nullptr;  // gives the team
    std::set<std::string> children;
  };
  std::map<std::string, Worker> workers;
  for (const Allocation& allocation : timelines.allocations) {
    if (allocation.child_id.empty() || !allocation.OpenAt(as_of)) continue;
    Worker& worker = workers[allocation.worker_id];
    worker.children.insert(allocation.child_id);
    if (worker.latest == nullptr ||
        std::tie(allocation.start, allocation.ref_id) >
            std::tie(worker.latest->start, worker.latest->ref_id)) {
      worker.latest = &allocation;
    }
  }
  std::vector<WorkerCaseload> out;
  out.reserve(workers.size());
  for (const auto& [worker_id, worker] : workers) {
    out.push_back({worker_id, worker.latest->team,
                   static_cast<int64_t>(worker.children.size())});
  }
  return out;
}

std::vector<size_t> SampleIndices(size_t population, size_t size,
                                  uint64_t seed) {
  const uint64_t n = population;
  const uint64_t k = std::min<uint64_t>(size, n);
  // A partial Fisher-Yates shuffle of the identity permutation of [0, n):
  // step i swaps slot i with slot i + Below(n - i) and emits slot i. Only
  // the slots that moved are stored, so memory is O(size), not O(n).
  absl::flat_hash_map<uint64_t, uint64_t> moved;
  const auto slot = [&moved](uint64_t i) {
    const auto it = moved.find(i);
    return it == moved.end() ? i : it->second;
  };
  SplitMix64 generator(seed);
  std::vector<size_t> sample;
  sample.reserve(static_cast<size_t>(k));
  for (uint64_t i = 0; i < k; ++i) {
    const uint64_t j = i + generator.Below(n - i);
    const uint64_t at_i = slot(i);
    const uint64_t at_j = slot(j);
    moved[j] = at_i;
    moved[i] = at_j;
    sample.push_back(static_cast<size_t>(at_j));
  }
  return sample;
}

}  // namespace sgm::kpi
