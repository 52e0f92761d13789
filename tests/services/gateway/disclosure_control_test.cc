#include "services/gateway/disclosure_control.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/intake/v1/intake.pb.h"
#include "sgm/kpi/v1/kpi.pb.h"
#include "sgm/qa/v1/qa.pb.h"
#include "sgm/workforce/v1/workforce.pb.h"

namespace sgm::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Collects every numeric field reachable from `descriptor`.
void CollectNumericFields(const Descriptor* descriptor,
                          std::set<std::string>* seen_messages,
                          std::set<std::string>* fields) {
  if (!seen_messages->insert(descriptor->full_name()).second) return;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        CollectNumericFields(field->message_type(), seen_messages, fields);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        fields->insert(field->full_name());
        break;
      default:
        break;
    }
  }
}

// Every numeric field of every aggregate the gateway returns has a row: a
// new proto field fails here until someone decides whether it is a count.
TEST(DisclosureControlTest, EveryAggregateNumericFieldIsClassified) {
  std::vector<const Descriptor*> roots = {
      sgm::gateway::v1::PracticeReport::descriptor()};
  for (const std::string& method : SuppressedMethods()) {
    // "/pkg.Service/Method" -> "pkg.Service.Method".
    std::string name = method.substr(1);
    name[name.find('/')] = '.';
    const auto* descriptor =
        DescriptorPool::generated_pool()->FindMethodByName(name);
    ASSERT_NE(descriptor, nullptr) << method;
    roots.push_back(descriptor->output_type());
  }
  std::set<std::string> seen_messages;
  std::set<std::string> fields;
  for (const Descriptor* root : roots) {
    CollectNumericFields(root, &seen_messages, &fields);
  }
  std::vector<std::string> unclassified;
  for (const std::string& field : fields) {
    if (FindDisclosureRule(field) == nullptr) unclassified.push_back(field);
  }
  EXPECT_THAT(unclassified, IsEmpty())
      << "classify in DisclosureRules: " << absl::StrJoin(unclassified, ", ");
  // Spot checks that the walk reached each service's messages.
  EXPECT_TRUE(fields.count("sgm.intake.v1.Breakdown.count"));
  EXPECT_TRUE(fields.count("sgm.kpi.v1.Rate.per_10k"));
  EXPECT_TRUE(fields.count("sgm.workforce.v1.CaseloadBand.workers"));
  EXPECT_TRUE(fields.count("sgm.qa.v1.AuditFigures.good"));
  EXPECT_TRUE(fields.count("sgm.qa.v1.QaTrendPoint.mean_rating"));
}

// A derived figure names only fields of its own message (or below it).
TEST(DisclosureControlTest, DerivedFiguresNameExistingFields) {
  for (const auto& [name, rule] : DisclosureRules()) {
    if (rule.kind != FieldKind::kDerived) continue;
    const FieldDescriptor* field =
        DescriptorPool::generated_pool()->FindFieldByName(name);
    ASSERT_NE(field, nullptr) << name;
    for (const std::string& from : rule.from) {
      const Descriptor* message = field->containing_type();
      const FieldDescriptor* source = nullptr;
      size_t start = 0;
      while (message != nullptr) {
        size_t dot = from.find('.', start);
        source = message->FindFieldByName(from.substr(start, dot - start));
        ASSERT_NE(source, nullptr) << name << " from " << from;
        if (dot == std::string::npos) break;
        message = source->message_type();
        start = dot + 1;
      }
      EXPECT_NE(source->cpp_type(), FieldDescriptor::CPPTYPE_MESSAGE)
          << name << " from " << from;
    }
  }
}

sgm::intake::v1::Breakdown* AddBreakdown(
    google::protobuf::RepeatedPtrField<sgm::intake::v1::Breakdown>* list,
    int64_t count, double percent) {
  auto* breakdown = list->Add();
  breakdown->set_code("X");
  breakdown->set_count(count);
  breakdown->set_percent(percent);
  return breakdown;
}

