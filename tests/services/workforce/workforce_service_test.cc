// The workforce service end to end through the gateway: staff, absences
// and establishment files whose figures are worked out by hand below;
// caseloads from the cluster's KPI service as its allocations change, and
// with it stopped; Redis gone; roles, the read audit and paging. A real
// redis-server and real SQLite files, started and created by the test.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/workforce/caseload_source.h"
#include "services/workforce/workforce_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/health_probe.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"

namespace sgm::workforce {
namespace {

using ::sgm::testing::TestCluster;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The cluster's clock: D = Saturday 15 June 2024. The 12-month window is
// 16 Jun 2023 .. 15 Jun 2024; financial year 2024 = Apr 2024 .. Mar 2025
// (365 days).
//
// In post on D: W01 1.0, W02 0.5, W03 1.0 (agency), W04 1.0 (Safeguarding,
// all qualified); W06 0.8 (Early Help). W05 left on 29 Feb 2024; W07
// starts on 1 Jul 2024; line 5 (W99, fte 2) is rejected.
//   Safeguarding: headcount 4, FTE 3.5, social workers 3.5, agency 1.0,
//   employed 2.5. Early Help: 1, 0.8, 0, 0, 0.8. Total: 5, 4.3, 3.5, 1.0,
//   3.3.
constexpr char kStaff[] =
    "staff_id,role,qualified,service_area,team,employment,fte,start_date,"
    "end_date,annual_cost\n"
    "W01,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,1,2020-01-06,,45000\n"
    "W02,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,0.5,2021-03-01,,22500\n"
    "W03,SOCIAL_WORKER,Y,Safeguarding,CP2,AGENCY,1,2024-01-08,,70000\n"
    "W99,SOCIAL_WORKER,Y,Safeguarding,CP1,PERMANENT,2,2020-01-06,,45000\n"
    "W04,TEAM_MANAGER,Y,Safeguarding,CP1,FIXED_TERM,1,2022-09-01,,60000\n"
    "W05,SOCIAL_WORKER,Y,Safeguarding,CP2,PERMANENT,1,2019-04-01,2024-02-29,"
    "45000\n"
    "W06,CHILDRENS_PRACTITIONER,N,Early Help,EH1,PERMANENT,0.8,2023-01-09,,"
    "28000\n"
    "W07,CHILDRENS_PRACTITIONER,N,Early Help,EH1,PERMANENT,1,2024-07-01,,"
    "30000\n";

// Maternity on D: W02 (0.5, Safeguarding). Long-term absence on D: W06's
// sickness from 10 May, ongoing, a month or more from 9 Jun (0.8, Early
// Help). Days lost in the window (SIC/OTH/UNA/UNP of employed staff):
//   W01 SIC 1-14 Jun 2024: 10. W05 SIC 1-30 Jun 2023: 22 working days, 11
//   of them (16-30 Jun) in the window: 10 x 11/22 = 5. W06 SIC: 20.
//   Not counted: W03 (agency), W04 (TRN).
//   Safeguarding 15, Early Help 20, total 35.
// Line 8 names an unknown member of staff, line 9 an unknown reason.
constexpr char kAbsences[] =
    "staff_id,reason,start_date,end_date,days_lost\n"
    "W02,MAT,2024-05-01,,0\n"
    "W01,SIC,2024-06-01,2024-06-14,10\n"
    "W06,SIC,2024-05-10,,20\n"
    "W03,SIC,2024-03-04,2024-03-08,5\n"
    "W04,TRN,2024-04-08,2024-04-09,2\n"
    "W05,SIC,2023-06-01,2023-06-30,10\n"
    "W77,SIC,2024-06-03,2024-06-04,2\n"
    "W01,XYZ,2024-06-03,2024-06-04,2\n";

// In force on D: Safeguarding 3 + 1 + 2 = 6, Early Help 2; total 8 (the
// CP2 row from 1 Jul is not yet). Line 7 (fte -1) is rejected.
constexpr char kEstablishment[] =
    "service_area,team,role,fte,effective_from\n"
    "Safeguarding,CP1,SOCIAL_WORKER,3,\n"
    "Safeguarding,CP1,TEAM_MANAGER,1,\n"
    "Safeguarding,CP2,SOCIAL_WORKER,2,\n"
    "Safeguarding,CP2,SOCIAL_WORKER,1,2024-07-01\n"
    "Early Help,EH1,CHILDRENS_PRACTITIONER,2,2024-01-01\n"
    "Early Help,EH1,CHILDRENS_PRACTITIONER,-1,2024-02-01\n";

// Open allocations on D: W01 3 children, W02 1, W06 2, X99 (no staff
// record) 1.
constexpr char kAllocations[] =
    "event_id,event_type,child_id,ref_id,event_date,worker_id,team\n"
    "a1,ALLOCATION_START,C1,AL1,2024-06-01,W01,CP1\n"
    "a2,ALLOCATION_START,C2,AL2,2024-06-01,W01,CP1\n"
    "a3,ALLOCATION_START,C3,AL3,2024-06-01,W01,CP1\n"
    "a4,ALLOCATION_START,C4,AL4,2024-06-01,W02,CP1\n"
    "a5,ALLOCATION_START,C5,AL5,2024-06-01,W06,EH1\n"
    "a6,ALLOCATION_START,C6,AL6,2024-06-01,W06,EH1\n"
    "a7,ALLOCATION_START,C7,AL7,2024-06-01,X99,CP9\n";

// W01 takes 18 more children (21: over the threshold of 20); W02's
// allocation ends on 10 Jun.
std::string MoreAllocations() {
  std::string feed =
      "event_id,event_type,child_id,ref_id,event_date,worker_id,team\n";
  for (int i = 8; i <= 25; ++i) {
    absl::StrAppend(&feed, "b", i, ",ALLOCATION_START,C", i, ",AL", i,
                    ",2024-06-03,W01,CP1\n");
  }
  absl::StrAppend(&feed, "b99,ALLOCATION_END,C4,AL4,2024-06-10,W02,CP1\n");
  return feed;
}

sgm::type::v1::Date Day(int y, int m, int d) {
  sgm::type::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class WorkforceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartCluster(TestCluster::Options()); }

