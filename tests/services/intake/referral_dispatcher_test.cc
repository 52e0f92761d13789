// The referral dispatcher against a real in-process gRPC server playing the
// KPI service, on a real SQLite intake store.
#include "services/intake/referral_dispatcher.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/intake/contact_store.h"
#include "services/kpi/case_event.h"
#include "services/kpi/case_event_feed_parser.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sqlite3.h"
#include "tests/support/temp_dir.h"

namespace sgm::intake {
namespace {

namespace kpi = ::sgm::kpi::v1;
using ::testing::ElementsAre;

// Runs `sql` on the store's file through a second connection (the store
// itself never un-marks a row).
void ExecOnFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK);
}

// Polls `condition` until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition,
             absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

// The KPI service's own rules for an event, as far as a REFERRAL uses
// them: what the real service would answer INVALID to.
std::optional<RecordError> KpiRules(const kpi::CaseEvent& e) {
  sgm::kpi::CaseEvent event;
  event.event_id = e.event_id();
  if (e.event_type() != kpi::EVENT_TYPE_REFERRAL) {
    return RecordError{"event_type", "not a REFERRAL"};
  }
  event.type = sgm::kpi::EventType::kReferral;
  event.child_id = e.child_id();
  if (e.has_child_dob()) {
    absl::StatusOr<absl::CivilDay> dob = FromProtoDate(e.child_dob(), "dob");
    if (!dob.ok()) return RecordError{"child_dob", "bad date"};
    event.child_dob = *dob;
  }
  event.ref_id = e.ref_id();
  event.parent_ref_id = e.parent_ref_id();
  absl::StatusOr<absl::CivilDay> date =
      FromProtoDate(e.event_date(), "event_date");
  if (!date.ok()) return RecordError{"event_date", "bad date"};
  event.event_date = *date;
  event.source_code = e.source_code();
  event.primary_need = e.primary_need();
  event.category = e.category();
  event.outcome = e.outcome();
  event.worker_id = e.worker_id();
  event.team = e.team();
  event.visit_mode = e.visit_mode();
  return sgm::kpi::ValidateCaseEvent(event, absl::CivilDay(2024, 12, 31));
}

// Records what it is sent; idempotent on event_id like the real service.
class FakeKpi final : public kpi::KpiService::Service {
 public:
  grpc::Status BatchRecordCaseEvents(
      grpc::ServerContext* context,
      const kpi::BatchRecordCaseEventsRequest* request,
      kpi::BatchRecordCaseEventsResponse* response) override {
    absl::StatusOr<CallerIdentity> who =
        IdentityFromMetadata(context->client_metadata());
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      if (who.ok()) callers_.push_back(*who);
    }
    // A hanging service: answers only when the call is cancelled.
    while (hang()) {
      if (context->IsCancelled()) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    absl::MutexLock lock(&mu_);
    if (!who.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no identity");
    }
    if (unavailable_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down for a test");
    }
    for (const kpi::CaseEvent& event : request->events()) {
      ++deliveries_[event.event_id()];
      kpi::BatchRecordCaseEventsResponse::Result* result =
          response->add_results();
      result->set_event_id(event.event_id());
      std::optional<RecordError> bad = KpiRules(event);
      if (!bad && reject_.contains(event.event_id())) {
        bad = RecordError{"child_id", "rejected for a test"};
      }
      if (bad) {
        result->set_outcome(kpi::RECORD_OUTCOME_INVALID);
        result->set_field(bad->field);
        result->set_reason(bad->reason);
        continue;
      }
      auto [it, added] = recorded_.try_emplace(event.event_id(), event);
      if (added) {
        result->set_outcome(kpi::RECORD_OUTCOME_ACCEPTED);
      } else if (google::protobuf::util::MessageDifferencer::Equals(it->second,
                                                                    event)) {
        result->set_outcome(kpi::RECORD_OUTCOME_DUPLICATE);
      } else {
        result->set_outcome(kpi::RECORD_OUTCOME_CONFLICT);
      }
    }
    return grpc::Status::OK;
  }

