#include "tools/sgm/store_backup.h"

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sqlite_database.h"
#include "common/status_macros.h"

namespace sgm::cli {
namespace {

// Problems of PRAGMA integrity_check quoted in full; the rest are counted.
constexpr size_t kProblemsListed = 10;

absl::StatusOr<std::unique_ptr<SqliteDatabase>> OpenReadOnly(
    const std::string& path) {
  SqliteDatabase::Options options;
  options.path = path;
  options.read_only = true;
  return SqliteDatabase::Open(options);
}

}  // namespace

absl::Status BackupStore(const std::string& store_path,
                         const std::string& dest_path) {
  // Checked before the source is opened, so an existing file is refused
  // whatever state the source is in.
  struct stat st;
  if (::stat(dest_path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("backup destination ", dest_path,
                     " already exists; it was left untouched"));
  }
  SGM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDatabase> source,
                       OpenReadOnly(store_path));
  SGM_RETURN_IF_ERROR(source->BackupTo(dest_path));
  // The copy holds child-level data and the read-audit log: owner only.
  std::error_code error;
  std::filesystem::permissions(
      dest_path,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, error);
  if (error) {
    return absl::InternalError(absl::StrCat("backup ", dest_path,
                                            ": cannot restrict its mode to "
                                            "0600: ",
                                            error.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> VerifyStore(const std::string& store_path,
                                        int* schema_version) {
  SGM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDatabase> db,
                       OpenReadOnly(store_path));
  if (schema_version != nullptr) *schema_version = db->SchemaVersion();
  SGM_ASSIGN_OR_RETURN(SqliteStatement * check,
                       db->Prepare("PRAGMA integrity_check"));
  std::vector<std::string> problems;
  size_t more = 0;
  while (true) {
    absl::StatusOr<bool> row = check->Step();
    if (!row.ok()) {
      return absl::Status(row.status().code(),
                          absl::StrCat("checking store ", store_path, ": ",
                                       row.status().message()));
    }
    if (!*row) break;
    if (problems.size() < kProblemsListed) {
      problems.push_back(check->ColumnText(0));
    } else {
      ++more;
    }
  }
  if (problems.size() == 1 && problems[0] == "ok") return problems[0];
  if (problems.empty()) {
    return absl::InternalError(
        absl::StrCat("checking store ", store_path,
                     ": PRAGMA integrity_check said nothing"));
  }
  std::string text = absl::StrJoin(problems, "; ");
  if (more > 0) absl::StrAppend(&text, "; and ", more, " more");
  return text;
}

}  // namespace sgm::cli
