#include "services/workforce/workforce_store.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/store_generation.h"

namespace sgm::workforce {
namespace {

// Dates are day numbers since 1970-01-01. An establishment row without
// effective_from ("always") is stored under kAlways, before every day, so
// that the key has no NULL in it. Employment and absence reasons are stored
// by their feed spelling (EmploymentName, AbsenceReasonName), so the enums'
// order is not part of the file format.
constexpr char kTablesSql[] = R"sql(CREATE TABLE staff (
  authority TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  role TEXT NOT NULL,
  qualified INTEGER NOT NULL,
  service_area TEXT NOT NULL,
  team TEXT NOT NULL,
  employment TEXT NOT NULL,
  milli_fte INTEGER NOT NULL,
  start_date INTEGER NOT NULL,
  end_date INTEGER,
  annual_cost_pence INTEGER NOT NULL,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, staff_id)
) WITHOUT ROWID;
CREATE TABLE absences (
  authority TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  start_date INTEGER NOT NULL,
  end_date INTEGER,
  days_lost REAL NOT NULL,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, staff_id, reason, start_date)
) WITHOUT ROWID;
CREATE TABLE establishment (
  authority TEXT NOT NULL,
  service_area TEXT NOT NULL,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  effective_from INTEGER NOT NULL,
  milli_fte INTEGER NOT NULL,
  content_hash INTEGER NOT NULL,
  PRIMARY KEY (authority, service_area, team, role, effective_from)
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
  staff_ids TEXT NOT NULL
);
CREATE INDEX read_audit_by_authority ON read_audit (authority, id);
)sql";

// Schema version 1. Once shipped its text never changes (nor do the shared
// pieces it includes): a change is a new migration.
std::string SchemaV1() {
  return absl::StrCat(kTablesSql, kGenerationsTableSql, kReadAuditSql,
                      AppendOnlyTriggersSql("read_audit"));
}

constexpr int64_t kAlways = std::numeric_limits<int64_t>::min();

// Column order as read by ReadStaffRow.
constexpr char kStaffColumns[] =
    "staff_id, role, qualified, service_area, team, employment, milli_fte, "
    "start_date, end_date, annual_cost_pence";
constexpr char kAbsenceColumns[] =
    "staff_id, reason, start_date, end_date, days_lost";
constexpr char kEstablishmentColumns[] =
    "service_area, team, role, milli_fte, effective_from";

const absl::CivilDay kEpochDay(1970, 1, 1);

int64_t DayNumber(absl::CivilDay day) { return day - kEpochDay; }
absl::CivilDay DayFromNumber(int64_t n) { return kEpochDay + n; }

void BindOptionalDay(SqliteStatement& s, int index,
                     const std::optional<absl::CivilDay>& day) {
  if (day.has_value()) {
    s.Bind(index, DayNumber(*day));
  } else {
    s.BindNull(index);
  }
}

int64_t DoubleBits(double v) {
  if (v == 0) v = 0;  // -0.0 and 0.0 are the same number of days
  int64_t bits = 0;
  static_assert(sizeof(bits) == sizeof(v));
  std::memcpy(&bits, &v, sizeof(v));
  return bits;
}

absl::Status CorruptRow(absl::string_view table, absl::string_view authority,
                        absl::string_view column, absl::string_view value) {
  return absl::DataLossError(absl::StrCat(table, ": a row of authority '",
                                          authority, "' has ", column, " '",
                                          value, "', which names no value"));
}

absl::StatusOr<StaffMember> ReadStaffRow(const SqliteStatement& s,
                                         absl::string_view authority) {
  StaffMember m;
  m.staff_id = s.ColumnText(0);
  m.role = s.ColumnText(1);
  m.qualified = s.ColumnInt(2) != 0;
  m.service_area = s.ColumnText(3);
  m.team = s.ColumnText(4);
  const std::string employment = s.ColumnText(5);
  std::optional<Employment> e = ParseEmployment(employment);
  if (!e) return CorruptRow("staff", authority, "employment", employment);
  m.employment = *e;
  m.fte = s.ColumnInt(6);
  m.start_date = DayFromNumber(s.ColumnInt(7));
  if (!s.IsNull(8)) m.end_date = DayFromNumber(s.ColumnInt(8));
  m.annual_cost_pence = s.ColumnInt(9);
  return m;
}

