#include "common/feed_import.h"

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

}  // namespace sgm
