// Sends a feed file (DESIGN section 5) to intake, KPI, workforce or QA through
// the gateway as a stream of chunks, and formats the import summary that comes
// back.
#ifndef SGM_TOOLS_SGM_FEED_UPLOAD_H_
#define SGM_TOOLS_SGM_FEED_UPLOAD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "sgm/feed/v1/feed.pb.h"
#include "sgm/intake/v1/intake.pb.h"
#include "tools/sgm/progress_bar.h"

namespace sgm::cli {

// The size of the pieces a file is sent in.
inline constexpr size_t kUploadChunkBytes = 1 << 20;

// `format` "csv", "jsonl" or "ndjson" (any case); "" to go by the file's
// extension (.csv, .jsonl, .ndjson). INVALID_ARGUMENT otherwise.
absl::StatusOr<sgm::feed::v1::FeedFormat> FeedFormatFor(
    absl::string_view path, absl::string_view format);

// Counts the records in a feed's bytes as they go by, for progress only:
// non-empty lines, CSV line breaks inside quotes not counted, the CSV header
// not counted.
class FeedRecordCounter {
 public:
  explicit FeedRecordCounter(sgm::feed::v1::FeedFormat format)
      : csv_(format == sgm::feed::v1::FEED_FORMAT_CSV) {}
  void Add(absl::string_view bytes);
  // Records so far, a last unterminated line included.
  int64_t records() const;

 private:
  bool csv_;
  bool in_quotes_ = false;
  bool line_has_content_ = false;
  int64_t lines_ = 0;  // non-empty lines ended
};

// Streams the contacts file at `path` to IntakeService.ImportContacts on
// `channel` with "authorization: Bearer <token>", in kUploadChunkBytes
// pieces; the first message carries the format and `agency` (which may be
// empty for a partner, whose agency comes from its credentials). The call
// has `deadline` (none when infinite). `progress` may be null.
// Errors: a file that cannot be read (NOT_FOUND, PERMISSION_DENIED, ...),
// a bad format (INVALID_ARGUMENT), or the RPC's own code and message.
// `file_quality`, when not null, receives the file's referral quality.
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadContacts(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::string_view agency, absl::Duration deadline, ProgressBar* progress,
    sgm::intake::v1::FileReferralQuality* file_quality = nullptr);

// The same for a decisions file and IntakeService.ImportDecisions.
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadDecisions(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);

// The same for a case-events file (DESIGN section 5) and
// KpiService.ImportCaseEvents.
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadCaseEvents(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);

// The same for the workforce feeds (DESIGN section 5: staff, absences,
// establishment) and WorkforceService.ImportStaff / ImportAbsences /
// ImportEstablishment.
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadStaff(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadAbsences(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadEstablishment(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);

// The same for the quality-assurance feeds (DESIGN section 5: audits,
// feedback, actions) and QaService.ImportAudits / ImportFeedback /
// ImportActions.
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadAudits(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadFeedback(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);
absl::StatusOr<sgm::feed::v1::ImportSummary> UploadActions(
    const std::shared_ptr<grpc::ChannelInterface>& channel,
    absl::string_view token, const std::string& path, absl::string_view format,
    absl::Duration deadline, ProgressBar* progress);

// The import's outcome for people, e.g.
//   accepted 1,234, duplicates 0, rejected 2
//   line 17, field source_code: unknown source code 'X' (key 123)
//   line 40: wrong number of fields
// listing at most `max_rejections` rejections, then how many more there
// were. Ends with a newline.
std::string FormatSummary(const sgm::feed::v1::ImportSummary& summary,
                          int max_rejections = 20);

// A contacts file's referral quality for people, e.g.
//   completeness: mean 72.5, 3 of 10 below 60; most missing: child_dob (6),
//   summary (4)
// on one line ending with a newline; "" when no record was scored.
std::string FormatFileQuality(
    const sgm::intake::v1::FileReferralQuality& quality);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_FEED_UPLOAD_H_
