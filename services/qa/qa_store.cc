#include "services/qa/qa_store.h"

#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/store_generation.h"

namespace sgm::qa {
namespace {

// Dates are day numbers since 1970-01-01; an absent optional date or
// moderated grade is NULL. Audit types and feedback sources are stored by
// their feed spelling (AuditTypeName, FeedbackSourceName), so the enums'
// order is not part of the file format; a dip sample's criterion by its
// number, which is kpi.proto's. An audit's domains are one text column,
// "DOMAIN=GRADE" joined by ';' in the audit's order (a domain is A-Z 0-9 _
// only). A sample's seed is the uint64's bits as an INTEGER; created_at is
// Unix microseconds. The cases of a sample keep their order in `position`.
constexpr char kTablesSql[] = R"sql(CREATE TABLE themes (
  authority TEXT NOT NULL,
  theme_id TEXT NOT NULL,
  name TEXT NOT NULL,
  start_date INTEGER NOT NULL,
  end_date INTEGER NOT NULL,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, theme_id)
) WITHOUT ROWID;
CREATE TABLE audits (
  authority TEXT NOT NULL,
  audit_id TEXT NOT NULL,
  child_id TEXT NOT NULL,
  type TEXT NOT NULL,
  theme_id TEXT NOT NULL,
  team TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  auditor TEXT NOT NULL,
  audit_date INTEGER NOT NULL,
  grade INTEGER NOT NULL,
  moderated_grade INTEGER,
  moderator TEXT NOT NULL,
  domains TEXT NOT NULL,
  findings TEXT NOT NULL,
  reaudit_of TEXT NOT NULL,
  sample_id TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, audit_id)
) WITHOUT ROWID;
CREATE INDEX audits_by_date ON audits (authority, audit_date, audit_id);
CREATE INDEX audits_by_child ON audits (authority, child_id, audit_date,
  audit_id);
CREATE INDEX audits_by_sample ON audits (authority, sample_id, child_id,
  audit_date, audit_id);
CREATE TABLE feedback (
  authority TEXT NOT NULL,
  feedback_id TEXT NOT NULL,
  source TEXT NOT NULL,
  team TEXT NOT NULL,
  received_on INTEGER NOT NULL,
  rating INTEGER NOT NULL,
  comment TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, feedback_id)
) WITHOUT ROWID;
CREATE INDEX feedback_by_date ON feedback (authority, received_on,
  feedback_id);
CREATE TABLE actions (
  authority TEXT NOT NULL,
  action_id TEXT NOT NULL,
  origin_ref TEXT NOT NULL,
  owner TEXT NOT NULL,
  due_date INTEGER NOT NULL,
  completed_date INTEGER,
  raised_on INTEGER,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, action_id)
) WITHOUT ROWID;
CREATE INDEX actions_by_due ON actions (authority, due_date, action_id);
CREATE TABLE dip_samples (
  authority TEXT NOT NULL,
  sample_id TEXT NOT NULL,
  criterion INTEGER NOT NULL,
  as_of INTEGER NOT NULL,
  sample_size INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  theme_id TEXT NOT NULL,
  population INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (authority, sample_id)
) WITHOUT ROWID;
CREATE INDEX dip_samples_by_created ON dip_samples (authority,
  created_at_us, sample_id);
CREATE TABLE dip_sample_cases (
  authority TEXT NOT NULL,
  sample_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  child_id TEXT NOT NULL,
  ref_id TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  team TEXT NOT NULL,
  PRIMARY KEY (authority, sample_id, position),
  FOREIGN KEY (authority, sample_id)
    REFERENCES dip_samples (authority, sample_id)
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
  record_ids TEXT NOT NULL
);
CREATE INDEX read_audit_by_authority ON read_audit (authority, id);
)sql";

// Schema version 1. Once shipped its text never changes (nor do the shared
// pieces it includes): a change is a new migration.
std::string SchemaV1() {
  return absl::StrCat(kTablesSql, kGenerationsTableSql, kReadAuditSql,
                      AppendOnlyTriggersSql("read_audit"));
}

// What a hash sees for an absent optional value.
constexpr int64_t kAbsent = std::numeric_limits<int64_t>::min();

const absl::CivilDay kEpochDay(1970, 1, 1);

int64_t DayNumber(absl::CivilDay day) { return day - kEpochDay; }
absl::CivilDay DayFromNumber(int64_t n) { return kEpochDay + n; }

int64_t OptionalDayNumber(const std::optional<absl::CivilDay>& day) {
  return day ? DayNumber(*day) : kAbsent;
}

void BindOptionalDay(SqliteStatement& s, int index,
                     const std::optional<absl::CivilDay>& day) {
  if (day.has_value()) {
    s.Bind(index, DayNumber(*day));
  } else {
    s.BindNull(index);
  }
}

std::optional<absl::CivilDay> ColumnOptionalDay(const SqliteStatement& s,
                                                int column) {
  if (s.IsNull(column)) return std::nullopt;
  return DayFromNumber(s.ColumnInt(column));
}

absl::Status CorruptRow(absl::string_view table, absl::string_view authority,
                        absl::string_view column) {
  return absl::DataLossError(absl::StrCat(table, ": a row of authority '",
                                          authority, "' has a ", column,
                                          " that names no value"));
}

std::string EncodeDomains(const std::vector<DomainGrade>& domains) {
  return absl::StrJoin(domains, ";",
                       [](std::string* out, const DomainGrade& d) {
                         absl::StrAppend(out, d.domain, "=", d.grade);
                       });
}

