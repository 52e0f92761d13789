// Settings come from flags (absl::Flags) and SGM_* environment variables:
// a flag --store_path is also read from SGM_STORE_PATH; a flag given on the
// command line wins over the environment.
#ifndef SGM_COMMON_CONFIG_H_
#define SGM_COMMON_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sgm {

// "store_path" -> "SGM_STORE_PATH".
std::string EnvironmentVariableFor(absl::string_view flag_name);

// Sets every registered flag whose SGM_* variable is set in the environment
// (absl's own flags excluded). INVALID_ARGUMENT naming the variable and
// the flag when a value does not parse. Call before ParseFlagsOrDie.
absl::Status ApplyEnvironmentToFlags();

// ApplyEnvironmentToFlags, then absl::ParseCommandLine; on an error prints
// it (naming the setting) to stderr and exits with status 2. Returns the
// positional arguments (argv[0] first).
std::vector<char*> ParseFlagsOrDie(int argc, char** argv,
                                   absl::string_view usage);

// For services' settings validation: an INVALID_ARGUMENT that names the
// setting both ways, e.g. "setting --listen (SGM_LISTEN): must be host:port".
absl::Status InvalidSetting(absl::string_view flag_name,
                            absl::string_view problem);

// Splits a "host:port" setting (port 0 to 65535; an IPv6 host in
// brackets); INVALID_ARGUMENT naming the setting when it is not one.
absl::Status ParseHostPort(absl::string_view flag_name, absl::string_view value,
                           std::string* host, int* port);

}  // namespace sgm

#endif  // SGM_COMMON_CONFIG_H_
