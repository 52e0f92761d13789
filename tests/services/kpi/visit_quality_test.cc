// Visit quality on hand-worked visits: month boundaries, visits without a
// mode or seen-alone recorded, the kinds kept apart, events outside the
// range and other event types ignored.
#include "services/kpi/visit_quality.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

CaseEvent Visit(const std::string& id, EventType type, absl::CivilDay date,
                const std::string& mode, std::optional<bool> seen_alone) {
  CaseEvent e;
  e.event_id = id;
  e.type = type;
  e.child_id = "C" + id;
  e.ref_id = "P" + id;
  e.event_date = date;
  e.visit_mode = mode;
  e.seen_alone = seen_alone;
  return e;
}

constexpr char kF2f[] = "FACE_TO_FACE";
constexpr char kVirtual[] = "VIRTUAL";
constexpr std::optional<bool> kUnrecorded = std::nullopt;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

struct Want {
  int64_t visits, mode_recorded, face_to_face;
  std::optional<double> face_to_face_percent;
  int64_t seen_alone_recorded, seen_alone;
  std::optional<double> seen_alone_percent;
};

void Expect(const VisitCounts& got, const Want& want) {
  EXPECT_EQ(got.visits, want.visits);
  EXPECT_EQ(got.mode_recorded, want.mode_recorded);
  EXPECT_EQ(got.face_to_face, want.face_to_face);
  EXPECT_EQ(got.FaceToFacePercent(), want.face_to_face_percent);
  EXPECT_EQ(got.seen_alone_recorded, want.seen_alone_recorded);
  EXPECT_EQ(got.seen_alone, want.seen_alone);
  EXPECT_EQ(got.SeenAlonePercent(), want.seen_alone_percent);
}

constexpr int kCp = static_cast<int>(VisitKind::kChildProtection);
constexpr int kCla = static_cast<int>(VisitKind::kChildInCare);
constexpr int kCin = static_cast<int>(VisitKind::kChildInNeed);
constexpr Want kNone = {0, 0, 0, std::nullopt, 0, 0, std::nullopt};

// Range January to March 2024 (2024 is a leap year).
std::vector<CaseEvent> Visits() {
  CaseEvent review = Visit("r1", EventType::kCpReview, D(2024, 1, 10), "", {});
  return {
      Visit("v1", EventType::kCpVisit, D(2024, 1, 31), kF2f, true),
      Visit("v2", EventType::kCpVisit, D(2024, 2, 1), kVirtual, false),
      Visit("v3", EventType::kCpVisit, D(2024, 2, 29), kF2f, kUnrecorded),
      Visit("v4", EventType::kCpVisit, D(2024, 2, 15), "", true),
      Visit("v5", EventType::kCpVisit, D(2023, 12, 31), kF2f, true),  // out
      Visit("v6", EventType::kCpVisit, D(2024, 4, 1), kF2f, true),    // out
      Visit("c1", EventType::kClaVisit, D(2024, 3, 31), kVirtual, false),
      Visit("c2", EventType::kClaVisit, D(2024, 3, 1), kF2f, true),
      Visit("c3", EventType::kClaVisit, D(2024, 3, 10), kF2f, true),
      Visit("n1", EventType::kCinVisit, D(2024, 1, 1), "", kUnrecorded),
      Visit("n2", EventType::kCinVisit, D(2024, 1, 15), kF2f, false),
      review,  // not a visit
  };
}

TEST(VisitKindTest, OnlyTheThreeVisitTypes) {
  EXPECT_EQ(VisitKindOf(EventType::kCpVisit), VisitKind::kChildProtection);
  EXPECT_EQ(VisitKindOf(EventType::kClaVisit), VisitKind::kChildInCare);
  EXPECT_EQ(VisitKindOf(EventType::kCinVisit), VisitKind::kChildInNeed);
  EXPECT_EQ(VisitKindOf(EventType::kCpReview), std::nullopt);
  EXPECT_EQ(VisitKindOf(EventType::kCinPlanStart), std::nullopt);
}

