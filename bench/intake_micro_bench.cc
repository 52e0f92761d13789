// Micro-benchmarks of the pure front-door code (Google Benchmark):
//   build/bench/intake_micro_bench
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "common/feed_reader.h"
#include "services/intake/contact_feed_parser.h"
#include "services/intake/front_door_figures.h"

namespace {

std::string Feed(int rows) {
  std::string out =
      "source_record_id,received_at,child_id,child_dob,source_code,"
      "primary_need,concerns,referrer_org,summary\n";
  for (int i = 0; i < rows; ++i) {
    absl::StrAppend(&out, "R", i, ",2024-03-",
                    absl::StrFormat("%02d", 1 + i % 28), "T09:15:00+00:00,CH",
                    i % 5000,
                    ",2015-04-01,6,N1,NEGLECT;DOMESTIC_ABUSE,Synthetic Org,"
                    "Synthetic summary of the concern\n");
  }
  return out;
}

void BM_ReadAndParseContacts(benchmark::State& state) {
  const std::string feed = Feed(static_cast<int>(state.range(0)));
  const absl::Time now =
      absl::FromCivil(absl::CivilDay(2024, 6, 1), absl::UTCTimeZone());
  for (auto _ : state) {
    sgm::FeedReader reader(sgm::FeedFormat::kCsv,
                           sgm::intake::ContactFeedSchema());
    std::vector<sgm::FeedRecord> records;
    std::vector<sgm::FeedError> errors;
    if (!reader.Feed(feed, &records, &errors).ok()) state.SkipWithError("feed");
    if (!reader.Finish(&records, &errors).ok()) state.SkipWithError("finish");
    int64_t ok = 0;
    for (const auto& r : records) {
      ok += std::holds_alternative<sgm::intake::ContactRecord>(
          sgm::intake::ParseContactRecord(r, "POLICE", now));
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * feed.size());
}
BENCHMARK(BM_ReadAndParseContacts)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_FrontDoorFigures(benchmark::State& state) {
  // A Derby-sized year and a half: ~2,300 contacts a month.
  std::vector<sgm::intake::ContactFact> facts;
  const absl::CivilDay first(2023, 1, 1);
  for (int i = 0; i < state.range(0); ++i) {
    sgm::intake::ContactFact f;
    f.received_on = first + (i % 547);
    f.child_id = absl::StrCat("CH", (i * 7919) % 40000);
    f.source_code = i % 3 ? "6" : "2A";
    f.primary_need = i % 7 ? "N1" : "N6";
    if (i % 10) {
      f.outcome =
          i % 7 ? sgm::intake::Outcome::kNfa : sgm::intake::Outcome::kReferral;
      f.decided_on = f.received_on + 1;
    }
    facts.push_back(std::move(f));
  }
  auto calendar = sgm::WorkingDayCalendar::EnglandAndWales();
  for (auto _ : state) {
    auto figures = sgm::intake::ComputeFrontDoorFigures(
        facts, absl::CivilMonth(2024, 6), absl::CivilDay(2024, 6, 30),
        *calendar, sgm::intake::FrontDoorSettings());
    benchmark::DoNotOptimize(figures);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FrontDoorFigures)
    ->Arg(42000)
    ->Arg(420000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
