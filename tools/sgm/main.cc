// sgm: the suite's command line. Feeds go to intake, the KPI, workforce and
// QA services through the gateway; figures and indicators come back the
// same way; synthetic feeds and token helpers work offline.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/civil_date.h"
#include "common/config.h"
#include "common/grpc_status.h"
#include "common/proto_convert.h"
#include "common/tls_config.h"
#include "common/working_day_calendar.h"
#include "grpcpp/grpcpp.h"
#include "services/gateway/report_html.h"
#include "services/gateway/report_markdown.h"
#include "services/gateway/token_authenticator.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "sgm/kpi/v1/kpi.grpc.pb.h"
#include "sgm/qa/v1/qa.grpc.pb.h"
#include "sgm/workforce/v1/workforce.grpc.pb.h"
#include "tools/sgm/feed_upload.h"
#include "tools/sgm/figures_table.h"
#include "tools/sgm/indicators_table.h"
#include "tools/sgm/insight_table.h"
#include "tools/sgm/progress_bar.h"
#include "tools/sgm/qa_table.h"
#include "tools/sgm/store_backup.h"
#include "tools/sgm/workforce_table.h"
#include "tools/synth/case_event_synthesizer.h"
#include "tools/synth/contact_synthesizer.h"
#include "tools/synth/qa_synthesizer.h"
#include "tools/synth/workforce_synthesizer.h"

ABSL_FLAG(std::string, gateway, "localhost:50051",
          "the gateway's address, host:port (SGM_GATEWAY)");
ABSL_FLAG(std::string, token, "",
          "the bearer token to call the gateway with (SGM_TOKEN)");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA to verify the gateway with: when set, the gateway is called "
          "over TLS (SGM_TLS_CA); default plaintext");
ABSL_FLAG(std::string, tls_server_name, "",
          "name checked in the gateway's certificate instead of the host of "
          "--gateway (SGM_TLS_SERVER_NAME)");
ABSL_FLAG(absl::Duration, deadline, absl::ZeroDuration(),
          "deadline of each call, e.g. 45s or 1h (SGM_DEADLINE); 0: 30m for "
          "imports, 30s for other calls");
ABSL_FLAG(std::string, agency, "",
          "import contacts: the agency that sent the file (internal callers; "
          "a partner's agency comes from its token)");
ABSL_FLAG(std::string, format, "",
          "import: csv or jsonl, default from the file's extension; report: "
          "md, html or json, default md");
ABSL_FLAG(std::string, month, "",
          "intake stats: the month, YYYY-MM, default the current month; kpi "
          "indicators and kpi status: the month (required); report: the "
          "month, default the last full month");
ABSL_FLAG(std::string, as_of, "",
          "intake stats: as-of date of the per-week figures, YYYY-MM-DD, "
          "default the month's last day; kpi watchlist and kpi caseloads: "
          "the date, default today; qa themes: only themes on this day "
          "(also spelt --as-of)");
ABSL_FLAG(std::string, team, "",
          "kpi caseloads and qa summary: only this team");
ABSL_FLAG(std::string, theme, "",
          "qa summary: only the audits of this theme (its theme_id)");
ABSL_FLAG(std::string, id, "", "qa create-theme: the theme's id");
ABSL_FLAG(std::string, name, "",
          "qa create-theme: what the theme is, e.g. \"Child protection\"");
ABSL_FLAG(std::string, end, "",
          "qa create-theme: the theme's last day, YYYY-MM-DD");
ABSL_FLAG(bool, json, false,
          "intake stats, kpi, workforce summary, qa summary and qa themes: "
          "print JSON instead of a table");
ABSL_FLAG(std::string, out, "",
          "synth: the output directory; report: the file to write (also -o "
          "FILE), default standard output");
ABSL_FLAG(std::string, store, "",
          "admin backup: the live SQLite store to copy");
ABSL_FLAG(std::string, to, "",
          "admin backup: the new file to write (must not exist); admin "
          "audit: the last day, YYYY-MM-DD (UTC), inclusive; qa summary: the "
          "period's last day, YYYY-MM-DD");
ABSL_FLAG(std::string, service, "",
          "admin audit: whose read-audit log (intake, kpi, workforce or qa)");
ABSL_FLAG(std::string, from, "",
          "admin audit: the first day, YYYY-MM-DD (UTC); qa summary: the "
          "period's first day, YYYY-MM-DD");
ABSL_FLAG(std::string, caller, "", "admin audit: only reads by this caller");
ABSL_FLAG(std::string, child, "",
          "admin audit: only reads that returned this child");
ABSL_FLAG(std::string, method, "",
          "admin audit: only this method (e.g. GetContact)");
ABSL_FLAG(uint64_t, seed, 1, "synth: the random seed");
ABSL_FLAG(std::string, start, "",
          "synth: the first month, YYYY-MM; default --months before the "
          "current month; qa create-theme: the theme's first day, "
          "YYYY-MM-DD");
ABSL_FLAG(int, months, 12, "synth: how many months");
ABSL_FLAG(int, scale, 1,
          "synth: how many authorities (contacts 1 to 1000, the others 1 to "
          "100), each under DIR/CODE when more than one");
ABSL_FLAG(std::string, first_authority, "831",
          "synth: the first authority's code (the others count up from it)");

// sgm insight compare.
ABSL_FLAG(std::string, before, "",
          "insight compare: the first period, YYYY-MM..YYYY-MM");
ABSL_FLAG(std::string, after, "",
          "insight compare: the second period, YYYY-MM..YYYY-MM");
ABSL_FLAG(std::string, figures, "",
          "insight compare: figure ids, comma-separated (sgm insight "
          "figures); default every figure");

namespace sgm::cli {
namespace {

constexpr absl::string_view kUsage =
    R"(usage: sgm [--gateway=HOST:PORT] [--token=TOKEN] [--deadline=DURATION] COMMAND ...

commands:
  import contacts FILE [--agency=AGENCY] [--format=csv|jsonl]
      send a contacts feed to intake; prints accepted, duplicates and
      rejected records with their line, field and reason, then the file's
      completeness (mean score, how many below the threshold, most missing)
  import decisions FILE [--format=csv|jsonl]
      send a decisions feed to intake
  import events FILE [--format=csv|jsonl]
      send a case-events feed (case-management system) to the KPI service
  import staff|absences|establishment FILE [--format=csv|jsonl]
      send a workforce feed (HR system) to the workforce service
  import audits|feedback|actions FILE [--format=csv|jsonl]
      send a quality-assurance feed to the QA service
  intake stats [--month=YYYY-MM] [--as_of=YYYY-MM-DD] [--json]
      front-door figures for a month (default: the current month)
  kpi indicators --month=YYYY-MM [--json]
      the eight statutory indicators for a month, with targets, RAG and
      comparators
  kpi status --month=YYYY-MM [--json]
      open cases by level, rates per 10,000, referrals, watchlist counts
  kpi watchlist KIND [--as-of=YYYY-MM-DD] [--json]
      the children on a watchlist (KIND: cp-2-years, s47-over-10wd,
      pre-proceedings-12-weeks, under-1-cp); child-level, staff only
  kpi caseloads [--as-of=YYYY-MM-DD] [--team=TEAM] [--json]
      open cases per worker
  workforce summary [--as-of=YYYY-MM-DD | --date=YYYY-MM-DD] [--json]
      staffing by service area (maternity, agency, long-term absence),
      vacancy, turnover, absence, caseloads and costs
  qa summary [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--team=TEAM]
             [--theme=THEME_ID] [--json]
      audits by grade, moderation, domains, feedback, actions and
      re-audits for a period (default: this month to date; a theme's
      period with --theme)
  qa themes [--as-of=YYYY-MM-DD] [--json]
      the themed focus periods (only those on a day with --as-of)
  qa create-theme --id=THEME_ID --name=NAME --start=YYYY-MM-DD
                  --end=YYYY-MM-DD
      record a theme (re-sending the same theme changes nothing)
  insight quality|duplicates|funnel|visits|flows [--from=YYYY-MM]
          [--to=YYYY-MM] [--json]
      practice insight over a range of months (default the 12 to the last
      full month): referral quality per agency, duplicate input, the
      abuse-category funnel, visit quality, service-level flows
  insight figures [--json]
      the figures insight compare knows, with their ids
  insight compare --before=YYYY-MM..YYYY-MM --after=YYYY-MM..YYYY-MM
                  [--figures=ID,ID,...] [--json]
      figures over two periods (e.g. before and after a pilot) with the
      absolute and relative change
  report [--month=YYYY-MM] [--format=md|html|json] [-o FILE | --out=FILE]
      the monthly practice report (front door, indicators, case status,
      watchlists, workforce, quality assurance) for the caller's
      authority, as Markdown, HTML with charts, or JSON; default the last
      full month, to standard output
  whoami
      who the token says the caller is
  synth contacts --out=DIR [--seed=N] [--start=YYYY-MM] [--months=N]
                 [--scale=N] [--first_authority=CODE]
      write synthetic contacts and decisions feeds, a contact for each
      referral of `synth events` with the same options (no gateway needed)
  synth events --out=DIR [--seed=N] [--start=YYYY-MM] [--months=N]
               [--scale=N] [--first_authority=CODE]
      write a synthetic case-events feed, DIR/case-events.csv, for a
      Derby-sized authority; no gateway needed
  synth workforce --out=DIR [--seed=N] [--start=YYYY-MM] [--months=N]
                  [--scale=N] [--first_authority=CODE]
      write synthetic staff.csv, absences.csv and establishment.csv naming
      the workers of `synth events` with the same options
  synth qa --out=DIR [--seed=N] [--start=YYYY-MM] [--months=N] [--scale=N]
           [--first_authority=CODE]
      write synthetic audits.csv, feedback.csv, actions.csv and themes.csv
      naming the children, workers and teams of `synth events` with the
      same options
      (every synth: --scale=N makes N authorities, codes counting up from
      --first_authority, each with its own level and files under DIR/CODE)
  admin hash-token TOKEN
      the SHA-256 (hex) of TOKEN, as the gateway's token table stores it
  admin new-token
      a new random token (32 bytes, hex)
  admin backup --store=FILE --to=FILE
      copy a service's SQLite store while it runs (online backup API),
      then check the copy's integrity (no gateway needed)
  admin verify FILE
      integrity check and schema version of a store or a backup
  admin audit --service=intake|kpi|workforce|qa [--from=YYYY-MM-DD]
              [--to=YYYY-MM-DD] [--caller=NAME] [--child=ID]
              [--method=NAME] [--json]
      the service's read-audit log for the caller's authority, newest
      first (admin token only; days are UTC, both inclusive)

global flags (also from the environment):
  --gateway   SGM_GATEWAY   the gateway, default localhost:50051
  --token     SGM_TOKEN     the bearer token
  --deadline  SGM_DEADLINE  per call; default 30m for imports, 30s otherwise
  --tls_ca    SGM_TLS_CA    PEM CA: call the gateway over TLS, verifying it
                            with this CA (default plaintext)
  --tls_server_name  SGM_TLS_SERVER_NAME  the name to check in the gateway's
                            certificate instead of the host of --gateway

exit status: 0 done (an import with rejected records included), 1 the call
or the work failed, 2 bad usage.
)";

constexpr absl::string_view kImportUsage =
    R"(usage: sgm import contacts FILE [--agency=AGENCY] [--format=csv|jsonl]
       sgm import decisions FILE [--format=csv|jsonl]
       sgm import events FILE [--format=csv|jsonl]
       sgm import staff|absences|establishment FILE [--format=csv|jsonl]
       sgm import audits|feedback|actions FILE [--format=csv|jsonl]
FILE is CSV with a header row or JSON Lines (DESIGN section 5); the format
comes from the extension (.csv, .jsonl, .ndjson) unless --format is given.
)";