std::optional<std::vector<DomainGrade>> DecodeDomains(absl::string_view text) {
  std::vector<DomainGrade> out;
  if (text.empty()) return out;
  for (absl::string_view part : absl::StrSplit(text, ';')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    DomainGrade d;
    if (kv.first.empty() || !absl::SimpleAtoi(kv.second, &d.grade)) {
      return std::nullopt;
    }
    d.domain = std::string(kv.first);
    out.push_back(std::move(d));
  }
  return out;
}

// Refuses a domain that would not survive the domains column.
absl::Status CheckDomains(const Audit& audit, absl::string_view where) {
  for (size_t j = 0; j < audit.domains.size(); ++j) {
    const std::string& domain = audit.domains[j].domain;
    if (domain.empty() || domain.find_first_of(";=") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".domains[", j,
                       "]: a domain must be non-empty and contain no ';' or "
                       "'='"));
    }
  }
  return absl::OkStatus();
}

// The columns of each kind of record as SQL sees them. The key is the
// first column; Read reads the columns from index 0 in this order; Bind
// binds the authority at ?1, the columns at ?2.. and the hash after them.
// FillsIn says whether `incoming` only fills in what `stored` lacks;
// Earlier whether `incoming` is `stored` as it was before that was filled in
// (the first send of a spreadsheet re-sent after moderation or completion:
// a duplicate, since re-sending changes nothing).
template <typename Record>
struct Table;

template <>
struct Table<Theme> {
  static constexpr char kName[] = "themes";
  static constexpr char kKind[] = "theme";
  static constexpr const char* kColumns[] = {"theme_id", "name", "start_date",
                                             "end_date"};
  static const std::string& Key(const Theme& t) { return t.theme_id; }
  static void Bind(SqliteStatement& s, const Theme& t) {
    s.Bind(2, t.theme_id)
        .Bind(3, t.name)
        .Bind(4, DayNumber(t.start_date))
        .Bind(5, DayNumber(t.end_date));
  }
  static absl::StatusOr<Theme> Read(const SqliteStatement& s,
                                    absl::string_view) {
    Theme t;
    t.theme_id = s.ColumnText(0);
    t.name = s.ColumnText(1);
    t.start_date = DayFromNumber(s.ColumnInt(2));
    t.end_date = DayFromNumber(s.ColumnInt(3));
    return t;
  }
  static bool FillsIn(const Theme&, const Theme&) { return false; }
  static bool Earlier(const Theme&, const Theme&) { return false; }
};

// Without the fields a later re-send may fill in.
Audit WithoutModeration(Audit a) {
  a.moderated_grade.reset();
  a.moderator.clear();
  return a;
}

Action WithoutCompletion(Action a) {
  a.completed_date.reset();
  return a;
}

template <>
struct Table<Audit> {
  static constexpr char kName[] = "audits";
  static constexpr char kKind[] = "audit";
  static constexpr const char* kColumns[] = {
      "audit_id",  "child_id", "type",       "theme_id",   "team",
      "worker_id", "auditor",  "audit_date", "grade",      "moderated_grade",
      "moderator", "domains",  "findings",   "reaudit_of", "sample_id"};
  static const std::string& Key(const Audit& a) { return a.audit_id; }
  static void Bind(SqliteStatement& s, const Audit& a) {
    s.Bind(2, a.audit_id)
        .Bind(3, a.child_id)
        .Bind(4, AuditTypeName(a.type))
        .Bind(5, a.theme_id)
        .Bind(6, a.team)
        .Bind(7, a.worker_id)
        .Bind(8, a.auditor)
        .Bind(9, DayNumber(a.audit_date))
        .Bind(10, a.grade);
    if (a.moderated_grade) {
      s.Bind(11, *a.moderated_grade);
    } else {
      s.BindNull(11);
    }
    s.Bind(12, a.moderator)
        .Bind(13, EncodeDomains(a.domains))
        .Bind(14, a.findings)
        .Bind(15, a.reaudit_of)
        .Bind(16, a.sample_id);
  }
  static absl::StatusOr<Audit> Read(const SqliteStatement& s,
                                    absl::string_view authority) {
    Audit a;
    a.audit_id = s.ColumnText(0);
    a.child_id = s.ColumnText(1);
    std::optional<AuditType> type = ParseAuditType(s.ColumnTextView(2));
    if (!type) return CorruptRow(kName, authority, "type");
    a.type = *type;
    a.theme_id = s.ColumnText(3);
    a.team = s.ColumnText(4);
    a.worker_id = s.ColumnText(5);
    a.auditor = s.ColumnText(6);
    a.audit_date = DayFromNumber(s.ColumnInt(7));
    a.grade = static_cast<Grade>(s.ColumnInt(8));
    if (!s.IsNull(9)) a.moderated_grade = static_cast<Grade>(s.ColumnInt(9));
    a.moderator = s.ColumnText(10);
    std::optional<std::vector<DomainGrade>> domains =
        DecodeDomains(s.ColumnTextView(11));
    if (!domains) return CorruptRow(kName, authority, "domains");
    a.domains = *std::move(domains);
    a.findings = s.ColumnText(12);
    a.reaudit_of = s.ColumnText(13);
    a.sample_id = s.ColumnText(14);
    return a;
  }
  static bool FillsIn(const Audit& stored, const Audit& incoming) {
    return !stored.moderated_grade && incoming.moderated_grade &&
           ContentHash(WithoutModeration(stored)) ==
               ContentHash(WithoutModeration(incoming));
  }
  static bool Earlier(const Audit& stored, const Audit& incoming) {
    return stored.moderated_grade && !incoming.moderated_grade &&
           incoming.moderator.empty() &&
           ContentHash(WithoutModeration(stored)) == ContentHash(incoming);
  }
};

