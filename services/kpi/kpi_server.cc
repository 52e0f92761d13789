#include "services/kpi/kpi_server.h"

#include <utility>

#include "common/civil_date.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "services/kpi/case_event_store.h"
#include "services/kpi/kpi_service.h"

namespace sgm::kpi {

absl::StatusOr<std::unique_ptr<KpiServer>> KpiServer::Start(
    const KpiSettings& settings, WorkingDayCalendar calendar,
    KpiReference reference, AggregateCache* cache, const Clock* clock) {
  SGM_ASSIGN_OR_RETURN(absl::TimeZone zone, LoadLondonTimeZone());
  std::unique_ptr<KpiServer> server(new KpiServer());
  server->calendar_ = std::make_unique<WorkingDayCalendar>(std::move(calendar));
  server->reference_ = std::make_unique<KpiReference>(std::move(reference));
  SGM_ASSIGN_OR_RETURN(server->store_,
                       SqliteCaseEventStore::Open(settings.store_path));
  KpiServiceImpl::Options options;
  options.timelines_kept = settings.timelines_kept;
  options.flow_gap_days = settings.flow_gap_days;
  server->service_ = std::make_unique<KpiServiceImpl>(
      server->store_.get(), cache, clock, server->calendar_.get(),
      server->reference_.get(), zone, options);
  // The models loaded before the port opens: the first reads find them.
  // A failure only costs the first read its speed (it loads again).
  if (absl::Status loaded = server->service_->Preload(); !loaded.ok()) {
    LogWarn("preload_failed", {{"error", loaded.ToString()}});
  }
  CaseEventStore* store = server->store_.get();
  SGM_ASSIGN_OR_RETURN(
      server->runner_,
      ServerRunner::Start(settings.server, {server->service_.get()}, nullptr,
                          [store] { return store->CheckHealth(); }));
  return server;
}

KpiServer::~KpiServer() {
  if (runner_) runner_->Shutdown(absl::ZeroDuration());
}

int KpiServer::port() const { return runner_->port(); }

void KpiServer::Shutdown(absl::Duration grace) { runner_->Shutdown(grace); }

void KpiServer::Wait() { runner_->Wait(); }

}  // namespace sgm::kpi
