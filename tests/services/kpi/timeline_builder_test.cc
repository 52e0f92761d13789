#include "services/kpi/timeline_builder.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

absl::CivilDay D(int m, int d) { return absl::CivilDay(2024, m, d); }

CaseEvent Ev(const std::string& id, EventType type, const std::string& child,
             const std::string& ref, absl::CivilDay date,
             const std::string& parent = "") {
  CaseEvent event;
  event.event_id = id;
  event.type = type;
  event.child_id = child;
  event.ref_id = ref;
  event.parent_ref_id = parent;
  event.event_date = date;
  return event;
}

std::string Day(std::optional<absl::CivilDay> day) {
  return day.has_value() ? absl::FormatCivilTime(*day) : "-";
}

std::string Days(const std::vector<absl::CivilDay>& days) {
  std::string text = "[";
  for (const absl::CivilDay day : days)
    absl::StrAppend(&text, absl::FormatCivilTime(day), " ");
  return text + "]";
}

// Everything in `t`, for comparing whole results.
std::string Describe(const CaseTimelines& t) {
  std::string text;
  for (const auto* list : {&t.cp_plans, &t.cin_plans, &t.cla_episodes}) {
    absl::StrAppend(&text, "kind\n");
    for (const Episode& e : *list) {
      absl::StrAppend(&text, e.ref_id, " ", e.child_id, " ",
                      absl::FormatCivilTime(e.start), " ", Day(e.end), " ",
                      e.long_term, " ", Days(e.visits), " ", Days(e.reviews),
                      "\n");
    }
  }
  for (const ReferralTimeline& r : t.referrals) {
    absl::StrAppend(&text, "referral ", r.referral_id, " ", r.child_id, " ",
                    Day(r.referral_date), "\n");
    for (const auto& a : r.assessments) {
      absl::StrAppend(&text, " assessment ", a.ref_id, " ", Day(a.start), " ",
                      Day(a.end), "\n");
    }
    for (const auto& s : r.s47s) {
      absl::StrAppend(&text, " s47 ", s.ref_id, " ", Day(s.start), " ",
                      Days(s.strategy_discussions), " ", Days(s.icpcs), "\n");
    }
  }
  for (const DataQualityFinding& f : t.findings) {
    absl::StrAppend(&text, "finding ", f.child_id, " ", f.ref_id, " ",
                    f.problem, "\n");
  }
  return text;
}

// A mixed set of events with every kind of timeline and some findings.
std::vector<CaseEvent> MixedEvents() {
  CaseEvent cla_start = Ev("e11", EventType::kClaStart, "C2", "LA1", D(1, 5));
  cla_start.long_term = true;
  return {
      Ev("e01", EventType::kReferral, "C1", "R1", D(1, 2)),
      Ev("e02", EventType::kAssessmentStart, "C1", "A1", D(1, 3), "R1"),
      Ev("e03", EventType::kAssessmentEnd, "C1", "A1", D(2, 1), "R1"),
      Ev("e04", EventType::kStrategyDiscussion, "C1", "S1", D(1, 9), "R1"),
      Ev("e05", EventType::kS47Start, "C1", "S1", D(1, 10), "R1"),
      Ev("e06", EventType::kStrategyDiscussion, "C1", "S1", D(1, 4), "R1"),
      Ev("e07", EventType::kIcpc, "C1", "S1", D(1, 25), "R1"),
      Ev("e08", EventType::kCpPlanStart, "C1", "CP1", D(1, 25)),
      Ev("e09", EventType::kCpVisit, "C1", "CP1", D(2, 20)),
      Ev("e10", EventType::kCpVisit, "C1", "CP1", D(2, 5)),
      cla_start,
      Ev("e12", EventType::kClaVisit, "C2", "LA1", D(1, 6)),
      Ev("e13", EventType::kClaReview, "C2", "LA1", D(2, 1)),
      Ev("e14", EventType::kCinPlanStart, "C3", "CIN1", D(1, 1)),
      Ev("e15", EventType::kCinPlanEnd, "C3", "CIN1", D(3, 1)),
      Ev("e16", EventType::kCinPlanStart, "C3", "CIN2", D(2, 1)),
      Ev("e17", EventType::kCpPlanStart, "C1", "CP0", D(1, 30)),
      Ev("e18", EventType::kCpReview, "C4", "CP9", D(2, 2)),
      Ev("e19", EventType::kAssessmentStart, "C5", "A5", D(1, 7), "R5"),
      Ev("e20", EventType::kEhStart, "C6", "EH1", D(1, 1)),
      Ev("e21", EventType::kCpPlanEnd, "C1", "CP1", D(1, 20)),
  };
}

