// RedisCache against a real redis-server (no mocks): key layout, TTLs,
// generations, failures, the circuit breaker and the connection pool.
#include "common/redis_cache.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace sgm {
namespace {

using ::sgm::testing::RedisServerProcess;
using ::sgm::testing::TempDir;

struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RawReply = std::unique_ptr<redisReply, ReplyFree>;

// One command on a fresh connection of its own; null on any failure.
RawReply RawCommand(int port, const std::vector<std::string>& args) {
  const struct timeval timeout = absl::ToTimeval(absl::Seconds(2));
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr) return nullptr;
  RawReply reply;
  if (context->err == 0 && redisSetTimeout(context, timeout) == REDIS_OK) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    reply.reset(static_cast<redisReply*>(redisCommandArgv(
        context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  }
  redisFree(context);
  return reply;
}

std::optional<std::string> RawGet(int port, const std::string& key) {
  RawReply reply = RawCommand(port, {"GET", key});
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) {
    return std::nullopt;
  }
  return std::string(reply->str, reply->len);
}

std::optional<long long> RawPttl(int port, const std::string& key) {
  RawReply reply = RawCommand(port, {"PTTL", key});
  if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) {
    return std::nullopt;
  }
  return reply->integer;
}

// The "connected_clients" figure of INFO clients, or -1.
int ConnectedClients(int port) {
  RawReply reply = RawCommand(port, {"INFO", "clients"});
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) return -1;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(reply->str, reply->len), "\r\n")) {
    int clients = 0;
    if (absl::ConsumePrefix(&line, "connected_clients:") &&
        absl::SimpleAtoi(line, &clients)) {
      return clients;
    }
  }
  return -1;
}

class RedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServerProcess>> server =
        RedisServerProcess::Start(dir_.path());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  RedisCache::Options OptionsForServer() const {
    RedisCache::Options options;
    options.port = server_->port();
    return options;
  }

  std::unique_ptr<RedisCache> MakeCache() {
    return std::make_unique<RedisCache>(OptionsForServer(), &clock_);
  }

  TempDir dir_;
  std::unique_ptr<RedisServerProcess> server_;
  ManualClock clock_{absl::FromUnixSeconds(1718452800)};
};

TEST_F(RedisCacheTest, PutThenGetRoundTrips) {
  std::unique_ptr<RedisCache> cache = MakeCache();
  cache->Put("831", "kpi", 7, "front_door", R"({"contacts":12})");

  EXPECT_EQ(cache->Get("831", "kpi", 7, "front_door"), R"({"contacts":12})");
  EXPECT_EQ(cache->stats().hits, 1);
  EXPECT_EQ(cache->stats().errors, 0);
  EXPECT_TRUE(cache->Available());
}

TEST_F(RedisCacheTest, AbsentKeyIsAMissNotAnError) {
  std::unique_ptr<RedisCache> cache = MakeCache();

  EXPECT_EQ(cache->Get("831", "kpi", 1, "nothing"), std::nullopt);
  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), std::nullopt);
  const RedisCache::Stats stats = cache->stats();
  EXPECT_EQ(stats.misses, 2);
  EXPECT_EQ(stats.hits, 0);
  EXPECT_EQ(stats.errors, 0);
  EXPECT_TRUE(cache->Available());
}

TEST_F(RedisCacheTest, KeysFollowTheDesignLayout) {
  std::unique_ptr<RedisCache> cache = MakeCache();
  cache->Put("831", "kpi", 7, "front_door", "v");
  cache->PublishGeneration("831", "kpi", 7);

  EXPECT_EQ(RedisCache::ValueKey("831", "kpi", 7, "front_door"),
            "sgm:831:kpi:g7:front_door");
  EXPECT_EQ(RedisCache::GenerationKey("831", "kpi"), "sgm:831:kpi:gen");
  EXPECT_EQ(RawGet(server_->port(), "sgm:831:kpi:g7:front_door"), "v");
  EXPECT_EQ(RawGet(server_->port(), "sgm:831:kpi:gen"), "7");
}

