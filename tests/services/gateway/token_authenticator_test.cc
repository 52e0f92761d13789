#include "services/gateway/token_authenticator.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/caller_identity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Line(absl::string_view token, absl::string_view rest) {
  return absl::StrCat(TokenAuthenticator::HashToken(token), " ", rest, "\n");
}

// Metadata as gRPC hands it to a server: string_refs into `storage_`.
class Metadata {
 public:
  Metadata& Add(std::string key, std::string value) {
    storage_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  std::multimap<grpc::string_ref, grpc::string_ref> Build() const {
    std::multimap<grpc::string_ref, grpc::string_ref> map;
    for (const auto& [key, value] : storage_) {
      map.emplace(grpc::string_ref(key), grpc::string_ref(value));
    }
    return map;
  }

 private:
  std::vector<std::pair<std::string, std::string>> storage_;
};

std::multimap<grpc::string_ref, grpc::string_ref> Bearer(
    Metadata& metadata, absl::string_view token) {
  return metadata.Add("authorization", absl::StrCat("Bearer ", token)).Build();
}

std::string FullTable() {
  return absl::StrCat(
      "# gateway tokens\n", "\n", Line("admin-token", "admin 831 ops-admin"),
      Line("manager-token", "manager 831 head-of-service"),
      Line("practitioner-token", "practitioner 831 case-system"),
      Line("analyst-token", "analyst 831 bi-dashboard"),
      "   # indented comment\n",
      Line("partner-token", "partner 831 mash-police POLICE"),
      Line("other-la-token", "practitioner\t892  other-la"));
}

TEST(HashTokenTest, KnownSha256Vectors) {
  EXPECT_EQ(TokenAuthenticator::HashToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenAuthenticator::HashToken(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TokenTableTest, ParsesEntriesSkippingCommentsAndBlankLines) {
  auto table = TokenAuthenticator::FromText(FullTable());
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ((*table)->size(), 6u);
}

TEST(TokenTableTest, AcceptsUpperCaseHashAndCrLf) {
  std::string hash = TokenAuthenticator::HashToken("t");
  for (char& c : hash) c = static_cast<char>(std::toupper(c));
  auto table =
      TokenAuthenticator::FromText(absl::StrCat(hash, " analyst 831 dash\r\n"));
  ASSERT_TRUE(table.ok()) << table.status();
  Metadata metadata;
  auto identity = (*table)->Authenticate(Bearer(metadata, "t"));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->caller, "dash");
}

struct BadTableCase {
  std::string name;
  std::string second_line;
  std::string message;
};

class BadTokenTableTest : public ::testing::TestWithParam<BadTableCase> {};

TEST_P(BadTokenTableTest, ErrorNamesSourceAndLine) {
  const BadTableCase& c = GetParam();
  std::string text =
      absl::StrCat(Line("first", "admin 831 ops"), c.second_line, "\n");
  auto table = TokenAuthenticator::FromText(text, "tokens.txt");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(table.status().message(), HasSubstr("tokens.txt:2: "));
  EXPECT_THAT(table.status().message(), HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadTokenTableTest,
    ::testing::Values(
        BadTableCase{"ShortHash", "abc123 admin 831 ops2", "64 hex digits"},
        BadTableCase{"LongHash",
                     absl::StrCat(TokenAuthenticator::HashToken("x"),
                                  "00 admin 831 ops2"),
                     "got 66 characters"},
        BadTableCase{"NotHex",
                     absl::StrCat(std::string(63, 'a'), "g admin 831 ops2"),
                     "not hexadecimal"},
        BadTableCase{"UnknownRole", Line("second", "boss 831 ops2"),
                     "unknown role \"boss\""},
        BadTableCase{"PartnerWithoutAgency",
                     Line("second", "partner 831 mash-police"),
                     "partner token must name its agency"},
        BadTableCase{"NonPartnerWithAgency",
                     Line("second", "analyst 831 bi POLICE"),
                     "only partner tokens name an agency"},
        BadTableCase{"DuplicateHash", Line("first", "manager 831 other"),
                     "duplicate token hash"},
        BadTableCase{"TooFewFields", Line("second", "admin 831"),
                     "got 3 fields"},
        BadTableCase{"TooManyFields", Line("second", "partner 831 a B extra"),
                     "got 6 fields"}),
    [](const ::testing::TestParamInfo<BadTableCase>& info) {
      return info.param.name;
    });

TEST(TokenTableTest, EmptyTableIsAnError) {
  auto table = TokenAuthenticator::FromText("# nothing here\n\n", "t.txt");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(table.status().message(), HasSubstr("t.txt: no tokens"));
}

TEST(TokenTableTest, FromFileNamesTheFileInErrors) {
  std::string path = ::testing::TempDir() + "/sgm_tokens_test.txt";
  {
    std::ofstream file(path);
    file << Line("a", "admin 831 ops") << "# ok\n" << Line("b", "root 831 x");
  }
  auto table = TokenAuthenticator::FromFile(path);
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr(path + ":3: unknown role"));

  {
    std::ofstream file(path);
    file << Line("a", "admin 831 ops");
  }
  auto good = TokenAuthenticator::FromFile(path);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ((*good)->size(), 1u);
  std::remove(path.c_str());
}

TEST(TokenTableTest, FromFileMissingIsNotFound) {
  auto table = TokenAuthenticator::FromFile("/nonexistent/sgm/tokens.txt");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(table.status().message(),
              HasSubstr("/nonexistent/sgm/tokens.txt"));
}

class AuthenticateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = TokenAuthenticator::FromText(FullTable());
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(table).value();
  }
  std::unique_ptr<TokenAuthenticator> table_;
};

