// Where the workforce service keeps staff records, absence episodes, the
// establishment, its per-authority generation and its read-audit log. The
// interface is what a PostgreSQL implementation would fill for scale-out;
// SqliteWorkforceStore is the embedded default.
#ifndef SGM_SERVICES_WORKFORCE_WORKFORCE_STORE_H_
#define SGM_SERVICES_WORKFORCE_WORKFORCE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/read_audit.h"
#include "common/sqlite_database.h"
#include "services/workforce/staff.h"
#include "services/workforce/workforce_figures.h"

namespace sgm::workforce {

enum class WriteOutcome {
  kAccepted,   // new, committed
  kDuplicate,  // the same content is already stored under this key
  kConflict,   // different content is stored under this key; unchanged
  // An absence whose staff_id has no staff record; unchanged.
  kUnknownStaff,
};

struct WriteResult {
  std::vector<WriteOutcome> outcomes;  // one per input, in order
  int64_t generation = 0;  // the authority's generation after the batch
};

// A record read back with the generation of the write that left it so.
struct StaffUpdate {
  StaffMember staff;
  int64_t generation = 0;
};

// One staff-level read (staff records, absences, staff caseloads), for the
// append-only audit log. Absence reasons are health data.
struct WorkforceReadAudit {
  int64_t id = 0;  // the row id, set when read back
  absl::Time at;
  std::string caller;
  std::string role;
  std::string authority;
  std::string method;
  // What was asked, without personal data, e.g. "as_of=2024-06-15".
  std::string query;
  std::vector<std::string> staff_ids;  // the records returned
};

// Filters of ListStaff; empty ones match everything.
struct StaffFilter {
  std::optional<absl::CivilDay> in_post_on;
  std::string service_area;
  std::string team;
  std::optional<Employment> employment;
};

// Filters of ListAbsences; empty ones match everything.
struct AbsenceFilter {
  std::string staff_id;
  // Episodes overlapping [from, to] (an ongoing episode runs on for ever).
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> to;
  std::optional<AbsenceReason> reason;
};

class WorkforceStore {
 public:
  virtual ~WorkforceStore() = default;

  // Each batch is one durable transaction; the authority's generation is
  // raised in it when anything was accepted. A key twice in one batch: the
  // first is written, the second is a duplicate or a conflict.
  // Key: staff_id.
  virtual absl::StatusOr<WriteResult> InsertStaff(
      absl::string_view authority, absl::Span<const StaffMember> staff) = 0;
  // Key: staff_id + reason + start_date; the staff_id must have a staff
  // record, else kUnknownStaff.
  virtual absl::StatusOr<WriteResult> InsertAbsences(
      absl::string_view authority,
      absl::Span<const AbsenceEpisode> absences) = 0;
  // Key: service_area + team + role + effective_from.
  virtual absl::StatusOr<WriteResult> InsertEstablishment(
      absl::string_view authority, absl::Span<const EstablishmentRow> rows) = 0;

  // Reads the record of `staff_id`, lets `change` alter it (any field but
  // staff_id; an error from it is returned as is and nothing changes) and
  // writes it back, in one write transaction; the generation is raised
  // when the record changed. NOT_FOUND when there is no such record.
  virtual absl::StatusOr<StaffUpdate> UpdateStaff(
      absl::string_view authority, absl::string_view staff_id,
      const std::function<absl::Status(StaffMember&)>& change) = 0;

  // NOT_FOUND when there is no such record.
  virtual absl::StatusOr<StaffMember> GetStaff(absl::string_view authority,
                                               absl::string_view staff_id) = 0;
  // By staff_id; at most `limit` from position `offset` of the filtered list.
  virtual absl::StatusOr<std::vector<StaffMember>> ListStaff(
      absl::string_view authority, const StaffFilter& filter, int64_t offset,
      int limit) = 0;
  // By staff_id, start_date, reason; paged as ListStaff.
  virtual absl::StatusOr<std::vector<AbsenceEpisode>> ListAbsences(
      absl::string_view authority, const AbsenceFilter& filter, int64_t offset,
      int limit) = 0;
  // The rows in force on `day` (per post, the latest effective_from on or
  // before it; an undated row is the earliest) with fte above 0, by
  // service_area, team, role.
  virtual absl::StatusOr<std::vector<EstablishmentRow>> EstablishmentOn(
      absl::string_view authority, absl::CivilDay day) = 0;

