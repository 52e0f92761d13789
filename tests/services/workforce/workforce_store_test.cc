// SqliteWorkforceStore on a real SQLite file: keys, duplicates and
// conflicts, absences of unknown staff, generations, the read audit.
#include "services/workforce/workforce_store.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/sqlite_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace sgm::workforce {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

StaffMember Staff(const std::string& id, const std::string& area = "CS",
                  const std::string& team = "CP1") {
  StaffMember m;
  m.staff_id = id;
  m.role = "SOCIAL_WORKER";
  m.qualified = true;
  m.service_area = area;
  m.team = team;
  m.employment = Employment::kPermanent;
  m.fte = 1000;
  m.start_date = absl::CivilDay(2020, 1, 6);
  m.annual_cost_pence = 4500000;
  return m;
}

AbsenceEpisode Absence(const std::string& id, AbsenceReason reason,
                       absl::CivilDay start, double days) {
  AbsenceEpisode a;
  a.staff_id = id;
  a.reason = reason;
  a.start_date = start;
  a.end_date = start + 4;
  a.days_lost = days;
  return a;
}

EstablishmentRow Post(const std::string& role, MilliFte fte,
                      std::optional<absl::CivilDay> from) {
  EstablishmentRow row;
  row.service_area = "CS";
  row.team = "CP1";
  row.role = role;
  row.fte = fte;
  row.effective_from = from;
  return row;
}

std::vector<std::string> Ids(const std::vector<StaffMember>& staff) {
  std::vector<std::string> ids;
  for (const StaffMember& m : staff) ids.push_back(m.staff_id);
  return ids;
}

class WorkforceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteWorkforceStore::Open(dir_.File("workforce.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  testing::TempDir dir_{"sgm-workforce-store"};
  std::unique_ptr<SqliteWorkforceStore> store_;
};

TEST_F(WorkforceStoreTest, StaffKeyDuplicatesAndConflicts) {
  auto first = store_->InsertStaff("831", {Staff("W1"), Staff("W2")});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kAccepted));
  EXPECT_GT(first->generation, 0);

  StaffMember changed = Staff("W1");
  changed.fte = 500;
  auto again = store_->InsertStaff("831", {Staff("W1"), changed});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict));
  // Nothing accepted: the generation stays.
  EXPECT_EQ(again->generation, first->generation);
  auto stored = store_->GetStaff("831", "W1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->fte, 1000);

  // The same key twice in one batch: the first wins.
  auto batch = store_->InsertStaff("831", {Staff("W3"), Staff("W3"), changed});
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_THAT(batch->outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kDuplicate,
                          WriteOutcome::kConflict));
  EXPECT_GT(batch->generation, first->generation);
}

TEST_F(WorkforceStoreTest, AuthoritiesAreKeptApart) {
  ASSERT_TRUE(store_->InsertStaff("831", {Staff("W1")}).ok());
  StaffMember other = Staff("W1");
  other.role = "TEAM_MANAGER";
  auto written = store_->InsertStaff("892", {other});
  ASSERT_TRUE(written.ok());
  EXPECT_THAT(written->outcomes, ElementsAre(WriteOutcome::kAccepted));
  EXPECT_EQ(store_->GetStaff("831", "W1")->role, "SOCIAL_WORKER");
  EXPECT_EQ(store_->GetStaff("892", "W1")->role, "TEAM_MANAGER");
  EXPECT_EQ(store_->GetStaff("893", "W1").status().code(),
            absl::StatusCode::kNotFound);
  auto all = store_->LoadAll("892");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->data.staff.size(), 1u);
  EXPECT_EQ(*store_->Generation("893"), 0);
}

TEST_F(WorkforceStoreTest, StaffRoundTripsEveryField) {
  StaffMember m = Staff("W9");
  m.qualified = false;
  m.employment = Employment::kAgency;
  m.fte = 1234;
  m.end_date = absl::CivilDay(2024, 3, 31);
  m.annual_cost_pence = 7012345;
  m.team = "";
  ASSERT_TRUE(store_->InsertStaff("831", {m}).ok());
  auto back = store_->GetStaff("831", "W9");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->qualified, false);
  EXPECT_EQ(back->employment, Employment::kAgency);
  EXPECT_EQ(back->fte, 1234);
  EXPECT_EQ(back->start_date, absl::CivilDay(2020, 1, 6));
  EXPECT_EQ(back->end_date, absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(back->annual_cost_pence, 7012345);
  EXPECT_EQ(back->team, "");
  EXPECT_EQ(ContentHash(*back), ContentHash(m));
}

