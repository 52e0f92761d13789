#include "common/sqlite_database.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace sgm {
namespace {

// SQL quoted in error messages: whitespace runs collapsed, at most ~200
// bytes, cut on a UTF-8 character boundary. Statements carry placeholders,
// never the bound values, so no record data reaches a message.
std::string SqlForMessage(absl::string_view sql) {
  constexpr size_t kMaxBytes = 200;
  std::string out;
  out.reserve(std::min(sql.size(), kMaxBytes + 3));
  bool in_space = false;
  for (char c : absl::StripAsciiWhitespace(sql)) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
    if (out.size() > kMaxBytes) break;
  }
  if (out.size() > kMaxBytes) {
    size_t cut = kMaxBytes;
    // Back off continuation bytes (10xxxxxx) so a character is not split.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out.resize(cut);
    out += "...";
  }
  return out;
}

absl::StatusCode CodeForSqliteResult(int rc) {
  if (rc == SQLITE_READONLY_DBMOVED) {
    return absl::StatusCode::kUnavailable;  // the file was deleted or moved
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kInternal;
  }
}

// "<context>: <message> (SQLite result code N: <description>) in SQL: <sql>"
// with the parts that are empty left out.
absl::Status SqliteError(int rc, absl::string_view context,
                         absl::string_view message, absl::string_view sql) {
  std::string text(context);
  if (!text.empty()) text += ": ";
  absl::StrAppend(&text, message.empty() ? sqlite3_errstr(rc) : message,
                  " (SQLite result code ", rc, ": ", sqlite3_errstr(rc), ")");
  if (!sql.empty()) absl::StrAppend(&text, " in SQL: ", SqlForMessage(sql));
  return absl::Status(CodeForSqliteResult(rc), text);
}

// The error `rc` from a call on `db`, with the connection's message.
absl::Status ConnectionError(sqlite3* db, int rc, absl::string_view context,
                             absl::string_view sql) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : nullptr;
  return SqliteError(rc, context, message != nullptr ? message : "", sql);
}

// The same error with `prefix: ` in front of its message.
absl::Status Annotate(const absl::Status& status, absl::string_view prefix) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(prefix, ": ", status.message()));
}

// Runs a one-off statement and returns every row's first column as text.
absl::StatusOr<std::vector<std::string>> QueryColumn(sqlite3* db,
                                                     const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = ConnectionError(db, rc, "preparing", sql);
    sqlite3_finalize(stmt);
    return status;
  }
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    const int size = sqlite3_column_bytes(stmt, 0);
    rows.emplace_back(
        text != nullptr ? reinterpret_cast<const char*>(text) : "",
        text != nullptr ? static_cast<size_t>(size) : 0);
  }
  absl::Status status = rc == SQLITE_DONE
                            ? absl::OkStatus()
                            : ConnectionError(db, rc, "running", sql);
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<int> ReadUserVersion(sqlite3* db) {
  SGM_ASSIGN_OR_RETURN(std::vector<std::string> rows,
                       QueryColumn(db, "PRAGMA user_version"));
  int version = 0;
  if (rows.size() != 1 || !absl::SimpleAtoi(rows[0], &version)) {
    return absl::InternalError("PRAGMA user_version returned no number");
  }
  return version;
}

bool IsBusy(int rc) {
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

void RemoveDatabaseFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    ::unlink(absl::StrCat(path, suffix).c_str());
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// SqliteStatement

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, absl::string_view text) {
  // A non-null pointer even for an empty view, so "" binds as '' not NULL.
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(),
                          text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
  return *this;
}

absl::StatusOr<bool> SqliteStatement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return SqliteError(bind_error_,
                       absl::StrCat("binding parameter ", bind_error_index_),
                       "", sql_);
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    // Ends the statement's read of the database now rather than at the next
    // Prepare; bindings stay, and stepping again runs it again as before.
    sqlite3_reset(stmt_);
    return false;
  }
  absl::Status status = Error(rc);
  sqlite3_reset(stmt_);
  return status;
}

