// The KPI service's indicator figures, timed (DESIGN section 6: "Indicators
// for one authority-year (Derby-sized): cold recompute < 50 ms; cached read
// through the gateway close to a bare gRPC call").
//
//   build/bench/kpi_bench [--scales 1,10] [--runs 15] [--batch 500]
//                         [--reads 2000]
//
// For each scale: synthetic case activity (tools/synth, 12 months ending
// May 2024, calibrated at scale 1 to a Derby-sized authority) is written
// into a real SQLite store, except the newest `runs` x `batch` x scale
// events, held back as day batches. Then all eight indicators for May 2024
// are computed with no aggregate cache:
//   start-up  the full load of the model (services/kpi/case_model.h): read
//             the columns the timelines need from SQLite into the compact
//             per-child form (load), build every child's timelines and
//             merge them (build); what sgm-kpi does before it serves, or
//             on a read after another writer moved the store;
//   after an import
//             a day's batch written through the service (one transaction;
//             the model updated for the children the batch names), then
//             the first read: merge + compute (the cold read a user sees
//             after an import);
//   warm      the model already merged: compute only (a read with the
//             aggregate missing from Redis);
//   cold from nothing
//             the model dropped: full load + compute;
// with the heap the model takes.
// Then, at scale 1, the same figures through the gateway with a real
// redis-server: the first read, then `reads` cached reads (p50/p99), beside
// a bare gRPC call (the KPI port's grpc.health.v1 Check, no gateway) and
// the gateway's own WhoAmI in the same run.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "bench/bench_stats.h"
#include "common/aggregate_cache.h"
#include "common/civil_date.h"
#include "common/clock.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "services/kpi/case_event_store.h"
#include "services/kpi/case_model.h"
#include "services/kpi/case_status.h"
#include "services/kpi/indicator_set.h"
#include "services/kpi/kpi_reference.h"
#include "services/kpi/kpi_service.h"
#include "services/kpi/timeline_builder.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "tests/support/health_probe.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"
#include "tools/synth/case_event_synthesizer.h"

ABSL_FLAG(std::string, scales, "1,10", "synthetic authority scales to time");
ABSL_FLAG(int, runs, 15, "timed runs of each figure (the median is shown)");
ABSL_FLAG(int, reads, 2000, "cached reads through the gateway");
ABSL_FLAG(int, batch, 500,
          "events in a day's batch at scale 1 (x scale at larger scales)");

