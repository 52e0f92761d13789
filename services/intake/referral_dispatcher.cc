#include "services/intake/referral_dispatcher.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "common/civil_date.h"
#include "common/logging.h"
#include "common/proto_convert.h"
#include "services/intake/abuse_category.h"

namespace sgm::intake {
namespace {

namespace kpi = ::sgm::kpi::v1;

// The KPI service's window for child_dob around event_date
// (ValidateCaseEvent in services/kpi/case_event_feed_parser.cc).
constexpr int kMaxDobDaysAfterEvent = 280;
constexpr int kMaxAgeYears = 25;
// Stored with a rejected row: enough for the KPI service's reasons, which
// name fields and codes only.
constexpr size_t kMaxStoredReason = 300;

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string CodeName(const absl::Status& status) {
  return absl::StatusCodeToString(status.code());
}

}  // namespace

kpi::CaseEvent ReferralEvent(const ReferralOutboxRow& row) {
  kpi::CaseEvent event;
  event.set_event_id(row.event_id);
  event.set_event_type(kpi::EVENT_TYPE_REFERRAL);
  event.set_child_id(row.child_id);
  if (row.child_dob &&
      *row.child_dob - row.event_date <= kMaxDobDaysAfterEvent &&
      *row.child_dob >= AddMonthsClamped(row.event_date, -12 * kMaxAgeYears)) {
    *event.mutable_child_dob() = ToProtoDate(*row.child_dob);
  }
  event.set_ref_id(row.ref_id);
  *event.mutable_event_date() = ToProtoDate(row.event_date);
  event.set_source_code(row.source_code);
  if (!row.primary_need.empty()) event.set_primary_need(row.primary_need);
  // The abuse category the contact's concerns point to, for the category
  // funnel's referral stage (docs/insight.md).
  if (const absl::string_view category = CategoryOfConcerns(row.concerns);
      category != kNoCategory) {
    event.set_category(std::string(category));
  }
  return event;
}

ReferralDispatcher::ReferralDispatcher(
    ContactStore* store, std::unique_ptr<kpi::KpiService::StubInterface> stub,
    const Clock* clock, Options options)
    : store_(store),
      stub_(std::move(stub)),
      clock_(clock),
      options_(std::move(options)) {}

ReferralDispatcher::~ReferralDispatcher() { Shutdown(); }

void ReferralDispatcher::Start(std::function<void(int64_t)> backlog_changed) {
  absl::MutexLock join(&join_mu_);
  if (thread_.joinable() || stopping()) return;
  backlog_changed_ = std::move(backlog_changed);
  thread_ = std::thread([this] { Run(); });
}

void ReferralDispatcher::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
  cv_.Signal();
}

void ReferralDispatcher::Shutdown() {
  absl::MutexLock join(&join_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (active_call_ != nullptr) active_call_->TryCancel();
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

bool ReferralDispatcher::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void ReferralDispatcher::Run() {
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      // A Wake from now on asks for another pass: this one may have read
      // the outbox before the decisions it announces were committed.
      woken_ = false;
    }
    const SendResult result = SendPending();
    if (result == SendResult::kStopped) return;
    absl::Duration wait = options_.poll_interval;
    bool wake_ends_wait = true;
    if (result == SendResult::kRetryLater) {
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
      wake_ends_wait = false;  // new decisions do not cut a back-off short
    } else {
      backoff = options_.initial_backoff;
    }
    absl::MutexLock lock(&mu_);
    const absl::Time until = absl::Now() + wait;
    while (!stopping_ && !(wake_ends_wait && woken_)) {
      if (cv_.WaitWithDeadline(&mu_, until)) break;  // timed out
    }
  }
}

ReferralDispatcher::SendResult ReferralDispatcher::SendPending() {
  const int rows_per_pass = std::max(1, options_.rows_per_pass);
  SendResult overall = SendResult::kDone;
  while (overall == SendResult::kDone) {
    absl::StatusOr<std::vector<ReferralOutboxRow>> rows =
        store_->ListUnsentReferrals(rows_per_pass);
    if (!rows.ok()) {
      LogWarn("referral_outbox_read_failed",
              {{"code", CodeName(rows.status())}});
      overall = SendResult::kRetryLater;
      break;
    }
    // By authority (its identity goes on the call), oldest first within
    // each and across them by each one's oldest row.
    std::vector<std::string> order;
    absl::flat_hash_map<std::string, std::vector<const ReferralOutboxRow*>>
        groups;
    for (const ReferralOutboxRow& row : *rows) {
      auto [it, added] = groups.try_emplace(row.authority);
      if (added) order.push_back(row.authority);
      it->second.push_back(&row);
    }
    const size_t batch_size =
        static_cast<size_t>(std::max(1, options_.batch_size));
    for (const std::string& authority : order) {
      const absl::Span<const ReferralOutboxRow* const> group =
          absl::MakeConstSpan(groups[authority]);
      for (size_t i = 0; i < group.size(); i += batch_size) {
        const SendResult sent =
            SendBatch(authority, group.subspan(i, batch_size));
        if (sent == SendResult::kStopped) return sent;
        if (sent == SendResult::kRetryLater) {
          // Keep this authority's order; the others still go.
          overall = SendResult::kRetryLater;
          break;
        }
      }
    }
    if (rows->size() < static_cast<size_t>(rows_per_pass)) break;
  }
  absl::StatusOr<int64_t> backlog = store_->CountUnsentReferrals();
  if (backlog.ok()) {
    backlog_.store(*backlog);
    if (backlog_changed_) backlog_changed_(*backlog);
  }
  return overall;
}

