#include "services/intake/duplicate_input.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/census_codes.h"
#include "common/civil_date.h"
#include "common/percent.h"

namespace sgm::intake {
namespace {

constexpr size_t kKinds = 6;

size_t KindIndex(OpenWorkKind kind) { return static_cast<size_t>(kind) - 1; }

// The work of `child_id` open on `day` (empty when none or no child).
std::vector<OpenWork> MetWork(const ChildrenOpenWork& work,
                              const std::string& child_id, absl::CivilDay day) {
  if (child_id.empty()) return {};
  const auto it = work.find(child_id);
  if (it == work.end()) return {};
  return WorkOpenOn(it->second, day);
}

std::vector<DuplicateBreakdownFigure> Rows(const std::vector<CodeLabel>& list) {
  std::vector<DuplicateBreakdownFigure> rows;
  rows.reserve(list.size());
  for (const CodeLabel& c : list) {
    DuplicateBreakdownFigure& row = rows.emplace_back();
    row.code = std::string(c.code);
    row.label = std::string(c.label);
  }
  return rows;
}

DuplicateBreakdownFigure* Find(std::vector<DuplicateBreakdownFigure>& rows,
                               absl::string_view code) {
  for (DuplicateBreakdownFigure& row : rows) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

void Count(DuplicateBreakdownFigure* row, bool duplicate) {
  if (row == nullptr) return;
  ++row->contacts_with_child;
  if (duplicate) ++row->duplicates;
}

void SetPercents(std::vector<DuplicateBreakdownFigure>& rows) {
  for (DuplicateBreakdownFigure& row : rows) {
    row.percent = Percent1dp(row.duplicates, row.contacts_with_child);
  }
}

}  // namespace

const std::vector<OpenWorkKind>& AllOpenWorkKinds() {
  static const auto* const kAll = new std::vector<OpenWorkKind>{
      OpenWorkKind::kAssessment, OpenWorkKind::kS47,
      OpenWorkKind::kCinPlan,    OpenWorkKind::kCpPlan,
      OpenWorkKind::kClaEpisode, OpenWorkKind::kEarlyHelp,
  };
  return *kAll;
}

absl::string_view OpenWorkKindCode(OpenWorkKind kind) {
  switch (kind) {
    case OpenWorkKind::kAssessment:
      return "ASSESSMENT";
    case OpenWorkKind::kS47:
      return "S47";
    case OpenWorkKind::kCinPlan:
      return "CIN_PLAN";
    case OpenWorkKind::kCpPlan:
      return "CP_PLAN";
    case OpenWorkKind::kClaEpisode:
      return "CLA_EPISODE";
    case OpenWorkKind::kEarlyHelp:
      return "EARLY_HELP";
  }
  return "";
}

absl::string_view OpenWorkKindLabel(OpenWorkKind kind) {
  switch (kind) {
    case OpenWorkKind::kAssessment:
      return "Assessment";
    case OpenWorkKind::kS47:
      return "Section 47 enquiry";
    case OpenWorkKind::kCinPlan:
      return "Child-in-need plan";
    case OpenWorkKind::kCpPlan:
      return "Child-protection plan";
    case OpenWorkKind::kClaEpisode:
      return "Looked-after episode";
    case OpenWorkKind::kEarlyHelp:
      return "Early-help episode";
  }
  return "";
}

bool OpenWork::operator==(const OpenWork& other) const {
  return kind == other.kind && ref_id == other.ref_id && since == other.since &&
         until == other.until;
}

bool IsOpenOn(const OpenWork& work, absl::CivilDay day) {
  return work.since <= day && !(work.until && *work.until <= day);
}

std::vector<OpenWork> WorkOpenOn(absl::Span<const OpenWork> work,
                                 absl::CivilDay day) {
  std::vector<OpenWork> out;
  for (const OpenWork& w : work) {
    if (IsOpenOn(w, day)) out.push_back(w);
  }
  return out;
}

std::vector<std::string> ChildIdsOf(absl::Span<const ContactFact> facts) {
  std::vector<std::string> ids;
  for (const ContactFact& f : facts) {
    if (!f.child_id.empty()) ids.push_back(f.child_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

DuplicateInputFigures ComputeDuplicateInput(absl::Span<const ContactFact> facts,
                                            const ChildrenOpenWork& work,
                                            absl::CivilMonth from,
                                            absl::CivilMonth to) {
  DuplicateInputFigures out;
  out.from = from;
  out.to = to;
  for (absl::CivilMonth m = from; m <= to; ++m) {
    out.trend.emplace_back().month = m;
  }
  out.by_concern = Rows(ContactConcerns());
  out.by_source = Rows(ReferralSources());
  for (const OpenWorkKind kind : AllOpenWorkKinds()) {
    DuplicateBreakdownFigure& row = out.by_open_work.emplace_back();
    row.code = std::string(OpenWorkKindCode(kind));
    row.label = std::string(OpenWorkKindLabel(kind));
  }
  const absl::CivilDay first = absl::CivilDay(from);
  const absl::CivilDay last = LastDayOf(to);
  for (const ContactFact& f : facts) {
    if (f.child_id.empty() || f.received_on < first || f.received_on > last) {
      continue;
    }
    const std::vector<OpenWork> met = MetWork(work, f.child_id, f.received_on);
    const bool duplicate = !met.empty();
    DuplicatePoint& month = out.trend[absl::CivilMonth(f.received_on) - from];
    for (DuplicatePoint* p : {&out.total, &month}) {
      ++p->contacts_with_child;
      if (duplicate) ++p->duplicates;
    }
    for (const std::string& concern : f.concerns) {
      Count(Find(out.by_concern, concern), duplicate);
    }
    Count(Find(out.by_source, f.source_code), duplicate);
    bool kinds[kKinds] = {};
    for (const OpenWork& w : met) {
      if (KindIndex(w.kind) < kKinds) kinds[KindIndex(w.kind)] = true;
    }
    for (size_t i = 0; i < kKinds; ++i) {
      if (kinds[i]) ++out.by_open_work[i].duplicates;
    }
  }
  out.total.percent =
      Percent1dp(out.total.duplicates, out.total.contacts_with_child);
  for (DuplicatePoint& p : out.trend) {
    p.percent = Percent1dp(p.duplicates, p.contacts_with_child);
  }
  for (DuplicateBreakdownFigure& row : out.by_open_work) {
    row.contacts_with_child = out.total.contacts_with_child;
  }
  SetPercents(out.by_concern);
  SetPercents(out.by_source);
  SetPercents(out.by_open_work);
  return out;
}

std::vector<DuplicateContactFact> FindDuplicateContacts(
    absl::Span<const ContactFact> facts, const ChildrenOpenWork& work) {
  std::vector<DuplicateContactFact> out;
  for (const ContactFact& f : facts) {
    std::vector<OpenWork> met = MetWork(work, f.child_id, f.received_on);
    if (met.empty()) continue;
    DuplicateContactFact& d = out.emplace_back();
    d.id = f.id;
    d.agency = f.agency;
    d.child_id = f.child_id;
    d.received_on = f.received_on;
    d.source_code = f.source_code;
    d.concerns = f.concerns;
    d.open_work = std::move(met);
  }
  std::sort(out.begin(), out.end(),
            [](const DuplicateContactFact& a, const DuplicateContactFact& b) {
              return a.id < b.id;
            });
  return out;
}

}  // namespace sgm::intake
