#include "services/workforce/workforce_feed_parser.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/civil_date.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "common/utf8.h"
#include "services/workforce/staff.h"

namespace sgm::workforce {
namespace {

// Column positions in the three schemas.
enum StaffColumn {
  kStaffId,
  kRole,
  kQualified,
  kServiceArea,
  kTeam,
  kEmployment,
  kFte,
  kStartDate,
  kEndDate,
  kAnnualCost,
  kStaffColumnCount,
};
enum AbsenceColumn {
  kAbsenceStaffId,
  kReason,
  kAbsenceStartDate,
  kAbsenceEndDate,
  kDaysLost,
  kAbsenceColumnCount,
};
enum EstablishmentColumn {
  kPostServiceArea,
  kPostTeam,
  kPostRole,
  kPostFte,
  kEffectiveFrom,
  kEstablishmentColumnCount,
};

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxRoleLength = 40;
constexpr size_t kMaxTextChars = 100;
constexpr MilliFte kMaxStaffFte = 1500;
// The funded FTE of one post (service area, team, role): 10,000 FTE.
constexpr MilliFte kMaxPostFte = 10'000'000;
// £10,000,000 a year.
constexpr int64_t kMaxAnnualCostPence = 1'000'000'000;
// Digits before the decimal point of any number in these feeds.
constexpr int kMaxIntegerDigits = 9;
constexpr char kEmployments[] = "PERMANENT, FIXED_TERM or AGENCY";
constexpr char kReasons[] = "MAT, SIC, TRN, OTH, PUB, UNA or UNP";

RecordError Error(absl::string_view field, std::string reason) {
  return RecordError{std::string(field), std::move(reason)};
}

// What is wrong with a decimal number in a feed.
enum class DecimalFault { kNotANumber, kNegative, kTooManyDecimals, kTooLarge };

// "12", "0.5", "45000.50": digits, optionally a '.' and 1 to `decimals`
// digits (more are kTooManyDecimals), read exactly (no binary floating
// point) as the number times 10^decimals. A leading '-' before an otherwise
// good number is kNegative.
std::variant<int64_t, DecimalFault> ParseScaledDecimal(absl::string_view text,
                                                       int decimals) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const size_t point = text.find('.');
  const absl::string_view whole = text.substr(0, point);
  const absl::string_view fraction = point == absl::string_view::npos
                                         ? absl::string_view()
                                         : text.substr(point + 1);
  auto all_digits = [](absl::string_view s) {
    for (const char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (point != absl::string_view::npos && fraction.empty())) {
    return DecimalFault::kNotANumber;
  }
  if (negative) return DecimalFault::kNegative;
  if (fraction.size() > static_cast<size_t>(decimals)) {
    return DecimalFault::kTooManyDecimals;
  }
  // Leading zeros do not count towards the size.
  size_t first = 0;
  while (first + 1 < whole.size() && whole[first] == '0') ++first;
  if (whole.size() - first > static_cast<size_t>(kMaxIntegerDigits)) {
    return DecimalFault::kTooLarge;
  }
  int64_t value = 0;
  for (const char c : whole.substr(first)) value = value * 10 + (c - '0');
  for (int i = 0; i < decimals; ++i) {
    const size_t index = static_cast<size_t>(i);
    value = value * 10 + (index < fraction.size() ? fraction[index] - '0' : 0);
  }
  return value;
}

// staff_id: 1-64 of letters, digits, '-', '_', '.', '/'.
std::optional<RecordError> CheckStaffId(absl::string_view id) {
  if (id.empty()) return Error("staff_id", "staff_id is required");
  if (id.size() > kMaxIdLength || !AllOf(id, "-_./")) {
    return Error("staff_id",
                 "staff_id must be 1 to 64 characters, each a letter, a "
                 "digit, '-', '_', '.' or '/'");
  }
  return std::nullopt;
}

// role: 1-40 of A-Z, 0-9, '_'.
std::optional<RecordError> CheckRole(absl::string_view role) {
  if (role.empty()) {
    return Error("role", "role is required: a code such as SOCIAL_WORKER");
  }
  bool ok = role.size() <= kMaxRoleLength;
  for (const char c : role) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      ok = false;
    }
  }
  if (!ok) {
    return Error("role",
                 "role must be a code of 1 to 40 characters, each a capital "
                 "letter, a digit or '_', e.g. SOCIAL_WORKER");
  }
  return std::nullopt;
}

