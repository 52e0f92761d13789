// Front-door figures (DESIGN section 3, "Front door (intake)").
//
// Definitions (also in docs/intake.md, "Front-door figures"):
//
// - Contacts are counted by `received_on`, already the authority's local
//   (Europe/London) date. M is the requested month.
// - this_month: contacts received in M, contacts received in the same month
//   a year before, and change_percent = (this - before) / before * 100 to
//   1 dp (Percent1dp rounding); none when before == 0.
// - trend: the 13 months M-12..M, each with its own year-before month
//   (so months M-24..M are looked at). The last entry equals this_month.
// - year_to_date: 1 January of as_of's year to as_of, both included;
//   per_week = contacts / (days / 7) to 1 dp, half away from zero.
//   year_to_date_last_year: 1 January of the previous year to
//   SameDayYearBefore(as_of) (29 Feb -> 28 Feb), days counted on that span.
//   per_week_change_percent compares the unrounded rates, 1 dp; none when
//   last year had no contacts. It is computed exactly in integers:
//   (c1 * d2 - c2 * d1) / (c2 * d1) * 100.
// - decided: M's contacts that have an outcome (an outcome other than
//   kUnspecified); progressed: those of them decided REFERRAL or
//   STRATEGY_DISCUSSION (IsProgressed); progressed_percent = progressed /
//   decided. Undecided contacts are in neither.
// - by_primary_need: every census code N0..N9 in census order with the
//   count of M's contacts; "" counts as N0. by_source: every census source
//   code in census order. percent is of all M's contacts, 1 dp (0 when M has
//   none); a code outside the list is in no row but still in the whole.
// - repeat contacts: a contact in M about an identified child (child_id not
//   empty) is a repeat when the child has at least repeat_min_contacts
//   contacts (this one included) with received_on in
//   [received_on - (repeat_window_days - 1), received_on]. All contacts of
//   the child on the same day count, whatever their order, so same-day
//   contacts are all repeats or all not. Contacts before M count. A window
//   below 1 day is taken as 1. repeat_children: distinct children with a
//   repeat contact in M. repeat_percent = repeat_contacts / M's contacts with
//   a child id.
// - decided_within_1wd: of M's decided contacts, those with decided_on <=
//   calendar.AddWorkingDays(received_on, 1) (received Friday, decided Monday
//   is within when Monday is a working day). A decided contact without a
//   decided_on is in the whole but not within.
// - Percent1dp(part, whole): 100 * part / whole rounded half away from zero
//   to 1 dp, in integer arithmetic (exact for every input); none when
//   whole == 0.
// - EarliestDayNeeded: the earliest of 1 January of the year before as_of's
//   year, the first day of M-24, and M's first day - (repeat_window_days - 1).
#include "services/intake/front_door_figures.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/census_codes.h"
#include "common/civil_date.h"

namespace sgm::intake {
namespace {

// Trend months M-12..M, each compared with the month a year before.
constexpr int kTrendMonths = 13;
// Months M-24..M are counted.
constexpr int kCountedMonths = kTrendMonths + 12;

int WindowDays(const FrontDoorSettings& settings) {
  return std::max(1, settings.repeat_window_days);
}

absl::CivilDay FirstDayOf(absl::CivilMonth month) {
  return absl::CivilDay(month);
}

// The day count of [from, to], both included.
int64_t DaysInclusive(absl::CivilDay from, absl::CivilDay to) {
  return std::max<int64_t>(0, (to - from) + 1);
}

WeeklyRateFigure WeeklyRate(absl::CivilDay from, absl::CivilDay to,
                            int64_t contacts) {
  WeeklyRateFigure figure;
  figure.from = from;
  figure.to = to;
  figure.contacts = contacts;
  const int64_t days = DaysInclusive(from, to);
  if (days > 0) {
    figure.per_week = RoundedTenths(7 * contacts, days) / 10.0;
  }
  return figure;
}

bool HasOutcome(const ContactFact& fact) {
  return fact.outcome.has_value() && *fact.outcome != Outcome::kUnspecified;
}

// Maps each code of `list` to its index.
absl::flat_hash_map<absl::string_view, int> IndexOf(
    const std::vector<CodeLabel>& list) {
  absl::flat_hash_map<absl::string_view, int> index;
  for (size_t i = 0; i < list.size(); ++i) {
    index.emplace(list[i].code, static_cast<int>(i));
  }
  return index;
}

std::vector<BreakdownFigure> Breakdown(const std::vector<CodeLabel>& list,
                                       const std::vector<int64_t>& counts,
                                       int64_t whole) {
  std::vector<BreakdownFigure> rows;
  rows.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    BreakdownFigure row;
    row.code = std::string(list[i].code);
    row.label = std::string(list[i].label);
    row.count = counts[i];
    row.percent = Percent1dp(counts[i], whole).value_or(0);
    rows.push_back(std::move(row));
  }
  return rows;
}

// A contact about an identified child, for the repeat-contact count.
struct ChildContact {
  absl::string_view child_id;
  absl::CivilDay day;

  bool operator<(const ChildContact& other) const {
    if (child_id != other.child_id) return child_id < other.child_id;
    return day < other.day;
  }
};

}  // namespace

absl::CivilDay EarliestDayNeeded(absl::CivilMonth month, absl::CivilDay as_of,
                                 const FrontDoorSettings& settings) {
  const absl::CivilDay last_year_start(as_of.year() - 1, 1, 1);
  const absl::CivilDay trend_start = FirstDayOf(month - (kCountedMonths - 1));
  const absl::CivilDay repeat_start =
      FirstDayOf(month) - (WindowDays(settings) - 1);
  return std::min({last_year_start, trend_start, repeat_start});
}

