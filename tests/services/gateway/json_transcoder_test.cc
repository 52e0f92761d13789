// JsonTranscoder on hand-written JSON: the path lookup, requests (unary and
// client-streaming) from JSON, responses to JSON, and the errors.
#include "services/gateway/json_transcoder.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/intake/v1/intake.pb.h"

namespace sgm::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace iv1 = ::sgm::intake::v1;
namespace gv1 = ::sgm::gateway::v1;

class JsonTranscoderTest : public ::testing::Test {
 protected:
  const google::protobuf::MethodDescriptor& Method(absl::string_view service,
                                                   absl::string_view method) {
    auto found = transcoder_.FindMethod(service, method);
    EXPECT_TRUE(found.ok()) << found.status();
    return **found;
  }
  JsonTranscoder transcoder_;
};

TEST_F(JsonTranscoderTest, FindsSgmMethodsAndTheirGrpcPath) {
  const auto& method =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  EXPECT_EQ(JsonTranscoder::GrpcPath(method),
            "/sgm.intake.v1.IntakeService/GetFrontDoorFigures");
  EXPECT_FALSE(method.client_streaming());
  EXPECT_TRUE(Method("sgm.workforce.v1.WorkforceService", "ImportStaff")
                  .client_streaming());
}

TEST_F(JsonTranscoderTest, UnknownServiceOrMethodIsNotFound) {
  auto no_service = transcoder_.FindMethod("sgm.nothing.v1.Nope", "Get");
  EXPECT_EQ(no_service.status().code(), absl::StatusCode::kNotFound);
  auto no_method =
      transcoder_.FindMethod("sgm.intake.v1.IntakeService", "DropTables");
  EXPECT_EQ(no_method.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(no_method.status().message(), HasSubstr("DropTables"));
  // Linked in, but not an sgm service.
  auto health = transcoder_.FindMethod("grpc.health.v1.Health", "Check");
  EXPECT_EQ(health.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(JsonTranscoderTest, UnaryRequestFromLowerCamelCaseJson) {
  const auto& method =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  auto requests = transcoder_.RequestsFromJson(
      method,
      R"({"month": {"year": 2024, "month": 5}, "asOf": {"year": 2024,
          "month": 5, "day": 17}})");
  ASSERT_TRUE(requests.ok()) << requests.status();
  ASSERT_EQ(requests->size(), 1u);
  iv1::GetFrontDoorFiguresRequest request;
  ASSERT_TRUE(request.ParseFromString((*requests)[0]));
  EXPECT_EQ(request.month().year(), 2024);
  EXPECT_EQ(request.month().month(), 5);
  EXPECT_EQ(request.as_of().day(), 17);
}

TEST_F(JsonTranscoderTest, EmptyBodyIsAnEmptyRequest) {
  const auto& method = Method("sgm.gateway.v1.GatewayService", "WhoAmI");
  for (const char* body : {"", "  \n", "{}"}) {
    auto requests = transcoder_.RequestsFromJson(method, body);
    ASSERT_TRUE(requests.ok()) << requests.status();
    ASSERT_EQ(requests->size(), 1u);
    EXPECT_EQ((*requests)[0], "");
  }
}

TEST_F(JsonTranscoderTest, UnknownFieldIsInvalidArgumentNamingIt) {
  const auto& method =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  auto requests =
      transcoder_.RequestsFromJson(method, R"({"mnoth": {"year": 2024}})");
  EXPECT_EQ(requests.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(requests.status().message(), HasSubstr("mnoth"));
}

TEST_F(JsonTranscoderTest, WrongTypeIsInvalidArgumentNamingTheField) {
  const auto& method =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  auto requests = transcoder_.RequestsFromJson(
      method, R"({"month": {"year": "twenty", "month": 5}})");
  EXPECT_EQ(requests.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(requests.status().message(), HasSubstr("year"));
}

TEST_F(JsonTranscoderTest, MalformedJsonIsInvalidArgument) {
  const auto& method =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  auto requests = transcoder_.RequestsFromJson(method, R"({"month": )");
  EXPECT_EQ(requests.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(requests.status().message(),
              HasSubstr("sgm.intake.v1.GetFrontDoorFiguresRequest"));
}

TEST_F(JsonTranscoderTest, ClientStreamingTakesOneMessagePerElement) {
  const auto& method = Method("sgm.intake.v1.IntakeService", "ImportContacts");
  // "aGVsbG8=" is base64 for "hello" (bytes in the JSON mapping).
  auto requests = transcoder_.RequestsFromJson(method, R"({"requests": [
      {"chunk": {"format": "FEED_FORMAT_CSV", "data": "aGVsbG8="},
       "agency": "POLICE"},
      {"chunk": {"data": "IHdvcmxk"}}]})");
  ASSERT_TRUE(requests.ok()) << requests.status();
  ASSERT_EQ(requests->size(), 2u);
  iv1::ImportContactsRequest first;
  iv1::ImportContactsRequest second;
  ASSERT_TRUE(first.ParseFromString((*requests)[0]));
  ASSERT_TRUE(second.ParseFromString((*requests)[1]));
  EXPECT_EQ(first.agency(), "POLICE");
  EXPECT_EQ(first.chunk().format(), feed::v1::FEED_FORMAT_CSV);
  EXPECT_EQ(first.chunk().data(), "hello");
  EXPECT_EQ(second.chunk().data(), " world");
}

TEST_F(JsonTranscoderTest, ClientStreamingNeedsTheRequestsArray) {
  const auto& method = Method("sgm.intake.v1.IntakeService", "ImportContacts");
  for (const char* body :
       {R"({"chunk": {"data": "aGVsbG8="}})", R"({"requests": {}})", "[]", "{",
        R"({"requests": [], "extra": 1})"}) {
    auto requests = transcoder_.RequestsFromJson(method, body);
    EXPECT_EQ(requests.status().code(), absl::StatusCode::kInvalidArgument)
        << body;
  }
  auto bad_element = transcoder_.RequestsFromJson(
      method, R"({"requests": [{}, {"agnecy": "X"}]})");
  EXPECT_EQ(bad_element.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_element.status().message(), HasSubstr("requests[1]"));
  EXPECT_THAT(bad_element.status().message(), HasSubstr("agnecy"));
}

// Deep nesting (printers and parsers recurse on it) and bodies opening very
// many objects are refused on the text, before parsing; brackets inside
// strings do not count.
TEST_F(JsonTranscoderTest, DeepOrHugeBodiesAreRefusedBeforeParsing) {
  const auto& imports = Method("sgm.intake.v1.IntakeService", "ImportContacts");
  const std::string deep =
      absl::StrCat(R"({"requests":[{"a":)", std::string(100000, '['),
                   std::string(100000, ']'), "}]}");
  auto refused = transcoder_.RequestsFromJson(imports, deep);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("deeper than 64"));

  std::string many = R"({"requests":[)";
  for (int i = 0; i < 200001; ++i) absl::StrAppend(&many, i ? "," : "", "{}");
  absl::StrAppend(&many, "]}");
  auto too_many = transcoder_.RequestsFromJson(imports, many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_THAT(too_many.status().message(), HasSubstr("more than 200000"));

  // 64 levels in all, and brackets in a string, are fine up to the parser.
  const auto& figures =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  auto unknown = transcoder_.RequestsFromJson(
      figures, R"({"month": {"year": 2024, "month": 5}, "x": "[[[[{{{{"})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), Not(HasSubstr("deeper")));
  EXPECT_TRUE(
      transcoder_.RequestsFromJson(figures, R"({"month": {"year": 2024}})")
          .ok());
}

TEST_F(JsonTranscoderTest, ResponseAsLowerCamelCaseWithZeros) {
  const auto& method = Method("sgm.gateway.v1.GatewayService", "WhoAmI");
  gv1::WhoAmIResponse response;
  response.set_caller("analyst one");
  response.set_role(gv1::ROLE_ANALYST);
  auto json = transcoder_.ResponseToJson(method, response.SerializeAsString());
  ASSERT_TRUE(json.ok()) << json.status();
  // Every field printed, the empty ones too, enums by name.
  EXPECT_EQ(*json,
            R"({"caller":"analyst one","role":"ROLE_ANALYST","authority":"",)"
            R"("agency":""})");
}

TEST_F(JsonTranscoderTest, ResponseFieldNamesAreLowerCamelCase) {
  const auto& method =
      Method("sgm.intake.v1.IntakeService", "GetFrontDoorFigures");
  iv1::GetFrontDoorFiguresResponse response;
  response.mutable_figures()->set_decided(3);
  response.mutable_figures()->set_progressed_percent(33.3);
  auto json = transcoder_.ResponseToJson(method, response.SerializeAsString());
  ASSERT_TRUE(json.ok()) << json.status();
  // int64 as a string (the proto3 JSON mapping).
  EXPECT_THAT(*json, HasSubstr(R"("decided":"3")"));
  EXPECT_THAT(*json, HasSubstr(R"("progressedPercent":33.3)"));
  EXPECT_THAT(*json, HasSubstr(R"("progressed":"0")"));
}

TEST_F(JsonTranscoderTest, ResponseThatDoesNotParseIsInternal) {
  const auto& method = Method("sgm.gateway.v1.GatewayService", "WhoAmI");
  auto json = transcoder_.ResponseToJson(method, "\xff\xff\xff");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace sgm::gateway
