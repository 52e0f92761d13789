#include "services/kpi/open_work.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

using Day = absl::CivilDay;
using K = OpenWorkKind;

constexpr std::nullopt_t kOpen = std::nullopt;

Episode Ep(const std::string& ref_id, const std::string& child_id, Day start,
           std::optional<Day> end = std::nullopt) {
  Episode episode;
  episode.ref_id = ref_id;
  episode.child_id = child_id;
  episode.start = start;
  episode.end = end;
  return episode;
}

// The span is 10 Mar to 20 Mar 2024.
//   K1  referral R1: assessment A1 1 Mar - 10 Mar (ends on `from`: not
//       open on any day of the span), A2 from 20 Mar (starts on `to`:
//       open), A0 with an end and no start (left out); S47 S1 5 Mar -
//       12 Mar; CP plan CP1 from 1 Feb; CIN plan CIN0 1 Jan - 1 Feb (over
//       before the span).
//   K2  CIN plan CIN2 and Early Help EH2 both from 20 Mar (same day: by
//       kind), CLA episode CLA2 from 21 Mar (after the span).
//   K3  not asked for: its CLA episode is not listed.
CaseTimelines Timelines() {
  CaseTimelines t;
  ReferralTimeline r1;
  r1.referral_id = "R1";
  r1.child_id = "K1";
  r1.referral_date = Day(2024, 2, 28);
  r1.first_event_date = Day(2024, 2, 28);
  r1.assessments = {{"A0", std::nullopt, Day(2024, 3, 15)},
                    {"A1", Day(2024, 3, 1), Day(2024, 3, 10)},
                    {"A2", Day(2024, 3, 20), std::nullopt}};
  ReferralTimeline::S47 s1;
  s1.ref_id = "S1";
  s1.start = Day(2024, 3, 5);
  s1.end = Day(2024, 3, 12);
  r1.s47s = {s1};
  t.referrals = {r1};
  t.cp_plans = {Ep("CP1", "K1", Day(2024, 2, 1))};
  t.cin_plans = {Ep("CIN0", "K1", Day(2024, 1, 1), Day(2024, 2, 1)),
                 Ep("CIN2", "K2", Day(2024, 3, 20))};
  t.eh_episodes = {Ep("EH2", "K2", Day(2024, 3, 20), Day(2024, 3, 25))};
  t.cla_episodes = {Ep("CLA2", "K2", Day(2024, 3, 21)),
                    Ep("CLA3", "K3", Day(2024, 1, 1))};
  return t;
}

TEST(OpenWorkTest, WorkOpenOnAnyDayOfTheSpanByChildThenStart) {
  const std::vector<std::string> asked = {"K2", "K9", "K1"};
  const std::vector<ChildOpenWorkItems> children =
      OpenWorkOf(Timelines(), asked, Day(2024, 3, 10), Day(2024, 3, 20));
  EXPECT_THAT(
      children,
      ElementsAre(
          FieldsAre("K1", ElementsAre(FieldsAre(K::kCpPlan, "CP1",
                                                Day(2024, 2, 1), kOpen),
                                      FieldsAre(K::kS47, "S1", Day(2024, 3, 5),
                                                Optional(Day(2024, 3, 12))),
                                      FieldsAre(K::kAssessment, "A2",
                                                Day(2024, 3, 20), kOpen))),
          FieldsAre("K2",
                    ElementsAre(
                        FieldsAre(K::kCinPlan, "CIN2", Day(2024, 3, 20), kOpen),
                        FieldsAre(K::kEarlyHelp, "EH2", Day(2024, 3, 20),
                                  Optional(Day(2024, 3, 25)))))));
}

TEST(OpenWorkTest, AnAssessmentEndingOnFromIsNotOpenOneStartingOnToIs) {
  const std::vector<std::string> asked = {"K1"};
  // Only 10 Mar: A1 ended that day; S1 and CP1 are open.
  EXPECT_THAT(
      OpenWorkOf(Timelines(), asked, Day(2024, 3, 10), Day(2024, 3, 10)),
      ElementsAre(FieldsAre(
          "K1",
          ElementsAre(FieldsAre(K::kCpPlan, "CP1", Day(2024, 2, 1), kOpen),
                      FieldsAre(K::kS47, "S1", Day(2024, 3, 5),
                                Optional(Day(2024, 3, 12)))))));
  // 9 Mar: A1 is open (its last open day).
  EXPECT_THAT(
      OpenWorkOf(Timelines(), asked, Day(2024, 3, 9), Day(2024, 3, 9)),
      ElementsAre(FieldsAre(
          "K1",
          ElementsAre(FieldsAre(K::kCpPlan, "CP1", Day(2024, 2, 1), kOpen),
                      FieldsAre(K::kAssessment, "A1", Day(2024, 3, 1),
                                Optional(Day(2024, 3, 10))),
                      FieldsAre(K::kS47, "S1", Day(2024, 3, 5),
                                Optional(Day(2024, 3, 12)))))));
}

TEST(OpenWorkTest, ChildrenWithoutWorkAreLeftOut) {
  const std::vector<std::string> asked = {"K2", "K9"};
  // Before K2's work starts.
  EXPECT_THAT(OpenWorkOf(Timelines(), asked, Day(2024, 3, 1), Day(2024, 3, 19)),
              IsEmpty());
}

}  // namespace
}  // namespace sgm::kpi