TEST_F(RedisCacheTest, NewGenerationMissesTheOldValue) {
  std::unique_ptr<RedisCache> cache = MakeCache();
  cache->Put("831", "kpi", 7, "front_door", "old");

  EXPECT_EQ(cache->Get("831", "kpi", 8, "front_door"), std::nullopt);
  EXPECT_EQ(cache->Get("831", "kpi", 7, "front_door"), "old");
  // Other authorities and services are separate.
  EXPECT_EQ(cache->Get("892", "kpi", 7, "front_door"), std::nullopt);
  EXPECT_EQ(cache->Get("831", "qa", 7, "front_door"), std::nullopt);

  cache->Put("831", "kpi", 8, "front_door", "new");
  EXPECT_EQ(cache->Get("831", "kpi", 8, "front_door"), "new");
}

TEST_F(RedisCacheTest, PublishGenerationNeverLowers) {
  std::unique_ptr<RedisCache> cache = MakeCache();
  cache->PublishGeneration("831", "kpi", 5);
  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), 5);

  cache->PublishGeneration("831", "kpi", 3);
  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), 5);

  cache->PublishGeneration("831", "kpi", 5);
  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), 5);

  cache->PublishGeneration("831", "kpi", int64_t{1} << 40);
  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), int64_t{1} << 40);

  // Per authority and service.
  EXPECT_EQ(cache->ReadGeneration("892", "kpi"), std::nullopt);
  cache->PublishGeneration("892", "kpi", 2);
  EXPECT_EQ(cache->ReadGeneration("892", "kpi"), 2);
  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), int64_t{1} << 40);
  EXPECT_EQ(cache->stats().errors, 0);
}

TEST_F(RedisCacheTest, ValueKeysExpireGenerationKeysDoNot) {
  RedisCache::Options options = OptionsForServer();
  options.ttl = absl::Seconds(90);
  RedisCache cache(options, &clock_);
  cache.Put("831", "kpi", 3, "front_door", "v");
  cache.PublishGeneration("831", "kpi", 3);

  const std::optional<long long> value_ttl =
      RawPttl(server_->port(), "sgm:831:kpi:g3:front_door");
  ASSERT_TRUE(value_ttl.has_value());
  EXPECT_GT(*value_ttl, 80000);
  EXPECT_LE(*value_ttl, 90000);
  // -1: the key exists and has no expiry.
  EXPECT_EQ(RawPttl(server_->port(), "sgm:831:kpi:gen"), -1);
}

TEST_F(RedisCacheTest, GarbageGenerationReadsAsMiss) {
  ASSERT_NE(RawCommand(server_->port(), {"SET", "sgm:831:kpi:gen", "x1"}),
            nullptr);
  std::unique_ptr<RedisCache> cache = MakeCache();

  EXPECT_EQ(cache->ReadGeneration("831", "kpi"), std::nullopt);
  EXPECT_EQ(cache->stats().errors, 0);
  EXPECT_TRUE(cache->Available());
}

TEST_F(RedisCacheTest, BinaryKeysAndValuesRoundTrip) {
  std::unique_ptr<RedisCache> cache = MakeCache();
  const std::string value("a\0b\r\n\xff\x00 %s %b", 14);
  const std::string key("k\0 y", 4);
  ASSERT_EQ(value.size(), 14u);

  cache->Put("831", "kpi", 1, key, value);

  const std::optional<std::string> got = cache->Get("831", "kpi", 1, key);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, value);
  EXPECT_EQ(cache->Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_EQ(RawGet(server_->port(), "sgm:831:kpi:g1:" + key), value);
}

