// `sgm admin backup` and `sgm admin verify`: an online copy of a service's
// SQLite store, taken while the service runs, and a check of a store file.
// Both open the store read-only, so they work on a store whose schema is
// newer than this binary and never migrate or change it.
#ifndef SGM_TOOLS_SGM_STORE_BACKUP_H_
#define SGM_TOOLS_SGM_STORE_BACKUP_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sgm::cli {

// Copies the store at `store_path` to the new file `dest_path` with SQLite's
// online backup API: one consistent snapshot holding every transaction
// committed before the copy began (so every import already answered), taken
// without stopping the service's writes. The copy is checked with PRAGMA
// integrity_check before this returns OK.
// NOT_FOUND when `store_path` does not exist; ALREADY_EXISTS when
// `dest_path` does (it is left untouched); DATA_LOSS when the source is not
// a database or the copy fails the check. A failure leaves no partial copy.
absl::Status BackupStore(const std::string& store_path,
                         const std::string& dest_path);

// Runs PRAGMA integrity_check on the store at `store_path` and returns "ok",
// or the problems it found ("; "-separated, at most 10, then how many more).
// When `schema_version` is not null it receives the store's schema version
// (PRAGMA user_version). NOT_FOUND when the file does not exist; DATA_LOSS
// when it is not a database or is damaged beyond what the check can read.
absl::StatusOr<std::string> VerifyStore(const std::string& store_path,
                                        int* schema_version = nullptr);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_STORE_BACKUP_H_