template <>
struct Table<Feedback> {
  static constexpr char kName[] = "feedback";
  static constexpr char kKind[] = "feedback";
  static constexpr const char* kColumns[] = {
      "feedback_id", "source", "team", "received_on", "rating", "comment"};
  static const std::string& Key(const Feedback& f) { return f.feedback_id; }
  static void Bind(SqliteStatement& s, const Feedback& f) {
    s.Bind(2, f.feedback_id)
        .Bind(3, FeedbackSourceName(f.source))
        .Bind(4, f.team)
        .Bind(5, DayNumber(f.received_on))
        .Bind(6, f.rating)
        .Bind(7, f.comment);
  }
  static absl::StatusOr<Feedback> Read(const SqliteStatement& s,
                                       absl::string_view authority) {
    Feedback f;
    f.feedback_id = s.ColumnText(0);
    std::optional<FeedbackSource> source =
        ParseFeedbackSource(s.ColumnTextView(1));
    if (!source) return CorruptRow(kName, authority, "source");
    f.source = *source;
    f.team = s.ColumnText(2);
    f.received_on = DayFromNumber(s.ColumnInt(3));
    f.rating = static_cast<int>(s.ColumnInt(4));
    f.comment = s.ColumnText(5);
    return f;
  }
  static bool FillsIn(const Feedback&, const Feedback&) { return false; }
  static bool Earlier(const Feedback&, const Feedback&) { return false; }
};

template <>
struct Table<Action> {
  static constexpr char kName[] = "actions";
  static constexpr char kKind[] = "action";
  static constexpr const char* kColumns[] = {"action_id",      "origin_ref",
                                             "owner",          "due_date",
                                             "completed_date", "raised_on"};
  static const std::string& Key(const Action& a) { return a.action_id; }
  static void Bind(SqliteStatement& s, const Action& a) {
    s.Bind(2, a.action_id)
        .Bind(3, a.origin_ref)
        .Bind(4, a.owner)
        .Bind(5, DayNumber(a.due_date));
    BindOptionalDay(s, 6, a.completed_date);
    BindOptionalDay(s, 7, a.raised_on);
  }
  static absl::StatusOr<Action> Read(const SqliteStatement& s,
                                     absl::string_view) {
    Action a;
    a.action_id = s.ColumnText(0);
    a.origin_ref = s.ColumnText(1);
    a.owner = s.ColumnText(2);
    a.due_date = DayFromNumber(s.ColumnInt(3));
    a.completed_date = ColumnOptionalDay(s, 4);
    a.raised_on = ColumnOptionalDay(s, 5);
    return a;
  }
  static bool FillsIn(const Action& stored, const Action& incoming) {
    return !stored.completed_date && incoming.completed_date &&
           ContentHash(WithoutCompletion(stored)) ==
               ContentHash(WithoutCompletion(incoming));
  }
  static bool Earlier(const Action& stored, const Action& incoming) {
    return stored.completed_date && !incoming.completed_date &&
           ContentHash(WithoutCompletion(stored)) == ContentHash(incoming);
  }
};

template <typename Record>
constexpr int kColumnCount =
    static_cast<int>(std::size(Table<Record>::kColumns));

template <typename Record>
std::string Columns() {
  return absl::StrJoin(Table<Record>::kColumns, ", ");
}

// SELECT the columns and the content hash of one record by key (?1, ?2).
template <typename Record>
std::string SelectOneSql() {
  using T = Table<Record>;
  return absl::StrCat("SELECT ", Columns<Record>(), ", content_hash FROM ",
                      T::kName, " WHERE authority = ?1 AND ", T::kColumns[0],
                      " = ?2");
}

template <typename Record>
std::string InsertSql() {
  using T = Table<Record>;
  std::vector<std::string> params;
  for (int i = 1; i <= kColumnCount<Record> + 2; ++i) {
    params.push_back(absl::StrCat("?", i));
  }
  return absl::StrCat("INSERT INTO ", T::kName, " (authority, ",
                      Columns<Record>(), ", content_hash) VALUES (",
                      absl::StrJoin(params, ", "), ") ON CONFLICT (authority, ",
                      T::kColumns[0], ") DO NOTHING");
}

// Rewrites every column but the key, bound as by Table::Bind.
template <typename Record>
std::string UpdateSql() {
  using T = Table<Record>;
  std::vector<std::string> sets;
  for (int i = 1; i < kColumnCount<Record>; ++i) {
    sets.push_back(absl::StrCat(T::kColumns[i], " = ?", i + 2));
  }
  sets.push_back(absl::StrCat("content_hash = ?", kColumnCount<Record> + 2));
  return absl::StrCat("UPDATE ", T::kName, " SET ", absl::StrJoin(sets, ", "),
                      " WHERE authority = ?1 AND ", T::kColumns[0], " = ?2");
}

template <typename Record>
void BindRow(SqliteStatement& s, absl::string_view authority, const Record& r,
             int64_t hash) {
  s.Bind(1, authority);
  Table<Record>::Bind(s, r);
  s.Bind(kColumnCount<Record> + 2, hash);
}

