#include "common/tls_config.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509.h"

namespace sgm {
namespace {

enum class PemKind { kCertificate, kPrivateKey };

// The contents of the PEM file at `path`, named by setting `flag`; an
// INVALID_ARGUMENT naming the setting when it cannot be read or holds no
// PEM block of the expected kind (gRPC would otherwise fail later with a
// message naming neither).
absl::StatusOr<std::string> ReadPemFile(absl::string_view flag,
                                        const std::string& path, PemKind kind) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error = errno;
    return InvalidSetting(
        flag, absl::StrCat("cannot read ", path, ": ", std::strerror(error)));
  }
  std::string contents;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    contents.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) {
    return InvalidSetting(
        flag, absl::StrCat("cannot read ", path, ": ", std::strerror(error)));
  }
  const bool has_block =
      kind == PemKind::kCertificate
          ? absl::StrContains(contents, "-----BEGIN CERTIFICATE-----")
          : absl::StrContains(contents, "-----BEGIN ") &&
                absl::StrContains(contents, "PRIVATE KEY-----");
  if (!has_block) {
    return InvalidSetting(
        flag, absl::StrCat(path, " holds no PEM ",
                           kind == PemKind::kCertificate ? "certificate"
                                                         : "private key"));
  }
  return contents;
}

// Both of a certificate and its key, or neither.
absl::Status CheckPair(absl::string_view cert_flag, const std::string& cert,
                       absl::string_view key_flag, const std::string& key) {
  if (!cert.empty() && key.empty()) {
    return InvalidSetting(key_flag,
                          absl::StrCat("required when --", cert_flag,
                                       " is set (the certificate's key)"));
  }
  if (cert.empty() && !key.empty()) {
    return InvalidSetting(cert_flag,
                          absl::StrCat("required when --", key_flag,
                                       " is set (the key's certificate)"));
  }
  return absl::OkStatus();
}

// The key must be the certificate's: OpenSSL parses both PEM texts and
// checks that they belong together, so a wrong pair fails at start-up
// (and in --check_config) rather than at the first handshake.
absl::Status CheckKeyMatchesCertificate(absl::string_view key_flag,
                                        absl::string_view cert_flag,
                                        const std::string& cert_pem,
                                        const std::string& key_pem) {
  BIO* cert_bio =
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  if (cert == nullptr) {
    return InvalidSetting(cert_flag, "the certificate does not parse");
  }
  BIO* key_bio =
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status;
  if (key == nullptr) {
    status = InvalidSetting(key_flag, "the private key does not parse");
  } else if (X509_check_private_key(cert, key) != 1) {
    status = InvalidSetting(key_flag,
                            absl::StrCat("is not the key of --", cert_flag));
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  ERR_clear_error();
  return status;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files) {
  if (absl::Status pair =
          CheckPair("tls_cert", files.cert, "tls_key", files.key);
      !pair.ok()) {
    return pair;
  }
  if (files.cert.empty()) {
    if (!files.client_ca.empty()) {
      return InvalidSetting("tls_client_ca",
                            "needs --tls_cert and --tls_key (client "
                            "certificates are checked over TLS only)");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert =
      ReadPemFile("tls_cert", files.cert, PemKind::kCertificate);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadPemFile("tls_key", files.key, PemKind::kPrivateKey);
  if (!key.ok()) return key.status();
  if (absl::Status match =
          CheckKeyMatchesCertificate("tls_key", "tls_cert", *cert, *key);
      !match.ok()) {
    return match;
  }

  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  if (!files.client_ca.empty()) {
    absl::StatusOr<std::string> client_ca =
        ReadPemFile("tls_client_ca", files.client_ca, PemKind::kCertificate);
    if (!client_ca.ok()) return client_ca.status();
    options.pem_root_certs = *std::move(client_ca);
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsFiles& files,
                       absl::string_view flag_prefix) {
  const std::string ca_flag = absl::StrCat(flag_prefix, "_ca");
  const std::string cert_flag = absl::StrCat(flag_prefix, "_cert");
  const std::string key_flag = absl::StrCat(flag_prefix, "_key");
  const std::string name_flag = absl::StrCat(flag_prefix, "_server_name");
  if (absl::Status pair = CheckPair(cert_flag, files.cert, key_flag, files.key);
      !pair.ok()) {
    return pair;
  }
  if (files.ca.empty()) {
    // Without a CA the channel is plaintext: a client certificate or a
    // server name would be silently ignored, so they are refused.
    if (!files.cert.empty()) {
      return InvalidSetting(cert_flag,
                            absl::StrCat("needs --", ca_flag,
                                         " (client certificates are sent "
                                         "over TLS only)"));
    }
    if (!files.server_name.empty()) {
      return InvalidSetting(
          name_flag, absl::StrCat("needs --", ca_flag,
                                  " (the name is checked over TLS only)"));
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca =
      ReadPemFile(ca_flag, files.ca, PemKind::kCertificate);
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  if (!files.cert.empty()) {
    absl::StatusOr<std::string> cert =
        ReadPemFile(cert_flag, files.cert, PemKind::kCertificate);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key =
        ReadPemFile(key_flag, files.key, PemKind::kPrivateKey);
    if (!key.ok()) return key.status();
    if (absl::Status match =
            CheckKeyMatchesCertificate(key_flag, cert_flag, *cert, *key);
        !match.ok()) {
      return match;
    }
    options.pem_cert_chain = *std::move(cert);
    options.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(options);
}

void AddServerNameOverride(absl::string_view server_name,
                           grpc::ChannelArguments* args) {
  if (server_name.empty()) return;
  args->SetSslTargetNameOverride(std::string(server_name));
}

}  // namespace sgm
