// Pieces the services' SQLite stores share: the per-authority generation
// counter (DESIGN section 2: aggregates are cached under it), append-only
// table triggers, and the content fingerprint that tells a duplicate re-send
// from a conflicting one.
#ifndef SGM_COMMON_STORE_GENERATION_H_
#define SGM_COMMON_STORE_GENERATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sqlite_database.h"

namespace sgm {

// The `generations` table, for a store's schema (one statement, with a
// trailing newline). Its text is part of the schema of every store that
// includes it: change it only through a new migration.
inline constexpr char kGenerationsTableSql[] =
    "CREATE TABLE generations (\n"
    "  authority TEXT PRIMARY KEY,\n"
    "  generation INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n";

// Two triggers that make `table` append-only: any UPDATE or DELETE on it
// fails with "<table> is append-only", even through direct SQL. Named
// <table>_no_update and <table>_no_delete; each ends with a newline.
std::string AppendOnlyTriggersSql(absl::string_view table);

// The authority's generation on `db` (0 when never written). The caller
// serialises use of `db`; inside a transaction it reads that transaction's
// view.
absl::StatusOr<int64_t> ReadGeneration(SqliteDatabase& db,
                                       absl::string_view authority);

// Raises the authority's generation on `db` and returns the new value; call
// it inside the write transaction whose changes it announces.
//
// A generation is at least the current Unix time in microseconds (and one
// more than the last), not a plain count: a store restored from a backup
// then never hands out a number it had already used after the backup was
// taken, so an aggregate cached under that number before the restore can
// never be read as current. SQLite's clock has millisecond resolution: a
// restore would have to follow the backup within the same millisecond.
absl::StatusOr<int64_t> BumpGeneration(SqliteDatabase& db,
                                       absl::string_view authority);

// FNV-1a (64-bit) over a record's fields, each followed by a separator byte
// (0x1f) so that field boundaries count: "ab","" differs from "a","b".
// Stable across builds and platforms: the values are stored.
class ContentFingerprint {
 public:
  ContentFingerprint& Add(absl::string_view s) {
    for (unsigned char c : s) Mix(c);
    Mix(kSeparator);
    return *this;
  }
  // Little-endian bytes of `v`.
  ContentFingerprint& Add(int64_t v) {
    for (int i = 0; i < 8; ++i) Mix(static_cast<unsigned char>(v >> (8 * i)));
    Mix(kSeparator);
    return *this;
  }
  uint64_t value() const { return h_; }

 private:
  static constexpr unsigned char kSeparator = 0x1f;
  void Mix(unsigned char c) {
    h_ ^= c;
    h_ *= 1099511628211ull;
  }
  uint64_t h_ = 14695981039346656037ull;
};

}  // namespace sgm

#endif  // SGM_COMMON_STORE_GENERATION_H_
