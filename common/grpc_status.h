// absl::Status <-> grpc::Status.
#ifndef SGM_COMMON_GRPC_STATUS_H_
#define SGM_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace sgm {

// The same code and message (absl and gRPC share the canonical codes).
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace sgm

#endif  // SGM_COMMON_GRPC_STATUS_H_