absl::StatusOr<AbsenceEpisode> ReadAbsenceRow(const SqliteStatement& s,
                                              absl::string_view authority) {
  AbsenceEpisode a;
  a.staff_id = s.ColumnText(0);
  const std::string reason = s.ColumnText(1);
  std::optional<AbsenceReason> r = ParseAbsenceReason(reason);
  if (!r) return CorruptRow("absences", authority, "reason", reason);
  a.reason = *r;
  a.start_date = DayFromNumber(s.ColumnInt(2));
  if (!s.IsNull(3)) a.end_date = DayFromNumber(s.ColumnInt(3));
  a.days_lost = s.ColumnDouble(4);
  return a;
}

EstablishmentRow ReadEstablishmentRow(const SqliteStatement& s) {
  EstablishmentRow row;
  row.service_area = s.ColumnText(0);
  row.team = s.ColumnText(1);
  row.role = s.ColumnText(2);
  row.fte = s.ColumnInt(3);
  const int64_t from = s.ColumnInt(4);
  if (from != kAlways) row.effective_from = DayFromNumber(from);
  return row;
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

// The outcome of an INSERT ... ON CONFLICT DO NOTHING that `db` has just
// run: accepted when it changed a row, else duplicate or conflict by the
// stored hash that `existing` (bound to the key) reads.
absl::StatusOr<WriteOutcome> OutcomeOf(SqliteDatabase& db,
                                       SqliteStatement* existing, int64_t hash,
                                       absl::string_view what) {
  if (db.Changes() == 1) return WriteOutcome::kAccepted;
  SGM_ASSIGN_OR_RETURN(const bool row, existing->Step());
  if (!row) {
    existing->Reset();
    return absl::InternalError(
        absl::StrCat("store ", db.path(), ": ", what,
                     " was refused as stored but cannot be read back"));
  }
  const bool same = existing->ColumnInt(0) == hash;
  existing->Reset();
  return same ? WriteOutcome::kDuplicate : WriteOutcome::kConflict;
}

// Runs `body` in a write transaction and, when it accepted anything, raises
// the generation; else reads the current one.
absl::StatusOr<WriteResult> WriteBatch(
    SqliteDatabase& db, absl::string_view authority,
    const std::function<absl::Status(WriteResult&)>& body) {
  WriteResult out;
  SGM_RETURN_IF_ERROR(db.InTransaction([&]() -> absl::Status {
    out = WriteResult();
    SGM_RETURN_IF_ERROR(body(out));
    bool accepted = false;
    for (WriteOutcome o : out.outcomes) {
      accepted = accepted || o == WriteOutcome::kAccepted;
    }
    if (accepted) {
      SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(db, authority));
    } else {
      SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
    }
    return absl::OkStatus();
  }));
  return out;
}

// Refuses an id that would not survive the ';'-joined column.
absl::Status CheckAuditIds(const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty() || ids[i].find(';') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("read audit: staff_ids[", i,
                       "] must be non-empty and contain no ';'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPage(int64_t offset, int limit) {
  if (offset < 0 || limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("list: offset and limit must be 0 or more, not ", offset,
                     " and ", limit));
  }
  return absl::OkStatus();
}

void BindStaff(SqliteStatement& s, absl::string_view authority,
               const StaffMember& m, int64_t hash) {
  s.Bind(1, authority)
      .Bind(2, m.staff_id)
      .Bind(3, m.role)
      .Bind(4, m.qualified)
      .Bind(5, m.service_area)
      .Bind(6, m.team)
      .Bind(7, EmploymentName(m.employment))
      .Bind(8, m.fte)
      .Bind(9, DayNumber(m.start_date));
  BindOptionalDay(s, 10, m.end_date);
  s.Bind(11, m.annual_cost_pence).Bind(12, hash);
}

}  // namespace

uint64_t ContentHash(const StaffMember& m) {
  ContentFingerprint f;
  f.Add(m.staff_id)
      .Add(m.role)
      .Add(static_cast<int64_t>(m.qualified))
      .Add(m.service_area)
      .Add(m.team)
      .Add(EmploymentName(m.employment))
      .Add(m.fte)
      .Add(DayNumber(m.start_date))
      .Add(m.end_date ? DayNumber(*m.end_date)
                      : std::numeric_limits<int64_t>::min())
      .Add(m.annual_cost_pence);
  return f.value();
}

