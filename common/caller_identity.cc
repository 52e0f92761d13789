#include "common/caller_identity.h"

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sgm {
namespace {

struct RoleNameEntry {
  Role role;
  absl::string_view name;
};

constexpr RoleNameEntry kRoleNames[] = {
    {Role::kAdmin, "admin"},
    {Role::kManager, "manager"},
    {Role::kPractitioner, "practitioner"},
    {Role::kAnalyst, "analyst"},
    {Role::kPartner, "partner"},
};

// The first value of `key`, or nullopt.
std::optional<absl::string_view> FindHeader(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    absl::string_view key) {
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

std::optional<Role> ParseRole(absl::string_view text) {
  for (const RoleNameEntry& entry : kRoleNames) {
    if (entry.name == text) return entry.role;
  }
  return std::nullopt;
}

absl::string_view RoleName(Role role) {
  for (const RoleNameEntry& entry : kRoleNames) {
    if (entry.role == role) return entry.name;
  }
  return "unspecified";
}

void AttachIdentity(const CallerIdentity& identity,
                    grpc::ClientContext* context) {
  context->AddMetadata(std::string(kCallerHeader), identity.caller);
  context->AddMetadata(std::string(kRoleHeader),
                       std::string(RoleName(identity.role)));
  context->AddMetadata(std::string(kAuthorityHeader), identity.authority);
  if (!identity.agency.empty()) {
    context->AddMetadata(std::string(kAgencyHeader), identity.agency);
  }
}

absl::StatusOr<CallerIdentity> IdentityFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  CallerIdentity identity;
  std::optional<absl::string_view> caller = FindHeader(metadata, kCallerHeader);
  std::optional<absl::string_view> role = FindHeader(metadata, kRoleHeader);
  std::optional<absl::string_view> authority =
      FindHeader(metadata, kAuthorityHeader);
  std::optional<absl::string_view> agency = FindHeader(metadata, kAgencyHeader);
  if (!caller.has_value() || caller->empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("missing caller identity header ", kCallerHeader));
  }
  if (!role.has_value()) {
    return absl::UnauthenticatedError(
        absl::StrCat("missing caller identity header ", kRoleHeader));
  }
  if (!authority.has_value() || authority->empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("missing caller identity header ", kAuthorityHeader));
  }
  std::optional<Role> parsed_role = ParseRole(*role);
  if (!parsed_role.has_value()) {
    return absl::UnauthenticatedError(
        absl::StrCat("unknown role in ", kRoleHeader));
  }
  identity.caller = std::string(*caller);
  identity.role = *parsed_role;
  identity.authority = std::string(*authority);
  if (agency.has_value()) identity.agency = std::string(*agency);
  if (identity.role == Role::kPartner && identity.agency.empty()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "missing caller identity header ", kAgencyHeader, " for a partner"));
  }
  return identity;
}

}  // namespace sgm
