#include "common/sqlite_database.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/sgm_sqlite_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/store.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::vector<Migration> Schema() {
    return {
        {1, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
        {2,
         "ALTER TABLE t ADD COLUMN note TEXT;"
         "CREATE TABLE log (entry TEXT);"
         "INSERT INTO log VALUES ('migration 2');"},
    };
  }

  absl::StatusOr<std::unique_ptr<SqliteDatabase>> Open(
      std::vector<Migration> migrations, int busy_timeout_ms = 5000) {
    SqliteDatabase::Options options;
    options.path = path_;
    options.migrations = std::move(migrations);
    options.busy_timeout_ms = busy_timeout_ms;
    return SqliteDatabase::Open(options);
  }

  std::unique_ptr<SqliteDatabase> OpenOrDie() {
    absl::StatusOr<std::unique_ptr<SqliteDatabase>> db = Open(Schema());
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }

  // The first column of the first row of `sql`, as text ("NULL" for null).
  static std::string QueryText(SqliteDatabase& db, absl::string_view sql) {
    absl::StatusOr<SqliteStatement*> stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status().ToString();
    absl::StatusOr<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status().ToString();
    if (!*row) return "<no row>";
    std::string out = (*stmt)->IsNull(0) ? "NULL" : (*stmt)->ColumnText(0);
    (*stmt)->Reset();
    return out;
  }

  static int64_t Count(SqliteDatabase& db, absl::string_view table) {
    absl::StatusOr<SqliteStatement*> stmt =
        db.Prepare(absl::StrCat("SELECT count(*) FROM ", table));
    EXPECT_TRUE(stmt.ok()) << stmt.status();
    if (!stmt.ok()) return -1;
    absl::StatusOr<bool> row = (*stmt)->Step();
    EXPECT_TRUE(row.ok() && *row);
    const int64_t n = (*stmt)->ColumnInt(0);
    (*stmt)->Reset();
    return n;
  }

  static absl::Status Insert(SqliteDatabase& db, int64_t id,
                             absl::string_view name) {
    absl::StatusOr<SqliteStatement*> stmt =
        db.Prepare("INSERT INTO t (id, name) VALUES (?1, ?2)");
    if (!stmt.ok()) return stmt.status();
    return (*stmt)->Bind(1, id).Bind(2, name).Run();
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteDatabaseTest, OpenCreatesTheFileInWalMode) {
  ASSERT_FALSE(std::filesystem::exists(path_));
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ(db->path(), path_);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(QueryText(*db, "PRAGMA busy_timeout"), "5000");
}

TEST_F(SqliteDatabaseTest, MigrationsAreAppliedOnceAndNotReapplied) {
  {
    std::unique_ptr<SqliteDatabase> db = OpenOrDie();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->SchemaVersion(), 2);
    EXPECT_EQ(Count(*db, "log"), 1);
  }
  {
    // Reopening with the same migrations changes nothing: migration 2's
    // INSERT would add a second row (and its ALTER TABLE would fail).
    std::unique_ptr<SqliteDatabase> db = OpenOrDie();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->SchemaVersion(), 2);
    EXPECT_EQ(Count(*db, "log"), 1);
  }
  {
    // A new migration is applied on its own.
    std::vector<Migration> migrations = Schema();
    migrations.push_back({3, "INSERT INTO log VALUES ('migration 3');"});
    absl::StatusOr<std::unique_ptr<SqliteDatabase>> db = Open(migrations);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ((*db)->SchemaVersion(), 3);
    EXPECT_EQ(Count(**db, "log"), 2);
  }
}

TEST_F(SqliteDatabaseTest, RefusesASchemaNewerThanTheBinary) {
  ASSERT_NE(OpenOrDie(), nullptr);  // now at version 2
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> db = Open({Schema()[0]});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(db.status().message(),
            absl::StrCat("store ", path_,
                         " has schema version 2, newer than this binary's 1; "
                         "refusing to open"));
}

TEST_F(SqliteDatabaseTest, MigrationVersionsMustRunFromOneWithoutGaps) {
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> gap =
      Open({{1, "CREATE TABLE a (x);"}, {3, "CREATE TABLE b (x);"}});
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(gap.status().message(), HasSubstr("has version 3"));

  absl::StatusOr<std::unique_ptr<SqliteDatabase>> from_zero =
      Open({{0, "CREATE TABLE a (x);"}});
  ASSERT_FALSE(from_zero.ok());
  EXPECT_EQ(from_zero.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(from_zero.status().message(), HasSubstr("has version 0"));
}

TEST_F(SqliteDatabaseTest, AFailedMigrationLeavesNothingOfItself) {
  std::vector<Migration> migrations = Schema();
  migrations.push_back(
      {3, "CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1);"});
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> failed = Open(migrations);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(),
              HasSubstr("migration to schema version 3 failed"));
  EXPECT_THAT(failed.status().message(), HasSubstr("no_such_table"));

  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->SchemaVersion(), 2);  // 1 and 2 committed, 3 rolled back
  EXPECT_EQ(
      QueryText(*db, "SELECT count(*) FROM sqlite_master WHERE name = 'half'"),
      "0");
}

