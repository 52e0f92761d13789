#include "services/kpi/case_model.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"

namespace sgm::kpi {
namespace {

constexpr int32_t kNoDay = INT32_MIN;
const absl::CivilDay kEpochDay(1970, 1, 1);

int32_t DayNumber(absl::CivilDay day) {
  return static_cast<int32_t>(day - kEpochDay);
}

// The day `n` days after 1970-01-01, in O(1) (H. Hinnant's
// civil_from_days).
absl::CivilDay DayFromNumber(int64_t n) {
  const int64_t z = n + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return absl::CivilDay(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d);
}

}  // namespace

// Strings by number. Only appended to, under `mu`: a model and the models
// made from it share one pool, and every read of it (building a child's
// views) happens under `mu` too.
struct CaseModel::Pool {
  absl::Mutex mu;
  // A deque: appending never moves the strings, so views stay valid.
  std::deque<std::string> strings ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<absl::string_view, uint32_t> index ABSL_GUARDED_BY(mu);

  Pool() {
    absl::MutexLock lock(&mu);
    strings.emplace_back();  // 0: the empty string
  }

  // The number of `s`, shared with every equal string.
  uint32_t Intern(absl::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (s.empty()) return 0;
    const auto it = index.find(s);
    if (it != index.end()) return it->second;
    const uint32_t id = Store(s);
    index.emplace(strings.back(), id);
    return id;
  }

  // A number for `s` without looking for an equal string (event ids are
  // unique: indexing them would only cost memory).
  uint32_t Store(absl::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    strings.emplace_back(s.data(), s.size());
    return static_cast<uint32_t>(strings.size() - 1);
  }

  absl::string_view Get(uint32_t id) const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    return strings[id];
  }
};

// An event as the model keeps it: 36 bytes, strings by pool number.
struct CaseModel::StoredEvent {
  uint32_t event_id = 0;
  uint32_t ref_id = 0;
  uint32_t parent_ref_id = 0;
  uint32_t outcome = 0;
  uint32_t worker_id = 0;
  uint32_t team = 0;
  int32_t event_date = 0;      // days since 1970-01-01
  int32_t child_dob = kNoDay;  // kNoDay: none
  uint8_t type = 0;
  int8_t long_term = -1;  // -1 none, 0 false, 1 true
};

struct CaseModel::Child {
  uint32_t child_id = 0;
  std::vector<StoredEvent> events;  // canonical order
  CaseTimelines timelines;
};

namespace {

template <typename Pool, typename StoredEvent>
TimelineEvent ViewOf(const Pool& pool, absl::string_view child_id,
                     const StoredEvent& e) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  TimelineEvent v;
  v.event_id = pool.Get(e.event_id);
  v.child_id = child_id;
  v.ref_id = pool.Get(e.ref_id);
  v.parent_ref_id = pool.Get(e.parent_ref_id);
  v.outcome = pool.Get(e.outcome);
  v.worker_id = pool.Get(e.worker_id);
  v.team = pool.Get(e.team);
  v.event_date = DayFromNumber(e.event_date);
  if (e.child_dob != kNoDay) v.child_dob = DayFromNumber(e.child_dob);
  v.type = static_cast<EventType>(e.type);
  if (e.long_term >= 0) v.long_term = e.long_term != 0;
  return v;
}

template <typename Pool, typename StoredEvent>
StoredEvent StoredOf(Pool& pool,
                     const TimelineEvent& v) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  StoredEvent e;
  e.event_id = pool.Store(v.event_id);
  e.ref_id = pool.Intern(v.ref_id);
  e.parent_ref_id = pool.Intern(v.parent_ref_id);
  e.outcome = pool.Intern(v.outcome);
  e.worker_id = pool.Intern(v.worker_id);
  e.team = pool.Intern(v.team);
  e.event_date = DayNumber(v.event_date);
  if (v.child_dob.has_value()) e.child_dob = DayNumber(*v.child_dob);
  e.type = static_cast<uint8_t>(v.type);
  if (v.long_term.has_value()) e.long_term = *v.long_term ? 1 : 0;
  return e;
}

}  // namespace

struct CaseModel::Loader::State {
  std::shared_ptr<Pool> pool = std::make_shared<Pool>();
  // Child's pool number -> its place in `groups`.
  absl::flat_hash_map<uint32_t, size_t> child_index;
  std::vector<std::pair<uint32_t, std::vector<StoredEvent>>> groups;
  size_t events = 0;
};

namespace {

// A child's events (any order) sorted canonically, with its timelines.
template <typename Pool, typename Child, typename StoredEvent>
std::shared_ptr<const Child> MakeChild(const Pool& pool, uint32_t child_id,
                                       std::vector<StoredEvent> events)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const absl::string_view child = pool.Get(child_id);
  std::vector<TimelineEvent> views;
  views.reserve(events.size());
  for (const StoredEvent& e : events) views.push_back(ViewOf(pool, child, e));
  std::vector<uint32_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return CanonicalLess(views[a], views[b]);
  });
  std::vector<TimelineEvent> sorted_views;
  sorted_views.reserve(events.size());
  auto out = std::make_shared<Child>();
  out->child_id = child_id;
  out->events.reserve(events.size());
  for (uint32_t i : order) {
    sorted_views.push_back(views[i]);
    out->events.push_back(events[i]);
  }
  out->timelines = BuildChildTimelines(sorted_views);
  return out;
}

}  // namespace