  void StartCluster(TestCluster::Options options) {
    auto cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    stub_ = v1::WorkforceService::NewStub(cluster_->gateway_channel());
    kpi_ = kpi::v1::KpiService::NewStub(cluster_->gateway_channel());
  }

  template <typename Request, typename Response, typename Call>
  grpc::Status Import(absl::string_view token, absl::string_view feed,
                      Call call, Response* response) {
    auto context = TestCluster::ContextFor(token);
    auto writer = ((*stub_).*call)(context.get(), response);
    return testing::SendChunks<Request>(
        *writer, feed, 61, feed::v1::FEED_FORMAT_CSV, [](Request*) {});
  }

  grpc::Status ImportStaff(absl::string_view feed,
                           v1::ImportStaffResponse* response,
                           absl::string_view token = testing::kManagerToken) {
    return Import<v1::ImportStaffRequest>(
        token, feed, &v1::WorkforceService::Stub::ImportStaff, response);
  }
  grpc::Status ImportAbsences(absl::string_view feed,
                              v1::ImportAbsencesResponse* response) {
    return Import<v1::ImportAbsencesRequest>(
        testing::kManagerToken, feed,
        &v1::WorkforceService::Stub::ImportAbsences, response);
  }
  grpc::Status ImportEstablishment(absl::string_view feed,
                                   v1::ImportEstablishmentResponse* response) {
    return Import<v1::ImportEstablishmentRequest>(
        testing::kAdminToken, feed,
        &v1::WorkforceService::Stub::ImportEstablishment, response);
  }

  void ImportAll() {
    v1::ImportStaffResponse staff;
    grpc::Status s = ImportStaff(kStaff, &staff);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(staff.summary().accepted(), 7);
    v1::ImportAbsencesResponse absences;
    s = ImportAbsences(kAbsences, &absences);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(absences.summary().accepted(), 6);
    v1::ImportEstablishmentResponse establishment;
    s = ImportEstablishment(kEstablishment, &establishment);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(establishment.summary().accepted(), 5);
  }

  void ImportCaseEvents(absl::string_view feed, int accepted) {
    kpi::v1::ImportCaseEventsResponse response;
    auto context = TestCluster::ContextFor(testing::kManagerToken);
    auto writer = kpi_->ImportCaseEvents(context.get(), &response);
    grpc::Status s = testing::SendChunks<kpi::v1::ImportCaseEventsRequest>(
        *writer, feed, 1 << 20, feed::v1::FEED_FORMAT_CSV,
        [](kpi::v1::ImportCaseEventsRequest*) {});
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.summary().accepted(), accepted)
        << response.summary().DebugString();
  }

  grpc::Status Figures(absl::string_view token, v1::WorkforceFigures* out,
                       int financial_year = 0) {
    v1::GetWorkforceFiguresRequest request;
    request.set_financial_year(financial_year);
    v1::GetWorkforceFiguresResponse response;
    grpc::Status s = stub_->GetWorkforceFigures(
        TestCluster::ContextFor(token).get(), request, &response);
    *out = response.figures();
    return s;
  }

  v1::WorkforceFigures Figures() {
    v1::WorkforceFigures figures;
    grpc::Status s = Figures(testing::kAnalystToken, &figures);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return figures;
  }

