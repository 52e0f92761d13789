#include "services/qa/qa_figures.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/percent.h"
#include "services/qa/qa_records.h"

namespace sgm::qa {
namespace {

constexpr AuditType kAuditTypes[] = {
    AuditType::kCaseFile, AuditType::kThemed, AuditType::kDipSample,
    AuditType::kObservation, AuditType::kMultiAgency};

constexpr FeedbackSource kFeedbackSources[] = {
    FeedbackSource::kFamily, FeedbackSource::kYoungPerson,
    FeedbackSource::kPartnerAgency, FeedbackSource::kStaff};

bool InPeriod(absl::CivilDay day, absl::CivilDay from, absl::CivilDay to) {
  return from <= day && day <= to;
}

// The audits of the period: dated in it, of the team and theme when set.
std::vector<const Audit*> AuditsIn(const QaData& data, const QaPeriod& period) {
  std::vector<const Audit*> out;
  for (const Audit& a : data.audits) {
    if (!InPeriod(a.audit_date, period.from, period.to)) continue;
    if (!period.team.empty() && a.team != period.team) continue;
    if (!period.theme_id.empty() && a.theme_id != period.theme_id) continue;
    out.push_back(&a);
  }
  return out;
}

void Add(const Audit& a, AuditCounts& counts) {
  ++counts.audits;
  switch (a.EffectiveGrade()) {
    case kOutstanding:
      ++counts.outstanding;
      break;
    case kGood:
      ++counts.good;
      break;
    case kRequiresImprovement:
      ++counts.requires_improvement;
      break;
    case kInadequate:
      ++counts.inadequate;
      break;
    default:
      break;  // not a grade: counted as an audit only
  }
}

void Finish(AuditCounts& counts) {
  counts.good_or_better_percent =
      Percent1dp(counts.outstanding + counts.good, counts.audits);
}

AuditCounts CountAudits(std::string label,
                        const std::vector<const Audit*>& audits) {
  AuditCounts counts;
  counts.label = std::move(label);
  for (const Audit* a : audits) Add(*a, counts);
  Finish(counts);
  return counts;
}

// Rows per key in key order.
std::vector<AuditCounts> RowsOf(std::map<std::string, AuditCounts> rows) {
  std::vector<AuditCounts> out;
  out.reserve(rows.size());
  for (auto& [key, counts] : rows) {
    counts.label = key;
    Finish(counts);
    out.push_back(std::move(counts));
  }
  return out;
}

ModerationCounts Moderation(const std::vector<const Audit*>& audits) {
  ModerationCounts m;
  for (const Audit* a : audits) {
    if (!a->moderated_grade) continue;
    ++m.moderated;
    if (*a->moderated_grade == a->grade) {
      ++m.agreed;
    } else if (*a->moderated_grade < a->grade) {
      ++m.moderated_up;
    } else {
      ++m.moderated_down;
    }
  }
  m.agreement_percent = Percent1dp(m.agreed, m.moderated);
  return m;
}

std::vector<DomainCounts> Domains(const std::vector<const Audit*>& audits) {
  std::map<std::string, DomainCounts> by_code;
  for (const Audit* a : audits) {
    for (const DomainGrade& d : a->domains) {
      DomainCounts& counts = by_code[d.domain];
      ++counts.graded;
      if (d.grade >= kRequiresImprovement)
        ++counts.requires_improvement_or_worse;
    }
  }
  std::vector<DomainCounts> out;
  out.reserve(by_code.size());
  for (auto& [code, counts] : by_code) {
    counts.domain = code;
    counts.requires_improvement_or_worse_percent =
        Percent1dp(counts.requires_improvement_or_worse, counts.graded);
    out.push_back(std::move(counts));
  }
  // Most often RI or worse first, then the higher share (compared exactly:
  // a.ri / a.graded > b.ri / b.graded <=> a.ri * b.graded > b.ri *
  // a.graded, every graded > 0), then the code.
  std::sort(
      out.begin(), out.end(), [](const DomainCounts& a, const DomainCounts& b) {
        if (a.requires_improvement_or_worse !=
            b.requires_improvement_or_worse) {
          return a.requires_improvement_or_worse >
                 b.requires_improvement_or_worse;
        }
        const int64_t share_a = a.requires_improvement_or_worse * b.graded;
        const int64_t share_b = b.requires_improvement_or_worse * a.graded;
        if (share_a != share_b) return share_a > share_b;
        return a.domain < b.domain;
      });
  return out;
}

// What a set of feedback adds up.
struct FeedbackTally {
  int64_t received = 0;
  int64_t rating_sum = 0;
  int64_t positive = 0;
  int64_t negative = 0;