uint64_t ContentHash(const AbsenceEpisode& a) {
  ContentFingerprint f;
  f.Add(a.staff_id)
      .Add(AbsenceReasonName(a.reason))
      .Add(DayNumber(a.start_date))
      .Add(a.end_date ? DayNumber(*a.end_date)
                      : std::numeric_limits<int64_t>::min())
      .Add(DoubleBits(a.days_lost));
  return f.value();
}

uint64_t ContentHash(const EstablishmentRow& row) {
  ContentFingerprint f;
  f.Add(row.service_area)
      .Add(row.team)
      .Add(row.role)
      .Add(row.fte)
      .Add(row.effective_from ? DayNumber(*row.effective_from) : kAlways);
  return f.value();
}

absl::StatusOr<std::unique_ptr<SqliteWorkforceStore>>
SqliteWorkforceStore::Open(const std::string& path) {
  SqliteDatabase::Options options;
  options.path = path;
  options.migrations = {{1, SchemaV1()}};
  SGM_ASSIGN_OR_RETURN(auto writer, SqliteDatabase::Open(options));
  SGM_ASSIGN_OR_RETURN(auto reader, SqliteDatabase::Open(options));
  return std::unique_ptr<SqliteWorkforceStore>(
      new SqliteWorkforceStore(std::move(writer), std::move(reader)));
}

