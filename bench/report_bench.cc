// The monthly practice report through the gateway under load, beside a
// bare gRPC server in the same process (issue 6: "cached-report QPS and
// p50/p99 latency through the gateway beside a bare gRPC echo on the same
// machine in the same run").
//
//   build/bench/report_bench [--concurrency 8] [--seconds 5]
//                            [--warmup_seconds 1] [--channels 0]
//                            [--months 25] [--uncached_samples 5]
//                            [--log_level warn]
//
// An in-process TestCluster (a real redis-server; the intake, KPI and
// workforce services on SQLite files in a temporary directory; the gateway,
// with its per-caller rate limit off, the TestCluster default) is loaded
// through the gateway with a synthetic authority ("831", tools/synth, as
// ./dev.sh demo generates it): `months` months of contacts and decisions,
// case events and workforce (staff, absences, establishment) ending May
// 2024, the report month (the cluster's clock stands at 2024-06-15).
//
// The report for May 2024 is composed once (the first read after the
// imports) and must have every section AVAILABLE (quality assurance runs
// but holds no records here: its section is all zeros). Then a closed-loop load
// client (`concurrency` callers, each calling again as soon as its answer
// arrives, for `seconds` after `warmup_seconds` not counted; at 1 caller and
// at `concurrency`) calls in turn
//   report via gateway (cached)  GetPracticeReport for May 2024 with the
//                                analyst token: the gateway authenticates,
//                                reads the three services' generations and
//                                the cached report from Redis (4 GETs),
//                                parses it and serialises the answer, on a
//                                thread of the composer's own;
//   bare echo (same bytes)       GetPracticeReport on a bare grpc::Server
//                                in this process: a preset copy of the same
//                                response (no auth, no Redis), serialised
//                                on every call like the gateway's;
//   bare echo (empty)            grpc.health.v1 Check (the default health
//                                service) on that server: a 2-byte answer;
//   gateway WhoAmI (no Redis)    the gateway's own cheapest call: the
//                                token check and a small answer.
// Every call is a blocking unary call of raw bytes (the path generated
// stubs take, without parsing the answer: the same client work for every
// target), on the caller's own channel (--channels 0) or on `channels`
// channels shared round robin; each channel has its own TCP connection.
// Every answer's length is checked against the expected one.
//
// Then the uncached path: `uncached_samples` times, a write through the
// gateway to every backend (one contact, one case event, one absence, all
// in June 2024, so May's figures do not move; each must move its service's
// generation), then one report: composed afresh from the three services,
// each recomputing its figures.
//
// Prints a table and one machine-readable JSON line (starting "JSON ").
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "bench/bench_stats.h"
#include "common/caller_identity.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/redis_cache.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/rpc_method.h"
#include "nlohmann/json.hpp"
#include "services/gateway/practice_report.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/health_probe.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_cluster.h"
#include "tools/synth/case_event_synthesizer.h"
#include "tools/synth/contact_synthesizer.h"
#include "tools/synth/workforce_synthesizer.h"

ABSL_FLAG(int, concurrency, 8,
          "concurrent callers of the loaded run (a run at 1 caller is made "
          "as well)");
ABSL_FLAG(double, seconds, 5, "measured seconds of each run");
ABSL_FLAG(double, warmup_seconds, 1,
          "seconds of calls before each run's measurement, not counted");
ABSL_FLAG(int, channels, 0,
          "client channels, shared round robin by the callers (0: one per "
          "caller); each channel has its own TCP connection");
ABSL_FLAG(int, months, 25,
          "months of synthetic data ending with the report month (13 or "
          "more: the report compares with the same month a year before)");
ABSL_FLAG(int, uncached_samples, 5,
          "reports composed afresh after a write to every backend");
ABSL_FLAG(std::string, log_level, "warn",
          "the in-process services' log level (debug, info, warn, error)");

namespace {

using sgm::bench::LatencySummary;
using sgm::bench::Ms;
using sgm::bench::SteadyClock;
using sgm::testing::TestCluster;
namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace wv1 = ::sgm::workforce::v1;

constexpr char kAuthority[] = "831";
const absl::CivilMonth kReportMonth(2024, 5);
constexpr char kReportMethod[] =
    "/sgm.gateway.v1.GatewayService/GetPracticeReport";
constexpr char kHealthCheckMethod[] = "/grpc.health.v1.Health/Check";
// grpc.health.v1.HealthCheckResponse{status: SERVING}: field 1, varint 1.
constexpr size_t kHealthCheckReplyBytes = 2;
constexpr char kWhoAmIMethod[] = "/sgm.gateway.v1.GatewayService/WhoAmI";

std::unique_ptr<grpc::ClientContext> Context(absl::string_view token) {
  auto context = TestCluster::ContextFor(token);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::minutes(5));
  return context;
}

