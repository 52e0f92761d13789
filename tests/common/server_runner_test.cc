#include "common/server_runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/rpc_metrics.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "tests/support/health_probe.h"

namespace sgm {
namespace {

using ::sgm::testing::FromByteBuffer;
using ::sgm::testing::GenericUnaryCall;
using ::sgm::testing::HealthOf;
using ::sgm::testing::kNotServing;
using ::sgm::testing::kServing;
using ::sgm::testing::ServingStatusOf;
using ::sgm::testing::StringField;
using ::sgm::testing::ToByteBuffer;

using ::sgm::gateway::v1::GatewayService;
using ::sgm::gateway::v1::WhoAmIRequest;
using ::sgm::gateway::v1::WhoAmIResponse;

constexpr char kGatewayService[] = "sgm.gateway.v1.GatewayService";
constexpr char kHealthWatch[] = "/grpc.health.v1.Health/Watch";
constexpr char kReflection[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

// WhoAmI answers "test"; it can be made slow (it then notices cancellation)
// or failing.
class TestGateway : public GatewayService::Service {
 public:
  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const WhoAmIRequest* /*request*/,
                      WhoAmIResponse* response) override {
    started_.fetch_add(1);
    const absl::Time until = absl::Now() + absl::Milliseconds(delay_ms.load());
    while (absl::Now() < until) {
      if (context->IsCancelled()) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    if (fail.load()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad request");
    }
    response->set_caller("test");
    return grpc::Status::OK;
  }

  int started() const { return started_.load(); }

  std::atomic<int> delay_ms{0};
  std::atomic<bool> fail{false};

 private:
  std::atomic<int> started_{0};
};

// Answers every call no service handles with NOT_FOUND.
class NotFoundReactor : public grpc::ServerGenericBidiReactor {
 public:
  NotFoundReactor() {
    Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "no route"));
  }
  void OnDone() override { delete this; }
};

class NotFoundGenericService : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* /*context*/) override {
    return new NotFoundReactor();
  }
};

bool HealthBecomes(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& service, int want,
                   absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (HealthOf(channel, service) == want) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return false;
}

// A streaming call through the generic stub: writes one request, half-closes
// and collects every response with the time it arrived.
class StreamCall
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamCall(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& method, const std::string& request)
      : stub_(channel), request_(ToByteBuffer(request)) {
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    stub_.PrepareBidiStreamingCall(&context_, method, grpc::StubOptions(),
                                   this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (ok) StartWritesDone();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      responses_.push_back({FromByteBuffer(response_), absl::Now()});
    }
    cv_.notify_all();
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_ = status;
      done_ = true;
      done_at_ = absl::Now();
    }
    cv_.notify_all();
  }

  struct Response {
    std::string bytes;
    absl::Time at;
  };

  // Waits for at least `n` responses; returns them all.
  std::vector<Response> WaitForResponses(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10),
                 [&] { return responses_.size() >= n || done_; });
    return responses_;
  }

  grpc::Status WaitForDone(absl::Time* done_at = nullptr) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return done_; })) {
      context_.TryCancel();
      cv_.wait(lock, [&] { return done_; });
    }
    if (done_at != nullptr) *done_at = done_at_;
    return status_;
  }

  ~StreamCall() override {
    context_.TryCancel();
    WaitForDone();
  }

 private:
  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Response> responses_;
  bool done_ = false;
  absl::Time done_at_;
  grpc::Status status_;
};

// GET /metrics over a plain socket (HTTP/1.0: the server closes when done);
// the body, or "" when the request fails.
std::string MetricsText(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    const std::string request =
        "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
        response.append(buffer, static_cast<size_t>(n));
      }
    }
  }
  close(fd);
  if (!absl::StartsWith(response, "HTTP/1.1 200") &&
      !absl::StartsWith(response, "HTTP/1.0 200")) {
    return "";
  }
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

class ServerRunnerTest : public ::testing::Test {
 protected:
  // Only the tests that read /metrics serve it: civetweb takes up to 2 s
  // to stop.
  void StartServer(std::function<absl::Status()> readiness = nullptr,
                   bool with_metrics = false) {
    ServerOptions options;
    options.service_name = "gateway";
    options.listen_address = "127.0.0.1:0";
    if (with_metrics) options.metrics_address = "127.0.0.1:0";
    options.readiness_interval = absl::Milliseconds(20);
    absl::StatusOr<std::unique_ptr<ServerRunner>> runner = ServerRunner::Start(
        options, {&service_}, &generic_, std::move(readiness));
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner);
    ASSERT_GT(runner_->port(), 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", runner_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  grpc::Status WhoAmI(std::string* caller = nullptr) {
    auto stub = GatewayService::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    WhoAmIResponse response;
    const grpc::Status status =
        stub->WhoAmI(&context, WhoAmIRequest(), &response);
    if (caller != nullptr) *caller = response.caller();
    return status;
  }

