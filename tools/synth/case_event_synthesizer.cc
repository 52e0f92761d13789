#include "tools/synth/case_event_synthesizer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/civil_date.h"

namespace sgm::synth {
namespace {

using ::sgm::kpi::CaseEvent;
using ::sgm::kpi::EventType;

// ---------------------------------------------------------------------------
// Randomness: std::mt19937_64 (its sequence is fixed by the standard) and
// distributions of our own, since the std:: ones differ between libraries.

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }
  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-40).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }
  // [lo, hi] inclusive; lo when hi < lo.
  int Between(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal, approximately (Irwin-Hall: 12 uniforms - 6).
  double Normal() {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += Uniform();
    return sum - 6;
  }
  // Poisson(lambda), approximately: a rounded normal (every lambda used
  // here is large), never negative.
  int64_t Poisson(double lambda) {
    if (lambda <= 0) return 0;
    double sd = 1;  // sqrt(lambda) by Newton's method: no <cmath> needed
    for (int i = 0; i < 40; ++i) sd = 0.5 * (sd + lambda / sd);
    const double x = lambda + sd * Normal();
    return x <= 0 ? 0 : static_cast<int64_t>(x + 0.5);
  }
  // An index drawn with the given weights (not all zero).
  template <size_t N>
  size_t Pick(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double u = Uniform() * total;
    for (size_t i = 0; i < N; ++i) {
      if (u < weights[i]) return i;
      u -= weights[i];
    }
    return N - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------
// Calibration: a Derby-sized authority at scale 1 (see the header).

constexpr double kReferralsPerMonth = 375;
constexpr double kDirectEarlyHelpPerMonth = 95;
// Relative volume by calendar month (mean about 1): fewer in August and
// December.
constexpr double kSeason[12] = {1.02, 1.00, 1.06, 0.97, 1.02, 1.05,
                                1.03, 0.86, 1.00, 1.06, 1.06, 0.87};
// Years of journeys simulated before the first emitted month, so that the
// longest episodes (into care as a baby, out at 18) are there.
constexpr int kHistoryYears = 18;

// The referral's path.
constexpr double kNoAssessment = 0.03;
constexpr double kS47 = 0.17;
constexpr double kIcpcAfterS47 = 0.50;
constexpr double kPlanAfterIcpc = 0.85;
constexpr double kIcpcInTime = 0.88;
constexpr double kAssessmentInTime = 0.86;
// After an assessment without an S47: NFA, early help, CIN plan, care.
constexpr std::array<double, 4> kAssessmentOutcomes = {0.4475, 0.22, 0.28,
                                                       0.0525};
// Re-referrals: of a child whose CP plan ended (CP path only), of any
// child whose case closed.
constexpr double kRepeatCpPick = 0.28;
constexpr double kReReferral = 0.20;

// Visits and reviews held in time.
constexpr double kCpVisitInTime = 0.72;
constexpr double kCpReviewInTime = 0.96;
constexpr double kCinReviewInTime = 0.975;
constexpr double kClaVisitInTime = 0.60;
constexpr double kClaLongTermVisitInTime = 0.85;
constexpr double kClaReviewInTime = 0.997;
constexpr double kPreProceedings = 0.12;
constexpr double kCareAfterPreProceedings = 0.35;

// Ages at referral: unborn, 0, 1-4, 5-9, 10-15, 16-17.
using AgeWeights = std::array<double, 6>;
constexpr AgeWeights kAgesAll = {0.03, 0.09, 0.20, 0.26, 0.32, 0.10};
constexpr AgeWeights kAgesCp = {0.08, 0.12, 0.25, 0.25, 0.25, 0.05};
constexpr AgeWeights kAgesCare = {0.01, 0.15, 0.17, 0.15, 0.36, 0.16};
constexpr AgeWeights kAgesEarlyHelp = {0.02, 0.08, 0.22, 0.30, 0.30, 0.08};

// Source of referral (DESIGN section 4) and primary need, in percent.
constexpr std::array<absl::string_view, 22> kSourceCodes = {
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E",
    "3F", "4",  "5A", "5B", "5C", "5D", "6",  "7",  "8",  "9",  "10"};
constexpr std::array<double, 22> kSourceWeights = {
    5, 1, 1.5, 2, 18, 3, 3, 4, 1, 2, 4, 3, 3, 4, 2, 2, 3, 28, 4, 4, 1, 2.5};
constexpr std::array<absl::string_view, 10> kNeedCodes = {
    "N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"};
constexpr std::array<double, 10> kNeedWeights = {0.5, 65, 4,   4, 8,
                                                 12,  3,  0.5, 2, 1};
constexpr size_t kNeedDisability = 2;
constexpr std::array<absl::string_view, 5> kCategories = {"NEG", "EMO", "PHY",
                                                          "SAB", "MUL"};
// CP plans by category (the reports: neglect and emotional abuse most).
constexpr std::array<double, 5> kCategoryWeights = {50, 36, 7, 4, 3};
// The category seen at referral: physical abuse three times as common as
// at plan (the reports: "a reduction in the CP category of physical abuse
// against an increase of physical abuse seen at referral").
constexpr std::array<double, 5> kReferralCategoryWeights = {38, 31, 21, 6, 4};
// A referral that leads to a plan was seen in the plan's category this
// often (else in one drawn with kReferralCategoryWeights).
constexpr double kReferralAsPlan = 0.6;
// Referrals given a category: of those with an S47 enquiry, of the rest
// (about 60% in all).
constexpr double kReferralCategoryS47 = 0.8;
constexpr double kReferralCategoryOther = 0.56;
// An S47 enquiry leading to a plan is recorded in the plan's category this
// often (else in the referral's).
constexpr double kS47AsPlan = 0.5;

// Visits: face to face (else virtual) before 2022 and from 2022 (the
// reports: virtual "only in exceptional circumstances" after the
// pandemic); seen alone, of children aged 2 or more seen face to face, by
// kind of visit (children in care less often than on CP and CIN plans).
constexpr absl::CivilDay kAfterPandemic(2022, 1, 1);
constexpr double kVirtualBefore2022 = 0.13;
constexpr double kVirtualFrom2022 = 0.085;
constexpr double kSeenAloneCp = 0.85;
constexpr double kSeenAloneCin = 0.82;
constexpr double kSeenAloneCla = 0.58;
constexpr double kSeenAloneVirtual = 0.3;  // times the above
// CIN plans: a visit every 4-6 weeks (in time), else 43-60 days after the
// last.
constexpr double kCinVisitInTime = 0.9;
// Step-downs: the new plan or episode starts 0 to this many days after the
// old one ends.
constexpr int kStepDownGapDays = 7;

// Outcomes: S47_END codes, ICPC, CASE_CLOSED reasons (index = RC n - 1).
enum Outcome : uint8_t {
  kIcpcRequired,
  kSubstantiatedNoIcpc,
  kNotSubstantiated,
  kCpPlan,
  kNoPlan,
  kRc1,
  kRc2,
  kRc3,
  kRc4,
  kRc5,
  kRc6,
  kRc7,
  kRc8,
  kRc9,
};
constexpr absl::string_view kOutcomeCodes[] = {"ICPC_REQUIRED",
                                               "SUBSTANTIATED_NO_ICPC",
                                               "NOT_SUBSTANTIATED",
                                               "CP_PLAN",
                                               "NO_PLAN",
                                               "RC1",
                                               "RC2",
                                               "RC3",
                                               "RC4",
                                               "RC5",
                                               "RC6",
                                               "RC7",
                                               "RC8",
                                               "RC9"};

// Who holds a case (the header's id scheme). Qualified social workers
// (W ids) in assessment, child protection, children in care and disabled
// children's teams hold assessments, CP plans and care episodes (and every
// stage of a disabled child's case); unqualified family help practitioners
// (P ids) in the early help teams hold early help and CIN plans, as under
// the Families First reforms, so that each holds about 15 children.
enum Pool : uint8_t {
  kAssessmentPool,
  kProtectionPool,
  kCarePool,
  kDisabledPool,
  kFamilyHelpPool,
  kPoolCount
};
// Workers per pool at scale 1 (93 social workers, as the source reports'
// 92.6 FTE, sized to the open cases each pool holds) and per team.
constexpr int kPoolWorkers[kPoolCount] = {36, 18, 35, 4, 150};
constexpr int kTeamWorkers[kPoolCount] = {6, 6, 7, 4, 10};
constexpr absl::string_view kPoolTeams[kPoolCount] = {"ASSESS", "CP", "CLA",
                                                      "DISABLED", "EH"};

enum Level : uint8_t { kEarlyHelp, kChildInNeed, kChildProtection, kInCare };

// Row flags.
constexpr uint8_t kFlagLongTerm = 1;
constexpr uint8_t kFlagSeenAlone = 2;
constexpr uint8_t kFlagVirtual = 4;

// One event, compactly: ids are numbers whose prefix follows the type.
struct Row {
  absl::CivilDay date;
  uint32_t child = 0;   // index into the child table
  uint32_t ref = 0;     // number of the referral, plan, episode, ...
  uint32_t parent = 0;  // the referral's number (assessment and S47 events)
  uint32_t worker = 0;  // allocations: index within the pool
  EventType type = EventType::kReferral;
  uint8_t code = 0;  // source / category / outcome; pool on allocations
  uint8_t need = 0;  // primary need on REFERRAL
  uint8_t flags = 0;
  // REFERRAL, S47_START, ICPC: 1 + the index in kCategories; 0 for none.
  uint8_t category = 0;
};

struct Child {
  absl::CivilDay dob;
  absl::CivilDay busy_until;  // the end of the child's latest journey
  int32_t last_cp = -1;       // index into the CP plan records
  bool emitted = false;
};

// A CP plan, remembered so that a later plan of the same child can show it.
struct CpRecord {
  uint32_t ref = 0;
  absl::CivilDay start;
  absl::CivilDay end;
  uint8_t category = 0;
  bool emitted = false;
};

struct Stage {
  Level level = kChildInNeed;
  absl::CivilDay start;
  absl::CivilDay end;
  uint32_t ref = 0;
  uint8_t category = 0;
  bool long_term = false;
  bool pre_proceedings = false;
  absl::CivilDay pp_start;
  absl::CivilDay pp_end;
  uint32_t pp_ref = 0;
};

struct S47 {
  uint32_t ref = 0;
  absl::CivilDay discussion;
  std::optional<absl::CivilDay> second_discussion;
  absl::CivilDay start;
  absl::CivilDay end;
  Outcome outcome = kNotSubstantiated;
  std::optional<absl::CivilDay> icpc;
  bool plan = false;
};

// A child's referral and what followed, or an early help episode alone.
struct Journey {
  uint32_t child = 0;
  bool has_referral = false;
  uint32_t referral_ref = 0;
  absl::CivilDay referral;
  uint8_t source = 0;
  uint8_t need = 0;
  // 1 + the index in kCategories, 0 for none: at referral, on S47_START
  // and on the ICPC; the first CP plan's (-1 for no plan).
  uint8_t referral_category = 0;
  uint8_t s47_category = 0;
  uint8_t icpc_category = 0;
  int plan_category = -1;
  bool assessed = false;
  uint32_t assessment_ref = 0;
  absl::CivilDay assessment_start;
  absl::CivilDay assessment_end;
  std::optional<S47> s47;
  std::vector<Stage> stages;
  absl::CivilDay closed;  // CASE_CLOSED of the referral
  Outcome closure = kRc7;
  absl::CivilDay end;  // the last date of the journey
};

// The path a referral takes, drawn before the child is chosen.
enum class Path { kNoAssessment, kS47, kNfa, kEarlyHelp, kCin, kCare };

class Generator {
 public:
  Generator(const CaseEventSynthOptions& options,
            const WorkingDayCalendar& calendar)
      : options_(options),
        calendar_(calendar),
        rng_(options.seed ^ 0x5347'4D43'4153'4531ULL),
        horizon_(LastDayOf(options.first_month + (options.months - 1))),
        window_start_(
            absl::CivilDay(options.first_month - options.lead_months)),
        volume_(options.scale * options.volume),
        assessment_in_time_(InTime(kAssessmentInTime, options.lateness)),
        icpc_in_time_(InTime(kIcpcInTime, options.lateness)),
        cp_visit_in_time_(InTime(kCpVisitInTime, options.lateness)),
        cp_review_in_time_(InTime(kCpReviewInTime, options.lateness)),
        cin_visit_in_time_(InTime(kCinVisitInTime, options.lateness)),
        cin_review_in_time_(InTime(kCinReviewInTime, options.lateness)),
        cla_visit_in_time_(InTime(kClaVisitInTime, options.lateness)),
        cla_long_term_visit_in_time_(
            InTime(kClaLongTermVisitInTime, options.lateness)),
        cla_review_in_time_(InTime(kClaReviewInTime, options.lateness)) {
    for (int pool = 0; pool < kPoolCount; ++pool) {
      pool_workers_[pool] =
          std::max(1, static_cast<int>(kPoolWorkers[pool] * volume_ + 0.5));
    }
  }

  // The plan of the front door (PlanCaseEvents), kept while running.
  void KeepPlan(CaseEventPlan* plan) { plan_ = plan; }

  void Run() {
    const absl::CivilMonth first =
        options_.first_month - options_.lead_months - 12 * kHistoryYears;
    const absl::CivilMonth last = options_.first_month + (options_.months - 1);
    for (absl::CivilMonth month = first; month <= last; ++month)
      RunMonth(month);
    std::stable_sort(
        rows_.begin(), rows_.end(),
        [](const Row& a, const Row& b) { return a.date < b.date; });
  }

  const std::vector<Row>& rows() const { return rows_; }
  const std::vector<Child>& children() const { return children_; }

  CaseEvent ToEvent(const Row& row, size_t index) const {
    CaseEvent event;
    event.event_id = absl::StrFormat("E%08d", index + 1);
    event.type = row.type;
    event.child_id = ChildId(row.child);
    event.child_dob = children_[row.child].dob;
    event.ref_id = RefId(row.type, row.ref);
    if (row.parent != 0) event.parent_ref_id = Id("R", row.parent);
    event.event_date = row.date;
    switch (row.type) {
      case EventType::kReferral:
        event.source_code = std::string(kSourceCodes[row.code]);
        event.primary_need = std::string(kNeedCodes[row.need]);
        if (row.category != 0) {
          event.category = std::string(kCategories[row.category - 1]);
        }
        break;
      case EventType::kS47Start:
        if (row.category != 0) {
          event.category = std::string(kCategories[row.category - 1]);
        }
        break;
      case EventType::kCpPlanStart:
        event.category = std::string(kCategories[row.code]);
        break;
      case EventType::kIcpc:
        if (row.category != 0) {
          event.category = std::string(kCategories[row.category - 1]);
        }
        event.outcome = std::string(kOutcomeCodes[row.code]);
        break;
      case EventType::kS47End:
      case EventType::kCaseClosed:
        event.outcome = std::string(kOutcomeCodes[row.code]);
        break;
      case EventType::kAllocationStart:
      case EventType::kAllocationEnd:
        event.worker_id = WorkerId(row.code, row.worker);
        event.team = absl::StrCat(kPoolTeams[row.code],
                                  row.worker / kTeamWorkers[row.code] + 1);
        break;
      case EventType::kClaStart:
        event.long_term = (row.flags & kFlagLongTerm) != 0;
        break;
      case EventType::kCpVisit:
      case EventType::kClaVisit:
      case EventType::kCinVisit:
        event.visit_mode =
            (row.flags & kFlagVirtual) != 0 ? "VIRTUAL" : "FACE_TO_FACE";
        event.seen_alone = (row.flags & kFlagSeenAlone) != 0;
        break;
      default:
        break;
    }
    return event;
  }

 private:
  static std::string ChildId(uint32_t child) {
    return absl::StrFormat("C%07d", child + 1);
  }

  static std::string Id(absl::string_view prefix, uint32_t number) {
    return absl::StrFormat("%s%07d", prefix, number);
  }

  static std::string RefId(EventType type, uint32_t number) {
    switch (type) {
      case EventType::kReferral:
      case EventType::kCaseClosed:
        return Id("R", number);
      case EventType::kAssessmentStart:
      case EventType::kAssessmentEnd:
        return Id("A", number);
      case EventType::kStrategyDiscussion:
      case EventType::kS47Start:
      case EventType::kS47End:
      case EventType::kIcpc:
        return Id("S", number);
      case EventType::kCpPlanStart:
      case EventType::kCpPlanEnd:
      case EventType::kCpVisit:
      case EventType::kCpReview:
        return Id("CP", number);
      case EventType::kCinPlanStart:
      case EventType::kCinPlanEnd:
      case EventType::kCinReview:
      case EventType::kCinVisit:
        return Id("CN", number);
      case EventType::kClaStart:
      case EventType::kClaEnd:
      case EventType::kClaVisit:
      case EventType::kClaReview:
        return Id("LA", number);
      case EventType::kEhStart:
      case EventType::kEhEnd:
        return Id("EH", number);
      case EventType::kPreProceedingsStart:
      case EventType::kPreProceedingsEnd:
        return Id("PP", number);
      case EventType::kAllocationStart:
      case EventType::kAllocationEnd:
        return Id("AL", number);
    }
    return Id("X", number);
  }

  // W0001.. for social workers (the pools in order), P0001.. for family
  // help practitioners.
  std::string WorkerId(uint8_t pool, uint32_t index) const {
    if (pool == kFamilyHelpPool) return absl::StrFormat("P%04d", index + 1);
    uint32_t offset = 0;
    for (uint8_t p = 0; p < pool; ++p) {
      offset += static_cast<uint32_t>(pool_workers_[p]);
    }
    return absl::StrFormat("W%04d", offset + index + 1);
  }

  // ------------------------------------------------------------------------
  // Dates.

  absl::CivilDay NextWorkingDay(absl::CivilDay day) const {
    while (!calendar_.IsWorkingDay(day)) ++day;
    return day;
  }
  absl::CivilDay PreviousWorkingDay(absl::CivilDay day) const {
    while (!calendar_.IsWorkingDay(day)) --day;
    return day;
  }
  absl::CivilDay Wd(absl::CivilDay day, int n) const {
    return calendar_.AddWorkingDays(day, n);
  }
  static absl::CivilDay Eighteenth(absl::CivilDay dob) {
    return AddMonthsClamped(dob, 12 * 18);
  }
  // The chance of being in time when `lateness` times as many are late as
  // at `in_time`.
  static double InTime(double in_time, double lateness) {
    return std::clamp(1 - (1 - in_time) * lateness, 0.0, 1.0);
  }

  // ------------------------------------------------------------------------
  // Arrivals.

  void RunMonth(absl::CivilMonth month) {
    std::vector<absl::CivilDay> working_days;
    for (absl::CivilDay day = absl::CivilDay(month);
         absl::CivilMonth(day) == month; ++day) {
      if (calendar_.IsWorkingDay(day)) working_days.push_back(day);
    }
    const double season = kSeason[month.month() - 1] * volume_;
    const int64_t referrals = rng_.Poisson(kReferralsPerMonth * season);
    const int64_t early_help = rng_.Poisson(kDirectEarlyHelpPerMonth * season);
    // (day, is early help), in day order; referrals first within a day.
    std::vector<std::pair<absl::CivilDay, bool>> arrivals;
    arrivals.reserve(static_cast<size_t>(referrals + early_help));
    for (int64_t i = 0; i < referrals + early_help; ++i) {
      arrivals.emplace_back(working_days[rng_.Below(working_days.size())],
                            i >= referrals);
    }
    std::stable_sort(arrivals.begin(), arrivals.end());
    for (const auto& [day, is_early_help] : arrivals) {
      if (is_early_help) {
        EarlyHelpJourney(day);
      } else {
        ReferralJourney(day);
      }
    }
  }

  absl::CivilDay DrawDob(absl::CivilDay on, const AgeWeights& weights) {
    switch (rng_.Pick(weights)) {
      case 0:
        return on + rng_.Between(20, 150);  // unborn
      case 1:
        return on - rng_.Between(0, 364);
      case 2:
        return on - rng_.Between(365, 5 * 365 - 1);
      case 3:
        return on - rng_.Between(5 * 365, 10 * 365 - 1);
      case 4:
        return on - rng_.Between(10 * 365, 16 * 365 - 1);
      default:
        return on - rng_.Between(16 * 365, 18 * 365 - 20);
    }
  }

  uint32_t NewChild(absl::CivilDay on, const AgeWeights& weights) {
    children_.push_back(Child{DrawDob(on, weights), on, -1, false});
    return static_cast<uint32_t>(children_.size() - 1);
  }

  // A child of `pool` free on `on` and under 17, or none.
  std::optional<uint32_t> ReuseChild(const std::vector<uint32_t>& pool,
                                     absl::CivilDay on, bool after_cp) {
    // Recent entries only (about two years' worth).
    const size_t recent =
        static_cast<size_t>((after_cp ? 700 : 12000) * volume_ + 0.5);
    if (pool.empty()) return std::nullopt;
    const size_t from = pool.size() > recent ? pool.size() - recent : 0;
    for (int attempt = 0; attempt < 4; ++attempt) {
      const uint32_t index = pool[from + rng_.Below(pool.size() - from)];
      const Child& child = children_[index];
      if (child.busy_until + 7 > on) continue;
      if (!after_cp && child.busy_until < on - 730) continue;
      if (AddMonthsClamped(child.dob, 12 * 17) <= on) continue;
      if (after_cp &&
          (child.last_cp < 0 || cp_records_[child.last_cp].end + 30 > on)) {
        continue;
      }
      return index;
    }
    return std::nullopt;
  }

  void EarlyHelpJourney(absl::CivilDay day) {
    Journey journey;
    std::optional<uint32_t> child;
    if (rng_.Chance(kReReferral)) child = ReuseChild(closed_pool_, day, false);
    journey.child = child ? *child : NewChild(day, kAgesEarlyHelp);
    Stage stage;
    stage.level = kEarlyHelp;
    stage.start = day;
    stage.end = day + StageDays(kEarlyHelp);
    stage.ref = ++next_eh_;
    const absl::CivilDay adult = Eighteenth(children_[journey.child].dob);
    if (stage.end > adult) stage.end = std::max(adult, day + 1);
    journey.stages.push_back(stage);
    journey.end = stage.end;
    Finish(journey);
  }

  void ReferralJourney(absl::CivilDay day) {
    Journey journey;
    journey.has_referral = true;
    journey.referral = day;
    journey.referral_ref = ++next_referral_;
    journey.source = static_cast<uint8_t>(rng_.Pick(kSourceWeights));
    journey.need = static_cast<uint8_t>(rng_.Pick(kNeedWeights));

    // The path first, then the child (a CP path may be a repeat plan).
    Path path;
    bool icpc = false;
    bool plan = false;
    const double u = rng_.Uniform();
    if (u < kNoAssessment) {
      path = Path::kNoAssessment;
    } else if (u < kNoAssessment + kS47) {
      path = Path::kS47;
      icpc = rng_.Chance(kIcpcAfterS47);
      plan = icpc && rng_.Chance(kPlanAfterIcpc);
    } else {
      constexpr Path kOutcomes[] = {Path::kNfa, Path::kEarlyHelp, Path::kCin,
                                    Path::kCare};
      path = kOutcomes[rng_.Pick(kAssessmentOutcomes)];
    }
    DrawCategories(path, icpc, plan, &journey);
    std::optional<uint32_t> child;
    if (plan && rng_.Chance(kRepeatCpPick)) {
      child = ReuseChild(cp_pool_, day, true);
    }
    if (!child && rng_.Chance(kReReferral)) {
      child = ReuseChild(closed_pool_, day, false);
    }
    if (!child) {
      child = NewChild(day, plan                  ? kAgesCp
                            : path == Path::kCare ? kAgesCare
                                                  : kAgesAll);
    }
    journey.child = *child;

    if (path == Path::kNoAssessment) {
      journey.closed = day + rng_.Between(1, 10);
      journey.closure = rng_.Chance(0.8) ? kRc7 : kRc5;
      journey.end = journey.closed;
      Finish(journey);
      return;
    }
    journey.assessed = true;
    journey.assessment_ref = ++next_assessment_;
    const int start_offset =
        static_cast<int>(rng_.Pick(std::array<double, 4>{0.4, 0.3, 0.2, 0.1}));
    journey.assessment_start = Wd(day, start_offset);
    int end_offset;
    if (rng_.Chance(assessment_in_time_)) {
      // Skewed towards the deadline: the larger of two draws.
      const int lo = std::max(start_offset + 5, 8);
      end_offset = std::max(rng_.Between(lo, 45), rng_.Between(lo, 45));
    } else {
      end_offset = rng_.Between(46, 80);
    }
    journey.assessment_end = Wd(day, end_offset);
    absl::CivilDay closed = journey.assessment_end;

    std::optional<std::pair<Level, absl::CivilDay>> first_stage;
    bool step_down = false;  // to early help at the assessment's end
    switch (path) {
      case Path::kS47: {
        S47 s47;
        s47.ref = ++next_s47_;
        s47.discussion = Wd(day, rng_.Between(0, 2));
        s47.start = rng_.Chance(0.7) ? s47.discussion : Wd(s47.discussion, 1);
        if (rng_.Chance(0.1)) {
          s47.second_discussion = Wd(s47.discussion, rng_.Between(3, 8));
        }
        if (icpc) {
          const absl::CivilDay base =
              s47.second_discussion.value_or(s47.discussion);
          const int k = rng_.Chance(icpc_in_time_) ? rng_.Between(5, 15)
                                                   : rng_.Between(16, 25);
          s47.icpc = Wd(base, k);
          s47.end = std::min(
              *s47.icpc, Wd(s47.start, rng_.Between(2, std::max(2, k - 1))));
          s47.outcome = kIcpcRequired;
          s47.plan = plan;
          first_stage.emplace(plan ? kChildProtection : kChildInNeed,
                              *s47.icpc);
        } else {
          s47.end = Wd(s47.start, rng_.Chance(0.9) ? rng_.Between(3, 10)
                                                   : rng_.Between(11, 25));
          if (rng_.Chance(0.5)) {
            s47.outcome = kSubstantiatedNoIcpc;
            first_stage.emplace(
                kChildInNeed, Wd(journey.assessment_end, rng_.Between(0, 10)));
          } else {
            s47.outcome = kNotSubstantiated;
            journey.closure = kRc8;
          }
        }
        closed = std::max(closed, s47.end);
        journey.s47 = s47;
        break;
      }
      case Path::kNfa:
        journey.closure = kRc8;
        closed = journey.assessment_end + rng_.Between(0, 3);
        break;
      case Path::kEarlyHelp:
        step_down = true;
        break;
      case Path::kCin:
        first_stage.emplace(kChildInNeed,
                            Wd(journey.assessment_end, rng_.Between(0, 10)));
        break;
      case Path::kCare:
        first_stage.emplace(kInCare, day + rng_.Between(0, 15));
        break;
      case Path::kNoAssessment:
        break;
    }
    journey.closed = closed;
    journey.end = closed;
    if (step_down) {
      journey.closure = kRc9;
      AddEarlyHelp(&journey, closed);
    } else if (first_stage) {
      Chain(&journey, first_stage->first, first_stage->second);
    }
    Finish(journey);
  }

  // The categories seen at referral, S47 and ICPC, and the plan's.
  void DrawCategories(Path path, bool icpc, bool plan, Journey* journey) {
    const auto pick = [this](const std::array<double, 5>& weights) {
      return static_cast<uint8_t>(rng_.Pick(weights));
    };
    uint8_t seen = pick(kReferralCategoryWeights);
    if (plan) {
      journey->plan_category = pick(kCategoryWeights);
      if (rng_.Chance(kReferralAsPlan)) {
        seen = static_cast<uint8_t>(journey->plan_category);
      }
    }
    const bool s47 = path == Path::kS47;
    if (rng_.Chance(s47 ? kReferralCategoryS47 : kReferralCategoryOther)) {
      journey->referral_category = seen + 1;
    }
    if (!s47) return;
    const uint8_t at_s47 = plan && rng_.Chance(kS47AsPlan)
                               ? static_cast<uint8_t>(journey->plan_category)
                               : seen;
    journey->s47_category = at_s47 + 1;
    if (icpc) {
      journey->icpc_category =
          plan ? static_cast<uint8_t>(journey->plan_category + 1)
               : journey->s47_category;
    }
  }

  // ------------------------------------------------------------------------
  // Stages.

  int StageDays(Level level) {
    switch (level) {
      case kEarlyHelp:
        return rng_.Chance(0.9) ? rng_.Between(60, 330)
                                : rng_.Between(330, 600);
      case kChildInNeed:
        return rng_.Chance(0.9) ? rng_.Between(90, 285)
                                : rng_.Between(300, 640);
      case kChildProtection:
        switch (
            rng_.Pick(std::array<double, 5>{0.22, 0.45, 0.22, 0.07, 0.04})) {
          case 0:
            return rng_.Between(90, 180);
          case 1:
            return rng_.Between(181, 365);
          case 2:
            return rng_.Between(366, 540);
          case 3:
            return rng_.Between(541, 730);
          default:
            return rng_.Between(731, 1100);
        }
      case kInCare:
        break;
    }
    return 0;  // care: see Chain
  }

  void AddEarlyHelp(Journey* journey, absl::CivilDay from) {
    Stage stage;
    stage.level = kEarlyHelp;
    stage.start = from + rng_.Between(0, kStepDownGapDays);
    stage.end = stage.start + StageDays(kEarlyHelp);
    stage.ref = ++next_eh_;
    const absl::CivilDay adult = Eighteenth(children_[journey->child].dob);
    if (stage.start >= adult) return;
    stage.end = std::min(stage.end, adult);
    journey->stages.push_back(stage);
    journey->end = std::max(journey->end, stage.end);
  }

  // Social-work stages from `level` on `start`, until the case closes (or
  // steps down to early help, which ends the journey).
  void Chain(Journey* journey, Level level, absl::CivilDay start) {
    const Child& child = children_[journey->child];
    const absl::CivilDay adult = Eighteenth(child.dob);
    std::optional<Level> next = level;
    absl::CivilDay previous_end = journey->closed;
    for (int count = 0; next && count < 6; ++count) {
      if (start >= adult) {
        journey->closed = std::max(journey->closed, previous_end);
        journey->closure = kRc7;
        break;
      }
      Stage stage;
      stage.level = *next;
      stage.start = start;
      next.reset();
      bool to_adult = false;
      bool care_after_pp = false;
      switch (stage.level) {
        case kChildProtection: {
          stage.ref = ++next_cp_;
          stage.category =
              journey->plan_category >= 0 && count == 0
                  ? static_cast<uint8_t>(journey->plan_category)
                  : static_cast<uint8_t>(rng_.Pick(kCategoryWeights));
          const int days = StageDays(kChildProtection);
          stage.end = start + days;
          if (days > 150 && rng_.Chance(kPreProceedings)) {
            stage.pre_proceedings = true;
            stage.pp_ref = ++next_pp_;
            stage.pp_start = start + rng_.Between(60, std::min(240, days - 30));
            stage.pp_end = stage.pp_start + rng_.Between(56, 154);
            if (rng_.Chance(kCareAfterPreProceedings)) {
              care_after_pp = true;
              stage.end = stage.pp_end;
            } else {
              stage.pp_end = std::min(stage.pp_end, stage.end);
            }
          }
          break;
        }
        case kChildInNeed:
          stage.ref = ++next_cin_;
          stage.end = start + StageDays(kChildInNeed);
          break;
        case kInCare: {
          stage.ref = ++next_cla_;
          switch (rng_.Pick(std::array<double, 3>{0.45, 0.43, 0.12})) {
            case 0:
              stage.end = start + rng_.Between(7, 180);
              break;
            case 1:
              stage.end = start + rng_.Between(181, 1100);
              stage.long_term = rng_.Chance(0.25);
              break;
            default:
              stage.end = adult;
              stage.long_term = rng_.Chance(0.7);
              break;
          }
          break;
        }
        case kEarlyHelp:
          break;
      }
      if (stage.end >= adult) {
        stage.end = adult;
        to_adult = true;
      }
      if (stage.pre_proceedings) {
        if (stage.pp_start >= stage.end) {
          stage.pre_proceedings = false;  // the child turned 18 first
        } else if (stage.pp_end > stage.end) {
          stage.pp_end = stage.end;
        }
      }
      journey->stages.push_back(stage);
      journey->end = std::max(journey->end, stage.end);
      const absl::CivilDay end = stage.end;
      if (to_adult) {
        journey->closed = std::max(journey->closed, end);
        journey->closure =
            stage.level == kInCare && rng_.Chance(0.1) ? kRc6 : kRc7;
        break;
      }
      // What follows.
      bool close = false;
      Outcome reason = kRc7;
      bool early_help = false;
      switch (stage.level) {
        case kChildProtection:
          if (care_after_pp) {
            next = kInCare;
          } else {
            switch (rng_.Pick(std::array<double, 4>{0.55, 0.15, 0.10, 0.20})) {
              case 0:
                next = kChildInNeed;
                break;
              case 1:
                early_help = true;
                break;
              case 2:
                next = kInCare;
                break;
              default:
                close = true;
                break;
            }
          }
          break;
        case kChildInNeed:
          switch (rng_.Pick(std::array<double, 3>{0.65, 0.27, 0.05})) {
            case 0:
              close = true;
              reason = rng_.Chance(0.06) ? kRc5 : kRc7;
              break;
            case 1:
              early_help = true;
              break;
            default:
              next = kInCare;
              break;
          }
          break;
        case kInCare: {
          const bool young = end < AddMonthsClamped(child.dob, 12 * 10);
          switch (rng_.Pick(std::array<double, 5>{0.4, 0.2, 0.2, 0.1, 0.1})) {
            case 0:
              if (rng_.Chance(0.5)) {
                next = kChildInNeed;
              } else {
                close = true;
              }
              break;
            case 1:
              close = true;
              reason = young ? kRc1 : kRc4;
              break;
            case 2:
              close = true;
              reason = kRc4;
              break;
            case 3:
              close = true;
              reason = kRc3;
              break;
            default:
              close = true;
              break;
          }
          break;
        }
        case kEarlyHelp:
          close = true;
          break;
      }
      if (early_help) {
        journey->closed = std::max(journey->closed, end);
        journey->closure = kRc9;
        AddEarlyHelp(journey, end);
        break;
      }
      if (close || !next) {
        journey->closed = std::max(journey->closed, end);
        journey->closure = reason;
        break;
      }
      previous_end = end;
      // A step down from a CP plan to a CIN plan starts up to a week after.
      start = stage.level == kChildProtection && *next == kChildInNeed
                  ? end + rng_.Between(0, kStepDownGapDays)
                  : end;
    }
    journey->end = std::max(journey->end, journey->closed);
  }

  // Registers the journey and emits it when it reaches the window.
  void Finish(const Journey& journey) {
    Child& child = children_[journey.child];
    child.busy_until = journey.end;
    const bool emit = journey.end >= window_start_;
    closed_pool_.push_back(journey.child);
    int32_t previous_cp = child.last_cp;
    bool has_cp = false;
    for (const Stage& stage : journey.stages) {
      if (stage.level != kChildProtection) continue;
      has_cp = true;
      cp_records_.push_back(
          CpRecord{stage.ref, stage.start, stage.end, stage.category, emit});
      child.last_cp = static_cast<int32_t>(cp_records_.size() - 1);
    }
    if (has_cp) cp_pool_.push_back(journey.child);
    if (!emit) return;
    child.emitted = true;
    Rng rng(rng_.Next());
    if (has_cp && previous_cp >= 0 && !cp_records_[previous_cp].emitted) {
      // The earlier plan's start and end, so the repeat plan is visible.
      CpRecord& earlier = cp_records_[previous_cp];
      earlier.emitted = true;
      Row start =
          Base(journey, EventType::kCpPlanStart, earlier.start, earlier.ref);
      start.code = earlier.category;
      Push(start);
      Push(Base(journey, EventType::kCpPlanEnd, earlier.end, earlier.ref));
    }
    Render(journey, &rng);
    if (plan_ != nullptr) AddToPlan(journey);
  }

  // The journey's referral and open work in the front door's plan.
  void AddToPlan(const Journey& journey) {
    const std::string child_id = ChildId(journey.child);
    const absl::CivilDay dob = children_[journey.child].dob;
    if (journey.has_referral && journey.referral <= horizon_) {
      PlannedReferral referral;
      referral.date = journey.referral;
      referral.child_id = child_id;
      referral.child_dob = dob;
      referral.source_code = std::string(kSourceCodes[journey.source]);
      referral.primary_need = std::string(kNeedCodes[journey.need]);
      int category = journey.referral_category - 1;
      if (category < 0) category = journey.plan_category;
      if (category < 0) category = journey.s47_category - 1;
      if (category >= 0) referral.category = std::string(kCategories[category]);
      referral.strategy_discussion = journey.s47.has_value();
      plan_->referrals.push_back(std::move(referral));
    }
    const auto work = [&](absl::CivilDay start, absl::CivilDay end) {
      if (start > horizon_ || end <= start) return;
      plan_->open_work.push_back(PlannedOpenWork{child_id, dob, start, end});
    };
    if (journey.assessed) {
      work(journey.assessment_start, journey.assessment_end);
    }
    if (journey.s47) work(journey.s47->start, journey.s47->end);
    for (const Stage& stage : journey.stages) work(stage.start, stage.end);
  }

  // ------------------------------------------------------------------------
  // Rendering: events up to the horizon.

  Row Base(const Journey& journey, EventType type, absl::CivilDay date,
           uint32_t ref, uint32_t parent = 0) const {
    Row row;
    row.date = date;
    row.child = journey.child;
    row.ref = ref;
    row.parent = parent;
    row.type = type;
    return row;
  }

  void Push(const Row& row) {
    if (row.date <= horizon_) rows_.push_back(row);
  }

  Pool PoolFor(const Journey& journey, Level level) const {
    const bool disabled = journey.need == kNeedDisability &&
                          journey.has_referral && level != kEarlyHelp;
    if (disabled) return kDisabledPool;
    switch (level) {
      case kEarlyHelp:
      case kChildInNeed:
        return kFamilyHelpPool;
      case kChildProtection:
        return kProtectionPool;
      case kInCare:
        return kCarePool;
    }
    return kFamilyHelpPool;
  }

  void Allocate(const Journey& journey, Pool pool, absl::CivilDay start,
                absl::CivilDay end, Rng* rng) {
    if (start > horizon_) return;
    Row row =
        Base(journey, EventType::kAllocationStart, start, ++next_allocation_);
    row.code = pool;
    row.worker = static_cast<uint32_t>(
        rng->Below(static_cast<uint64_t>(pool_workers_[pool])));
    Push(row);
    row.type = EventType::kAllocationEnd;
    row.date = end;
    Push(row);
  }

  void Render(const Journey& journey, Rng* rng) {
    // Allocations: the referral's, then one per run of stages held by the
    // same pool (a long care episode changes worker every 18 months or so).
    struct Segment {
      Pool pool;
      absl::CivilDay start;
      absl::CivilDay end;
    };
    std::vector<Segment> segments;
    if (journey.has_referral) {
      const uint32_t r = journey.referral_ref;
      Row referral = Base(journey, EventType::kReferral, journey.referral, r);
      referral.code = journey.source;
      referral.need = journey.need;
      referral.category = journey.referral_category;
      Push(referral);
      absl::CivilDay assessment_phase_end = journey.closed;
      for (const Stage& stage : journey.stages) {
        if (stage.level != kEarlyHelp) {
          assessment_phase_end = stage.start;
          break;
        }
      }
      segments.push_back(
          {kAssessmentPool, journey.referral, assessment_phase_end});
      if (journey.assessed) {
        Push(Base(journey, EventType::kAssessmentStart,
                  journey.assessment_start, journey.assessment_ref, r));
        Push(Base(journey, EventType::kAssessmentEnd, journey.assessment_end,
                  journey.assessment_ref, r));
      }
      if (journey.s47) {
        const S47& s47 = *journey.s47;
        Push(Base(journey, EventType::kStrategyDiscussion, s47.discussion,
                  s47.ref, r));
        if (s47.second_discussion) {
          Push(Base(journey, EventType::kStrategyDiscussion,
                    *s47.second_discussion, s47.ref, r));
        }
        Row start = Base(journey, EventType::kS47Start, s47.start, s47.ref, r);
        start.category = journey.s47_category;
        Push(start);
        Row end = Base(journey, EventType::kS47End, s47.end, s47.ref, r);
        end.code = s47.outcome;
        Push(end);
        if (s47.icpc) {
          Row icpc = Base(journey, EventType::kIcpc, *s47.icpc, s47.ref, r);
          icpc.code = s47.plan ? kCpPlan : kNoPlan;
          icpc.category = journey.icpc_category;
          Push(icpc);
        }
      }
      Row closed = Base(journey, EventType::kCaseClosed, journey.closed, r);
      closed.code = journey.closure;
      Push(closed);
    }
    for (const Stage& stage : journey.stages) {
      RenderStage(journey, stage, rng);
      const Pool pool = PoolFor(journey, stage.level);
      if (!segments.empty() && segments.back().pool == pool &&
          segments.back().end == stage.start) {
        segments.back().end = stage.end;
      } else {
        segments.push_back({pool, stage.start, stage.end});
      }
    }
    for (const Segment& segment : segments) {
      if (segment.end <= segment.start) continue;
      absl::CivilDay from = segment.start;
      while (segment.pool == kCarePool && segment.end - from > 730 &&
             from <= horizon_) {
        const absl::CivilDay change = from + rng->Between(365, 730);
        Allocate(journey, segment.pool, from, change, rng);
        from = change;
      }
      Allocate(journey, segment.pool, from, segment.end, rng);
    }
  }

  // Face to face or virtual, and seen alone or not (children under 2 are
  // never seen alone).
  uint8_t VisitFlags(const Journey& journey, absl::CivilDay on, EventType type,
                     Rng* rng) const {
    uint8_t flags = 0;
    const bool virtual_visit = rng->Chance(
        on < kAfterPandemic ? kVirtualBefore2022 : kVirtualFrom2022);
    if (virtual_visit) flags |= kFlagVirtual;
    double alone = type == EventType::kCpVisit    ? kSeenAloneCp
                   : type == EventType::kCinVisit ? kSeenAloneCin
                                                  : kSeenAloneCla;
    if (virtual_visit) alone *= kSeenAloneVirtual;
    const bool can_be_alone =
        on >= AddMonthsClamped(children_[journey.child].dob, 12 * 2);
    if (can_be_alone && rng->Chance(alone)) flags |= kFlagSeenAlone;
    return flags;
  }

  // Reviews by the walk's timetable: `first_due`, then `next(held, index)`;
  // each held in time (on or a little before the due date, on a working
  // day) with chance `in_time`, else 1-25 days late.
  template <typename NextDue>
  void Reviews(const Journey& journey, const Stage& stage, EventType type,
               absl::CivilDay first_due, double in_time, int early_days,
               NextDue next, Rng* rng) {
    absl::CivilDay due = first_due;
    absl::CivilDay previous = stage.start;
    const absl::CivilDay last = std::min(stage.end, horizon_ + 1);
    for (int index = 0;; ++index) {
      absl::CivilDay held;
      if (rng->Chance(in_time)) {
        held = PreviousWorkingDay(due - rng->Between(0, early_days));
        if (held <= previous) held = due;
      } else {
        held = NextWorkingDay(due + rng->Between(1, 25));
      }
      if (held >= last) return;
      Push(Base(journey, type, held, stage.ref));
      previous = held;
      due = next(held, index);
    }
  }

  void RenderStage(const Journey& journey, const Stage& stage, Rng* rng) {
    const absl::CivilDay last = std::min(stage.end, horizon_ + 1);
    switch (stage.level) {
      case kEarlyHelp:
        Push(Base(journey, EventType::kEhStart, stage.start, stage.ref));
        Push(Base(journey, EventType::kEhEnd, stage.end, stage.ref));
        return;
      case kChildInNeed: {
        Push(Base(journey, EventType::kCinPlanStart, stage.start, stage.ref));
        // Visits every 4-6 weeks, the first within 10 working days.
        absl::CivilDay visit = Wd(stage.start, rng->Between(1, 10));
        while (visit < last) {
          Row row = Base(journey, EventType::kCinVisit, visit, stage.ref);
          row.flags = VisitFlags(journey, visit, EventType::kCinVisit, rng);
          Push(row);
          visit = NextWorkingDay(visit + (rng->Chance(cin_visit_in_time_)
                                              ? rng->Between(28, 40)
                                              : rng->Between(43, 60)));
        }
        Reviews(
            journey, stage, EventType::kCinReview,
            AddMonthsClamped(stage.start, 3), cin_review_in_time_, 20,
            [](absl::CivilDay held, int) { return AddMonthsClamped(held, 3); },
            rng);
        Push(Base(journey, EventType::kCinPlanEnd, stage.end, stage.ref));
        return;
      }
      case kChildProtection: {
        Row start =
            Base(journey, EventType::kCpPlanStart, stage.start, stage.ref);
        start.code = stage.category;
        Push(start);
        absl::CivilDay visit = stage.start;
        for (bool first = true;; first = false) {
          int gap;
          if (first) {
            gap = rng->Chance(0.9) ? rng->Between(1, 10) : rng->Between(11, 15);
          } else {
            gap = rng->Chance(cp_visit_in_time_) ? rng->Between(5, 10)
                                                 : rng->Between(11, 17);
          }
          visit = Wd(visit, gap);
          if (visit >= last) break;
          Row row = Base(journey, EventType::kCpVisit, visit, stage.ref);
          row.flags = VisitFlags(journey, visit, EventType::kCpVisit, rng);
          Push(row);
        }
        Reviews(
            journey, stage, EventType::kCpReview,
            AddMonthsClamped(stage.start, 3), cp_review_in_time_, 20,
            [](absl::CivilDay held, int) { return AddMonthsClamped(held, 6); },
            rng);
        if (stage.pre_proceedings) {
          Push(Base(journey, EventType::kPreProceedingsStart, stage.pp_start,
                    stage.pp_ref));
          Push(Base(journey, EventType::kPreProceedingsEnd, stage.pp_end,
                    stage.pp_ref));
        }
        Push(Base(journey, EventType::kCpPlanEnd, stage.end, stage.ref));
        return;
      }
      case kInCare: {
        Row start = Base(journey, EventType::kClaStart, stage.start, stage.ref);
        start.flags = stage.long_term ? kFlagLongTerm : 0;
        Push(start);
        const absl::CivilDay long_term_from = AddMonthsClamped(stage.start, 12);
        absl::CivilDay visit =
            stage.start +
            (rng->Chance(0.95) ? rng->Between(0, 7) : rng->Between(8, 14));
        while (visit < last) {
          Row row = Base(journey, EventType::kClaVisit, visit, stage.ref);
          row.flags = VisitFlags(journey, visit, EventType::kClaVisit, rng);
          Push(row);
          if (stage.long_term && visit >= long_term_from) {
            visit = rng->Chance(cla_long_term_visit_in_time_)
                        ? visit + rng->Between(45, 88)
                        : AddMonthsClamped(visit, 3) + rng->Between(1, 30);
          } else {
            visit = visit + (rng->Chance(cla_visit_in_time_)
                                 ? rng->Between(20, 42)
                                 : rng->Between(43, 70));
          }
        }
        Reviews(
            journey, stage, EventType::kClaReview, Wd(stage.start, 20),
            cla_review_in_time_, 10,
            [](absl::CivilDay held, int index) {
              return AddMonthsClamped(held, index == 0 ? 3 : 6);
            },
            rng);
        Push(Base(journey, EventType::kClaEnd, stage.end, stage.ref));
        return;
      }
    }
  }

  const CaseEventSynthOptions& options_;
  const WorkingDayCalendar& calendar_;
  Rng rng_;
  const absl::CivilDay horizon_;       // the last day of the last month
  const absl::CivilDay window_start_;  // journeys ending before: left out
  const double volume_;                // scale x volume
  // Chances of being in time, after the authority's lateness.
  const double assessment_in_time_;
  const double icpc_in_time_;
  const double cp_visit_in_time_;
  const double cp_review_in_time_;
  const double cin_visit_in_time_;
  const double cin_review_in_time_;
  const double cla_visit_in_time_;
  const double cla_long_term_visit_in_time_;
  const double cla_review_in_time_;
  int pool_workers_[kPoolCount] = {};  // workers per pool
  CaseEventPlan* plan_ = nullptr;      // kept when not null
  std::vector<Row> rows_;
  std::vector<Child> children_;
  std::vector<CpRecord> cp_records_;
  std::vector<uint32_t> closed_pool_;  // children by journey, in order
  std::vector<uint32_t> cp_pool_;      // children with a CP plan, in order
  uint32_t next_referral_ = 0;
  uint32_t next_assessment_ = 0;
  uint32_t next_s47_ = 0;
  uint32_t next_cp_ = 0;
  uint32_t next_cin_ = 0;
  uint32_t next_cla_ = 0;
  uint32_t next_eh_ = 0;
  uint32_t next_pp_ = 0;
  uint32_t next_allocation_ = 0;
};

absl::Status CheckOptions(const CaseEventSynthOptions& options) {
  if (options.months < 1 || options.months > 240) {
    return absl::InvalidArgumentError("months must be 1 to 240");
  }
  if (options.scale < 1 || options.scale > 100) {
    return absl::InvalidArgumentError("scale must be 1 to 100");
  }
  if (options.lead_months < 0 || options.lead_months > 60) {
    return absl::InvalidArgumentError("lead_months must be 0 to 60");
  }
  if (!(options.volume >= 0.25 && options.volume <= 4)) {
    return absl::InvalidArgumentError("volume must be 0.25 to 4");
  }
  if (!(options.lateness >= 0.5 && options.lateness <= 2)) {
    return absl::InvalidArgumentError("lateness must be 0.5 to 2");
  }
  if (options.first_month.year() < 2000 || options.first_month.year() > 2100) {
    return absl::InvalidArgumentError(
        "first_month must be in the years 2000 to 2100");
  }
  return absl::OkStatus();
}

// CSV cell: quoted when it holds a comma, quote or line break.
void AppendCsvField(std::string* out, absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out->append(value.data(), value.size());
    return;
  }
  out->push_back('"');
  for (const char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvLine(const CaseEvent& event, std::string* out) {
  const auto date = [](const std::optional<absl::CivilDay>& day) {
    return day ? FormatIsoDate(*day) : std::string();
  };
  const auto flag = [](const std::optional<bool>& value) {
    return value ? std::string(*value ? "Y" : "N") : std::string();
  };
  const std::string fields[] = {event.event_id,
                                std::string(kpi::EventTypeName(event.type)),
                                event.child_id,
                                date(event.child_dob),
                                event.ref_id,
                                event.parent_ref_id,
                                FormatIsoDate(event.event_date),
                                event.source_code,
                                event.primary_need,
                                event.category,
                                event.outcome,
                                event.worker_id,
                                event.team,
                                flag(event.long_term),
                                event.visit_mode,
                                flag(event.seen_alone)};
  bool first = true;
  for (const std::string& field : fields) {
    if (!first) out->push_back(',');
    first = false;
    AppendCsvField(out, field);
  }
  out->push_back('\n');
}

absl::Status StreamStatus(const std::ostream& out) {
  if (!out) return absl::DataLossError("writing the case-events CSV failed");
  return absl::OkStatus();
}

}  // namespace

absl::string_view CaseEventsCsvHeader() {
  return "event_id,event_type,child_id,child_dob,ref_id,parent_ref_id,"
         "event_date,source_code,primary_need,category,outcome,worker_id,team,"
         "long_term,visit_mode,seen_alone\n";
}

absl::StatusOr<std::vector<kpi::CaseEvent>> SynthesizeCaseEvents(
    const CaseEventSynthOptions& options, const WorkingDayCalendar& calendar) {
  if (absl::Status status = CheckOptions(options); !status.ok()) return status;
  Generator generator(options, calendar);
  generator.Run();
  std::vector<kpi::CaseEvent> events;
  events.reserve(generator.rows().size());
  for (size_t i = 0; i < generator.rows().size(); ++i) {
    events.push_back(generator.ToEvent(generator.rows()[i], i));
  }
  return events;
}

absl::StatusOr<CaseEventPlan> PlanCaseEvents(
    const CaseEventSynthOptions& options, const WorkingDayCalendar& calendar) {
  if (absl::Status status = CheckOptions(options); !status.ok()) return status;
  CaseEventPlan plan;
  Generator generator(options, calendar);
  generator.KeepPlan(&plan);
  generator.Run();
  std::stable_sort(plan.referrals.begin(), plan.referrals.end(),
                   [](const PlannedReferral& a, const PlannedReferral& b) {
                     return a.date < b.date;
                   });
  std::stable_sort(plan.open_work.begin(), plan.open_work.end(),
                   [](const PlannedOpenWork& a, const PlannedOpenWork& b) {
                     return a.start < b.start;
                   });
  return plan;
}

absl::Status WriteCaseEventsCsv(absl::Span<const kpi::CaseEvent> events,
                                std::ostream* out) {
  *out << CaseEventsCsvHeader();
  std::string buffer;
  for (const CaseEvent& event : events) {
    AppendCsvLine(event, &buffer);
    if (buffer.size() > (1 << 16)) {
      out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  return StreamStatus(*out);
}

absl::StatusOr<CaseEventSynthStats> SynthesizeCaseEventsCsv(
    const CaseEventSynthOptions& options, const WorkingDayCalendar& calendar,
    std::ostream* out) {
  if (absl::Status status = CheckOptions(options); !status.ok()) return status;
  Generator generator(options, calendar);
  generator.Run();
  CaseEventSynthStats stats;
  const absl::CivilDay first_day(options.first_month);
  *out << CaseEventsCsvHeader();
  std::string buffer;
  const std::vector<Row>& rows = generator.rows();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].type == EventType::kReferral && rows[i].date >= first_day) {
      ++stats.referrals_in_window;
    }
    AppendCsvLine(generator.ToEvent(rows[i], i), &buffer);
    if (buffer.size() > (1 << 16)) {
      out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  stats.events = static_cast<int64_t>(rows.size());
  for (const Child& child : generator.children()) {
    if (child.emitted) ++stats.children;
  }
  if (absl::Status status = StreamStatus(*out); !status.ok()) return status;
  return stats;
}

}  // namespace sgm::synth
