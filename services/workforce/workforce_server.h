// Wiring of the workforce service: store, KPI caseload client, cache,
// handlers, server.
#ifndef SGM_SERVICES_WORKFORCE_WORKFORCE_SERVER_H_
#define SGM_SERVICES_WORKFORCE_WORKFORCE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/server_runner.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "services/workforce/workforce_figures.h"

namespace sgm::workforce {

class CaseloadSource;
class WorkforceServiceImpl;
class WorkforceStore;

// Where caseloads come from (KpiCaseloadSource).
struct KpiCaseloadSettings {
  // host:port of the KPI service; "": none, the figures answer with
  // caseloads_available = false.
  std::string address;
  absl::Duration deadline = absl::Seconds(5);  // each call
  // Channel credentials; insecure when null.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Checked in the KPI service's certificate instead of the address's host.
  std::string server_name;
};

struct WorkforceServerSettings {
  ServerOptions server;    // service_name "workforce"
  std::string store_path;  // SQLite file, created when missing
  WorkforceSettings figures;
  KpiCaseloadSettings kpi;
};

class WorkforceServer {
 public:
  // `cache` and `clock` are owned by the caller and must outlive the server.
  static absl::StatusOr<std::unique_ptr<WorkforceServer>> Start(
      const WorkforceServerSettings& settings, WorkingDayCalendar calendar,
      AggregateCache* cache, const Clock* clock);
  ~WorkforceServer();

  int port() const;
  WorkforceServiceImpl* service() { return service_.get(); }
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  WorkforceServer() = default;
  std::unique_ptr<WorkingDayCalendar> calendar_;
  std::unique_ptr<WorkforceStore> store_;
  std::unique_ptr<CaseloadSource> caseloads_;
  std::unique_ptr<WorkforceServiceImpl> service_;
  std::unique_ptr<ServerRunner> runner_;
};

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_WORKFORCE_SERVER_H_
