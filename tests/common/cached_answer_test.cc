#include "common/cached_answer.h"

#include <optional>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sgm/type/v1/date.pb.h"
#include "tests/support/memory_cache.h"

namespace sgm {
namespace {

using ::sgm::testing::MemoryCache;

type::v1::YearMonth Month(int year, int month) {
  type::v1::YearMonth m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

TEST(AnswerFromCacheTest, AMissComputesAndCachesUnderTheDataGeneration) {
  MemoryCache cache;
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
  EXPECT_TRUE(cache.Stored("831", "kpi", 5, "k").has_value());
  EXPECT_FALSE(cache.Stored("831", "kpi", 4, "k").has_value());

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
  MemoryCache cache;
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
  MemoryCache cache;
  cache.Set("831", "kpi", 1, "k", "\xff\xff\xff");
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
  std::optional<std::string> value = cache.Stored("831", "kpi", 1, "k");
  ASSERT_TRUE(value.has_value());
  ASSERT_TRUE(stored.ParseFromString(*value));
  EXPECT_EQ(stored.month(), 3);
}

TEST(AnswerFromCacheTest, AFailedComputationIsReturnedAndNotCached) {
  MemoryCache cache;
  type::v1::YearMonth answer;
  absl::Status s = AnswerFromCache(cache, "831", "kpi", 1, "k", &answer, [] {
    return absl::StatusOr<int64_t>(absl::UnavailableError("store: busy"));
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "store: busy");
  EXPECT_EQ(cache.puts(), 0);
}

}  // namespace
}  // namespace sgm
