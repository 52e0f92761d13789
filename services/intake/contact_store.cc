#include "services/intake/contact_store.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/store_generation.h"

namespace sgm::intake {
namespace {

// Migration text never changes once shipped: the generations table and the
// read_audit triggers here are kGenerationsTableSql and
// AppendOnlyTriggersSql("read_audit") (common/store_generation.h) spelled
// out, as they were before those were shared.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  authority TEXT NOT NULL,
  agency TEXT NOT NULL,
  source_record_id TEXT NOT NULL,
  received_at_us INTEGER NOT NULL,
  received_on INTEGER NOT NULL,
  child_id TEXT NOT NULL DEFAULT '',
  child_dob INTEGER,
  source_code TEXT NOT NULL,
  primary_need TEXT NOT NULL DEFAULT '',
  concerns TEXT NOT NULL DEFAULT '',
  referrer_org TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  content_hash INTEGER NOT NULL,
  UNIQUE (authority, agency, source_record_id)
);
CREATE INDEX contacts_by_day ON contacts (authority, received_on);
CREATE TABLE decisions (
  contact_id INTEGER PRIMARY KEY REFERENCES contacts (id),
  decided_at_us INTEGER NOT NULL,
  decided_on INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  decided_by TEXT NOT NULL DEFAULT '',
  content_hash INTEGER NOT NULL
);
CREATE TABLE generations (
  authority TEXT PRIMARY KEY,
  generation INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE read_audit (
  id INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  caller TEXT NOT NULL,
  role TEXT NOT NULL,
  authority TEXT NOT NULL,
  method TEXT NOT NULL,
  contact_ids TEXT NOT NULL,
  child_ids TEXT NOT NULL
);
CREATE TRIGGER read_audit_no_update BEFORE UPDATE ON read_audit
BEGIN SELECT RAISE(ABORT, 'read_audit is append-only'); END;
CREATE TRIGGER read_audit_no_delete BEFORE DELETE ON read_audit
BEGIN SELECT RAISE(ABORT, 'read_audit is append-only'); END;
)sql";

// The referral outbox (ReferralOutboxRow). Decisions of REFERRAL (4) or
// STRATEGY_DISCUSSION (5) on contacts with a child that were stored before
// this migration are queued too: sending them is idempotent.
constexpr char kSchemaV2[] = R"sql(
CREATE TABLE referral_outbox (
  authority TEXT NOT NULL,
  contact_id INTEGER NOT NULL REFERENCES contacts (id),
  event_id TEXT NOT NULL,
  ref_id TEXT NOT NULL,
  child_id TEXT NOT NULL,
  child_dob INTEGER,
  event_date INTEGER NOT NULL,
  source_code TEXT NOT NULL,
  primary_need TEXT NOT NULL DEFAULT '',
  created_at_us INTEGER NOT NULL,
  sent_at_us INTEGER,
  failed_at_us INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (authority, contact_id)
);
CREATE INDEX referral_outbox_pending ON referral_outbox (created_at_us)
  WHERE sent_at_us IS NULL AND failed_at_us IS NULL;
INSERT INTO referral_outbox (authority, contact_id, event_id, ref_id,
  child_id, child_dob, event_date, source_code, primary_need, created_at_us)
SELECT c.authority, c.id, 'intake.C' || c.id, 'C' || c.id, c.child_id,
  c.child_dob, d.decided_on, c.source_code, c.primary_need,
  CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
FROM decisions d JOIN contacts c ON c.id = d.contact_id
WHERE d.outcome IN (4, 5) AND c.child_id <> '' ORDER BY c.id;
)sql";

// Queues the referral of an accepted decision (?1 contact id, ?2 decision
// day, ?3 event id, ?4 ref id); no row when the contact has no child.
constexpr char kQueueReferral[] =
    "INSERT INTO referral_outbox (authority, contact_id, event_id, ref_id, "
    "child_id, child_dob, event_date, source_code, primary_need, "
    "created_at_us) SELECT authority, id, ?3, ?4, child_id, child_dob, ?2, "
    "source_code, primary_need, CAST((julianday('now') - 2440587.5) * "
    "86400000000.0 AS INTEGER) FROM contacts WHERE id = ?1 AND child_id <> "
    "'' ON CONFLICT (authority, contact_id) DO NOTHING";

const absl::CivilDay kEpochDay(1970, 1, 1);