TEST(TimelineBuilderTest, EmptyInputGivesNothing) {
  const CaseTimelines t = BuildTimelines({});
  EXPECT_THAT(t.cp_plans, IsEmpty());
  EXPECT_THAT(t.cin_plans, IsEmpty());
  EXPECT_THAT(t.cla_episodes, IsEmpty());
  EXPECT_THAT(t.referrals, IsEmpty());
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, CpPlanWithEndVisitsAndReviews) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCpReview, "C1", "CP1", D(4, 20)),
      Ev("2", EventType::kCpVisit, "C1", "CP1", D(3, 14)),
      Ev("3", EventType::kCpPlanStart, "C1", "CP1", D(3, 1)),
      Ev("4", EventType::kCpVisit, "C1", "CP1", D(3, 4)),
      Ev("5", EventType::kCpPlanEnd, "C1", "CP1", D(6, 30)),
      Ev("6", EventType::kCpReview, "C1", "CP1", D(3, 22)),
      Ev("7", EventType::kCpVisit, "C1", "CP1", D(3, 11)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cp_plans, SizeIs(1));
  const Episode& plan = t.cp_plans[0];
  EXPECT_EQ(plan.ref_id, "CP1");
  EXPECT_EQ(plan.child_id, "C1");
  EXPECT_EQ(plan.start, D(3, 1));
  EXPECT_EQ(plan.end, D(6, 30));
  EXPECT_FALSE(plan.long_term);
  EXPECT_THAT(plan.visits, ElementsAre(D(3, 4), D(3, 11), D(3, 14)));
  EXPECT_THAT(plan.reviews, ElementsAre(D(3, 22), D(4, 20)));
  EXPECT_THAT(t.cin_plans, IsEmpty());
  EXPECT_THAT(t.cla_episodes, IsEmpty());
  EXPECT_THAT(t.referrals, IsEmpty());
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, KindsAreKeptApartAndClaTakesLongTerm) {
  CaseEvent cla = Ev("3", EventType::kClaStart, "C1", "X1", D(2, 1));
  cla.long_term = true;
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCinPlanStart, "C1", "X1", D(1, 1)),
      Ev("2", EventType::kCinReview, "C1", "X1", D(3, 1)),
      cla,
      Ev("4", EventType::kClaVisit, "C1", "X1", D(2, 6)),
      Ev("5", EventType::kClaEnd, "C1", "X1", D(5, 1)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cin_plans, SizeIs(1));
  EXPECT_EQ(t.cin_plans[0].start, D(1, 1));
  EXPECT_EQ(t.cin_plans[0].end, std::nullopt);
  EXPECT_THAT(t.cin_plans[0].reviews, ElementsAre(D(3, 1)));
  EXPECT_THAT(t.cin_plans[0].visits, IsEmpty());
  EXPECT_FALSE(t.cin_plans[0].long_term);
  ASSERT_THAT(t.cla_episodes, SizeIs(1));
  EXPECT_EQ(t.cla_episodes[0].start, D(2, 1));
  EXPECT_EQ(t.cla_episodes[0].end, D(5, 1));
  EXPECT_TRUE(t.cla_episodes[0].long_term);
  EXPECT_THAT(t.cla_episodes[0].visits, ElementsAre(D(2, 6)));
  EXPECT_THAT(t.cp_plans, IsEmpty());
  // A CIN plan and a CLA episode at once are different kinds: no finding.
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, CinVisitsGoToTheirCinPlan) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCinVisit, "C1", "CIN1", D(2, 20)),
      Ev("2", EventType::kCinPlanStart, "C1", "CIN1", D(2, 1)),
      Ev("3", EventType::kCinVisit, "C1", "CIN1", D(2, 6)),
      Ev("4", EventType::kCinVisit, "C1", "CIN9", D(2, 7)),  // no plan
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cin_plans, SizeIs(1));
  EXPECT_EQ(t.cin_plans[0].ref_id, "CIN1");
  EXPECT_THAT(t.cin_plans[0].visits, ElementsAre(D(2, 6), D(2, 20)));
  EXPECT_THAT(t.cp_plans, IsEmpty());
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].ref_id, "CIN9");
}

TEST(TimelineBuilderTest, AnyOrderGivesTheSameTimelines) {
  std::vector<CaseEvent> events = MixedEvents();
  const std::string ordered = Describe(BuildTimelines(events));
  // Hand-worked: CP0 and CP1 (C1) overlap, CP1's end is before its start,
  // CP9 has no start, CIN1 and CIN2 (C3) overlap; R5 is known only from its
  // assessment; Early Help episodes are not described here (see
  // AnyOrderGivesTheSameNewTimelines).
  EXPECT_EQ(ordered,
            "kind\n"
            "CP0 C1 2024-01-30 - 0 [] []\n"
            "CP1 C1 2024-01-25 - 0 [2024-02-05 2024-02-20 ] []\n"
            "kind\n"
            "CIN1 C3 2024-01-01 2024-03-01 0 [] []\n"
            "CIN2 C3 2024-02-01 - 0 [] []\n"
            "kind\n"
            "LA1 C2 2024-01-05 - 1 [2024-01-06 ] [2024-02-01 ]\n"
            "referral R1 C1 2024-01-02\n"
            " assessment A1 2024-01-03 2024-02-01\n"
            " s47 S1 2024-01-10 [2024-01-04 2024-01-09 ] [2024-01-25 ]\n"
            "referral R5 C5 -\n"
            " assessment A5 2024-01-07 -\n"
            "finding C1 CP0 CP plan open at the same time as CP plan CP1 of "
            "the same child\n"
            "finding C1 CP1 CP_PLAN_END is dated before CP_PLAN_START; the "
            "end is ignored\n"
            "finding C3 CIN2 CIN plan open at the same time as CIN plan CIN1 "
            "of the same child\n"
            "finding C4 CP9 CP plan events without a CP_PLAN_START; not "
            "counted\n");
  std::reverse(events.begin(), events.end());
  EXPECT_EQ(Describe(BuildTimelines(events)), ordered);
  std::mt19937 random(42);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(events.begin(), events.end(), random);
    EXPECT_EQ(Describe(BuildTimelines(events)), ordered) << "shuffle " << i;
  }
}

