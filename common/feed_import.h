// The server side of a streamed feed import (DESIGN section 5), shared by
// every service that takes feeds: chunks in, records parsed and validated,
// valid records written in batches of durable transactions, one summary
// out. A record is counted as accepted or duplicate only once its batch has
// committed; the answer is sent only after the last commit.
#ifndef SGM_COMMON_FEED_IMPORT_H_
#define SGM_COMMON_FEED_IMPORT_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "sgm/feed/v1/feed.pb.h"

namespace sgm {

// What the store made of one valid record.
struct Verdict {
  enum Kind { kAccepted, kDuplicate, kRejected } kind = kAccepted;
  std::string field;
  std::string reason;
};

// A valid record waiting for its batch, with its line in the file.
template <typename Parsed>
struct Pending {
  int64_t line;
  Parsed parsed;
};

// A record's value in `column` (of its schema; -1: none) when it is an id
// worth echoing with a rejection: 1 to 64 characters of letters, digits and
// "._-". "" otherwise (a value that is not is never echoed).
std::string RejectionKey(const FeedRecord& record, int column);

// Reads a feed in chunks, validates each record, and writes the valid ones
// in batches. Only committed records are counted as accepted or duplicate.
template <typename Parsed>
class FeedImport {
 public:
  // A record -> the domain value or why not.
  using Parse =
      std::function<std::variant<Parsed, RecordError>(const FeedRecord&)>;
  // A rejected record's key, "" when it has none worth showing.
  using KeyOfRecord = std::function<std::string(const FeedRecord&)>;
  // A valid record's key, for a rejection by the store.
  using KeyOfParsed = std::function<std::string(const Parsed&)>;
  // Writes a batch in one durable transaction: one verdict a record.
  using Write = std::function<absl::StatusOr<std::vector<Verdict>>(
      const std::vector<Pending<Parsed>>&)>;

  FeedImport(FeedFormat format, const FeedSchema& schema, Parse parse,
             KeyOfRecord key_of_record, KeyOfParsed key_of_parsed, Write write,
             int batch_size, int max_listed)
      : reader_(format, schema),
        parse_(std::move(parse)),
        key_of_record_(std::move(key_of_record)),
        key_of_parsed_(std::move(key_of_parsed)),
        write_(std::move(write)),
        batch_size_(batch_size),
        max_listed_(max_listed) {}

  absl::Status Consume(absl::string_view data) {
    SGM_RETURN_IF_ERROR(reader_.Feed(data, &records_, &errors_));
    return Drain(/*final=*/false);
  }

  absl::Status Finish() {
    SGM_RETURN_IF_ERROR(reader_.Finish(&records_, &errors_));
    SGM_RETURN_IF_ERROR(Drain(/*final=*/true));
    SortRejections();
    if (static_cast<int>(rejections_.size()) > max_listed_) {
      rejections_.resize(max_listed_);
    }
    for (feed::v1::RecordRejection& r : rejections_) {
      *summary_.add_rejections() = std::move(r);
    }
    summary_.set_rejections_truncated(summary_.rejected() >
                                      summary_.rejections_size());
    return absl::OkStatus();
  }

  const feed::v1::ImportSummary& summary() const { return summary_; }
  // For an error message: how far the import got.
  std::string Progress() const {
    return absl::StrCat(summary_.accepted(), " accepted and ",
                        summary_.duplicates(),
                        " duplicate records before it were committed");
  }

 private:
  void SortRejections() {
    std::sort(
        rejections_.begin(), rejections_.end(),
        [](const feed::v1::RecordRejection& a,
           const feed::v1::RecordRejection& b) { return a.line() < b.line(); });
  }

  void Reject(int64_t line, std::string field, std::string reason,
              std::string key) {
    summary_.set_rejected(summary_.rejected() + 1);
    feed::v1::RecordRejection r;
    r.set_line(line);
    r.set_field(std::move(field));
    r.set_reason(std::move(reason));
    r.set_key(std::move(key));
    rejections_.push_back(std::move(r));
    // Keep the earliest lines only, bounded.
    if (static_cast<int>(rejections_.size()) > 2 * max_listed_) {
      SortRejections();
      rejections_.resize(max_listed_);
    }
  }

  absl::Status Drain(bool final) {
    for (FeedError& e : errors_) {
      summary_.set_records(summary_.records() + 1);
      Reject(e.line, std::move(e.field), std::move(e.reason), "");
    }
    errors_.clear();
    for (const FeedRecord& record : records_) {
      summary_.set_records(summary_.records() + 1);
      std::variant<Parsed, RecordError> parsed = parse_(record);
      if (auto* error = std::get_if<RecordError>(&parsed)) {
        Reject(record.line, std::move(error->field), std::move(error->reason),
               key_of_record_(record));
        continue;
      }
      pending_.push_back({record.line, std::move(std::get<Parsed>(parsed))});
    }
    records_.clear();
    if (pending_.empty()) return absl::OkStatus();
    if (!final && static_cast<int>(pending_.size()) < batch_size_) {
      return absl::OkStatus();
    }
    SGM_ASSIGN_OR_RETURN(std::vector<Verdict> verdicts, write_(pending_));
    for (size_t i = 0; i < verdicts.size() && i < pending_.size(); ++i) {
      Verdict& v = verdicts[i];
      switch (v.kind) {
        case Verdict::kAccepted:
          summary_.set_accepted(summary_.accepted() + 1);
          break;
        case Verdict::kDuplicate:
          summary_.set_duplicates(summary_.duplicates() + 1);
          break;
        case Verdict::kRejected:
          Reject(pending_[i].line, std::move(v.field), std::move(v.reason),
                 key_of_parsed_(pending_[i].parsed));
          break;
      }
    }
    pending_.clear();
    return absl::OkStatus();
  }