// ---- The bare server: the same answer every time, nothing else. ----

// GetPracticeReport answering a preset report: no authentication, no
// Redis, no backend; the same message the gateway serialises.
class PresetReportService final : public gv1::GatewayService::CallbackService {
 public:
  explicit PresetReportService(gv1::GetPracticeReportResponse preset)
      : preset_(std::move(preset)) {}

  grpc::ServerUnaryReactor* GetPracticeReport(
      grpc::CallbackServerContext* context,
      const gv1::GetPracticeReportRequest* /*request*/,
      gv1::GetPracticeReportResponse* response) override {
    *response = preset_;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const gv1::GetPracticeReportResponse preset_;
};

// ---- Redis: generations and command counts, over a connection of our
// own. ----

class RedisProbe {
 public:
  explicit RedisProbe(int port) {
    const timeval timeout{2, 0};
    context_ = redisConnectWithTimeout("127.0.0.1", port, timeout);
  }
  ~RedisProbe() {
    if (context_ != nullptr) redisFree(context_);
  }
  RedisProbe(const RedisProbe&) = delete;
  RedisProbe& operator=(const RedisProbe&) = delete;

  // INFO stats total_commands_processed (this probe's INFO counts too),
  // -1 on error.
  int64_t CommandsProcessed() {
    const std::string info = Command("INFO stats");
    const std::string field = "total_commands_processed:";
    const size_t at = info.find(field);
    if (at == std::string::npos) return -1;
    return std::strtoll(info.c_str() + at + field.size(), nullptr, 10);
  }

  // The generation `service` has published ("" when none).
  std::string Generation(absl::string_view service) {
    return Command(absl::StrCat("GET sgm:", kAuthority, ":", service, ":gen"));
  }

  // The three services' generations, "intake=... kpi=... workforce=...".
  std::string Generations() {
    std::string all;
    for (const char* service : kServices) {
      absl::StrAppend(&all, all.empty() ? "" : " ", service, "=",
                      Generation(service));
    }
    return all;
  }

  static constexpr const char* kServices[] = {"intake", "kpi", "workforce"};

 private:
  // The reply's string, empty for anything else.
  std::string Command(const std::string& command) {
    if (context_ == nullptr || context_->err != 0) return "";
    auto* reply =
        static_cast<redisReply*>(redisCommand(context_, command.c_str()));
    std::string text;
    if (reply != nullptr && (reply->type == REDIS_REPLY_STRING ||
                             reply->type == REDIS_REPLY_STATUS)) {
      text.assign(reply->str, reply->len);
    }
    if (reply != nullptr) freeReplyObject(reply);
    return text;
  }

  redisContext* context_ = nullptr;
};

// ---- Loading a synthetic authority through the gateway. ----

absl::Status CheckImport(absl::string_view what, const grpc::Status& status,
                         const sgm::feed::v1::ImportSummary& summary) {
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("import ", what, ": ", status.error_message()));
  }
  if (summary.accepted() == 0) {
    return absl::InternalError(absl::StrCat("import ", what,
                                            ": nothing "
                                            "accepted"));
  }
  std::printf("  %-28s %8lld accepted, %lld rejected\n",
              std::string(what).c_str(),
              static_cast<long long>(summary.accepted()),
              static_cast<long long>(summary.rejected()));
  return absl::OkStatus();
}

template <typename Request, typename Stub, typename Method, typename Response>
grpc::Status Stream(Stub& stub, Method method, absl::string_view token,
                    const std::string& feed, Response* response) {
  auto context = Context(token);
  auto writer = (stub.*method)(context.get(), response);
  return sgm::testing::SendChunks<Request>(
      *writer, feed, 1 << 20, sgm::feed::v1::FEED_FORMAT_CSV, [](Request*) {});
}

struct Loaded {
  std::vector<std::string> staff_ids;
  double seconds = 0;
};