TEST_F(RedisCacheTest, StoppedRedisReadsAsMissAndOpensTheBreaker) {
  RedisCache::Options options = OptionsForServer();
  options.breaker_open_for = absl::Seconds(2);
  RedisCache cache(options, &clock_);
  cache.Put("831", "kpi", 1, "k", "v");
  ASSERT_EQ(cache.Get("831", "kpi", 1, "k"), "v");

  server_->Stop();

  const absl::Time start = absl::Now();
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  RedisCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.errors, 1);
  EXPECT_EQ(stats.skipped_by_breaker, 0);
  EXPECT_FALSE(cache.Available());

  // Open: nothing touches the network.
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  cache.Put("831", "kpi", 1, "k", "v2");
  cache.PublishGeneration("831", "kpi", 2);
  EXPECT_EQ(cache.ReadGeneration("831", "kpi"), std::nullopt);
  clock_.Advance(absl::Seconds(2) - absl::Milliseconds(1));
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  stats = cache.stats();
  EXPECT_EQ(stats.skipped_by_breaker, 5);
  EXPECT_EQ(stats.errors, 1);
  EXPECT_FALSE(cache.Available());

  // Half-open: one call tries again, fails, and opens the breaker again.
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(cache.Available());
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  stats = cache.stats();
  EXPECT_EQ(stats.errors, 2);
  EXPECT_EQ(stats.skipped_by_breaker, 5);
  EXPECT_FALSE(cache.Available());
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_EQ(cache.stats().skipped_by_breaker, 6);

  // Back up (empty: nothing is persisted). Still skipped until the breaker's
  // time is up; then the next call reconnects and closes it.
  const absl::Status restarted = server_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_EQ(cache.stats().skipped_by_breaker, 7);
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_EQ(cache.stats().errors, 2);
  EXPECT_TRUE(cache.Available());
  cache.Put("831", "kpi", 1, "k", "after restart");
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), "after restart");
  EXPECT_EQ(cache.stats().skipped_by_breaker, 7);
}

// CLIENT PAUSE holds every command for a while: a cache whose connection
// had no command timeout would wait and then answer.
void ExpectCommandTimesOut(RedisCache& cache, int port, ManualClock& clock) {
  constexpr absl::Duration kPause = absl::Seconds(1);
  const int64_t errors_before = cache.stats().errors;
  ASSERT_NE(RawCommand(
                port, {"CLIENT", "PAUSE",
                       absl::StrCat(absl::ToInt64Milliseconds(kPause)), "ALL"}),
            nullptr);
  const absl::Time paused_at = absl::Now();

  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_LT(absl::Now() - paused_at, kPause);
  EXPECT_EQ(cache.stats().errors, errors_before + 1);

  absl::SleepFor(kPause - (absl::Now() - paused_at) + absl::Milliseconds(50));
  clock.Advance(absl::Seconds(2));
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), "v");
}

TEST_F(RedisCacheTest, CommandTimeoutAppliesAndIsReappliedOnReconnect) {
  RedisCache::Options options = OptionsForServer();
  options.command_timeout = absl::Milliseconds(100);
  options.breaker_open_for = absl::Seconds(2);
  RedisCache cache(options, &clock_);
  cache.Put("831", "kpi", 1, "k", "v");
  ASSERT_EQ(cache.Get("831", "kpi", 1, "k"), "v");
  ExpectCommandTimesOut(cache, server_->port(), clock_);

  // Restart: the server closed the idle connection, so the next call
  // retries once on a new one (not an error) and that one must carry the
  // command timeout too.
  const absl::Status restarted = server_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  const int64_t errors_before = cache.stats().errors;
  cache.Put("831", "kpi", 1, "k", "v");
  ASSERT_EQ(cache.Get("831", "kpi", 1, "k"), "v");
  EXPECT_EQ(cache.stats().errors, errors_before);
  EXPECT_TRUE(cache.Available());
  ExpectCommandTimesOut(cache, server_->port(), clock_);
}

TEST_F(RedisCacheTest, NothingListeningIsAMiss) {
  // A port bound but not listening refuses connections, and no one else
  // can take it while the socket is held.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  RedisCache::Options options;
  options.port = ntohs(address.sin_port);
  RedisCache cache(options, &clock_);

  const absl::Time start = absl::Now();
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  cache.Put("831", "kpi", 1, "k", "v");
  cache.PublishGeneration("831", "kpi", 1);
  EXPECT_EQ(cache.ReadGeneration("831", "kpi"), std::nullopt);
  const RedisCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.misses, 2);
  EXPECT_EQ(stats.hits, 0);
  EXPECT_EQ(stats.errors, 1);
  EXPECT_EQ(stats.skipped_by_breaker, 3);
  EXPECT_FALSE(cache.Available());
  close(fd);
}