namespace {

using sgm::bench::Median;
using sgm::bench::Ms;
using sgm::bench::Percentile;
using sgm::bench::SteadyClock;
constexpr char kAuthority[] = "831";
const absl::CivilMonth kMonth(2024, 5);

long MaxRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

std::vector<sgm::kpi::CaseEvent> Synthesize(int scale,
                                            const sgm::WorkingDayCalendar& c) {
  sgm::synth::CaseEventSynthOptions options;
  options.seed = 2024;
  options.first_month = kMonth - 11;
  options.months = 12;
  options.scale = scale;
  absl::StatusOr<std::vector<sgm::kpi::CaseEvent>> events =
      sgm::synth::SynthesizeCaseEvents(options, c);
  if (!events.ok()) {
    std::fprintf(stderr, "synth: %s\n", events.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(events);
}

// Bytes of heap in use and the resident set, now.
struct Memory {
  size_t heap = 0;
  long rss_kib = 0;
};

Memory MemoryNow() {
  Memory m;
  m.heap = mallinfo2().uordblks;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      m.rss_kib = std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return m;
}

double Mib(double bytes) { return bytes / (1024.0 * 1024.0); }

int StoreLevel(int scale, const sgm::WorkingDayCalendar& calendar,
               absl::TimeZone zone, int runs, int batch_events) {
  sgm::testing::TempDir dir("sgm-kpi-bench");
  const std::vector<sgm::kpi::CaseEvent> events = Synthesize(scale, calendar);
  // The newest events are held back: `runs` days' batches of
  // `batch_events` x scale events each, written through the service after
  // the start-up load.
  const size_t batch = static_cast<size_t>(batch_events) * scale;
  const size_t held = std::min(events.size() / 2, batch * runs);
  const size_t base = events.size() - held;
  auto store = sgm::kpi::SqliteCaseEventStore::Open(dir.File("kpi.db"));
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const auto insert_start = SteadyClock::now();
  for (size_t at = 0; at < base; at += 5000) {
    const size_t n = std::min<size_t>(5000, base - at);
    auto written = (*store)->InsertEvents(
        kAuthority, absl::MakeConstSpan(events).subspan(at, n));
    if (!written.ok()) {
      std::fprintf(stderr, "insert: %s\n", written.status().ToString().c_str());
      return 1;
    }
  }
  const double insert_ms = Ms(insert_start);

  // Start-up full load, by phase: read the columns the timelines need
  // from SQLite straight into the model's compact form (load), then build
  // every child's timelines and merge them (build).
  std::vector<double> load_ms, build_ms;
  Memory before_model, with_model;
  std::optional<sgm::kpi::CaseModel> model;
  for (int i = 0; i < runs; ++i) {
    model.reset();
    before_model = MemoryNow();
    auto t0 = SteadyClock::now();
    sgm::kpi::CaseModel::Loader loader;
    auto generation = (*store)->ScanTimelineEvents(
        kAuthority, [&](const sgm::kpi::TimelineEvent& e) { loader.Add(e); });
    if (!generation.ok()) return 1;
    load_ms.push_back(Ms(t0));
    t0 = SteadyClock::now();
    model = std::move(loader).Finish();
    model->timelines();
    build_ms.push_back(Ms(t0));
    with_model = MemoryNow();
  }
  const sgm::kpi::CaseTimelines& timelines = model->timelines();
  // The path before the model, for comparison: every column into a
  // CaseEvent, then BuildTimelines.
  std::vector<double> old_load_ms, old_build_ms;
  for (int i = 0; i < std::min(runs, 3); ++i) {
    auto t0 = SteadyClock::now();
    auto snapshot = (*store)->LoadEvents(kAuthority);
    old_load_ms.push_back(Ms(t0));
    t0 = SteadyClock::now();
    const sgm::kpi::CaseTimelines built =
        sgm::kpi::BuildTimelines(snapshot->events);
    old_build_ms.push_back(Ms(t0));
    if (built.referrals.size() != timelines.referrals.size()) {
      std::fprintf(stderr, "model and BuildTimelines differ\n");
      return 1;
    }
  }
  std::vector<double> compute_ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = SteadyClock::now();
    auto summaries = sgm::kpi::SummariseIndicators(
        timelines, kMonth, calendar, sgm::kpi::KpiReference().For(kAuthority));
    compute_ms.push_back(Ms(t0));
    if (summaries.size() != 8) return 1;
  }

  sgm::kpi::KpiReference reference;
  sgm::NoCache no_cache;
  sgm::ManualClock clock(
      absl::FromCivil(absl::CivilSecond(2024, 6, 15, 12, 0, 0), zone));
  sgm::kpi::KpiServiceImpl service(store->get(), &no_cache, &clock, &calendar,
                                   &reference, zone, {});
  const auto indicators = [&]() {
    auto figures = service.IndicatorsFor(kAuthority, kMonth);
    if (!figures.ok() || figures->indicators_size() != 8) {
      std::fprintf(stderr, "indicators failed\n");
      std::exit(1);
    }
    return *std::move(figures);
  };
  // The service's start-up load (KpiServer calls Preload before serving).
  auto t0 = SteadyClock::now();
  if (!service.Preload().ok()) return 1;
  const double preload_ms = Ms(t0);
  std::vector<double> warm_ms;
  for (int i = 0; i < runs; ++i) {
    t0 = SteadyClock::now();
    indicators();
    warm_ms.push_back(Ms(t0));
  }
  // A day's batch written through the service (one transaction, the model
  // updated for the children it names), then the first read: all 8
  // indicators with no aggregate cache.
  std::vector<double> write_ms, after_ms;
  for (size_t at = base; at < events.size(); at += batch) {
    const size_t n = std::min(batch, events.size() - at);
    t0 = SteadyClock::now();
    auto written = service.WriteEvents(
        kAuthority, absl::MakeConstSpan(events).subspan(at, n));
    write_ms.push_back(Ms(t0));
    if (!written.ok()) return 1;
    t0 = SteadyClock::now();
    indicators();
    after_ms.push_back(Ms(t0));
  }
  const int64_t loads_before_cold = service.full_loads();
  // The cold path a restart without Preload, or another writer, costs.
  std::vector<double> cold_ms;
  for (int i = 0; i < std::min(runs, 3); ++i) {
    service.ForgetTimelines();
    t0 = SteadyClock::now();
    indicators();
    cold_ms.push_back(Ms(t0));
  }
  if (service.full_loads() != loads_before_cold + std::min(runs, 3) ||
      loads_before_cold != 1) {
    std::fprintf(stderr, "unexpected full loads: %lld\n",
                 static_cast<long long>(service.full_loads()));
    return 1;
  }
  const auto figures = indicators();
  const sgm::kpi::OpenCaseCounts open = sgm::kpi::CountOpenCases(
      sgm::kpi::OpenCasesAt(timelines, sgm::LastDayOf(kMonth)));

  std::printf(
      "scale %d: %zu events (%zu children; %lld open cases at 2024-05-31, "
      "%zu referral timelines), %zu inserted in %.0f ms, %zu held back "
      "as %zu day batches of %zu\n",
      scale, events.size(), model->child_count(),
      static_cast<long long>(open.total), timelines.referrals.size(), base,
      insert_ms, held, after_ms.size(), batch);
  std::printf(
      "  start-up full load (SQLite -> model): median %.1f ms = load %.1f ms "
      "+ build %.1f ms; through the service (Preload) %.1f ms\n",
      Median(load_ms) + Median(build_ms), Median(load_ms), Median(build_ms),
      preload_ms);
  std::printf(
      "    before the model: LoadEvents (every column) %.1f ms + "
      "BuildTimelines %.1f ms\n",
      Median(old_load_ms), Median(old_build_ms));
  std::printf(
      "    model memory: heap %.1f MiB, RSS %+.1f MiB (%.0f bytes an event)\n",
      Mib(static_cast<double>(with_model.heap) -
          static_cast<double>(before_model.heap)),
      (with_model.rss_kib - before_model.rss_kib) / 1024.0,
      (static_cast<double>(with_model.heap) -
       static_cast<double>(before_model.heap)) /
          static_cast<double>(base));
  std::printf(
      "  after an import (%zu-event batch written through the service, then "
      "all 8 for 2024-05, no aggregate cache): read median %.1f ms (max "
      "%.1f); the write itself (SQLite commit + model update) median %.1f "
      "ms\n",
      batch, Median(after_ms),
      *std::max_element(after_ms.begin(), after_ms.end()), Median(write_ms));
  std::printf(
      "  warm (model in memory, no aggregate cache): median %.1f ms "
      "(compute 8 indicators x 6 months alone %.1f ms)\n",
      Median(warm_ms), Median(compute_ms));
  std::printf(
      "  cold from nothing (model dropped: full load + compute): median "
      "%.1f ms\n",
      Median(cold_ms));
  for (const auto& i : figures.indicators()) {
    std::printf("    %-26s %6lld / %-6lld %5.1f%%\n", i.id().c_str(),
                static_cast<long long>(i.numerator()),
                static_cast<long long>(i.denominator()),
                i.has_percent() ? i.percent() : 0.0);
  }
  std::printf("  peak RSS so far %ld MiB\n", MaxRssMib());
  return 0;
}

int ThroughGateway(const sgm::WorkingDayCalendar& calendar, int reads) {
  auto cluster = sgm::testing::TestCluster::Start();
  if (!cluster.ok()) {
    std::fprintf(stderr, "cluster: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  const std::vector<sgm::kpi::CaseEvent> events = Synthesize(1, calendar);
  std::string csv;
  {
    std::ostringstream out;
    if (!sgm::synth::WriteCaseEventsCsv(events, &out).ok()) return 1;
    csv = out.str();
  }
  auto stub = sgm::kpi::v1::KpiService::NewStub((*cluster)->gateway_channel());
  const auto import_start = SteadyClock::now();
  {
    auto context =
        sgm::testing::TestCluster::ContextFor(sgm::testing::kPractitionerToken);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::minutes(10));
    sgm::kpi::v1::ImportCaseEventsResponse response;
    auto writer = stub->ImportCaseEvents(context.get(), &response);
    constexpr size_t kChunk = 1 << 20;
    for (size_t at = 0; at < csv.size(); at += kChunk) {
      sgm::kpi::v1::ImportCaseEventsRequest request;
      if (at == 0) {
        request.mutable_chunk()->set_format(sgm::feed::v1::FEED_FORMAT_CSV);
      }
      request.mutable_chunk()->set_data(csv.substr(at, kChunk));
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok() || response.summary().rejected() != 0) {
      std::fprintf(stderr, "import: %s, rejected %lld\n",
                   s.error_message().c_str(),
                   static_cast<long long>(response.summary().rejected()));
      return 1;
    }
  }
  const double import_s = Ms(import_start) / 1000.0;
  std::printf(
      "through the gateway (scale 1, real redis-server): %zu events "
      "imported in %.1f s (%.0f events/s)\n",
      events.size(), import_s, events.size() / import_s);

  sgm::kpi::v1::GetIndicatorsRequest request;
  request.mutable_month()->set_year(2024);
  request.mutable_month()->set_month(5);
  const auto read = [&]() {
    sgm::kpi::v1::GetIndicatorsResponse response;
    auto context =
        sgm::testing::TestCluster::ContextFor(sgm::testing::kAnalystToken);
    const auto t0 = SteadyClock::now();
    grpc::Status s = stub->GetIndicators(context.get(), request, &response);
    const double ms = Ms(t0);
    if (!s.ok()) {
      std::fprintf(stderr, "GetIndicators: %s\n", s.error_message().c_str());
      std::exit(1);
    }
    return ms;
  };
  const double first = read();
  std::vector<double> cached;
  for (int i = 0; i < reads; ++i) cached.push_back(read());

  // Debian ships no generated grpc.health.v1 stubs: the same call as raw
  // bytes over a generic stub (an empty HealthCheckRequest).
  const std::shared_ptr<grpc::Channel> kpi_channel = grpc::CreateChannel(
      (*cluster)->kpi_address(), grpc::InsecureChannelCredentials());
  std::vector<double> bare;
  for (int i = 0; i < reads; ++i) {
    std::string answer;
    const auto t0 = SteadyClock::now();
    if (!sgm::testing::GenericUnaryCall(
             kpi_channel, "/grpc.health.v1.Health/Check", "", &answer)
             .ok()) {
      return 1;
    }
    bare.push_back(Ms(t0));
  }
  auto gateway =
      sgm::gateway::v1::GatewayService::NewStub((*cluster)->gateway_channel());
  std::vector<double> whoami;
  for (int i = 0; i < reads; ++i) {
    auto context =
        sgm::testing::TestCluster::ContextFor(sgm::testing::kAnalystToken);
    sgm::gateway::v1::WhoAmIRequest who;
    sgm::gateway::v1::WhoAmIResponse answer;
    const auto t0 = SteadyClock::now();
    if (!gateway->WhoAmI(context.get(), who, &answer).ok()) return 1;
    whoami.push_back(Ms(t0));
  }
  std::printf("  first GetIndicators (cold, then cached): %.1f ms\n", first);
  std::printf(
      "  cached GetIndicators via gateway: p50 %.3f ms, p99 %.3f ms "
      "(%d sequential reads)\n",
      Percentile(cached, 0.5), Percentile(cached, 0.99), reads);
  std::printf(
      "  bare gRPC health Check on the KPI port: p50 %.3f ms, p99 "
      "%.3f ms\n",
      Percentile(bare, 0.5), Percentile(bare, 0.99));
  std::printf(
      "  gateway WhoAmI (no backend):            p50 %.3f ms, p99 "
      "%.3f ms\n",
      Percentile(whoami, 0.5), Percentile(whoami, 0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<sgm::WorkingDayCalendar> calendar =
      sgm::WorkingDayCalendar::EnglandAndWales();
  absl::TimeZone zone;
  if (!calendar.ok() || !absl::LoadTimeZone("Europe/London", &zone)) return 1;
  for (absl::string_view text :
       absl::StrSplit(absl::GetFlag(FLAGS_scales), ',')) {
    int scale = 0;
    if (!absl::SimpleAtoi(text, &scale) || scale < 1) {
      std::fprintf(stderr, "--scales: '%s' is not a scale\n",
                   std::string(text).c_str());
      return 2;
    }
    if (int rc = StoreLevel(scale, *calendar, zone, absl::GetFlag(FLAGS_runs),
                            absl::GetFlag(FLAGS_batch));
        rc != 0) {
      return rc;
    }
  }
  return ThroughGateway(*calendar, absl::GetFlag(FLAGS_reads));
}
