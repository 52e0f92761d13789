#include "services/gateway/access_policy.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sgm::gateway {
namespace {

constexpr absl::string_view kIntake = "/sgm.intake.v1.IntakeService/";
constexpr absl::string_view kKpi = "/sgm.kpi.v1.KpiService/";
constexpr absl::string_view kWorkforce = "/sgm.workforce.v1.WorkforceService/";
constexpr absl::string_view kQa = "/sgm.qa.v1.QaService/";

MethodRule Rule(absl::string_view method, std::vector<Role> roles,
                bool child_level, bool streaming) {
  MethodRule rule;
  rule.method = std::string(method);
  rule.roles = std::move(roles);
  rule.child_level = child_level;
  rule.streaming = streaming;
  return rule;
}

}  // namespace

std::vector<MethodRule> AccessPolicy::DefaultRules() {
  const std::vector<Role> everyone = {Role::kAdmin, Role::kManager,
                                      Role::kPractitioner, Role::kAnalyst,
                                      Role::kPartner};
  const std::vector<Role> staff = {Role::kPractitioner, Role::kManager,
                                   Role::kAdmin};
  const std::vector<Role> staff_and_partners = {
      Role::kPartner, Role::kPractitioner, Role::kManager, Role::kAdmin};
  const std::vector<Role> managers = {Role::kManager, Role::kAdmin};
  const std::vector<Role> admins = {Role::kAdmin};
  const std::vector<Role> aggregate_readers = {
      Role::kAnalyst, Role::kPractitioner, Role::kManager, Role::kAdmin};
  constexpr bool kChildLevel = true;
  constexpr bool kStreaming = true;
  return {
      Rule("/sgm.gateway.v1.GatewayService/WhoAmI", everyone, !kChildLevel,
           !kStreaming),
      // The monthly report: aggregates from every backend.
      Rule("/sgm.gateway.v1.GatewayService/GetPracticeReport",
           aggregate_readers, !kChildLevel, !kStreaming),
      // Practice insight composed by the gateway: aggregates.
      Rule("/sgm.gateway.v1.GatewayService/GetAbuseCategoryFunnel",
           aggregate_readers, !kChildLevel, !kStreaming),
      Rule("/sgm.gateway.v1.GatewayService/ListComparableFigures",
           aggregate_readers, !kChildLevel, !kStreaming),
      Rule("/sgm.gateway.v1.GatewayService/CompareFigures", aggregate_readers,
           !kChildLevel, !kStreaming),
      // Feeds and writes of child-level records.
      Rule(absl::StrCat(kIntake, "ImportContacts"), staff_and_partners,
           kChildLevel, kStreaming),
      Rule(absl::StrCat(kIntake, "ImportDecisions"), staff, kChildLevel,
           kStreaming),
      Rule(absl::StrCat(kIntake, "CreateContact"), staff, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kIntake, "RecordDecision"), staff, kChildLevel,
           !kStreaming),
      // Child-level reads (audited by the backend).
      Rule(absl::StrCat(kIntake, "GetContact"), staff, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kIntake, "ListContacts"), staff, kChildLevel,
           !kStreaming),
      // Aggregates.
      Rule(absl::StrCat(kIntake, "GetFrontDoorFigures"), aggregate_readers,
           !kChildLevel, !kStreaming),
      // Practice insight (docs/insight.md): aggregates, and the duplicate
      // contacts for practitioners (child-level, audited by intake).
      Rule(absl::StrCat(kIntake, "GetReferralQuality"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kIntake, "GetDuplicateInput"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kIntake, "GetContactCategories"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kIntake, "ListDuplicateContacts"), staff, kChildLevel,
           !kStreaming),
      // KPI: case activity from the case-management system (internal
      // callers only; partners send contacts, not case events).
      Rule(absl::StrCat(kKpi, "ImportCaseEvents"), staff, kChildLevel,
           kStreaming),
      Rule(absl::StrCat(kKpi, "RecordCaseEvent"), staff, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kKpi, "BatchRecordCaseEvents"), staff, kChildLevel,
           !kStreaming),
      // KPI child-level reads (audited by the backend).
      Rule(absl::StrCat(kKpi, "ListIndicatorCases"), staff, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kKpi, "ListWatchlist"), staff, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kKpi, "SampleCases"), staff, kChildLevel, !kStreaming),
      // KPI aggregates (worker caseloads carry staff ids, no child ids).
      Rule(absl::StrCat(kKpi, "GetIndicators"), aggregate_readers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kKpi, "GetIndicatorTrend"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kKpi, "GetCaseStatus"), aggregate_readers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kKpi, "ListCaseloads"), aggregate_readers, !kChildLevel,
           !kStreaming),
      // KPI practice insight: aggregates, and the open work of named
      // children (child-level, audited by the KPI service).
      Rule(absl::StrCat(kKpi, "GetVisitQuality"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kKpi, "GetServiceFlows"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kKpi, "GetCategoryFunnel"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kKpi, "ListOpenWork"), staff, kChildLevel, !kStreaming),
      // Workforce: staff records and absences are personal data about
      // employees (absence reasons are health data), not child-level:
      // writes, imports and staff-level reads are for managers and admins,
      // and the backend audits every staff-level read.
      Rule(absl::StrCat(kWorkforce, "CreateStaff"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "UpdateStaff"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "EndStaff"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "RecordAbsence"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "SetEstablishment"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "ImportStaff"), managers, !kChildLevel,
           kStreaming),
      Rule(absl::StrCat(kWorkforce, "ImportAbsences"), managers, !kChildLevel,
           kStreaming),
      Rule(absl::StrCat(kWorkforce, "ImportEstablishment"), managers,
           !kChildLevel, kStreaming),
      Rule(absl::StrCat(kWorkforce, "GetStaff"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "ListStaff"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "ListAbsences"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "ListStaffCaseloads"), managers,
           !kChildLevel, !kStreaming),
      // Workforce aggregates.
      Rule(absl::StrCat(kWorkforce, "GetWorkforceFigures"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kWorkforce, "GetWorkforceTrend"), aggregate_readers,
           !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kWorkforce, "ListEstablishment"), aggregate_readers,
           !kChildLevel, !kStreaming),
      // Quality assurance: audits and dip samples name children (child-level
      // reads audited by the backend); feedback comments and actions are
      // free text about practice: staff only. Themes and figures are
      // aggregates.
      Rule(absl::StrCat(kQa, "CreateTheme"), managers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "ListThemes"), aggregate_readers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "CreateAudit"), staff, kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "ModerateAudit"), staff, kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "ImportAudits"), staff, kChildLevel, kStreaming),
      Rule(absl::StrCat(kQa, "GetAudit"), staff, kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "ListAudits"), staff, kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "CreateDipSample"), staff, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "GetDipSample"), staff, kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "ListDipSamples"), staff, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "CreateFeedback"), staff, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "ImportFeedback"), staff, !kChildLevel,
           kStreaming),
      Rule(absl::StrCat(kQa, "ListFeedback"), staff, !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "CreateAction"), staff, !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "CompleteAction"), staff, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "ImportActions"), staff, !kChildLevel, kStreaming),
      Rule(absl::StrCat(kQa, "ListActions"), staff, !kChildLevel, !kStreaming),
      Rule(absl::StrCat(kQa, "GetQaFigures"), aggregate_readers, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "GetQaTrend"), aggregate_readers, !kChildLevel,
           !kStreaming),
      // The read-audit logs: who read which children (staff for workforce).
      // Admins only; holds child ids, and each query is itself audited.
      Rule(absl::StrCat(kIntake, "ListReadAudit"), admins, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kKpi, "ListReadAudit"), admins, kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kWorkforce, "ListReadAudit"), admins, !kChildLevel,
           !kStreaming),
      Rule(absl::StrCat(kQa, "ListReadAudit"), admins, kChildLevel,
           !kStreaming),
  };
}