TEST_F(WorkforceStoreTest, AbsenceOfUnknownStaffIsRefused) {
  const absl::CivilDay d(2024, 2, 5);
  auto unknown =
      store_->InsertAbsences("831", {Absence("W1", AbsenceReason::kSic, d, 5)});
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_THAT(unknown->outcomes, ElementsAre(WriteOutcome::kUnknownStaff));
  EXPECT_EQ(unknown->generation, 0);

  ASSERT_TRUE(store_->InsertStaff("831", {Staff("W1")}).ok());
  const int64_t after_staff = *store_->Generation("831");
  auto written =
      store_->InsertAbsences("831", {Absence("W1", AbsenceReason::kSic, d, 5),
                                     Absence("W1", AbsenceReason::kSic, d, 5),
                                     Absence("W1", AbsenceReason::kSic, d, 4),
                                     Absence("W1", AbsenceReason::kTrn, d, 5),
                                     Absence("W2", AbsenceReason::kSic, d, 5)});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_THAT(written->outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kDuplicate,
                          WriteOutcome::kConflict, WriteOutcome::kAccepted,
                          WriteOutcome::kUnknownStaff));
  EXPECT_GT(written->generation, after_staff);
  // Staff of another authority are unknown here.
  auto elsewhere =
      store_->InsertAbsences("892", {Absence("W1", AbsenceReason::kSic, d, 5)});
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_THAT(elsewhere->outcomes, ElementsAre(WriteOutcome::kUnknownStaff));

  AbsenceEpisode ongoing = Absence("W1", AbsenceReason::kMat, d + 10, 0);
  ongoing.end_date.reset();
  ASSERT_TRUE(store_->InsertAbsences("831", {ongoing}).ok());
  auto all = store_->LoadAll("831");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->data.absences.size(), 3u);
  auto listed = store_->ListAbsences("831", {}, 0, 10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 3u);
  // By staff_id, start_date, reason.
  EXPECT_EQ((*listed)[0].reason, AbsenceReason::kSic);
  EXPECT_EQ((*listed)[0].days_lost, 5);
  EXPECT_EQ((*listed)[1].reason, AbsenceReason::kTrn);
  EXPECT_EQ((*listed)[2].reason, AbsenceReason::kMat);
  EXPECT_FALSE((*listed)[2].end_date.has_value());
}