FrontDoorFigures ComputeFrontDoorFigures(absl::Span<const ContactFact> facts,
                                         absl::CivilMonth month,
                                         absl::CivilDay as_of,
                                         const WorkingDayCalendar& calendar,
                                         const FrontDoorSettings& settings) {
  FrontDoorFigures figures;
  figures.month = month;
  figures.as_of = as_of;
  figures.repeat_min_contacts = settings.repeat_min_contacts;
  figures.repeat_window_days = settings.repeat_window_days;

  const int window_days = WindowDays(settings);
  const absl::CivilMonth first_counted = month - (kCountedMonths - 1);
  const absl::CivilDay month_first = FirstDayOf(month);
  const absl::CivilDay month_last = LastDayOf(month);
  const absl::CivilDay repeat_first = month_first - (window_days - 1);
  const absl::CivilDay ytd_from(as_of.year(), 1, 1);
  const absl::CivilDay last_ytd_from(as_of.year() - 1, 1, 1);
  const absl::CivilDay last_ytd_to = SameDayYearBefore(as_of);

  const std::vector<CodeLabel>& needs = PrimaryNeeds();
  const std::vector<CodeLabel>& sources = ReferralSources();
  const absl::flat_hash_map<absl::string_view, int> need_index = IndexOf(needs);
  const absl::flat_hash_map<absl::string_view, int> source_index =
      IndexOf(sources);
  const auto no_need = need_index.find("N0");

  std::vector<int64_t> by_month(kCountedMonths, 0);
  std::vector<int64_t> need_counts(needs.size(), 0);
  std::vector<int64_t> source_counts(sources.size(), 0);
  int64_t ytd = 0;
  int64_t last_ytd = 0;
  int64_t in_month = 0;
  int64_t in_month_with_child = 0;
  std::vector<ChildContact> child_contacts;

  // One pass: bucket by month and span; keep what the repeat count needs.
  for (const ContactFact& fact : facts) {
    const absl::CivilDay day = fact.received_on;
    const int64_t month_offset = absl::CivilMonth(day) - first_counted;
    if (month_offset >= 0 && month_offset < kCountedMonths) {
      ++by_month[month_offset];
    }
    if (day >= ytd_from && day <= as_of) ++ytd;
    if (day >= last_ytd_from && day <= last_ytd_to) ++last_ytd;
    if (!fact.child_id.empty() && day >= repeat_first && day <= month_last) {
      child_contacts.push_back({fact.child_id, day});
    }
    if (day < month_first || day > month_last) continue;

    ++in_month;
    if (!fact.child_id.empty()) ++in_month_with_child;
    const auto need = fact.primary_need.empty()
                          ? no_need
                          : need_index.find(fact.primary_need);
    if (need != need_index.end()) ++need_counts[need->second];
    const auto source = source_index.find(fact.source_code);
    if (source != source_index.end()) ++source_counts[source->second];
    if (HasOutcome(fact)) {
      ++figures.decided;
      if (IsProgressed(*fact.outcome)) ++figures.progressed;
      if (fact.decided_on.has_value() &&
          *fact.decided_on <= calendar.AddWorkingDays(day, 1)) {
        ++figures.decided_within_1wd;
      }
    }
  }

  // Months.
  figures.trend.reserve(kTrendMonths);
  for (int i = kCountedMonths - kTrendMonths; i < kCountedMonths; ++i) {
    MonthFigure figure;
    figure.month = first_counted + i;
    figure.contacts = by_month[i];
    figure.contacts_year_before = by_month[i - 12];
    figure.change_percent =
        Percent1dp(figure.contacts - figure.contacts_year_before,
                   figure.contacts_year_before);
    figures.trend.push_back(figure);
  }
  figures.this_month = figures.trend.back();

  // Contacts per week this year and last.
  figures.year_to_date = WeeklyRate(ytd_from, as_of, ytd);
  figures.year_to_date_last_year =
      WeeklyRate(last_ytd_from, last_ytd_to, last_ytd);
  const int64_t days = DaysInclusive(ytd_from, as_of);
  const int64_t last_days = DaysInclusive(last_ytd_from, last_ytd_to);
  figures.per_week_change_percent =
      Percent1dp(ytd * last_days - last_ytd * days, last_ytd * days);

  // Decisions.
  figures.progressed_percent = Percent1dp(figures.progressed, figures.decided);
  figures.decided_within_1wd_percent =
      Percent1dp(figures.decided_within_1wd, figures.decided);

  // Breakdowns.
  figures.by_primary_need = Breakdown(needs, need_counts, in_month);
  figures.by_source = Breakdown(sources, source_counts, in_month);

  // Repeat contacts: per child, days sorted; for each contact in M count the
  // child's contacts in [day - (window - 1), day].
  std::sort(child_contacts.begin(), child_contacts.end());
  for (auto group = child_contacts.begin(); group != child_contacts.end();) {
    const auto group_end = std::find_if(
        group, child_contacts.end(), [&](const ChildContact& contact) {
          return contact.child_id != group->child_id;
        });
    bool child_repeats = false;
    for (auto it = group; it != group_end; ++it) {
      if (it->day < month_first) continue;
      const ChildContact window_first{it->child_id,
                                      it->day - (window_days - 1)};
      const ChildContact window_last{it->child_id, it->day};
      const auto from = std::lower_bound(group, group_end, window_first);
      const auto to = std::upper_bound(group, group_end, window_last);
      if (to - from >= settings.repeat_min_contacts) {
        ++figures.repeat_contacts;
        child_repeats = true;
      }
    }
    if (child_repeats) ++figures.repeat_children;
    group = group_end;
  }
  figures.repeat_percent =
      Percent1dp(figures.repeat_contacts, in_month_with_child);

  return figures;
}

}  // namespace sgm::intake