constexpr absl::string_view kIntakeUsage =
    R"(usage: sgm intake stats [--month=YYYY-MM] [--as_of=YYYY-MM-DD] [--json]
)";

constexpr absl::string_view kKpiUsage =
    R"(usage: sgm kpi indicators --month=YYYY-MM [--json]
       sgm kpi status --month=YYYY-MM [--json]
       sgm kpi watchlist KIND [--as-of=YYYY-MM-DD] [--json]
       sgm kpi caseloads [--as-of=YYYY-MM-DD] [--team=TEAM] [--json]
KIND: cp-2-years, s47-over-10wd, pre-proceedings-12-weeks, under-1-cp.
--as-of defaults to today (the authority's local date).
)";

constexpr absl::string_view kWhoAmIUsage = "usage: sgm whoami\n";

constexpr absl::string_view kReportUsage =
    R"(usage: sgm report [--month=YYYY-MM] [--format=md|html|json] [-o FILE | --out=FILE]
The monthly practice report for the token's authority, composed by the
gateway from the services' figures: --month defaults to the last full month
(the authority's local date); --format md (default) is Markdown in the shape
of the scrutiny reports, html a standalone printable page with charts (Chart.js
inlined: it opens from a file with no network), json the protobuf JSON
mapping; written to FILE, or to standard output. A section whose service is down or not deployed is
marked so in the report (and named on standard error).
)";

constexpr absl::string_view kWorkforceUsage =
    R"(usage: sgm workforce summary [--as-of=YYYY-MM-DD | --date=YYYY-MM-DD] [--json]
--as-of (or --date) defaults to today (the authority's local date); the costs are for
the financial year (April to March) containing it.
)";

constexpr absl::string_view kQaUsage =
    R"(usage: sgm qa summary [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--team=TEAM]
                         [--theme=THEME_ID] [--json]
       sgm qa themes [--as-of=YYYY-MM-DD] [--json]
       sgm qa create-theme --id=THEME_ID --name=NAME --start=YYYY-MM-DD
                           --end=YYYY-MM-DD
summary: --to defaults to today (the authority's local date) and --from to
the first day of --to's month; with --theme, to the theme's first and last
days (then only the theme's audits count; feedback and actions are the
period's). --team filters audits and feedback (actions have no team).
)";

constexpr absl::string_view kSynthUsage =
    R"(usage: sgm synth contacts --out=DIR [--seed=N] [--start=YYYY-MM]
                          [--months=N] [--scale=N] [--first_authority=CODE]
       sgm synth events --out=DIR [--seed=N] [--start=YYYY-MM] [--months=N]
                        [--scale=N] [--first_authority=CODE]
       sgm synth workforce --out=DIR [--seed=N] [--start=YYYY-MM]
                           [--months=N] [--scale=N] [--first_authority=CODE]
       sgm synth qa --out=DIR [--seed=N] [--start=YYYY-MM] [--months=N]
                    [--scale=N] [--first_authority=CODE]
--scale=N makes N authorities (contacts 1 to 1000, the others 1 to 100),
codes counting up from --first_authority (default 831), each with its own
volume, progression and timeliness; with N > 1 each authority's files go
under DIR/CODE, else under DIR. Run every kind with the same options: the
feeds of one authority fit together.
contacts: writes contacts-AGENCY.csv (one per agency) and decisions.csv,
with a contact for each referral of the case events.
events: writes case-events.csv, the case activity of the authority over the
months, with the history of the cases open in them; the same seed gives the
same bytes.
workforce: writes staff.csv, absences.csv and establishment.csv for the
workers the case events of the same options allocate cases to.
qa: writes audits.csv, feedback.csv and actions.csv (import
them with `sgm import audits|feedback|actions`) and themes.csv
(theme_id,name,start_date,end_date: record each with `sgm qa
create-theme`), the audits naming the children, workers and teams the case
events of the same options allocate.
--start defaults to --months before the current month.
)";

constexpr absl::string_view kAdminUsage =
    R"(usage: sgm admin hash-token TOKEN
       sgm admin new-token
       sgm admin backup --store=FILE --to=FILE
       sgm admin verify FILE
       sgm admin audit --service=intake|kpi|workforce|qa [--from=YYYY-MM-DD]
                       [--to=YYYY-MM-DD] [--caller=NAME] [--child=ID]
                       [--method=NAME] [--json]
)";

constexpr absl::Duration kImportDeadline = absl::Minutes(30);
constexpr absl::Duration kUnaryDeadline = absl::Seconds(30);

int UsageError(absl::string_view usage, absl::string_view problem = "") {
  if (!problem.empty()) std::cerr << "sgm: " << problem << "\n";
  std::cerr << usage;
  return 2;
}

int Failed(const absl::Status& status) {
  std::cerr << "sgm: " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
  return 1;
}

absl::Duration DeadlineOr(absl::Duration fallback) {
  const absl::Duration flag = absl::GetFlag(FLAGS_deadline);
  return flag > absl::ZeroDuration() ? flag : fallback;
}

// Whether a token was given (flag or SGM_TOKEN).
bool HaveToken() { return !absl::GetFlag(FLAGS_token).empty(); }

// A channel to the gateway: over TLS when --tls_ca is set, else plaintext.
// INVALID_ARGUMENT naming the setting when a TLS setting is at fault.
absl::StatusOr<std::shared_ptr<grpc::Channel>> GatewayChannel() {
  ClientTlsFiles tls;
  tls.ca = absl::GetFlag(FLAGS_tls_ca);
  tls.server_name = absl::GetFlag(FLAGS_tls_server_name);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(tls, "tls");
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  AddServerNameOverride(tls.server_name, &args);
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_gateway), *credentials,
                                   args);
}

// A TLS setting at fault: named on stderr, exit status 2 like any other
// bad setting.
int SettingError(const absl::Status& status) {
  std::cerr << "sgm: " << status.message() << "\n";
  return 2;
}

void PrepareUnary(grpc::ClientContext* context) {
  context->AddMetadata("authorization",
                       absl::StrCat("Bearer ", absl::GetFlag(FLAGS_token)));
  context->set_deadline(
      absl::ToChronoTime(absl::Now() + DeadlineOr(kUnaryDeadline)));
}

