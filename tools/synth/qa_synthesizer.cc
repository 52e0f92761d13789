#include "tools/synth/qa_synthesizer.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/civil_date.h"
#include "tools/synth/synth_rng.h"

namespace sgm::synth {
namespace {

using qa::Action;
using qa::Audit;
using qa::AuditType;
using qa::DomainGrade;
using qa::Feedback;
using qa::FeedbackSource;
using qa::Grade;
using qa::Theme;

// The bi-monthly themes in turn; a theme's audits are drawn from the teams
// whose names start with team_prefix ("": any team).
struct ThemeKind {
  const char* code;
  const char* name;
  const char* team_prefix;
};
constexpr ThemeKind kThemeKinds[] = {
    {"CP", "Child protection", "CP"},
    {"CIC", "Children in care", "CLA"},
    {"NEG", "Neglect", ""},
    {"EH", "Early help and family help", "EH"},
    {"VOC", "Voice of the child", ""},
    {"ASSESS", "Quality of assessments", "ASSESS"},
    {"DA", "Domestic abuse", ""},
};

// The graded domains, and the chance a domain is graded one worse or one
// better than the audit's overall grade.
constexpr const char* kDomains[] = {"VOICE_OF_THE_CHILD",
                                    "MANAGEMENT_OVERSIGHT", "PLANNING",
                                    "RISK_ASSESSMENT", "RECORDING"};
constexpr int kDomainCount = 5;
constexpr double kDomainWorse[kDomainCount] = {0.15, 0.30, 0.20, 0.20, 0.30};
constexpr double kDomainBetter[kDomainCount] = {0.20, 0.10, 0.15, 0.15, 0.10};

// Calibration (at scale 1, per month unless said otherwise).
constexpr int kAuditsLow = 24;  // plus the re-audits, about 3 a month
constexpr int kAuditsHigh = 35;
constexpr double kThemedShare = 0.20;
constexpr double kObservationShare = 0.10;
constexpr double kMultiAgencyShare = 0.06;
constexpr double kModeratedShare = 0.20;
constexpr double kModeratorAgrees = 0.80;
constexpr double kModeratorHarsher = 0.65;  // of the disagreements
// Chance, in each of the second to fourth months after it, that an audit
// graded requires improvement or worse is re-audited.
constexpr double kReauditPerMonth = 0.12;
constexpr double kReauditImproves = 0.80;
constexpr double kReauditUnchanged = 0.15;  // the rest: worse
constexpr int kFeedbackLow = 30;
constexpr int kFeedbackHigh = 50;
constexpr double kFeedbackWithComment = 0.7;
constexpr double kActionPerWeakAudit = 0.8;
constexpr int kBoardActionsLow = 5;
constexpr int kBoardActionsHigh = 8;
// Actions: the share ever completed (the rest stay open, overdue), of
// those the share completed by the due date, and how late the others are.
constexpr double kActionCompleted = 0.96;
constexpr double kCompletedOnTime = 0.80;
constexpr int kMostDaysLate = 75;

constexpr int kAuditors = 10;
constexpr const char* kMultiAgencyAuditor = "Safeguarding Partnership Panel";
constexpr const char* kModerators[] = {"Principal Social Worker",
                                       "Head of Quality Assurance",
                                       "Service Manager QA"};
constexpr const char* kBoardOwners[] = {"Head of Service",
                                        "Principal Social Worker",
                                        "Quality Assurance Lead",
                                        "Workforce Development Lead",
                                        "Service Manager Safeguarding",
                                        "Service Manager Children In Care"};

// Findings by grade (1-4): short, generic, no names.
constexpr const char* kFindings[4][3] = {
    {"Outstanding practice: the child's lived experience is clear "
     "throughout and the plan is reviewed on time.",
     "Exemplary recording; the child's views shape the plan.",
     "Strong, reflective supervision with clear next steps."},
    {"Good practice: the plan is clear and reviewed; the child's views are "
     "recorded.",
     "Purposeful visits and evident management oversight.",
     "Risks are understood and the plan addresses them."},
    {"The plan lacks measurable outcomes; management oversight is not "
     "evident.",
     "The chronology is out of date and the child's voice is unclear.",
     "Visits are regular but their purpose is not recorded."},
    {"Risks are not assessed or acted on; no evidence of management "
     "oversight.",
     "The plan does not address the identified risks; visits are overdue.",
     "Drift and delay: no review of the plan in the period."}};

// Feedback comments by rating band: 1-2, 3, 4-5.
constexpr const char* kComments[3][4] = {
    {"Hard to get hold of the worker.", "Did not feel listened to.",
     "Too many changes of worker.", "Information sharing was slow."},
    {"Some delays, but the support helped.", "A mixed experience.",
     "Communication could be better.", "Helpful once things got going."},
    {"Helpful and listened to us.", "The worker explained things clearly.",
     "Felt supported throughout.", "Good communication and quick replies."}};

// Rating weights (1 to 5) by source: means about 3.9 families, 4.05
// young people, 3.8 partner agencies, 3.7 staff; 3.85 over all.
constexpr double kRatingWeights[4][5] = {
    {0.04, 0.07, 0.15, 0.40, 0.34},  // FAMILY
    {0.03, 0.05, 0.14, 0.40, 0.38},  // YOUNG_PERSON
    {0.03, 0.07, 0.22, 0.45, 0.23},  // PARTNER_AGENCY
    {0.04, 0.10, 0.24, 0.40, 0.22},  // STAFF
};
constexpr double kSourceWeights[4] = {0.35, 0.20, 0.25, 0.20};
constexpr FeedbackSource kSources[4] = {
    FeedbackSource::kFamily, FeedbackSource::kYoungPerson,
    FeedbackSource::kPartnerAgency, FeedbackSource::kStaff};
// Chance a piece of feedback names a team, by source.
constexpr double kFeedbackNamesTeam[4] = {0.9, 0.9, 0.5, 0.4};

// The first month of the theme that covers `month` (Jan-Feb, Mar-Apr, ...).
absl::CivilMonth ThemeStart(absl::CivilMonth month) {
  return month - static_cast<int>((month.month() - 1) % 2);
}

const ThemeKind& ThemeKindOf(absl::CivilMonth start) {
  const int64_t pair = (start.year() * 12 + (start.month() - 1)) / 2;
  return kThemeKinds[pair % (sizeof(kThemeKinds) / sizeof(kThemeKinds[0]))];
}

Theme ThemeStartingIn(absl::CivilMonth start) {
  const ThemeKind& kind = ThemeKindOf(start);
  Theme theme;
  theme.theme_id =
      absl::StrFormat("%s-%04d-%02d", kind.code, start.year(), start.month());
  theme.name = kind.name;
  theme.start_date = absl::CivilDay(start);
  theme.end_date = LastDayOf(start + 1);
  return theme;
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

class QaBuilder {
 public:
  QaBuilder(const QaSynthOptions& options,
            absl::Span<const kpi::Allocation> allocations)
      : options_(options),
        allocations_(allocations),
        rng_(options.seed * 0x9E3779B97F4A7C15ULL + 0x0A0D17),
        last_day_(LastDayOf(options.first_month + (options.months - 1))) {}

  QaFeeds Build() {
    QaFeeds feeds;
    for (absl::CivilMonth start = ThemeStart(options_.first_month);
         absl::CivilDay(start) <= last_day_; start += 2) {
      feeds.themes.push_back(ThemeStartingIn(start));
    }
    for (int i = 0; i < options_.months; ++i) {
      const double progress =
          options_.months > 1 ? static_cast<double>(i) / (options_.months - 1)
                              : 0.5;
      BuildMonth(options_.first_month + i, progress);
    }
    feeds.audits = std::move(audits_);
    feeds.feedback = std::move(feedback_);
    feeds.actions = std::move(actions_);
    return feeds;
  }

 private:
  void BuildMonth(absl::CivilMonth month, double progress) {
    const absl::CivilDay first(month);
    const absl::CivilDay last = LastDayOf(month);
    std::vector<const kpi::Allocation*> open;
    for (const kpi::Allocation& a : allocations_) {
      if (a.start <= last &&
          !(a.end && (*a.end <= first || *a.end <= a.start))) {
        open.push_back(&a);
      }
    }
    const Theme theme = ThemeStartingIn(ThemeStart(month));
    std::vector<const kpi::Allocation*> themed;
    const std::string prefix = ThemeKindOf(ThemeStart(month)).team_prefix;
    for (const kpi::Allocation* a : open) {
      if (absl::StartsWith(a->team, prefix)) themed.push_back(a);
    }
    if (themed.empty()) themed = open;

    std::vector<Audit> audits;
    const int count = static_cast<int>(rng_.Between(
        kAuditsLow * options_.scale, kAuditsHigh * options_.scale));
    for (int i = 0; i < count && !open.empty(); ++i) {
      const double u = rng_.Uniform();
      AuditType type = AuditType::kCaseFile;
      if (u < kThemedShare) {
        type = AuditType::kThemed;
      } else if (u < kThemedShare + kObservationShare) {
        type = AuditType::kObservation;
      } else if (u < kThemedShare + kObservationShare + kMultiAgencyShare) {
        type = AuditType::kMultiAgency;
      }
      const kpi::Allocation& a = type == AuditType::kThemed
                                     ? *themed[rng_.Below(themed.size())]
                                     : *open[rng_.Below(open.size())];
      Audit audit;
      audit.child_id = a.child_id;
      audit.type = type;
      if (type == AuditType::kThemed) audit.theme_id = theme.theme_id;
      audit.team = a.team;
      audit.worker_id = a.worker_id;
      audit.audit_date = DayWithin(std::max(first, a.start),
                                   a.end ? std::min(last, *a.end - 1) : last);
      audit.grade = DrawGrade(progress);
      audit.auditor =
          type == AuditType::kMultiAgency
              ? kMultiAgencyAuditor
              : absl::StrFormat("Auditor %02d", rng_.Between(1, kAuditors));
      Finish(&audit);
      audits.push_back(std::move(audit));
    }
    AddReaudits(month, &audits);

    // Ids in date order (the generation order breaks ties).
    std::stable_sort(audits.begin(), audits.end(),
                     [](const Audit& x, const Audit& y) {
                       return x.audit_date < y.audit_date;
                     });
    const size_t first_index = audits_.size();
    for (Audit& audit : audits) {
      audit.audit_id = absl::StrFormat("AUD%07d", ++audit_number_);
      audits_.push_back(std::move(audit));
    }
    for (size_t i = first_index; i < audits_.size(); ++i) {
      if (audits_[i].EffectiveGrade() >= qa::kRequiresImprovement &&
          audits_[i].reaudit_of.empty()) {
        pending_reaudits_.push_back({i, month});
      }
    }
    AddActions(month, first_index);
    AddFeedback(month, open);
  }

  // A day from `lo` to `hi`, a weekday when a few draws find one.
  absl::CivilDay DayWithin(absl::CivilDay lo, absl::CivilDay hi) {
    if (hi < lo) hi = lo;
    absl::CivilDay day = lo;
    for (int attempt = 0; attempt < 4; ++attempt) {
      day = lo + static_cast<int64_t>(
                     rng_.Below(static_cast<uint64_t>(hi - lo + 1)));
      if (!IsWeekend(day)) break;
    }
    return day;
  }

  // About 10% outstanding, 55% good, 30% requires improvement and 5%
  // inadequate over the window, requires improvement giving way to good as
  // `progress` goes from 0 (the first month) to 1 (the last).
  Grade DrawGrade(double progress) {
    const double weights[] = {0.10, 0.52 + 0.06 * progress,
                              0.33 - 0.06 * progress, 0.05};
    return static_cast<Grade>(rng_.Pick(weights)) + 1;
  }

  // The domains, the moderation and the findings of an audit whose grade is
  // set.
  void Finish(Audit* audit) {
    // 3 or 4 of the 5 domains, in the list's order.
    const int left_out = rng_.Chance(0.5) ? 1 : 2;
    bool skip[kDomainCount] = {};
    for (int n = 0; n < left_out;) {
      const size_t i = rng_.Below(kDomainCount);
      if (!skip[i]) {
        skip[i] = true;
        ++n;
      }
    }
    audit->domains.clear();
    for (int i = 0; i < kDomainCount; ++i) {
      if (skip[i]) continue;
      Grade grade = audit->grade;
      const double u = rng_.Uniform();
      if (u < kDomainWorse[i]) {
        grade = std::min(qa::kInadequate, grade + 1);
      } else if (u < kDomainWorse[i] + kDomainBetter[i]) {
        grade = std::max(qa::kOutstanding, grade - 1);
      }
      audit->domains.push_back(DomainGrade{kDomains[i], grade});
    }
    if (rng_.Chance(kModeratedShare)) {
      Grade moderated = audit->grade;
      if (!rng_.Chance(kModeratorAgrees)) {
        moderated = rng_.Chance(kModeratorHarsher) ? audit->grade + 1
                                                   : audit->grade - 1;
        if (moderated > qa::kInadequate) moderated = qa::kRequiresImprovement;
        if (moderated < qa::kOutstanding) moderated = qa::kGood;
      }
      audit->moderated_grade = moderated;
      audit->moderator = kModerators[rng_.Below(3)];
    }
    audit->findings = kFindings[audit->EffectiveGrade() - 1][rng_.Below(3)];
  }

  // Re-audits this month of the audits graded requires improvement or
  // worse two to four months before.
  void AddReaudits(absl::CivilMonth month, std::vector<Audit>* audits) {
    const absl::CivilDay first(month);
    const absl::CivilDay last = LastDayOf(month);
    std::vector<Pending> still;
    for (const Pending& p : pending_reaudits_) {
      const int64_t after = month - p.month;
      if (after < 2) {
        still.push_back(p);
        continue;
      }
      if (!rng_.Chance(kReauditPerMonth)) {
        if (after < 4) still.push_back(p);
        continue;
      }
      const Audit& original = audits_[p.index];
      const Grade before = original.EffectiveGrade();
      Audit audit;
      audit.child_id = original.child_id;
      audit.type = AuditType::kCaseFile;
      audit.team = original.team;
      audit.worker_id = original.worker_id;
      audit.reaudit_of = original.audit_id;
      audit.audit_date = DayWithin(first, last);
      audit.auditor =
          absl::StrFormat("Auditor %02d", rng_.Between(1, kAuditors));
      const double u = rng_.Uniform();
      if (u < kReauditImproves) {
        audit.grade = before - 1;
        if (before == qa::kInadequate && rng_.Chance(0.3)) {
          audit.grade = qa::kGood;
        }
      } else if (u < kReauditImproves + kReauditUnchanged) {
        audit.grade = before;
      } else {
        audit.grade = std::min(qa::kInadequate, before + 1);
      }
      Finish(&audit);
      audits->push_back(std::move(audit));
    }
    pending_reaudits_ = std::move(still);
  }

  // Actions from this month's audits graded requires improvement or worse
  // (from audits_[first_index] on) and from the month's QA board.
  void AddActions(absl::CivilMonth month, size_t first_index) {
    std::vector<Action> actions;
    for (size_t i = first_index; i < audits_.size(); ++i) {
      const Audit& audit = audits_[i];
      if (audit.EffectiveGrade() < qa::kRequiresImprovement ||
          !rng_.Chance(kActionPerWeakAudit)) {
        continue;
      }
      Action action;
      action.origin_ref = audit.audit_id;
      action.owner = rng_.Chance(0.5) || audit.worker_id.empty()
                         ? absl::StrCat(audit.team, " team manager")
                         : audit.worker_id;
      action.raised_on = audit.audit_date;
      actions.push_back(std::move(action));
    }
    // The board meets on the month's second Tuesday.
    absl::CivilDay board(month);
    while (absl::GetWeekday(board) != absl::Weekday::tuesday) ++board;
    board += 7;
    const int board_actions = static_cast<int>(rng_.Between(
        kBoardActionsLow * options_.scale, kBoardActionsHigh * options_.scale));
    for (int i = 0; i < board_actions; ++i) {
      Action action;
      action.origin_ref = absl::StrCat("BOARD-", FormatIsoMonth(month));
      action.owner = kBoardOwners[rng_.Below(sizeof(kBoardOwners) /
                                             sizeof(kBoardOwners[0]))];
      action.raised_on = board;
      actions.push_back(std::move(action));
    }
    for (Action& action : actions) {
      const absl::CivilDay raised = *action.raised_on;
      action.due_date = raised + 7 * rng_.Between(4, 12);
      if (!rng_.Chance(kActionCompleted)) continue;
      absl::CivilDay done;
      if (rng_.Chance(kCompletedOnTime)) {
        done = raised + rng_.Between(3, action.due_date - raised);
      } else {
        done = action.due_date + rng_.Between(1, kMostDaysLate);
      }
      if (done <= last_day_) action.completed_date = done;
    }
    std::stable_sort(actions.begin(), actions.end(),
                     [](const Action& x, const Action& y) {
                       return *x.raised_on < *y.raised_on;
                     });
    for (Action& action : actions) {
      action.action_id = absl::StrFormat("ACT%07d", ++action_number_);
      actions_.push_back(std::move(action));
    }
  }

  void AddFeedback(absl::CivilMonth month,
                   const std::vector<const kpi::Allocation*>& open) {
    const absl::CivilDay first(month);
    const int64_t days = LastDayOf(month) - first + 1;
    std::vector<Feedback> pieces;
    const int count = static_cast<int>(rng_.Between(
        kFeedbackLow * options_.scale, kFeedbackHigh * options_.scale));
    for (int i = 0; i < count; ++i) {
      const size_t source = rng_.Pick(kSourceWeights);
      Feedback f;
      f.source = kSources[source];
      f.received_on =
          first + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(days)));
      f.rating = static_cast<int>(rng_.Pick(kRatingWeights[source])) + 1;
      if (!open.empty() && rng_.Chance(kFeedbackNamesTeam[source])) {
        f.team = open[rng_.Below(open.size())]->team;
      }
      if (rng_.Chance(kFeedbackWithComment)) {
        const int band = f.rating <= 2 ? 0 : f.rating == 3 ? 1 : 2;
        f.comment = kComments[band][rng_.Below(4)];
      }
      pieces.push_back(std::move(f));
    }
    std::stable_sort(pieces.begin(), pieces.end(),
                     [](const Feedback& x, const Feedback& y) {
                       return x.received_on < y.received_on;
                     });
    for (Feedback& f : pieces) {
      f.feedback_id = absl::StrFormat("FB%07d", ++feedback_number_);
      feedback_.push_back(std::move(f));
    }
  }

