#include "services/gateway/disclosure_control.h"

#include <cstdint>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "sgm/gateway/v1/gateway.pb.h"

namespace sgm::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

FieldRule Count() { return {FieldKind::kCount, {}}; }
FieldRule PeopleMeasure() { return {FieldKind::kPeopleMeasure, {}}; }
FieldRule NotCount() { return {FieldKind::kNotCount, {}}; }
FieldRule Derived(std::vector<std::string> from) {
  return {FieldKind::kDerived, std::move(from)};
}
FieldRule FigureValue() { return {FieldKind::kFigureValue, {}}; }
FieldRule FunnelConversion() { return {FieldKind::kFunnelConversion, {}}; }

absl::flat_hash_map<std::string, FieldRule> MakeRules() {
  return {
      // --- shared types ---
      {"sgm.type.v1.Date.year", NotCount()},
      {"sgm.type.v1.Date.month", NotCount()},
      {"sgm.type.v1.Date.day", NotCount()},
      {"sgm.type.v1.YearMonth.year", NotCount()},
      {"sgm.type.v1.YearMonth.month", NotCount()},
      {"google.protobuf.Timestamp.seconds", NotCount()},
      {"google.protobuf.Timestamp.nanos", NotCount()},

      // --- intake: front-door figures ---
      {"sgm.intake.v1.Breakdown.count", Count()},
      {"sgm.intake.v1.Breakdown.percent", Derived({"count"})},
      {"sgm.intake.v1.MonthCount.contacts", Count()},
      {"sgm.intake.v1.MonthCount.contacts_year_before", Count()},
      {"sgm.intake.v1.MonthCount.change_percent",
       Derived({"contacts", "contacts_year_before"})},
      {"sgm.intake.v1.WeeklyRate.contacts", Count()},
      {"sgm.intake.v1.WeeklyRate.per_week", Derived({"contacts"})},
      {"sgm.intake.v1.FrontDoorFigures.per_week_change_percent",
       Derived({"year_to_date.contacts", "year_to_date_last_year.contacts"})},
      {"sgm.intake.v1.FrontDoorFigures.decided", Count()},
      {"sgm.intake.v1.FrontDoorFigures.progressed", Count()},
      {"sgm.intake.v1.FrontDoorFigures.progressed_percent",
       Derived({"progressed", "decided"})},
      // Settings of the repeat-contact rule.
      {"sgm.intake.v1.FrontDoorFigures.repeat_min_contacts", NotCount()},
      {"sgm.intake.v1.FrontDoorFigures.repeat_window_days", NotCount()},
      {"sgm.intake.v1.FrontDoorFigures.repeat_contacts", Count()},
      {"sgm.intake.v1.FrontDoorFigures.repeat_children", Count()},
      {"sgm.intake.v1.FrontDoorFigures.repeat_percent",
       Derived({"repeat_contacts"})},
      {"sgm.intake.v1.FrontDoorFigures.decided_within_1wd", Count()},
      {"sgm.intake.v1.FrontDoorFigures.decided_within_1wd_percent",
       Derived({"decided_within_1wd", "decided"})},

      // --- KPI: indicators ---
      {"sgm.kpi.v1.Indicator.numerator", Count()},
      {"sgm.kpi.v1.Indicator.denominator", Count()},
      {"sgm.kpi.v1.Indicator.percent", Derived({"numerator", "denominator"})},
      // A mean of six months' percents, not this month's small count.
      {"sgm.kpi.v1.Indicator.six_month_average", NotCount()},
      {"sgm.kpi.v1.Indicator.target", NotCount()},
      {"sgm.kpi.v1.Indicator.amber_margin", NotCount()},
      // Published national, regional and neighbour figures.
      {"sgm.kpi.v1.Comparator.year", NotCount()},
      {"sgm.kpi.v1.Comparator.value", NotCount()},
      {"sgm.kpi.v1.RuleSettings.cp_visit_interval_working_days", NotCount()},
      {"sgm.kpi.v1.RuleSettings.cin_review_cadence_months", NotCount()},
      {"sgm.kpi.v1.RuleSettings.cla_visit_interval_days", NotCount()},
      {"sgm.kpi.v1.RuleSettings.cla_long_term_visit_months", NotCount()},
      {"sgm.kpi.v1.RuleSettings.assessment_working_days", NotCount()},
      {"sgm.kpi.v1.RuleSettings.icpc_working_days", NotCount()},
      {"sgm.kpi.v1.RuleSettings.repeat_plan_window_months", NotCount()},
      // Findings in the children's case events.
      {"sgm.kpi.v1.GetIndicatorsResponse.data_quality_findings", Count()},
      {"sgm.kpi.v1.TrendPoint.numerator", Count()},
      {"sgm.kpi.v1.TrendPoint.denominator", Count()},
      {"sgm.kpi.v1.TrendPoint.percent", Derived({"numerator", "denominator"})},

      // --- KPI: case status ---
      {"sgm.kpi.v1.OpenCases.early_help", Count()},
      {"sgm.kpi.v1.OpenCases.child_in_need", Count()},
      {"sgm.kpi.v1.OpenCases.child_protection", Count()},
      {"sgm.kpi.v1.OpenCases.child_in_care", Count()},
      {"sgm.kpi.v1.OpenCases.total", Count()},
      {"sgm.kpi.v1.Rate.children", Count()},
      {"sgm.kpi.v1.Rate.per_10k", Derived({"children"})},
      {"sgm.kpi.v1.WatchlistCount.children", Count()},
      // The published mid-year population estimate and its year.
      {"sgm.kpi.v1.CaseStatus.population_0_17", NotCount()},
      {"sgm.kpi.v1.CaseStatus.population_year", NotCount()},
      {"sgm.kpi.v1.CaseStatus.referrals", Count()},

      // --- KPI: caseloads (ListCaseloads) ---
      {"sgm.kpi.v1.WorkerCaseload.open_cases", Count()},
      {"sgm.kpi.v1.ListCaseloadsResponse.workers", Count()},
      {"sgm.kpi.v1.ListCaseloadsResponse.allocated_children", Count()},
      {"sgm.kpi.v1.ListCaseloadsResponse.mean_caseload",
       Derived({"workers", "allocated_children"})},

      // --- workforce ---
      {"sgm.workforce.v1.StaffingFigures.headcount", Count()},
      {"sgm.workforce.v1.StaffingFigures.fte_in_post", Derived({"headcount"})},
      {"sgm.workforce.v1.StaffingFigures.social_worker_fte", PeopleMeasure()},
      {"sgm.workforce.v1.StaffingFigures.maternity_fte", PeopleMeasure()},
      {"sgm.workforce.v1.StaffingFigures.agency_fte", PeopleMeasure()},
      {"sgm.workforce.v1.StaffingFigures.long_term_absence_fte",
       PeopleMeasure()},
      // Funded posts, not people.
      {"sgm.workforce.v1.StaffingFigures.establishment_fte", NotCount()},
      {"sgm.workforce.v1.StaffingFigures.employed_fte", PeopleMeasure()},
      {"sgm.workforce.v1.StaffingFigures.vacancy_rate_percent",
       Derived({"employed_fte"})},
      {"sgm.workforce.v1.StaffingFigures.agency_share_percent",
       Derived({"agency_fte", "fte_in_post", "headcount"})},
      {"sgm.workforce.v1.StaffingFigures.leavers_12m", Count()},
      {"sgm.workforce.v1.StaffingFigures.average_headcount_12m",
       PeopleMeasure()},
      {"sgm.workforce.v1.StaffingFigures.turnover_percent",
       Derived({"leavers_12m", "average_headcount_12m"})},
      // Days, not people; per FTE it follows the FTE's suppression.
      {"sgm.workforce.v1.StaffingFigures.absence_days_lost_12m", NotCount()},
      {"sgm.workforce.v1.StaffingFigures.average_employed_fte_12m",
       PeopleMeasure()},
      {"sgm.workforce.v1.StaffingFigures.absence_days_per_fte",
       Derived({"average_employed_fte_12m"})},
      {"sgm.workforce.v1.CaseloadFigures.case_holding_workers", Count()},
      {"sgm.workforce.v1.CaseloadFigures.open_cases", Count()},
      // Per worker: with 1 to 4 workers a mean or median is near to one
      // worker's caseload.
      {"sgm.workforce.v1.CaseloadFigures.mean_caseload",
       Derived({"case_holding_workers", "open_cases"})},
      {"sgm.workforce.v1.CaseloadFigures.median_caseload",
       Derived({"case_holding_workers"})},
      {"sgm.workforce.v1.CaseloadFigures.over_threshold", Count()},
      {"sgm.workforce.v1.CaseloadBand.workers", Count()},
      // Money (pence) and the year: not counts of anyone.
      {"sgm.workforce.v1.CostFigures.financial_year", NotCount()},
      {"sgm.workforce.v1.CostFigures.total_cost_pence", NotCount()},
      {"sgm.workforce.v1.CostFigures.social_worker_cost_pence", NotCount()},
      {"sgm.workforce.v1.CostFigures.agency_cost_pence", NotCount()},
      {"sgm.workforce.v1.CostFigures.agency_premium_pence", NotCount()},
      {"sgm.workforce.v1.CostFigures.agency_without_comparator", Count()},
      {"sgm.workforce.v1.WorkforceFigures.caseload_threshold", NotCount()},
      {"sgm.workforce.v1.WorkforceFigures.unmatched_workers", Count()},
      // Authority-wide totals a month: FTEs of people, and rates whose
      // inputs are not in the point.
      {"sgm.workforce.v1.WorkforceTrendPoint.fte_in_post", PeopleMeasure()},
      {"sgm.workforce.v1.WorkforceTrendPoint.agency_fte", PeopleMeasure()},
      {"sgm.workforce.v1.WorkforceTrendPoint.vacancy_rate_percent", NotCount()},
      {"sgm.workforce.v1.WorkforceTrendPoint.turnover_percent", NotCount()},
      {"sgm.workforce.v1.WorkforceTrendPoint.absence_days_per_fte", NotCount()},
      {"sgm.workforce.v1.WorkforceTrendPoint.mean_caseload", NotCount()},
      // Funded posts.
      {"sgm.workforce.v1.EstablishmentPost.fte", NotCount()},

      // --- quality assurance ---
      // Audits are of one child's case each; feedback is from people;
      // actions are about named practice: every count is suppressed.
      {"sgm.qa.v1.AuditFigures.audits", Count()},
      {"sgm.qa.v1.AuditFigures.outstanding", Count()},
      {"sgm.qa.v1.AuditFigures.good", Count()},
      {"sgm.qa.v1.AuditFigures.requires_improvement", Count()},
      {"sgm.qa.v1.AuditFigures.inadequate", Count()},
      // (outstanding + good) / audits: with audits and good shown, the
      // percent would give a withheld outstanding back.
      {"sgm.qa.v1.AuditFigures.good_or_better_percent",
       Derived({"outstanding", "good", "audits"})},
      {"sgm.qa.v1.ModerationFigures.moderated", Count()},
      {"sgm.qa.v1.ModerationFigures.agreed", Count()},
      {"sgm.qa.v1.ModerationFigures.moderated_up", Count()},
      {"sgm.qa.v1.ModerationFigures.moderated_down", Count()},
      {"sgm.qa.v1.ModerationFigures.agreement_percent",
       Derived({"agreed", "moderated"})},
      {"sgm.qa.v1.DomainFigures.graded", Count()},
      {"sgm.qa.v1.DomainFigures.requires_improvement_or_worse", Count()},
      {"sgm.qa.v1.DomainFigures.requires_improvement_or_worse_percent",
       Derived({"requires_improvement_or_worse", "graded"})},
      {"sgm.qa.v1.FeedbackFigures.received", Count()},
      // A mean of 1 to 4 ratings is near to one person's rating.
      {"sgm.qa.v1.FeedbackFigures.mean_rating", Derived({"received"})},
      {"sgm.qa.v1.FeedbackFigures.positive", Count()},
      {"sgm.qa.v1.FeedbackFigures.negative", Count()},
      {"sgm.qa.v1.ActionFigures.open", Count()},
      {"sgm.qa.v1.ActionFigures.overdue", Count()},
      {"sgm.qa.v1.ActionFigures.completed", Count()},
      {"sgm.qa.v1.ActionFigures.completed_on_time", Count()},
      {"sgm.qa.v1.ActionFigures.on_time_percent",
       Derived({"completed_on_time", "completed"})},
      {"sgm.qa.v1.ActionFigures.due", Count()},
      {"sgm.qa.v1.ReauditFigures.reaudits", Count()},
      {"sgm.qa.v1.ReauditFigures.improved", Count()},
      {"sgm.qa.v1.ReauditFigures.unchanged", Count()},
      {"sgm.qa.v1.ReauditFigures.worsened", Count()},
      {"sgm.qa.v1.ReauditFigures.improved_percent",
       Derived({"improved", "reaudits"})},
      {"sgm.qa.v1.ReauditFigures.original_missing", Count()},
      // A month's headline figures: the counts behind the percents and the
      // mean are not in the point, so each follows the count it is of
      // (moderated audits are among the month's audits).
      {"sgm.qa.v1.QaTrendPoint.audits", Count()},
      {"sgm.qa.v1.QaTrendPoint.good_or_better_percent", Derived({"audits"})},
      {"sgm.qa.v1.QaTrendPoint.agreement_percent", Derived({"audits"})},
      {"sgm.qa.v1.QaTrendPoint.feedback", Count()},
      {"sgm.qa.v1.QaTrendPoint.mean_rating", Derived({"feedback"})},
      {"sgm.qa.v1.QaTrendPoint.open_actions", Count()},
      {"sgm.qa.v1.QaTrendPoint.overdue_actions", Count()},

      // --- intake: practice insight ---
      // Referral quality: the rule set and threshold are settings; a mean
      // score of 1 to 4 contacts is near to one contact's score.
      {"sgm.intake.v1.QualityRule.weight", NotCount()},
      {"sgm.intake.v1.GetReferralQualityResponse.threshold", NotCount()},
      {"sgm.intake.v1.ReferralQualityPoint.contacts", Count()},
      {"sgm.intake.v1.ReferralQualityPoint.mean_score", Derived({"contacts"})},
      {"sgm.intake.v1.ReferralQualityPoint.below_threshold", Count()},
      {"sgm.intake.v1.ReferralQualityPoint.below_threshold_percent",
       Derived({"below_threshold", "contacts"})},
      {"sgm.intake.v1.QualityGap.contacts", Count()},
      {"sgm.intake.v1.QualityGap.percent", Derived({"contacts"})},
      {"sgm.intake.v1.FileReferralQuality.contacts", Count()},
      {"sgm.intake.v1.FileReferralQuality.mean_score", Derived({"contacts"})},
      {"sgm.intake.v1.FileReferralQuality.below_threshold", Count()},
      {"sgm.intake.v1.FileReferralQuality.threshold", NotCount()},
      // Duplicate input.
      {"sgm.intake.v1.DuplicateInputPoint.contacts_with_child", Count()},
      {"sgm.intake.v1.DuplicateInputPoint.duplicates", Count()},
      {"sgm.intake.v1.DuplicateInputPoint.percent",
       Derived({"duplicates", "contacts_with_child"})},
      {"sgm.intake.v1.DuplicateBreakdown.contacts_with_child", Count()},
      {"sgm.intake.v1.DuplicateBreakdown.duplicates", Count()},
      {"sgm.intake.v1.DuplicateBreakdown.percent",
       Derived({"duplicates", "contacts_with_child"})},
      // Contact categories (the categories themselves are Breakdowns).
      {"sgm.intake.v1.GetContactCategoriesResponse.contacts", Count()},

      // --- KPI: practice insight ---
      {"sgm.kpi.v1.VisitQuality.visits", Count()},
      {"sgm.kpi.v1.VisitQuality.mode_recorded", Count()},
      {"sgm.kpi.v1.VisitQuality.face_to_face", Count()},
      {"sgm.kpi.v1.VisitQuality.face_to_face_percent",
       Derived({"face_to_face", "mode_recorded"})},
      {"sgm.kpi.v1.VisitQuality.seen_alone_recorded", Count()},
      {"sgm.kpi.v1.VisitQuality.seen_alone", Count()},
      {"sgm.kpi.v1.VisitQuality.seen_alone_percent",
       Derived({"seen_alone", "seen_alone_recorded"})},
      // Service-level flows: moves and closures are of children; the gap
      // is a setting; the shares follow the open cases they are of.
      {"sgm.kpi.v1.GetServiceFlowsResponse.gap_days", NotCount()},
      {"sgm.kpi.v1.LevelMove.moves", Count()},
      {"sgm.kpi.v1.ClosureCount.closures", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.step_downs", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.step_downs_cp_to_cin", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.step_downs_cin_to_early_help", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.step_ups", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.entries", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.exits", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.closures_total", Count()},
      {"sgm.kpi.v1.ServiceFlowMonth.early_help_percent",
       Derived({"open_cases.early_help", "open_cases.total"})},
      {"sgm.kpi.v1.ServiceFlowMonth.child_in_need_percent",
       Derived({"open_cases.child_in_need", "open_cases.total"})},
      {"sgm.kpi.v1.ServiceFlowMonth.child_protection_percent",
       Derived({"open_cases.child_protection", "open_cases.total"})},
      {"sgm.kpi.v1.ServiceFlowMonth.child_in_care_percent",
       Derived({"open_cases.child_in_care", "open_cases.total"})},
      // The category funnel after the front door.
      {"sgm.kpi.v1.CategoryCount.count", Count()},
      {"sgm.kpi.v1.CategoryCount.percent", Derived({"count"})},
      {"sgm.kpi.v1.FunnelStageCounts.total", Count()},
      {"sgm.kpi.v1.GetCategoryFunnelResponse.plans_traced", Count()},
      {"sgm.kpi.v1.CategoryChange.plans", Count()},

      // --- gateway: the abuse-category funnel and what changed ---
      {"sgm.gateway.v1.AbuseFunnelStage.total", Count()},
      // This stage's count over the stage before's, for one category: both
      // counts are in other messages (AcrossFunnelStages).
      {"sgm.gateway.v1.AbuseFunnelConversion.percent", FunnelConversion()},
      {"sgm.gateway.v1.AbuseCategoryFunnel.plans_traced", Count()},
      // A figure's value over a period: a count when its unit says so.
      {"sgm.gateway.v1.FigureChange.before", FigureValue()},
      {"sgm.gateway.v1.FigureChange.after", FigureValue()},
      {"sgm.gateway.v1.FigureChange.absolute_change",
       Derived({"before", "after"})},
      {"sgm.gateway.v1.FigureChange.relative_change_percent",
       Derived({"before", "after"})},
  };
}

bool IsInteger(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return true;
    default:
      return false;
  }
}

