#include "common/proto_convert.h"

#include "gtest/gtest.h"

namespace sgm {
namespace {

sgm::type::v1::YearMonth Month(int year, int month) {
  sgm::type::v1::YearMonth m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

using Range = absl::StatusOr<std::pair<absl::CivilMonth, absl::CivilMonth>>;

TEST(TrailingMonthRangeTest, FromDefaultsToTheTwelveMonthsToTo) {
  Range r = TrailingMonthRange(false, {}, true, Month(2024, 5), 60);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first, absl::CivilMonth(2023, 6));
  EXPECT_EQ(r->second, absl::CivilMonth(2024, 5));
}

TEST(TrailingMonthRangeTest, AGivenFromIsKeptOneMonthIncluded) {
  Range r = TrailingMonthRange(true, Month(2024, 5), true, Month(2024, 5), 60);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first, absl::CivilMonth(2024, 5));
  EXPECT_EQ(r->second, absl::CivilMonth(2024, 5));
}

TEST(TrailingMonthRangeTest, RefusalsNameTheField) {
  EXPECT_EQ(TrailingMonthRange(true, Month(2024, 1), false, {}, 60)
                .status()
                .message(),
            "to: required");
  EXPECT_EQ(TrailingMonthRange(false, {}, true, Month(2024, 13), 60)
                .status()
                .message(),
            "to: 2024-13 is not a month");
  EXPECT_EQ(TrailingMonthRange(true, Month(0, 1), true, Month(2024, 1), 60)
                .status()
                .message(),
            "from: 0-1 is not a month");
  EXPECT_EQ(TrailingMonthRange(true, Month(2024, 2), true, Month(2024, 1), 60)
                .status()
                .message(),
            "from: must not be after 'to'");
  // 60 months is the most; 61 is one too many.
  EXPECT_TRUE(
      TrailingMonthRange(true, Month(2019, 2), true, Month(2024, 1), 60).ok());
  const absl::Status too_long =
      TrailingMonthRange(true, Month(2019, 1), true, Month(2024, 1), 60)
          .status();
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.message(), "from: at most 60 months a call");
}

}  // namespace
}  // namespace sgm
