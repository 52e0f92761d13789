// gRPC handlers of sgm.qa.v1.QaService: proto <-> domain, status mapping,
// the read audit, the cache; the rules live in the domain files
// (qa_feed_parser.h, qa_figures.h) and the store (qa_store.h).
#ifndef SGM_SERVICES_QA_QA_SERVICE_H_
#define SGM_SERVICES_QA_QA_SERVICE_H_

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
#include "services/qa/case_sample_source.h"
#include "services/qa/qa_store.h"
#include "sgm/feed/v1/feed.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"

namespace sgm::qa {

class QaServiceImpl final : public v1::QaService::Service {
 public:
  struct Options {
    int import_batch_size = 5000;  // records a transaction
    int max_rejections_listed = 1000;
  };

  // Nothing is owned; all must outlive the service. `zone` gives the
  // authority's local date (Europe/London).
  QaServiceImpl(QaStore* store, CaseSampleSource* samples,
                AggregateCache* cache, const Clock* clock, absl::TimeZone zone,
                Options options);

  grpc::Status CreateTheme(grpc::ServerContext* context,
                           const v1::CreateThemeRequest* request,
                           v1::CreateThemeResponse* response) override;
  grpc::Status ListThemes(grpc::ServerContext* context,
                          const v1::ListThemesRequest* request,
                          v1::ListThemesResponse* response) override;
  grpc::Status CreateAudit(grpc::ServerContext* context,
                           const v1::CreateAuditRequest* request,
                           v1::CreateAuditResponse* response) override;
  grpc::Status ModerateAudit(grpc::ServerContext* context,
                             const v1::ModerateAuditRequest* request,
                             v1::ModerateAuditResponse* response) override;
  grpc::Status GetAudit(grpc::ServerContext* context,
                        const v1::GetAuditRequest* request,
                        v1::GetAuditResponse* response) override;
  grpc::Status ListAudits(grpc::ServerContext* context,
                          const v1::ListAuditsRequest* request,
                          v1::ListAuditsResponse* response) override;
  grpc::Status ImportAudits(grpc::ServerContext* context,
                            grpc::ServerReader<v1::ImportAuditsRequest>* reader,
                            v1::ImportAuditsResponse* response) override;
  grpc::Status CreateFeedback(grpc::ServerContext* context,
                              const v1::CreateFeedbackRequest* request,
                              v1::CreateFeedbackResponse* response) override;
  grpc::Status ListFeedback(grpc::ServerContext* context,
                            const v1::ListFeedbackRequest* request,
                            v1::ListFeedbackResponse* response) override;
  grpc::Status ImportFeedback(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportFeedbackRequest>* reader,
      v1::ImportFeedbackResponse* response) override;
  grpc::Status CreateAction(grpc::ServerContext* context,
                            const v1::CreateActionRequest* request,
                            v1::CreateActionResponse* response) override;
  grpc::Status CompleteAction(grpc::ServerContext* context,
                              const v1::CompleteActionRequest* request,
                              v1::CompleteActionResponse* response) override;
  grpc::Status ListActions(grpc::ServerContext* context,
                           const v1::ListActionsRequest* request,
                           v1::ListActionsResponse* response) override;
  grpc::Status ImportActions(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportActionsRequest>* reader,
      v1::ImportActionsResponse* response) override;
  grpc::Status CreateDipSample(grpc::ServerContext* context,
                               const v1::CreateDipSampleRequest* request,
                               v1::CreateDipSampleResponse* response) override;
  grpc::Status GetDipSample(grpc::ServerContext* context,
                            const v1::GetDipSampleRequest* request,
                            v1::GetDipSampleResponse* response) override;
  grpc::Status ListDipSamples(grpc::ServerContext* context,
                              const v1::ListDipSamplesRequest* request,
                              v1::ListDipSamplesResponse* response) override;
  grpc::Status GetQaFigures(grpc::ServerContext* context,
                            const v1::GetQaFiguresRequest* request,
                            v1::GetQaFiguresResponse* response) override;
  grpc::Status GetQaTrend(grpc::ServerContext* context,
                          const v1::GetQaTrendRequest* request,
                          v1::GetQaTrendResponse* response) override;
  // The authority's read-audit log (admins only; itself audited).
  grpc::Status ListReadAudit(grpc::ServerContext* context,
                             const v1::ListReadAuditRequest* request,
                             v1::ListReadAuditResponse* response) override;

 private:
  // Writes a child-level read to the audit log; UNAVAILABLE when it cannot
  // (the read is then refused: fail closed). `query` holds no personal
  // data.
  absl::Status AuditRead(const CallerIdentity& who, absl::string_view method,
                         std::string query, std::vector<std::string> child_ids,
                         std::vector<std::string> record_ids);
  void PublishGeneration(const std::string& authority, int64_t generation);
  absl::CivilDay Today() const;

  // One feed import (DESIGN section 5), as the workforce service runs them:
  // `parse` validates a record, `key_column` names the column shown with a
  // rejected record, `key_of` keys a valid one, `insert` writes a batch to
  // the store; a conflicting record is rejected on `conflict_field` with
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
  // The tail of every Create* call once the record is valid: stores it with
  // `insert` (a QaStore Insert* method), publishes the generation, and
  // answers ALREADY_EXISTS with `conflict` when a different record is
  // stored under its key; else whether it was already stored as sent.
  template <typename Record, typename Insert>
  absl::StatusOr<bool> StoreOne(const std::string& authority,
                                const Record& record, Insert insert,
                                absl::string_view conflict);
  // The part of every cache key that names what the figures depend on
  // besides the data and the request (the rules' version, the zone).
  std::string SettingsKey() const;

  QaStore* store_;
  CaseSampleSource* samples_;
  AggregateCache* cache_;
  const Clock* clock_;
  absl::TimeZone zone_;
  Options options_;
};

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_QA_SERVICE_H_
