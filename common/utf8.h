// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF.
#ifndef SGM_COMMON_UTF8_H_
#define SGM_COMMON_UTF8_H_

#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"

namespace sgm {

// Offset of the first byte of `text` that is not part of well-formed UTF-8,
// or absl::string_view::npos when all of it is.
size_t FindInvalidUtf8(absl::string_view text);

// Characters in `text`, or nullopt when it is not well-formed UTF-8.
std::optional<size_t> Utf8Length(absl::string_view text);

}  // namespace sgm

#endif  // SGM_COMMON_UTF8_H_