  void set_unavailable(bool on) {
    absl::MutexLock lock(&mu_);
    unavailable_ = on;
  }
  void set_hang(bool on) {
    absl::MutexLock lock(&mu_);
    hang_ = on;
  }
  void Reject(const std::string& event_id) {
    absl::MutexLock lock(&mu_);
    reject_.insert(event_id);
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  // Times the event reached the service (accepted or not).
  int deliveries(const std::string& event_id) const {
    absl::MutexLock lock(&mu_);
    auto it = deliveries_.find(event_id);
    return it == deliveries_.end() ? 0 : it->second;
  }
  std::optional<kpi::CaseEvent> recorded(const std::string& event_id) const {
    absl::MutexLock lock(&mu_);
    auto it = recorded_.find(event_id);
    if (it == recorded_.end()) return std::nullopt;
    return it->second;
  }
  size_t recorded_count() const {
    absl::MutexLock lock(&mu_);
    return recorded_.size();
  }
  std::vector<CallerIdentity> callers() const {
    absl::MutexLock lock(&mu_);
    return callers_;
  }

 private:
  bool hang() const {
    absl::MutexLock lock(&mu_);
    return hang_;
  }

  mutable absl::Mutex mu_;
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  bool hang_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_set<std::string> reject_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> deliveries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, kpi::CaseEvent> recorded_
      ABSL_GUARDED_BY(mu_);
  std::vector<CallerIdentity> callers_ ABSL_GUARDED_BY(mu_);
};

// The fake on a loopback port: 0 picks a free one.
std::unique_ptr<grpc::Server> Serve(FakeKpi* fake, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", *port),
                           grpc::InsecureServerCredentials(), port);
  builder.RegisterService(fake);
  return builder.BuildAndStart();
}

absl::Time At(absl::CivilDay day, int hour) {
  return absl::FromCivil(
      absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0),
      absl::UTCTimeZone());
}

class ReferralDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteContactStore::Open(dir_.File("intake.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    server_ = Serve(&fake_, &port_);
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->Shutdown();
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  // Short intervals; the channel reconnects quickly once the server is up.
  void StartDispatcher(absl::Duration poll = absl::Milliseconds(20),
                       absl::Duration deadline = absl::Seconds(5)) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    auto channel =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                  grpc::InsecureChannelCredentials(), args);
    ReferralDispatcher::Options options;
    options.deadline = deadline;
    options.poll_interval = poll;
    options.initial_backoff = absl::Milliseconds(10);
    options.max_backoff = absl::Milliseconds(50);
    dispatcher_ = std::make_unique<ReferralDispatcher>(
        store_.get(), kpi::KpiService::NewStub(channel), &clock_, options);
    dispatcher_->Start();
  }

  // A contact of 831 received on 2024-03-04 and its id ("C1").
  std::string AddContact(
      const std::string& record_id, const std::string& child = "CH1",
      std::optional<absl::CivilDay> dob = absl::CivilDay(2015, 4, 1),
      const std::string& need = "N1") {
    NewContact c;
    c.record.agency = "POLICE";
    c.record.source_record_id = record_id;
    c.record.received_at = At(kReceived, 10);
    c.record.child_id = child;
    c.record.child_dob = dob;
    c.record.source_code = "6";
    c.record.primary_need = need;
    c.record.summary = "Synthetic summary";
    c.received_on = kReceived;
    auto w = store_->InsertContacts("831", {c});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? ContactIdString(w->results[0].contact_id) : "";
  }

  NewDecision Decision(const std::string& ref,
                       Outcome outcome = Outcome::kReferral,
                       absl::CivilDay day = absl::CivilDay(2024, 3, 5)) {
    NewDecision d;
    d.record.contact_ref = ref;
    d.record.decided_at = At(day, 16);
    d.record.outcome = outcome;
    d.record.decided_by = "W1";
    d.decided_on = day;
    return d;
  }

  void Decide(const std::vector<NewDecision>& decisions) {
    auto d = store_->InsertDecisions("831", decisions);
    ASSERT_TRUE(d.ok()) << d.status();
    if (dispatcher_) dispatcher_->Wake();
  }

  int64_t Unsent() { return *store_->CountUnsentReferrals(); }

  static constexpr absl::CivilDay kReceived = absl::CivilDay(2024, 3, 4);
  testing::TempDir dir_;
  ManualClock clock_{absl::FromUnixSeconds(1718452800)};
  std::unique_ptr<SqliteContactStore> store_;
  FakeKpi fake_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ReferralDispatcher> dispatcher_;
};

