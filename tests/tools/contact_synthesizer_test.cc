// The sgm command's parts: the synthetic feeds (deterministic, calibrated,
// readable by the real feed parser, consistent with the synthetic case
// events), the progress bar, the import summary, the figures table and the
// feed upload against an in-process fake intake.
#include "tools/synth/contact_synthesizer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/civil_date.h"
#include "common/feed_reader.h"
#include "common/working_day_calendar.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/intake/abuse_category.h"
#include "services/intake/contact.h"
#include "services/intake/contact_feed_parser.h"
#include "services/kpi/case_event.h"
#include "services/kpi/case_event_feed_parser.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tools/sgm/feed_upload.h"
#include "tools/sgm/figures_table.h"
#include "tools/sgm/progress_bar.h"
#include "tools/synth/case_event_synthesizer.h"

namespace sgm {
namespace {

using ::sgm::RecordError;
using ::sgm::cli::FormatSummary;
using ::sgm::cli::ProgressBar;
using ::sgm::intake::ContactRecord;
using ::sgm::intake::DecisionRecord;
using ::sgm::kpi::CaseEvent;
using ::sgm::kpi::EventType;
using ::sgm::synth::AuthorityStats;
using ::sgm::synth::MemorySynthOutput;
using ::sgm::synth::SynthesizeContacts;
using ::sgm::synth::SynthOptions;
using ::sgm::synth::SynthStats;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

SynthOptions Year2023(uint64_t seed = 1, int scale = 1) {
  SynthOptions options;
  options.seed = seed;
  options.start_month = absl::CivilMonth(2023, 1);
  options.months = 12;
  options.scale = scale;
  return options;
}

struct Generated {
  SynthStats stats;
  std::map<std::string, std::string> files;
};

Generated Generate(const SynthOptions& options) {
  MemorySynthOutput output;
  absl::StatusOr<SynthStats> stats = SynthesizeContacts(options, &output);
  EXPECT_TRUE(stats.ok()) << stats.status();
  return Generated{stats.ok() ? *stats : SynthStats(), output.files()};
}

absl::TimeZone London() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &tz));
  return tz;
}

// What the real parser makes of one authority's files.
struct Parsed {
  std::vector<ContactRecord> contacts;
  std::vector<DecisionRecord> decisions;
  std::vector<std::string> errors;            // "file line field: reason"
  std::vector<std::string> received_at_text;  // per contact, as written
};

void ReadFeed(const std::string& name, const std::string& text,
              const FeedSchema& schema, std::vector<FeedRecord>* records,
              std::vector<std::string>* errors) {
  FeedReader reader(FeedFormat::kCsv, schema);
  std::vector<FeedError> feed_errors;
  // In uneven pieces, as they arrive from a stream.
  size_t at = 0;
  size_t piece = 1;
  while (at < text.size()) {
    const size_t n = std::min(piece, text.size() - at);
    absl::Status status = reader.Feed(absl::string_view(text).substr(at, n),
                                      records, &feed_errors);
    if (!status.ok())
      errors->push_back(absl::StrCat(name, ": ", status.message()));
    at += n;
    piece = piece * 3 + 7;
  }
  absl::Status status = reader.Finish(records, &feed_errors);
  if (!status.ok())
    errors->push_back(absl::StrCat(name, ": ", status.message()));
  for (const FeedError& e : feed_errors) {
    errors->push_back(
        absl::StrCat(name, " line ", e.line, " ", e.field, ": ", e.reason));
  }
}

Parsed ParseAuthority(const std::map<std::string, std::string>& files,
                      const std::string& prefix, absl::Time now) {
  Parsed parsed;
  for (absl::string_view agency : synth::kSynthAgencies) {
    const std::string name =
        absl::StrCat(prefix, synth::ContactsFileName(agency));
    auto it = files.find(name);
    if (it == files.end()) {
      parsed.errors.push_back(absl::StrCat("missing ", name));
      continue;
    }
    std::vector<FeedRecord> records;
    ReadFeed(name, it->second, intake::ContactFeedSchema(), &records,
             &parsed.errors);
    const int received_at = 1;  // column of received_at in the schema
    EXPECT_EQ(intake::ContactFeedSchema().columns[received_at], "received_at");
    for (const FeedRecord& record : records) {
      std::variant<ContactRecord, RecordError> result =
          intake::ParseContactRecord(record, agency, now);
      if (auto* error = std::get_if<RecordError>(&result)) {
        parsed.errors.push_back(absl::StrCat(name, " line ", record.line, " ",
                                             error->field, ": ",
                                             error->reason));
        continue;
      }
      parsed.contacts.push_back(std::get<ContactRecord>(std::move(result)));
      parsed.received_at_text.push_back(
          record.values[received_at].value_or(""));
    }
  }
  const std::string name = absl::StrCat(prefix, synth::kDecisionsFileName);
  auto it = files.find(name);
  if (it == files.end()) {
    parsed.errors.push_back(absl::StrCat("missing ", name));
    return parsed;
  }
  std::vector<FeedRecord> records;
  ReadFeed(name, it->second, intake::DecisionFeedSchema(), &records,
           &parsed.errors);
  for (const FeedRecord& record : records) {
    std::variant<DecisionRecord, RecordError> result =
        intake::ParseDecisionRecord(record, now);
    if (auto* error = std::get_if<RecordError>(&result)) {
      parsed.errors.push_back(absl::StrCat(name, " line ", record.line, " ",
                                           error->field, ": ", error->reason));
      continue;
    }
    parsed.decisions.push_back(std::get<DecisionRecord>(std::move(result)));
  }
  return parsed;
}

// The parser's "now": well after the last decision.
absl::Time After2023() {
  return absl::FromCivil(absl::CivilDay(2024, 3, 1), absl::UTCTimeZone());
}

const WorkingDayCalendar& Calendar() {
  static const WorkingDayCalendar* const kCalendar = [] {
    absl::StatusOr<WorkingDayCalendar> calendar =
        WorkingDayCalendar::EnglandAndWales();
    EXPECT_TRUE(calendar.ok()) << calendar.status();
    return new WorkingDayCalendar(*calendar);
  }();
  return *kCalendar;
}

// The index-th authority's case events as the real case-event parser reads
// them from the CSV the generator writes; rejections in `errors`.
std::vector<CaseEvent> CaseEventsOf(const SynthOptions& options, int index,
                                    std::vector<std::string>* errors) {
  std::ostringstream csv;
  absl::StatusOr<synth::CaseEventSynthStats> stats =
      synth::SynthesizeCaseEventsCsv(synth::CaseEventOptionsFor(options, index),
                                     Calendar(), &csv);
  EXPECT_TRUE(stats.ok()) << stats.status();
  std::vector<FeedRecord> records;
  ReadFeed("case-events.csv", csv.str(), kpi::CaseEventFeedSchema(), &records,
           errors);
  std::vector<CaseEvent> events;
  const absl::Time now =
      absl::FromCivil(LastDayOf(options.start_month + (options.months - 1)) + 1,
                      absl::UTCTimeZone());
  for (const FeedRecord& record : records) {
    std::variant<CaseEvent, RecordError> result =
        kpi::ParseCaseEventRecord(record, now);
    if (auto* error = std::get_if<RecordError>(&result)) {
      errors->push_back(absl::StrCat("case-events.csv line ", record.line, " ",
                                     error->field, ": ", error->reason));
      continue;
    }
    events.push_back(std::get<CaseEvent>(std::move(result)));
  }
  return events;
}

