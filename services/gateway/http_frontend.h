// The gateway's HTTP side (cpp-httplib): the dashboard page and its assets,
// the report as HTML, JSON for every public RPC under /api/v1/ (the
// protobuf JSON mapping), /healthz and /readyz.
//
// Every API call is made on the gateway's own gRPC server through an
// in-process channel, with the HTTP caller's bearer token forwarded as the
// gRPC authorization metadata: tokens, roles, rate limits, deadlines,
// suppression and the read audit are exactly the gRPC ones.
#ifndef SGM_SERVICES_GATEWAY_HTTP_FRONTEND_H_
#define SGM_SERVICES_GATEWAY_HTTP_FRONTEND_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace sgm::gateway {

struct HttpFrontendOptions {
  // "host:port"; port 0 picks a free port.
  std::string listen_address;
  // PEM certificate chain and key; plain HTTP when both are empty.
  std::string tls_cert;
  std::string tls_key;
  // Deadline of each gRPC call an HTTP request makes.
  absl::Duration call_deadline = absl::Seconds(30);
  // The same for client-streaming calls (feed imports as JSON).
  absl::Duration streaming_call_deadline = absl::Minutes(30);
};

class HttpFrontend {
 public:
  // Binds and starts serving on its own threads. `gateway` is a channel to
  // the gateway's own gRPC server (ServerRunner::InProcessChannel).
  static absl::StatusOr<std::unique_ptr<HttpFrontend>> Start(
      const HttpFrontendOptions& options,
      std::shared_ptr<grpc::Channel> gateway);
  ~HttpFrontend();

  int port() const;
  // Stops accepting and waits for the requests in progress. Idempotent.
  void Shutdown();

 private:
  struct Impl;
  explicit HttpFrontend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_HTTP_FRONTEND_H_