bool IsNumeric(const FieldDescriptor* field) {
  return IsInteger(field) ||
         field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE ||
         field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT;
}

// A singular numeric field's value as a double.
double ValueOf(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection->GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<double>(reflection->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return reflection->GetUInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return static_cast<double>(reflection->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return reflection->GetDouble(message, field);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return reflection->GetFloat(message, field);
    default:
      return 0;
  }
}

// A repeated numeric field's element as a double.
double ValueOf(const Message& message, const FieldDescriptor* field,
               int index) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection->GetRepeatedInt32(message, field, index);
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<double>(
          reflection->GetRepeatedInt64(message, field, index));
    case FieldDescriptor::CPPTYPE_UINT32:
      return reflection->GetRepeatedUInt32(message, field, index);
    case FieldDescriptor::CPPTYPE_UINT64:
      return static_cast<double>(
          reflection->GetRepeatedUInt64(message, field, index));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return reflection->GetRepeatedDouble(message, field, index);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return reflection->GetRepeatedFloat(message, field, index);
    default:
      return 0;
  }
}

// Withholds a singular field: cleared when it has presence, else 0.
void Withhold(Message* message, const FieldDescriptor* field) {
  const Reflection* reflection = message->GetReflection();
  if (field->has_presence()) {
    reflection->ClearField(message, field);
    return;
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      reflection->SetInt32(message, field, 0);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      reflection->SetInt64(message, field, 0);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      reflection->SetUInt32(message, field, 0);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      reflection->SetUInt64(message, field, 0);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      reflection->SetDouble(message, field, 0);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      reflection->SetFloat(message, field, 0);
      break;
    default:
      break;
  }
}