int64_t DayNumber(absl::CivilDay day) { return day - kEpochDay; }
absl::CivilDay DayFromNumber(int64_t n) { return kEpochDay + n; }
int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

constexpr char kContactColumns[] =
    "c.id, c.authority, c.agency, c.source_record_id, c.received_at_us, "
    "c.received_on, c.child_id, c.child_dob, c.source_code, c.primary_need, "
    "c.concerns, c.referrer_org, c.summary, d.decided_at_us, d.decided_on, "
    "d.outcome, d.decided_by";

}  // namespace

uint64_t ContentHash(const ContactRecord& r) {
  ContentFingerprint f;
  f.Add(r.agency)
      .Add(r.source_record_id)
      .Add(Micros(r.received_at))
      .Add(r.child_id)
      .Add(r.child_dob ? DayNumber(*r.child_dob)
                       : std::numeric_limits<int64_t>::min())
      .Add(r.source_code)
      .Add(r.primary_need)
      .Add(absl::StrJoin(r.concerns, ";"))
      .Add(r.referrer_org)
      .Add(r.summary);
  return f.value();
}

uint64_t ContentHash(const DecisionRecord& r) {
  // The ref is left out: both spellings name the same contact.
  ContentFingerprint f;
  f.Add(Micros(r.decided_at))
      .Add(static_cast<int64_t>(r.outcome))
      .Add(r.decided_by);
  return f.value();
}

absl::StatusOr<std::unique_ptr<SqliteContactStore>> SqliteContactStore::Open(
    const std::string& path) {
  SqliteDatabase::Options options;
  options.path = path;
  options.migrations = {{1, kSchemaV1}, {2, kSchemaV2}};
  SGM_ASSIGN_OR_RETURN(auto writer, SqliteDatabase::Open(options));
  SGM_ASSIGN_OR_RETURN(auto reader, SqliteDatabase::Open(options));
  return std::unique_ptr<SqliteContactStore>(
      new SqliteContactStore(std::move(writer), std::move(reader)));
}

// See sgm::BumpGeneration (common/store_generation.h). Caller holds
// write_mu_, inside the batch's transaction.
absl::StatusOr<int64_t> SqliteContactStore::BumpGeneration(
    absl::string_view authority) {
  return sgm::BumpGeneration(*writer_, authority);
}

absl::StatusOr<BatchResult> SqliteContactStore::WriteBatch(
    absl::string_view authority,
    const std::function<absl::Status(std::vector<WriteResult>*)>& write) {
  BatchResult out;
  SGM_RETURN_IF_ERROR(writer_->InTransaction([&]() -> absl::Status {
    out.results.clear();
    SGM_RETURN_IF_ERROR(write(&out.results));
    const bool accepted_any = std::any_of(
        out.results.begin(), out.results.end(), [](const WriteResult& r) {
          return r.outcome == WriteOutcome::kAccepted;
        });
    if (accepted_any) {
      SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(authority));
    }
    return absl::OkStatus();
  }));
  if (out.generation == 0) {
    // Nothing accepted: report the current generation.
    SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(*writer_, authority));
  }
  return out;
}

