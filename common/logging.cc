#include "common/logging.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace sgm {
namespace {

// Appends `s` as the contents of a JSON string (RFC 8259 section 7): quotes,
// backslashes and control characters are escaped, and bytes that are not
// valid UTF-8 become U+FFFD so that the line is always valid JSON.
void AppendJsonEscaped(absl::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default:
          if (c < 0x20) {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 0xf]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence: its length and the range of its second
    // byte (which rules out overlong forms, surrogates and > U+10FFFF).
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    }
    bool valid = length != 0 && i + length <= s.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      valid = k == 1 ? (b >= low && b <= high) : (b >= 0x80 && b <= 0xBF);
    }
    if (valid) {
      out->append(s.data() + i, length);
      i += length;
    } else {
      out->append(kReplacement.data(), kReplacement.size());
      ++i;
    }
  }
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(s, out);
  out->push_back('"');
}

// RFC 3339, UTC, milliseconds: 2023-09-14T08:30:00.123Z.
std::string NowTimestamp() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                          absl::UTCTimeZone());
}

absl::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    default:
      return "info";
  }
}

void Log(spdlog::level::level_enum level, absl::string_view event,
         std::initializer_list<LogField> fields) {
  const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger();
  if (logger == nullptr || !logger->should_log(level)) return;
  // The logger InitLogging installs is named after the service.
  const std::string line = FormatLogLine(NowTimestamp(), LevelName(level),
                                         logger->name(), event, fields);
  logger->log(level, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace

LogField::LogField(absl::string_view k, long long v)
    : key(k), value(absl::StrCat(v)), numeric(true) {}

LogField::LogField(absl::string_view k, double v) : key(k), numeric(true) {
  if (!std::isfinite(v)) {
    value = "null";  // JSON has no NaN or infinity.
    return;
  }
  // The shortest text that reads back as the same double.
  char buffer[32];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), v);
  value.assign(buffer, result.ptr);
}

absl::Status InitLogging(absl::string_view service, absl::string_view level) {
  spdlog::level::level_enum spd_level;
  if (level == "debug") {
    spd_level = spdlog::level::debug;
  } else if (level == "info") {
    spd_level = spdlog::level::info;
  } else if (level == "warn") {
    spd_level = spdlog::level::warn;
  } else if (level == "error") {
    spd_level = spdlog::level::err;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown log level \"", level, "\": want debug, info, warn or error"));
  }
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger =
      std::make_shared<spdlog::logger>(std::string(service), std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spd_level);
  logger->flush_on(spdlog::level::trace);  // one line at a time: containers
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

void LogDebug(absl::string_view event, std::initializer_list<LogField> fields) {
  Log(spdlog::level::debug, event, fields);
}

void LogInfo(absl::string_view event, std::initializer_list<LogField> fields) {
  Log(spdlog::level::info, event, fields);
}

void LogWarn(absl::string_view event, std::initializer_list<LogField> fields) {
  Log(spdlog::level::warn, event, fields);
}

void LogError(absl::string_view event, std::initializer_list<LogField> fields) {
  Log(spdlog::level::err, event, fields);
}

std::string FormatLogLine(absl::string_view ts, absl::string_view level,
                          absl::string_view service, absl::string_view event,
                          std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(96 + event.size() + 32 * fields.size());
  line.append("{\"ts\":");
  AppendJsonString(ts, &line);
  line.append(",\"level\":");
  AppendJsonString(level, &line);
  line.append(",\"service\":");
  AppendJsonString(service, &line);
  line.append(",\"event\":");
  AppendJsonString(event, &line);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(field.key, &line);
    line.push_back(':');
    if (field.numeric) {
      line.append(field.value);
    } else {
      AppendJsonString(field.value, &line);
    }
  }
  line.push_back('}');
  return line;
}

}  // namespace sgm