// Counts 0, 1, 4, 5, 120 of 130: 1 and 4 withheld with their percents; 0
// is shown (it identifies nobody), 5 and 120 are shown.
TEST(DisclosureControlTest, BreakdownWithholdsOneToFour) {
  sgm::intake::v1::FrontDoorFigures figures;
  auto* by_source = figures.mutable_by_source();
  AddBreakdown(by_source, 0, 0.0);
  AddBreakdown(by_source, 1, 0.8);
  AddBreakdown(by_source, 4, 3.1);
  AddBreakdown(by_source, 5, 3.8);
  AddBreakdown(by_source, 120, 92.3);

  std::vector<std::string> paths = WithholdSmallCounts(&figures);

  EXPECT_THAT(paths, ElementsAre("by_source[1].count", "by_source[1].percent",
                                 "by_source[2].count", "by_source[2].percent"));
  EXPECT_EQ(figures.by_source(0).count(), 0);
  EXPECT_EQ(figures.by_source(1).count(), 0);
  EXPECT_EQ(figures.by_source(1).percent(), 0.0);
  EXPECT_EQ(figures.by_source(2).count(), 0);
  EXPECT_EQ(figures.by_source(2).percent(), 0.0);
  EXPECT_EQ(figures.by_source(3).count(), 5);
  EXPECT_EQ(figures.by_source(3).percent(), 3.8);
  EXPECT_EQ(figures.by_source(4).count(), 120);
  EXPECT_EQ(figures.by_source(4).percent(), 92.3);
  // Labels stay.
  EXPECT_EQ(figures.by_source(1).code(), "X");
}

// Numerator 3 of 40: the numerator and the percent are withheld, the
// denominator, the six-month average, the target and comparators stay.
TEST(DisclosureControlTest, IndicatorWithSmallNumerator) {
  sgm::kpi::v1::GetIndicatorsResponse response;
  auto* indicator = response.add_indicators();
  indicator->set_id("cp_visits_in_time");
  indicator->set_numerator(3);
  indicator->set_denominator(40);
  indicator->set_percent(7.5);
  indicator->set_six_month_average(61.2);
  indicator->set_target(90);
  auto* comparator = indicator->add_comparators();
  comparator->set_name("England");
  comparator->set_year(2022);
  comparator->set_value(3.0);
  auto* big = response.add_indicators();
  big->set_numerator(36);
  big->set_denominator(40);
  big->set_percent(90);

  std::vector<std::string> paths = WithholdSmallCounts(&response);

  EXPECT_THAT(paths,
              ElementsAre("indicators[0].numerator", "indicators[0].percent"));
  EXPECT_EQ(indicator->numerator(), 0);
  EXPECT_FALSE(indicator->has_percent());
  EXPECT_EQ(indicator->denominator(), 40);
  EXPECT_EQ(indicator->six_month_average(), 61.2);
  EXPECT_EQ(indicator->target(), 90);
  EXPECT_EQ(indicator->comparators(0).value(), 3.0);
  EXPECT_EQ(big->numerator(), 36);
  EXPECT_EQ(big->percent(), 90);
}

// A denominator of 2: it, and the percent from it, are withheld.
TEST(DisclosureControlTest, SmallDenominatorWithholdsPercent) {
  sgm::kpi::v1::TrendPoint point;
  point.set_numerator(0);
  point.set_denominator(2);
  point.set_percent(0);
  EXPECT_THAT(WithholdSmallCounts(&point),
              ElementsAre("denominator", "percent"));
  EXPECT_FALSE(point.has_percent());
}

// 2 children in care, 3 per 10,000: both withheld; the population and the
// comparators stay; 0 child protection plans and their rate are shown.
TEST(DisclosureControlTest, RatePerTenThousandFromSmallCount) {
  sgm::kpi::v1::GetCaseStatusResponse response;
  auto* status = response.mutable_status();
  status->set_population_0_17(6500);
  status->mutable_children_in_care()->set_children(2);
  status->mutable_children_in_care()->set_per_10k(3);
  status->mutable_children_in_care()->add_comparators()->set_value(67);
  status->mutable_child_protection()->set_children(0);
  status->mutable_child_protection()->set_per_10k(0);
  status->mutable_open_cases()->set_child_in_care(2);
  status->mutable_open_cases()->set_total(57);

  EXPECT_THAT(WithholdSmallCounts(&response),
              ElementsAre("status.open_cases.child_in_care",
                          "status.children_in_care.children",
                          "status.children_in_care.per_10k"));
  EXPECT_EQ(status->children_in_care().children(), 0);
  EXPECT_FALSE(status->children_in_care().has_per_10k());
  EXPECT_EQ(status->children_in_care().comparators(0).value(), 67);
  EXPECT_TRUE(status->child_protection().has_per_10k());
  EXPECT_EQ(status->population_0_17(), 6500);
  EXPECT_EQ(status->open_cases().total(), 57);
}

