// SqliteQaStore on a real SQLite file: keys, duplicates, conflicts and
// fill-ins, updates, generations, the list filters, dip samples and their
// audits, the read audit, authorities kept apart, the schema version.
#include "services/qa/qa_store.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/sqlite_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace sgm::qa {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Theme MakeTheme(const std::string& id, absl::CivilDay start,
                absl::CivilDay end) {
  Theme t;
  t.theme_id = id;
  t.name = absl::StrCat("Theme ", id);
  t.start_date = start;
  t.end_date = end;
  return t;
}

Audit MakeAudit(const std::string& id, const std::string& child,
                absl::CivilDay date, Grade grade = kGood) {
  Audit a;
  a.audit_id = id;
  a.child_id = child;
  a.type = AuditType::kCaseFile;
  a.team = "CP1";
  a.worker_id = "W1";
  a.auditor = "auditor-1";
  a.audit_date = date;
  a.grade = grade;
  a.domains = {{"PLANNING", kGood}, {"VOICE_OF_CHILD", kRequiresImprovement}};
  a.findings = "Plan is clear; voice of the child is thin.";
  return a;
}

Feedback MakeFeedback(const std::string& id, FeedbackSource source,
                      absl::CivilDay day, int rating = 4) {
  Feedback f;
  f.feedback_id = id;
  f.source = source;
  f.team = "CP1";
  f.received_on = day;
  f.rating = rating;
  f.comment = "Helpful worker.";
  return f;
}

Action MakeAction(const std::string& id, absl::CivilDay due) {
  Action a;
  a.action_id = id;
  a.origin_ref = "AUD-1";
  a.owner = "manager-1";
  a.due_date = due;
  return a;
}

DipSample MakeSample(const std::string& id, absl::Time created,
                     std::vector<std::string> children) {
  DipSample s;
  s.sample_id = id;
  s.criterion = DipSampleCriterion::kCpPlan2Years;
  s.as_of = absl::CivilDay(2024, 5, 31);
  s.sample_size = static_cast<int>(children.size());
  s.seed = 0xfedcba9876543210ull;  // above INT64_MAX: stored as its bits
  s.theme_id = "T1";
  s.population = 42;
  s.created_at = created;
  s.created_by = "qa-lead";
  for (size_t i = 0; i < children.size(); ++i) {
    DipSampleCase& c = s.cases.emplace_back();
    c.child_id = children[i];
    c.ref_id = absl::StrCat("CP-", i);
    c.worker_id = absl::StrCat("W", i);
    c.team = "CP2";
  }
  return s;
}

template <typename Record>
std::vector<std::string> AuditIds(const std::vector<Record>& audits) {
  std::vector<std::string> ids;
  for (const Record& a : audits) ids.push_back(a.audit_id);
  return ids;
}

std::vector<std::string> FeedbackIds(const std::vector<Feedback>& feedback) {
  std::vector<std::string> ids;
  for (const Feedback& f : feedback) ids.push_back(f.feedback_id);
  return ids;
}

std::vector<std::string> ActionIds(const std::vector<Action>& actions) {
  std::vector<std::string> ids;
  for (const Action& a : actions) ids.push_back(a.action_id);
  return ids;
}

class QaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteQaStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // A second connection to the file, as an operator's sqlite3 shell would
  // be (the schema is already applied).
  std::unique_ptr<SqliteDatabase> RawDatabase() {
    SqliteDatabase::Options options;
    options.path = path_;
    options.migrations = {{1, ""}};
    auto db = SqliteDatabase::Open(options);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }

  std::vector<Audit> Audits(const AuditFilter& filter, int64_t offset = 0,
                            int limit = 100) {
    auto listed = store_->ListAudits("831", filter, offset, limit);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *std::move(listed) : std::vector<Audit>();
  }

  std::vector<std::string> ActionsIn(ActionState state, absl::CivilDay on) {
    ActionFilter filter;
    filter.state = state;
    filter.state_on = on;
    auto listed = store_->ListActions("831", filter, 0, 100);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? ActionIds(*listed) : std::vector<std::string>();
  }

  testing::TempDir dir_{"sgm-qa-store"};
  const std::string path_ = dir_.File("qa.db");
  std::unique_ptr<SqliteQaStore> store_;
};

TEST_F(QaStoreTest, ThemesAcceptedDuplicateConflict) {
  const absl::CivilDay may(2024, 5, 1);
  auto first = store_->InsertThemes(
      "831",
      {MakeTheme("T1", may, may + 30), MakeTheme("T2", may + 31, may + 60)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kAccepted));
  EXPECT_GT(first->generation, 0);

  Theme renamed = MakeTheme("T1", may, may + 30);
  renamed.name = "Neglect";
  auto again = store_->InsertThemes(
      "831", {MakeTheme("T1", may, may + 30), renamed,
              MakeTheme("T3", may, may + 9), MakeTheme("T3", may, may + 10)});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict,
                          WriteOutcome::kAccepted, WriteOutcome::kConflict));
  EXPECT_GT(again->generation, first->generation);

  auto t1 = store_->GetTheme("831", "T1");
  ASSERT_TRUE(t1.ok()) << t1.status();
  EXPECT_EQ(t1->name, "Theme T1");
  EXPECT_EQ(t1->end_date, may + 30);
  EXPECT_EQ(store_->GetTheme("831", "T3")->end_date, may + 9);
  EXPECT_EQ(store_->GetTheme("831", "T9").status().code(),
            absl::StatusCode::kNotFound);

  // By start_date, theme_id; active_on takes both ends of a theme.
  auto all = store_->ListThemes("831", std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].theme_id, "T1");
  EXPECT_EQ((*all)[1].theme_id, "T3");
  EXPECT_EQ((*all)[2].theme_id, "T2");
  auto on_end = store_->ListThemes("831", may + 30);
  ASSERT_TRUE(on_end.ok());
  ASSERT_EQ(on_end->size(), 1u);
  EXPECT_EQ((*on_end)[0].theme_id, "T1");
  auto on_start = store_->ListThemes("831", may + 31);
  ASSERT_EQ(on_start->size(), 1u);
  EXPECT_EQ((*on_start)[0].theme_id, "T2");
  EXPECT_THAT(*store_->ListThemes("831", may - 1), IsEmpty());
}

