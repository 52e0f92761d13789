#include "common/feed_field_rules.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/civil_date.h"

namespace sgm {
namespace {

constexpr int kMaxDobDaysAhead = 280;
constexpr int kMaxAgeYears = 25;

bool IsAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9');
}

}  // namespace

bool AllOf(absl::string_view text, absl::string_view extra) {
  for (const char c : text) {
    if (!IsAlnum(c) && extra.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

std::string QuoteCode(absl::string_view text) {
  if (text.empty() || text.size() > 32 || !AllOf(text, "_-.")) return "";
  return absl::StrCat(" '", text, "'");
}

std::optional<RecordError> CheckChildDob(absl::CivilDay dob, absl::CivilDay on,
                                         absl::string_view on_name) {
  if (dob - on > kMaxDobDaysAhead) {
    return RecordError{
        "child_dob",
        absl::StrCat("child_dob is more than ", kMaxDobDaysAhead,
                     " days after ", on_name,
                     " (an unborn child's expected date of birth may be up "
                     "to ",
                     kMaxDobDaysAhead, " days ahead)")};
  }
  if (dob < AddMonthsClamped(on, -12 * kMaxAgeYears)) {
    return RecordError{"child_dob",
                       absl::StrCat("child_dob is more than ", kMaxAgeYears,
                                    " years before ", on_name)};
  }
  return std::nullopt;
}

}  // namespace sgm
