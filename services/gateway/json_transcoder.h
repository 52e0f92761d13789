// The protobuf JSON mapping for the gateway's HTTP side: finds the RPC an
// /api/v1/<full.service.Name>/<Method> path names among the sgm.* services
// linked into the binary, turns a JSON body into the request messages'
// bytes and a response's bytes into JSON. Pure: no gRPC calls, no I/O.
//
// Conventions: requests accept lowerCamelCase and proto field names;
// unknown fields are an error. Responses use lowerCamelCase names, enums by
// name, int64 as strings (the proto3 JSON mapping) and print every field,
// zeros and empty lists included, so a count of 0 reads as 0. A
// client-streaming RPC (the Import* feeds) takes {"requests": [{...}, ...]},
// each element one stream message.
#ifndef SGM_SERVICES_GATEWAY_JSON_TRANSCODER_H_
#define SGM_SERVICES_GATEWAY_JSON_TRANSCODER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace sgm::gateway {

class JsonTranscoder {
 public:
  // The RPCs of the generated pool (every sgm proto linked in).
  JsonTranscoder();

  // The method `service`/`method` names ("sgm.intake.v1.IntakeService",
  // "GetFrontDoorFigures"); NOT_FOUND when it is not an sgm.* RPC, and
  // UNIMPLEMENTED for a server-streaming one.
  absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(
      absl::string_view service, absl::string_view method) const;

  // "/sgm.intake.v1.IntakeService/GetFrontDoorFigures", the gRPC path.
  static std::string GrpcPath(const google::protobuf::MethodDescriptor& method);

  // The serialized request messages of `json` (empty or blank: {}): one for
  // a unary RPC, one per element of "requests" for a client-streaming one.
  // INVALID_ARGUMENT naming the field or position the parser stopped at.
  absl::StatusOr<std::vector<std::string>> RequestsFromJson(
      const google::protobuf::MethodDescriptor& method,
      absl::string_view json) const;

  // The response bytes as JSON; INTERNAL when they do not parse.
  absl::StatusOr<std::string> ResponseToJson(
      const google::protobuf::MethodDescriptor& method,
      absl::string_view bytes) const;

 private:
  absl::StatusOr<std::string> MessageFromJson(
      const google::protobuf::Descriptor& type, absl::string_view json,
      absl::string_view where) const;

  const google::protobuf::DescriptorPool* pool_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_JSON_TRANSCODER_H_
