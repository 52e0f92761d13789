#include "common/proto_convert.h"

#include "absl/strings/str_cat.h"

namespace sgm {

sgm::type::v1::Date ToProtoDate(absl::CivilDay day) {
  sgm::type::v1::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

bool IsEmptyDate(const sgm::type::v1::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

absl::StatusOr<absl::CivilDay> FromProtoDate(const sgm::type::v1::Date& date,
                                             absl::string_view field) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1900 || date.year() > 2999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", date.year(), "-", date.month(), "-",
                     date.day(), " is not a date"));
  }
  return day;
}

sgm::type::v1::YearMonth ToProtoMonth(absl::CivilMonth month) {
  sgm::type::v1::YearMonth out;
  out.set_year(static_cast<int32_t>(month.year()));
  out.set_month(month.month());
  return out;
}

absl::StatusOr<absl::CivilMonth> FromProtoMonth(
    const sgm::type::v1::YearMonth& month, absl::string_view field) {
  if (month.year() < 1900 || month.year() > 2999 || month.month() < 1 ||
      month.month() > 12) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", month.year(), "-", month.month(), " is not a month"));
  }
  return absl::CivilMonth(month.year(), month.month());
}

absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>>
TrailingMonthRange(bool has_from, const sgm::type::v1::YearMonth& from,
                   bool has_to, const sgm::type::v1::YearMonth& to,
                   int max_months) {
  if (!has_to) return absl::InvalidArgumentError("to: required");
  absl::StatusOr<absl::CivilMonth> last = FromProtoMonth(to, "to");
  if (!last.ok()) return last.status();
  absl::CivilMonth first = *last - 11;
  if (has_from) {
    absl::StatusOr<absl::CivilMonth> given = FromProtoMonth(from, "from");
    if (!given.ok()) return given.status();
    first = *given;
  }
  if (first > *last) {
    return absl::InvalidArgumentError("from: must not be after 'to'");
  }
  if (*last - first + 1 > max_months) {
    return absl::InvalidArgumentError(
        absl::StrCat("from: at most ", max_months, " months a call"));
  }
  return std::make_pair(first, *last);
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(t);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return out;
}

absl::StatusOr<absl::Time> FromProtoTimestamp(
    const google::protobuf::Timestamp& ts, absl::string_view field) {
  // 0001-01-01 to 9999-12-31, as google.protobuf.Timestamp defines.
  if (ts.seconds() < -62135596800 || ts.seconds() > 253402300799 ||
      ts.nanos() < 0 || ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": timestamp out of range"));
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace sgm