TEST_F(SqliteDatabaseTest, BindsAndReadsEveryType) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(
      db->Exec("CREATE TABLE v (i INTEGER, d REAL, s TEXT, n TEXT)").ok());
  const std::string utf8 = "Zo\xC3\xAB \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC";
  const std::string with_nul("a\0b", 3);
  absl::StatusOr<SqliteStatement*> insert =
      db->Prepare("INSERT INTO v VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  ASSERT_TRUE((*insert)
                  ->Bind(1, std::numeric_limits<int64_t>::max())
                  .Bind(2, 2.5)
                  .Bind(3, utf8)
                  .BindNull(4)
                  .Run()
                  .ok());
  EXPECT_EQ(db->Changes(), 1);
  const int64_t first_rowid = db->LastInsertRowId();
  (*insert)->Reset();
  // A plain int picks the integer overload; "" binds as '' rather than NULL.
  ASSERT_TRUE((*insert)
                  ->Bind(1, -7)
                  .Bind(2, -0.125)
                  .Bind(3, with_nul)
                  .Bind(4, "")
                  .Run()
                  .ok());
  EXPECT_EQ(db->LastInsertRowId(), first_rowid + 1);

  absl::StatusOr<SqliteStatement*> select = db->Prepare(
      "SELECT i, d, s, n, typeof(i), typeof(n) FROM v ORDER BY rowid");
  ASSERT_TRUE(select.ok()) << select.status();
  SqliteStatement& s = **select;
  ASSERT_TRUE(*s.Step());
  EXPECT_EQ(s.ColumnInt(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(s.ColumnDouble(1), 2.5);
  EXPECT_EQ(s.ColumnText(2), utf8);
  EXPECT_EQ(s.ColumnTextView(2).size(), utf8.size());
  EXPECT_TRUE(s.IsNull(3));
  EXPECT_FALSE(s.IsNull(0));
  EXPECT_EQ(s.ColumnText(3), "");
  EXPECT_EQ(s.ColumnText(4), "integer");
  EXPECT_EQ(s.ColumnText(5), "null");
  ASSERT_TRUE(*s.Step());
  EXPECT_EQ(s.ColumnInt(0), -7);
  EXPECT_EQ(s.ColumnText(4), "integer");
  EXPECT_EQ(s.ColumnDouble(1), -0.125);
  EXPECT_EQ(s.ColumnText(2), with_nul);  // all three bytes
  EXPECT_EQ(s.ColumnTextView(2), absl::string_view(with_nul));
  EXPECT_FALSE(s.IsNull(3));
  EXPECT_EQ(s.ColumnText(5), "text");
  EXPECT_FALSE(*s.Step());
}

TEST_F(SqliteDatabaseTest, ABadBindIndexIsReportedByStep) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  absl::StatusOr<SqliteStatement*> stmt = db->Prepare("SELECT ?1");
  ASSERT_TRUE(stmt.ok());
  absl::StatusOr<bool> row = (*stmt)->Bind(5, int64_t{1}).Step();
  ASSERT_FALSE(row.ok());
  EXPECT_THAT(row.status().message(), HasSubstr("binding parameter 5"));
  EXPECT_THAT(row.status().message(), HasSubstr("SELECT ?1"));
  // Reset clears the failure.
  (*stmt)->Reset();
  row = (*stmt)->Bind(1, int64_t{1}).Step();
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_TRUE(*row);
}

TEST_F(SqliteDatabaseTest, TransactionRollsBackWhenTheFunctionFails) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  const absl::Status status = db->InTransaction([&]() -> absl::Status {
    absl::Status s = Insert(*db, 1, "one");
    if (!s.ok()) return s;
    s = Insert(*db, 2, "two");
    if (!s.ok()) return s;
    return absl::InvalidArgumentError("record 3 is bad");
  });
  EXPECT_EQ(status, absl::InvalidArgumentError("record 3 is bad"));
  EXPECT_EQ(Count(*db, "t"), 0);
}