// A name such as a service area or team: well-formed UTF-8, at most 100
// characters, no control characters, no space at either end.
std::optional<RecordError> CheckName(absl::string_view field,
                                     absl::string_view text, bool required) {
  if (text.empty()) {
    if (required) return Error(field, absl::StrCat(field, " is required"));
    return std::nullopt;
  }
  const std::optional<size_t> chars = Utf8Length(text);
  if (!chars.has_value()) {
    return Error(field, absl::StrCat(field, " is not valid UTF-8"));
  }
  if (*chars > kMaxTextChars) {
    return Error(field, absl::StrCat(field, " is longer than ", kMaxTextChars,
                                     " characters"));
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return Error(field,
                   absl::StrCat(field, " must not contain control characters"));
    }
  }
  if (text.front() == ' ' || text.back() == ' ') {
    return Error(field,
                 absl::StrCat(field, " must not start or end with a space"));
  }
  return std::nullopt;
}

std::variant<absl::CivilDay, RecordError> ParseDate(absl::string_view field,
                                                    absl::string_view text) {
  absl::StatusOr<absl::CivilDay> day = ParseIsoDate(text);
  if (!day.ok()) {
    return Error(
        field,
        absl::StrCat(field, " is not a valid date: ", day.status().message()));
  }
  return *day;
}

std::variant<absl::CivilDay, RecordError> RequiredDate(
    absl::string_view field, const std::optional<std::string>& value) {
  if (!value.has_value()) {
    return Error(field, absl::StrCat(field,
                                     " is required: a date of the form "
                                     "YYYY-MM-DD"));
  }
  return ParseDate(field, *value);
}

// An optional date column into `out`; an error when it is not a date.
std::optional<RecordError> OptionalDate(absl::string_view field,
                                        const std::optional<std::string>& value,
                                        std::optional<absl::CivilDay>* out) {
  if (!value.has_value()) return std::nullopt;
  std::variant<absl::CivilDay, RecordError> day = ParseDate(field, *value);
  if (auto* bad = std::get_if<RecordError>(&day)) return *bad;
  *out = std::get<absl::CivilDay>(day);
  return std::nullopt;
}

// A date that may be at most a year after `today` (planned changes).
std::optional<RecordError> CheckAtMostAYearAhead(absl::string_view field,
                                                 absl::CivilDay day,
                                                 absl::CivilDay today) {
  if (day > AddMonthsClamped(today, 12)) {
    return Error(field, absl::StrCat(field,
                                     " is more than a year after the date "
                                     "the record was loaded"));
  }
  return std::nullopt;
}

// A date of something that has happened: at most a day after `today`.
std::optional<RecordError> CheckNotFuture(absl::string_view field,
                                          absl::CivilDay day,
                                          absl::CivilDay today) {
  if (day > today + 1) {
    return Error(field, absl::StrCat(field,
                                     " is in the future (more than 1 day "
                                     "after the date the record was "
                                     "loaded)"));
  }
  return std::nullopt;
}

std::string StaffFteRange() {
  return "fte must be more than 0 and at most 1.5";
}

// fte of a member of staff: (0, 1.5], at most 3 decimals.
std::variant<MilliFte, RecordError> ParseStaffFte(absl::string_view text) {
  std::variant<int64_t, DecimalFault> fte = ParseScaledDecimal(text, 3);
  if (const auto* fault = std::get_if<DecimalFault>(&fte)) {
    switch (*fault) {
      case DecimalFault::kNotANumber:
        return Error("fte", "fte is not a number such as 1 or 0.5");
      case DecimalFault::kTooManyDecimals:
        return Error("fte", "fte has more than 3 decimals");
      case DecimalFault::kNegative:
      case DecimalFault::kTooLarge:
        return Error("fte", StaffFteRange());
    }
  }
  return std::get<int64_t>(fte);
}

}  // namespace