TEST_F(ReferralDispatcherTest, AWokenDispatcherOpensTheReferralInKpi) {
  // Polls only hourly: only Wake can make it send within the test.
  StartDispatcher(absl::Hours(1));
  ASSERT_TRUE(WaitFor([&] { return dispatcher_->backlog() == 0; }));
  const std::string c1 = AddContact("R1");
  const std::string c2 = AddContact("R2", "CH2", std::nullopt, "");
  const std::string c3 = AddContact("R3", "CH3");
  Decide({Decision(c1), Decision(c2, Outcome::kStrategyDiscussion),
          Decision(c3, Outcome::kEarlyHelp)});

  ASSERT_TRUE(WaitFor([&] { return fake_.recorded_count() == 2; }));
  std::optional<kpi::CaseEvent> e1 = fake_.recorded("intake." + c1);
  ASSERT_TRUE(e1.has_value());
  EXPECT_EQ(e1->event_type(), kpi::EVENT_TYPE_REFERRAL);
  EXPECT_EQ(e1->ref_id(), c1) << "the contact id is the referral id";
  EXPECT_EQ(e1->parent_ref_id(), "");
  EXPECT_EQ(e1->child_id(), "CH1");
  ASSERT_TRUE(e1->has_child_dob());
  EXPECT_EQ(e1->child_dob().year(), 2015);
  EXPECT_EQ(e1->child_dob().month(), 4);
  EXPECT_EQ(e1->child_dob().day(), 1);
  EXPECT_EQ(e1->event_date().year(), 2024);
  EXPECT_EQ(e1->event_date().month(), 3);
  EXPECT_EQ(e1->event_date().day(), 5) << "the decision's date";
  EXPECT_EQ(e1->source_code(), "6");
  EXPECT_EQ(e1->primary_need(), "N1");
  std::optional<kpi::CaseEvent> e2 = fake_.recorded("intake." + c2);
  ASSERT_TRUE(e2.has_value());
  EXPECT_FALSE(e2->has_child_dob());
  EXPECT_EQ(e2->primary_need(), "");
  EXPECT_FALSE(fake_.recorded("intake." + c3).has_value());

  ASSERT_FALSE(fake_.callers().empty());
  for (const CallerIdentity& who : fake_.callers()) {
    EXPECT_EQ(who.caller, "sgm-intake");
    EXPECT_EQ(who.role, Role::kAdmin);
    EXPECT_EQ(who.authority, "831");
  }
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
  EXPECT_TRUE(WaitFor([&] { return dispatcher_->backlog() == 0; }));
}

TEST_F(ReferralDispatcherTest, EachAuthorityIsSentUnderItsOwnIdentity) {
  StartDispatcher();
  const std::string c1 = AddContact("R1");
  NewContact other;
  other.record.agency = "POLICE";
  other.record.source_record_id = "R1";
  other.record.received_at = At(kReceived, 10);
  other.record.child_id = "CH9";
  other.record.source_code = "2A";
  other.received_on = kReceived;
  auto w = store_->InsertContacts("892", {other});
  ASSERT_TRUE(w.ok());
  const std::string c2 = ContactIdString(w->results[0].contact_id);
  Decide({Decision(c1)});
  ASSERT_TRUE(store_->InsertDecisions("892", {Decision(c2)}).ok());
  dispatcher_->Wake();
  ASSERT_TRUE(WaitFor([&] { return fake_.recorded_count() == 2; }));
  std::vector<std::string> authorities;
  for (const CallerIdentity& who : fake_.callers()) {
    authorities.push_back(who.authority);
  }
  EXPECT_THAT(authorities, ::testing::UnorderedElementsAre("831", "892"));
}

