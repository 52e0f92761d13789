// A throw-away certificate authority for TLS tests: a self-signed CA and
// certificates signed by it, made with OpenSSL and written as PEM files.
#ifndef SGM_TESTS_SUPPORT_TEST_CA_H_
#define SGM_TESTS_SUPPORT_TEST_CA_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sgm::testing {

class TempDir;

// Paths of PEM files.
struct TestCertificates {
  std::string ca_cert;  // the self-signed CA: what clients and servers trust
  // A server certificate (extended key usage serverAuth) for DNS:localhost
  // and IP:127.0.0.1, signed by the CA, and its key.
  std::string server_cert;
  std::string server_key;
  // A client certificate (clientAuth, CN "sgm-gateway") signed by the CA,
  // and its key.
  std::string client_cert;
  std::string client_key;
};

// Makes a new CA (P-256 keys, valid from an hour ago for a day) and its
// certificates, and writes them under `dir` as <prefix>-ca.pem,
// <prefix>-server.pem, <prefix>-server.key, <prefix>-client.pem and
// <prefix>-client.key. Each call makes a CA of its own (another prefix in
// the same directory makes a CA the first one does not trust).
absl::StatusOr<TestCertificates> MakeTestCertificates(
    const TempDir& dir, absl::string_view prefix = "test");

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_TEST_CA_H_