TEST(TimelineBuilderTest, DuplicateStartsTheEarliestWinsWithAFinding) {
  CaseEvent late = Ev("1", EventType::kClaStart, "C1", "LA1", D(3, 1));
  late.long_term = false;
  CaseEvent early = Ev("2", EventType::kClaStart, "C1", "LA1", D(2, 1));
  early.long_term = true;
  const std::vector<CaseEvent> events = {late, early};
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cla_episodes, SizeIs(1));
  EXPECT_EQ(t.cla_episodes[0].start, D(2, 1));
  EXPECT_TRUE(t.cla_episodes[0].long_term);
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].child_id, "C1");
  EXPECT_EQ(t.findings[0].ref_id, "LA1");
  EXPECT_THAT(t.findings[0].problem, HasSubstr("more than one CLA_START"));
}

TEST(TimelineBuilderTest, EndBeforeStartIsIgnoredWithAFinding) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCinPlanEnd, "C1", "CIN1", D(1, 31)),
      Ev("2", EventType::kCinPlanStart, "C1", "CIN1", D(2, 1)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cin_plans, SizeIs(1));
  EXPECT_EQ(t.cin_plans[0].start, D(2, 1));
  EXPECT_EQ(t.cin_plans[0].end, std::nullopt);
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].ref_id, "CIN1");
  EXPECT_THAT(t.findings[0].problem,
              HasSubstr("CIN_PLAN_END is dated before CIN_PLAN_START"));
}

TEST(TimelineBuilderTest, EndOnTheStartDayIsKept) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCpPlanEnd, "C1", "CP1", D(2, 1)),
      Ev("2", EventType::kCpPlanStart, "C1", "CP1", D(2, 1)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cp_plans, SizeIs(1));
  EXPECT_EQ(t.cp_plans[0].end, D(2, 1));
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, VisitsWithoutAStartAreAFindingNotAnEpisode) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kClaVisit, "C7", "LA7", D(2, 1)),
      Ev("2", EventType::kClaVisit, "C7", "LA7", D(3, 1)),
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(t.cla_episodes, IsEmpty());
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].child_id, "C7");
  EXPECT_EQ(t.findings[0].ref_id, "LA7");
  EXPECT_THAT(t.findings[0].problem, HasSubstr("without a CLA_START"));
}

TEST(TimelineBuilderTest, OverlappingEpisodesOfAChildAreAFindingBothKept) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCpPlanStart, "C1", "CP1", D(1, 1)),
      Ev("2", EventType::kCpPlanEnd, "C1", "CP1", D(3, 1)),
      Ev("3", EventType::kCpPlanStart, "C1", "CP2", D(2, 29)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cp_plans, SizeIs(2));
  EXPECT_EQ(t.cp_plans[0].ref_id, "CP1");
  EXPECT_EQ(t.cp_plans[1].ref_id, "CP2");
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].child_id, "C1");
  EXPECT_EQ(t.findings[0].ref_id, "CP2");
  EXPECT_THAT(t.findings[0].problem,
              HasSubstr("open at the same time as CP plan CP1"));
}

TEST(TimelineBuilderTest, BackToBackOrOtherChildrensEpisodesDoNotOverlap) {
  const std::vector<CaseEvent> events = {
      // Ends on the day the next starts: never open at once.
      Ev("1", EventType::kCpPlanStart, "C1", "CP1", D(1, 1)),
      Ev("2", EventType::kCpPlanEnd, "C1", "CP1", D(3, 1)),
      Ev("3", EventType::kCpPlanStart, "C1", "CP2", D(3, 1)),
      // Another child's plan at the same time.
      Ev("4", EventType::kCpPlanStart, "C2", "CP3", D(1, 1)),
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(t.cp_plans, SizeIs(3));
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, ReferralKnownOnlyFromParentRefId) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kAssessmentEnd, "C1", "A1", D(2, 20), "R9"),
      Ev("2", EventType::kAssessmentStart, "C1", "A1", D(2, 1), "R9"),
      Ev("3", EventType::kS47Start, "C1", "S1", D(2, 3), "R9"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(1));
  const ReferralTimeline& r = t.referrals[0];
  EXPECT_EQ(r.referral_id, "R9");
  EXPECT_EQ(r.child_id, "C1");
  EXPECT_EQ(r.referral_date, std::nullopt);
  ASSERT_THAT(r.assessments, SizeIs(1));
  EXPECT_EQ(r.assessments[0].ref_id, "A1");
  EXPECT_EQ(r.assessments[0].start, D(2, 1));
  EXPECT_EQ(r.assessments[0].end, D(2, 20));
  ASSERT_THAT(r.s47s, SizeIs(1));
  EXPECT_EQ(r.s47s[0].ref_id, "S1");
  EXPECT_EQ(r.s47s[0].start, D(2, 3));
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, S47StrategyDiscussionsAndIcpcsAttachedSorted) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kIcpc, "C1", "S2", D(3, 1), "R1"),
      Ev("2", EventType::kStrategyDiscussion, "C1", "S1", D(2, 10), "R1"),
      Ev("3", EventType::kReferral, "C1", "R1", D(2, 1)),
      Ev("4", EventType::kStrategyDiscussion, "C1", "S1", D(2, 2), "R1"),
      Ev("5", EventType::kS47Start, "C1", "S1", D(2, 3), "R1"),
      Ev("6", EventType::kIcpc, "C1", "S1", D(2, 28), "R1"),
      Ev("7", EventType::kIcpc, "C1", "S1", D(2, 20), "R1"),
      Ev("8", EventType::kS47End, "C1", "S3", D(2, 20), "R1"),
      Ev("9", EventType::kStrategyDiscussion, "C2", "S4", D(2, 20), "R2"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(2));
  const ReferralTimeline& r = t.referrals[0];
  EXPECT_EQ(r.referral_id, "R1");
  EXPECT_EQ(r.referral_date, D(2, 1));
  EXPECT_THAT(r.assessments, IsEmpty());
  ASSERT_THAT(r.s47s, SizeIs(3));
  EXPECT_EQ(r.s47s[0].ref_id, "S1");
  EXPECT_EQ(r.s47s[0].start, D(2, 3));
  EXPECT_THAT(r.s47s[0].strategy_discussions, ElementsAre(D(2, 2), D(2, 10)));
  EXPECT_THAT(r.s47s[0].icpcs, ElementsAre(D(2, 20), D(2, 28)));
  EXPECT_EQ(r.s47s[1].ref_id, "S2");
  EXPECT_EQ(r.s47s[1].start, std::nullopt);
  EXPECT_THAT(r.s47s[1].icpcs, ElementsAre(D(3, 1)));
  EXPECT_EQ(r.s47s[2].ref_id, "S3");
  EXPECT_THAT(r.s47s[2].icpcs, IsEmpty());
  EXPECT_EQ(t.referrals[1].referral_id, "R2");
  EXPECT_EQ(t.referrals[1].child_id, "C2");
  ASSERT_THAT(t.referrals[1].s47s, SizeIs(1));
  EXPECT_THAT(t.referrals[1].s47s[0].strategy_discussions,
              ElementsAre(D(2, 20)));
}