// Withholds a repeated field's element (set to 0).
void Withhold(Message* message, const FieldDescriptor* field, int index) {
  const Reflection* reflection = message->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      reflection->SetRepeatedInt32(message, field, index, 0);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      reflection->SetRepeatedInt64(message, field, index, 0);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      reflection->SetRepeatedUInt32(message, field, index, 0);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      reflection->SetRepeatedUInt64(message, field, index, 0);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      reflection->SetRepeatedDouble(message, field, index, 0);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      reflection->SetRepeatedFloat(message, field, index, 0);
      break;
    default:
      break;
  }
}

// The kind of a numeric field: its row, else a count for an integer and
// not a count for a double (the unit test keeps the table complete).
FieldKind KindOf(const FieldDescriptor* field) {
  const FieldRule* rule = FindDisclosureRule(field->full_name());
  if (rule != nullptr) return rule->kind;
  return IsInteger(field) ? FieldKind::kCount : FieldKind::kNotCount;
}

bool IsSmall(FieldKind kind, double value) {
  if (kind == FieldKind::kCount) {
    return value >= 1 && value <= kLargestSuppressedCount;
  }
  if (kind == FieldKind::kPeopleMeasure) {
    return value > 0 && value < kLargestSuppressedCount + 1;
  }
  return false;
}