  FeedReader reader_;
  Parse parse_;
  KeyOfRecord key_of_record_;
  KeyOfParsed key_of_parsed_;
  Write write_;
  int batch_size_;
  int max_listed_;
  std::vector<FeedRecord> records_;
  std::vector<FeedError> errors_;
  std::vector<Pending<Parsed>> pending_;
  std::vector<feed::v1::RecordRejection> rejections_;
  feed::v1::ImportSummary summary_;
};

// The chunk's format; INVALID_ARGUMENT when the first message names none.
absl::StatusOr<FeedFormat> FormatOf(const feed::v1::FeedChunk& chunk);

// Reads an import stream's first message, which must name the format.
template <typename Request>
absl::StatusOr<FeedFormat> ReadFirstChunk(grpc::ServerReader<Request>* reader,
                                          Request* first) {
  if (!reader->Read(first)) {
    return absl::InvalidArgumentError("the stream carried no message");
  }
  return FormatOf(first->chunk());
}

// Streams the request's chunks through `import`. `Request` has chunk().
template <typename Request, typename Parsed>
absl::Status PumpChunks(grpc::ServerContext* context,
                        grpc::ServerReader<Request>* reader,
                        const Request& first, FeedImport<Parsed>& import) {
  SGM_RETURN_IF_ERROR(import.Consume(first.chunk().data()));
  Request next;
  while (reader->Read(&next)) {
    if (context->IsCancelled()) break;
    SGM_RETURN_IF_ERROR(import.Consume(next.chunk().data()));
  }
  // Read() also ends when the call is cancelled (by the caller, its
  // deadline or a shutdown): then the file did not end, and its last,
  // possibly cut-off record must not be read as whole.
  if (context->IsCancelled()) {
    return absl::CancelledError(absl::StrCat(
        "the import was cancelled before the file ended; ", import.Progress()));
  }
  return import.Finish();
}

// The answer to an import stream: the summary once everything committed,
// else the error with how far the import got (a header fault commits
// nothing, so it needs no such note). Logged without personal data.
template <typename Parsed>
grpc::Status EndImport(const absl::Status& status, absl::string_view feed,
                       absl::string_view agency,
                       const FeedImport<Parsed>& import,
                       feed::v1::ImportSummary* summary) {
  if (!status.ok()) {
    LogWarn("import_failed", {{"feed", feed},
                              {"agency", agency},
                              {"code", absl::StatusCodeToString(status.code())},
                              {"accepted", import.summary().accepted()}});
    if (status.code() == absl::StatusCode::kInvalidArgument) {
      return ToGrpcStatus(status);
    }
    return ToGrpcStatus(absl::Status(
        status.code(), absl::StrCat(status.message(), "; ", import.Progress(),
                                    ". Re-sending the file is safe.")));
  }
  *summary = import.summary();
  LogInfo("import_committed", {{"feed", feed},
                               {"agency", agency},
                               {"records", summary->records()},
                               {"accepted", summary->accepted()},
                               {"duplicates", summary->duplicates()},
                               {"rejected", summary->rejected()}});
  return grpc::Status::OK;
}

// A whole import stream of one feed whose records are keyed by one column,
// as the workforce and QA services serve theirs: the first chunk names the
// format, `parse` validates a record, `key_column` names the column echoed
// with a rejected record ("" for none), `key_of` keys a valid one, and
// `write` stores a batch of valid values in one durable transaction and
// returns one verdict each, in order. `feed` names the import in logs.
template <typename Parsed, typename Request, typename WriteValues>
grpc::Status ServeKeyedFeedImport(
    grpc::ServerContext* context, grpc::ServerReader<Request>* reader,
    const FeedSchema& schema, typename FeedImport<Parsed>::Parse parse,
    absl::string_view key_column,
    typename FeedImport<Parsed>::KeyOfParsed key_of, WriteValues write,
    absl::string_view feed, int batch_size, int max_listed,
    feed::v1::ImportSummary* summary) {
  Request first;
  absl::StatusOr<FeedFormat> format = ReadFirstChunk(reader, &first);
  if (!format.ok()) return ToGrpcStatus(format.status());
  const int id_column =
      key_column.empty() ? -1
                         : FeedReader(*format, schema).ColumnIndex(key_column);
  FeedImport<Parsed> import(
      *format, schema, std::move(parse),
      [id_column](const FeedRecord& r) { return RejectionKey(r, id_column); },
      std::move(key_of),
      [&write](const std::vector<Pending<Parsed>>& batch)
          -> absl::StatusOr<std::vector<Verdict>> {
        std::vector<Parsed> values;
        values.reserve(batch.size());
        for (const auto& p : batch) values.push_back(p.parsed);
        return write(values);
      },
      batch_size, max_listed);
  return EndImport(PumpChunks(context, reader, first, import),
                   std::string(feed), "", import, summary);
}

}  // namespace sgm

#endif  // SGM_COMMON_FEED_IMPORT_H_