  TestGateway service_;
  NotFoundGenericService generic_;
  std::unique_ptr<ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerRunnerTest, ServesCallsAndReportsServing) {
  StartServer();
  std::string caller;
  ASSERT_TRUE(WhoAmI(&caller).ok());
  EXPECT_EQ(caller, "test");
  EXPECT_EQ(HealthOf(channel_, ""), kServing);
  EXPECT_EQ(HealthOf(channel_, kGatewayService), kServing);
  grpc::StatusCode code = grpc::StatusCode::OK;
  EXPECT_EQ(HealthOf(channel_, "sgm.nothing.v1.NoService", &code), -1);
  EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerRunnerTest, ReadinessFailureFlipsHealthAndBack) {
  std::atomic<bool> ready{true};
  std::atomic<int> polls{0};
  StartServer([&]() -> absl::Status {
    polls.fetch_add(1);
    return ready.load() ? absl::OkStatus()
                        : absl::UnavailableError("store not writable");
  });
  EXPECT_EQ(HealthOf(channel_, ""), kServing);

  ready = false;
  EXPECT_TRUE(HealthBecomes(channel_, "", kNotServing, absl::Seconds(2)));
  EXPECT_EQ(HealthOf(channel_, kGatewayService), kNotServing);
  // Calls are still served: readiness only steers traffic away.
  EXPECT_TRUE(WhoAmI().ok());

  ready = true;
  EXPECT_TRUE(HealthBecomes(channel_, "", kServing, absl::Seconds(2)));
  EXPECT_EQ(HealthOf(channel_, kGatewayService), kServing);
  EXPECT_GE(polls.load(), 3);
}

TEST_F(ServerRunnerTest, NotReadyAtStartIsNotServing) {
  StartServer([] { return absl::UnavailableError("store missing"); });
  EXPECT_EQ(HealthOf(channel_, ""), kNotServing);
  EXPECT_EQ(HealthOf(channel_, kGatewayService), kNotServing);
}