TEST(TimelineBuilderTest, DuplicateReferralsAndAssessmentEndBeforeStart) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kReferral, "C1", "R1", D(2, 5)),
      Ev("2", EventType::kReferral, "C1", "R1", D(2, 1)),
      Ev("3", EventType::kAssessmentStart, "C1", "A1", D(2, 6), "R1"),
      Ev("4", EventType::kAssessmentEnd, "C1", "A1", D(2, 4), "R1"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(1));
  EXPECT_EQ(t.referrals[0].referral_date, D(2, 1));
  ASSERT_THAT(t.referrals[0].assessments, SizeIs(1));
  EXPECT_EQ(t.referrals[0].assessments[0].start, D(2, 6));
  EXPECT_EQ(t.referrals[0].assessments[0].end, std::nullopt);
  ASSERT_THAT(t.findings, SizeIs(2));
  EXPECT_EQ(t.findings[0].ref_id, "A1");
  EXPECT_THAT(t.findings[0].problem,
              HasSubstr("ASSESSMENT_END is dated before ASSESSMENT_START"));
  EXPECT_EQ(t.findings[1].ref_id, "R1");
  EXPECT_THAT(t.findings[1].problem, HasSubstr("more than one REFERRAL"));
}

TEST(TimelineBuilderTest, OutputIsSortedByRefId) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCinPlanStart, "C3", "Z", D(1, 1)),
      Ev("2", EventType::kCinPlanStart, "C1", "B", D(1, 2)),
      Ev("3", EventType::kCinPlanStart, "C2", "M", D(1, 3)),
      Ev("4", EventType::kReferral, "C1", "R3", D(1, 1)),
      Ev("5", EventType::kReferral, "C2", "R10", D(1, 2)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cin_plans, SizeIs(3));
  EXPECT_EQ(t.cin_plans[0].ref_id, "B");
  EXPECT_EQ(t.cin_plans[1].ref_id, "M");
  EXPECT_EQ(t.cin_plans[2].ref_id, "Z");
  ASSERT_THAT(t.referrals, SizeIs(2));
  EXPECT_EQ(t.referrals[0].referral_id, "R10");
  EXPECT_EQ(t.referrals[1].referral_id, "R3");
}

CaseEvent WithDob(CaseEvent event, absl::CivilDay dob) {
  event.child_dob = dob;
  return event;
}

CaseEvent Allocate(const std::string& id, EventType type,
                   const std::string& child, const std::string& ref,
                   absl::CivilDay date, const std::string& worker,
                   const std::string& team = "") {
  CaseEvent event = Ev(id, type, child, ref, date);
  event.worker_id = worker;
  event.team = team;
  return event;
}

CaseEvent Closed(const std::string& id, const std::string& child,
                 const std::string& referral, absl::CivilDay date,
                 const std::string& reason) {
  CaseEvent event = Ev(id, EventType::kCaseClosed, child, referral, date);
  event.outcome = reason;
  return event;
}