  struct Pending {
    size_t index;  // in audits_
    absl::CivilMonth month;
  };

  const QaSynthOptions& options_;
  absl::Span<const kpi::Allocation> allocations_;
  SynthRng rng_;
  const absl::CivilDay last_day_;
  std::vector<Audit> audits_;
  std::vector<Feedback> feedback_;
  std::vector<Action> actions_;
  std::vector<Pending> pending_reaudits_;
  int64_t audit_number_ = 0;
  int64_t feedback_number_ = 0;
  int64_t action_number_ = 0;
};

// A CSV field: quoted when it holds a comma, quote or line break.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string OptionalDate(const std::optional<absl::CivilDay>& day) {
  return day ? FormatIsoDate(*day) : "";
}

absl::Status Finish(std::ostream* out) {
  out->flush();
  if (!*out) return absl::DataLossError("could not write the feed file");
  return absl::OkStatus();
}

}  // namespace

std::vector<kpi::Allocation> CaseAllocationsOf(
    absl::Span<const kpi::CaseEvent> events) {
  std::map<std::string, kpi::Allocation> by_ref;
  for (const kpi::CaseEvent& e : events) {
    if (e.type != kpi::EventType::kAllocationStart) continue;
    auto [it, inserted] = by_ref.try_emplace(e.ref_id);
    kpi::Allocation& a = it->second;
    if (inserted || e.event_date < a.start) {
      a.ref_id = e.ref_id;
      a.child_id = e.child_id;
      a.worker_id = e.worker_id;
      a.team = e.team;
      a.start = e.event_date;
    }
  }
  for (const kpi::CaseEvent& e : events) {
    if (e.type != kpi::EventType::kAllocationEnd) continue;
    auto it = by_ref.find(e.ref_id);
    if (it == by_ref.end() || e.event_date < it->second.start) continue;
    kpi::Allocation& a = it->second;
    if (!a.end || e.event_date < *a.end) a.end = e.event_date;
  }
  std::vector<kpi::Allocation> allocations;
  for (auto& [ref, a] : by_ref) {
    if (a.worker_id.empty() || a.team.empty()) continue;
    allocations.push_back(std::move(a));
  }
  std::stable_sort(allocations.begin(), allocations.end(),
                   [](const kpi::Allocation& x, const kpi::Allocation& y) {
                     return x.start < y.start;
                   });
  return allocations;
}

