#include "services/kpi/case_event_store.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/sqlite_database.h"
#include "common/store_generation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Every field of the event, compared one by one so a failure names it.
void ExpectSameEvent(const CaseEvent& got, const CaseEvent& want) {
  SCOPED_TRACE(want.event_id);
  EXPECT_EQ(got.event_id, want.event_id);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.child_id, want.child_id);
  EXPECT_EQ(got.child_dob, want.child_dob);
  EXPECT_EQ(got.ref_id, want.ref_id);
  EXPECT_EQ(got.parent_ref_id, want.parent_ref_id);
  EXPECT_EQ(got.event_date, want.event_date);
  EXPECT_EQ(got.source_code, want.source_code);
  EXPECT_EQ(got.primary_need, want.primary_need);
  EXPECT_EQ(got.category, want.category);
  EXPECT_EQ(got.outcome, want.outcome);
  EXPECT_EQ(got.worker_id, want.worker_id);
  EXPECT_EQ(got.team, want.team);
  EXPECT_EQ(got.long_term, want.long_term);
  EXPECT_EQ(got.visit_mode, want.visit_mode);
  EXPECT_EQ(got.seen_alone, want.seen_alone);
}

CaseEvent Referral(std::string id,
                   absl::CivilDay day = absl::CivilDay(2024, 3, 4),
                   std::string child = "CH1") {
  CaseEvent e;
  e.event_id = std::move(id);
  e.type = EventType::kReferral;
  e.child_id = std::move(child);
  e.child_dob = absl::CivilDay(2015, 4, 1);
  e.ref_id = "REF1";
  e.event_date = day;
  e.source_code = "6";
  e.primary_need = "N1";
  return e;
}

std::vector<CaseEvent> SortedById(std::vector<CaseEvent> events) {
  std::sort(events.begin(), events.end(),
            [](const CaseEvent& a, const CaseEvent& b) {
              return a.event_id < b.event_id;
            });
  return events;
}

KpiReadAudit Audit(std::string query, std::string authority = "831") {
  KpiReadAudit a;
  a.at = absl::FromUnixSeconds(1709546400);  // 2024-03-04 10:00 UTC
  a.caller = "test-practitioner";
  a.role = "practitioner";
  a.authority = std::move(authority);
  a.method = "ListIndicatorCases";
  a.query = std::move(query);
  a.child_ids = {"CH1", "CH2"};
  a.ref_ids = {"CP1", "CP2"};
  return a;
}

class CaseEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto store = SqliteCaseEventStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // A raw connection on the same file (at schema version 1 already, so the
  // placeholder migration is not run).
  std::unique_ptr<SqliteDatabase> RawDatabase() {
    SqliteDatabase::Options options;
    options.path = path_;
    options.migrations = {{1, ""}};
    auto db = SqliteDatabase::Open(options);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }

  std::vector<CaseEvent> Load(absl::string_view authority) {
    auto snapshot = store_->LoadEvents(authority);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    if (!snapshot.ok()) return {};
    return SortedById(std::move(snapshot->events));
  }

  testing::TempDir dir_;
  const std::string path_ = dir_.File("kpi.db");
  std::unique_ptr<SqliteCaseEventStore> store_;
};

TEST_F(CaseEventStoreTest, AcceptsThenTellsDuplicateFromConflict) {
  auto first = store_->InsertEvents("831", {Referral("E1")});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->outcomes, ElementsAre(EventWriteOutcome::kAccepted));
  EXPECT_GT(first->generation, 0);

  auto again = store_->InsertEvents("831", {Referral("E1")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->outcomes, ElementsAre(EventWriteOutcome::kDuplicate));
  EXPECT_EQ(again->generation, first->generation)
      << "nothing changed: no new generation";

  CaseEvent changed = Referral("E1");
  changed.primary_need = "N2";
  auto conflict = store_->InsertEvents("831", {changed});
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_THAT(conflict->outcomes, ElementsAre(EventWriteOutcome::kConflict));
  EXPECT_EQ(conflict->generation, first->generation);

  const std::vector<CaseEvent> stored = Load("831");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].primary_need, "N1") << "a conflict changes nothing";
}

TEST_F(CaseEventStoreTest, MixedBatchReportsEachEventInOrder) {
  ASSERT_TRUE(
      store_->InsertEvents("831", {Referral("E1"), Referral("E2")}).ok());
  CaseEvent changed = Referral("E2");
  changed.event_date = absl::CivilDay(2024, 3, 5);
  auto result =
      store_->InsertEvents("831", {Referral("E1"), changed, Referral("E3")});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->outcomes, ElementsAre(EventWriteOutcome::kDuplicate,
                                            EventWriteOutcome::kConflict,
                                            EventWriteOutcome::kAccepted));
  EXPECT_EQ(Load("831").size(), 3u);
}

