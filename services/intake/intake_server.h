// Wiring of the intake service: store, cache, handlers, server.
#ifndef SGM_SERVICES_INTAKE_INTAKE_SERVER_H_
#define SGM_SERVICES_INTAKE_INTAKE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/server_runner.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "services/intake/front_door_figures.h"
#include "services/intake/referral_quality.h"

namespace sgm::intake {

class ContactStore;
class IntakeServiceImpl;
class ReferralDispatcher;

// The KPI service: where accepted REFERRAL and STRATEGY_DISCUSSION decisions
// are sent as referrals (ReferralDispatcher) and where duplicate input reads
// children's open work (KpiOpenWorkSource).
struct KpiClientSettings {
  // host:port of the KPI service; "": none configured, the referrals wait
  // in the store's outbox.
  std::string address;
  absl::Duration deadline = absl::Seconds(10);  // a call
  absl::Duration poll_interval = absl::Seconds(30);
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  // Channel credentials; insecure when null.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Checked in the KPI service's certificate instead of the address's host.
  std::string server_name;
  // false: the KPI channel serves duplicate input's open-work reads only;
  // accepted referrals are not sent and wait in the store's outbox (a
  // deployment whose case-management feed already carries the referrals).
  bool forward_referrals = true;
};

struct IntakeSettings {
  ServerOptions server;    // service_name "intake"
  std::string store_path;  // SQLite file, created when missing
  FrontDoorSettings front_door;
  ReferralQualityRules referral_quality;  // docs/insight.md
  KpiClientSettings kpi;
};

class IntakeServer {
 public:
  // `cache` and `clock` are owned by the caller and must outlive the server.
  static absl::StatusOr<std::unique_ptr<IntakeServer>> Start(
      const IntakeSettings& settings, WorkingDayCalendar calendar,
      AggregateCache* cache, const Clock* clock);
  ~IntakeServer();

  int port() const;
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  IntakeServer() = default;
  std::unique_ptr<WorkingDayCalendar> calendar_;
  std::unique_ptr<ContactStore> store_;
  std::unique_ptr<ReferralDispatcher> dispatcher_;  // null: not forwarding
  std::unique_ptr<IntakeServiceImpl> service_;
  std::unique_ptr<ServerRunner> runner_;
};

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_INTAKE_SERVER_H_