absl::StatusOr<WriteResult> SqliteWorkforceStore::InsertStaff(
    absl::string_view authority, absl::Span<const StaffMember> staff) {
  absl::MutexLock lock(&write_mu_);
  SqliteDatabase& db = *writer_;
  return WriteBatch(db, authority, [&](WriteResult& out) -> absl::Status {
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        db.Prepare(absl::StrCat(
            "INSERT INTO staff (authority, ", kStaffColumns,
            ", content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11, ?12) ON CONFLICT (authority, staff_id) DO NOTHING")));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * existing,
        db.Prepare("SELECT content_hash FROM staff WHERE authority = ?1 AND "
                   "staff_id = ?2"));
    for (const StaffMember& m : staff) {
      const int64_t hash = static_cast<int64_t>(ContentHash(m));
      BindStaff(*insert, authority, m, hash);
      SGM_RETURN_IF_ERROR(insert->Run());
      existing->Bind(1, authority).Bind(2, m.staff_id);
      SGM_ASSIGN_OR_RETURN(
          WriteOutcome outcome,
          OutcomeOf(db, existing, hash,
                    absl::StrCat("staff '", m.staff_id, "' of authority '",
                                 authority, "'")));
      existing->Reset();
      out.outcomes.push_back(outcome);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<WriteResult> SqliteWorkforceStore::InsertAbsences(
    absl::string_view authority, absl::Span<const AbsenceEpisode> absences) {
  absl::MutexLock lock(&write_mu_);
  SqliteDatabase& db = *writer_;
  return WriteBatch(db, authority, [&](WriteResult& out) -> absl::Status {
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * known,
        db.Prepare("SELECT 1 FROM staff WHERE authority = ?1 AND "
                   "staff_id = ?2"));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        db.Prepare(absl::StrCat(
            "INSERT INTO absences (authority, ", kAbsenceColumns,
            ", content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT "
            "(authority, staff_id, reason, start_date) DO NOTHING")));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * existing,
        db.Prepare("SELECT content_hash FROM absences WHERE authority = ?1 "
                   "AND staff_id = ?2 AND reason = ?3 AND start_date = ?4"));
    for (const AbsenceEpisode& a : absences) {
      known->Bind(1, authority).Bind(2, a.staff_id);
      SGM_ASSIGN_OR_RETURN(const bool is_known, known->Step());
      known->Reset();
      if (!is_known) {
        out.outcomes.push_back(WriteOutcome::kUnknownStaff);
        continue;
      }
      const int64_t hash = static_cast<int64_t>(ContentHash(a));
      insert->Bind(1, authority)
          .Bind(2, a.staff_id)
          .Bind(3, AbsenceReasonName(a.reason))
          .Bind(4, DayNumber(a.start_date));
      BindOptionalDay(*insert, 5, a.end_date);
      insert->Bind(6, a.days_lost).Bind(7, hash);
      SGM_RETURN_IF_ERROR(insert->Run());
      existing->Bind(1, authority)
          .Bind(2, a.staff_id)
          .Bind(3, AbsenceReasonName(a.reason))
          .Bind(4, DayNumber(a.start_date));
      SGM_ASSIGN_OR_RETURN(
          WriteOutcome outcome,
          OutcomeOf(db, existing, hash,
                    absl::StrCat("an absence of staff '", a.staff_id,
                                 "' of authority '", authority, "'")));
      existing->Reset();
      out.outcomes.push_back(outcome);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<WriteResult> SqliteWorkforceStore::InsertEstablishment(
    absl::string_view authority, absl::Span<const EstablishmentRow> rows) {
  absl::MutexLock lock(&write_mu_);
  SqliteDatabase& db = *writer_;
  return WriteBatch(db, authority, [&](WriteResult& out) -> absl::Status {
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        db.Prepare(absl::StrCat(
            "INSERT INTO establishment (authority, ", kEstablishmentColumns,
            ", content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT "
            "(authority, service_area, team, role, effective_from) DO "
            "NOTHING")));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * existing,
        db.Prepare("SELECT content_hash FROM establishment WHERE authority = "
                   "?1 AND service_area = ?2 AND team = ?3 AND role = ?4 AND "
                   "effective_from = ?5"));
    for (const EstablishmentRow& row : rows) {
      const int64_t hash = static_cast<int64_t>(ContentHash(row));
      const int64_t from =
          row.effective_from ? DayNumber(*row.effective_from) : kAlways;
      insert->Bind(1, authority)
          .Bind(2, row.service_area)
          .Bind(3, row.team)
          .Bind(4, row.role)
          .Bind(5, row.fte)
          .Bind(6, from)
          .Bind(7, hash);
      SGM_RETURN_IF_ERROR(insert->Run());
      existing->Bind(1, authority)
          .Bind(2, row.service_area)
          .Bind(3, row.team)
          .Bind(4, row.role)
          .Bind(5, from);
      SGM_ASSIGN_OR_RETURN(
          WriteOutcome outcome,
          OutcomeOf(db, existing, hash,
                    absl::StrCat("an establishment row of authority '",
                                 authority, "'")));
      existing->Reset();
      out.outcomes.push_back(outcome);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<StaffUpdate> SqliteWorkforceStore::UpdateStaff(
    absl::string_view authority, absl::string_view staff_id,
    const std::function<absl::Status(StaffMember&)>& change) {
  absl::MutexLock lock(&write_mu_);
  SqliteDatabase& db = *writer_;
  StaffUpdate out;
  SGM_RETURN_IF_ERROR(db.InTransaction([&]() -> absl::Status {
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * read,
        db.Prepare(absl::StrCat("SELECT ", kStaffColumns,
                                ", content_hash FROM staff WHERE authority = "
                                "?1 AND staff_id = ?2")));
    read->Bind(1, authority).Bind(2, staff_id);
    SGM_ASSIGN_OR_RETURN(const bool found, read->Step());
    if (!found) {
      read->Reset();
      return absl::NotFoundError(
          absl::StrCat("staff_id: no member of staff '", staff_id, "'"));
    }
    absl::StatusOr<StaffMember> current = ReadStaffRow(*read, authority);
    const int64_t old_hash = read->ColumnInt(10);
    read->Reset();
    SGM_RETURN_IF_ERROR(current.status());
    StaffMember changed = *current;
    SGM_RETURN_IF_ERROR(change(changed));
    changed.staff_id = current->staff_id;
    const int64_t hash = static_cast<int64_t>(ContentHash(changed));
    out.staff = changed;
    if (hash == old_hash) {
      SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
      return absl::OkStatus();
    }
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * write,
        db.Prepare("UPDATE staff SET role = ?3, qualified = ?4, service_area "
                   "= ?5, team = ?6, employment = ?7, milli_fte = ?8, "
                   "start_date = ?9, end_date = ?10, annual_cost_pence = ?11, "
                   "content_hash = ?12 WHERE authority = ?1 AND staff_id = "
                   "?2"));
    BindStaff(*write, authority, changed, hash);
    SGM_RETURN_IF_ERROR(write->Run());
    SGM_ASSIGN_OR_RETURN(out.generation, BumpGeneration(db, authority));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<StaffMember> SqliteWorkforceStore::GetStaff(
    absl::string_view authority, absl::string_view staff_id) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat("SELECT ", kStaffColumns,
                                    " FROM staff WHERE authority = ?1 AND "
                                    "staff_id = ?2")));
  stmt->Bind(1, authority).Bind(2, staff_id);
  std::optional<StaffMember> found;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(found, ReadStaffRow(s, authority));
        return absl::OkStatus();
      }));
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat("staff_id: no member of staff '", staff_id, "'"));
  }
  return *std::move(found);
}