absl::Status SqliteStatement::Run() {
  while (true) {
    SGM_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
  bind_error_index_ = 0;
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::ColumnInt(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string SqliteStatement::ColumnText(int column) const {
  return std::string(ColumnTextView(column));
}

absl::string_view SqliteStatement::ColumnTextView(int column) const {
  // sqlite3_column_text first, then _bytes: the documented safe order.
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return absl::string_view();
  const int size = sqlite3_column_bytes(stmt_, column);
  return absl::string_view(reinterpret_cast<const char*>(text),
                           static_cast<size_t>(size));
}

absl::Status SqliteStatement::Error(int rc) const {
  return ConnectionError(db_, rc, "", sql_);
}

// ---------------------------------------------------------------------------
// SqliteDatabase

absl::StatusOr<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(
    const Options& options) {
  const std::string where = absl::StrCat("store ", options.path);
  if (options.read_only) {
    // Without SQLITE_OPEN_CREATE a missing file is SQLITE_CANTOPEN, which
    // reads as UNAVAILABLE; say plainly that there is no such file.
    struct stat st;
    if (::stat(options.path.c_str(), &st) != 0) {
      const int error = errno;
      const std::string message =
          absl::StrCat("opening ", where, " read-only: ", std::strerror(error));
      return error == ENOENT ? absl::NotFoundError(message)
                             : absl::UnavailableError(message);
    }
  }
  const int flags =
      options.read_only
          ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        ConnectionError(raw, rc, absl::StrCat("opening ", where), "");
    sqlite3_close_v2(raw);  // a handle is returned even on most failures
    return status;
  }
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(raw, options.path));
  SGM_RETURN_IF_ERROR(Annotate(
      db->Configure(options.busy_timeout_ms, options.read_only), where));
  if (options.read_only) {
    // sqlite3_open_v2 reads nothing: find out now that the file is a
    // database (DATA_LOSS when it is not).
    SGM_RETURN_IF_ERROR(Annotate(ReadUserVersion(db->db_).status(), where));
  } else {
    SGM_RETURN_IF_ERROR(db->Migrate(options.migrations));
  }

  struct stat st;
  if (::stat(db->path_.c_str(), &st) == 0) {
    db->has_file_identity_ = true;
    db->file_device_ = static_cast<uint64_t>(st.st_dev);
    db->file_inode_ = static_cast<uint64_t>(st.st_ino);
  }
  return db;
}

absl::Status SqliteDatabase::Configure(int busy_timeout_ms, bool read_only) {
  sqlite3_extended_result_codes(db_, 1);
  busy_timeout_ms_ = busy_timeout_ms;
  sqlite3_busy_timeout(db_, busy_timeout_ms);

  if (!read_only) {
    SGM_ASSIGN_OR_RETURN(std::vector<std::string> mode,
                         QueryColumn(db_, "PRAGMA journal_mode=WAL"));
    const std::string got = mode.empty() ? "" : absl::AsciiStrToLower(mode[0]);
    // An in-memory database cannot use WAL and has nothing to make durable.
    const bool in_memory = path_ == ":memory:" && got == "memory";
    if (got != "wal" && !in_memory) {
      return absl::FailedPreconditionError(absl::StrCat(
          "PRAGMA journal_mode=WAL left the journal mode '", got,
          "'; the store needs WAL (is the file on a network filesystem?)"));
    }
    SGM_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
  }
  SGM_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON"));
  return absl::OkStatus();
}

absl::Status SqliteDatabase::Migrate(const std::vector<Migration>& migrations) {
  const std::string where = absl::StrCat("store ", path_);
  for (size_t i = 0; i < migrations.size(); ++i) {
    const int expected = static_cast<int>(i) + 1;
    if (migrations[i].version != expected) {
      return absl::InternalError(absl::StrCat(
          where, ": migration ", i + 1, " of ", migrations.size(),
          " has version ", migrations[i].version, "; expected ", expected,
          " (versions must run 1, 2, 3, ... with no gaps)"));
    }
  }
  const int latest = static_cast<int>(migrations.size());
  absl::StatusOr<int> current = ReadUserVersion(db_);
  if (!current.ok()) return Annotate(current.status(), where);
  if (*current > latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", path_, " has schema version ", *current,
        ", newer than this binary's ", latest, "; refusing to open"));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    absl::Status status = InTransaction([&]() -> absl::Status {
      // Another connection may have applied it since the read above; the
      // write lock taken by BEGIN IMMEDIATE makes this check final.
      SGM_ASSIGN_OR_RETURN(const int now, ReadUserVersion(db_));
      if (now >= migration.version) return absl::OkStatus();
      SGM_RETURN_IF_ERROR(Exec(migration.sql));
      return Exec(absl::StrCat("PRAGMA user_version = ", migration.version));
    });
    if (!status.ok()) {
      return Annotate(status,
                      absl::StrCat(where, ": migration to schema version ",
                                   migration.version, " failed"));
    }
  }
  return absl::OkStatus();
}

