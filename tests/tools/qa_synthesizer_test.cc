// The synthetic QA feeds: deterministic, read by the real feed parsers with
// no rejections, naming the case events' children, workers and teams, and
// calibrated at scale 1 as measured by the real QA figures.
#include "tools/synth/qa_synthesizer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/civil_date.h"
#include "common/feed_reader.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/qa/qa_feed_parser.h"
#include "services/qa/qa_figures.h"
#include "tools/synth/case_event_synthesizer.h"
#include "tools/synth/contact_synthesizer.h"

namespace sgm::synth {
namespace {

using ::sgm::qa::Action;
using ::sgm::qa::Audit;
using ::sgm::qa::AuditType;
using ::sgm::qa::Feedback;

const WorkingDayCalendar& Calendar() {
  static const WorkingDayCalendar* const kCalendar = [] {
    absl::StatusOr<WorkingDayCalendar> calendar =
        WorkingDayCalendar::EnglandAndWales();
    EXPECT_TRUE(calendar.ok()) << calendar.status();
    return new WorkingDayCalendar(*calendar);
  }();
  return *kCalendar;
}

constexpr absl::CivilMonth kFirstMonth(2023, 2);
constexpr int kMonths = 12;
constexpr absl::CivilMonth kLastMonth = kFirstMonth + (kMonths - 1);

// The allocations of a case-event year and the QA feeds of that year.
struct Authority {
  std::vector<kpi::Allocation> allocations;
  QaFeeds feeds;
};

std::vector<kpi::Allocation> AllocationsFor(
    const CaseEventSynthOptions& options) {
  absl::StatusOr<std::vector<kpi::CaseEvent>> events =
      SynthesizeCaseEvents(options, Calendar());
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok()) return {};
  return CaseAllocationsOf(*events);
}

std::vector<kpi::Allocation> AllocationsFor(uint64_t seed) {
  CaseEventSynthOptions options;
  options.seed = seed;
  options.first_month = kFirstMonth;
  options.months = kMonths;
  return AllocationsFor(options);
}

Authority Make(uint64_t seed, std::vector<kpi::Allocation> allocations) {
  Authority authority;
  authority.allocations = std::move(allocations);
  QaSynthOptions options;
  options.seed = seed;
  options.first_month = kFirstMonth;
  options.months = kMonths;
  absl::StatusOr<QaFeeds> feeds = SynthesizeQa(options, authority.allocations);
  EXPECT_TRUE(feeds.ok()) << feeds.status();
  if (feeds.ok()) authority.feeds = *std::move(feeds);
  return authority;
}

const Authority& Seed1() {
  static const Authority* const kAuthority =
      new Authority(Make(1, AllocationsFor(1)));
  return *kAuthority;
}

std::string AllCsv(const QaFeeds& feeds) {
  std::ostringstream out;
  EXPECT_TRUE(WriteThemesCsv(feeds.themes, &out).ok());
  EXPECT_TRUE(WriteAuditsCsv(feeds.audits, &out).ok());
  EXPECT_TRUE(WriteFeedbackCsv(feeds.feedback, &out).ok());
  EXPECT_TRUE(WriteActionsCsv(feeds.actions, &out).ok());
  return out.str();
}

// Reads `csv` with `schema` and parses every record with `parse`; the
// problems as text.
template <typename T, typename Parse>
std::vector<T> ParseAll(const std::string& csv, const FeedSchema& schema,
                        Parse parse, std::vector<std::string>* problems) {
  FeedReader reader(FeedFormat::kCsv, schema);
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  EXPECT_TRUE(reader.Feed(csv, &records, &errors).ok());
  EXPECT_TRUE(reader.Finish(&records, &errors).ok());
  for (const FeedError& e : errors) {
    problems->push_back(
        absl::StrCat("line ", e.line, " ", e.field, ": ", e.reason));
  }
  std::vector<T> values;
  const absl::CivilDay today = LastDayOf(kLastMonth) + 1;
  for (const FeedRecord& record : records) {
    auto result = parse(record, today);
    if (const RecordError* error = std::get_if<RecordError>(&result)) {
      problems->push_back(absl::StrCat("line ", record.line, " ", error->field,
                                       ": ", error->reason));
    } else {
      values.push_back(std::get<T>(std::move(result)));
    }
  }
  return values;
}

kpi::CaseEvent Event(const std::string& id, kpi::EventType type,
                     const std::string& ref, absl::CivilDay day,
                     const std::string& worker = "",
                     const std::string& team = "") {
  kpi::CaseEvent e;
  e.event_id = id;
  e.type = type;
  e.child_id = absl::StrCat("C-", ref);
  e.ref_id = ref;
  e.event_date = day;
  e.worker_id = worker;
  e.team = team;
  return e;
}

TEST(QaSynthesizerTest, AllocationsComeFromTheirStartAndEarliestEnd) {
  using kpi::EventType;
  const std::vector<kpi::CaseEvent> events = {
      Event("E1", EventType::kAllocationStart, "AL2",
            absl::CivilDay(2024, 3, 1), "W2", "CP1"),
      // An end before the start is not its end; the earliest after is.
      Event("E2", EventType::kAllocationEnd, "AL2", absl::CivilDay(2024, 2, 1)),
      Event("E3", EventType::kAllocationEnd, "AL2", absl::CivilDay(2024, 5, 1)),
      Event("E4", EventType::kAllocationEnd, "AL2", absl::CivilDay(2024, 4, 1)),
      Event("E5", EventType::kAllocationStart, "AL1",
            absl::CivilDay(2024, 6, 1), "W1", "EH1"),
      // An earlier start of the same ref wins, with its worker and team.
      Event("E6", EventType::kAllocationStart, "AL1",
            absl::CivilDay(2024, 1, 1), "W9", "EH2"),
      // No worker: left out.
      Event("E7", EventType::kAllocationStart, "AL3",
            absl::CivilDay(2024, 1, 1), "", "EH1"),
      Event("E8", EventType::kCpPlanStart, "CP1", absl::CivilDay(2024, 1, 1)),
      // An end with no start: nothing.
      Event("E9", EventType::kAllocationEnd, "AL4", absl::CivilDay(2024, 1, 1)),
  };
  const std::vector<kpi::Allocation> allocations = CaseAllocationsOf(events);
  ASSERT_EQ(allocations.size(), 2u);
  EXPECT_EQ(allocations[0].ref_id, "AL1");
  EXPECT_EQ(allocations[0].worker_id, "W9");
  EXPECT_EQ(allocations[0].team, "EH2");
  EXPECT_EQ(allocations[0].child_id, "C-AL1");
  EXPECT_EQ(allocations[0].start, absl::CivilDay(2024, 1, 1));
  EXPECT_FALSE(allocations[0].end.has_value());
  EXPECT_EQ(allocations[1].ref_id, "AL2");
  EXPECT_EQ(allocations[1].start, absl::CivilDay(2024, 3, 1));
  EXPECT_EQ(allocations[1].end, absl::CivilDay(2024, 4, 1));
}

TEST(QaSynthesizerTest, TheSameSeedGivesTheSameBytes) {
  const std::string first = AllCsv(Seed1().feeds);
  EXPECT_GT(first.size(), 50000u);
  const Authority again = Make(1, Seed1().allocations);
  EXPECT_EQ(AllCsv(again.feeds), first);
  const Authority other = Make(2, Seed1().allocations);
  EXPECT_NE(AllCsv(other.feeds), first);
}

TEST(QaSynthesizerTest, BadOptionsAreRefused) {
  kpi::Allocation a;
  a.ref_id = "AL1";
  a.child_id = "C1";
  a.worker_id = "W1";
  a.team = "CP1";
  a.start = absl::CivilDay(2020, 1, 1);
  const std::vector<kpi::Allocation> one = {a};
  QaSynthOptions options;
  EXPECT_TRUE(SynthesizeQa(options, one).ok());
  options.months = 0;
  EXPECT_EQ(SynthesizeQa(options, one).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = QaSynthOptions();
  options.scale = 101;
  EXPECT_EQ(SynthesizeQa(options, one).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = QaSynthOptions();
  options.first_month = absl::CivilMonth(1999, 12);
  EXPECT_EQ(SynthesizeQa(options, one).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SynthesizeQa(QaSynthOptions(), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Closed before the window: none open in it.
  a.end = absl::CivilDay(2022, 12, 31);
  const std::vector<kpi::Allocation> closed = {a};
  EXPECT_EQ(SynthesizeQa(QaSynthOptions(), closed).status().code(),
            absl::StatusCode::kInvalidArgument);
}

void ExpectEveryRecordParsesAndNamesTheCaseEvents(const Authority& authority) {
  const QaFeeds& feeds = authority.feeds;
  std::ostringstream audits_csv, feedback_csv, actions_csv;
  ASSERT_TRUE(WriteAuditsCsv(feeds.audits, &audits_csv).ok());
  ASSERT_TRUE(WriteFeedbackCsv(feeds.feedback, &feedback_csv).ok());
  ASSERT_TRUE(WriteActionsCsv(feeds.actions, &actions_csv).ok());
  std::vector<std::string> problems;
  const std::vector<Audit> audits = ParseAll<Audit>(
      audits_csv.str(), qa::AuditFeedSchema(), qa::ParseAuditRecord, &problems);
  const std::vector<Feedback> feedback =
      ParseAll<Feedback>(feedback_csv.str(), qa::FeedbackFeedSchema(),
                         qa::ParseFeedbackRecord, &problems);
  const std::vector<Action> actions =
      ParseAll<Action>(actions_csv.str(), qa::ActionFeedSchema(),
                       qa::ParseActionRecord, &problems);
  EXPECT_THAT(problems, ::testing::IsEmpty());
  ASSERT_EQ(audits.size(), feeds.audits.size());
  ASSERT_EQ(feedback.size(), feeds.feedback.size());
  ASSERT_EQ(actions.size(), feeds.actions.size());
  for (const qa::Theme& theme : feeds.themes) {
    EXPECT_FALSE(qa::ValidateTheme(theme).has_value()) << theme.theme_id;
  }

  // What was written is what was read back.
  for (size_t i = 0; i < audits.size(); ++i) {
    EXPECT_EQ(audits[i].audit_id, feeds.audits[i].audit_id);
    EXPECT_EQ(audits[i].domains, feeds.audits[i].domains);
    EXPECT_EQ(audits[i].findings, feeds.audits[i].findings);
    EXPECT_EQ(audits[i].moderated_grade, feeds.audits[i].moderated_grade);
  }
  for (size_t i = 0; i < actions.size(); ++i) {
    EXPECT_EQ(actions[i].completed_date, feeds.actions[i].completed_date);
    EXPECT_EQ(actions[i].raised_on, feeds.actions[i].raised_on);
  }

  // Keys are unique; dates are in the window.
  const absl::CivilDay first(kFirstMonth);
  const absl::CivilDay last = LastDayOf(kLastMonth);
  std::map<std::string, const Audit*> by_id;
  for (const Audit& a : audits) {
    EXPECT_TRUE(by_id.emplace(a.audit_id, &a).second) << a.audit_id;
    EXPECT_GE(a.audit_date, first);
    EXPECT_LE(a.audit_date, last);
  }
  std::set<std::string> feedback_ids;
  for (const Feedback& f : feedback) {
    EXPECT_TRUE(feedback_ids.insert(f.feedback_id).second);
    EXPECT_GE(f.received_on, first);
    EXPECT_LE(f.received_on, last);
  }
  std::set<std::string> action_ids;
  for (const Action& a : actions) {
    EXPECT_TRUE(action_ids.insert(a.action_id).second);
    ASSERT_TRUE(a.raised_on.has_value());
    EXPECT_GE(*a.raised_on, first);
    EXPECT_GT(a.due_date, *a.raised_on);
    if (a.completed_date) {
      EXPECT_LE(*a.completed_date, last);
    }
    // An audit's action names an audit of the feed.
    if (a.origin_ref.rfind("BOARD-", 0) != 0) {
      EXPECT_EQ(by_id.count(a.origin_ref), 1u) << a.origin_ref;
    }
  }

  // Themed audits fall within their theme; re-audits re-audit an earlier
  // audit of the same child; the others name an allocation open on the
  // day.
  std::map<std::string, qa::Theme> themes;
  for (const qa::Theme& t : feeds.themes) themes[t.theme_id] = t;
  std::multimap<std::string, const kpi::Allocation*> by_child;
  for (const kpi::Allocation& a : authority.allocations) {
    by_child.emplace(a.child_id, &a);
  }
  for (const Audit& a : audits) {
    EXPECT_TRUE(a.domains.size() == 3 || a.domains.size() == 4) << a.audit_id;
    EXPECT_FALSE(a.findings.empty());
    if (a.type == AuditType::kThemed) {
      ASSERT_EQ(themes.count(a.theme_id), 1u) << a.theme_id;
      EXPECT_GE(a.audit_date, themes[a.theme_id].start_date);
      EXPECT_LE(a.audit_date, themes[a.theme_id].end_date);
    } else {
      EXPECT_TRUE(a.theme_id.empty());
    }
    if (!a.reaudit_of.empty()) {
      ASSERT_EQ(by_id.count(a.reaudit_of), 1u) << a.reaudit_of;
      const Audit& original = *by_id[a.reaudit_of];
      EXPECT_EQ(original.child_id, a.child_id);
      EXPECT_LT(original.audit_date, a.audit_date);
      EXPECT_GE(original.EffectiveGrade(), qa::kRequiresImprovement);
      continue;
    }
    bool held = false;
    auto [begin, end] = by_child.equal_range(a.child_id);
    for (auto it = begin; it != end && !held; ++it) {
      const kpi::Allocation& al = *it->second;
      held = al.OpenAt(a.audit_date) && al.worker_id == a.worker_id &&
             al.team == a.team;
    }
    EXPECT_TRUE(held) << a.audit_id << " " << a.child_id;
  }
}

TEST(QaSynthesizerTest, EveryRecordParsesAndNamesTheCaseEvents) {
  ExpectEveryRecordParsesAndNamesTheCaseEvents(Seed1());
}

// `sgm synth --scale 2`: the second authority's feeds, from its own case
// events.
TEST(QaSynthesizerTest, TheSecondAuthorityOfScaleTwoParsesToo) {
  SynthOptions options;
  options.seed = 1;
  options.start_month = kFirstMonth;
  options.months = kMonths;
  options.scale = 2;
  const CaseEventSynthOptions second = CaseEventOptionsFor(options, 1);
  ASSERT_NE(second.seed, 1u);
  const Authority authority = Make(second.seed, AllocationsFor(second));
  ASSERT_FALSE(authority.feeds.audits.empty());
  ExpectEveryRecordParsesAndNamesTheCaseEvents(authority);
}

TEST(QaSynthesizerTest, TheMonthsLookLikeTheBrief) {
  const QaFeeds& feeds = Seed1().feeds;
  qa::QaData data;
  data.themes = feeds.themes;
  data.audits = feeds.audits;
  data.feedback = feeds.feedback;
  data.actions = feeds.actions;

  // Month by month with the real figures code.
  const std::vector<qa::QaTrendPoint> trend =
      qa::ComputeQaTrend(data, kFirstMonth, kLastMonth);
  ASSERT_EQ(trend.size(), static_cast<size_t>(kMonths));
  for (const qa::QaTrendPoint& point : trend) {
    const std::string month = FormatIsoMonth(point.month);
    EXPECT_GE(point.audits, 24) << month;
    EXPECT_LE(point.audits, 44) << month;
    EXPECT_GE(point.feedback, 30) << month;
    EXPECT_LE(point.feedback, 50) << month;
    ASSERT_TRUE(point.good_or_better_percent.has_value()) << month;
    EXPECT_GE(*point.good_or_better_percent, 35.0) << month;
    EXPECT_LE(*point.good_or_better_percent, 90.0) << month;
    ASSERT_TRUE(point.mean_rating.has_value()) << month;
    EXPECT_GE(*point.mean_rating, 3.3) << month;
    EXPECT_LE(*point.mean_rating, 4.3) << month;
  }

  // The whole window.
  const absl::StatusOr<qa::QaFigureSet> year = qa::ComputeQaFigures(
      data, {absl::CivilDay(kFirstMonth), LastDayOf(kLastMonth), "", ""});
  ASSERT_TRUE(year.ok()) << year.status();
  const qa::AuditCounts& audits = year->audits;
  RecordProperty("audits", static_cast<int>(audits.audits));
  ASSERT_TRUE(audits.good_or_better_percent.has_value());
  RecordProperty("good_or_better_percent",
                 absl::StrCat(*audits.good_or_better_percent));
  EXPECT_GE(*audits.good_or_better_percent, 57.0);
  EXPECT_LE(*audits.good_or_better_percent, 72.0);
  const double n = static_cast<double>(audits.audits);
  EXPECT_GE(audits.outstanding / n, 0.06);
  EXPECT_LE(audits.outstanding / n, 0.15);
  EXPECT_GE(audits.inadequate / n, 0.02);
  EXPECT_LE(audits.inadequate / n, 0.09);
  // Mostly case-file audits, a fifth or so themed, some of the rest.
  std::map<std::string, int64_t> by_type;
  for (const qa::AuditCounts& t : year->by_type) by_type[t.label] = t.audits;
  EXPECT_GE(by_type["CASE_FILE"] / n, 0.55);
  EXPECT_GE(by_type["THEMED"] / n, 0.12);
  EXPECT_LE(by_type["THEMED"] / n, 0.28);
  EXPECT_GT(by_type["OBSERVATION"], 0);
  EXPECT_GT(by_type["MULTI_AGENCY"], 0);
  EXPECT_EQ(by_type.count("DIP_SAMPLE"), 0u);
  EXPECT_GE(year->by_theme.size(), 6u);
  // Moderation: about a fifth, about 80% agreeing, more down than up.
  const qa::ModerationCounts& moderation = year->moderation;
  EXPECT_GE(moderation.moderated / n, 0.15);
  EXPECT_LE(moderation.moderated / n, 0.25);
  ASSERT_TRUE(moderation.agreement_percent.has_value());
  EXPECT_GE(*moderation.agreement_percent, 68.0);
  EXPECT_LE(*moderation.agreement_percent, 92.0);
  EXPECT_GT(moderation.moderated_down, moderation.moderated_up);
  // Five domains, recording or management oversight the weakest.
  ASSERT_EQ(year->domains.size(), 5u);
  EXPECT_THAT(year->domains[0].domain,
              ::testing::AnyOf("RECORDING", "MANAGEMENT_OVERSIGHT"));
  // Feedback: a mean of 3.5-4.2.
  ASSERT_FALSE(year->feedback.empty());
  const qa::FeedbackCounts& total = year->feedback.back();
  EXPECT_FALSE(total.source.has_value());
  EXPECT_EQ(year->feedback.size(), 5u) << "four sources and the total";
  ASSERT_TRUE(total.mean_rating.has_value());
  EXPECT_GE(*total.mean_rating, 3.5);
  EXPECT_LE(*total.mean_rating, 4.2);
  // Re-audits: a few a month, mostly improved.
  const qa::ReauditCounts& reaudits = year->reaudits;
  EXPECT_GE(reaudits.reaudits, kMonths);
  EXPECT_LE(reaudits.reaudits, 6 * kMonths);
  EXPECT_EQ(reaudits.original_missing, 0);
  ASSERT_TRUE(reaudits.improved_percent.has_value());
  EXPECT_GE(*reaudits.improved_percent, 55.0);
  EXPECT_GT(reaudits.improved, reaudits.worsened);

  // Actions: 10-20 raised a month; of those raised three months or more
  // before the window's end, nearly all completed, about 80% on time; a
  // few overdue at the end.
  std::map<absl::CivilMonth, int> raised;
  int64_t older = 0, completed = 0, on_time = 0;
  for (const Action& a : feeds.actions) {
    ++raised[absl::CivilMonth(*a.raised_on)];
    if (absl::CivilMonth(*a.raised_on) > kLastMonth - 3) continue;
    ++older;
    if (!a.completed_date) continue;
    ++completed;
    if (a.CompletedOnTime()) ++on_time;
  }
  ASSERT_EQ(raised.size(), static_cast<size_t>(kMonths));
  for (const auto& [month, count] : raised) {
    EXPECT_GE(count, 8) << FormatIsoMonth(month);
    EXPECT_LE(count, 22) << FormatIsoMonth(month);
  }
  ASSERT_GT(older, 0);
  EXPECT_GE(static_cast<double>(completed) / older, 0.90);
  EXPECT_LE(static_cast<double>(completed) / older, 0.99);
  EXPECT_GE(static_cast<double>(on_time) / completed, 0.72);
  EXPECT_LE(static_cast<double>(on_time) / completed, 0.88);
  // As the figures count them over the window: most completed, the open
  // ones mostly not yet due.
  const double total_actions = static_cast<double>(feeds.actions.size());
  EXPECT_GE(year->actions.completed / total_actions, 0.80);
  EXPECT_LE(year->actions.completed / total_actions, 0.95);
  EXPECT_GE(year->actions.open, 8);
  EXPECT_LE(year->actions.overdue, year->actions.open / 2);
}

TEST(QaSynthesizerTest, ScaleMultipliesTheVolumes) {
  QaSynthOptions options;
  options.seed = 1;
  options.first_month = kFirstMonth;
  options.months = 3;
  options.scale = 3;
  const absl::StatusOr<QaFeeds> feeds =
      SynthesizeQa(options, Seed1().allocations);
  ASSERT_TRUE(feeds.ok()) << feeds.status();
  EXPECT_GE(feeds->audits.size(), 3u * 3 * 24);
  EXPECT_GE(feeds->feedback.size(), 3u * 3 * 30);
  EXPECT_LE(feeds->feedback.size(), 3u * 3 * 50);
}

}  // namespace
}  // namespace sgm::synth
