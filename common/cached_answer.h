// The read of a cached aggregate (DESIGN section 2): the answer cached under
// the store's current generation, or computed, answered and cached. Every
// aggregate handler of the services has this shape; the handler keeps its
// request checks, its key and its computation.
#ifndef SGM_COMMON_CACHED_ANSWER_H_
#define SGM_COMMON_CACHED_ANSWER_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/aggregate_cache.h"
#include "google/protobuf/message_lite.h"

namespace sgm {

// Fills `response` with the value cached for `key` at `generation` (the
// store's generation read before the call). On a miss, or a cached value
// that does not parse, clears `response` and calls `compute`, which fills
// it and returns the generation of the data it read (which may be newer
// than `generation`: a write committed in between); the answer is cached
// under that generation. A failed `compute` is returned as is and nothing
// is cached.
absl::Status AnswerFromCache(
    AggregateCache& cache, absl::string_view authority,
    absl::string_view service, int64_t generation, absl::string_view key,
    google::protobuf::MessageLite* response,
    absl::FunctionRef<absl::StatusOr<int64_t>()> compute);

}  // namespace sgm

#endif  // SGM_COMMON_CACHED_ANSWER_H_