absl::StatusOr<Loaded> LoadAuthority(TestCluster& cluster, int months,
                                     const sgm::WorkingDayCalendar& calendar) {
  const absl::CivilMonth first = kReportMonth - (months - 1);
  Loaded loaded;
  const auto start = SteadyClock::now();
  auto channel = cluster.gateway_channel();
  auto intake = iv1::IntakeService::NewStub(channel);
  auto kpi = kv1::KpiService::NewStub(channel);
  auto workforce = wv1::WorkforceService::NewStub(channel);

  // Contacts and decisions.
  sgm::synth::SynthOptions contact_options;
  contact_options.seed = 1;
  contact_options.start_month = first;
  contact_options.months = months;
  sgm::synth::MemorySynthOutput contact_files;
  if (absl::StatusOr<sgm::synth::SynthStats> stats =
          sgm::synth::SynthesizeContacts(contact_options, &contact_files);
      !stats.ok()) {
    return stats.status();
  }
  for (absl::string_view agency : sgm::synth::kSynthAgencies) {
    auto it = contact_files.files().find(sgm::synth::ContactsFileName(agency));
    if (it == contact_files.files().end()) continue;
    iv1::ImportContactsResponse response;
    const grpc::Status status = sgm::testing::SendContacts(
        *intake, Context(sgm::testing::kPractitionerToken).get(), it->second,
        agency, &response);
    if (absl::Status s = CheckImport(absl::StrCat("contacts ", agency), status,
                                     response.summary());
        !s.ok()) {
      return s;
    }
  }
  {
    auto it =
        contact_files.files().find(std::string(sgm::synth::kDecisionsFileName));
    if (it == contact_files.files().end()) {
      return absl::InternalError("synth: no decisions file");
    }
    iv1::ImportDecisionsResponse response;
    const grpc::Status status = sgm::testing::SendDecisions(
        *intake, Context(sgm::testing::kPractitionerToken).get(), it->second,
        &response);
    if (absl::Status s = CheckImport("decisions", status, response.summary());
        !s.ok()) {
      return s;
    }
  }

  // Case events.
  sgm::synth::CaseEventSynthOptions event_options;
  event_options.seed = 1;
  event_options.first_month = first;
  event_options.months = months;
  absl::StatusOr<std::vector<sgm::kpi::CaseEvent>> events =
      sgm::synth::SynthesizeCaseEvents(event_options, calendar);
  if (!events.ok()) return events.status();
  {
    std::ostringstream csv;
    if (absl::Status s = sgm::synth::WriteCaseEventsCsv(*events, &csv);
        !s.ok()) {
      return s;
    }
    kv1::ImportCaseEventsResponse response;
    const grpc::Status status = Stream<kv1::ImportCaseEventsRequest>(
        *kpi, &kv1::KpiService::Stub::ImportCaseEvents,
        sgm::testing::kPractitionerToken, csv.str(), &response);
    if (absl::Status s = CheckImport("case events", status, response.summary());
        !s.ok()) {
      return s;
    }
  }

  // Workforce, consistent with the case events' workers.
  sgm::synth::WorkforceSynthOptions workforce_options;
  workforce_options.seed = 1;
  workforce_options.first_month = first;
  workforce_options.months = months;
  absl::StatusOr<sgm::synth::WorkforceFeeds> feeds =
      sgm::synth::SynthesizeWorkforce(
          workforce_options, sgm::synth::CaseHoldersOf(*events), calendar);
  if (!feeds.ok()) return feeds.status();
  for (const auto& member : feeds->staff) {
    loaded.staff_ids.push_back(member.staff_id);
  }
  {
    std::ostringstream staff, absences, establishment;
    if (absl::Status s = sgm::synth::WriteStaffCsv(feeds->staff, &staff);
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            sgm::synth::WriteAbsencesCsv(feeds->absences, &absences);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = sgm::synth::WriteEstablishmentCsv(feeds->establishment,
                                                           &establishment);
        !s.ok()) {
      return s;
    }
    wv1::ImportStaffResponse staff_response;
    grpc::Status status = Stream<wv1::ImportStaffRequest>(
        *workforce, &wv1::WorkforceService::Stub::ImportStaff,
        sgm::testing::kManagerToken, staff.str(), &staff_response);
    if (absl::Status s = CheckImport("staff", status, staff_response.summary());
        !s.ok()) {
      return s;
    }
    wv1::ImportAbsencesResponse absences_response;
    status = Stream<wv1::ImportAbsencesRequest>(
        *workforce, &wv1::WorkforceService::Stub::ImportAbsences,
        sgm::testing::kManagerToken, absences.str(), &absences_response);
    if (absl::Status s =
            CheckImport("absences", status, absences_response.summary());
        !s.ok()) {
      return s;
    }
    wv1::ImportEstablishmentResponse establishment_response;
    status = Stream<wv1::ImportEstablishmentRequest>(
        *workforce, &wv1::WorkforceService::Stub::ImportEstablishment,
        sgm::testing::kManagerToken, establishment.str(),
        &establishment_response);
    if (absl::Status s = CheckImport("establishment", status,
                                     establishment_response.summary());
        !s.ok()) {
      return s;
    }
  }
  loaded.seconds = Ms(start) / 1000;
  return loaded;
}

// Intake sends every REFERRAL decision on to the KPI service from its
// outbox in the background, each send a KPI write: waits until no
// service's generation has moved for `quiet`.
absl::Status WaitForQuiet(RedisProbe& redis, absl::Duration quiet,
                          absl::Duration limit) {
  const auto start = SteadyClock::now();
  std::string last = redis.Generations();
  auto last_change = SteadyClock::now();
  while (Ms(start) < absl::ToDoubleMilliseconds(limit)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string now = redis.Generations();
    if (now != last) {
      last = now;
      last_change = SteadyClock::now();
    } else if (Ms(last_change) >= absl::ToDoubleMilliseconds(quiet)) {
      std::printf("  generations settled after %.1f s: %s\n", Ms(start) / 1000,
                  last.c_str());
      return absl::OkStatus();
    }
  }
  return absl::DeadlineExceededError(
      absl::StrCat("the services' generations still moving after ",
                   absl::FormatDuration(limit)));
}