struct CaseModel::Merged {
  absl::once_flag once;
  CaseTimelines value;
};

const CaseTimelines& CaseModel::timelines() const {
  absl::call_once(timelines_->once, [this] {
    std::vector<const CaseTimelines*> parts;
    parts.reserve(children_.size());
    for (const auto& child : children_) parts.push_back(&child->timelines);
    timelines_->value = MergeChildTimelines(parts);
  });
  return timelines_->value;
}

CaseModel::Loader::Loader() : state_(std::make_shared<State>()) {}

void CaseModel::Loader::Add(const TimelineEvent& event) {
  State& s = *state_;
  absl::MutexLock lock(&s.pool->mu);
  const uint32_t child_id = s.pool->Intern(event.child_id);
  const auto [it, inserted] = s.child_index.emplace(child_id, s.groups.size());
  if (inserted) s.groups.emplace_back(child_id, std::vector<StoredEvent>());
  s.groups[it->second].second.push_back(
      StoredOf<Pool, StoredEvent>(*s.pool, event));
  ++s.events;
}

CaseModel CaseModel::Loader::Finish() && {
  State& s = *state_;
  std::vector<std::shared_ptr<const Child>> children;
  children.reserve(s.groups.size());
  {
    absl::MutexLock lock(&s.pool->mu);
    const Pool& pool = *s.pool;
    std::sort(s.groups.begin(), s.groups.end(),
              [&](const auto& a, const auto& b) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return pool.Get(a.first) < pool.Get(b.first);
              });
    for (auto& [child_id, events] : s.groups) {
      children.push_back(
          MakeChild<Pool, Child>(pool, child_id, std::move(events)));
    }
  }
  CaseModel model(s.pool, std::move(children), s.events);
  state_.reset();
  return model;
}

CaseModel::CaseModel()
    : pool_(std::make_shared<Pool>()), timelines_(std::make_shared<Merged>()) {}

CaseModel::CaseModel(std::shared_ptr<Pool> pool,
                     std::vector<std::shared_ptr<const Child>> children,
                     size_t event_count)
    : pool_(std::move(pool)),
      children_(std::move(children)),
      timelines_(std::make_shared<Merged>()),
      event_count_(event_count) {}

CaseModel CaseModel::FromEvents(absl::Span<const CaseEvent> events) {
  Loader loader;
  for (const CaseEvent& event : events) loader.Add(TimelineEventOf(event));
  return std::move(loader).Finish();
}

CaseModel CaseModel::With(absl::Span<const CaseEvent> events) const {
  if (events.empty()) return *this;
  std::vector<std::shared_ptr<const Child>> children = children_;
  {
    absl::MutexLock lock(&pool_->mu);
    Pool& pool = *pool_;
    // The new events by child, in first-seen order.
    absl::flat_hash_map<absl::string_view, size_t> index;
    std::vector<std::pair<absl::string_view, std::vector<const CaseEvent*>>>
        touched;
    for (const CaseEvent& event : events) {
      const auto [it, inserted] = index.emplace(event.child_id, touched.size());
      if (inserted) {
        touched.emplace_back(event.child_id, std::vector<const CaseEvent*>());
      }
      touched[it->second].second.push_back(&event);
    }
    const auto child_less =
        [&](const std::shared_ptr<const Child>& c, absl::string_view id)
            ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return pool.Get(c->child_id) < id;
            };
    bool added = false;
    for (const auto& [child, list] : touched) {
      const auto it = std::lower_bound(children_.begin(), children_.end(),
                                       child, child_less);
      const bool found =
          it != children_.end() && pool.Get((*it)->child_id) == child;
      std::vector<StoredEvent> stored;
      if (found) stored = (*it)->events;
      stored.reserve(stored.size() + list.size());
      for (const CaseEvent* event : list) {
        stored.push_back(
            StoredOf<Pool, StoredEvent>(pool, TimelineEventOf(*event)));
      }
      const uint32_t child_id = found ? (*it)->child_id : pool.Intern(child);
      std::shared_ptr<const Child> rebuilt =
          MakeChild<Pool, Child>(pool, child_id, std::move(stored));
      if (found) {
        children[it - children_.begin()] = std::move(rebuilt);
      } else {
        children.push_back(std::move(rebuilt));
        added = true;
      }
    }
    if (added) {
      std::sort(children.begin(), children.end(),
                [&](const auto& a, const auto& b)
                    ABSL_NO_THREAD_SAFETY_ANALYSIS {
                      return pool.Get(a->child_id) < pool.Get(b->child_id);
                    });
    }
  }
  return CaseModel(pool_, std::move(children), event_count_ + events.size());
}

}  // namespace sgm::kpi
