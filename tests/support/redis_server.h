// A real redis-server for integration tests: its own process on a free
// loopback port, no persistence, stopped when the object goes away.
#ifndef SGM_TESTS_SUPPORT_REDIS_SERVER_H_
#define SGM_TESTS_SUPPORT_REDIS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sgm::testing {

class RedisServerProcess {
 public:
  // Starts redis-server (found on PATH, else /usr/bin/redis-server) on a
  // free 127.0.0.1 port with `dir` as its working directory, and waits up to
  // 5 s for it to answer PING. Its output is appended to
  // <dir>/redis-server.log, whose tail an error status quotes. A port taken
  // between picking and binding is retried with a new port, 3 attempts in all.
  //
  // The server gets SIGTERM if the thread that started it exits, so start
  // (and Restart) it from a thread that outlives it, e.g. the test's main
  // thread.
  static absl::StatusOr<std::unique_ptr<RedisServerProcess>> Start(
      const std::string& dir);

  // Stops the server.
  ~RedisServerProcess();

  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  int port() const { return port_; }
  // True between a successful start and Stop().
  bool running() const { return pid_ > 0; }

  // SIGTERM, then SIGKILL after 3 s; waits for the process. Nothing is
  // persisted, so a restarted server starts empty. No-op when stopped.
  void Stop();
  // Stops the server if running and starts it again on the same port.
  absl::Status Restart();

  // The keys matching `pattern` (KEYS), for tests that check what a
  // service cached.
  absl::StatusOr<std::vector<std::string>> Keys(const std::string& pattern);

 private:
  RedisServerProcess(std::string binary, std::string dir)
      : binary_(std::move(binary)), dir_(std::move(dir)) {}

  // Forks and execs redis-server on `port` and waits until it answers.
  // Leaves the object stopped on failure.
  absl::Status Launch(int port);
  std::string LogPath() const;

  const std::string binary_;
  const std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_REDIS_SERVER_H_
