#include "tools/sgm/feed_upload.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"

namespace sgm::cli {
namespace {

using ::sgm::feed::v1::FeedChunk;
using ::sgm::feed::v1::FeedFormat;
using ::sgm::feed::v1::ImportSummary;

absl::Status FileError(const std::string& path, int error) {
  const std::string message =
      absl::StrCat("cannot read ", path, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::FailedPreconditionError(message);
  }
}

void PrepareContext(absl::string_view token, absl::Duration deadline,
                    grpc::ClientContext* context) {
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  if (deadline != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  }
}

// Sends the file in chunks through `writer`, then closes the stream and
// waits for the server's answer. `fill_first` completes the first message.
template <typename Request>
absl::Status SendFile(std::ifstream& file, const std::string& path,
                      int64_t size, FeedFormat format,
                      const std::function<void(Request*)>& fill_first,
                      grpc::ClientContext* context,
                      grpc::ClientWriter<Request>* writer,
                      ProgressBar* progress) {
  FeedRecordCounter counter(format);
  std::vector<char> buffer(kUploadChunkBytes);
  int64_t sent = 0;
  bool first = true;
  bool stream_open = true;
  absl::Status local_error;
  while (stream_open) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = file.gcount();
    if (file.bad()) {
      local_error = FileError(path, errno);
      break;
    }
    if (n == 0 && !first) break;
    Request request;
    FeedChunk* chunk = request.mutable_chunk();
    if (first) {
      chunk->set_format(format);
      fill_first(&request);
      first = false;
    }
    chunk->set_data(buffer.data(), static_cast<size_t>(n));
    if (!writer->Write(request)) {
      // The server ended the call; Finish says why.
      stream_open = false;
      break;
    }
    sent += n;
    counter.Add(absl::string_view(buffer.data(), static_cast<size_t>(n)));
    if (progress != nullptr)
      progress->Update(sent, counter.records(), absl::Now());
    if (file.eof()) break;
  }
  if (!local_error.ok()) {
    context->TryCancel();
    writer->Finish();  // cancelled: the status says so
    return local_error;
  }
  if (stream_open) writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (progress != nullptr) {
    progress->Update(sent, counter.records(), absl::Now());
  }
  if (!status.ok()) return FromGrpcStatus(status);
  if (!stream_open || sent < size) {
    return absl::UnavailableError(
        "the server ended the import before the whole file was sent");
  }
  return absl::OkStatus();
}

struct OpenFeed {
  std::ifstream file;
  int64_t size = 0;
  FeedFormat format = sgm::feed::v1::FEED_FORMAT_UNSPECIFIED;
};

absl::Status Open(const std::string& path, absl::string_view format,
                  OpenFeed* feed) {
  absl::StatusOr<FeedFormat> parsed = FeedFormatFor(path, format);
  if (!parsed.ok()) return parsed.status();
  feed->format = *parsed;
  feed->file.open(path, std::ios::in | std::ios::binary);
  if (!feed->file) return FileError(path, errno);
  feed->file.seekg(0, std::ios::end);
  const std::streamoff end = feed->file.tellg();
  feed->size = end > 0 ? static_cast<int64_t>(end) : 0;
  feed->file.seekg(0, std::ios::beg);
  if (!feed->file) return FileError(path, errno);
  return absl::OkStatus();
}

// One import stream, whatever the service: opens the file, starts the call
// with `start` (which returns the stream's writer and fills `Response` when
// it ends), sends the file in chunks, and returns the response's summary.
// `fill_first` completes the first message; `done`, when set, sees the
// whole response of a call that succeeded.
template <typename Request, typename Response>
absl::StatusOr<ImportSummary> Upload(
    const std::function<std::unique_ptr<grpc::ClientWriter<Request>>(
        grpc::ClientContext*, Response*)>& start,
    const std::function<void(Request*)>& fill_first, absl::string_view token,
    const std::string& path, absl::string_view format, absl::Duration deadline,
    ProgressBar* progress,
    const std::function<void(const Response&)>& done = nullptr) {
  OpenFeed feed;
  absl::Status opened = Open(path, format, &feed);
  if (!opened.ok()) return opened;
  grpc::ClientContext context;
  PrepareContext(token, deadline, &context);
  Response response;
  std::unique_ptr<grpc::ClientWriter<Request>> writer =
      start(&context, &response);
  absl::Status sent =
      SendFile<Request>(feed.file, path, feed.size, feed.format, fill_first,
                        &context, writer.get(), progress);
  if (progress != nullptr) progress->Finish(absl::Now());
  if (!sent.ok()) return sent;
  if (done) done(response);
  return response.summary();
}

}  // namespace