TEST_F(ServerRunnerTest, MetricsCountCallsByMethodAndCode) {
  StartServer(nullptr, /*with_metrics=*/true);
  ASSERT_GT(runner_->metrics_port(), 0);
  ASSERT_TRUE(WhoAmI().ok());
  ASSERT_TRUE(WhoAmI().ok());
  service_.fail = true;
  EXPECT_EQ(WhoAmI().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A call the generic service answers.
  EXPECT_EQ(GenericUnaryCall(channel_, "/sgm.intake.v1.IntakeService/Anything",
                             "", nullptr)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  const std::string text = MetricsText(runner_->metrics_port());
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(
      absl::StrContains(text,
                        "sgm_rpc_requests_total{code=\"OK\",method=\"WhoAmI\","
                        "service=\"sgm.gateway.v1.GatewayService\"} 2"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text,
      "sgm_rpc_requests_total{code=\"INVALID_ARGUMENT\",method=\"WhoAmI\","
      "service=\"sgm.gateway.v1.GatewayService\"} 1"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text,
      "sgm_rpc_requests_total{code=\"NOT_FOUND\",method=\"Anything\","
      "service=\"sgm.intake.v1.IntakeService\"} 1"))
      << text;
  EXPECT_TRUE(
      absl::StrContains(text,
                        "sgm_rpc_latency_seconds_count{method=\"WhoAmI\","
                        "service=\"sgm.gateway.v1.GatewayService\"} 3"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text, "sgm_rpc_in_flight{service=\"sgm.gateway.v1.GatewayService\"} 0"))
      << text;
}

TEST_F(ServerRunnerTest, ServiceMetricsShareTheEndpoint) {
  StartServer(nullptr, /*with_metrics=*/true);
  prometheus::BuildCounter()
      .Name("sgm_test_things_total")
      .Help("Things.")
      .Register(runner_->metrics_registry())
      .Add({})
      .Increment(3);
  EXPECT_TRUE(absl::StrContains(MetricsText(runner_->metrics_port()),
                                "sgm_test_things_total 3"));
}

TEST_F(ServerRunnerTest, ReflectionListsTheServices) {
  StartServer();
  StreamCall call(channel_, kReflection, StringField(7, "*"));
  const std::vector<StreamCall::Response> responses = call.WaitForResponses(1);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_TRUE(absl::StrContains(responses[0].bytes, kGatewayService));
  EXPECT_TRUE(absl::StrContains(responses[0].bytes, "grpc.health.v1.Health"));
  EXPECT_TRUE(call.WaitForDone().ok());
}

TEST_F(ServerRunnerTest, ShutdownLetsInFlightCallsFinishAfterNotServing) {
  StartServer();
  StreamCall watch(channel_, kHealthWatch, StringField(1, ""));
  ASSERT_EQ(watch.WaitForResponses(1).size(), 1u);
  EXPECT_EQ(ServingStatusOf(watch.WaitForResponses(1)[0].bytes), kServing);

  service_.delay_ms = 200;
  absl::Time call_done;
  std::thread slow([&] {
    EXPECT_TRUE(WhoAmI().ok());
    call_done = absl::Now();
  });
  while (service_.started() == 0) absl::SleepFor(absl::Milliseconds(1));

  const absl::Time shutdown_start = absl::Now();
  // The open Watch stream is an in-flight call too: it holds the shutdown
  // until the grace runs out, then is cancelled.
  runner_->Shutdown(absl::Seconds(1));
  const absl::Duration shutdown_took = absl::Now() - shutdown_start;
  slow.join();
  runner_->Wait();

  const std::vector<StreamCall::Response> updates = watch.WaitForResponses(2);
  ASSERT_GE(updates.size(), 2u);
  EXPECT_EQ(ServingStatusOf(updates[1].bytes), kNotServing);
  EXPECT_LT(updates[1].at, call_done);
  EXPECT_GE(shutdown_took, absl::Milliseconds(150));
  EXPECT_LT(shutdown_took, absl::Seconds(3));
  EXPECT_FALSE(watch.WaitForDone().ok());

  // New calls are refused; Shutdown is idempotent.
  EXPECT_FALSE(WhoAmI().ok());
  runner_->Shutdown(absl::Seconds(1));
}

TEST_F(ServerRunnerTest, ShutdownReturnsOnceInFlightCallsFinish) {
  StartServer();
  service_.delay_ms = 200;
  grpc::Status status;
  std::thread slow([&] { status = WhoAmI(); });
  while (service_.started() == 0) absl::SleepFor(absl::Milliseconds(1));
  const absl::Time start = absl::Now();
  runner_->Shutdown(absl::Seconds(10));
  const absl::Duration took = absl::Now() - start;
  slow.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_F(ServerRunnerTest, ShutdownCancelsCallsPastTheGrace) {
  StartServer();
  service_.delay_ms = 10000;
  grpc::Status status;
  std::thread slow([&] { status = WhoAmI(); });
  while (service_.started() == 0) absl::SleepFor(absl::Milliseconds(1));
  const absl::Time start = absl::Now();
  runner_->Shutdown(absl::Milliseconds(100));
  slow.join();
  EXPECT_FALSE(status.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(ServerRunnerTest, DestructorShutsDown) {
  StartServer([] { return absl::OkStatus(); });
  ASSERT_TRUE(WhoAmI().ok());
  runner_.reset();
  EXPECT_FALSE(WhoAmI().ok());
}

TEST_F(ServerRunnerTest, AddressInUseIsAnError) {
  StartServer();
  ServerOptions options;
  options.service_name = "second";
  options.listen_address = absl::StrCat("127.0.0.1:", runner_->port());
  TestGateway other;
  const absl::StatusOr<std::unique_ptr<ServerRunner>> second =
      ServerRunner::Start(options, {&other}, nullptr, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(
      absl::StrContains(second.status().message(), options.listen_address))
      << second.status();
  // The first server is unaffected.
  EXPECT_TRUE(WhoAmI().ok());
}

TEST_F(ServerRunnerTest, MetricsAddressInUseIsAnError) {
  StartServer(nullptr, /*with_metrics=*/true);
  ServerOptions options;
  options.service_name = "second";
  options.listen_address = "127.0.0.1:0";
  options.metrics_address = absl::StrCat("127.0.0.1:", runner_->metrics_port());
  TestGateway other;
  const absl::StatusOr<std::unique_ptr<ServerRunner>> second =
      ServerRunner::Start(options, {&other}, nullptr, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(
      absl::StrContains(second.status().message(), options.metrics_address))
      << second.status();
}

TEST_F(ServerRunnerTest, NoMetricsAddressMeansNoEndpoint) {
  ServerOptions options;
  options.service_name = "plain";
  options.listen_address = "127.0.0.1:0";
  absl::StatusOr<std::unique_ptr<ServerRunner>> runner =
      ServerRunner::Start(options, {&service_}, nullptr, nullptr);
  ASSERT_TRUE(runner.ok()) << runner.status();
  EXPECT_EQ((*runner)->metrics_port(), 0);
  EXPECT_GT((*runner)->port(), 0);
}

TEST(ShutdownSignalTest, WaitReturnsTheBlockedSignal) {
  // Blocks SIGTERM in this thread (and threads it starts) only; the test
  // binary's other threads keep their masks, so raise it at this thread.
  BlockShutdownSignals();
  std::thread sender([self = pthread_self()] {
    absl::SleepFor(absl::Milliseconds(20));
    pthread_kill(self, SIGTERM);
  });
  EXPECT_EQ(WaitForShutdownSignal(), SIGTERM);
  sender.join();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

// RpcMetrics on its own.
std::vector<prometheus::MetricFamily> Collect(prometheus::Registry& registry) {
  return registry.Collect();
}

const prometheus::ClientMetric* Find(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& labels) {
  for (const prometheus::MetricFamily& family : families) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      bool all = metric.label.size() == labels.size();
      for (const auto& [key, value] : labels) {
        bool found = false;
        for (const prometheus::ClientMetric::Label& label : metric.label) {
          found = found || (label.name == key && label.value == value);
        }
        all = all && found;
      }
      if (all) return &metric;
    }
  }
  return nullptr;
}

TEST(RpcMetricsTest, RecordsCallsLatencyAndInFlight) {
  prometheus::Registry registry;
  RpcMetrics metrics(registry);
  metrics.CallStarted("/sgm.kpi.v1.KpiService/GetIndicator");
  metrics.CallStarted("/sgm.kpi.v1.KpiService/GetIndicator");
  {
    const auto families = Collect(registry);
    const auto* in_flight = Find(families, "sgm_rpc_in_flight",
                                 {{"service", "sgm.kpi.v1.KpiService"}});
    ASSERT_NE(in_flight, nullptr);
    EXPECT_EQ(in_flight->gauge.value, 2);
  }
  metrics.CallFinished("/sgm.kpi.v1.KpiService/GetIndicator",
                       grpc::StatusCode::OK, absl::Milliseconds(3));
  metrics.CallFinished("/sgm.kpi.v1.KpiService/GetIndicator",
                       grpc::StatusCode::DEADLINE_EXCEEDED, absl::Seconds(20));
  const auto families = Collect(registry);
  const auto* ok = Find(families, "sgm_rpc_requests_total",
                        {{"service", "sgm.kpi.v1.KpiService"},
                         {"method", "GetIndicator"},
                         {"code", "OK"}});
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->counter.value, 1);
  const auto* late = Find(families, "sgm_rpc_requests_total",
                          {{"service", "sgm.kpi.v1.KpiService"},
                           {"method", "GetIndicator"},
                           {"code", "DEADLINE_EXCEEDED"}});
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->counter.value, 1);
  const auto* latency =
      Find(families, "sgm_rpc_latency_seconds",
           {{"service", "sgm.kpi.v1.KpiService"}, {"method", "GetIndicator"}});
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->histogram.sample_count, 2u);
  EXPECT_NEAR(latency->histogram.sample_sum, 20.003, 1e-9);
  ASSERT_FALSE(latency->histogram.bucket.empty());
  EXPECT_DOUBLE_EQ(latency->histogram.bucket.front().upper_bound, 0.0005);
  // The last explicit bound is 10 s; +Inf follows.
  ASSERT_GE(latency->histogram.bucket.size(), 2u);
  EXPECT_DOUBLE_EQ(
      latency->histogram.bucket[latency->histogram.bucket.size() - 2]
          .upper_bound,
      10.0);
  const auto* in_flight = Find(families, "sgm_rpc_in_flight",
                               {{"service", "sgm.kpi.v1.KpiService"}});
  ASSERT_NE(in_flight, nullptr);
  EXPECT_EQ(in_flight->gauge.value, 0);
}

TEST(RpcMetricsTest, BoundsTheNumberOfMethods) {
  prometheus::Registry registry;
  RpcMetrics metrics(registry);
  for (int i = 0; i < RpcMetrics::kMaxMethods + 50; ++i) {
    const std::string method = absl::StrCat("/x.Svc", i, "/M");
    metrics.CallStarted(method);
    metrics.CallFinished(method, grpc::StatusCode::UNIMPLEMENTED,
                         absl::Milliseconds(1));
  }
  const auto families = Collect(registry);
  const auto* other = Find(
      families, "sgm_rpc_requests_total",
      {{"service", "other"}, {"method", "other"}, {"code", "UNIMPLEMENTED"}});
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->counter.value, 50);
}

TEST(RpcMetricsTest, CodeNames) {
  EXPECT_EQ(RpcMetrics::CodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(RpcMetrics::CodeName(grpc::StatusCode::INVALID_ARGUMENT),
            "INVALID_ARGUMENT");
  EXPECT_EQ(RpcMetrics::CodeName(grpc::StatusCode::UNAUTHENTICATED),
            "UNAUTHENTICATED");
  EXPECT_EQ(RpcMetrics::CodeName(static_cast<grpc::StatusCode>(42)), "42");
}

}  // namespace
}  // namespace sgm
