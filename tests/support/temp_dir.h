// A temporary directory for a test, removed with everything in it when the
// object goes away.
#ifndef SGM_TESTS_SUPPORT_TEMP_DIR_H_
#define SGM_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sgm::testing {

class TempDir {
 public:
  // Creates "<base>/<prefix>.XXXXXX" with mkdtemp, where <base> is
  // $TEST_TMPDIR when set and not empty, else /tmp. Aborts the test binary
  // with a message when the directory cannot be created.
  explicit TempDir(absl::string_view prefix = "sgm");
  // Removes the directory recursively; errors are ignored.
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The absolute path of the directory, without a trailing slash.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(absl::string_view name) const;

 private:
  std::string path_;
};

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_TEMP_DIR_H_
