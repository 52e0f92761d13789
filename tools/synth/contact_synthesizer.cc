#include "tools/synth/contact_synthesizer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "tools/synth/synth_rng.h"

namespace sgm::synth {
namespace {

// ---------------------------------------------------------------------------
// Calibration (data/seed-figures.json, DESIGN section 1).

// Contacts a month at the first month, for the calibrated authority.
constexpr double kBaseContactsPerMonth = 2300;
// 1.11 ^ (1 / 12): +11% a year, compounded monthly from the first month.
constexpr double kMonthlyGrowth = 1.0087346;
// Relative volume by calendar month (mean 1): fewer in August and
// December, more in March and September to November.
constexpr double kSeason[12] = {1.00, 0.97, 1.08, 0.95, 1.02, 1.05,
                                1.02, 0.85, 1.06, 1.08, 1.06, 0.86};
// Relative volume by day: weekdays, Saturdays, Sundays, public holidays
// with a fixed date.
constexpr double kWeekdayWeight = 1.0;
constexpr double kSaturdayWeight = 0.38;
constexpr double kSundayWeight = 0.32;
constexpr double kFixedHolidayWeight = 0.3;

// Less than 18 years whatever the leap days, so a child born on day B is
// aged 0-17 on days B to B + kChildhoodDays - 1.
constexpr int kChildhoodDays = 6574;
constexpr double kChildPopulation = 60000;
constexpr int kRepeatWindowDays = 365;
constexpr int kMaxUnbornDays = 280;
constexpr double kRepeatPickChance = 0.235;
constexpr double kNoChildIdChance = 0.045;
constexpr double kNoChildIdChanceAnonymous = 0.2;
constexpr double kUnbornChance = 0.012;
constexpr double kNoDobChance = 0.02;
constexpr double kDecidedChance = 0.97;
// Of the contacts that do not become referrals, with a child id: about a
// child with work open on the day (duplicate input), and how often those
// are decided EXISTING_CASE.
constexpr double kOpenWorkChildChance = 0.095;
constexpr double kExistingCaseChance = 0.7;
// A referral's contact came this many days before it: 0, 1, 2.
constexpr double kDaysBeforeReferral[] = {0.5, 0.33, 0.17};
// A contact received on its referral's day came by this second of the day,
// so that it is decided the same day.
constexpr int kLatestSameDaySecond = 15 * 3600 + 30 * 60;
// Children of the case events get ids from here in the generator's child
// table (written as their case-event ids).
constexpr int64_t kCaseChildBase = int64_t{1} << 40;

struct SourceWeight {
  absl::string_view code;
  double weight;
};

// Shares of contacts by source, in percent (weekdays outside school
// holidays; weekends and August shift them).
constexpr SourceWeight kSources[] = {
    {"1A", 5}, {"1B", 1}, {"1C", 1.5}, {"1D", 2.5}, {"2A", 20.5}, {"2B", 3},
    {"3A", 3}, {"3B", 3}, {"3C", 1},   {"3D", 2},   {"3E", 4},    {"3F", 2},
    {"4", 3},  {"5A", 3}, {"5B", 2},   {"5C", 1.5}, {"5D", 1.5},  {"6", 26.5},
    {"7", 4},  {"8", 4},  {"9", 2},    {"10", 3},
};
constexpr size_t kSourceCount = sizeof(kSources) / sizeof(kSources[0]);

struct NeedWeight {
  absl::string_view code;
  double weight;
};

// Primary needs of the contacts that do not become referrals: with the
// referrals' own mix (case_event_synthesizer.cc: N1 65%, N5 12%, N4 8%, ...)
// at about 15% of the contacts, the whole feed is about 83% N1, 3% each
// N2-N4, 5% N6 and 1% N8, as the reports.
constexpr NeedWeight kNeeds[] = {
    {"N0", 0.5}, {"N1", 86.2}, {"N2", 2.8}, {"N3", 2.8}, {"N4", 2.1},
    {"N5", 0.1}, {"N6", 5.35}, {"N7", 0.5}, {"N8", 0.8}, {"N9", 0.4},
};
constexpr size_t kNeedCount = sizeof(kNeeds) / sizeof(kNeeds[0]);

// Contact concerns in the order of DESIGN section 5.
enum Concern {
  kDomesticAbuse,
  kNeglect,
  kPhysical,
  kEmotional,
  kSexual,
  kCse,
  kCce,
  kFgm,
  kMentalHealth,
  kSubstanceMisuse,
  kConcernCount
};
constexpr absl::string_view kConcernCodes[kConcernCount] = {"DOMESTIC_ABUSE",
                                                            "NEGLECT",
                                                            "PHYSICAL",
                                                            "EMOTIONAL",
                                                            "SEXUAL",
                                                            "CSE",
                                                            "CCE",
                                                            "FGM",
                                                            "MENTAL_HEALTH",
                                                            "SUBSTANCE_MISUSE"};
constexpr absl::string_view kConcernTopics[kConcernCount] = {
    "domestic abuse in the household",
    "home conditions and supervision",
    "an unexplained injury",
    "the child's emotional wellbeing",
    "possible sexual harm",
    "risk of sexual exploitation",
    "possible criminal exploitation",
    "risk of female genital mutilation",
    "a parent's mental health",
    "parental substance misuse"};

// Chance of each concern given the primary need (index as kNeeds).
constexpr double kConcernChance[kNeedCount][kConcernCount] = {
    // DA   NEG   PHY   EMO   SEX   CSE   CCE   FGM   MH    SUB
    {0.05, 0.05, 0, 0.05, 0, 0, 0, 0, 0.05, 0.05},                  // N0
    {0.35, 0.35, 0.18, 0.25, 0.07, 0.03, 0.02, 0.004, 0.12, 0.12},  // N1
    {0, 0.15, 0, 0.15, 0, 0, 0, 0, 0.1, 0},                         // N2
    {0, 0.2, 0, 0.1, 0, 0, 0, 0, 0.6, 0.25},                        // N3
    {0.25, 0.15, 0, 0.2, 0, 0, 0, 0, 0.25, 0.1},                    // N4
    {0.4, 0.1, 0, 0.3, 0, 0, 0, 0, 0.15, 0.2},                      // N5
    {0, 0, 0.05, 0.1, 0, 0.15, 0.35, 0, 0.3, 0.25},                 // N6
    {0, 0.4, 0, 0, 0, 0, 0, 0, 0, 0},                               // N7
    {0, 0.5, 0, 0.3, 0, 0, 0, 0, 0, 0},                             // N8
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},                                 // N9
};
constexpr double kPoliceDomesticAbuseChance = 0.65;  // police, N1

constexpr absl::string_view kNeedTopics[kNeedCount] = {
    "the family's circumstances",
    "the child's care",
    "support needs linked to the child's disability",
    "a parent's illness and the care of the child",
    "a family under acute stress",
    "conflict within the family",
    "the young person's behaviour",
    "financial hardship in the family",
    "the absence of a parent",
    "a request for information"};

// Made-up place and organisation stems (no people's names).
constexpr absl::string_view kAreaPrefixes[] = {
    "Ash",   "Bracken", "Cold",  "Dun", "Elm", "Fern",  "Grey",
    "Holly", "Lark",    "Marsh", "Oak", "Pen", "Thorn", "Wold"};
constexpr absl::string_view kAreaSuffixes[] = {"dale",  "moor", "vale",
                                               "field", "mere", "wick"};
constexpr absl::string_view kPlaceStems[] = {
    "Oakfield",  "Meadowbank",  "Hillside",     "Riverside",
    "Beechwood", "Brookfield",  "Larchwood",    "Fernhill",
    "Moorside",  "Westgate",    "Orchard Park", "Willow Green",
    "Ashgrove",  "Castle View", "Parkland",     "Heatherbank"};
constexpr absl::string_view kSchoolKinds[] = {
    "Primary School",
    "Infant School",
    "Junior School",
    "Academy",
    "High School",
    "Community School",
    "Church of England Primary School"};

constexpr absl::string_view kEndings[] = {".",
                                          ".",
                                          ".",
                                          " following a recent incident.",
                                          ", parents aware of the contact.",
                                          "; consent obtained from a parent.",
                                          ", with previous concerns noted.",
                                          "; the child is safe at present."};

std::string AreaName(int index) {
  constexpr int kPrefixes = sizeof(kAreaPrefixes) / sizeof(kAreaPrefixes[0]);
  constexpr int kSuffixes = sizeof(kAreaSuffixes) / sizeof(kAreaSuffixes[0]);
  const int prefix = index % kPrefixes;
  const int suffix = (index / kPrefixes + index) % kSuffixes;
  std::string name = absl::StrCat(kAreaPrefixes[prefix], kAreaSuffixes[suffix]);
  const int round = index / (kPrefixes * kSuffixes);
  if (round > 0) absl::StrAppend(&name, " ", round + 1);
  return name;
}

// ---------------------------------------------------------------------------
// Calendar helpers (weekends only: the synthesizer knows no bank holidays).

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

absl::CivilDay AddWeekdays(absl::CivilDay day, int n) {
  while (n > 0) {
    ++day;
    if (!IsWeekend(day)) --n;
  }
  return day;
}

bool IsFixedHoliday(absl::CivilDay day) {
  return (day.month() == 12 && (day.day() == 25 || day.day() == 26)) ||
         (day.month() == 1 && day.day() == 1);
}

double DayWeight(absl::CivilDay day) {
  if (IsFixedHoliday(day)) return kFixedHolidayWeight;
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::saturday:
      return kSaturdayWeight;
    case absl::Weekday::sunday:
      return kSundayWeight;
    default:
      return kWeekdayWeight;
  }
}