absl::StatusOr<BatchResult> SqliteContactStore::InsertContacts(
    absl::string_view authority, absl::Span<const NewContact> contacts) {
  absl::MutexLock lock(&write_mu_);
  return WriteBatch(
      authority, [&](std::vector<WriteResult>* results) -> absl::Status {
        results->reserve(contacts.size());
        SGM_ASSIGN_OR_RETURN(
            SqliteStatement * insert,
            writer_->Prepare(
                "INSERT INTO contacts (authority, agency, source_record_id, "
                "received_at_us, received_on, child_id, child_dob, "
                "source_code, "
                "primary_need, concerns, referrer_org, summary, content_hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (authority, agency, source_record_id) DO "
                "NOTHING"));
        SGM_ASSIGN_OR_RETURN(
            SqliteStatement * existing,
            writer_->Prepare("SELECT id, content_hash FROM contacts WHERE "
                             "authority = ? AND agency = ? AND "
                             "source_record_id = ?"));
        for (const NewContact& c : contacts) {
          const ContactRecord& r = c.record;
          const int64_t hash = static_cast<int64_t>(ContentHash(r));
          insert->Bind(1, authority)
              .Bind(2, r.agency)
              .Bind(3, r.source_record_id)
              .Bind(4, Micros(r.received_at))
              .Bind(5, DayNumber(c.received_on))
              .Bind(6, r.child_id);
          if (r.child_dob) {
            insert->Bind(7, DayNumber(*r.child_dob));
          } else {
            insert->BindNull(7);
          }
          insert->Bind(8, r.source_code)
              .Bind(9, r.primary_need)
              .Bind(10, absl::StrJoin(r.concerns, ";"))
              .Bind(11, r.referrer_org)
              .Bind(12, r.summary)
              .Bind(13, hash);
          SGM_RETURN_IF_ERROR(insert->Run());
          if (writer_->Changes() == 1) {
            results->push_back(
                {WriteOutcome::kAccepted, writer_->LastInsertRowId()});
            continue;
          }
          existing->Bind(1, authority)
              .Bind(2, r.agency)
              .Bind(3, r.source_record_id);
          SGM_ASSIGN_OR_RETURN(bool row, existing->Step());
          if (!row) return absl::InternalError("conflicting contact vanished");
          const int64_t id = existing->ColumnInt(0);
          const bool same = existing->ColumnInt(1) == hash;
          existing->Reset();
          results->push_back(
              {same ? WriteOutcome::kDuplicate : WriteOutcome::kConflict, id});
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>>
SqliteContactStore::ResolveRef(SqliteDatabase& db, absl::string_view authority,
                               absl::string_view ref) {
  SqliteStatement* stmt = nullptr;
  if (std::optional<int64_t> id = ParseContactId(ref)) {
    SGM_ASSIGN_OR_RETURN(stmt, db.Prepare("SELECT id, received_at_us FROM "
                                          "contacts WHERE id = ? AND "
                                          "authority = ?"));
    stmt->Bind(1, *id).Bind(2, authority);
  } else {
    const std::vector<absl::string_view> parts =
        absl::StrSplit(ref, absl::MaxSplits(':', 1));
    if (parts.size() != 2) return std::nullopt;
    SGM_ASSIGN_OR_RETURN(
        stmt, db.Prepare("SELECT id, received_at_us FROM contacts WHERE "
                         "authority = ? AND agency = ? AND "
                         "source_record_id = ?"));
    stmt->Bind(1, authority).Bind(2, parts[0]).Bind(3, parts[1]);
  }
  SGM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  std::optional<std::pair<int64_t, int64_t>> out;
  if (row) out.emplace(stmt->ColumnInt(0), stmt->ColumnInt(1));
  stmt->Reset();
  return out;
}

absl::StatusOr<BatchResult> SqliteContactStore::InsertDecisions(
    absl::string_view authority, absl::Span<const NewDecision> decisions) {
  absl::MutexLock lock(&write_mu_);
  int referrals_without_child = 0;  // cannot open a referral in KPI
  absl::StatusOr<BatchResult> batch = WriteBatch(
      authority, [&](std::vector<WriteResult>* results) -> absl::Status {
        referrals_without_child = 0;
        results->reserve(decisions.size());
        SGM_ASSIGN_OR_RETURN(SqliteStatement * queue,
                             writer_->Prepare(kQueueReferral));
        SGM_ASSIGN_OR_RETURN(
            SqliteStatement * insert,
            writer_->Prepare(
                "INSERT INTO decisions (contact_id, decided_at_us, "
                "decided_on, outcome, decided_by, content_hash) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (contact_id) DO NOTHING"));
        SGM_ASSIGN_OR_RETURN(
            SqliteStatement * existing,
            writer_->Prepare(
                "SELECT content_hash FROM decisions WHERE contact_id = ?"));
        for (const NewDecision& d : decisions) {
          SGM_ASSIGN_OR_RETURN(auto target, ResolveRef(*writer_, authority,
                                                       d.record.contact_ref));
          if (!target) {
            results->push_back({WriteOutcome::kNoContact, 0});
            continue;
          }
          const auto [contact_id, received_at_us] = *target;
          if (Micros(d.record.decided_at) < received_at_us) {
            results->push_back({WriteOutcome::kBeforeReceipt, contact_id});
            continue;
          }
          const int64_t hash = static_cast<int64_t>(ContentHash(d.record));
          insert->Bind(1, contact_id)
              .Bind(2, Micros(d.record.decided_at))
              .Bind(3, DayNumber(d.decided_on))
              .Bind(4, static_cast<int64_t>(d.record.outcome))
              .Bind(5, d.record.decided_by)
              .Bind(6, hash);
          SGM_RETURN_IF_ERROR(insert->Run());
          if (writer_->Changes() == 1) {
            if (IsProgressed(d.record.outcome)) {
              const std::string ref = ContactIdString(contact_id);
              queue->Bind(1, contact_id)
                  .Bind(2, DayNumber(d.decided_on))
                  .Bind(3, absl::StrCat("intake.", ref))
                  .Bind(4, ref);
              SGM_RETURN_IF_ERROR(queue->Run());
              if (writer_->Changes() == 0) ++referrals_without_child;
            }
            results->push_back({WriteOutcome::kAccepted, contact_id});
            continue;
          }
          existing->Bind(1, contact_id);
          SGM_ASSIGN_OR_RETURN(bool row, existing->Step());
          const bool same = row && existing->ColumnInt(0) == hash;
          existing->Reset();
          results->push_back(
              {same ? WriteOutcome::kDuplicate : WriteOutcome::kConflict,
               contact_id});
        }
        return absl::OkStatus();
      });
  if (batch.ok() && referrals_without_child > 0) {
    LogInfo("referral_without_child", {{"authority", std::string(authority)},
                                       {"count", referrals_without_child}});
  }
  return batch;
}

absl::StatusOr<StoredContact> SqliteContactStore::ReadContactRow(
    SqliteStatement& s) {
  StoredContact c;
  c.id = s.ColumnInt(0);
  c.authority = s.ColumnText(1);
  ContactRecord& r = c.record;
  r.agency = s.ColumnText(2);
  r.source_record_id = s.ColumnText(3);
  r.received_at = FromMicros(s.ColumnInt(4));
  c.received_on = DayFromNumber(s.ColumnInt(5));
  r.child_id = s.ColumnText(6);
  if (!s.IsNull(7)) r.child_dob = DayFromNumber(s.ColumnInt(7));
  r.source_code = s.ColumnText(8);
  r.primary_need = s.ColumnText(9);
  const std::string concerns = s.ColumnText(10);
  if (!concerns.empty()) r.concerns = absl::StrSplit(concerns, ';');
  r.referrer_org = s.ColumnText(11);
  r.summary = s.ColumnText(12);
  if (!s.IsNull(13)) {
    StoredDecision d;
    d.decided_at = FromMicros(s.ColumnInt(13));
    d.decided_on = DayFromNumber(s.ColumnInt(14));
    d.outcome = static_cast<Outcome>(s.ColumnInt(15));
    d.decided_by = s.ColumnText(16);
    c.decision = std::move(d);
  }
  return c;
}

absl::StatusOr<StoredContact> SqliteContactStore::GetContact(
    absl::string_view authority, absl::string_view contact_ref) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(auto target,
                       ResolveRef(*reader_, authority, contact_ref));
  if (!target) {
    return absl::NotFoundError(
        absl::StrCat("contact_ref: no contact '", contact_ref, "'"));
  }
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", kContactColumns,
          " FROM contacts c LEFT JOIN decisions d ON d.contact_id = c.id "
          "WHERE c.id = ?")));
  stmt->Bind(1, target->first);
  SGM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) {
    stmt->Reset();
    return absl::NotFoundError(
        absl::StrCat("contact_ref: no contact '", contact_ref, "'"));
  }
  absl::StatusOr<StoredContact> out = ReadContactRow(*stmt);
  stmt->Reset();
  return out;
}

