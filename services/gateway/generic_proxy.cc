#include "services/gateway/generic_proxy.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/caller_identity.h"
#include "common/grpc_status.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/access_policy.h"
#include "services/gateway/disclosure_control.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/token_authenticator.h"

namespace sgm::gateway {
namespace {

using grpc::ByteBuffer;

// Answers a call with `status` without reading or writing anything.
class RejectReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit RejectReactor(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

// Withholds the small counts in `buffer`, a serialized `prototype`, in
// place; appends the withheld paths to `paths`. False when it does not
// parse.
bool SuppressInPlace(const google::protobuf::Message& prototype,
                     ByteBuffer* buffer, std::vector<std::string>* paths) {
  std::vector<grpc::Slice> slices;
  if (!buffer->Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  std::unique_ptr<google::protobuf::Message> message(prototype.New());
  if (!message->ParseFromString(bytes)) return false;
  std::vector<std::string> withheld = WithholdSmallCounts(message.get());
  if (withheld.empty()) return true;  // unchanged
  paths->insert(paths->end(), withheld.begin(), withheld.end());
  std::string out;
  if (!message->SerializeToString(&out)) return false;
  grpc::Slice slice(out);
  *buffer = ByteBuffer(&slice, 1);
  return true;
}

// The paths as the trailing metadata carries them: comma-separated, at
// most kMaxSuppressedFieldsMetadata characters, then ",+N more".
std::string SuppressedFieldsMetadata(const std::vector<std::string>& paths) {
  std::string out;
  for (size_t i = 0; i < paths.size(); ++i) {
    size_t added = paths[i].size() + (out.empty() ? 0 : 1);
    if (out.size() + added > kMaxSuppressedFieldsMetadata) {
      absl::StrAppend(&out, out.empty() ? "" : ",", "+", paths.size() - i,
                      " more");
      break;
    }
    absl::StrAppend(&out, out.empty() ? "" : ",", paths[i]);
  }
  return out;
}

class ProxyCall;

// The outbound half of a proxied call: forwards its reactions to the
// ProxyCall that owns it.
class BackendStream final
    : public grpc::ClientBidiReactor<ByteBuffer, ByteBuffer> {
 public:
  explicit BackendStream(ProxyCall* call) : call_(call) {}
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  ProxyCall* const call_;
};

// One proxied call: the server half (this reactor, facing the caller) and
// the client half (`backend_`, facing the backend). Messages are pumped in
// both directions with at most one read and one write outstanding per
// direction; a ByteBuffer read from one side is written to the other as is
// (two buffers a direction, swapped, never copied).
//
// Lifetime: the client half holds two holds (one for the upstream write
// flow, one for the downstream read flow), because its reads and writes are
// started from the server half's reactions; a hold is removed once that
// flow has ended, after which the backend's OnDone can come. The server half
// is finished (once) only after the backend's OnDone and after the last
// write to the caller has completed, so the server's OnDone always comes
// last; the call deletes itself there, when both halves are done.
//
// Stream operations are decided under `mu_` and started after releasing it;
// Finish is always the last thing a reaction does.
class ProxyCall final : public grpc::ServerGenericBidiReactor {
 public:
  explicit ProxyCall(grpc::GenericCallbackServerContext* server_context)
      : server_context_(server_context),
        // Cancellation (and the deadline) also propagate in gRPC core.
        client_context_(
            grpc::ClientContext::FromCallbackServerContext(*server_context)),
        backend_(this) {}

  // Opens the backend call and starts pumping. Called once, from
  // CreateReactor, before the reactor is returned to gRPC. With a
  // `suppress` prototype (the method's response type), small counts in
  // each response are withheld.
  void Start(grpc::GenericStub* stub, const std::string& method,
             const CallerIdentity& identity,
             std::chrono::system_clock::time_point deadline,
             const google::protobuf::Message* suppress) {
    suppress_ = suppress;
    AttachIdentity(identity, client_context_.get());
    client_context_->set_deadline(deadline);
    {
      absl::MutexLock lock(&mu_);
      backend_started_ = true;
      up_.reading = true;
      down_.reading = true;
    }
    StartRead(&up_buffers_.read);
    stub->PrepareBidiStreamingCall(client_context_.get(), method,
                                   grpc::StubOptions(), &backend_);
    backend_.AddMultipleHolds(2);
    backend_.StartRead(&down_buffers_.read);
    backend_.StartCall();
  }

  // --- server half (caller -> gateway) ---

  void OnReadDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      up_.reading = false;
      if (up_.sink_closed) {
        // The backend call is over: drop the message, read no more.
      } else if (!ok) {
        up_.source_done = true;
        // A read that failed because the caller cancelled (reliable in
        // OnReadDone) must not look like the end of the stream to the
        // backend: an import would commit a truncated feed.
        if (server_context_->IsCancelled()) {
          up_.source_cancelled = true;
          actions.cancel_backend = true;
        }
        if (!up_.writing) {
          CloseUpstream(/*writes_done=*/!up_.source_cancelled, &actions);
        }
      } else if (up_.writing) {
        up_.buffered = true;
      } else {
        ForwardUpstream(&actions);
      }
    }
    Run(std::move(actions));
  }

  void OnWriteDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      down_.writing = false;
      down_buffers_.write.Clear();
      if (!ok) {
        // The caller is gone: stop the backend and read nothing more.
        down_.sink_closed = true;
        down_.buffered = false;
        actions.cancel_backend = true;
        if (!down_.reading) ReleaseDownstreamHold(&actions);
      } else if (down_.buffered) {
        down_.buffered = false;
        ForwardDownstream(&actions);
      }
      MaybeFinish(&actions);
    }
    Run(std::move(actions));
  }

