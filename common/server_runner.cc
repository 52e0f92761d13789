#include "common/server_runner.h"

#include <pthread.h>
#include <signal.h>

#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/rpc_metrics.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace sgm {
namespace {

// The least interval between client pings the server accepts on a
// connection without calls (the default, 5 minutes, makes gRPC answer a
// client's 30 s keepalive with GOAWAY "too_many_pings").
constexpr int kMinClientPingIntervalMs = 10 * 1000;

// gRPC gives no public accessor for a grpc::Service's name; a builder plugin
// sees the names of the registered services once the server is built (the
// reflection plugin reads them the same way).
class ServiceNamesPlugin : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceNamesPlugin(std::vector<std::string>* names)
      : names_(names) {}
  std::string name() override { return "sgm_service_names"; }
  void InitServer(grpc::ServerInitializer* /*si*/) override {}
  void Finish(grpc::ServerInitializer* si) override {
    for (const std::string& name : *si->GetServiceList()) {
      // grpc.health.v1.Health, grpc.reflection.*: not ours to report.
      if (!absl::StartsWith(name, "grpc.")) names_->push_back(name);
    }
  }
  void ChangeArguments(const std::string& /*name*/, void* /*value*/) override {}

 private:
  std::vector<std::string>* const names_;
};

class ServiceNamesOption : public grpc::ServerBuilderOption {
 public:
  explicit ServiceNamesOption(std::vector<std::string>* names)
      : names_(names) {}
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->push_back(std::make_unique<ServiceNamesPlugin>(names_));
  }

 private:
  std::vector<std::string>* const names_;
};

int ToMillis(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  return ms > INT32_MAX ? INT32_MAX : ms < 0 ? 0 : static_cast<int>(ms);
}

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerRunner>> ServerRunner::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    grpc::CallbackGenericService* generic_service,
    std::function<absl::Status()> readiness) {
  auto runner = absl::WrapUnique(new ServerRunner());
  runner->options_ = options;
  runner->readiness_ = std::move(readiness);
  runner->registry_ = std::make_shared<prometheus::Registry>();
  runner->rpc_metrics_ = std::make_unique<RpcMetrics>(*runner->registry_);

  if (!options.metrics_address.empty()) {
    try {
      // One civetweb worker is plenty for a scrape every few seconds.
      runner->exposer_ =
          std::make_unique<prometheus::Exposer>(options.metrics_address, 1);
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat(
          "cannot serve metrics on ", options.metrics_address, ": ", e.what()));
    }
    runner->exposer_->RegisterCollectable(runner->registry_);
    const std::vector<int> ports = runner->exposer_->GetListeningPorts();
    if (ports.empty() || ports.front() <= 0) {
      return absl::UnavailableError(absl::StrCat(
          "cannot serve metrics on ", options.metrics_address, ": no port"));
    }
    runner->metrics_port_ = ports.front();
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           options.credentials != nullptr
                               ? options.credentials
                               : grpc::InsecureServerCredentials(),
                           &runner->port_);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ToMillis(options.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ToMillis(options.keepalive_timeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      kMinClientPingIntervalMs);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // gRPC sets SO_REUSEPORT by default on Linux, so a second server on the
  // same port would start and silently share its traffic. Fail instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);

  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(runner->rpc_metrics_->NewInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  for (grpc::Service* service : services) builder.RegisterService(service);
  if (generic_service != nullptr) {
    builder.RegisterCallbackGenericService(generic_service);
  }
  builder.SetOption(
      std::make_unique<ServiceNamesOption>(&runner->health_service_names_));

  runner->server_ = builder.BuildAndStart();
  if (runner->server_ == nullptr || runner->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use or not valid)"));
  }

  grpc::HealthCheckServiceInterface* health =
      runner->server_->GetHealthCheckService();
  bool ready = true;
  if (runner->readiness_) {
    const absl::Status status = runner->readiness_();
    ready = status.ok();
    if (!ready) {
      LogWarn("server_not_ready",
              {{"code", absl::StatusCodeToString(status.code())},
               {"reason", status.message()}});
    }
  }
  {
    absl::MutexLock lock(&runner->mu_);
    runner->serving_ = ready;
    runner->SetHealthLocked(health, ready);
  }
  if (runner->readiness_) {
    runner->readiness_thread_ =
        std::thread([r = runner.get()] { r->PollReadiness(); });
  }
  LogInfo("server_started", {{"name", options.service_name},
                             {"port", runner->port_},
                             {"metrics_port", runner->metrics_port_},
                             {"ready", ready ? "true" : "false"}});
  return runner;
}

ServerRunner::~ServerRunner() {
  if (server_ != nullptr) {
    Shutdown(absl::ZeroDuration());
    server_->Wait();
  }
  // Shutdown has stopped the readiness thread unless another thread is
  // still inside it.
  if (readiness_thread_.joinable()) {
    if (!stop_polling_.HasBeenNotified()) stop_polling_.Notify();
    readiness_thread_.join();
  }
}

prometheus::Registry& ServerRunner::metrics_registry() { return *registry_; }

void ServerRunner::SetHealthLocked(grpc::HealthCheckServiceInterface* health,
                                   bool serving) {
  if (health == nullptr) return;
  health->SetServingStatus("", serving);
  for (const std::string& name : health_service_names_) {
    health->SetServingStatus(name, serving);
  }
}

void ServerRunner::PollReadiness() {
  while (!stop_polling_.WaitForNotificationWithTimeout(
      options_.readiness_interval)) {
    // Polled without the lock: a readiness check may take a while.
    const absl::Status status = readiness_();
    const bool ready = status.ok();
    absl::MutexLock lock(&mu_);
    if (shut_down_ || ready == serving_) continue;
    serving_ = ready;
    SetHealthLocked(server_->GetHealthCheckService(), ready);
    if (ready) {
      LogInfo("server_ready", {{"name", options_.service_name}});
    } else {
      // The status says which dependency failed; it carries no records.
      LogWarn("server_not_ready",
              {{"name", options_.service_name},
               {"code", absl::StatusCodeToString(status.code())},
               {"reason", status.message()}});
    }
  }
}

std::shared_ptr<grpc::Channel> ServerRunner::InProcessChannel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return server_->InProcessChannel(args);
}

void ServerRunner::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_ || server_ == nullptr) return;
    shut_down_ = true;
    serving_ = false;
    // Health first, so that probes and watching clients stop sending here.
    SetHealthLocked(server_->GetHealthCheckService(), false);
  }
  LogInfo(
      "server_stopping",
      {{"name", options_.service_name},
       {"grace_ms", static_cast<long long>(absl::ToInt64Milliseconds(grace))}});
  stop_polling_.Notify();
  if (readiness_thread_.joinable()) readiness_thread_.join();
  // Refuses new calls, lets in-flight ones finish until the deadline, then
  // cancels them. A health Watch stream is such a call: gRPC's default health
  // service does not end it, so with a watching client this takes `grace`.
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health != nullptr) health->Shutdown();
  LogInfo("server_stopped", {{"name", options_.service_name}});
}

void ServerRunner::Wait() {
  if (server_ != nullptr) server_->Wait();
}

void BlockShutdownSignals() {
  const sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int WaitForShutdownSignal() {
  const sigset_t signals = ShutdownSignals();
  int signal = 0;
  while (sigwait(&signals, &signal) != 0) {
  }
  return signal;
}

}  // namespace sgm