absl::string_view Basename(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

int RunImport(const std::vector<std::string>& args) {
  static constexpr absl::string_view kKinds[] = {
      "contacts",      "decisions", "events",   "staff",  "absences",
      "establishment", "audits",    "feedback", "actions"};
  if (args.size() != 3 || std::find(std::begin(kKinds), std::end(kKinds),
                                    args[1]) == std::end(kKinds)) {
    return UsageError(kImportUsage);
  }
  if (!HaveToken()) {
    return UsageError(kImportUsage, "no token: give --token or set SGM_TOKEN");
  }
  const bool contacts = args[1] == "contacts";
  const bool events = args[1] == "events";
  if (!contacts && !absl::GetFlag(FLAGS_agency).empty()) {
    return UsageError(kImportUsage, "--agency is for contacts only");
  }
  const std::string& path = args[2];
  const absl::StatusOr<sgm::feed::v1::FeedFormat> format =
      FeedFormatFor(path, absl::GetFlag(FLAGS_format));
  if (!format.ok()) return UsageError(kImportUsage, format.status().message());

  // The bar's total: the file's size, when it can be known.
  int64_t size = 0;
  {
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
      const off_t end = lseek(fd, 0, SEEK_END);
      if (end > 0) size = end;
      close(fd);
    }
  }
  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  std::unique_ptr<ProgressBar> progress =
      ProgressBar::ForStderr(std::string(Basename(path)), size, absl::Now());
  const absl::Duration deadline = DeadlineOr(kImportDeadline);
  const std::string token = absl::GetFlag(FLAGS_token);
  const std::string format_text = absl::GetFlag(FLAGS_format);
  absl::StatusOr<sgm::feed::v1::ImportSummary> summary;
  sgm::intake::v1::FileReferralQuality file_quality;
  if (contacts) {
    summary = UploadContacts(*channel, token, path, format_text,
                             absl::GetFlag(FLAGS_agency), deadline,
                             progress.get(), &file_quality);
  } else if (events) {
    summary = UploadCaseEvents(*channel, token, path, format_text, deadline,
                               progress.get());
  } else if (args[1] == "staff") {
    summary = UploadStaff(*channel, token, path, format_text, deadline,
                          progress.get());
  } else if (args[1] == "absences") {
    summary = UploadAbsences(*channel, token, path, format_text, deadline,
                             progress.get());
  } else if (args[1] == "establishment") {
    summary = UploadEstablishment(*channel, token, path, format_text, deadline,
                                  progress.get());
  } else if (args[1] == "audits") {
    summary = UploadAudits(*channel, token, path, format_text, deadline,
                           progress.get());
  } else if (args[1] == "feedback") {
    summary = UploadFeedback(*channel, token, path, format_text, deadline,
                             progress.get());
  } else if (args[1] == "actions") {
    summary = UploadActions(*channel, token, path, format_text, deadline,
                            progress.get());
  } else {
    summary = UploadDecisions(*channel, token, path, format_text, deadline,
                              progress.get());
  }
  if (!summary.ok()) return Failed(summary.status());
  std::cout << FormatSummary(*summary);
  if (contacts) std::cout << FormatFileQuality(file_quality);
  return 0;
}