  void OnCancel() override {
    bool cancel;
    {
      absl::MutexLock lock(&mu_);
      cancel = backend_started_;
    }
    if (cancel) client_context_->TryCancel();
  }

  void OnDone() override {
    bool last;
    {
      absl::MutexLock lock(&mu_);
      server_done_ = true;
      last = backend_done_;
    }
    if (last) delete this;
  }

  // --- client half (gateway -> backend) ---

  void OnBackendReadDone(bool ok) {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      down_.reading = false;
      if (!ok) {
        // The backend has finished: its status is on the way, and the
        // upstream flow can write nothing more either.
        down_.source_done = true;
        ReleaseDownstreamHold(&actions);
        up_.sink_closed_by_backend = true;
        if (!up_.writing) CloseUpstream(/*writes_done=*/false, &actions);
      } else if (down_.sink_closed) {
        ReleaseDownstreamHold(&actions);
      } else if (suppress_ != nullptr &&
                 !SuppressInPlace(*suppress_, &down_buffers_.read,
                                  &suppressed_paths_)) {
        // Fail closed: a response that cannot be checked is not sent.
        suppression_failed_ = true;
        down_.sink_closed = true;
        ReleaseDownstreamHold(&actions);
        actions.cancel_backend = true;
      } else if (down_.writing) {
        down_.buffered = true;
      } else {
        ForwardDownstream(&actions);
      }
    }
    Run(std::move(actions));
  }

  void OnBackendWriteDone(bool ok) {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      up_.writing = false;
      up_buffers_.write.Clear();
      if (!ok || up_.sink_closed_by_backend) {
        up_.buffered = false;
        CloseUpstream(/*writes_done=*/false, &actions);
      } else if (up_.buffered) {
        up_.buffered = false;
        ForwardUpstream(&actions);
      } else if (up_.source_done) {
        CloseUpstream(/*writes_done=*/!up_.source_cancelled, &actions);
      }
    }
    Run(std::move(actions));
  }

  void OnBackendDone(const grpc::Status& status) {
    Actions actions;
    bool last;
    {
      absl::MutexLock lock(&mu_);
      backend_done_ = true;
      backend_status_ = status;
      MaybeFinish(&actions);
      last = server_done_;
    }
    Run(std::move(actions));
    // Not reached with a pending Finish: the server's OnDone comes after it.
    if (last) delete this;
  }

 private:
  // The messages of one direction. Not guarded by `mu_`: a buffer belongs
  // to gRPC while its Flow says it is reading into or writing from it, and
  // is touched by this class (under `mu_`) only otherwise.
  struct Buffers {
    ByteBuffer read;   // the outstanding or buffered read
    ByteBuffer write;  // the outstanding write
  };

  // The state of one direction of the pump.
  struct Flow {
    bool reading = false;
    bool writing = false;
    bool buffered = false;     // the read buffer holds a message to write
    bool source_done = false;  // the source has no more messages
    // Upstream only: the caller cancelled (rather than half-closed).
    bool source_cancelled = false;
    bool sink_closed = false;  // nothing more is written to the sink
    // Upstream only: the backend has finished, writes are pointless.
    bool sink_closed_by_backend = false;
    bool hold_released = false;  // the client half's hold for this flow
  };

  // Stream operations decided under the lock, run after it.
  struct Actions {
    bool server_read = false;
    bool server_write = false;
    bool backend_read = false;
    bool backend_write = false;
    bool backend_writes_done = false;
    int backend_remove_holds = 0;
    bool cancel_backend = false;
    bool finish = false;
    grpc::Status finish_status;
    // Set: the trailing metadata of a suppressed aggregate.
    std::optional<std::string> suppressed_fields;
  };

  // The upstream read buffer holds a message and no upstream write is
  // outstanding:
  // write it to the backend and read the next one from the caller.
  void ForwardUpstream(Actions* actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    up_buffers_.read.Swap(&up_buffers_.write);
    up_.writing = true;
    actions->backend_write = true;
    up_.reading = true;
    actions->server_read = true;
  }

  // The same downstream: write to the caller, read from the backend.
  void ForwardDownstream(Actions* actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    down_buffers_.read.Swap(&down_buffers_.write);
    down_.writing = true;
    actions->server_write = true;
    down_.reading = true;
    actions->backend_read = true;
  }

  // Ends the upstream flow (no upstream write outstanding): half-closes
  // the backend call when `writes_done`, then releases the flow's hold.
  void CloseUpstream(bool writes_done, Actions* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (up_.sink_closed) return;
    up_.sink_closed = true;
    up_.buffered = false;
    actions->backend_writes_done = writes_done;
    if (!up_.hold_released) {
      up_.hold_released = true;
      ++actions->backend_remove_holds;
    }
  }

  // Ends the downstream flow's reads (no backend read outstanding).
  void ReleaseDownstreamHold(Actions* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (down_.hold_released) return;
    down_.hold_released = true;
    ++actions->backend_remove_holds;
  }

  // Finishes the server half with the backend's status once the backend
  // call is over and the last write to the caller has completed.
  void MaybeFinish(Actions* actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !backend_done_ || down_.writing) return;
    finished_ = true;
    actions->finish = true;
    actions->finish_status = backend_status_;
    if (suppression_failed_) {
      actions->finish_status =
          grpc::Status(grpc::StatusCode::INTERNAL,
                       "gateway: a backend response could not be checked "
                       "for small counts and was withheld");
    } else if (suppress_ != nullptr && backend_status_.ok()) {
      actions->suppressed_fields = SuppressedFieldsMetadata(suppressed_paths_);
    }
  }

  void Run(Actions actions) {
    if (actions.backend_write) backend_.StartWrite(&up_buffers_.write);
    if (actions.backend_read) backend_.StartRead(&down_buffers_.read);
    if (actions.backend_writes_done) backend_.StartWritesDone();
    for (int i = 0; i < actions.backend_remove_holds; ++i) {
      backend_.RemoveHold();
    }
    if (actions.cancel_backend) client_context_->TryCancel();
    if (actions.server_write) StartWrite(&down_buffers_.write);
    if (actions.server_read) StartRead(&up_buffers_.read);
    if (actions.suppressed_fields.has_value()) {
      server_context_->AddTrailingMetadata(kSuppressedFieldsMetadataKey,
                                           *actions.suppressed_fields);
    }
    // Last: once finished, the server's OnDone may delete this call.
    if (actions.finish) Finish(std::move(actions.finish_status));
  }

  grpc::GenericCallbackServerContext* const server_context_;
  std::unique_ptr<grpc::ClientContext> client_context_;
  BackendStream backend_;

  Buffers up_buffers_;
  Buffers down_buffers_;

  absl::Mutex mu_;
  Flow up_ ABSL_GUARDED_BY(mu_);    // caller -> backend
  Flow down_ ABSL_GUARDED_BY(mu_);  // backend -> caller
  bool backend_started_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_done_ ABSL_GUARDED_BY(mu_) = false;
  bool server_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status backend_status_ ABSL_GUARDED_BY(mu_);
  // Set once in Start, before any reaction.
  const google::protobuf::Message* suppress_ = nullptr;
  std::vector<std::string> suppressed_paths_ ABSL_GUARDED_BY(mu_);
  bool suppression_failed_ ABSL_GUARDED_BY(mu_) = false;
};