// A percent derived from a count in a sub-message (per-week change from
// the two years' contacts).
TEST(DisclosureControlTest, DerivedFromSubMessage) {
  sgm::intake::v1::FrontDoorFigures figures;
  figures.mutable_year_to_date()->set_contacts(3);
  figures.mutable_year_to_date()->set_per_week(0.1);
  figures.mutable_year_to_date_last_year()->set_contacts(30);
  figures.mutable_year_to_date_last_year()->set_per_week(1.0);
  figures.set_per_week_change_percent(-90);
  figures.set_repeat_window_days(3);  // a setting, not a count

  EXPECT_THAT(WithholdSmallCounts(&figures),
              ElementsAre("year_to_date.contacts", "year_to_date.per_week",
                          "per_week_change_percent"));
  EXPECT_FALSE(figures.has_per_week_change_percent());
  EXPECT_EQ(figures.year_to_date_last_year().per_week(), 1.0);
  EXPECT_EQ(figures.repeat_window_days(), 3);
}

// Workforce: a headcount of 2 with its FTE withheld; 1.6 FTE on maternity
// withheld (under 5 FTE can be 1 to 4 people), 12.5 agency FTE shown; a
// caseload group of 3 workers with its mean and median withheld.
TEST(DisclosureControlTest, WorkforceFigures) {
  sgm::workforce::v1::WorkforceFigures figures;
  auto* area = figures.add_staffing();
  area->set_service_area("Fostering");
  area->set_headcount(2);
  area->set_fte_in_post(1.6);
  area->set_maternity_fte(1.6);
  area->set_establishment_fte(3);
  auto* total = figures.add_staffing();
  total->set_service_area("Total");
  total->set_headcount(40);
  total->set_fte_in_post(38);
  total->set_agency_fte(12.5);
  total->set_agency_share_percent(32.9);
  auto* group = figures.add_caseloads();
  group->set_case_holding_workers(3);
  group->set_open_cases(51);
  group->set_mean_caseload(17);
  group->set_median_caseload(16);
  group->add_bands()->set_workers(3);

  EXPECT_THAT(
      WithholdSmallCounts(&figures),
      ElementsAre("staffing[0].headcount", "staffing[0].maternity_fte",
                  "staffing[0].fte_in_post",
                  "caseloads[0].case_holding_workers",
                  "caseloads[0].bands[0].workers", "caseloads[0].mean_caseload",
                  "caseloads[0].median_caseload"));
  EXPECT_EQ(area->establishment_fte(), 3);
  EXPECT_EQ(total->agency_fte(), 12.5);
  EXPECT_EQ(total->agency_share_percent(), 32.9);
  EXPECT_EQ(group->open_cases(), 51);
}