int RunIntake(const std::vector<std::string>& args) {
  if (args.size() != 2 || args[1] != "stats") return UsageError(kIntakeUsage);
  if (!HaveToken()) {
    return UsageError(kIntakeUsage, "no token: give --token or set SGM_TOKEN");
  }
  sgm::intake::v1::GetFrontDoorFiguresRequest request;
  const std::string month_text = absl::GetFlag(FLAGS_month);
  absl::CivilMonth month;
  if (month_text.empty()) {
    month = absl::ToCivilMonth(absl::Now(), absl::LocalTimeZone());
  } else {
    absl::StatusOr<absl::CivilMonth> parsed = ParseIsoMonth(month_text);
    if (!parsed.ok()) {
      return UsageError(kIntakeUsage,
                        absl::StrCat("--month: ", parsed.status().message()));
    }
    month = *parsed;
  }
  *request.mutable_month() = ToProtoMonth(month);
  const std::string as_of_text = absl::GetFlag(FLAGS_as_of);
  if (!as_of_text.empty()) {
    absl::StatusOr<absl::CivilDay> as_of = ParseIsoDate(as_of_text);
    if (!as_of.ok()) {
      return UsageError(kIntakeUsage,
                        absl::StrCat("--as_of: ", as_of.status().message()));
    }
    *request.mutable_as_of() = ToProtoDate(*as_of);
  }

  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  auto stub = sgm::intake::v1::IntakeService::NewStub(*channel);
  grpc::ClientContext context;
  PrepareUnary(&context);
  sgm::intake::v1::GetFrontDoorFiguresResponse response;
  const grpc::Status status =
      stub->GetFrontDoorFigures(&context, request, &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  if (absl::GetFlag(FLAGS_json)) {
    absl::StatusOr<std::string> json = RenderFiguresJson(response.figures());
    if (!json.ok()) return Failed(json.status());
    std::cout << *json;
  } else {
    std::cout << RenderFiguresTable(response.figures());
  }
  return 0;
}

// --month for the KPI commands: required, YYYY-MM. False (with the exit
// status in *exit_code) when it is missing or bad.
bool KpiMonth(sgm::type::v1::YearMonth* month, int* exit_code) {
  const std::string text = absl::GetFlag(FLAGS_month);
  if (text.empty()) {
    *exit_code = UsageError(kKpiUsage, "--month is required (YYYY-MM)");
    return false;
  }
  const absl::StatusOr<absl::CivilMonth> parsed = ParseIsoMonth(text);
  if (!parsed.ok()) {
    *exit_code = UsageError(
        kKpiUsage, absl::StrCat("--month: ", parsed.status().message()));
    return false;
  }
  *month = ToProtoMonth(*parsed);
  return true;
}

// --as-of for the KPI commands: optional, YYYY-MM-DD; left empty (the
// service's today) when not given.
bool KpiAsOf(sgm::type::v1::Date* as_of, int* exit_code) {
  const std::string text = absl::GetFlag(FLAGS_as_of);
  if (text.empty()) return true;
  const absl::StatusOr<absl::CivilDay> parsed = ParseIsoDate(text);
  if (!parsed.ok()) {
    *exit_code = UsageError(
        kKpiUsage, absl::StrCat("--as-of: ", parsed.status().message()));
    return false;
  }
  *as_of = ToProtoDate(*parsed);
  return true;
}

// Prints `message` as JSON, or `table()` when --json is not given.
template <typename TableFn>
int PrintKpi(const google::protobuf::Message& message, TableFn table) {
  if (absl::GetFlag(FLAGS_json)) {
    absl::StatusOr<std::string> json = RenderMessageJson(message);
    if (!json.ok()) return Failed(json.status());
    std::cout << *json;
  } else {
    std::cout << table();
  }
  return 0;
}

// The most pages a listing follows before giving up (a token that never
// ends would otherwise loop for ever).
constexpr int kMaxPages = 10000;
constexpr int kPageSize = 500;

int RunKpi(const std::vector<std::string>& args) {
  if (args.size() < 2) return UsageError(kKpiUsage);
  const std::string& what = args[1];
  const bool watchlist = what == "watchlist";
  if (what != "indicators" && what != "status" && what != "caseloads" &&
      !watchlist) {
    return UsageError(kKpiUsage,
                      absl::StrCat("unknown kpi command '", what, "'"));
  }
  if (args.size() != (watchlist ? 3u : 2u)) {
    return UsageError(kKpiUsage,
                      watchlist
                          ? "kpi watchlist takes one KIND"
                          : absl::StrCat("kpi ", what, " takes no arguments"));
  }
  if (!HaveToken()) {
    return UsageError(kKpiUsage, "no token: give --token or set SGM_TOKEN");
  }
  const bool monthly = what == "indicators" || what == "status";
  if (monthly && !absl::GetFlag(FLAGS_as_of).empty()) {
    return UsageError(kKpiUsage, absl::StrCat("--as-of is not for kpi ", what,
                                              " (give --month)"));
  }
  if (!monthly && !absl::GetFlag(FLAGS_month).empty()) {
    return UsageError(kKpiUsage, absl::StrCat("--month is not for kpi ", what,
                                              " (give --as-of)"));
  }
  if (what != "caseloads" && !absl::GetFlag(FLAGS_team).empty()) {
    return UsageError(kKpiUsage, "--team is for kpi caseloads only");
  }
  int exit_code = 0;
  sgm::type::v1::YearMonth month;
  sgm::type::v1::Date as_of;
  if (monthly ? !KpiMonth(&month, &exit_code) : !KpiAsOf(&as_of, &exit_code)) {
    return exit_code;
  }
  sgm::kpi::v1::Watchlist kind = sgm::kpi::v1::WATCHLIST_UNSPECIFIED;
  if (watchlist) {
    const std::optional<sgm::kpi::v1::Watchlist> parsed =
        ParseWatchlistName(args[2]);
    if (!parsed.has_value()) {
      return UsageError(kKpiUsage,
                        absl::StrCat("unknown watchlist '", args[2],
                                     "': use cp-2-years, s47-over-10wd, "
                                     "pre-proceedings-12-weeks or under-1-cp"));
    }
    kind = *parsed;
  }

  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  auto stub = sgm::kpi::v1::KpiService::NewStub(*channel);

  if (what == "indicators") {
    sgm::kpi::v1::GetIndicatorsRequest request;
    *request.mutable_month() = month;
    sgm::kpi::v1::GetIndicatorsResponse response;
    grpc::ClientContext context;
    PrepareUnary(&context);
    const grpc::Status status =
        stub->GetIndicators(&context, request, &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response, [&] { return RenderIndicatorsTable(response); });
  }
  if (what == "status") {
    sgm::kpi::v1::GetCaseStatusRequest request;
    *request.mutable_month() = month;
    sgm::kpi::v1::GetCaseStatusResponse response;
    grpc::ClientContext context;
    PrepareUnary(&context);
    const grpc::Status status =
        stub->GetCaseStatus(&context, request, &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response.status(),
                    [&] { return RenderCaseStatusTable(response.status()); });
  }
  if (watchlist) {
    // Every page, put together in one answer.
    sgm::kpi::v1::ListWatchlistResponse all;
    sgm::kpi::v1::ListWatchlistRequest request;
    request.set_watchlist(kind);
    *request.mutable_as_of() = as_of;
    request.set_page_size(kPageSize);
    for (int page = 0;; ++page) {
      if (page >= kMaxPages) {
        return Failed(absl::InternalError("the watchlist did not end"));
      }
      sgm::kpi::v1::ListWatchlistResponse response;
      grpc::ClientContext context;
      PrepareUnary(&context);
      const grpc::Status status =
          stub->ListWatchlist(&context, request, &response);
      if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        return Failed(absl::PermissionDeniedError(absl::StrCat(
            status.error_message(),
            " (watchlists name children: practitioners, managers and "
            "admins only)")));
      }
      if (!status.ok()) return Failed(FromGrpcStatus(status));
      for (auto& entry : *response.mutable_entries()) {
        *all.add_entries() = std::move(entry);
      }
      all.set_total_size(response.total_size());
      if (response.next_page_token().empty() ||
          response.next_page_token() == request.page_token()) {
        break;
      }
      request.set_page_token(response.next_page_token());
    }
    return PrintKpi(all,
                    [&] { return RenderWatchlistTable(kind, as_of, all); });
  }
  // caseloads
  sgm::kpi::v1::ListCaseloadsResponse all;
  sgm::kpi::v1::ListCaseloadsRequest request;
  *request.mutable_as_of() = as_of;
  request.set_team(absl::GetFlag(FLAGS_team));
  request.set_page_size(kPageSize);
  for (int page = 0;; ++page) {
    if (page >= kMaxPages) {
      return Failed(absl::InternalError("the caseloads did not end"));
    }
    sgm::kpi::v1::ListCaseloadsResponse response;
    grpc::ClientContext context;
    PrepareUnary(&context);
    const grpc::Status status =
        stub->ListCaseloads(&context, request, &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    for (auto& caseload : *response.mutable_caseloads()) {
      *all.add_caseloads() = std::move(caseload);
    }
    all.set_workers(response.workers());
    all.set_allocated_children(response.allocated_children());
    if (response.has_mean_caseload()) {
      all.set_mean_caseload(response.mean_caseload());
    }
    if (response.next_page_token().empty() ||
        response.next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(response.next_page_token());
  }
  return PrintKpi(
      all, [&] { return RenderCaseloadsTable(as_of, request.team(), all); });
}

int RunWorkforce(const std::vector<std::string>& args) {
  if (args.size() != 2 || args[1] != "summary") {
    return UsageError(kWorkforceUsage);
  }
  sgm::workforce::v1::GetWorkforceFiguresRequest request;
  const std::string as_of = absl::GetFlag(FLAGS_as_of);
  if (!as_of.empty()) {
    const absl::StatusOr<absl::CivilDay> parsed = ParseIsoDate(as_of);
    if (!parsed.ok()) {
      return UsageError(kWorkforceUsage,
                        absl::StrCat("--as-of: ", parsed.status().message()));
    }
    *request.mutable_as_of() = ToProtoDate(*parsed);
  }
  if (!HaveToken()) {
    return UsageError(kWorkforceUsage,
                      "no token: give --token or set SGM_TOKEN");
  }
  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  auto stub = sgm::workforce::v1::WorkforceService::NewStub(*channel);
  grpc::ClientContext context;
  PrepareUnary(&context);
  sgm::workforce::v1::GetWorkforceFiguresResponse response;
  const grpc::Status status =
      stub->GetWorkforceFigures(&context, request, &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  return PrintKpi(response.figures(),
                  [&] { return RenderWorkforceTable(response.figures()); });
}

// A YYYY-MM-DD flag of the qa commands into the date `mutable_date()`
// returns, called only when the flag is given (an unset date is the
// service's default); false, with the exit status in *exit_code, when it
// is bad.
template <typename MutableDate>
bool QaDate(absl::string_view flag, const std::string& text,
            MutableDate mutable_date, int* exit_code) {
  if (text.empty()) return true;
  const absl::StatusOr<absl::CivilDay> parsed = ParseIsoDate(text);
  if (!parsed.ok()) {
    *exit_code = UsageError(
        kQaUsage, absl::StrCat("--", flag, ": ", parsed.status().message()));
    return false;
  }
  *mutable_date() = ToProtoDate(*parsed);
  return true;
}

int RunQaCreateTheme(sgm::qa::v1::QaService::Stub& stub) {
  sgm::qa::v1::CreateThemeRequest request;
  sgm::qa::v1::Theme* theme = request.mutable_theme();
  theme->set_theme_id(absl::GetFlag(FLAGS_id));
  theme->set_name(absl::GetFlag(FLAGS_name));
  const std::string start = absl::GetFlag(FLAGS_start);
  const std::string end = absl::GetFlag(FLAGS_end);
  if (theme->theme_id().empty() || theme->name().empty() || start.empty() ||
      end.empty()) {
    return UsageError(kQaUsage,
                      "qa create-theme needs --id, --name, --start and --end");
  }
  int exit_code = 0;
  if (!QaDate(
          "start", start, [&] { return theme->mutable_start_date(); },
          &exit_code) ||
      !QaDate(
          "end", end, [&] { return theme->mutable_end_date(); }, &exit_code)) {
    return exit_code;
  }
  grpc::ClientContext context;
  PrepareUnary(&context);
  sgm::qa::v1::CreateThemeResponse response;
  const grpc::Status status = stub.CreateTheme(&context, request, &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  const sgm::qa::v1::Theme& stored = response.theme();
  std::cout << absl::StrFormat(
      "theme %s (%s), %04d-%02d-%02d to %04d-%02d-%02d: %s\n",
      stored.theme_id(), stored.name(), stored.start_date().year(),
      stored.start_date().month(), stored.start_date().day(),
      stored.end_date().year(), stored.end_date().month(),
      stored.end_date().day(),
      response.duplicate() ? "already recorded" : "recorded");
  return 0;
}

int RunQa(const std::vector<std::string>& args) {
  if (args.size() < 2) return UsageError(kQaUsage);
  const std::string& what = args[1];
  if (what != "summary" && what != "themes" && what != "create-theme") {
    return UsageError(kQaUsage,
                      absl::StrCat("unknown qa command '", what, "'"));
  }
  if (args.size() != 2) {
    return UsageError(kQaUsage,
                      absl::StrCat("qa ", what, " takes no arguments"));
  }
  if (what != "summary" &&
      (!absl::GetFlag(FLAGS_from).empty() || !absl::GetFlag(FLAGS_to).empty() ||
       !absl::GetFlag(FLAGS_team).empty() ||
       !absl::GetFlag(FLAGS_theme).empty())) {
    return UsageError(kQaUsage,
                      "--from, --to, --team and --theme are for qa summary");
  }
  if (what != "themes" && !absl::GetFlag(FLAGS_as_of).empty()) {
    return UsageError(kQaUsage, "--as-of is for qa themes");
  }
  if (!HaveToken()) {
    return UsageError(kQaUsage, "no token: give --token or set SGM_TOKEN");
  }
  int exit_code = 0;
  sgm::qa::v1::GetQaFiguresRequest figures_request;
  sgm::qa::v1::ListThemesRequest themes_request;
  if (what == "summary") {
    if (!QaDate(
            "from", absl::GetFlag(FLAGS_from),
            [&] { return figures_request.mutable_from(); }, &exit_code) ||
        !QaDate(
            "to", absl::GetFlag(FLAGS_to),
            [&] { return figures_request.mutable_to(); }, &exit_code)) {
      return exit_code;
    }
    if (!absl::GetFlag(FLAGS_from).empty() &&
        !absl::GetFlag(FLAGS_to).empty() &&
        absl::GetFlag(FLAGS_to) < absl::GetFlag(FLAGS_from)) {
      return UsageError(kQaUsage, "--to is before --from");
    }
    figures_request.set_team(absl::GetFlag(FLAGS_team));
    figures_request.set_theme_id(absl::GetFlag(FLAGS_theme));
  } else if (what == "themes") {
    if (!QaDate(
            "as-of", absl::GetFlag(FLAGS_as_of),
            [&] { return themes_request.mutable_active_on(); }, &exit_code)) {
      return exit_code;
    }
  }

  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  auto stub = sgm::qa::v1::QaService::NewStub(*channel);
  if (what == "create-theme") return RunQaCreateTheme(*stub);
  if (what == "themes") {
    grpc::ClientContext context;
    PrepareUnary(&context);
    sgm::qa::v1::ListThemesResponse response;
    const grpc::Status status =
        stub->ListThemes(&context, themes_request, &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response,
                    [&] { return RenderThemesTable(response.themes()); });
  }
  grpc::ClientContext context;
  PrepareUnary(&context);
  sgm::qa::v1::GetQaFiguresResponse response;
  const grpc::Status status =
      stub->GetQaFigures(&context, figures_request, &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  return PrintKpi(response.figures(),
                  [&] { return RenderQaFiguresTable(response.figures()); });
}

constexpr absl::string_view kInsightUsage =
    R"(usage: sgm insight quality|duplicates|funnel|visits|flows [--from=YYYY-MM]
                   [--to=YYYY-MM] [--json]
       sgm insight figures [--json]
       sgm insight compare --before=YYYY-MM..YYYY-MM --after=YYYY-MM..YYYY-MM
                           [--figures=ID,ID,...] [--json]
quality: referral quality per agency; duplicates: contacts about a child
with open work; funnel: the abuse-category funnel from contact to CP plan;
visits: face to face and seen alone; flows: step downs, step ups, closures
and open cases by level. --to defaults to the last full month (the
authority's local date), --from to 11 months before --to. figures: the
figures compare knows; compare: those given with --figures (default every
one) over the two periods, with the change and whether it is for the better.
)";

// "YYYY-MM..YYYY-MM" of --`flag` into `period`; false (with the exit status
// in *exit_code) when it is missing or bad.
bool InsightPeriod(absl::string_view flag, const std::string& text,
                   sgm::gateway::v1::MonthPeriod* period, int* exit_code) {
  const std::vector<std::string> parts = absl::StrSplit(text, "..");
  if (text.empty() || parts.size() != 2) {
    *exit_code =
        UsageError(kInsightUsage,
                   absl::StrCat("--", flag, " is required: YYYY-MM..YYYY-MM"));
    return false;
  }
  const absl::StatusOr<absl::CivilMonth> from = ParseIsoMonth(parts[0]);
  const absl::StatusOr<absl::CivilMonth> to = ParseIsoMonth(parts[1]);
  if (!from.ok() || !to.ok()) {
    *exit_code =
        UsageError(kInsightUsage,
                   absl::StrCat("--", flag, ": ",
                                (!from.ok() ? from : to).status().message()));
    return false;
  }
  if (*from > *to) {
    *exit_code = UsageError(
        kInsightUsage,
        absl::StrCat("--", flag, ": ", parts[0], " is after ", parts[1]));
    return false;
  }
  *period->mutable_from() = ToProtoMonth(*from);
  *period->mutable_to() = ToProtoMonth(*to);
  return true;
}

// sgm insight: practice insight through the gateway (docs/insight.md).
int RunInsight(const std::vector<std::string>& args) {
  if (args.size() < 2) return UsageError(kInsightUsage);
  const std::string& what = args[1];
  const bool ranged = what == "quality" || what == "duplicates" ||
                      what == "funnel" || what == "visits" || what == "flows";
  if (!ranged && what != "figures" && what != "compare") {
    return UsageError(kInsightUsage,
                      absl::StrCat("unknown insight command '", what, "'"));
  }
  if (args.size() != 2) {
    return UsageError(kInsightUsage,
                      absl::StrCat("insight ", what, " takes no arguments"));
  }
  const std::string from_text = absl::GetFlag(FLAGS_from);
  const std::string to_text = absl::GetFlag(FLAGS_to);
  if (!ranged && (!from_text.empty() || !to_text.empty())) {
    return UsageError(kInsightUsage, absl::StrCat("--from and --to are not "
                                                  "for insight ",
                                                  what));
  }
  if (what != "compare" && (!absl::GetFlag(FLAGS_before).empty() ||
                            !absl::GetFlag(FLAGS_after).empty() ||
                            !absl::GetFlag(FLAGS_figures).empty())) {
    return UsageError(kInsightUsage,
                      "--before, --after and --figures are for insight "
                      "compare");
  }
  if (!HaveToken()) {
    return UsageError(kInsightUsage, "no token: give --token or set SGM_TOKEN");
  }
  int exit_code = 0;
  // The range: --to (default the last full month) and --from (default: the
  // service's, 11 months before --to).
  sgm::type::v1::YearMonth from;
  sgm::type::v1::YearMonth to;
  bool has_from = false;
  if (ranged) {
    absl::CivilMonth last = absl::CivilMonth(LondonDay(absl::Now())) - 1;
    if (!to_text.empty()) {
      const absl::StatusOr<absl::CivilMonth> parsed = ParseIsoMonth(to_text);
      if (!parsed.ok()) {
        return UsageError(kInsightUsage,
                          absl::StrCat("--to: ", parsed.status().message()));
      }
      last = *parsed;
    }
    to = ToProtoMonth(last);
    if (!from_text.empty()) {
      const absl::StatusOr<absl::CivilMonth> parsed = ParseIsoMonth(from_text);
      if (!parsed.ok()) {
        return UsageError(kInsightUsage,
                          absl::StrCat("--from: ", parsed.status().message()));
      }
      if (*parsed > last) {
        return UsageError(kInsightUsage, "--from is after --to");
      }
      from = ToProtoMonth(*parsed);
      has_from = true;
    }
  }
  sgm::gateway::v1::CompareFiguresRequest compare;
  if (what == "compare") {
    if (!InsightPeriod("before", absl::GetFlag(FLAGS_before),
                       compare.mutable_before(), &exit_code) ||
        !InsightPeriod("after", absl::GetFlag(FLAGS_after),
                       compare.mutable_after(), &exit_code)) {
      return exit_code;
    }
    for (absl::string_view id :
         absl::StrSplit(absl::GetFlag(FLAGS_figures), ',')) {
      id = absl::StripAsciiWhitespace(id);
      if (!id.empty()) compare.add_figure_ids(std::string(id));
    }
  }
  // A request over the range.
  auto ranged_request = [&](auto request) {
    if (has_from) *request.mutable_from() = from;
    *request.mutable_to() = to;
    return request;
  };

  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  grpc::ClientContext context;
  PrepareUnary(&context);
  if (what == "quality") {
    auto stub = sgm::intake::v1::IntakeService::NewStub(*channel);
    sgm::intake::v1::GetReferralQualityResponse response;
    const grpc::Status status = stub->GetReferralQuality(
        &context, ranged_request(sgm::intake::v1::GetReferralQualityRequest()),
        &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response,
                    [&] { return RenderReferralQualityTable(response); });
  }
  if (what == "duplicates") {
    auto stub = sgm::intake::v1::IntakeService::NewStub(*channel);
    sgm::intake::v1::GetDuplicateInputResponse response;
    const grpc::Status status = stub->GetDuplicateInput(
        &context, ranged_request(sgm::intake::v1::GetDuplicateInputRequest()),
        &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response,
                    [&] { return RenderDuplicateInputTable(response); });
  }
  if (what == "visits" || what == "flows") {
    auto stub = sgm::kpi::v1::KpiService::NewStub(*channel);
    if (what == "visits") {
      sgm::kpi::v1::GetVisitQualityResponse response;
      const grpc::Status status = stub->GetVisitQuality(
          &context, ranged_request(sgm::kpi::v1::GetVisitQualityRequest()),
          &response);
      if (!status.ok()) return Failed(FromGrpcStatus(status));
      return PrintKpi(response,
                      [&] { return RenderVisitQualityTable(response); });
    }
    sgm::kpi::v1::GetServiceFlowsResponse response;
    const grpc::Status status = stub->GetServiceFlows(
        &context, ranged_request(sgm::kpi::v1::GetServiceFlowsRequest()),
        &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response,
                    [&] { return RenderServiceFlowsTable(response); });
  }
  auto stub = sgm::gateway::v1::GatewayService::NewStub(*channel);
  if (what == "funnel") {
    sgm::gateway::v1::GetAbuseCategoryFunnelResponse response;
    const grpc::Status status = stub->GetAbuseCategoryFunnel(
        &context,
        ranged_request(sgm::gateway::v1::GetAbuseCategoryFunnelRequest()),
        &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response.funnel(),
                    [&] { return RenderAbuseFunnelTable(response.funnel()); });
  }
  if (what == "figures") {
    sgm::gateway::v1::ListComparableFiguresResponse response;
    const grpc::Status status = stub->ListComparableFigures(
        &context, sgm::gateway::v1::ListComparableFiguresRequest(), &response);
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    return PrintKpi(response, [&] { return RenderFigureCatalogue(response); });
  }
  sgm::gateway::v1::CompareFiguresResponse response;
  const grpc::Status status =
      stub->CompareFigures(&context, compare, &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  return PrintKpi(response.comparison(), [&] {
    return RenderFigureComparisonTable(response.comparison());
  });
}

// "front door", "performance", "quality", "workforce".
void WarnUnavailable(absl::string_view section,
                     const sgm::gateway::v1::SectionStatus& status) {
  if (status.state() == sgm::gateway::v1::SECTION_STATE_AVAILABLE) return;
  const bool not_deployed =
      status.state() == sgm::gateway::v1::SECTION_STATE_NOT_DEPLOYED;
  std::cerr << "sgm: report: " << section << " section "
            << (not_deployed ? "not deployed" : "unavailable")
            << (status.reason().empty() ? "" : ": ") << status.reason() << "\n";
}

int RunReport(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return UsageError(kReportUsage, "report takes no arguments");
  }
  std::string format = absl::GetFlag(FLAGS_format);
  if (format.empty()) format = "md";
  if (format != "md" && format != "html" && format != "json") {
    return UsageError(kReportUsage, absl::StrCat("--format: '", format,
                                                 "' is not md, html or json"));
  }
  if (absl::GetFlag(FLAGS_json)) {
    return UsageError(kReportUsage, "use --format=json for JSON");
  }
  if (!absl::GetFlag(FLAGS_as_of).empty()) {
    return UsageError(kReportUsage, "--as-of is not for report (give --month)");
  }
  sgm::gateway::v1::GetPracticeReportRequest request;
  const std::string month_text = absl::GetFlag(FLAGS_month);
  if (!month_text.empty()) {
    const absl::StatusOr<absl::CivilMonth> month = ParseIsoMonth(month_text);
    if (!month.ok()) {
      return UsageError(kReportUsage,
                        absl::StrCat("--month: ", month.status().message()));
    }
    *request.mutable_month() = ToProtoMonth(*month);
  }
  if (!HaveToken()) {
    return UsageError(kReportUsage, "no token: give --token or set SGM_TOKEN");
  }
  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  auto stub = sgm::gateway::v1::GatewayService::NewStub(*channel);
  grpc::ClientContext context;
  PrepareUnary(&context);
  sgm::gateway::v1::GetPracticeReportResponse response;
  const grpc::Status status =
      stub->GetPracticeReport(&context, request, &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  const sgm::gateway::v1::PracticeReport& report = response.report();
  std::string text;
  if (format == "json") {
    absl::StatusOr<std::string> json = RenderMessageJson(report);
    if (!json.ok()) return Failed(json.status());
    text = *std::move(json);
  } else if (format == "html") {
    text = sgm::gateway::RenderReportHtmlDocument(report);
  } else {
    text = sgm::gateway::RenderPracticeReportMarkdown(report);
  }
  WarnUnavailable("front door", report.front_door().status());
  WarnUnavailable("performance", report.performance().status());
  WarnUnavailable("workforce", report.workforce().status());
  WarnUnavailable("quality", report.quality().status());
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) {
    return Failed(absl::UnavailableError(absl::StrCat("cannot write ", out)));
  }
  file << text;
  file.close();
  if (!file) {
    return Failed(
        absl::DataLossError(absl::StrCat("writing ", out, " failed")));
  }
  std::cout << "report for "
            << absl::StrFormat("%04d-%02d", report.month().year(),
                               report.month().month())
            << " -> " << out << "\n";
  return 0;
}

int RunWhoAmI(const std::vector<std::string>& args) {
  if (args.size() != 1) return UsageError(kWhoAmIUsage);
  if (!HaveToken()) {
    return UsageError(kWhoAmIUsage, "no token: give --token or set SGM_TOKEN");
  }
  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  auto stub = sgm::gateway::v1::GatewayService::NewStub(*channel);
  grpc::ClientContext context;
  PrepareUnary(&context);
  sgm::gateway::v1::WhoAmIResponse response;
  const grpc::Status status =
      stub->WhoAmI(&context, sgm::gateway::v1::WhoAmIRequest(), &response);
  if (!status.ok()) return Failed(FromGrpcStatus(status));
  std::string role = sgm::gateway::v1::Role_Name(response.role());
  if (absl::string_view(role).substr(0, 5) == "ROLE_") role = role.substr(5);
  for (char& c : role) c = static_cast<char>(std::tolower(c));
  std::cout << absl::StrFormat("caller     %s\nrole       %s\nauthority  %s\n",
                               response.caller(), role, response.authority());
  if (!response.agency().empty()) {
    std::cout << "agency     " << response.agency() << "\n";
  }
  return 0;
}

// sgm synth events: DIR/case-events.csv.
// `write` into DIR/NAME; 0, or the exit status of the failure.
template <typename Write>
int WriteFeedFile(const std::string& dir, absl::string_view name, Write write) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    return Failed(absl::UnavailableError(absl::StrCat("cannot write ", path)));
  }
  if (absl::Status s = write(&file); !s.ok()) return Failed(s);
  file.close();
  if (!file) {
    return Failed(
        absl::DataLossError(absl::StrCat("writing ", path, " failed")));
  }
  return 0;
}

// The workforce that holds the cases of the case events of `options`.
int WriteSyntheticWorkforce(const synth::CaseEventSynthOptions& options,
                            const WorkingDayCalendar& calendar,
                            const std::string& out) {
  const absl::StatusOr<std::vector<kpi::CaseEvent>> events =
      synth::SynthesizeCaseEvents(options, calendar);
  if (!events.ok()) return Failed(events.status());
  synth::WorkforceSynthOptions workforce_options;
  workforce_options.seed = options.seed;
  workforce_options.first_month = options.first_month;
  workforce_options.months = options.months;
  workforce_options.scale = options.scale;
  const absl::StatusOr<synth::WorkforceFeeds> feeds =
      synth::SynthesizeWorkforce(workforce_options,
                                 synth::CaseHoldersOf(*events), calendar);
  if (!feeds.ok()) return Failed(feeds.status());
  if (int code = WriteFeedFile(out, "staff.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteStaffCsv(feeds->staff,
                                                             file);
                               });
      code != 0) {
    return code;
  }
  if (int code = WriteFeedFile(out, "absences.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteAbsencesCsv(feeds->absences,
                                                                file);
                               });
      code != 0) {
    return code;
  }
  if (int code = WriteFeedFile(out, "establishment.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteEstablishmentCsv(
                                     feeds->establishment, file);
                               });
      code != 0) {
    return code;
  }
  std::cout << absl::StrFormat(
      "%s staff, %s absence episodes, %s establishment rows -> "
      "%s/{staff,absences,establishment}.csv\n",
      WithThousands(static_cast<int64_t>(feeds->staff.size())),
      WithThousands(static_cast<int64_t>(feeds->absences.size())),
      WithThousands(static_cast<int64_t>(feeds->establishment.size())), out);
  return 0;
}