void BackendStream::OnReadDone(bool ok) { call_->OnBackendReadDone(ok); }
void BackendStream::OnWriteDone(bool ok) { call_->OnBackendWriteDone(ok); }
void BackendStream::OnDone(const grpc::Status& status) {
  call_->OnBackendDone(status);
}

}  // namespace

GenericProxy::GenericProxy(
    const TokenAuthenticator* authenticator, const AccessPolicy* policy,
    std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
    ProxyOptions options)
    : authenticator_(authenticator), policy_(policy), options_(options) {
  for (auto& [package, channel] : backends) {
    Backend backend;
    backend.stub = std::make_unique<grpc::GenericStub>(channel);
    backend.channel = std::move(channel);
    backends_.emplace(package, std::move(backend));
  }
  if (options_.outward_facing) {
    for (const std::string& method : SuppressedMethods()) {
      // "/pkg.Service/Method" -> "pkg.Service.Method".
      std::string name = method.substr(1);
      name[name.find('/')] = '.';
      const google::protobuf::MethodDescriptor* descriptor =
          google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
              name);
      if (descriptor == nullptr) continue;  // refused when called
      suppressed_responses_.emplace(
          method,
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(
              descriptor->output_type()));
    }
  }
}

GenericProxy::~GenericProxy() = default;