ReferralDispatcher::SendResult ReferralDispatcher::SendBatch(
    const std::string& authority,
    absl::Span<const ReferralOutboxRow* const> rows) {
  kpi::BatchRecordCaseEventsRequest request;
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const ReferralOutboxRow* row : rows) {
    *request.add_events() = ReferralEvent(*row);
    ids.push_back(row->contact_id);
  }
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  CallerIdentity identity;
  identity.caller = kIntakeCallerName;
  identity.role = Role::kAdmin;
  identity.authority = authority;
  AttachIdentity(identity, &context);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return SendResult::kStopped;
    active_call_ = &context;
  }
  kpi::BatchRecordCaseEventsResponse response;
  const grpc::Status status =
      stub_->BatchRecordCaseEvents(&context, request, &response);
  {
    absl::MutexLock lock(&mu_);
    active_call_ = nullptr;
    if (stopping_ && !status.ok()) return SendResult::kStopped;
  }
  const absl::Time now = clock_->Now();

  // A failure of the whole call: the rows wait for the next attempt.
  auto retry_all = [&](const std::string& code) {
    absl::Status recorded =
        store_->RecordReferralFailure(authority, ids, code, false, now);
    LogWarn("referral_send_failed",
            {{"authority", authority},
             {"code", code},
             {"events", static_cast<long long>(ids.size())},
             {"recorded", recorded.ok() ? "yes" : CodeName(recorded)}});
    return SendResult::kRetryLater;
  };
  if (!status.ok()) return retry_all(CodeName(status.error_code()));
  if (response.results_size() != request.events_size()) {
    return retry_all("BAD_RESPONSE");
  }
  for (int i = 0; i < response.results_size(); ++i) {
    if (response.results(i).event_id() != request.events(i).event_id()) {
      return retry_all("BAD_RESPONSE");
    }
  }

  std::vector<int64_t> sent;
  std::vector<int64_t> retry;
  int rejected = 0;
  for (int i = 0; i < response.results_size(); ++i) {
    const kpi::BatchRecordCaseEventsResponse::Result& result =
        response.results(i);
    switch (result.outcome()) {
      case kpi::RECORD_OUTCOME_ACCEPTED:
      case kpi::RECORD_OUTCOME_DUPLICATE:
        sent.push_back(ids[i]);
        break;
      case kpi::RECORD_OUTCOME_CONFLICT:
        // Another event holds this id: the referral is known there under
        // it; nothing to resend.
        sent.push_back(ids[i]);
        LogWarn("referral_conflict", {{"event_id", result.event_id()}});
        break;
      case kpi::RECORD_OUTCOME_INVALID: {
        // The KPI service will refuse it every time: keep the row with the
        // reason (field and codes only) and stop sending it.
        std::string reason =
            absl::StrCat("INVALID ", result.field(), ": ", result.reason());
        if (reason.size() > kMaxStoredReason) reason.resize(kMaxStoredReason);
        const int64_t id = ids[i];
        absl::Status recorded = store_->RecordReferralFailure(
            authority, absl::MakeConstSpan(&id, 1), reason, true, now);
        LogWarn("referral_rejected",
                {{"event_id", result.event_id()},
                 {"field", result.field()},
                 {"recorded", recorded.ok() ? "yes" : CodeName(recorded)}});
        ++rejected;
        break;
      }
      default:
        retry.push_back(ids[i]);
        break;
    }
  }
  if (!sent.empty()) {
    absl::Status marked = store_->MarkReferralsSent(authority, sent, now);
    if (!marked.ok()) {
      // Sent again later: the KPI service answers DUPLICATE.
      LogWarn("referral_mark_sent_failed", {{"code", CodeName(marked)}});
      return SendResult::kRetryLater;
    }
  }
  LogInfo("referrals_sent", {{"authority", authority},
                             {"sent", static_cast<long long>(sent.size())},
                             {"rejected", rejected},
                             {"retry", static_cast<long long>(retry.size())}});
  if (!retry.empty()) {
    (void)store_->RecordReferralFailure(authority, retry, "UNKNOWN_OUTCOME",
                                        false, now);
    return SendResult::kRetryLater;
  }
  return SendResult::kDone;
}

}  // namespace sgm::intake