// The QA feeds naming the children, workers and teams of the case events of
// `options`, and the themes they use.
int WriteSyntheticQa(const synth::CaseEventSynthOptions& options,
                     const WorkingDayCalendar& calendar,
                     const std::string& out) {
  const absl::StatusOr<std::vector<kpi::CaseEvent>> events =
      synth::SynthesizeCaseEvents(options, calendar);
  if (!events.ok()) return Failed(events.status());
  synth::QaSynthOptions qa_options;
  qa_options.seed = options.seed;
  qa_options.first_month = options.first_month;
  qa_options.months = options.months;
  qa_options.scale = options.scale;
  const std::vector<kpi::Allocation> allocations =
      synth::CaseAllocationsOf(*events);
  const absl::StatusOr<synth::QaFeeds> feeds =
      synth::SynthesizeQa(qa_options, allocations);
  if (!feeds.ok()) return Failed(feeds.status());
  if (int code = WriteFeedFile(out, "themes.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteThemesCsv(feeds->themes,
                                                              file);
                               });
      code != 0) {
    return code;
  }
  if (int code = WriteFeedFile(out, "audits.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteAuditsCsv(feeds->audits,
                                                              file);
                               });
      code != 0) {
    return code;
  }
  if (int code = WriteFeedFile(out, "feedback.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteFeedbackCsv(feeds->feedback,
                                                                file);
                               });
      code != 0) {
    return code;
  }
  if (int code = WriteFeedFile(out, "actions.csv",
                               [&](std::ostream* file) {
                                 return synth::WriteActionsCsv(feeds->actions,
                                                               file);
                               });
      code != 0) {
    return code;
  }
  const absl::CivilMonth last = options.first_month + (options.months - 1);
  std::cout << absl::StrFormat(
      "%s audits, %s feedback, %s actions, %s themes (%s to %s) -> "
      "%s/{audits,feedback,actions,themes}.csv\n",
      WithThousands(static_cast<int64_t>(feeds->audits.size())),
      WithThousands(static_cast<int64_t>(feeds->feedback.size())),
      WithThousands(static_cast<int64_t>(feeds->actions.size())),
      WithThousands(static_cast<int64_t>(feeds->themes.size())),
      FormatIsoMonth(options.first_month), FormatIsoMonth(last), out);
  return 0;
}

