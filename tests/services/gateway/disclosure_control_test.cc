#include "services/gateway/disclosure_control.h"

#include <cstdint>
#include <optional>
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
  std::vector<std::string> methods = SuppressedMethods();
  methods.insert(methods.end(), GatewayAggregateMethods().begin(),
                 GatewayAggregateMethods().end());
  for (const std::string& method : methods) {
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
  // ... and the practice-insight and what-changed messages.
  EXPECT_TRUE(fields.count("sgm.intake.v1.ReferralQualityPoint.mean_score"));
  EXPECT_TRUE(fields.count("sgm.intake.v1.DuplicateBreakdown.duplicates"));
  EXPECT_TRUE(
      fields.count("sgm.intake.v1.GetContactCategoriesResponse.contacts"));
  EXPECT_TRUE(fields.count("sgm.kpi.v1.VisitQuality.seen_alone_percent"));
  EXPECT_TRUE(fields.count("sgm.kpi.v1.ServiceFlowMonth.step_ups"));
  EXPECT_TRUE(fields.count("sgm.kpi.v1.CategoryChange.plans"));
  EXPECT_TRUE(fields.count("sgm.gateway.v1.AbuseFunnelConversion.percent"));
  EXPECT_TRUE(fields.count("sgm.gateway.v1.FigureChange.before"));
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

// Referral quality: an agency with 3 contacts has its counts, its mean
// score and its share below threshold withheld, and its gap of 2; an agency
// of 40 contacts with 4 below threshold has only those 4 and their share
// withheld. The threshold and the rule weights are settings.
TEST(DisclosureControlTest, ReferralQuality) {
  sgm::intake::v1::GetReferralQualityResponse response;
  response.set_threshold(60);
  response.add_rules()->set_weight(25);
  sgm::intake::v1::AgencyReferralQuality* school = response.add_agencies();
  school->set_agency("SCHOOL");
  school->mutable_total()->set_contacts(3);
  school->mutable_total()->set_mean_score(55.0);
  school->mutable_total()->set_below_threshold(2);
  school->mutable_total()->set_below_threshold_percent(66.7);
  sgm::intake::v1::QualityGap* gap = school->add_top_gaps();
  gap->set_item("child_dob");
  gap->set_contacts(2);
  gap->set_percent(66.7);
  sgm::intake::v1::ReferralQualityPoint* empty_month = school->add_trend();
  empty_month->mutable_month()->set_year(2024);
  empty_month->set_contacts(0);
  sgm::intake::v1::AgencyReferralQuality* police = response.add_agencies();
  police->set_agency("POLICE");
  police->mutable_total()->set_contacts(40);
  police->mutable_total()->set_mean_score(72.5);
  police->mutable_total()->set_below_threshold(4);
  police->mutable_total()->set_below_threshold_percent(10.0);

  EXPECT_THAT(WithholdSmallCounts(&response),
              ElementsAre("agencies[0].total.contacts",
                          "agencies[0].total.below_threshold",
                          "agencies[0].total.mean_score",
                          "agencies[0].total.below_threshold_percent",
                          "agencies[0].top_gaps[0].contacts",
                          "agencies[0].top_gaps[0].percent",
                          "agencies[1].total.below_threshold",
                          "agencies[1].total.below_threshold_percent"));
  EXPECT_FALSE(school->total().has_mean_score());
  EXPECT_EQ(school->top_gaps(0).item(), "child_dob");
  EXPECT_EQ(police->total().contacts(), 40);
  EXPECT_EQ(police->total().mean_score(), 72.5);
  EXPECT_FALSE(police->total().has_below_threshold_percent());
  EXPECT_EQ(response.threshold(), 60);
  EXPECT_EQ(response.rules(0).weight(), 25);
}

// Duplicate input: 2 duplicates of 30 contacts with a child (6.7%).
TEST(DisclosureControlTest, DuplicateInput) {
  sgm::intake::v1::GetDuplicateInputResponse response;
  response.mutable_total()->set_contacts_with_child(30);
  response.mutable_total()->set_duplicates(2);
  response.mutable_total()->set_percent(6.7);
  sgm::intake::v1::DuplicateBreakdown* concern = response.add_by_concern();
  concern->set_code("DOMESTIC_ABUSE");
  concern->set_contacts_with_child(12);
  concern->set_duplicates(6);
  concern->set_percent(50.0);
  EXPECT_THAT(WithholdSmallCounts(&response),
              ElementsAre("total.duplicates", "total.percent"));
  EXPECT_FALSE(response.total().has_percent());
  EXPECT_EQ(response.by_concern(0).percent(), 50.0);
}

// Visit quality: 12 CP visits, 3 of them face to face (25%), seen alone
// recorded on 2 (both alone): the 3, the 2s and both shares withheld.
TEST(DisclosureControlTest, VisitQuality) {
  sgm::kpi::v1::GetVisitQualityResponse response;
  sgm::kpi::v1::VisitQuality* cp = response.add_totals();
  cp->set_kind(sgm::kpi::v1::VISIT_KIND_CHILD_PROTECTION);
  cp->set_visits(12);
  cp->set_mode_recorded(12);
  cp->set_face_to_face(3);
  cp->set_face_to_face_percent(25.0);
  cp->set_seen_alone_recorded(2);
  cp->set_seen_alone(2);
  cp->set_seen_alone_percent(100.0);
  EXPECT_THAT(
      WithholdSmallCounts(&response),
      ElementsAre("totals[0].face_to_face", "totals[0].seen_alone_recorded",
                  "totals[0].seen_alone", "totals[0].face_to_face_percent",
                  "totals[0].seen_alone_percent"));
  EXPECT_EQ(cp->visits(), 12);
  EXPECT_FALSE(cp->has_face_to_face_percent());
  EXPECT_FALSE(cp->has_seen_alone_percent());
}

// Service-level flows: 2 step downs (both CP to CIN), 3 children in care
// at the month end and their share of the 799 open cases withheld; the
// other shares, 7 step ups and the gap setting shown.
TEST(DisclosureControlTest, ServiceFlows) {
  sgm::kpi::v1::GetServiceFlowsResponse response;
  response.set_gap_days(3);
  sgm::kpi::v1::ServiceFlowMonth* month = response.add_months();
  month->mutable_month()->set_year(2024);
  month->mutable_month()->set_month(5);
  month->set_step_downs(2);
  month->set_step_downs_cp_to_cin(2);
  month->set_step_downs_cin_to_early_help(0);
  month->set_step_ups(7);
  month->set_entries(30);
  month->set_exits(25);
  sgm::kpi::v1::LevelMove* move = month->add_moves();
  move->set_from(sgm::kpi::v1::SERVICE_LEVEL_CHILD_PROTECTION);
  move->set_to(sgm::kpi::v1::SERVICE_LEVEL_CHILD_IN_NEED);
  move->set_moves(2);
  sgm::kpi::v1::ClosureCount* closure = month->add_closures();
  closure->set_reason("RC8");
  closure->set_closures(20);
  month->set_closures_total(20);
  month->mutable_open_cases()->set_early_help(400);
  month->mutable_open_cases()->set_child_in_need(300);
  month->mutable_open_cases()->set_child_protection(96);
  month->mutable_open_cases()->set_child_in_care(3);
  month->mutable_open_cases()->set_total(799);
  month->set_early_help_percent(50.1);
  month->set_child_in_need_percent(37.5);
  month->set_child_protection_percent(12.0);
  month->set_child_in_care_percent(0.4);

  EXPECT_THAT(
      WithholdSmallCounts(&response),
      ElementsAre("months[0].step_downs", "months[0].step_downs_cp_to_cin",
                  "months[0].moves[0].moves",
                  "months[0].open_cases.child_in_care",
                  "months[0].child_in_care_percent"));
  EXPECT_EQ(month->child_in_care_percent(), 0);
  EXPECT_EQ(month->child_protection_percent(), 12.0);
  EXPECT_EQ(month->step_ups(), 7);
  EXPECT_EQ(month->closures(0).closures(), 20);
  EXPECT_EQ(response.gap_days(), 3);
}

// The abuse-category funnel: physical abuse is 40 at contact, 3 at
// referral, 2 at S47 and 0 at ICPC. The 3 and the 2 are withheld with
// their shares, and so is every physical-abuse conversion: 3/40 and 2/3
// from a withheld count, and 0/2 from the withheld 2 before it. Neglect
// (50, 20, 10, 6) is shown; a change of category on 1 plan is withheld.
TEST(DisclosureControlTest, AbuseFunnelConversions) {
  sgm::gateway::v1::GetAbuseCategoryFunnelResponse response;
  sgm::gateway::v1::AbuseCategoryFunnel* funnel = response.mutable_funnel();
  struct Row {
    const char* stage;
    int64_t neglect;
    int64_t physical;
    std::optional<double> neglect_conversion;
    std::optional<double> physical_conversion;
  };
  const Row rows[] = {{"CONTACT", 50, 40, std::nullopt, std::nullopt},
                      {"REFERRAL", 20, 3, 40.0, 7.5},
                      {"S47", 10, 2, 50.0, 66.7},
                      {"ICPC", 6, 0, 60.0, 0.0}};
  for (const Row& row : rows) {
    sgm::gateway::v1::AbuseFunnelStage* stage = funnel->add_stages();
    stage->set_stage(row.stage);
    stage->set_total(row.neglect + row.physical);
    auto* neglect = stage->add_by_category();
    neglect->set_category("NEG");
    neglect->set_count(row.neglect);
    neglect->set_percent(100.0 * row.neglect / (row.neglect + row.physical));
    auto* physical = stage->add_by_category();
    physical->set_category("PHY");
    physical->set_count(row.physical);
    physical->set_percent(100.0 * row.physical / (row.neglect + row.physical));
    if (row.neglect_conversion.has_value()) {
      auto* c = stage->add_conversions();
      c->set_category("NEG");
      c->set_percent(*row.neglect_conversion);
      c = stage->add_conversions();
      c->set_category("PHY");
      c->set_percent(*row.physical_conversion);
    }
  }
  funnel->set_plans_traced(8);
  sgm::kpi::v1::CategoryChange* change = funnel->add_changes();
  change->set_from("PHY");
  change->set_to("EMO");
  change->set_plans(1);

  EXPECT_THAT(WithholdSmallCounts(&response),
              ElementsAre("funnel.stages[1].by_category[1].count",
                          "funnel.stages[1].by_category[1].percent",
                          "funnel.stages[2].by_category[1].count",
                          "funnel.stages[2].by_category[1].percent",
                          "funnel.changes[0].plans",
                          "funnel.stages[1].conversions[1].percent",
                          "funnel.stages[2].conversions[1].percent",
                          "funnel.stages[3].conversions[1].percent"));
  EXPECT_FALSE(funnel->stages(1).conversions(1).has_percent());
  EXPECT_FALSE(funnel->stages(3).conversions(1).has_percent());
  EXPECT_EQ(funnel->stages(1).conversions(0).percent(), 40.0);
  EXPECT_EQ(funnel->stages(3).conversions(0).percent(), 60.0);
  EXPECT_EQ(funnel->stages(3).by_category(1).count(), 0);
  EXPECT_EQ(funnel->stages(1).total(), 23);
  EXPECT_EQ(funnel->plans_traced(), 8);
}

sgm::gateway::v1::FigureChange* AddChange(
    sgm::gateway::v1::FigureComparison* comparison, const char* id,
    sgm::gateway::v1::FigureUnit unit, double before, double after) {
  sgm::gateway::v1::FigureChange* change = comparison->add_changes();
  change->mutable_figure()->set_id(id);
  change->mutable_figure()->set_unit(unit);
  change->set_before(before);
  change->set_after(after);
  change->set_absolute_change(after - before);
  if (before != 0) {
    change->set_relative_change_percent(100.0 * (after - before) / before);
  }
  return change;
}

// CompareFigures: a count of 3 before (its changes go with it); a mean of
// monthly counts of 0.5 after (under 1 child a month, still 1 to 4
// children); percentages of 3.0 and 4.5 are not counts and are kept; 0 is
// shown. The trailer names the paths.
TEST(DisclosureControlTest, ComparisonWithholdsSmallCountFigures) {
  sgm::gateway::v1::CompareFiguresResponse response;
  sgm::gateway::v1::FigureComparison* comparison =
      response.mutable_comparison();
  AddChange(comparison, "intake.contacts", sgm::gateway::v1::FIGURE_UNIT_COUNT,
            3, 12);
  AddChange(comparison, "kpi.cpp_visits_in_time",
            sgm::gateway::v1::FIGURE_UNIT_PERCENT, 3.0, 4.5);
  AddChange(comparison, "kpi.open_cases", sgm::gateway::v1::FIGURE_UNIT_COUNT,
            120, 0.5);
  AddChange(comparison, "kpi.repeat_plans", sgm::gateway::v1::FIGURE_UNIT_COUNT,
            0, 0);

  EXPECT_EQ(WithholdInGatewayAnswer(&response),
            "comparison.changes[0].before,"
            "comparison.changes[0].absolute_change,"
            "comparison.changes[0].relative_change_percent,"
            "comparison.changes[2].after,"
            "comparison.changes[2].absolute_change,"
            "comparison.changes[2].relative_change_percent");
  EXPECT_FALSE(comparison->changes(0).has_before());
  EXPECT_EQ(comparison->changes(0).after(), 12);
  EXPECT_FALSE(comparison->changes(0).has_relative_change_percent());
  EXPECT_EQ(comparison->changes(1).before(), 3.0);
  EXPECT_EQ(comparison->changes(1).absolute_change(), 1.5);
  EXPECT_FALSE(comparison->changes(2).has_after());
  EXPECT_EQ(comparison->changes(2).before(), 120);
  EXPECT_TRUE(comparison->changes(3).has_before());
  // Nothing small: no trailer.
  sgm::gateway::v1::CompareFiguresResponse big;
  AddChange(big.mutable_comparison(), "intake.contacts",
            sgm::gateway::v1::FIGURE_UNIT_COUNT, 2774, 2417);
  EXPECT_EQ(WithholdInGatewayAnswer(&big), "");
}

// The trailer is capped like the proxy's: 201 months with 1 step up each
// name 201 paths; "months[0].step_ups" to "months[199].step_ups" take 4,089
// characters with their commas (10 of 18, 90 of 19 and 100 of 20, plus
// 199 commas), the 201st would pass 4,096.
TEST(DisclosureControlTest, GatewayAnswerTrailerIsCapped) {
  sgm::kpi::v1::GetServiceFlowsResponse response;
  for (int i = 0; i < 201; ++i) response.add_months()->set_step_ups(1);
  const std::string trailer = WithholdInGatewayAnswer(&response);
  EXPECT_EQ(trailer.size(), 4089u + std::string(",+1 more").size());
  EXPECT_THAT(trailer, ::testing::StartsWith("months[0].step_ups,"));
  EXPECT_THAT(trailer, ::testing::EndsWith("months[199].step_ups,+1 more"));
}

TEST(DisclosureControlTest, SuppressedMethods) {
  EXPECT_TRUE(
      IsSuppressedMethod("/sgm.intake.v1.IntakeService/GetFrontDoorFigures"));
  // The practice-insight aggregates; the list of duplicate contacts is
  // child-level, not an aggregate.
  EXPECT_TRUE(
      IsSuppressedMethod("/sgm.intake.v1.IntakeService/GetReferralQuality"));
  EXPECT_TRUE(
      IsSuppressedMethod("/sgm.intake.v1.IntakeService/GetDuplicateInput"));
  EXPECT_TRUE(
      IsSuppressedMethod("/sgm.intake.v1.IntakeService/GetContactCategories"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.kpi.v1.KpiService/GetVisitQuality"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.kpi.v1.KpiService/GetServiceFlows"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.kpi.v1.KpiService/GetCategoryFunnel"));
  EXPECT_FALSE(
      IsSuppressedMethod("/sgm.intake.v1.IntakeService/ListDuplicateContacts"));
  EXPECT_FALSE(IsSuppressedMethod("/sgm.kpi.v1.KpiService/ListOpenWork"));
  EXPECT_THAT(GatewayAggregateMethods(),
              ElementsAre("/sgm.gateway.v1.GatewayService/"
                          "GetAbuseCategoryFunnel",
                          "/sgm.gateway.v1.GatewayService/CompareFigures"));
  // Child-level lists are not aggregates.
  EXPECT_FALSE(IsSuppressedMethod("/sgm.intake.v1.IntakeService/ListContacts"));
  EXPECT_FALSE(IsSuppressedMethod("/sgm.kpi.v1.KpiService/ListWatchlist"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.qa.v1.QaService/GetQaFigures"));
  EXPECT_TRUE(IsSuppressedMethod("/sgm.qa.v1.QaService/GetQaTrend"));
  EXPECT_FALSE(IsSuppressedMethod("/sgm.qa.v1.QaService/ListAudits"));
}

}  // namespace
}  // namespace sgm::gateway
