#include "services/workforce/workforce_server.h"

#include <utility>

#include "common/civil_date.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/tls_config.h"
#include "services/workforce/caseload_source.h"
#include "services/workforce/workforce_service.h"
#include "services/workforce/workforce_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::workforce {
namespace {

int ToMillis(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

// A channel to the KPI service with keepalive and the server's message size
// limit, as the gateway makes its backend channels.
std::shared_ptr<grpc::Channel> KpiChannel(
    const WorkforceServerSettings& settings) {
  const ServerOptions& server = settings.server;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, ToMillis(server.keepalive_time));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              ToMillis(server.keepalive_timeout));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxReceiveMessageSize(server.max_message_bytes);
  args.SetMaxSendMessageSize(server.max_message_bytes);
  AddServerNameOverride(settings.kpi.server_name, &args);
  return grpc::CreateCustomChannel(settings.kpi.address,
                                   settings.kpi.credentials != nullptr
                                       ? settings.kpi.credentials
                                       : grpc::InsecureChannelCredentials(),
                                   args);
}

}  // namespace

absl::StatusOr<std::unique_ptr<WorkforceServer>> WorkforceServer::Start(
    const WorkforceServerSettings& settings, WorkingDayCalendar calendar,
    AggregateCache* cache, const Clock* clock) {
  SGM_ASSIGN_OR_RETURN(absl::TimeZone zone, LoadLondonTimeZone());
  if (!settings.kpi.address.empty() &&
      settings.kpi.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "workforce: kpi deadline must be positive");
  }
  std::unique_ptr<WorkforceServer> server(new WorkforceServer());
  server->calendar_ = std::make_unique<WorkingDayCalendar>(std::move(calendar));
  SGM_ASSIGN_OR_RETURN(server->store_,
                       SqliteWorkforceStore::Open(settings.store_path));
  if (settings.kpi.address.empty()) {
    server->caseloads_ = std::make_unique<NoCaseloadSource>();
    LogWarn("kpi_not_configured", {{"caseloads", "unavailable"}});
  } else {
    KpiCaseloadSource::Options options;
    options.deadline = settings.kpi.deadline;
    server->caseloads_ = std::make_unique<KpiCaseloadSource>(
        sgm::kpi::v1::KpiService::NewStub(KpiChannel(settings)), options);
  }
  server->service_ = std::make_unique<WorkforceServiceImpl>(
      server->store_.get(), server->caseloads_.get(), cache, clock,
      server->calendar_.get(), zone, settings.figures,
      WorkforceServiceImpl::Options());
  // Health follows the store only: the KPI service is optional here.
  WorkforceStore* store = server->store_.get();
  SGM_ASSIGN_OR_RETURN(
      server->runner_,
      ServerRunner::Start(settings.server, {server->service_.get()}, nullptr,
                          [store] { return store->CheckHealth(); }));
  return server;
}

WorkforceServer::~WorkforceServer() {
  if (runner_) runner_->Shutdown(absl::ZeroDuration());
}

int WorkforceServer::port() const { return runner_->port(); }

void WorkforceServer::Shutdown(absl::Duration grace) {
  runner_->Shutdown(grace);
}

void WorkforceServer::Wait() { runner_->Wait(); }

}  // namespace sgm::workforce
