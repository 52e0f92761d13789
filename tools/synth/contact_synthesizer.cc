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
constexpr double kProgressedChance = 0.15;

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
  double progression;  // multiplies the chance of progressing
};

constexpr NeedWeight kNeeds[] = {
    {"N0", 0.5, 0.3}, {"N1", 83, 1.06},  {"N2", 3, 0.75}, {"N3", 3, 0.75},
    {"N4", 3, 0.75},  {"N5", 0.5, 0.75}, {"N6", 5, 0.75}, {"N7", 0.5, 0.75},
    {"N8", 1, 0.75},  {"N9", 0.5, 0.2},
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
};

// ---------------------------------------------------------------------------
// One authority's feeds.

class AuthorityGenerator {
 public:
  AuthorityGenerator(const SynthOptions& options, int index,
                     std::string authority, absl::TimeZone tz,
                     std::string path_prefix)
      : options_(options),
        index_(index),
        tz_(tz),
        path_prefix_(std::move(path_prefix)),
        rng_(AuthoritySeed(options.seed, index)),
        area_(AreaName(index)) {
    stats_.authority = std::move(authority);
    // Always drawn, so that every authority's stream is laid out alike.
    const double volume = rng_.Uniform(0.6, 1.6);
    const double progression = rng_.Uniform(0.6, 1.6);
    if (index > 0) {
      stats_.volume_factor = volume;
      stats_.progression_factor = progression;
    }
    start_day_ = absl::CivilDay(options.start_month);
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
        const int64_t n = rng_.Poisson(expected * DayWeight(d) / month_weight);
        DrawDay(d, n, &day_contacts);
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

  // The day's contacts: their sources and local times, in time order.
  void DrawDay(absl::CivilDay day, int64_t n, std::vector<DraftContact>* out) {
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

  void WriteContact(absl::CivilDay day, int month_index,
                    const DraftContact& draft, size_t agency_index,
                    std::string* line, std::string* decision_line) {
    const absl::string_view source = kSources[draft.source].code;
    const absl::string_view agency = kSynthAgencies[agency_index];
    const int32_t day_offset = static_cast<int32_t>(day - start_day_);

    // The record id: unique per agency.
    const std::string record_id =
        absl::StrFormat("%s-%04d-%06d", RecordIdPrefix(agency), day.year(),
                        next_record_[agency_index]++);
    const absl::Time received =
        tz_.At(absl::CivilSecond(day.year(), day.month(), day.day(), 0, 0,
                                 draft.second))
            .pre;

    // The child.
    int64_t child = -1;
    bool unborn = false;
    const double no_id_chance = (source == "9" || source == "10")
                                    ? kNoChildIdChanceAnonymous
                                    : kNoChildIdChance;
    if (!rng_.Chance(no_id_chance)) {
      // Pre-birth contacts come from health, social care, police and
      // family, not from schools.
      const bool school = source == "2A" || source == "2B" || source == "3C";
      if (!school && rng_.Chance(kUnbornChance)) {
        child = kUnbornIdBase + ++unborn_ids_;
        children_.emplace(
            child, Child{day_offset + static_cast<int32_t>(
                                          rng_.Between(1, kMaxUnbornDays))});
      } else {
        // Until a month of contacts is in the window, fewer repeats, so
        // that the first children do not take them all.
        const double warm =
            std::min(1.0, static_cast<double>(recent_.size() - window_start_) /
                              (kBaseContactsPerMonth * stats_.volume_factor));
        if (rng_.Chance(kRepeatPickChance * warm)) {
          child = RepeatChild(day_offset, !school);
        }
        if (child < 0) child = FreshChild(day_offset);
      }
    }
    bool repeat = false;
    absl::CivilDay dob;
    if (child >= 0) {
      Child& known = children_.at(child);
      repeat = day_offset - known.last_contact <= kRepeatWindowDays;
      known.last_contact = day_offset;
      recent_.emplace_back(day_offset, child);
      dob = start_day_ + known.dob;
      if (dob > day) unborn = true;
    }
    const bool with_dob = child >= 0 && !rng_.Chance(kNoDobChance);

    // Need and concerns.
    double need_weights[kNeedCount];
    for (size_t i = 0; i < kNeedCount; ++i) need_weights[i] = kNeeds[i].weight;
    const size_t need = rng_.Pick(need_weights);
    bool concerns[kConcernCount] = {};
    int concern_count = 0;
    for (int c = 0; c < kConcernCount; ++c) {
      double chance = kConcernChance[need][c];
      if (need == 1 && c == kDomesticAbuse && source == "6") {
        chance = kPoliceDomesticAbuseChance;
      }
      if (chance > 0 && rng_.Chance(chance)) {
        concerns[c] = true;
        ++concern_count;
      }
    }
    if (need == 1 && concern_count == 0) {
      concerns[rng_.Chance(0.5) ? kNeglect : kEmotional] = true;
      ++concern_count;
    }
    std::string concern_list;
    int first_concern = -1;
    for (int c = 0; c < kConcernCount; ++c) {
      if (!concerns[c]) continue;
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
    if (child >= 0) line->append(absl::StrFormat("CH%07d", child));
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
    ++stats_.by_primary_need[std::string(kNeeds[need].code)];
    ++stats_.by_source[std::string(source)];
    ++stats_.by_agency[std::string(agency)];

    // The decision.
    if (!rng_.Chance(kDecidedChance)) return;
    const double progress_chance =
        std::min(0.6, kProgressedChance * stats_.progression_factor *
                          kNeeds[need].progression);
    absl::string_view outcome;
    if (rng_.Chance(progress_chance)) {
      outcome = rng_.Chance(0.78) ? "REFERRAL" : "STRATEGY_DISCUSSION";
      ++stats_.progressed;
      ++stats_.progressed_per_month[month_index];
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
    const double u = rng_.Uniform();
    const bool office_day = !IsWeekend(day) && !IsFixedHoliday(day);
    constexpr int kLateAfternoon = 16 * 3600;
    constexpr int kCloseOfDay = 17 * 3600 + 45 * 60;
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

absl::StatusOr<SynthStats> SynthesizeContacts(const SynthOptions& options,
                                              SynthOutput* output) {
  if (options.months < 1 || options.months > 1200) {
    return absl::InvalidArgumentError("months must be 1 to 1,200");
  }
  if (options.scale < 1 || options.scale > 1000) {
    return absl::InvalidArgumentError("scale must be 1 to 1,000");
  }
  if (options.start_month.year() < 1900 ||
      (options.start_month + options.months).year() > 2999) {
    return absl::InvalidArgumentError(
        "the months generated must lie within 1900 to 2999");
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
    AuthorityGenerator generator(options, i, *code, tz, std::move(prefix));
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
