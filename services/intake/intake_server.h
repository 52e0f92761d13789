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
#include "services/intake/front_door_figures.h"

namespace sgm::intake {

class ContactStore;
class IntakeServiceImpl;

struct IntakeSettings {
  ServerOptions server;    // service_name "intake"
  std::string store_path;  // SQLite file, created when missing
  FrontDoorSettings front_door;
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
  std::unique_ptr<IntakeServiceImpl> service_;
  std::unique_ptr<ServerRunner> runner_;
};

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_INTAKE_SERVER_H_