absl::StatusOr<std::vector<StaffMember>> SqliteWorkforceStore::ListStaff(
    absl::string_view authority, const StaffFilter& filter, int64_t offset,
    int limit) {
  SGM_RETURN_IF_ERROR(CheckPage(offset, limit));
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", kStaffColumns,
          " FROM staff WHERE authority = ?1 AND (?2 IS NULL OR (start_date <= "
          "?2 AND (end_date IS NULL OR end_date >= ?2))) AND (?3 = '' OR "
          "service_area = ?3) AND (?4 = '' OR team = ?4) AND (?5 = '' OR "
          "employment = ?5) ORDER BY staff_id LIMIT ?6 OFFSET ?7")));
  stmt->Bind(1, authority);
  BindOptionalDay(*stmt, 2, filter.in_post_on);
  stmt->Bind(3, filter.service_area)
      .Bind(4, filter.team)
      .Bind(5, filter.employment ? EmploymentName(*filter.employment)
                                 : absl::string_view())
      .Bind(6, limit)
      .Bind(7, offset);
  std::vector<StaffMember> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(StaffMember m, ReadStaffRow(s, authority));
        out.push_back(std::move(m));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<AbsenceEpisode>> SqliteWorkforceStore::ListAbsences(
    absl::string_view authority, const AbsenceFilter& filter, int64_t offset,
    int limit) {
  SGM_RETURN_IF_ERROR(CheckPage(offset, limit));
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", kAbsenceColumns,
          " FROM absences WHERE authority = ?1 AND (?2 = '' OR staff_id = ?2) "
          "AND (?3 IS NULL OR end_date IS NULL OR end_date >= ?3) AND (?4 IS "
          "NULL OR start_date <= ?4) AND (?5 = '' OR reason = ?5) ORDER BY "
          "staff_id, start_date, reason LIMIT ?6 OFFSET ?7")));
  stmt->Bind(1, authority).Bind(2, filter.staff_id);
  BindOptionalDay(*stmt, 3, filter.from);
  BindOptionalDay(*stmt, 4, filter.to);
  stmt->Bind(5, filter.reason ? AbsenceReasonName(*filter.reason)
                              : absl::string_view())
      .Bind(6, limit)
      .Bind(7, offset);
  std::vector<AbsenceEpisode> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        SGM_ASSIGN_OR_RETURN(AbsenceEpisode a, ReadAbsenceRow(s, authority));
        out.push_back(std::move(a));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<EstablishmentRow>>
