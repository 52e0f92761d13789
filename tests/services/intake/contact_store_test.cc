#include "services/intake/contact_store.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite3.h"
#include "tests/support/temp_dir.h"

namespace sgm::intake {
namespace {

using ::testing::ElementsAre;

absl::Time At(int y, int m, int d, int h = 10) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0),
                         absl::UTCTimeZone());
}

NewContact MakeContact(std::string id, absl::CivilDay day,
                       std::string child = "CH1") {
  NewContact c;
  c.record.agency = "POLICE";
  c.record.source_record_id = std::move(id);
  c.record.received_at = At(day.year(), day.month(), day.day());
  c.record.child_id = std::move(child);
  c.record.child_dob = absl::CivilDay(2015, 4, 1);
  c.record.source_code = "6";
  c.record.primary_need = "N1";
  c.record.concerns = {"DOMESTIC_ABUSE", "NEGLECT"};
  c.record.referrer_org = "Constabulary";
  c.record.summary = "Synthetic summary";
  c.received_on = day;
  return c;
}

NewDecision MakeDecision(std::string ref, absl::CivilDay day,
                         Outcome outcome = Outcome::kReferral) {
  NewDecision d;
  d.record.contact_ref = std::move(ref);
  d.record.decided_at = At(day.year(), day.month(), day.day(), 16);
  d.record.outcome = outcome;
  d.record.decided_by = "W1";
  d.decided_on = day;
  return d;
}

class ContactStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteContactStore::Open(dir_.File("intake.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  testing::TempDir dir_;
  std::unique_ptr<SqliteContactStore> store_;
};

TEST_F(ContactStoreTest, AcceptsThenTellsDuplicateFromConflict) {
  const absl::CivilDay day(2024, 3, 4);
  auto first = store_->InsertContacts("831", {MakeContact("R1", day)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->results[0].outcome, WriteOutcome::kAccepted);
  EXPECT_GT(first->generation, 0);

  auto again = store_->InsertContacts("831", {MakeContact("R1", day)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->results[0].outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(again->results[0].contact_id, first->results[0].contact_id);
  EXPECT_EQ(again->generation, first->generation)
      << "nothing changed: no new generation";

  NewContact changed = MakeContact("R1", day);
  changed.record.primary_need = "N2";
  auto conflict = store_->InsertContacts("831", {changed});
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->results[0].outcome, WriteOutcome::kConflict);
  auto stored = store_->GetContact("831", "POLICE:R1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->record.primary_need, "N1") << "a conflict changes nothing";
}

TEST_F(ContactStoreTest, SameKeyTwiceInOneBatch) {
  const absl::CivilDay day(2024, 3, 4);
  auto result = store_->InsertContacts(
      "831", {MakeContact("R1", day), MakeContact("R1", day)});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->results[0].outcome, WriteOutcome::kAccepted);
  EXPECT_EQ(result->results[1].outcome, WriteOutcome::kDuplicate);
}

TEST_F(ContactStoreTest, AuthoritiesAreSeparate) {
  const absl::CivilDay day(2024, 3, 4);
  auto a = store_->InsertContacts("831", {MakeContact("R1", day)});
  auto b = store_->InsertContacts("892", {MakeContact("R1", day)});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->results[0].outcome, WriteOutcome::kAccepted);
  EXPECT_NE(a->results[0].contact_id, b->results[0].contact_id);
  // 892 cannot read 831's contact by id.
  auto other =
      store_->GetContact("892", ContactIdString(a->results[0].contact_id));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->Generation("831"), a->generation);
  EXPECT_EQ(*store_->Generation("892"), b->generation);
  EXPECT_EQ(*store_->Generation("999"), 0);
}

TEST_F(ContactStoreTest, RoundTripsEveryField) {
  const absl::CivilDay day(2024, 3, 4);
  NewContact c = MakeContact("R9", day);
  c.record.child_dob.reset();
  auto w = store_->InsertContacts("831", {c});
  ASSERT_TRUE(w.ok());
  auto got =
      store_->GetContact("831", ContactIdString(w->results[0].contact_id));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->record, c.record);
  EXPECT_EQ(got->received_on, day);
  EXPECT_EQ(got->authority, "831");
  EXPECT_FALSE(got->decision.has_value());
}

