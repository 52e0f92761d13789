#include "services/qa/qa_records.h"

#include <optional>

#include "absl/strings/string_view.h"

namespace sgm::qa {

std::optional<AuditType> ParseAuditType(absl::string_view text) {
  if (text == "CASE_FILE") return AuditType::kCaseFile;
  if (text == "THEMED") return AuditType::kThemed;
  if (text == "DIP_SAMPLE") return AuditType::kDipSample;
  if (text == "OBSERVATION") return AuditType::kObservation;
  if (text == "MULTI_AGENCY") return AuditType::kMultiAgency;
  return std::nullopt;
}

absl::string_view AuditTypeName(AuditType type) {
  switch (type) {
    case AuditType::kCaseFile:
      return "CASE_FILE";
    case AuditType::kThemed:
      return "THEMED";
    case AuditType::kDipSample:
      return "DIP_SAMPLE";
    case AuditType::kObservation:
      return "OBSERVATION";
    case AuditType::kMultiAgency:
      return "MULTI_AGENCY";
  }
  return "";
}

std::optional<FeedbackSource> ParseFeedbackSource(absl::string_view text) {
  if (text == "FAMILY") return FeedbackSource::kFamily;
  if (text == "YOUNG_PERSON") return FeedbackSource::kYoungPerson;
  if (text == "PARTNER_AGENCY") return FeedbackSource::kPartnerAgency;
  if (text == "STAFF") return FeedbackSource::kStaff;
  return std::nullopt;
}

absl::string_view FeedbackSourceName(FeedbackSource source) {
  switch (source) {
    case FeedbackSource::kFamily:
      return "FAMILY";
    case FeedbackSource::kYoungPerson:
      return "YOUNG_PERSON";
    case FeedbackSource::kPartnerAgency:
      return "PARTNER_AGENCY";
    case FeedbackSource::kStaff:
      return "STAFF";
  }
  return "";
}

}  // namespace sgm::qa
