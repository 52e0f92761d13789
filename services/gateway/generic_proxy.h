// The gateway's proxy: a callback generic service that receives every call
// no registered service handles, authenticates it, checks the caller's role
// and forwards it, as raw bytes, to the backend serving the method's proto
// package ("/sgm.intake.v1.IntakeService/X" -> "sgm.intake.v1"), with the
// caller's identity in metadata and a deadline on the outbound call. The
// backend's status (code, message, details) reaches the caller unchanged.
//
// Every authenticated call first takes one call from the caller's rate-limit
// bucket (a streaming import counts once). In an outward-facing deployment
// the responses of the aggregate methods (SuppressedMethods) are parsed,
// their counts from 1 to 4 withheld (DisclosureControl) and the paths of the
// withheld values sent in the "sgm-suppressed-fields" trailing metadata.
#ifndef SGM_SERVICES_GATEWAY_GENERIC_PROXY_H_
#define SGM_SERVICES_GATEWAY_GENERIC_PROXY_H_

#include <map>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace sgm::gateway {

class AccessPolicy;
class RateLimiter;
class TokenAuthenticator;

// The trailing metadata key of a suppressed aggregate: the withheld paths,
// comma-separated (empty: nothing withheld), at most
// kMaxSuppressedFieldsMetadata characters, then ",+N more".
inline constexpr char kSuppressedFieldsMetadataKey[] = "sgm-suppressed-fields";
inline constexpr size_t kMaxSuppressedFieldsMetadata = 4096;

struct ProxyOptions {
  // Deadline of an outbound unary call when the caller's is later or unset.
  absl::Duration unary_deadline = absl::Seconds(10);
  // The same for streaming methods (AccessPolicy::IsStreaming).
  absl::Duration streaming_deadline = absl::Minutes(30);
  // Not owned, must outlive the proxy; null: no rate limit.
  RateLimiter* rate_limiter = nullptr;
  // Withhold counts under 5 in the aggregate methods' responses.
  bool outward_facing = false;
};

class GenericProxy : public grpc::CallbackGenericService {
 public:
  // `authenticator` and `policy` are not owned and must outlive the proxy.
  // `backends`: a channel by proto package, e.g. {"sgm.intake.v1", channel}.
  GenericProxy(const TokenAuthenticator* authenticator,
               const AccessPolicy* policy,
               std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
               ProxyOptions options);
  ~GenericProxy() override;

  GenericProxy(const GenericProxy&) = delete;
  GenericProxy& operator=(const GenericProxy&) = delete;

  // One reactor per call. Rejects with UNAUTHENTICATED, RESOURCE_EXHAUSTED
  // (the caller's rate limit; "sgm-retry-after-ms" trailing metadata),
  // UNIMPLEMENTED (no backend for the package) or PERMISSION_DENIED before
  // any backend call.
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // "/sgm.intake.v1.IntakeService/GetContact" -> "sgm.intake.v1"; empty
  // when `method` is not of the form "/package.Service/Method".
  static absl::string_view PackageOf(absl::string_view method);

 private:
  struct Backend {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> stub;
  };

  const TokenAuthenticator* const authenticator_;
  const AccessPolicy* const policy_;
  const ProxyOptions options_;
  std::map<std::string, Backend, std::less<>> backends_;
  // Outward-facing: the response prototype of each suppressed method.
  std::map<std::string, const google::protobuf::Message*, std::less<>>
      suppressed_responses_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_GENERIC_PROXY_H_