TEST_F(CaseEventStoreTest, AnEventIdTwiceInOneBatchActsAsSentAfterTheFirst) {
  CaseEvent changed = Referral("E1");
  changed.source_code = "2A";
  auto result = store_->InsertEvents(
      "831", {Referral("E1"), Referral("E1"), changed, Referral("E2")});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(
      result->outcomes,
      ElementsAre(EventWriteOutcome::kAccepted, EventWriteOutcome::kDuplicate,
                  EventWriteOutcome::kConflict, EventWriteOutcome::kAccepted));
  const std::vector<CaseEvent> stored = Load("831");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].source_code, "6") << "the first copy is the one kept";
}

TEST_F(CaseEventStoreTest, RoundTripsEveryFieldWithOptionalsPresent) {
  CaseEvent visit;
  visit.event_id = "E-visit.1";
  visit.type = EventType::kCpVisit;
  visit.child_id = "CH_0001";
  visit.child_dob = absl::CivilDay(1969, 12, 31);  // a negative day number
  visit.ref_id = "CP1";
  visit.parent_ref_id = "REF1";
  visit.event_date = absl::CivilDay(2024, 2, 29);
  visit.source_code = "3A";
  visit.primary_need = "N4";
  visit.category = "NEG";
  visit.outcome = "CP_PLAN";
  visit.worker_id = "W-17";
  visit.team = "Assessment Team North, with a longer name past SSO";
  visit.long_term = true;
  visit.visit_mode = "FACE_TO_FACE";
  visit.seen_alone = true;

  CaseEvent closed;
  closed.event_id = "E-closed";
  closed.type = EventType::kCaseClosed;
  closed.child_id = "CH2";
  closed.ref_id = "REF2";
  closed.event_date = absl::CivilDay(2023, 12, 31);
  closed.outcome = "RC8";
  closed.long_term = false;
  closed.seen_alone = false;

  CaseEvent cin_visit;
  cin_visit.event_id = "E-cin-visit";
  cin_visit.type = EventType::kCinVisit;  // the last enum value
  cin_visit.child_id = "CH3";
  cin_visit.ref_id = "CIN3";
  cin_visit.event_date = absl::CivilDay(2024, 1, 2);
  cin_visit.visit_mode = "VIRTUAL";
  cin_visit.seen_alone = false;

  ASSERT_TRUE(store_->InsertEvents("831", {visit, closed, cin_visit}).ok());
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "as written" : "after reopening");
    const std::vector<CaseEvent> stored = Load("831");
    ASSERT_EQ(stored.size(), 3u);
    ExpectSameEvent(stored[0], cin_visit);
    ExpectSameEvent(stored[1], closed);
    ExpectSameEvent(stored[2], visit);
    ASSERT_TRUE(stored[1].long_term.has_value());
    EXPECT_FALSE(*stored[1].long_term) << "false is not absent";
    ASSERT_TRUE(stored[1].seen_alone.has_value());
    EXPECT_FALSE(*stored[1].seen_alone) << "false is not absent";
    ASSERT_TRUE(stored[0].seen_alone.has_value());
    EXPECT_FALSE(*stored[0].seen_alone) << "on the CIN visit too";
    Reopen();
  }
}

TEST_F(CaseEventStoreTest, RoundTripsAbsentOptionalsAndEmptyTexts) {
  CaseEvent bare;
  bare.event_id = "E1";
  bare.type = EventType::kClaStart;
  bare.child_id = "CH1";
  bare.ref_id = "CLA1";
  bare.event_date = absl::CivilDay(1970, 1, 1);  // day number 0

  ASSERT_TRUE(store_->InsertEvents("831", {bare}).ok());
  const std::vector<CaseEvent> stored = Load("831");
  ASSERT_EQ(stored.size(), 1u);
  ExpectSameEvent(stored[0], bare);
  EXPECT_FALSE(stored[0].child_dob.has_value());
  EXPECT_FALSE(stored[0].long_term.has_value());
  EXPECT_FALSE(stored[0].seen_alone.has_value());
  EXPECT_EQ(stored[0].parent_ref_id, "");
}