// Whether `message` (a FigureChange) is of a figure counted in whole
// people or items: its `figure.unit` is FIGURE_UNIT_COUNT.
bool UnitIsCount(const Message& message) {
  const FieldDescriptor* figure =
      message.GetDescriptor()->FindFieldByName("figure");
  if (figure == nullptr ||
      figure->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
      figure->is_repeated()) {
    return false;
  }
  const Message& definition =
      message.GetReflection()->GetMessage(message, figure);
  const FieldDescriptor* unit =
      definition.GetDescriptor()->FindFieldByName("unit");
  if (unit == nullptr || unit->cpp_type() != FieldDescriptor::CPPTYPE_ENUM ||
      unit->is_repeated()) {
    return false;
  }
  return definition.GetReflection()->GetEnumValue(definition, unit) ==
         sgm::gateway::v1::FIGURE_UNIT_COUNT;
}

// The kind a numeric field is withheld as, in `message`: kFigureValue
// becomes a people measure (a count, or a mean of counts) or nothing.
FieldKind EffectiveKind(const Message& message, const FieldDescriptor* field) {
  const FieldKind kind = KindOf(field);
  if (kind != FieldKind::kFigureValue) return kind;
  return UnitIsCount(message) ? FieldKind::kPeopleMeasure
                              : FieldKind::kNotCount;
}

