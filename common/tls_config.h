// TLS for the suite's gRPC ports and channels, from PEM files named by
// settings. A service serves TLS when given a certificate and key, and
// requires (and verifies) client certificates when also given a client CA;
// a client connects over TLS when given a CA to verify the server with, and
// presents a client certificate when given one (mutual TLS).
#ifndef SGM_COMMON_TLS_CONFIG_H_
#define SGM_COMMON_TLS_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace sgm {

// Paths of PEM files for a server port (settings --tls_cert, --tls_key,
// --tls_client_ca). All empty: plaintext.
struct ServerTlsFiles {
  std::string cert;       // the server's certificate chain
  std::string key;        // its private key
  std::string client_ca;  // when set, client certificates are required
};

// Insecure credentials when cert and key are empty; else TLS with the
// certificate and key, and, when client_ca is set, client certificates
// required and verified against it. INVALID_ARGUMENT naming the setting
// (e.g. "setting --tls_key (SGM_TLS_KEY): cannot read /x: No such file or
// directory") when a file cannot be read or holds no PEM of its kind, when
// only one of cert and key is given, or client_ca is given without them.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// Paths of PEM files for a client channel, and the name to check in the
// server's certificate. All empty: plaintext.
struct ClientTlsFiles {
  std::string ca;    // the CA to verify the server with; empty: plaintext
  std::string cert;  // the client's certificate chain (mutual TLS)
  std::string key;   // its private key
  // When set, the name checked in the server's certificate instead of the
  // host of the target address.
  std::string server_name;
};

// Insecure credentials when ca is empty; else TLS verifying the server
// against ca, with the client certificate when cert and key are given.
// `flag_prefix` names the settings in errors: "backend_tls" for
// --backend_tls_ca, --backend_tls_cert, ...; "tls" for --tls_ca, ...
// INVALID_ARGUMENT naming the setting when a file cannot be read or holds
// no PEM of its kind, when only one of cert and key is given, or cert, key
// or server_name is given without ca.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsFiles& files,
                       absl::string_view flag_prefix);

// Sets GRPC_SSL_TARGET_NAME_OVERRIDE_ARG to `server_name` on `args` when it
// is not empty; does nothing otherwise.
void AddServerNameOverride(absl::string_view server_name,
                           grpc::ChannelArguments* args);

}  // namespace sgm

#endif  // SGM_COMMON_TLS_CONFIG_H_