absl::StatusOr<std::vector<StoredContact>> SqliteContactStore::ListContacts(
    absl::string_view authority, const ContactFilter& filter, int64_t after_id,
    int limit) {
  // The statement text depends only on which filters are set, so the
  // statement cache holds at most 32 variants.
  std::string sql = absl::StrCat(
      "SELECT ", kContactColumns,
      " FROM contacts c LEFT JOIN decisions d ON d.contact_id = c.id "
      "WHERE c.authority = ?1 AND c.id > ?2");
  if (filter.received_from) absl::StrAppend(&sql, " AND c.received_on >= ?3");
  if (filter.received_to) absl::StrAppend(&sql, " AND c.received_on <= ?4");
  if (!filter.source_code.empty())
    absl::StrAppend(&sql, " AND c.source_code = ?5");
  if (!filter.primary_need.empty())
    absl::StrAppend(&sql, " AND c.primary_need = ?6");
  if (filter.outcome) absl::StrAppend(&sql, " AND d.outcome = ?7");
  absl::StrAppend(&sql, " ORDER BY c.id LIMIT ?8");

  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(SqliteStatement * stmt, reader_->Prepare(sql));
  stmt->Bind(1, authority).Bind(2, after_id);
  if (filter.received_from) stmt->Bind(3, DayNumber(*filter.received_from));
  if (filter.received_to) stmt->Bind(4, DayNumber(*filter.received_to));
  if (!filter.source_code.empty()) stmt->Bind(5, filter.source_code);
  if (!filter.primary_need.empty()) stmt->Bind(6, filter.primary_need);
  if (filter.outcome) stmt->Bind(7, static_cast<int64_t>(*filter.outcome));
  stmt->Bind(8, static_cast<int64_t>(limit));
  std::vector<StoredContact> out;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    absl::StatusOr<StoredContact> c = ReadContactRow(*stmt);
    if (!c.ok()) {
      stmt->Reset();
      return c.status();
    }
    out.push_back(*std::move(c));
  }
  stmt->Reset();
  return out;
}