// CSV cell: quoted when it holds a comma, quote or line break.
void AppendCsvField(std::string* out, absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out->append(value.data(), value.size());
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

absl::string_view RecordIdPrefix(absl::string_view agency) {
  if (agency == "POLICE") return "PN";
  if (agency == "SCHOOLS") return "SC";
  if (agency == "HEALTH") return "HL";
  if (agency == "LA") return "LA";
  if (agency == "PUBLIC") return "PB";
  return "OT";
}

size_t AgencyIndex(absl::string_view agency) {
  for (size_t i = 0; i < kSynthAgencies.size(); ++i) {
    if (kSynthAgencies[i] == agency) return i;
  }
  return kSynthAgencies.size() - 1;
}

constexpr absl::string_view kContactsHeader =
    "source_record_id,received_at,child_id,child_dob,source_code,"
    "primary_need,concerns,referrer_org,summary\n";
constexpr absl::string_view kDecisionsHeader =
    "contact_ref,decided_at,outcome,decided_by\n";
constexpr absl::string_view kTimestampFormat = "%Y-%m-%dT%H:%M:%S%Ez";

// One contact of a day, before it is written.
struct DraftContact {
  int second = 0;  // local second of the day received
  int order = 0;   // draw order, to sort stably
  size_t source = 0;
  int64_t referral = -1;  // index of the planned referral it leads to
};

size_t SourceIndex(absl::string_view code) {
  for (size_t i = 0; i < kSourceCount; ++i) {
    if (kSources[i].code == code) return i;
  }
  return kSourceCount - 1;
}

size_t NeedIndex(absl::string_view code) {
  for (size_t i = 0; i < kNeedCount; ++i) {
    if (kNeeds[i].code == code) return i;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// One authority's feeds.

class AuthorityGenerator {
 public:
  AuthorityGenerator(const SynthOptions& options, int index,
                     std::string authority, absl::TimeZone tz,
                     std::string path_prefix, CaseEventPlan plan)
      : options_(options),
        index_(index),
        tz_(tz),
        path_prefix_(std::move(path_prefix)),
        rng_(AuthoritySeed(options.seed, index)),
        area_(AreaName(index)),
        plan_(std::move(plan)) {
    stats_.authority = std::move(authority);
    const AuthorityLevel level = AuthorityLevelOf(options.seed, index);
    stats_.volume_factor = level.volume;
    stats_.progression_factor = level.progression;
    stats_.lateness_factor = level.lateness;
    start_day_ = absl::CivilDay(options.start_month);
    LinkPlan();
    stats_.children =
        static_cast<int64_t>(kChildPopulation * stats_.volume_factor + 0.5);
    // Each slot of the population holds one child at a time, born within
    // the 18 years before the start; when that child comes of age the next
    // is born into the slot. So `children` are aged 0-17 on every day, and
    // nothing depends on the number of months: a longer run starts with
    // the same contacts as a shorter one.
    slot_birth_.resize(stats_.children);
    for (int32_t& birth : slot_birth_) {
      birth = -static_cast<int32_t>(rng_.Below(kChildhoodDays));
    }
    workers_ = std::max(6, static_cast<int>(18 * stats_.volume_factor + 0.5));
    schools_ = std::max(20, static_cast<int>(110 * stats_.volume_factor));
    for (int i = 0; i < static_cast<int>(kSynthAgencies.size()); ++i) {
      next_record_[i] = 1000 + rng_.Between(0, 8999);
    }
    stats_.contacts_per_month.assign(options.months, 0);
    stats_.decided_per_month.assign(options.months, 0);
    stats_.progressed_per_month.assign(options.months, 0);
  }

  // The referrals' contacts by the day they came, and each case-event
  // child's work.
  void LinkPlan() {
    for (const PlannedOpenWork& work : plan_.open_work) {
      const int64_t id = CaseChild(work.child_id, work.child_dob);
      work_of_[id].emplace_back(static_cast<int32_t>(work.start - start_day_),
                                static_cast<int32_t>(work.end - start_day_));
    }
    const absl::CivilDay last_day =
        absl::CivilDay(options_.start_month + options_.months) - 1;
    SynthRng rng(AuthoritySeed(options_.seed, index_) ^ 0x4C494E4BULL);
    for (size_t i = 0; i < plan_.referrals.size(); ++i) {
      const PlannedReferral& referral = plan_.referrals[i];
      if (referral.date < start_day_ || referral.date > last_day) continue;
      int before =
          static_cast<int>(rng.Pick(absl::MakeConstSpan(kDaysBeforeReferral)));
      // Before the referral's own work: an assessment starting on the
      // referral's day makes its contact a day or two earlier.
      const int64_t child = CaseChild(referral.child_id, referral.child_dob);
      while (before < 2 &&
             HasOpenWork(child, static_cast<int32_t>(referral.date - before -
                                                     start_day_))) {
        ++before;
      }
      const absl::CivilDay day = std::max(start_day_, referral.date - before);
      linked_.emplace_back(static_cast<int32_t>(day - start_day_),
                           static_cast<int64_t>(i));
    }
    std::stable_sort(
        linked_.begin(), linked_.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
  }

  // The generator's id of a case-event child, entered in the child table.
  int64_t CaseChild(const std::string& child_id, absl::CivilDay dob) {
    auto [it, inserted] = case_ids_.try_emplace(
        child_id, kCaseChildBase + static_cast<int64_t>(case_names_.size()));
    if (inserted) {
      case_names_.push_back(child_id);
      children_.try_emplace(it->second,
                            Child{static_cast<int32_t>(dob - start_day_)});
    }
    return it->second;
  }

  // Whether the child has work open on the day: start <= day < end.
  bool HasOpenWork(int64_t child, int32_t day_offset) const {
    auto it = work_of_.find(child);
    if (it == work_of_.end()) return false;
    for (const auto& [start, end] : it->second) {
      if (start <= day_offset && day_offset < end) return true;
    }
    return false;
  }

  // A child with work open on the day (started before it, ending after
  // it), or -1.
  int64_t OpenWorkChild(int32_t day_offset) {
    if (open_.empty()) return -1;
    for (int attempt = 0; attempt < 8; ++attempt) {
      const PlannedOpenWork& work =
          plan_.open_work[open_[rng_.Below(open_.size())]];
      if (work.end - start_day_ <= day_offset) continue;
      return CaseChild(work.child_id, work.child_dob);
    }
    return -1;
  }

  // The work open on the day, for OpenWorkChild.
  void UpdateOpenWork(absl::CivilDay day) {
    while (next_work_ < plan_.open_work.size() &&
           plan_.open_work[next_work_].start < day) {
      open_.push_back(next_work_++);
    }
    open_.erase(
        std::remove_if(open_.begin(), open_.end(),
                       [&](size_t i) { return plan_.open_work[i].end <= day; }),
        open_.end());
  }

  absl::StatusOr<AuthorityStats> Run(SynthOutput* output) {
    std::ostream* contacts[kSynthAgencies.size()];
    for (size_t i = 0; i < kSynthAgencies.size(); ++i) {
      const std::string path =
          absl::StrCat(path_prefix_, ContactsFileName(kSynthAgencies[i]));
      absl::StatusOr<std::ostream*> stream = output->Open(path);
      if (!stream.ok()) return stream.status();
      contacts[i] = *stream;
      *contacts[i] << kContactsHeader;
      stats_.files.push_back(path);
    }
    const std::string decisions_path =
        absl::StrCat(path_prefix_, kDecisionsFileName);
    absl::StatusOr<std::ostream*> decisions = output->Open(decisions_path);
    if (!decisions.ok()) return decisions.status();
    **decisions << kDecisionsHeader;
    stats_.files.push_back(decisions_path);

    std::string line;
    std::string decision_line;
    std::vector<DraftContact> day_contacts;
    for (int m = 0; m < options_.months; ++m) {
      const absl::CivilMonth month = options_.start_month + m;
      const absl::CivilDay first(month);
      const absl::CivilDay after(month + 1);
      double growth = 1;
      for (int k = 0; k < m; ++k) growth *= kMonthlyGrowth;
      const double expected = kBaseContactsPerMonth * stats_.volume_factor *
                              kSeason[month.month() - 1] * growth;
      double month_weight = 0;
      for (absl::CivilDay d = first; d < after; ++d) {
        month_weight += DayWeight(d);
      }
      for (absl::CivilDay d = first; d < after; ++d) {
        UpdateOpenWork(d);
        const int64_t n = rng_.Poisson(expected * DayWeight(d) / month_weight);
        // The day's referral contacts are among its n.
        const int32_t offset = static_cast<int32_t>(d - start_day_);
        const size_t linked_from = next_linked_;
        while (next_linked_ < linked_.size() &&
               linked_[next_linked_].first == offset) {
          ++next_linked_;
        }
        DrawDay(d,
                std::max<int64_t>(
                    0, n - static_cast<int64_t>(next_linked_ - linked_from)),
                absl::MakeConstSpan(linked_).subspan(
                    linked_from, next_linked_ - linked_from),
                &day_contacts);
        for (const DraftContact& draft : day_contacts) {
          const size_t agency =
              AgencyIndex(AgencyForSource(kSources[draft.source].code));
          line.clear();
          decision_line.clear();
          WriteContact(d, m, draft, agency, &line, &decision_line);
          *contacts[agency] << line;
          **decisions << decision_line;
        }
      }
    }

    for (size_t i = 0; i < kSynthAgencies.size(); ++i) {
      if (!*contacts[i]) {
        return absl::DataLossError(
            absl::StrCat("cannot write ", stats_.files[i]));
      }
      absl::Status closed = output->Close(stats_.files[i]);
      if (!closed.ok()) return closed;
    }
    if (!**decisions) {
      return absl::DataLossError(absl::StrCat("cannot write ", decisions_path));
    }
    absl::Status closed = output->Close(decisions_path);
    if (!closed.ok()) return closed;
    return std::move(stats_);
  }

 private:
  static constexpr int32_t kNever = std::numeric_limits<int32_t>::min() / 2;
  // Children first met before birth get ids from here (CH9000001, ...).
  static constexpr int64_t kUnbornIdBase = 9000000;

  static uint64_t AuthoritySeed(uint64_t seed, int index) {
    uint64_t state = seed;
    const uint64_t mixed = SplitMix64(&state);
    uint64_t with_index =
        mixed ^ (0xD1B54A32D192ED03ULL * (static_cast<uint64_t>(index) + 1));
    return SplitMix64(&with_index);
  }

  // The day's contacts: `n` others and those of the referrals `linked`,
  // with their sources and local times, in time order.
  void DrawDay(absl::CivilDay day, int64_t n,
               absl::Span<const std::pair<int32_t, int64_t>> linked,
               std::vector<DraftContact>* out) {
    out->clear();
    const bool weekend = IsWeekend(day) || IsFixedHoliday(day);
    double weights[kSourceCount];
    for (size_t i = 0; i < kSourceCount; ++i) {
      weights[i] =
          SourceWeightOn(kSources[i].code, day, weekend) * kSources[i].weight;
    }
    for (int64_t i = 0; i < n; ++i) {
      DraftContact draft;
      draft.order = static_cast<int>(i);
      draft.source = rng_.Pick(weights);
      draft.second = DrawSecondOfDay(kSources[draft.source].code, weekend);
      out->push_back(draft);
    }
    for (const auto& [offset, referral] : linked) {
      const PlannedReferral& planned = plan_.referrals[referral];
      DraftContact draft;
      draft.order = static_cast<int>(out->size());
      draft.source = SourceIndex(planned.source_code);
      draft.referral = referral;
      draft.second = DrawSecondOfDay(kSources[draft.source].code, weekend);
      if (planned.date == day && draft.second > kLatestSameDaySecond) {
        draft.second =
            static_cast<int>(rng_.Between(8 * 3600, kLatestSameDaySecond));
      }
      out->push_back(draft);
    }
    std::sort(out->begin(), out->end(),
              [](const DraftContact& a, const DraftContact& b) {
                return a.second != b.second ? a.second < b.second
                                            : a.order < b.order;
              });
  }

  static double SourceWeightOn(absl::string_view code, absl::CivilDay day,
                               bool weekend) {
    double factor = 1;
    const bool school = code == "2A" || code == "2B" || code == "3C";
    if (school && day.month() == 8) factor *= 0.25;
    if (school && day.month() == 12) factor *= 0.75;
    if (weekend) {
      if (school) {
        factor *= 0.05;
      } else if (code == "6") {
        factor *= 1.6;
      } else if (code == "3E") {
        factor *= 1.5;
      } else if (code[0] == '3' || code == "4") {
        factor *= 0.25;
      } else if (code[0] == '5') {
        factor *= 0.4;
      } else if (code == "7" || code == "8") {
        factor *= 0.5;
      } else if (code[0] == '1') {
        factor *= 1.2;
      }
    }
    return factor;
  }

  // Mostly office hours (a triangle from 08:00 to 18:00 peaking at 13:00);
  // police and the emergency department also around the clock, others
  // sometimes early or late.
  int DrawSecondOfDay(absl::string_view code, bool weekend) {
    if (code == "6" || code == "3E") {
      const double any_time = code == "3E" ? 0.5 : (weekend ? 0.6 : 0.35);
      if (rng_.Chance(any_time)) return static_cast<int>(rng_.Below(86400));
    } else if (rng_.Chance(weekend ? 0.3 : 0.06)) {
      // Early morning or evening: 06:00 to 22:00.
      return static_cast<int>(rng_.Between(6 * 3600, 22 * 3600 - 1));
    }
    const double hours = 8 + 5 * (rng_.Uniform() + rng_.Uniform());
    return std::min(86399, static_cast<int>(hours * 3600));
  }

  // A child of the population (aged 0-17 on the day), preferably one with
  // no contact within the repeat window.
  int64_t FreshChild(int32_t day_offset) {
    const int64_t slots = static_cast<int64_t>(slot_birth_.size());
    int64_t id = -1;
    for (int attempt = 0; attempt < 16; ++attempt) {
      const int64_t slot =
          static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(slots)));
      const int32_t generation =
          (day_offset - slot_birth_[slot]) / kChildhoodDays;
      id = 1 + slot + generation * slots;
      const Child& child =
          children_
              .try_emplace(
                  id, Child{slot_birth_[slot] + generation * kChildhoodDays})
              .first->second;
      if (day_offset - child.last_contact > kRepeatWindowDays) break;
    }
    return id;
  }

  // A child of an earlier contact within the window who is still a child
  // (or, when `unborn_ok`, unborn within kMaxUnbornDays); -1 when there is
  // none.
  int64_t RepeatChild(int32_t day_offset, bool unborn_ok) {
    while (window_start_ < recent_.size() &&
           day_offset - recent_[window_start_].first > kRepeatWindowDays) {
      ++window_start_;
    }
    if (window_start_ == recent_.size()) return -1;
    const size_t pick =
        window_start_ + rng_.Below(recent_.size() - window_start_);
    const int64_t id = recent_[pick].second;
    const int32_t dob = children_.at(id).dob;
    if (dob > day_offset) {
      return unborn_ok && dob - day_offset <= kMaxUnbornDays ? id : -1;
    }
    return day_offset - dob < kChildhoodDays ? id : -1;
  }

  // The concerns of a contact the front door saw in `category` (NEG, EMO,
  // PHY, SAB or MUL), mapping back to it as intake's abuse categories do.
  void CategoryConcerns(absl::string_view category, absl::string_view source,
                        bool* concerns) {
    const auto one = [&](absl::string_view code) {
      if (code == "NEG") {
        concerns[kNeglect] = true;
      } else if (code == "PHY") {
        concerns[kPhysical] = true;
      } else if (code == "SAB") {
        concerns[rng_.Chance(0.3) ? kCse : kSexual] = true;
      } else {  // EMO
        const bool abuse = rng_.Chance(source == "6" ? 0.8 : 0.45);
        concerns[abuse ? kDomesticAbuse : kEmotional] = true;
        if (abuse && rng_.Chance(0.3)) concerns[kEmotional] = true;
      }
    };
    if (category == "MUL") {
      constexpr absl::string_view kCodes[] = {"NEG", "EMO", "PHY", "SAB"};
      constexpr double kWeights[] = {0.4, 0.3, 0.25, 0.05};
      const size_t a = rng_.Pick(absl::MakeConstSpan(kWeights));
      size_t b = a;
      while (b == a) b = rng_.Pick(absl::MakeConstSpan(kWeights));
      one(kCodes[a]);
      one(kCodes[b]);
    } else {
      one(category);
    }
    if (rng_.Chance(0.15)) concerns[kMentalHealth] = true;
    if (rng_.Chance(0.15)) concerns[kSubstanceMisuse] = true;
  }

  // The contact's child: an id of the generator's child table, or -1.
  int64_t DrawChild(absl::string_view source, int32_t day_offset) {
    const double no_id_chance = (source == "9" || source == "10")
                                    ? kNoChildIdChanceAnonymous
                                    : kNoChildIdChance;
    if (rng_.Chance(no_id_chance)) return -1;
    // Pre-birth contacts come from health, social care, police and family,
    // not from schools.
    const bool school = source == "2A" || source == "2B" || source == "3C";
    if (rng_.Chance(kOpenWorkChildChance)) {
      const int64_t child = OpenWorkChild(day_offset);
      if (child >= 0) return child;
    }
    if (!school && rng_.Chance(kUnbornChance)) {
      const int64_t child = kUnbornIdBase + ++unborn_ids_;
      children_.emplace(
          child, Child{day_offset +
                       static_cast<int32_t>(rng_.Between(1, kMaxUnbornDays))});
      return child;
    }
    // Until a month of contacts is in the window, fewer repeats, so that
    // the first children do not take them all.
    const double warm =
        std::min(1.0, static_cast<double>(recent_.size() - window_start_) /
                          (kBaseContactsPerMonth * stats_.volume_factor));
    int64_t child = -1;
    if (rng_.Chance(kRepeatPickChance * warm)) {
      child = RepeatChild(day_offset, !school);
    }
    if (child < 0) child = FreshChild(day_offset);
    return child;
  }

  std::string ChildIdText(int64_t child) const {
    if (child >= kCaseChildBase) return case_names_[child - kCaseChildBase];
    return absl::StrFormat("CH%07d", child);
  }

  void WriteContact(absl::CivilDay day, int month_index,
                    const DraftContact& draft, size_t agency_index,
                    std::string* line, std::string* decision_line) {
    const absl::string_view source = kSources[draft.source].code;
    const absl::string_view agency = kSynthAgencies[agency_index];
    const int32_t day_offset = static_cast<int32_t>(day - start_day_);
    const PlannedReferral* referral =
        draft.referral >= 0 ? &plan_.referrals[draft.referral] : nullptr;

    // The record id: unique per agency.
    const std::string record_id =
        absl::StrFormat("%s-%04d-%06d", RecordIdPrefix(agency), day.year(),
                        next_record_[agency_index]++);
    const absl::Time received =
        tz_.At(absl::CivilSecond(day.year(), day.month(), day.day(), 0, 0,
                                 draft.second))
            .pre;

    // The child.
    const int64_t child =
        referral != nullptr ? CaseChild(referral->child_id, referral->child_dob)
                            : DrawChild(source, day_offset);
    bool repeat = false;
    bool unborn = false;
    bool open_work = false;
    absl::CivilDay dob;
    if (child >= 0) {
      Child& known = children_.at(child);
      repeat = day_offset - known.last_contact <= kRepeatWindowDays;
      known.last_contact = day_offset;
      recent_.emplace_back(day_offset, child);
      dob = start_day_ + known.dob;
      if (dob > day) unborn = true;
      open_work = HasOpenWork(child, day_offset);
    }
    const bool with_dob =
        child >= 0 && (referral != nullptr || !rng_.Chance(kNoDobChance));

    // Need and concerns.
    size_t need;
    if (referral != nullptr) {
      need = NeedIndex(referral->primary_need);
    } else {
      double need_weights[kNeedCount];
      for (size_t i = 0; i < kNeedCount; ++i) {
        need_weights[i] = kNeeds[i].weight;
      }
      need = rng_.Pick(need_weights);
    }
    bool concerns[kConcernCount] = {};
    if (referral != nullptr && !referral->category.empty()) {
      CategoryConcerns(referral->category, source, concerns);
    } else {
      int drawn = 0;
      for (int c = 0; c < kConcernCount; ++c) {
        double chance = kConcernChance[need][c];
        if (need == 1 && c == kDomesticAbuse && source == "6") {
          chance = kPoliceDomesticAbuseChance;
        }
        if (chance > 0 && rng_.Chance(chance)) {
          concerns[c] = true;
          ++drawn;
        }
      }
      if (need == 1 && drawn == 0) {
        concerns[rng_.Chance(0.5) ? kNeglect : kEmotional] = true;
      }
    }
    std::string concern_list;
    int first_concern = -1;
    int concern_count = 0;
    for (int c = 0; c < kConcernCount; ++c) {
      if (!concerns[c]) continue;
      ++concern_count;
      if (first_concern < 0) first_concern = c;
      if (!concern_list.empty()) concern_list.push_back(';');
      absl::StrAppend(&concern_list, kConcernCodes[c]);
    }
    // The summary names one concern: the first, or another one at random.
    int topic_concern = first_concern;
    if (concern_count > 1 && rng_.Chance(0.5)) {
      int skip = static_cast<int>(rng_.Below(concern_count));
      for (int c = 0; c < kConcernCount; ++c) {
        if (concerns[c] && skip-- == 0) topic_concern = c;
      }
    }

    // The line.
    AppendCsvField(line, record_id);
    line->push_back(',');
    line->append(absl::FormatTime(kTimestampFormat, received, tz_));
    line->push_back(',');
    if (child >= 0) line->append(ChildIdText(child));
    line->push_back(',');
    if (with_dob) {
      line->append(absl::FormatCivilTime(dob));
    }
    line->push_back(',');
    line->append(source.data(), source.size());
    line->push_back(',');
    line->append(kNeeds[need].code.data(), kNeeds[need].code.size());
    line->push_back(',');
    line->append(concern_list);
    line->push_back(',');
    AppendCsvField(line, ReferrerOrg(source));
    line->push_back(',');
    AppendCsvField(line, Summary(source, need, topic_concern));
    line->push_back('\n');

    // Stats.
    ++stats_.contacts;
    ++stats_.contacts_per_month[month_index];
    if (child >= 0) ++stats_.with_child_id;
    if (repeat) ++stats_.repeat_contacts;
    if (unborn) ++stats_.unborn;
    if (open_work) ++stats_.duplicate_input;
    if (referral != nullptr) ++stats_.referral_contacts;
    ++stats_.by_primary_need[std::string(kNeeds[need].code)];
    ++stats_.by_source[std::string(source)];
    ++stats_.by_agency[std::string(agency)];

    // The decision: a referral's by its date; the others' as the front
    // door's.
    if (referral == nullptr && !rng_.Chance(kDecidedChance)) return;
    absl::string_view outcome;
    if (referral != nullptr) {
      outcome =
          referral->strategy_discussion ? "STRATEGY_DISCUSSION" : "REFERRAL";
      ++stats_.progressed;
      ++stats_.progressed_per_month[month_index];
    } else if (open_work && rng_.Chance(kExistingCaseChance)) {
      outcome = "EXISTING_CASE";
    } else {
      const double weights[] = {0.32, 0.26, 0.27, repeat ? 0.35 : 0.12};
      constexpr absl::string_view kOutcomes[] = {"NFA", "ADVICE", "EARLY_HELP",
                                                 "EXISTING_CASE"};
      outcome = kOutcomes[rng_.Pick(weights)];
    }
    ++stats_.decided;
    ++stats_.decided_per_month[month_index];

    absl::CivilDay decided_day = day;
    int decided_second = 0;
    constexpr int kLateAfternoon = 16 * 3600;
    constexpr int kCloseOfDay = 17 * 3600 + 45 * 60;
    if (referral != nullptr) {
      if (referral->date == day) {
        // Received by kLatestSameDaySecond: decided within a few hours.
        const int earliest = draft.second + 15 * 60;
        const int latest = std::max(
            earliest + 60, std::min(draft.second + 3 * 3600, kCloseOfDay));
        decided_second = static_cast<int>(rng_.Between(earliest, latest));
      } else {
        decided_day = referral->date;
        decided_second =
            static_cast<int>(rng_.Between(9 * 3600, 17 * 3600 + 1800));
      }
    } else {
      const double u = rng_.Uniform();
      const bool office_day = !IsWeekend(day) && !IsFixedHoliday(day);
      if (office_day && draft.second < kLateAfternoon && u < 0.62) {
        const int earliest = draft.second + 15 * 60;
        const int latest = std::max(
            earliest + 60, std::min(draft.second + 4 * 3600, kCloseOfDay));
        decided_second = static_cast<int>(rng_.Between(earliest, latest));
      } else {
        int working_days = 1;
        if (u >= 0.96) {
          working_days = static_cast<int>(rng_.Between(4, 10));
        } else if (u >= 0.88) {
          working_days = static_cast<int>(rng_.Between(2, 3));
        }
        decided_day = AddWeekdays(day, working_days);
        decided_second =
            static_cast<int>(rng_.Between(9 * 3600, 17 * 3600 + 1800));
      }
    }
    if (decided_day <= AddWeekdays(day, 1)) ++stats_.decided_by_next_weekday;
    const absl::Time decided =
        tz_.At(absl::CivilSecond(decided_day.year(), decided_day.month(),
                                 decided_day.day(), 0, 0, decided_second))
            .pre;
    AppendCsvField(decision_line, absl::StrCat(agency, ":", record_id));
    decision_line->push_back(',');
    decision_line->append(absl::FormatTime(kTimestampFormat, decided, tz_));
    decision_line->push_back(',');
    decision_line->append(outcome.data(), outcome.size());
    decision_line->push_back(',');
    decision_line->append(
        absl::StrFormat("MASH-%02d", 1 + rng_.Below(workers_)));
    decision_line->push_back('\n');
  }

  std::string PlaceStem() {
    return std::string(rng_.PickFrom(absl::MakeConstSpan(kPlaceStems)));
  }

  std::string ReferrerOrg(absl::string_view source) {
    if (source[0] == '1' || source == "9" || source == "10") return "";
    if (source == "6") return absl::StrCat(area_, " Constabulary");
    if (source == "2A") {
      constexpr size_t kStems = sizeof(kPlaceStems) / sizeof(kPlaceStems[0]);
      constexpr size_t kKinds = sizeof(kSchoolKinds) / sizeof(kSchoolKinds[0]);
      const size_t school = rng_.Below(static_cast<uint64_t>(schools_));
      std::string name = absl::StrCat(kPlaceStems[school % kStems], " ",
                                      kSchoolKinds[(school / kStems) % kKinds]);
      const size_t round = school / (kStems * kKinds);
      if (round > 0) absl::StrAppend(&name, " (", area_, " ", round + 1, ")");
      return name;
    }
    if (source == "2B") {
      constexpr absl::string_view kKinds[] = {" Education Welfare Service",
                                              " SEND Team", " Virtual School"};
      return absl::StrCat(area_, rng_.PickFrom(absl::MakeConstSpan(kKinds)));
    }
    if (source == "3A") {
      constexpr absl::string_view kKinds[] = {" Medical Practice", " Surgery",
                                              " Health Centre"};
      return absl::StrCat(PlaceStem(),
                          rng_.PickFrom(absl::MakeConstSpan(kKinds)));
    }
    if (source == "3B") return absl::StrCat(area_, " Health Visiting Service");
    if (source == "3C") return absl::StrCat(area_, " School Nursing Service");
    if (source == "3D") {
      switch (rng_.Below(3)) {
        case 0:
          return absl::StrCat(area_, " Community Dental Service");
        case 1:
          return absl::StrCat(PlaceStem(), " Pharmacy");
        default:
          return absl::StrCat(area_, " Midwifery Service");
      }
    }
    if (source == "3E") {
      return absl::StrCat(
          area_, rng_.Chance(0.7) ? " Royal Infirmary Emergency Department"
                                  : " General Hospital Emergency Department");
    }
    if (source == "3F") {
      constexpr absl::string_view kKinds[] = {
          " CAMHS", " Adult Mental Health Service", " Maternity Unit",
          " Drug and Alcohol Service"};
      return absl::StrCat(area_, rng_.PickFrom(absl::MakeConstSpan(kKinds)));
    }
    if (source == "4") {
      switch (rng_.Below(3)) {
        case 0:
          return absl::StrCat(area_, " Homes");
        case 1:
          return absl::StrCat(area_, " Housing Options Team");
        default:
          return absl::StrCat(PlaceStem(), " Housing Association");
      }
    }
    if (source == "5A") return absl::StrCat(area_, " Children's Social Care");
    if (source == "5B") {
      return absl::StrCat(
          area_, rng_.Chance(0.5) ? " Youth Service" : " Adult Social Care");
    }
    if (source == "5C") {
      return absl::StrCat(
          AreaName(index_ + 1 + static_cast<int>(rng_.Below(5))),
          " Children's Services");
    }
    if (source == "5D") return absl::StrCat(area_, " Early Help Team");
    if (source == "7") {
      switch (rng_.Below(3)) {
        case 0:
          return absl::StrCat(area_, " Youth Justice Service");
        case 1:
          return absl::StrCat(area_, " Probation Delivery Unit");
        default:
          return "Family Court Advisory Service";
      }
    }
    switch (rng_.Below(4)) {
      case 0:
        return absl::StrCat(PlaceStem(), " Day Nursery");
      case 1:
        return absl::StrCat(area_, " Women's Aid");
      case 2:
        return absl::StrCat(area_, " Family Centre");
      default:
        return absl::StrCat(PlaceStem(), " Children's Centre");
    }
  }

  std::string Summary(absl::string_view source, size_t need, int concern) {
    const absl::string_view topic =
        concern >= 0 ? kConcernTopics[concern] : kNeedTopics[need];
    const absl::string_view ending =
        rng_.PickFrom(absl::MakeConstSpan(kEndings));
    if (source == "6" && concern == kDomesticAbuse && rng_.Chance(0.6)) {
      return absl::StrCat(
          "Police attended a domestic incident at the family home; ",
          rng_.Chance(0.5) ? "the child was present"
                           : "the child was not present",
          ending);
    }
    if (source == "2A" && rng_.Chance(0.3)) {
      return absl::StrCat("School reports concerns about attendance and ",
                          rng_.Chance(0.5) ? "presentation" : "behaviour",
                          ending);
    }
    if (source == "3E" && rng_.Chance(0.5)) {
      return absl::StrCat(
          "Attendance at the emergency department; concerns about ", topic,
          ending);
    }
    absl::string_view who = "A professional";
    if (source == "1A")
      who = "A relative";
    else if (source == "1B")
      who = "A neighbour";
    else if (source == "1C")
      who = "The young person";
    else if (source == "1D")
      who = "A member of the public";
    else if (source == "2A")
      who = "School";
    else if (source == "2B")
      who = "The education welfare service";
    else if (source == "3A")
      who = "The GP";
    else if (source == "3B")
      who = "The health visitor";
    else if (source == "3C")
      who = "The school nurse";
    else if (source == "3D")
      who = "A health practitioner";
    else if (source == "3E")
      who = "The emergency department";
    else if (source == "3F")
      who = "The health service";
    else if (source == "4")
      who = "Housing";
    else if (source == "5A")
      who = "Children's social care";
    else if (source == "5B")
      who = "A council service";
    else if (source == "5C")
      who = "Another local authority";
    else if (source == "5D")
      who = "Early help";
    else if (source == "6")
      who = "Police";
    else if (source == "7")
      who = "A legal agency";
    else if (source == "8")
      who = "A voluntary agency";
    else if (source == "9")
      who = "An anonymous caller";
    else if (source == "10")
      who = "A caller";
    constexpr absl::string_view kVerbs[] = {
        " reports concerns about ", " raises concerns about ",
        " shares information about ", " asks for advice about "};
    constexpr absl::string_view kPluralVerbs[] = {
        " report concerns about ", " raise concerns about ",
        " share information about ", " ask for advice about "};
    const size_t verb = rng_.Below(4);
    return absl::StrCat(who,
                        who == "Police" ? kPluralVerbs[verb] : kVerbs[verb],
                        topic, ending);
  }

  const SynthOptions& options_;
  const int index_;
  const absl::TimeZone tz_;
  const std::string path_prefix_;
  SynthRng rng_;
  const std::string area_;
  AuthorityStats stats_;
  absl::CivilDay start_day_;
  // Per population slot, the birth (days from start_day_) of its child at
  // the start; the slot's later children follow every kChildhoodDays.
  std::vector<int32_t> slot_birth_;
  // Children met so far by id.
  struct Child {
    int32_t dob;  // days from start_day_
    int32_t last_contact = kNever;
  };
  absl::flat_hash_map<int64_t, Child> children_;
  int64_t unborn_ids_ = 0;
  // Contacts about a child, in time order: (day offset, child).
  std::vector<std::pair<int32_t, int64_t>> recent_;
  size_t window_start_ = 0;
  int workers_ = 0;
  int schools_ = 0;
  int64_t next_record_[kSynthAgencies.size()] = {};
  // The case events' plan: the referrals' contacts by day (day offset,
  // referral), the next to write; the case-event children by id and their
  // work (day offsets, start <= d < end); the work open on the day.
  CaseEventPlan plan_;
  std::vector<std::pair<int32_t, int64_t>> linked_;
  size_t next_linked_ = 0;
  absl::flat_hash_map<std::string, int64_t> case_ids_;
  std::vector<std::string> case_names_;
  absl::flat_hash_map<int64_t, std::vector<std::pair<int32_t, int32_t>>>
      work_of_;
  std::vector<size_t> open_;
  size_t next_work_ = 0;
};

// mkdir -p
absl::Status MakeDirectories(const std::string& path) {
  for (size_t end = 1; end <= path.size(); ++end) {
    if (end < path.size() && path[end] != '/') continue;
    const std::string prefix = path.substr(0, end);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot create directory ", prefix, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view AgencyForSource(absl::string_view source_code) {
  if (source_code == "6") return "POLICE";
  if (source_code == "2A" || source_code == "2B") return "SCHOOLS";
  if (source_code.size() == 2 && source_code[0] == '3') return "HEALTH";
  if (source_code.size() == 2 && source_code[0] == '5') return "LA";
  if ((source_code.size() == 2 && source_code[0] == '1') ||
      source_code == "9" || source_code == "10") {
    return "PUBLIC";
  }
  return "OTHER";
}

std::string ContactsFileName(absl::string_view agency) {
  return absl::StrCat("contacts-", agency, ".csv");
}

absl::StatusOr<std::string> AuthorityCode(absl::string_view first, int index) {
  int64_t code = 0;
  if (first.empty() || first.size() > 9 ||
      !std::all_of(first.begin(), first.end(),
                   [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(first, &code)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "authority code '", first, "' is not a number of up to 9 digits"));
  }
  std::string text = absl::StrCat(code + index);
  if (text.size() < first.size()) {
    text.insert(0, first.size() - text.size(), '0');
  }
  return text;
}

absl::StatusOr<std::ostream*> MemorySynthOutput::Open(const std::string& path) {
  if (open_.count(path) > 0 || files_.count(path) > 0) {
    return absl::AlreadyExistsError(absl::StrCat(path, " was already written"));
  }
  auto stream = std::make_unique<std::ostringstream>();
  std::ostream* result = stream.get();
  open_[path] = std::move(stream);
  return result;
}

absl::Status MemorySynthOutput::Close(const std::string& path) {
  auto it = open_.find(path);
  if (it == open_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not open"));
  }
  files_[path] = it->second->str();
  open_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<std::ostream*> DirectorySynthOutput::Open(
    const std::string& path) {
  const std::string full = absl::StrCat(root_, "/", path);
  const size_t slash = full.rfind('/');
  absl::Status made = MakeDirectories(full.substr(0, slash));
  if (!made.ok()) return made;
  auto stream = std::make_unique<std::ofstream>(
      full, std::ios::out | std::ios::binary | std::ios::trunc);
  if (!*stream) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", full, ": ", std::strerror(errno)));
  }
  std::ostream* result = stream.get();
  open_[path] = std::move(stream);
  return result;
}

absl::Status DirectorySynthOutput::Close(const std::string& path) {
  auto it = open_.find(path);
  if (it == open_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not open"));
  }
  auto* file = static_cast<std::ofstream*>(it->second.get());
  file->close();
  const bool ok = !file->fail();
  open_.erase(it);
  if (!ok) {
    return absl::DataLossError(absl::StrCat("cannot write ", root_, "/", path));
  }
  return absl::OkStatus();
}

CaseEventSynthOptions CaseEventOptionsFor(const SynthOptions& options,
                                          int index) {
  const AuthorityLevel level = AuthorityLevelOf(options.seed, index);
  CaseEventSynthOptions events;
  events.seed = AuthoritySeedOf(options.seed, index);
  events.first_month = options.start_month;
  events.months = options.months;
  events.volume = level.case_volume();
  events.lateness = level.lateness;
  return events;
}

absl::StatusOr<SynthStats> SynthesizeContacts(const SynthOptions& options,
                                              SynthOutput* output) {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  if (!calendar.ok()) return calendar.status();
  return SynthesizeContacts(options, *calendar, output);
}

absl::StatusOr<SynthStats> SynthesizeContacts(
    const SynthOptions& options, const WorkingDayCalendar& calendar,
    SynthOutput* output) {
  if (options.months < 1 || options.months > 240) {
    return absl::InvalidArgumentError("months must be 1 to 240");
  }
  if (options.scale < 1 || options.scale > 1000) {
    return absl::InvalidArgumentError("scale must be 1 to 1,000");
  }
  if (options.start_month.year() < 2000 || options.start_month.year() > 2100) {
    return absl::InvalidArgumentError(
        "start_month must be in the years 2000 to 2100");
  }
  absl::StatusOr<std::string> last =
      AuthorityCode(options.first_authority, options.scale - 1);
  if (!last.ok()) return last.status();
  absl::TimeZone tz;
  if (!absl::LoadTimeZone("Europe/London", &tz)) {
    return absl::FailedPreconditionError(
        "time zone Europe/London not found (install tzdata)");
  }
  SynthStats stats;
  stats.start_month = options.start_month;
  stats.months = options.months;
  for (int i = 0; i < options.scale; ++i) {
    absl::StatusOr<std::string> code =
        AuthorityCode(options.first_authority, i);
    if (!code.ok()) return code.status();
    std::string prefix = options.scale > 1 ? absl::StrCat(*code, "/") : "";
    absl::StatusOr<CaseEventPlan> plan =
        PlanCaseEvents(CaseEventOptionsFor(options, i), calendar);
    if (!plan.ok()) return plan.status();
    AuthorityGenerator generator(options, i, *code, tz, std::move(prefix),
                                 *std::move(plan));
    absl::StatusOr<AuthorityStats> authority = generator.Run(output);
    if (!authority.ok()) return authority.status();
    stats.authorities.push_back(*std::move(authority));
  }
  return stats;
}

absl::StatusOr<SynthStats> SynthesizeContactsToDirectory(
    const SynthOptions& options, const std::string& dir) {
  DirectorySynthOutput output(dir.empty() ? std::string(".") : dir);
  return SynthesizeContacts(options, &output);
}

}  // namespace sgm::synth
