// The bootstrap every service shares: a gRPC server with grpc.health.v1,
// reflection, keepalive, per-method Prometheus metrics on /metrics, a
// readiness probe that turns health NOT_SERVING while a dependency (the
// store) is unusable, and a graceful shutdown.
#ifndef SGM_COMMON_SERVER_RUNNER_H_
#define SGM_COMMON_SERVER_RUNNER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace sgm {

class RpcMetrics;

struct ServerOptions {
  std::string service_name;    // "intake", "gateway": for logs and metrics
  std::string listen_address;  // "127.0.0.1:0" picks a free port
  // "127.0.0.1:9464"; empty: no /metrics endpoint. Port 0 picks a free one.
  std::string metrics_address;
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  int max_message_bytes = 16 * 1024 * 1024;
  // How often `readiness` is polled.
  absl::Duration readiness_interval = absl::Seconds(2);
  // Server credentials; insecure when null.
  std::shared_ptr<grpc::ServerCredentials> credentials;
};

class ServerRunner {
 public:
  // Builds and starts the server with `services` (not owned; they must
  // outlive the runner) and, when given, a callback generic service that
  // receives every call no registered service handles (the gateway's proxy).
  // `readiness` (may be empty) is polled; while it fails, health reports
  // NOT_SERVING for "" and for every service name.
  static absl::StatusOr<std::unique_ptr<ServerRunner>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      grpc::CallbackGenericService* generic_service,
      std::function<absl::Status()> readiness);
  ~ServerRunner();  // Shutdown(0) when not yet shut down

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }  // 0 when off
  // A channel to this server inside the process (no socket, no transport
  // security): every call still passes the server's own interceptors,
  // services and generic service. For the gateway's HTTP side.
  std::shared_ptr<grpc::Channel> InProcessChannel() const;

  // The registry behind /metrics, for a service's own metrics.
  prometheus::Registry& metrics_registry();

  // Graceful shutdown: health turns NOT_SERVING first, new calls are
  // refused, in-flight calls get up to `grace` to finish, then are
  // cancelled. Idempotent; safe from any thread but a signal handler.
  void Shutdown(absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();

 private:
  ServerRunner() = default;
  void PollReadiness();
  // Sets health for "" and every registered service.
  void SetHealthLocked(grpc::HealthCheckServiceInterface* health, bool serving)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ServerOptions options_;
  std::function<absl::Status()> readiness_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<RpcMetrics> rpc_metrics_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int metrics_port_ = 0;
  // Full names of the registered services ("sgm.intake.v1.IntakeService"),
  // filled in while the server is built; read-only afterwards.
  std::vector<std::string> health_service_names_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stop_polling_;
  std::thread readiness_thread_;
};

// Call first in main(), before any thread starts: blocks SIGTERM and SIGINT
// so that only WaitForShutdownSignal() receives them (gRPC's advice: never
// call Shutdown from a signal handler).
void BlockShutdownSignals();
// Blocks the calling thread until SIGTERM or SIGINT; returns the signal.
int WaitForShutdownSignal();

}  // namespace sgm

#endif  // SGM_COMMON_SERVER_RUNNER_H_