// Steps `stmt` to the end, handing each row to `read`; resets it always.
template <typename Read>
absl::Status ForEachRow(SqliteStatement* stmt, Read read) {
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    absl::Status status = read(*stmt);
    if (!status.ok()) {
      stmt->Reset();
      return status;
    }
  }
  stmt->Reset();
  return absl::OkStatus();
}

// Reads every row of a statement selecting Table<Record>'s columns.
template <typename Record>
absl::StatusOr<std::vector<Record>> ReadRows(SqliteStatement* stmt,
                                             absl::string_view authority) {
  std::vector<Record> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(Record r, Table<Record>::Read(s, authority));
        out.push_back(std::move(r));
        return absl::OkStatus();
      }));
  return out;
}

// Every record of the authority, in no particular order.
template <typename Record>
absl::StatusOr<std::vector<Record>> LoadRows(SqliteDatabase& db,
                                             absl::string_view authority) {
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Prepare(absl::StrCat("SELECT ", Columns<Record>(), " FROM ",
                              Table<Record>::kName, " WHERE authority = ?1")));
  stmt->Bind(1, authority);
  return ReadRows<Record>(stmt, authority);
}

// The stored record under `key` with its content hash, nullopt when none.
template <typename Record>
absl::StatusOr<std::optional<std::pair<Record, int64_t>>> ReadOne(
    SqliteDatabase& db, absl::string_view authority, absl::string_view key) {
  SGM_ASSIGN_OR_RETURN(SqliteStatement * read,
                       db.Prepare(SelectOneSql<Record>()));
  read->Bind(1, authority).Bind(2, key);
  std::optional<std::pair<Record, int64_t>> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(read, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(Record r, Table<Record>::Read(s, authority));
        out.emplace(std::move(r), s.ColumnInt(kColumnCount<Record>));
        return absl::OkStatus();
      }));
  return out;
}

absl::Status NoSuchRecord(absl::string_view kind, absl::string_view key_name,
                          absl::string_view key) {
  return absl::NotFoundError(
      absl::StrCat(key_name, ": no ", kind, " '", key, "'"));
}

// One write transaction that inserts `records` under their keys, fills in
// what a re-send may fill in, and raises the generation when anything was
// accepted or filled in.
template <typename Record>
absl::StatusOr<WriteResult> InsertBatch(SqliteDatabase& db,
                                        absl::string_view authority,
                                        absl::Span<const Record> records) {
  WriteResult out;
  SGM_RETURN_IF_ERROR(db.InTransaction([&]() -> absl::Status {
    out = WriteResult();
    SGM_ASSIGN_OR_RETURN(SqliteStatement * insert,
                         db.Prepare(InsertSql<Record>()));
    bool changed = false;
    for (const Record& r : records) {
      const int64_t hash = static_cast<int64_t>(ContentHash(r));
      BindRow(*insert, authority, r, hash);
      SGM_RETURN_IF_ERROR(insert->Run());
      if (db.Changes() == 1) {
        out.outcomes.push_back(WriteOutcome::kAccepted);
        changed = true;
        continue;
      }
      const std::string& key = Table<Record>::Key(r);
      SGM_ASSIGN_OR_RETURN(auto stored, ReadOne<Record>(db, authority, key));
      if (!stored) {
        return absl::InternalError(
            absl::StrCat("store ", db.path(), ": ", Table<Record>::kKind, " '",
                         key, "' of authority '", authority,
                         "' was refused as stored but cannot be read back"));
      }
      if (stored->second == hash || Table<Record>::Earlier(stored->first, r)) {
        out.outcomes.push_back(WriteOutcome::kDuplicate);
      } else if (Table<Record>::FillsIn(stored->first, r)) {
        SGM_ASSIGN_OR_RETURN(SqliteStatement * update,
                             db.Prepare(UpdateSql<Record>()));
        BindRow(*update, authority, r, hash);
        SGM_RETURN_IF_ERROR(update->Run());
        out.outcomes.push_back(WriteOutcome::kFilledIn);
        changed = true;
      } else {
        out.outcomes.push_back(WriteOutcome::kConflict);
      }
    }
    if (changed) {
      SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(db, authority));
    } else {
      SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
    }
    return absl::OkStatus();
  }));
  return out;
}

// Read-change-write of one record in one write transaction.
template <typename Record>
absl::StatusOr<Updated<Record>> UpdateOne(
    SqliteDatabase& db, absl::string_view authority, absl::string_view key,
    const std::function<absl::Status(Record&)>& change) {
  using T = Table<Record>;
  Updated<Record> out;
  SGM_RETURN_IF_ERROR(db.InTransaction([&]() -> absl::Status {
    SGM_ASSIGN_OR_RETURN(auto stored, ReadOne<Record>(db, authority, key));
    if (!stored) return NoSuchRecord(T::kKind, T::kColumns[0], key);
    Record changed = stored->first;
    SGM_RETURN_IF_ERROR(change(changed));
    if (T::Key(changed) != T::Key(stored->first)) {
      return absl::InvalidArgumentError(
          absl::StrCat(T::kColumns[0], ": an update of ", T::kKind, " '", key,
                       "' may not change its key"));
    }
    const int64_t hash = static_cast<int64_t>(ContentHash(changed));
    out.record = changed;
    if (hash == stored->second) {
      SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
      return absl::OkStatus();
    }
    SGM_ASSIGN_OR_RETURN(SqliteStatement * write,
                         db.Prepare(UpdateSql<Record>()));
    BindRow(*write, authority, changed, hash);
    SGM_RETURN_IF_ERROR(write->Run());
    SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(db, authority));
    return absl::OkStatus();
  }));
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