  std::vector<WorkforceReadAudit> Audit() {
    auto store = SqliteWorkforceStore::Open(cluster_->dir() + "/workforce.db");
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return {};
    auto audit = (*store)->ListReadAudit("831", 100);
    EXPECT_TRUE(audit.ok()) << audit.status();
    return audit.ok() ? *audit : std::vector<WorkforceReadAudit>();
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<v1::WorkforceService::Stub> stub_;
  std::unique_ptr<kpi::v1::KpiService::Stub> kpi_;
};

void ExpectStaffing(const v1::WorkforceFigures& f) {
  EXPECT_EQ(f.as_of().year(), 2024);
  EXPECT_EQ(f.as_of().month(), 6);
  EXPECT_EQ(f.as_of().day(), 15);
  EXPECT_EQ(f.caseload_threshold(), 20);
  ASSERT_EQ(f.staffing_size(), 3);
  const v1::StaffingFigures& eh = f.staffing(0);
  const v1::StaffingFigures& sg = f.staffing(1);
  const v1::StaffingFigures& total = f.staffing(2);
  EXPECT_EQ(eh.service_area(), "Early Help");
  EXPECT_EQ(sg.service_area(), "Safeguarding");
  EXPECT_EQ(total.service_area(), "Total");

  EXPECT_EQ(sg.headcount(), 4);
  EXPECT_DOUBLE_EQ(sg.fte_in_post(), 3.5);
  EXPECT_DOUBLE_EQ(sg.social_worker_fte(), 3.5);
  EXPECT_DOUBLE_EQ(sg.maternity_fte(), 0.5);
  EXPECT_DOUBLE_EQ(sg.agency_fte(), 1.0);
  EXPECT_DOUBLE_EQ(sg.long_term_absence_fte(), 0);
  EXPECT_DOUBLE_EQ(sg.establishment_fte(), 6);
  EXPECT_DOUBLE_EQ(sg.employed_fte(), 2.5);
  // (6 - 2.5) / 6 = 58.33; 1 / 3.5 = 28.57.
  EXPECT_DOUBLE_EQ(sg.vacancy_rate_percent(), 58.3);
  EXPECT_DOUBLE_EQ(sg.agency_share_percent(), 28.6);
  // Leaver W05; permanent and fixed-term headcount 4 on 16 Jun 2023, 3 on
  // D: 1 / 3.5 = 28.57.
  EXPECT_EQ(sg.leavers_12m(), 1);
  EXPECT_DOUBLE_EQ(sg.average_headcount_12m(), 3.5);
  EXPECT_DOUBLE_EQ(sg.turnover_percent(), 28.6);
  // Employed FTE 3.5 on 16 Jun 2023 (W01, W02, W04, W05), 2.5 on D: 3.0.
  EXPECT_DOUBLE_EQ(sg.absence_days_lost_12m(), 15);
  EXPECT_DOUBLE_EQ(sg.average_employed_fte_12m(), 3.0);
  EXPECT_DOUBLE_EQ(sg.absence_days_per_fte(), 5.0);

  EXPECT_EQ(eh.headcount(), 1);
  EXPECT_DOUBLE_EQ(eh.fte_in_post(), 0.8);
  EXPECT_DOUBLE_EQ(eh.social_worker_fte(), 0);
  EXPECT_DOUBLE_EQ(eh.long_term_absence_fte(), 0.8);
  EXPECT_DOUBLE_EQ(eh.establishment_fte(), 2);
  // (2 - 0.8) / 2 = 60.0; 0 / 0.8 = 0.0; 20 / 0.8 = 25.00.
  EXPECT_DOUBLE_EQ(eh.vacancy_rate_percent(), 60.0);
  EXPECT_DOUBLE_EQ(eh.agency_share_percent(), 0.0);
  EXPECT_EQ(eh.leavers_12m(), 0);
  EXPECT_DOUBLE_EQ(eh.turnover_percent(), 0.0);
  EXPECT_DOUBLE_EQ(eh.absence_days_lost_12m(), 20);
  EXPECT_DOUBLE_EQ(eh.absence_days_per_fte(), 25.0);

  EXPECT_EQ(total.headcount(), 5);
  EXPECT_DOUBLE_EQ(total.fte_in_post(), 4.3);
  EXPECT_DOUBLE_EQ(total.agency_fte(), 1.0);
  EXPECT_DOUBLE_EQ(total.employed_fte(), 3.3);
  EXPECT_DOUBLE_EQ(total.establishment_fte(), 8);
  // (8 - 3.3) / 8 = 58.75 -> 58.8; 1 / 4.3 = 23.26; 1 / 4.5 = 22.22;
  // 35 / ((4.3 + 3.3) / 2) = 9.21.
  EXPECT_DOUBLE_EQ(total.vacancy_rate_percent(), 58.8);
  EXPECT_DOUBLE_EQ(total.agency_share_percent(), 23.3);
  EXPECT_DOUBLE_EQ(total.average_headcount_12m(), 4.5);
  EXPECT_DOUBLE_EQ(total.turnover_percent(), 22.2);
  EXPECT_DOUBLE_EQ(total.absence_days_lost_12m(), 35);
  EXPECT_DOUBLE_EQ(total.average_employed_fte_12m(), 3.8);
  EXPECT_DOUBLE_EQ(total.absence_days_per_fte(), 9.21);

  // Financial year 2024 (365 days). W07 from 1 Jul: 274 days of 30,000
  // pounds = 2,252,054.79 -> 2,252,055 pence. W03's premium: the mean
  // permanent social worker costs 45,000 a FTE (W01, W02): 70,000 - 45,000.
  ASSERT_EQ(f.costs_size(), 3);
  const v1::CostFigures& eh_cost = f.costs(0);
  const v1::CostFigures& sg_cost = f.costs(1);
  const v1::CostFigures& all_cost = f.costs(2);
  EXPECT_EQ(all_cost.financial_year(), 2024);
  EXPECT_EQ(eh_cost.service_area(), "Early Help");
  EXPECT_EQ(eh_cost.total_cost_pence(), 2800000 + 2252055);
  EXPECT_EQ(sg_cost.total_cost_pence(), 19750000);
  EXPECT_EQ(sg_cost.social_worker_cost_pence(), 19750000);
  EXPECT_EQ(sg_cost.agency_cost_pence(), 7000000);
  EXPECT_EQ(sg_cost.agency_premium_pence(), 2500000);
  EXPECT_EQ(all_cost.service_area(), "Total");
  EXPECT_EQ(all_cost.total_cost_pence(), 24802055);
  EXPECT_EQ(all_cost.social_worker_cost_pence(), 19750000);
  EXPECT_EQ(all_cost.agency_cost_pence(), 7000000);
  EXPECT_EQ(all_cost.agency_premium_pence(), 2500000);
  EXPECT_EQ(all_cost.agency_without_comparator(), 0);
}

const v1::CaseloadBand* Band(const v1::CaseloadFigures& g,
                             absl::string_view band) {
  for (const v1::CaseloadBand& b : g.bands()) {
    if (b.band() == band) return &b;
  }
  return nullptr;
}

// Caseloads with the first allocations: qualified W01 3, W02 1;
// practitioner W06 2; X99 unmatched.
void ExpectFirstCaseloads(const v1::WorkforceFigures& f) {
  ASSERT_TRUE(f.caseloads_available()) << f.caseloads_unavailable_reason();
  ASSERT_EQ(f.caseloads_size(), 2);
  const v1::CaseloadFigures& sw = f.caseloads(0);
  EXPECT_EQ(sw.group(), "qualified_social_workers");
  EXPECT_EQ(sw.case_holding_workers(), 2);
  EXPECT_EQ(sw.open_cases(), 4);
  EXPECT_DOUBLE_EQ(sw.mean_caseload(), 2.0);
  EXPECT_DOUBLE_EQ(sw.median_caseload(), 2.0);
  ASSERT_EQ(sw.bands_size(), 6);
  EXPECT_EQ(Band(sw, "1-5")->workers(), 2);
  EXPECT_EQ(sw.over_threshold(), 0);
  const v1::CaseloadFigures& cp = f.caseloads(1);
  EXPECT_EQ(cp.group(), "childrens_practitioners");
  EXPECT_EQ(cp.case_holding_workers(), 1);
  EXPECT_EQ(cp.open_cases(), 2);
  EXPECT_EQ(f.unmatched_workers(), 1);
}

TEST_F(WorkforceServiceTest, ImportsCommitTheRestRejectWithLineAndField) {
  v1::ImportStaffResponse staff;
  grpc::Status s = ImportStaff(kStaff, &staff);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(staff.summary().records(), 8);
  EXPECT_EQ(staff.summary().accepted(), 7);
  EXPECT_EQ(staff.summary().rejected(), 1);
  ASSERT_EQ(staff.summary().rejections_size(), 1);
  EXPECT_EQ(staff.summary().rejections(0).line(), 5);
  EXPECT_EQ(staff.summary().rejections(0).field(), "fte");
  EXPECT_EQ(staff.summary().rejections(0).key(), "W99");

  v1::ImportAbsencesResponse absences;
  s = ImportAbsences(kAbsences, &absences);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(absences.summary().accepted(), 6);
  EXPECT_EQ(absences.summary().rejected(), 2);
  ASSERT_EQ(absences.summary().rejections_size(), 2);
  EXPECT_EQ(absences.summary().rejections(0).line(), 8);
  EXPECT_EQ(absences.summary().rejections(0).field(), "staff_id");
  EXPECT_EQ(absences.summary().rejections(0).reason(), "unknown staff_id");
  EXPECT_EQ(absences.summary().rejections(1).line(), 9);
  EXPECT_EQ(absences.summary().rejections(1).field(), "reason");

  v1::ImportEstablishmentResponse establishment;
  s = ImportEstablishment(kEstablishment, &establishment);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(establishment.summary().accepted(), 5);
  ASSERT_EQ(establishment.summary().rejections_size(), 1);
  EXPECT_EQ(establishment.summary().rejections(0).line(), 7);
  EXPECT_EQ(establishment.summary().rejections(0).field(), "fte");

  // Re-sending every file changes nothing.
  v1::ImportStaffResponse staff_again;
  ASSERT_TRUE(ImportStaff(kStaff, &staff_again).ok());
  EXPECT_EQ(staff_again.summary().accepted(), 0);
  EXPECT_EQ(staff_again.summary().duplicates(), 7);
  EXPECT_EQ(staff_again.summary().rejected(), 1);
  v1::ImportAbsencesResponse absences_again;
  ASSERT_TRUE(ImportAbsences(kAbsences, &absences_again).ok());
  EXPECT_EQ(absences_again.summary().accepted(), 0);
  EXPECT_EQ(absences_again.summary().duplicates(), 6);
  v1::ImportEstablishmentResponse establishment_again;
  ASSERT_TRUE(ImportEstablishment(kEstablishment, &establishment_again).ok());
  EXPECT_EQ(establishment_again.summary().accepted(), 0);
  EXPECT_EQ(establishment_again.summary().duplicates(), 5);

  // A different record under a stored staff_id is rejected, the file goes
  // on.
  v1::ImportStaffResponse conflict;
  ASSERT_TRUE(ImportStaff("staff_id,role,service_area,employment,fte,"
                          "start_date\n"
                          "W01,TEAM_MANAGER,Safeguarding,PERMANENT,1,"
                          "2020-01-06\n"
                          "W08,SOCIAL_WORKER,Safeguarding,PERMANENT,1,"
                          "2024-06-03\n",
                          &conflict)
                  .ok());
  EXPECT_EQ(conflict.summary().accepted(), 1);
  ASSERT_EQ(conflict.summary().rejections_size(), 1);
  EXPECT_EQ(conflict.summary().rejections(0).line(), 2);
  EXPECT_EQ(conflict.summary().rejections(0).field(), "staff_id");
  EXPECT_EQ(conflict.summary().rejections(0).reason(),
            "staff_id already exists with different content");
}

TEST_F(WorkforceServiceTest, FiguresMatchHandWorkedValuesAndAreCached) {
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  const v1::WorkforceFigures first = Figures();
  ExpectStaffing(first);
  ExpectFirstCaseloads(first);
  auto keys = cluster_->redis()->Keys("sgm:831:workforce:g*:figures:v1:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 1u);
  // From the cache: the same.
  const v1::WorkforceFigures second = Figures();
  ExpectStaffing(second);
  ExpectFirstCaseloads(second);
  // A write is seen by the next read: W06 ends on 14 Jun.
  v1::EndStaffRequest end;
  end.set_staff_id("W06");
  *end.mutable_end_date() = Day(2024, 6, 14);
  v1::EndStaffResponse ended;
  grpc::Status s = stub_->EndStaff(
      TestCluster::ContextFor(testing::kManagerToken).get(), end, &ended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ended.staff().end_date().day(), 14);
  const v1::WorkforceFigures after = Figures();
  ASSERT_EQ(after.staffing_size(), 3);
  EXPECT_EQ(after.staffing(0).headcount(), 0);
  EXPECT_EQ(after.staffing(2).headcount(), 4);
  // W06 is no longer in post: its allocations are unmatched.
  EXPECT_EQ(after.unmatched_workers(), 2);
}

TEST_F(WorkforceServiceTest, CaseloadsFollowTheKpiAllocations) {
  ImportAll();
  v1::WorkforceFigures none = Figures();
  ASSERT_TRUE(none.caseloads_available());
  ASSERT_EQ(none.caseloads_size(), 2);
  EXPECT_EQ(none.caseloads(0).case_holding_workers(), 0);
  EXPECT_FALSE(none.caseloads(0).has_mean_caseload());

  ImportCaseEvents(kAllocations, 7);
  ExpectFirstCaseloads(Figures());

  ImportCaseEvents(MoreAllocations(), 19);
  const v1::WorkforceFigures more = Figures();
  ASSERT_TRUE(more.caseloads_available());
  const v1::CaseloadFigures& sw = more.caseloads(0);
  EXPECT_EQ(sw.case_holding_workers(), 1);  // W02's case ended
  EXPECT_EQ(sw.open_cases(), 21);
  EXPECT_DOUBLE_EQ(sw.mean_caseload(), 21.0);
  EXPECT_EQ(Band(sw, "21-25")->workers(), 1);
  EXPECT_EQ(sw.over_threshold(), 1);
  ExpectStaffing(more);

  // Staff-level: highest first, the threshold flag, the staff record's
  // role and FTE (none for X99).
  v1::ListStaffCaseloadsRequest request;
  v1::ListStaffCaseloadsResponse response;
  grpc::Status s = stub_->ListStaffCaseloads(
      TestCluster::ContextFor(testing::kManagerToken).get(), request,
      &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.caseloads_size(), 3);
  EXPECT_EQ(response.caseloads(0).staff_id(), "W01");
  EXPECT_EQ(response.caseloads(0).open_cases(), 21);
  EXPECT_TRUE(response.caseloads(0).over_threshold());
  EXPECT_EQ(response.caseloads(0).role(), "SOCIAL_WORKER");
  EXPECT_DOUBLE_EQ(response.caseloads(0).fte(), 1.0);
  EXPECT_EQ(response.caseloads(1).staff_id(), "W06");
  EXPECT_EQ(response.caseloads(1).team(), "EH1");
  EXPECT_EQ(response.caseloads(2).staff_id(), "X99");
  EXPECT_EQ(response.caseloads(2).role(), "");
  EXPECT_EQ(response.caseloads(2).team(), "CP9");
  EXPECT_FALSE(response.caseloads(2).over_threshold());
}

TEST_F(WorkforceServiceTest, KpiStoppedFiguresStillAnswerWithoutCaseloads) {
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  ExpectFirstCaseloads(Figures());
  cluster_->StopKpi();

  const v1::WorkforceFigures figures = Figures();
  ExpectStaffing(figures);
  EXPECT_FALSE(figures.caseloads_available());
  EXPECT_THAT(figures.caseloads_unavailable_reason(), HasSubstr("KPI"));
  EXPECT_EQ(figures.caseloads_size(), 0);

  v1::GetWorkforceTrendRequest trend_request;
  trend_request.mutable_from()->set_year(2024);
  trend_request.mutable_from()->set_month(5);
  trend_request.mutable_to()->set_year(2024);
  trend_request.mutable_to()->set_month(6);
  v1::GetWorkforceTrendResponse trend;
  grpc::Status s = stub_->GetWorkforceTrend(
      TestCluster::ContextFor(testing::kAnalystToken).get(), trend_request,
      &trend);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(trend.caseloads_available());
  ASSERT_EQ(trend.points_size(), 2);
  EXPECT_DOUBLE_EQ(trend.points(1).fte_in_post(), 4.3);
  EXPECT_FALSE(trend.points(1).has_mean_caseload());

  // Staff caseloads are nothing but KPI data: UNAVAILABLE.
  v1::ListStaffCaseloadsResponse caseloads;
  s = stub_->ListStaffCaseloads(
      TestCluster::ContextFor(testing::kManagerToken).get(), {}, &caseloads);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);

  // Back once the KPI service is.
  ASSERT_TRUE(cluster_->RestartKpi().ok());
  v1::WorkforceFigures again;
  for (int i = 0; i < 50; ++i) {
    again = Figures();
    if (again.caseloads_available()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ExpectFirstCaseloads(again);
}

TEST_F(WorkforceServiceTest, RedisDownFiguresStillCorrect) {
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  cluster_->redis()->Stop();
  const v1::WorkforceFigures figures = Figures();
  ExpectStaffing(figures);
  ExpectFirstCaseloads(figures);
  // Writes go on, and are seen.
  v1::CreateStaffRequest create;
  v1::Staff* staff = create.mutable_staff();
  staff->set_staff_id("W10");
  staff->set_role("SOCIAL_WORKER");
  staff->set_qualified(true);
  staff->set_service_area("Safeguarding");
  staff->set_team("CP1");
  staff->set_employment(v1::EMPLOYMENT_PERMANENT);
  staff->set_fte(1);
  *staff->mutable_start_date() = Day(2024, 6, 3);
  v1::CreateStaffResponse created;
  grpc::Status s = stub_->CreateStaff(
      TestCluster::ContextFor(testing::kManagerToken).get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Figures().staffing(2).headcount(), 6);
}

TEST_F(WorkforceServiceTest, TrendPointsAtEachMonthEnd) {
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  v1::GetWorkforceTrendRequest request;
  request.mutable_from()->set_year(2024);
  request.mutable_from()->set_month(4);
  request.mutable_to()->set_year(2024);
  request.mutable_to()->set_month(7);
  v1::GetWorkforceTrendResponse trend;
  grpc::Status s = stub_->GetWorkforceTrend(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request, &trend);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(trend.caseloads_available());
  ASSERT_EQ(trend.points_size(), 4);
  EXPECT_EQ(trend.points(0).month().month(), 4);
  // 30 Apr and 30 Jun: W01, W02, W03, W04, W06 = 4.3; 31 Jul: W07 too.
  EXPECT_DOUBLE_EQ(trend.points(0).fte_in_post(), 4.3);
  EXPECT_DOUBLE_EQ(trend.points(2).fte_in_post(), 4.3);
  EXPECT_DOUBLE_EQ(trend.points(3).fte_in_post(), 5.3);
  EXPECT_DOUBLE_EQ(trend.points(2).agency_fte(), 1.0);
  // No allocation before June.
  EXPECT_FALSE(trend.points(0).has_mean_caseload());
  EXPECT_DOUBLE_EQ(trend.points(2).mean_caseload(), 2.0);

  request.mutable_from()->set_year(2019);
  s = stub_->GetWorkforceTrend(
      TestCluster::ContextFor(testing::kAnalystToken).get(), request, &trend);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("60 months"));
}

TEST_F(WorkforceServiceTest, RolesAndAnAuditRowPerStaffLevelRead) {
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  // Analysts and practitioners read the aggregates only.
  for (absl::string_view token :
       {testing::kAnalystToken, testing::kPractitionerToken}) {
    v1::ListStaffResponse staff;
    EXPECT_EQ(stub_->ListStaff(TestCluster::ContextFor(token).get(), {}, &staff)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::GetStaffRequest get;
    get.set_staff_id("W01");
    v1::GetStaffResponse one;
    EXPECT_EQ(stub_->GetStaff(TestCluster::ContextFor(token).get(), get, &one)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::ListAbsencesResponse absences;
    EXPECT_EQ(
        stub_->ListAbsences(TestCluster::ContextFor(token).get(), {}, &absences)
            .error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    v1::ListStaffCaseloadsResponse caseloads;
    EXPECT_EQ(stub_
                  ->ListStaffCaseloads(TestCluster::ContextFor(token).get(), {},
                                       &caseloads)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::WorkforceFigures figures;
    EXPECT_TRUE(Figures(token, &figures).ok());
    v1::ListEstablishmentResponse posts;
    EXPECT_TRUE(stub_
                    ->ListEstablishment(TestCluster::ContextFor(token).get(),
                                        {}, &posts)
                    .ok());
    EXPECT_EQ(posts.posts_size(), 4);
  }
  v1::ImportStaffResponse denied;
  EXPECT_EQ(
      ImportStaff(kStaff, &denied, testing::kPractitionerToken).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audit().empty());

  // Managers read staff records, audited one row a read.
  v1::GetStaffRequest get;
  get.set_staff_id("W02");
  v1::GetStaffResponse one;
  grpc::Status s = stub_->GetStaff(
      TestCluster::ContextFor(testing::kManagerToken).get(), get, &one);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(one.staff().authority(), "831");
  EXPECT_DOUBLE_EQ(one.staff().fte(), 0.5);
  EXPECT_EQ(one.staff().annual_cost_pence(), 2250000);
  v1::ListAbsencesRequest absences_request;
  absences_request.set_reason(v1::ABSENCE_REASON_SIC);
  v1::ListAbsencesResponse absences;
  s = stub_->ListAbsences(TestCluster::ContextFor(testing::kAdminToken).get(),
                          absences_request, &absences);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(absences.absences_size(), 4);
  EXPECT_EQ(absences.absences(0).staff_id(), "W01");
  v1::ListStaffCaseloadsResponse caseloads;
  s = stub_->ListStaffCaseloads(
      TestCluster::ContextFor(testing::kManagerToken).get(), {}, &caseloads);
  ASSERT_TRUE(s.ok()) << s.error_message();
  get.set_staff_id("W404");
  EXPECT_EQ(
      stub_
          ->GetStaff(TestCluster::ContextFor(testing::kManagerToken).get(), get,
                     &one)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  const std::vector<WorkforceReadAudit> audit = Audit();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[2].method, "GetStaff");
  EXPECT_EQ(audit[2].caller, "test-manager");
  EXPECT_EQ(audit[2].role, "manager");
  EXPECT_THAT(audit[2].staff_ids, ElementsAre("W02"));
  EXPECT_EQ(audit[1].method, "ListAbsences");
  EXPECT_EQ(audit[1].role, "admin");
  EXPECT_THAT(audit[1].staff_ids, ElementsAre("W01", "W03", "W05", "W06"));
  EXPECT_EQ(audit[0].method, "ListStaffCaseloads");
  EXPECT_THAT(audit[0].staff_ids, ElementsAre("W01", "W06", "W02", "X99"));
  // The aggregates left no row.
}

TEST_F(WorkforceServiceTest, ListsPageWithTokensBoundToTheFilter) {
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  v1::ListStaffRequest request;
  request.set_page_size(3);
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    request.set_page_token(token);
    v1::ListStaffResponse page;
    grpc::Status s = stub_->ListStaff(
        TestCluster::ContextFor(testing::kManagerToken).get(), request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const v1::Staff& staff : page.staff()) ids.push_back(staff.staff_id());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(ids,
              ElementsAre("W01", "W02", "W03", "W04", "W05", "W06", "W07"));

  // In post on D, Safeguarding only.
  v1::ListStaffRequest filtered;
  *filtered.mutable_in_post_on() = Day(2024, 6, 15);
  filtered.set_service_area("Safeguarding");
  v1::ListStaffResponse in_post;
  ASSERT_TRUE(
      stub_
          ->ListStaff(TestCluster::ContextFor(testing::kManagerToken).get(),
                      filtered, &in_post)
          .ok());
  EXPECT_EQ(in_post.staff_size(), 4);

  // A token from another filter is refused.
  request.set_page_token("");
  v1::ListStaffResponse first;
  ASSERT_TRUE(
      stub_
          ->ListStaff(TestCluster::ContextFor(testing::kManagerToken).get(),
                      request, &first)
          .ok());
  filtered.set_page_token(first.next_page_token());
  v1::ListStaffResponse wrong;
  grpc::Status s = stub_->ListStaff(
      TestCluster::ContextFor(testing::kManagerToken).get(), filtered, &wrong);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));

  // Staff caseloads, two a page, highest first.
  v1::ListStaffCaseloadsRequest caseloads_request;
  caseloads_request.set_page_size(2);
  v1::ListStaffCaseloadsResponse page1, page2;
  ASSERT_TRUE(stub_
                  ->ListStaffCaseloads(
                      TestCluster::ContextFor(testing::kManagerToken).get(),
                      caseloads_request, &page1)
                  .ok());
  ASSERT_EQ(page1.caseloads_size(), 2);
  EXPECT_EQ(page1.caseloads(0).staff_id(), "W01");
  EXPECT_EQ(page1.caseloads(1).staff_id(), "W06");
  caseloads_request.set_page_token(page1.next_page_token());
  ASSERT_TRUE(stub_
                  ->ListStaffCaseloads(
                      TestCluster::ContextFor(testing::kManagerToken).get(),
                      caseloads_request, &page2)
                  .ok());
  ASSERT_EQ(page2.caseloads_size(), 2);
  EXPECT_EQ(page2.caseloads(0).staff_id(), "W02");
  EXPECT_EQ(page2.caseloads(1).staff_id(), "X99");
  EXPECT_TRUE(page2.next_page_token().empty());
  // Absences: one page of two, then the rest.
  v1::ListAbsencesRequest absences_request;
  absences_request.set_page_size(2);
  v1::ListAbsencesResponse absences;
  ASSERT_TRUE(
      stub_
          ->ListAbsences(TestCluster::ContextFor(testing::kManagerToken).get(),
                         absences_request, &absences)
          .ok());
  EXPECT_EQ(absences.absences_size(), 2);
  EXPECT_FALSE(absences.next_page_token().empty());
}

TEST_F(WorkforceServiceTest, SingleWritesAndPreciseErrors) {
  ImportAll();
  auto manager = [] { return TestCluster::ContextFor(testing::kManagerToken); };
  // CreateStaff: the same record again is a duplicate; a different one
  // ALREADY_EXISTS; a bad one INVALID_ARGUMENT naming the field.
  v1::CreateStaffRequest create;
  v1::Staff* staff = create.mutable_staff();
  staff->set_staff_id("W20");
  staff->set_role("SOCIAL_WORKER");
  staff->set_qualified(true);
  staff->set_service_area("Safeguarding");
  staff->set_employment(v1::EMPLOYMENT_PERMANENT);
  staff->set_fte(0.6);
  *staff->mutable_start_date() = Day(2024, 6, 3);
  staff->set_annual_cost_pence(2700000);
  v1::CreateStaffResponse created;
  ASSERT_TRUE(stub_->CreateStaff(manager().get(), create, &created).ok());
  EXPECT_FALSE(created.duplicate());
  EXPECT_EQ(created.staff().authority(), "831");
  ASSERT_TRUE(stub_->CreateStaff(manager().get(), create, &created).ok());
  EXPECT_TRUE(created.duplicate());
  staff->set_fte(0.7);
  grpc::Status s = stub_->CreateStaff(manager().get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("staff.staff_id"));
  staff->set_staff_id("W21");
  staff->set_fte(1.6);
  s = stub_->CreateStaff(manager().get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("staff.fte"));
  staff->set_fte(1);
  staff->set_employment(v1::EMPLOYMENT_UNSPECIFIED);
  s = stub_->CreateStaff(manager().get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("staff.employment"));

  // UpdateStaff changes the masked fields only.
  v1::UpdateStaffRequest update;
  update.mutable_staff()->set_staff_id("W20");
  update.mutable_staff()->set_team("CP2");
  update.mutable_staff()->set_fte(1);
  update.mutable_staff()->set_role("IGNORED");
  update.mutable_update_mask()->add_paths("team");
  update.mutable_update_mask()->add_paths("fte");
  v1::UpdateStaffResponse updated;
  s = stub_->UpdateStaff(manager().get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.staff().team(), "CP2");
  EXPECT_DOUBLE_EQ(updated.staff().fte(), 1.0);
  EXPECT_EQ(updated.staff().role(), "SOCIAL_WORKER");
  update.mutable_update_mask()->add_paths("staff_id");
  s = stub_->UpdateStaff(manager().get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("update_mask"));
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("team");
  update.mutable_staff()->set_staff_id("W404");
  s = stub_->UpdateStaff(manager().get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  // EndStaff before the start date is refused.
  v1::EndStaffRequest end;
  end.set_staff_id("W20");
  *end.mutable_end_date() = Day(2024, 6, 1);
  v1::EndStaffResponse ended;
  s = stub_->EndStaff(manager().get(), end, &ended);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("end_date"));

  // RecordAbsence: a known member of staff only.
  v1::RecordAbsenceRequest absence;
  absence.mutable_absence()->set_staff_id("W20");
  absence.mutable_absence()->set_reason(v1::ABSENCE_REASON_SIC);
  *absence.mutable_absence()->mutable_start_date() = Day(2024, 6, 10);
  *absence.mutable_absence()->mutable_end_date() = Day(2024, 6, 11);
  absence.mutable_absence()->set_days_lost(2);
  v1::RecordAbsenceResponse recorded;
  s = stub_->RecordAbsence(manager().get(), absence, &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(recorded.duplicate());
  ASSERT_TRUE(stub_->RecordAbsence(manager().get(), absence, &recorded).ok());
  EXPECT_TRUE(recorded.duplicate());
  absence.mutable_absence()->set_days_lost(1);
  EXPECT_EQ(
      stub_->RecordAbsence(manager().get(), absence, &recorded).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  absence.mutable_absence()->set_staff_id("W404");
  s = stub_->RecordAbsence(manager().get(), absence, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("absence.staff_id"));

  // SetEstablishment and ListEstablishment on a date.
  v1::SetEstablishmentRequest set;
  set.mutable_post()->set_service_area("Early Help");
  set.mutable_post()->set_team("EH1");
  set.mutable_post()->set_role("CHILDRENS_PRACTITIONER");
  set.mutable_post()->set_fte(3);
  *set.mutable_post()->mutable_effective_from() = Day(2024, 6, 1);
  v1::SetEstablishmentResponse set_response;
  ASSERT_TRUE(
      stub_->SetEstablishment(manager().get(), set, &set_response).ok());
  set.mutable_post()->set_fte(4);
  EXPECT_EQ(
      stub_->SetEstablishment(manager().get(), set, &set_response).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  v1::ListEstablishmentRequest list;
  *list.mutable_as_of() = Day(2024, 7, 1);
  v1::ListEstablishmentResponse posts;
  ASSERT_TRUE(stub_->ListEstablishment(manager().get(), list, &posts).ok());
  ASSERT_EQ(posts.posts_size(), 4);
  EXPECT_EQ(posts.posts(0).service_area(), "Early Help");
  EXPECT_DOUBLE_EQ(posts.posts(0).fte(), 3);
  EXPECT_EQ(posts.posts(3).team(), "CP2");
  EXPECT_DOUBLE_EQ(posts.posts(3).fte(), 1);  // from 1 Jul
  EXPECT_DOUBLE_EQ(Figures().staffing(0).establishment_fte(), 3);
}

TEST_F(WorkforceServiceTest, AuthoritiesAreKeptApart) {
  ImportAll();
  v1::WorkforceFigures other;
  ASSERT_TRUE(Figures(testing::kOtherAuthorityToken, &other).ok());
  ASSERT_EQ(other.staffing_size(), 1);
  EXPECT_EQ(other.staffing(0).service_area(), "Total");
  EXPECT_EQ(other.staffing(0).headcount(), 0);
}

// With TLS the backends take mutual TLS only: the gateway's calls to the
// workforce service and the workforce service's calls to the KPI service
// both present the test client certificate.
TEST_F(WorkforceServiceTest, CaseloadsOverMutualTls) {
  TestCluster::Options options;
  options.tls = true;
  StartCluster(options);
  ImportAll();
  ImportCaseEvents(kAllocations, 7);
  const v1::WorkforceFigures figures = Figures();
  ExpectFirstCaseloads(figures);
  // Plaintext to the workforce port is refused.
  auto plain = v1::WorkforceService::NewStub(grpc::CreateChannel(
      cluster_->workforce_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  v1::GetWorkforceFiguresResponse response;
  EXPECT_FALSE(plain->GetWorkforceFigures(&context, {}, &response).ok());
}

// Health follows the store: the KPI service is optional here.
TEST_F(WorkforceServiceTest, HealthFollowsTheStoreNotTheKpiService) {
  auto channel = grpc::CreateChannel(cluster_->workforce_address(),
                                     grpc::InsecureChannelCredentials());
  const std::string service = "sgm.workforce.v1.WorkforceService";
  cluster_->StopKpi();
  absl::SleepFor(absl::Milliseconds(2500));  // a readiness poll or more
  EXPECT_EQ(testing::HealthOf(channel, service), testing::kServing);

  std::filesystem::remove(cluster_->dir() + "/workforce.db");
  int status = testing::kServing;
  // The store is checked every 2 s.
  for (int i = 0; i < 60 && status == testing::kServing; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    status = testing::HealthOf(channel, service);
  }
  EXPECT_EQ(status, testing::kNotServing);
  EXPECT_EQ(testing::HealthOf(channel, ""), testing::kNotServing);
}

// A KPI service that hands out two workers a page, whatever the page size,
// and remembers what it was called with.
class FakeKpi final : public kpi::v1::KpiService::Service {
 public:
  grpc::Status ListCaseloads(
      grpc::ServerContext* context,
      const kpi::v1::ListCaseloadsRequest* request,
      kpi::v1::ListCaseloadsResponse* response) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    identity_ = IdentityFromMetadata(context->client_metadata());
    deadline_left_ = absl::FromChrono(context->deadline()) - absl::Now();
    as_of_ = request->as_of();
    if (fail_) return grpc::Status(grpc::StatusCode::INTERNAL, "broken");
    const int start =
        request->page_token().empty() ? 0 : std::stoi(request->page_token());
    for (int i = start; i < start + 2 && i < 5; ++i) {
      kpi::v1::WorkerCaseload* w = response->add_caseloads();
      w->set_worker_id(absl::StrCat("W", i));
      w->set_team("T");
      w->set_open_cases(10 - i);
    }
    if (start + 2 < 5) response->set_next_page_token(std::to_string(start + 2));
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  bool fail_ ABSL_GUARDED_BY(mu_) = false;
  absl::StatusOr<CallerIdentity> identity_ ABSL_GUARDED_BY(mu_);
  absl::Duration deadline_left_ ABSL_GUARDED_BY(mu_);
  sgm::type::v1::Date as_of_ ABSL_GUARDED_BY(mu_);
};

class KpiCaseloadSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&kpi_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    KpiCaseloadSource::Options options;
    options.deadline = absl::Seconds(3);
    source_ = std::make_unique<KpiCaseloadSource>(
        kpi::v1::KpiService::NewStub(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                grpc::InsecureChannelCredentials())),
        options);
  }
  void TearDown() override { server_->Shutdown(); }

  FakeKpi kpi_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<KpiCaseloadSource> source_;
};

TEST_F(KpiCaseloadSourceTest,
       ReadsEveryPageAsTheWorkforceServiceWithADeadline) {
  auto workers = source_->OpenCaseloads("831", absl::CivilDay(2024, 6, 15));
  ASSERT_TRUE(workers.ok()) << workers.status();
  ASSERT_EQ(workers->size(), 5u);
  EXPECT_EQ((*workers)[0].worker_id, "W0");
  EXPECT_EQ((*workers)[4].worker_id, "W4");
  EXPECT_EQ((*workers)[4].open_cases, 6);
  absl::MutexLock lock(&kpi_.mu_);
  EXPECT_EQ(kpi_.calls_, 3);
  ASSERT_TRUE(kpi_.identity_.ok()) << kpi_.identity_.status();
  EXPECT_EQ(kpi_.identity_->caller, "sgm-workforce");
  EXPECT_EQ(kpi_.identity_->role, Role::kAdmin);
  EXPECT_EQ(kpi_.identity_->authority, "831");
  EXPECT_GT(kpi_.deadline_left_, absl::Seconds(1));
  // gRPC carries the deadline with some rounding.
  EXPECT_LE(kpi_.deadline_left_, absl::Milliseconds(3500));
  EXPECT_EQ(kpi_.as_of_.day(), 15);
}

TEST_F(KpiCaseloadSourceTest, ErrorsAreUnavailableWithTheReason) {
  {
    absl::MutexLock lock(&kpi_.mu_);
    kpi_.fail_ = true;
  }
  auto failed = source_->OpenCaseloads("831", absl::CivilDay(2024, 6, 15));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("INTERNAL"));
  server_->Shutdown();
  auto down = source_->OpenCaseloads("831", absl::CivilDay(2024, 6, 15));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  NoCaseloadSource none;
  EXPECT_THAT(
      none.OpenCaseloads("831", absl::CivilDay(2024, 6, 15)).status().message(),
      HasSubstr("--kpi_address"));
}

}  // namespace
}  // namespace sgm::workforce