TEST_F(AuthenticateTest, MissingHeader) {
  Metadata metadata;
  metadata.Add("x-other", "1");
  auto identity = table_->Authenticate(metadata.Build());
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(identity.status().message(), "missing bearer token");
}

TEST_F(AuthenticateTest, WrongSchemeOrEmptyToken) {
  for (const char* value : {"Basic YWRtaW4tdG9rZW4=", "admin-token", "Bearer",
                            "Bearer   ", "Token admin-token"}) {
    Metadata metadata;
    metadata.Add("authorization", value);
    auto identity = table_->Authenticate(metadata.Build());
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated)
        << value;
    EXPECT_EQ(identity.status().message(), "missing bearer token") << value;
  }
}

TEST_F(AuthenticateTest, UnknownTokenIsNotEchoed) {
  Metadata metadata;
  auto identity = table_->Authenticate(Bearer(metadata, "secret-guess-123456"));
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(identity.status().message(), "unknown token");
  EXPECT_THAT(identity.status().ToString(), Not(HasSubstr("secret-guess")));
}

TEST_F(AuthenticateTest, TokenHashIsNotAToken) {
  // Presenting the stored hash itself must not authenticate.
  Metadata metadata;
  auto identity = table_->Authenticate(
      Bearer(metadata, TokenAuthenticator::HashToken("admin-token")));
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticateTest, EveryRole) {
  struct Case {
    const char* token;
    Role role;
    const char* caller;
    const char* authority;
  };
  for (const Case& c : {
           Case{"admin-token", Role::kAdmin, "ops-admin", "831"},
           Case{"manager-token", Role::kManager, "head-of-service", "831"},
           Case{"practitioner-token", Role::kPractitioner, "case-system",
                "831"},
           Case{"analyst-token", Role::kAnalyst, "bi-dashboard", "831"},
           Case{"partner-token", Role::kPartner, "mash-police", "831"},
           Case{"other-la-token", Role::kPractitioner, "other-la", "892"},
       }) {
    Metadata metadata;
    auto identity = table_->Authenticate(Bearer(metadata, c.token));
    ASSERT_TRUE(identity.ok()) << c.token << ": " << identity.status();
    EXPECT_EQ(identity->role, c.role) << c.token;
    EXPECT_EQ(identity->caller, c.caller);
    EXPECT_EQ(identity->authority, c.authority);
    if (c.role != Role::kPartner) {
      EXPECT_EQ(identity->agency, "") << c.token;
    }
  }
}

TEST_F(AuthenticateTest, PartnerCarriesAgency) {
  Metadata metadata;
  auto identity = table_->Authenticate(Bearer(metadata, "partner-token"));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, Role::kPartner);
  EXPECT_EQ(identity->agency, "POLICE");
}

TEST_F(AuthenticateTest, SchemeIsCaseInsensitive) {
  Metadata metadata;
  metadata.Add("authorization", "bearer analyst-token");
  auto identity = table_->Authenticate(metadata.Build());
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, Role::kAnalyst);
}

TEST(CallerIdentityTest, RoleNamesRoundTrip) {
  for (Role role : {Role::kAdmin, Role::kManager, Role::kPractitioner,
                    Role::kAnalyst, Role::kPartner}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseRole("unspecified"), std::nullopt);
}

TEST(CallerIdentityTest, IdentityFromMetadata) {
  Metadata metadata;
  metadata.Add("x-sgm-caller", "mash-police")
      .Add("x-sgm-role", "partner")
      .Add("x-sgm-authority", "831")
      .Add("x-sgm-agency", "POLICE");
  auto identity = IdentityFromMetadata(metadata.Build());
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->caller, "mash-police");
  EXPECT_EQ(identity->role, Role::kPartner);
  EXPECT_EQ(identity->authority, "831");
  EXPECT_EQ(identity->agency, "POLICE");

  Metadata no_agency;
  no_agency.Add("x-sgm-caller", "mash-police")
      .Add("x-sgm-role", "partner")
      .Add("x-sgm-authority", "831");
  EXPECT_EQ(IdentityFromMetadata(no_agency.Build()).status().code(),
            absl::StatusCode::kUnauthenticated);

  Metadata bad_role;
  bad_role.Add("x-sgm-caller", "x")
      .Add("x-sgm-role", "root")
      .Add("x-sgm-authority", "831");
  EXPECT_EQ(IdentityFromMetadata(bad_role.Build()).status().code(),
            absl::StatusCode::kUnauthenticated);

  Metadata missing;
  missing.Add("x-sgm-role", "admin").Add("x-sgm-authority", "831");
  EXPECT_EQ(IdentityFromMetadata(missing.Build()).status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace sgm::gateway
