#include "services/workforce/workforce_figures.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/civil_date.h"
#include "common/percent.h"
#include "common/working_day_calendar.h"
#include "services/workforce/staff.h"

namespace sgm::workforce {
namespace {

bool IsEmployed(const StaffMember& m) {
  return m.employment != Employment::kAgency;
}

// The day an episode starting on `start` becomes "a month or more": the
// day before the same date a month later (1 Mar -> 31 Mar, 28 Jan -> 27
// Feb), or the end of the next month when it has no such date (29, 30, 31
// Jan 2023 -> 28 Feb), so that a later start never reaches a month sooner.
absl::CivilDay MonthReachedOn(absl::CivilDay start) {
  const absl::CivilDay same_date = AddMonthsClamped(start, 1);
  if (same_date.day() != start.day()) return same_date;
  return same_date - 1;
}

bool IsLongTermOn(const AbsenceEpisode& a, absl::CivilDay d) {
  const absl::CivilDay month_day = MonthReachedOn(a.start_date);
  if (a.end_date.has_value()) return *a.end_date >= month_day;
  return d >= month_day;
}

// What one service area (or the total) adds up.
struct Tally {
  int64_t headcount = 0;
  MilliFte fte_in_post = 0;
  MilliFte social_worker_fte = 0;
  MilliFte maternity_fte = 0;
  MilliFte agency_fte = 0;
  MilliFte long_term_absence_fte = 0;
  MilliFte establishment_fte = 0;
  MilliFte employed_fte = 0;
  int64_t leavers = 0;
  int64_t employed_headcount_first = 0;  // on the window's first day
  int64_t employed_headcount_d = 0;
  MilliFte employed_fte_first = 0;
  double days_lost = 0;
};

Staffing ToStaffing(const std::string& area, const Tally& t) {
  Staffing s;
  s.service_area = area;
  s.headcount = t.headcount;
  s.fte_in_post = t.fte_in_post;
  s.social_worker_fte = t.social_worker_fte;
  s.maternity_fte = t.maternity_fte;
  s.agency_fte = t.agency_fte;
  s.long_term_absence_fte = t.long_term_absence_fte;
  s.establishment_fte = t.establishment_fte;
  s.employed_fte = t.employed_fte;
  const MilliFte unfilled =
      std::max<MilliFte>(0, t.establishment_fte - t.employed_fte);
  s.vacancy_rate_percent = Percent1dp(unfilled, t.establishment_fte);
  s.agency_share_percent = Percent1dp(t.agency_fte, t.fte_in_post);
  s.leavers_12m = t.leavers;
  const int64_t headcounts =
      t.employed_headcount_first + t.employed_headcount_d;
  s.average_headcount_12m = static_cast<double>(headcounts) / 2.0;
  // leavers / (headcounts / 2) = 2 * leavers / headcounts.
  s.turnover_percent = Percent1dp(2 * t.leavers, headcounts);
  s.absence_days_lost_12m = t.days_lost;
  const MilliFte fte_sum = t.employed_fte_first + t.employed_fte;
  s.average_employed_fte_12m = static_cast<double>(fte_sum) / 2000.0;
  if (fte_sum > 0) {
    s.absence_days_per_fte =
        std::round(t.days_lost / s.average_employed_fte_12m * 100.0) / 100.0;
  }
  return s;
}

// days_lost of `a` that falls in [first, d], by working days.
double DaysLostIn(const AbsenceEpisode& a, absl::CivilDay first,
                  absl::CivilDay d, const WorkingDayCalendar& calendar) {
  if (a.start_date > d) return 0;
  const absl::CivilDay last = a.end_date.value_or(d);
  if (last < first) return 0;
  const int total = calendar.WorkingDaysBetween(a.start_date - 1, last);
  if (total == 0) {
    return a.start_date >= first ? a.days_lost : 0;
  }
  const absl::CivilDay from = std::max(a.start_date, first);
  const absl::CivilDay to = std::min(last, d);
  const int inside = calendar.WorkingDaysBetween(from - 1, to);
  return a.days_lost * inside / total;
}

// pence * numerator / denominator, rounded half away from zero (all >= 0
// except `pence`, which may be negative).
int64_t ProRata(__int128 pence, __int128 numerator, __int128 denominator) {
  const __int128 product = pence * numerator;
  const bool negative = product < 0;
  const __int128 magnitude = negative ? -product : product;
  const __int128 rounded = (2 * magnitude + denominator) / (2 * denominator);
  return static_cast<int64_t>(negative ? -rounded : rounded);
}

std::string BandOf(int64_t open_cases) {
  if (open_cases <= 5) return "1-5";
  if (open_cases <= 10) return "6-10";
  if (open_cases <= 15) return "11-15";
  if (open_cases <= 20) return "16-20";
  if (open_cases <= 25) return "21-25";
  return "26+";
}

CaseloadGroup GroupOf(std::string name, std::vector<int64_t> caseloads,
                      int threshold) {
  CaseloadGroup g;
  g.group = std::move(name);
  for (const char* band : {"1-5", "6-10", "11-15", "16-20", "21-25", "26+"}) {
    g.bands.emplace_back(band, 0);
  }
  std::sort(caseloads.begin(), caseloads.end());
  g.case_holding_workers = static_cast<int64_t>(caseloads.size());
  for (const int64_t n : caseloads) {
    g.open_cases += n;
    const std::string band = BandOf(n);
    for (auto& [label, count] : g.bands) {
      if (label == band) ++count;
    }
    if (n > threshold) ++g.over_threshold;
  }
  if (!caseloads.empty()) {
    g.mean_caseload =
        RoundedTenths(g.open_cases, g.case_holding_workers) / 10.0;
    const size_t mid = caseloads.size() / 2;
    const int64_t middle_sum = caseloads.size() % 2 == 1
                                   ? 2 * caseloads[mid]
                                   : caseloads[mid - 1] + caseloads[mid];
    g.median_caseload = RoundedTenths(middle_sum, 2) / 10.0;
  }
  return g;
}

}  // namespace

std::vector<Staffing> StaffingOn(const WorkforceData& data, absl::CivilDay d,
                                 const WorkingDayCalendar& calendar,
                                 const WorkforceSettings& settings) {
  const absl::CivilDay first = AddMonthsClamped(d, -12) + 1;
  std::map<std::string, Tally> areas;
  Tally total;
  for (const StaffMember& m : data.staff) areas[m.service_area];
  for (const EstablishmentRow& row : data.establishment) {
    areas[row.service_area];
  }

  absl::flat_hash_map<std::string, const StaffMember*> by_id;
  for (const StaffMember& m : data.staff) by_id.emplace(m.staff_id, &m);
  // Per member of staff in post on d: on maternity / long-term absence.
  absl::flat_hash_map<const StaffMember*, std::pair<bool, bool>> absent_on_d;
  for (const AbsenceEpisode& a : data.absences) {
    auto it = by_id.find(a.staff_id);
    if (it == by_id.end()) continue;
    const StaffMember& m = *it->second;
    if (m.InPostOn(d) && a.Covers(d)) {
      auto& [maternity, long_term] = absent_on_d[&m];
      if (a.reason == AbsenceReason::kMat) {
        maternity = true;
      } else if (IsLongTermOn(a, d)) {
        long_term = true;
      }
    }
    if (IsEmployed(m) && settings.counted_absence_reasons.count(a.reason)) {
      const double days = DaysLostIn(a, first, d, calendar);
      areas[m.service_area].days_lost += days;
      total.days_lost += days;
    }
  }

  for (const StaffMember& m : data.staff) {
    Tally& area = areas[m.service_area];
    for (Tally* t : {&area, &total}) {
      if (m.InPostOn(d)) {
        ++t->headcount;
        t->fte_in_post += m.fte;
        if (m.qualified) t->social_worker_fte += m.fte;
        if (IsEmployed(m)) {
          t->employed_fte += m.fte;
          ++t->employed_headcount_d;
        } else {
          t->agency_fte += m.fte;
        }
        auto absent = absent_on_d.find(&m);
        if (absent != absent_on_d.end()) {
          if (absent->second.first) t->maternity_fte += m.fte;
          if (absent->second.second) t->long_term_absence_fte += m.fte;
        }
      }
      if (!IsEmployed(m)) continue;
      if (m.InPostOn(first)) {
        ++t->employed_headcount_first;
        t->employed_fte_first += m.fte;
      }
      if (m.end_date.has_value() && *m.end_date >= first && *m.end_date <= d) {
        ++t->leavers;
      }
    }
  }

  // The establishment row in force on d for each post.
  using PostKey = std::tuple<std::string, std::string, std::string>;
  std::map<PostKey, const EstablishmentRow*> in_force;
  for (const EstablishmentRow& row : data.establishment) {
    if (row.effective_from.has_value() && *row.effective_from > d) continue;
    const EstablishmentRow*& current =
        in_force[PostKey(row.service_area, row.team, row.role)];
    if (current == nullptr ||
        (row.effective_from.has_value() &&
         (!current->effective_from.has_value() ||
          *current->effective_from < *row.effective_from))) {
      current = &row;
    }
  }
  for (const auto& [key, row] : in_force) {
    areas[row->service_area].establishment_fte += row->fte;
    total.establishment_fte += row->fte;
  }

  std::vector<Staffing> out;
  out.reserve(areas.size() + 1);
  for (const auto& [name, tally] : areas)
    out.push_back(ToStaffing(name, tally));
  out.push_back(ToStaffing(kTotalArea, total));
  return out;
}

Caseloads CaseloadsOn(absl::Span<const StaffMember> staff,
                      absl::Span<const AllocatedWorker> workers,
                      absl::CivilDay d, const WorkforceSettings& settings) {
  absl::flat_hash_map<std::string, const StaffMember*> in_post;
  for (const StaffMember& m : staff) {
    if (m.InPostOn(d)) in_post.emplace(m.staff_id, &m);
  }
  std::vector<int64_t> qualified;
  std::vector<int64_t> practitioners;
  Caseloads out;
  for (const AllocatedWorker& w : workers) {
    if (w.open_cases < 1) continue;
    auto it = in_post.find(w.worker_id);
    if (it == in_post.end()) {
      ++out.unmatched_workers;
      continue;
    }
    const StaffMember& m = *it->second;
    if (m.qualified) {
      qualified.push_back(w.open_cases);
    } else if (settings.practitioner_roles.count(m.role)) {
      practitioners.push_back(w.open_cases);
    }
  }
  out.groups.push_back(GroupOf("qualified_social_workers", std::move(qualified),
                               settings.caseload_threshold));
  out.groups.push_back(GroupOf("childrens_practitioners",
                               std::move(practitioners),
                               settings.caseload_threshold));
  return out;
}

std::vector<Costs> CostsFor(absl::Span<const StaffMember> staff,
                            int financial_year) {
  const absl::CivilDay year_start(financial_year, 4, 1);
  const absl::CivilDay year_end(financial_year + 1, 3, 31);
  const int64_t days_in_year = year_end - year_start + 1;
  auto days_in_post = [&](const StaffMember& m) -> int64_t {
    const absl::CivilDay from = std::max(m.start_date, year_start);
    const absl::CivilDay to =
        m.end_date.has_value() ? std::min(*m.end_date, year_end) : year_end;
    return to < from ? 0 : to - from + 1;
  };

  // The comparator of each role: permanent staff in post on a day of the
  // year with a cost given, their annual cost and FTE summed.
  std::map<std::string, std::pair<int64_t, MilliFte>> permanent;
  for (const StaffMember& m : staff) {
    if (m.employment != Employment::kPermanent || m.annual_cost_pence <= 0 ||
        days_in_post(m) == 0) {
      continue;
    }
    auto& [cost, fte] = permanent[m.role];
    cost += m.annual_cost_pence;
    fte += m.fte;
  }

  std::map<std::string, Costs> areas;
  Costs total;
  for (const StaffMember& m : staff) areas[m.service_area];
  for (const StaffMember& m : staff) {
    const int64_t days = days_in_post(m);
    if (days == 0) continue;
    const int64_t cost = ProRata(m.annual_cost_pence, days, days_in_year);
    for (Costs* c : {&areas[m.service_area], &total}) {
      c->total_cost_pence += cost;
      if (m.qualified) c->social_worker_cost_pence += cost;
      if (m.employment != Employment::kAgency) continue;
      c->agency_cost_pence += cost;
      auto comparator = permanent.find(m.role);
      if (comparator == permanent.end()) {
        ++c->agency_without_comparator;
        continue;
      }
      // (cost per FTE) * fte * days / days_in_year, with cost per FTE =
      // comparator cost / comparator FTE.
      const int64_t equivalent = ProRata(
          comparator->second.first, static_cast<__int128>(m.fte) * days,
          static_cast<__int128>(comparator->second.second) * days_in_year);
      c->agency_premium_pence += cost - equivalent;
    }
  }
  std::vector<Costs> out;
  out.reserve(areas.size() + 1);
  for (auto& [name, c] : areas) {
    c.financial_year = financial_year;
    c.service_area = name;
    out.push_back(c);
  }
  total.financial_year = financial_year;
  total.service_area = kTotalArea;
  out.push_back(total);
  return out;
}

int FinancialYearOf(absl::CivilDay d) {
  return d.month() >= 4 ? static_cast<int>(d.year())
                        : static_cast<int>(d.year()) - 1;
}

}  // namespace sgm::workforce