// ---- The report. ----

gv1::GetPracticeReportRequest ReportRequest() {
  gv1::GetPracticeReportRequest request;
  request.mutable_month()->set_year(static_cast<int32_t>(kReportMonth.year()));
  request.mutable_month()->set_month(kReportMonth.month());
  return request;
}

// Every deployed section available; QA not deployed (no service yet).
absl::Status CheckSections(const gv1::PracticeReport& report) {
  const std::pair<const char*, const gv1::SectionStatus*> sections[] = {
      {"front_door", &report.front_door().status()},
      {"performance", &report.performance().status()},
      {"workforce", &report.workforce().status()},
      {"quality", &report.quality().status()},
  };
  for (const auto& [name, status] : sections) {
    if (status->state() == gv1::SECTION_STATE_AVAILABLE) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "report section ", name, " is ",
        gv1::SectionState_Name(status->state()), ": ", status->reason()));
  }
  return absl::OkStatus();
}

// One report, timed; checks the sections.
absl::StatusOr<double> TimedReport(gv1::GatewayService::Stub& gateway,
                                   gv1::GetPracticeReportResponse* response) {
  auto context = Context(sgm::testing::kAnalystToken);
  const auto t0 = SteadyClock::now();
  const grpc::Status status =
      gateway.GetPracticeReport(context.get(), ReportRequest(), response);
  const double ms = Ms(t0);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("GetPracticeReport: ", status.error_message()));
  }
  if (absl::Status s = CheckSections(response->report()); !s.ok()) return s;
  return ms;
}

// A write through the gateway to every backend, all dated June 2024 (after
// the report month): one contact, one case event (a child coming into
// care), one absence of the i-th member of staff.
absl::Status WriteToEveryBackend(TestCluster& cluster,
                                 const std::vector<std::string>& staff_ids,
                                 int i) {
  auto channel = cluster.gateway_channel();
  auto intake = iv1::IntakeService::NewStub(channel);
  auto kpi = kv1::KpiService::NewStub(channel);
  auto workforce = wv1::WorkforceService::NewStub(channel);
  {
    const std::string feed = absl::StrCat(
        "source_record_id,received_at,child_id,child_dob,source_code,"
        "primary_need,concerns,referrer_org,summary\n"
        "BENCH",
        i, ",2024-06-10T09:00:00+01:00,,,6,N1,,,\n");
    iv1::ImportContactsResponse response;
    const grpc::Status status = sgm::testing::SendContacts(
        *intake, Context(sgm::testing::kPractitionerToken).get(), feed,
        "POLICE", &response);
    if (!status.ok() || response.summary().accepted() != 1) {
      return absl::InternalError(absl::StrCat(
          "bench contact: ", status.error_message(), response.DebugString()));
    }
  }
  {
    const std::string feed = absl::StrCat(
        "event_id,event_type,child_id,child_dob,ref_id,event_date,category,"
        "worker_id,team,visit_mode\n"
        "BENCH",
        i, ",CLA_START,BENCHC", i, ",2012-07-20,BENCHL", i,
        ",2024-06-10,,,,\n");
    kv1::ImportCaseEventsResponse response;
    const grpc::Status status = Stream<kv1::ImportCaseEventsRequest>(
        *kpi, &kv1::KpiService::Stub::ImportCaseEvents,
        sgm::testing::kPractitionerToken, feed, &response);
    if (!status.ok() || response.summary().accepted() != 1) {
      return absl::InternalError(
          absl::StrCat("bench case event: ", status.error_message(),
                       response.DebugString()));
    }
  }
  {
    wv1::RecordAbsenceRequest request;
    wv1::Absence* absence = request.mutable_absence();
    absence->set_staff_id(staff_ids[static_cast<size_t>(i) % staff_ids.size()]);
    absence->set_reason(wv1::ABSENCE_REASON_TRN);
    absence->mutable_start_date()->set_year(2024);
    absence->mutable_start_date()->set_month(6);
    absence->mutable_start_date()->set_day(12);
    *absence->mutable_end_date() = absence->start_date();
    absence->set_days_lost(1);
    wv1::RecordAbsenceResponse response;
    const grpc::Status status = workforce->RecordAbsence(
        Context(sgm::testing::kManagerToken).get(), request, &response);
    if (!status.ok() || response.duplicate()) {
      return absl::InternalError(
          absl::StrCat("bench absence: ", status.error_message()));
    }
  }
  return absl::OkStatus();
}

