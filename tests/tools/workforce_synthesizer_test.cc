// The synthetic workforce feeds: deterministic, readable by the real feed
// parsers with no rejections, naming the case events' workers, and
// calibrated at scale 1 as measured by the real workforce figures.
#include "tools/synth/workforce_synthesizer.h"

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
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
#include "services/kpi/case_status.h"
#include "services/kpi/timeline_builder.h"
#include "services/workforce/workforce_feed_parser.h"
#include "services/workforce/workforce_figures.h"
#include "tools/synth/case_event_synthesizer.h"
#include "tools/synth/contact_synthesizer.h"

namespace sgm::synth {
namespace {

using ::sgm::workforce::AbsenceEpisode;
using ::sgm::workforce::EstablishmentRow;
using ::sgm::workforce::StaffMember;

const WorkingDayCalendar& Calendar() {
  static const WorkingDayCalendar* const kCalendar = [] {
    absl::StatusOr<WorkingDayCalendar> calendar =
        WorkingDayCalendar::EnglandAndWales();
    EXPECT_TRUE(calendar.ok()) << calendar.status();
    return new WorkingDayCalendar(*calendar);
  }();
  return *kCalendar;
}

constexpr absl::CivilMonth kFirstMonth(2022, 6);
constexpr int kMonths = 18;
constexpr absl::CivilMonth kLastMonth = kFirstMonth + (kMonths - 1);

// A case-event year and the workforce that holds its cases.
struct Authority {
  std::vector<kpi::CaseEvent> events;
  WorkforceFeeds feeds;
};

Authority Make(const CaseEventSynthOptions& events_options) {
  const uint64_t seed = events_options.seed;
  absl::StatusOr<std::vector<kpi::CaseEvent>> events =
      SynthesizeCaseEvents(events_options, Calendar());
  EXPECT_TRUE(events.ok()) << events.status();
  Authority authority;
  if (!events.ok()) return authority;
  authority.events = *std::move(events);
  WorkforceSynthOptions options;
  options.seed = seed;
  options.first_month = kFirstMonth;
  options.months = kMonths;
  absl::StatusOr<WorkforceFeeds> feeds =
      SynthesizeWorkforce(options, CaseHoldersOf(authority.events), Calendar());
  EXPECT_TRUE(feeds.ok()) << feeds.status();
  if (feeds.ok()) authority.feeds = *std::move(feeds);
  return authority;
}

Authority Make(uint64_t seed) {
  CaseEventSynthOptions events_options;
  events_options.seed = seed;
  events_options.first_month = kFirstMonth;
  events_options.months = kMonths;
  return Make(events_options);
}

const Authority& Seed1() {
  static const Authority* const kAuthority = new Authority(Make(1));
  return *kAuthority;
}

std::string AllCsv(const WorkforceFeeds& feeds) {
  std::ostringstream out;
  EXPECT_TRUE(WriteStaffCsv(feeds.staff, &out).ok());
  EXPECT_TRUE(WriteAbsencesCsv(feeds.absences, &out).ok());
  EXPECT_TRUE(WriteEstablishmentCsv(feeds.establishment, &out).ok());
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

const workforce::Staffing& Total(const std::vector<workforce::Staffing>& rows) {
  return rows.back();
}

double Fte(workforce::MilliFte fte) { return static_cast<double>(fte) / 1000; }

TEST(WorkforceSynthesizerTest, TheSameSeedGivesTheSameBytes) {
  const std::string first = AllCsv(Seed1().feeds);
  const Authority again = Make(1);
  EXPECT_EQ(first, AllCsv(again.feeds));
  const Authority other = Make(2);
  EXPECT_NE(first, AllCsv(other.feeds));
  EXPECT_GT(first.size(), 10000u);
}

TEST(WorkforceSynthesizerTest, BadOptionsAreRefused) {
  const std::vector<CaseHolder> holders = {{"W001", "Safeguarding 1"}};
  WorkforceSynthOptions options;
  options.months = 0;
  EXPECT_EQ(SynthesizeWorkforce(options, holders, Calendar()).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = WorkforceSynthOptions();
  options.scale = 101;
  EXPECT_EQ(SynthesizeWorkforce(options, holders, Calendar()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SynthesizeWorkforce(WorkforceSynthOptions(), {}, Calendar())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WorkforceSynthesizerTest, TeamsMapToTheReportsServiceAreas) {
  EXPECT_EQ(ServiceAreaOfTeam("Children in Care 2"), "Children In Care");
  EXPECT_EQ(ServiceAreaOfTeam("CLA1"), "Children In Care");
  EXPECT_EQ(ServiceAreaOfTeam("Disabled Children 1"),
            "Integrated Disabled Children's Service");
  EXPECT_EQ(ServiceAreaOfTeam("Early Help 3"), "Early Help");
  EXPECT_EQ(ServiceAreaOfTeam("EH2"), "Early Help");
  EXPECT_EQ(ServiceAreaOfTeam("Safeguarding 4"), "Children's Safeguarding");
  EXPECT_EQ(ServiceAreaOfTeam("MASH and Assessment 1"),
            "Children's Safeguarding");
}

void ExpectEveryRecordImportsAndEveryCaseHolderIsStaff(
    const Authority& authority) {
  const WorkforceFeeds& feeds = authority.feeds;
  std::vector<std::string> problems;
  std::ostringstream staff_csv, absences_csv, establishment_csv;
  ASSERT_TRUE(WriteStaffCsv(feeds.staff, &staff_csv).ok());
  ASSERT_TRUE(WriteAbsencesCsv(feeds.absences, &absences_csv).ok());
  ASSERT_TRUE(
      WriteEstablishmentCsv(feeds.establishment, &establishment_csv).ok());
  const std::vector<StaffMember> staff =
      ParseAll<StaffMember>(staff_csv.str(), workforce::StaffFeedSchema(),
                            workforce::ParseStaffRecord, &problems);
  const std::vector<AbsenceEpisode> absences = ParseAll<AbsenceEpisode>(
      absences_csv.str(), workforce::AbsenceFeedSchema(),
      workforce::ParseAbsenceRecord, &problems);
  const std::vector<EstablishmentRow> establishment =
      ParseAll<EstablishmentRow>(
          establishment_csv.str(), workforce::EstablishmentFeedSchema(),
          workforce::ParseEstablishmentRecord, &problems);
  EXPECT_THAT(problems, ::testing::IsEmpty());
  EXPECT_EQ(staff.size(), feeds.staff.size());
  EXPECT_EQ(absences.size(), feeds.absences.size());
  EXPECT_EQ(establishment.size(), feeds.establishment.size());

  // Keys are unique; absences name known staff.
  std::set<std::string> ids;
  for (const StaffMember& s : staff) ids.insert(s.staff_id);
  EXPECT_EQ(ids.size(), staff.size());
  std::set<std::tuple<std::string, int, absl::CivilDay>> absence_keys;
  for (const AbsenceEpisode& a : absences) {
    EXPECT_EQ(ids.count(a.staff_id), 1u) << a.staff_id;
    absence_keys.emplace(a.staff_id, static_cast<int>(a.reason), a.start_date);
  }
  EXPECT_EQ(absence_keys.size(), absences.size());
  // Every worker the case events allocate to is a member of staff.
  for (const CaseHolder& holder : CaseHoldersOf(authority.events)) {
    EXPECT_EQ(ids.count(holder.worker_id), 1u) << holder.worker_id;
  }
}

TEST(WorkforceSynthesizerTest, EveryRecordImportsAndEveryCaseHolderIsStaff) {
  ExpectEveryRecordImportsAndEveryCaseHolderIsStaff(Seed1());
}

// `sgm synth --scale 2`: the second authority (another size, so other
// numbers of workers) too.
TEST(WorkforceSynthesizerTest, TheSecondAuthorityOfScaleTwoImportsToo) {
  SynthOptions options;
  options.seed = 1;
  options.start_month = kFirstMonth;
  options.months = kMonths;
  options.scale = 2;
  const CaseEventSynthOptions second = CaseEventOptionsFor(options, 1);
  ASSERT_NE(second.volume, 1.0);
  const Authority authority = Make(second);
  ASSERT_FALSE(authority.feeds.staff.empty());
  ExpectEveryRecordImportsAndEveryCaseHolderIsStaff(authority);
  EXPECT_NE(CaseHoldersOf(authority.events).size(),
            CaseHoldersOf(Seed1().events).size());
}

TEST(WorkforceSynthesizerTest, TheLastMonthLooksLikeTheReports) {
  const Authority& authority = Seed1();
  workforce::WorkforceData data;
  data.staff = authority.feeds.staff;
  data.absences = authority.feeds.absences;
  data.establishment = authority.feeds.establishment;
  const workforce::WorkforceSettings settings;
  const absl::CivilDay last = LastDayOf(kLastMonth);
  const absl::CivilDay first = LastDayOf(kFirstMonth);
  const std::vector<workforce::Staffing> at_end =
      workforce::StaffingOn(data, last, Calendar(), settings);
  const std::vector<workforce::Staffing> at_start =
      workforce::StaffingOn(data, first, Calendar(), settings);
  const workforce::Staffing& end = Total(at_end);
  const workforce::Staffing& start = Total(at_start);
  ASSERT_EQ(end.service_area, workforce::kTotalArea);
  RecordProperty("agency_fte_start", Fte(start.agency_fte));
  RecordProperty("agency_fte_end", Fte(end.agency_fte));
  RecordProperty("maternity_fte_end", Fte(end.maternity_fte));
  RecordProperty("long_term_absence_fte_end", Fte(end.long_term_absence_fte));
  RecordProperty("absence_days_per_fte_start",
                 start.absence_days_per_fte.value_or(-1));
  RecordProperty("absence_days_per_fte_end",
                 end.absence_days_per_fte.value_or(-1));
  RecordProperty("turnover_end", end.turnover_percent.value_or(-1));
  RecordProperty("vacancy_end", end.vacancy_rate_percent.value_or(-1));

  // Agency 18 -> 1.5 in the reports (over two years); here about 10 -> 1.5.
  EXPECT_GE(Fte(start.agency_fte), 6.0);
  EXPECT_GE(Fte(end.agency_fte), 1.0);
  EXPECT_LE(Fte(end.agency_fte), 2.0);
  // Staffing table: maternity 3.5, long-term absence 4 FTE.
  EXPECT_GE(Fte(end.maternity_fte), 0.5);
  EXPECT_LE(Fte(end.maternity_fte), 10.0);
  EXPECT_GE(Fte(end.long_term_absence_fte), 1.0);
  EXPECT_LE(Fte(end.long_term_absence_fte), 10.0);
  // Absence days per FTE falling, 16.03 -> 9.33.
  ASSERT_TRUE(start.absence_days_per_fte && end.absence_days_per_fte);
  EXPECT_GE(*start.absence_days_per_fte, 12.0);
  EXPECT_LE(*start.absence_days_per_fte, 20.0);
  EXPECT_GE(*end.absence_days_per_fte, 7.0);
  EXPECT_LE(*end.absence_days_per_fte, 12.5);
  // A few vacancies, some turnover.
  ASSERT_TRUE(end.vacancy_rate_percent.has_value());
  EXPECT_GE(*end.vacancy_rate_percent, 1.0);
  EXPECT_LE(*end.vacancy_rate_percent, 12.0);
  ASSERT_TRUE(end.turnover_percent.has_value());
  EXPECT_GE(*end.turnover_percent, 2.0);
  EXPECT_LE(*end.turnover_percent, 20.0);

  // Caseloads from the case events' allocations: near 15 a qualified social
  // worker (the reports: 20 -> 15), about 93 of them holding cases.
  const kpi::CaseTimelines timelines = kpi::BuildTimelines(authority.events);
  std::vector<workforce::AllocatedWorker> allocated;
  for (const kpi::WorkerCaseload& w : kpi::CaseloadsAt(timelines, last)) {
    allocated.push_back({w.worker_id, w.team, w.open_cases});
  }
  const workforce::Caseloads caseloads =
      workforce::CaseloadsOn(data.staff, allocated, last, settings);
  EXPECT_EQ(caseloads.unmatched_workers, 0);
  ASSERT_EQ(caseloads.groups.size(), 2u);
  const workforce::CaseloadGroup& social_workers = caseloads.groups[0];
  EXPECT_GE(social_workers.case_holding_workers, 80);
  EXPECT_LE(social_workers.case_holding_workers, 100);
  ASSERT_TRUE(social_workers.mean_caseload.has_value());
  EXPECT_GE(*social_workers.mean_caseload, 12.0);
  EXPECT_LE(*social_workers.mean_caseload, 20.0);

  // Costs for the financial year ending in the window: social workers
  // about £5.4m in the reports.
  const std::vector<workforce::Costs> costs =
      workforce::CostsFor(data.staff, workforce::FinancialYearOf(last) - 1);
  ASSERT_FALSE(costs.empty());
  EXPECT_GE(costs.back().social_worker_cost_pence, 4'500'000'00);
  EXPECT_LE(costs.back().social_worker_cost_pence, 9'000'000'00);
  EXPECT_GT(costs.back().agency_premium_pence, 0);
}

}  // namespace
}  // namespace sgm::synth
