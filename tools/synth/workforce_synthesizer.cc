#include "tools/synth/workforce_synthesizer.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/civil_date.h"
#include "tools/synth/synth_rng.h"

namespace sgm::synth {
namespace {

using workforce::AbsenceEpisode;
using workforce::AbsenceReason;
using workforce::Employment;
using workforce::EstablishmentRow;
using workforce::MilliFte;
using workforce::StaffMember;

constexpr char kSafeguarding[] = "Children's Safeguarding";
constexpr char kInCare[] = "Children In Care";
constexpr char kDisabled[] = "Integrated Disabled Children's Service";
constexpr char kEarlyHelp[] = "Early Help";

// Annual cost with on-costs, in pounds, for 1 FTE.
int64_t AnnualCostPounds(const std::string& role, Employment employment) {
  if (employment == Employment::kAgency) return 85000;
  if (role == "SENIOR_PRACTITIONER") return 63000;
  if (role == "TEAM_MANAGER") return 72000;
  if (role == "SERVICE_MANAGER") return 88000;
  if (role == "CHILDRENS_PRACTITIONER") return 37000;
  return 56000;  // SOCIAL_WORKER
}

// Calibration (per member of staff employed, per month).
constexpr double kShortSicknessPerMonth = 0.08;  // 1-5 working days
constexpr double kLongSicknessPerMonth = 0.011;  // 28-75 days
constexpr double kMaternityPerMonth = 0.0025;    // 39 weeks
constexpr double kTrainingPerMonth = 0.15;       // 1-2 days
// Sickness at the first month against the last: 16.03 -> 9.33 days/FTE.
constexpr double kFirstMonthSicknessFactor = 1.7;
// Newly qualified posts turn over: chance a month that the holder leaves.
constexpr double kLeaverPerMonth = 0.035;

class WorkforceBuilder {
 public:
  WorkforceBuilder(const WorkforceSynthOptions& options,
                   const WorkingDayCalendar& calendar)
      : options_(options),
        calendar_(calendar),
        rng_(options.seed * 0x9E3779B97F4A7C15ULL + 0x5157AFF),
        first_day_(absl::CivilDay(options.first_month)),
        last_day_(LastDayOf(options.first_month + (options.months - 1))) {}

  WorkforceFeeds Build(absl::Span<const CaseHolder> holders) {
    std::set<std::pair<std::string, std::string>> teams;  // (area, team)
    // Two case-holding social workers stay agency (1.0 + 0.5 FTE at scale
    // 1): the last two of the safeguarding pool.
    std::vector<size_t> safeguarding;
    for (size_t i = 0; i < holders.size(); ++i) {
      if (ServiceAreaOfTeam(holders[i].team) == kSafeguarding) {
        safeguarding.push_back(i);
      }
    }
    std::set<size_t> agency;
    for (int k = 0; k < 2 * options_.scale && !safeguarding.empty(); ++k) {
      agency.insert(safeguarding.back());
      safeguarding.pop_back();
    }
    for (size_t i = 0; i < holders.size(); ++i) {
      const CaseHolder& holder = holders[i];
      const std::string area = ServiceAreaOfTeam(holder.team);
      teams.emplace(area, holder.team);
      StaffMember s;
      s.staff_id = holder.worker_id;
      s.service_area = area;
      s.team = holder.team;
      if (area == kEarlyHelp) {
        s.role = "CHILDRENS_PRACTITIONER";
        s.qualified = false;
      } else {
        s.role = rng_.Chance(0.2) ? "SENIOR_PRACTITIONER" : "SOCIAL_WORKER";
        s.qualified = true;
      }
      s.employment = Employment::kPermanent;
      s.fte = PartTimeOr(1000);
      if (agency.count(i) != 0) {
        s.employment = Employment::kAgency;
        s.role = "SOCIAL_WORKER";
        s.fte = agency.size() > 1 && i == *agency.begin() ? 500 : 1000;
      }
      // In post well before the window: they hold cases from its start.
      s.start_date = first_day_ - static_cast<int>(rng_.Between(400, 5000));
      Add(std::move(s));
    }
    int manager = 0;
    std::set<std::string> areas;
    for (const auto& [area, team] : teams) {
      areas.insert(area);
      StaffMember m;
      m.staff_id = absl::StrFormat("TM%03d", ++manager);
      m.role = "TEAM_MANAGER";
      m.qualified = area != kEarlyHelp;
      m.service_area = area;
      m.team = team;
      m.start_date = first_day_ - static_cast<int>(rng_.Between(300, 4000));
      Add(std::move(m));
    }
    int service_manager = 0;
    for (const std::string& area : areas) {
      StaffMember m;
      m.staff_id = absl::StrFormat("SM%02d", ++service_manager);
      m.role = "SERVICE_MANAGER";
      m.qualified = area != kEarlyHelp;
      m.service_area = area;
      m.start_date = first_day_ - static_cast<int>(rng_.Between(700, 6000));
      Add(std::move(m));
    }
    AddNewlyQualifiedPosts();
    AddAgencyCover();
    for (const StaffMember& s : staff_) {
      if (s.employment != Employment::kAgency) AddAbsences(s);
    }
    WorkforceFeeds feeds;
    feeds.staff = std::move(staff_);
    std::sort(feeds.staff.begin(), feeds.staff.end(),
              [](const StaffMember& a, const StaffMember& b) {
                return a.staff_id < b.staff_id;
              });
    feeds.establishment = Establishment(feeds.staff);
    feeds.absences = std::move(absences_);
    std::sort(feeds.absences.begin(), feeds.absences.end(),
              [](const AbsenceEpisode& a, const AbsenceEpisode& b) {
                return std::tie(a.staff_id, a.start_date) <
                       std::tie(b.staff_id, b.start_date);
              });
    return feeds;
  }

