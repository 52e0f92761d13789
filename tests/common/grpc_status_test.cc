#include "common/grpc_status.h"

#include "gtest/gtest.h"

namespace sgm {
namespace {

TEST(GrpcStatusTest, KeepsCodeAndMessage) {
  const grpc::Status s =
      ToGrpcStatus(absl::InvalidArgumentError("line 3, field x: bad"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "line 3, field x: bad");
}

TEST(GrpcStatusTest, EveryCanonicalCodeMapsToTheSameNumber) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status in(static_cast<absl::StatusCode>(code), "m");
    const grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.error_code()), code);
    EXPECT_EQ(FromGrpcStatus(out), in.ok() ? absl::OkStatus() : in);
  }
}

TEST(GrpcStatusTest, OkIsOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace sgm
