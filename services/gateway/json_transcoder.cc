#include "services/gateway/json_transcoder.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace sgm::gateway {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::Message;
using ::google::protobuf::MessageFactory;
using ::google::protobuf::MethodDescriptor;
using ::google::protobuf::ServiceDescriptor;

std::unique_ptr<Message> NewMessage(const Descriptor& type) {
  const Message* prototype =
      MessageFactory::generated_factory()->GetPrototype(&type);
  if (prototype == nullptr) return nullptr;
  return std::unique_ptr<Message>(prototype->New());
}

// Bounds on a request body's JSON, checked on the text before anything is
// parsed: nesting (parsers and printers recurse on it) and how many objects
// and arrays it opens (each costs memory once parsed; an import's record
// opens one or two).
constexpr int kMaxJsonDepth = 64;
constexpr int64_t kMaxJsonContainers = 200000;

absl::Status CheckJsonShape(absl::string_view json) {
  int depth = 0;
  int64_t containers = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char ch : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      if (++depth > kMaxJsonDepth) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the body nests JSON deeper than ", kMaxJsonDepth, " levels"));
      }
      if (++containers > kMaxJsonContainers) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the body holds more than ", kMaxJsonContainers,
            " JSON objects and arrays; send large feeds in several calls, "
            "or with gRPC (sgm import)"));
      }
    } else if (ch == '}' || ch == ']') {
      --depth;
    }
  }
  return absl::OkStatus();
}

}  // namespace

JsonTranscoder::JsonTranscoder()
    : pool_(google::protobuf::DescriptorPool::generated_pool()) {}

absl::StatusOr<const MethodDescriptor*> JsonTranscoder::FindMethod(
    absl::string_view service, absl::string_view method) const {
  // Only the project's own services: never grpc.health, reflection or any
  // other service that happens to be linked in.
  const ServiceDescriptor* found =
      absl::StartsWith(service, "sgm.")
          ? pool_->FindServiceByName(std::string(service))
          : nullptr;
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("no service \"", service, "\""));
  }
  const MethodDescriptor* rpc = found->FindMethodByName(std::string(method));
  if (rpc == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no method \"", method, "\" in ", service));
  }
  if (rpc->server_streaming()) {
    return absl::UnimplementedError(absl::StrCat(
        rpc->full_name(), " streams its responses: call it over gRPC"));
  }
  return rpc;
}

std::string JsonTranscoder::GrpcPath(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

absl::StatusOr<std::string> JsonTranscoder::MessageFromJson(
    const Descriptor& type, absl::string_view json,
    absl::string_view where) const {
  std::unique_ptr<Message> message = NewMessage(type);
  if (message == nullptr) {
    return absl::InternalError(
        absl::StrCat("no generated message for ", type.full_name()));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  absl::string_view body = absl::StripAsciiWhitespace(json);
  if (body.empty()) body = "{}";
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message.get(),
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "not a valid ", type.full_name(), " as JSON: ",
        std::string(status.message().data(), status.message().size())));
  }
  return message->SerializeAsString();
}

absl::StatusOr<std::vector<std::string>> JsonTranscoder::RequestsFromJson(
    const MethodDescriptor& method, absl::string_view json) const {
  if (absl::Status shape = CheckJsonShape(json); !shape.ok()) return shape;
  std::vector<std::string> requests;
  if (!method.client_streaming()) {
    absl::StatusOr<std::string> request =
        MessageFromJson(*method.input_type(), json, "");
    if (!request.ok()) return request.status();
    requests.push_back(*std::move(request));
    return requests;
  }
  // {"requests": [ {...}, ... ]}: each element one message of the stream.
  nlohmann::json body = nlohmann::json::parse(json.begin(), json.end(),
                                              /*cb=*/nullptr,
                                              /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(method.full_name(),
                     " streams its requests: the body must be JSON of the "
                     "form {\"requests\": [...]}; it does not parse"));
  }
  if (!body.is_object() || body.size() != 1 || !body.contains("requests") ||
      !body["requests"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        method.full_name(),
        " streams its requests: the body must be {\"requests\": [...]}, one ",
        method.input_type()->full_name(), " per element"));
  }
  const nlohmann::json& elements = body["requests"];
  for (size_t i = 0; i < elements.size(); ++i) {
    if (!elements[i].is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("requests[", i, "]: not a JSON object"));
    }
    absl::StatusOr<std::string> request =
        MessageFromJson(*method.input_type(), elements[i].dump(),
                        absl::StrCat("requests[", i, "]: "));
    if (!request.ok()) return request.status();
    requests.push_back(*std::move(request));
  }
  return requests;
}

absl::StatusOr<std::string> JsonTranscoder::ResponseToJson(
    const MethodDescriptor& method, absl::string_view bytes) const {
  std::unique_ptr<Message> message = NewMessage(*method.output_type());
  if (message == nullptr ||
      !message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InternalError(absl::StrCat(
        "the response of ", method.full_name(), " does not parse"));
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(*message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat(
        "the response of ", method.full_name(), " does not print as JSON: ",
        std::string(status.message().data(), status.message().size())));
  }
  return json;
}

}  // namespace sgm::gateway
