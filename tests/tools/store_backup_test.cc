// Online backups of a store (sgm admin backup / verify): a consistent copy
// taken while the service imports, holding everything it had acknowledged.
#include "tools/sgm/store_backup.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/sqlite_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/contact_store.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"

namespace sgm::cli {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::sgm::intake::v1;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

intake::NewContact MakeContact(int n) {
  intake::NewContact c;
  c.record.agency = "POLICE";
  c.record.source_record_id = absl::StrCat("R", n);
  c.record.received_at = absl::FromCivil(
      absl::CivilSecond(2024, 3, 1 + n % 28, 10, 0, 0), absl::UTCTimeZone());
  c.record.child_id = absl::StrCat("CH", n % 7);
  c.record.child_dob = absl::CivilDay(2015, 4, 1);
  c.record.source_code = "6";
  c.record.primary_need = "N1";
  c.record.concerns = {"NEGLECT"};
  c.record.referrer_org = "Constabulary";
  c.record.summary = absl::StrCat("Synthetic summary ", n);
  c.received_on = absl::CivilDay(2024, 3, 1 + n % 28);
  return c;
}

TEST(StoreBackupTest, TheCopyOfAStoreInUseHoldsTheSameRows) {
  testing::TempDir dir("sgm-backup");
  const std::string source = dir.File("intake.db");
  const std::string copy = dir.File("copy.db");
  auto store = intake::SqliteContactStore::Open(source);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<intake::NewContact> contacts;
  for (int n = 1; n <= 200; ++n) contacts.push_back(MakeContact(n));
  ASSERT_TRUE((*store)->InsertContacts("831", contacts).ok());

  // The store stays open, as a running service holds it.
  ASSERT_TRUE(BackupStore(source, copy).ok());

  int version = -1;
  absl::StatusOr<std::string> check = VerifyStore(copy, &version);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(*check, "ok");
  int source_version = -2;
  ASSERT_TRUE(VerifyStore(source, &source_version).ok());
  EXPECT_EQ(version, source_version);
  EXPECT_GE(version, 1);

  auto restored = intake::SqliteContactStore::Open(copy);
  ASSERT_TRUE(restored.ok()) << restored.status();
  auto want = (*store)->ListContacts("831", {}, 0, 1000);
  auto got = (*restored)->ListContacts("831", {}, 0, 1000);
  ASSERT_TRUE(want.ok() && got.ok());
  ASSERT_EQ(got->size(), 200u);
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < got->size(); ++i) {
    EXPECT_EQ((*got)[i].id, (*want)[i].id);
    EXPECT_TRUE((*got)[i].record == (*want)[i].record) << i;
    EXPECT_EQ((*got)[i].received_on, (*want)[i].received_on);
  }
  auto generation = (*restored)->Generation("831");
  ASSERT_TRUE(generation.ok());
  EXPECT_EQ(*generation, *(*store)->Generation("831"));
  // Child-level data: the copy is readable by its owner only.
  EXPECT_EQ(
      std::filesystem::status(copy).permissions(),
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// A feed of `kFeedRows` contacts with ids F<feed>-<n>.
constexpr int kFeedRows = 20;
std::string Feed(int feed) {
  std::string text =
      "source_record_id,received_at,child_id,source_code,primary_need\n";
  for (int n = 1; n <= kFeedRows; ++n) {
    absl::StrAppend(&text, "F", feed, "-", n, ",2024-06-03T09:00:00+01:00,CH",
                    n, ",6,N1\n");
  }
  return text;
}

TEST(StoreBackupTest, ABackupTakenWhileImportsRunHoldsEveryAcknowledgedFeed) {
  testing::TestCluster::Options options;
  options.with_redis = false;
  auto cluster = testing::TestCluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto stub = v1::IntakeService::NewStub((*cluster)->gateway_channel());
  const std::string source = (*cluster)->dir() + "/intake.db";
  testing::TempDir backup_dir("sgm-backup");
  const std::string copy = backup_dir.File("intake-backup.db");

  // Some bulk first, so that the copy has pages to go through.
  {
    std::string bulk =
        "source_record_id,received_at,child_id,source_code,primary_need\n";
    for (int n = 1; n <= 5000; ++n) {
      absl::StrAppend(&bulk, "BULK-", n, ",2024-06-03T09:00:00+01:00,CH", n,
                      ",6,N1\n");
    }
    v1::ImportContactsResponse response;
    ASSERT_TRUE(
        testing::SendContacts(
            *stub,
            testing::TestCluster::ContextFor(testing::kPractitionerToken).get(),
            bulk, "POLICE", &response)
            .ok());
    ASSERT_EQ(response.summary().accepted(), 5000);
  }

  // Feeds 0, 1, 2, ... one after another; a feed is acknowledged when its
  // import answered OK with every record accepted.
  absl::Mutex mu;
  std::vector<int> acknowledged;  // guarded by mu
  std::string failure;            // guarded by mu
  std::atomic<bool> stop{false};
  std::thread importer([&] {
    for (int feed = 0; !stop.load(); ++feed) {
      v1::ImportContactsResponse response;
      const grpc::Status status = testing::SendContacts(
          *stub,
          testing::TestCluster::ContextFor(testing::kPractitionerToken).get(),
          Feed(feed), "POLICE", &response);
      absl::MutexLock lock(&mu);
      if (!status.ok() || response.summary().accepted() != kFeedRows) {
        failure = absl::StrCat("feed ", feed, ": ", status.error_message(),
                               ", accepted ", response.summary().accepted());
        return;
      }
      acknowledged.push_back(feed);
    }
  });
  auto acknowledged_count = [&] {
    absl::MutexLock lock(&mu);
    return acknowledged.size();
  };
  auto wait_for = [&](size_t count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (acknowledged_count() < count && absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu);
        if (!failure.empty()) return;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
  };

  wait_for(3);
  std::vector<int> before;
  {
    absl::MutexLock lock(&mu);
    before = acknowledged;
  }
  const absl::Status backup = BackupStore(source, copy);
  const size_t after_backup = acknowledged_count();
  // The imports go on after the copy, so they ran all through it.
  wait_for(after_backup + 2);
  stop = true;
  importer.join();
  {
    absl::MutexLock lock(&mu);
    ASSERT_TRUE(failure.empty()) << failure;
    ASSERT_GE(acknowledged.size(), after_backup + 2);
  }
  ASSERT_TRUE(backup.ok()) << backup;
  ASSERT_GE(before.size(), 3u);

  absl::StatusOr<std::string> check = VerifyStore(copy);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(*check, "ok");
  auto restored = intake::SqliteContactStore::Open(copy);
  ASSERT_TRUE(restored.ok()) << restored.status();
  ASSERT_TRUE((*restored)->CheckHealth().ok());
  int missing = 0;
  for (int feed : before) {
    for (int n = 1; n <= kFeedRows; ++n) {
      auto contact = (*restored)->GetContact(
          "831", absl::StrCat("POLICE:F", feed, "-", n));
      if (!contact.ok() && ++missing <= 5) {
        ADD_FAILURE() << "F" << feed << "-" << n << ": " << contact.status();
      }
    }
  }
  EXPECT_EQ(missing, 0) << "records of acknowledged feeds missing";
  // A snapshot: every feed (one transaction each) is in whole or not at all.
  for (int feed = 0; feed < static_cast<int>(after_backup) + 2; ++feed) {
    int present = 0;
    for (int n = 1; n <= kFeedRows; ++n) {
      present +=
          (*restored)
                  ->GetContact("831", absl::StrCat("POLICE:F", feed, "-", n))
                  .ok()
              ? 1
              : 0;
    }
    EXPECT_TRUE(present == 0 || present == kFeedRows)
        << "feed " << feed << ": " << present << " of " << kFeedRows;
  }
}

TEST(StoreBackupTest, FinishesWhileAnotherConnectionWritesWithoutPause) {
  testing::TempDir dir("sgm-backup");
  const std::string source = dir.File("busy.db");
  SqliteDatabase::Options options;
  options.path = source;
  options.migrations = {{1, "CREATE TABLE t (batch INTEGER, pad BLOB);"}};
  constexpr int kRowsPerBatch = 10;
  {
    // About 8 MB, so that copying takes many pages.
    auto db = SqliteDatabase::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)
                    ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                           "SELECT i + 1 FROM n WHERE i < 2000) "
                           "INSERT INTO t SELECT 0, randomblob(4000) FROM n")
                    .ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::thread writer([&] {
    auto db = SqliteDatabase::Open(options);
    if (!db.ok()) return;
    for (int batch = 1; !stop.load(); ++batch) {
      const absl::Status status = (*db)->InTransaction([&]() -> absl::Status {
        for (int i = 0; i < kRowsPerBatch; ++i) {
          absl::StatusOr<SqliteStatement*> insert =
              (*db)->Prepare("INSERT INTO t VALUES (?, randomblob(100))");
          if (!insert.ok()) return insert.status();
          absl::Status run = (*insert)->Bind(1, batch).Run();
          if (!run.ok()) return run;
        }
        return absl::OkStatus();
      });
      if (!status.ok()) return;
      ++batches;
    }
  });
  const absl::Time started = absl::Now();
  while (batches.load() < 5 && absl::Now() < started + absl::Seconds(30)) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (batches.load() < 5) {
    stop = true;
    writer.join();
    FAIL() << "the writer did not get going";
  }

  const std::string copy = dir.File("copy.db");
  absl::Status backup = absl::UnknownError("not run");
  absl::Notification done;
  std::thread backer([&] {
    backup = BackupStore(source, copy);
    done.Notify();
  });
  const bool in_time = done.WaitForNotificationWithTimeout(absl::Seconds(30));
  const int batches_during = batches.load();
  stop = true;  // a copy that restarts on every write ends once writes stop
  backer.join();
  writer.join();
  ASSERT_TRUE(backup.ok()) << backup;
  EXPECT_TRUE(in_time) << "the backup did not finish while writes went on";
  EXPECT_GT(batches_during, 5) << "the writer was held up";

  // One snapshot: whole transactions only.
  SqliteDatabase::Options copy_options;
  copy_options.path = copy;
  copy_options.read_only = true;
  auto restored = SqliteDatabase::Open(copy_options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  auto count = (*restored)->Prepare("SELECT count(*) FROM t WHERE batch > 0");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*(*count)->Step());
  EXPECT_EQ((*count)->ColumnInt(0) % kRowsPerBatch, 0);
}

TEST(StoreBackupTest, NeverOverwritesAndNeedsASource) {
  testing::TempDir dir("sgm-backup");
  const std::string source = dir.File("intake.db");
  ASSERT_TRUE(intake::SqliteContactStore::Open(source).ok());
  const std::string existing = dir.File("existing.db");
  std::ofstream(existing) << "precious";

  const absl::Status exists = BackupStore(source, existing);
  EXPECT_EQ(exists.code(), absl::StatusCode::kAlreadyExists) << exists;
  EXPECT_EQ(ReadFile(existing), "precious");

  const std::string copy = dir.File("copy.db");
  const absl::Status missing = BackupStore(dir.File("nope.db"), copy);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
  EXPECT_THAT(missing.message(), HasSubstr("nope.db"));
  EXPECT_FALSE(Exists(copy));
  EXPECT_FALSE(Exists(dir.File("nope.db"))) << "the source is not created";

  EXPECT_EQ(VerifyStore(dir.File("nope.db")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(StoreBackupTest, BacksUpAStoreNewerThanThisBinary) {
  testing::TempDir dir("sgm-backup");
  const std::string source = dir.File("intake.db");
  {
    auto store = intake::SqliteContactStore::Open(source);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->InsertContacts("831", {MakeContact(1)}).ok());
  }
  {
    SqliteDatabase::Options options;
    options.path = source;
    // Open at the version the file has (no migration runs), then raise it.
    options.migrations = {{1, "SELECT 1"}, {2, "SELECT 1"}};
    auto db = SqliteDatabase::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 99").ok());
  }
  // The service would refuse it; a backup must not.
  EXPECT_EQ(intake::SqliteContactStore::Open(source).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::string copy = dir.File("copy.db");
  ASSERT_TRUE(BackupStore(source, copy).ok());
  int version = 0;
  absl::StatusOr<std::string> check = VerifyStore(copy, &version);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(*check, "ok");
  EXPECT_EQ(version, 99);
  int source_version = 0;
  ASSERT_TRUE(VerifyStore(source, &source_version).ok());
  EXPECT_EQ(source_version, 99) << "the source is left as it was";
}

TEST(StoreBackupTest, VerifyReportsDamage) {
  testing::TempDir dir("sgm-backup");
  const std::string path = dir.File("damaged.db");
  {
    SqliteDatabase::Options options;
    options.path = path;
    options.migrations = {{1,
                           "CREATE TABLE t (a TEXT);"
                           "CREATE INDEX t_a ON t (a);"}};
    auto db = SqliteDatabase::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)
                    ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                           "SELECT i + 1 FROM n WHERE i < 500) "
                           "INSERT INTO t SELECT printf('row %d', i) FROM n")
                    .ok());
    // Forget the index: its pages are left in the file, used by nothing.
    ASSERT_TRUE((*db)
                    ->Exec("PRAGMA writable_schema = ON;"
                           "DELETE FROM sqlite_master WHERE name = 't_a';"
                           "PRAGMA writable_schema = OFF;")
                    .ok());
  }
  absl::StatusOr<std::string> check = VerifyStore(path);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_NE(*check, "ok");
  EXPECT_THAT(*check, HasSubstr("never used"));

  const std::string junk = dir.File("junk.db");
  std::ofstream(junk) << std::string(8192, 'x');
  EXPECT_EQ(VerifyStore(junk).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(BackupStore(junk, dir.File("junk-copy.db")).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(Exists(dir.File("junk-copy.db")));
}

}  // namespace
}  // namespace sgm::cli