absl::StatusOr<QaFeeds> SynthesizeQa(
    const QaSynthOptions& options,
    absl::Span<const kpi::Allocation> allocations) {
  if (options.first_month < absl::CivilMonth(2000, 1) ||
      options.first_month > absl::CivilMonth(2100, 12)) {
    return absl::InvalidArgumentError("first_month: 2000-01 to 2100-12");
  }
  if (options.months < 1 || options.months > 240) {
    return absl::InvalidArgumentError("months: 1 to 240");
  }
  if (options.scale < 1 || options.scale > 100) {
    return absl::InvalidArgumentError("scale: 1 to 100");
  }
  const absl::CivilDay first(options.first_month);
  const absl::CivilDay last =
      LastDayOf(options.first_month + (options.months - 1));
  const bool any_open = std::any_of(
      allocations.begin(), allocations.end(), [&](const kpi::Allocation& a) {
        return a.start <= last && !(a.end && *a.end <= first) &&
               !a.child_id.empty() && !a.team.empty();
      });
  if (!any_open) {
    return absl::InvalidArgumentError(
        "allocations: none open in the window (the case events allocate no "
        "case then)");
  }
  return QaBuilder(options, allocations).Build();
}

absl::Status WriteThemesCsv(absl::Span<const Theme> themes, std::ostream* out) {
  *out << "theme_id,name,start_date,end_date\n";
  for (const Theme& t : themes) {
    *out << CsvField(t.theme_id) << ',' << CsvField(t.name) << ','
         << FormatIsoDate(t.start_date) << ',' << FormatIsoDate(t.end_date)
         << '\n';
  }
  return Finish(out);
}

