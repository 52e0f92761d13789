#include "services/gateway/access_policy.h"

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/caller_identity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm::gateway {
namespace {

using ::testing::HasSubstr;

constexpr Role kAllRoles[] = {Role::kAdmin, Role::kManager, Role::kPractitioner,
                              Role::kAnalyst, Role::kPartner};

CallerIdentity As(Role role) {
  CallerIdentity identity;
  identity.caller = "test";
  identity.role = role;
  identity.authority = "831";
  if (role == Role::kPartner) identity.agency = "POLICE";
  return identity;
}

struct Row {
  std::string method;
  std::set<Role> allowed;
  bool child_level;
  bool streaming;
};

std::vector<Row> ExpectedTable() {
  const std::string intake = "/sgm.intake.v1.IntakeService/";
  const std::string kpi = "/sgm.kpi.v1.KpiService/";
  const std::string workforce = "/sgm.workforce.v1.WorkforceService/";
  const std::string qa = "/sgm.qa.v1.QaService/";
  const std::set<Role> managers = {Role::kManager, Role::kAdmin};
  const std::set<Role> staff = {Role::kPractitioner, Role::kManager,
                                Role::kAdmin};
  std::set<Role> staff_and_partners = staff;
  staff_and_partners.insert(Role::kPartner);
  std::set<Role> aggregates = staff;
  aggregates.insert(Role::kAnalyst);
  return {
      {"/sgm.gateway.v1.GatewayService/WhoAmI",
       {std::begin(kAllRoles), std::end(kAllRoles)},
       false,
       false},
      {"/sgm.gateway.v1.GatewayService/GetPracticeReport", aggregates, false,
       false},
      {"/sgm.gateway.v1.GatewayService/GetAbuseCategoryFunnel", aggregates,
       false, false},
      {"/sgm.gateway.v1.GatewayService/ListComparableFigures", aggregates,
       false, false},
      {"/sgm.gateway.v1.GatewayService/CompareFigures", aggregates, false,
       false},
      {intake + "ImportContacts", staff_and_partners, true, true},
      {intake + "ImportDecisions", staff, true, true},
      {intake + "CreateContact", staff, true, false},
      {intake + "RecordDecision", staff, true, false},
      {intake + "GetContact", staff, true, false},
      {intake + "ListContacts", staff, true, false},
      {intake + "GetFrontDoorFigures", aggregates, false, false},
      {intake + "GetReferralQuality", aggregates, false, false},
      {intake + "GetDuplicateInput", aggregates, false, false},
      {intake + "GetContactCategories", aggregates, false, false},
      {intake + "ListDuplicateContacts", staff, true, false},
      {kpi + "ImportCaseEvents", staff, true, true},
      {kpi + "RecordCaseEvent", staff, true, false},
      {kpi + "BatchRecordCaseEvents", staff, true, false},
      {kpi + "ListIndicatorCases", staff, true, false},
      {kpi + "ListWatchlist", staff, true, false},
      {kpi + "SampleCases", staff, true, false},
      {kpi + "GetIndicators", aggregates, false, false},
      {kpi + "GetIndicatorTrend", aggregates, false, false},
      {kpi + "GetCaseStatus", aggregates, false, false},
      {kpi + "ListCaseloads", aggregates, false, false},
      {kpi + "GetVisitQuality", aggregates, false, false},
      {kpi + "GetServiceFlows", aggregates, false, false},
      {kpi + "GetCategoryFunnel", aggregates, false, false},
      {kpi + "ListOpenWork", staff, true, false},
      {workforce + "CreateStaff", managers, false, false},
      {workforce + "UpdateStaff", managers, false, false},
      {workforce + "EndStaff", managers, false, false},
      {workforce + "RecordAbsence", managers, false, false},
      {workforce + "SetEstablishment", managers, false, false},
      {workforce + "ImportStaff", managers, false, true},
      {workforce + "ImportAbsences", managers, false, true},
      {workforce + "ImportEstablishment", managers, false, true},
      {workforce + "GetStaff", managers, false, false},
      {workforce + "ListStaff", managers, false, false},
      {workforce + "ListAbsences", managers, false, false},
      {workforce + "ListStaffCaseloads", managers, false, false},
      {workforce + "GetWorkforceFigures", aggregates, false, false},
      {workforce + "GetWorkforceTrend", aggregates, false, false},
      {workforce + "ListEstablishment", aggregates, false, false},
      {qa + "CreateTheme", managers, false, false},
      {qa + "ListThemes", aggregates, false, false},
      {qa + "CreateAudit", staff, true, false},
      {qa + "ModerateAudit", staff, true, false},
      {qa + "ImportAudits", staff, true, true},
      {qa + "GetAudit", staff, true, false},
      {qa + "ListAudits", staff, true, false},
      {qa + "CreateDipSample", staff, true, false},
      {qa + "GetDipSample", staff, true, false},
      {qa + "ListDipSamples", staff, false, false},
      {qa + "CreateFeedback", staff, false, false},
      {qa + "ImportFeedback", staff, false, true},
      {qa + "ListFeedback", staff, false, false},
      {qa + "CreateAction", staff, false, false},
      {qa + "CompleteAction", staff, false, false},
      {qa + "ImportActions", staff, false, true},
      {qa + "ListActions", staff, false, false},
      {qa + "GetQaFigures", aggregates, false, false},
      {qa + "GetQaTrend", aggregates, false, false},
      // The read-audit logs: admins only.
      {intake + "ListReadAudit", {Role::kAdmin}, true, false},
      {kpi + "ListReadAudit", {Role::kAdmin}, true, false},
      {workforce + "ListReadAudit", {Role::kAdmin}, false, false},
      {qa + "ListReadAudit", {Role::kAdmin}, true, false},
  };
}

TEST(AccessPolicyTest, EveryRowOfTheTable) {
  AccessPolicy policy;
  for (const Row& row : ExpectedTable()) {
    ASSERT_NE(policy.Find(row.method), nullptr) << row.method;
    for (Role role : kAllRoles) {
      absl::Status status = policy.Check(row.method, As(role));
      if (row.allowed.count(role) > 0) {
        EXPECT_TRUE(status.ok())
            << row.method << " " << RoleName(role) << ": " << status;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
            << row.method << " " << RoleName(role);
      }
    }
    EXPECT_EQ(policy.IsChildLevel(row.method), row.child_level) << row.method;
    EXPECT_EQ(policy.IsStreaming(row.method), row.streaming) << row.method;
  }
}

TEST(AccessPolicyTest, DefaultTableHasNoOtherRows) {
  EXPECT_EQ(AccessPolicy::DefaultRules().size(), ExpectedTable().size());
}

TEST(AccessPolicyTest, PartnerMayOnlyImportContacts) {
  AccessPolicy policy;
  for (const MethodRule& rule : AccessPolicy::DefaultRules()) {
    bool allowed = policy.Check(rule.method, As(Role::kPartner)).ok();
    bool expected =
        rule.method == "/sgm.intake.v1.IntakeService/ImportContacts" ||
        rule.method == "/sgm.gateway.v1.GatewayService/WhoAmI";
    EXPECT_EQ(allowed, expected) << rule.method;
  }
}

TEST(AccessPolicyTest, AnalystDeniedEveryChildLevelMethod) {
  AccessPolicy policy;
  int child_level = 0;
  for (const MethodRule& rule : AccessPolicy::DefaultRules()) {
    if (!policy.IsChildLevel(rule.method)) continue;
    ++child_level;
    absl::Status status = policy.Check(rule.method, As(Role::kAnalyst));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
        << rule.method;
  }
  // 21 reads and writes of child records (14 intake and KPI, 7 QA), plus
  // the intake, KPI and QA read-audit logs (they hold child ids).
  EXPECT_EQ(child_level, 24);
  for (const char* method : {"/sgm.intake.v1.IntakeService/GetReferralQuality",
                             "/sgm.intake.v1.IntakeService/GetDuplicateInput",
                             "/sgm.kpi.v1.KpiService/GetServiceFlows",
                             "/sgm.gateway.v1.GatewayService/CompareFigures"}) {
    EXPECT_TRUE(policy.Check(method, As(Role::kAnalyst)).ok()) << method;
  }
  EXPECT_TRUE(policy
                  .Check("/sgm.intake.v1.IntakeService/GetFrontDoorFigures",
                         As(Role::kAnalyst))
                  .ok());
}

TEST(AccessPolicyTest, UnknownMethodDenied) {
  AccessPolicy policy;
  for (const char* method :
       {"/sgm.intake.v1.IntakeService/DeleteEverything",
        "/sgm.qa.v1.QaService/GetSummary", "", "GetContact",
        "/sgm.intake.v1.IntakeService/getcontact",
        "/sgm.intake.v1.IntakeService/GetContact/"}) {
    absl::Status status = policy.Check(method, As(Role::kAdmin));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << method;
    EXPECT_EQ(status.message(), "method not allowed through the gateway");
    EXPECT_FALSE(policy.IsChildLevel(method)) << method;
    EXPECT_FALSE(policy.IsStreaming(method)) << method;
    EXPECT_EQ(policy.Find(method), nullptr) << method;
  }
}

TEST(AccessPolicyTest, UnspecifiedRoleDenied) {
  AccessPolicy policy;
  absl::Status status = policy.Check("/sgm.gateway.v1.GatewayService/WhoAmI",
                                     As(Role::kUnspecified));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

TEST(AccessPolicyTest, DeniedMessageNamesRoleAndMethod) {
  AccessPolicy policy;
  absl::Status status = policy.Check("/sgm.intake.v1.IntakeService/GetContact",
                                     As(Role::kPartner));
  EXPECT_THAT(status.message(), HasSubstr("partner"));
  EXPECT_THAT(status.message(), HasSubstr("GetContact"));
}

TEST(AccessPolicyTest, CustomRowsAddMethods) {
  std::vector<MethodRule> rules = AccessPolicy::DefaultRules();
  MethodRule kpi;
  kpi.method = "/sgm.kpi.v1.KpiService/GetIndicators";
  kpi.roles = {Role::kAnalyst};
  rules.push_back(kpi);
  // A later row replaces an earlier one for the same method.
  MethodRule figures;
  figures.method = "/sgm.intake.v1.IntakeService/GetFrontDoorFigures";
  figures.roles = {Role::kAdmin};
  figures.child_level = true;
  rules.push_back(figures);
  AccessPolicy policy(rules);
  EXPECT_TRUE(policy.Check(kpi.method, As(Role::kAnalyst)).ok());
  EXPECT_FALSE(policy.Check(kpi.method, As(Role::kAdmin)).ok());
  EXPECT_FALSE(policy.Check(figures.method, As(Role::kAnalyst)).ok());
  EXPECT_TRUE(policy.IsChildLevel(figures.method));
}

}  // namespace
}  // namespace sgm::gateway
