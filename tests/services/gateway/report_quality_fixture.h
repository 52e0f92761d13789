// The quality-assurance section the Markdown and HTML renderers' tests both
// render: July 2023 and the 12 months to it, worked by hand (AddQuality).
#ifndef SGM_TESTS_SERVICES_GATEWAY_REPORT_QUALITY_FIXTURE_H_
#define SGM_TESTS_SERVICES_GATEWAY_REPORT_QUALITY_FIXTURE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/qa/v1/qa.pb.h"
#include "sgm/type/v1/date.pb.h"

namespace sgm::gateway::report_fixture {

namespace gv1 = ::sgm::gateway::v1;
namespace qv1 = ::sgm::qa::v1;

inline void SetMonth(int year, int month, sgm::type::v1::YearMonth* out) {
  out->set_year(year);
  out->set_month(month);
}

inline void SetDate(int year, int month, int day, sgm::type::v1::Date* out) {
  out->set_year(year);
  out->set_month(month);
  out->set_day(day);
}

inline qv1::AuditFigures* AddAudits(absl::string_view label,
                                    int64_t outstanding, int64_t good,
                                    int64_t ri, int64_t inadequate,
                                    double percent, qv1::AuditFigures* a) {
  a->set_label(std::string(label));
  a->set_audits(outstanding + good + ri + inadequate);
  a->set_outstanding(outstanding);
  a->set_good(good);
  a->set_requires_improvement(ri);
  a->set_inadequate(inadequate);
  a->set_good_or_better_percent(percent);
  return a;
}

inline void AddDomain(absl::string_view domain, int64_t graded, int64_t worse,
                      double percent, qv1::QaFigures* f) {
  qv1::DomainFigures* d = f->add_domains();
  d->set_domain(std::string(domain));
  d->set_graded(graded);
  d->set_requires_improvement_or_worse(worse);
  d->set_requires_improvement_or_worse_percent(percent);
}

inline void AddFeedback(qv1::FeedbackSource source, int64_t received,
                        double mean, qv1::QaFigures* f) {
  qv1::FeedbackFigures* r = f->add_feedback();
  r->set_source(source);
  r->set_received(received);
  r->set_mean_rating(mean);
}

inline void AddQaPoint(int year, int month, int64_t audits, double good,
                       double agreement, int64_t feedback, double mean,
                       int64_t open, int64_t overdue, gv1::QualitySection* q) {
  qv1::QaTrendPoint* p = q->add_trend();
  SetMonth(year, month, p->mutable_month());
  p->set_audits(audits);
  p->set_good_or_better_percent(good);
  p->set_agreement_percent(agreement);
  p->set_feedback(feedback);
  p->set_mean_rating(mean);
  p->set_open_actions(open);
  p->set_overdue_actions(overdue);
}

// Quality assurance for July 2023, worked by hand: 12 audits in the month
// (1 outstanding, 6 good: 7/12 = 58.3%), 140 over the 12 months (86/140 =
// 61.4%); six domains in the month, of which the report shows five.
inline void AddQuality(gv1::PracticeReport* report) {
  gv1::QualitySection* q = report->mutable_quality();
  q->Clear();
  q->mutable_status()->set_state(gv1::SECTION_STATE_AVAILABLE);

  qv1::QaFigures* m = q->mutable_month();
  SetDate(2023, 7, 1, m->mutable_from());
  SetDate(2023, 7, 31, m->mutable_to());
  AddAudits("Total", 1, 6, 4, 1, 58.3, m->mutable_audits());
  AddAudits("CASE_FILE", 1, 4, 2, 1, 62.5, m->add_by_type());
  AddAudits("THEMED", 0, 2, 2, 0, 50.0, m->add_by_type());
  m->mutable_moderation()->set_moderated(4);
  m->mutable_moderation()->set_agreed(3);
  m->mutable_moderation()->set_moderated_down(1);
  m->mutable_moderation()->set_agreement_percent(75.0);
  AddDomain("VOICE_OF_THE_CHILD", 12, 5, 41.7, m);
  AddDomain("PLANNING", 12, 4, 33.3, m);
  AddDomain("MANAGEMENT_OVERSIGHT", 10, 3, 30.0, m);
  AddDomain("CHRONOLOGY", 8, 2, 25.0, m);
  AddDomain("RISK_ASSESSMENT", 12, 2, 16.7, m);
  AddDomain("SUPERVISION", 6, 1, 16.7, m);
  AddFeedback(qv1::FEEDBACK_SOURCE_FAMILY, 3, 4.33, m);
  AddFeedback(qv1::FEEDBACK_SOURCE_PARTNER_AGENCY, 2, 3.5, m);
  AddFeedback(qv1::FEEDBACK_SOURCE_UNSPECIFIED, 5, 4.0, m);
  m->mutable_actions()->set_open(6);
  m->mutable_actions()->set_overdue(2);
  m->mutable_actions()->set_due(5);
  m->mutable_actions()->set_completed(4);
  m->mutable_actions()->set_completed_on_time(3);
  m->mutable_actions()->set_on_time_percent(75.0);
  m->mutable_reaudits()->set_reaudits(2);
  m->mutable_reaudits()->set_improved(1);
  m->mutable_reaudits()->set_unchanged(1);
  m->mutable_reaudits()->set_improved_percent(50.0);
  qv1::Theme* theme = m->add_themes();
  theme->set_theme_id("CP-2023");
  theme->set_name("Child Protection");
  SetDate(2023, 7, 1, theme->mutable_start_date());
  SetDate(2023, 8, 31, theme->mutable_end_date());

  qv1::QaFigures* y = q->mutable_last_12_months();
  SetDate(2022, 8, 1, y->mutable_from());
  SetDate(2023, 7, 31, y->mutable_to());
  AddAudits("Total", 10, 76, 44, 10, 61.4, y->mutable_audits());
  AddAudits("CASE_FILE", 8, 56, 30, 6, 64.0, y->add_by_type());
  AddAudits("THEMED", 1, 15, 12, 2, 53.3, y->add_by_type());
  AddAudits("OBSERVATION", 1, 5, 2, 2, 60.0, y->add_by_type());
  y->mutable_moderation()->set_moderated(50);
  y->mutable_moderation()->set_agreed(41);
  y->mutable_moderation()->set_moderated_up(3);
  y->mutable_moderation()->set_moderated_down(6);
  y->mutable_moderation()->set_agreement_percent(82.0);
  AddDomain("PLANNING", 130, 50, 38.5, y);
  AddFeedback(qv1::FEEDBACK_SOURCE_FAMILY, 40, 4.1, y);
  AddFeedback(qv1::FEEDBACK_SOURCE_YOUNG_PERSON, 12, 3.92, y);
  AddFeedback(qv1::FEEDBACK_SOURCE_PARTNER_AGENCY, 25, 3.6, y);
  AddFeedback(qv1::FEEDBACK_SOURCE_STAFF, 10, 4.5, y);
  AddFeedback(qv1::FEEDBACK_SOURCE_UNSPECIFIED, 87, 3.98, y);
  y->mutable_actions()->set_open(6);
  y->mutable_actions()->set_overdue(2);
  y->mutable_actions()->set_due(60);
  y->mutable_actions()->set_completed(55);
  y->mutable_actions()->set_completed_on_time(44);
  y->mutable_actions()->set_on_time_percent(80.0);
  y->mutable_reaudits()->set_reaudits(15);
  y->mutable_reaudits()->set_improved(9);
  y->mutable_reaudits()->set_unchanged(5);
  y->mutable_reaudits()->set_worsened(1);
  y->mutable_reaudits()->set_improved_percent(60.0);
  y->mutable_reaudits()->set_original_missing(1);

  AddQaPoint(2023, 6, 10, 60.0, 80.0, 6, 4.17, 5, 1, q);
  AddQaPoint(2023, 7, 12, 58.3, 75.0, 5, 4.0, 6, 2, q);
}

}  // namespace sgm::gateway::report_fixture

#endif  // SGM_TESTS_SERVICES_GATEWAY_REPORT_QUALITY_FIXTURE_H_
