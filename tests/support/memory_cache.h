// An AggregateCache in memory, for unit tests of code that reads and
// writes cached aggregates (the integration tests use a real
// redis-server: tests/support/redis_server.h).
#ifndef SGM_TESTS_SUPPORT_MEMORY_CACHE_H_
#define SGM_TESTS_SUPPORT_MEMORY_CACHE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/aggregate_cache.h"

namespace sgm::testing {

// Counts its writes.
class MemoryCache : public AggregateCache {
 public:
  std::optional<std::string> Get(absl::string_view authority,
                                 absl::string_view service, int64_t generation,
                                 absl::string_view key) override {
    absl::MutexLock lock(&mu_);
    auto it = values_.find(Key(authority, service, generation, key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void Put(absl::string_view authority, absl::string_view service,
           int64_t generation, absl::string_view key,
           absl::string_view value) override {
    absl::MutexLock lock(&mu_);
    ++puts_;
    values_[Key(authority, service, generation, key)] = std::string(value);
  }
  void PublishGeneration(absl::string_view authority, absl::string_view service,
                         int64_t generation) override {
    absl::MutexLock lock(&mu_);
    generations_[absl::StrCat(authority, ":", service)] = generation;
  }
  std::optional<int64_t> ReadGeneration(absl::string_view authority,
                                        absl::string_view service) override {
    absl::MutexLock lock(&mu_);
    auto it = generations_.find(absl::StrCat(authority, ":", service));
    if (it == generations_.end()) return std::nullopt;
    return it->second;
  }
  bool Available() const override { return true; }

  // The values as stored (e.g. to overwrite one with bytes that do not
  // parse).
  void Set(absl::string_view authority, absl::string_view service,
           int64_t generation, absl::string_view key, std::string value) {
    absl::MutexLock lock(&mu_);
    values_[Key(authority, service, generation, key)] = std::move(value);
  }
  std::optional<std::string> Stored(absl::string_view authority,
                                    absl::string_view service,
                                    int64_t generation, absl::string_view key) {
    absl::MutexLock lock(&mu_);
    auto it = values_.find(Key(authority, service, generation, key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  int puts() {
    absl::MutexLock lock(&mu_);
    return puts_;
  }
  // "{authority}:{service}:g{generation}:{key}".
  std::vector<std::string> keys() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const auto& [k, v] : values_) out.push_back(k);
    return out;
  }

 private:
  static std::string Key(absl::string_view authority, absl::string_view service,
                         int64_t generation, absl::string_view key) {
    return absl::StrCat(authority, ":", service, ":g", generation, ":", key);
  }
  absl::Mutex mu_;
  std::map<std::string, std::string> values_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> generations_ ABSL_GUARDED_BY(mu_);
  int puts_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_MEMORY_CACHE_H_
