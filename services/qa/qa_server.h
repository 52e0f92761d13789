// Wiring of the quality-assurance service: store, KPI sample client, cache,
// handlers, server.
#ifndef SGM_SERVICES_QA_QA_SERVER_H_
#define SGM_SERVICES_QA_QA_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/aggregate_cache.h"
#include "common/clock.h"
#include "common/server_runner.h"
#include "grpcpp/grpcpp.h"

namespace sgm::qa {

class CaseSampleSource;
class QaServiceImpl;
class QaStore;

// Where dip samples are drawn (KpiCaseSampleSource).
struct KpiSampleSettings {
  // host:port of the KPI service; "": none, CreateDipSample answers
  // UNAVAILABLE.
  std::string address;
  absl::Duration deadline = absl::Seconds(5);  // each call
  // Channel credentials; insecure when null.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Checked in the KPI service's certificate instead of the address's host.
  std::string server_name;
};

struct QaServerSettings {
  ServerOptions server;    // service_name "qa"
  std::string store_path;  // SQLite file, created when missing
  KpiSampleSettings kpi;
};

class QaServer {
 public:
  // `cache` and `clock` are owned by the caller and must outlive the server.
  static absl::StatusOr<std::unique_ptr<QaServer>> Start(
      const QaServerSettings& settings, AggregateCache* cache,
      const Clock* clock);
  ~QaServer();

  int port() const;
  QaServiceImpl* service() { return service_.get(); }
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  QaServer() = default;
  std::unique_ptr<QaStore> store_;
  std::unique_ptr<CaseSampleSource> samples_;
  std::unique_ptr<QaServiceImpl> service_;
  std::unique_ptr<ServerRunner> runner_;
};

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_QA_SERVER_H_
