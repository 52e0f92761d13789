#include "common/rpc_metrics.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace sgm {
namespace {

// 0.5 ms to 10 s in a 1-2.5-5 progression (exponential, ~x2.2 per bucket,
// with readable bounds).
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
}

// "/sgm.intake.v1.IntakeService/Submit" -> {"sgm.intake.v1.IntakeService",
// "Submit"}. Anything else is kept whole as the method of service "unknown".
std::pair<std::string, std::string> SplitMethod(absl::string_view full) {
  if (full.size() > 1 && full[0] == '/') {
    const size_t slash = full.find('/', 1);
    if (slash != absl::string_view::npos && slash > 1 &&
        slash + 1 < full.size()) {
      return {std::string(full.substr(1, slash - 1)),
              std::string(full.substr(slash + 1))};
    }
  }
  return {"unknown", full.empty() ? std::string("unknown") : std::string(full)};
}

constexpr absl::string_view kOtherMethod = "other";

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, const char* method)
      : metrics_(metrics),
        method_(method != nullptr ? method : ""),
        start_(std::chrono::steady_clock::now()) {
    metrics_->CallStarted(method_);
  }

  ~MetricsInterceptor() override {
    // A call torn down without sending a status was cancelled.
    if (!finished_) Finish(grpc::StatusCode::CANCELLED);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    // Batches of one call can run on different threads at once; only the
    // one that sends the status reads finished_ (and sets it, once).
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS) &&
        !finished_) {
      Finish(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Finish(grpc::StatusCode code) {
    finished_ = true;
    metrics_->CallFinished(
        method_, code,
        absl::FromChrono(std::chrono::steady_clock::now() - start_));
  }

  RpcMetrics* const metrics_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

class MetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(RpcMetrics* metrics) : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info->method());
  }

 private:
  RpcMetrics* const metrics_;
};

}  // namespace

RpcMetrics::RpcMetrics(prometheus::Registry& registry)
    : requests_family_(
          prometheus::BuildCounter()
              .Name("sgm_rpc_requests_total")
              .Help("gRPC calls handled, by service, method and status code.")
              .Register(registry)),
      latency_family_(
          prometheus::BuildHistogram()
              .Name("sgm_rpc_latency_seconds")
              .Help("gRPC call latency from start to status, in seconds.")
              .Register(registry)),
      in_flight_family_(prometheus::BuildGauge()
                            .Name("sgm_rpc_in_flight")
                            .Help("gRPC calls in progress, by service.")
                            .Register(registry)) {}

RpcMetrics::~RpcMetrics() = default;

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(this);
}

void RpcMetrics::CallStarted(absl::string_view full_method) {
  MetricsFor(full_method).in_flight->Increment();
}

void RpcMetrics::CallFinished(absl::string_view full_method,
                              grpc::StatusCode code, absl::Duration latency) {
  MethodMetrics& metrics = MetricsFor(full_method);
  metrics.in_flight->Decrement();
  metrics.latency->Observe(absl::ToDoubleSeconds(latency));
  RequestsCounter(metrics, code).Increment();
}

std::string RpcMetrics::CodeName(grpc::StatusCode code) {
  const int value = static_cast<int>(code);
  if (value >= 0 && value < kCodes) {
    return absl::StatusCodeToString(static_cast<absl::StatusCode>(value));
  }
  return absl::StrCat(value);
}

RpcMetrics::MethodMetrics& RpcMetrics::MetricsFor(
    absl::string_view full_method) {
  absl::MutexLock lock(&mu_);
  auto it = methods_.find(full_method);
  if (it != methods_.end()) return *it->second;
  if (methods_.size() >= static_cast<size_t>(kMaxMethods)) {
    it = methods_.find(kOtherMethod);
    if (it != methods_.end()) return *it->second;
    full_method = kOtherMethod;
  }
  auto metrics = std::make_unique<MethodMetrics>();
  if (full_method == kOtherMethod) {
    metrics->service = std::string(kOtherMethod);
    metrics->method = std::string(kOtherMethod);
  } else {
    std::tie(metrics->service, metrics->method) = SplitMethod(full_method);
  }
  metrics->in_flight = &in_flight_family_.Add({{"service", metrics->service}});
  metrics->latency = &latency_family_.Add(
      {{"service", metrics->service}, {"method", metrics->method}},
      LatencyBuckets());
  MethodMetrics& result = *metrics;
  methods_.emplace(std::string(full_method), std::move(metrics));
  return result;
}

prometheus::Counter& RpcMetrics::RequestsCounter(MethodMetrics& metrics,
                                                 grpc::StatusCode code) {
  const int value = static_cast<int>(code);
  const bool cached = value >= 0 && value < kCodes;
  if (cached) {
    prometheus::Counter* counter =
        metrics.requests[value].load(std::memory_order_acquire);
    if (counter != nullptr) return *counter;
  }
  // Family::Add is thread-safe and returns the existing counter for the
  // same labels, so a race here only looks it up twice.
  prometheus::Counter& counter =
      requests_family_.Add({{"service", metrics.service},
                            {"method", metrics.method},
                            {"code", CodeName(code)}});
  if (cached)
    metrics.requests[value].store(&counter, std::memory_order_release);
  return counter;
}

}  // namespace sgm
