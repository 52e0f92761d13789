// Where intake keeps contacts, decisions and its read-audit log. The
// interface is what a PostgreSQL implementation would fill for scale-out;
// SqliteContactStore is the embedded default.
#ifndef SGM_SERVICES_INTAKE_CONTACT_STORE_H_
#define SGM_SERVICES_INTAKE_CONTACT_STORE_H_

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
#include "services/intake/contact.h"

namespace sgm::intake {

// What happened to one record of a write.
enum class WriteOutcome {
  kAccepted,   // new, committed
  kDuplicate,  // the same content was already stored under this key
  kConflict,   // different content is stored under this key; nothing changed
  kNoContact,  // decisions: contact_ref names no contact of the authority
  kBeforeReceipt,  // decisions: decided before the contact was received
};

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kAccepted;
  int64_t contact_id = 0;  // the contact written or found (0 when none)
};

// A contact to write: the record and its local receipt date.
struct NewContact {
  ContactRecord record;
  absl::CivilDay received_on;
};

// A decision to write: the record and its local decision date.
struct NewDecision {
  DecisionRecord record;
  absl::CivilDay decided_on;
};

struct BatchResult {
  std::vector<WriteResult> results;  // one per input, in order
  int64_t generation = 0;            // the authority's generation after it
};

struct ContactFilter {
  std::optional<absl::CivilDay> received_from;  // inclusive
  std::optional<absl::CivilDay> received_to;    // inclusive
  std::string source_code;                      // "" = any
  std::string primary_need;                     // "" = any
  std::optional<Outcome> outcome;
};

// One child-level read, for the append-only audit log.
struct ReadAuditEntry {
  int64_t id = 0;  // the row id, set when read back
  absl::Time at;
  std::string caller;
  std::string role;
  std::string authority;
  std::string method;
  std::vector<std::string> contact_ids;
  std::vector<std::string> child_ids;
};

// A referral waiting in the outbox for the KPI service: written in the
// transaction of an accepted REFERRAL or STRATEGY_DISCUSSION decision on a
// contact with a child, so the KPI service learns of every referral intake
// acknowledged even when it was down at the time.
struct ReferralOutboxRow {
  std::string authority;
  int64_t contact_id = 0;  // the referral id is ContactIdString(contact_id)
  std::string event_id;    // "intake.C42"
  std::string ref_id;      // "C42"
  std::string child_id;
  std::optional<absl::CivilDay> child_dob;
  absl::CivilDay event_date;  // the decision's local date
  std::string source_code;
  std::string primary_need;  // "" when not stated
  // The contact's concerns (read from the contact with the row), for the
  // referral's abuse category.
  std::vector<std::string> concerns;
  absl::Time created_at;
  int attempts = 0;        // failed attempts so far
  std::string last_error;  // codes only, never personal data
};

class ContactStore {
 public:
  virtual ~ContactStore() = default;

  // Writes the batch in one durable transaction; the authority's generation
  // is bumped in it when anything was accepted.
  virtual absl::StatusOr<BatchResult> InsertContacts(
      absl::string_view authority, absl::Span<const NewContact> contacts) = 0;
  virtual absl::StatusOr<BatchResult> InsertDecisions(
      absl::string_view authority, absl::Span<const NewDecision> decisions) = 0;

  // NOT_FOUND when `contact_ref` ("C42" or "AGENCY:ID") names no contact of
  // the authority.
  virtual absl::StatusOr<StoredContact> GetContact(
      absl::string_view authority, absl::string_view contact_ref) = 0;
  // Contacts with id > after_id matching `filter`, by id, at most `limit`.
  virtual absl::StatusOr<std::vector<StoredContact>> ListContacts(
      absl::string_view authority, const ContactFilter& filter,
      int64_t after_id, int limit) = 0;
  // The facts of contacts received in [from, to].
  virtual absl::StatusOr<std::vector<ContactFact>> LoadFacts(
      absl::string_view authority, absl::CivilDay from, absl::CivilDay to) = 0;
  // 0 for an authority never written.
  virtual absl::StatusOr<int64_t> Generation(absl::string_view authority) = 0;

