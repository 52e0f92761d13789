#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sgm::testing {
namespace {

std::string BaseDir() {
  const char* from_env = std::getenv("TEST_TMPDIR");
  if (from_env != nullptr && from_env[0] != '\0') return from_env;
  return "/tmp";
}

}  // namespace

TempDir::TempDir(absl::string_view prefix) {
  std::string base = BaseDir();
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string pattern = absl::StrCat(base, "/", prefix, ".XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    std::fprintf(stderr, "TempDir: mkdtemp(%s) failed: %s\n", pattern.c_str(),
                 std::strerror(errno));
    std::abort();
  }
  std::error_code error;
  const std::filesystem::path absolute =
      std::filesystem::absolute(buffer.data(), error);
  path_ = error ? std::string(buffer.data()) : absolute.string();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::File(absl::string_view name) const {
  return absl::StrCat(path_, "/", name);
}

}  // namespace sgm::testing