absl::Status CheckPage(int64_t offset, int limit) {
  if (offset < 0 || limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("list: offset and limit must be 0 or more, not ", offset,
                     " and ", limit));
  }
  return absl::OkStatus();
}

// Runs `read` in one deferred read transaction of `db`: in WAL mode it sees
// one snapshot of the file and holds up no writer.
template <typename Result>
absl::StatusOr<Result> InReadTransaction(
    SqliteDatabase& db, const std::function<absl::StatusOr<Result>()>& read) {
  SGM_RETURN_IF_ERROR(db.Exec("BEGIN"));
  absl::StatusOr<Result> out = read();
  const absl::Status end = db.Exec(out.ok() ? "COMMIT" : "ROLLBACK");
  if (!out.ok()) {
    if (end.ok()) return out.status();
    return absl::Status(out.status().code(),
                        absl::StrCat(out.status().message(),
                                     "; and ROLLBACK failed: ", end.message()));
  }
  SGM_RETURN_IF_ERROR(end);
  return out;
}

// Column order as read by ReadSampleRow; the last is the audited count.
constexpr char kSampleSelectSql[] =
    "SELECT s.sample_id, s.criterion, s.as_of, s.sample_size, s.seed, "
    "s.theme_id, s.population, s.created_at_us, s.created_by, (SELECT "
    "COUNT(*) FROM dip_sample_cases c WHERE c.authority = s.authority AND "
    "c.sample_id = s.sample_id AND EXISTS (SELECT 1 FROM audits a WHERE "
    "a.authority = c.authority AND a.sample_id = c.sample_id AND a.child_id "
    "= c.child_id)) FROM dip_samples s WHERE s.authority = ?1";

constexpr int64_t kFirstCriterion =
    static_cast<int64_t>(DipSampleCriterion::kOpenEarlyHelp);
constexpr int64_t kLastCriterion =
    static_cast<int64_t>(DipSampleCriterion::kUnder1OnCpPlan);

absl::StatusOr<DipSampleRecord> ReadSampleRow(const SqliteStatement& s,
                                              absl::string_view authority) {
  DipSampleRecord out;
  DipSample& d = out.sample;
  d.sample_id = s.ColumnText(0);
  const int64_t criterion = s.ColumnInt(1);
  if (criterion < kFirstCriterion || criterion > kLastCriterion) {
    return CorruptRow("dip_samples", authority, "criterion");
  }
  d.criterion = static_cast<DipSampleCriterion>(criterion);
  d.as_of = DayFromNumber(s.ColumnInt(2));
  d.sample_size = static_cast<int>(s.ColumnInt(3));
  d.seed = static_cast<uint64_t>(s.ColumnInt(4));
  d.theme_id = s.ColumnText(5);
  d.population = s.ColumnInt(6);
  d.created_at = absl::FromUnixMicros(s.ColumnInt(7));
  d.created_by = s.ColumnText(8);
  out.audited = static_cast<int>(s.ColumnInt(9));
  return out;
}

