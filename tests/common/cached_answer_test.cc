#include "common/cached_answer.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sgm/type/v1/date.pb.h"

namespace sgm {
namespace {

// The values by (authority, service, generation, key), in memory.
class MapCache : public AggregateCache {
 public:
  std::optional<std::string> Get(absl::string_view authority,
                                 absl::string_view service, int64_t generation,
                                 absl::string_view key) override {
    auto it = values_.find(Key(authority, service, generation, key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void Put(absl::string_view authority, absl::string_view service,
           int64_t generation, absl::string_view key,
           absl::string_view value) override {
    values_[Key(authority, service, generation, key)] = std::string(value);
  }
  void PublishGeneration(absl::string_view, absl::string_view,
                         int64_t) override {}
  std::optional<int64_t> ReadGeneration(absl::string_view,
                                        absl::string_view) override {
    return std::nullopt;
  }
  bool Available() const override { return true; }

  static std::string Key(absl::string_view authority, absl::string_view service,
                         int64_t generation, absl::string_view key) {
    return absl::StrCat(authority, "|", service, "|", generation, "|", key);
  }
  std::map<std::string, std::string> values_;
};

type::v1::YearMonth Month(int year, int month) {
  type::v1::YearMonth m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

TEST(AnswerFromCacheTest, AMissComputesAndCachesUnderTheDataGeneration) {
  MapCache cache;
  type::v1::YearMonth answer;
  int calls = 0;
  absl::Status s = AnswerFromCache(cache, "831", "kpi", 4, "k", &answer, [&] {
    ++calls;
    answer = Month(2024, 6);
    return absl::StatusOr<int64_t>(5);  // a write committed in between
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(answer.month(), 6);
  EXPECT_EQ(cache.values_.count(MapCache::Key("831", "kpi", 5, "k")), 1u);
  EXPECT_EQ(cache.values_.count(MapCache::Key("831", "kpi", 4, "k")), 0u);

  // Read at generation 5: from the cache, no computation.
  type::v1::YearMonth again;
  s = AnswerFromCache(cache, "831", "kpi", 5, "k", &again, [&] {
    ++calls;
    return absl::StatusOr<int64_t>(5);
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(again.year(), 2024);
  EXPECT_EQ(again.month(), 6);
}

TEST(AnswerFromCacheTest, OtherAuthorityServiceOrKeyIsAMiss) {
  MapCache cache;
  cache.Put("831", "kpi", 1, "k", Month(2024, 1).SerializeAsString());
  for (const auto& [authority, service, key] :
       {std::make_tuple("892", "kpi", "k"), std::make_tuple("831", "qa", "k"),
        std::make_tuple("831", "kpi", "other")}) {
    type::v1::YearMonth answer;
    bool computed = false;
    ASSERT_TRUE(
        AnswerFromCache(cache, authority, service, 1, key, &answer, [&] {
          computed = true;
          answer = Month(2025, 2);
          return absl::StatusOr<int64_t>(1);
        }).ok());
    EXPECT_TRUE(computed) << authority << " " << service << " " << key;
    EXPECT_EQ(answer.year(), 2025);
  }
}

TEST(AnswerFromCacheTest, AnUnparsableValueIsRecomputedFromAClearAnswer) {
  MapCache cache;
  cache.Put("831", "kpi", 1, "k", "\xff\xff\xff");
  type::v1::YearMonth answer = Month(1999, 9);  // left over: must be cleared
  bool computed = false;
  ASSERT_TRUE(AnswerFromCache(cache, "831", "kpi", 1, "k", &answer, [&] {
                computed = true;
                EXPECT_EQ(answer.year(), 0);
                answer.set_month(3);
                return absl::StatusOr<int64_t>(1);
              }).ok());
  EXPECT_TRUE(computed);
  EXPECT_EQ(answer.month(), 3);
  type::v1::YearMonth stored;
  ASSERT_TRUE(stored.ParseFromString(
      cache.values_[MapCache::Key("831", "kpi", 1, "k")]));
  EXPECT_EQ(stored.month(), 3);
}

TEST(AnswerFromCacheTest, AFailedComputationIsReturnedAndNotCached) {
  MapCache cache;
  type::v1::YearMonth answer;
  absl::Status s = AnswerFromCache(cache, "831", "kpi", 1, "k", &answer, [] {
    return absl::StatusOr<int64_t>(absl::UnavailableError("store: busy"));
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "store: busy");
  EXPECT_TRUE(cache.values_.empty());
}

}  // namespace
}  // namespace sgm