absl::StatusOr<FeedFormat> FeedFormatFor(absl::string_view path,
                                         absl::string_view format) {
  const std::string lower = absl::AsciiStrToLower(format);
  if (lower == "csv") return sgm::feed::v1::FEED_FORMAT_CSV;
  if (lower == "jsonl" || lower == "ndjson") {
    return sgm::feed::v1::FEED_FORMAT_JSONL;
  }
  if (!lower.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown format '", format, "': use csv or jsonl"));
  }
  const std::string name = absl::AsciiStrToLower(path);
  if (absl::EndsWith(name, ".csv")) return sgm::feed::v1::FEED_FORMAT_CSV;
  if (absl::EndsWith(name, ".jsonl") || absl::EndsWith(name, ".ndjson")) {
    return sgm::feed::v1::FEED_FORMAT_JSONL;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot tell the format of ", path,
                   " from its extension (.csv, .jsonl, .ndjson): give "
                   "--format=csv or --format=jsonl"));
}

void FeedRecordCounter::Add(absl::string_view bytes) {
  for (char c : bytes) {
    if (csv_ && c == '"') {
      in_quotes_ = !in_quotes_;
      line_has_content_ = true;
    } else if (c == '\n' && !in_quotes_) {
      if (line_has_content_) ++lines_;
      line_has_content_ = false;
    } else if (c != '\r' && !in_quotes_) {
      line_has_content_ = true;
    }
  }
}

int64_t FeedRecordCounter::records() const {
  int64_t lines = lines_ + (line_has_content_ ? 1 : 0);
  if (csv_ && lines > 0) --lines;  // the header
  return lines;
}

absl::StatusOr<ImportSummary> UploadContacts(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::string_view agency, absl::Duration deadline, ProgressBar* progress,
    sgm::intake::v1::FileReferralQuality* file_quality) {
  using ::sgm::intake::v1::ImportContactsRequest;
  using ::sgm::intake::v1::ImportContactsResponse;
  auto stub = sgm::intake::v1::IntakeService::NewStub(channel);
  const std::string agency_text(agency);
  return Upload<ImportContactsRequest, ImportContactsResponse>(
      [&stub](grpc::ClientContext* context, ImportContactsResponse* response) {
        return stub->ImportContacts(context, response);
      },
      [&agency_text](ImportContactsRequest* request) {
        request->set_agency(agency_text);
      },
      token, path, format, deadline, progress,
      [file_quality](const ImportContactsResponse& response) {
        if (file_quality != nullptr) *file_quality = response.file_quality();
      });
}

absl::StatusOr<ImportSummary> UploadDecisions(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::intake::v1::ImportDecisionsRequest;
  using ::sgm::intake::v1::ImportDecisionsResponse;
  auto stub = sgm::intake::v1::IntakeService::NewStub(channel);
  return Upload<ImportDecisionsRequest, ImportDecisionsResponse>(
      [&stub](grpc::ClientContext* context, ImportDecisionsResponse* response) {
        return stub->ImportDecisions(context, response);
      },
      [](ImportDecisionsRequest*) {}, token, path, format, deadline, progress);
}

absl::StatusOr<ImportSummary> UploadCaseEvents(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::kpi::v1::ImportCaseEventsRequest;
  using ::sgm::kpi::v1::ImportCaseEventsResponse;
  auto stub = sgm::kpi::v1::KpiService::NewStub(channel);
  return Upload<ImportCaseEventsRequest, ImportCaseEventsResponse>(
      [&stub](grpc::ClientContext* context,
              ImportCaseEventsResponse* response) {
        return stub->ImportCaseEvents(context, response);
      },
      [](ImportCaseEventsRequest*) {}, token, path, format, deadline, progress);
}

absl::StatusOr<ImportSummary> UploadStaff(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::workforce::v1::ImportStaffRequest;
  using ::sgm::workforce::v1::ImportStaffResponse;
  auto stub = sgm::workforce::v1::WorkforceService::NewStub(channel);
  return Upload<ImportStaffRequest, ImportStaffResponse>(
      [&stub](grpc::ClientContext* context, ImportStaffResponse* response) {
        return stub->ImportStaff(context, response);
      },
      [](ImportStaffRequest*) {}, token, path, format, deadline, progress);
}