// The stored sample with its cases and their audits; nullopt when none.
absl::StatusOr<std::optional<DipSampleRecord>> ReadDipSample(
    SqliteDatabase& db, absl::string_view authority,
    absl::string_view sample_id) {
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * sample,
      db.Prepare(absl::StrCat(kSampleSelectSql, " AND s.sample_id = ?2")));
  sample->Bind(1, authority).Bind(2, sample_id);
  std::optional<DipSampleRecord> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(sample, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(out, ReadSampleRow(s, authority));
        return absl::OkStatus();
      }));
  if (!out) return out;
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * cases,
      db.Prepare("SELECT c.child_id, c.ref_id, c.worker_id, c.team, (SELECT "
                 "a.audit_id FROM audits a WHERE a.authority = c.authority "
                 "AND a.sample_id = c.sample_id AND a.child_id = c.child_id "
                 "ORDER BY a.audit_date, a.audit_id LIMIT 1) FROM "
                 "dip_sample_cases c WHERE c.authority = ?1 AND c.sample_id = "
                 "?2 ORDER BY c.position"));
  cases->Bind(1, authority).Bind(2, sample_id);
  SGM_RETURN_IF_ERROR(
      ForEachRow(cases, [&](const SqliteStatement& s) -> absl::Status {
        DipSampleCase& c = out->sample.cases.emplace_back();
        c.child_id = s.ColumnText(0);
        c.ref_id = s.ColumnText(1);
        c.worker_id = s.ColumnText(2);
        c.team = s.ColumnText(3);
        out->case_audit_ids.push_back(s.IsNull(4) ? "" : s.ColumnText(4));
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace

uint64_t ContentHash(const Theme& theme) {
  ContentFingerprint f;
  f.Add(theme.theme_id)
      .Add(theme.name)
      .Add(DayNumber(theme.start_date))
      .Add(DayNumber(theme.end_date));
  return f.value();
}

uint64_t ContentHash(const Audit& audit) {
  ContentFingerprint f;
  f.Add(audit.audit_id)
      .Add(audit.child_id)
      .Add(AuditTypeName(audit.type))
      .Add(audit.theme_id)
      .Add(audit.team)
      .Add(audit.worker_id)
      .Add(audit.auditor)
      .Add(DayNumber(audit.audit_date))
      .Add(static_cast<int64_t>(audit.grade))
      .Add(audit.moderated_grade ? static_cast<int64_t>(*audit.moderated_grade)
                                 : kAbsent)
      .Add(audit.moderator)
      .Add(static_cast<int64_t>(audit.domains.size()));
  for (const DomainGrade& d : audit.domains) {
    f.Add(d.domain).Add(static_cast<int64_t>(d.grade));
  }
  f.Add(audit.findings).Add(audit.reaudit_of).Add(audit.sample_id);
  return f.value();
}

uint64_t ContentHash(const Feedback& feedback) {
  ContentFingerprint f;
  f.Add(feedback.feedback_id)
      .Add(FeedbackSourceName(feedback.source))
      .Add(feedback.team)
      .Add(DayNumber(feedback.received_on))
      .Add(static_cast<int64_t>(feedback.rating))
      .Add(feedback.comment);
  return f.value();
}

uint64_t ContentHash(const Action& action) {
  ContentFingerprint f;
  f.Add(action.action_id)
      .Add(action.origin_ref)
      .Add(action.owner)
      .Add(DayNumber(action.due_date))
      .Add(OptionalDayNumber(action.completed_date))
      .Add(OptionalDayNumber(action.raised_on));
  return f.value();
}

absl::StatusOr<std::unique_ptr<SqliteQaStore>> SqliteQaStore::Open(
    const std::string& path) {
  SqliteDatabase::Options options;
  options.path = path;
  options.migrations = {{1, SchemaV1()}};
  SGM_ASSIGN_OR_RETURN(auto writer, SqliteDatabase::Open(options));
  SGM_ASSIGN_OR_RETURN(auto reader, SqliteDatabase::Open(options));
  return std::unique_ptr<SqliteQaStore>(
      new SqliteQaStore(std::move(writer), std::move(reader)));
}

absl::StatusOr<WriteResult> SqliteQaStore::InsertThemes(
    absl::string_view authority, absl::Span<const Theme> themes) {
  absl::MutexLock lock(&write_mu_);
  return InsertBatch(*writer_, authority, themes);
}

absl::StatusOr<WriteResult> SqliteQaStore::InsertAudits(
    absl::string_view authority, absl::Span<const Audit> audits) {
  for (size_t i = 0; i < audits.size(); ++i) {
    SGM_RETURN_IF_ERROR(
        CheckDomains(audits[i], absl::StrCat("audits[", i, "]")));
  }
  absl::MutexLock lock(&write_mu_);
  return InsertBatch(*writer_, authority, audits);
}

absl::StatusOr<WriteResult> SqliteQaStore::InsertFeedback(
    absl::string_view authority, absl::Span<const Feedback> feedback) {
  absl::MutexLock lock(&write_mu_);
  return InsertBatch(*writer_, authority, feedback);
}

absl::StatusOr<WriteResult> SqliteQaStore::InsertActions(
    absl::string_view authority, absl::Span<const Action> actions) {
  absl::MutexLock lock(&write_mu_);
  return InsertBatch(*writer_, authority, actions);
}

absl::StatusOr<Updated<Audit>> SqliteQaStore::UpdateAudit(
    absl::string_view authority, absl::string_view audit_id,
    const std::function<absl::Status(Audit&)>& change) {
  absl::MutexLock lock(&write_mu_);
  return UpdateOne<Audit>(*writer_, authority, audit_id,
                          [&](Audit& audit) -> absl::Status {
                            SGM_RETURN_IF_ERROR(change(audit));
                            return CheckDomains(audit, "audit");
                          });
}

absl::StatusOr<Updated<Action>> SqliteQaStore::UpdateAction(
    absl::string_view authority, absl::string_view action_id,
    const std::function<absl::Status(Action&)>& change) {
  absl::MutexLock lock(&write_mu_);
  return UpdateOne<Action>(*writer_, authority, action_id, change);
}

absl::StatusOr<Theme> SqliteQaStore::GetTheme(absl::string_view authority,
                                              absl::string_view theme_id) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(auto stored,
                       ReadOne<Theme>(*reader_, authority, theme_id));
  if (!stored) return NoSuchRecord("theme", "theme_id", theme_id);
  return std::move(stored->first);
}

absl::StatusOr<Audit> SqliteQaStore::GetAudit(absl::string_view authority,
                                              absl::string_view audit_id) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(auto stored,
                       ReadOne<Audit>(*reader_, authority, audit_id));
  if (!stored) return NoSuchRecord("audit", "audit_id", audit_id);
  return std::move(stored->first);
}

absl::StatusOr<std::vector<Theme>> SqliteQaStore::ListThemes(
    absl::string_view authority, std::optional<absl::CivilDay> active_on) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", Columns<Theme>(),
          " FROM themes WHERE authority = ?1 AND (?2 IS NULL OR (start_date "
          "<= ?2 AND end_date >= ?2)) ORDER BY start_date, theme_id")));
  stmt->Bind(1, authority);
  BindOptionalDay(*stmt, 2, active_on);
  return ReadRows<Theme>(stmt, authority);
}

