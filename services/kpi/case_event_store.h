// Where the KPI service keeps case events, its per-authority generation and
// its read-audit log. The interface is what a PostgreSQL implementation
// would fill for scale-out; SqliteCaseEventStore is the embedded default.
#ifndef SGM_SERVICES_KPI_CASE_EVENT_STORE_H_
#define SGM_SERVICES_KPI_CASE_EVENT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/read_audit.h"
#include "common/sqlite_database.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {

enum class EventWriteOutcome {
  kAccepted,   // new, committed
  kDuplicate,  // the same content is already stored under this event_id
  kConflict,   // different content is stored under this event_id; unchanged
};

struct EventBatchResult {
  std::vector<EventWriteOutcome> outcomes;  // one per input, in order
  int64_t generation = 0;  // the authority's generation after the batch
  // The authority's generation before the batch, read in its transaction:
  // a model at this generation plus the accepted events is the store at
  // `generation` (when this process is the store's only writer).
  int64_t previous_generation = 0;
};

// One child-level read, for the append-only audit log.
struct KpiReadAudit {
  int64_t id = 0;  // the row id, set when read back
  absl::Time at;
  std::string caller;
  std::string role;
  std::string authority;
  std::string method;
  // What was asked, without personal data, e.g.
  // "indicator=cpp_visits_in_time month=2024-05 filter=OUT_OF_TIME".
  std::string query;
  std::vector<std::string> child_ids;
  std::vector<std::string> ref_ids;
};

class CaseEventStore {
 public:
  virtual ~CaseEventStore() = default;

  // Writes the batch in one durable transaction; the authority's generation
  // is raised in it when anything was accepted. An event_id twice in one
  // batch: the first is written, the second is a duplicate or conflict.
  virtual absl::StatusOr<EventBatchResult> InsertEvents(
      absl::string_view authority, absl::Span<const CaseEvent> events) = 0;
  // Every event of the authority, in no particular order, with the
  // generation they were read at (one read transaction).
  struct Snapshot {
    std::vector<CaseEvent> events;
    int64_t generation = 0;
  };
  virtual absl::StatusOr<Snapshot> LoadEvents(absl::string_view authority) = 0;
  // Every event of the authority as the timelines read it, passed to `sink`
  // one at a time (the views last only for the call), in no particular
  // order; returns the generation they were read at (one read
  // transaction). The default goes through LoadEvents.
  virtual absl::StatusOr<int64_t> ScanTimelineEvents(
      absl::string_view authority,
      absl::FunctionRef<void(const TimelineEvent&)> sink);
  // The events of the authority whose type is one of `types` and whose
  // event_date is within [from, to] (an absent bound: unbounded), every
  // field, in no particular order, with the generation they were read at
  // (one read transaction). For figures that read fields the timelines do
  // not keep (category, visit_mode, seen_alone). The default filters
  // LoadEvents.
  virtual absl::StatusOr<Snapshot> LoadEventsOfTypes(
      absl::string_view authority, absl::Span<const EventType> types,
      std::optional<absl::CivilDay> from, std::optional<absl::CivilDay> to);
  // The authorities with events, the most events first. The default:
  // none.
  virtual absl::StatusOr<std::vector<std::string>> Authorities();
  // 0 for an authority never written.
  virtual absl::StatusOr<int64_t> Generation(absl::string_view authority) = 0;

  virtual absl::Status AppendReadAudit(const KpiReadAudit& entry) = 0;
  // The authority's entries matching `query`, newest (highest id) first.
  virtual absl::StatusOr<std::vector<KpiReadAudit>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) = 0;
  // The newest `limit` entries of the authority, newest first.
  absl::StatusOr<std::vector<KpiReadAudit>> ListReadAudit(
      absl::string_view authority, int limit) {
    ReadAuditQuery query;
    query.limit = limit;
    return ListReadAudit(authority, query);
  }

  virtual absl::Status CheckHealth() = 0;
};

class SqliteCaseEventStore : public CaseEventStore {
 public:
  // Creates the file (and schema) when missing; refuses a newer schema.
  static absl::StatusOr<std::unique_ptr<SqliteCaseEventStore>> Open(
      const std::string& path);

  absl::StatusOr<EventBatchResult> InsertEvents(
      absl::string_view authority, absl::Span<const CaseEvent> events) override;
  absl::StatusOr<Snapshot> LoadEvents(absl::string_view authority) override;
  absl::StatusOr<int64_t> ScanTimelineEvents(
      absl::string_view authority,
      absl::FunctionRef<void(const TimelineEvent&)> sink) override;
  absl::StatusOr<Snapshot> LoadEventsOfTypes(
      absl::string_view authority, absl::Span<const EventType> types,
      std::optional<absl::CivilDay> from,
      std::optional<absl::CivilDay> to) override;
  absl::StatusOr<std::vector<std::string>> Authorities() override;
  absl::StatusOr<int64_t> Generation(absl::string_view authority) override;
  absl::Status AppendReadAudit(const KpiReadAudit& entry) override;
  using CaseEventStore::ListReadAudit;
  absl::StatusOr<std::vector<KpiReadAudit>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) override;
  absl::Status CheckHealth() override;

 private:
  SqliteCaseEventStore(std::unique_ptr<SqliteDatabase> writer,
                       std::unique_ptr<SqliteDatabase> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  absl::Mutex write_mu_;
  std::unique_ptr<SqliteDatabase> writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex read_mu_;
  std::unique_ptr<SqliteDatabase> reader_ ABSL_GUARDED_BY(read_mu_);
};

// A fingerprint of every field of an event, to tell a duplicate from a
// conflicting re-send.
uint64_t ContentHash(const CaseEvent& event);

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_CASE_EVENT_STORE_H_