TEST_F(ContactStoreTest, DecisionsByEitherRef) {
  const absl::CivilDay day(2024, 3, 4);
  auto w = store_->InsertContacts(
      "831", {MakeContact("R1", day), MakeContact("R2", day)});
  ASSERT_TRUE(w.ok());
  const std::string id2 = ContactIdString(w->results[1].contact_id);
  auto d = store_->InsertDecisions(
      "831", {MakeDecision("POLICE:R1", day), MakeDecision(id2, day),
              MakeDecision("POLICE:NOPE", day), MakeDecision("C999999", day)});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->results[0].outcome, WriteOutcome::kAccepted);
  EXPECT_EQ(d->results[1].outcome, WriteOutcome::kAccepted);
  EXPECT_EQ(d->results[2].outcome, WriteOutcome::kNoContact);
  EXPECT_EQ(d->results[3].outcome, WriteOutcome::kNoContact);
  EXPECT_GT(d->generation, w->generation);

  // The same decision by the other spelling of the ref is a duplicate.
  auto again = store_->InsertDecisions(
      "831", {MakeDecision(ContactIdString(w->results[0].contact_id), day)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->results[0].outcome, WriteOutcome::kDuplicate);
  auto changed = store_->InsertDecisions(
      "831", {MakeDecision("POLICE:R1", day, Outcome::kNfa)});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->results[0].outcome, WriteOutcome::kConflict);

  auto got = store_->GetContact("831", "POLICE:R1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->decision.has_value());
  EXPECT_EQ(got->decision->outcome, Outcome::kReferral);
  EXPECT_EQ(got->decision->decided_on, day);
}

TEST_F(ContactStoreTest, DecisionBeforeReceiptIsRefused) {
  const absl::CivilDay day(2024, 3, 4);
  ASSERT_TRUE(store_->InsertContacts("831", {MakeContact("R1", day)}).ok());
  auto d = store_->InsertDecisions(
      "831", {MakeDecision("POLICE:R1", absl::CivilDay(2024, 3, 3))});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->results[0].outcome, WriteOutcome::kBeforeReceipt);
  EXPECT_FALSE(store_->GetContact("831", "POLICE:R1")->decision.has_value());
}

TEST_F(ContactStoreTest, ListFiltersAndPages) {
  std::vector<NewContact> batch;
  for (int i = 1; i <= 5; ++i) {
    NewContact c =
        MakeContact("R" + std::to_string(i), absl::CivilDay(2024, 3, i));
    if (i == 3) c.record.source_code = "2A";
    batch.push_back(c);
  }
  ASSERT_TRUE(store_->InsertContacts("831", batch).ok());
  ASSERT_TRUE(
      store_
          ->InsertDecisions(
              "831", {MakeDecision("POLICE:R4", absl::CivilDay(2024, 3, 5),
                                   Outcome::kNfa)})
          .ok());
  ContactFilter from2;
  from2.received_from = absl::CivilDay(2024, 3, 2);
  from2.received_to = absl::CivilDay(2024, 3, 4);
  auto page1 = store_->ListContacts("831", from2, 0, 2);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].record.source_record_id, "R2");
  EXPECT_EQ((*page1)[1].record.source_record_id, "R3");
  auto page2 = store_->ListContacts("831", from2, (*page1)[1].id, 2);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].record.source_record_id, "R4");

  ContactFilter schools;
  schools.source_code = "2A";
  auto s = store_->ListContacts("831", schools, 0, 10);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].record.source_record_id, "R3");

  ContactFilter nfa;
  nfa.outcome = Outcome::kNfa;
  auto n = store_->ListContacts("831", nfa, 0, 10);
  ASSERT_EQ(n->size(), 1u);
  EXPECT_EQ((*n)[0].record.source_record_id, "R4");
}

