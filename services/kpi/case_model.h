// Pure: one authority's case events in a compact in-memory form, grouped
// per child, with each child's timelines and the merged CaseTimelines the
// indicator rules read. A model is immutable once built; With() gives a new
// model with a batch of new events added, rebuilding only the timelines of
// the children the batch names and sharing every other child's events and
// timelines with the model it came from. The result is what BuildTimelines
// gives on all the events: both build each child with BuildChildTimelines
// and merge with MergeChildTimelines (timeline_builder.h).
#ifndef SGM_SERVICES_KPI_CASE_MODEL_H_
#define SGM_SERVICES_KPI_CASE_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/types/span.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {

class CaseModel {
 public:
  // Collects the events of a full load, one at a time (the views need only
  // last for the call), then builds the model.
  class Loader {
   public:
    Loader();
    void Add(const TimelineEvent& event);
    CaseModel Finish() &&;

   private:
    friend class CaseModel;
    struct State;
    std::shared_ptr<State> state_;
  };

  // No events.
  CaseModel();
  static CaseModel FromEvents(absl::Span<const CaseEvent> events);

  // This model with `events` added: events whose event_id is new to the
  // model (what the store accepted). Thread-safe: many threads may read or
  // extend one model; models that share strings serialise their With().
  CaseModel With(absl::Span<const CaseEvent> events) const;

  // Merged on first use (a model extended batch after batch by an import
  // merges only when read).
  const CaseTimelines& timelines() const;
  size_t event_count() const { return event_count_; }
  size_t child_count() const { return children_.size(); }

 private:
  struct Pool;
  struct StoredEvent;
  struct Child;

  CaseModel(std::shared_ptr<Pool> pool,
            std::vector<std::shared_ptr<const Child>> children,
            size_t event_count);

  // Interned strings, shared by a model and the models made from it.
  std::shared_ptr<Pool> pool_;
  // In child_id order.
  std::vector<std::shared_ptr<const Child>> children_;
  struct Merged;
  std::shared_ptr<Merged> timelines_;
  size_t event_count_ = 0;
};

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_CASE_MODEL_H_
