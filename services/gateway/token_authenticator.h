// Bearer-token authentication for the gateway. The token table holds the
// SHA-256 of each token (never the token itself), one entry a line:
//
//   # comment
//   <sha256-hex-of-token> <role> <authority> <caller-name> [agency]
//
// e.g. "ba7816bf...15ad practitioner 831 case-system" or
// "....  partner 831 mash-police POLICE". Partners must name their agency;
// the other roles must not.
#ifndef SGM_SERVICES_GATEWAY_TOKEN_AUTHENTICATOR_H_
#define SGM_SERVICES_GATEWAY_TOKEN_AUTHENTICATOR_H_

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/caller_identity.h"
#include "grpcpp/grpcpp.h"

namespace sgm::gateway {

class TokenAuthenticator {
 public:
  // Parses a token table. `source_name` (a file name) prefixes every error,
  // with the 1-based line: "tokens.txt:3: unknown role \"boss\"".
  // INVALID_ARGUMENT on a malformed line or an empty table.
  static absl::StatusOr<std::unique_ptr<TokenAuthenticator>> FromText(
      absl::string_view text, absl::string_view source_name = "token table");
  // Reads and parses the file at `path`; NOT_FOUND when it cannot be read.
  static absl::StatusOr<std::unique_ptr<TokenAuthenticator>> FromFile(
      const std::string& path);

  // Lower-case hex SHA-256 of `token` (what the table stores).
  static std::string HashToken(absl::string_view token);

  // The caller named by the "authorization: Bearer <token>" metadata.
  // UNAUTHENTICATED "missing bearer token" when there is no such header (or
  // another scheme), "unknown token" when the token is not in the table.
  // The token is never echoed, and hashes are compared in constant time.
  absl::StatusOr<CallerIdentity> Authenticate(
      const std::multimap<grpc::string_ref, grpc::string_ref>& client_metadata)
      const;

  // Number of tokens in the table.
  size_t size() const { return entries_.size(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    Digest digest;
    CallerIdentity identity;
  };

  TokenAuthenticator() = default;

  std::vector<Entry> entries_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_TOKEN_AUTHENTICATOR_H_
