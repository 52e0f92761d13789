// What a read-audit query asks of a backend's append-only read_audit table
// (intake, KPI and workforce each keep one), and the SQL the stores share
// to answer it: newest first, keyset-paged by the row id.
#ifndef SGM_COMMON_READ_AUDIT_H_
#define SGM_COMMON_READ_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/sqlite_database.h"

namespace sgm {

// Filters of a read-audit query; empty ones match everything.
struct ReadAuditQuery {
  std::optional<absl::Time> from;  // at or after, inclusive
  std::optional<absl::Time> to;    // before, exclusive
  std::string caller;
  std::string method;     // as stored: the short name ("GetContact")
  std::string child_id;   // entries whose child ids hold it
  std::string record_id;  // entries whose record ids hold it
  int64_t before_id = 0;  // only rows with a smaller id; 0 = from the newest
  int limit = 100;        // at most this many rows
};

// The SELECT of a read_audit query: `columns` from read_audit of the
// authority (?1) matching the query's filters (?2..?9), newest (highest id)
// first. `child_ids_column` and `record_ids_column` name the ';'-joined id
// columns; pass "''" for a table without one.
std::string ReadAuditSelectSql(absl::string_view columns,
                               absl::string_view child_ids_column,
                               absl::string_view record_ids_column);

// Binds ?1..?9 of a ReadAuditSelectSql statement; INVALID_ARGUMENT for a
// negative limit or before_id.
absl::Status BindReadAuditQuery(SqliteStatement& stmt,
                                absl::string_view authority,
                                const ReadAuditQuery& query);

}  // namespace sgm

#endif  // SGM_COMMON_READ_AUDIT_H_
