// Reads a feed file (DESIGN section 5) record by record, from bytes that
// arrive in pieces of any size: CSV with a header row (RFC 4180 quoting,
// quoted fields may span lines) or JSON Lines with the same field names.
// It knows columns, not meanings: each record comes out as a value per
// schema column, or as an error with its line and field.
#ifndef SGM_COMMON_FEED_READER_H_
#define SGM_COMMON_FEED_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sgm {

enum class FeedFormat { kCsv, kJsonLines };

struct FeedSchema {
  std::vector<std::string> columns;   // every column the feed may have
  std::vector<std::string> required;  // those that must have a value
};

struct FeedRecord {
  int64_t line = 0;  // 1-based line of the file where the record starts
  // One per schema column: nullopt when the column is not in the file, the
  // JSON key is missing or null, or the CSV cell is empty.
  std::vector<std::optional<std::string>> values;
};

struct FeedError {
  int64_t line = 0;
  std::string field;   // "" when about the record as a whole
  std::string reason;
};

class FeedReader {
 public:
  FeedReader(FeedFormat format, FeedSchema schema);

  // Consumes `bytes`, appending every record completed by them to `records`
  // and every record that cannot be read to `errors` (wrong number of CSV
  // fields, bad JSON, bad UTF-8, an unknown JSON key, a required value
  // missing). Empty lines are skipped; CRLF and a UTF-8 BOM are accepted.
  // Returns INVALID_ARGUMENT for a file-level fault, after which nothing
  // more is read: a CSV header that is missing, names an unknown or
  // repeated column, or lacks a required one ("line 1: column 'x': ...").
  absl::Status Feed(absl::string_view bytes, std::vector<FeedRecord>* records,
                    std::vector<FeedError>* errors);
  // End of input: a last line without a newline is read; a quoted field
  // still open is an error for that record.
  absl::Status Finish(std::vector<FeedRecord>* records,
                      std::vector<FeedError>* errors);

  const FeedSchema& schema() const { return schema_; }
  // Index of `name` in schema().columns, or -1.
  int ColumnIndex(absl::string_view name) const;

 private:
  FeedFormat format_;
  FeedSchema schema_;
  // Implementation state (owned by the implementer of feed_reader.cc).
  std::string pending_;          // bytes of an incomplete record
  int64_t next_line_ = 1;        // line number of the next byte in pending_
  bool header_done_ = false;
  bool failed_ = false;
  std::vector<int> file_to_schema_;  // CSV: file column -> schema column
};

}  // namespace sgm

#endif  // SGM_COMMON_FEED_READER_H_