// The timelines added with Early Help, pre-proceedings, allocations,
// closures, S47 ends and dates of birth, for comparing whole results.
std::string DescribeNew(const CaseTimelines& t) {
  std::string text;
  for (const auto* list : {&t.eh_episodes, &t.pre_proceedings}) {
    absl::StrAppend(&text, "kind\n");
    for (const Episode& e : *list) {
      absl::StrAppend(&text, e.ref_id, " ", e.child_id, " ",
                      absl::FormatCivilTime(e.start), " ", Day(e.end), "\n");
    }
  }
  for (const Allocation& a : t.allocations) {
    absl::StrAppend(&text, "allocation ", a.ref_id, " ", a.child_id, " ",
                    a.worker_id, " ", a.team, " ",
                    absl::FormatCivilTime(a.start), " ", Day(a.end), "\n");
  }
  for (const ReferralTimeline& r : t.referrals) {
    absl::StrAppend(&text, "referral ", r.referral_id, " ",
                    absl::FormatCivilTime(r.first_event_date), " ",
                    Day(r.closed), " ", r.closure_reason, "\n");
    for (const auto& s : r.s47s) {
      absl::StrAppend(&text, " s47 ", s.ref_id, " ", Day(s.start), " ",
                      Day(s.end), "\n");
    }
  }
  for (const auto& [child, dob] : t.child_dobs) {
    absl::StrAppend(&text, "dob ", child, " ", absl::FormatCivilTime(dob),
                    "\n");
  }
  for (const DataQualityFinding& f : t.findings) {
    absl::StrAppend(&text, "finding ", f.child_id, " ", f.ref_id, " ",
                    f.problem, "\n");
  }
  return text;
}

TEST(TimelineBuilderTest, EarlyHelpAndPreProceedingsEpisodes) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kEhEnd, "C1", "EH1", D(4, 30)),
      Ev("2", EventType::kEhStart, "C1", "EH1", D(1, 8)),
      Ev("3", EventType::kPreProceedingsStart, "C2", "PP1", D(2, 1)),
      Ev("4", EventType::kPreProceedingsEnd, "C2", "PP1", D(5, 2)),
      Ev("5", EventType::kPreProceedingsStart, "C3", "PP2", D(3, 4)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.eh_episodes, SizeIs(1));
  EXPECT_EQ(t.eh_episodes[0].ref_id, "EH1");
  EXPECT_EQ(t.eh_episodes[0].child_id, "C1");
  EXPECT_EQ(t.eh_episodes[0].start, D(1, 8));
  EXPECT_EQ(t.eh_episodes[0].end, D(4, 30));
  ASSERT_THAT(t.pre_proceedings, SizeIs(2));
  EXPECT_EQ(t.pre_proceedings[0].ref_id, "PP1");
  EXPECT_EQ(t.pre_proceedings[0].start, D(2, 1));
  EXPECT_EQ(t.pre_proceedings[0].end, D(5, 2));
  EXPECT_EQ(t.pre_proceedings[1].ref_id, "PP2");
  EXPECT_EQ(t.pre_proceedings[1].child_id, "C3");
  EXPECT_EQ(t.pre_proceedings[1].end, std::nullopt);
  // Not mixed into the other kinds.
  EXPECT_THAT(t.cp_plans, IsEmpty());
  EXPECT_THAT(t.cin_plans, IsEmpty());
  EXPECT_THAT(t.cla_episodes, IsEmpty());
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, EarlyHelpAndPreProceedingsFindings) {
  const std::vector<CaseEvent> events = {
      // Two EH episodes of C1 open at once (EH2 starts before EH1 ends).
      Ev("1", EventType::kEhStart, "C1", "EH1", D(1, 1)),
      Ev("2", EventType::kEhEnd, "C1", "EH1", D(3, 1)),
      Ev("3", EventType::kEhStart, "C1", "EH2", D(2, 1)),
      // Duplicate start: the earliest; end before the start: ignored.
      Ev("4", EventType::kPreProceedingsStart, "C2", "PP1", D(2, 10)),
      Ev("5", EventType::kPreProceedingsStart, "C2", "PP1", D(2, 3)),
      Ev("6", EventType::kPreProceedingsEnd, "C2", "PP1", D(2, 2)),
      // An end without a start: no episode.
      Ev("7", EventType::kEhEnd, "C3", "EH9", D(2, 2)),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.eh_episodes, SizeIs(2));
  ASSERT_THAT(t.pre_proceedings, SizeIs(1));
  EXPECT_EQ(t.pre_proceedings[0].start, D(2, 3));
  EXPECT_EQ(t.pre_proceedings[0].end, std::nullopt);
  ASSERT_THAT(t.findings, SizeIs(4));
  EXPECT_EQ(t.findings[0].ref_id, "EH2");
  EXPECT_EQ(t.findings[0].problem,
            "Early Help episode open at the same time as Early Help episode "
            "EH1 of the same child");
  EXPECT_EQ(t.findings[1].ref_id, "PP1");
  EXPECT_EQ(t.findings[1].problem,
            "PRE_PROCEEDINGS_END is dated before PRE_PROCEEDINGS_START; the "
            "end is ignored");
  EXPECT_EQ(t.findings[2].ref_id, "PP1");
  EXPECT_EQ(t.findings[2].problem,
            "more than one PRE_PROCEEDINGS_START; the earliest is used");
  EXPECT_EQ(t.findings[3].child_id, "C3");
  EXPECT_EQ(t.findings[3].ref_id, "EH9");
  EXPECT_EQ(t.findings[3].problem,
            "Early Help episode events without a EH_START; not counted");
}