absl::StatusOr<std::vector<Audit>> SqliteQaStore::ListAudits(
    absl::string_view authority, const AuditFilter& filter, int64_t offset,
    int limit) {
  SGM_RETURN_IF_ERROR(CheckPage(offset, limit));
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", Columns<Audit>(),
          " FROM audits WHERE authority = ?1 AND (?2 IS NULL OR audit_date >= "
          "?2) AND (?3 IS NULL OR audit_date <= ?3) AND (?4 = '' OR team = "
          "?4) AND (?5 = '' OR theme_id = ?5) AND (?6 = '' OR type = ?6) AND "
          "(?7 = '' OR child_id = ?7) AND (?8 = '' OR sample_id = ?8) ORDER "
          "BY audit_date, audit_id LIMIT ?9 OFFSET ?10")));
  stmt->Bind(1, authority);
  BindOptionalDay(*stmt, 2, filter.from);
  BindOptionalDay(*stmt, 3, filter.to);
  stmt->Bind(4, filter.team)
      .Bind(5, filter.theme_id)
      .Bind(6, filter.type ? AuditTypeName(*filter.type) : absl::string_view())
      .Bind(7, filter.child_id)
      .Bind(8, filter.sample_id)
      .Bind(9, limit)
      .Bind(10, offset);
  return ReadRows<Audit>(stmt, authority);
}

absl::StatusOr<std::vector<Feedback>> SqliteQaStore::ListFeedback(
    absl::string_view authority, const FeedbackFilter& filter, int64_t offset,
    int limit) {
  SGM_RETURN_IF_ERROR(CheckPage(offset, limit));
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", Columns<Feedback>(),
          " FROM feedback WHERE authority = ?1 AND (?2 IS NULL OR received_on "
          ">= ?2) AND (?3 IS NULL OR received_on <= ?3) AND (?4 = '' OR "
          "source = ?4) AND (?5 = '' OR team = ?5) ORDER BY received_on, "
          "feedback_id LIMIT ?6 OFFSET ?7")));
  stmt->Bind(1, authority);
  BindOptionalDay(*stmt, 2, filter.from);
  BindOptionalDay(*stmt, 3, filter.to);
  stmt->Bind(4, filter.source ? FeedbackSourceName(*filter.source)
                              : absl::string_view())
      .Bind(5, filter.team)
      .Bind(6, limit)
      .Bind(7, offset);
  return ReadRows<Feedback>(stmt, authority);
}

absl::StatusOr<std::vector<Action>> SqliteQaStore::ListActions(
    absl::string_view authority, const ActionFilter& filter, int64_t offset,
    int limit) {
  SGM_RETURN_IF_ERROR(CheckPage(offset, limit));
  absl::MutexLock lock(&read_mu_);
  // ?2: 0 any, 1 open, 2 overdue, 3 completed, judged on day ?3 as
  // Action::OpenOn does: open = raised by then and not completed by then.
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", Columns<Action>(),
          " FROM actions WHERE authority = ?1 AND (?2 = 0 OR (?2 IN (1, 2) "
          "AND (raised_on IS NULL OR raised_on <= ?3) AND (completed_date IS "
          "NULL OR completed_date > ?3) AND (?2 = 1 OR due_date < ?3)) OR (?2 "
          "= 3 AND completed_date IS NOT NULL AND completed_date <= ?3)) AND "
          "(?4 = '' OR owner = ?4) AND (?5 = '' OR origin_ref = ?5) ORDER BY "
          "due_date, action_id LIMIT ?6 OFFSET ?7")));
  int state = 0;
  switch (filter.state) {
    case ActionState::kAny:
      state = 0;
      break;
    case ActionState::kOpen:
      state = 1;
      break;
    case ActionState::kOverdue:
      state = 2;
      break;
    case ActionState::kCompleted:
      state = 3;
      break;
  }
  stmt->Bind(1, authority)
      .Bind(2, state)
      .Bind(3, DayNumber(filter.state_on))
      .Bind(4, filter.owner)
      .Bind(5, filter.origin_ref)
      .Bind(6, limit)
      .Bind(7, offset);
  return ReadRows<Action>(stmt, authority);
}

