// Where the quality-assurance service keeps themes, audits, feedback,
// actions, dip samples, its per-authority generation and its read-audit
// log. The interface is what a PostgreSQL implementation would fill for
// scale-out; SqliteQaStore is the embedded default.
#ifndef SGM_SERVICES_QA_QA_STORE_H_
#define SGM_SERVICES_QA_QA_STORE_H_

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
#include "services/qa/qa_figures.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {

enum class WriteOutcome {
  kAccepted,  // new, committed
  // The same content is already stored under this key, or the stored
  // record is this one with moderated_grade / completed_date filled in
  // since (re-sending the first version changes nothing).
  kDuplicate,
  // The stored record had moderated_grade (audits) or completed_date
  // (actions) empty and the new one fills it in, everything else equal:
  // the stored record now has it (a later re-send of a QA spreadsheet).
  kFilledIn,
  kConflict,  // different content is stored under this key; unchanged
};

struct WriteResult {
  std::vector<WriteOutcome> outcomes;  // one per input, in order
  int64_t generation = 0;  // the authority's generation after the batch
};

// A record read back with the generation of the write that left it so.
template <typename Record>
struct Updated {
  Record record;
  int64_t generation = 0;
};

// One child-level read (audits, dip samples) for the append-only audit
// log.
struct QaReadAudit {
  int64_t id = 0;  // the row id, set when read back
  absl::Time at;
  std::string caller;
  std::string role;
  std::string authority;
  std::string method;
  // What was asked, without personal data, e.g. "from=2024-05-01 team=CP1".
  std::string query;
  std::vector<std::string> child_ids;
  std::vector<std::string> record_ids;  // audit or sample ids returned
};

// Filters of ListAudits; empty ones match everything.
struct AuditFilter {
  std::optional<absl::CivilDay> from;  // audit_date on or after
  std::optional<absl::CivilDay> to;    // audit_date on or before
  std::string team;
  std::string theme_id;
  std::optional<AuditType> type;
  std::string child_id;
  std::string sample_id;
};

// Filters of ListFeedback; empty ones match everything.
struct FeedbackFilter {
  std::optional<absl::CivilDay> from;  // received_on on or after
  std::optional<absl::CivilDay> to;    // received_on on or before
  std::optional<FeedbackSource> source;
  std::string team;
};

enum class ActionState { kAny, kOpen, kOverdue, kCompleted };

// Filters of ListActions; empty ones match everything.
struct ActionFilter {
  ActionState state = ActionState::kAny;
  absl::CivilDay state_on;  // the day kOpen/kOverdue/kCompleted are judged
  std::string owner;
  std::string origin_ref;
};

// A dip sample as stored, with the audits of its cases.
struct DipSampleRecord {
  DipSample sample;  // cases empty when listed
  // Per case of sample.cases, in order: the audit_id of the earliest audit
  // (by audit_date, then audit_id) of that child with this sample_id, ""
  // when none; empty when listed.
  std::vector<std::string> case_audit_ids;
  int audited = 0;  // cases with such an audit
};

class QaStore {
 public:
  virtual ~QaStore() = default;

  // Each batch is one durable transaction; the authority's generation is
  // raised in it when anything was accepted or filled in. A key twice in
  // one batch: the first is written, the second is judged against it.
  // Key: theme_id (never kFilledIn).
  virtual absl::StatusOr<WriteResult> InsertThemes(
      absl::string_view authority, absl::Span<const Theme> themes) = 0;
  // Key: audit_id.
  virtual absl::StatusOr<WriteResult> InsertAudits(
      absl::string_view authority, absl::Span<const Audit> audits) = 0;
  // Key: feedback_id (never kFilledIn).
  virtual absl::StatusOr<WriteResult> InsertFeedback(
      absl::string_view authority, absl::Span<const Feedback> feedback) = 0;
  // Key: action_id.
  virtual absl::StatusOr<WriteResult> InsertActions(
      absl::string_view authority, absl::Span<const Action> actions) = 0;

  // Reads the record, lets `change` alter it (not its key; an error from it
  // is returned as is and nothing changes) and writes it back in one write
  // transaction; the generation is raised when the record changed.
  // NOT_FOUND when there is no such record.
  virtual absl::StatusOr<Updated<Audit>> UpdateAudit(
      absl::string_view authority, absl::string_view audit_id,
      const std::function<absl::Status(Audit&)>& change) = 0;
  virtual absl::StatusOr<Updated<Action>> UpdateAction(
      absl::string_view authority, absl::string_view action_id,
      const std::function<absl::Status(Action&)>& change) = 0;

  // NOT_FOUND when there is no such record.
  virtual absl::StatusOr<Theme> GetTheme(absl::string_view authority,
                                         absl::string_view theme_id) = 0;
  virtual absl::StatusOr<Audit> GetAudit(absl::string_view authority,
                                         absl::string_view audit_id) = 0;
  // By start_date, theme_id; only those overlapping `active_on` when set.
  virtual absl::StatusOr<std::vector<Theme>> ListThemes(
      absl::string_view authority, std::optional<absl::CivilDay> active_on) = 0;
  // By audit_date, audit_id; at most `limit` from position `offset` of the
  // filtered list.
  virtual absl::StatusOr<std::vector<Audit>> ListAudits(
      absl::string_view authority, const AuditFilter& filter, int64_t offset,
      int limit) = 0;
  // By received_on, feedback_id; paged as ListAudits.
  virtual absl::StatusOr<std::vector<Feedback>> ListFeedback(
      absl::string_view authority, const FeedbackFilter& filter, int64_t offset,
      int limit) = 0;
  // By due_date, action_id; paged as ListAudits.
  virtual absl::StatusOr<std::vector<Action>> ListActions(
      absl::string_view authority, const ActionFilter& filter, int64_t offset,
      int limit) = 0;