TEST_F(ContactStoreTest, LoadFactsJoinsDecisionsWithinDates) {
  ASSERT_TRUE(store_
                  ->InsertContacts(
                      "831", {MakeContact("R1", absl::CivilDay(2024, 2, 29)),
                              MakeContact("R2", absl::CivilDay(2024, 3, 1), ""),
                              MakeContact("R3", absl::CivilDay(2024, 3, 2))})
                  .ok());
  ASSERT_TRUE(
      store_
          ->InsertDecisions(
              "831", {MakeDecision("POLICE:R2", absl::CivilDay(2024, 3, 4))})
          .ok());
  auto facts = store_->LoadFacts("831", absl::CivilDay(2024, 3, 1),
                                 absl::CivilDay(2024, 3, 31));
  ASSERT_TRUE(facts.ok());
  ASSERT_EQ(facts->size(), 2u);
  std::sort(facts->begin(), facts->end(),
            [](const ContactFact& a, const ContactFact& b) {
              return a.received_on < b.received_on;
            });
  EXPECT_EQ((*facts)[0].received_on, absl::CivilDay(2024, 3, 1));
  EXPECT_EQ((*facts)[0].child_id, "");
  EXPECT_EQ((*facts)[0].outcome, Outcome::kReferral);
  EXPECT_EQ((*facts)[0].decided_on, absl::CivilDay(2024, 3, 4));
  EXPECT_FALSE((*facts)[1].outcome.has_value());
}

TEST_F(ContactStoreTest, ReadAuditIsAppendOnly) {
  ReadAuditEntry e;
  e.at = At(2024, 3, 4);
  e.caller = "test-practitioner";
  e.role = "practitioner";
  e.authority = "831";
  e.method = "GetContact";
  e.contact_ids = {"C1"};
  e.child_ids = {"CH1"};
  ASSERT_TRUE(store_->AppendReadAudit(e).ok());
  auto listed = store_->ListReadAudit("831", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].caller, "test-practitioner");
  EXPECT_THAT((*listed)[0].child_ids, ElementsAre("CH1"));

  // Even with direct SQL, rows cannot be changed or removed.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("intake.db").c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE read_audit SET caller = 'x'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(
      sqlite3_exec(db, "DELETE FROM read_audit", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(store_->ListReadAudit("831", 10)->size(), 1u);
}