TEST(TimelineBuilderTest, AllocationsTakeWorkerAndTeamFromTheirStart) {
  const std::vector<CaseEvent> events = {
      Allocate("1", EventType::kAllocationEnd, "C1", "AL1", D(3, 31), "W1"),
      Allocate("2", EventType::kAllocationStart, "C1", "AL1", D(1, 15), "W1",
               "North"),
      // A second worker for C1 at the same time: normal, no finding.
      Allocate("3", EventType::kAllocationStart, "C1", "AL2", D(2, 1), "W2",
               "South"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.allocations, SizeIs(2));
  const Allocation& first = t.allocations[0];
  EXPECT_EQ(first.ref_id, "AL1");
  EXPECT_EQ(first.child_id, "C1");
  EXPECT_EQ(first.worker_id, "W1");
  EXPECT_EQ(first.team, "North");
  EXPECT_EQ(first.start, D(1, 15));
  EXPECT_EQ(first.end, D(3, 31));
  EXPECT_EQ(t.allocations[1].ref_id, "AL2");
  EXPECT_EQ(t.allocations[1].worker_id, "W2");
  EXPECT_EQ(t.allocations[1].team, "South");
  EXPECT_EQ(t.allocations[1].end, std::nullopt);
  EXPECT_THAT(t.findings, IsEmpty());
}

TEST(TimelineBuilderTest, AllocationFindings) {
  const std::vector<CaseEvent> events = {
      // An end without a start.
      Allocate("1", EventType::kAllocationEnd, "C1", "AL1", D(3, 31), "W1"),
      // Two starts (the earliest, with its team), an end before the start
      // and an end naming another worker.
      Allocate("2", EventType::kAllocationStart, "C2", "AL2", D(2, 5), "W1",
               "Late"),
      Allocate("3", EventType::kAllocationStart, "C2", "AL2", D(2, 1), "W1",
               "Early"),
      Allocate("4", EventType::kAllocationEnd, "C2", "AL2", D(1, 9), "W1"),
      Allocate("5", EventType::kAllocationEnd, "C2", "AL2", D(4, 1), "W9"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.allocations, SizeIs(1));
  EXPECT_EQ(t.allocations[0].ref_id, "AL2");
  EXPECT_EQ(t.allocations[0].start, D(2, 1));
  EXPECT_EQ(t.allocations[0].team, "Early");
  EXPECT_EQ(t.allocations[0].worker_id, "W1");
  EXPECT_EQ(t.allocations[0].end, D(4, 1));
  ASSERT_THAT(t.findings, SizeIs(4));
  EXPECT_EQ(t.findings[0].child_id, "C1");
  EXPECT_EQ(t.findings[0].problem,
            "ALLOCATION_END without an ALLOCATION_START; not counted");
  EXPECT_EQ(t.findings[1].problem,
            "ALLOCATION_END is dated before ALLOCATION_START; the end is "
            "ignored");
  EXPECT_THAT(t.findings[2].problem,
              HasSubstr("more than one worker_id; the worker of the "
                        "ALLOCATION_START is used"));
  EXPECT_EQ(t.findings[3].problem,
            "more than one ALLOCATION_START; the earliest is used");
}

TEST(TimelineBuilderTest, CaseClosedClosesTheReferralEarliestWins) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kReferral, "C1", "R1", D(1, 10)),
      Closed("2", "C1", "R1", D(3, 20), "RC7"),
      Closed("3", "C1", "R1", D(3, 5), "RC8"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(1));
  EXPECT_EQ(t.referrals[0].first_event_date, D(1, 10));
  EXPECT_EQ(t.referrals[0].closed, D(3, 5));
  EXPECT_EQ(t.referrals[0].closure_reason, "RC8");
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].ref_id, "R1");
  EXPECT_EQ(t.findings[0].problem,
            "more than one CASE_CLOSED; the earliest is used");
}

TEST(TimelineBuilderTest, CaseClosedBeforeTheReferralIsIgnored) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kReferral, "C1", "R1", D(1, 10)),
      Closed("2", "C1", "R1", D(1, 9), "RC7"),
      // A closure on the referral's own day is kept.
      Ev("3", EventType::kReferral, "C2", "R2", D(1, 10)),
      Closed("4", "C2", "R2", D(1, 10), "RC8"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(2));
  EXPECT_EQ(t.referrals[0].closed, std::nullopt);
  EXPECT_EQ(t.referrals[0].closure_reason, "");
  EXPECT_EQ(t.referrals[1].closed, D(1, 10));
  EXPECT_EQ(t.referrals[1].closure_reason, "RC8");
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].ref_id, "R1");
  EXPECT_EQ(t.findings[0].problem,
            "CASE_CLOSED is dated before REFERRAL; the end is ignored");
}

TEST(TimelineBuilderTest, FirstEventDateOfAReferralKnownOnlyFromChildren) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kS47Start, "C1", "S1", D(2, 9), "R9"),
      Ev("2", EventType::kAssessmentStart, "C1", "A1", D(2, 5), "R9"),
      // CASE_CLOSED does not name the referral's first event.
      Closed("3", "C1", "R9", D(2, 20), "RC8"),
      // Before the earliest event (2 Feb < 5 Feb): ignored.
      Closed("4", "C1", "R9", D(2, 2), "RC7"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(1));
  EXPECT_EQ(t.referrals[0].referral_date, std::nullopt);
  EXPECT_EQ(t.referrals[0].first_event_date, D(2, 5));
  EXPECT_EQ(t.referrals[0].closed, D(2, 20));
  EXPECT_EQ(t.referrals[0].closure_reason, "RC8");
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].problem,
            "CASE_CLOSED is dated before the referral's earliest event; the "
            "end is ignored");
}

