#include "services/kpi/case_event_store.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "common/store_generation.h"

namespace sgm::kpi {
namespace {

// Event types are stored as their enum values: the enum's order is part of
// the file format. New types go after kCinVisit, and kLastEventType
// follows them.
static_assert(static_cast<int>(EventType::kCaseClosed) == 24 &&
                  static_cast<int>(EventType::kCinVisit) == 25,
              "EventType values are stored in case_events.event_type: "
              "append new types, never reorder or remove them");
constexpr int64_t kLastEventType = static_cast<int64_t>(EventType::kCinVisit);

// case_events is clustered on (authority, event_id) (WITHOUT ROWID): one
// authority's events are one contiguous range of the table's B-tree, which
// LoadEvents reads straight through. Dates are day numbers since
// 1970-01-01; an absent child_dob, long_term or seen_alone is NULL.
// event_counts holds each authority's number of events, so LoadEvents can
// size its vector without counting.
constexpr char kCaseEventsSql[] = R"sql(
CREATE TABLE case_events (
  authority TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type INTEGER NOT NULL,
  child_id TEXT NOT NULL,
  child_dob INTEGER,
  ref_id TEXT NOT NULL,
  parent_ref_id TEXT NOT NULL,
  event_date INTEGER NOT NULL,
  source_code TEXT NOT NULL,
  primary_need TEXT NOT NULL,
  category TEXT NOT NULL,
  outcome TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  team TEXT NOT NULL,
  long_term INTEGER,
  visit_mode TEXT NOT NULL,
  seen_alone INTEGER,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, event_id)
) WITHOUT ROWID;
CREATE TABLE event_counts (
  authority TEXT PRIMARY KEY,
  events INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

constexpr char kReadAuditSql[] = R"sql(CREATE TABLE read_audit (
  id INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  caller TEXT NOT NULL,
  role TEXT NOT NULL,
  authority TEXT NOT NULL,
  method TEXT NOT NULL,
  query TEXT NOT NULL,
  child_ids TEXT NOT NULL,
  ref_ids TEXT NOT NULL
);
CREATE INDEX read_audit_by_authority ON read_audit (authority, id);
)sql";

// Schema version 1. Once shipped its text never changes (nor do the shared
// pieces it includes): a change is a new migration.
std::string SchemaV1() {
  return absl::StrCat(kCaseEventsSql, kGenerationsTableSql, kReadAuditSql,
                      AppendOnlyTriggersSql("read_audit"));
}

constexpr char kInsertEventSql[] =
    "INSERT INTO case_events (authority, event_id, event_type, child_id, "
    "child_dob, ref_id, parent_ref_id, event_date, source_code, "
    "primary_need, category, outcome, worker_id, team, long_term, "
    "visit_mode, seen_alone, content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
    "ON CONFLICT (authority, event_id) DO NOTHING";
constexpr char kExistingHashSql[] =
    "SELECT content_hash FROM case_events WHERE authority = ?1 AND "
    "event_id = ?2";
constexpr char kAddCountSql[] =
    "INSERT INTO event_counts (authority, events) VALUES (?1, ?2) "
    "ON CONFLICT (authority) DO UPDATE SET events = events + ?2";
constexpr char kCountSql[] =
    "SELECT events FROM event_counts WHERE authority = ?1";
// Column order as read by ReadEventRow.
constexpr char kLoadEventsSql[] =
    "SELECT event_id, event_type, child_id, child_dob, ref_id, "
    "parent_ref_id, event_date, source_code, primary_need, category, "
    "outcome, worker_id, team, long_term, visit_mode, seen_alone "
    "FROM case_events WHERE authority = ?1";
