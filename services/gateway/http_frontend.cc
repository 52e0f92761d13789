#include "services/gateway/http_frontend.h"

#include <httplib.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "nlohmann/json.hpp"
#include "services/gateway/json_transcoder.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/report_html.h"
#include "services/gateway/web_assets.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"

namespace sgm::gateway {
namespace {

// Requests larger than this are refused with 413.
constexpr size_t kMaxBodyBytes = 16 << 20;
// /readyz waits this long for the gateway's own health answer.
constexpr absl::Duration kReadyDeadline = absl::Seconds(2);
constexpr char kSuppressedTrailer[] = "sgm-suppressed-fields";
constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kText[] = "text/plain; charset=utf-8";

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 412;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

// The error body, google.rpc.Status-like:
// {"code": 3, "status": "INVALID_ARGUMENT", "message": "..."}.
void SetError(httplib::Response& response, const grpc::Status& status) {
  nlohmann::json body = {{"code", static_cast<int>(status.error_code())},
                         {"status", CodeName(status.error_code())},
                         {"message", status.error_message()}};
  response.status = HttpStatusOf(status.error_code());
  response.set_content(
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      kJson);
}

void SetError(httplib::Response& response, const absl::Status& status) {
  SetError(response, grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                                  std::string(status.message())));
}

// The whole result of one call on the gateway.
struct CallResult {
  grpc::Status status;
  std::string response;
  std::string suppressed_fields;
  // The rate limiter's "sgm-retry-after-ms", when it refused the call.
  std::string retry_after_ms;
};

// gRPC metadata values are printable ASCII; a header with anything else
// (httplib passes control and non-ASCII bytes, and decodes %xx) can be no
// token, and handing it to gRPC would abort the process.
bool AuthorizationIsPrintable(const httplib::Request& request) {
  for (const char ch : request.get_header_value("Authorization")) {
    if (ch < 0x20 || ch > 0x7e) return false;
  }
  return true;
}

// UNAUTHENTICATED for an Authorization header no token could be.
const grpc::Status kUnprintableAuthorization(
    grpc::StatusCode::UNAUTHENTICATED,
    "the Authorization header holds characters no token has");

void AddAuthorization(const httplib::Request& request,
                      grpc::ClientContext& context) {
  if (request.has_header("Authorization") &&
      AuthorizationIsPrintable(request)) {
    context.AddMetadata("authorization",
                        request.get_header_value("Authorization"));
  }
}

// The values of trailing metadata `key`, joined with commas.
std::string TrailerValues(const grpc::ClientContext& context,
                          absl::string_view key) {
  std::string values;
  auto range = context.GetServerTrailingMetadata().equal_range(
      grpc::string_ref(key.data(), key.size()));
  for (auto it = range.first; it != range.second; ++it) {
    if (!values.empty()) values += ",";
    values.append(it->second.data(), it->second.size());
  }
  return values;
}

std::string SuppressedFields(const grpc::ClientContext& context) {
  return TrailerValues(context, kSuppressedTrailer);
}

// From the rate limiter's "sgm-retry-after-ms" trailer: a Retry-After
// header in whole seconds (rounded up, at least 1) on a refused call.
void SetRetryAfter(absl::string_view retry_after_ms,
                   httplib::Response& response) {
  int64_t millis = 0;
  if (!absl::SimpleAtoi(retry_after_ms, &millis) || millis < 0) return;
  response.set_header("Retry-After", std::to_string(std::max<int64_t>(
                                         1, (millis + 999) / 1000)));
}

}  // namespace

struct HttpFrontend::Impl {
  HttpFrontendOptions options;
  std::shared_ptr<grpc::Channel> gateway;
  std::unique_ptr<gateway::v1::GatewayService::Stub> gateway_stub;
  grpc::GenericStub generic_stub;
  JsonTranscoder transcoder;
  std::unique_ptr<httplib::Server> server;
  std::thread listener;
  int port = 0;
  absl::Mutex mu;
  bool shut_down ABSL_GUARDED_BY(mu) = false;

  explicit Impl(std::shared_ptr<grpc::Channel> channel)
      : gateway(channel),
        gateway_stub(gateway::v1::GatewayService::NewStub(channel)),
        generic_stub(channel) {}

  void Install();
  void ServeApi(const httplib::Request& request, httplib::Response& response);
  void ServeReport(const httplib::Request& request,
                   httplib::Response& response);
  void ServeReady(httplib::Response& response);
  CallResult Call(const httplib::Request* request, const std::string& path,
                  const std::vector<std::string>& requests,
                  absl::Duration deadline);
};