 private:
  MilliFte PartTimeOr(MilliFte full) {
    if (!rng_.Chance(0.15)) return full;
    static constexpr MilliFte kPartTime[] = {500, 600, 800};
    return kPartTime[rng_.Below(3)];
  }

  void Add(StaffMember s) {
    s.annual_cost_pence =
        AnnualCostPounds(s.role, s.employment) * 100 * s.fte / 1000;
    staff_.push_back(std::move(s));
  }

  // Newly qualified social workers (not yet holding cases) in the
  // safeguarding teams: each post's holder may leave, and is replaced a
  // month or two later.
  void AddNewlyQualifiedPosts() {
    const int posts = 25 * options_.scale;
    int next = 0;
    for (int post = 0; post < posts; ++post) {
      absl::CivilDay start =
          first_day_ - static_cast<int>(rng_.Between(30, 700));
      while (start <= last_day_) {
        StaffMember s;
        s.staff_id = absl::StrFormat("NQ%04d", ++next);
        s.role = "SOCIAL_WORKER";
        s.qualified = true;
        s.service_area = kSafeguarding;
        s.team = "Safeguarding 1";
        s.start_date = start;
        // Months in post until leaving (none: still in post at the end).
        absl::CivilDay day = std::max(start, first_day_);
        std::optional<absl::CivilDay> end;
        while (day <= last_day_) {
          if (rng_.Chance(kLeaverPerMonth)) {
            end = day + static_cast<int>(rng_.Between(0, 27));
            if (*end > last_day_) end.reset();
            break;
          }
          day = absl::CivilDay(absl::CivilMonth(day) + 1);
        }
        s.end_date = end;
        Add(std::move(s));
        if (!end) break;
        start = *end + static_cast<int>(rng_.Between(28, 70));
      }
    }
  }

  // Agency social workers covering vacancies early in the window, leaving
  // one by one over its first two thirds.
  void AddAgencyCover() {
    const int count = 8 * options_.scale;
    const int span = static_cast<int>(
        std::max<int64_t>(1, (last_day_ - first_day_) * 2 / 3));
    for (int i = 0; i < count; ++i) {
      StaffMember s;
      s.staff_id = absl::StrFormat("AG%04d", i + 1);
      s.role = "SOCIAL_WORKER";
      s.qualified = true;
      s.service_area = i % 4 == 3 ? kInCare : kSafeguarding;
      s.team = "";
      s.employment = Employment::kAgency;
      s.start_date = first_day_ - static_cast<int>(rng_.Between(60, 400));
      s.end_date = first_day_ + static_cast<int>(rng_.Between(0, span));
      Add(std::move(s));
    }
  }

  // The sickness factor on `day`: kFirstMonthSicknessFactor at the first
  // month falling to 1 at the last (and before the window, the first's).
  double SicknessFactor(absl::CivilDay day) const {
    const double total = std::max<int64_t>(1, last_day_ - first_day_);
    const double into =
        std::clamp<double>(static_cast<double>(day - first_day_), 0, total);
    return kFirstMonthSicknessFactor -
           (kFirstMonthSicknessFactor - 1) * into / total;
  }