absl::Status WriteAuditsCsv(absl::Span<const Audit> audits, std::ostream* out) {
  *out << "audit_id,child_id,type,theme,team,worker_id,auditor,audit_date,"
          "grade,moderated_grade,moderator,domains,findings,reaudit_of,"
          "sample_id\n";
  for (const Audit& a : audits) {
    std::vector<std::string> domains;
    for (const DomainGrade& d : a.domains) {
      domains.push_back(absl::StrCat(d.domain, "=", d.grade));
    }
    *out << CsvField(a.audit_id) << ',' << CsvField(a.child_id) << ','
         << qa::AuditTypeName(a.type) << ',' << CsvField(a.theme_id) << ','
         << CsvField(a.team) << ',' << CsvField(a.worker_id) << ','
         << CsvField(a.auditor) << ',' << FormatIsoDate(a.audit_date) << ','
         << a.grade << ','
         << (a.moderated_grade ? absl::StrCat(*a.moderated_grade) : "") << ','
         << CsvField(a.moderator) << ',' << absl::StrJoin(domains, ";") << ','
         << CsvField(a.findings) << ',' << CsvField(a.reaudit_of) << ','
         << CsvField(a.sample_id) << '\n';
  }
  return Finish(out);
}

absl::Status WriteFeedbackCsv(absl::Span<const Feedback> feedback,
                              std::ostream* out) {
  *out << "feedback_id,source,team,received_on,rating,comment\n";
  for (const Feedback& f : feedback) {
    *out << CsvField(f.feedback_id) << ',' << qa::FeedbackSourceName(f.source)
         << ',' << CsvField(f.team) << ',' << FormatIsoDate(f.received_on)
         << ',' << f.rating << ',' << CsvField(f.comment) << '\n';
  }
  return Finish(out);
}

absl::Status WriteActionsCsv(absl::Span<const Action> actions,
                             std::ostream* out) {
  *out << "action_id,origin_ref,owner,due_date,completed_date,raised_on\n";
  for (const Action& a : actions) {
    *out << CsvField(a.action_id) << ',' << CsvField(a.origin_ref) << ','
         << CsvField(a.owner) << ',' << FormatIsoDate(a.due_date) << ','
         << OptionalDate(a.completed_date) << ',' << OptionalDate(a.raised_on)
         << '\n';
  }
  return Finish(out);
}

}  // namespace sgm::synth
