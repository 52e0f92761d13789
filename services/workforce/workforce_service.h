// gRPC handlers of sgm.workforce.v1.WorkforceService: proto <-> domain,
// status mapping, the read audit, the cache; the rules live in the domain
// files (workforce_feed_parser.h, workforce_figures.h).
#ifndef SGM_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_
#define SGM_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/feed_reader.h"
#include "common/working_day_calendar.h"
#include "services/workforce/caseload_source.h"
#include "services/workforce/workforce_figures.h"
#include "services/workforce/workforce_store.h"
#include "sgm/feed/v1/feed.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"

namespace sgm::workforce {

class WorkforceServiceImpl final : public v1::WorkforceService::Service {
 public:
  struct Options {
    int import_batch_size = 5000;  // records a transaction
    int max_rejections_listed = 1000;
  };

  // Nothing is owned; all must outlive the service.
  WorkforceServiceImpl(WorkforceStore* store, CaseloadSource* caseloads,
                       AggregateCache* cache, const Clock* clock,
                       const WorkingDayCalendar* calendar, absl::TimeZone zone,
                       WorkforceSettings settings, Options options);

  grpc::Status CreateStaff(grpc::ServerContext* context,
                           const v1::CreateStaffRequest* request,
                           v1::CreateStaffResponse* response) override;
  grpc::Status UpdateStaff(grpc::ServerContext* context,
                           const v1::UpdateStaffRequest* request,
                           v1::UpdateStaffResponse* response) override;
  grpc::Status EndStaff(grpc::ServerContext* context,
                        const v1::EndStaffRequest* request,
                        v1::EndStaffResponse* response) override;
  grpc::Status GetStaff(grpc::ServerContext* context,
                        const v1::GetStaffRequest* request,
                        v1::GetStaffResponse* response) override;
  grpc::Status ListStaff(grpc::ServerContext* context,
                         const v1::ListStaffRequest* request,
                         v1::ListStaffResponse* response) override;
  grpc::Status RecordAbsence(grpc::ServerContext* context,
                             const v1::RecordAbsenceRequest* request,
                             v1::RecordAbsenceResponse* response) override;
  grpc::Status ListAbsences(grpc::ServerContext* context,
                            const v1::ListAbsencesRequest* request,
                            v1::ListAbsencesResponse* response) override;
  grpc::Status SetEstablishment(
      grpc::ServerContext* context, const v1::SetEstablishmentRequest* request,
      v1::SetEstablishmentResponse* response) override;
  grpc::Status ListEstablishment(
      grpc::ServerContext* context, const v1::ListEstablishmentRequest* request,
      v1::ListEstablishmentResponse* response) override;
  grpc::Status ImportStaff(grpc::ServerContext* context,
                           grpc::ServerReader<v1::ImportStaffRequest>* reader,
                           v1::ImportStaffResponse* response) override;
  grpc::Status ImportAbsences(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportAbsencesRequest>* reader,
      v1::ImportAbsencesResponse* response) override;
  grpc::Status ImportEstablishment(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportEstablishmentRequest>* reader,
      v1::ImportEstablishmentResponse* response) override;
  grpc::Status GetWorkforceFigures(
      grpc::ServerContext* context,
      const v1::GetWorkforceFiguresRequest* request,
      v1::GetWorkforceFiguresResponse* response) override;
  grpc::Status GetWorkforceTrend(
      grpc::ServerContext* context, const v1::GetWorkforceTrendRequest* request,
      v1::GetWorkforceTrendResponse* response) override;
  grpc::Status ListStaffCaseloads(
      grpc::ServerContext* context,
      const v1::ListStaffCaseloadsRequest* request,
      v1::ListStaffCaseloadsResponse* response) override;
  // The authority's read-audit log (admins only; itself audited).
  grpc::Status ListReadAudit(grpc::ServerContext* context,
                             const v1::ListReadAuditRequest* request,
                             v1::ListReadAuditResponse* response) override;

 private:
  // Writes a staff-level read to the audit log; UNAVAILABLE when it cannot
  // (the read is then refused: fail closed).
  absl::Status Audit(const CallerIdentity& who, absl::string_view method,
                     std::string query, std::vector<std::string> staff_ids);
  void PublishGeneration(const std::string& authority, int64_t generation);
  absl::CivilDay Today() const;

  // One feed import (DESIGN section 5): `parse` validates a record,
  // `key_column` names the column shown with a rejected record ("" for
  // none), `key_of` keys a valid one, `insert` writes a batch to the store;
  // a conflicting record is rejected on `conflict_field` with
  // `conflict_reason`. `feed` names the import in logs.
  template <typename Parsed, typename Request, typename Parse, typename KeyOf,
            typename Insert>
  grpc::Status RunImport(grpc::ServerContext* context,
                         grpc::ServerReader<Request>* reader,
                         const FeedSchema& schema, Parse parse,
                         absl::string_view key_column, KeyOf key_of,
                         Insert insert, absl::string_view conflict_field,
                         absl::string_view conflict_reason,
                         absl::string_view feed,
                         sgm::feed::v1::ImportSummary* summary);
  // The part of every cache key that names the settings the figures depend
  // on (bank holidays, counted reasons, roles, threshold).
  std::string SettingsKey() const;

  WorkforceStore* store_;
  CaseloadSource* caseloads_;
  AggregateCache* cache_;
  const Clock* clock_;
  const WorkingDayCalendar* calendar_;
  absl::TimeZone zone_;
  WorkforceSettings settings_;
  Options options_;
};

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_WORKFORCE_SERVICE_H_
