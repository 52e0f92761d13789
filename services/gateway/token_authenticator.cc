#include "services/gateway/token_authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstddef>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace sgm::gateway {
namespace {

constexpr absl::string_view kAuthorizationHeader = "authorization";
constexpr absl::string_view kBearerScheme = "bearer ";
constexpr size_t kDigestBytes = 32;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Metadata values must be printable ASCII; the table's fields go into
// x-sgm-* headers.
bool IsPrintableAscii(absl::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool Sha256(absl::string_view data, unsigned char* out) {
  unsigned int length = 0;
  return EVP_Digest(data.data(), data.size(), out, &length, EVP_sha256(),
                    nullptr) == 1 &&
         length == kDigestBytes;
}

}  // namespace

std::string TokenAuthenticator::HashToken(absl::string_view token) {
  unsigned char digest[kDigestBytes];
  if (!Sha256(token, digest)) return std::string();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * kDigestBytes);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

absl::StatusOr<std::unique_ptr<TokenAuthenticator>>
TokenAuthenticator::FromText(absl::string_view text,
                             absl::string_view source_name) {
  std::unique_ptr<TokenAuthenticator> table(new TokenAuthenticator());
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    auto error = [&](absl::string_view problem) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_name, ":", line_number, ": ", problem));
    };
    absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || content.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(content, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 4 || fields.size() > 5) {
      return error(absl::StrCat(
          "expected <sha256-hex> <role> <authority> <caller-name> [agency], "
          "got ",
          fields.size(), " fields"));
    }
    absl::string_view hash = fields[0];
    if (hash.size() != 2 * kDigestBytes) {
      return error(absl::StrCat("token hash must be ", 2 * kDigestBytes,
                                " hex digits (SHA-256), got ", hash.size(),
                                " characters"));
    }
    Entry entry;
    for (size_t i = 0; i < kDigestBytes; ++i) {
      int high = HexValue(hash[2 * i]);
      int low = HexValue(hash[2 * i + 1]);
      if (high < 0 || low < 0) {
        return error("token hash is not hexadecimal");
      }
      entry.digest[i] = static_cast<unsigned char>(high * 16 + low);
    }
    std::optional<Role> role = ParseRole(fields[1]);
    if (!role.has_value()) {
      return error(absl::StrCat(
          "unknown role \"", fields[1],
          "\" (admin, manager, practitioner, analyst or partner)"));
    }
    for (size_t i = 2; i < fields.size(); ++i) {
      if (!IsPrintableAscii(fields[i])) {
        return error("authority, caller name and agency must be ASCII");
      }
    }
    entry.identity.role = *role;
    entry.identity.authority = std::string(fields[2]);
    entry.identity.caller = std::string(fields[3]);
    if (fields.size() == 5) entry.identity.agency = std::string(fields[4]);
    if (*role == Role::kPartner && entry.identity.agency.empty()) {
      return error("a partner token must name its agency");
    }
    if (*role != Role::kPartner && !entry.identity.agency.empty()) {
      return error(absl::StrCat("only partner tokens name an agency, not ",
                                RoleName(*role), " ones"));
    }
    for (const Entry& existing : table->entries_) {
      if (existing.digest == entry.digest) {
        return error(absl::StrCat("duplicate token hash (already used by \"",
                                  existing.identity.caller, "\")"));
      }
    }
    table->entries_.push_back(std::move(entry));
  }
  if (table->entries_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": no tokens"));
  }
  return table;
}

absl::StatusOr<std::unique_ptr<TokenAuthenticator>>
TokenAuthenticator::FromFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  }
  return FromText(contents.str(), path);
}

absl::StatusOr<CallerIdentity> TokenAuthenticator::Authenticate(
    const std::multimap<grpc::string_ref, grpc::string_ref>& client_metadata)
    const {
  auto it = client_metadata.find(grpc::string_ref(kAuthorizationHeader.data(),
                                                  kAuthorizationHeader.size()));
  if (it == client_metadata.end()) {
    return absl::UnauthenticatedError("missing bearer token");
  }
  absl::string_view value(it->second.data(), it->second.size());
  value = absl::StripAsciiWhitespace(value);
  if (!absl::StartsWithIgnoreCase(value, kBearerScheme)) {
    return absl::UnauthenticatedError("missing bearer token");
  }
  absl::string_view token =
      absl::StripAsciiWhitespace(value.substr(kBearerScheme.size()));
  if (token.empty()) {
    return absl::UnauthenticatedError("missing bearer token");
  }
  Digest digest;
  if (!Sha256(token, digest.data())) {
    return absl::InternalError("cannot hash the bearer token");
  }
  // Every entry is compared, in constant time, whatever matches.
  const Entry* match = nullptr;
  for (const Entry& entry : entries_) {
    bool equal =
        CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0;
    if (equal) match = &entry;
  }
  if (match == nullptr) {
    return absl::UnauthenticatedError("unknown token");
  }
  return match->identity;
}

}  // namespace sgm::gateway
