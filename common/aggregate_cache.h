// Cached aggregates under versioned keys (DESIGN section 2).
//
// Each service keeps a generation number per authority in its own store,
// bumped in the same transaction as every write. Aggregates are cached under
// keys that carry that generation, so a reader that knows the current
// generation never sees an aggregate older than the last committed write.
// The service publishes its generation to the cache after each commit for
// readers (the gateway) that cannot see its store.
//
// The cache is never the source of truth: every method is best-effort, and
// any failure reads as a miss.
#ifndef SGM_COMMON_AGGREGATE_CACHE_H_
#define SGM_COMMON_AGGREGATE_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sgm {

class AggregateCache {
 public:
  virtual ~AggregateCache() = default;

  // The value cached for `key` at `generation`, or nullopt on a miss or any
  // error. Key: "sgm:{authority}:{service}:g{generation}:{key}".
  virtual std::optional<std::string> Get(absl::string_view authority,
                                         absl::string_view service,
                                         int64_t generation,
                                         absl::string_view key) = 0;
  // Stores `value` with the configured TTL; failures are swallowed.
  virtual void Put(absl::string_view authority, absl::string_view service,
                   int64_t generation, absl::string_view key,
                   absl::string_view value) = 0;
  // Raises "sgm:{authority}:{service}:gen" to `generation` (never lowers
  // it); failures are swallowed.
  virtual void PublishGeneration(absl::string_view authority,
                                 absl::string_view service,
                                 int64_t generation) = 0;
  // The published generation, or nullopt when unknown or on any error.
  virtual std::optional<int64_t> ReadGeneration(absl::string_view authority,
                                                absl::string_view service) = 0;
  // False while the circuit breaker is open (calls are being skipped).
  virtual bool Available() const = 0;
};

// A cache that holds nothing: for a deployment without Redis.
class NoCache : public AggregateCache {
 public:
  std::optional<std::string> Get(absl::string_view, absl::string_view, int64_t,
                                 absl::string_view) override {
    return std::nullopt;
  }
  void Put(absl::string_view, absl::string_view, int64_t, absl::string_view,
           absl::string_view) override {}
  void PublishGeneration(absl::string_view, absl::string_view,
                         int64_t) override {}
  std::optional<int64_t> ReadGeneration(absl::string_view,
                                        absl::string_view) override {
    return std::nullopt;
  }
  bool Available() const override { return false; }
};

}  // namespace sgm

#endif  // SGM_COMMON_AGGREGATE_CACHE_H_