// Quality assurance: 12 audits, 1 outstanding and 7 good (66.7% good or
// better): the 1 and the percent (which with 12 and 7 would give the 1
// back) are withheld; 3 pieces of family feedback with their mean; 2
// moderated with the agreement; 2 actions completed, their on-time share.
TEST(DisclosureControlTest, QaFigures) {
  sgm::qa::v1::GetQaFiguresResponse response;
  sgm::qa::v1::QaFigures* figures = response.mutable_figures();
  figures->mutable_from()->set_year(2024);
  sgm::qa::v1::AuditFigures* audits = figures->mutable_audits();
  audits->set_label("Total");
  audits->set_audits(12);
  audits->set_outstanding(1);
  audits->set_good(7);
  audits->set_requires_improvement(4);
  audits->set_inadequate(0);
  audits->set_good_or_better_percent(66.7);
  figures->mutable_moderation()->set_moderated(2);
  figures->mutable_moderation()->set_agreed(2);
  figures->mutable_moderation()->set_agreement_percent(100);
  sgm::qa::v1::DomainFigures* domain = figures->add_domains();
  domain->set_domain("PLANNING");
  domain->set_graded(10);
  domain->set_requires_improvement_or_worse(5);
  domain->set_requires_improvement_or_worse_percent(50);
  sgm::qa::v1::FeedbackFigures* family = figures->add_feedback();
  family->set_source(sgm::qa::v1::FEEDBACK_SOURCE_FAMILY);
  family->set_received(3);
  family->set_mean_rating(4.33);
  family->set_positive(2);
  sgm::qa::v1::FeedbackFigures* total = figures->add_feedback();
  total->set_received(9);
  total->set_mean_rating(3.89);
  total->set_positive(5);
  figures->mutable_actions()->set_open(6);
  figures->mutable_actions()->set_completed(2);
  figures->mutable_actions()->set_completed_on_time(2);
  figures->mutable_actions()->set_on_time_percent(100);
  figures->mutable_reaudits()->set_reaudits(0);

  EXPECT_THAT(
      WithholdSmallCounts(&response),
      ElementsAre(
          "figures.audits.outstanding", "figures.audits.requires_improvement",
          "figures.audits.good_or_better_percent",
          "figures.moderation.moderated", "figures.moderation.agreed",
          "figures.moderation.agreement_percent",
          "figures.feedback[0].received", "figures.feedback[0].positive",
          "figures.feedback[0].mean_rating", "figures.actions.completed",
          "figures.actions.completed_on_time",
          "figures.actions.on_time_percent"));
  EXPECT_EQ(audits->audits(), 12);
  EXPECT_EQ(audits->good(), 7);
  EXPECT_EQ(audits->outstanding(), 0);
  EXPECT_FALSE(audits->has_good_or_better_percent());
  EXPECT_FALSE(figures->moderation().has_agreement_percent());
  EXPECT_EQ(domain->requires_improvement_or_worse_percent(), 50);
  EXPECT_FALSE(family->has_mean_rating());
  EXPECT_EQ(total->mean_rating(), 3.89);
  EXPECT_EQ(total->received(), 9);
  EXPECT_EQ(figures->actions().open(), 6);
  EXPECT_EQ(figures->from().year(), 2024);
}

// A trend month of 3 audits: its good-or-better and agreement percents
// (of those 3 or fewer) go with it; 2 pieces of feedback and their mean.
TEST(DisclosureControlTest, QaTrendPoint) {
  sgm::qa::v1::GetQaTrendResponse response;
  sgm::qa::v1::QaTrendPoint* small = response.add_points();
  small->set_audits(3);
  small->set_good_or_better_percent(66.7);
  small->set_agreement_percent(100);
  small->set_feedback(2);
  small->set_mean_rating(5);
  small->set_open_actions(8);
  small->set_overdue_actions(1);
  sgm::qa::v1::QaTrendPoint* big = response.add_points();
  big->set_audits(20);
  big->set_good_or_better_percent(60);
  big->set_feedback(0);

  EXPECT_THAT(
      WithholdSmallCounts(&response),
      ElementsAre("points[0].audits", "points[0].feedback",
                  "points[0].overdue_actions",
                  "points[0].good_or_better_percent",
                  "points[0].agreement_percent", "points[0].mean_rating"));
  EXPECT_FALSE(small->has_good_or_better_percent());
  EXPECT_EQ(small->open_actions(), 8);
  EXPECT_EQ(big->good_or_better_percent(), 60);
  EXPECT_EQ(big->feedback(), 0);
}

TEST(DisclosureControlTest, NothingSmallNothingWithheld) {
  sgm::gateway::v1::PracticeReport report;
  report.mutable_front_door()
      ->mutable_figures()
      ->mutable_this_month()
      ->set_contacts(250);
  EXPECT_THAT(WithholdSmallCounts(&report), IsEmpty());
  EXPECT_EQ(report.front_door().figures().this_month().contacts(), 250);
}

TEST(DisclosureControlTest, SuppressedMethods) {
  EXPECT_TRUE(
      IsSuppressedMethod("/sgm.intake.v1.IntakeService/GetFrontDoorFigures"));
  // Child-level lists are not aggregates.
  EXPECT_FALSE(IsSuppressedMethod("/sgm.intake.v1.IntakeService/ListContacts"));
  EXPECT_FALSE(IsSuppressedMethod("/sgm.kpi.v1.KpiService/ListWatchlist"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.qa.v1.QaService/GetQaFigures"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.qa.v1.QaService/GetQaTrend"));
  EXPECT_FALSE(IsSuppressedMethod("/sgm.qa.v1.QaService/ListAudits"));
}

}  // namespace
}  // namespace sgm::gateway