const FeedSchema& StaffFeedSchema() {
  static const FeedSchema* const kSchema = new FeedSchema{
      {"staff_id", "role", "qualified", "service_area", "team", "employment",
       "fte", "start_date", "end_date", "annual_cost"},
      {"staff_id", "role", "service_area", "employment", "fte", "start_date"}};
  return *kSchema;
}

const FeedSchema& AbsenceFeedSchema() {
  static const FeedSchema* const kSchema = new FeedSchema{
      {"staff_id", "reason", "start_date", "end_date", "days_lost"},
      {"staff_id", "reason", "start_date", "days_lost"}};
  return *kSchema;
}

const FeedSchema& EstablishmentFeedSchema() {
  static const FeedSchema* const kSchema =
      new FeedSchema{{"service_area", "team", "role", "fte", "effective_from"},
                     {"service_area", "role", "fte"}};
  return *kSchema;
}

std::variant<StaffMember, RecordError> ParseStaffRecord(
    const FeedRecord& record, absl::CivilDay today) {
  if (record.values.size() != kStaffColumnCount) {
    return Error("", "the record was not read with the staff feed's columns");
  }
  const auto& values = record.values;
  StaffMember staff;
  staff.staff_id = values[kStaffId].value_or("");
  if (std::optional<RecordError> bad = CheckStaffId(staff.staff_id)) {
    return *bad;
  }
  staff.role = values[kRole].value_or("");
  if (std::optional<RecordError> bad = CheckRole(staff.role)) return *bad;
  if (values[kQualified].has_value()) {
    const std::string& flag = *values[kQualified];
    if (flag != "Y" && flag != "N") {
      return Error("qualified", absl::StrCat("qualified", QuoteCode(flag),
                                             " must be Y or N (empty: N)"));
    }
    staff.qualified = flag == "Y";
  }
  staff.service_area = values[kServiceArea].value_or("");
  staff.team = values[kTeam].value_or("");
  if (!values[kEmployment].has_value()) {
    return Error("employment",
                 absl::StrCat("employment is required: ", kEmployments));
  }
  const std::optional<Employment> employment =
      ParseEmployment(*values[kEmployment]);
  if (!employment.has_value()) {
    return Error("employment",
                 absl::StrCat("employment", QuoteCode(*values[kEmployment]),
                              " is not one of ", kEmployments));
  }
  staff.employment = *employment;
  if (!values[kFte].has_value()) {
    return Error("fte",
                 "fte is required: a number more than 0 and at most "
                 "1.5, e.g. 1 or 0.5");
  }
  std::variant<MilliFte, RecordError> fte = ParseStaffFte(*values[kFte]);
  if (auto* bad = std::get_if<RecordError>(&fte)) return *bad;
  staff.fte = std::get<MilliFte>(fte);
  std::variant<absl::CivilDay, RecordError> start =
      RequiredDate("start_date", values[kStartDate]);
  if (auto* bad = std::get_if<RecordError>(&start)) return *bad;
  staff.start_date = std::get<absl::CivilDay>(start);
  if (std::optional<RecordError> bad =
          OptionalDate("end_date", values[kEndDate], &staff.end_date)) {
    return *bad;
  }
  if (values[kAnnualCost].has_value()) {
    std::variant<int64_t, DecimalFault> cost =
        ParseScaledDecimal(*values[kAnnualCost], 2);
    if (const auto* fault = std::get_if<DecimalFault>(&cost)) {
      switch (*fault) {
        case DecimalFault::kNotANumber:
          return Error("annual_cost",
                       "annual_cost is not an amount in pounds such as 45000 "
                       "or 45000.50 (no '£' sign, no commas)");
        case DecimalFault::kTooManyDecimals:
          return Error("annual_cost",
                       "annual_cost has more than 2 decimals (it is in "
                       "pounds and pence)");
        case DecimalFault::kNegative:
          return Error("annual_cost", "annual_cost must not be negative");
        case DecimalFault::kTooLarge:
          return Error("annual_cost",
                       "annual_cost is more than 10000000 pounds");
      }
    }
    staff.annual_cost_pence = std::get<int64_t>(cost);
  }
  if (std::optional<RecordError> bad = ValidateStaff(staff, today)) {
    return *bad;
  }
  return staff;
}

