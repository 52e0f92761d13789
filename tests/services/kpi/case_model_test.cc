#include "services/kpi/case_model.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/case_event.h"
#include "services/kpi/timeline_builder.h"
#include "tools/synth/case_event_synthesizer.h"

namespace sgm::kpi {
namespace {

using ::testing::SizeIs;

std::string Day(std::optional<absl::CivilDay> day) {
  return day.has_value() ? absl::FormatCivilTime(*day) : "-";
}

std::string Days(const std::vector<absl::CivilDay>& days) {
  std::string text;
  for (const absl::CivilDay day : days) {
    absl::StrAppend(&text, absl::FormatCivilTime(day), " ");
  }
  return text;
}

// Every field, one line an item, so a difference names the item.
std::vector<std::string> Lines(const CaseTimelines& t) {
  std::vector<std::string> out;
  const std::pair<const char*, const std::vector<Episode>*> lists[] = {
      {"cp", &t.cp_plans},         {"cin", &t.cin_plans},
      {"cla", &t.cla_episodes},    {"eh", &t.eh_episodes},
      {"pre", &t.pre_proceedings},
  };
  for (const auto& [name, list] : lists) {
    for (const Episode& e : *list) {
      out.push_back(absl::StrCat(name, " ", e.ref_id, " ", e.child_id, " ",
                                 absl::FormatCivilTime(e.start), " ",
                                 Day(e.end), " ", e.long_term, " v[",
                                 Days(e.visits), "] r[", Days(e.reviews), "]"));
    }
  }
  for (const Allocation& a : t.allocations) {
    out.push_back(absl::StrCat(
        "allocation ", a.ref_id, " ", a.child_id, " ", a.worker_id, " ", a.team,
        " ", absl::FormatCivilTime(a.start), " ", Day(a.end)));
  }
  for (const ReferralTimeline& r : t.referrals) {
    std::string line = absl::StrCat("referral ", r.referral_id, " ", r.child_id,
                                    " ", Day(r.referral_date), " ",
                                    absl::FormatCivilTime(r.first_event_date),
                                    " ", Day(r.closed), " ", r.closure_reason);
    for (const auto& a : r.assessments) {
      absl::StrAppend(&line, " a(", a.ref_id, " ", Day(a.start), " ",
                      Day(a.end), ")");
    }
    for (const auto& s : r.s47s) {
      absl::StrAppend(&line, " s47(", s.ref_id, " ", Day(s.start), " ",
                      Day(s.end), " sd[", Days(s.strategy_discussions),
                      "] icpc[", Days(s.icpcs), "])");
    }
    out.push_back(std::move(line));
  }
  for (const auto& [child, dob] : t.child_dobs) {
    out.push_back(absl::StrCat("dob ", child, " ", absl::FormatCivilTime(dob)));
  }
  for (const DataQualityFinding& f : t.findings) {
    out.push_back(
        absl::StrCat("finding ", f.child_id, " ", f.ref_id, " ", f.problem));
  }
  return out;
}

// Field by field, with the first difference shown.
void ExpectSame(const CaseTimelines& got, const CaseTimelines& want) {
  EXPECT_THAT(got.cp_plans, SizeIs(want.cp_plans.size()));
  EXPECT_THAT(got.referrals, SizeIs(want.referrals.size()));
  EXPECT_THAT(got.findings, SizeIs(want.findings.size()));
  const std::vector<std::string> a = Lines(got);
  const std::vector<std::string> b = Lines(want);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i], b[i]) << "line " << i;
  }
}

std::vector<CaseEvent> Synthesized(int months) {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  EXPECT_TRUE(calendar.ok());
  synth::CaseEventSynthOptions options;
  options.seed = 11;
  options.first_month = absl::CivilMonth(2024, 1);
  options.months = months;
  absl::StatusOr<std::vector<CaseEvent>> events =
      synth::SynthesizeCaseEvents(options, *calendar);
  EXPECT_TRUE(events.ok()) << events.status();
  return events.ok() ? *std::move(events) : std::vector<CaseEvent>();
}

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

