// The practice-insight and what-changed sections the Markdown and HTML
// renderers' tests both render: the 12 months to July 2023 (August 2022 to
// July 2023), worked by hand (AddInsight, AddWhatChanged).
#ifndef SGM_TESTS_SERVICES_GATEWAY_REPORT_INSIGHT_FIXTURE_H_
#define SGM_TESTS_SERVICES_GATEWAY_REPORT_INSIGHT_FIXTURE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/intake/v1/intake.pb.h"
#include "sgm/kpi/v1/kpi.pb.h"
#include "sgm/type/v1/date.pb.h"

namespace sgm::gateway::insight_fixture {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;

inline void SetMonth(int year, int month, sgm::type::v1::YearMonth* out) {
  out->set_year(year);
  out->set_month(month);
}

inline void SetPeriod(int from_year, int from_month, int to_year, int to_month,
                      gv1::MonthPeriod* out) {
  SetMonth(from_year, from_month, out->mutable_from());
  SetMonth(to_year, to_month, out->mutable_to());
}

inline void SetPoint(int64_t contacts, double mean, int64_t below,
                     double below_percent, iv1::ReferralQualityPoint* p) {
  p->set_contacts(contacts);
  p->set_mean_score(mean);
  p->set_below_threshold(below);
  p->set_below_threshold_percent(below_percent);
}

inline void AddGap(absl::string_view item, int64_t contacts, double percent,
                   iv1::AgencyReferralQuality* a) {
  iv1::QualityGap* g = a->add_top_gaps();
  g->set_item(std::string(item));
  g->set_contacts(contacts);
  g->set_percent(percent);
}

inline void AddDuplicateRow(
    absl::string_view code, absl::string_view label, int64_t with_child,
    int64_t duplicates, double percent,
    google::protobuf::RepeatedPtrField<iv1::DuplicateBreakdown>* rows) {
  iv1::DuplicateBreakdown* b = rows->Add();
  b->set_code(std::string(code));
  b->set_label(std::string(label));
  b->set_contacts_with_child(with_child);
  b->set_duplicates(duplicates);
  b->set_percent(percent);
}

// One funnel stage: counts and shares of NEG, PHY, SAB, EMO, MUL, NONE, and
// (after the first stage) the conversions from the stage before, absent
// where the count before was 0.
inline void AddStage(absl::string_view stage,
                     const std::vector<int64_t>& counts,
                     const std::vector<double>& shares,
                     const std::vector<std::optional<double>>& conversions,
                     gv1::AbuseCategoryFunnel* funnel) {
  static const char* const kCategories[] = {"NEG", "PHY", "SAB",
                                            "EMO", "MUL", "NONE"};
  gv1::AbuseFunnelStage* s = funnel->add_stages();
  s->set_stage(std::string(stage));
  int64_t total = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    kv1::CategoryCount* c = s->add_by_category();
    c->set_category(kCategories[i]);
    c->set_count(counts[i]);
    c->set_percent(shares[i]);
    total += counts[i];
  }
  s->set_total(total);
  for (size_t i = 0; i < conversions.size(); ++i) {
    gv1::AbuseFunnelConversion* v = s->add_conversions();
    v->set_category(kCategories[i]);
    if (conversions[i].has_value()) v->set_percent(*conversions[i]);
  }
}

inline void AddVisits(
    kv1::VisitKind kind, std::optional<int> month, int64_t visits,
    int64_t recorded, int64_t face, std::optional<double> face_percent,
    int64_t alone_recorded, int64_t alone, std::optional<double> alone_percent,
    google::protobuf::RepeatedPtrField<kv1::VisitQuality>* out) {
  kv1::VisitQuality* v = out->Add();
  v->set_kind(kind);
  if (month.has_value()) SetMonth(2023, *month, v->mutable_month());
  v->set_visits(visits);
  v->set_mode_recorded(recorded);
  v->set_face_to_face(face);
  if (face_percent.has_value()) v->set_face_to_face_percent(*face_percent);
  v->set_seen_alone_recorded(alone_recorded);
  v->set_seen_alone(alone);
  if (alone_percent.has_value()) v->set_seen_alone_percent(*alone_percent);
}