  void AddAbsences(const StaffMember& s) {
    // From a year before the window (for the first month's 12-month
    // figures) to its last day; episodes never overlap.
    absl::CivilDay day = std::max(s.start_date, first_day_ - 365);
    const absl::CivilDay stop =
        s.end_date ? std::min(*s.end_date, last_day_) : last_day_;
    while (day <= stop) {
      const absl::CivilMonth month(day);
      const absl::CivilDay month_end = LastDayOf(month);
      const double factor = SicknessFactor(day);
      std::optional<AbsenceEpisode> episode;
      const absl::CivilDay start =
          day + static_cast<int>(rng_.Below(static_cast<uint64_t>(
                    std::max<int64_t>(1, month_end - day + 1))));
      if (rng_.Chance(kMaternityPerMonth)) {
        episode = Episode(s, AbsenceReason::kMat, start, 273);
      } else if (rng_.Chance(kLongSicknessPerMonth * factor)) {
        episode = Episode(s, AbsenceReason::kSic, start,
                          static_cast<int>(rng_.Between(28, 75)));
      } else if (rng_.Chance(kShortSicknessPerMonth * factor)) {
        episode = WorkingDaysEpisode(s, AbsenceReason::kSic, start,
                                     static_cast<int>(rng_.Between(1, 5)));
      } else if (rng_.Chance(kTrainingPerMonth)) {
        episode = WorkingDaysEpisode(s, AbsenceReason::kTrn, start,
                                     static_cast<int>(rng_.Between(1, 2)));
      }
      if (!episode || episode->start_date > stop) {
        day = month_end + 1;
        continue;
      }
      const absl::CivilDay last = episode->end_date.value_or(last_day_);
      absences_.push_back(std::move(*episode));
      day = std::max(last + 1, month_end + 1);
    }
  }

  // `days` calendar days from `start`; ongoing when it runs past the
  // window. days_lost: its working days (to the window's end) times FTE.
  AbsenceEpisode Episode(const StaffMember& s, AbsenceReason reason,
                         absl::CivilDay start, int days) {
    AbsenceEpisode e;
    e.staff_id = s.staff_id;
    e.reason = reason;
    e.start_date = start;
    absl::CivilDay end = start + (days - 1);
    if (s.end_date && *s.end_date < end) end = *s.end_date;
    if (end <= last_day_) e.end_date = end;
    const absl::CivilDay counted_to = std::min(end, last_day_);
    const int working = calendar_.WorkingDaysBetween(start - 1, counted_to);
    e.days_lost = static_cast<double>(working * s.fte) / 1000.0;
    return e;
  }

  AbsenceEpisode WorkingDaysEpisode(const StaffMember& s, AbsenceReason reason,
                                    absl::CivilDay start, int working_days) {
    while (!calendar_.IsWorkingDay(start)) ++start;
    const absl::CivilDay end =
        calendar_.AddWorkingDays(start, working_days - 1);
    return Episode(s, reason, start, static_cast<int>(end - start) + 1);
  }

  // Funded FTE per (area, team, role): the staff in post at the end,
  // employed or agency (agency staff cover vacancies), plus about 5%
  // vacancies, in half FTEs; undated. Then one dated change: two more
  // safeguarding social workers from the last 1 April in the window.
  std::vector<EstablishmentRow> Establishment(
      const std::vector<StaffMember>& staff) {
    std::map<std::tuple<std::string, std::string, std::string>, MilliFte>
        funded;
    for (const StaffMember& s : staff) {
      if (!s.InPostOn(last_day_)) continue;
      const std::string role =
          s.role == "SENIOR_PRACTITIONER" ? "SOCIAL_WORKER" : s.role;
      funded[{s.service_area, s.team, role}] += s.fte;
    }
    std::vector<EstablishmentRow> rows;
    for (const auto& [key, fte] : funded) {
      EstablishmentRow row;
      std::tie(row.service_area, row.team, row.role) = key;
      MilliFte with_vacancies = fte + (rng_.Chance(0.4) ? 1000 : 0);
      row.fte = (with_vacancies + 499) / 500 * 500;
      rows.push_back(row);
    }
    absl::CivilDay april(last_day_.year(), 4, 1);
    if (april > last_day_) april = absl::CivilDay(last_day_.year() - 1, 4, 1);
    if (april >= first_day_) {
      for (EstablishmentRow& row : rows) {
        if (row.service_area == kSafeguarding && row.role == "SOCIAL_WORKER" &&
            !row.team.empty()) {
          EstablishmentRow dated = row;
          row.fte -= 2000;  // before April: two fewer
          if (row.fte < 0) row.fte = 0;
          dated.effective_from = april;
          rows.push_back(dated);
          break;
        }
      }
    }
    return rows;
  }