// One authority's case events, or the feeds that go with them (`kind`:
// events, workforce or qa), under `out`.
int WriteSyntheticAuthority(absl::string_view kind,
                            const synth::CaseEventSynthOptions& options,
                            const WorkingDayCalendar& calendar,
                            const std::string& out) {
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) {
    return Failed(absl::UnavailableError(
        absl::StrCat("cannot create ", out, ": ", error.message())));
  }
  if (kind == "workforce") {
    return WriteSyntheticWorkforce(options, calendar, out);
  }
  if (kind == "qa") return WriteSyntheticQa(options, calendar, out);
  const std::string path = absl::StrCat(out, "/case-events.csv");
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    return Failed(absl::UnavailableError(absl::StrCat("cannot write ", path)));
  }
  const absl::StatusOr<synth::CaseEventSynthStats> stats =
      synth::SynthesizeCaseEventsCsv(options, calendar, &file);
  if (!stats.ok()) {
    if (stats.status().code() == absl::StatusCode::kInvalidArgument) {
      return UsageError(kSynthUsage, stats.status().message());
    }
    return Failed(stats.status());
  }
  file.close();
  if (!file) {
    return Failed(
        absl::DataLossError(absl::StrCat("writing ", path, " failed")));
  }
  const absl::CivilMonth last = options.first_month + (options.months - 1);
  std::cout << absl::StrFormat(
      "%s case events (%s children, %s referrals %s to %s, with the history "
      "of the cases open then) -> %s\n",
      WithThousands(stats->events), WithThousands(stats->children),
      WithThousands(stats->referrals_in_window),
      FormatIsoMonth(options.first_month), FormatIsoMonth(last), path);
  return 0;
}