TEST_F(CaseEventStoreTest, RoundTripsDatesAcrossCenturies) {
  std::vector<CaseEvent> events;
  int i = 0;
  for (absl::CivilDay day(1899, 12, 25); day < absl::CivilDay(2101, 1, 10);
       day += 13) {
    CaseEvent e = Referral(absl::StrCat("E", 100000 + i++), day);
    e.child_dob = day - 4000;
    events.push_back(e);
  }
  for (absl::CivilDay day :
       {absl::CivilDay(2000, 2, 29), absl::CivilDay(1900, 2, 28),
        absl::CivilDay(1900, 3, 1), absl::CivilDay(2100, 3, 1),
        absl::CivilDay(1600, 1, 1), absl::CivilDay(2400, 12, 31)}) {
    events.push_back(Referral(absl::StrCat("E", 100000 + i++), day));
  }
  ASSERT_TRUE(store_->InsertEvents("831", events).ok());
  const std::vector<CaseEvent> stored = Load("831");
  ASSERT_EQ(stored.size(), events.size());
  for (size_t k = 0; k < events.size(); ++k) {
    EXPECT_EQ(stored[k].event_date, events[k].event_date);
    EXPECT_EQ(stored[k].child_dob, events[k].child_dob);
  }
}

TEST_F(CaseEventStoreTest, RoundTripsEveryEventType) {
  std::vector<CaseEvent> events;
  for (int t = 0; t <= static_cast<int>(EventType::kCinVisit); ++t) {
    CaseEvent e = Referral(absl::StrCat("E", 100 + t));
    e.type = static_cast<EventType>(t);
    events.push_back(e);
  }
  ASSERT_TRUE(store_->InsertEvents("831", events).ok());
  const std::vector<CaseEvent> stored = Load("831");
  ASSERT_EQ(stored.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(stored[i].type, events[i].type) << EventTypeName(events[i].type);
  }
}

TEST_F(CaseEventStoreTest, ATamperedEventTypeIsDataLoss) {
  ASSERT_TRUE(store_->InsertEvents("831", {Referral("E1")}).ok());
  std::unique_ptr<SqliteDatabase> raw = RawDatabase();
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->Exec("UPDATE case_events SET event_type = 99").ok());
  auto snapshot = store_->LoadEvents("831");
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(snapshot.status().message(), HasSubstr("'E1'"));
  EXPECT_THAT(snapshot.status().message(), HasSubstr("event_type 99"));
  // The failed read left no read transaction open: the next one starts and
  // sees the repair.
  ASSERT_TRUE(raw->Exec("UPDATE case_events SET event_type = 0").ok());
  EXPECT_EQ(Load("831").size(), 1u);
}

TEST_F(CaseEventStoreTest, AuthoritiesAreKeptApart) {
  auto a = store_->InsertEvents("831", {Referral("E1"), Referral("E2")});
  CaseEvent other = Referral("E1");
  other.child_id = "CH9";
  auto b = store_->InsertEvents("892", {other});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(b->outcomes, ElementsAre(EventWriteOutcome::kAccepted))
      << "the same event_id in another authority is another event";

  const std::vector<CaseEvent> mine = Load("831");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].child_id, "CH1");
  const std::vector<CaseEvent> theirs = Load("892");
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].child_id, "CH9");
  EXPECT_THAT(Load("999"), IsEmpty());

  EXPECT_EQ(*store_->Generation("831"), a->generation);
  EXPECT_EQ(*store_->Generation("892"), b->generation);
}

TEST_F(CaseEventStoreTest, GenerationIsZeroUntilWritten) {
  EXPECT_EQ(*store_->Generation("831"), 0);
  auto snapshot = store_->LoadEvents("831");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->generation, 0);
  EXPECT_THAT(snapshot->events, IsEmpty());

  auto empty = store_->InsertEvents("831", {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(empty->outcomes, IsEmpty());
  EXPECT_EQ(empty->generation, 0);
  EXPECT_EQ(*store_->Generation("831"), 0);
}

TEST_F(CaseEventStoreTest, GenerationRisesOnlyWhenSomethingIsAccepted) {
  auto first = store_->InsertEvents("831", {Referral("E1")});
  ASSERT_TRUE(first.ok());
  auto second = store_->InsertEvents("831", {Referral("E1"), Referral("E2")});
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->generation, first->generation)
      << "one accepted event is enough";
  auto duplicates =
      store_->InsertEvents("831", {Referral("E1"), Referral("E2")});
  ASSERT_TRUE(duplicates.ok());
  EXPECT_EQ(duplicates->generation, second->generation);
  EXPECT_EQ(*store_->Generation("831"), second->generation);

  auto snapshot = store_->LoadEvents("831");
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->generation, second->generation);
  EXPECT_EQ(snapshot->events.size(), 2u);
}

