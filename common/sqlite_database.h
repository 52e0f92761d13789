// SQLite plumbing for the services' stores: WAL, synchronous=FULL,
// forward-only versioned migrations, cached prepared statements, and
// transactions. A SqliteDatabase is one connection and is not thread-safe:
// a store serialises its use (e.g. a mutex per connection).
#ifndef SGM_COMMON_SQLITE_DATABASE_H_
#define SGM_COMMON_SQLITE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sgm {

// One step of a store's schema. Versions start at 1 and increase by 1; the
// database's PRAGMA user_version records the last one applied.
struct Migration {
  int version;
  std::string sql;  // may hold several statements
};

// A prepared statement owned by its SqliteDatabase. Bind indexes are 1-based,
// column indexes 0-based (as in SQLite).
class SqliteStatement {
 public:
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, double value);
  SqliteStatement& Bind(int index, absl::string_view text);  // copied
  // Any other integer (int, bool, size_t, ...): as Bind(index, int64_t),
  // which a plain `int` argument could not pick over the double overload.
  template <typename T,
            typename std::enable_if_t<std::is_integral_v<T>, int> = 0>
  SqliteStatement& Bind(int index, T value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  SqliteStatement& BindNull(int index);

  // Advances: true when a row is ready to read, false when done. Errors
  // carry SQLite's message and the statement's SQL; a failed Bind is
  // reported by the next Step.
  absl::StatusOr<bool> Step();
  // Steps to the end, ignoring rows.
  absl::Status Run();
  // Resets and clears the bindings so the statement can be reused.
  void Reset();

  bool IsNull(int column) const;
  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  // Valid until the next Step/Reset.
  absl::string_view ColumnTextView(int column) const;

 private:
  friend class SqliteDatabase;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  absl::Status Error(int rc) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  int bind_error_ = 0;  // first failed bind since the last Reset
  int bind_error_index_ = 0;
};

class SqliteDatabase {
 public:
  struct Options {
    std::string path;                   // created when missing
    std::vector<Migration> migrations;  // applied in order on open
    int busy_timeout_ms = 5000;
    // Opens an existing file for reading only (SQLITE_OPEN_READONLY), e.g.
    // to back up or check a store that a service has open, or one whose
    // schema is newer than this binary: `migrations` are neither applied
    // nor checked, and the journal mode is left as the file has it. A
    // missing file is NOT_FOUND; writes fail.
    bool read_only = false;
  };

  // Opens (creating when missing), sets WAL, synchronous=FULL and
  // foreign_keys=ON, and applies pending migrations each in a transaction.
  // FAILED_PRECONDITION when the file's schema is newer than `migrations`.
  // With `read_only`, see Options::read_only.
  static absl::StatusOr<std::unique_ptr<SqliteDatabase>> Open(
      const Options& options);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // The statement for `sql`, prepared once and cached; it comes back Reset.
  absl::StatusOr<SqliteStatement*> Prepare(absl::string_view sql);
  // Runs one or more statements without results.
  absl::Status Exec(absl::string_view sql);
  // BEGIN IMMEDIATE; fn(); COMMIT when fn returns OK, else ROLLBACK and
  // return fn's error. A commit is durable when this returns OK.
  absl::Status InTransaction(const std::function<absl::Status()>& fn);

  int64_t LastInsertRowId() const;
  int Changes() const;  // rows changed by the last statement
  int SchemaVersion() const;
  const std::string& path() const { return path_; }

  // A cheap check that the file is still usable (reads the schema).
  absl::Status CheckHealth();
  // Copies the live database to `dest_path` with SQLite's online backup API,
  // as one snapshot (a single read transaction, which in WAL mode does not
  // hold up writers of other connections), then runs PRAGMA integrity_check
  // on the copy. ALREADY_EXISTS when `dest_path` exists; a failure leaves no
  // partial copy.
  absl::Status BackupTo(const std::string& dest_path);

 private:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(path) {}
  absl::Status Migrate(const std::vector<Migration>& migrations);
  absl::Status Configure(int busy_timeout_ms, bool read_only);
  sqlite3* db_;
  std::string path_;
  int busy_timeout_ms_ = 5000;
  // The file opened, to tell in CheckHealth that it was deleted or replaced.
  bool has_file_identity_ = false;
  uint64_t file_device_ = 0;
  uint64_t file_inode_ = 0;
  absl::flat_hash_map<std::string, std::unique_ptr<SqliteStatement>>
      statements_;
};

}  // namespace sgm

#endif  // SGM_COMMON_SQLITE_DATABASE_H_