// Each child's work from the case events: (start, end) of every
// assessment, S47 enquiry, CIN or CP plan, CLA or early help episode, end
// absent while open.
using Work = std::pair<absl::CivilDay, std::optional<absl::CivilDay>>;
std::map<std::string, std::vector<Work>> WorkByChild(
    const std::vector<CaseEvent>& events) {
  std::map<std::pair<std::string, std::string>, Work> by_ref;  // child, ref
  for (const CaseEvent& e : events) {
    bool start = false;
    bool end = false;
    switch (e.type) {
      case EventType::kAssessmentStart:
      case EventType::kS47Start:
      case EventType::kCinPlanStart:
      case EventType::kCpPlanStart:
      case EventType::kClaStart:
      case EventType::kEhStart:
        start = true;
        break;
      case EventType::kAssessmentEnd:
      case EventType::kS47End:
      case EventType::kCinPlanEnd:
      case EventType::kCpPlanEnd:
      case EventType::kClaEnd:
      case EventType::kEhEnd:
        end = true;
        break;
      default:
        break;
    }
    if (!start && !end) continue;
    auto [it, inserted] =
        by_ref.try_emplace({e.child_id, e.ref_id}, Work{e.event_date, {}});
    if (start) it->second.first = e.event_date;
    if (end) it->second.second = e.event_date;
  }
  std::map<std::string, std::vector<Work>> by_child;
  for (const auto& [key, work] : by_ref) by_child[key.first].push_back(work);
  return by_child;
}

// Intake's rule: open on d when start <= d and not ended on or before d.
bool OpenOn(const std::map<std::string, std::vector<Work>>& work,
            const std::string& child, absl::CivilDay d) {
  auto it = work.find(child);
  if (it == work.end()) return false;
  for (const Work& w : it->second) {
    if (w.first <= d && !(w.second && *w.second <= d)) return true;
  }
  return false;
}

absl::CivilDay LocalDay(absl::Time t) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &tz));
  return absl::CivilDay(tz.At(t).cs);
}

// --- The synthesizer --------------------------------------------------------

TEST(ContactSynthesizerTest, SameSeedGivesByteIdenticalFiles) {
  const Generated a = Generate(Year2023(7));
  const Generated b = Generate(Year2023(7));
  ASSERT_EQ(a.files.size(), 7u);
  EXPECT_TRUE(a.files == b.files);
  EXPECT_EQ(a.stats.authorities[0].contacts, b.stats.authorities[0].contacts);
}

TEST(ContactSynthesizerTest, DifferentSeedGivesDifferentFiles) {
  const Generated a = Generate(Year2023(1));
  const Generated b = Generate(Year2023(2));
  ASSERT_EQ(a.files.size(), b.files.size());
  for (const auto& [name, text] : a.files) {
    EXPECT_NE(text, b.files.at(name)) << name;
  }
}

TEST(ContactSynthesizerTest, WritesOneContactsFilePerAgencyAndDecisions) {
  const Generated g = Generate(Year2023());
  std::vector<std::string> names;
  for (const auto& [name, text] : g.files) names.push_back(name);
  EXPECT_THAT(names, ElementsAre("contacts-HEALTH.csv", "contacts-LA.csv",
                                 "contacts-OTHER.csv", "contacts-POLICE.csv",
                                 "contacts-PUBLIC.csv", "contacts-SCHOOLS.csv",
                                 "decisions.csv"));
  EXPECT_TRUE(absl::StartsWith(
      g.files.at("contacts-POLICE.csv"),
      "source_record_id,received_at,child_id,child_dob,source_code,"
      "primary_need,concerns,referrer_org,summary\n"));
  EXPECT_TRUE(absl::StartsWith(g.files.at("decisions.csv"),
                               "contact_ref,decided_at,outcome,decided_by\n"));
  ASSERT_EQ(g.stats.authorities.size(), 1u);
  EXPECT_EQ(g.stats.authorities[0].authority, "831");
  EXPECT_EQ(g.stats.authorities[0].files.size(), 7u);
}

TEST(ContactSynthesizerTest, EveryRecordPassesTheFeedParser) {
  const Generated g = Generate(Year2023());
  const Parsed parsed = ParseAuthority(g.files, "", After2023());
  EXPECT_THAT(parsed.errors, ::testing::IsEmpty());
  const AuthorityStats& stats = g.stats.authorities[0];
  EXPECT_EQ(static_cast<int64_t>(parsed.contacts.size()), stats.contacts);
  EXPECT_EQ(static_cast<int64_t>(parsed.decisions.size()), stats.decided);
}

TEST(ContactSynthesizerTest, RecordsAreConsistent) {
  const Generated g = Generate(Year2023());
  const Parsed parsed = ParseAuthority(g.files, "", After2023());
  ASSERT_THAT(parsed.errors, ::testing::IsEmpty());
  const absl::TimeZone tz = London();

  std::map<std::string, const ContactRecord*> by_ref;
  int64_t unborn = 0;
  int64_t office_hours = 0;
  for (size_t i = 0; i < parsed.contacts.size(); ++i) {
    const ContactRecord& c = parsed.contacts[i];
    // Unique per agency.
    const std::string ref = absl::StrCat(c.agency, ":", c.source_record_id);
    EXPECT_TRUE(by_ref.emplace(ref, &c).second) << "duplicate " << ref;
    EXPECT_EQ(synth::AgencyForSource(c.source_code), c.agency) << ref;
    // The offset written is London's at that instant (BST in summer).
    const absl::TimeZone::CivilInfo local = tz.At(c.received_at);
    const std::string& text = parsed.received_at_text[i];
    EXPECT_TRUE(
        absl::EndsWith(text, local.offset == 3600 ? "+01:00" : "+00:00"))
        << text;
    if (local.cs.hour() >= 8 && local.cs.hour() < 18) ++office_hours;
    // Aged 0-17 at the contact, or unborn within 280 days.
    if (c.child_dob.has_value()) {
      ASSERT_FALSE(c.child_id.empty()) << ref;
      const absl::CivilDay day = absl::CivilDay(local.cs);
      if (*c.child_dob > day) {
        ++unborn;
        EXPECT_LE(*c.child_dob - day, 280) << ref;
      } else {
        const absl::CivilDay eighteenth(
            c.child_dob->year() + 18, c.child_dob->month(), c.child_dob->day());
        EXPECT_LT(day, eighteenth) << ref;
      }
    }
    // Case-event children keep their ids (C0000001); the others have
    // their own (CH0000001).
    if (!c.child_id.empty()) {
      EXPECT_TRUE(
          (c.child_id.size() == 9 && absl::StartsWith(c.child_id, "CH")) ||
          (c.child_id.size() == 8 && c.child_id[0] == 'C' &&
           absl::ascii_isdigit(c.child_id[1])))
          << c.child_id;
    }
  }
  EXPECT_GT(unborn, 0);
  EXPECT_LT(unborn, static_cast<int64_t>(parsed.contacts.size()) / 50);
  EXPECT_GT(office_hours,
            static_cast<int64_t>(parsed.contacts.size()) * 7 / 10);

  // Every decision is about a contact, after it, with one decision each.
  std::set<std::string> decided;
  for (const DecisionRecord& d : parsed.decisions) {
    auto it = by_ref.find(d.contact_ref);
    ASSERT_NE(it, by_ref.end()) << d.contact_ref;
    EXPECT_GT(d.decided_at, it->second->received_at) << d.contact_ref;
    EXPECT_TRUE(decided.insert(d.contact_ref).second) << d.contact_ref;
  }
}

class ContactCalibrationTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(ContactCalibrationTest, CalibratedToThePublishedFiguresAtScaleOne) {
  const Generated g = Generate(Year2023(GetParam()));
  const Parsed parsed = ParseAuthority(g.files, "", After2023());
  ASSERT_THAT(parsed.errors, ::testing::IsEmpty());
  const absl::TimeZone tz = London();

  // Computed from the files, not from the generator's own counts.
  std::map<absl::CivilMonth, int64_t> per_month;
  std::map<std::string, int64_t> by_need;
  std::map<std::string, const ContactRecord*> by_ref;
  int64_t police = 0;
  std::vector<std::pair<absl::CivilDay, std::string>> with_child;
  for (const ContactRecord& c : parsed.contacts) {
    const absl::CivilDay day = absl::CivilDay(tz.At(c.received_at).cs);
    ++per_month[absl::CivilMonth(day)];
    ++by_need[c.primary_need];
    if (c.source_code == "6") ++police;
    by_ref[absl::StrCat(c.agency, ":", c.source_record_id)] = &c;
    if (!c.child_id.empty()) with_child.emplace_back(day, c.child_id);
  }
  const double total = static_cast<double>(parsed.contacts.size());

  ASSERT_EQ(per_month.size(), 12u);
  for (const auto& [month, n] : per_month) {
    EXPECT_GE(n, 1900) << month;
    EXPECT_LE(n, 3000) << month;
  }
  // Seasonality and growth: August and December below the year's mean,
  // the autumn above it.
  const double mean = total / 12;
  EXPECT_LT(per_month[absl::CivilMonth(2023, 8)], mean);
  EXPECT_LT(per_month[absl::CivilMonth(2023, 12)], mean);
  EXPECT_GT(per_month[absl::CivilMonth(2023, 10)], mean);

  int64_t progressed = 0;
  for (const DecisionRecord& d : parsed.decisions) {
    if (intake::IsProgressed(d.outcome)) ++progressed;
  }
  const double decided = static_cast<double>(parsed.decisions.size());
  EXPECT_GE(decided / total, 0.95);
  EXPECT_LE(decided / total, 0.99);
  EXPECT_GE(progressed / decided, 0.12);
  EXPECT_LE(progressed / decided, 0.18);

  const auto share = [&](const std::string& need) {
    return static_cast<double>(by_need[need]) / total;
  };
  EXPECT_GE(share("N1"), 0.78);
  EXPECT_LE(share("N1"), 0.88);
  for (const char* need : {"N2", "N3", "N4"}) {
    EXPECT_GE(share(need), 0.01) << need;
    EXPECT_LE(share(need), 0.05) << need;
  }
  EXPECT_GE(share("N6"), 0.03);
  EXPECT_LE(share("N6"), 0.07);
  EXPECT_GE(share("N8"), 0.0);
  EXPECT_LE(share("N8"), 0.02);

  EXPECT_GE(police / total, 0.25);
  EXPECT_LE(police / total, 0.35);

  // Repeats: a contact about a child with an earlier one within 365 days.
  std::stable_sort(with_child.begin(), with_child.end());
  std::map<std::string, absl::CivilDay> last;
  int64_t repeats = 0;
  for (const auto& [day, child] : with_child) {
    auto it = last.find(child);
    if (it != last.end() && day - it->second <= 365) ++repeats;
    last[child] = day;
  }
  const double repeat_share =
      static_cast<double>(repeats) / static_cast<double>(with_child.size());
  EXPECT_GE(repeat_share, 0.15);
  EXPECT_LE(repeat_share, 0.30);
  // About 5% without a child id.
  EXPECT_GE(1 - static_cast<double>(with_child.size()) / total, 0.03);
  EXPECT_LE(1 - static_cast<double>(with_child.size()) / total, 0.08);

  // The generator's own counts agree with the files.
  const AuthorityStats& stats = g.stats.authorities[0];
  EXPECT_EQ(stats.repeat_contacts, repeats);
  EXPECT_EQ(stats.progressed, progressed);
  for (int m = 0; m < 12; ++m) {
    EXPECT_EQ(stats.contacts_per_month[m],
              per_month[absl::CivilMonth(2023, 1) + m])
        << m;
  }
  EXPECT_EQ(stats.by_primary_need.at("N1"), by_need["N1"]);
  EXPECT_DOUBLE_EQ(stats.volume_factor, 1.0);

  int64_t low = per_month.begin()->second;
  int64_t high = low;
  for (const auto& [month, n] : per_month) {
    low = std::min(low, n);
    high = std::max(high, n);
  }
  std::cout << "seed " << GetParam() << ": " << low << "-" << high
            << " contacts a month, " << 100 * progressed / decided
            << "% progressed, N1 " << 100 * share("N1") << "%, N2 "
            << 100 * share("N2") << "%, N3 " << 100 * share("N3") << "%, N4 "
            << 100 * share("N4") << "%, N6 " << 100 * share("N6") << "%, N8 "
            << 100 * share("N8") << "%, police " << 100 * police / total
            << "%, repeats " << 100 * repeat_share << "%, no child id "
            << 100 * (1 - static_cast<double>(with_child.size()) / total)
            << "%\n";
}

INSTANTIATE_TEST_SUITE_P(Seeds, ContactCalibrationTest,
                         ::testing::Values(1, 2));

// The contacts and the case events of one authority tell one story.
class LinkageTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(LinkageTest, EveryReferralHasItsContactAndOnlyThoseProgress) {
  const SynthOptions options = Year2023(GetParam());
  const Generated g = Generate(options);
  const Parsed parsed = ParseAuthority(g.files, "", After2023());
  ASSERT_THAT(parsed.errors, ::testing::IsEmpty());
  std::vector<std::string> errors;
  const std::vector<CaseEvent> events = CaseEventsOf(options, 0, &errors);
  ASSERT_THAT(errors, ::testing::IsEmpty());

  std::map<std::string, const DecisionRecord*> decision_of;
  for (const DecisionRecord& d : parsed.decisions) {
    decision_of[d.contact_ref] = &d;
  }
  const auto decision = [&](const ContactRecord& c) -> const DecisionRecord* {
    auto it = decision_of.find(absl::StrCat(c.agency, ":", c.source_record_id));
    return it == decision_of.end() ? nullptr : it->second;
  };
  std::multimap<std::string, const ContactRecord*> progressed;
  for (const ContactRecord& c : parsed.contacts) {
    const DecisionRecord* d = decision(c);
    if (d != nullptr && intake::IsProgressed(d->outcome)) {
      progressed.emplace(c.child_id, &c);
    }
  }
  // What the case events say of each referral after it.
  std::set<std::string> discussed;
  std::map<std::string, std::string> icpc_category;  // the ICPC's
  std::map<std::string, std::string> s47_category;   // S47 without ICPC
  std::map<std::string, std::string> s47_start_category;
  for (const CaseEvent& e : events) {
    if (e.type == EventType::kStrategyDiscussion) {
      discussed.insert(e.parent_ref_id);
    } else if (e.type == EventType::kIcpc) {
      icpc_category[e.parent_ref_id] = e.category;
    } else if (e.type == EventType::kS47Start) {
      s47_start_category[e.parent_ref_id] = e.category;
    } else if (e.type == EventType::kS47End && e.outcome != "ICPC_REQUIRED") {
      s47_category[e.parent_ref_id] = "";
    }
  }
  for (auto& [referral, category] : s47_category) {
    category = s47_start_category[referral];
  }