TEST_F(CaseEventStoreTest, CommittedWritesAndGenerationSurviveReopen) {
  auto written = store_->InsertEvents("831", {Referral("E1"), Referral("E2")});
  ASSERT_TRUE(written.ok());
  Reopen();
  EXPECT_EQ(*store_->Generation("831"), written->generation);
  auto snapshot = store_->LoadEvents("831");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->generation, written->generation);
  EXPECT_EQ(snapshot->events.size(), 2u);

  auto again = store_->InsertEvents("831", {Referral("E1"), Referral("E3")});
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again->outcomes, ElementsAre(EventWriteOutcome::kDuplicate,
                                           EventWriteOutcome::kAccepted));
  EXPECT_GT(again->generation, written->generation);
}

TEST_F(CaseEventStoreTest, ReadAuditListsNewestFirstPerAuthority) {
  ASSERT_TRUE(store_->AppendReadAudit(Audit("q=1")).ok());
  ASSERT_TRUE(store_->AppendReadAudit(Audit("q=other", "892")).ok());
  KpiReadAudit no_ids = Audit("q=2");
  no_ids.child_ids.clear();
  no_ids.ref_ids.clear();
  ASSERT_TRUE(store_->AppendReadAudit(no_ids).ok());
  ASSERT_TRUE(store_->AppendReadAudit(Audit("q=3")).ok());

  auto all = store_->ListReadAudit("831", 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].query, "q=3");
  EXPECT_EQ((*all)[1].query, "q=2");
  EXPECT_EQ((*all)[2].query, "q=1");
  const KpiReadAudit& newest = (*all)[0];
  const KpiReadAudit want = Audit("q=3");
  EXPECT_EQ(newest.at, want.at);
  EXPECT_EQ(newest.caller, want.caller);
  EXPECT_EQ(newest.role, want.role);
  EXPECT_EQ(newest.authority, "831");
  EXPECT_EQ(newest.method, want.method);
  EXPECT_THAT(newest.child_ids, ElementsAre("CH1", "CH2"));
  EXPECT_THAT(newest.ref_ids, ElementsAre("CP1", "CP2"));
  EXPECT_THAT((*all)[1].child_ids, IsEmpty());
  EXPECT_THAT((*all)[1].ref_ids, IsEmpty());

  auto two = store_->ListReadAudit("831", 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].query, "q=2");
  EXPECT_THAT(*store_->ListReadAudit("831", 0), IsEmpty());
  EXPECT_EQ(store_->ListReadAudit("831", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListReadAudit("892", 10)->size(), 1u);
}

TEST_F(CaseEventStoreTest, ReadAuditRefusesIdsThatWouldNotRoundTrip) {
  KpiReadAudit bad = Audit("q");
  bad.child_ids = {"CH1", "CH;2"};
  absl::Status status = store_->AppendReadAudit(bad);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("child_ids[1]"));
  bad = Audit("q");
  bad.ref_ids = {""};
  EXPECT_EQ(store_->AppendReadAudit(bad).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*store_->ListReadAudit("831", 10), IsEmpty());
}

TEST_F(CaseEventStoreTest, ReadAuditIsAppendOnlyEvenWithDirectSql) {
  ASSERT_TRUE(store_->AppendReadAudit(Audit("q=1")).ok());
  std::unique_ptr<SqliteDatabase> raw = RawDatabase();
  ASSERT_NE(raw, nullptr);
  absl::Status update = raw->Exec("UPDATE read_audit SET caller = 'x'");
  EXPECT_FALSE(update.ok());
  EXPECT_THAT(update.message(), HasSubstr("read_audit is append-only"));
  absl::Status remove = raw->Exec("DELETE FROM read_audit");
  EXPECT_FALSE(remove.ok());
  EXPECT_THAT(remove.message(), HasSubstr("read_audit is append-only"));
  auto listed = store_->ListReadAudit("831", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].caller, "test-practitioner");
}

TEST_F(CaseEventStoreTest, RefusesASchemaNewerThanTheBinary) {
  store_.reset();
  {
    std::unique_ptr<SqliteDatabase> raw = RawDatabase();
    ASSERT_NE(raw, nullptr);
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 2").ok());
  }
  auto store = SqliteCaseEventStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr(absl::StrCat("store ", path_,
                                     " has schema version 2, newer than "
                                     "this binary's 1")));
}

