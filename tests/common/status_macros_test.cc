#include "common/status_macros.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace sgm {
namespace {

absl::Status Fails() { return absl::NotFoundError("no such contact"); }

absl::StatusOr<int> Number(bool ok, int value) {
  if (!ok) return absl::InvalidArgumentError("not a number");
  return value;
}

absl::StatusOr<std::unique_ptr<std::string>> Owned(bool ok) {
  if (!ok) return absl::UnavailableError("store down");
  return std::make_unique<std::string>("owned");
}

absl::Status ReturnIfErrorTwice(bool first_ok, int* steps) {
  SGM_RETURN_IF_ERROR(first_ok ? absl::OkStatus() : Fails());
  ++*steps;
  SGM_RETURN_IF_ERROR(absl::OkStatus());
  ++*steps;
  return absl::OkStatus();
}

absl::StatusOr<int> SumOfTwo(bool first_ok, bool second_ok) {
  SGM_ASSIGN_OR_RETURN(int a, Number(first_ok, 2));
  SGM_ASSIGN_OR_RETURN(int b, Number(second_ok, 3));
  return a + b;
}

absl::Status AssignExisting(bool ok, std::string* out) {
  std::unique_ptr<std::string> value;
  SGM_ASSIGN_OR_RETURN(value, Owned(ok));
  *out = *value;
  return absl::OkStatus();
}

TEST(StatusMacrosTest, ReturnIfErrorPassesTheErrorThrough) {
  int steps = 0;
  const absl::Status status = ReturnIfErrorTwice(false, &steps);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "no such contact");
  EXPECT_EQ(steps, 0);
}

TEST(StatusMacrosTest, ReturnIfErrorContinuesOnOk) {
  int steps = 0;
  EXPECT_TRUE(ReturnIfErrorTwice(true, &steps).ok());
  EXPECT_EQ(steps, 2);
}

TEST(StatusMacrosTest, AssignOrReturnAssignsTwiceInOneFunction) {
  const absl::StatusOr<int> sum = SumOfTwo(true, true);
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(*sum, 5);
}

TEST(StatusMacrosTest, AssignOrReturnReturnsTheFirstError) {
  EXPECT_EQ(SumOfTwo(false, true).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SumOfTwo(true, false).status().message(), "not a number");
}

TEST(StatusMacrosTest, AssignOrReturnMovesIntoAnExistingVariable) {
  std::string out;
  ASSERT_TRUE(AssignExisting(true, &out).ok());
  EXPECT_EQ(out, "owned");
  EXPECT_EQ(AssignExisting(false, &out).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sgm
