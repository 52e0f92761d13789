// Contacts/s for an N-row contacts feed imported through the gateway into
// the intake service, durably (SQLite WAL, synchronous=FULL, real
// redis-server), beside the same file loaded by `sqlite3 .import` into an
// empty table on the same machine in the same run: the ceiling.
//
//   build/bench/import_bench [--rows 1000000] [--chunk_kib 1024]
//
// The services run in this process (as in the integration tests) and are
// reached over loopback gRPC, through the gateway's proxy.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"

ABSL_FLAG(int, rows, 1000000, "contacts in the feed");
ABSL_FLAG(int, chunk_kib, 1024, "size of each streamed chunk");

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from) {
  return std::chrono::duration<double>(Clock::now() - from).count();
}

// A deterministic, valid contacts feed: every row a distinct record.
void WriteFeed(const std::string& path, int rows) {
  static const char* kSources[] = {"6", "2A", "3A", "5A", "1A", "8"};
  static const char* kNeeds[] = {"N1", "N1", "N1", "N2", "N3", "N6"};
  std::ofstream out(path);
  out << "source_record_id,received_at,child_id,child_dob,source_code,"
         "primary_need,concerns,referrer_org,summary\n";
  const absl::CivilDay first(2023, 6, 1);
  for (int i = 0; i < rows; ++i) {
    const absl::CivilDay day = first + (i % 365);
    out << "R" << i << ','
        << absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day())
        << "T" << absl::StrFormat("%02d:%02d:00+00:00", 8 + i % 9, i % 60)
        << ",CH" << (i * 7919) % 60000 << ",2015-0" << 1 + i % 9 << "-1"
        << i % 9 << ',' << kSources[i % 6] << ',' << kNeeds[i % 6]
        << ",NEGLECT;DOMESTIC_ABUSE,Synthetic Referrer Org,"
        << "Synthetic summary of the concern number " << i << '\n';
  }
}

// Streams `feed` through the gateway as a practitioner naming POLICE.
grpc::Status Import(sgm::intake::v1::IntakeService::Stub& stub,
                    const std::string& feed, size_t chunk,
                    sgm::intake::v1::ImportContactsResponse* response) {
  grpc::ClientContext context;
  context.AddMetadata(
      "authorization",
      absl::StrCat("Bearer ", sgm::testing::kPractitionerToken));
  auto writer = stub.ImportContacts(&context, response);
  for (size_t at = 0; at < feed.size(); at += chunk) {
    sgm::intake::v1::ImportContactsRequest request;
    if (at == 0) {
      request.mutable_chunk()->set_format(sgm::feed::v1::FEED_FORMAT_CSV);
      request.set_agency("POLICE");
    }
    request.mutable_chunk()->set_data(feed.substr(at, chunk));
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

long MaxRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int rows = absl::GetFlag(FLAGS_rows);
  const size_t chunk =
      static_cast<size_t>(absl::GetFlag(FLAGS_chunk_kib)) * 1024;
  sgm::testing::TempDir dir("sgm-bench");
  const std::string feed_path = dir.File("contacts.csv");

  auto t = Clock::now();
  WriteFeed(feed_path, rows);
  std::ifstream in(feed_path, std::ios::binary);
  const std::string feed((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  std::printf("feed: %d rows, %.1f MB, written in %.2f s\n", rows,
              feed.size() / 1e6, Seconds(t));

  auto cluster = sgm::testing::TestCluster::Start();
  if (!cluster.ok()) {
    std::fprintf(stderr, "cluster: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  auto stub =
      sgm::intake::v1::IntakeService::NewStub((*cluster)->gateway_channel());

  t = Clock::now();
  sgm::intake::v1::ImportContactsResponse response;
  const grpc::Status status = Import(*stub, feed, chunk, &response);
  const double import_s = Seconds(t);
  if (!status.ok()) {
    std::fprintf(stderr, "import: %s\n", status.error_message().c_str());
    return 1;
  }
  const auto& summary = response.summary();
  if (summary.accepted() != rows) {
    std::fprintf(stderr, "import accepted %lld of %d rows (rejected %lld)\n",
                 static_cast<long long>(summary.accepted()), rows,
                 static_cast<long long>(summary.rejected()));
    return 1;
  }
  std::printf(
      "gateway -> intake import: %d contacts in %.2f s = %.0f contacts/s "
      "(durable: WAL, synchronous=FULL; accepted %lld)\n",
      rows, import_s, rows / import_s,
      static_cast<long long>(summary.accepted()));

  // Re-sending the same file: every row a duplicate.
  t = Clock::now();
  sgm::intake::v1::ImportContactsResponse again;
  if (Import(*stub, feed, chunk, &again).ok()) {
    const double again_s = Seconds(t);
    std::printf("re-send (all duplicates): %.2f s = %.0f contacts/s\n", again_s,
                rows / again_s);
  }

  // The ceiling: sqlite3's own CSV import into an empty table with the same
  // unique key, one transaction.
  const std::string db = dir.File("ceiling.db");
  const std::string script = dir.File("ceiling.sql");
  {
    std::ofstream sql(script);
    sql << "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
           "CREATE TABLE contacts (source_record_id TEXT, received_at TEXT, "
           "child_id TEXT, child_dob TEXT, source_code TEXT, primary_need "
           "TEXT, concerns TEXT, referrer_org TEXT, summary TEXT, "
           "UNIQUE (source_record_id));\n"
           ".mode csv\n.import --skip 1 "
        << feed_path << " contacts\n";
  }
  t = Clock::now();
  const int rc = std::system(
      absl::StrCat("sqlite3 ", db, " < ", script, " > /dev/null").c_str());
  const double sqlite_s = Seconds(t);
  if (rc != 0) {
    std::fprintf(stderr, "sqlite3 .import failed (%d)\n", rc);
    return 1;
  }
  std::printf("sqlite3 .import ceiling: %d rows in %.2f s = %.0f rows/s\n",
              rows, sqlite_s, rows / sqlite_s);
  std::printf("import / ceiling: %.0f%%\n", 100.0 * sqlite_s / import_s);
  std::printf("bench process max RSS: %.0f MB (services, client and feed)\n",
              MaxRssKib() / 1024.0);
  return 0;
}
