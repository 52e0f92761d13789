#include "common/page_token.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"

namespace sgm {

uint64_t FilterFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> filter(request.New());
  filter->CopyFrom(request);
  const google::protobuf::Descriptor* descriptor = filter->GetDescriptor();
  for (const char* name : {"page_size", "page_token"}) {
    if (const google::protobuf::FieldDescriptor* field =
            descriptor->FindFieldByName(name)) {
      filter->GetReflection()->ClearField(filter.get(), field);
    }
  }
  std::string bytes;
  filter->SerializeToString(&bytes);
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string EncodePageToken(int64_t position, uint64_t fingerprint) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("v1:", position, ":", fingerprint));
}

absl::StatusOr<int64_t> DecodePageToken(absl::string_view token,
                                        uint64_t fingerprint) {
  std::string raw;
  const absl::Status bad = absl::InvalidArgumentError(
      "page_token: not a token from a previous response to this request");
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  const std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  int64_t position = 0;
  uint64_t fp = 0;
  if (parts.size() != 3 || parts[0] != "v1" ||
      !absl::SimpleAtoi(parts[1], &position) ||
      !absl::SimpleAtoi(parts[2], &fp) || fp != fingerprint || position < 0) {
    return bad;
  }
  return position;
}

absl::StatusOr<int> PageSize(int32_t requested, int default_size,
                             int max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  if (requested == 0) return default_size;
  return std::min<int>(requested, max_size);
}

}  // namespace sgm