TEST(VisitQualityTest, PerMonthAndKindOnHandWorkedVisits) {
  const VisitQualityFigures f = ComputeVisitQuality(
      Visits(), absl::CivilMonth(2024, 1), absl::CivilMonth(2024, 3));
  EXPECT_EQ(f.from, absl::CivilMonth(2024, 1));
  EXPECT_EQ(f.to, absl::CivilMonth(2024, 3));
  ASSERT_EQ(f.months.size(), 3u);
  EXPECT_EQ(f.months[0].month, absl::CivilMonth(2024, 1));
  EXPECT_EQ(f.months[2].month, absl::CivilMonth(2024, 3));

  // January: CP v1 (31 Jan, the month's last day; 30 Dec's v5 is before
  // the range). CIN n1 records nothing, n2 face to face, not seen alone.
  {
    SCOPED_TRACE("January");
    Expect(f.months[0].by_kind[kCp], {1, 1, 1, 100.0, 1, 1, 100.0});
    Expect(f.months[0].by_kind[kCla], kNone);
    Expect(f.months[0].by_kind[kCin], {2, 1, 1, 100.0, 1, 0, 0.0});
  }
  // February: v2 (1 Feb) virtual, not alone; v3 (29 Feb) face to face,
  // seen alone not recorded; v4 no mode, seen alone. Modes 1 of 2, seen
  // alone 1 of 2.
  {
    SCOPED_TRACE("February");
    Expect(f.months[1].by_kind[kCp], {3, 2, 1, 50.0, 2, 1, 50.0});
    Expect(f.months[1].by_kind[kCla], kNone);
    Expect(f.months[1].by_kind[kCin], kNone);
  }
  // March: CLA c2 and c3 face to face and alone, c1 (31 Mar) virtual, not
  // alone: 2 of 3 = 66.7 both. v6 (1 Apr) is after the range.
  {
    SCOPED_TRACE("March");
    Expect(f.months[2].by_kind[kCp], kNone);
    Expect(f.months[2].by_kind[kCla], {3, 3, 2, 66.7, 3, 2, 66.7});
    Expect(f.months[2].by_kind[kCin], kNone);
  }
  // The range: CP v1..v4: modes 3 (v1, v2, v3), face to face 2; seen
  // alone recorded 3 (v1, v2, v4), alone 2.
  {
    SCOPED_TRACE("totals");
    Expect(f.totals[kCp], {4, 3, 2, 66.7, 3, 2, 66.7});
    Expect(f.totals[kCla], {3, 3, 2, 66.7, 3, 2, 66.7});
    Expect(f.totals[kCin], {2, 1, 1, 100.0, 1, 0, 0.0});
  }
}

TEST(VisitQualityTest, VisitsWithNothingRecordedHaveNoPercents) {
  const std::vector<CaseEvent> events = {
      Visit("a", EventType::kCinVisit, D(2024, 5, 2), "", kUnrecorded),
      Visit("b", EventType::kCinVisit, D(2024, 5, 20), "", kUnrecorded),
  };
  const VisitQualityFigures f = ComputeVisitQuality(
      events, absl::CivilMonth(2024, 5), absl::CivilMonth(2024, 5));
  ASSERT_EQ(f.months.size(), 1u);
  Expect(f.months[0].by_kind[kCin],
         {2, 0, 0, std::nullopt, 0, 0, std::nullopt});
  Expect(f.totals[kCin], {2, 0, 0, std::nullopt, 0, 0, std::nullopt});
}

TEST(VisitQualityTest, PercentsRoundHalfAwayFromZero) {
  // 1 of 8 face to face = 12.5 (half up); seen alone recorded on 7 (not
  // x7), alone on x0..x5: 6 / 7 = 85.714.. -> 85.7.
  std::vector<CaseEvent> events;
  for (int i = 0; i < 8; ++i) {
    events.push_back(Visit("x" + std::to_string(i), EventType::kClaVisit,
                           D(2024, 7, 1 + i), i == 0 ? kF2f : kVirtual,
                           i == 7 ? kUnrecorded : std::optional<bool>(i < 6)));
  }
  const VisitQualityFigures f = ComputeVisitQuality(
      events, absl::CivilMonth(2024, 7), absl::CivilMonth(2024, 7));
  Expect(f.totals[kCla], {8, 8, 1, 12.5, 7, 6, 85.7});
}

TEST(VisitQualityTest, EmptyRangeMonthsAreListedWithZeros) {
  const VisitQualityFigures f = ComputeVisitQuality(
      {}, absl::CivilMonth(2023, 11), absl::CivilMonth(2024, 2));
  ASSERT_EQ(f.months.size(), 4u);
  EXPECT_EQ(f.months[1].month, absl::CivilMonth(2023, 12));
  EXPECT_EQ(f.months[2].month, absl::CivilMonth(2024, 1));
  for (const VisitQualityMonth& m : f.months) {
    for (int k = 0; k < kVisitKindCount; ++k) Expect(m.by_kind[k], kNone);
  }
}

}  // namespace
}  // namespace sgm::kpi