  // Stores a drawn sample with its cases in one transaction. kAccepted:
  // stored; kDuplicate: a sample with this id and the same request
  // (DipSample::SameRequest) is stored (unchanged); kConflict: one with a
  // different request is. `stored` gets the stored sample either way.
  struct SampleWrite {
    WriteOutcome outcome = WriteOutcome::kAccepted;
    DipSampleRecord stored;
    int64_t generation = 0;
  };
  virtual absl::StatusOr<SampleWrite> InsertDipSample(
      absl::string_view authority, const DipSample& sample) = 0;
  // NOT_FOUND when there is no such sample.
  virtual absl::StatusOr<DipSampleRecord> GetDipSample(
      absl::string_view authority, absl::string_view sample_id) = 0;
  // Newest (created_at, then sample_id descending) first, without cases.
  virtual absl::StatusOr<std::vector<DipSampleRecord>> ListDipSamples(
      absl::string_view authority, int64_t offset, int limit) = 0;

  // Themes, audits, feedback and actions of the authority for the figures,
  // with the generation they were read at (one read transaction).
  struct Snapshot {
    QaData data;
    int64_t generation = 0;
  };
  virtual absl::StatusOr<Snapshot> LoadAll(absl::string_view authority) = 0;
  // 0 for an authority never written.
  virtual absl::StatusOr<int64_t> Generation(absl::string_view authority) = 0;

  virtual absl::Status AppendReadAudit(const QaReadAudit& entry) = 0;
  // The authority's entries matching `query`, newest (highest id) first.
  virtual absl::StatusOr<std::vector<QaReadAudit>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) = 0;
  // The newest `limit` entries of the authority, newest first.
  absl::StatusOr<std::vector<QaReadAudit>> ListReadAudit(
      absl::string_view authority, int limit) {
    ReadAuditQuery query;
    query.limit = limit;
    return ListReadAudit(authority, query);
  }

  virtual absl::Status CheckHealth() = 0;
};

class SqliteQaStore : public QaStore {
 public:
  // Creates the file (and schema) when missing; refuses a newer schema.
  static absl::StatusOr<std::unique_ptr<SqliteQaStore>> Open(
      const std::string& path);

  absl::StatusOr<WriteResult> InsertThemes(
      absl::string_view authority, absl::Span<const Theme> themes) override;
  absl::StatusOr<WriteResult> InsertAudits(
      absl::string_view authority, absl::Span<const Audit> audits) override;
  absl::StatusOr<WriteResult> InsertFeedback(
      absl::string_view authority,
      absl::Span<const Feedback> feedback) override;
  absl::StatusOr<WriteResult> InsertActions(
      absl::string_view authority, absl::Span<const Action> actions) override;
  absl::StatusOr<Updated<Audit>> UpdateAudit(
      absl::string_view authority, absl::string_view audit_id,
      const std::function<absl::Status(Audit&)>& change) override;
  absl::StatusOr<Updated<Action>> UpdateAction(
      absl::string_view authority, absl::string_view action_id,
      const std::function<absl::Status(Action&)>& change) override;
  absl::StatusOr<Theme> GetTheme(absl::string_view authority,
                                 absl::string_view theme_id) override;
  absl::StatusOr<Audit> GetAudit(absl::string_view authority,
                                 absl::string_view audit_id) override;
  absl::StatusOr<std::vector<Theme>> ListThemes(
      absl::string_view authority,
      std::optional<absl::CivilDay> active_on) override;
  absl::StatusOr<std::vector<Audit>> ListAudits(absl::string_view authority,
                                                const AuditFilter& filter,
                                                int64_t offset,
                                                int limit) override;
  absl::StatusOr<std::vector<Feedback>> ListFeedback(
      absl::string_view authority, const FeedbackFilter& filter, int64_t offset,
      int limit) override;
  absl::StatusOr<std::vector<Action>> ListActions(absl::string_view authority,
                                                  const ActionFilter& filter,
                                                  int64_t offset,
                                                  int limit) override;
  absl::StatusOr<SampleWrite> InsertDipSample(absl::string_view authority,
                                              const DipSample& sample) override;
  absl::StatusOr<DipSampleRecord> GetDipSample(
      absl::string_view authority, absl::string_view sample_id) override;
  absl::StatusOr<std::vector<DipSampleRecord>> ListDipSamples(
      absl::string_view authority, int64_t offset, int limit) override;
  absl::StatusOr<Snapshot> LoadAll(absl::string_view authority) override;
  absl::StatusOr<int64_t> Generation(absl::string_view authority) override;
  absl::Status AppendReadAudit(const QaReadAudit& entry) override;
  using QaStore::ListReadAudit;
  absl::StatusOr<std::vector<QaReadAudit>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) override;
  absl::Status CheckHealth() override;

 private:
  SqliteQaStore(std::unique_ptr<SqliteDatabase> writer,
                std::unique_ptr<SqliteDatabase> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  absl::Mutex write_mu_;
  std::unique_ptr<SqliteDatabase> writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex read_mu_;
  std::unique_ptr<SqliteDatabase> reader_ ABSL_GUARDED_BY(read_mu_);
};

// Fingerprints of every field, to tell a duplicate from a conflicting
// re-send (stored: stable across builds).
uint64_t ContentHash(const Theme& theme);
uint64_t ContentHash(const Audit& audit);
uint64_t ContentHash(const Feedback& feedback);
uint64_t ContentHash(const Action& action);

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_QA_STORE_H_