std::variant<AbsenceEpisode, RecordError> ParseAbsenceRecord(
    const FeedRecord& record, absl::CivilDay today) {
  if (record.values.size() != kAbsenceColumnCount) {
    return Error("",
                 "the record was not read with the absences feed's columns");
  }
  const auto& values = record.values;
  AbsenceEpisode absence;
  absence.staff_id = values[kAbsenceStaffId].value_or("");
  if (std::optional<RecordError> bad = CheckStaffId(absence.staff_id)) {
    return *bad;
  }
  if (!values[kReason].has_value()) {
    return Error("reason", absl::StrCat("reason is required: ", kReasons));
  }
  const std::optional<AbsenceReason> reason =
      ParseAbsenceReason(*values[kReason]);
  if (!reason.has_value()) {
    return Error("reason", absl::StrCat("reason", QuoteCode(*values[kReason]),
                                        " is not one of ", kReasons));
  }
  absence.reason = *reason;
  std::variant<absl::CivilDay, RecordError> start =
      RequiredDate("start_date", values[kAbsenceStartDate]);
  if (auto* bad = std::get_if<RecordError>(&start)) return *bad;
  absence.start_date = std::get<absl::CivilDay>(start);
  if (std::optional<RecordError> bad = OptionalDate(
          "end_date", values[kAbsenceEndDate], &absence.end_date)) {
    return *bad;
  }
  if (!values[kDaysLost].has_value()) {
    return Error("days_lost",
                 "days_lost is required: the working days lost, e.g. 3 or "
                 "2.5");
  }
  std::variant<int64_t, DecimalFault> days =
      ParseScaledDecimal(*values[kDaysLost], 2);
  if (const auto* fault = std::get_if<DecimalFault>(&days)) {
    switch (*fault) {
      case DecimalFault::kNotANumber:
        return Error("days_lost", "days_lost is not a number such as 3 or 2.5");
      case DecimalFault::kTooManyDecimals:
        return Error("days_lost", "days_lost has more than 2 decimals");
      case DecimalFault::kNegative:
        return Error("days_lost", "days_lost must not be negative");
      case DecimalFault::kTooLarge:
        return Error("days_lost",
                     "days_lost is more than the calendar days of the "
                     "episode");
    }
  }
  absence.days_lost = static_cast<double>(std::get<int64_t>(days)) / 100.0;
  if (std::optional<RecordError> bad = ValidateAbsence(absence, today)) {
    return *bad;
  }
  return absence;
}

std::variant<EstablishmentRow, RecordError> ParseEstablishmentRecord(
    const FeedRecord& record, absl::CivilDay today) {
  if (record.values.size() != kEstablishmentColumnCount) {
    return Error("",
                 "the record was not read with the establishment feed's "
                 "columns");
  }
  const auto& values = record.values;
  EstablishmentRow row;
  row.service_area = values[kPostServiceArea].value_or("");
  row.team = values[kPostTeam].value_or("");
  row.role = values[kPostRole].value_or("");
  if (!values[kPostFte].has_value()) {
    return Error("fte",
                 "fte is required: the funded FTE, 0 or more, e.g. 3 "
                 "or 2.5");
  }
  std::variant<int64_t, DecimalFault> fte =
      ParseScaledDecimal(*values[kPostFte], 3);
  if (const auto* fault = std::get_if<DecimalFault>(&fte)) {
    switch (*fault) {
      case DecimalFault::kNotANumber:
        return Error("fte", "fte is not a number such as 3 or 2.5");
      case DecimalFault::kTooManyDecimals:
        return Error("fte", "fte has more than 3 decimals");
      case DecimalFault::kNegative:
        return Error("fte", "fte must not be negative (0 ends the posts)");
      case DecimalFault::kTooLarge:
        return Error("fte", "fte is more than 10000");
    }
  }
  row.fte = std::get<int64_t>(fte);
  if (std::optional<RecordError> bad = OptionalDate(
          "effective_from", values[kEffectiveFrom], &row.effective_from)) {
    return *bad;
  }
  if (std::optional<RecordError> bad = ValidateEstablishment(row, today)) {
    return *bad;
  }
  return row;
}