TEST_F(SqliteDatabaseTest, ConstraintViolationRollsBackTheWholeTransaction) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  const absl::Status status = db->InTransaction([&]() -> absl::Status {
    absl::Status s = Insert(*db, 1, "one");
    if (!s.ok()) return s;
    return Insert(*db, 1, "one again");  // same primary key
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("UNIQUE constraint failed: t.id"));
  EXPECT_THAT(status.message(),
              HasSubstr("result code 1555"));  // _CONSTRAINT_PRIMARYKEY
  EXPECT_THAT(status.message(),
              HasSubstr("INSERT INTO t (id, name) VALUES (?1, ?2)"));
  EXPECT_EQ(Count(*db, "t"), 0);
  // The connection is usable afterwards.
  EXPECT_TRUE(db->InTransaction([&] { return Insert(*db, 1, "one"); }).ok());
  EXPECT_EQ(Count(*db, "t"), 1);
}

TEST_F(SqliteDatabaseTest, ForeignKeysAreEnforced) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(
      db->Exec("CREATE TABLE child (t_id INTEGER REFERENCES t(id))").ok());
  const absl::Status status =
      db->Exec("INSERT INTO child VALUES (42)");  // no t row 42
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("FOREIGN KEY constraint failed"));
}

TEST_F(SqliteDatabaseTest, NestedTransactionIsRefused) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  absl::Status inner;
  const absl::Status outer = db->InTransaction([&]() -> absl::Status {
    absl::Status s = Insert(*db, 1, "one");
    if (!s.ok()) return s;
    inner = db->InTransaction([&] { return Insert(*db, 2, "two"); });
    return inner;
  });
  EXPECT_EQ(inner.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(outer, inner);
  EXPECT_EQ(Count(*db, "t"), 0);
}

TEST_F(SqliteDatabaseTest, CommitIsDurableAcrossReopen) {
  {
    std::unique_ptr<SqliteDatabase> db = OpenOrDie();
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->InTransaction([&]() -> absl::Status {
                    for (int i = 1; i <= 3; ++i) {
                      absl::Status s = Insert(*db, i, absl::StrCat("n", i));
                      if (!s.ok()) return s;
                    }
                    return absl::OkStatus();
                  }).ok());
  }
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Count(*db, "t"), 3);
  EXPECT_EQ(QueryText(*db, "SELECT name FROM t WHERE id = 3"), "n3");
}

TEST_F(SqliteDatabaseTest,
       ASecondWriterGetsUnavailableWhileTheFirstHoldsTheLock) {
  std::unique_ptr<SqliteDatabase> first = OpenOrDie();
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> second =
      Open(Schema(), /*busy_timeout_ms=*/50);
  ASSERT_TRUE(second.ok()) << second.status();
  absl::Status blocked;
  ASSERT_TRUE(first
                  ->InTransaction([&]() -> absl::Status {
                    blocked = (*second)->InTransaction(
                        [&] { return Insert(**second, 1, "x"); });
                    return Insert(*first, 2, "y");
                  })
                  .ok());
  EXPECT_EQ(blocked.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(blocked.message(), HasSubstr("database is locked"));
  EXPECT_THAT(blocked.message(), HasSubstr("BEGIN IMMEDIATE"));
  EXPECT_EQ(Count(**second, "t"), 1);  // sees the first's commit
}

TEST_F(SqliteDatabaseTest, PrepareCachesAndReturnsTheStatementReset) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Insert(*db, i, "x").ok());
  const std::string sql = "SELECT id, ?1 FROM t ORDER BY id";
  absl::StatusOr<SqliteStatement*> first = db->Prepare(sql);
  ASSERT_TRUE(first.ok());
  (*first)->Bind(1, "bound");
  ASSERT_TRUE(*(*first)->Step());
  ASSERT_TRUE(*(*first)->Step());
  EXPECT_EQ((*first)->ColumnInt(0), 2);
  EXPECT_EQ((*first)->ColumnText(1), "bound");

  absl::StatusOr<SqliteStatement*> again = db->Prepare(sql);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);  // the same cached statement
  ASSERT_TRUE(*(*again)->Step());
  EXPECT_EQ((*again)->ColumnInt(0), 1);  // from the first row again
  EXPECT_TRUE((*again)->IsNull(1));      // bindings cleared

  absl::StatusOr<SqliteStatement*> other = db->Prepare("SELECT 1");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
}

