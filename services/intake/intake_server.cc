#include "services/intake/intake_server.h"

#include <utility>

#include "common/civil_date.h"
#include "common/status_macros.h"
#include "services/intake/contact_store.h"
#include "services/intake/intake_service.h"

namespace sgm::intake {

absl::StatusOr<std::unique_ptr<IntakeServer>> IntakeServer::Start(
    const IntakeSettings& settings, WorkingDayCalendar calendar,
    AggregateCache* cache, const Clock* clock) {
  SGM_ASSIGN_OR_RETURN(absl::TimeZone zone, LoadLondonTimeZone());
  std::unique_ptr<IntakeServer> server(new IntakeServer());
  server->calendar_ = std::make_unique<WorkingDayCalendar>(std::move(calendar));
  SGM_ASSIGN_OR_RETURN(server->store_,
                       SqliteContactStore::Open(settings.store_path));
  IntakeServiceImpl::Options options;
  options.front_door = settings.front_door;
  server->service_ = std::make_unique<IntakeServiceImpl>(
      server->store_.get(), cache, clock, server->calendar_.get(), zone,
      options);
  ContactStore* store = server->store_.get();
  SGM_ASSIGN_OR_RETURN(
      server->runner_,
      ServerRunner::Start(settings.server, {server->service_.get()}, nullptr,
                          [store] { return store->CheckHealth(); }));
  return server;
}

IntakeServer::~IntakeServer() {
  if (runner_) runner_->Shutdown(absl::ZeroDuration());
}

int IntakeServer::port() const { return runner_->port(); }

void IntakeServer::Shutdown(absl::Duration grace) { runner_->Shutdown(grace); }

void IntakeServer::Wait() { runner_->Wait(); }

}  // namespace sgm::intake
