// The real sgm-intake binary as a child process (docs/operations.md,
// "Shutdown"): on SIGTERM it stops taking new calls but lets an import in
// flight finish, then exits 0; a kill -9 loses nothing it acknowledged.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "gtest/gtest.h"
#include "sgm/intake/v1/intake.grpc.pb.h"
#include "tests/support/feed_client.h"
#include "tests/support/health_probe.h"
#include "tests/support/temp_dir.h"

namespace sgm::intake {
namespace {

namespace v1 = ::sgm::intake::v1;

constexpr char kHeader[] =
    "source_record_id,received_at,child_id,source_code,primary_need\n";
// --shutdown_grace of the child.
constexpr absl::Duration kGrace = absl::Seconds(5);
// How long a child gets to start answering health.
constexpr absl::Duration kStartTimeout = absl::Seconds(15);

// CSV rows <prefix><from> .. <prefix><to>, all received in the past.
std::string Rows(absl::string_view prefix, int from, int to) {
  std::string rows;
  for (int i = from; i <= to; ++i) {
    absl::StrAppend(&rows, prefix, i, ",2024-06-03T09:00:00+01:00,CH", i % 97,
                    ",6,N1\n");
  }
  return rows;
}

// A free loopback port: bound as port 0, read back, closed.
absl::StatusOr<int> PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::InternalError(
        absl::StrCat("binding port 0: ", std::strerror(error)));
  }
  ::close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

// A context as the gateway makes it for a practitioner of authority 831.
std::unique_ptr<grpc::ClientContext> AsPractitioner() {
  auto context = std::make_unique<grpc::ClientContext>();
  CallerIdentity who;
  who.caller = "shutdown-test";
  who.role = Role::kPractitioner;
  who.authority = "831";
  AttachIdentity(who, context.get());
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

// build's sgm-intake in its own process on a free 127.0.0.1 port, without
// Redis or metrics, killed (SIGKILL) when the object goes away.
class IntakeProcess {
 public:
  // Starts the binary on `store_path`, its stdout and stderr appended to
  // `log_path`, and waits until its health answers SERVING. A port taken
  // between picking and binding is retried with a new one, 3 tries in all.
  static absl::StatusOr<std::unique_ptr<IntakeProcess>> Start(
      const std::string& store_path, const std::string& log_path) {
    std::unique_ptr<IntakeProcess> process(
        new IntakeProcess(store_path, log_path));
    absl::Status status;
    for (int attempt = 0; attempt < 3; ++attempt) {
      absl::StatusOr<int> port = PickFreePort();
      if (!port.ok()) return port.status();
      status = process->Launch(*port);
      if (status.ok()) return process;
    }
    return status;
  }

  ~IntakeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  IntakeProcess(const IntakeProcess&) = delete;
  IntakeProcess& operator=(const IntakeProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  // One channel for the process's life, as a client (the gateway) keeps.
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // A new channel, as a probe makes for each check.
  std::shared_ptr<grpc::Channel> NewChannel() const {
    return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  }

  absl::Status Signal(int signal) {
    if (pid_ <= 0) return absl::FailedPreconditionError("not running");
    if (::kill(pid_, signal) != 0) {
      return absl::InternalError(absl::StrCat("kill: ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

  // Waits up to `timeout` for the process to end and returns its wait
  // status; DEADLINE_EXCEEDED when it is still running.
  absl::StatusOr<int> WaitForExit(absl::Duration timeout) {
    if (pid_ <= 0) return absl::FailedPreconditionError("not running");
    const absl::Time deadline = absl::Now() + timeout;
    while (true) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return status;
      }
      if (done < 0) {
        return absl::InternalError(
            absl::StrCat("waitpid: ", std::strerror(errno)));
      }
      if (absl::Now() >= deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            "sgm-intake still running after ", absl::FormatDuration(timeout)));
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  // The end of the process's output, for failure messages.
  std::string LogTail() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    constexpr size_t kTail = 3000;
    return all.size() > kTail ? all.substr(all.size() - kTail) : all;
  }

 private:
  IntakeProcess(std::string store_path, std::string log_path)
      : store_path_(std::move(store_path)), log_path_(std::move(log_path)) {}

  // Forks and execs the binary on `port` and waits for SERVING. Leaves the
  // object stopped on failure.
  absl::Status Launch(int port) {
    // Everything the child needs is made before fork(): after it, only
    // async-signal-safe calls until exec.
    const std::vector<std::string> args = {
        SGM_INTAKE_PATH,
        absl::StrCat("--listen=127.0.0.1:", port),
        absl::StrCat("--store_path=", store_path_),
        "--redis=",
        "--metrics=",
        absl::StrCat("--shutdown_grace=", absl::FormatDuration(kGrace)),
    };
    std::vector<char*> argv;
    for (const std::string& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    // The test's environment without SGM_* settings, which would otherwise
    // fill in the flags not given above.
    std::vector<char*> envp;
    for (char** var = environ; *var != nullptr; ++var) {
      if (!absl::StartsWith(*var, "SGM_")) envp.push_back(*var);
    }
    envp.push_back(nullptr);
    const int log_fd = ::open(log_path_.c_str(),
                              O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      return absl::InternalError(
          absl::StrCat("opening ", log_path_, ": ", std::strerror(errno)));
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int error = errno;
      ::close(log_fd);
      return absl::InternalError(absl::StrCat("fork: ", std::strerror(error)));
    }
    if (pid == 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      // Dies with the test binary (the forking thread is the test's main
      // thread, which outlives the process).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(log_fd);
    pid_ = pid;
    port_ = port;
    channel_ = NewChannel();

    const absl::Time deadline = absl::Now() + kStartTimeout;
    while (absl::Now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return absl::UnavailableError(
            absl::StrCat("sgm-intake exited during start-up (wait status ",
                         status, "):\n", LogTail()));
      }
      if (testing::HealthOf(NewChannel(), "") == testing::kServing) {
        return absl::OkStatus();
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return absl::DeadlineExceededError(
        absl::StrCat("sgm-intake did not answer health SERVING within ",
                     absl::FormatDuration(kStartTimeout), ":\n", LogTail()));
  }

  const std::string store_path_;
  const std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

// Every source_record_id the service lists for authority 831.
std::vector<std::string> ListAllIds(v1::IntakeService::Stub& stub) {
  std::vector<std::string> ids;
  v1::ListContactsRequest request;
  request.set_page_size(1000);
  std::string token;
  do {
    request.set_page_token(token);
    v1::ListContactsResponse page;
    const grpc::Status status =
        stub.ListContacts(AsPractitioner().get(), request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const auto& contact : page.contacts()) {
      ids.push_back(contact.source_record_id());
    }
    token = page.next_page_token();
  } while (!token.empty());
  return ids;
}

TEST(IntakeShutdownTest, SigtermLetsAnImportInFlightFinishThenExitsZero) {
  testing::TempDir dir("sgm-shutdown");
  const std::string store = dir.File("intake.db");
  auto process = IntakeProcess::Start(store, dir.File("intake.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  IntakeProcess& intake = **process;
  auto stub = v1::IntakeService::NewStub(intake.channel());

  constexpr int kRows = 10;
  auto context = AsPractitioner();
  v1::ImportContactsResponse response;
  auto writer = stub->ImportContacts(context.get(), &response);
  v1::ImportContactsRequest first;
  first.set_agency("POLICE");
  first.mutable_chunk()->set_format(sgm::feed::v1::FEED_FORMAT_CSV);
  first.mutable_chunk()->set_data(absl::StrCat(kHeader, Rows("R", 1, 3)));
  ASSERT_TRUE(writer->Write(first));
  // A call answered on the same connection after the import's stream was
  // opened: the server has taken the import in.
  ASSERT_EQ(testing::HealthOf(intake.channel(), ""), testing::kServing);
  absl::SleepFor(absl::Milliseconds(200));

  const absl::Time sigterm_at = absl::Now();
  ASSERT_TRUE(intake.Signal(SIGTERM).ok());

  // A probe now fails: health answers NOT_SERVING or, as the server stops
  // listening, the probe is cancelled (CANCELLED) or its connection refused
  // (UNAVAILABLE).
  int health = testing::kServing;
  grpc::StatusCode health_code = grpc::StatusCode::OK;
  while (health == testing::kServing &&
         absl::Now() < sigterm_at + absl::Seconds(3)) {
    health = testing::HealthOf(intake.NewChannel(), "", &health_code);
    if (health == testing::kServing) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(health == testing::kNotServing ||
              (health == -1 && (health_code == grpc::StatusCode::UNAVAILABLE ||
                                health_code == grpc::StatusCode::CANCELLED)))
      << "health " << health << ", code " << health_code;
  // And a new call is refused while the import is still open.
  grpc::StatusCode new_call = grpc::StatusCode::OK;
  while (new_call != grpc::StatusCode::UNAVAILABLE &&
         absl::Now() < sigterm_at + absl::Seconds(3)) {
    auto other = v1::IntakeService::NewStub(intake.NewChannel());
    v1::GetContactRequest get;
    get.set_contact_ref("POLICE:R1");
    v1::GetContactResponse got;
    new_call =
        other->GetContact(AsPractitioner().get(), get, &got).error_code();
  }
  EXPECT_EQ(new_call, grpc::StatusCode::UNAVAILABLE);

  // The import in flight goes on to the end.
  v1::ImportContactsRequest rest;
  rest.mutable_chunk()->set_data(Rows("R", 4, kRows));
  EXPECT_TRUE(writer->Write(rest));
  EXPECT_TRUE(writer->WritesDone());
  const grpc::Status finished = writer->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error_message() << "\n"
                             << intake.LogTail();
  EXPECT_EQ(response.summary().records(), kRows);
  EXPECT_EQ(response.summary().accepted(), kRows);
  EXPECT_EQ(response.summary().rejected(), 0);

  // With nothing left in flight it exits 0, well before the grace runs out.
  absl::StatusOr<int> exit =
      intake.WaitForExit(sigterm_at + kGrace - absl::Now());
  ASSERT_TRUE(exit.ok()) << exit.status() << "\n" << intake.LogTail();
  EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0)
      << DescribeWaitStatus(*exit) << "\n"
      << intake.LogTail();

  // Everything acknowledged is in the store the next process opens.
  auto restarted = IntakeProcess::Start(store, dir.File("intake.log"));
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  auto stub2 = v1::IntakeService::NewStub((*restarted)->channel());
  for (int i = 1; i <= kRows; ++i) {
    v1::GetContactRequest get;
    get.set_contact_ref(absl::StrCat("POLICE:R", i));
    v1::GetContactResponse got;
    const grpc::Status status =
        stub2->GetContact(AsPractitioner().get(), get, &got);
    EXPECT_TRUE(status.ok()) << "R" << i << ": " << status.error_message();
  }
}

TEST(IntakeShutdownTest, SigtermWithNothingInFlightExitsZeroQuickly) {
  testing::TempDir dir("sgm-shutdown");
  auto process =
      IntakeProcess::Start(dir.File("intake.db"), dir.File("intake.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE((*process)->Signal(SIGTERM).ok());
  absl::StatusOr<int> exit = (*process)->WaitForExit(absl::Seconds(3));
  ASSERT_TRUE(exit.ok()) << exit.status() << "\n" << (*process)->LogTail();
  EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0)
      << DescribeWaitStatus(*exit) << "\n"
      << (*process)->LogTail();
}

TEST(IntakeShutdownTest, AKilledServiceLosesNothingItAcknowledged) {
  testing::TempDir dir("sgm-shutdown");
  const std::string store = dir.File("intake.db");
  auto process = IntakeProcess::Start(store, dir.File("intake.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  IntakeProcess& intake = **process;
  auto stub = v1::IntakeService::NewStub(intake.channel());

  // File A: more than one batch (5,000), acknowledged by its answer.
  constexpr int kRowsA = 6000;
  v1::ImportContactsResponse answer_a;
  const grpc::Status status_a =
      testing::SendContacts(*stub, AsPractitioner().get(),
                            absl::StrCat(kHeader, Rows("A", 1, kRowsA)),
                            "POLICE", &answer_a, 64 << 10);
  ASSERT_TRUE(status_a.ok()) << status_a.error_message();
  ASSERT_EQ(answer_a.summary().accepted(), kRowsA);

  // File B: two batches' worth sent, the stream left open, then kill -9.
  constexpr int kRowsB = 12000;
  auto context = AsPractitioner();
  v1::ImportContactsResponse answer_b;
  auto writer = stub->ImportContacts(context.get(), &answer_b);
  const std::string feed_b = absl::StrCat(kHeader, Rows("B", 1, kRowsB));
  constexpr size_t kChunk = 64 << 10;
  for (size_t at = 0; at < feed_b.size(); at += kChunk) {
    v1::ImportContactsRequest request;
    if (at == 0) {
      request.set_agency("POLICE");
      request.mutable_chunk()->set_format(sgm::feed::v1::FEED_FORMAT_CSV);
    }
    request.mutable_chunk()->set_data(feed_b.substr(at, kChunk));
    ASSERT_TRUE(writer->Write(request));
  }
  ASSERT_EQ(testing::HealthOf(intake.channel(), ""), testing::kServing);
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_TRUE(intake.Signal(SIGKILL).ok());
  absl::StatusOr<int> exit = intake.WaitForExit(absl::Seconds(5));
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(WIFSIGNALED(*exit) && WTERMSIG(*exit) == SIGKILL)
      << DescribeWaitStatus(*exit);
  writer->WritesDone();
  EXPECT_FALSE(writer->Finish().ok()) << "B was never acknowledged";

  auto restarted = IntakeProcess::Start(store, dir.File("intake.log"));
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  auto stub2 = v1::IntakeService::NewStub((*restarted)->channel());
  std::vector<bool> seen_a(kRowsA + 1, false);
  std::vector<bool> seen_b(kRowsB + 1, false);
  for (const std::string& id : ListAllIds(*stub2)) {
    int n = 0;
    if (!absl::SimpleAtoi(absl::string_view(id).substr(1), &n)) continue;
    if (id[0] == 'A' && n >= 1 && n <= kRowsA) seen_a[n] = true;
    if (id[0] == 'B' && n >= 1 && n <= kRowsB) seen_b[n] = true;
  }
  int missing_a = 0;
  for (int i = 1; i <= kRowsA; ++i) missing_a += seen_a[i] ? 0 : 1;
  EXPECT_EQ(missing_a, 0) << "acknowledged records lost";
  // Of the cut-off import, whole batches only: a leading part of the file
  // (its size depends on where the batches fell), with no gaps.
  int rows_b = 0;
  for (int i = 1; i <= kRowsB; ++i) rows_b += seen_b[i] ? 1 : 0;
  for (int i = 1; i <= rows_b; ++i) {
    if (!seen_b[i]) {
      ADD_FAILURE() << rows_b << " records of B kept, but not B" << i;
      break;
    }
  }
  for (const char* ref : {"POLICE:A1", "POLICE:A6000"}) {
    v1::GetContactRequest get;
    get.set_contact_ref(ref);
    v1::GetContactResponse got;
    const grpc::Status status =
        stub2->GetContact(AsPractitioner().get(), get, &got);
    EXPECT_TRUE(status.ok()) << ref << ": " << status.error_message();
  }
}

}  // namespace
}  // namespace sgm::intake