inline void AddClosure(absl::string_view reason, absl::string_view label,
                       int64_t closures, kv1::ServiceFlowMonth* m) {
  kv1::ClosureCount* c = m->add_closures();
  c->set_reason(std::string(reason));
  c->set_label(std::string(label));
  c->set_closures(closures);
}

// Practice insight over August 2022 to July 2023, worked by hand:
// - referral quality: SCHOOLS 40 contacts (mean 58.5, 22 below 60: 55.0%)
//   and POLICE 160 (mean 81.3, 16 below: 10.0%); all 200 together mean
//   (40 x 58.5 + 160 x 81.3) / 200 = 76.74 -> 76.7, 38 below: 19.0%;
// - duplicate input: 27 of 180 contacts with a child (15.0%); June 12 of
//   85 (14.1%), July 15 of 95 (15.8%);
// - the funnel: contacts 200, referrals 80, S47s 40, ICPCs 25, plans 20;
//   physical abuse 50 (25.0%), 20 (25.0%), 12 (30.0%), 6 (24.0%), 3
//   (15.0%): conversions 40.0%, 60.0%, 50.0%, 50.0%;
// - visits: CP 351 of 390 recorded face to face (90.0%), 240 of 300 seen
//   alone (80.0%); CIC 570 of 600 (95.0%), none recorded seen alone; CIN
//   150 of 200 (75.0%), 55 of 100 (55.0%);
// - flows: July 21 step downs (12 CP to CIN, 9 CIN to Early Help), 5 step
//   ups, 48 closures (14 RC7, 25 RC8, 9 RC9); open cases 1,425 / 1,313 /
//   350 / 662 of 3,750 = 38.0% / 35.0% / 9.3% / 17.7%.
inline void AddInsight(gv1::PracticeReport* report) {
  gv1::InsightSection* s = report->mutable_insight();
  s->Clear();
  s->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);

  iv1::GetReferralQualityResponse* q = s->mutable_referral_quality();
  SetMonth(2022, 8, q->mutable_from());
  SetMonth(2023, 7, q->mutable_to());
  q->set_threshold(60);
  const std::pair<const char*, int> rules[] = {
      {"child_id", 25}, {"child_dob", 10},    {"primary_need", 15},
      {"concerns", 20}, {"referrer_org", 10}, {"summary", 20}};
  for (const auto& [item, weight] : rules) {
    iv1::QualityRule* r = q->add_rules();
    r->set_item(item);
    r->set_weight(weight);
  }
  iv1::AgencyReferralQuality* schools = q->add_agencies();
  schools->set_agency("SCHOOLS");
  SetPoint(40, 58.5, 22, 55.0, schools->mutable_total());
  AddGap("summary", 24, 60.0, schools);
  AddGap("child_dob", 18, 45.0, schools);
  AddGap("concerns", 10, 25.0, schools);
  AddGap("referrer_org", 4, 10.0, schools);
  iv1::AgencyReferralQuality* police = q->add_agencies();
  police->set_agency("POLICE");
  SetPoint(160, 81.3, 16, 10.0, police->mutable_total());
  AddGap("child_dob", 48, 30.0, police);
  AddGap("summary", 20, 12.5, police);
  iv1::AgencyReferralQuality* all = q->mutable_all_agencies();
  SetPoint(200, 76.7, 38, 19.0, all->mutable_total());
  AddGap("child_dob", 66, 33.0, all);
  AddGap("summary", 44, 22.0, all);
  AddGap("concerns", 10, 5.0, all);
  iv1::ReferralQualityPoint* june = all->add_trend();
  SetMonth(2023, 6, june->mutable_month());
  SetPoint(95, 75.2, 20, 21.1, june);
  iv1::ReferralQualityPoint* july = all->add_trend();
  SetMonth(2023, 7, july->mutable_month());
  SetPoint(105, 78.1, 18, 17.1, july);

  iv1::GetDuplicateInputResponse* d = s->mutable_duplicate_input();
  SetMonth(2022, 8, d->mutable_from());
  SetMonth(2023, 7, d->mutable_to());
  d->mutable_total()->set_contacts_with_child(180);
  d->mutable_total()->set_duplicates(27);
  d->mutable_total()->set_percent(15.0);
  iv1::DuplicateInputPoint* dj = d->add_trend();
  SetMonth(2023, 6, dj->mutable_month());
  dj->set_contacts_with_child(85);
  dj->set_duplicates(12);
  dj->set_percent(14.1);
  iv1::DuplicateInputPoint* dl = d->add_trend();
  SetMonth(2023, 7, dl->mutable_month());
  dl->set_contacts_with_child(95);
  dl->set_duplicates(15);
  dl->set_percent(15.8);
  AddDuplicateRow("DOMESTIC_ABUSE", "Domestic abuse", 60, 15, 25.0,
                  d->mutable_by_concern());
  AddDuplicateRow("NEGLECT", "Neglect", 50, 6, 12.0, d->mutable_by_concern());
  AddDuplicateRow("6", "Police", 140, 24, 17.1, d->mutable_by_source());
  AddDuplicateRow("2A", "Schools", 40, 3, 7.5, d->mutable_by_source());
  AddDuplicateRow("CP_PLAN", "Child-protection plan", 180, 10, 5.6,
                  d->mutable_by_open_work());
  AddDuplicateRow("ASSESSMENT", "Assessment", 180, 17, 9.4,
                  d->mutable_by_open_work());

  gv1::AbuseCategoryFunnel* f = s->mutable_funnel();
  SetPeriod(2022, 8, 2023, 7, f->mutable_period());
  AddStage("CONTACT", {60, 50, 10, 40, 10, 30},
           {30.0, 25.0, 5.0, 20.0, 5.0, 15.0}, {}, f);
  AddStage("REFERRAL", {30, 20, 5, 15, 5, 5}, {37.5, 25.0, 6.3, 18.8, 6.3, 6.3},
           {50.0, 40.0, 50.0, 37.5, 50.0, 16.7}, f);
  AddStage("S47", {15, 12, 5, 6, 2, 0}, {37.5, 30.0, 12.5, 15.0, 5.0, 0.0},
           {50.0, 60.0, 100.0, 40.0, 40.0, 0.0}, f);
  AddStage("ICPC", {10, 6, 4, 4, 1, 0}, {40.0, 24.0, 16.0, 16.0, 4.0, 0.0},
           {66.7, 50.0, 80.0, 66.7, 50.0, std::nullopt}, f);
  AddStage("CP_PLAN", {9, 3, 3, 4, 1, 0}, {45.0, 15.0, 15.0, 20.0, 5.0, 0.0},
           {90.0, 50.0, 75.0, 100.0, 100.0, std::nullopt}, f);
  f->set_plans_traced(18);
  kv1::CategoryChange* to_emotional = f->add_changes();
  to_emotional->set_from("PHY");
  to_emotional->set_to("EMO");
  to_emotional->set_plans(2);
  kv1::CategoryChange* to_neglect = f->add_changes();
  to_neglect->set_from("PHY");
  to_neglect->set_to("NEG");
  to_neglect->set_plans(1);

  kv1::GetVisitQualityResponse* v = s->mutable_visit_quality();
  SetMonth(2022, 8, v->mutable_from());
  SetMonth(2023, 7, v->mutable_to());
  AddVisits(kv1::VISIT_KIND_CHILD_PROTECTION, std::nullopt, 400, 390, 351, 90.0,
            300, 240, 80.0, v->mutable_totals());
  AddVisits(kv1::VISIT_KIND_CHILD_IN_CARE, std::nullopt, 600, 600, 570, 95.0, 0,
            0, std::nullopt, v->mutable_totals());
  AddVisits(kv1::VISIT_KIND_CHILD_IN_NEED, std::nullopt, 250, 200, 150, 75.0,
            100, 55, 55.0, v->mutable_totals());
  AddVisits(kv1::VISIT_KIND_CHILD_PROTECTION, 6, 34, 34, 29, 85.3, 25, 20, 80.0,
            v->mutable_months());
  AddVisits(kv1::VISIT_KIND_CHILD_IN_CARE, 6, 50, 50, 48, 96.0, 0, 0,
            std::nullopt, v->mutable_months());
  AddVisits(kv1::VISIT_KIND_CHILD_IN_NEED, 6, 20, 16, 12, 75.0, 8, 4, 50.0,
            v->mutable_months());
  AddVisits(kv1::VISIT_KIND_CHILD_PROTECTION, 7, 36, 36, 33, 91.7, 26, 21, 80.8,
            v->mutable_months());
  AddVisits(kv1::VISIT_KIND_CHILD_IN_CARE, 7, 52, 52, 49, 94.2, 0, 0,
            std::nullopt, v->mutable_months());
  AddVisits(kv1::VISIT_KIND_CHILD_IN_NEED, 7, 22, 20, 16, 80.0, 10, 6, 60.0,
            v->mutable_months());

  kv1::GetServiceFlowsResponse* fl = s->mutable_service_flows();
  SetMonth(2022, 8, fl->mutable_from());
  SetMonth(2023, 7, fl->mutable_to());
  fl->set_gap_days(7);
  kv1::ServiceFlowMonth* m6 = fl->add_months();
  SetMonth(2023, 6, m6->mutable_month());
  m6->set_step_downs(18);
  m6->set_step_downs_cp_to_cin(10);
  m6->set_step_downs_cin_to_early_help(8);
  m6->set_step_ups(6);
  m6->set_entries(40);
  m6->set_exits(35);
  AddClosure("RC8", "Closed after assessment, no further action", 20, m6);
  AddClosure("RC9", "Closed after assessment, referred to early help", 12, m6);
  m6->set_closures_total(32);
  m6->mutable_open_cases()->set_early_help(1400);
  m6->mutable_open_cases()->set_child_in_need(1300);
  m6->mutable_open_cases()->set_child_protection(340);
  m6->mutable_open_cases()->set_child_in_care(660);
  m6->mutable_open_cases()->set_total(3700);
  m6->set_early_help_percent(37.8);
  m6->set_child_in_need_percent(35.1);
  m6->set_child_protection_percent(9.2);
  m6->set_child_in_care_percent(17.8);
  kv1::ServiceFlowMonth* m7 = fl->add_months();
  SetMonth(2023, 7, m7->mutable_month());
  m7->set_step_downs(21);
  m7->set_step_downs_cp_to_cin(12);
  m7->set_step_downs_cin_to_early_help(9);
  m7->set_step_ups(5);
  m7->set_entries(52);
  m7->set_exits(27);
  AddClosure("RC7", "Services ceased for any other reason", 14, m7);
  AddClosure("RC8", "Closed after assessment, no further action", 25, m7);
  AddClosure("RC9", "Closed after assessment, referred to early help", 9, m7);
  m7->set_closures_total(48);
  m7->mutable_open_cases()->set_early_help(1425);
  m7->mutable_open_cases()->set_child_in_need(1313);
  m7->mutable_open_cases()->set_child_protection(350);
  m7->mutable_open_cases()->set_child_in_care(662);
  m7->mutable_open_cases()->set_total(3750);
  m7->set_early_help_percent(38.0);
  m7->set_child_in_need_percent(35.0);
  m7->set_child_protection_percent(9.3);
  m7->set_child_in_care_percent(17.7);
}