// sgm synth events, workforce or qa (`kind`) for each authority of --scale:
// under --out, or under --out/CODE when there are several.
int RunSynthEvents(absl::string_view kind) {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return UsageError(kSynthUsage, "--out is required");
  synth::SynthOptions authorities;
  authorities.seed = absl::GetFlag(FLAGS_seed);
  authorities.months = absl::GetFlag(FLAGS_months);
  authorities.scale = absl::GetFlag(FLAGS_scale);
  authorities.first_authority = absl::GetFlag(FLAGS_first_authority);
  if (authorities.months < 1 || authorities.months > 240) {
    return UsageError(kSynthUsage, "--months must be 1 to 240");
  }
  if (authorities.scale < 1 || authorities.scale > 100) {
    return UsageError(kSynthUsage,
                      absl::StrCat("--scale must be 1 to 100 for ", kind));
  }
  if (absl::StatusOr<std::string> last = synth::AuthorityCode(
          authorities.first_authority, authorities.scale - 1);
      !last.ok()) {
    return UsageError(kSynthUsage, last.status().message());
  }
  const std::string start = absl::GetFlag(FLAGS_start);
  if (start.empty()) {
    authorities.start_month =
        absl::ToCivilMonth(absl::Now(), absl::LocalTimeZone()) -
        authorities.months;
  } else {
    absl::StatusOr<absl::CivilMonth> parsed = ParseIsoMonth(start);
    if (!parsed.ok()) {
      return UsageError(kSynthUsage,
                        absl::StrCat("--start: ", parsed.status().message()));
    }
    authorities.start_month = *parsed;
  }
  const absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::EnglandAndWales();
  if (!calendar.ok()) return Failed(calendar.status());
  for (int i = 0; i < authorities.scale; ++i) {
    const absl::StatusOr<std::string> code =
        synth::AuthorityCode(authorities.first_authority, i);
    if (!code.ok()) return Failed(code.status());
    const std::string dir =
        authorities.scale > 1 ? absl::StrCat(out, "/", *code) : out;
    if (int status = WriteSyntheticAuthority(
            kind, synth::CaseEventOptionsFor(authorities, i), *calendar, dir);
        status != 0) {
      return status;
    }
  }
  return 0;
}

int RunSynth(const std::vector<std::string>& args) {
  if (args.size() == 2 &&
      (args[1] == "events" || args[1] == "workforce" || args[1] == "qa")) {
    return RunSynthEvents(args[1]);
  }
  if (args.size() != 2 || args[1] != "contacts") return UsageError(kSynthUsage);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return UsageError(kSynthUsage, "--out is required");
  synth::SynthOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.months = absl::GetFlag(FLAGS_months);
  options.scale = absl::GetFlag(FLAGS_scale);
  options.first_authority = absl::GetFlag(FLAGS_first_authority);
  if (options.months < 1 || options.months > 240) {
    return UsageError(kSynthUsage, "--months must be 1 to 240");
  }
  if (options.scale < 1 || options.scale > 1000) {
    return UsageError(kSynthUsage, "--scale must be 1 to 1000");
  }
  const std::string start = absl::GetFlag(FLAGS_start);
  if (start.empty()) {
    options.start_month =
        absl::ToCivilMonth(absl::Now(), absl::LocalTimeZone()) - options.months;
  } else {
    absl::StatusOr<absl::CivilMonth> parsed = ParseIsoMonth(start);
    if (!parsed.ok()) {
      return UsageError(kSynthUsage,
                        absl::StrCat("--start: ", parsed.status().message()));
    }
    options.start_month = *parsed;
  }
  const absl::StatusOr<synth::SynthStats> stats =
      synth::SynthesizeContactsToDirectory(options, out);
  if (!stats.ok()) {
    if (stats.status().code() == absl::StatusCode::kInvalidArgument) {
      return UsageError(kSynthUsage, stats.status().message());
    }
    return Failed(stats.status());
  }
  const absl::CivilMonth last = options.start_month + (options.months - 1);
  for (const synth::AuthorityStats& a : stats->authorities) {
    int64_t low = a.contacts_per_month.empty() ? 0 : a.contacts_per_month[0];
    int64_t high = low;
    for (int64_t n : a.contacts_per_month) {
      low = std::min(low, n);
      high = std::max(high, n);
    }
    const double progressed = a.decided > 0
                                  ? 100.0 * static_cast<double>(a.progressed) /
                                        static_cast<double>(a.decided)
                                  : 0;
    const double repeat = a.with_child_id > 0
                              ? 100.0 * static_cast<double>(a.repeat_contacts) /
                                    static_cast<double>(a.with_child_id)
                              : 0;
    const double duplicate =
        a.with_child_id > 0 ? 100.0 * static_cast<double>(a.duplicate_input) /
                                  static_cast<double>(a.with_child_id)
                            : 0;
    const std::string dir =
        options.scale > 1 ? absl::StrCat(out, "/", a.authority) : out;
    std::cout << absl::StrFormat(
        "%s: %s contacts %s to %s (%s-%s a month), %s decided, %.1f%% "
        "progressed (%s referrals of the case events), %.1f%% repeat, "
        "%.1f%% about open work -> %s\n",
        a.authority, WithThousands(a.contacts),
        FormatIsoMonth(options.start_month), FormatIsoMonth(last),
        WithThousands(low), WithThousands(high), WithThousands(a.decided),
        progressed, WithThousands(a.referral_contacts), repeat, duplicate, dir);
  }
  return 0;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

// --- admin audit -----------------------------------------------------------

// The start of a UTC day given as YYYY-MM-DD in `flag`; `next_day` gives
// the start of the day after (an inclusive last day as an exclusive end).
absl::StatusOr<google::protobuf::Timestamp> AuditDayStart(
    absl::string_view flag, absl::string_view text, bool next_day) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", text, "' is not a YYYY-MM-DD date"));
  }
  if (next_day) day += 1;
  return ToProtoTimestamp(absl::FromCivil(day, absl::UTCTimeZone()));
}

// The audit table: one line an entry, newest first.
std::string RenderAuditTable(
    const google::protobuf::RepeatedPtrField<sgm::audit::v1::ReadAuditEntry>&
        entries) {
  std::string out =
      absl::StrFormat("%-20s %-20s %-13s %-22s %s\n", "TIME (UTC)", "CALLER",
                      "ROLE", "METHOD", "CHILDREN");
  for (const sgm::audit::v1::ReadAuditEntry& e : entries) {
    absl::string_view method = e.method();
    const size_t slash = method.rfind('/');
    if (slash != absl::string_view::npos) method.remove_prefix(slash + 1);
    const absl::Time at = absl::FromUnixSeconds(e.read_time().seconds());
    std::string children = absl::StrJoin(e.child_ids(), ",");
    if (children.empty() && e.record_ids_size() > 0) {
      children =
          absl::StrCat("(records: ", absl::StrJoin(e.record_ids(), ","), ")");
    }
    absl::StrAppend(
        &out,
        absl::StrFormat(
            "%-20s %-20s %-13s %-22s %s\n",
            absl::FormatTime("%Y-%m-%d %H:%M:%S", at, absl::UTCTimeZone()),
            e.caller(), e.role(), method, children.empty() ? "-" : children));
  }
  absl::StrAppend(&out, entries.size(),
                  entries.size() == 1 ? " entry\n" : " entries\n");
  return out;
}