std::optional<RecordError> ValidateStaff(const StaffMember& staff,
                                         absl::CivilDay today) {
  if (std::optional<RecordError> bad = CheckStaffId(staff.staff_id)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckRole(staff.role)) return bad;
  if (std::optional<RecordError> bad =
          CheckName("service_area", staff.service_area, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckName("team", staff.team, /*required=*/false)) {
    return bad;
  }
  if (EmploymentName(staff.employment).empty()) {
    return Error("employment",
                 absl::StrCat("employment is required: ", kEmployments));
  }
  if (staff.fte <= 0 || staff.fte > kMaxStaffFte) {
    return Error("fte", StaffFteRange());
  }
  if (std::optional<RecordError> bad =
          CheckAtMostAYearAhead("start_date", staff.start_date, today)) {
    return bad;
  }
  if (staff.end_date.has_value()) {
    if (*staff.end_date < staff.start_date) {
      return Error("end_date",
                   "end_date is before start_date (it is the last day in "
                   "post)");
    }
    if (std::optional<RecordError> bad =
            CheckAtMostAYearAhead("end_date", *staff.end_date, today)) {
      return bad;
    }
  }
  if (staff.annual_cost_pence < 0) {
    return Error("annual_cost", "annual_cost must not be negative");
  }
  if (staff.annual_cost_pence > kMaxAnnualCostPence) {
    return Error("annual_cost", "annual_cost is more than 10000000 pounds");
  }
  return std::nullopt;
}

std::optional<RecordError> ValidateAbsence(const AbsenceEpisode& absence,
                                           absl::CivilDay today) {
  if (std::optional<RecordError> bad = CheckStaffId(absence.staff_id)) {
    return bad;
  }
  if (AbsenceReasonName(absence.reason).empty()) {
    return Error("reason", absl::StrCat("reason is required: ", kReasons));
  }
  if (std::optional<RecordError> bad =
          CheckNotFuture("start_date", absence.start_date, today)) {
    return bad;
  }
  if (absence.end_date.has_value()) {
    if (*absence.end_date < absence.start_date) {
      return Error("end_date",
                   "end_date is before start_date (it is the last day "
                   "absent)");
    }
    if (std::optional<RecordError> bad =
            CheckNotFuture("end_date", *absence.end_date, today)) {
      return bad;
    }
  }
  if (!std::isfinite(absence.days_lost)) {
    return Error("days_lost", "days_lost must be a number");
  }
  if (absence.days_lost < 0) {
    return Error("days_lost", "days_lost must not be negative");
  }
  if (absence.end_date.has_value()) {
    const int64_t calendar_days = *absence.end_date - absence.start_date + 1;
    if (absence.days_lost > static_cast<double>(calendar_days)) {
      return Error("days_lost",
                   absl::StrCat("days_lost is more than the ", calendar_days,
                                " calendar days of the episode"));
    }
  } else {
    // Ongoing: no more days than from start_date to today.
    const int64_t calendar_days = today - absence.start_date + 1;
    if (absence.days_lost > static_cast<double>(calendar_days)) {
      return Error("days_lost",
                   "days_lost is more than the calendar days from start_date "
                   "to the date the record was loaded (the episode is "
                   "ongoing)");
    }
  }
  return std::nullopt;
}

std::optional<RecordError> ValidateEstablishment(const EstablishmentRow& row,
                                                 absl::CivilDay today) {
  if (std::optional<RecordError> bad =
          CheckName("service_area", row.service_area, /*required=*/true)) {
    return bad;
  }
  if (std::optional<RecordError> bad =
          CheckName("team", row.team, /*required=*/false)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckRole(row.role)) return bad;
  if (row.fte < 0) {
    return Error("fte", "fte must not be negative (0 ends the posts)");
  }
  if (row.fte > kMaxPostFte) return Error("fte", "fte is more than 10000");
  if (row.effective_from.has_value()) {
    if (std::optional<RecordError> bad = CheckAtMostAYearAhead(
            "effective_from", *row.effective_from, today)) {
      return bad;
    }
  }
  return std::nullopt;
}

}  // namespace sgm::workforce
