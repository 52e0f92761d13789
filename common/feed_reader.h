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
  std::string field;  // "" when about the record as a whole
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
  // Where the CSV record being scanned stands (quotes, field starts).
  enum class ScanState : uint8_t {
    kFieldStart,  // at the first byte of a field
    kUnquoted,    // inside a field that did not start with a quote
    kQuoted,      // inside a quoted field
    kQuoteSeen,   // just after a quote inside a quoted field
  };

  // Bytes of the file after a leading BOM.
  void FeedData(absl::string_view bytes, std::vector<FeedRecord>* records,
                std::vector<FeedError>* errors);
  // Scans `data[pos..)` on from `scan_state_`, counting newlines inside
  // quotes in record_newlines_. Returns the offset of the newline that ends
  // the record, or npos when `data` ends first (the state then carries over
  // to the next bytes).
  size_t ScanCsv(absl::string_view data, size_t pos);
  // A whole record without its line end, starting at line next_line_.
  void HandleRecord(absl::string_view text, std::vector<FeedRecord>* records,
                    std::vector<FeedError>* errors);
  void HandleCsvHeader(absl::string_view text);
  void HandleCsvRecord(absl::string_view text, std::vector<FeedRecord>* records,
                       std::vector<FeedError>* errors);
  void HandleJsonRecord(absl::string_view text,
                        std::vector<FeedRecord>* records,
                        std::vector<FeedError>* errors);
  // Appends to pending_ up to the record size limit.
  void AppendPending(absl::string_view bytes);
  void Fail(std::string message);

  FeedFormat format_;
  FeedSchema schema_;
  // Implementation state (owned by the implementer of feed_reader.cc).
  std::string pending_;    // bytes of an incomplete record
  int64_t next_line_ = 1;  // line number of the next byte in pending_
  bool header_done_ = false;
  bool failed_ = false;
  std::vector<int> file_to_schema_;  // CSV: file column -> schema column
  std::vector<int> required_;        // schema indexes of required columns
  absl::Status failure_;             // the file-level fault, once failed_
  int bom_matched_ = 0;              // bytes of a UTF-8 BOM matched so far
  bool bom_done_ = false;            // the start of the file is past
  bool in_record_ = false;           // pending_ holds a record's start
  bool oversized_ = false;           // the record exceeds the size limit
  ScanState scan_state_ = ScanState::kFieldStart;
  int64_t record_newlines_ = 0;  // newlines inside quotes so far
};

}  // namespace sgm

#endif  // SGM_COMMON_FEED_READER_H_
