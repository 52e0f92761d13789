#include "common/cached_answer.h"

#include <optional>
#include <string>

namespace sgm {

absl::Status AnswerFromCache(
    AggregateCache& cache, absl::string_view authority,
    absl::string_view service, int64_t generation, absl::string_view key,
    google::protobuf::MessageLite* response,
    absl::FunctionRef<absl::StatusOr<int64_t>()> compute) {
  if (std::optional<std::string> cached =
          cache.Get(authority, service, generation, key)) {
    if (response->ParseFromString(*cached)) return absl::OkStatus();
  }
  response->Clear();
  absl::StatusOr<int64_t> computed_at = compute();
  if (!computed_at.ok()) return computed_at.status();
  cache.Put(authority, service, *computed_at, key,
            response->SerializeAsString());
  return absl::OkStatus();
}

}  // namespace sgm