TEST(TimelineBuilderTest, FirstEventDateIsTheEarliestEventNamingTheReferral) {
  // An assessment dated before its REFERRAL: first_event_date is the
  // assessment's, referral_date the REFERRAL's.
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kReferral, "C1", "R1", D(3, 1)),
      Ev("2", EventType::kAssessmentStart, "C1", "A1", D(2, 27), "R1"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(1));
  EXPECT_EQ(t.referrals[0].referral_date, D(3, 1));
  EXPECT_EQ(t.referrals[0].first_event_date, D(2, 27));
}

TEST(TimelineBuilderTest, CaseClosedOfAnUnknownReferralIsAFinding) {
  const std::vector<CaseEvent> events = {
      Closed("1", "C4", "R4", D(2, 1), "RC2"),
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(t.referrals, IsEmpty());
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].child_id, "C4");
  EXPECT_EQ(t.findings[0].ref_id, "R4");
  EXPECT_THAT(t.findings[0].problem, HasSubstr("CASE_CLOSED of a referral"));
}

TEST(TimelineBuilderTest, S47EndIsTheEarliestOnOrAfterItsStart) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kS47Start, "C1", "S1", D(2, 3), "R1"),
      Ev("2", EventType::kS47End, "C1", "S1", D(2, 28), "R1"),
      Ev("3", EventType::kS47End, "C1", "S1", D(2, 14), "R1"),
      Ev("4", EventType::kS47End, "C1", "S1", D(2, 2), "R1"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.referrals, SizeIs(1));
  ASSERT_THAT(t.referrals[0].s47s, SizeIs(1));
  EXPECT_EQ(t.referrals[0].s47s[0].start, D(2, 3));
  EXPECT_EQ(t.referrals[0].s47s[0].end, D(2, 14));
  ASSERT_THAT(t.findings, SizeIs(2));
  EXPECT_EQ(t.findings[0].problem,
            "S47_END is dated before S47_START; the end is ignored");
  EXPECT_EQ(t.findings[1].problem,
            "more than one S47_END; the earliest is used");
}

TEST(TimelineBuilderTest, ChildDobFromTheEarliestEventThatCarriesOne) {
  const std::vector<CaseEvent> events = {
      WithDob(Ev("1", EventType::kCpPlanStart, "C1", "CP1", D(3, 1)),
              absl::CivilDay(2023, 5, 6)),
      // Earlier, and carrying the dob that is used.
      WithDob(Ev("2", EventType::kReferral, "C1", "R1", D(2, 1)),
              absl::CivilDay(2023, 5, 5)),
      // No dob: ignored.
      Ev("3", EventType::kAssessmentStart, "C1", "A1", D(2, 2), "R1"),
      // Agrees with the earliest: no finding.
      WithDob(Ev("4", EventType::kReferral, "C2", "R2", D(2, 1)),
              absl::CivilDay(2020, 1, 1)),
      WithDob(Ev("5", EventType::kCinPlanStart, "C2", "CIN1", D(2, 9)),
              absl::CivilDay(2020, 1, 1)),
      // Two more disagreements for C1: still one finding for the child.
      WithDob(Ev("6", EventType::kCpVisit, "C1", "CP1", D(3, 2)),
              absl::CivilDay(2023, 5, 7)),
  };
  const CaseTimelines t = BuildTimelines(events);
  EXPECT_THAT(t.child_dobs,
              ElementsAre(Pair("C1", absl::CivilDay(2023, 5, 5)),
                          Pair("C2", absl::CivilDay(2020, 1, 1))));
  ASSERT_THAT(t.findings, SizeIs(1));
  EXPECT_EQ(t.findings[0].child_id, "C1");
  EXPECT_EQ(t.findings[0].ref_id, "CP1");
  EXPECT_EQ(t.findings[0].problem,
            "child_dob differs between events of this child; the one on the "
            "earliest event is used");
}