TEST_F(ContactStoreTest, ReadAuditFiltersAndPagesNewestFirst) {
  // Rows 1..5 on 1..5 March: callers a, b, a, b, a; children CH1, CH12
  // (CH1 is not a prefix match), CH1;CH2, none, CH2; 892 has one of its own.
  const char* callers[] = {"a", "b", "a", "b", "a"};
  const std::vector<std::vector<std::string>> children = {
      {"CH1"}, {"CH12"}, {"CH1", "CH2"}, {}, {"CH2"}};
  for (int i = 0; i < 5; ++i) {
    ReadAuditEntry e;
    e.at = At(2024, 3, i + 1);
    e.caller = callers[i];
    e.role = "practitioner";
    e.authority = "831";
    e.method = i == 3 ? "ListReadAudit" : "GetContact";
    e.contact_ids = {absl::StrCat("C", i + 1)};
    e.child_ids = children[i];
    ASSERT_TRUE(store_->AppendReadAudit(e).ok());
  }
  ReadAuditEntry other;
  other.at = At(2024, 3, 3);
  other.caller = "a";
  other.authority = "892";
  other.method = "GetContact";
  other.child_ids = {"CH1"};
  ASSERT_TRUE(store_->AppendReadAudit(other).ok());

  const auto contacts = [&](const ReadAuditQuery& q) {
    std::vector<std::string> out;
    auto rows = store_->ListReadAudit("831", q);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (const ReadAuditEntry& e : *rows) out.push_back(e.contact_ids[0]);
    }
    return out;
  };
  ReadAuditQuery q;
  EXPECT_THAT(contacts(q), ElementsAre("C5", "C4", "C3", "C2", "C1"));
  q.caller = "a";
  EXPECT_THAT(contacts(q), ElementsAre("C5", "C3", "C1"));
  q = ReadAuditQuery();
  q.child_id = "CH1";
  EXPECT_THAT(contacts(q), ElementsAre("C3", "C1"));
  q.child_id = "CH2";
  EXPECT_THAT(contacts(q), ElementsAre("C5", "C3"));
  q = ReadAuditQuery();
  q.record_id = "C4";
  EXPECT_THAT(contacts(q), ElementsAre("C4"));
  q = ReadAuditQuery();
  q.method = "ListReadAudit";
  EXPECT_THAT(contacts(q), ElementsAre("C4"));
  // [2 March, 4 March): rows 2 and 3.
  q = ReadAuditQuery();
  q.from = At(2024, 3, 2);
  q.to = At(2024, 3, 4);
  EXPECT_THAT(contacts(q), ElementsAre("C3", "C2"));
  // Keyset pages of two by row id.
  q = ReadAuditQuery();
  q.limit = 2;
  auto first = store_->ListReadAudit("831", q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  q.before_id = first->back().id;
  EXPECT_THAT(contacts(q), ElementsAre("C3", "C2"));
  q.limit = -1;
  EXPECT_EQ(store_->ListReadAudit("831", q).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ContactStoreTest, CommittedWritesSurviveReopen) {
  auto written = store_->InsertContacts(
      "831", {MakeContact("R1", absl::CivilDay(2024, 3, 4))});
  ASSERT_TRUE(written.ok());
  store_.reset();
  auto reopened = SqliteContactStore::Open(dir_.File("intake.db"));
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->GetContact("831", "POLICE:R1").ok());
  EXPECT_EQ(*(*reopened)->Generation("831"), written->generation);
}

TEST_F(ContactStoreTest, ARestoredStoreNeverReusesAGeneration) {
  const absl::CivilDay day(2024, 3, 4);
  ASSERT_TRUE(store_->InsertContacts("831", {MakeContact("R1", day)}).ok());
  store_.reset();
  std::filesystem::copy_file(dir_.File("intake.db"), dir_.File("backup.db"));
  store_ = *SqliteContactStore::Open(dir_.File("intake.db"));
  auto after_backup = store_->InsertContacts("831", {MakeContact("R2", day)});
  ASSERT_TRUE(after_backup.ok());
  store_.reset();
  // Restore the backup and write something else (later: SQLite's clock
  // counts milliseconds).
  absl::SleepFor(absl::Milliseconds(2));
  std::filesystem::rename(dir_.File("backup.db"), dir_.File("intake.db"));
  store_ = *SqliteContactStore::Open(dir_.File("intake.db"));
  auto after_restore = store_->InsertContacts("831", {MakeContact("R3", day)});
  ASSERT_TRUE(after_restore.ok());
  EXPECT_GT(after_restore->generation, after_backup->generation)
      << "an aggregate cached at the lost write's generation must not be "
         "read as current";
}

TEST(ContentHashTest, DiffersByAnyField) {
  ContactRecord a;
  a.agency = "POLICE";
  a.source_record_id = "R1";
  ContactRecord b = a;
  EXPECT_EQ(ContentHash(a), ContentHash(b));
  b.summary = "x";
  EXPECT_NE(ContentHash(a), ContentHash(b));
  b = a;
  b.concerns = {"NEGLECT"};
  EXPECT_NE(ContentHash(a), ContentHash(b));
  // Field boundaries matter: "ab"+"" differs from "a"+"b".
  ContactRecord c = a, d = a;
  c.referrer_org = "ab";
  d.referrer_org = "a";
  d.summary = "b";
  EXPECT_NE(ContentHash(c), ContentHash(d));
}