  virtual absl::Status AppendReadAudit(const ReadAuditEntry& entry) = 0;
  // The authority's entries matching `query`, newest (highest id) first.
  virtual absl::StatusOr<std::vector<ReadAuditEntry>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) = 0;
  // The newest `limit` entries of the authority, newest first.
  absl::StatusOr<std::vector<ReadAuditEntry>> ListReadAudit(
      absl::string_view authority, int limit) {
    ReadAuditQuery query;
    query.limit = limit;
    return ListReadAudit(authority, query);
  }

  virtual absl::Status CheckHealth() = 0;

  // The referral outbox (see ReferralOutboxRow). Rows neither sent nor
  // failed for good, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<ReferralOutboxRow>> ListUnsentReferrals(
      int limit) = 0;
  // How many rows ListUnsentReferrals has in all (the backlog).
  virtual absl::StatusOr<int64_t> CountUnsentReferrals() = 0;
  // Marks the authority's rows sent at `at`.
  virtual absl::Status MarkReferralsSent(absl::string_view authority,
                                         absl::Span<const int64_t> contact_ids,
                                         absl::Time at) = 0;
  // Counts a failed attempt on the authority's rows with `error` (codes
  // only). A permanent failure (the KPI service rejected the event) keeps
  // the row but takes it out of ListUnsentReferrals for good.
  virtual absl::Status RecordReferralFailure(
      absl::string_view authority, absl::Span<const int64_t> contact_ids,
      absl::string_view error, bool permanent, absl::Time at) = 0;
};

class SqliteContactStore : public ContactStore {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteContactStore>> Open(
      const std::string& path);

  absl::StatusOr<BatchResult> InsertContacts(
      absl::string_view authority,
      absl::Span<const NewContact> contacts) override;
  absl::StatusOr<BatchResult> InsertDecisions(
      absl::string_view authority,
      absl::Span<const NewDecision> decisions) override;
  absl::StatusOr<StoredContact> GetContact(
      absl::string_view authority, absl::string_view contact_ref) override;
  absl::StatusOr<std::vector<StoredContact>> ListContacts(
      absl::string_view authority, const ContactFilter& filter,
      int64_t after_id, int limit) override;
  absl::StatusOr<std::vector<ContactFact>> LoadFacts(
      absl::string_view authority, absl::CivilDay from,
      absl::CivilDay to) override;
  absl::StatusOr<int64_t> Generation(absl::string_view authority) override;
  absl::Status AppendReadAudit(const ReadAuditEntry& entry) override;
  using ContactStore::ListReadAudit;
  absl::StatusOr<std::vector<ReadAuditEntry>> ListReadAudit(
      absl::string_view authority, const ReadAuditQuery& query) override;
  absl::Status CheckHealth() override;
  absl::StatusOr<std::vector<ReferralOutboxRow>> ListUnsentReferrals(
      int limit) override;
  absl::StatusOr<int64_t> CountUnsentReferrals() override;
  absl::Status MarkReferralsSent(absl::string_view authority,
                                 absl::Span<const int64_t> contact_ids,
                                 absl::Time at) override;
  absl::Status RecordReferralFailure(absl::string_view authority,
                                     absl::Span<const int64_t> contact_ids,
                                     absl::string_view error, bool permanent,
                                     absl::Time at) override;

 private:
  SqliteContactStore(std::unique_ptr<SqliteDatabase> writer,
                     std::unique_ptr<SqliteDatabase> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  // Resolves a ref on `db` (caller holds its mutex): id and received_at.
  absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> ResolveRef(
      SqliteDatabase& db, absl::string_view authority, absl::string_view ref);
  absl::StatusOr<int64_t> BumpGeneration(absl::string_view authority);
  // Runs `write` (one WriteResult a record) in one durable transaction that
  // also raises the authority's generation when anything was accepted;
  // otherwise reports the current generation. Caller holds write_mu_.
  absl::StatusOr<BatchResult> WriteBatch(
      absl::string_view authority,
      const std::function<absl::Status(std::vector<WriteResult>*)>& write);
  absl::StatusOr<StoredContact> ReadContactRow(SqliteStatement& stmt);

  absl::Mutex write_mu_;
  std::unique_ptr<SqliteDatabase> writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex read_mu_;
  std::unique_ptr<SqliteDatabase> reader_ ABSL_GUARDED_BY(read_mu_);
};

// Content fingerprints that tell a duplicate from a conflicting re-send.
uint64_t ContentHash(const ContactRecord& record);
uint64_t ContentHash(const DecisionRecord& record);

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_CONTACT_STORE_H_