// ---- The closed-loop load client. ----

struct Target {
  std::string name;
  std::string address;
  const char* method;
  std::string request;  // serialised
  std::string token;    // empty: no authorization header
  size_t reply_bytes;   // every answer must be this long
};

struct RunResult {
  std::string target;
  int callers = 0;
  int channels = 0;
  double seconds = 0;  // from the end of the warm-up to the last answer
  LatencySummary latency;
  int64_t errors = 0;
  std::string first_error;
  double qps() const {
    return seconds > 0 ? static_cast<double>(latency.count) / seconds : 0;
  }
};

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // Its own subchannel, hence its own TCP connection (channels with equal
  // arguments otherwise share one).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(5));
  return channel;
}

RunResult ClosedLoop(const Target& target, int callers, int channel_count,
                     double warmup_seconds, double seconds) {
  if (channel_count <= 0) channel_count = callers;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < channel_count; ++i) {
    channels.push_back(NewChannel(target.address));
  }
  struct Caller {
    std::vector<double> latencies;
    SteadyClock::time_point last_answer;
    int64_t errors = 0;
    std::string first_error;
  };
  std::vector<Caller> results(static_cast<size_t>(callers));
  const auto begin = SteadyClock::now() + std::chrono::milliseconds(50);
  const auto measure_from =
      begin + std::chrono::duration_cast<SteadyClock::duration>(
                  std::chrono::duration<double>(warmup_seconds));
  const auto until =
      measure_from + std::chrono::duration_cast<SteadyClock::duration>(
                         std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      Caller& me = results[static_cast<size_t>(c)];
      me.latencies.reserve(200000);
      const std::shared_ptr<grpc::Channel>& channel =
          channels[static_cast<size_t>(c % channel_count)];
      const grpc::internal::RpcMethod method(
          target.method, grpc::internal::RpcMethod::NORMAL_RPC, channel);
      const grpc::ByteBuffer request =
          sgm::testing::ToByteBuffer(target.request);
      std::this_thread::sleep_until(begin);
      while (true) {
        const auto t0 = SteadyClock::now();
        if (t0 >= until) break;
        grpc::ClientContext context;
        if (!target.token.empty()) {
          context.AddMetadata("authorization",
                              absl::StrCat("Bearer ", target.token));
        }
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(10));
        grpc::ByteBuffer reply;
        const grpc::Status status =
            grpc::internal::BlockingUnaryCall<grpc::ByteBuffer,
                                              grpc::ByteBuffer>(
                channel.get(), method, &context, request, &reply);
        const auto t1 = SteadyClock::now();
        if (t0 < measure_from) continue;  // warm-up
        std::string error;
        if (!status.ok()) {
          error = absl::StrCat(static_cast<int>(status.error_code()), " ",
                               status.error_message());
        } else if (reply.Length() != target.reply_bytes) {
          error = absl::StrCat("answer of ", reply.Length(), " bytes, not ",
                               target.reply_bytes);
        }
        if (!error.empty()) {
          if (me.errors++ == 0) me.first_error = error;
          continue;
        }
        me.latencies.push_back(
            std::chrono::duration<double, std::milli>(t1 - t0).count());
        me.last_answer = t1;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  RunResult result;
  result.target = target.name;
  result.callers = callers;
  result.channels = channel_count;
  std::vector<double> all;
  SteadyClock::time_point last = measure_from;
  for (Caller& caller : results) {
    all.insert(all.end(), caller.latencies.begin(), caller.latencies.end());
    last = std::max(last, caller.last_answer);
    result.errors += caller.errors;
    if (result.first_error.empty()) result.first_error = caller.first_error;
  }
  result.seconds = std::chrono::duration<double>(last - measure_from).count();
  result.latency = sgm::bench::Summarize(std::move(all));
  return result;
}

nlohmann::json ToJson(const LatencySummary& s) {
  return {{"count", s.count}, {"p50_ms", s.p50}, {"p90_ms", s.p90},
          {"p99_ms", s.p99},  {"max_ms", s.max}, {"mean_ms", s.mean}};
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "report_bench: %s\n", status.ToString().c_str());
  return 1;
}

