// gRPC handlers of sgm.kpi.v1.KpiService: proto <-> domain, status mapping,
// the read audit, the cache; the rules live in the domain files.
#ifndef SGM_SERVICES_KPI_KPI_SERVICE_H_
#define SGM_SERVICES_KPI_KPI_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/aggregate_cache.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/working_day_calendar.h"
#include "services/kpi/case_event_store.h"
#include "services/kpi/case_model.h"
#include "services/kpi/kpi_reference.h"
#include "services/kpi/timeline_builder.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::kpi {

class KpiServiceImpl final : public v1::KpiService::Service {
 public:
  struct Options {
    int import_batch_size = 5000;  // records a transaction
    int max_rejections_listed = 1000;
    // Authorities whose models (events and timelines) are kept in memory
    // between reads: updated in place by this service's own writes,
    // reloaded from the store when its generation moved otherwise.
    int timelines_kept = 4;
    // GetServiceFlows: the longest run of days at no level of service
    // between two levels that still counts as a direct move.
    int flow_gap_days = 7;
  };

  // Nothing is owned; all must outlive the service.
  KpiServiceImpl(CaseEventStore* store, AggregateCache* cache,
                 const Clock* clock, const WorkingDayCalendar* calendar,
                 const KpiReference* reference, absl::TimeZone zone,
                 Options options);

  grpc::Status RecordCaseEvent(grpc::ServerContext* context,
                               const v1::RecordCaseEventRequest* request,
                               v1::RecordCaseEventResponse* response) override;
  grpc::Status BatchRecordCaseEvents(
      grpc::ServerContext* context,
      const v1::BatchRecordCaseEventsRequest* request,
      v1::BatchRecordCaseEventsResponse* response) override;
  grpc::Status ImportCaseEvents(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportCaseEventsRequest>* reader,
      v1::ImportCaseEventsResponse* response) override;
  grpc::Status GetIndicators(grpc::ServerContext* context,
                             const v1::GetIndicatorsRequest* request,
                             v1::GetIndicatorsResponse* response) override;
  grpc::Status GetIndicatorTrend(
      grpc::ServerContext* context, const v1::GetIndicatorTrendRequest* request,
      v1::GetIndicatorTrendResponse* response) override;
  grpc::Status ListIndicatorCases(
      grpc::ServerContext* context,
      const v1::ListIndicatorCasesRequest* request,
      v1::ListIndicatorCasesResponse* response) override;
  grpc::Status GetCaseStatus(grpc::ServerContext* context,
                             const v1::GetCaseStatusRequest* request,
                             v1::GetCaseStatusResponse* response) override;
  grpc::Status ListWatchlist(grpc::ServerContext* context,
                             const v1::ListWatchlistRequest* request,
                             v1::ListWatchlistResponse* response) override;
  grpc::Status ListCaseloads(grpc::ServerContext* context,
                             const v1::ListCaseloadsRequest* request,
                             v1::ListCaseloadsResponse* response) override;
  grpc::Status SampleCases(grpc::ServerContext* context,
                           const v1::SampleCasesRequest* request,
                           v1::SampleCasesResponse* response) override;
  // The authority's read-audit log (admins only; itself audited).
  grpc::Status ListReadAudit(grpc::ServerContext* context,
                             const v1::ListReadAuditRequest* request,
                             v1::ListReadAuditResponse* response) override;
  // Practice insight (docs/insight.md).
  grpc::Status GetVisitQuality(grpc::ServerContext* context,
                               const v1::GetVisitQualityRequest* request,
                               v1::GetVisitQualityResponse* response) override;
  grpc::Status GetServiceFlows(grpc::ServerContext* context,
                               const v1::GetServiceFlowsRequest* request,
                               v1::GetServiceFlowsResponse* response) override;
  grpc::Status GetCategoryFunnel(
      grpc::ServerContext* context, const v1::GetCategoryFunnelRequest* request,
      v1::GetCategoryFunnelResponse* response) override;
  grpc::Status ListOpenWork(grpc::ServerContext* context,
                            const v1::ListOpenWorkRequest* request,
                            v1::ListOpenWorkResponse* response) override;

  // The indicators for an authority and month (cache first); exposed for
  // benchmarks.
  absl::StatusOr<v1::GetIndicatorsResponse> IndicatorsFor(
      const std::string& authority, absl::CivilMonth month);
  // Drops the in-memory models, so the next read rebuilds them from the
  // store (benchmarks measure that cold path).
  void ForgetTimelines();
  // Writes the events (validated) for the authority, as the record and
  // import calls do: one transaction, the generation published, and the
  // accepted events applied to the authority's model in memory when it is
  // at the generation the batch started from (else the next read reloads
  // it). Exposed for benchmarks.
  absl::StatusOr<EventBatchResult> WriteEvents(
      const std::string& authority, absl::Span<const CaseEvent> events);
  // Loads the models of the authorities with the most events (up to
  // timelines_kept) from the store, so the first reads after a start do
  // not pay for it.
  absl::Status Preload();
  // Models built from a full load of the store so far (start-up, first
  // reads, reloads when the store moved under a model); for tests.
  int64_t full_loads() const { return full_loads_.load(); }

 private:
  // One authority's events and timelines at a generation.
  struct Model {
    int64_t generation = 0;
    CaseModel cases;
    const CaseTimelines& timelines() const { return cases.timelines(); }
  };

  // The authority's timelines at the store's current generation.
  absl::StatusOr<std::shared_ptr<const Model>> ModelFor(
      const std::string& authority);
  // The accepted events of a written batch applied to the authority's
  // model, copy-on-write, when it is at result.previous_generation.
  void ApplyToModel(const std::string& authority,
                    absl::Span<const CaseEvent> events,
                    const EventBatchResult& result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  absl::Status Audit(const CallerIdentity& who, absl::string_view method,
                     std::string query, std::vector<std::string> child_ids,
                     std::vector<std::string> ref_ids);
  void PublishGeneration(const std::string& authority, int64_t generation);
  absl::CivilDay Today() const;
  // The part of every cache key that names the settings the figures
  // depend on (reference data and bank holidays).
  std::string SettingsKey() const;

  CaseEventStore* store_;
  AggregateCache* cache_;
  const Clock* clock_;
  const WorkingDayCalendar* calendar_;
  const KpiReference* reference_;
  absl::TimeZone zone_;
  Options options_;

  // Held by a write from its commit to its update of the model, so a read
  // does not reload what the write is about to apply.
  absl::Mutex apply_mu_ ABSL_ACQUIRED_BEFORE(models_mu_);
  std::atomic<int64_t> full_loads_{0};
  absl::Mutex models_mu_;
  // Most recently used first.
  std::list<std::pair<std::string, std::shared_ptr<const Model>>> models_
      ABSL_GUARDED_BY(models_mu_);
};

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_KPI_SERVICE_H_
