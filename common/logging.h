// JSON-lines logs on stdout (spdlog). Log events and ids, never personal
// data: no names, dates of birth, free text or child ids.
#ifndef SGM_COMMON_LOGGING_H_
#define SGM_COMMON_LOGGING_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sgm {

// One key/value of a log line. Numbers are written as JSON numbers.
struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  LogField(absl::string_view k, const char* v) : key(k), value(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(absl::string_view k, long long v);
  LogField(absl::string_view k, long v) : LogField(k, (long long)v) {}
  LogField(absl::string_view k, int v) : LogField(k, (long long)v) {}
  LogField(absl::string_view k, double v);
  std::string key;
  std::string value;
  bool numeric = false;
};

// Sets up the process's logger: `level` is "debug", "info", "warn" or
// "error". Every line: {"ts":...,"level":...,"service":...,"event":...,...}.
absl::Status InitLogging(absl::string_view service, absl::string_view level);

void LogDebug(absl::string_view event,
              std::initializer_list<LogField> fields = {});
void LogInfo(absl::string_view event,
             std::initializer_list<LogField> fields = {});
void LogWarn(absl::string_view event,
             std::initializer_list<LogField> fields = {});
void LogError(absl::string_view event,
              std::initializer_list<LogField> fields = {});

// The JSON line for an event (what the Log* functions write), for tests.
std::string FormatLogLine(absl::string_view ts, absl::string_view level,
                          absl::string_view service, absl::string_view event,
                          std::initializer_list<LogField> fields);

}  // namespace sgm

#endif  // SGM_COMMON_LOGGING_H_