AccessPolicy::AccessPolicy() : AccessPolicy(DefaultRules()) {}

AccessPolicy::AccessPolicy(const std::vector<MethodRule>& rules) {
  for (const MethodRule& rule : rules) {
    rules_.insert_or_assign(rule.method, rule);
  }
}

const MethodRule* AccessPolicy::Find(absl::string_view method) const {
  auto it = rules_.find(method);
  return it == rules_.end() ? nullptr : &it->second;
}

absl::Status AccessPolicy::Check(absl::string_view method,
                                 const CallerIdentity& caller) const {
  const MethodRule* rule = Find(method);
  if (rule == nullptr) {
    return absl::PermissionDeniedError(
        "method not allowed through the gateway");
  }
  if (caller.role == Role::kUnspecified ||
      std::find(rule->roles.begin(), rule->roles.end(), caller.role) ==
          rule->roles.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(caller.role), " may not call ", method));
  }
  return absl::OkStatus();
}

bool AccessPolicy::IsChildLevel(absl::string_view method) const {
  const MethodRule* rule = Find(method);
  return rule != nullptr && rule->child_level;
}

bool AccessPolicy::IsStreaming(absl::string_view method) const {
  const MethodRule* rule = Find(method);
  return rule != nullptr && rule->streaming;
}

}  // namespace sgm::gateway