// --- referral outbox -------------------------------------------------------

// Runs `sql` on the store's file through a second connection.
void ExecOnFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::vector<std::string> RefIds(const std::vector<ReferralOutboxRow>& rows) {
  std::vector<std::string> out;
  for (const ReferralOutboxRow& r : rows) out.push_back(r.ref_id);
  return out;
}

TEST_F(ContactStoreTest, OutboxHoldsAcceptedReferralsOfIdentifiedChildren) {
  const absl::CivilDay day(2024, 3, 4);
  NewContact no_need = MakeContact("R2", day, "CH2");
  no_need.record.primary_need = "";
  no_need.record.child_dob.reset();
  auto w = store_->InsertContacts(
      "831", {MakeContact("R1", day), no_need, MakeContact("R3", day),
              MakeContact("R4", day, ""), MakeContact("R5", day)});
  ASSERT_TRUE(w.ok()) << w.status();
  const std::string c1 = ContactIdString(w->results[0].contact_id);
  const std::string c2 = ContactIdString(w->results[1].contact_id);
  const absl::CivilDay decided(2024, 3, 5);
  const std::vector<NewDecision> decisions = {
      MakeDecision("POLICE:R1", decided, Outcome::kReferral),
      MakeDecision("POLICE:R2", decided, Outcome::kStrategyDiscussion),
      MakeDecision("POLICE:R3", decided, Outcome::kNfa),
      // No child: KPI cannot open a referral without one.
      MakeDecision("POLICE:R4", decided, Outcome::kReferral),
      MakeDecision("POLICE:R5", decided, Outcome::kEarlyHelp)};
  auto d = store_->InsertDecisions("831", decisions);
  ASSERT_TRUE(d.ok()) << d.status();

  auto rows = store_->ListUnsentReferrals(100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(RefIds(*rows), ElementsAre(c1, c2));
  const ReferralOutboxRow& r1 = (*rows)[0];
  EXPECT_EQ(r1.authority, "831");
  EXPECT_EQ(r1.contact_id, w->results[0].contact_id);
  EXPECT_EQ(r1.event_id, "intake." + c1);
  EXPECT_EQ(r1.child_id, "CH1");
  EXPECT_EQ(r1.child_dob, absl::CivilDay(2015, 4, 1));
  EXPECT_EQ(r1.event_date, decided) << "the decision's date, not receipt's";
  EXPECT_EQ(r1.source_code, "6");
  EXPECT_EQ(r1.primary_need, "N1");
  EXPECT_EQ(r1.attempts, 0);
  EXPECT_EQ(r1.last_error, "");
  EXPECT_EQ((*rows)[1].primary_need, "");
  EXPECT_FALSE((*rows)[1].child_dob.has_value());
  EXPECT_EQ(*store_->CountUnsentReferrals(), 2);

  // Re-sent: duplicates add nothing; a conflicting REFERRAL on the NFA
  // contact changes nothing either.
  auto again = store_->InsertDecisions("831", decisions);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->results[0].outcome, WriteOutcome::kDuplicate);
  auto conflict = store_->InsertDecisions(
      "831", {MakeDecision("POLICE:R3", decided, Outcome::kReferral)});
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->results[0].outcome, WriteOutcome::kConflict);
  EXPECT_THAT(RefIds(*store_->ListUnsentReferrals(100)), ElementsAre(c1, c2));
}