absl::StatusOr<ImportSummary> UploadAbsences(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::workforce::v1::ImportAbsencesRequest;
  using ::sgm::workforce::v1::ImportAbsencesResponse;
  auto stub = sgm::workforce::v1::WorkforceService::NewStub(channel);
  return Upload<ImportAbsencesRequest, ImportAbsencesResponse>(
      [&stub](grpc::ClientContext* context, ImportAbsencesResponse* response) {
        return stub->ImportAbsences(context, response);
      },
      [](ImportAbsencesRequest*) {}, token, path, format, deadline, progress);
}

absl::StatusOr<ImportSummary> UploadEstablishment(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::workforce::v1::ImportEstablishmentRequest;
  using ::sgm::workforce::v1::ImportEstablishmentResponse;
  auto stub = sgm::workforce::v1::WorkforceService::NewStub(channel);
  return Upload<ImportEstablishmentRequest, ImportEstablishmentResponse>(
      [&stub](grpc::ClientContext* context,
              ImportEstablishmentResponse* response) {
        return stub->ImportEstablishment(context, response);
      },
      [](ImportEstablishmentRequest*) {}, token, path, format, deadline,
      progress);
}

absl::StatusOr<ImportSummary> UploadAudits(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::qa::v1::ImportAuditsRequest;
  using ::sgm::qa::v1::ImportAuditsResponse;
  auto stub = sgm::qa::v1::QaService::NewStub(channel);
  return Upload<ImportAuditsRequest, ImportAuditsResponse>(
      [&stub](grpc::ClientContext* context, ImportAuditsResponse* response) {
        return stub->ImportAudits(context, response);
      },
      [](ImportAuditsRequest*) {}, token, path, format, deadline, progress);
}

absl::StatusOr<ImportSummary> UploadFeedback(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::qa::v1::ImportFeedbackRequest;
  using ::sgm::qa::v1::ImportFeedbackResponse;
  auto stub = sgm::qa::v1::QaService::NewStub(channel);
  return Upload<ImportFeedbackRequest, ImportFeedbackResponse>(
      [&stub](grpc::ClientContext* context, ImportFeedbackResponse* response) {
        return stub->ImportFeedback(context, response);
      },
      [](ImportFeedbackRequest*) {}, token, path, format, deadline, progress);
}

absl::StatusOr<ImportSummary> UploadActions(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress) {
  using ::sgm::qa::v1::ImportActionsRequest;
  using ::sgm::qa::v1::ImportActionsResponse;
  auto stub = sgm::qa::v1::QaService::NewStub(channel);
  return Upload<ImportActionsRequest, ImportActionsResponse>(
      [&stub](grpc::ClientContext* context, ImportActionsResponse* response) {
        return stub->ImportActions(context, response);
      },
      [](ImportActionsRequest*) {}, token, path, format, deadline, progress);
}

std::string FormatSummary(const ImportSummary& summary, int max_rejections) {
  std::string out =
      absl::StrCat("accepted ", WithThousands(summary.accepted()),
                   ", duplicates ", WithThousands(summary.duplicates()),
                   ", rejected ", WithThousands(summary.rejected()), "\n");
  int shown = 0;
  for (const sgm::feed::v1::RecordRejection& rejection : summary.rejections()) {
    if (shown >= max_rejections) break;
    absl::StrAppend(&out, "line ", rejection.line());
    if (!rejection.field().empty()) {
      absl::StrAppend(&out, ", field ", rejection.field());
    }
    absl::StrAppend(&out, ": ", rejection.reason());
    if (!rejection.key().empty()) {
      absl::StrAppend(&out, " (key ", rejection.key(), ")");
    }
    out.push_back('\n');
    ++shown;
  }
  const int64_t more = summary.rejected() - shown;
  if (more > 0) {
    absl::StrAppend(&out, "... and ", WithThousands(more), " more rejected ",
                    more == 1 ? "record" : "records", " not listed\n");
  }
  return out;
}

std::string FormatFileQuality(
    const sgm::intake::v1::FileReferralQuality& quality) {
  if (quality.contacts() == 0 || !quality.has_mean_score()) return "";
  std::string out = absl::StrFormat(
      "completeness: mean %.1f, %s of %s below %d", quality.mean_score(),
      WithThousands(quality.below_threshold()),
      WithThousands(quality.contacts()), quality.threshold());
  if (quality.top_gaps().empty()) {
    absl::StrAppend(&out, "; nothing missing");
  }
  for (int i = 0; i < quality.top_gaps_size(); ++i) {
    const sgm::intake::v1::QualityGap& gap = quality.top_gaps(i);
    absl::StrAppend(&out, i == 0 ? "; most missing: " : ", ", gap.item(), " (",
                    WithThousands(gap.contacts()), ")");
  }
  out.push_back('\n');
  return out;
}

}  // namespace sgm::cli