TEST_F(WorkforceStoreTest, ListAbsencesFilters) {
  ASSERT_TRUE(store_->InsertStaff("831", {Staff("W1"), Staff("W2")}).ok());
  ASSERT_TRUE(
      store_
          ->InsertAbsences("831", {Absence("W1", AbsenceReason::kSic,
                                           absl::CivilDay(2024, 1, 1), 3),
                                   Absence("W1", AbsenceReason::kOth,
                                           absl::CivilDay(2024, 3, 1), 3),
                                   Absence("W2", AbsenceReason::kSic,
                                           absl::CivilDay(2024, 2, 1), 3)})
          .ok());
  AbsenceFilter by_staff;
  by_staff.staff_id = "W1";
  EXPECT_EQ(store_->ListAbsences("831", by_staff, 0, 10)->size(), 2u);
  AbsenceFilter window;  // episodes overlapping 3 Jan .. 1 Feb
  window.from = absl::CivilDay(2024, 1, 3);
  window.to = absl::CivilDay(2024, 2, 1);
  EXPECT_EQ(store_->ListAbsences("831", window, 0, 10)->size(), 2u);
  AbsenceFilter by_reason;
  by_reason.reason = AbsenceReason::kSic;
  EXPECT_EQ(store_->ListAbsences("831", by_reason, 0, 10)->size(), 2u);
  EXPECT_EQ(store_->ListAbsences("831", {}, 2, 10)->size(), 1u);
  EXPECT_EQ(store_->ListAbsences("831", {}, 0, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(WorkforceStoreTest, EstablishmentKeysAndTheRowInForce) {
  const absl::CivilDay april(2024, 4, 1);
  auto written = store_->InsertEstablishment(
      "831", {Post("SOCIAL_WORKER", 10000, std::nullopt),
              Post("SOCIAL_WORKER", 12000, april),
              Post("TEAM_MANAGER", 1000, std::nullopt),
              Post("TEAM_MANAGER", 0, april)});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_THAT(written->outcomes,
              ElementsAre(WriteOutcome::kAccepted, WriteOutcome::kAccepted,
                          WriteOutcome::kAccepted, WriteOutcome::kAccepted));
  auto again = store_->InsertEstablishment(
      "831", {Post("SOCIAL_WORKER", 10000, std::nullopt),
              Post("SOCIAL_WORKER", 11000, april)});
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again->outcomes,
              ElementsAre(WriteOutcome::kDuplicate, WriteOutcome::kConflict));
  EXPECT_EQ(again->generation, written->generation);

  auto march = store_->EstablishmentOn("831", absl::CivilDay(2024, 3, 31));
  ASSERT_TRUE(march.ok()) << march.status();
  ASSERT_EQ(march->size(), 2u);
  EXPECT_EQ((*march)[0].role, "SOCIAL_WORKER");
  EXPECT_EQ((*march)[0].fte, 10000);
  EXPECT_FALSE((*march)[0].effective_from.has_value());
  EXPECT_EQ((*march)[1].role, "TEAM_MANAGER");
  // From April the social workers are 12 FTE and the manager post ends.
  auto in_april = store_->EstablishmentOn("831", april);
  ASSERT_TRUE(in_april.ok());
  ASSERT_EQ(in_april->size(), 1u);
  EXPECT_EQ((*in_april)[0].fte, 12000);
  EXPECT_EQ((*in_april)[0].effective_from, april);
  EXPECT_EQ(store_->LoadAll("831")->data.establishment.size(), 4u);
}

TEST_F(WorkforceStoreTest, UpdateStaffChangesInOneTransaction) {
  ASSERT_TRUE(store_->InsertStaff("831", {Staff("W1")}).ok());
  const int64_t before = *store_->Generation("831");
  auto updated = store_->UpdateStaff("831", "W1", [](StaffMember& m) {
    m.fte = 600;
    m.end_date = absl::CivilDay(2024, 5, 31);
    return absl::OkStatus();
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->staff.fte, 600);
  EXPECT_GT(updated->generation, before);
  EXPECT_EQ(store_->GetStaff("831", "W1")->end_date,
            absl::CivilDay(2024, 5, 31));
  // The re-sent record is now the updated one.
  StaffMember now = Staff("W1");
  now.fte = 600;
  now.end_date = absl::CivilDay(2024, 5, 31);
  EXPECT_THAT(store_->InsertStaff("831", {now})->outcomes,
              ElementsAre(WriteOutcome::kDuplicate));

  // No change: same generation. A refused change: nothing written.
  auto same = store_->UpdateStaff(
      "831", "W1", [](StaffMember&) { return absl::OkStatus(); });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->generation, updated->generation);
  auto refused = store_->UpdateStaff("831", "W1", [](StaffMember& m) {
    m.fte = 1;
    return absl::InvalidArgumentError("staff.fte: no");
  });
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetStaff("831", "W1")->fte, 600);
  EXPECT_EQ(*store_->Generation("831"), updated->generation);
  // staff_id cannot be changed; an unknown one is NOT_FOUND.
  auto renamed = store_->UpdateStaff("831", "W1", [](StaffMember& m) {
    m.staff_id = "W2";
    return absl::OkStatus();
  });
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->staff.staff_id, "W1");
  EXPECT_EQ(store_
                ->UpdateStaff("831", "W7",
                              [](StaffMember&) { return absl::OkStatus(); })
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(WorkforceStoreTest, ListStaffFiltersAndPages) {
  StaffMember left = Staff("W3", "CS", "CP2");
  left.end_date = absl::CivilDay(2023, 12, 31);
  StaffMember agency = Staff("W2", "EH", "EH1");
  agency.employment = Employment::kAgency;
  ASSERT_TRUE(store_->InsertStaff("831", {left, agency, Staff("W1")}).ok());
  EXPECT_THAT(Ids(*store_->ListStaff("831", {}, 0, 10)),
              ElementsAre("W1", "W2", "W3"));
  EXPECT_THAT(Ids(*store_->ListStaff("831", {}, 1, 1)), ElementsAre("W2"));
  StaffFilter in_post;
  in_post.in_post_on = absl::CivilDay(2024, 1, 1);
  EXPECT_THAT(Ids(*store_->ListStaff("831", in_post, 0, 10)),
              ElementsAre("W1", "W2"));
  in_post.in_post_on = absl::CivilDay(2023, 12, 31);  // the last day counts
  EXPECT_THAT(Ids(*store_->ListStaff("831", in_post, 0, 10)),
              ElementsAre("W1", "W2", "W3"));
  StaffFilter area;
  area.service_area = "CS";
  area.team = "CP2";
  EXPECT_THAT(Ids(*store_->ListStaff("831", area, 0, 10)), ElementsAre("W3"));
  StaffFilter employment;
  employment.employment = Employment::kAgency;
  EXPECT_THAT(Ids(*store_->ListStaff("831", employment, 0, 10)),
              ElementsAre("W2"));
}

TEST_F(WorkforceStoreTest, EveryCommittedWriteRaisesTheGeneration) {
  std::vector<int64_t> seen = {*store_->Generation("831")};
  ASSERT_TRUE(store_->InsertStaff("831", {Staff("W1")}).ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(
      store_
          ->InsertAbsences("831", {Absence("W1", AbsenceReason::kSic,
                                           absl::CivilDay(2024, 1, 2), 1)})
          .ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(
      store_->InsertEstablishment("831", {Post("SOCIAL_WORKER", 1000, {})})
          .ok());
  seen.push_back(*store_->Generation("831"));
  ASSERT_TRUE(store_
                  ->UpdateStaff("831", "W1",
                                [](StaffMember& m) {
                                  m.team = "CP9";
                                  return absl::OkStatus();
                                })
                  .ok());
  seen.push_back(*store_->Generation("831"));
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i], seen[i - 1]) << i;
  }
  auto snapshot = store_->LoadAll("831");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->generation, seen.back());
  EXPECT_EQ(snapshot->data.staff.size(), 1u);
  EXPECT_EQ(snapshot->data.absences.size(), 1u);
  EXPECT_EQ(snapshot->data.establishment.size(), 1u);
  // The other authority's generation did not move.
  EXPECT_EQ(*store_->Generation("892"), 0);
}