// Every page of one service's ListReadAudit for `request`'s filter.
template <typename Stub, typename Request, typename Response>
int ListAudit(Stub& stub, Request request) {
  Response all;
  request.set_page_size(kPageSize);
  for (int page = 0;; ++page) {
    if (page >= kMaxPages) {
      return Failed(absl::InternalError("the audit log did not end"));
    }
    Response response;
    grpc::ClientContext context;
    PrepareUnary(&context);
    const grpc::Status status =
        stub.ListReadAudit(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      return Failed(absl::PermissionDeniedError(absl::StrCat(
          status.error_message(), " (the audit log is for admins only)")));
    }
    if (!status.ok()) return Failed(FromGrpcStatus(status));
    for (auto& entry : *response.mutable_entries()) {
      *all.add_entries() = std::move(entry);
    }
    if (response.next_page_token().empty() ||
        response.next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(response.next_page_token());
  }
  return PrintKpi(all, [&] { return RenderAuditTable(all.entries()); });
}

int RunAdminAudit() {
  const std::string service = absl::GetFlag(FLAGS_service);
  if (service != "intake" && service != "kpi" && service != "workforce" &&
      service != "qa") {
    return UsageError(
        kAdminUsage,
        "admin audit needs --service=intake, kpi, workforce or qa");
  }
  if (!HaveToken()) {
    return UsageError(kAdminUsage, "no token: give --token or set SGM_TOKEN");
  }
  sgm::audit::v1::ReadAuditFilter filter;
  if (const std::string from = absl::GetFlag(FLAGS_from); !from.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        AuditDayStart("from", from, false);
    if (!t.ok()) return UsageError(kAdminUsage, t.status().message());
    *filter.mutable_from_time() = *t;
  }
  if (const std::string to = absl::GetFlag(FLAGS_to); !to.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> t =
        AuditDayStart("to", to, true);
    if (!t.ok()) return UsageError(kAdminUsage, t.status().message());
    *filter.mutable_to_time() = *t;
  }
  filter.set_caller(absl::GetFlag(FLAGS_caller));
  filter.set_child_id(absl::GetFlag(FLAGS_child));
  filter.set_method(absl::GetFlag(FLAGS_method));
  const absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      GatewayChannel();
  if (!channel.ok()) return SettingError(channel.status());
  if (service == "intake") {
    auto stub = sgm::intake::v1::IntakeService::NewStub(*channel);
    sgm::intake::v1::ListReadAuditRequest request;
    *request.mutable_filter() = filter;
    return ListAudit<sgm::intake::v1::IntakeService::Stub,
                     sgm::intake::v1::ListReadAuditRequest,
                     sgm::intake::v1::ListReadAuditResponse>(*stub, request);
  }
  if (service == "kpi") {
    auto stub = sgm::kpi::v1::KpiService::NewStub(*channel);
    sgm::kpi::v1::ListReadAuditRequest request;
    *request.mutable_filter() = filter;
    return ListAudit<sgm::kpi::v1::KpiService::Stub,
                     sgm::kpi::v1::ListReadAuditRequest,
                     sgm::kpi::v1::ListReadAuditResponse>(*stub, request);
  }
  if (service == "qa") {
    auto stub = sgm::qa::v1::QaService::NewStub(*channel);
    sgm::qa::v1::ListReadAuditRequest request;
    *request.mutable_filter() = filter;
    return ListAudit<sgm::qa::v1::QaService::Stub,
                     sgm::qa::v1::ListReadAuditRequest,
                     sgm::qa::v1::ListReadAuditResponse>(*stub, request);
  }
  auto stub = sgm::workforce::v1::WorkforceService::NewStub(*channel);
  sgm::workforce::v1::ListReadAuditRequest request;
  *request.mutable_filter() = filter;
  return ListAudit<sgm::workforce::v1::WorkforceService::Stub,
                   sgm::workforce::v1::ListReadAuditRequest,
                   sgm::workforce::v1::ListReadAuditResponse>(*stub, request);
}

int RunAdmin(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[1] == "audit") return RunAdminAudit();
  if (args.size() == 3 && args[1] == "hash-token") {
    // The gateway's own function: what it stores is what this prints.
    std::cout << sgm::gateway::TokenAuthenticator::HashToken(args[2]) << "\n";
    return 0;
  }
  if (args.size() == 2 && args[1] == "backup") {
    const std::string store = absl::GetFlag(FLAGS_store);
    const std::string to = absl::GetFlag(FLAGS_to);
    if (store.empty() || to.empty()) {
      return UsageError(kAdminUsage, "backup needs --store and --to");
    }
    if (absl::Status s = BackupStore(store, to); !s.ok()) return Failed(s);
    std::cout << "backed up " << store << " to " << to
              << " (integrity check ok)\n";
    return 0;
  }
  if (args.size() == 3 && args[1] == "verify") {
    int version = 0;
    absl::StatusOr<std::string> check = VerifyStore(args[2], &version);
    if (!check.ok()) return Failed(check.status());
    std::cout << args[2] << ": schema version " << version << ", integrity "
              << *check << "\n";
    return *check == "ok" ? 0 : 1;
  }
  if (args.size() == 2 && args[1] == "new-token") {
    unsigned char bytes[32];
    const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Failed(absl::UnavailableError(
          absl::StrCat("cannot open /dev/urandom: ", std::strerror(errno))));
    }
    size_t got = 0;
    while (got < sizeof(bytes)) {
      const ssize_t n = read(fd, bytes + got, sizeof(bytes) - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    close(fd);
    if (got != sizeof(bytes)) {
      return Failed(absl::UnavailableError("cannot read /dev/urandom"));
    }
    std::cout << Hex(bytes, sizeof(bytes)) << "\n";
    return 0;
  }
  return UsageError(kAdminUsage);
}

int Run(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError(kUsage);
  const std::string& command = args[0];
  if (command == "import") return RunImport(args);
  if (command == "intake") return RunIntake(args);
  if (command == "kpi") return RunKpi(args);
  if (command == "workforce") return RunWorkforce(args);
  if (command == "qa") return RunQa(args);
  if (command == "insight") return RunInsight(args);
  if (command == "whoami") return RunWhoAmI(args);
  if (command == "report") return RunReport(args);
  if (command == "synth") return RunSynth(args);
  if (command == "admin") return RunAdmin(args);
  if (command == "help") {
    std::cout << kUsage;
    return 0;
  }
  return UsageError(kUsage, absl::StrCat("unknown command '", command, "'"));
}

}  // namespace
}  // namespace sgm::cli

int main(int argc, char** argv) {
  // "--as-of" is "--as_of" (flag names are identifiers): a dash in the name
  // of a known flag reads as an underscore.
  // "-o FILE" and "-o=FILE" are "--out=FILE"; "--date" (workforce
  // summary) is "--as_of".
  std::vector<std::string> spelt;
  for (int i = 0; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (i > 0 && arg == "--date" && i + 1 < argc) {
      spelt.push_back(absl::StrCat("--as_of=", argv[++i]));
    } else if (i > 0 && absl::StartsWith(arg, "--date=")) {
      spelt.push_back(absl::StrCat("--as_of=", arg.substr(7)));
    } else if (i > 0 && arg == "-o" && i + 1 < argc) {
      spelt.push_back(absl::StrCat("--out=", argv[++i]));
    } else if (i > 0 && absl::StartsWith(arg, "-o=")) {
      spelt.push_back(absl::StrCat("--out=", arg.substr(3)));
    } else {
      spelt.emplace_back(arg);
    }
  }
  std::vector<char*> normalized;
  normalized.reserve(spelt.size() + 1);
  bool flags_done = false;
  for (size_t i = 0; i < spelt.size(); ++i) {
    std::string& arg = spelt[i];
    if (arg == "--") flags_done = true;
    if (i > 0 && !flags_done && arg.size() > 2 && arg[0] == '-') {
      const size_t start = arg[1] == '-' ? 2 : 1;
      const size_t end = std::min(arg.find('='), arg.size());
      std::string name = arg.substr(start, end - start);
      std::replace(name.begin(), name.end(), '-', '_');
      if (name != arg.substr(start, end - start) &&
          absl::FindCommandLineFlag(name) != nullptr) {
        arg = absl::StrCat(arg.substr(0, start), name, arg.substr(end));
      }
    }
    normalized.push_back(arg.data());
  }
  normalized.push_back(nullptr);
  const std::vector<char*> positional = sgm::ParseFlagsOrDie(
      static_cast<int>(spelt.size()), normalized.data(), sgm::cli::kUsage);
  std::vector<std::string> args;
  for (size_t i = 1; i < positional.size(); ++i)
    args.emplace_back(positional[i]);
  return sgm::cli::Run(args);
}