TEST(TimelineBuilderTest, AnyOrderGivesTheSameNewTimelines) {
  std::vector<CaseEvent> events = {
      Ev("n01", EventType::kEhStart, "C6", "EH1", D(1, 1)),
      Ev("n02", EventType::kEhStart, "C6", "EH2", D(1, 20)),
      Ev("n03", EventType::kEhEnd, "C6", "EH1", D(2, 1)),
      Ev("n04", EventType::kPreProceedingsStart, "C7", "PP1", D(1, 3)),
      Ev("n05", EventType::kPreProceedingsEnd, "C7", "PP1", D(1, 2)),
      Allocate("n06", EventType::kAllocationStart, "C1", "AL1", D(1, 4), "W1",
               "North"),
      Allocate("n07", EventType::kAllocationStart, "C1", "AL2", D(1, 5), "W2",
               "South"),
      Allocate("n08", EventType::kAllocationEnd, "C1", "AL1", D(2, 6), "W1"),
      Allocate("n09", EventType::kAllocationEnd, "C1", "AL9", D(2, 6), "W1"),
      WithDob(Ev("n10", EventType::kReferral, "C1", "R1", D(1, 2)),
              absl::CivilDay(2019, 7, 1)),
      WithDob(Ev("n11", EventType::kS47Start, "C1", "S1", D(1, 3), "R1"),
              absl::CivilDay(2019, 7, 2)),
      Ev("n12", EventType::kS47End, "C1", "S1", D(1, 12), "R1"),
      Closed("n13", "C1", "R1", D(3, 1), "RC8"),
      Closed("n14", "C1", "R1", D(3, 1), "RC7"),
      Closed("n15", "C8", "R8", D(3, 1), "RC2"),
  };
  const std::string ordered = DescribeNew(BuildTimelines(events));
  // Hand-worked: EH1 and EH2 of C6 overlap (20 Jan < 1 Feb); PP1's end is
  // before its start; AL9 has no start; C1's S47 carries another dob; R1 is
  // closed twice on 1 Mar, the first in event_id order (n13, RC8) wins; R8
  // is known only from its CASE_CLOSED.
  EXPECT_EQ(ordered,
            "kind\n"
            "EH1 C6 2024-01-01 2024-02-01\n"
            "EH2 C6 2024-01-20 -\n"
            "kind\n"
            "PP1 C7 2024-01-03 -\n"
            "allocation AL1 C1 W1 North 2024-01-04 2024-02-06\n"
            "allocation AL2 C1 W2 South 2024-01-05 -\n"
            "referral R1 2024-01-02 2024-03-01 RC8\n"
            " s47 S1 2024-01-03 2024-01-12\n"
            "dob C1 2019-07-01\n"
            "finding C1 AL9 ALLOCATION_END without an ALLOCATION_START; not "
            "counted\n"
            "finding C1 R1 more than one CASE_CLOSED; the earliest is used\n"
            "finding C1 S1 child_dob differs between events of this child; "
            "the one on the earliest event is used\n"
            "finding C6 EH2 Early Help episode open at the same time as Early "
            "Help episode EH1 of the same child\n"
            "finding C7 PP1 PRE_PROCEEDINGS_END is dated before "
            "PRE_PROCEEDINGS_START; the end is ignored\n"
            "finding C8 R8 CASE_CLOSED of a referral with no REFERRAL, "
            "assessment or S47 events; not counted\n");
  std::reverse(events.begin(), events.end());
  EXPECT_EQ(DescribeNew(BuildTimelines(events)), ordered);
  std::mt19937 random(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(events.begin(), events.end(), random);
    EXPECT_EQ(DescribeNew(BuildTimelines(events)), ordered) << "shuffle " << i;
  }
}

// Events are never merged across children: a ref_id that names an item
// of one list for two children is kept for the child whose item starts
// first (then the lowest child_id), with a finding for the other.
TEST(TimelineBuilderTest, ARefIdOfTwoChildrenIsKeptForOneWithAFinding) {
  const std::vector<CaseEvent> events = {
      Ev("1", EventType::kCpPlanStart, "C1", "CP1", D(2, 10)),
      Ev("2", EventType::kCpVisit, "C1", "CP1", D(2, 12)),
      Ev("3", EventType::kCpPlanStart, "C2", "CP1", D(2, 1)),
      Ev("4", EventType::kReferral, "C1", "R1", D(3, 1)),
      Ev("5", EventType::kAssessmentStart, "C2", "A1", D(3, 3), "R1"),
      // Another child's CASE_CLOSED does not close C1's referral.
      Closed("6", "C3", "R1", D(4, 1), "RC1"),
      Allocate("7", EventType::kAllocationStart, "C5", "AL1", D(1, 5), "W1"),
      Allocate("8", EventType::kAllocationStart, "C4", "AL1", D(1, 5), "W2"),
  };
  const CaseTimelines t = BuildTimelines(events);
  ASSERT_THAT(t.cp_plans, SizeIs(1));
  EXPECT_EQ(t.cp_plans[0].child_id, "C2");
  EXPECT_EQ(t.cp_plans[0].start, D(2, 1));
  EXPECT_THAT(t.cp_plans[0].visits, IsEmpty());
  ASSERT_THAT(t.referrals, SizeIs(1));
  EXPECT_EQ(t.referrals[0].child_id, "C1");
  EXPECT_THAT(t.referrals[0].assessments, IsEmpty());
  EXPECT_EQ(t.referrals[0].closed, std::nullopt);
  ASSERT_THAT(t.allocations, SizeIs(1));
  EXPECT_EQ(t.allocations[0].child_id, "C4");
  EXPECT_EQ(t.allocations[0].worker_id, "W2");
  ASSERT_THAT(t.findings, SizeIs(4));
  EXPECT_EQ(t.findings[0].child_id, "C1");
  EXPECT_EQ(t.findings[0].ref_id, "CP1");
  EXPECT_EQ(t.findings[0].problem,
            "CP plan ref_id already used by child C2; not counted for this "
            "child");
  EXPECT_EQ(t.findings[1].child_id, "C2");
  EXPECT_EQ(t.findings[1].ref_id, "R1");
  EXPECT_EQ(t.findings[1].problem,
            "referral ref_id already used by child C1; not counted for this "
            "child");
  EXPECT_EQ(t.findings[2].child_id, "C3");
  EXPECT_EQ(t.findings[2].problem,
            "CASE_CLOSED of a referral with no REFERRAL, assessment or S47 "
            "events; not counted");
  EXPECT_EQ(t.findings[3].child_id, "C5");
  EXPECT_EQ(t.findings[3].problem,
            "allocation ref_id already used by child C4; not counted for "
            "this child");
}

}  // namespace
}  // namespace sgm::kpi