TEST_F(QaStoreTest, AuditsAcceptedDuplicateConflictAndFilledIn) {
  const absl::CivilDay d(2024, 5, 10);
  auto first = store_->InsertAudits("831", {MakeAudit("A1", "C1", d)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->outcomes, ElementsAre(WriteOutcome::kAccepted));

  Audit regraded = MakeAudit("A1", "C1", d, kInadequate);
  auto again =
      store_->InsertAudits("831", {MakeAudit("A1", "C1", d), regraded});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict));
  EXPECT_EQ(again->generation, first->generation);

  // Moderation added to an otherwise equal record, but another field
  // changed too: a conflict.
  Audit moderated_and_changed = MakeAudit("A1", "C1", d);
  moderated_and_changed.moderated_grade = kRequiresImprovement;
  moderated_and_changed.moderator = "mod-1";
  moderated_and_changed.findings = "Different findings.";
  Audit moderated = MakeAudit("A1", "C1", d);
  moderated.moderated_grade = kRequiresImprovement;
  moderated.moderator = "mod-1";
  auto filled = store_->InsertAudits("831", {moderated_and_changed, moderated});
  ASSERT_TRUE(filled.ok()) << filled.status();
  EXPECT_THAT(filled->outcomes,
              ElementsAre(WriteOutcome::kConflict, WriteOutcome::kFilledIn));
  EXPECT_GT(filled->generation, first->generation);
  auto stored = store_->GetAudit("831", "A1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->moderated_grade, kRequiresImprovement);
  EXPECT_EQ(stored->moderator, "mod-1");
  EXPECT_EQ(stored->findings, MakeAudit("A1", "C1", d).findings);
  EXPECT_EQ(ContentHash(*stored), ContentHash(moderated));

  // Now moderated: the same, or the unmoderated original re-sent, is a
  // duplicate (re-sending changes nothing); another moderation conflicts,
  // and so does the original with another field changed.
  Audit remoderated = moderated;
  remoderated.moderated_grade = kInadequate;
  Audit original_changed = MakeAudit("A1", "C1", d);
  original_changed.team = "Other team";
  auto later = store_->InsertAudits(
      "831",
      {moderated, remoderated, MakeAudit("A1", "C1", d), original_changed});
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_THAT(later->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict,
                          WriteOutcome::kDuplicate, WriteOutcome::kConflict));
  EXPECT_EQ(later->generation, filled->generation);
  EXPECT_EQ(store_->GetAudit("831", "A1")->moderated_grade,
            kRequiresImprovement);

  // A moderator alone (no grade) is not a fill-in.
  ASSERT_TRUE(store_->InsertAudits("831", {MakeAudit("A2", "C2", d)}).ok());
  Audit moderator_only = MakeAudit("A2", "C2", d);
  moderator_only.moderator = "mod-1";
  EXPECT_THAT(store_->InsertAudits("831", {moderator_only})->outcomes,
              ElementsAre(WriteOutcome::kConflict));
}

TEST_F(QaStoreTest, AuditKeyTwiceInOneBatchIsJudgedAgainstTheFirst) {
  const absl::CivilDay d(2024, 5, 10);
  Audit moderated = MakeAudit("A1", "C1", d);
  moderated.moderated_grade = kOutstanding;
  moderated.moderator = "mod-1";
  auto batch = store_->InsertAudits(
      "831", {MakeAudit("A1", "C1", d), moderated, moderated,
              MakeAudit("A2", "C2", d), MakeAudit("A2", "C2", d, kGood + 1)});
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_THAT(batch->outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kFilledIn,
                          WriteOutcome::kDuplicate, WriteOutcome::kAccepted,
                          WriteOutcome::kConflict));
  EXPECT_EQ(store_->GetAudit("831", "A1")->moderated_grade, kOutstanding);
  EXPECT_EQ(store_->GetAudit("831", "A2")->grade, kGood);
}

TEST_F(QaStoreTest, AuditRoundTripsEveryField) {
  Audit a = MakeAudit("A9", "C9", absl::CivilDay(2023, 12, 31), kOutstanding);
  a.type = AuditType::kMultiAgency;
  a.theme_id = "T4";
  a.team = "";
  a.worker_id = "";
  a.moderated_grade = kInadequate;
  a.moderator = "mod-2";
  a.domains = {{"Z_LAST", kInadequate}, {"A1", kOutstanding}, {"MID", kGood}};
  a.findings = "Line one\nline two; with = signs and 'quotes'.";
  a.reaudit_of = "A3";
  a.sample_id = "S1";
  ASSERT_TRUE(store_->InsertAudits("831", {a}).ok());
  auto back = store_->GetAudit("831", "A9");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->child_id, "C9");
  EXPECT_EQ(back->type, AuditType::kMultiAgency);
  EXPECT_EQ(back->theme_id, "T4");
  EXPECT_EQ(back->team, "");
  EXPECT_EQ(back->worker_id, "");
  EXPECT_EQ(back->auditor, "auditor-1");
  EXPECT_EQ(back->audit_date, absl::CivilDay(2023, 12, 31));
  EXPECT_EQ(back->grade, kOutstanding);
  EXPECT_EQ(back->moderated_grade, kInadequate);
  EXPECT_EQ(back->moderator, "mod-2");
  // The domains keep their order.
  EXPECT_THAT(back->domains, ElementsAre(DomainGrade{"Z_LAST", kInadequate},
                                         DomainGrade{"A1", kOutstanding},
                                         DomainGrade{"MID", kGood}));
  EXPECT_EQ(back->findings, a.findings);
  EXPECT_EQ(back->reaudit_of, "A3");
  EXPECT_EQ(back->sample_id, "S1");
  EXPECT_EQ(ContentHash(*back), ContentHash(a));

  Audit bare = MakeAudit("A10", "C9", absl::CivilDay(2024, 1, 1));
  bare.domains.clear();
  bare.findings = "";
  ASSERT_TRUE(store_->InsertAudits("831", {bare}).ok());
  auto bare_back = store_->GetAudit("831", "A10");
  ASSERT_TRUE(bare_back.ok()) << bare_back.status();
  EXPECT_THAT(bare_back->domains, IsEmpty());
  EXPECT_FALSE(bare_back->moderated_grade.has_value());

  // A domain the column cannot hold is refused, and nothing is written.
  Audit bad = MakeAudit("A11", "C9", absl::CivilDay(2024, 1, 1));
  bad.domains = {{"A;B", kGood}};
  auto refused = store_->InsertAudits("831", {MakeAudit("A12", "C9", {}), bad});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("audits[1].domains[0]"));
  EXPECT_EQ(store_->GetAudit("831", "A12").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(QaStoreTest, FeedbackAcceptedDuplicateConflictNeverFilledIn) {
  const absl::CivilDay d(2024, 6, 3);
  auto first = store_->InsertFeedback(
      "831", {MakeFeedback("F1", FeedbackSource::kYoungPerson, d, 5)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->outcomes, ElementsAre(WriteOutcome::kAccepted));
  Feedback changed = MakeFeedback("F1", FeedbackSource::kYoungPerson, d, 2);
  auto again = store_->InsertFeedback(
      "831", {MakeFeedback("F1", FeedbackSource::kYoungPerson, d, 5), changed,
              MakeFeedback("F2", FeedbackSource::kStaff, d),
              MakeFeedback("F2", FeedbackSource::kFamily, d)});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict,
                          WriteOutcome::kAccepted, WriteOutcome::kConflict));
  auto all = store_->ListFeedback("831", {}, 0, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].feedback_id, "F1");
  EXPECT_EQ((*all)[0].source, FeedbackSource::kYoungPerson);
  EXPECT_EQ((*all)[0].rating, 5);
  EXPECT_EQ((*all)[0].comment, "Helpful worker.");
  EXPECT_EQ((*all)[0].received_on, d);
  EXPECT_EQ((*all)[1].source, FeedbackSource::kStaff);
}

