#include "services/intake/intake_server.h"

#include <utility>

#include "common/civil_date.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/tls_config.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/intake/contact_store.h"
#include "services/intake/intake_service.h"
#include "services/intake/open_work_source.h"
#include "services/intake/referral_dispatcher.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"

namespace sgm::intake {
namespace {

int ToMillis(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

// A channel to the KPI service with keepalive and the server's message size
// limit, as the gateway makes its backend channels.
std::shared_ptr<grpc::Channel> KpiChannel(const IntakeSettings& settings) {
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

absl::StatusOr<std::unique_ptr<IntakeServer>> IntakeServer::Start(
    const IntakeSettings& settings, WorkingDayCalendar calendar,
    AggregateCache* cache, const Clock* clock) {
  SGM_ASSIGN_OR_RETURN(absl::TimeZone zone, LoadLondonTimeZone());
  if (!settings.kpi.address.empty() &&
      settings.kpi.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("intake: kpi deadline must be positive");
  }
  std::unique_ptr<IntakeServer> server(new IntakeServer());
  server->calendar_ = std::make_unique<WorkingDayCalendar>(std::move(calendar));
  SGM_ASSIGN_OR_RETURN(server->store_,
                       SqliteContactStore::Open(settings.store_path));
  IntakeServiceImpl::Options options;
  options.front_door = settings.front_door;
  options.referral_quality = settings.referral_quality;
  std::unique_ptr<OpenWorkSource> open_work;
  if (!settings.kpi.address.empty()) {
    KpiOpenWorkSource::Options open_work_options;
    open_work_options.deadline = settings.kpi.deadline;
    open_work = std::make_unique<KpiOpenWorkSource>(
        sgm::kpi::v1::KpiService::NewStub(KpiChannel(settings)),
        open_work_options);
  }
  if (!settings.kpi.address.empty() && settings.kpi.forward_referrals) {
    ReferralDispatcher::Options dispatch;
    dispatch.deadline = settings.kpi.deadline;
    dispatch.poll_interval = settings.kpi.poll_interval;
    dispatch.initial_backoff = settings.kpi.initial_backoff;
    dispatch.max_backoff = settings.kpi.max_backoff;
    server->dispatcher_ = std::make_unique<ReferralDispatcher>(
        server->store_.get(),
        sgm::kpi::v1::KpiService::NewStub(KpiChannel(settings)), clock,
        dispatch);
    ReferralDispatcher* dispatcher = server->dispatcher_.get();
    options.decisions_committed = [dispatcher] { dispatcher->Wake(); };
  }
  server->service_ = std::make_unique<IntakeServiceImpl>(
      server->store_.get(), cache, clock, server->calendar_.get(), zone,
      options, std::move(open_work));
  ContactStore* store = server->store_.get();
  SGM_ASSIGN_OR_RETURN(
      server->runner_,
      ServerRunner::Start(settings.server, {server->service_.get()}, nullptr,
                          [store] { return store->CheckHealth(); }));
  prometheus::Gauge& backlog =
      prometheus::BuildGauge()
          .Name("sgm_intake_referral_outbox_backlog")
          .Help("Referrals waiting to be sent to the KPI service.")
          .Register(server->runner_->metrics_registry())
          .Add({});
  absl::StatusOr<int64_t> waiting = store->CountUnsentReferrals();
  if (waiting.ok()) backlog.Set(static_cast<double>(*waiting));
  if (server->dispatcher_ != nullptr) {
    server->dispatcher_->Start(
        [&backlog](int64_t n) { backlog.Set(static_cast<double>(n)); });
  } else if (settings.kpi.address.empty()) {
    LogWarn("kpi_not_configured",
            {{"referrals_waiting", waiting.ok() ? *waiting : -1}});
  } else {
    LogInfo("referral_forwarding_off",
            {{"referrals_waiting", waiting.ok() ? *waiting : -1}});
  }
  return server;
}

IntakeServer::~IntakeServer() {
  // The server first (no new decisions), then the dispatcher (it uses the
  // store and the runner's metrics registry), before any member goes.
  if (runner_) runner_->Shutdown(absl::ZeroDuration());
  if (dispatcher_) dispatcher_->Shutdown();
}

int IntakeServer::port() const { return runner_->port(); }

void IntakeServer::Shutdown(absl::Duration grace) {
  runner_->Shutdown(grace);
  if (dispatcher_) dispatcher_->Shutdown();
}

void IntakeServer::Wait() { runner_->Wait(); }

}  // namespace sgm::intake
