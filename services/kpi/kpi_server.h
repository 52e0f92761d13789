// Wiring of the KPI service: store, reference data, cache, handlers,
// server.
#ifndef SGM_SERVICES_KPI_KPI_SERVER_H_
#define SGM_SERVICES_KPI_KPI_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/server_runner.h"
#include "common/working_day_calendar.h"
#include "services/kpi/kpi_reference.h"

namespace sgm::kpi {

class CaseEventStore;
class KpiServiceImpl;

struct KpiSettings {
  ServerOptions server;    // service_name "kpi"
  std::string store_path;  // SQLite file, created when missing
  int timelines_kept = 4;  // authorities kept in memory
  int flow_gap_days = 7;   // GetServiceFlows gap bridging (days)
};

class KpiServer {
 public:
  // `cache` and `clock` are owned by the caller and must outlive the server.
  static absl::StatusOr<std::unique_ptr<KpiServer>> Start(
      const KpiSettings& settings, WorkingDayCalendar calendar,
      KpiReference reference, AggregateCache* cache, const Clock* clock);
  ~KpiServer();

  int port() const;
  KpiServiceImpl* service() { return service_.get(); }
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  KpiServer() = default;
  std::unique_ptr<WorkingDayCalendar> calendar_;
  std::unique_ptr<KpiReference> reference_;
  std::unique_ptr<CaseEventStore> store_;
  std::unique_ptr<KpiServiceImpl> service_;
  std::unique_ptr<ServerRunner> runner_;
};

}  // namespace sgm::kpi

#endif  // SGM_SERVICES_KPI_KPI_SERVER_H_
