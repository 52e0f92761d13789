// gRPC handlers of sgm.intake.v1.IntakeService: proto <-> domain, status
// mapping, the read audit; the rules live in the domain files.
#ifndef SGM_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define SGM_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/working_day_calendar.h"
#include "services/intake/contact_store.h"
#include "services/intake/front_door_figures.h"
#include "services/intake/open_work_source.h"
#include "services/intake/referral_quality.h"
#include "sgm/intake/v1/intake.grpc.pb.h"

namespace sgm::intake {

class IntakeServiceImpl final : public sgm::intake::v1::IntakeService::Service {
 public:
  struct Options {
    FrontDoorSettings front_door;
    // The referral-quality rule set (docs/insight.md); default: the
    // documented one.
    ReferralQualityRules referral_quality;
    int import_batch_size = 5000;  // records a transaction
    int max_rejections_listed = 1000;
    // Called after decisions were committed (e.g. to wake the referral
    // dispatcher); may be empty.
    std::function<void()> decisions_committed;
  };

  // Nothing but `open_work` is owned; the rest must outlive the service.
  // `open_work` serves duplicate input (null: NoOpenWorkSource, whose calls
  // are UNAVAILABLE).
  IntakeServiceImpl(ContactStore* store, AggregateCache* cache,
                    const Clock* clock, const WorkingDayCalendar* calendar,
                    absl::TimeZone zone, Options options,
                    std::unique_ptr<OpenWorkSource> open_work = nullptr);

  grpc::Status CreateContact(grpc::ServerContext* context,
                             const v1::CreateContactRequest* request,
                             v1::CreateContactResponse* response) override;
  grpc::Status RecordDecision(grpc::ServerContext* context,
                              const v1::RecordDecisionRequest* request,
                              v1::RecordDecisionResponse* response) override;
  grpc::Status GetContact(grpc::ServerContext* context,
                          const v1::GetContactRequest* request,
                          v1::GetContactResponse* response) override;
  grpc::Status ListContacts(grpc::ServerContext* context,
                            const v1::ListContactsRequest* request,
                            v1::ListContactsResponse* response) override;
  grpc::Status ImportContacts(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportContactsRequest>* reader,
      v1::ImportContactsResponse* response) override;
  grpc::Status ImportDecisions(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportDecisionsRequest>* reader,
      v1::ImportDecisionsResponse* response) override;
  grpc::Status GetFrontDoorFigures(
      grpc::ServerContext* context,
      const v1::GetFrontDoorFiguresRequest* request,
      v1::GetFrontDoorFiguresResponse* response) override;
  // The authority's read-audit log (admins only; itself audited).
  grpc::Status ListReadAudit(grpc::ServerContext* context,
                             const v1::ListReadAuditRequest* request,
                             v1::ListReadAuditResponse* response) override;
  // Practice insight (docs/insight.md).
  grpc::Status GetReferralQuality(
      grpc::ServerContext* context,
      const v1::GetReferralQualityRequest* request,
      v1::GetReferralQualityResponse* response) override;
  grpc::Status GetDuplicateInput(
      grpc::ServerContext* context, const v1::GetDuplicateInputRequest* request,
      v1::GetDuplicateInputResponse* response) override;
  grpc::Status ListDuplicateContacts(
      grpc::ServerContext* context,
      const v1::ListDuplicateContactsRequest* request,
      v1::ListDuplicateContactsResponse* response) override;
  grpc::Status GetContactCategories(
      grpc::ServerContext* context,
      const v1::GetContactCategoriesRequest* request,
      v1::GetContactCategoriesResponse* response) override;

  // The figures for an authority (cache first); exposed for benchmarks.
  absl::StatusOr<v1::FrontDoorFigures> FrontDoorFiguresFor(
      const std::string& authority, absl::CivilMonth month,
      absl::CivilDay as_of);

 private:
  absl::Status Audit(const CallerIdentity& who, absl::string_view method,
                     const std::vector<const StoredContact*>& contacts);
  void PublishGeneration(const std::string& authority, int64_t generation);

  ContactStore* store_;
  AggregateCache* cache_;
  const Clock* clock_;
  const WorkingDayCalendar* calendar_;
  absl::TimeZone zone_;
  Options options_;
  std::unique_ptr<OpenWorkSource> open_work_;  // never null
};

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_INTAKE_SERVICE_H_