absl::StatusOr<std::vector<ContactFact>> SqliteContactStore::LoadFacts(
    absl::string_view authority, absl::CivilDay from, absl::CivilDay to) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(
          "SELECT c.received_on, c.child_id, c.source_code, c.primary_need, "
          "d.outcome, d.decided_on, c.id, c.agency, c.child_dob IS NOT NULL, "
          "c.concerns, c.referrer_org <> '', length(c.summary) FROM contacts "
          "c LEFT JOIN decisions d ON d.contact_id = c.id WHERE c.authority "
          "= ? AND c.received_on BETWEEN ? AND ? ORDER BY c.id"));
  stmt->Bind(1, authority).Bind(2, DayNumber(from)).Bind(3, DayNumber(to));
  std::vector<ContactFact> out;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    ContactFact f;
    f.received_on = DayFromNumber(stmt->ColumnInt(0));
    f.child_id = std::string(stmt->ColumnTextView(1));
    f.source_code = std::string(stmt->ColumnTextView(2));
    f.primary_need = std::string(stmt->ColumnTextView(3));
    if (!stmt->IsNull(4)) {
      f.outcome = static_cast<Outcome>(stmt->ColumnInt(4));
      f.decided_on = DayFromNumber(stmt->ColumnInt(5));
    }
    f.id = stmt->ColumnInt(6);
    f.agency = std::string(stmt->ColumnTextView(7));
    f.has_child_dob = stmt->ColumnInt(8) != 0;
    if (absl::string_view concerns = stmt->ColumnTextView(9);
        !concerns.empty()) {
      f.concerns = absl::StrSplit(concerns, ';');
    }
    f.has_referrer_org = stmt->ColumnInt(10) != 0;
    f.summary_chars = stmt->ColumnInt(11);
    out.push_back(std::move(f));
  }
  stmt->Reset();
  return out;
}

absl::StatusOr<int64_t> SqliteContactStore::Generation(
    absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  return ReadGeneration(*reader_, authority);
}

absl::Status SqliteContactStore::AppendReadAudit(const ReadAuditEntry& e) {
  absl::MutexLock lock(&write_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      writer_->Prepare("INSERT INTO read_audit (at_us, caller, role, "
                       "authority, method, contact_ids, child_ids) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, Micros(e.at))
      .Bind(2, e.caller)
      .Bind(3, e.role)
      .Bind(4, e.authority)
      .Bind(5, e.method)
      .Bind(6, absl::StrJoin(e.contact_ids, ";"))
      .Bind(7, absl::StrJoin(e.child_ids, ";"));
  return stmt->Run();
}

absl::StatusOr<std::vector<ReadAuditEntry>> SqliteContactStore::ListReadAudit(
    absl::string_view authority, const ReadAuditQuery& query) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(ReadAuditSelectSql("at_us, caller, role, authority, "
                                          "method, contact_ids, child_ids, id",
                                          "child_ids", "contact_ids")));
  SGM_RETURN_IF_ERROR(BindReadAuditQuery(*stmt, authority, query));
  std::vector<ReadAuditEntry> out;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    ReadAuditEntry e;
    e.at = FromMicros(stmt->ColumnInt(0));
    e.caller = stmt->ColumnText(1);
    e.role = stmt->ColumnText(2);
    e.authority = stmt->ColumnText(3);
    e.method = stmt->ColumnText(4);
    const std::string contacts = stmt->ColumnText(5);
    const std::string children = stmt->ColumnText(6);
    if (!contacts.empty()) e.contact_ids = absl::StrSplit(contacts, ';');
    if (!children.empty()) e.child_ids = absl::StrSplit(children, ';');
    e.id = stmt->ColumnInt(7);
    out.push_back(std::move(e));
  }
  stmt->Reset();
  return out;
}

