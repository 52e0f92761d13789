// Calls any gRPC method without its generated stub (Debian ships no
// generated grpc.health.v1 code): raw protobuf bytes over a GenericStub.
#ifndef SGM_TESTS_SUPPORT_HEALTH_PROBE_H_
#define SGM_TESTS_SUPPORT_HEALTH_PROBE_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace sgm::testing {

// grpc.health.v1.HealthCheckResponse.ServingStatus
inline constexpr int kServing = 1;
inline constexpr int kNotServing = 2;

grpc::ByteBuffer ToByteBuffer(const std::string& bytes);
std::string FromByteBuffer(const grpc::ByteBuffer& buffer);
// A protobuf string field (field numbers and lengths under 16 and 128).
std::string StringField(int number, const std::string& value);
// grpc.health.v1.HealthCheckResponse.status in `response`, 0 (UNKNOWN) when
// absent, -1 when it does not parse.
int ServingStatusOf(const std::string& response);
// A unary call of `method` ("/pkg.Service/Method") with a 5 s deadline.
grpc::Status GenericUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& method,
                              const std::string& request,
                              std::string* response);
// The grpc.health.v1 status of `service` (kServing, kNotServing, 0 for
// UNKNOWN), or -1 when the call fails (its code in `code`).
int HealthOf(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& service, grpc::StatusCode* code = nullptr);

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_HEALTH_PROBE_H_