  const absl::CivilDay first(2023, 1, 1);
  const absl::CivilDay last(2023, 12, 31);
  int64_t referrals = 0;
  int64_t checked_categories = 0;
  std::set<const ContactRecord*> used;
  for (const CaseEvent& e : events) {
    if (e.type != EventType::kReferral || e.event_date < first) continue;
    ++referrals;
    const ContactRecord* contact = nullptr;
    auto [from, to] = progressed.equal_range(e.child_id);
    for (auto it = from; it != to; ++it) {
      const absl::CivilDay day = LocalDay(it->second->received_at);
      if (day <= e.event_date && day >= e.event_date - 2 &&
          it->second->source_code == e.source_code &&
          used.count(it->second) == 0) {
        contact = it->second;
        break;
      }
    }
    ASSERT_NE(contact, nullptr) << "no contact for " << e.ref_id;
    used.insert(contact);
    EXPECT_EQ(contact->child_dob, e.child_dob) << e.ref_id;
    EXPECT_EQ(contact->primary_need, e.primary_need) << e.ref_id;
    const DecisionRecord* d = decision(*contact);
    ASSERT_NE(d, nullptr);
    EXPECT_GT(d->decided_at, contact->received_at) << e.ref_id;
    EXPECT_LE(LocalDay(d->decided_at), e.event_date) << e.ref_id;
    if (discussed.count(e.ref_id) > 0) {
      EXPECT_EQ(d->outcome, intake::Outcome::kStrategyDiscussion) << e.ref_id;
    } else if (e.event_date < last - 7) {  // a discussion may come after
      EXPECT_EQ(d->outcome, intake::Outcome::kReferral) << e.ref_id;
    }
    // The concerns map to the category the front door saw: the
    // referral's, else the plan's (on its ICPC), else the S47 enquiry's.
    std::string category = e.category;
    if (category.empty() && icpc_category.count(e.ref_id) > 0) {
      category = icpc_category[e.ref_id];
    }
    if (category.empty() && s47_category.count(e.ref_id) > 0) {
      category = s47_category[e.ref_id];
    }
    if (!category.empty()) {
      ++checked_categories;
      EXPECT_EQ(intake::CategoryOfConcerns(contact->concerns), category)
          << e.ref_id << " " << absl::StrJoin(contact->concerns, ";");
    }
  }
  // One contact per referral, and no other contact progresses.
  EXPECT_EQ(static_cast<int64_t>(progressed.size()), referrals);
  EXPECT_EQ(g.stats.authorities[0].referral_contacts, referrals);
  EXPECT_GE(referrals, 4000);
  EXPECT_LE(referrals, 5000);
  EXPECT_GT(checked_categories, referrals / 2);
}

INSTANTIATE_TEST_SUITE_P(Seeds, LinkageTest, ::testing::Values(1, 2));

// Duplicate input: contacts about a child whose assessment, S47 enquiry,
// plan or episode is open on the day (intake's rule).
TEST(ContactSynthesizerTest, EightToFifteenPercentOfContactsMeetOpenWork) {
  const SynthOptions options = Year2023();
  const Generated g = Generate(options);
  const Parsed parsed = ParseAuthority(g.files, "", After2023());
  ASSERT_THAT(parsed.errors, ::testing::IsEmpty());
  std::vector<std::string> errors;
  const std::map<std::string, std::vector<Work>> work =
      WorkByChild(CaseEventsOf(options, 0, &errors));
  ASSERT_THAT(errors, ::testing::IsEmpty());
  std::map<std::string, intake::Outcome> outcome;
  for (const DecisionRecord& d : parsed.decisions) {
    outcome[d.contact_ref] = d.outcome;
  }
  int64_t with_child = 0;
  int64_t duplicates = 0;
  int64_t existing_case = 0;
  for (const ContactRecord& c : parsed.contacts) {
    if (c.child_id.empty()) continue;
    ++with_child;
    if (!OpenOn(work, c.child_id, LocalDay(c.received_at))) continue;
    ++duplicates;
    if (outcome[absl::StrCat(c.agency, ":", c.source_record_id)] ==
        intake::Outcome::kExistingCase) {
      ++existing_case;
    }
  }
  const double share =
      static_cast<double>(duplicates) / static_cast<double>(with_child);
  std::cout << "duplicate input " << 100 * share << "% (" << duplicates
            << " of " << with_child << "), " << existing_case
            << " decided EXISTING_CASE\n";
  EXPECT_GE(share, 0.08);
  EXPECT_LE(share, 0.15);
  EXPECT_EQ(g.stats.authorities[0].duplicate_input, duplicates);
  EXPECT_GT(existing_case, duplicates / 2);
}

// --scale 2: two authorities with their own codes and levels, each with
// contacts that fit its own case events.
TEST(ContactSynthesizerTest, ScaleTwoGivesTwoAuthoritiesAtDifferentLevels) {
  const SynthOptions options = Year2023(1, 2);
  const Generated g = Generate(options);
  ASSERT_EQ(g.stats.authorities.size(), 2u);
  const AuthorityStats& first = g.stats.authorities[0];
  const AuthorityStats& second = g.stats.authorities[1];
  EXPECT_EQ(first.authority, "831");
  EXPECT_EQ(second.authority, "832");
  EXPECT_EQ(first.volume_factor, 1.0);
  EXPECT_EQ(first.progression_factor, 1.0);
  EXPECT_EQ(first.lateness_factor, 1.0);
  EXPECT_NE(second.volume_factor, 1.0);
  EXPECT_NE(second.progression_factor, 1.0);
  EXPECT_NE(second.lateness_factor, 1.0);
  EXPECT_NE(first.contacts, second.contacts);
  // The case events of each: the second's options differ from the first's.
  const synth::CaseEventSynthOptions a = synth::CaseEventOptionsFor(options, 0);
  const synth::CaseEventSynthOptions b = synth::CaseEventOptionsFor(options, 1);
  EXPECT_EQ(a.seed, 1u);
  EXPECT_NE(b.seed, a.seed);
  EXPECT_DOUBLE_EQ(b.volume, second.volume_factor * second.progression_factor);
  EXPECT_DOUBLE_EQ(b.lateness, second.lateness_factor);
  for (int i = 0; i < 2; ++i) {
    const AuthorityStats& stats = g.stats.authorities[i];
    const Parsed parsed =
        ParseAuthority(g.files, stats.authority + "/", After2023());
    EXPECT_THAT(parsed.errors, ::testing::IsEmpty()) << stats.authority;
    std::vector<std::string> errors;
    const std::vector<CaseEvent> events = CaseEventsOf(options, i, &errors);
    EXPECT_THAT(errors, ::testing::IsEmpty()) << stats.authority;
    int64_t referrals = 0;
    for (const CaseEvent& e : events) {
      if (e.type == EventType::kReferral &&
          e.event_date >= absl::CivilDay(2023, 1, 1)) {
        ++referrals;
      }
    }
    int64_t progressed = 0;
    for (const DecisionRecord& d : parsed.decisions) {
      if (intake::IsProgressed(d.outcome)) ++progressed;
    }
    EXPECT_EQ(progressed, referrals) << stats.authority;
    const double share =
        static_cast<double>(progressed) / static_cast<double>(stats.decided);
    std::cout << stats.authority << ": volume " << stats.volume_factor
              << ", progression " << stats.progression_factor << ", lateness "
              << stats.lateness_factor << ": " << stats.contacts
              << " contacts, " << 100 * share << "% progressed\n";
    // Progression scales with the authority's level, within 11-19%.
    EXPECT_GE(share, 0.11 * stats.progression_factor) << stats.authority;
    EXPECT_LE(share, 0.185 * stats.progression_factor) << stats.authority;
  }
}

