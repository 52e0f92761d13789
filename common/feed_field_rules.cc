#include "common/feed_field_rules.h"

#include "absl/strings/str_cat.h"

namespace sgm {
namespace {

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

}  // namespace sgm