// One call on the gateway through the generic stub, as a bidirectional
// stream: it carries a unary call (one message each way) as well as a
// client-streaming one (many up, one down). Each step waits for the last.
CallResult HttpFrontend::Impl::Call(const httplib::Request* request,
                                    const std::string& path,
                                    const std::vector<std::string>& requests,
                                    absl::Duration deadline) {
  CallResult result;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (request != nullptr) AddAuthorization(*request, context);
  grpc::CompletionQueue queue;
  auto wait = [&queue]() {
    void* tag = nullptr;
    bool ok = false;
    return queue.Next(&tag, &ok) && ok;
  };
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      generic_stub.PrepareCall(&context, path, &queue);
  call->StartCall(reinterpret_cast<void*>(1));
  bool ok = wait();
  for (size_t i = 0; ok && i < requests.size(); ++i) {
    grpc::Slice slice(requests[i]);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    ok = wait();
  }
  if (ok) {
    call->WritesDone(reinterpret_cast<void*>(3));
    ok = wait();
  }
  grpc::ByteBuffer reply;
  bool have_reply = false;
  if (ok) {
    call->Read(&reply, reinterpret_cast<void*>(4));
    have_reply = wait();
  }
  call->Finish(&result.status, reinterpret_cast<void*>(5));
  wait();
  queue.Shutdown();
  void* tag = nullptr;
  bool drained = false;
  while (queue.Next(&tag, &drained)) {
  }
  if (result.status.ok()) {
    std::vector<grpc::Slice> slices;
    if (!have_reply || !reply.Dump(&slices).ok()) {
      result.status = grpc::Status(grpc::StatusCode::INTERNAL,
                                   absl::StrCat(path, " answered nothing"));
    } else {
      for (const grpc::Slice& slice : slices) {
        result.response.append(reinterpret_cast<const char*>(slice.begin()),
                               slice.size());
      }
    }
  }
  result.suppressed_fields = SuppressedFields(context);
  result.retry_after_ms = TrailerValues(context, kRetryAfterMetadataKey);
  return result;
}

void HttpFrontend::Impl::ServeApi(const httplib::Request& request,
                                  httplib::Response& response) {
  response.set_header("Cache-Control", "no-store");
  if (!AuthorizationIsPrintable(request)) {
    SetError(response, kUnprintableAuthorization);
    return;
  }
  absl::StatusOr<const google::protobuf::MethodDescriptor*> method =
      transcoder.FindMethod(request.matches[1].str(), request.matches[2].str());
  if (!method.ok()) {
    SetError(response, method.status());
    return;
  }
  absl::StatusOr<std::vector<std::string>> requests =
      transcoder.RequestsFromJson(**method, request.body);
  if (!requests.ok()) {
    SetError(response, requests.status());
    return;
  }
  // Feed imports (client streaming) get the streaming deadline.
  CallResult result =
      Call(&request, JsonTranscoder::GrpcPath(**method), *requests,
           (*method)->client_streaming() ? options.streaming_call_deadline
                                         : options.call_deadline);
  if (!result.suppressed_fields.empty()) {
    response.set_header("Sgm-Suppressed-Fields", result.suppressed_fields);
  }
  SetRetryAfter(result.retry_after_ms, response);
  if (!result.status.ok()) {
    SetError(response, result.status);
    return;
  }
  absl::StatusOr<std::string> json =
      transcoder.ResponseToJson(**method, result.response);
  if (!json.ok()) {
    SetError(response, json.status());
    return;
  }
  response.status = 200;
  response.set_content(*std::move(json), kJson);
}

void HttpFrontend::Impl::ServeReport(const httplib::Request& request,
                                     httplib::Response& response) {
  response.set_header("Cache-Control", "no-store");
  if (!AuthorizationIsPrintable(request)) {
    SetError(response, kUnprintableAuthorization);
    return;
  }
  gateway::v1::GetPracticeReportRequest call;
  if (request.has_param("month") && !request.get_param_value("month").empty()) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(request.get_param_value("month"), '-');
    int year = 0;
    int month = 0;
    if (parts.size() != 2 || parts[0].size() != 4 || parts[1].size() != 2 ||
        !absl::SimpleAtoi(parts[0], &year) ||
        !absl::SimpleAtoi(parts[1], &month) || month < 1 || month > 12) {
      SetError(response, absl::InvalidArgumentError("month: expected YYYY-MM"));
      return;
    }
    call.mutable_month()->set_year(year);
    call.mutable_month()->set_month(month);
  }
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.call_deadline));
  AddAuthorization(request, context);
  gateway::v1::GetPracticeReportResponse reply;
  grpc::Status status = gateway_stub->GetPracticeReport(&context, call, &reply);
  std::string suppressed = SuppressedFields(context);
  if (!suppressed.empty()) {
    response.set_header("Sgm-Suppressed-Fields", suppressed);
  }
  SetRetryAfter(TrailerValues(context, kRetryAfterMetadataKey), response);
  if (!status.ok()) {
    SetError(response, status);
    return;
  }
  response.status = 200;
  response.set_content(RenderReportHtmlFragment(reply.report()), kHtml);
}