TEST_F(RedisCacheTest, WrongOrMissingPasswordIsAMiss) {
  ASSERT_NE(RawCommand(server_->port(),
                       {"CONFIG", "SET", "requirepass", "s3cret pass"}),
            nullptr);

  std::unique_ptr<RedisCache> no_password = MakeCache();
  no_password->Put("831", "kpi", 1, "k", "v");
  EXPECT_EQ(no_password->stats().errors, 1);
  EXPECT_FALSE(no_password->Available());

  RedisCache::Options options = OptionsForServer();
  options.password = "wrong";
  RedisCache wrong_password(options, &clock_);
  EXPECT_EQ(wrong_password.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_EQ(wrong_password.stats().errors, 1);

  options.password = "s3cret pass";
  RedisCache with_password(options, &clock_);
  with_password.Put("831", "kpi", 1, "k", "v");
  EXPECT_EQ(with_password.Get("831", "kpi", 1, "k"), "v");
  EXPECT_EQ(with_password.stats().errors, 0);
}

TEST_F(RedisCacheTest, PoolServesConcurrentCallersCorrectly) {
  constexpr int kThreads = 8;
  constexpr int kOpsPerThread = 200;
  RedisCache::Options options = OptionsForServer();
  options.pool_size = 4;
  // Generous: a loaded machine must not turn pool waits into misses.
  options.command_timeout = absl::Seconds(2);
  RedisCache cache(options, &clock_);

  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, &wrong, t] {
      for (int op = 0; op < kOpsPerThread; op += 2) {
        const std::string key = absl::StrCat("t", t, ":k", op % 7);
        const std::string value =
            absl::StrCat("thread ", t, " op ", op, std::string(op, 'x'));
        cache.Put("831", "kpi", 1, key, value);
        if (cache.Get("831", "kpi", 1, key) != value) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(wrong.load(), 0);
  const RedisCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, kThreads * kOpsPerThread / 2);
  EXPECT_EQ(stats.misses, 0);
  EXPECT_EQ(stats.errors, 0);
  EXPECT_EQ(stats.skipped_by_breaker, 0);
  // The pool's connections plus the one asking.
  const int clients = ConnectedClients(server_->port());
  EXPECT_GE(clients, 2);
  EXPECT_LE(clients, options.pool_size + 1);
}

TEST(RedisServerProcessTest, RestartOnATakenPortFailsWithTheServerLog) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<RedisServerProcess>> server =
      RedisServerProcess::Start(dir.path());
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  EXPECT_TRUE((*server)->running());
  (*server)->Stop();
  EXPECT_FALSE((*server)->running());
  EXPECT_EQ(RawCommand(port, {"PING"}), nullptr);

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  ASSERT_EQ(listen(fd, 1), 0);

  const absl::Status restarted = (*server)->Restart();
  EXPECT_FALSE(restarted.ok());
  EXPECT_FALSE((*server)->running());
  EXPECT_NE(restarted.message().find("in use"), absl::string_view::npos)
      << restarted;
  close(fd);

  const absl::Status again = (*server)->Restart();
  ASSERT_TRUE(again.ok()) << again;
  RawReply pong = RawCommand(port, {"PING"});
  ASSERT_NE(pong, nullptr);
  EXPECT_EQ(absl::string_view(pong->str, pong->len), "PONG");
}

TEST(NoCacheTest, HoldsNothing) {
  NoCache cache;
  cache.Put("831", "kpi", 1, "k", "v");
  cache.PublishGeneration("831", "kpi", 1);
  EXPECT_EQ(cache.Get("831", "kpi", 1, "k"), std::nullopt);
  EXPECT_EQ(cache.ReadGeneration("831", "kpi"), std::nullopt);
  EXPECT_FALSE(cache.Available());
}

}  // namespace
}  // namespace sgm