TEST(ContactSynthesizerTest, GrowsAboutElevenPercentAYear) {
  SynthOptions options = Year2023();
  options.months = 24;
  const Generated g = Generate(options);
  const AuthorityStats& stats = g.stats.authorities[0];
  ASSERT_EQ(stats.contacts_per_month.size(), 24u);
  int64_t first = 0;
  int64_t second = 0;
  for (int m = 0; m < 12; ++m) {
    first += stats.contacts_per_month[m];
    second += stats.contacts_per_month[m + 12];
  }
  const double growth = static_cast<double>(second) / first - 1;
  EXPECT_GT(growth, 0.07);
  EXPECT_LT(growth, 0.15);
}

// Only the last two days can differ: a referral in the 13th month may have
// its contact a day or two before.
TEST(ContactSynthesizerTest, ALongerRunStartsWithTheSameRecords) {
  const Generated year = Generate(Year2023(4));
  SynthOptions longer = Year2023(4);
  longer.months = 18;
  const Generated more = Generate(longer);
  for (const auto& [name, text] : year.files) {
    if (name == synth::kDecisionsFileName) continue;
    // The lines received before 30 December 2023.
    const size_t cut =
        std::min(text.find(",2023-12-30T"), text.find(",2023-12-31T"));
    const std::string before =
        cut == std::string::npos ? text : text.substr(0, text.rfind('\n', cut));
    EXPECT_GT(before.size(), text.size() / 2) << name;
    EXPECT_TRUE(absl::StartsWith(more.files.at(name), before)) << name;
  }
  for (int m = 0; m < 11; ++m) {
    EXPECT_EQ(year.stats.authorities[0].contacts_per_month[m],
              more.stats.authorities[0].contacts_per_month[m]);
  }
}

TEST(ContactSynthesizerTest, ScaleThreeGivesThreeAuthoritiesOfDifferentSize) {
  const Generated g = Generate(Year2023(1, 3));
  ASSERT_EQ(g.stats.authorities.size(), 3u);
  std::set<std::string> codes;
  std::set<int64_t> volumes;
  for (const AuthorityStats& a : g.stats.authorities) {
    codes.insert(a.authority);
    volumes.insert(a.contacts);
    EXPECT_GE(a.volume_factor, 0.6);
    EXPECT_LE(a.volume_factor, 1.6);
    EXPECT_GE(a.progression_factor, 0.8);
    EXPECT_LE(a.progression_factor, 1.15);
    EXPECT_GE(a.lateness_factor, 0.75);
    EXPECT_LE(a.lateness_factor, 1.3);
    for (const std::string& file : a.files) {
      EXPECT_TRUE(absl::StartsWith(file, a.authority + "/")) << file;
      EXPECT_EQ(g.files.count(file), 1u) << file;
    }
  }
  EXPECT_THAT(codes, ElementsAre("831", "832", "833"));
  EXPECT_EQ(volumes.size(), 3u);
  EXPECT_EQ(g.files.size(), 21u);

  // Each authority's files read cleanly, and the first is the same as at
  // scale 1.
  for (const AuthorityStats& a : g.stats.authorities) {
    const Parsed parsed =
        ParseAuthority(g.files, a.authority + "/", After2023());
    EXPECT_THAT(parsed.errors, ::testing::IsEmpty()) << a.authority;
    EXPECT_EQ(static_cast<int64_t>(parsed.contacts.size()), a.contacts);
  }
  const Generated one = Generate(Year2023(1, 1));
  EXPECT_EQ(one.files.at("contacts-POLICE.csv"),
            g.files.at("831/contacts-POLICE.csv"));
}

TEST(ContactSynthesizerTest, WritesFilesInADirectory) {
  char pattern[] = "/tmp/sgm-synth-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  SynthOptions options = Year2023(5, 2);
  options.months = 1;
  absl::StatusOr<SynthStats> stats =
      synth::SynthesizeContactsToDirectory(options, dir);
  ASSERT_TRUE(stats.ok()) << stats.status();
  MemorySynthOutput memory;
  ASSERT_TRUE(SynthesizeContacts(options, &memory).ok());
  for (const auto& [name, text] : memory.files()) {
    std::ifstream in(dir + "/" + name, std::ios::binary);
    ASSERT_TRUE(in) << name;
    std::stringstream read;
    read << in.rdbuf();
    EXPECT_EQ(read.str(), text) << name;
    std::remove((dir + "/" + name).c_str());
  }
  for (const AuthorityStats& a : stats->authorities) {
    std::remove((dir + "/" + a.authority).c_str());
  }
  std::remove(dir.c_str());
}