TEST(CaseModelTest, EmptyModelHasNoTimelines) {
  const CaseModel model;
  EXPECT_EQ(model.event_count(), 0u);
  ExpectSame(model.timelines(), BuildTimelines({}));
  ExpectSame(CaseModel::FromEvents({}).timelines(), BuildTimelines({}));
}

TEST(CaseModelTest, FullLoadGivesWhatBuildTimelinesGives) {
  const std::vector<CaseEvent> events = Synthesized(6);
  ASSERT_GT(events.size(), 10000u);
  const CaseModel model = CaseModel::FromEvents(events);
  EXPECT_EQ(model.event_count(), events.size());
  ExpectSame(model.timelines(), BuildTimelines(events));
}

// A base load, then batches in random order (each a random slice of the
// shuffled rest, so children gain events, new children appear and
// referrals are met first from their assessments): after every batch the
// model is what a full build of everything so far gives.
TEST(CaseModelTest, BatchesAppliedPerChildGiveWhatAFullBuildGives) {
  std::vector<CaseEvent> events = Synthesized(4);
  ASSERT_GT(events.size(), 10000u);
  std::mt19937 random(2024);
  std::shuffle(events.begin(), events.end(), random);
  const size_t base = events.size() / 2;
  CaseModel model =
      CaseModel::FromEvents(absl::MakeConstSpan(events).subspan(0, base));
  ExpectSame(model.timelines(),
             BuildTimelines(absl::MakeConstSpan(events).subspan(0, base)));
  size_t at = base;
  int batch = 0;
  while (at < events.size()) {
    const size_t n = std::min<size_t>(
        events.size() - at,
        std::uniform_int_distribution<size_t>(1, events.size() / 6)(random));
    const CaseModel before = model;
    const CaseTimelines before_timelines = before.timelines();
    model = model.With(absl::MakeConstSpan(events).subspan(at, n));
    at += n;
    ++batch;
    SCOPED_TRACE(absl::StrCat("batch ", batch, " up to ", at));
    EXPECT_EQ(model.event_count(), at);
    ExpectSame(model.timelines(),
               BuildTimelines(absl::MakeConstSpan(events).subspan(0, at)));
    // Copy-on-write: the model it came from is unchanged.
    ExpectSame(before.timelines(), before_timelines);
  }
  EXPECT_GE(batch, 3);
}

TEST(CaseModelTest, SmallBatchesTouchingFewChildren) {
  const absl::CivilDay d(2024, 3, 1);
  CaseModel model = CaseModel::FromEvents({
      Ev("1", EventType::kCpPlanStart, "C1", "CP1", d),
      Ev("2", EventType::kReferral, "C2", "R2", d),
  });
  std::vector<CaseEvent> all = {
      Ev("1", EventType::kCpPlanStart, "C1", "CP1", d),
      Ev("2", EventType::kReferral, "C2", "R2", d),
  };
  const std::vector<std::vector<CaseEvent>> batches = {
      {Ev("3", EventType::kCpVisit, "C1", "CP1", d + 3)},
      // A new child, and a ref_id another child already uses.
      {Ev("4", EventType::kCpPlanStart, "C0", "CP1", d + 5),
       Ev("5", EventType::kAssessmentStart, "C3", "A3", d + 1, "R2")},
      // Earlier than C1's plan: C0 now keeps CP1.
      {Ev("6", EventType::kCpPlanStart, "C0", "CP1", d - 9)},
      {Ev("7", EventType::kCaseClosed, "C2", "R2", d + 30)},
  };
  for (const std::vector<CaseEvent>& batch : batches) {
    model = model.With(batch);
    all.insert(all.end(), batch.begin(), batch.end());
    ExpectSame(model.timelines(), BuildTimelines(all));
  }
  ASSERT_THAT(model.timelines().cp_plans, SizeIs(1));
  EXPECT_EQ(model.timelines().cp_plans[0].child_id, "C0");
  EXPECT_EQ(model.child_count(), 4u);
}

}  // namespace
}  // namespace sgm::kpi