TEST_F(ReferralDispatcherTest, NothingIsLostWhileKpiFails) {
  fake_.set_unavailable(true);
  StartDispatcher();
  const std::string c1 = AddContact("R1");
  Decide({Decision(c1)});
  // Retried with back-off, each attempt counted on the row.
  ASSERT_TRUE(WaitFor([&] {
    auto rows = store_->ListUnsentReferrals(10);
    return rows.ok() && rows->size() == 1 && (*rows)[0].attempts >= 3;
  }));
  EXPECT_EQ((*store_->ListUnsentReferrals(10))[0].last_error, "UNAVAILABLE");
  EXPECT_EQ(fake_.recorded_count(), 0u);

  fake_.set_unavailable(false);
  ASSERT_TRUE(
      WaitFor([&] { return fake_.recorded("intake." + c1).has_value(); }));
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
}

TEST_F(ReferralDispatcherTest, NothingIsLostWhileKpiIsNotRunning) {
  // The port is known but nothing listens on it yet.
  server_->Shutdown(std::chrono::system_clock::now());
  server_.reset();
  StartDispatcher();
  const std::string c1 = AddContact("R1");
  Decide({Decision(c1)});
  ASSERT_TRUE(WaitFor([&] {
    auto rows = store_->ListUnsentReferrals(10);
    return rows.ok() && rows->size() == 1 && (*rows)[0].attempts >= 2;
  }));
  EXPECT_EQ((*store_->ListUnsentReferrals(10))[0].last_error, "UNAVAILABLE");

  int port = port_;
  server_ = Serve(&fake_, &port);
  ASSERT_NE(server_, nullptr) << "port " << port_ << " was taken meanwhile";
  ASSERT_TRUE(
      WaitFor([&] { return fake_.recorded("intake." + c1).has_value(); }));
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
}

TEST_F(ReferralDispatcherTest, AResentDecisionFileSendsNothingTwice) {
  StartDispatcher();
  const std::string c1 = AddContact("R1");
  const std::string c2 = AddContact("R2");
  const std::vector<NewDecision> file = {Decision("POLICE:R1"),
                                         Decision("POLICE:R2")};
  Decide(file);
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
  ASSERT_EQ(fake_.recorded_count(), 2u);

  // The same file again, then one new decision: the new one arrives and
  // the earlier two were not sent again.
  Decide(file);
  const std::string c3 = AddContact("R3");
  Decide({Decision(c3)});
  ASSERT_TRUE(
      WaitFor([&] { return fake_.recorded("intake." + c3).has_value(); }));
  EXPECT_EQ(fake_.deliveries("intake." + c1), 1);
  EXPECT_EQ(fake_.deliveries("intake." + c2), 1);
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));

  // Sent but not marked sent (a crash in between): sent again, and the
  // KPI service answers DUPLICATE, so it still counts once.
  dispatcher_->Shutdown();
  ExecOnFile(dir_.File("intake.db"),
             absl::StrCat("UPDATE referral_outbox SET sent_at_us = NULL "
                          "WHERE ref_id = '",
                          c1, "'"));
  ASSERT_EQ(Unsent(), 1);
  StartDispatcher();
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
  EXPECT_EQ(fake_.deliveries("intake." + c1), 2);
  EXPECT_EQ(fake_.recorded_count(), 3u);
}

