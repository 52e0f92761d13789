#include "common/read_audit.h"

#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sgm {

std::string ReadAuditSelectSql(absl::string_view columns,
                               absl::string_view child_ids_column,
                               absl::string_view record_ids_column) {
  // ';'-joined ids: ";a;b;" holds ";a;" exactly (instr, not LIKE, so '_'
  // and '%' in an id match only themselves).
  return absl::StrCat(
      "SELECT ", columns,
      " FROM read_audit WHERE authority = ?1 AND at_us >= ?2 AND at_us < ?3 "
      "AND (?4 = '' OR caller = ?4) AND (?5 = '' OR method = ?5) AND (?6 = "
      "'' OR instr(';' || ",
      child_ids_column,
      " || ';', ';' || ?6 || ';') > 0) AND (?7 = '' OR instr(';' || ",
      record_ids_column,
      " || ';', ';' || ?7 || ';') > 0) AND id < ?8 ORDER BY id DESC LIMIT ?9");
}

absl::Status BindReadAuditQuery(SqliteStatement& stmt,
                                absl::string_view authority,
                                const ReadAuditQuery& query) {
  if (query.limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("read audit: limit must be 0 or more, not ", query.limit));
  }
  if (query.before_id < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "read audit: before_id must be 0 or more, not ", query.before_id));
  }
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  stmt.Bind(1, authority)
      .Bind(2, query.from ? absl::ToUnixMicros(*query.from) : kMin)
      .Bind(3, query.to ? absl::ToUnixMicros(*query.to) : kMax)
      .Bind(4, query.caller)
      .Bind(5, query.method)
      .Bind(6, query.child_id)
      .Bind(7, query.record_id)
      .Bind(8, query.before_id == 0 ? kMax : query.before_id)
      .Bind(9, static_cast<int64_t>(query.limit));
  return absl::OkStatus();
}

}  // namespace sgm
