// Page tokens for List methods (Google API design guide): opaque to the
// caller, bound to the request's filter so a token cannot be replayed
// against a different query.
#ifndef SGM_COMMON_PAGE_TOKEN_H_
#define SGM_COMMON_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace sgm {

// A fingerprint of `request` without its page_size and page_token fields
// (the filter a token is bound to).
uint64_t FilterFingerprint(const google::protobuf::Message& request);

// A token for the page that starts after `position` (an id or an offset).
std::string EncodePageToken(int64_t position, uint64_t fingerprint);

// The position in a token from a previous response to the same request;
// INVALID_ARGUMENT naming page_token otherwise.
absl::StatusOr<int64_t> DecodePageToken(absl::string_view token,
                                        uint64_t fingerprint);

// page_size as asked: 0 gives `default_size`, above `max_size` gives
// `max_size`; INVALID_ARGUMENT when negative.
absl::StatusOr<int> PageSize(int32_t requested, int default_size, int max_size);

}  // namespace sgm

#endif  // SGM_COMMON_PAGE_TOKEN_H_
