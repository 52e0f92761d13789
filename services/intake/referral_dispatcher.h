// Sends the referral outbox to the KPI service: every accepted REFERRAL or
// STRATEGY_DISCUSSION decision on a contact with a child opens the referral
// there (DESIGN section 2). The rows are written in the decision's
// transaction (ContactStore), so a decision acknowledged while the KPI
// service is down is sent once it is back; sending is idempotent on the
// event id, so a row sent twice (e.g. a crash before it was marked sent)
// is counted once.
#ifndef SGM_SERVICES_INTAKE_REFERRAL_DISPATCHER_H_
#define SGM_SERVICES_INTAKE_REFERRAL_DISPATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "services/intake/contact_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::intake {

// The caller intake names itself as in the identity headers.
inline constexpr char kIntakeCallerName[] = "sgm-intake";

// The CaseEvent that opens `row`'s referral in the KPI service. child_dob
// is left out when it lies outside what the KPI service accepts for the
// event date (more than 25 years before it or 280 days after it), which a
// contact received long before its decision can reach: the referral
// matters more than the date of birth on it.
sgm::kpi::v1::CaseEvent ReferralEvent(const ReferralOutboxRow& row);

class ReferralDispatcher {
 public:
  struct Options {
    // Deadline of each BatchRecordCaseEvents call.
    absl::Duration deadline = absl::Seconds(10);
    // How often the outbox is read when nothing wakes the dispatcher.
    absl::Duration poll_interval = absl::Seconds(30);
    // After a failed call: wait initial_backoff, doubling up to max_backoff.
    absl::Duration initial_backoff = absl::Seconds(1);
    absl::Duration max_backoff = absl::Minutes(5);
    int batch_size = 500;      // events a call (the KPI service takes 1,000)
    int rows_per_pass = 2000;  // rows read from the outbox at a time
  };

  // `store` and `clock` are not owned and must outlive the dispatcher.
  // Nothing is sent before Start.
  ReferralDispatcher(
      ContactStore* store,
      std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub,
      const Clock* clock, Options options);
  // Shutdown.
  ~ReferralDispatcher();
  ReferralDispatcher(const ReferralDispatcher&) = delete;
  ReferralDispatcher& operator=(const ReferralDispatcher&) = delete;

  // Starts the background thread. `backlog_changed` (may be empty) is
  // called from it with the number of rows waiting after each pass.
  void Start(std::function<void(int64_t)> backlog_changed = nullptr);
  // Asks for a pass now (e.g. after decisions were committed). Cheap and
  // safe from any thread; during a back-off after a failed call the pass
  // waits for the back-off to end.
  void Wake();
  // Cancels a call in flight, stops and joins the thread. Idempotent.
  void Shutdown();

  // Rows waiting as of the last pass (-1 before the first).
  int64_t backlog() const { return backlog_.load(); }

 private:
  enum class SendResult { kDone, kRetryLater, kStopped };

  void Run();
  // Sends everything unsent, page by page.
  SendResult SendPending();
  // One call for `rows` (one authority, at most batch_size).
  SendResult SendBatch(const std::string& authority,
                       absl::Span<const ReferralOutboxRow* const> rows);
  bool stopping() const;

  ContactStore* const store_;
  const std::unique_ptr<sgm::kpi::v1::KpiService::StubInterface> stub_;
  const Clock* const clock_;
  const Options options_;
  std::function<void(int64_t)> backlog_changed_;
  std::atomic<int64_t> backlog_{-1};

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The call in flight, to cancel on Shutdown.
  grpc::ClientContext* active_call_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
  absl::Mutex join_mu_;  // serialises Shutdown
};

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_REFERRAL_DISPATCHER_H_