TEST_F(CaseEventStoreTest, CheckHealthIsOk) {
  EXPECT_TRUE(store_->CheckHealth().ok());
}

TEST(CaseEventContentHashTest, DiffersByAnyField) {
  const CaseEvent base = Referral("E1");
  EXPECT_EQ(ContentHash(base), ContentHash(Referral("E1")));
  std::vector<CaseEvent> changed;
  auto vary = [&](auto change) {
    CaseEvent e = base;
    change(e);
    changed.push_back(e);
  };
  vary([](CaseEvent& e) { e.event_id = "E2"; });
  vary([](CaseEvent& e) { e.type = EventType::kAssessmentStart; });
  vary([](CaseEvent& e) { e.child_id = "CH2"; });
  vary([](CaseEvent& e) { e.child_dob.reset(); });
  vary([](CaseEvent& e) { e.child_dob = absl::CivilDay(2015, 4, 2); });
  vary([](CaseEvent& e) { e.ref_id = "REF2"; });
  vary([](CaseEvent& e) { e.parent_ref_id = "P"; });
  vary([](CaseEvent& e) { e.event_date = absl::CivilDay(2024, 3, 5); });
  vary([](CaseEvent& e) { e.source_code = "2A"; });
  vary([](CaseEvent& e) { e.primary_need = "N2"; });
  vary([](CaseEvent& e) { e.category = "NEG"; });
  vary([](CaseEvent& e) { e.outcome = "RC1"; });
  vary([](CaseEvent& e) { e.worker_id = "W1"; });
  vary([](CaseEvent& e) { e.team = "T1"; });
  vary([](CaseEvent& e) { e.long_term = false; });
  vary([](CaseEvent& e) { e.long_term = true; });
  vary([](CaseEvent& e) { e.visit_mode = "VIRTUAL"; });
  vary([](CaseEvent& e) { e.seen_alone = false; });
  vary([](CaseEvent& e) { e.seen_alone = true; });
  for (size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(ContentHash(changed[i]), ContentHash(base)) << "change " << i;
  }
  // Field boundaries matter: "ab" + "" differs from "a" + "b".
  CaseEvent c = base, d = base;
  c.worker_id = "ab";
  d.worker_id = "a";
  d.team = "b";
  EXPECT_NE(ContentHash(c), ContentHash(d));
}

// The shared store pieces (common/store_generation.h), on a bare database.
class StoreGenerationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteDatabase::Options options;
    options.path = dir_.File("generations.db");
    options.migrations = {
        {1, absl::StrCat(kGenerationsTableSql, "CREATE TABLE log (x TEXT);\n",
                         AppendOnlyTriggersSql("log"))}};
    auto db = SqliteDatabase::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  testing::TempDir dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(StoreGenerationTest, BumpIsAtLeastNowAndAlwaysRises) {
  EXPECT_EQ(*ReadGeneration(*db_, "831"), 0);
  const int64_t before_us = absl::ToUnixMicros(absl::Now());
  auto first = BumpGeneration(*db_, "831");
  ASSERT_TRUE(first.ok()) << first.status();
  // SQLite's clock counts milliseconds.
  EXPECT_GE(*first, before_us - 1000);
  int64_t last = *first;
  for (int i = 0; i < 5; ++i) {
    auto next = BumpGeneration(*db_, "831");
    ASSERT_TRUE(next.ok());
    EXPECT_GT(*next, last);
    last = *next;
  }
  EXPECT_EQ(*ReadGeneration(*db_, "831"), last);
  EXPECT_EQ(*ReadGeneration(*db_, "892"), 0);

  // Set far in the future (e.g. a clock that ran fast): still + 1.
  ASSERT_TRUE(
      db_->Exec("UPDATE generations SET generation = 9000000000000000000")
          .ok());
  EXPECT_EQ(*BumpGeneration(*db_, "831"), 9000000000000000001);
}

TEST_F(StoreGenerationTest, AppendOnlyTriggersNameTheTable) {
  ASSERT_TRUE(db_->Exec("INSERT INTO log VALUES ('a')").ok());
  absl::Status update = db_->Exec("UPDATE log SET x = 'b'");
  EXPECT_EQ(update.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(update.message(), HasSubstr("log is append-only"));
  EXPECT_THAT(db_->Exec("DELETE FROM log").message(),
              HasSubstr("log is append-only"));
}

}  // namespace
}  // namespace sgm::kpi