  const WorkforceSynthOptions& options_;
  const WorkingDayCalendar& calendar_;
  SynthRng rng_;
  const absl::CivilDay first_day_;
  const absl::CivilDay last_day_;
  std::vector<StaffMember> staff_;
  std::vector<AbsenceEpisode> absences_;
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

std::string FteText(MilliFte fte) {
  return absl::StrFormat("%d.%03d", fte / 1000, fte % 1000);
}

std::string DaysText(double days) { return absl::StrFormat("%.2f", days); }

absl::Status Finish(std::ostream* out) {
  out->flush();
  if (!*out) return absl::DataLossError("could not write the feed file");
  return absl::OkStatus();
}

}  // namespace

std::vector<CaseHolder> CaseHoldersOf(absl::Span<const kpi::CaseEvent> events) {
  std::map<std::string, std::pair<absl::CivilDay, std::string>> first;
  for (const kpi::CaseEvent& e : events) {
    if (e.type != kpi::EventType::kAllocationStart || e.worker_id.empty()) {
      continue;
    }
    auto [it, inserted] =
        first.emplace(e.worker_id, std::make_pair(e.event_date, e.team));
    if (!inserted && e.event_date < it->second.first) {
      it->second = {e.event_date, e.team};
    }
  }
  std::vector<CaseHolder> holders;
  holders.reserve(first.size());
  for (const auto& [worker, day_team] : first) {
    holders.push_back({worker, day_team.second});
  }
  return holders;
}

std::string ServiceAreaOfTeam(const std::string& team) {
  const std::string lower = absl::AsciiStrToLower(team);
  if (absl::StrContains(lower, "care") || absl::StartsWith(team, "CLA")) {
    return kInCare;
  }
  if (absl::StrContains(lower, "disab")) return kDisabled;
  if (absl::StrContains(lower, "early") || absl::StartsWith(team, "EH")) {
    return kEarlyHelp;
  }
  return kSafeguarding;
}

absl::StatusOr<WorkforceFeeds> SynthesizeWorkforce(
    const WorkforceSynthOptions& options,
    absl::Span<const CaseHolder> case_holders,
    const WorkingDayCalendar& calendar) {
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
  if (case_holders.empty()) {
    return absl::InvalidArgumentError(
        "case holders: none (the case events allocate no worker)");
  }
  return WorkforceBuilder(options, calendar).Build(case_holders);
}

absl::Status WriteStaffCsv(absl::Span<const StaffMember> staff,
                           std::ostream* out) {
  *out << "staff_id,role,qualified,service_area,team,employment,fte,"
          "start_date,end_date,annual_cost\n";
  for (const StaffMember& s : staff) {
    *out << CsvField(s.staff_id) << ',' << s.role << ','
         << (s.qualified ? 'Y' : 'N') << ',' << CsvField(s.service_area) << ','
         << CsvField(s.team) << ',' << workforce::EmploymentName(s.employment)
         << ',' << FteText(s.fte) << ',' << FormatIsoDate(s.start_date) << ','
         << (s.end_date ? FormatIsoDate(*s.end_date) : "") << ','
         << absl::StrFormat("%d.%02d", s.annual_cost_pence / 100,
                            s.annual_cost_pence % 100)
         << '\n';
  }
  return Finish(out);
}

absl::Status WriteAbsencesCsv(absl::Span<const AbsenceEpisode> absences,
                              std::ostream* out) {
  *out << "staff_id,reason,start_date,end_date,days_lost\n";
  for (const AbsenceEpisode& a : absences) {
    *out << CsvField(a.staff_id) << ','
         << workforce::AbsenceReasonName(a.reason) << ','
         << FormatIsoDate(a.start_date) << ','
         << (a.end_date ? FormatIsoDate(*a.end_date) : "") << ','
         << DaysText(a.days_lost) << '\n';
  }
  return Finish(out);
}

absl::Status WriteEstablishmentCsv(absl::Span<const EstablishmentRow> rows,
                                   std::ostream* out) {
  *out << "service_area,team,role,fte,effective_from\n";
  for (const EstablishmentRow& r : rows) {
    *out << CsvField(r.service_area) << ',' << CsvField(r.team) << ',' << r.role
         << ',' << FteText(r.fte) << ','
         << (r.effective_from ? FormatIsoDate(*r.effective_from) : "") << '\n';
  }
  return Finish(out);
}

}  // namespace sgm::synth
