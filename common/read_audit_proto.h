// ListReadAudit plumbing the intake, KPI and workforce services share:
// a request's filter and page fields -> ReadAuditQuery, and stored method
// names -> full gRPC names.
#ifndef SGM_COMMON_READ_AUDIT_PROTO_H_
#define SGM_COMMON_READ_AUDIT_PROTO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "common/page_token.h"
#include "common/read_audit.h"
#include "common/status_macros.h"
#include "sgm/audit/v1/audit.pb.h"

namespace sgm {

inline constexpr int kReadAuditDefaultPageSize = 100;
inline constexpr int kReadAuditMaxPageSize = 1000;

// A page of a ListReadAudit call: the store query (its limit one more than
// the page, to tell whether there is a next page) and what the next page
// token is bound to.
struct ReadAuditPage {
  ReadAuditQuery query;
  int page_size = 0;
  uint64_t fingerprint = 0;
};

// `service_prefix` is "/sgm.intake.v1.IntakeService/": a filter method may
// be given in full (with that prefix) or short. INVALID_ARGUMENT naming the
// field for a bad timestamp, page size, page token or another service's
// method.
absl::StatusOr<ReadAuditPage> ReadAuditPageFrom(
    const audit::v1::ReadAuditFilter& filter, int32_t page_size,
    absl::string_view page_token, uint64_t fingerprint,
    absl::string_view service_prefix);

// For any ListReadAuditRequest (filter, page_size, page_token).
template <typename Request>
absl::StatusOr<ReadAuditPage> ReadAuditPageFromRequest(
    const Request& request, absl::string_view service_prefix) {
  return ReadAuditPageFrom(request.filter(), request.page_size(),
                           request.page_token(), FilterFingerprint(request),
                           service_prefix);
}

// OK for an admin; PERMISSION_DENIED otherwise (the gateway refuses other
// roles first; this is the backend's own check).
absl::Status CheckReadAuditCaller(const CallerIdentity& who);

// Sets the fields every backend's entry has; `stored_method` is the name as
// the read_audit table holds it.
void SetReadAuditFields(absl::string_view service_prefix, absl::Time at,
                        absl::string_view caller, absl::string_view role,
                        absl::string_view authority,
                        absl::string_view stored_method,
                        audit::v1::ReadAuditEntry* out);

// Drops the extra row a store query reads past the page and returns the
// next page token ("" on the last page). `Entry` has an `id`.
template <typename Entry>
std::string TrimReadAuditPage(const ReadAuditPage& page,
                              std::vector<Entry>* rows) {
  if (static_cast<int>(rows->size()) <= page.page_size) return "";
  rows->resize(page.page_size);
  if (rows->empty()) return "";
  return EncodePageToken(rows->back().id, page.fingerprint);
}

// The whole of a ListReadAudit call once the caller is known, as each
// backend serves it: the admin check, the page, the store's rows (`list`:
// ReadAuditQuery -> StatusOr<std::vector<Row>>), then the query's own
// audit entry (`audit_self`: -> Status; fail closed, before anything is
// returned, so a call never sees its own entry), then the entries (`fill`
// copies the backend's ids: (const Row&, ReadAuditEntry*)) and the next
// page token. `Row` has id, at, caller, role, authority and method.
template <typename Row, typename Request, typename Response, typename List,
          typename AuditSelf, typename Fill>
absl::Status ServeReadAuditPage(const CallerIdentity& who,
                                const Request& request,
                                absl::string_view service_prefix, List list,
                                AuditSelf audit_self, Fill fill,
                                Response* response) {
  SGM_RETURN_IF_ERROR(CheckReadAuditCaller(who));
  SGM_ASSIGN_OR_RETURN(const ReadAuditPage page,
                       ReadAuditPageFromRequest(request, service_prefix));
  SGM_ASSIGN_OR_RETURN(std::vector<Row> rows, list(page.query));
  const std::string next = TrimReadAuditPage(page, &rows);
  SGM_RETURN_IF_ERROR(audit_self());
  for (const Row& row : rows) {
    audit::v1::ReadAuditEntry* out = response->add_entries();
    SetReadAuditFields(service_prefix, row.at, row.caller, row.role,
                       row.authority, row.method, out);
    fill(row, out);
  }
  response->set_next_page_token(next);
  return absl::OkStatus();
}

// The full gRPC name of a method stored short ("GetContact"); a stored name
// that is already full is kept.
std::string FullMethodName(absl::string_view service_prefix,
                           absl::string_view stored);

}  // namespace sgm

#endif  // SGM_COMMON_READ_AUDIT_PROTO_H_