TEST_F(WorkforceStoreTest, ReadAuditIsAppendOnlyNewestFirst) {
  WorkforceReadAudit entry;
  entry.at = absl::FromUnixSeconds(1718452800);
  entry.caller = "test-manager";
  entry.role = "manager";
  entry.authority = "831";
  entry.method = "ListStaff";
  entry.query = "offset=0";
  entry.staff_ids = {"W1", "W2"};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  entry.method = "GetStaff";
  entry.staff_ids = {"W2"};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  entry.method = "ListAbsences";
  entry.staff_ids = {};
  ASSERT_TRUE(store_->AppendReadAudit(entry).ok());
  entry.staff_ids = {"W;1"};
  EXPECT_EQ(store_->AppendReadAudit(entry).code(),
            absl::StatusCode::kInvalidArgument);

  auto audit = store_->ListReadAudit("831", 10);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].method, "ListAbsences");
  EXPECT_TRUE((*audit)[0].staff_ids.empty());
  EXPECT_EQ((*audit)[1].method, "GetStaff");
  EXPECT_THAT((*audit)[2].staff_ids, ElementsAre("W1", "W2"));
  EXPECT_EQ((*audit)[2].at, absl::FromUnixSeconds(1718452800));
  EXPECT_EQ((*audit)[2].caller, "test-manager");
  EXPECT_EQ(store_->ListReadAudit("892", 10)->size(), 0u);

  // Not even direct SQL can change or remove a row.
  SqliteDatabase::Options options;
  options.path = dir_.File("workforce.db");
  options.migrations = {{1, ""}};  // already applied
  auto db = SqliteDatabase::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::Status update = (*db)->Exec("UPDATE read_audit SET caller = 'x'");
  EXPECT_THAT(update.message(), HasSubstr("read_audit is append-only"));
  absl::Status remove = (*db)->Exec("DELETE FROM read_audit");
  EXPECT_THAT(remove.message(), HasSubstr("read_audit is append-only"));
  EXPECT_EQ(store_->ListReadAudit("831", 10)->size(), 3u);
}

TEST_F(WorkforceStoreTest, CommitsSurviveReopening) {
  ASSERT_TRUE(store_->InsertStaff("831", {Staff("W1")}).ok());
  const int64_t generation = *store_->Generation("831");
  EXPECT_TRUE(store_->CheckHealth().ok());
  store_.reset();
  auto reopened = SqliteWorkforceStore::Open(dir_.File("workforce.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(*(*reopened)->Generation("831"), generation);
  EXPECT_TRUE((*reopened)->GetStaff("831", "W1").ok());
}

}  // namespace
}  // namespace sgm::workforce