  // Everything of the authority for the figures, with the generation it
  // was read at (one read transaction).
  struct Snapshot {
    WorkforceData data;
    int64_t generation = 0;
  };
  virtual absl::StatusOr<Snapshot> LoadAll(absl::string_view authority) = 0;
  // 0 for an authority never written.
  virtual absl::StatusOr<int64_t> Generation(absl::string_view authority) = 0;

  virtual absl::Status AppendReadAudit(const WorkforceReadAudit& entry) = 0;
  // The authority's entries matching `query`, newest (highest id) first
  // (staff ids are the record ids; there are no child ids).
  virtual absl::StatusOr<std::vector<WorkforceReadAudit>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) = 0;
  // The newest `limit` entries of the authority, newest first.
  absl::StatusOr<std::vector<WorkforceReadAudit>> ListReadAudit(
      absl::string_view authority, int limit) {
    ReadAuditQuery query;
    query.limit = limit;
    return ListReadAudit(authority, query);
  }

  virtual absl::Status CheckHealth() = 0;
};

class SqliteWorkforceStore : public WorkforceStore {
 public:
  // Creates the file (and schema) when missing; refuses a newer schema.
  static absl::StatusOr<std::unique_ptr<SqliteWorkforceStore>> Open(
      const std::string& path);

  absl::StatusOr<WriteResult> InsertStaff(
      absl::string_view authority,
      absl::Span<const StaffMember> staff) override;
  absl::StatusOr<WriteResult> InsertAbsences(
      absl::string_view authority,
      absl::Span<const AbsenceEpisode> absences) override;
  absl::StatusOr<WriteResult> InsertEstablishment(
      absl::string_view authority,
      absl::Span<const EstablishmentRow> rows) override;
  absl::StatusOr<StaffUpdate> UpdateStaff(
      absl::string_view authority, absl::string_view staff_id,
      const std::function<absl::Status(StaffMember&)>& change) override;
  absl::StatusOr<StaffMember> GetStaff(absl::string_view authority,
                                       absl::string_view staff_id) override;
  absl::StatusOr<std::vector<StaffMember>> ListStaff(
      absl::string_view authority, const StaffFilter& filter, int64_t offset,
      int limit) override;
  absl::StatusOr<std::vector<AbsenceEpisode>> ListAbsences(
      absl::string_view authority, const AbsenceFilter& filter, int64_t offset,
      int limit) override;
  absl::StatusOr<std::vector<EstablishmentRow>> EstablishmentOn(
      absl::string_view authority, absl::CivilDay day) override;
  absl::StatusOr<Snapshot> LoadAll(absl::string_view authority) override;
  absl::StatusOr<int64_t> Generation(absl::string_view authority) override;
  absl::Status AppendReadAudit(const WorkforceReadAudit& entry) override;
  using WorkforceStore::ListReadAudit;
  absl::StatusOr<std::vector<WorkforceReadAudit>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) override;
  absl::Status CheckHealth() override;

 private:
  SqliteWorkforceStore(std::unique_ptr<SqliteDatabase> writer,
                       std::unique_ptr<SqliteDatabase> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  absl::Mutex write_mu_;
  std::unique_ptr<SqliteDatabase> writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex read_mu_;
  std::unique_ptr<SqliteDatabase> reader_ ABSL_GUARDED_BY(read_mu_);
};

// Fingerprints of every field, to tell a duplicate from a conflicting
// re-send (stored: stable across builds).
uint64_t ContentHash(const StaffMember& staff);
uint64_t ContentHash(const AbsenceEpisode& absence);
uint64_t ContentHash(const EstablishmentRow& row);

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_WORKFORCE_STORE_H_
