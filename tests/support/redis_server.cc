#include "tests/support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sgm::testing {
namespace {

constexpr int kStartAttempts = 3;
constexpr absl::Duration kReadyTimeout = absl::Seconds(5);
constexpr absl::Duration kStopGrace = absl::Seconds(3);
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);

// redis-server on PATH, else /usr/bin/redis-server.
std::string FindRedisServer() {
  const char* path = std::getenv("PATH");
  if (path != nullptr) {
    for (absl::string_view entry : absl::StrSplit(path, ':')) {
      if (entry.empty()) continue;
      std::string candidate = absl::StrCat(entry, "/redis-server");
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "/usr/bin/redis-server";
}

// A port the kernel just handed out on 127.0.0.1 (free now, not reserved).
absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("bind 127.0.0.1:0: ", std::strerror(error)));
  }
  close(fd);
  return ntohs(address.sin_port);
}

// True when the server on `port` answers PING and is process `pid` (not
// another test's server that won a race for the port).
bool AnswersAsProcess(int port, pid_t pid) {
  const struct timeval timeout = absl::ToTimeval(absl::Milliseconds(200));
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr) return false;
  bool ok = false;
  if (context->err == 0 && redisSetTimeout(context, timeout) == REDIS_OK) {
    auto* pong = static_cast<redisReply*>(redisCommand(context, "PING"));
    if (pong != nullptr && pong->type == REDIS_REPLY_STATUS &&
        absl::string_view(pong->str, pong->len) == "PONG") {
      auto* info =
          static_cast<redisReply*>(redisCommand(context, "INFO server"));
      ok = info != nullptr && info->type == REDIS_REPLY_STRING &&
           absl::StrContains(absl::string_view(info->str, info->len),
                             absl::StrCat("process_id:", pid, "\r\n"));
      if (info != nullptr) freeReplyObject(info);
    }
    if (pong != nullptr) freeReplyObject(pong);
  }
  redisFree(context);
  return ok;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    return absl::StrCat("exited with status ", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status));
  }
  return absl::StrCat("ended with wait status ", status);
}

// The last `max_bytes` of a file, or "" when it cannot be read.
std::string LogTail(const std::string& path, size_t max_bytes = 2000) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text.erase(0, text.size() - max_bytes);
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisServerProcess>> RedisServerProcess::Start(
    const std::string& dir) {
  std::unique_ptr<RedisServerProcess> server(
      new RedisServerProcess(FindRedisServer(), dir));
  absl::Status last = absl::UnknownError("redis-server was not started");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    absl::StatusOr<int> port = PickFreePort();
    if (!port.ok()) return port.status();
    last = server->Launch(*port);
    if (last.ok()) return server;
  }
  return absl::Status(
      last.code(), absl::StrCat("redis-server did not start after ",
                                kStartAttempts, " attempts: ", last.message()));
}

RedisServerProcess::~RedisServerProcess() { Stop(); }

absl::Status RedisServerProcess::Launch(int port) {
  const std::string port_text = absl::StrCat(port);
  const std::vector<std::string> args = {
      binary_,                      //
      "--port",       port_text,    //
      "--bind",       "127.0.0.1",  //
      "--save",       "",           //
      "--appendonly", "no",         //
      "--dir",        dir_,         //
      "--daemonize",  "no",         //
      "--loglevel",   "warning",
  };
  std::vector<char*> argv;
  for (const std::string& arg : args) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);

  // The server's own output goes to a file, quoted when it fails to start.
  const std::string log_path = LogPath();
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(
        absl::StrCat("open ", log_path, ": ", std::strerror(errno)));
  }

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(error)));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only. The server goes away with the
    // thread that started it, even when the test binary crashes.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(126);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // Keep none of the test's sockets or files open in the server.
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 1024; ++fd) close(fd);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }

  close(log_fd);
  pid_ = pid;
  port_ = port;
  const absl::Time deadline = absl::Now() + kReadyTimeout;
  while (true) {
    int status = 0;
    const pid_t waited = waitpid(pid, &status, WNOHANG);
    if (waited == pid) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat(
          binary_, " on port ", port, " ", DescribeWaitStatus(status),
          "; log: ", LogTail(log_path)));
    }
    if (AnswersAsProcess(port, pid)) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      Stop();
      return absl::DeadlineExceededError(absl::StrCat(
          binary_, " on port ", port, " did not answer PING in ",
          absl::FormatDuration(kReadyTimeout), "; log: ", LogTail(log_path)));
    }
    absl::SleepFor(kPollInterval);
  }
}

std::string RedisServerProcess::LogPath() const {
  return absl::StrCat(dir_, "/redis-server.log");
}

void RedisServerProcess::Stop() {
  if (pid_ <= 0) return;
  const pid_t pid = pid_;
  pid_ = -1;
  kill(pid, SIGTERM);
  const absl::Time deadline = absl::Now() + kStopGrace;
  while (true) {
    int status = 0;
    const pid_t waited = waitpid(pid, &status, WNOHANG);
    if (waited == pid || (waited < 0 && errno != EINTR)) return;
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

absl::Status RedisServerProcess::Restart() {
  Stop();
  return Launch(port_);
}

absl::StatusOr<std::vector<std::string>> RedisServerProcess::Keys(
    const std::string& pattern) {
  timeval timeout{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
  if (c == nullptr || c->err) {
    std::string error = c == nullptr ? "no context" : c->errstr;
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("redis connect: ", error));
  }
  redisReply* reply =
      static_cast<redisReply*>(redisCommand(c, "KEYS %s", pattern.c_str()));
  std::vector<std::string> keys;
  absl::Status status;
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) {
    status = absl::InternalError("KEYS did not answer with an array");
  } else {
    for (size_t i = 0; i < reply->elements; ++i) {
      keys.emplace_back(reply->element[i]->str, reply->element[i]->len);
    }
  }
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(c);
  if (!status.ok()) return status;
  return keys;
}

}  // namespace sgm::testing
