// Conversions between protos and domain types shared by the services.
#ifndef SGM_COMMON_PROTO_CONVERT_H_
#define SGM_COMMON_PROTO_CONVERT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "sgm/type/v1/date.pb.h"

namespace sgm {

sgm::type::v1::Date ToProtoDate(absl::CivilDay day);
// INVALID_ARGUMENT naming `field` when the date is not a real one.
absl::StatusOr<absl::CivilDay> FromProtoDate(const sgm::type::v1::Date& date,
                                             absl::string_view field);
// True when all of year, month and day are 0 (an unset Date).
bool IsEmptyDate(const sgm::type::v1::Date& date);

sgm::type::v1::YearMonth ToProtoMonth(absl::CivilMonth month);
absl::StatusOr<absl::CivilMonth> FromProtoMonth(
    const sgm::type::v1::YearMonth& month, absl::string_view field);

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t);
// INVALID_ARGUMENT naming `field` when out of range.
absl::StatusOr<absl::Time> FromProtoTimestamp(
    const google::protobuf::Timestamp& ts, absl::string_view field);

}  // namespace sgm

#endif  // SGM_COMMON_PROTO_CONVERT_H_