// The index of `category` in a stage's by_category, or -1.
int CategoryIndex(const sgm::gateway::v1::AbuseFunnelStage& stage,
                  absl::string_view category) {
  for (int i = 0; i < stage.by_category_size(); ++i) {
    if (stage.by_category(i).category() == category) return i;
  }
  return -1;
}

// The funnel's conversions from a withheld count (at this stage or the one
// before), withheld; `withheld` holds the paths already withheld in the
// funnel (relative to it) and gets these.
void WithholdFunnelConversions(sgm::gateway::v1::AbuseCategoryFunnel* funnel,
                               std::vector<std::string>* withheld) {
  const absl::flat_hash_set<std::string> counts(withheld->begin(),
                                                withheld->end());
  auto count_withheld = [&](int stage, int index) {
    return index >= 0 &&
           counts.contains(absl::StrCat("stages[", stage, "].by_category[",
                                        index, "].count"));
  };
  for (int s = 1; s < funnel->stages_size(); ++s) {
    sgm::gateway::v1::AbuseFunnelStage* stage = funnel->mutable_stages(s);
    const sgm::gateway::v1::AbuseFunnelStage& before = funnel->stages(s - 1);
    for (int j = 0; j < stage->conversions_size(); ++j) {
      sgm::gateway::v1::AbuseFunnelConversion* conversion =
          stage->mutable_conversions(j);
      if (!conversion->has_percent()) continue;
      const std::string& category = conversion->category();
      if (count_withheld(s, CategoryIndex(*stage, category)) ||
          count_withheld(s - 1, CategoryIndex(before, category))) {
        conversion->clear_percent();
        withheld->push_back(
            absl::StrCat("stages[", s, "].conversions[", j, "].percent"));
      }
    }
  }
}