TEST_F(ContactStoreTest, OutboxRowsCommitWithTheirDecisionsOrNotAtAll) {
  const absl::CivilDay day(2024, 3, 4);
  ASSERT_TRUE(store_
                  ->InsertContacts(
                      "831", {MakeContact("R1", day), MakeContact("R2", day)})
                  .ok());
  // Makes the second decision of the batch fail inside the transaction.
  ExecOnFile(dir_.File("intake.db"),
             "CREATE TRIGGER fail_decision BEFORE INSERT ON decisions WHEN "
             "NEW.decided_by = 'FAIL' BEGIN SELECT RAISE(ABORT, 'boom'); END;");
  NewDecision failing = MakeDecision("POLICE:R2", day);
  failing.record.decided_by = "FAIL";
  auto d =
      store_->InsertDecisions("831", {MakeDecision("POLICE:R1", day), failing});
  EXPECT_FALSE(d.ok());
  EXPECT_TRUE(store_->ListUnsentReferrals(100)->empty());
  EXPECT_FALSE(store_->GetContact("831", "POLICE:R1")->decision.has_value());
}

TEST_F(ContactStoreTest, OutboxRowsAreMarkedSentOrFailed) {
  const absl::CivilDay day(2024, 3, 4);
  std::vector<NewContact> contacts;
  std::vector<NewDecision> decisions;
  for (const char* id : {"R1", "R2", "R3"}) {
    contacts.push_back(MakeContact(id, day));
    decisions.push_back(MakeDecision(absl::StrCat("POLICE:", id), day));
  }
  ASSERT_TRUE(store_->InsertContacts("831", contacts).ok());
  ASSERT_TRUE(store_->InsertDecisions("831", decisions).ok());
  auto rows = store_->ListUnsentReferrals(100);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  const int64_t c1 = (*rows)[0].contact_id;
  const int64_t c2 = (*rows)[1].contact_id;
  const int64_t c3 = (*rows)[2].contact_id;
  // The limit keeps the oldest.
  EXPECT_THAT(RefIds(*store_->ListUnsentReferrals(2)),
              ElementsAre(ContactIdString(c1), ContactIdString(c2)));

  const absl::Time now = At(2024, 3, 5);
  // A failed call: still unsent, with the attempt counted.
  ASSERT_TRUE(
      store_->RecordReferralFailure("831", {c1, c2}, "UNAVAILABLE", false, now)
          .ok());
  rows = store_->ListUnsentReferrals(100);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].attempts, 1);
  EXPECT_EQ((*rows)[0].last_error, "UNAVAILABLE");
  EXPECT_EQ((*rows)[2].attempts, 0);

  // Another authority's ids change nothing.
  ASSERT_TRUE(store_->MarkReferralsSent("892", {c1, c2, c3}, now).ok());
  EXPECT_EQ(*store_->CountUnsentReferrals(), 3);

  ASSERT_TRUE(store_->MarkReferralsSent("831", {c1}, now).ok());
  ASSERT_TRUE(store_
                  ->RecordReferralFailure("831", {c2}, "INVALID child_dob: x",
                                          true, now)
                  .ok());
  EXPECT_THAT(RefIds(*store_->ListUnsentReferrals(100)),
              ElementsAre(ContactIdString(c3)));
  EXPECT_EQ(*store_->CountUnsentReferrals(), 1);

  // The rejected row is kept with its reason.
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("intake.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT attempts, last_error, failed_at_us IS "
                               "NOT NULL, sent_at_us IS NULL FROM "
                               "referral_outbox WHERE contact_id = ?",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  sqlite3_bind_int64(stmt, 1, c2);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 2);
  EXPECT_EQ(
      std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))),
      "INVALID child_dob: x");
  EXPECT_EQ(sqlite3_column_int(stmt, 2), 1);
  EXPECT_EQ(sqlite3_column_int(stmt, 3), 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);

  // Reopened: the same state.
  store_ = *SqliteContactStore::Open(dir_.File("intake.db"));
  EXPECT_THAT(RefIds(*store_->ListUnsentReferrals(100)),
              ElementsAre(ContactIdString(c3)));
}

