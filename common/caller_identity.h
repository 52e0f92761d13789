// Who is calling: set by the gateway from the caller's token and passed to
// the backends in metadata. Backends trust these headers only because they
// are reachable by the gateway alone (NetworkPolicy; mTLS by setting).
#ifndef SGM_COMMON_CALLER_IDENTITY_H_
#define SGM_COMMON_CALLER_IDENTITY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace sgm {

// Values match sgm.gateway.v1.Role.
enum class Role {
  kUnspecified = 0,
  kAdmin = 1,
  kManager = 2,
  kPractitioner = 3,
  kAnalyst = 4,
  kPartner = 5,
};

// "admin", "manager", "practitioner", "analyst", "partner".
std::optional<Role> ParseRole(absl::string_view text);
absl::string_view RoleName(Role role);

struct CallerIdentity {
  std::string caller;  // the token's name, e.g. "mash-police"; no PII
  Role role = Role::kUnspecified;
  std::string authority;  // e.g. "831"
  std::string agency;     // partners only, e.g. "POLICE"
};

// Metadata keys (lower case, as gRPC requires).
inline constexpr absl::string_view kCallerHeader = "x-sgm-caller";
inline constexpr absl::string_view kRoleHeader = "x-sgm-role";
inline constexpr absl::string_view kAuthorityHeader = "x-sgm-authority";
inline constexpr absl::string_view kAgencyHeader = "x-sgm-agency";

// Adds the identity's headers to an outbound call.
void AttachIdentity(const CallerIdentity& identity,
                    grpc::ClientContext* context);
// Reads the identity from an inbound call's metadata; UNAUTHENTICATED when
// a header is missing or the role is unknown.
absl::StatusOr<CallerIdentity> IdentityFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

}  // namespace sgm

#endif  // SGM_COMMON_CALLER_IDENTITY_H_