// kLoadEventsSql narrowed to some event types (?4: a bit mask, bit n for
// enum value n) and dates (?2 to ?3, day numbers, both included). There is
// no index on type or date: the authority's contiguous range of the
// primary key is read, and only the matching rows are handed back.
constexpr char kLoadEventsOfTypesSql[] =
    "SELECT event_id, event_type, child_id, child_dob, ref_id, "
    "parent_ref_id, event_date, source_code, primary_need, category, "
    "outcome, worker_id, team, long_term, visit_mode, seen_alone "
    "FROM case_events WHERE authority = ?1 AND event_date >= ?2 AND "
    "event_date <= ?3 AND ((?4 >> event_type) & 1) = 1";
static_assert(kLastEventType < 63, "the type mask of kLoadEventsOfTypesSql");

// Only what the timelines read (timeline_builder.h), in the order
// ScanTimelineEvents reads it.
constexpr char kScanEventsSql[] =
    "SELECT event_id, event_type, child_id, child_dob, ref_id, "
    "parent_ref_id, event_date, outcome, worker_id, team, long_term "
    "FROM case_events WHERE authority = ?1";
constexpr char kAuthoritiesSql[] =
    "SELECT authority FROM event_counts WHERE events > 0 "
    "ORDER BY events DESC, authority";

const absl::CivilDay kEpochDay(1970, 1, 1);

int64_t DayNumber(absl::CivilDay day) { return day - kEpochDay; }

// The day `n` days after 1970-01-01, in O(1) (H. Hinnant's civil_from_days):
// `kEpochDay + n` normalises by walking years, which shows in LoadEvents.
absl::CivilDay DayFromNumber(int64_t n) {
  const int64_t z = n + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;  // [0, 146096]
  const int64_t yoe =
      (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                       // [0, 11]
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  return absl::CivilDay(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d);
}

// Absent -1, false 0, true 1: for the fingerprint.
int64_t OptionalBoolCode(const std::optional<bool>& b) {
  return b.has_value() ? static_cast<int64_t>(*b) : -1;
}

void BindOptionalDay(SqliteStatement& s, int index,
                     const std::optional<absl::CivilDay>& day) {
  if (day.has_value()) {
    s.Bind(index, DayNumber(*day));
  } else {
    s.BindNull(index);
  }
}

void BindOptionalBool(SqliteStatement& s, int index,
                      const std::optional<bool>& b) {
  if (b.has_value()) {
    s.Bind(index, static_cast<int64_t>(*b));
  } else {
    s.BindNull(index);
  }
}

// Copies a text column into `out` (left as is when empty: a fresh string).
inline void ReadText(const SqliteStatement& s, int column, std::string& out) {
  const absl::string_view text = s.ColumnTextView(column);
  if (!text.empty()) out.assign(text.data(), text.size());
}

// Fills `e` (default-constructed) from a row of kLoadEventsSql.
absl::Status ReadEventRow(const SqliteStatement& s, absl::string_view authority,
                          CaseEvent& e) {
  ReadText(s, 0, e.event_id);
  const int64_t type = s.ColumnInt(1);
  if (type < 0 || type > kLastEventType) {
    return absl::DataLossError(absl::StrCat(
        "case_events: event '", e.event_id, "' of authority '", authority,
        "' has event_type ", type, ", which names no event type (0 to ",
        kLastEventType, ")"));
  }
  e.type = static_cast<EventType>(type);
  ReadText(s, 2, e.child_id);
  if (!s.IsNull(3)) e.child_dob = DayFromNumber(s.ColumnInt(3));
  ReadText(s, 4, e.ref_id);
  ReadText(s, 5, e.parent_ref_id);
  e.event_date = DayFromNumber(s.ColumnInt(6));
  ReadText(s, 7, e.source_code);
  ReadText(s, 8, e.primary_need);
  ReadText(s, 9, e.category);
  ReadText(s, 10, e.outcome);
  ReadText(s, 11, e.worker_id);
  ReadText(s, 12, e.team);
  if (!s.IsNull(13)) e.long_term = s.ColumnInt(13) != 0;
  ReadText(s, 14, e.visit_mode);
  if (!s.IsNull(15)) e.seen_alone = s.ColumnInt(15) != 0;
  return absl::OkStatus();
}

// The events of `authority` and its generation, read on `db` inside the
// caller's read transaction.
absl::StatusOr<CaseEventStore::Snapshot> ReadSnapshot(
    SqliteDatabase& db, absl::string_view authority) {
  CaseEventStore::Snapshot out;
  SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));

  SGM_ASSIGN_OR_RETURN(SqliteStatement * count, db.Prepare(kCountSql));
  count->Bind(1, authority);
  SGM_ASSIGN_OR_RETURN(const bool has_count, count->Step());
  const int64_t expected = has_count ? count->ColumnInt(0) : 0;
  count->Reset();
  if (expected > 0) out.events.reserve(static_cast<size_t>(expected));

  SGM_ASSIGN_OR_RETURN(SqliteStatement * stmt, db.Prepare(kLoadEventsSql));
  stmt->Bind(1, authority);
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    absl::Status read =
        ReadEventRow(*stmt, authority, out.events.emplace_back());
    if (!read.ok()) {
      stmt->Reset();
      return read;
    }
  }
  stmt->Reset();
  return out;
}