SqliteDatabase::~SqliteDatabase() {
  statements_.clear();  // finalizes every cached statement
  sqlite3_close_v2(db_);
}

absl::StatusOr<SqliteStatement*> SqliteDatabase::Prepare(
    absl::string_view sql) {
  std::string key(sql);
  if (auto it = statements_.find(key); it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  // The length includes the terminating NUL, which saves SQLite a copy.
  int rc =
      sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size() + 1),
                         SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    absl::Status status = ConnectionError(db_, rc, "preparing", key);
    sqlite3_finalize(stmt);
    return status;
  }
  if (stmt == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "preparing: no SQL statement in \"", SqlForMessage(key), "\""));
  }
  // Anything after the first statement other than whitespace and comments
  // would be silently ignored by SQLite: refuse it.
  if (tail != nullptr && *tail != '\0') {
    sqlite3_stmt* next = nullptr;
    rc = sqlite3_prepare_v2(db_, tail, -1, &next, nullptr);
    sqlite3_finalize(next);
    if (rc != SQLITE_OK || next != nullptr) {
      sqlite3_finalize(stmt);
      return absl::InvalidArgumentError(
          absl::StrCat("preparing: Prepare takes one statement; use Exec for "
                       "several, in \"",
                       SqlForMessage(key), "\""));
    }
  }
  auto statement =
      std::unique_ptr<SqliteStatement>(new SqliteStatement(db_, stmt, key));
  SqliteStatement* result = statement.get();
  statements_.emplace(std::move(key), std::move(statement));
  return result;
}

absl::Status SqliteDatabase::Exec(absl::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return absl::OkStatus();
  absl::Status status =
      SqliteError(rc, "", message != nullptr ? message : "", text);
  sqlite3_free(message);
  return status;
}

absl::Status SqliteDatabase::InTransaction(
    const std::function<absl::Status()>& fn) {
  if (sqlite3_get_autocommit(db_) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("store ", path_,
                     ": InTransaction called inside a transaction (nested "
                     "transactions are not supported)"));
  }
  SGM_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  absl::Status status = fn();
  if (status.ok()) {
    status = Exec("COMMIT");
    if (status.ok()) return status;
  }
  // SQLite may already have rolled back (e.g. after SQLITE_FULL).
  if (sqlite3_get_autocommit(db_) == 0) {
    absl::Status rollback = Exec("ROLLBACK");
    if (!rollback.ok()) {
      return absl::Status(status.code(), absl::StrCat(status.message(),
                                                      "; and ROLLBACK failed: ",
                                                      rollback.message()));
    }
  }
  return status;
}

int64_t SqliteDatabase::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int SqliteDatabase::Changes() const { return sqlite3_changes(db_); }

