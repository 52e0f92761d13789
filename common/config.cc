#include "common/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sgm {
namespace {

// Abseil's own flags (--flagfile, --help, ...) are defined in files under
// absl/; they are never read from SGM_* variables.
bool IsAbseilFlag(const absl::CommandLineFlag& flag) {
  const std::string filename = flag.Filename();
  return absl::StartsWith(filename, "absl/") ||
         absl::StrContains(filename, "/absl/");
}

// What absl::ProgramUsageMessage() answers before SetProgramUsageMessage().
constexpr absl::string_view kUsageNeverSet =
    "Warning: SetProgramUsageMessage() never called";

}  // namespace

std::string EnvironmentVariableFor(absl::string_view flag_name) {
  return absl::StrCat("SGM_", absl::AsciiStrToUpper(flag_name));
}

absl::Status ApplyEnvironmentToFlags() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag == nullptr || IsAbseilFlag(*flag)) continue;
    const std::string variable = EnvironmentVariableFor(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return InvalidSetting(name, error);
    }
  }
  return absl::OkStatus();
}

// Checks every "--name[=value]" of a command line against the registered
// flags (parsing the value into the flag, which ParseCommandLine then sets
// again). Abseil's built-in flags (--help, --helpfull, ...) are left to it.
absl::Status CheckCommandLine(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;  // the rest is positional
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) {
      continue;
    }
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    // Abseil's usage and flag-file switches are not registered flags.
    static constexpr absl::string_view kAbseilSwitches[] = {
        "help",     "helpfull",  "helpshort",  "helppackage",
        "helpon",   "helpmatch", "version",    "only_check_args",
        "flagfile", "fromenv",   "tryfromenv", "undefok"};
    if (std::find(std::begin(kAbseilSwitches), std::end(kAbseilSwitches),
                  name) != std::end(kAbseilSwitches)) {
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated =
          absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>() &&
          eq == absl::string_view::npos) {
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown setting --", name, " (see --help)"));
    }
    if (absl::StartsWith(flag->Filename(), "absl/")) continue;
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return InvalidSetting(name, "a value is required");
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) return InvalidSetting(name, error);
  }
  return absl::OkStatus();
}

std::vector<char*> ParseFlagsOrDie(int argc, char** argv,
                                   absl::string_view usage) {
  // SetProgramUsageMessage exits when called twice; set it only once.
  if (absl::StartsWith(absl::ProgramUsageMessage(), kUsageNeverSet)) {
    absl::SetProgramUsageMessage(usage);
  }
  const absl::Status status = ApplyEnvironmentToFlags();
  if (!status.ok()) {
    std::fprintf(stderr, "sgm: %s\n", std::string(status.message()).c_str());
    std::exit(2);
  }
  // Abseil's own parser exits 1 on a bad value or an unknown flag; check
  // them first so that every invalid setting exits 2 naming both spellings.
  const absl::Status command_line = CheckCommandLine(argc, argv);
  if (!command_line.ok()) {
    std::fprintf(stderr, "sgm: %s\n",
                 std::string(command_line.message()).c_str());
    std::exit(2);
  }
  // Flags given on the command line are parsed last, so they win.
  return absl::ParseCommandLine(argc, argv);
}

absl::Status InvalidSetting(absl::string_view flag_name,
                            absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("setting --", flag_name, " (",
                   EnvironmentVariableFor(flag_name), "): ", problem));
}

absl::Status ParseHostPort(absl::string_view flag_name, absl::string_view value,
                           std::string* host, int* port) {
  const size_t colon = value.rfind(':');
  int parsed = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &parsed) || parsed < 0 ||
      parsed > 65535) {
    return InvalidSetting(flag_name, "must be host:port");
  }
  *host = std::string(value.substr(0, colon));
  *port = parsed;
  return absl::OkStatus();
}

}  // namespace sgm