TEST_F(QaStoreTest, ActionsAcceptedDuplicateConflictAndFilledIn) {
  const absl::CivilDay due(2024, 7, 1);
  Action raised = MakeAction("X1", due);
  raised.raised_on = absl::CivilDay(2024, 6, 1);
  auto first = store_->InsertActions("831", {raised});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->outcomes, ElementsAre(WriteOutcome::kAccepted));

  Action completed = raised;
  completed.completed_date = absl::CivilDay(2024, 6, 20);
  Action completed_elsewhere = completed;
  completed_elsewhere.owner = "manager-2";
  Action moved = raised;
  moved.due_date = due + 7;
  auto again =
      store_->InsertActions("831", {raised, moved, completed_elsewhere});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict,
                          WriteOutcome::kConflict));
  EXPECT_EQ(again->generation, first->generation);

  auto filled = store_->InsertActions("831", {completed, completed});
  ASSERT_TRUE(filled.ok()) << filled.status();
  EXPECT_THAT(filled->outcomes,
              ElementsAre(WriteOutcome::kFilledIn, WriteOutcome::kDuplicate));
  EXPECT_GT(filled->generation, first->generation);
  auto listed = store_->ListActions("831", {}, 0, 10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].completed_date, absl::CivilDay(2024, 6, 20));
  EXPECT_EQ((*listed)[0].raised_on, absl::CivilDay(2024, 6, 1));
  EXPECT_EQ((*listed)[0].owner, "manager-1");

  // Completed now: another completion date conflicts; the open original
  // re-sent is a duplicate and leaves it completed.
  Action recompleted = completed;
  recompleted.completed_date = absl::CivilDay(2024, 6, 21);
  EXPECT_THAT(store_->InsertActions("831", {recompleted, raised})->outcomes,
              ElementsAre(WriteOutcome::kConflict, WriteOutcome::kDuplicate));
  EXPECT_EQ((*store_->ListActions("831", {}, 0, 10))[0].completed_date,
            absl::CivilDay(2024, 6, 20));
}

TEST_F(QaStoreTest, UpdateAuditReadsChangesAndWritesInOneTransaction) {
  const absl::CivilDay d(2024, 5, 10);
  ASSERT_TRUE(store_->InsertAudits("831", {MakeAudit("A1", "C1", d)}).ok());
  const int64_t before = *store_->Generation("831");
  auto updated = store_->UpdateAudit("831", "A1", [](Audit& a) {
    a.moderated_grade = kRequiresImprovement;
    a.moderator = "mod-1";
    return absl::OkStatus();
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->record.moderated_grade, kRequiresImprovement);
  EXPECT_GT(updated->generation, before);
  EXPECT_EQ(*store_->Generation("831"), updated->generation);
  EXPECT_EQ(store_->GetAudit("831", "A1")->moderator, "mod-1");
  // The stored hash follows the update: the updated record is a duplicate.
  Audit now = MakeAudit("A1", "C1", d);
  now.moderated_grade = kRequiresImprovement;
  now.moderator = "mod-1";
  EXPECT_THAT(store_->InsertAudits("831", {now})->outcomes,
              ElementsAre(WriteOutcome::kDuplicate));

  // No change: the generation stays.
  auto same =
      store_->UpdateAudit("831", "A1", [](Audit&) { return absl::OkStatus(); });
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->generation, updated->generation);
  EXPECT_EQ(same->record.moderator, "mod-1");
  // The change's error comes back as is and nothing is written.
  auto refused = store_->UpdateAudit("831", "A1", [](Audit& a) {
    a.grade = kInadequate;
    return absl::FailedPreconditionError("moderation: closed");
  });
  EXPECT_EQ(refused.status(),
            absl::FailedPreconditionError("moderation: closed"));
  EXPECT_EQ(store_->GetAudit("831", "A1")->grade, kGood);
  // The key cannot change.
  auto renamed = store_->UpdateAudit("831", "A1", [](Audit& a) {
    a.audit_id = "A2";
    return absl::OkStatus();
  });
  EXPECT_EQ(renamed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetAudit("831", "A2").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->Generation("831"), updated->generation);
  // Unknown, or another authority's: NOT_FOUND.
  auto noop = [](Audit&) { return absl::OkStatus(); };
  EXPECT_EQ(store_->UpdateAudit("831", "A7", noop).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateAudit("892", "A1", noop).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->Generation("892"), 0);
}