void HttpFrontend::Impl::ServeReady(httplib::Response& response) {
  response.set_header("Cache-Control", "no-store");
  // grpc.health.v1.Health/Check for "" (an empty HealthCheckRequest); the
  // answer's field 1 is the status, 1 = SERVING.
  CallResult result = Call(nullptr, "/grpc.health.v1.Health/Check",
                           {std::string()}, kReadyDeadline);
  google::protobuf::UnknownFieldSet answer;
  bool serving = false;
  if (result.status.ok() && answer.ParseFromString(result.response)) {
    for (int i = 0; i < answer.field_count(); ++i) {
      const google::protobuf::UnknownField& field = answer.field(i);
      if (field.number() == 1 &&
          field.type() == google::protobuf::UnknownField::TYPE_VARINT) {
        serving = field.varint() == 1;
      }
    }
  }
  if (serving) {
    response.status = 200;
    response.set_content("ready\n", kText);
  } else {
    response.status = 503;
    response.set_content("not ready\n", kText);
  }
}

void HttpFrontend::Impl::Install() {
  server->set_payload_max_length(kMaxBodyBytes);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let
  // a second process share a port already in use instead of failing.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->set_default_headers({
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  });
  // Only the method, path template, status and duration: never a query,
  // body or token.
  server->set_logger(
      [](const httplib::Request& request, const httplib::Response& response) {
        std::string route = request.path;
        if (route.rfind("/api/v1/", 0) != 0 &&
            route.rfind("/assets/", 0) != 0 && route != "/" &&
            route != "/report" && route != "/healthz" && route != "/readyz") {
          route = "(other)";
        }
        LogInfo("http_request", {{"method", request.method},
                                 {"route", route},
                                 {"status", response.status}});
      });
  server->set_error_handler(
      [](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty()) return;
        const char* message = response.status == 413   ? "request too large"
                              : response.status == 404 ? "not found"
                                                       : "error";
        response.set_content(absl::StrCat(message, "\n"), kText);
      });
  server->Get("/healthz",
              [](const httplib::Request&, httplib::Response& response) {
                response.set_header("Cache-Control", "no-store");
                response.set_content("ok\n", kText);
              });
  server->Get("/readyz",
              [this](const httplib::Request&, httplib::Response& response) {
                ServeReady(response);
              });
  auto api = [this](const httplib::Request& request,
                    httplib::Response& response) {
    ServeApi(request, response);
  };
  server->Post(R"(/api/v1/([^/]+)/([^/]+))", api);
  server->Get(R"(/api/v1/([^/]+)/([^/]+))", api);
  server->Get("/report", [this](const httplib::Request& request,
                                httplib::Response& response) {
    ServeReport(request, response);
  });
  auto asset = [](absl::string_view name, httplib::Response& response,
                  bool cache) {
    const WebAsset* found = FindWebAsset(name);
    if (found == nullptr) {
      response.status = 404;
      response.set_content("not found\n", kText);
      return;
    }
    response.set_header("Cache-Control",
                        cache ? "public, max-age=3600" : "no-cache");
    response.set_content(std::string(found->body),
                         std::string(found->content_type).c_str());
  };
  server->Get("/",
              [asset](const httplib::Request&, httplib::Response& response) {
                asset("index.html", response, false);
              });
  server->Get(
      R"(/assets/([A-Za-z0-9_.-]+))",
      [asset](const httplib::Request& request, httplib::Response& response) {
        asset(request.matches[1].str(), response, true);
      });
}

absl::StatusOr<std::unique_ptr<HttpFrontend>> HttpFrontend::Start(
    const HttpFrontendOptions& options,
    std::shared_ptr<grpc::Channel> gateway) {
  // "host:port"; an IPv6 host is "[::1]:8080".
  size_t colon = options.listen_address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(
          absl::string_view(options.listen_address).substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("gateway http: the listen address \"",
                     options.listen_address, "\" is not host:port"));
  }
  std::string host = options.listen_address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "gateway http: TLS needs both a certificate and a key");
  }
  auto impl = std::make_unique<Impl>(std::move(gateway));
  impl->options = options;
  if (!options.tls_cert.empty()) {
    auto server = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(),
                                                       options.tls_key.c_str());
    if (!server->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("gateway http: cannot load the TLS certificate ",
                       options.tls_cert, " and key ", options.tls_key));
    }
    impl->server = std::move(server);
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  impl->Install();
  if (port == 0) {
    port = impl->server->bind_to_any_port(host);
    if (port <= 0) port = -1;
  } else if (!impl->server->bind_to_port(host, port)) {
    port = -1;
  }
  if (port < 0) {
    return absl::UnavailableError(absl::StrCat(
        "gateway http: cannot listen on ", options.listen_address));
  }
  impl->port = port;
  httplib::Server* server = impl->server.get();
  impl->listener = std::thread([server]() { server->listen_after_bind(); });
  LogInfo("http_listening", {{"address", host}, {"port", port}});
  return std::unique_ptr<HttpFrontend>(new HttpFrontend(std::move(impl)));
}

HttpFrontend::HttpFrontend(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

HttpFrontend::~HttpFrontend() { Shutdown(); }

int HttpFrontend::port() const { return impl_->port; }

void HttpFrontend::Shutdown() {
  {
    absl::MutexLock lock(&impl_->mu);
    if (impl_->shut_down) return;
    impl_->shut_down = true;
  }
  impl_->server->stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

}  // namespace sgm::gateway
