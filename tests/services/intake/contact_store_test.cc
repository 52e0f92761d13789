#include "services/intake/contact_store.h"

#include <filesystem>
#include <memory>

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

}  // namespace
}  // namespace sgm::intake