int Run() {
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
  const int channels = absl::GetFlag(FLAGS_channels);
  const int months = absl::GetFlag(FLAGS_months);
  const int uncached_samples = absl::GetFlag(FLAGS_uncached_samples);
  if (concurrency < 1 || seconds <= 0 || warmup < 0 || channels < 0 ||
      months < 13 || months > 120 || uncached_samples < 0) {
    std::fprintf(stderr,
                 "report_bench: --concurrency >= 1, --seconds > 0, "
                 "--warmup_seconds >= 0, --channels >= 0, --months 13 to "
                 "120, --uncached_samples >= 0\n");
    return 2;
  }
  if (absl::Status s =
          sgm::InitLogging("report_bench", absl::GetFlag(FLAGS_log_level));
      !s.ok()) {
    return Fail(s);
  }
  absl::StatusOr<sgm::WorkingDayCalendar> calendar =
      sgm::WorkingDayCalendar::EnglandAndWales();
  if (!calendar.ok()) return Fail(calendar.status());

  // The gateway's per-caller rate limit stays off (0, the TestCluster
  // default): every call of the load client is the one analyst caller.
  TestCluster::Options options;
  options.rate_limit_per_second = 0;
  // The synthetic case events carry the referrals (each with its contact):
  // intake reads open work from the KPI service but forwards no referral,
  // as in the demo (docs/demo.md), so none counts twice.
  options.intake_forwards_referrals = false;
  auto cluster = TestCluster::Start(options);
  if (!cluster.ok()) return Fail(cluster.status());
  RedisProbe redis((*cluster)->redis()->port());
  std::printf(
      "report_bench: authority %s, report month %04d-%02d, %d months of "
      "synthetic data; gateway rate limit off; real redis-server\n",
      kAuthority, static_cast<int>(kReportMonth.year()), kReportMonth.month(),
      months);

  absl::StatusOr<Loaded> loaded = LoadAuthority(**cluster, months, *calendar);
  if (!loaded.ok()) return Fail(loaded.status());
  std::printf("  loaded through the gateway in %.1f s\n", loaded->seconds);
  if (absl::Status s =
          WaitForQuiet(redis, absl::Seconds(2), absl::Seconds(120));
      !s.ok()) {
    return Fail(s);
  }

  auto gateway = gv1::GatewayService::NewStub((*cluster)->gateway_channel());
  // The first report: composed from the services (whose own caches are
  // mostly cold after the imports), then cached.
  gv1::GetPracticeReportResponse first;
  absl::StatusOr<double> first_ms = TimedReport(*gateway, &first);
  if (!first_ms.ok()) return Fail(first_ms.status());
  // The workforce service reads caseloads from the KPI service with a 2 s
  // deadline; on a loaded machine the KPI service's first read (its model
  // built after the bulk import) can take longer, and the section is then
  // AVAILABLE without caseloads, and cached so. A write moves the
  // generations: the next report is composed again, with them.
  for (int attempt = 0;
       !first.report().workforce().figures().caseloads_available() &&
       attempt < 3;
       ++attempt) {
    std::printf(
        "  WARNING: the first report has no caseloads (the KPI service was "
        "slow to answer the workforce service); composing again after a "
        "write\n");
    if (absl::Status s =
            WriteToEveryBackend(**cluster, loaded->staff_ids, 1000 + attempt);
        !s.ok()) {
      return Fail(s);
    }
    first_ms = TimedReport(*gateway, &first);
    if (!first_ms.ok()) return Fail(first_ms.status());
  }
  if (!first.report().workforce().figures().caseloads_available()) {
    return Fail(absl::FailedPreconditionError(
        "the report's workforce section has no caseloads"));
  }
  gv1::GetPracticeReportResponse cached;
  absl::StatusOr<double> cached_ms = TimedReport(*gateway, &cached);
  if (!cached_ms.ok()) return Fail(cached_ms.status());
  const std::string report_bytes = cached.SerializeAsString();
  const gv1::PracticeReport& report = cached.report();
  std::printf(
      "  report for %04d-%02d: every section AVAILABLE (quality "
      "%s); %lld contacts this month, %d indicators, %lld open cases, "
      "%d workforce trend points\n",
      report.month().year(), report.month().month(),
      gv1::SectionState_Name(report.quality().status().state()).c_str(),
      static_cast<long long>(
          report.front_door().figures().this_month().contacts()),
      report.performance().indicators().indicators_size(),
      static_cast<long long>(
          report.performance().case_status().open_cases().total()),
      report.workforce().trend_size());
  std::printf(
      "  serialised GetPracticeReportResponse: %zu bytes; first compose "
      "after the imports %.1f ms, next (cached) %.2f ms\n",
      report_bytes.size(), *first_ms, *cached_ms);

  // Redis commands a cached report costs: sequential calls between two
  // counts, less the counting INFOs (measured with no calls between).
  double redis_per_call = -1;
  {
    const int64_t a = redis.CommandsProcessed();
    const int64_t b = redis.CommandsProcessed();
    constexpr int kCalls = 200;
    for (int i = 0; i < kCalls; ++i) {
      gv1::GetPracticeReportResponse response;
      if (!gateway
               ->GetPracticeReport(Context(sgm::testing::kAnalystToken).get(),
                                   ReportRequest(), &response)
               .ok()) {
        return Fail(absl::InternalError("GetPracticeReport failed"));
      }
    }
    const int64_t c = redis.CommandsProcessed();
    if (a >= 0 && b >= 0 && c >= 0) {
      redis_per_call = static_cast<double>((c - b) - (b - a)) / kCalls;
    }
    std::printf("  Redis commands a cached report costs: %.2f\n",
                redis_per_call);
  }
  // What those costs are on this machine, sequentially, for attribution: a
  // Redis GET round trip (hiredis on loopback, like the gateway's cache)
  // and a thread started and joined (the composer starts one per report).
  LatencySummary redis_get, thread_start, compose_cached;
  {
    std::vector<double> samples;
    for (int i = 0; i < 2000; ++i) {
      const auto t0 = SteadyClock::now();
      redis.Generation("kpi");
      samples.push_back(Ms(t0));
    }
    redis_get = sgm::bench::Summarize(std::move(samples));
    samples.clear();
    for (int i = 0; i < 2000; ++i) {
      const auto t0 = SteadyClock::now();
      std::thread([] {}).join();
      samples.push_back(Ms(t0));
    }
    thread_start = sgm::bench::Summarize(std::move(samples));
    // The composer itself, called directly on this thread (no gRPC in
    // front): its cached path, the 4 GETs, the parse and the copy.
    sgm::RedisCache::Options cache_options;
    cache_options.port = (*cluster)->redis()->port();
    sgm::SystemClock cache_clock;
    sgm::RedisCache cache(cache_options, &cache_clock);
    sgm::gateway::PracticeReportComposer composer(
        sgm::gateway::MakeGrpcReportSources(
            {{"sgm.intake.v1",
              grpc::CreateChannel((*cluster)->intake_address(),
                                  grpc::InsecureChannelCredentials())},
             {"sgm.kpi.v1",
              grpc::CreateChannel((*cluster)->kpi_address(),
                                  grpc::InsecureChannelCredentials())},
             {"sgm.workforce.v1",
              grpc::CreateChannel((*cluster)->workforce_address(),
                                  grpc::InsecureChannelCredentials())},
             {"sgm.qa.v1",
              grpc::CreateChannel((*cluster)->qa_address(),
                                  grpc::InsecureChannelCredentials())}}),
        &cache, &(*cluster)->clock(), sgm::gateway::ComposerOptions());
    sgm::CallerIdentity analyst;
    analyst.caller = "report-bench";
    analyst.role = sgm::Role::kAnalyst;
    analyst.authority = kAuthority;
    samples.clear();
    for (int i = 0; i < 2000; ++i) {
      const auto t0 = SteadyClock::now();
      absl::StatusOr<gv1::PracticeReport> composed =
          composer.Compose(analyst, kReportMonth);
      samples.push_back(Ms(t0));
      if (!composed.ok() || composed->SerializeAsString() !=
                                cached.report().SerializeAsString()) {
        return Fail(absl::InternalError(
            "the composer's cached report differs from the gateway's"));
      }
    }
    compose_cached = sgm::bench::Summarize(std::move(samples));
    std::printf(
        "  for attribution, sequential: PracticeReportComposer::Compose "
        "called directly (cached) p50 %.3f ms (p99 %.3f)\n",
        compose_cached.p50, compose_cached.p99);
    std::printf(
        "  for attribution, sequential: a Redis GET round trip p50 %.3f ms "
        "(p99 %.3f); a thread started and joined p50 %.3f ms (p99 %.3f)\n",
        redis_get.p50, redis_get.p99, thread_start.p50, thread_start.p99);
  }

  // The bare server in this process.
  PresetReportService echo(cached);
  grpc::EnableDefaultHealthCheckService(true);
  int echo_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &echo_port);
  builder.RegisterService(&echo);
  std::unique_ptr<grpc::Server> echo_server = builder.BuildAndStart();
  if (echo_server == nullptr || echo_port == 0) {
    return Fail(absl::InternalError("the bare echo server did not start"));
  }
  const std::string echo_address = absl::StrCat("127.0.0.1:", echo_port);
  const std::string request_bytes = ReportRequest().SerializeAsString();
  size_t whoami_bytes = 0;
  {
    gv1::WhoAmIResponse who;
    if (!gateway
             ->WhoAmI(Context(sgm::testing::kAnalystToken).get(),
                      gv1::WhoAmIRequest(), &who)
             .ok()) {
      return Fail(absl::InternalError("WhoAmI failed"));
    }
    whoami_bytes = who.ByteSizeLong();
  }
  const std::vector<Target> targets = {
      {"report via gateway (cached)", (*cluster)->gateway_address(),
       kReportMethod, request_bytes, std::string(sgm::testing::kAnalystToken),
       report_bytes.size()},
      {"bare echo (same bytes)", echo_address, kReportMethod, request_bytes, "",
       report_bytes.size()},
      {"bare echo (empty)", echo_address, kHealthCheckMethod, "", "",
       kHealthCheckReplyBytes},
      // The gateway's own cost without Redis or a backend: authentication
      // and a small answer.
      {"gateway WhoAmI (no Redis)", (*cluster)->gateway_address(),
       kWhoAmIMethod, "", std::string(sgm::testing::kAnalystToken),
       whoami_bytes},
  };

  const std::string generations_before = redis.Generations();
  std::vector<int> levels = {1};
  if (concurrency != 1) levels.push_back(concurrency);
  std::vector<RunResult> runs;
  for (int callers : levels) {
    for (const Target& target : targets) {
      runs.push_back(ClosedLoop(target, callers, channels, warmup, seconds));
    }
  }
  const std::string generations_after = redis.Generations();
  const bool stayed_cached = generations_before == generations_after;

  // The uncached path: each write must move its service's generation, so
  // that the next report is composed afresh from all three.
  std::vector<double> uncached;
  std::vector<double> uncached_redis;
  for (int i = 0; i < uncached_samples; ++i) {
    std::map<std::string, std::string> before;
    for (const char* service : RedisProbe::kServices) {
      before[service] = redis.Generation(service);
    }
    if (absl::Status s = WriteToEveryBackend(**cluster, loaded->staff_ids, i);
        !s.ok()) {
      return Fail(s);
    }
    for (const char* service : RedisProbe::kServices) {
      if (redis.Generation(service) == before[service]) {
        return Fail(absl::InternalError(absl::StrCat(
            "the bench's write did not move the ", service, " generation")));
      }
    }
    const int64_t a = redis.CommandsProcessed();
    gv1::GetPracticeReportResponse response;
    absl::StatusOr<double> ms = TimedReport(*gateway, &response);
    const int64_t b = redis.CommandsProcessed();
    if (!ms.ok()) return Fail(ms.status());
    uncached.push_back(*ms);
    uncached_redis.push_back(static_cast<double>(b - a - 1));
  }
  const LatencySummary uncached_summary = sgm::bench::Summarize(uncached);

  const std::string channel_text =
      channels == 0 ? "one channel (own TCP connection) per caller"
                    : absl::StrCat(channels, " channels shared round robin");
  std::printf(
      "\nclosed loop: %.1f s measured after %.1f s warm-up; blocking unary "
      "calls of raw bytes; %s\n",
      seconds, warmup, channel_text.c_str());
  std::printf("%-28s %7s %8s %9s %8s %8s %8s %8s %6s\n", "target", "callers",
              "calls", "QPS", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors");
  nlohmann::json json_runs = nlohmann::json::array();
  for (const RunResult& run : runs) {
    std::printf("%-28s %7d %8zu %9.0f %8.3f %8.3f %8.3f %8.2f %6lld\n",
                run.target.c_str(), run.callers, run.latency.count, run.qps(),
                run.latency.p50, run.latency.p90, run.latency.p99,
                run.latency.max, static_cast<long long>(run.errors));
    if (run.errors > 0) {
      std::printf("  first error: %s\n", run.first_error.c_str());
    }
    json_runs.push_back({{"target", run.target},
                         {"callers", run.callers},
                         {"channels", run.channels},
                         {"seconds", run.seconds},
                         {"qps", run.qps()},
                         {"errors", run.errors},
                         {"latency", ToJson(run.latency)}});
  }
  if (!stayed_cached) {
    std::printf(
        "WARNING: a service's generation moved during the runs (%s -> %s): "
        "some reports were composed afresh\n",
        generations_before.c_str(), generations_after.c_str());
  }
  std::printf(
      "uncached: report composed afresh after a write to every backend: "
      "p50 %.1f ms, max %.1f ms (%zu samples; Redis commands a compose, "
      "median: %.0f)\n",
      uncached_summary.p50, uncached_summary.max, uncached_summary.count,
      sgm::bench::Median(uncached_redis));

  const nlohmann::json json = {
      {"bench", "report_bench"},
      {"authority", kAuthority},
      {"month", "2024-05"},
      {"months_loaded", months},
      {"report_bytes", report_bytes.size()},
      {"redis_commands_per_cached_report", redis_per_call},
      {"redis_get_round_trip", ToJson(redis_get)},
      {"thread_start_join", ToJson(thread_start)},
      {"composer_compose_cached", ToJson(compose_cached)},
      {"rate_limit", "off"},
      {"first_compose_ms", *first_ms},
      {"stayed_cached", stayed_cached},
      {"runs", json_runs},
      {"uncached_after_write", ToJson(uncached_summary)},
      {"redis_commands_per_uncached_report",
       sgm::bench::Median(uncached_redis)},
  };
  std::printf("JSON %s\n", json.dump().c_str());
  echo_server->Shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
