// Conversions between protos and domain types shared by the services.
#ifndef SGM_COMMON_PROTO_CONVERT_H_
#define SGM_COMMON_PROTO_CONVERT_H_

#include <utility>

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

// The months of a request with a required `to` and an optional `from`
// (default: 11 months before `to`, the 12 months to it), both included.
// INVALID_ARGUMENT naming the field when `to` is missing, either is not a
// month, `from` is after `to`, or the range is longer than `max_months`.
absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>>
TrailingMonthRange(bool has_from, const sgm::type::v1::YearMonth& from,
                   bool has_to, const sgm::type::v1::YearMonth& to,
                   int max_months);
template <typename Request>
absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>>
TrailingMonthRange(const Request& request, int max_months) {
  return TrailingMonthRange(request.has_from(), request.from(),
                            request.has_to(), request.to(), max_months);
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t);
// INVALID_ARGUMENT naming `field` when out of range.
absl::StatusOr<absl::Time> FromProtoTimestamp(
    const google::protobuf::Timestamp& ts, absl::string_view field);

}  // namespace sgm

#endif  // SGM_COMMON_PROTO_CONVERT_H_