// Withholds in `message`; returns the withheld paths relative to it.
std::vector<std::string> Walk(Message* message) {
  std::vector<std::string> withheld;
  const Descriptor* descriptor = message->GetDescriptor();
  const Reflection* reflection = message->GetReflection();
  // Messages and counts first, in field order.
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_map()) continue;
      if (field->is_repeated()) {
        const int size = reflection->FieldSize(*message, field);
        for (int j = 0; j < size; ++j) {
          for (const std::string& path :
               Walk(reflection->MutableRepeatedMessage(message, field, j))) {
            withheld.push_back(absl::StrCat(field->name(), "[", j, "].", path));
          }
        }
      } else if (reflection->HasField(*message, field)) {
        for (const std::string& path :
             Walk(reflection->MutableMessage(message, field))) {
          withheld.push_back(absl::StrCat(field->name(), ".", path));
        }
      }
      continue;
    }
    if (!IsNumeric(field)) continue;
    const FieldKind kind = EffectiveKind(*message, field);
    if (kind != FieldKind::kCount && kind != FieldKind::kPeopleMeasure) {
      continue;
    }
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(*message, field);
      for (int j = 0; j < size; ++j) {
        if (IsSmall(kind, ValueOf(*message, field, j))) {
          Withhold(message, field, j);
          withheld.push_back(absl::StrCat(field->name(), "[", j, "]"));
        }
      }
    } else if (field->has_presence() &&
               !reflection->HasField(*message, field)) {
      continue;  // absent: nothing to withhold
    } else if (IsSmall(kind, ValueOf(*message, field))) {
      Withhold(message, field);
      withheld.push_back(field->name());
    }
  }
  // Then the figures derived from a withheld one.
  const absl::flat_hash_set<std::string> sources(withheld.begin(),
                                                 withheld.end());
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!IsNumeric(field) || field->is_repeated()) continue;
    const FieldRule* rule = FindDisclosureRule(field->full_name());
    if (rule == nullptr || rule->kind != FieldKind::kDerived) continue;
    if (field->has_presence() && !reflection->HasField(*message, field)) {
      continue;
    }
    if (absl::c_any_of(rule->from, [&sources](const std::string& from) {
          return sources.contains(from);
        })) {
      Withhold(message, field);
      withheld.push_back(field->name());
    }
  }
  // Then the funnel's conversions, whose counts are in sibling stages.
  if (auto* funnel = google::protobuf::DynamicCastToGenerated<
          sgm::gateway::v1::AbuseCategoryFunnel>(message)) {
    WithholdFunnelConversions(funnel, &withheld);
  }
  return withheld;
}

}  // namespace

