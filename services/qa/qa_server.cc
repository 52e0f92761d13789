#include "services/qa/qa_server.h"

#include <utility>

#include "common/civil_date.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/tls_config.h"
#include "services/qa/case_sample_source.h"
#include "services/qa/qa_service.h"
#include "services/qa/qa_store.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::qa {
namespace {

int ToMillis(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

// A channel to the KPI service with keepalive and the server's message size
// limit, as the gateway makes its backend channels.
std::shared_ptr<grpc::Channel> KpiChannel(const QaServerSettings& settings) {
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

absl::StatusOr<std::unique_ptr<QaServer>> QaServer::Start(
    const QaServerSettings& settings, AggregateCache* cache,
    const Clock* clock) {
  SGM_ASSIGN_OR_RETURN(absl::TimeZone zone, LoadLondonTimeZone());
  if (!settings.kpi.address.empty() &&
      settings.kpi.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("qa: kpi deadline must be positive");
  }
  std::unique_ptr<QaServer> server(new QaServer());
  SGM_ASSIGN_OR_RETURN(server->store_,
                       SqliteQaStore::Open(settings.store_path));
  if (settings.kpi.address.empty()) {
    server->samples_ = std::make_unique<NoCaseSampleSource>();
    LogWarn("kpi_not_configured", {{"dip_samples", "unavailable"}});
  } else {
    KpiCaseSampleSource::Options options;
    options.deadline = settings.kpi.deadline;
    server->samples_ = std::make_unique<KpiCaseSampleSource>(
        sgm::kpi::v1::KpiService::NewStub(KpiChannel(settings)), options);
  }
  server->service_ = std::make_unique<QaServiceImpl>(
      server->store_.get(), server->samples_.get(), cache, clock, zone,
      QaServiceImpl::Options());
  // Health follows the store only: the KPI service is needed for drawing
  // dip samples alone.
  QaStore* store = server->store_.get();
  SGM_ASSIGN_OR_RETURN(
      server->runner_,
      ServerRunner::Start(settings.server, {server->service_.get()}, nullptr,
                          [store] { return store->CheckHealth(); }));
  return server;
}

QaServer::~QaServer() {
  if (runner_) runner_->Shutdown(absl::ZeroDuration());
}

int QaServer::port() const { return runner_->port(); }

void QaServer::Shutdown(absl::Duration grace) { runner_->Shutdown(grace); }

void QaServer::Wait() { runner_->Wait(); }

}  // namespace sgm::qa