inline gv1::FigureChange* AddChange(absl::string_view id,
                                    absl::string_view title,
                                    gv1::FigureUnit unit,
                                    gv1::FigureDirection direction,
                                    gv1::FigureComparison* c) {
  gv1::FigureChange* change = c->add_changes();
  change->mutable_figure()->set_id(std::string(id));
  change->mutable_figure()->set_title(std::string(title));
  change->mutable_figure()->set_unit(unit);
  change->mutable_figure()->set_direction(direction);
  return change;
}

// What changed, May to July 2023 against May to July 2022, worked by hand:
// contacts 7,251 -> 8,322 (+1,071, 1,071 / 7,251 = +14.8%, demand: not
// judged); assessments in time 82.4% -> 88.9% (+6.5 points, +7.9%,
// better); CP visits in time 93.0% -> 91.5% (-1.5 points, -1.6%, worse);
// mean caseload 20.0 -> 15.0 (-5.0, -25.0%, lower is better: better);
// audits good or better: no audits before, 61.4% after (no change to
// give); referral quality: the intake service did not answer (a note).
inline void AddWhatChanged(gv1::PracticeReport* report) {
  gv1::ChangeSection* s = report->mutable_what_changed();
  s->Clear();
  s->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);
  gv1::FigureComparison* c = s->mutable_comparison();
  SetPeriod(2022, 5, 2022, 7, c->mutable_before());
  SetPeriod(2023, 5, 2023, 7, c->mutable_after());

  gv1::FigureChange* contacts =
      AddChange("intake.contacts", "Contacts", gv1::FIGURE_UNIT_COUNT,
                gv1::FIGURE_DIRECTION_NEUTRAL, c);
  contacts->set_before(7251);
  contacts->set_after(8322);
  contacts->set_absolute_change(1071);
  contacts->set_relative_change_percent(14.8);
  contacts->set_verdict(gv1::CHANGE_VERDICT_NOT_JUDGED);

  gv1::FigureChange* assessments = AddChange(
      "kpi.first_assessments_in_time", "Assessments within 45 working days",
      gv1::FIGURE_UNIT_PERCENT, gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER, c);
  assessments->set_before(82.4);
  assessments->set_after(88.9);
  assessments->set_absolute_change(6.5);
  assessments->set_relative_change_percent(7.9);
  assessments->set_verdict(gv1::CHANGE_VERDICT_BETTER);

  gv1::FigureChange* visits = AddChange(
      "kpi.cpp_visits_in_time", "CP visits in time", gv1::FIGURE_UNIT_PERCENT,
      gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER, c);
  visits->set_before(93.0);
  visits->set_after(91.5);
  visits->set_absolute_change(-1.5);
  visits->set_relative_change_percent(-1.6);
  visits->set_verdict(gv1::CHANGE_VERDICT_WORSE);

  gv1::FigureChange* caseload = AddChange(
      "workforce.mean_caseload", "Mean caseload", gv1::FIGURE_UNIT_NUMBER,
      gv1::FIGURE_DIRECTION_LOWER_IS_BETTER, c);
  caseload->set_before(20.0);
  caseload->set_after(15.0);
  caseload->set_absolute_change(-5.0);
  caseload->set_relative_change_percent(-25.0);
  caseload->set_verdict(gv1::CHANGE_VERDICT_BETTER);

  gv1::FigureChange* audits = AddChange(
      "qa.good_or_better_percent", "Audits good or better",
      gv1::FIGURE_UNIT_PERCENT, gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER, c);
  audits->set_after(61.4);
  audits->set_verdict(gv1::CHANGE_VERDICT_NOT_JUDGED);

  gv1::FigureChange* quality = AddChange(
      "intake.referral_quality_mean", "Referral quality (mean score)",
      gv1::FIGURE_UNIT_NUMBER, gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER, c);
  quality->set_verdict(gv1::CHANGE_VERDICT_NOT_JUDGED);
  quality->set_note("the intake service could not be reached");
}

}  // namespace sgm::gateway::insight_fixture

#endif  // SGM_TESTS_SERVICES_GATEWAY_REPORT_INSIGHT_FIXTURE_H_
