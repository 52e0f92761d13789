// AggregateCache on Redis (DESIGN section 2): a small pool of blocking
// hiredis connections, bounded by connect and command timeouts, behind a
// circuit breaker driven by an injected clock.
//
// Every failure (no connection, a timeout, an error reply) reads as a miss
// or a no-op, frees the connection and opens the breaker: for
// `breaker_open_for` every call returns at once without touching the
// network. After that one call is let through (half-open); its success
// closes the breaker, its failure opens it again.
//
// Keys:
//   value       "sgm:{authority}:{service}:g{generation}:{key}" (with TTL)
//   generation  "sgm:{authority}:{service}:gen"                  (no TTL)
//
// Thread-safe.
#ifndef SGM_COMMON_REDIS_CACHE_H_
#define SGM_COMMON_REDIS_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"

struct redisContext;
struct redisReply;

namespace sgm {

class RedisCache : public AggregateCache {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6379;
    // Connections, opened lazily. Values below 1 mean 1.
    int pool_size = 4;
    absl::Duration connect_timeout = absl::Milliseconds(200);
    // Bounds each command's send and receive, and the wait for a free
    // connection when all are in use.
    absl::Duration command_timeout = absl::Milliseconds(100);
    // Lifetime of value keys (rounded to milliseconds, at least 1 ms).
    absl::Duration ttl = absl::Minutes(10);
    absl::Duration breaker_open_for = absl::Seconds(2);
    // Sent with AUTH on every new connection when not empty.
    std::string password;
  };

  // Counters since construction.
  struct Stats {
    // Get/ReadGeneration calls that returned a value.
    int64_t hits = 0;
    // Get/ReadGeneration calls that returned nullopt, whatever the reason
    // (absent key, failure, breaker open, no free connection).
    int64_t misses = 0;
    // Failed attempts to reach Redis: connect or AUTH failures, timeouts,
    // broken connections, error replies. Each opens the breaker.
    int64_t errors = 0;
    // Calls of any kind answered without touching the network because the
    // breaker was open.
    int64_t skipped_by_breaker = 0;
  };

  // `clock` drives the breaker and must outlive the cache.
  RedisCache(Options options, const Clock* clock);
  ~RedisCache() override;

  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  std::optional<std::string> Get(absl::string_view authority,
                                 absl::string_view service, int64_t generation,
                                 absl::string_view key) override;
  void Put(absl::string_view authority, absl::string_view service,
           int64_t generation, absl::string_view key,
           absl::string_view value) override;
  void PublishGeneration(absl::string_view authority, absl::string_view service,
                         int64_t generation) override;
  std::optional<int64_t> ReadGeneration(absl::string_view authority,
                                        absl::string_view service) override;
  bool Available() const override;

  Stats stats() const;

  // The keys this cache reads and writes (exposed for tests and tools).
  static std::string ValueKey(absl::string_view authority,
                              absl::string_view service, int64_t generation,
                              absl::string_view key);
  static std::string GenerationKey(absl::string_view authority,
                                   absl::string_view service);

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  struct ReplyDeleter {
    void operator()(redisReply* reply) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
  using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;
  // Sends one command on a connected context; returns the raw reply (null
  // on failure, with the context's err set).
  using Command = absl::FunctionRef<redisReply*(redisContext*)>;

  enum class Breaker { kClosed, kOpen, kHalfOpen };
  enum class Admission { kSkip, kNormal, kProbe };

  // A pool slot checked out: its context (null when not yet connected) and
  // the pool epoch it was taken in.
  struct Lease {
    ContextPtr context;
    uint64_t epoch = 0;
  };

  // Runs `command` through the breaker and the pool. Returns the reply, or
  // null when skipped, when no connection was free, or on any failure
  // (error replies included).
  ReplyPtr Run(Command command);

  Admission Admit();
  // Ends a probe that never reached Redis, so the next call probes again.
  void AbandonProbe();
  void RecordSuccess(Admission admission);
  void RecordFailure();

  std::optional<Lease> Checkout();
  void Return(Lease lease);

  // A new connection with the command timeout applied and AUTH done, or
  // null.
  ContextPtr Connect() const;

  const Options options_;
  const Clock* const clock_;

  mutable absl::Mutex mu_;
  // Idle slots; a null context has not been connected yet.
  std::vector<ContextPtr> idle_ ABSL_GUARDED_BY(mu_);
  // Bumped on every failure: contexts leased before it are dropped when
  // returned, since the server they talk to may have gone away.
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  Breaker breaker_ ABSL_GUARDED_BY(mu_) = Breaker::kClosed;
  absl::Time open_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
  std::atomic<int64_t> errors_{0};
  std::atomic<int64_t> skipped_by_breaker_{0};
};

}  // namespace sgm

#endif  // SGM_COMMON_REDIS_CACHE_H_
