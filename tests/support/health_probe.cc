#include "tests/support/health_probe.h"

#include <future>
#include <vector>

#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"

namespace sgm::testing {
namespace {

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

}  // namespace

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// A protobuf string field (field numbers and lengths under 16 and 128).
std::string StringField(int number, const std::string& value) {
  std::string bytes;
  bytes.push_back(static_cast<char>(number << 3 | 2));
  bytes.push_back(static_cast<char>(value.size()));
  bytes.append(value);
  return bytes;
}

// grpc.health.v1.HealthCheckResponse.status, 0 (UNKNOWN) when absent.
int ServingStatusOf(const std::string& response) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(response)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) {
      return static_cast<int>(fields.field(i).varint());
    }
  }
  return 0;
}

grpc::Status GenericUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& method,
                              const std::string& request,
                              std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  const grpc::ByteBuffer request_buffer = ToByteBuffer(request);
  grpc::ByteBuffer response_buffer;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer,
                 &response_buffer,
                 [&done](grpc::Status status) { done.set_value(status); });
  const grpc::Status status = done.get_future().get();
  if (response != nullptr) *response = FromByteBuffer(response_buffer);
  return status;
}

// The health status of `service`, or -1 when the call fails.
int HealthOf(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& service, grpc::StatusCode* code) {
  std::string response;
  const grpc::Status status = GenericUnaryCall(
      channel, kHealthCheck, StringField(1, service), &response);
  if (code != nullptr) *code = status.error_code();
  return status.ok() ? ServingStatusOf(response) : -1;
}

}  // namespace sgm::testing