absl::Status SqliteContactStore::CheckHealth() {
  {
    absl::MutexLock lock(&write_mu_);
    SGM_RETURN_IF_ERROR(writer_->CheckHealth());
  }
  absl::MutexLock lock(&read_mu_);
  return reader_->CheckHealth();
}

// --- referral outbox -------------------------------------------------------

absl::StatusOr<std::vector<ReferralOutboxRow>>
SqliteContactStore::ListUnsentReferrals(int limit) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(
          "SELECT o.authority, o.contact_id, o.event_id, o.ref_id, "
          "o.child_id, o.child_dob, o.event_date, o.source_code, "
          "o.primary_need, o.created_at_us, o.attempts, o.last_error, "
          "c.concerns FROM referral_outbox o JOIN contacts c ON c.id = "
          "o.contact_id WHERE o.sent_at_us IS NULL AND o.failed_at_us IS "
          "NULL ORDER BY o.created_at_us, o.rowid LIMIT ?"));
  stmt->Bind(1, limit);
  std::vector<ReferralOutboxRow> out;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    ReferralOutboxRow r;
    r.authority = stmt->ColumnText(0);
    r.contact_id = stmt->ColumnInt(1);
    r.event_id = stmt->ColumnText(2);
    r.ref_id = stmt->ColumnText(3);
    r.child_id = stmt->ColumnText(4);
    if (!stmt->IsNull(5)) r.child_dob = DayFromNumber(stmt->ColumnInt(5));
    r.event_date = DayFromNumber(stmt->ColumnInt(6));
    r.source_code = stmt->ColumnText(7);
    r.primary_need = stmt->ColumnText(8);
    r.created_at = FromMicros(stmt->ColumnInt(9));
    r.attempts = static_cast<int>(stmt->ColumnInt(10));
    r.last_error = stmt->ColumnText(11);
    if (absl::string_view concerns = stmt->ColumnTextView(12);
        !concerns.empty()) {
      r.concerns = absl::StrSplit(concerns, ';');
    }
    out.push_back(std::move(r));
  }
  stmt->Reset();
  return out;
}

absl::StatusOr<int64_t> SqliteContactStore::CountUnsentReferrals() {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare("SELECT count(*) FROM referral_outbox WHERE "
                       "sent_at_us IS NULL AND failed_at_us IS NULL"));
  SGM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  const int64_t count = row ? stmt->ColumnInt(0) : 0;
  stmt->Reset();
  return count;
}

absl::Status SqliteContactStore::MarkReferralsSent(
    absl::string_view authority, absl::Span<const int64_t> contact_ids,
    absl::Time at) {
  absl::MutexLock lock(&write_mu_);
  return writer_->InTransaction([&]() -> absl::Status {
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        writer_->Prepare("UPDATE referral_outbox SET sent_at_us = ? WHERE "
                         "authority = ? AND contact_id = ? AND sent_at_us "
                         "IS NULL"));
    for (const int64_t id : contact_ids) {
      stmt->Bind(1, Micros(at)).Bind(2, authority).Bind(3, id);
      SGM_RETURN_IF_ERROR(stmt->Run());
    }
    return absl::OkStatus();
  });
}

absl::Status SqliteContactStore::RecordReferralFailure(
    absl::string_view authority, absl::Span<const int64_t> contact_ids,
    absl::string_view error, bool permanent, absl::Time at) {
  absl::MutexLock lock(&write_mu_);
  return writer_->InTransaction([&]() -> absl::Status {
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        writer_->Prepare(
            "UPDATE referral_outbox SET attempts = attempts + 1, last_error "
            "= ?1, failed_at_us = CASE WHEN ?2 THEN ?3 ELSE failed_at_us END "
            "WHERE authority = ?4 AND contact_id = ?5 AND sent_at_us IS "
            "NULL"));
    for (const int64_t id : contact_ids) {
      stmt->Bind(1, error)
          .Bind(2, permanent)
          .Bind(3, Micros(at))
          .Bind(4, authority)
          .Bind(5, id);
      SGM_RETURN_IF_ERROR(stmt->Run());
    }
    return absl::OkStatus();
  });
}

}  // namespace sgm::intake
