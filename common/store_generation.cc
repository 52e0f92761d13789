#include "common/store_generation.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sgm {

std::string AppendOnlyTriggersSql(absl::string_view table) {
  return absl::StrCat(
      "CREATE TRIGGER ", table, "_no_update BEFORE UPDATE ON ", table,
      "\nBEGIN SELECT RAISE(ABORT, '", table, " is append-only'); END;\n",
      "CREATE TRIGGER ", table, "_no_delete BEFORE DELETE ON ", table,
      "\nBEGIN SELECT RAISE(ABORT, '", table, " is append-only'); END;\n");
}

absl::StatusOr<int64_t> ReadGeneration(SqliteDatabase& db,
                                       absl::string_view authority) {
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * stmt,
      db.Prepare("SELECT generation FROM generations WHERE authority = ?"));
  stmt->Bind(1, authority);
  SGM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  const int64_t generation = row ? stmt->ColumnInt(0) : 0;
  stmt->Reset();
  return generation;
}

absl::StatusOr<int64_t> BumpGeneration(SqliteDatabase& db,
                                       absl::string_view authority) {
  SGM_ASSIGN_OR_RETURN(
      SqliteStatement * bump,
      db.Prepare(
          "INSERT INTO generations (authority, generation) VALUES (?1, "
          "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)) "
          "ON CONFLICT (authority) DO UPDATE SET generation = max("
          "generation + 1, CAST((julianday('now') - 2440587.5) * "
          "86400000000.0 AS INTEGER)) RETURNING generation"));
  bump->Bind(1, authority);
  SGM_ASSIGN_OR_RETURN(bool row, bump->Step());
  if (!row) {
    bump->Reset();
    return absl::InternalError(
        absl::StrCat("store ", db.path(), ": raising the generation of ",
                     "authority '", authority, "' returned no row"));
  }
  const int64_t generation = bump->ColumnInt(0);
  bump->Reset();
  return generation;
}

}  // namespace sgm
