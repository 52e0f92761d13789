#include "common/feed_import.h"

#include <optional>
#include <string>

namespace sgm {

absl::StatusOr<FeedFormat> FormatOf(const feed::v1::FeedChunk& chunk) {
  switch (chunk.format()) {
    case feed::v1::FEED_FORMAT_CSV:
      return FeedFormat::kCsv;
    case feed::v1::FEED_FORMAT_JSONL:
      return FeedFormat::kJsonLines;
    default:
      return absl::InvalidArgumentError(
          "chunk.format: required on the first message (FEED_FORMAT_CSV or "
          "FEED_FORMAT_JSONL)");
  }
}

std::string RejectionKey(const FeedRecord& record, int column) {
  if (column < 0 || column >= static_cast<int>(record.values.size())) {
    return "";
  }
  const std::optional<std::string>& id = record.values[column];
  if (!id || id->empty() || id->size() > 64 || !AllOf(*id, "._-")) {
    return "";
  }
  return *id;
}

}  // namespace sgm