absl::StatusOr<QaStore::SampleWrite> SqliteQaStore::InsertDipSample(
    absl::string_view authority, const DipSample& sample) {
  absl::MutexLock lock(&write_mu_);
  SqliteDatabase& db = *writer_;
  SampleWrite out;
  SGM_RETURN_IF_ERROR(db.InTransaction([&]() -> absl::Status {
    out = SampleWrite();
    SGM_ASSIGN_OR_RETURN(std::optional<DipSampleRecord> stored,
                         ReadDipSample(db, authority, sample.sample_id));
    if (stored) {
      out.outcome = stored->sample.SameRequest(sample)
                        ? WriteOutcome::kDuplicate
                        : WriteOutcome::kConflict;
      out.stored = *std::move(stored);
      SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
      return absl::OkStatus();
    }
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        db.Prepare("INSERT INTO dip_samples (authority, sample_id, "
                   "criterion, as_of, sample_size, seed, theme_id, "
                   "population, created_at_us, created_by) VALUES (?1, ?2, "
                   "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    insert->Bind(1, authority)
        .Bind(2, sample.sample_id)
        .Bind(3, static_cast<int64_t>(sample.criterion))
        .Bind(4, DayNumber(sample.as_of))
        .Bind(5, sample.sample_size)
        .Bind(6, static_cast<int64_t>(sample.seed))
        .Bind(7, sample.theme_id)
        .Bind(8, sample.population)
        .Bind(9, absl::ToUnixMicros(sample.created_at))
        .Bind(10, sample.created_by);
    SGM_RETURN_IF_ERROR(insert->Run());
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * add_case,
        db.Prepare("INSERT INTO dip_sample_cases (authority, sample_id, "
                   "position, child_id, ref_id, worker_id, team) VALUES (?1, "
                   "?2, ?3, ?4, ?5, ?6, ?7)"));
    for (size_t i = 0; i < sample.cases.size(); ++i) {
      const DipSampleCase& c = sample.cases[i];
      add_case->Bind(1, authority)
          .Bind(2, sample.sample_id)
          .Bind(3, i)
          .Bind(4, c.child_id)
          .Bind(5, c.ref_id)
          .Bind(6, c.worker_id)
          .Bind(7, c.team);
      SGM_RETURN_IF_ERROR(add_case->Run());
    }
    SGM_ASSIGN_OR_RETURN(stored,
                         ReadDipSample(db, authority, sample.sample_id));
    if (!stored) {
      return absl::InternalError(
          absl::StrCat("store ", db.path(), ": dip sample '", sample.sample_id,
                       "' of authority '", authority, "' cannot be read back"));
    }
    out.outcome = WriteOutcome::kAccepted;
    out.stored = *std::move(stored);
    SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(db, authority));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<DipSampleRecord> SqliteQaStore::GetDipSample(
    absl::string_view authority, absl::string_view sample_id) {
  absl::MutexLock lock(&read_mu_);
  SqliteDatabase& db = *reader_;
  SGM_ASSIGN_OR_RETURN(
      std::optional<DipSampleRecord> stored,
      InReadTransaction<std::optional<DipSampleRecord>>(
          db, [&] { return ReadDipSample(db, authority, sample_id); }));
  if (!stored) return NoSuchRecord("dip sample", "sample_id", sample_id);
  return *std::move(stored);
}

absl::StatusOr<std::vector<DipSampleRecord>> SqliteQaStore::ListDipSamples(
    absl::string_view authority, int64_t offset, int limit) {
  SGM_RETURN_IF_ERROR(CheckPage(offset, limit));
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(kSampleSelectSql,
                                    " ORDER BY s.created_at_us DESC, "
                                    "s.sample_id DESC LIMIT ?2 OFFSET ?3")));
  stmt->Bind(1, authority).Bind(2, limit).Bind(3, offset);
  std::vector<DipSampleRecord> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(DipSampleRecord r, ReadSampleRow(s, authority));
        out.push_back(std::move(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<QaStore::Snapshot> SqliteQaStore::LoadAll(
    absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  SqliteDatabase& db = *reader_;
  return InReadTransaction<Snapshot>(db, [&]() -> absl::StatusOr<Snapshot> {
    Snapshot out;
    SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
    SGM_ASSIGN_OR_RETURN(out.data.themes, LoadRows<Theme>(db, authority));
    SGM_ASSIGN_OR_RETURN(out.data.audits, LoadRows<Audit>(db, authority));
    SGM_ASSIGN_OR_RETURN(out.data.feedback, LoadRows<Feedback>(db, authority));
    SGM_ASSIGN_OR_RETURN(out.data.actions, LoadRows<Action>(db, authority));
    return out;
  });
}

absl::StatusOr<int64_t> SqliteQaStore::Generation(absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  return ReadGeneration(*reader_, authority);
}

absl::Status SqliteQaStore::AppendReadAudit(const QaReadAudit& e) {
  SGM_RETURN_IF_ERROR(CheckAuditIds("child_ids", e.child_ids));
  SGM_RETURN_IF_ERROR(CheckAuditIds("record_ids", e.record_ids));
  absl::MutexLock lock(&write_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      writer_->Prepare("INSERT INTO read_audit (at_us, caller, role, "
                       "authority, method, query, child_ids, record_ids) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  stmt->Bind(1, absl::ToUnixMicros(e.at))
      .Bind(2, e.caller)
      .Bind(3, e.role)
      .Bind(4, e.authority)
      .Bind(5, e.method)
      .Bind(6, e.query)
      .Bind(7, absl::StrJoin(e.child_ids, ";"))
      .Bind(8, absl::StrJoin(e.record_ids, ";"));
  return stmt->Run();
}

absl::StatusOr<std::vector<QaReadAudit>> SqliteQaStore::ListReadAudit(
    absl::string_view authority, const ReadAuditQuery& query) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(ReadAuditSelectSql(
          "at_us, caller, role, authority, method, query, child_ids, "
          "record_ids, id",
          "child_ids", "record_ids")));
  SGM_RETURN_IF_ERROR(BindReadAuditQuery(*stmt, authority, query));
  std::vector<QaReadAudit> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        QaReadAudit& e = out.emplace_back();
        e.at = absl::FromUnixMicros(s.ColumnInt(0));
        e.caller = s.ColumnText(1);
        e.role = s.ColumnText(2);
        e.authority = s.ColumnText(3);
        e.method = s.ColumnText(4);
        e.query = s.ColumnText(5);
        e.child_ids = SplitIds(s.ColumnTextView(6));
        e.record_ids = SplitIds(s.ColumnTextView(7));
        e.id = s.ColumnInt(8);
        return absl::OkStatus();
      }));
  return out;
}

absl::Status SqliteQaStore::CheckHealth() {
  {
    absl::MutexLock lock(&write_mu_);
    SGM_RETURN_IF_ERROR(writer_->CheckHealth());
  }
  absl::MutexLock lock(&read_mu_);
  return reader_->CheckHealth();
}

}  // namespace sgm::qa