TEST_F(ReferralDispatcherTest, AnInvalidAnswerStopsRetriesForThatRowOnly) {
  StartDispatcher();
  const std::string c1 = AddContact("R1");
  const std::string c2 = AddContact("R2");
  fake_.Reject("intake." + c2);
  Decide({Decision(c1), Decision(c2)});
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
  EXPECT_TRUE(fake_.recorded("intake." + c1).has_value());
  EXPECT_FALSE(fake_.recorded("intake." + c2).has_value());

  // Later passes send new referrals but never the rejected one again.
  const std::string c3 = AddContact("R3");
  Decide({Decision(c3)});
  ASSERT_TRUE(
      WaitFor([&] { return fake_.recorded("intake." + c3).has_value(); }));
  EXPECT_EQ(fake_.deliveries("intake." + c2), 1);
  EXPECT_EQ(fake_.deliveries("intake." + c1), 1);
}

TEST_F(ReferralDispatcherTest, EventsPassTheKpiRules) {
  StartDispatcher();
  // Born 24 years 11 months before the contact, decided 3 months later:
  // 25 years before the decision is too old for the KPI service, so the
  // date of birth is left off rather than the referral refused.
  const std::string c1 = AddContact("R1", "CH1", absl::CivilDay(1999, 4, 1));
  // Unborn: expected 200 days after the contact.
  const std::string c2 = AddContact("R2", "CH2", kReceived + 200, "N4");
  Decide({Decision(c1, Outcome::kReferral, absl::CivilDay(2024, 6, 3)),
          Decision(c2, Outcome::kStrategyDiscussion)});
  ASSERT_TRUE(WaitFor([&] { return Unsent() == 0; }));
  std::optional<kpi::CaseEvent> e1 = fake_.recorded("intake." + c1);
  ASSERT_TRUE(e1.has_value()) << "rejected by the KPI rules";
  EXPECT_FALSE(e1->has_child_dob());
  std::optional<kpi::CaseEvent> e2 = fake_.recorded("intake." + c2);
  ASSERT_TRUE(e2.has_value());
  EXPECT_TRUE(e2->has_child_dob());
}

TEST(ReferralEventTest, KeepsTheDateOfBirthInsideTheKpiWindow) {
  ReferralOutboxRow row;
  row.event_id = "intake.C1";
  row.ref_id = "C1";
  row.child_id = "CH1";
  row.event_date = absl::CivilDay(2024, 6, 3);
  row.source_code = "6";
  row.child_dob = absl::CivilDay(1999, 6, 3);  // exactly 25 years
  EXPECT_TRUE(ReferralEvent(row).has_child_dob());
  row.child_dob = absl::CivilDay(1999, 6, 2);
  EXPECT_FALSE(ReferralEvent(row).has_child_dob());
  row.child_dob = row.event_date + 280;
  EXPECT_TRUE(ReferralEvent(row).has_child_dob());
  row.child_dob = row.event_date + 281;
  EXPECT_FALSE(ReferralEvent(row).has_child_dob());
  EXPECT_EQ(ReferralEvent(row).primary_need(), "");
}

TEST_F(ReferralDispatcherTest, ShutdownCancelsACallInFlight) {
  fake_.set_hang(true);
  StartDispatcher(absl::Milliseconds(20), absl::Minutes(5));
  const std::string c1 = AddContact("R1");
  Decide({Decision(c1)});
  ASSERT_TRUE(WaitFor([&] { return fake_.calls() >= 1; }));
  const absl::Time start = absl::Now();
  dispatcher_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // Cancelled by shutdown, not failed: the row waits, uncounted.
  auto rows = store_->ListUnsentReferrals(10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].attempts, 0);
  fake_.set_hang(false);
}

TEST_F(ReferralDispatcherTest, ShutdownWhileIdleIsPrompt) {
  StartDispatcher(absl::Hours(1));
  ASSERT_TRUE(WaitFor([&] { return dispatcher_->backlog() == 0; }));
  const absl::Time start = absl::Now();
  dispatcher_->Shutdown();
  dispatcher_->Shutdown();  // idempotent
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

}  // namespace
}  // namespace sgm::intake