const absl::flat_hash_map<std::string, FieldRule>& DisclosureRules() {
  static const auto* const rules =
      new absl::flat_hash_map<std::string, FieldRule>(MakeRules());
  return *rules;
}

const FieldRule* FindDisclosureRule(absl::string_view full_field_name) {
  const auto& rules = DisclosureRules();
  auto it = rules.find(full_field_name);
  return it == rules.end() ? nullptr : &it->second;
}

const std::vector<std::string>& SuppressedMethods() {
  static const auto* const methods = new std::vector<std::string>{
      "/sgm.intake.v1.IntakeService/GetFrontDoorFigures",
      "/sgm.kpi.v1.KpiService/GetIndicators",
      "/sgm.kpi.v1.KpiService/GetIndicatorTrend",
      "/sgm.kpi.v1.KpiService/GetCaseStatus",
      "/sgm.kpi.v1.KpiService/ListCaseloads",
      "/sgm.workforce.v1.WorkforceService/GetWorkforceFigures",
      "/sgm.workforce.v1.WorkforceService/GetWorkforceTrend",
      "/sgm.workforce.v1.WorkforceService/ListEstablishment",
      "/sgm.qa.v1.QaService/GetQaFigures",
      "/sgm.qa.v1.QaService/GetQaTrend",
      // Practice insight (docs/insight.md).
      "/sgm.intake.v1.IntakeService/GetReferralQuality",
      "/sgm.intake.v1.IntakeService/GetDuplicateInput",
      "/sgm.intake.v1.IntakeService/GetContactCategories",
      "/sgm.kpi.v1.KpiService/GetVisitQuality",
      "/sgm.kpi.v1.KpiService/GetServiceFlows",
      "/sgm.kpi.v1.KpiService/GetCategoryFunnel",
  };
  return *methods;
}

bool IsSuppressedMethod(absl::string_view method) {
  return absl::c_linear_search(SuppressedMethods(), method);
}

const std::vector<std::string>& GatewayAggregateMethods() {
  static const auto* const methods = new std::vector<std::string>{
      "/sgm.gateway.v1.GatewayService/GetAbuseCategoryFunnel",
      "/sgm.gateway.v1.GatewayService/CompareFigures",
  };
  return *methods;
}

std::vector<std::string> WithholdSmallCounts(
    google::protobuf::Message* message) {
  return Walk(message);
}

std::string WithholdInGatewayAnswer(google::protobuf::Message* response) {
  const std::vector<std::string> paths = WithholdSmallCounts(response);
  std::string out;
  for (size_t i = 0; i < paths.size(); ++i) {
    const size_t added = paths[i].size() + (out.empty() ? 0 : 1);
    if (out.size() + added > kMaxSuppressedFieldsTrailer) {
      absl::StrAppend(&out, out.empty() ? "" : ",", "+", paths.size() - i,
                      " more");
      break;
    }
    absl::StrAppend(&out, out.empty() ? "" : ",", paths[i]);
  }
  return out;
}

}  // namespace sgm::gateway
