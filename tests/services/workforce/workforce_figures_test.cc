#include "services/workforce/workforce_figures.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "gtest/gtest.h"
#include "services/workforce/staff.h"

namespace sgm::workforce {
namespace {

using Day = absl::CivilDay;

WorkingDayCalendar Calendar() {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

// A member of staff; qualified social worker, permanent, full-time, from
// 2020 unless told otherwise.
StaffMember Staff(std::string id, std::string area,
                  Employment employment = Employment::kPermanent,
                  MilliFte fte = 1000, Day start = Day(2020, 1, 6),
                  std::optional<Day> end = std::nullopt, bool qualified = true,
                  std::string role = "SOCIAL_WORKER",
                  int64_t annual_cost_pence = 0) {
  StaffMember m;
  m.staff_id = std::move(id);
  m.role = std::move(role);
  m.qualified = qualified;
  m.service_area = std::move(area);
  m.team = "T1";
  m.employment = employment;
  m.fte = fte;
  m.start_date = start;
  m.end_date = end;
  m.annual_cost_pence = annual_cost_pence;
  return m;
}

AbsenceEpisode Absence(std::string id, AbsenceReason reason, Day start,
                       std::optional<Day> end, double days_lost = 0) {
  AbsenceEpisode a;
  a.staff_id = std::move(id);
  a.reason = reason;
  a.start_date = start;
  a.end_date = end;
  a.days_lost = days_lost;
  return a;
}

EstablishmentRow Post(std::string area, std::string team, std::string role,
                      MilliFte fte, std::optional<Day> effective_from) {
  EstablishmentRow row;
  row.service_area = std::move(area);
  row.team = std::move(team);
  row.role = std::move(role);
  row.fte = fte;
  row.effective_from = effective_from;
  return row;
}

// The row of `area` (ADD_FAILURE and an empty row when there is none).
Staffing RowOf(const std::vector<Staffing>& rows, const std::string& area) {
  for (const Staffing& s : rows) {
    if (s.service_area == area) return s;
  }
  ADD_FAILURE() << "no row for " << area;
  return Staffing();
}

std::vector<std::string> AreasOf(const std::vector<Staffing>& rows) {
  std::vector<std::string> areas;
  for (const Staffing& s : rows) areas.push_back(s.service_area);
  return areas;
}

constexpr Employment kPermanent = Employment::kPermanent;
constexpr Employment kFixedTerm = Employment::kFixedTerm;
constexpr Employment kAgency = Employment::kAgency;

// ---------------------------------------------------------------------------
// Staffing on a date

TEST(StaffingTest, InPostFteByServiceAreaWithPartTimeAndAgency) {
  // D = Fri 31 May 2024.
  const Day d(2024, 5, 31);
  WorkforceData data;
  data.staff = {
      Staff("P1", "Safeguarding"),
      Staff("P2", "Safeguarding", kPermanent, 500, Day(2022, 3, 1)),
      Staff("P3", "Safeguarding", kAgency, 1000, Day(2024, 1, 8)),
      // Ends on D: still in post on its last day.
      Staff("P4", "Safeguarding", kFixedTerm, 1000, Day(2022, 9, 1),
            Day(2024, 5, 31), true, "TEAM_MANAGER"),
      Staff("P5", "Early Help", kPermanent, 800, Day(2023, 1, 9), std::nullopt,
            false, "CHILDRENS_PRACTITIONER"),
      // Starts the day after D; left the day before D.
      Staff("P6", "Early Help", kPermanent, 1000, Day(2024, 6, 1), std::nullopt,
            false, "CHILDRENS_PRACTITIONER"),
      Staff("P7", "Early Help", kPermanent, 1000, Day(2019, 1, 1),
            Day(2024, 5, 30), false, "FAMILY_SUPPORT"),
  };
  const std::vector<Staffing> rows =
      StaffingOn(data, d, Calendar(), WorkforceSettings());
  EXPECT_EQ(AreasOf(rows),
            (std::vector<std::string>{"Early Help", "Safeguarding", "Total"}));
  // Safeguarding: P1 1 + P2 0.5 + P3 1 (agency) + P4 1 = 3.5, all
  // qualified; employed 1 + 0.5 + 1 = 2.5; agency share 1 / 3.5 = 28.57%.
  const Staffing sg = RowOf(rows, "Safeguarding");
  EXPECT_EQ(sg.headcount, 4);
  EXPECT_EQ(sg.fte_in_post, 3500);
  EXPECT_EQ(sg.social_worker_fte, 3500);
  EXPECT_EQ(sg.agency_fte, 1000);
  EXPECT_EQ(sg.employed_fte, 2500);
  EXPECT_EQ(sg.agency_share_percent, 28.6);
  EXPECT_EQ(sg.vacancy_rate_percent, std::nullopt);  // no establishment
  // Early Help: P5 0.8 only, not qualified; agency share 0 / 0.8 = 0.0%.
  const Staffing eh = RowOf(rows, "Early Help");
  EXPECT_EQ(eh.headcount, 1);
  EXPECT_EQ(eh.fte_in_post, 800);
  EXPECT_EQ(eh.social_worker_fte, 0);
  EXPECT_EQ(eh.agency_fte, 0);
  EXPECT_EQ(eh.employed_fte, 800);
  EXPECT_EQ(eh.agency_share_percent, 0.0);
  // Total: 5 people, 4.3 FTE, 3.5 qualified, 1 agency (1 / 4.3 = 23.26%).
  const Staffing total = RowOf(rows, kTotalArea);
  EXPECT_EQ(total.headcount, 5);
  EXPECT_EQ(total.fte_in_post, 4300);
  EXPECT_EQ(total.social_worker_fte, 3500);
  EXPECT_EQ(total.agency_fte, 1000);
  EXPECT_EQ(total.employed_fte, 3300);
  EXPECT_EQ(total.agency_share_percent, 23.3);
}

TEST(StaffingTest, NobodyInPostHasNoShares) {
  WorkforceData data;
  data.establishment = {
      Post("Fostering", "", "SOCIAL_WORKER", 2000, std::nullopt)};
  const std::vector<Staffing> rows =
      StaffingOn(data, Day(2024, 5, 31), Calendar(), WorkforceSettings());
  EXPECT_EQ(AreasOf(rows), (std::vector<std::string>{"Fostering", "Total"}));
  const Staffing f = RowOf(rows, "Fostering");
  EXPECT_EQ(f.headcount, 0);
  EXPECT_EQ(f.agency_share_percent, std::nullopt);
  EXPECT_EQ(f.turnover_percent, std::nullopt);
  EXPECT_EQ(f.absence_days_per_fte, std::nullopt);
  EXPECT_EQ(f.vacancy_rate_percent, 100.0);  // 2 funded, 0 employed
}

TEST(StaffingTest, MaternityAndLongTermAbsenceOnTheDate) {
  // D = Sun 30 Jun 2024. Everyone in Safeguarding, in post from 2020.
  const Day d(2024, 6, 30);
  WorkforceData data;
  data.staff = {
      Staff("M1", "Safeguarding", kPermanent, 1000),
      Staff("M2", "Safeguarding", kPermanent, 500),
      Staff("M3", "Safeguarding", kPermanent, 800),
      Staff("M4", "Safeguarding", kPermanent, 1000),
      Staff("M5", "Safeguarding", kPermanent, 1000),
      Staff("M6", "Safeguarding", kPermanent, 1000),
      Staff("M7", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            Day(2024, 6, 29)),
      Staff("M8", "Safeguarding", kPermanent, 1000),
      Staff("M9", "Safeguarding", kAgency, 1000),
      Staff("M10", "Safeguarding", kPermanent, 1000),
  };
  const auto mat = AbsenceReason::kMat;
  const auto sic = AbsenceReason::kSic;
  data.absences = {
      // M1: maternity and, at once, sickness ongoing from 1 Jun (a month
      // on 30 Jun = AddMonthsClamped(1 Jun, 1) - 1): both columns.
      Absence("M1", mat, Day(2024, 5, 1), std::nullopt),
      Absence("M1", sic, Day(2024, 6, 1), std::nullopt),
      // M2: two sickness episodes covering D, one long (20 May - 1 Jul,
      // a month from 19 Jun), one short: 0.5 FTE once.
      Absence("M2", sic, Day(2024, 5, 20), Day(2024, 7, 1)),
      Absence("M2", sic, Day(2024, 6, 25), std::nullopt),
      // M3: two maternity episodes covering D: 0.8 FTE once.
      Absence("M3", mat, Day(2024, 1, 1), Day(2024, 6, 30)),
      Absence("M3", mat, Day(2024, 6, 30), std::nullopt),
      // M4: ongoing from 2 Jun: a month only on 1 Jul, a day after D.
      Absence("M4", sic, Day(2024, 6, 2), std::nullopt),
      // M5: 1-30 Jun, exactly a month. M6: 2-30 Jun, a day short.
      Absence("M5", sic, Day(2024, 6, 1), Day(2024, 6, 30)),
      Absence("M6", sic, Day(2024, 6, 2), Day(2024, 6, 30)),
      // M7 left the day before D: not counted.
      Absence("M7", mat, Day(2024, 1, 1), std::nullopt),
      // M8: training is a non-maternity reason: long-term.
      Absence("M8", AbsenceReason::kTrn, Day(2024, 5, 1), Day(2024, 7, 31)),
      // M9: agency staff are in post and counted.
      Absence("M9", sic, Day(2024, 5, 1), std::nullopt),
      // M10: ended before D.
      Absence("M10", sic, Day(2024, 5, 1), Day(2024, 6, 29)),
      // No such member of staff: ignored.
      Absence("X1", mat, Day(2024, 5, 1), std::nullopt),
  };
  const std::vector<Staffing> rows =
      StaffingOn(data, d, Calendar(), WorkforceSettings());
  const Staffing total = RowOf(rows, kTotalArea);
  // Maternity: M1 1 + M3 0.8 = 1.8.
  EXPECT_EQ(total.maternity_fte, 1800);
  // Long-term: M1 1 + M2 0.5 + M5 1 + M8 1 + M9 1 = 4.5.
  EXPECT_EQ(total.long_term_absence_fte, 4500);
  EXPECT_EQ(RowOf(rows, "Safeguarding").long_term_absence_fte, 4500);
}

TEST(StaffingTest, AMonthFromThe31stOfJanuary) {
  WorkforceData data;
  data.staff = {
      Staff("S1", "A", kPermanent, 1000), Staff("S2", "A", kPermanent, 200),
      Staff("S3", "A", kPermanent, 300), Staff("S4", "A", kPermanent, 400)};
  const auto sic = AbsenceReason::kSic;
  data.absences = {
      // 31 Jan - 28 Feb 2023 is a month (no 31 Feb: the month is reached at
      // the end of February); 31 Jan - 27 Feb is not.
      Absence("S1", sic, Day(2023, 1, 31), Day(2023, 2, 28)),
      Absence("S2", sic, Day(2023, 1, 31), Day(2023, 2, 27)),
      // Ongoing from 31 Jan: a month on 28 Feb.
      Absence("S3", sic, Day(2023, 1, 31), std::nullopt),
      // Ongoing from 28 Jan: a month on 27 Feb (AddMonthsClamped - 1).
      Absence("S4", sic, Day(2023, 1, 28), std::nullopt),
  };
  const WorkingDayCalendar calendar = Calendar();
  // 27 Feb: S1 (ends 28 Feb) + S4 = 1 + 0.4.
  EXPECT_EQ(
      RowOf(StaffingOn(data, Day(2023, 2, 27), calendar, WorkforceSettings()),
            kTotalArea)
          .long_term_absence_fte,
      1400);
  // 28 Feb: S1 + S3 + S4 = 1 + 0.3 + 0.4 (S2 has ended).
  EXPECT_EQ(
      RowOf(StaffingOn(data, Day(2023, 2, 28), calendar, WorkforceSettings()),
            kTotalArea)
          .long_term_absence_fte,
      1700);
  // In a leap year the month from 31 Jan is reached on 29 Feb 2024.
  WorkforceData leap;
  leap.staff = {Staff("S5", "A", kPermanent, 1000)};
  leap.absences = {Absence("S5", sic, Day(2024, 1, 31), std::nullopt)};
  EXPECT_EQ(
      RowOf(StaffingOn(leap, Day(2024, 2, 28), calendar, WorkforceSettings()),
            kTotalArea)
          .long_term_absence_fte,
      0);
  EXPECT_EQ(
      RowOf(StaffingOn(leap, Day(2024, 2, 29), calendar, WorkforceSettings()),
            kTotalArea)
          .long_term_absence_fte,
      1000);
}

TEST(StaffingTest, EstablishmentInForceAndVacancyRate) {
  // D = 31 May 2024.
  const Day d(2024, 5, 31);
  WorkforceData data;
  data.staff = {
      Staff("P1", "Safeguarding"),
      Staff("P2", "Safeguarding", kPermanent, 500),
      Staff("P3", "Safeguarding", kAgency, 1000),
      Staff("P5", "Early Help", kPermanent, 1000),
      Staff("P6", "Early Help", kFixedTerm, 500),
  };
  data.establishment = {
      // CP1 social workers: undated 3, from 1 Apr 2024 4 (in force), from
      // 1 Jun 2024 5 (not yet).
      Post("Safeguarding", "CP1", "SOCIAL_WORKER", 3000, std::nullopt),
      Post("Safeguarding", "CP1", "SOCIAL_WORKER", 5000, Day(2024, 6, 1)),
      Post("Safeguarding", "CP1", "SOCIAL_WORKER", 4000, Day(2024, 4, 1)),
      Post("Safeguarding", "CP1", "TEAM_MANAGER", 1000, std::nullopt),
      // CP2 closed (fte 0) from D itself.
      Post("Safeguarding", "CP2", "SOCIAL_WORKER", 2000, Day(2023, 1, 1)),
      Post("Safeguarding", "CP2", "SOCIAL_WORKER", 0, Day(2024, 5, 31)),
      // Funded for the whole service area (no team).
      Post("Safeguarding", "", "SOCIAL_WORKER", 1500, std::nullopt),
      Post("Early Help", "EH1", "CHILDRENS_PRACTITIONER", 1000, std::nullopt),
      // Areas with only establishment rows: in force from D; not yet.
      Post("Fostering", "", "SUPERVISING_SOCIAL_WORKER", 2000,
           Day(2024, 5, 31)),
      Post("Adoption", "A1", "SOCIAL_WORKER", 1000, Day(2024, 6, 1)),
  };
  const std::vector<Staffing> rows =
      StaffingOn(data, d, Calendar(), WorkforceSettings());
  EXPECT_EQ(AreasOf(rows),
            (std::vector<std::string>{"Adoption", "Early Help", "Fostering",
                                      "Safeguarding", "Total"}));
  // Safeguarding: 4 + 1 + 0 + 1.5 = 6.5 funded; employed P1 1 + P2 0.5 =
  // 1.5 (the agency P3 fills no post): (6.5 - 1.5) / 6.5 = 76.92%.
  const Staffing sg = RowOf(rows, "Safeguarding");
  EXPECT_EQ(sg.establishment_fte, 6500);
  EXPECT_EQ(sg.employed_fte, 1500);
  EXPECT_EQ(sg.vacancy_rate_percent, 76.9);
  // Early Help: 1 funded, 1.5 employed: over establishment, floor 0.
  const Staffing eh = RowOf(rows, "Early Help");
  EXPECT_EQ(eh.establishment_fte, 1000);
  EXPECT_EQ(eh.vacancy_rate_percent, 0.0);
  // Fostering: 2 funded, nobody: 100%. Adoption: nothing in force: none.
  EXPECT_EQ(RowOf(rows, "Fostering").vacancy_rate_percent, 100.0);
  EXPECT_EQ(RowOf(rows, "Adoption").establishment_fte, 0);
  EXPECT_EQ(RowOf(rows, "Adoption").vacancy_rate_percent, std::nullopt);
  // Total: 6.5 + 1 + 2 + 0 = 9.5 funded, 3 employed: 6.5 / 9.5 = 68.42%.
  const Staffing total = RowOf(rows, kTotalArea);
  EXPECT_EQ(total.establishment_fte, 9500);
  EXPECT_EQ(total.employed_fte, 3000);
  EXPECT_EQ(total.vacancy_rate_percent, 68.4);
  // A day earlier CP2 is still funded (2) and Fostering not yet:
  // Safeguarding 4 + 1 + 2 + 1.5 = 8.5.
  const std::vector<Staffing> before =
      StaffingOn(data, d - 1, Calendar(), WorkforceSettings());
  EXPECT_EQ(RowOf(before, "Safeguarding").establishment_fte, 8500);
  EXPECT_EQ(RowOf(before, "Fostering").establishment_fte, 0);
  // On 1 Jun the CP1 row of 5 replaces 4, Adoption starts: 5 + 1 + 0 + 1.5.
  const std::vector<Staffing> after =
      StaffingOn(data, d + 1, Calendar(), WorkforceSettings());
  EXPECT_EQ(RowOf(after, "Safeguarding").establishment_fte, 7500);
  EXPECT_EQ(RowOf(after, "Adoption").establishment_fte, 1000);
}

TEST(StaffingTest, LeaversAndTurnoverInTheTwelveMonthWindow) {
  // D = 31 May 2024: the window is 1 Jun 2023 (AddMonthsClamped(D, -12) + 1)
  // to 31 May 2024.
  const Day d(2024, 5, 31);
  WorkforceData data;
  data.staff = {
      // Left the day before the window: not a leaver.
      Staff("L1", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            Day(2023, 5, 31)),
      // Left on the window's first day and on D: leavers.
      Staff("L2", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            Day(2023, 6, 1)),
      Staff("L3", "Safeguarding", kFixedTerm, 1000, Day(2020, 1, 6),
            Day(2024, 5, 31)),
      // Leaves the day after D: not (yet) a leaver.
      Staff("L4", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            Day(2024, 6, 1)),
      // Agency leavers are not turnover.
      Staff("L5", "Safeguarding", kAgency, 1000, Day(2020, 1, 6),
            Day(2023, 12, 1)),
      Staff("L6", "Safeguarding", kPermanent, 1000, Day(2024, 1, 1)),
      // Nobody leaving.
      Staff("C1", "Children In Care"),
  };
  const std::vector<Staffing> rows =
      StaffingOn(data, d, Calendar(), WorkforceSettings());
  // Safeguarding: leavers L2, L3 = 2. Employed headcount on 1 Jun 2023:
  // L2, L3, L4 = 3; on D: L3, L4, L6 = 3; average 3; 2 / 3 = 66.67%.
  const Staffing sg = RowOf(rows, "Safeguarding");
  EXPECT_EQ(sg.leavers_12m, 2);
  EXPECT_DOUBLE_EQ(sg.average_headcount_12m, 3.0);
  EXPECT_EQ(sg.turnover_percent, 66.7);
  // Children In Care: 0 leavers of 1: 0.0%.
  const Staffing cic = RowOf(rows, "Children In Care");
  EXPECT_EQ(cic.leavers_12m, 0);
  EXPECT_DOUBLE_EQ(cic.average_headcount_12m, 1.0);
  EXPECT_EQ(cic.turnover_percent, 0.0);
  // Total: 2 leavers, headcounts 4 and 4: 2 / 4 = 50%.
  const Staffing total = RowOf(rows, kTotalArea);
  EXPECT_EQ(total.leavers_12m, 2);
  EXPECT_DOUBLE_EQ(total.average_headcount_12m, 4.0);
  EXPECT_EQ(total.turnover_percent, 50.0);
  // A day later (1 Jun 2024, window 2 Jun 2023 - 1 Jun 2024) L2 drops out
  // and L4 comes in: leavers L3, L4; headcount on 2 Jun 2023: L3, L4 = 2,
  // on 1 Jun 2024: L4, L6 = 2; 2 / 2 = 100%.
  const Staffing next = RowOf(
      StaffingOn(data, d + 1, Calendar(), WorkforceSettings()), "Safeguarding");
  EXPECT_EQ(next.leavers_12m, 2);
  EXPECT_DOUBLE_EQ(next.average_headcount_12m, 2.0);
  EXPECT_EQ(next.turnover_percent, 100.0);
}

TEST(StaffingTest, OddAverageHeadcountTurnover) {
  // Headcounts 2 on the first day and 1 on D: average 1.5; 1 leaver:
  // 1 / 1.5 = 66.67%.
  WorkforceData data;
  data.staff = {
      Staff("A", "X", kPermanent, 1000, Day(2020, 1, 6), Day(2024, 1, 31)),
      Staff("B", "X")};
  const Staffing x = RowOf(
      StaffingOn(data, Day(2024, 5, 31), Calendar(), WorkforceSettings()), "X");
  EXPECT_DOUBLE_EQ(x.average_headcount_12m, 1.5);
  EXPECT_EQ(x.turnover_percent, 66.7);
}

TEST(StaffingTest, AbsenceDaysPerFteApportionedByWorkingDays) {
  // D = 31 May 2024; window 1 Jun 2023 - 31 May 2024. Bank holidays used:
  // Mon 29 May 2023 and Mon 27 May 2024 (spring).
  const Day d(2024, 5, 31);
  const auto sic = AbsenceReason::kSic;
  WorkforceData data;
  data.staff = {
      Staff("E1", "Safeguarding", kPermanent, 1000),
      Staff("E2", "Safeguarding", kPermanent, 500),
      Staff("E3", "Safeguarding", kPermanent, 1000),
      Staff("E4", "Safeguarding", kAgency, 1000),
      // Joined in the window; left in the window.
      Staff("E5", "Safeguarding", kPermanent, 1000, Day(2023, 9, 1)),
      Staff("E6", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            Day(2023, 12, 31)),
  };
  data.absences = {
      // Mon 22 May - Fri 9 Jun 2023: 5 + 4 (29 May a bank holiday) + 5 = 14
      // working days, 7 of them (1, 2, 5-9 Jun) in the window: 10 x 7/14 = 5.
      Absence("E1", sic, Day(2023, 5, 22), Day(2023, 6, 9), 10),
      // Maternity is not counted; neither is an episode before the window.
      Absence("E1", AbsenceReason::kMat, Day(2023, 9, 1), Day(2023, 12, 31),
              80),
      Absence("E1", sic, Day(2023, 3, 1), Day(2023, 3, 3), 3),
      // Tue 28 May - Fri 7 Jun 2024: 4 + 5 = 9 working days, 4 (28-31 May)
      // up to D: 9 x 4/9 = 4.
      Absence("E2", sic, Day(2024, 5, 28), Day(2024, 6, 7), 9),
      // Ongoing from Mon 20 May 2024: up to D 5 + 4 (27 May a bank
      // holiday) = 9 working days, all in the window: 9.
      Absence("E3", sic, Day(2024, 5, 20), std::nullopt, 9),
      // A weekend only (no working day): whole when it starts in the
      // window (1), nothing when before (Sat 27 - Sun 28 May 2023).
      Absence("E3", AbsenceReason::kOth, Day(2024, 5, 18), Day(2024, 5, 19), 1),
      Absence("E3", AbsenceReason::kUna, Day(2023, 5, 27), Day(2023, 5, 28), 1),
      // Training is not counted; an episode starting after D neither.
      Absence("E3", AbsenceReason::kTrn, Day(2024, 1, 8), Day(2024, 1, 12), 5),
      Absence("E3", sic, Day(2024, 6, 3), Day(2024, 6, 4), 2),
      // Agency staff are not counted.
      Absence("E4", sic, Day(2024, 3, 4), Day(2024, 3, 8), 5),
      // Unpaid leave of a joiner, sickness of a leaver: 5 each.
      Absence("E5", AbsenceReason::kUnp, Day(2024, 2, 5), Day(2024, 2, 9), 5),
      Absence("E6", sic, Day(2023, 7, 3), Day(2023, 7, 7), 5),
  };
  const std::vector<Staffing> rows =
      StaffingOn(data, d, Calendar(), WorkforceSettings());
  const Staffing sg = RowOf(rows, "Safeguarding");
  // 5 + 4 + 9 + 1 + 5 + 5 = 29 days.
  EXPECT_DOUBLE_EQ(sg.absence_days_lost_12m, 29.0);
  // Employed FTE on 1 Jun 2023: E1 1 + E2 0.5 + E3 1 + E6 1 = 3.5; on D:
  // E1 + E2 + E3 + E5 = 3.5; average 3.5. 29 / 3.5 = 8.2857 -> 8.29.
  EXPECT_DOUBLE_EQ(sg.average_employed_fte_12m, 3.5);
  EXPECT_EQ(sg.absence_days_per_fte, 8.29);
  EXPECT_EQ(RowOf(rows, kTotalArea).absence_days_per_fte, 8.29);

  // With training counted too (a setting): + 5 days = 34 / 3.5 = 9.714.
  WorkforceSettings settings;
  settings.counted_absence_reasons.insert(AbsenceReason::kTrn);
  EXPECT_EQ(RowOf(StaffingOn(data, d, Calendar(), settings), kTotalArea)
                .absence_days_per_fte,
            9.71);
}

// ---------------------------------------------------------------------------
// Caseloads

TEST(CaseloadTest, GroupsBandsMediansAndThreshold) {
  const Day d(2024, 5, 31);
  std::vector<StaffMember> staff = {
      Staff("Q1", "S"),
      Staff("Q2", "S", kPermanent, 1000, Day(2020, 1, 6), std::nullopt, true,
            "TEAM_MANAGER"),
      Staff("Q3", "S", kAgency),
      // Left the day before D: its allocations are unmatched.
      Staff("Q4", "S", kPermanent, 1000, Day(2020, 1, 6), Day(2024, 5, 30)),
      Staff("Q6", "S"),
      Staff("Q7", "S"),
      Staff("Q8", "S"),
      Staff("N1", "E", kPermanent, 1000, Day(2020, 1, 6), std::nullopt, false,
            "CHILDRENS_PRACTITIONER"),
      Staff("N2", "E", kPermanent, 1000, Day(2020, 1, 6), std::nullopt, false,
            "CHILDRENS_PRACTITIONER"),
      Staff("N4", "E", kPermanent, 1000, Day(2020, 1, 6), std::nullopt, false,
            "CHILDRENS_PRACTITIONER"),
      // Not qualified, not a practitioner role: in no group.
      Staff("N3", "E", kPermanent, 1000, Day(2020, 1, 6), std::nullopt, false,
            "FAMILY_SUPPORT"),
  };
  const std::vector<AllocatedWorker> workers = {
      {"Q1", "CP1", 21}, {"Q2", "CP1", 5},  {"Q3", "CP2", 26},
      {"Q4", "CP2", 3},  {"X9", "CP9", 4},  {"Q6", "CP1", 15},
      {"Q7", "CP1", 16}, {"Q8", "CP1", 11}, {"N1", "EH1", 20},
      {"N2", "EH1", 6},  {"N4", "EH1", 1},  {"N3", "EH1", 7},
      {"Q5", "CP1", 0},
  };
  const Caseloads c = CaseloadsOn(staff, workers, d, WorkforceSettings());
  ASSERT_EQ(c.groups.size(), 2u);
  // Qualified: Q1 21, Q2 5, Q3 26, Q6 15, Q7 16, Q8 11 = 94 over 6 workers:
  // mean 15.67; sorted 5 11 15 16 21 26, median (15 + 16) / 2 = 15.5; over
  // 20: 21 and 26.
  const CaseloadGroup& q = c.groups[0];
  EXPECT_EQ(q.group, "qualified_social_workers");
  EXPECT_EQ(q.case_holding_workers, 6);
  EXPECT_EQ(q.open_cases, 94);
  EXPECT_EQ(q.mean_caseload, 15.7);
  EXPECT_EQ(q.median_caseload, 15.5);
  EXPECT_EQ(q.bands,
            (std::vector<std::pair<std::string, int64_t>>{{"1-5", 1},
                                                          {"6-10", 0},
                                                          {"11-15", 2},
                                                          {"16-20", 1},
                                                          {"21-25", 1},
                                                          {"26+", 1}}));
  EXPECT_EQ(q.over_threshold, 2);
  // Practitioners: N1 20, N2 6, N4 1 = 27 over 3: mean 9.0, median 6.0;
  // 20 is not over 20.
  const CaseloadGroup& p = c.groups[1];
  EXPECT_EQ(p.group, "childrens_practitioners");
  EXPECT_EQ(p.case_holding_workers, 3);
  EXPECT_EQ(p.open_cases, 27);
  EXPECT_EQ(p.mean_caseload, 9.0);
  EXPECT_EQ(p.median_caseload, 6.0);
  EXPECT_EQ(p.bands,
            (std::vector<std::pair<std::string, int64_t>>{{"1-5", 1},
                                                          {"6-10", 1},
                                                          {"11-15", 0},
                                                          {"16-20", 1},
                                                          {"21-25", 0},
                                                          {"26+", 0}}));
  EXPECT_EQ(p.over_threshold, 0);
  // Q4 (left) and X9 (no record); Q5 holds no case; N3 is in no group.
  EXPECT_EQ(c.unmatched_workers, 2);

  // Threshold 15 and FAMILY_SUPPORT as a practitioner role: qualified over
  // 15: 16, 21, 26; practitioners N1 20, N2 6, N4 1, N3 7 = 34 over 4:
  // mean 8.5, median (6 + 7) / 2 = 6.5, over 15: 20.
  WorkforceSettings settings;
  settings.caseload_threshold = 15;
  settings.practitioner_roles.insert("FAMILY_SUPPORT");
  const Caseloads c15 = CaseloadsOn(staff, workers, d, settings);
  EXPECT_EQ(c15.groups[0].over_threshold, 3);
  EXPECT_EQ(c15.groups[1].case_holding_workers, 4);
  EXPECT_EQ(c15.groups[1].mean_caseload, 8.5);
  EXPECT_EQ(c15.groups[1].median_caseload, 6.5);
  EXPECT_EQ(c15.groups[1].over_threshold, 1);
}

TEST(CaseloadTest, NoWorkersStillGivesBothGroupsAndAllBands) {
  const Caseloads c =
      CaseloadsOn({}, {}, Day(2024, 5, 31), WorkforceSettings());
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups[0].group, "qualified_social_workers");
  EXPECT_EQ(c.groups[1].group, "childrens_practitioners");
  for (const CaseloadGroup& g : c.groups) {
    EXPECT_EQ(g.case_holding_workers, 0);
    EXPECT_EQ(g.mean_caseload, std::nullopt);
    EXPECT_EQ(g.median_caseload, std::nullopt);
    ASSERT_EQ(g.bands.size(), 6u);
    EXPECT_EQ(g.bands[5].first, "26+");
    EXPECT_EQ(g.bands[5].second, 0);
  }
  EXPECT_EQ(c.unmatched_workers, 0);
}

// ---------------------------------------------------------------------------
// Costs

TEST(CostTest, FinancialYearOfItsEdges) {
  EXPECT_EQ(FinancialYearOf(Day(2024, 3, 31)), 2023);
  EXPECT_EQ(FinancialYearOf(Day(2024, 4, 1)), 2024);
  EXPECT_EQ(FinancialYearOf(Day(2024, 1, 1)), 2023);
  EXPECT_EQ(FinancialYearOf(Day(2023, 12, 31)), 2023);
}

TEST(CostTest, ProRataCostsAndAgencyPremium2023To24) {
  // 1 Apr 2023 - 31 Mar 2024 holds 29 Feb 2024: 366 days.
  const auto sw = "SOCIAL_WORKER";
  const auto cp = "CHILDRENS_PRACTITIONER";
  const std::vector<StaffMember> staff = {
      // The whole year: 4,500,000.
      Staff("C1", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            std::nullopt, true, sw, 4500000),
      // From 1 Oct 2023: 183 days (31+30+31+31+29+31): 2,250,000 x 183/366
      // = 1,125,000.
      Staff("C2", "Safeguarding", kPermanent, 500, Day(2023, 10, 1),
            std::nullopt, true, sw, 2250000),
      // Agency from 8 Jan 2024: 84 days (24+29+31): 7,000,000 x 84/366 =
      // 1,606,557.38 -> 1,606,557. Comparator: permanent social workers
      // C1 + C2: 6,750,000 over 1.5 FTE = 4,500,000 a year per FTE; at 1
      // FTE for 84 days: 4,500,000 x 84/366 = 1,032,786.89 -> 1,032,787.
      // Premium 1,606,557 - 1,032,787 = 573,770.
      Staff("C3", "Safeguarding", kAgency, 1000, Day(2024, 1, 8), std::nullopt,
            true, sw, 7000000),
      // Agency team manager, no permanent team manager: whole year
      // 5,000,000, without comparator.
      Staff("C4", "Safeguarding", kAgency, 1000, Day(2020, 1, 6), std::nullopt,
            true, "TEAM_MANAGER", 5000000),
      // Left on 31 Mar 2023, the day before the year: nothing, and not a
      // comparator.
      Staff("C8", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            Day(2023, 3, 31), true, sw, 9900000),
      // Started on 31 Mar 2024, the year's last day: 3,660,000 / 366 =
      // 10,000.
      Staff("C9", "Safeguarding", kPermanent, 1000, Day(2024, 3, 31),
            std::nullopt, true, "SENIOR_PRACTITIONER", 3660000),
      // Starts on 1 Apr 2024: nothing.
      Staff("C10", "Safeguarding", kPermanent, 1000, Day(2024, 4, 1),
            std::nullopt, true, sw, 9900000),
      // No cost given: 0, and not a comparator.
      Staff("C11", "Safeguarding", kPermanent, 1000, Day(2020, 1, 6),
            std::nullopt, true, sw, 0),
      // Early Help: permanent practitioner 3,000,000; agency at 0.5 FTE
      // 1,200,000 against 3,000,000 x 0.5 = 1,500,000: premium -300,000;
      // a fixed-term practitioner (6,000,000) is no comparator.
      Staff("C5", "Early Help", kPermanent, 1000, Day(2020, 1, 6), std::nullopt,
            false, cp, 3000000),
      Staff("C6", "Early Help", kAgency, 500, Day(2020, 1, 6), std::nullopt,
            false, cp, 1200000),
      Staff("C7", "Early Help", kFixedTerm, 1000, Day(2020, 1, 6), std::nullopt,
            false, cp, 6000000),
  };
  const std::vector<Costs> costs = CostsFor(staff, 2023);
  ASSERT_EQ(costs.size(), 3u);
  const Costs& eh = costs[0];
  EXPECT_EQ(eh.service_area, "Early Help");
  EXPECT_EQ(eh.financial_year, 2023);
  // 3,000,000 + 1,200,000 + 6,000,000.
  EXPECT_EQ(eh.total_cost_pence, 10200000);
  EXPECT_EQ(eh.social_worker_cost_pence, 0);
  EXPECT_EQ(eh.agency_cost_pence, 1200000);
  EXPECT_EQ(eh.agency_premium_pence, -300000);
  EXPECT_EQ(eh.agency_without_comparator, 0);
  const Costs& sg = costs[1];
  EXPECT_EQ(sg.service_area, "Safeguarding");
  // 4,500,000 + 1,125,000 + 1,606,557 + 5,000,000 + 10,000 = 12,241,557,
  // all qualified.
  EXPECT_EQ(sg.total_cost_pence, 12241557);
  EXPECT_EQ(sg.social_worker_cost_pence, 12241557);
  // 1,606,557 + 5,000,000.
  EXPECT_EQ(sg.agency_cost_pence, 6606557);
  EXPECT_EQ(sg.agency_premium_pence, 573770);
  EXPECT_EQ(sg.agency_without_comparator, 1);
  const Costs& total = costs[2];
  EXPECT_EQ(total.service_area, kTotalArea);
  EXPECT_EQ(total.total_cost_pence, 22441557);
  EXPECT_EQ(total.social_worker_cost_pence, 12241557);
  EXPECT_EQ(total.agency_cost_pence, 7806557);
  // 573,770 - 300,000.
  EXPECT_EQ(total.agency_premium_pence, 273770);
  EXPECT_EQ(total.agency_without_comparator, 1);
}

TEST(CostTest, YearLengthAndRoundingHalfAwayFromZero) {
  // 2024-25 has no 29 Feb: 365 days. A one-day post of 3,650,000 a year on
  // 1 Apr 2024 costs 10,000 in 2024-25 and nothing in 2023-24.
  const std::vector<StaffMember> one_day = {
      Staff("D1", "A", kPermanent, 1000, Day(2024, 4, 1), Day(2024, 4, 1), true,
            "SOCIAL_WORKER", 3650000)};
  EXPECT_EQ(CostsFor(one_day, 2024).back().total_cost_pence, 10000);
  EXPECT_EQ(CostsFor(one_day, 2023).back().total_cost_pence, 0);
  // 1 penny a year for 183 of 366 days is half a penny: rounds to 1; for
  // 182 days (from 2 Oct 2023) 0.497: rounds to 0.
  EXPECT_EQ(CostsFor({Staff("H1", "A", kPermanent, 1000, Day(2023, 10, 1),
                            std::nullopt, true, "SOCIAL_WORKER", 1)},
                     2023)
                .back()
                .total_cost_pence,
            1);
  EXPECT_EQ(CostsFor({Staff("H2", "A", kPermanent, 1000, Day(2023, 10, 2),
                            std::nullopt, true, "SOCIAL_WORKER", 1)},
                     2023)
                .back()
                .total_cost_pence,
            0);
  // Negative premium rounding: an agency worker at 0 against a permanent
  // 1 penny a year, 183 days: 0 - 0.5 -> 0 - 1 = -1.
  const std::vector<StaffMember> pair = {
      Staff("P", "A", kPermanent, 1000, Day(2020, 1, 6), std::nullopt, true,
            "SOCIAL_WORKER", 1),
      Staff("G", "A", kAgency, 1000, Day(2023, 10, 1), std::nullopt, true,
            "SOCIAL_WORKER", 0)};
  EXPECT_EQ(CostsFor(pair, 2023).back().agency_premium_pence, -1);
}

}  // namespace
}  // namespace sgm::workforce