TEST_F(ContactStoreTest, MigrationFromVersion1QueuesEarlierReferrals) {
  const absl::CivilDay day(2024, 3, 4);
  auto w = store_->InsertContacts(
      "831", {MakeContact("R1", day), MakeContact("R2", day),
              MakeContact("R3", day, "")});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_
                  ->InsertDecisions(
                      "831", {MakeDecision("POLICE:R1", day),
                              MakeDecision("POLICE:R2", day, Outcome::kNfa),
                              MakeDecision("POLICE:R3", day)})
                  .ok());
  store_.reset();
  // Back to a version 1 file: the schema before the outbox.
  ExecOnFile(dir_.File("intake.db"),
             "DROP TABLE referral_outbox; PRAGMA user_version = 1;");

  auto reopened = SqliteContactStore::Open(dir_.File("intake.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  auto rows = store_->ListUnsentReferrals(100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const std::string c1 = ContactIdString(w->results[0].contact_id);
  ASSERT_THAT(RefIds(*rows), ElementsAre(c1));
  EXPECT_EQ((*rows)[0].event_id, "intake." + c1);
  EXPECT_EQ((*rows)[0].child_id, "CH1");
  EXPECT_EQ((*rows)[0].event_date, day);
  EXPECT_EQ((*rows)[0].primary_need, "N1");

  // Reopening again applies nothing twice.
  store_.reset();
  store_ = *SqliteContactStore::Open(dir_.File("intake.db"));
  EXPECT_EQ(*store_->CountUnsentReferrals(), 1);
}

TEST_F(ContactStoreTest, LoadFactsCarriesTheInsightFields) {
  const absl::CivilDay day(2024, 3, 4);
  NewContact bare = MakeContact("R2", day, "");
  bare.record.child_dob.reset();
  bare.record.concerns.clear();
  bare.record.referrer_org = "";
  bare.record.summary = "";
  bare.record.agency = "SCHOOL";
  auto w = store_->InsertContacts("831", {MakeContact("R1", day), bare});
  ASSERT_TRUE(w.ok()) << w.status();
  auto facts = store_->LoadFacts("831", day, day);
  ASSERT_TRUE(facts.ok()) << facts.status();
  ASSERT_EQ(facts->size(), 2u);
  const ContactFact& full = (*facts)[0];  // by id
  EXPECT_EQ(full.id, w->results[0].contact_id);
  EXPECT_EQ(full.agency, "POLICE");
  EXPECT_TRUE(full.has_child_dob);
  EXPECT_THAT(full.concerns, ElementsAre("DOMESTIC_ABUSE", "NEGLECT"));
  EXPECT_TRUE(full.has_referrer_org);
  EXPECT_EQ(full.summary_chars, 17);  // "Synthetic summary"
  const ContactFact& empty = (*facts)[1];
  EXPECT_EQ(empty.id, w->results[1].contact_id);
  EXPECT_EQ(empty.agency, "SCHOOL");
  EXPECT_FALSE(empty.has_child_dob);
  EXPECT_TRUE(empty.concerns.empty());
  EXPECT_FALSE(empty.has_referrer_org);
  EXPECT_EQ(empty.summary_chars, 0);
}

TEST_F(ContactStoreTest, OutboxRowsCarryTheContactsConcerns) {
  const absl::CivilDay day(2024, 3, 4);
  NewContact none = MakeContact("R2", day, "CH2");
  none.record.concerns.clear();
  ASSERT_TRUE(
      store_->InsertContacts("831", {MakeContact("R1", day), none}).ok());
  ASSERT_TRUE(store_
                  ->InsertDecisions("831", {MakeDecision("POLICE:R1", day),
                                            MakeDecision("POLICE:R2", day)})
                  .ok());
  auto rows = store_->ListUnsentReferrals(100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0].concerns, ElementsAre("DOMESTIC_ABUSE", "NEGLECT"));
  EXPECT_TRUE((*rows)[1].concerns.empty());
}

}  // namespace
}  // namespace sgm::intake