SqliteWorkforceStore::EstablishmentOn(absl::string_view authority,
                                      absl::CivilDay day) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(absl::StrCat(
          "SELECT ", kEstablishmentColumns,
          " FROM establishment e WHERE authority = ?1 AND effective_from = "
          "(SELECT MAX(x.effective_from) FROM establishment x WHERE "
          "x.authority = e.authority AND x.service_area = e.service_area AND "
          "x.team = e.team AND x.role = e.role AND x.effective_from <= ?2) "
          "AND milli_fte > 0 ORDER BY service_area, team, role")));
  stmt->Bind(1, authority).Bind(2, DayNumber(day));
  std::vector<EstablishmentRow> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        out.push_back(ReadEstablishmentRow(s));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<WorkforceStore::Snapshot> SqliteWorkforceStore::LoadAll(
    absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  SqliteDatabase& db = *reader_;
  // A deferred read transaction: the generation and the rows come from one
  // snapshot of the file, and in WAL mode it holds up no writer.
  SGM_RETURN_IF_ERROR(db.Exec("BEGIN"));
  auto read = [&]() -> absl::StatusOr<Snapshot> {
    Snapshot out;
    SGM_ASSIGN_OR_RETURN(out.generation, ReadGeneration(db, authority));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * staff,
        db.Prepare(absl::StrCat("SELECT ", kStaffColumns,
                                " FROM staff WHERE authority = ?1")));
    staff->Bind(1, authority);
    SGM_RETURN_IF_ERROR(
        ForEachRow(staff, [&](const SqliteStatement& s) -> absl::Status {
          SGM_ASSIGN_OR_RETURN(StaffMember m, ReadStaffRow(s, authority));
          out.data.staff.push_back(std::move(m));
          return absl::OkStatus();
        }));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * absences,
        db.Prepare(absl::StrCat("SELECT ", kAbsenceColumns,
                                " FROM absences WHERE authority = ?1")));
    absences->Bind(1, authority);
    SGM_RETURN_IF_ERROR(
        ForEachRow(absences, [&](const SqliteStatement& s) -> absl::Status {
          SGM_ASSIGN_OR_RETURN(AbsenceEpisode a, ReadAbsenceRow(s, authority));
          out.data.absences.push_back(std::move(a));
          return absl::OkStatus();
        }));
    SGM_ASSIGN_OR_RETURN(
        SqliteStatement * establishment,
        db.Prepare(absl::StrCat("SELECT ", kEstablishmentColumns,
                                " FROM establishment WHERE authority = ?1")));
    establishment->Bind(1, authority);
    SGM_RETURN_IF_ERROR(ForEachRow(
        establishment, [&](const SqliteStatement& s) -> absl::Status {
          out.data.establishment.push_back(ReadEstablishmentRow(s));
          return absl::OkStatus();
        }));
    return out;
  };
  absl::StatusOr<Snapshot> out = read();
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

absl::StatusOr<int64_t> SqliteWorkforceStore::Generation(
    absl::string_view authority) {
  absl::MutexLock lock(&read_mu_);
  return ReadGeneration(*reader_, authority);
}

absl::Status SqliteWorkforceStore::AppendReadAudit(
    const WorkforceReadAudit& e) {
  SGM_RETURN_IF_ERROR(CheckAuditIds(e.staff_ids));
  absl::MutexLock lock(&write_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      writer_->Prepare("INSERT INTO read_audit (at_us, caller, role, "
                       "authority, method, query, staff_ids) VALUES (?1, ?2, "
                       "?3, ?4, ?5, ?6, ?7)"));
  stmt->Bind(1, absl::ToUnixMicros(e.at))
      .Bind(2, e.caller)
      .Bind(3, e.role)
      .Bind(4, e.authority)
      .Bind(5, e.method)
      .Bind(6, e.query)
      .Bind(7, absl::StrJoin(e.staff_ids, ";"));
  return stmt->Run();
}

absl::StatusOr<std::vector<WorkforceReadAudit>>
SqliteWorkforceStore::ListReadAudit(absl::string_view authority,
                                    const ReadAuditQuery& query) {
  absl::MutexLock lock(&read_mu_);
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      reader_->Prepare(ReadAuditSelectSql(
          "at_us, caller, role, authority, method, query, staff_ids, id", "''",
          "staff_ids")));
  SGM_RETURN_IF_ERROR(BindReadAuditQuery(*stmt, authority, query));
  std::vector<WorkforceReadAudit> out;
  SGM_RETURN_IF_ERROR(
      ForEachRow(stmt, [&](const SqliteStatement& s) -> absl::Status {
        WorkforceReadAudit& e = out.emplace_back();
        e.at = absl::FromUnixMicros(s.ColumnInt(0));
        e.caller = s.ColumnText(1);
        e.role = s.ColumnText(2);
        e.authority = s.ColumnText(3);
        e.method = s.ColumnText(4);
        e.query = s.ColumnText(5);
        const std::string ids = s.ColumnText(6);
        if (!ids.empty()) e.staff_ids = absl::StrSplit(ids, ';');
        e.id = s.ColumnInt(7);
        return absl::OkStatus();
      }));
  return out;
}

absl::Status SqliteWorkforceStore::CheckHealth() {
  {
    absl::MutexLock lock(&write_mu_);
    SGM_RETURN_IF_ERROR(writer_->CheckHealth());
  }
  absl::MutexLock lock(&read_mu_);
  return reader_->CheckHealth();
}

}  // namespace sgm::workforce
