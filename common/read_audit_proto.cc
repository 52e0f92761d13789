#include "common/read_audit_proto.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sgm {

absl::StatusOr<ReadAuditPage> ReadAuditPageFrom(
    const audit::v1::ReadAuditFilter& filter, int32_t page_size,
    absl::string_view page_token, uint64_t fingerprint,
    absl::string_view service_prefix) {
  ReadAuditPage page;
  page.fingerprint = fingerprint;
  if (filter.has_from_time()) {
    SGM_ASSIGN_OR_RETURN(
        page.query.from,
        FromProtoTimestamp(filter.from_time(), "filter.from_time"));
  }
  if (filter.has_to_time()) {
    SGM_ASSIGN_OR_RETURN(
        page.query.to, FromProtoTimestamp(filter.to_time(), "filter.to_time"));
  }
  if (page.query.from && page.query.to && *page.query.to < *page.query.from) {
    return absl::InvalidArgumentError(
        "filter.to_time must not be before filter.from_time");
  }
  page.query.caller = filter.caller();
  absl::string_view method = filter.method();
  if (absl::StartsWith(method, "/")) {
    if (!absl::ConsumePrefix(&method, service_prefix)) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.method: not a method of ", service_prefix));
    }
  }
  page.query.method = std::string(method);
  page.query.child_id = filter.child_id();
  page.query.record_id = filter.record_id();
  SGM_ASSIGN_OR_RETURN(
      page.page_size,
      PageSize(page_size, kReadAuditDefaultPageSize, kReadAuditMaxPageSize));
  if (!page_token.empty()) {
    SGM_ASSIGN_OR_RETURN(page.query.before_id,
                         DecodePageToken(page_token, fingerprint));
  }
  page.query.limit = page.page_size + 1;
  return page;
}

absl::Status CheckReadAuditCaller(const CallerIdentity& who) {
  if (who.role != Role::kAdmin) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(who.role),
                     " may not read the audit log; admins only"));
  }
  return absl::OkStatus();
}

void SetReadAuditFields(absl::string_view service_prefix, absl::Time at,
                        absl::string_view caller, absl::string_view role,
                        absl::string_view authority,
                        absl::string_view stored_method,
                        audit::v1::ReadAuditEntry* out) {
  *out->mutable_read_time() = ToProtoTimestamp(at);
  out->set_caller(std::string(caller));
  out->set_role(std::string(role));
  out->set_authority(std::string(authority));
  out->set_method(FullMethodName(service_prefix, stored_method));
}

std::string FullMethodName(absl::string_view service_prefix,
                           absl::string_view stored) {
  if (absl::StartsWith(stored, "/")) return std::string(stored);
  return absl::StrCat(service_prefix, stored);
}

}  // namespace sgm
