#include "tests/support/test_ca.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tests/support/temp_dir.h"

namespace sgm::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// An INTERNAL error with what OpenSSL says went wrong (its error queue).
absl::Status OpenSslError(absl::string_view what) {
  std::string detail;
  for (unsigned long code = ERR_get_error(); code != 0;
       code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&detail, detail.empty() ? "" : "; ", buffer);
  }
  return absl::InternalError(absl::StrCat("test CA: ", what, " failed",
                                          detail.empty() ? "" : ": ", detail));
}

absl::StatusOr<PkeyPtr> NewKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslError("EVP_EC_gen");
  return key;
}

// Adds extension `nid` with `value` in openssl.cnf syntax, e.g.
// "critical,CA:TRUE".
absl::Status AddExtension(X509V3_CTX* context, X509* cert, int nid,
                          const char* value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value);
  if (extension == nullptr) {
    return OpenSslError(absl::StrCat("extension ", OBJ_nid2sn(nid)));
  }
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return OpenSslError("X509_add_ext");
  return absl::OkStatus();
}

struct Extension {
  int nid;
  const char* value;
};

// A certificate for `key` named CN=`common_name`, signed by `issuer_key`
// (and issued by `issuer`, or self-signed when null), with `extensions`.
absl::StatusOr<X509Ptr> NewCertificate(
    EVP_PKEY* key, absl::string_view common_name, long serial, X509* issuer,
    EVP_PKEY* issuer_key, const std::vector<Extension>& extensions) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError("X509_new");
  const std::string name_text(common_name);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1 ||
      X509_NAME_add_entry_by_txt(
          name, "O", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>("sgm tests"), -1, -1,
          0) != 1 ||
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>(name_text.c_str()), -1, -1,
          0) != 1) {
    return OpenSslError("building a certificate");
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1) {
    return OpenSslError("X509_set_issuer_name");
  }
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, signer, cert.get(), nullptr, nullptr, 0);
  for (const Extension& extension : extensions) {
    if (absl::Status status =
            AddExtension(&context, cert.get(), extension.nid, extension.value);
        !status.ok()) {
      return status;
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError("X509_sign");
  }
  return cert;
}

absl::Status WriteFile(const std::string& path,
                       const std::function<int(std::FILE*)>& write) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return absl::InternalError(
        absl::StrCat("test CA: cannot write ", path, ": ", strerror(errno)));
  }
  const int written = write(file);
  const bool closed = std::fclose(file) == 0;
  if (written != 1 || !closed) {
    return OpenSslError(absl::StrCat("writing ", path));
  }
  return absl::OkStatus();
}

absl::Status WriteCertificate(const std::string& path, X509* cert) {
  return WriteFile(
      path, [cert](std::FILE* file) { return PEM_write_X509(file, cert); });
}

absl::Status WriteKey(const std::string& path, EVP_PKEY* key) {
  return WriteFile(path, [key](std::FILE* file) {
    return PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr,
                                nullptr);
  });
}

}  // namespace

absl::StatusOr<TestCertificates> MakeTestCertificates(
    const TempDir& dir, absl::string_view prefix) {
  absl::StatusOr<PkeyPtr> ca_key = NewKey();
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<X509Ptr> ca =
      NewCertificate(ca_key->get(), absl::StrCat(prefix, " test CA"), 1,
                     nullptr, ca_key->get(),
                     {{NID_basic_constraints, "critical,CA:TRUE"},
                      {NID_key_usage, "critical,keyCertSign,cRLSign"},
                      {NID_subject_key_identifier, "hash"}});
  if (!ca.ok()) return ca.status();

  absl::StatusOr<PkeyPtr> server_key = NewKey();
  if (!server_key.ok()) return server_key.status();
  absl::StatusOr<X509Ptr> server = NewCertificate(
      server_key->get(), "localhost", 2, ca->get(), ca_key->get(),
      {{NID_basic_constraints, "critical,CA:FALSE"},
       {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
       {NID_ext_key_usage, "serverAuth"},
       {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
       {NID_authority_key_identifier, "keyid:always"}});
  if (!server.ok()) return server.status();

  absl::StatusOr<PkeyPtr> client_key = NewKey();
  if (!client_key.ok()) return client_key.status();
  absl::StatusOr<X509Ptr> client = NewCertificate(
      client_key->get(), "sgm-gateway", 3, ca->get(), ca_key->get(),
      {{NID_basic_constraints, "critical,CA:FALSE"},
       {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
       {NID_ext_key_usage, "clientAuth"},
       {NID_authority_key_identifier, "keyid:always"}});
  if (!client.ok()) return client.status();

  TestCertificates files;
  files.ca_cert = dir.File(absl::StrCat(prefix, "-ca.pem"));
  files.server_cert = dir.File(absl::StrCat(prefix, "-server.pem"));
  files.server_key = dir.File(absl::StrCat(prefix, "-server.key"));
  files.client_cert = dir.File(absl::StrCat(prefix, "-client.pem"));
  files.client_key = dir.File(absl::StrCat(prefix, "-client.key"));
  for (absl::Status status :
       {WriteCertificate(files.ca_cert, ca->get()),
        WriteCertificate(files.server_cert, server->get()),
        WriteKey(files.server_key, server_key->get()),
        WriteCertificate(files.client_cert, client->get()),
        WriteKey(files.client_key, client_key->get())}) {
    if (!status.ok()) return status;
  }
  return files;
}

}  // namespace sgm::testing