absl::string_view GenericProxy::PackageOf(absl::string_view method) {
  if (method.size() < 2 || method.front() != '/') return {};
  size_t slash = method.find('/', 1);
  if (slash == absl::string_view::npos || slash + 1 >= method.size()) {
    return {};
  }
  absl::string_view service = method.substr(1, slash - 1);
  size_t dot = service.rfind('.');
  if (dot == absl::string_view::npos || dot == 0) return {};
  return service.substr(0, dot);
}

grpc::ServerGenericBidiReactor* GenericProxy::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  const std::string& method = context->method();
  absl::StatusOr<CallerIdentity> identity =
      authenticator_->Authenticate(context->client_metadata());
  if (!identity.ok()) {
    return new RejectReactor(ToGrpcStatus(identity.status()));
  }
  // After authentication (an unknown token takes nothing from any bucket),
  // before any backend work.
  if (options_.rate_limiter != nullptr) {
    absl::Duration retry_after;
    absl::Status admitted =
        options_.rate_limiter->Admit(identity->caller, &retry_after);
    if (!admitted.ok()) {
      context->AddTrailingMetadata(
          kRetryAfterMetadataKey,
          absl::StrCat(absl::ToInt64Milliseconds(retry_after)));
      return new RejectReactor(ToGrpcStatus(admitted));
    }
  }
  auto backend = backends_.find(PackageOf(method));
  if (backend == backends_.end()) {
    return new RejectReactor(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                          "no backend serves this method"));
  }
  if (absl::Status allowed = policy_->Check(method, *identity); !allowed.ok()) {
    return new RejectReactor(ToGrpcStatus(allowed));
  }

  // The caller's deadline when it is sooner than the default.
  absl::Duration limit = policy_->IsStreaming(method)
                             ? options_.streaming_deadline
                             : options_.unary_deadline;
  std::chrono::system_clock::time_point deadline =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          absl::ToChronoNanoseconds(limit));
  deadline = std::min(deadline, context->deadline());

  const google::protobuf::Message* suppress = nullptr;
  if (options_.outward_facing && IsSuppressedMethod(method)) {
    auto prototype = suppressed_responses_.find(method);
    if (prototype == suppressed_responses_.end()) {
      return new RejectReactor(
          grpc::Status(grpc::StatusCode::INTERNAL,
                       "gateway: no response type to check this aggregate "
                       "for small counts"));
    }
    suppress = prototype->second;
  }

  auto* call = new ProxyCall(context);
  call->Start(backend->second.stub.get(), method, *identity, deadline,
              suppress);
  return call;
}

}  // namespace sgm::gateway