// The events of kLoadEventsOfTypesSql and the generation, read on `db`
// inside the caller's read transaction.
absl::StatusOr<CaseEventStore::Snapshot> ReadEventsOfTypes(
    SqliteDatabase& db, absl::string_view authority,
    absl::Span<const EventType> types, std::optional<absl::CivilDay> from,
    std::optional<absl::CivilDay> to) {
  CaseEventStore::Snapshot out;
  SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
  int64_t mask = 0;
  for (const EventType type : types) {
    mask |= int64_t{1} << static_cast<int>(type);
  }
  if (mask == 0) return out;
  SGM_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                       db.Prepare(kLoadEventsOfTypesSql));
  stmt->Bind(1, authority)
      .Bind(2, from ? DayNumber(*from) : std::numeric_limits<int64_t>::min())
      .Bind(3, to ? DayNumber(*to) : std::numeric_limits<int64_t>::max())
      .Bind(4, mask);
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    absl::Status read =
        ReadEventRow(*stmt, authority, out.events.emplace_back());
    if (!read.ok()) {
      stmt->Reset();
      return read;
    }
  }
  stmt->Reset();
  return out;
}

// Refuses an id that would not survive the ';'-joined column.
absl::Status CheckAuditIds(absl::string_view field,
                           const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty() || ids[i].find(';') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("read audit: ", field, "[", i,
                       "] must be non-empty and contain no ';'"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> SplitIds(absl::string_view joined) {
  if (joined.empty()) return {};
  return absl::StrSplit(joined, ';');
}

}  // namespace

uint64_t ContentHash(const CaseEvent& e) {
  // The type by its feed spelling, so the hash does not depend on the
  // enum's order.
  ContentFingerprint f;
  f.Add(e.event_id)
      .Add(EventTypeName(e.type))
      .Add(e.child_id)
      .Add(e.child_dob ? DayNumber(*e.child_dob)
                       : std::numeric_limits<int64_t>::min())
      .Add(e.ref_id)
      .Add(e.parent_ref_id)
      .Add(DayNumber(e.event_date))
      .Add(e.source_code)
      .Add(e.primary_need)
      .Add(e.category)
      .Add(e.outcome)
      .Add(e.worker_id)
      .Add(e.team)
      .Add(OptionalBoolCode(e.long_term))
      .Add(e.visit_mode)
      .Add(OptionalBoolCode(e.seen_alone));
  return f.value();
}

absl::StatusOr<std::unique_ptr<SqliteCaseEventStore>>
SqliteCaseEventStore::Open(const std::string& path) {
  SqliteDatabase::Options options;
  options.path = path;
  options.migrations = {{1, SchemaV1()}};
  SGM_ASSIGN_OR_RETURN(auto writer, SqliteDatabase::Open(options));
  SGM_ASSIGN_OR_RETURN(auto reader, SqliteDatabase::Open(options));
  return std::unique_ptr<SqliteCaseEventStore>(
      new SqliteCaseEventStore(std::move(writer), std::move(reader)));
}

absl::StatusOr<EventBatchResult> SqliteCaseEventStore::InsertEvents(
    absl::string_view authority, absl::Span<const CaseEvent> events) {
  absl::MutexLock lock(&write_mu_);
  EventBatchResult out;
  SGM_RETURN_IF_ERROR(writer_->InTransaction([&]() -> absl::Status {
    out.outcomes.clear();
    out.outcomes.reserve(events.size());
    SGM_ASSIGN_OR_RETURN(SqliteStatement * insert,
                         writer_->Prepare(kInsertEventSql));
    SGM_ASSIGN_OR_RETURN(SqliteStatement * existing,
                         writer_->Prepare(kExistingHashSql));
    int64_t accepted = 0;
    for (const CaseEvent& e : events) {
      const int64_t hash = static_cast<int64_t>(ContentHash(e));
      insert->Bind(1, authority)
          .Bind(2, e.event_id)
          .Bind(3, static_cast<int64_t>(e.type))
          .Bind(4, e.child_id);
      BindOptionalDay(*insert, 5, e.child_dob);
      insert->Bind(6, e.ref_id)
          .Bind(7, e.parent_ref_id)
          .Bind(8, DayNumber(e.event_date))
          .Bind(9, e.source_code)
          .Bind(10, e.primary_need)
          .Bind(11, e.category)
          .Bind(12, e.outcome)
          .Bind(13, e.worker_id)
          .Bind(14, e.team);
      BindOptionalBool(*insert, 15, e.long_term);
      insert->Bind(16, e.visit_mode);
      BindOptionalBool(*insert, 17, e.seen_alone);
      insert->Bind(18, hash);
      SGM_RETURN_IF_ERROR(insert->Run());
      if (writer_->Changes() == 1) {
        out.outcomes.push_back(EventWriteOutcome::kAccepted);
        ++accepted;
        continue;
      }
      // Stored already, by an earlier batch or earlier in this one.
      existing->Bind(1, authority).Bind(2, e.event_id);
      SGM_ASSIGN_OR_RETURN(const bool row, existing->Step());
      if (!row) {
        existing->Reset();
        return absl::InternalError(
            absl::StrCat("store ", writer_->path(), ": event '", e.event_id,
                         "' of authority '", authority,
                         "' was refused as stored but cannot be read back"));
      }
      const bool same = existing->ColumnInt(0) == hash;
      existing->Reset();
      out.outcomes.push_back(same ? EventWriteOutcome::kDuplicate
                                  : EventWriteOutcome::kConflict);
    }
    if (accepted == 0) {
      // Nothing changed: the current generation, read in this transaction.
      SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(*writer_, authority));
      out.previous_generation = out.generation;
      return absl::OkStatus();
    }
    SGM_ASSIGN_OR_RETURN(out.previous_generation,
                         ReadGeneration(*writer_, authority));
    SGM_ASSIGN_OR_RETURN(SqliteStatement * add, writer_->Prepare(kAddCountSql));
    add->Bind(1, authority).Bind(2, accepted);
    SGM_RETURN_IF_ERROR(add->Run());
    SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(*writer_, authority));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<CaseEventStore::Snapshot> SqliteCaseEventStore::LoadEvents(
    absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  // A deferred read transaction: the generation and the events come from
  // one snapshot of the file, and in WAL mode it holds up no writer.
  SGM_RETURN_IF_ERROR(reader_->Exec("BEGIN"));
  absl::StatusOr<Snapshot> out = ReadSnapshot(*reader_, authority);
  const absl::Status end = reader_->Exec(out.ok() ? "COMMIT" : "ROLLBACK");
  if (!out.ok()) {
    if (end.ok()) return out.status();
    return absl::Status(out.status().code(),
                        absl::StrCat(out.status().message(),
                                     "; and ROLLBACK failed: ", end.message()));
  }
  SGM_RETURN_IF_ERROR(end);
  return out;
}

absl::StatusOr<int64_t> CaseEventStore::ScanTimelineEvents(
    absl::string_view authority,
    absl::FunctionRef<void(const TimelineEvent&)> sink) {
  SGM_ASSIGN_OR_RETURN(Snapshot snapshot, LoadEvents(authority));
  for (const CaseEvent& event : snapshot.events) sink(TimelineEventOf(event));
  return snapshot.generation;
}

absl::StatusOr<CaseEventStore::Snapshot> CaseEventStore::LoadEventsOfTypes(
    absl::string_view authority, absl::Span<const EventType> types,
    std::optional<absl::CivilDay> from, std::optional<absl::CivilDay> to) {
  SGM_ASSIGN_OR_RETURN(Snapshot all, LoadEvents(authority));
  Snapshot out;
  out.generation = all.generation;
  for (CaseEvent& e : all.events) {
    if (std::find(types.begin(), types.end(), e.type) == types.end()) continue;
    if ((from && e.event_date < *from) || (to && e.event_date > *to)) continue;
    out.events.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<CaseEventStore::Snapshot>
SqliteCaseEventStore::LoadEventsOfTypes(absl::string_view authority,
                                        absl::Span<const EventType> types,
                                        std::optional<absl::CivilDay> from,
                                        std::optional<absl::CivilDay> to) {
  absl::MutexLock lock(&read_mu_);
  SGM_RETURN_IF_ERROR(reader_->Exec("BEGIN"));
  absl::StatusOr<Snapshot> out =
      ReadEventsOfTypes(*reader_, authority, types, from, to);
  const absl::Status end = reader_->Exec(out.ok() ? "COMMIT" : "ROLLBACK");
  if (!out.ok()) {
    if (end.ok()) return out.status();
    return absl::Status(out.status().code(),
                        absl::StrCat(out.status().message(),
                                     "; and ROLLBACK failed: ", end.message()));
  }
  SGM_RETURN_IF_ERROR(end);
  return out;
}

absl::StatusOr<std::vector<std::string>> CaseEventStore::Authorities() {
  return std::vector<std::string>();
}

absl::StatusOr<int64_t> SqliteCaseEventStore::ScanTimelineEvents(
    absl::string_view authority,
    absl::FunctionRef<void(const TimelineEvent&)> sink) {
  absl::MutexLock lock(&read_mu_);
  SGM_RETURN_IF_ERROR(reader_->Exec("BEGIN"));
  const auto scan = [&]() -> absl::StatusOr<int64_t> {
    SGM_ASSIGN_OR_RETURN(const int64_t generation,
                         ReadGeneration(*reader_, authority));
    SGM_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                         reader_->Prepare(kScanEventsSql));
    stmt->Bind(1, authority);
    TimelineEvent e;
    while (true) {
      absl::StatusOr<bool> row = stmt->Step();
      if (!row.ok()) {
        stmt->Reset();
        return row.status();
      }
      if (!*row) break;
      e.event_id = stmt->ColumnTextView(0);
      const int64_t type = stmt->ColumnInt(1);
      if (type < 0 || type > kLastEventType) {
        const std::string id(e.event_id);
        stmt->Reset();
        return absl::DataLossError(absl::StrCat(
            "case_events: event '", id, "' of authority '", authority,
            "' has event_type ", type, ", which names no event type (0 to ",
            kLastEventType, ")"));
      }
      e.type = static_cast<EventType>(type);
      e.child_id = stmt->ColumnTextView(2);
      e.child_dob.reset();
      if (!stmt->IsNull(3)) e.child_dob = DayFromNumber(stmt->ColumnInt(3));
      e.ref_id = stmt->ColumnTextView(4);
      e.parent_ref_id = stmt->ColumnTextView(5);
      e.event_date = DayFromNumber(stmt->ColumnInt(6));
      e.outcome = stmt->ColumnTextView(7);
      e.worker_id = stmt->ColumnTextView(8);
      e.team = stmt->ColumnTextView(9);
      e.long_term.reset();
      if (!stmt->IsNull(10)) e.long_term = stmt->ColumnInt(10) != 0;
      sink(e);
    }
    stmt->Reset();
    return generation;
  };
  absl::StatusOr<int64_t> out = scan();
  const absl::Status end = reader_->Exec(out.ok() ? "COMMIT" : "ROLLBACK");
  if (!out.ok()) {
    if (end.ok()) return out.status();
    return absl::Status(out.status().code(),
                        absl::StrCat(out.status().message(),
                                     "; and ROLLBACK failed: ", end.message()));
  }
  SGM_RETURN_IF_ERROR(end);
  return out;
}

absl::StatusOr<std::vector<std::string>> SqliteCaseEventStore::Authorities() {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(SqliteStatement * stmt,
                       reader_->Prepare(kAuthoritiesSql));
  std::vector<std::string> out;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back(stmt->ColumnText(0));
  }
  stmt->Reset();
  return out;
}

absl::StatusOr<int64_t> SqliteCaseEventStore::Generation(
    absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  return ReadGeneration(*reader_, authority);
}

absl::Status SqliteCaseEventStore::AppendReadAudit(const KpiReadAudit& e) {
  SGM_RETURN_IF_ERROR(CheckAuditIds("child_ids", e.child_ids));
  SGM_RETURN_IF_ERROR(CheckAuditIds("ref_ids", e.ref_ids));
  absl::MutexLock lock(&write_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      writer_->Prepare("INSERT INTO read_audit (at_us, caller, role, "
                       "authority, method, query, child_ids, ref_ids) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  stmt->Bind(1, absl::ToUnixMicros(e.at))
      .Bind(2, e.caller)
      .Bind(3, e.role)
      .Bind(4, e.authority)
      .Bind(5, e.method)
      .Bind(6, e.query)
      .Bind(7, absl::StrJoin(e.child_ids, ";"))
      .Bind(8, absl::StrJoin(e.ref_ids, ";"));
  return stmt->Run();
}

absl::StatusOr<std::vector<KpiReadAudit>> SqliteCaseEventStore::ListReadAudit(
    absl::string_view authority, const ReadAuditQuery& query) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(ReadAuditSelectSql(
          "at_us, caller, role, authority, method, query, child_ids, ref_ids, "
          "id",
          "child_ids", "ref_ids")));
  SGM_RETURN_IF_ERROR(BindReadAuditQuery(*stmt, authority, query));
  std::vector<KpiReadAudit> out;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    KpiReadAudit& e = out.emplace_back();
    e.at = absl::FromUnixMicros(stmt->ColumnInt(0));
    e.caller = stmt->ColumnText(1);
    e.role = stmt->ColumnText(2);
    e.authority = stmt->ColumnText(3);
    e.method = stmt->ColumnText(4);
    e.query = stmt->ColumnText(5);
    e.child_ids = SplitIds(stmt->ColumnTextView(6));
    e.ref_ids = SplitIds(stmt->ColumnTextView(7));
    e.id = stmt->ColumnInt(8);
  }
  stmt->Reset();
  return out;
}

absl::Status SqliteCaseEventStore::CheckHealth() {
  {
    absl::MutexLock lock(&write_mu_);
    SGM_RETURN_IF_ERROR(writer_->CheckHealth());
  }
  absl::MutexLock lock(&read_mu_);
  return reader_->CheckHealth();
}

}  // namespace sgm::kpi
