// Per-method Prometheus metrics for a gRPC server, recorded by a server
// interceptor:
//   sgm_rpc_requests_total{service,method,code}   counter
//   sgm_rpc_latency_seconds{service,method}       histogram
//   sgm_rpc_in_flight{service}                    gauge
// `service` is the gRPC service's full name ("sgm.intake.v1.IntakeService"),
// `method` the method's name ("SubmitContacts"), `code` the canonical status
// code name ("OK", "INVALID_ARGUMENT"). Latency runs from the start of the
// call to the moment its status is sent.
#ifndef SGM_COMMON_RPC_METRICS_H_
#define SGM_COMMON_RPC_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace sgm {

class RpcMetrics {
 public:
  // Distinct "/service/method" paths tracked; calls to further paths (only
  // possible through a generic service) are counted under "other" so that a
  // caller cannot grow the label sets without bound.
  static constexpr int kMaxMethods = 1000;

  // Adds the three families to `registry`, which must outlive this object.
  explicit RpcMetrics(prometheus::Registry& registry);
  ~RpcMetrics();
  RpcMetrics(const RpcMetrics&) = delete;
  RpcMetrics& operator=(const RpcMetrics&) = delete;

  // A factory for ServerBuilder::experimental().SetInterceptorCreators().
  // Its interceptors record into this object, which must outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  // What the interceptor records, for callers that track calls themselves.
  // `full_method` is gRPC's "/package.Service/Method".
  void CallStarted(absl::string_view full_method);
  // One call per CallStarted: counts the call, observes its latency and
  // takes it out of the in-flight gauge.
  void CallFinished(absl::string_view full_method, grpc::StatusCode code,
                    absl::Duration latency);

  // "OK", "INVALID_ARGUMENT", ...; the number for a code outside the enum.
  static std::string CodeName(grpc::StatusCode code);

 private:
  static constexpr int kCodes = 17;  // OK .. UNAUTHENTICATED
  struct MethodMetrics {
    prometheus::Gauge* in_flight = nullptr;
    prometheus::Histogram* latency = nullptr;
    std::string service;
    std::string method;
    // By status code; created on first use.
    std::array<std::atomic<prometheus::Counter*>, kCodes> requests{};
  };

  MethodMetrics& MetricsFor(absl::string_view full_method)
      ABSL_LOCKS_EXCLUDED(mu_);
  prometheus::Counter& RequestsCounter(MethodMetrics& metrics,
                                       grpc::StatusCode code);

  prometheus::Family<prometheus::Counter>& requests_family_;
  prometheus::Family<prometheus::Histogram>& latency_family_;
  prometheus::Family<prometheus::Gauge>& in_flight_family_;

  absl::Mutex mu_;
  // By "/service/method"; entries are never removed, so references stay.
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace sgm

#endif  // SGM_COMMON_RPC_METRICS_H_