int SqliteDatabase::SchemaVersion() const {
  absl::StatusOr<int> version = ReadUserVersion(db_);
  return version.ok() ? *version : -1;
}

absl::Status SqliteDatabase::CheckHealth() {
  if (has_file_identity_) {
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0) {
      const int error = errno;
      return absl::UnavailableError(
          absl::StrCat("store ", path_,
                       ": the database file is gone: ", std::strerror(error)));
    }
    if (static_cast<uint64_t>(st.st_dev) != file_device_ ||
        static_cast<uint64_t>(st.st_ino) != file_inode_) {
      return absl::UnavailableError(
          absl::StrCat("store ", path_,
                       ": the database file was replaced since it was opened"));
    }
  }
  absl::StatusOr<SqliteStatement*> statement =
      Prepare("SELECT count(*) FROM sqlite_master");
  if (!statement.ok()) {
    return Annotate(statement.status(), absl::StrCat("store ", path_));
  }
  absl::StatusOr<bool> row = (*statement)->Step();
  (*statement)->Reset();
  if (!row.ok()) return Annotate(row.status(), absl::StrCat("store ", path_));
  if (!*row) {
    return absl::InternalError(
        absl::StrCat("store ", path_, ": SELECT count(*) returned no row"));
  }
  return absl::OkStatus();
}

absl::Status SqliteDatabase::BackupTo(const std::string& dest_path) {
  const std::string where =
      absl::StrCat("backing up store ", path_, " to ", dest_path);
  struct stat st;
  if (::stat(dest_path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(where, ": the destination already exists"));
  }
  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(
      dest_path.c_str(), &dest,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  // From here on a failure leaves no partial copy behind.
  auto fail = [&](absl::Status status) {
    sqlite3_close_v2(dest);
    RemoveDatabaseFiles(dest_path);
    return Annotate(status, where);
  };
  if (rc != SQLITE_OK) return fail(ConnectionError(dest, rc, "opening", ""));
  sqlite3_extended_result_codes(dest, 1);
  sqlite3_busy_timeout(dest, busy_timeout_ms_);

  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", db_, "main");
  if (backup == nullptr) {
    return fail(
        ConnectionError(dest, sqlite3_extended_errcode(dest), "starting", ""));
  }
  // Every page in one step: the copy is one read transaction on the
  // source, so it is one consistent snapshot. Copying in parts would release
  // the read lock between steps, and a write by any other connection (the
  // service, during an online backup) would restart the copy from the
  // start, for ever on a busy store. In WAL mode the reader holds up no
  // writer.
  constexpr int kAllPages = -1;
  constexpr int kPauseMs = 10;
  int waited_ms = 0;
  do {
    rc = sqlite3_backup_step(backup, kAllPages);
    if (IsBusy(rc) && waited_ms < busy_timeout_ms_) {
      sqlite3_sleep(kPauseMs);
      waited_ms += kPauseMs;
      rc = SQLITE_OK;
    }
  } while (rc == SQLITE_OK);
  const int finish_rc = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return fail(ConnectionError(dest, rc, "copying", ""));
  if (finish_rc != SQLITE_OK) {
    return fail(ConnectionError(dest, finish_rc, "finishing", ""));
  }

  absl::StatusOr<std::vector<std::string>> check =
      QueryColumn(dest, "PRAGMA integrity_check");
  if (!check.ok()) return fail(check.status());
  if (check->size() != 1 || (*check)[0] != "ok") {
    check->resize(std::min<size_t>(check->size(), 5));
    return fail(absl::DataLossError(
        absl::StrCat("the copy fails PRAGMA integrity_check: ",
                     absl::StrJoin(*check, "; "))));
  }
  rc = sqlite3_close(dest);
  if (rc != SQLITE_OK) {
    return fail(ConnectionError(dest, rc, "closing the copy", ""));
  }
  return absl::OkStatus();
}

}  // namespace sgm