TEST_F(SqliteDatabaseTest, PrepareRejectsBadOrMultipleStatements) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  absl::StatusOr<SqliteStatement*> missing =
      db->Prepare("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("no such table: no_such_table"));
  EXPECT_THAT(missing.status().message(),
              HasSubstr("in SQL: SELECT * FROM no_such_table"));

  absl::StatusOr<SqliteStatement*> two = db->Prepare("SELECT 1; SELECT 2");
  EXPECT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  // A trailing semicolon, whitespace or comment is fine.
  EXPECT_TRUE(db->Prepare("SELECT 1;  -- one\n").ok());
  EXPECT_EQ(db->Prepare("  ").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteDatabaseTest, LongSqlIsShortenedInErrors) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  std::string sql = "SELECT * FROM no_such_table WHERE\n  x IN (";
  for (int i = 0; i < 500; ++i) absl::StrAppend(&sql, i, ", ");
  sql += "0)";
  absl::StatusOr<SqliteStatement*> stmt = db->Prepare(sql);
  ASSERT_FALSE(stmt.ok());
  EXPECT_THAT(stmt.status().message(),
              HasSubstr("SELECT * FROM no_such_table WHERE x IN (0, 1, 2"));
  EXPECT_THAT(stmt.status().message(), HasSubstr("..."));
  EXPECT_THAT(stmt.status().message(), Not(HasSubstr("499")));
  EXPECT_LT(stmt.status().message().size(), 400u);
}

TEST_F(SqliteDatabaseTest, CheckHealthFailsOnceTheFileIsDeleted) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->CheckHealth().ok());
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  const absl::Status health = db->CheckHealth();
  EXPECT_EQ(health.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(health.message(), HasSubstr(path_));
}

TEST_F(SqliteDatabaseTest, CheckHealthFailsWhenTheFileIsReplaced) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  const std::string other = dir_ + "/other.db";
  std::ofstream(other) << "x";
  ASSERT_EQ(::rename(other.c_str(), path_.c_str()), 0);
  EXPECT_EQ(db->CheckHealth().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SqliteDatabaseTest, NotADatabaseIsDataLoss) {
  {
    std::ofstream file(path_, std::ios::binary);
    file << std::string(4096, 'z');
  }
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> db = Open(Schema());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(db.status().message(), HasSubstr(path_));
}

TEST_F(SqliteDatabaseTest, BackupCopiesEveryRow) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  // ~1.5 MB: several hundred pages, so the copy takes more than one step.
  constexpr int kRows = 5000;
  ASSERT_TRUE(db->InTransaction([&]() -> absl::Status {
                  for (int i = 1; i <= kRows; ++i) {
                    absl::Status s =
                        Insert(*db, i, absl::StrCat(i, std::string(300, 'r')));
                    if (!s.ok()) return s;
                  }
                  return absl::OkStatus();
                }).ok());
  const std::string copy = dir_ + "/copy.db";
  ASSERT_TRUE(db->BackupTo(copy).ok());
  // The source is still in use.
  ASSERT_TRUE(Insert(*db, kRows + 1, "after").ok());

  SqliteDatabase::Options options;
  options.path = copy;
  options.migrations = Schema();
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> restored =
      SqliteDatabase::Open(options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ((*restored)->SchemaVersion(), 2);
  EXPECT_EQ(Count(**restored, "t"), kRows);
  EXPECT_EQ(QueryText(**restored, "SELECT sum(id) FROM t"),
            absl::StrCat(kRows * (kRows + 1) / 2));
  EXPECT_EQ(QueryText(**restored, "SELECT name FROM t WHERE id = 4321"),
            absl::StrCat(4321, std::string(300, 'r')));
  EXPECT_EQ(Count(**restored, "log"), 1);
}

TEST_F(SqliteDatabaseTest, BackupRefusesAnExistingDestination) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  const std::string copy = dir_ + "/copy.db";
  std::ofstream(copy) << "keep me";
  const absl::Status status = db->BackupTo(copy);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  std::ifstream in(copy);
  std::string contents;
  std::getline(in, contents);
  EXPECT_EQ(contents, "keep me");
}

TEST_F(SqliteDatabaseTest, BackupToAnUnwritablePlaceFailsAndLeavesNothing) {
  std::unique_ptr<SqliteDatabase> db = OpenOrDie();
  ASSERT_NE(db, nullptr);
  const std::string copy = dir_ + "/no-such-dir/copy.db";
  const absl::Status status = db->BackupTo(copy);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);  // CANTOPEN
  EXPECT_THAT(status.message(), HasSubstr(copy));
  EXPECT_FALSE(std::filesystem::exists(copy));
}

TEST_F(SqliteDatabaseTest, InMemoryDatabaseOpens) {
  SqliteDatabase::Options options;
  options.path = ":memory:";
  options.migrations = Schema();
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> db =
      SqliteDatabase::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_TRUE(Insert(**db, 1, "x").ok());
  EXPECT_TRUE((*db)->CheckHealth().ok());
}

}  // namespace
}  // namespace sgm