  void Add(const Feedback& f) {
    ++received;
    rating_sum += f.rating;
    if (f.rating >= 4) ++positive;
    if (f.rating <= 2) ++negative;
  }
};

// sum / n to 2 dp, half away from zero, on integers; none when n == 0.
std::optional<double> Mean2dp(int64_t sum, int64_t n) {
  if (n == 0) return std::nullopt;
  // round(100 * sum / n) in hundredths = RoundedTenths(10 * sum, n).
  return RoundedTenths(10 * sum, n) / 100.0;
}

FeedbackCounts ToCounts(std::optional<FeedbackSource> source,
                        const FeedbackTally& t) {
  FeedbackCounts c;
  c.source = source;
  c.received = t.received;
  c.mean_rating = Mean2dp(t.rating_sum, t.received);
  c.positive = t.positive;
  c.negative = t.negative;
  return c;
}

// Per source in enum order (sources with feedback only), then the total.
std::vector<FeedbackCounts> FeedbackOf(const QaData& data,
                                       const QaPeriod& period) {
  std::map<FeedbackSource, FeedbackTally> by_source;
  FeedbackTally total;
  for (const Feedback& f : data.feedback) {
    if (!InPeriod(f.received_on, period.from, period.to)) continue;
    if (!period.team.empty() && f.team != period.team) continue;
    by_source[f.source].Add(f);
    total.Add(f);
  }
  std::vector<FeedbackCounts> out;
  for (const FeedbackSource source : kFeedbackSources) {
    auto it = by_source.find(source);
    if (it != by_source.end()) out.push_back(ToCounts(source, it->second));
  }
  out.push_back(ToCounts(std::nullopt, total));
  return out;
}

ActionCounts ActionsOf(const QaData& data, absl::CivilDay from,
                       absl::CivilDay to) {
  ActionCounts c;
  for (const Action& a : data.actions) {
    if (a.OpenOn(to)) {
      ++c.open;
      if (a.due_date < to) ++c.overdue;
    }
    if (a.completed_date && InPeriod(*a.completed_date, from, to)) {
      ++c.completed;
      if (a.CompletedOnTime()) ++c.completed_on_time;
    }
    if (InPeriod(a.due_date, from, to)) ++c.due;
  }
  c.on_time_percent = Percent1dp(c.completed_on_time, c.completed);
  return c;
}

ReauditCounts Reaudits(const QaData& data,
                       const std::vector<const Audit*>& audits) {
  ReauditCounts c;
  absl::flat_hash_map<std::string, const Audit*> by_id;
  for (const Audit* a : audits) {
    if (!a->reaudit_of.empty()) by_id.emplace(a->reaudit_of, nullptr);
  }
  if (by_id.empty()) return c;
  for (const Audit& a : data.audits) {
    auto it = by_id.find(a.audit_id);
    if (it != by_id.end()) it->second = &a;
  }
  for (const Audit* a : audits) {
    if (a->reaudit_of.empty()) continue;
    const Audit* original = by_id.at(a->reaudit_of);
    if (original == nullptr) {
      ++c.original_missing;
      continue;
    }
    ++c.reaudits;
    const Grade now = a->EffectiveGrade();
    const Grade before = original->EffectiveGrade();
    if (now < before) {
      ++c.improved;
    } else if (now == before) {
      ++c.unchanged;
    } else {
      ++c.worsened;
    }
  }
  c.improved_percent = Percent1dp(c.improved, c.reaudits);
  return c;
}

std::vector<Theme> ThemesOverlapping(const QaData& data, absl::CivilDay from,
                                     absl::CivilDay to) {
  std::vector<Theme> out;
  for (const Theme& t : data.themes) {
    if (t.start_date <= to && t.end_date >= from) out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Theme& a, const Theme& b) {
    return std::tie(a.start_date, a.theme_id) <
           std::tie(b.start_date, b.theme_id);
  });
  return out;
}

}  // namespace

absl::StatusOr<QaFigureSet> ComputeQaFigures(const QaData& data,
                                             const QaPeriod& period) {
  if (period.to < period.from) {
    return absl::InvalidArgumentError(
        absl::StrCat("to: ", absl::FormatCivilTime(period.to),
                     " is before from ", absl::FormatCivilTime(period.from)));
  }
  QaFigureSet out;
  out.period = period;
  const std::vector<const Audit*> audits = AuditsIn(data, period);
  out.audits = CountAudits(kTotalLabel, audits);

  std::map<AuditType, AuditCounts> by_type;
  std::map<std::string, AuditCounts> by_team;
  std::map<std::string, AuditCounts> by_theme;
  for (const Audit* a : audits) {
    Add(*a, by_type[a->type]);
    Add(*a, by_team[a->team]);
    if (!a->theme_id.empty()) Add(*a, by_theme[a->theme_id]);
  }
  for (const AuditType type : kAuditTypes) {
    auto it = by_type.find(type);
    if (it == by_type.end()) continue;
    it->second.label = std::string(AuditTypeName(type));
    Finish(it->second);
    out.by_type.push_back(std::move(it->second));
  }
  out.by_team = RowsOf(std::move(by_team));
  out.by_theme = RowsOf(std::move(by_theme));

  out.moderation = Moderation(audits);
  out.domains = Domains(audits);
  out.feedback = FeedbackOf(data, period);
  out.actions = ActionsOf(data, period.from, period.to);
  out.reaudits = Reaudits(data, audits);
  out.themes = ThemesOverlapping(data, period.from, period.to);
  return out;
}

std::vector<QaTrendPoint> ComputeQaTrend(const QaData& data,
                                         absl::CivilMonth from,
                                         absl::CivilMonth to) {
  std::vector<QaTrendPoint> out;
  for (absl::CivilMonth month = from; month <= to; ++month) {
    QaPeriod period;
    period.from = absl::CivilDay(month);
    period.to = absl::CivilDay(month + 1) - 1;
    const std::vector<const Audit*> audits = AuditsIn(data, period);
    const AuditCounts counts = CountAudits(kTotalLabel, audits);
    const std::vector<FeedbackCounts> feedback = FeedbackOf(data, period);
    const ActionCounts actions = ActionsOf(data, period.from, period.to);

    QaTrendPoint point;
    point.month = month;
    point.audits = counts.audits;
    point.good_or_better_percent = counts.good_or_better_percent;
    point.agreement_percent = Moderation(audits).agreement_percent;
    point.feedback = feedback.back().received;
    point.mean_rating = feedback.back().mean_rating;
    point.open_actions = actions.open;
    point.overdue_actions = actions.overdue;
    out.push_back(point);
  }
  return out;
}

}  // namespace sgm::qa