TEST_F(QaStoreTest, UpdateActionReadsChangesAndWritesInOneTransaction) {
  ASSERT_TRUE(
      store_
          ->InsertActions("831", {MakeAction("X1", absl::CivilDay(2024, 7, 1))})
          .ok());
  const int64_t before = *store_->Generation("831");
  auto updated = store_->UpdateAction("831", "X1", [](Action& a) {
    a.completed_date = absl::CivilDay(2024, 7, 2);
    return absl::OkStatus();
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->record.completed_date, absl::CivilDay(2024, 7, 2));
  EXPECT_GT(updated->generation, before);
  EXPECT_FALSE(updated->record.CompletedOnTime());
  auto same = store_->UpdateAction("831", "X1", [](Action& a) {
    a.completed_date = absl::CivilDay(2024, 7, 2);  // as it is
    return absl::OkStatus();
  });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->generation, updated->generation);
  auto renamed = store_->UpdateAction("831", "X1", [](Action& a) {
    a.action_id = "X2";
    a.owner = "someone-else";
    return absl::OkStatus();
  });
  EXPECT_EQ(renamed.status().code(), absl::StatusCode::kInvalidArgument);
  auto listed = store_->ListActions("831", {}, 0, 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(ActionIds(*listed), ElementsAre("X1"));
  EXPECT_EQ((*listed)[0].owner, "manager-1");
  EXPECT_EQ(
      store_
          ->UpdateAction("831", "X9", [](Action&) { return absl::OkStatus(); })
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

TEST_F(QaStoreTest, GenerationRaisedOnlyOnChangeAndPerAuthority) {
  const absl::CivilDay d(2024, 5, 10);
  EXPECT_EQ(*store_->Generation("831"), 0);
  std::vector<int64_t> seen;
  ASSERT_TRUE(store_->InsertThemes("831", {MakeTheme("T1", d, d + 9)}).ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(store_->InsertAudits("831", {MakeAudit("A1", "C1", d)}).ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(store_
                  ->InsertFeedback(
                      "831", {MakeFeedback("F1", FeedbackSource::kFamily, d)})
                  .ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(store_->InsertActions("831", {MakeAction("X1", d)}).ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(store_
                  ->InsertDipSample(
                      "831", MakeSample("S1", absl::FromUnixSeconds(1), {"C1"}))
                  .ok());
  seen.push_back(*store_->Generation("831"));
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i], seen[i - 1]) << i;
  }
  // Re-sends of everything: no change, no new generation.
  auto themes = store_->InsertThemes("831", {MakeTheme("T1", d, d + 9)});
  auto audits = store_->InsertAudits("831", {MakeAudit("A1", "C1", d)});
  auto feedback = store_->InsertFeedback(
      "831", {MakeFeedback("F1", FeedbackSource::kFamily, d)});
  auto actions = store_->InsertActions("831", {MakeAction("X1", d + 1)});
  auto sample = store_->InsertDipSample(
      "831", MakeSample("S1", absl::FromUnixSeconds(2), {"C2"}));
  ASSERT_TRUE(themes.ok() && audits.ok() && feedback.ok() && actions.ok() &&
              sample.ok());
  EXPECT_EQ(themes->generation, seen.back());
  EXPECT_EQ(audits->generation, seen.back());
  EXPECT_EQ(feedback->generation, seen.back());
  EXPECT_EQ(actions->generation, seen.back());  // a conflict
  EXPECT_EQ(sample->generation, seen.back());
  EXPECT_EQ(*store_->Generation("831"), seen.back());
  // An empty batch changes nothing either.
  EXPECT_EQ(store_->InsertAudits("831", {})->generation, seen.back());

  // Another authority's writes move only its own generation.
  auto other = store_->InsertAudits("892", {MakeAudit("A1", "C1", d)});
  ASSERT_TRUE(other.ok());
  EXPECT_GT(other->generation, 0);
  EXPECT_EQ(*store_->Generation("831"), seen.back());
  EXPECT_EQ(*store_->Generation("892"), other->generation);

  auto snapshot = store_->LoadAll("831");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->generation, seen.back());
  EXPECT_EQ(snapshot->data.themes.size(), 1u);
  EXPECT_EQ(snapshot->data.audits.size(), 1u);
  EXPECT_EQ(snapshot->data.feedback.size(), 1u);
  EXPECT_EQ(snapshot->data.actions.size(), 1u);
}

TEST_F(QaStoreTest, ReopeningTheFileKeepsEverything) {
  const absl::CivilDay d(2024, 5, 10);
  Audit moderated = MakeAudit("A1", "C1", d);
  moderated.moderated_grade = kOutstanding;
  moderated.moderator = "mod-1";
  moderated.sample_id = "S1";
  Action done = MakeAction("X1", d);
  done.completed_date = d - 1;
  ASSERT_TRUE(store_->InsertThemes("831", {MakeTheme("T1", d, d + 9)}).ok());
  ASSERT_TRUE(store_->InsertAudits("831", {moderated}).ok());
  ASSERT_TRUE(store_
                  ->InsertFeedback(
                      "831", {MakeFeedback("F1", FeedbackSource::kStaff, d, 1)})
                  .ok());
  ASSERT_TRUE(store_->InsertActions("831", {done}).ok());
  const absl::Time created =
      absl::FromUnixMicros(1717171717123456);  // to the microsecond
  ASSERT_TRUE(
      store_->InsertDipSample("831", MakeSample("S1", created, {"C1", "C2"}))
          .ok());
  QaReadAudit entry;
  entry.at = absl::FromUnixSeconds(1718452800);
  entry.authority = "831";
  entry.method = "GetAudit";
  entry.record_ids = {"A1"};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  const int64_t generation = *store_->Generation("831");
  EXPECT_TRUE(store_->CheckHealth().ok());
  store_.reset();

  auto reopened = SqliteQaStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  SqliteQaStore& store = **reopened;
  EXPECT_EQ(*store.Generation("831"), generation);
  auto snapshot = store.LoadAll("831");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->generation, generation);
  ASSERT_EQ(snapshot->data.themes.size(), 1u);
  ASSERT_EQ(snapshot->data.audits.size(), 1u);
  EXPECT_EQ(ContentHash(snapshot->data.audits[0]), ContentHash(moderated));
  ASSERT_EQ(snapshot->data.feedback.size(), 1u);
  EXPECT_EQ(snapshot->data.feedback[0].rating, 1);
  ASSERT_EQ(snapshot->data.actions.size(), 1u);
  EXPECT_EQ(ContentHash(snapshot->data.actions[0]), ContentHash(done));
  // The stored hashes still tell re-sends apart.
  EXPECT_THAT(store.InsertAudits("831", {moderated})->outcomes,
              ElementsAre(WriteOutcome::kDuplicate));
  EXPECT_THAT(store.InsertActions("831", {done})->outcomes,
              ElementsAre(WriteOutcome::kDuplicate));
  auto sample = store.GetDipSample("831", "S1");
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_EQ(sample->sample.created_at, created);
  EXPECT_EQ(sample->sample.seed, 0xfedcba9876543210ull);
  EXPECT_THAT(sample->case_audit_ids, ElementsAre("A1", ""));
  EXPECT_EQ(store.ListReadAudit("831", 10)->size(), 1u);
  EXPECT_TRUE(store.CheckHealth().ok());
}

TEST_F(QaStoreTest, ListAuditsFiltersOrdersAndPages) {
  const absl::CivilDay d(2024, 5, 10);
  Audit a1 = MakeAudit("A1", "C1", d);
  Audit a2 = MakeAudit("A2", "C2", d - 1);
  a2.team = "CP2";
  a2.type = AuditType::kThemed;
  a2.theme_id = "T1";
  Audit a3 = MakeAudit("A3", "C1", d + 1);
  a3.type = AuditType::kDipSample;
  a3.sample_id = "S1";
  Audit a0 = MakeAudit("A0", "C3", d);  // same day as A1: by audit_id
  a0.theme_id = "T1";
  ASSERT_TRUE(store_->InsertAudits("831", {a1, a2, a3, a0}).ok());
  ASSERT_TRUE(store_->InsertAudits("892", {MakeAudit("A5", "C1", d)}).ok());

  EXPECT_THAT(AuditIds(Audits({})), ElementsAre("A2", "A0", "A1", "A3"));
  EXPECT_THAT(AuditIds(Audits({}, 1, 2)), ElementsAre("A0", "A1"));
  EXPECT_THAT(AuditIds(Audits({}, 3, 10)), ElementsAre("A3"));
  EXPECT_THAT(Audits({}, 4, 10), IsEmpty());
  EXPECT_THAT(Audits({}, 0, 0), IsEmpty());

  AuditFilter from;
  from.from = d;  // inclusive
  EXPECT_THAT(AuditIds(Audits(from)), ElementsAre("A0", "A1", "A3"));
  AuditFilter to;
  to.to = d;  // inclusive
  EXPECT_THAT(AuditIds(Audits(to)), ElementsAre("A2", "A0", "A1"));
  AuditFilter day;
  day.from = d;
  day.to = d;
  EXPECT_THAT(AuditIds(Audits(day)), ElementsAre("A0", "A1"));
  AuditFilter team;
  team.team = "CP2";
  EXPECT_THAT(AuditIds(Audits(team)), ElementsAre("A2"));
  AuditFilter theme;
  theme.theme_id = "T1";
  EXPECT_THAT(AuditIds(Audits(theme)), ElementsAre("A2", "A0"));
  AuditFilter type;
  type.type = AuditType::kCaseFile;
  EXPECT_THAT(AuditIds(Audits(type)), ElementsAre("A0", "A1"));
  type.type = AuditType::kThemed;
  EXPECT_THAT(AuditIds(Audits(type)), ElementsAre("A2"));
  AuditFilter child;
  child.child_id = "C1";
  EXPECT_THAT(AuditIds(Audits(child)), ElementsAre("A1", "A3"));
  AuditFilter sample;
  sample.sample_id = "S1";
  EXPECT_THAT(AuditIds(Audits(sample)), ElementsAre("A3"));
  AuditFilter both;  // filters combine
  both.child_id = "C1";
  both.to = d;
  EXPECT_THAT(AuditIds(Audits(both)), ElementsAre("A1"));

  EXPECT_EQ(store_->ListAudits("831", {}, -1, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAudits("831", {}, 0, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QaStoreTest, ListFeedbackFiltersOrdersAndPages) {
  const absl::CivilDay d(2024, 6, 3);
  Feedback f3 = MakeFeedback("F3", FeedbackSource::kPartnerAgency, d - 2);
  f3.team = "";
  ASSERT_TRUE(
      store_
          ->InsertFeedback("831",
                           {MakeFeedback("F2", FeedbackSource::kFamily, d),
                            MakeFeedback("F1", FeedbackSource::kStaff, d), f3,
                            MakeFeedback("F4", FeedbackSource::kFamily, d + 1)})
          .ok());
  auto ids = [&](const FeedbackFilter& filter, int64_t offset = 0,
                 int limit = 100) {
    auto listed = store_->ListFeedback("831", filter, offset, limit);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? FeedbackIds(*listed) : std::vector<std::string>();
  };
  EXPECT_THAT(ids({}), ElementsAre("F3", "F1", "F2", "F4"));
  EXPECT_THAT(ids({}, 2, 1), ElementsAre("F2"));
  FeedbackFilter from;
  from.from = d;
  EXPECT_THAT(ids(from), ElementsAre("F1", "F2", "F4"));
  FeedbackFilter to;
  to.to = d;
  EXPECT_THAT(ids(to), ElementsAre("F3", "F1", "F2"));
  FeedbackFilter source;
  source.source = FeedbackSource::kFamily;
  EXPECT_THAT(ids(source), ElementsAre("F2", "F4"));
  source.source = FeedbackSource::kYoungPerson;
  EXPECT_THAT(ids(source), IsEmpty());
  FeedbackFilter team;
  team.team = "CP1";
  EXPECT_THAT(ids(team), ElementsAre("F1", "F2", "F4"));
  EXPECT_THAT(*store_->ListFeedback("892", {}, 0, 10), IsEmpty());
  EXPECT_EQ(store_->ListFeedback("831", {}, 0, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QaStoreTest, ListActionsStatesOnTheBoundaryDay) {
  const absl::CivilDay day(2024, 6, 30);
  Action due_today = MakeAction("DUE_TODAY", day);  // open, not overdue
  Action overdue = MakeAction("OVERDUE", day - 1);  // open and overdue
  Action done_today = MakeAction("DONE_TODAY", day - 10);
  done_today.completed_date = day;  // completed on the day: completed
  Action done_later = MakeAction("DONE_LATER", day - 5);
  done_later.completed_date = day + 1;  // still open, and overdue, that day
  Action raised_later = MakeAction("RAISED_LATER", day - 3);
  raised_later.raised_on = day + 1;  // not yet raised: in no state
  Action raised_today = MakeAction("RAISED_TODAY", day + 10);
  raised_today.raised_on = day;
  raised_today.owner = "manager-2";
  raised_today.origin_ref = "AUD-2";
  ASSERT_TRUE(
      store_
          ->InsertActions("831", {due_today, overdue, done_today, done_later,
                                  raised_later, raised_today})
          .ok());

  // By due_date, action_id.
  EXPECT_THAT(ActionsIn(ActionState::kAny, day),
              ElementsAre("DONE_TODAY", "DONE_LATER", "RAISED_LATER", "OVERDUE",
                          "DUE_TODAY", "RAISED_TODAY"));
  EXPECT_THAT(
      ActionsIn(ActionState::kOpen, day),
      ElementsAre("DONE_LATER", "OVERDUE", "DUE_TODAY", "RAISED_TODAY"));
  EXPECT_THAT(ActionsIn(ActionState::kOverdue, day),
              ElementsAre("DONE_LATER", "OVERDUE"));
  EXPECT_THAT(ActionsIn(ActionState::kCompleted, day),
              ElementsAre("DONE_TODAY"));
  // The store agrees with Action::OpenOn.
  for (const Action& a : {due_today, overdue, done_today, done_later,
                          raised_later, raised_today}) {
    std::vector<std::string> open = ActionsIn(ActionState::kOpen, day);
    EXPECT_EQ(a.OpenOn(day),
              std::find(open.begin(), open.end(), a.action_id) != open.end())
        << a.action_id;
  }
  // A day later DUE_TODAY is overdue and DONE_LATER completed.
  EXPECT_THAT(ActionsIn(ActionState::kOverdue, day + 1),
              ElementsAre("RAISED_LATER", "OVERDUE", "DUE_TODAY"));
  EXPECT_THAT(ActionsIn(ActionState::kCompleted, day + 1),
              ElementsAre("DONE_TODAY", "DONE_LATER"));

  ActionFilter owner;
  owner.owner = "manager-2";
  EXPECT_THAT(ActionIds(*store_->ListActions("831", owner, 0, 10)),
              ElementsAre("RAISED_TODAY"));
  ActionFilter origin;
  origin.origin_ref = "AUD-1";
  origin.state = ActionState::kOpen;
  origin.state_on = day;
  EXPECT_THAT(ActionIds(*store_->ListActions("831", origin, 0, 10)),
              ElementsAre("DONE_LATER", "OVERDUE", "DUE_TODAY"));
  EXPECT_THAT(ActionIds(*store_->ListActions("831", origin, 1, 1)),
              ElementsAre("OVERDUE"));
  EXPECT_THAT(ActionIds(*store_->ListActions("831", {}, 4, 10)),
              ElementsAre("DUE_TODAY", "RAISED_TODAY"));
  EXPECT_EQ(store_->ListActions("831", {}, -2, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QaStoreTest, DipSampleInsertDuplicateConflictAndItsAudits) {
  const absl::Time created = absl::FromUnixMicros(1717171717000001);
  DipSample sample = MakeSample("S1", created, {"C1", "C2", "C3"});
  auto first = store_->InsertDipSample("831", sample);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->outcome, WriteOutcome::kAccepted);
  EXPECT_GT(first->generation, 0);
  EXPECT_EQ(first->stored.sample.sample_id, "S1");
  ASSERT_EQ(first->stored.sample.cases.size(), 3u);
  EXPECT_EQ(first->stored.sample.cases[1].child_id, "C2");
  EXPECT_EQ(first->stored.sample.cases[1].ref_id, "CP-1");
  EXPECT_EQ(first->stored.sample.cases[1].worker_id, "W1");
  EXPECT_EQ(first->stored.sample.cases[1].team, "CP2");
  EXPECT_THAT(first->stored.case_audit_ids, ElementsAre("", "", ""));
  EXPECT_EQ(first->stored.audited, 0);

  // The same request drawn again later (other cases, other time): the
  // stored sample comes back unchanged.
  DipSample redrawn = MakeSample("S1", created + absl::Hours(1), {"C9"});
  redrawn.sample_size = 3;
  redrawn.created_by = "someone-else";
  auto duplicate = store_->InsertDipSample("831", redrawn);
  ASSERT_TRUE(duplicate.ok()) << duplicate.status();
  EXPECT_EQ(duplicate->outcome, WriteOutcome::kDuplicate);
  EXPECT_EQ(duplicate->generation, first->generation);
  EXPECT_EQ(duplicate->stored.sample.created_at, created);
  EXPECT_EQ(duplicate->stored.sample.created_by, "qa-lead");
  ASSERT_EQ(duplicate->stored.sample.cases.size(), 3u);
  // A different request under the same id conflicts.
  DipSample other = sample;
  other.seed = 7;
  auto conflict = store_->InsertDipSample("831", other);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_EQ(conflict->outcome, WriteOutcome::kConflict);
  EXPECT_EQ(conflict->stored.sample.seed, sample.seed);
  EXPECT_EQ(conflict->generation, first->generation);

  // Audits of the sampled children: the earliest by date, then audit_id,
  // of that child with this sample_id; others do not count.
  const absl::CivilDay d(2024, 6, 10);
  Audit c1_late = MakeAudit("A0", "C1", d + 5);
  c1_late.sample_id = "S1";
  Audit c1_early_b = MakeAudit("A2", "C1", d);
  c1_early_b.sample_id = "S1";
  Audit c1_early_a = MakeAudit("A1", "C1", d);
  c1_early_a.sample_id = "S1";
  Audit c3_unsampled = MakeAudit("A3", "C3", d - 5);  // no sample_id
  Audit c3_other_sample = MakeAudit("A4", "C3", d - 5);
  c3_other_sample.sample_id = "S2";
  Audit c9_not_a_case = MakeAudit("A5", "C9", d);
  c9_not_a_case.sample_id = "S1";
  ASSERT_TRUE(store_
                  ->InsertAudits("831", {c1_late, c1_early_b, c3_unsampled,
                                         c3_other_sample, c9_not_a_case})
                  .ok());
  Audit c3_elsewhere = MakeAudit("A6", "C3", d);
  c3_elsewhere.sample_id = "S1";
  ASSERT_TRUE(store_->InsertAudits("892", {c3_elsewhere}).ok());
  auto got = store_->GetDipSample("831", "S1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->case_audit_ids, ElementsAre("A2", "", ""));
  EXPECT_EQ(got->audited, 1);
  ASSERT_TRUE(store_->InsertAudits("831", {c1_early_a}).ok());
  Audit c3_sampled = MakeAudit("A7", "C3", d + 30);
  c3_sampled.sample_id = "S1";
  ASSERT_TRUE(store_->InsertAudits("831", {c3_sampled}).ok());
  got = store_->GetDipSample("831", "S1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->case_audit_ids, ElementsAre("A1", "", "A7"));
  EXPECT_EQ(got->audited, 2);
  // Every stored field comes back.
  EXPECT_EQ(got->sample.criterion, DipSampleCriterion::kCpPlan2Years);
  EXPECT_EQ(got->sample.as_of, absl::CivilDay(2024, 5, 31));
  EXPECT_EQ(got->sample.sample_size, 3);
  EXPECT_EQ(got->sample.seed, 0xfedcba9876543210ull);
  EXPECT_EQ(got->sample.theme_id, "T1");
  EXPECT_EQ(got->sample.population, 42);
  EXPECT_EQ(got->sample.created_at, created);
  EXPECT_EQ(got->sample.created_by, "qa-lead");
  EXPECT_TRUE(got->sample.SameRequest(sample));

  EXPECT_EQ(store_->GetDipSample("831", "S9").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDipSample("892", "S1").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(QaStoreTest, ListDipSamplesNewestFirstWithoutCases) {
  const absl::Time t = absl::FromUnixSeconds(1717171717);
  ASSERT_TRUE(
      store_->InsertDipSample("831", MakeSample("S1", t, {"C1", "C2"})).ok());
  ASSERT_TRUE(
      store_
          ->InsertDipSample("831", MakeSample("S3", t + absl::Hours(1), {"C3"}))
          .ok());
  // Same time as S3: sample_id descending.
  ASSERT_TRUE(
      store_
          ->InsertDipSample("831", MakeSample("S4", t + absl::Hours(1), {"C4"}))
          .ok());
  ASSERT_TRUE(
      store_
          ->InsertDipSample("831", MakeSample("S2", t - absl::Hours(1), {"C5"}))
          .ok());
  ASSERT_TRUE(store_->InsertDipSample("892", MakeSample("S5", t, {"C1"})).ok());
  Audit audit = MakeAudit("A1", "C2", absl::CivilDay(2024, 6, 1));
  audit.sample_id = "S1";
  ASSERT_TRUE(store_->InsertAudits("831", {audit}).ok());

  auto listed = store_->ListDipSamples("831", 0, 10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<std::string> ids;
  for (const DipSampleRecord& r : *listed) {
    ids.push_back(r.sample.sample_id);
    EXPECT_THAT(r.sample.cases, IsEmpty()) << r.sample.sample_id;
    EXPECT_THAT(r.case_audit_ids, IsEmpty()) << r.sample.sample_id;
  }
  EXPECT_THAT(ids, ElementsAre("S4", "S3", "S1", "S2"));
  EXPECT_EQ((*listed)[2].audited, 1);
  EXPECT_EQ((*listed)[0].audited, 0);
  EXPECT_EQ((*listed)[2].sample.population, 42);
  auto page = store_->ListDipSamples("831", 1, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].sample.sample_id, "S3");
  EXPECT_EQ((*page)[1].sample.sample_id, "S1");
  EXPECT_EQ(store_->ListDipSamples("892", 0, 10)->size(), 1u);
  EXPECT_EQ(store_->ListDipSamples("831", 0, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QaStoreTest, ReadAuditAppendsAndListsWithFilters) {
  QaReadAudit entry;
  entry.at = absl::FromUnixSeconds(1718452800);
  entry.caller = "test-manager";
  entry.role = "manager";
  entry.authority = "831";
  entry.method = "ListAudits";
  entry.query = "from=2024-05-01 team=CP1";
  entry.child_ids = {"C1", "C2"};
  entry.record_ids = {"A1", "A2"};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  entry.at += absl::Minutes(1);
  entry.method = "GetDipSample";
  entry.caller = "test-auditor";
  entry.query = "";
  entry.child_ids = {"C2", "C12"};
  entry.record_ids = {"S1"};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  entry.at += absl::Minutes(1);
  entry.method = "ListAudits";
  entry.child_ids = {};
  entry.record_ids = {};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  entry.authority = "892";
  entry.child_ids = {"C1"};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  // Ids that would not survive the ';'-joined columns are refused.
  entry.child_ids = {"C;1"};
  EXPECT_EQ(store_->AppendReadAudit(entry).code(),
            absl::StatusCode::kInvalidArgument);
  entry.child_ids = {};
  entry.record_ids = {""};
  EXPECT_EQ(store_->AppendReadAudit(entry).code(),
            absl::StatusCode::kInvalidArgument);

  auto all = store_->ListReadAudit("831", 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].method, "ListAudits");
  EXPECT_THAT((*all)[0].child_ids, IsEmpty());
  EXPECT_THAT((*all)[0].record_ids, IsEmpty());
  EXPECT_EQ((*all)[1].method, "GetDipSample");
  EXPECT_THAT((*all)[1].record_ids, ElementsAre("S1"));
  const QaReadAudit& oldest = (*all)[2];
  EXPECT_EQ(oldest.at, absl::FromUnixSeconds(1718452800));
  EXPECT_EQ(oldest.caller, "test-manager");
  EXPECT_EQ(oldest.role, "manager");
  EXPECT_EQ(oldest.authority, "831");
  EXPECT_EQ(oldest.query, "from=2024-05-01 team=CP1");
  EXPECT_THAT(oldest.child_ids, ElementsAre("C1", "C2"));
  EXPECT_THAT(oldest.record_ids, ElementsAre("A1", "A2"));
  EXPECT_GT((*all)[0].id, (*all)[1].id);
  EXPECT_GT((*all)[1].id, oldest.id);

  auto methods = [&](const ReadAuditQuery& query) {
    auto listed = store_->ListReadAudit("831", query);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> out;
    if (listed.ok()) {
      for (const QaReadAudit& e : *listed) out.push_back(e.method);
    }
    return out;
  };
  ReadAuditQuery child;
  child.child_id = "C1";  // whole ids only: not C12
  EXPECT_THAT(methods(child), ElementsAre("ListAudits"));
  child.child_id = "C2";
  EXPECT_THAT(methods(child), ElementsAre("GetDipSample", "ListAudits"));
  ReadAuditQuery record;
  record.record_id = "S1";
  EXPECT_THAT(methods(record), ElementsAre("GetDipSample"));
  record.record_id = "A";
  EXPECT_THAT(methods(record), IsEmpty());
  ReadAuditQuery caller;
  caller.caller = "test-auditor";
  caller.method = "ListAudits";
  EXPECT_THAT(methods(caller), ElementsAre("ListAudits"));
  ReadAuditQuery window;
  window.from = absl::FromUnixSeconds(1718452800) + absl::Minutes(1);
  window.to = absl::FromUnixSeconds(1718452800) + absl::Minutes(2);
  EXPECT_THAT(methods(window), ElementsAre("GetDipSample"));
  ReadAuditQuery before;
  before.before_id = (*all)[0].id;
  before.limit = 1;
  EXPECT_THAT(methods(before), ElementsAre("GetDipSample"));
  EXPECT_EQ(store_->ListReadAudit("831", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListReadAudit("892", 10)->size(), 1u);
  EXPECT_THAT(*store_->ListReadAudit("893", 10), IsEmpty());

  // Not even direct SQL can change or remove a row.
  std::unique_ptr<SqliteDatabase> raw = RawDatabase();
  ASSERT_NE(raw, nullptr);
  EXPECT_THAT(raw->Exec("UPDATE read_audit SET caller = 'x'").message(),
              HasSubstr("read_audit is append-only"));
  EXPECT_THAT(raw->Exec("DELETE FROM read_audit").message(),
              HasSubstr("read_audit is append-only"));
  EXPECT_EQ(store_->ListReadAudit("831", 10)->size(), 3u);
}

TEST_F(QaStoreTest, AuthoritiesAreKeptApart) {
  const absl::CivilDay d(2024, 5, 10);
  ASSERT_TRUE(store_->InsertThemes("831", {MakeTheme("T1", d, d + 9)}).ok());
  ASSERT_TRUE(store_->InsertAudits("831", {MakeAudit("A1", "C1", d)}).ok());
  ASSERT_TRUE(store_
                  ->InsertFeedback(
                      "831", {MakeFeedback("F1", FeedbackSource::kFamily, d)})
                  .ok());
  ASSERT_TRUE(store_->InsertActions("831", {MakeAction("X1", d)}).ok());
  ASSERT_TRUE(store_
                  ->InsertDipSample(
                      "831", MakeSample("S1", absl::FromUnixSeconds(1), {"C1"}))
                  .ok());

  // The same keys with other content are new records elsewhere.
  Theme theme = MakeTheme("T1", d, d + 20);
  Audit audit = MakeAudit("A1", "C1", d, kInadequate);
  Feedback feedback = MakeFeedback("F1", FeedbackSource::kFamily, d, 1);
  Action action = MakeAction("X1", d + 3);
  DipSample sample = MakeSample("S1", absl::FromUnixSeconds(1), {"C7"});
  sample.seed = 1;
  EXPECT_THAT(store_->InsertThemes("892", {theme})->outcomes,
              ElementsAre(WriteOutcome::kAccepted));
  EXPECT_THAT(store_->InsertAudits("892", {audit})->outcomes,
              ElementsAre(WriteOutcome::kAccepted));
  EXPECT_THAT(store_->InsertFeedback("892", {feedback})->outcomes,
              ElementsAre(WriteOutcome::kAccepted));
  EXPECT_THAT(store_->InsertActions("892", {action})->outcomes,
              ElementsAre(WriteOutcome::kAccepted));
  EXPECT_EQ(store_->InsertDipSample("892", sample)->outcome,
            WriteOutcome::kAccepted);

  EXPECT_EQ(store_->GetTheme("831", "T1")->end_date, d + 9);
  EXPECT_EQ(store_->GetTheme("892", "T1")->end_date, d + 20);
  EXPECT_EQ(store_->GetAudit("831", "A1")->grade, kGood);
  EXPECT_EQ(store_->GetAudit("892", "A1")->grade, kInadequate);
  EXPECT_EQ(store_->GetAudit("893", "A1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDipSample("892", "S1")->sample.cases[0].child_id, "C7");
  EXPECT_EQ(store_->GetDipSample("831", "S1")->sample.cases[0].child_id, "C1");
  EXPECT_EQ(store_->ListThemes("892", std::nullopt)->size(), 1u);
  EXPECT_EQ(Audits({}).size(), 1u);
  EXPECT_EQ(store_->ListFeedback("831", {}, 0, 10)->at(0).rating, 4);
  EXPECT_EQ(store_->ListActions("892", {}, 0, 10)->at(0).due_date, d + 3);

  auto mine = store_->LoadAll("831");
  auto theirs = store_->LoadAll("892");
  auto nobody = store_->LoadAll("893");
  ASSERT_TRUE(mine.ok() && theirs.ok() && nobody.ok());
  EXPECT_EQ(mine->data.audits.size(), 1u);
  EXPECT_EQ(mine->data.audits[0].grade, kGood);
  EXPECT_EQ(theirs->data.audits[0].grade, kInadequate);
  EXPECT_EQ(theirs->data.themes[0].end_date, d + 20);
  EXPECT_EQ(theirs->data.feedback[0].rating, 1);
  EXPECT_EQ(theirs->data.actions[0].due_date, d + 3);
  EXPECT_THAT(nobody->data.audits, IsEmpty());
  EXPECT_THAT(nobody->data.themes, IsEmpty());
  EXPECT_EQ(nobody->generation, 0);
}

TEST_F(QaStoreTest, RefusesASchemaNewerThanTheBinary) {
  store_.reset();
  {
    std::unique_ptr<SqliteDatabase> raw = RawDatabase();
    ASSERT_NE(raw, nullptr);
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 2").ok());
  }
  auto store = SqliteQaStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr(absl::StrCat("store ", path_,
                                     " has schema version 2, newer than "
                                     "this binary's 1")));
}

TEST_F(QaStoreTest, ACorruptRowIsDataLoss) {
  ASSERT_TRUE(store_
                  ->InsertAudits("831", {MakeAudit("A1", "C1",
                                                   absl::CivilDay(2024, 1, 1))})
                  .ok());
  std::unique_ptr<SqliteDatabase> raw = RawDatabase();
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->Exec("UPDATE audits SET type = 'NOPE'").ok());
  auto audit = store_->GetAudit("831", "A1");
  EXPECT_EQ(audit.status().code(), absl::StatusCode::kDataLoss);
  // The message names no personal data.
  EXPECT_THAT(audit.status().message(), Not(HasSubstr("C1")));
  ASSERT_TRUE(raw->Exec("UPDATE audits SET type = 'CASE_FILE', domains = "
                        "'PLANNING'")
                  .ok());
  EXPECT_EQ(store_->LoadAll("831").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(QaStoreContentHashTest, DiffersByAnyField) {
  const Audit base = MakeAudit("A1", "C1", absl::CivilDay(2024, 5, 10));
  EXPECT_EQ(ContentHash(base),
            ContentHash(MakeAudit("A1", "C1", absl::CivilDay(2024, 5, 10))));
  std::vector<Audit> changed;
  auto vary = [&](auto change) {
    Audit a = base;
    change(a);
    changed.push_back(a);
  };
  vary([](Audit& a) { a.audit_id = "A2"; });
  vary([](Audit& a) { a.child_id = "C2"; });
  vary([](Audit& a) { a.type = AuditType::kObservation; });
  vary([](Audit& a) { a.theme_id = "T1"; });
  vary([](Audit& a) { a.team = "CP2"; });
  vary([](Audit& a) { a.worker_id = "W2"; });
  vary([](Audit& a) { a.auditor = "auditor-2"; });
  vary([](Audit& a) { a.audit_date += 1; });
  vary([](Audit& a) { a.grade = kOutstanding; });
  vary([](Audit& a) { a.moderated_grade = kGood; });
  vary([](Audit& a) { a.moderator = "mod-1"; });
  vary([](Audit& a) { a.domains.pop_back(); });
  vary([](Audit& a) { a.domains[0].grade = kInadequate; });
  vary([](Audit& a) { a.domains[0].domain = "OTHER"; });
  vary([](Audit& a) { std::swap(a.domains[0], a.domains[1]); });
  vary([](Audit& a) { a.findings += "."; });
  vary([](Audit& a) { a.reaudit_of = "A0"; });
  vary([](Audit& a) { a.sample_id = "S1"; });
  for (size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(ContentHash(changed[i]), ContentHash(base)) << "change " << i;
  }
  // Field boundaries matter: "ab" + "" differs from "a" + "b".
  Audit c = base, d = base;
  c.reaudit_of = "ab";
  c.sample_id = "";
  d.reaudit_of = "a";
  d.sample_id = "b";
  EXPECT_NE(ContentHash(c), ContentHash(d));

  const Action action = MakeAction("X1", absl::CivilDay(2024, 7, 1));
  std::vector<Action> actions(5, action);
  actions[0].origin_ref = "AUD-2";
  actions[1].owner = "manager-2";
  actions[2].due_date += 1;
  actions[3].completed_date = action.due_date;
  actions[4].raised_on = action.due_date;
  for (size_t i = 0; i < actions.size(); ++i) {
    EXPECT_NE(ContentHash(actions[i]), ContentHash(action)) << "action " << i;
  }
  // A completion and a raising on the same day are told apart.
  EXPECT_NE(ContentHash(actions[3]), ContentHash(actions[4]));

  const Feedback feedback =
      MakeFeedback("F1", FeedbackSource::kFamily, absl::CivilDay(2024, 6, 3));
  std::vector<Feedback> feedbacks(5, feedback);
  feedbacks[0].source = FeedbackSource::kStaff;
  feedbacks[1].team = "";
  feedbacks[2].received_on += 1;
  feedbacks[3].rating = 5;
  feedbacks[4].comment = "";
  for (size_t i = 0; i < feedbacks.size(); ++i) {
    EXPECT_NE(ContentHash(feedbacks[i]), ContentHash(feedback))
        << "feedback " << i;
  }

  const Theme theme =
      MakeTheme("T1", absl::CivilDay(2024, 5, 1), absl::CivilDay(2024, 5, 31));
  std::vector<Theme> themes(3, theme);
  themes[0].name = "Other";
  themes[1].start_date += 1;
  themes[2].end_date += 1;
  for (size_t i = 0; i < themes.size(); ++i) {
    EXPECT_NE(ContentHash(themes[i]), ContentHash(theme)) << "theme " << i;
  }
}

}  // namespace
}  // namespace sgm::qa
