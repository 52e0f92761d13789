#include "common/config.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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
  // Flags given on the command line are parsed last, so they win.
  return absl::ParseCommandLine(argc, argv);
}

absl::Status InvalidSetting(absl::string_view flag_name,
                            absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("setting --", flag_name, " (",
                   EnvironmentVariableFor(flag_name), "): ", problem));
}

}  // namespace sgm