TEST(ContactSynthesizerTest, RejectsBadOptions) {
  MemorySynthOutput output;
  SynthOptions options = Year2023();
  options.months = 0;
  EXPECT_EQ(SynthesizeContacts(options, &output).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Year2023();
  options.scale = 0;
  EXPECT_EQ(SynthesizeContacts(options, &output).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Year2023();
  options.first_authority = "LA1";
  EXPECT_EQ(SynthesizeContacts(options, &output).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Year2023();
  options.months = 241;  // the case events' limit
  EXPECT_EQ(SynthesizeContacts(options, &output).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Year2023();
  options.start_month = absl::CivilMonth(1999, 12);
  EXPECT_EQ(SynthesizeContacts(options, &output).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ContactSynthesizerTest, AuthorityCodesCountUpKeepingWidth) {
  EXPECT_EQ(*synth::AuthorityCode("831", 0), "831");
  EXPECT_EQ(*synth::AuthorityCode("831", 2), "833");
  EXPECT_EQ(*synth::AuthorityCode("099", 1), "100");
  EXPECT_EQ(*synth::AuthorityCode("001", 1), "002");
  EXPECT_FALSE(synth::AuthorityCode("", 0).ok());
  EXPECT_FALSE(synth::AuthorityCode("8a1", 0).ok());
}

TEST(ContactSynthesizerTest, AgencyForSource) {
  EXPECT_EQ(synth::AgencyForSource("6"), "POLICE");
  EXPECT_EQ(synth::AgencyForSource("2A"), "SCHOOLS");
  EXPECT_EQ(synth::AgencyForSource("2B"), "SCHOOLS");
  EXPECT_EQ(synth::AgencyForSource("3A"), "HEALTH");
  EXPECT_EQ(synth::AgencyForSource("3F"), "HEALTH");
  EXPECT_EQ(synth::AgencyForSource("5D"), "LA");
  EXPECT_EQ(synth::AgencyForSource("1C"), "PUBLIC");
  EXPECT_EQ(synth::AgencyForSource("9"), "PUBLIC");
  EXPECT_EQ(synth::AgencyForSource("10"), "PUBLIC");
  EXPECT_EQ(synth::AgencyForSource("4"), "OTHER");
  EXPECT_EQ(synth::AgencyForSource("7"), "OTHER");
  EXPECT_EQ(synth::AgencyForSource("8"), "OTHER");
}

// --- The progress bar -------------------------------------------------------

absl::Time T0() { return absl::FromUnixSeconds(1700000000); }

TEST(ProgressBarTest, RendersBytesRecordsRateAndEta) {
  std::ostringstream out;
  ProgressBar::Options options;
  options.enabled = true;
  options.out = &out;
  ProgressBar bar("contacts.csv", 2 << 20, T0(), options);
  bar.Update(1 << 20, 8402, T0() + absl::Seconds(2));
  EXPECT_EQ(bar.Render(T0() + absl::Seconds(2)),
            "contacts.csv [##########..........]  50%  1.0 MiB / 2.0 MiB  "
            "8,402 records  512.0 KiB/s  ETA 0:02");
  EXPECT_EQ(out.str(),
            "\rcontacts.csv [##########..........]  50%  1.0 MiB / 2.0 MiB  "
            "8,402 records  512.0 KiB/s  ETA 0:02\x1b[K");
}

TEST(ProgressBarTest, RedrawsAtMostEveryIntervalAndFinishesTheLine) {
  std::ostringstream out;
  ProgressBar::Options options;
  options.enabled = true;
  options.out = &out;
  ProgressBar bar("d.csv", 1000, T0(), options);
  bar.Update(100, 1, T0() + absl::Milliseconds(10));
  bar.Update(200, 2, T0() + absl::Milliseconds(50));  // too soon: skipped
  bar.Update(300, 3, T0() + absl::Milliseconds(200));
  bar.Update(1000, 10, T0() + absl::Seconds(1));
  bar.Finish(T0() + absl::Seconds(75));
  bar.Finish(T0() + absl::Seconds(80));  // once only
  const std::vector<std::string> draws = absl::StrSplit(out.str(), '\r');
  ASSERT_EQ(draws.size(), 5u);  // "" before the first '\r', then 4 draws
  EXPECT_THAT(draws[1], HasSubstr("  10%  100 B / 1000 B  1 record"));
  EXPECT_THAT(draws[2], HasSubstr("  30%  300 B / 1000 B  3 records"));
  EXPECT_EQ(draws[4],
            "d.csv [####################] 100%  1000 B / 1000 B  10 records  "
            "13 B/s  done in 1:15\x1b[K\n");
}

TEST(ProgressBarTest, UnknownTotalShowsNoBarOrEta) {
  ProgressBar bar("feed", 0, T0(), ProgressBar::Options());
  bar.Update(3 << 20, 12345, T0() + absl::Seconds(3));
  EXPECT_EQ(bar.Render(T0() + absl::Seconds(3)),
            "feed  3.0 MiB  12,345 records  1.0 MiB/s");
}

TEST(ProgressBarTest, PrintsNothingWhenNotATerminal) {
  std::ostringstream out;
  ProgressBar::Options options;
  options.enabled = false;
  options.out = &out;
  ProgressBar bar("contacts.csv", 100, T0(), options);
  bar.Update(50, 5, T0() + absl::Seconds(1));
  bar.Finish(T0() + absl::Seconds(2));
  EXPECT_EQ(out.str(), "");
  EXPECT_FALSE(bar.enabled());
}

TEST(ProgressBarTest, LongLabelsAreShortenedFromTheLeft) {
  ProgressBar bar("/very/long/directory/name/for/the/feed/contacts-POLICE.csv",
                  0, T0(), ProgressBar::Options());
  const std::string line = bar.Render(T0());
  EXPECT_TRUE(absl::StartsWith(line, "...")) << line;
  EXPECT_THAT(line, HasSubstr("contacts-POLICE.csv  0 B  0 records"));
}

TEST(ProgressBarTest, Formatting) {
  EXPECT_EQ(cli::WithThousands(0), "0");
  EXPECT_EQ(cli::WithThousands(999), "999");
  EXPECT_EQ(cli::WithThousands(1234), "1,234");
  EXPECT_EQ(cli::WithThousands(-1234567), "-1,234,567");
  EXPECT_EQ(cli::HumanBytes(1023), "1023 B");
  EXPECT_EQ(cli::HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(cli::HumanBytes(int64_t{5} << 30), "5.0 GiB");
  EXPECT_EQ(cli::ClockDuration(absl::Seconds(7)), "0:07");
  EXPECT_EQ(cli::ClockDuration(absl::Seconds(754)), "12:34");
  EXPECT_EQ(cli::ClockDuration(absl::Seconds(3723)), "1:02:03");
}

// --- The import summary -----------------------------------------------------

TEST(FormatSummaryTest, CountsThenRejections) {
  feed::v1::ImportSummary summary;
  summary.set_records(1236);
  summary.set_accepted(1234);
  summary.set_rejected(2);
  feed::v1::RecordRejection* r = summary.add_rejections();
  r->set_line(17);
  r->set_field("source_code");
  r->set_reason("unknown source code 'X'");
  r->set_key("P-17");
  r = summary.add_rejections();
  r->set_line(40);
  r->set_reason("wrong number of fields");
  EXPECT_EQ(FormatSummary(summary),
            "accepted 1,234, duplicates 0, rejected 2\n"
            "line 17, field source_code: unknown source code 'X' (key P-17)\n"
            "line 40: wrong number of fields\n");
}

TEST(FormatSummaryTest, SaysHowManyMoreThereWere) {
  feed::v1::ImportSummary summary;
  summary.set_accepted(10);
  summary.set_duplicates(5);
  summary.set_rejected(2500);
  for (int i = 0; i < 1000; ++i) {
    feed::v1::RecordRejection* r = summary.add_rejections();
    r->set_line(i + 2);
    r->set_field("received_at");
    r->set_reason("received_at is required");
  }
  summary.set_rejections_truncated(true);
  const std::string text = FormatSummary(summary, 3);
  EXPECT_EQ(text,
            "accepted 10, duplicates 5, rejected 2,500\n"
            "line 2, field received_at: received_at is required\n"
            "line 3, field received_at: received_at is required\n"
            "line 4, field received_at: received_at is required\n"
            "... and 2,497 more rejected records not listed\n");
}

TEST(FormatSummaryTest, NothingRejected) {
  feed::v1::ImportSummary summary;
  summary.set_accepted(3);
  EXPECT_EQ(FormatSummary(summary), "accepted 3, duplicates 0, rejected 0\n");
}

// --- The figures table ------------------------------------------------------

intake::v1::FrontDoorFigures SampleFigures() {
  intake::v1::FrontDoorFigures f;
  f.mutable_month()->set_year(2021);
  f.mutable_month()->set_month(3);
  f.mutable_as_of()->set_year(2021);
  f.mutable_as_of()->set_month(3);
  f.mutable_as_of()->set_day(31);
  auto* m = f.mutable_this_month();
  *m->mutable_month() = f.month();
  m->set_contacts(2499);
  m->set_contacts_year_before(1595);
  m->set_change_percent(56.7);
  for (int i = 0; i < 13; ++i) {
    auto* t = f.add_trend();
    t->mutable_month()->set_year(i < 10 ? 2020 : 2021);
    t->mutable_month()->set_month(i < 10 ? i + 3 : i - 9);
    t->set_contacts(2000 + 40 * i);
    t->set_contacts_year_before(i == 0 ? 0 : 1800);
    if (i > 0) t->set_change_percent(100.0 * (200 + 40 * i) / 1800);
  }
  auto* ytd = f.mutable_year_to_date();
  ytd->mutable_from()->set_year(2021);
  ytd->mutable_from()->set_month(1);
  ytd->mutable_from()->set_day(1);
  *ytd->mutable_to() = f.as_of();
  ytd->set_contacts(7400);
  ytd->set_per_week(575.6);
  auto* last = f.mutable_year_to_date_last_year();
  last->mutable_from()->set_year(2020);
  last->mutable_from()->set_month(1);
  last->mutable_from()->set_day(1);
  last->mutable_to()->set_year(2020);
  last->mutable_to()->set_month(3);
  last->mutable_to()->set_day(31);
  last->set_contacts(5200);
  last->set_per_week(400.0);
  f.set_per_week_change_percent(43.9);
  f.set_decided(2400);
  f.set_progressed(360);
  f.set_progressed_percent(15.0);
  const char* needs[][2] = {{"N0", "Not stated"},
                            {"N1", "Abuse or neglect"},
                            {"N2", "Child's disability"},
                            {"N6", "Socially unacceptable behaviour"}};
  const int need_counts[] = {0, 2074, 75, 125};
  for (int i = 0; i < 4; ++i) {
    auto* b = f.add_by_primary_need();
    b->set_code(needs[i][0]);
    b->set_label(needs[i][1]);
    b->set_count(need_counts[i]);
    b->set_percent(100.0 * need_counts[i] / 2499);
  }
  for (int i = 0; i < 12; ++i) {
    auto* b = f.add_by_source();
    b->set_code(absl::StrCat("S", i));
    b->set_label(absl::StrCat("Source ", i));
    b->set_count(i == 5 ? 750 : 10 + i);
    b->set_percent(1.0);
  }
  f.set_repeat_min_contacts(3);
  f.set_repeat_window_days(365);
  f.set_repeat_contacts(300);
  f.set_repeat_children(280);
  f.set_repeat_percent(12.6);
  f.set_decided_within_1wd(2100);
  f.set_decided_within_1wd_percent(87.5);
  return f;
}

TEST(FiguresTableTest, RendersTheMonthAgainstTheYearBefore) {
  const std::string table = cli::RenderFiguresTable(SampleFigures());
  EXPECT_TRUE(absl::StartsWith(
      table, "Front door: contacts in March 2021 (as of 2021-03-31)\n"))
      << table;
  EXPECT_THAT(table, HasSubstr("Contacts this month         2,499   March "
                               "2020: 1,595   change +56.7%"));
  EXPECT_THAT(table, HasSubstr("Progressed                  15.0%   360 of "
                               "2,400 decided"));
  EXPECT_THAT(table, HasSubstr("Decided within 1 wd         87.5%   2,100 of "
                               "2,400 decided"));
  EXPECT_THAT(table, HasSubstr("12.6%   300 contacts about 280 children"));
  EXPECT_THAT(table, HasSubstr("2021       2021-01-01  2021-03-31      7,400 "
                               "     575.6"));
  EXPECT_THAT(table, HasSubstr("2020       2020-01-01  2020-03-31      5,200 "
                               "     400.0"));
  EXPECT_THAT(table, HasSubstr("+43.9%"));
  EXPECT_THAT(table, HasSubstr("Trend (13 months)"));
  EXPECT_THAT(table, HasSubstr("  2020-03       2,000            0      n/a"));
  EXPECT_THAT(table, HasSubstr("  2021-03       2,480        1,800   +37.8%  "
                               "##############################\n"));
  // Needs: the largest first, zero counts left out.
  EXPECT_THAT(table, HasSubstr("  N1   Abuse or neglect"));
  EXPECT_LT(table.find("N6   Socially"), table.find("N2   Child's"));
  EXPECT_EQ(table.find("Not stated"), std::string::npos);
  // Sources: the top ten, then the rest together.
  EXPECT_LT(table.find("S5   Source 5 "), table.find("S11  Source 11"));
  EXPECT_EQ(table.find("Source 0 "), std::string::npos);
  EXPECT_THAT(table, HasSubstr("other sources (2)"));
}

TEST(FiguresTableTest, MissingPercentagesShowAsNotApplicable) {
  intake::v1::FrontDoorFigures f;
  f.mutable_month()->set_year(2024);
  f.mutable_month()->set_month(1);
  const std::string table = cli::RenderFiguresTable(f);
  EXPECT_THAT(table, HasSubstr("Progressed                    n/a"));
  EXPECT_THAT(table, HasSubstr("(no contacts)"));
}

TEST(FiguresTableTest, JsonHasProtoFieldNamesAndZeros) {
  intake::v1::FrontDoorFigures f = SampleFigures();
  f.set_repeat_children(0);
  absl::StatusOr<std::string> json = cli::RenderFiguresJson(f);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"progressed_percent\": 15"));
  EXPECT_THAT(*json, HasSubstr("\"repeat_children\": \"0\""));
  EXPECT_THAT(*json, HasSubstr("\"year_to_date_last_year\""));
  EXPECT_THAT(*json, HasSubstr("\"label\": \"Abuse or neglect\""));
  EXPECT_EQ(json->back(), '\n');
}

TEST(FiguresTableTest, SignedPercent) {
  EXPECT_EQ(cli::SignedPercent(11), "+11.0%");
  EXPECT_EQ(cli::SignedPercent(-3.25), "-3.2%");
  EXPECT_EQ(cli::SignedPercent(0), "+0.0%");
}

// --- The upload
// ---------------------------------------------------------------

TEST(FeedFormatTest, FromFlagOrExtension) {
  EXPECT_EQ(*cli::FeedFormatFor("a.csv", ""), feed::v1::FEED_FORMAT_CSV);
  EXPECT_EQ(*cli::FeedFormatFor("a.CSV", ""), feed::v1::FEED_FORMAT_CSV);
  EXPECT_EQ(*cli::FeedFormatFor("a.jsonl", ""), feed::v1::FEED_FORMAT_JSONL);
  EXPECT_EQ(*cli::FeedFormatFor("a.ndjson", ""), feed::v1::FEED_FORMAT_JSONL);
  EXPECT_EQ(*cli::FeedFormatFor("a.txt", "csv"), feed::v1::FEED_FORMAT_CSV);
  EXPECT_EQ(*cli::FeedFormatFor("a.csv", "jsonl"), feed::v1::FEED_FORMAT_JSONL);
  EXPECT_EQ(cli::FeedFormatFor("a.txt", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cli::FeedFormatFor("a.csv", "xml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FeedFormatTest, RecordCounterSkipsHeaderQuotedBreaksAndEmptyLines) {
  cli::FeedRecordCounter csv(feed::v1::FEED_FORMAT_CSV);
  csv.Add("a,b\n1,\"x\ny\"\n\n2,");
  EXPECT_EQ(csv.records(), 2);
  csv.Add("z\r\n");
  EXPECT_EQ(csv.records(), 2);
  cli::FeedRecordCounter jsonl(feed::v1::FEED_FORMAT_JSONL);
  jsonl.Add("{\"a\":\"\\n\"}\n\n{}");
  EXPECT_EQ(jsonl.records(), 2);
}

// An intake that keeps what it was sent.
class FakeIntake final : public intake::v1::IntakeService::Service {
 public:
  grpc::Status ImportContacts(
      grpc::ServerContext* context,
      grpc::ServerReader<intake::v1::ImportContactsRequest>* reader,
      intake::v1::ImportContactsResponse* response) override {
    intake::v1::ImportContactsRequest request;
    absl::MutexLock lock(&mu_);
    Record(context);
    while (reader->Read(&request)) {
      contact_messages_.push_back(request);
    }
    if (!fail_with_.ok()) return fail_with_;
    response->mutable_summary()->set_accepted(
        static_cast<int64_t>(contact_messages_.size()));
    return grpc::Status::OK;
  }

  grpc::Status ImportDecisions(
      grpc::ServerContext* context,
      grpc::ServerReader<intake::v1::ImportDecisionsRequest>* reader,
      intake::v1::ImportDecisionsResponse* response) override {
    intake::v1::ImportDecisionsRequest request;
    absl::MutexLock lock(&mu_);
    Record(context);
    while (reader->Read(&request)) decision_messages_.push_back(request);
    response->mutable_summary()->set_duplicates(7);
    return grpc::Status::OK;
  }

  void FailWith(grpc::Status status) {
    absl::MutexLock lock(&mu_);
    fail_with_ = status;
  }
  std::vector<intake::v1::ImportContactsRequest> contact_messages() {
    absl::MutexLock lock(&mu_);
    return contact_messages_;
  }
  std::vector<intake::v1::ImportDecisionsRequest> decision_messages() {
    absl::MutexLock lock(&mu_);
    return decision_messages_;
  }
  std::string authorization() {
    absl::MutexLock lock(&mu_);
    return authorization_;
  }
  bool had_deadline() {
    absl::MutexLock lock(&mu_);
    return had_deadline_;
  }

 private:
  void Record(grpc::ServerContext* context) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = context->client_metadata().find("authorization");
    if (it != context->client_metadata().end()) {
      authorization_.assign(it->second.data(), it->second.size());
    }
    had_deadline_ = context->deadline() <
                    std::chrono::system_clock::now() + std::chrono::hours(1);
  }

  absl::Mutex mu_;
  grpc::Status fail_with_ ABSL_GUARDED_BY(mu_);
  std::vector<intake::v1::ImportContactsRequest> contact_messages_
      ABSL_GUARDED_BY(mu_);
  std::vector<intake::v1::ImportDecisionsRequest> decision_messages_
      ABSL_GUARDED_BY(mu_);
  std::string authorization_ ABSL_GUARDED_BY(mu_);
  bool had_deadline_ ABSL_GUARDED_BY(mu_) = false;
};

class FeedUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service_);
    builder.SetMaxReceiveMessageSize(8 << 20);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    char pattern[] = "/tmp/sgm-upload-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& file : files_) std::remove(file.c_str());
    std::remove(dir_.c_str());
    if (server_ != nullptr) server_->Shutdown();
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream out(path, std::ios::binary);
    out << text;
    files_.push_back(path);
    return path;
  }

  FakeIntake service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(FeedUploadTest, StreamsTheFileInChunksWithFormatAndAgencyFirst) {
  std::string text = "source_record_id,received_at,source_code\n";
  int lines = 0;
  while (text.size() < 2 * cli::kUploadChunkBytes + 12345) {
    absl::StrAppend(&text, "R", lines++, ",2023-05-02T10:00:00+01:00,6\n");
  }
  const std::string path = WriteFile("police.csv", text);
  std::ostringstream bar_out;
  ProgressBar::Options options;
  options.enabled = true;
  options.out = &bar_out;
  options.min_redraw_interval = absl::ZeroDuration();
  ProgressBar bar("police.csv", static_cast<int64_t>(text.size()), absl::Now(),
                  options);

  absl::StatusOr<feed::v1::ImportSummary> summary = cli::UploadContacts(
      channel_, "tok-1", path, "", "POLICE", absl::Minutes(1), &bar);
  ASSERT_TRUE(summary.ok()) << summary.status();
  const auto messages = service_.contact_messages();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(summary->accepted(), 3);
  EXPECT_EQ(messages[0].chunk().format(), feed::v1::FEED_FORMAT_CSV);
  EXPECT_EQ(messages[0].agency(), "POLICE");
  EXPECT_EQ(messages[1].chunk().format(), feed::v1::FEED_FORMAT_UNSPECIFIED);
  EXPECT_EQ(messages[1].agency(), "");
  std::string joined;
  for (const auto& m : messages) {
    EXPECT_LE(m.chunk().data().size(), cli::kUploadChunkBytes);
    joined += m.chunk().data();
  }
  EXPECT_TRUE(joined == text);
  EXPECT_EQ(service_.authorization(), "Bearer tok-1");
  EXPECT_TRUE(service_.had_deadline());
  // The bar ended at 100% with every record counted.
  EXPECT_THAT(bar_out.str(),
              HasSubstr(absl::StrCat("100%  2.0 MiB / 2.0 MiB  ",
                                     cli::WithThousands(lines), " records")));
  EXPECT_EQ(bar_out.str().back(), '\n');
}

TEST_F(FeedUploadTest, AnEmptyFileStillSaysItsFormat) {
  const std::string path = WriteFile("empty.jsonl", "");
  absl::StatusOr<feed::v1::ImportSummary> summary = cli::UploadContacts(
      channel_, "t", path, "", "", absl::InfiniteDuration(), nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status();
  const auto messages = service_.contact_messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chunk().format(), feed::v1::FEED_FORMAT_JSONL);
  EXPECT_EQ(messages[0].chunk().data(), "");
  EXPECT_FALSE(service_.had_deadline());
}

TEST_F(FeedUploadTest, DecisionsGoToImportDecisions) {
  const std::string path =
      WriteFile("decisions.txt", "contact_ref,decided_at,outcome\n");
  absl::StatusOr<feed::v1::ImportSummary> summary = cli::UploadDecisions(
      channel_, "t", path, "csv", absl::Seconds(30), nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->duplicates(), 7);
  const auto messages = service_.decision_messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chunk().format(), feed::v1::FEED_FORMAT_CSV);
  EXPECT_EQ(messages[0].chunk().data(), "contact_ref,decided_at,outcome\n");
}

TEST_F(FeedUploadTest, RpcErrorsKeepTheirCodeAndMessage) {
  service_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                 "partners import their own agency only"));
  const std::string path = WriteFile("c.csv", "source_record_id\n");
  absl::StatusOr<feed::v1::ImportSummary> summary = cli::UploadContacts(
      channel_, "t", path, "", "HEALTH", absl::Seconds(30), nullptr);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(summary.status().message(),
            "partners import their own agency only");
}

TEST_F(FeedUploadTest, LocalProblemsAreReportedWithoutCalling) {
  absl::StatusOr<feed::v1::ImportSummary> missing = cli::UploadContacts(
      channel_, "t", dir_ + "/nope.csv", "", "", absl::Seconds(30), nullptr);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.csv"));
  const std::string path = WriteFile("feed.xml", "<x/>");
  absl::StatusOr<feed::v1::ImportSummary> format = cli::UploadContacts(
      channel_, "t", path, "", "", absl::Seconds(30), nullptr);
  EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(service_.contact_messages().empty());
}

TEST_F(FeedUploadTest, AnUnreachableGatewayIsUnavailable) {
  server_->Shutdown();
  server_.reset();
  const std::string path = WriteFile("c.csv", "source_record_id\n");
  absl::StatusOr<feed::v1::ImportSummary> summary = cli::UploadContacts(
      channel_, "t", path, "", "", absl::Seconds(5), nullptr);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable)
      << summary.status();
}

}  // namespace
}  // namespace sgm
