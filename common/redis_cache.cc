#include "common/redis_cache.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sgm {
namespace {

// Raises the generation key to ARGV[1], never lowering it. Generations are
// compared as Lua numbers (doubles): exact below 2^53.
constexpr char kRaiseGenerationScript[] =
    "local current = tonumber(redis.call('GET', KEYS[1]))\n"
    "local wanted = tonumber(ARGV[1])\n"
    "if current == nil or current < wanted then\n"
    "  redis.call('SET', KEYS[1], ARGV[1])\n"
    "  return 1\n"
    "end\n"
    "return 0\n";

// hiredis writes with write(2): a write to a connection the server has
// reset raises SIGPIPE, which would kill the process. The signal is blocked
// in this thread while a command runs and any SIGPIPE it raised is consumed,
// so the failure surfaces as EPIPE instead. Nothing process-wide changes.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    was_pending_ = SigpipePending();
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_ && SigpipePending()) {
      const struct timespec zero = {0, 0};
      while (sigtimedwait(&sigpipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  static bool SigpipePending() {
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  }

  sigset_t sigpipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

// hiredis treats a zero timeout as "wait forever".
struct timeval AtLeastOneMillisecond(absl::Duration d) {
  return absl::ToTimeval(std::max(d, absl::Milliseconds(1)));
}

}  // namespace

void RedisCache::ContextDeleter::operator()(redisContext* context) const {
  redisFree(context);
}

void RedisCache::ReplyDeleter::operator()(redisReply* reply) const {
  freeReplyObject(reply);
}

RedisCache::RedisCache(Options options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {
  absl::MutexLock lock(&mu_);
  idle_.resize(std::max(options_.pool_size, 1));
}

RedisCache::~RedisCache() = default;

std::string RedisCache::ValueKey(absl::string_view authority,
                                 absl::string_view service, int64_t generation,
                                 absl::string_view key) {
  return absl::StrCat("sgm:", authority, ":", service, ":g", generation, ":",
                      key);
}

std::string RedisCache::GenerationKey(absl::string_view authority,
                                      absl::string_view service) {
  return absl::StrCat("sgm:", authority, ":", service, ":gen");
}

std::optional<std::string> RedisCache::Get(absl::string_view authority,
                                           absl::string_view service,
                                           int64_t generation,
                                           absl::string_view key) {
  const std::string full_key = ValueKey(authority, service, generation, key);
  ReplyPtr reply = Run([&](redisContext* context) {
    return static_cast<redisReply*>(
        redisCommand(context, "GET %b", full_key.data(), full_key.size()));
  });
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return std::string(reply->str, reply->len);
}

void RedisCache::Put(absl::string_view authority, absl::string_view service,
                     int64_t generation, absl::string_view key,
                     absl::string_view value) {
  const std::string full_key = ValueKey(authority, service, generation, key);
  const std::string ttl_ms = absl::StrCat(
      std::max<int64_t>(absl::ToInt64Milliseconds(options_.ttl), 1));
  Run([&](redisContext* context) {
    return static_cast<redisReply*>(redisCommand(
        context, "SET %b %b PX %b", full_key.data(), full_key.size(),
        value.data(), value.size(), ttl_ms.data(), ttl_ms.size()));
  });
}

void RedisCache::PublishGeneration(absl::string_view authority,
                                   absl::string_view service,
                                   int64_t generation) {
  const std::string gen_key = GenerationKey(authority, service);
  const std::string wanted = absl::StrCat(generation);
  Run([&](redisContext* context) {
    return static_cast<redisReply*>(
        redisCommand(context, "EVAL %b 1 %b %b", kRaiseGenerationScript,
                     sizeof(kRaiseGenerationScript) - 1, gen_key.data(),
                     gen_key.size(), wanted.data(), wanted.size()));
  });
}

std::optional<int64_t> RedisCache::ReadGeneration(absl::string_view authority,
                                                  absl::string_view service) {
  const std::string gen_key = GenerationKey(authority, service);
  ReplyPtr reply = Run([&](redisContext* context) {
    return static_cast<redisReply*>(
        redisCommand(context, "GET %b", gen_key.data(), gen_key.size()));
  });
  int64_t generation = 0;
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING ||
      !absl::SimpleAtoi(absl::string_view(reply->str, reply->len),
                        &generation)) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return generation;
}

bool RedisCache::Available() const {
  absl::MutexLock lock(&mu_);
  switch (breaker_) {
    case Breaker::kClosed:
      return true;
    case Breaker::kOpen:
      return clock_->Now() >= open_until_;
    case Breaker::kHalfOpen:
      return false;
  }
  return false;
}

RedisCache::Stats RedisCache::stats() const {
  Stats stats;
  stats.hits = hits_.load();
  stats.misses = misses_.load();
  stats.errors = errors_.load();
  stats.skipped_by_breaker = skipped_by_breaker_.load();
  return stats;
}

RedisCache::ReplyPtr RedisCache::Run(Command command) {
  const Admission admission = Admit();
  if (admission == Admission::kSkip) {
    ++skipped_by_breaker_;
    return nullptr;
  }
  std::optional<Lease> lease = Checkout();
  if (!lease.has_value()) {
    // Every connection busy for a whole command timeout: a miss, but Redis
    // itself has not failed.
    if (admission == Admission::kProbe) AbandonProbe();
    return nullptr;
  }

  ScopedSigpipeBlock no_sigpipe;
  ReplyPtr reply;
  const bool reused = lease->context != nullptr;
  if (!reused) lease->context = Connect();
  if (lease->context != nullptr) {
    reply.reset(command(lease->context.get()));
    if (reply == nullptr && reused && lease->context->err == REDIS_ERR_EOF) {
      // The server closed an idle connection (a restart, an idle timeout):
      // one retry on a new connection. Every command here is idempotent.
      lease->context = Connect();
      if (lease->context != nullptr) reply.reset(command(lease->context.get()));
    }
  }
  if (lease->context == nullptr || lease->context->err != 0 ||
      reply == nullptr || reply->type == REDIS_REPLY_ERROR) {
    lease->context.reset();
    Return(*std::move(lease));
    RecordFailure();
    return nullptr;
  }
  Return(*std::move(lease));
  RecordSuccess(admission);
  return reply;
}

RedisCache::Admission RedisCache::Admit() {
  absl::MutexLock lock(&mu_);
  switch (breaker_) {
    case Breaker::kClosed:
      return Admission::kNormal;
    case Breaker::kOpen:
      if (clock_->Now() < open_until_) return Admission::kSkip;
      breaker_ = Breaker::kHalfOpen;
      return Admission::kProbe;
    case Breaker::kHalfOpen:
      return Admission::kSkip;
  }
  return Admission::kSkip;
}

void RedisCache::AbandonProbe() {
  absl::MutexLock lock(&mu_);
  if (breaker_ == Breaker::kHalfOpen) breaker_ = Breaker::kOpen;
}

void RedisCache::RecordSuccess(Admission admission) {
  if (admission != Admission::kProbe) return;
  absl::MutexLock lock(&mu_);
  // A failure of another call since the probe started keeps it open.
  if (breaker_ == Breaker::kHalfOpen) breaker_ = Breaker::kClosed;
}

void RedisCache::RecordFailure() {
  ++errors_;
  std::vector<ContextPtr> dropped;
  {
    absl::MutexLock lock(&mu_);
    breaker_ = Breaker::kOpen;
    open_until_ = clock_->Now() + options_.breaker_open_for;
    ++epoch_;
    // Idle connections may talk to a server that has gone away.
    for (ContextPtr& context : idle_) dropped.push_back(std::move(context));
  }
  // `dropped` frees them outside the lock.
}

std::optional<RedisCache::Lease> RedisCache::Checkout() {
  absl::MutexLock lock(&mu_);
  auto has_idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !idle_.empty();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&has_idle),
                            options_.command_timeout)) {
    return std::nullopt;
  }
  Lease lease;
  lease.context = std::move(idle_.back());
  lease.epoch = epoch_;
  idle_.pop_back();
  return lease;
}

void RedisCache::Return(Lease lease) {
  absl::MutexLock lock(&mu_);
  if (lease.epoch == epoch_) {
    idle_.push_back(std::move(lease.context));
  } else {
    // Leased before a failure: keep the slot, drop the connection (freed
    // when `lease` goes out of scope, after the lock is released).
    idle_.emplace_back();
  }
}

RedisCache::ContextPtr RedisCache::Connect() const {
  ContextPtr context(
      redisConnectWithTimeout(options_.host.c_str(), options_.port,
                              AtLeastOneMillisecond(options_.connect_timeout)));
  if (context == nullptr || context->err != 0) return nullptr;
  if (redisSetTimeout(context.get(),
                      AtLeastOneMillisecond(options_.command_timeout)) !=
      REDIS_OK) {
    return nullptr;
  }
  if (!options_.password.empty()) {
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommand(context.get(), "AUTH %b", options_.password.data(),
                     options_.password.size())));
    if (reply == nullptr || context->err != 0 ||
        reply->type == REDIS_REPLY_ERROR) {
      return nullptr;
    }
  }
  return context;
}

}  // namespace sgm
