// The gateway's proxy in front of a small in-process intake backend that
// echoes the identity headers it receives.
#include "services/gateway/generic_proxy.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/token_authenticator.h"
#include "sgm/gateway/v1/gateway.grpc.pb.h"
#include "sgm/intake/v1/intake.grpc.pb.h"

namespace sgm::gateway {
namespace {

using ::sgm::intake::v1::GetContactRequest;
using ::sgm::intake::v1::GetContactResponse;
using ::sgm::intake::v1::ImportContactsRequest;
using ::sgm::intake::v1::ImportContactsResponse;
using ::sgm::intake::v1::IntakeService;
using ::testing::HasSubstr;

constexpr absl::string_view kPractitioner = "tok-practitioner";
constexpr absl::string_view kPartner = "tok-partner";
constexpr absl::string_view kAnalyst = "tok-analyst";
constexpr absl::string_view kAdmin = "tok-admin";

// All values of a header, joined by ",".
std::string Header(const grpc::ServerContext& context, absl::string_view key) {
  std::vector<std::string> values;
  auto range = context.client_metadata().equal_range(
      grpc::string_ref(key.data(), key.size()));
  for (auto it = range.first; it != range.second; ++it) {
    values.emplace_back(it->second.data(), it->second.size());
  }
  return absl::StrJoin(values, ",");
}

// Implements GetContact and ImportContacts only, echoing what it received:
//  GetContact: contact_id = contact_ref, authority/agency from the headers,
//    referrer_org = caller, summary = role, primary_need = "AUTH" when an
//    authorization header reached it. "missing" -> NOT_FOUND with details;
//    "sleep:<ms>" sleeps first.
//  ImportContacts: records = chunks, accepted = bytes, rejections[0] =
//    {key: caller, field: agency, reason: SHA-256 of the data}. Agency
//    "REJECT" on the first message -> INVALID_ARGUMENT at once; "HANG" ->
//    reads until the stream breaks and records whether it was cancelled.
class FakeIntake final : public IntakeService::Service {
 public:
  grpc::Status GetContact(grpc::ServerContext* context,
                          const GetContactRequest* request,
                          GetContactResponse* response) override {
    ++calls_;
    const std::string& ref = request->contact_ref();
    if (ref == "missing") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "contact missing not found", "detail-bytes");
    }
    int sleep_ms = 0;
    if (absl::string_view view = ref; absl::ConsumePrefix(&view, "sleep:") &&
                                      absl::SimpleAtoi(view, &sleep_ms)) {
      absl::Time until = absl::Now() + absl::Milliseconds(sleep_ms);
      while (absl::Now() < until && !context->IsCancelled()) {
        absl::SleepFor(absl::Milliseconds(5));
      }
      if (context->IsCancelled()) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      }
    }
    auto* contact = response->mutable_contact();
    contact->set_contact_id(ref);
    contact->set_authority(Header(*context, "x-sgm-authority"));
    contact->set_agency(Header(*context, "x-sgm-agency"));
    contact->set_referrer_org(Header(*context, "x-sgm-caller"));
    contact->set_summary(Header(*context, "x-sgm-role"));
    if (!Header(*context, "authorization").empty()) {
      contact->set_primary_need("AUTH");
    }
    return grpc::Status::OK;
  }

  grpc::Status ImportContacts(grpc::ServerContext* context,
                              grpc::ServerReader<ImportContactsRequest>* reader,
                              ImportContactsResponse* response) override {
    ++calls_;
    ImportContactsRequest request;
    std::string data;
    int64_t chunks = 0;
    bool first = true;
    while (reader->Read(&request)) {
      if (first && request.agency() == "REJECT") {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "agency REJECT refused");
      }
      if (first && request.agency() == "HANG") {
        hang_received_.Notify();
        while (reader->Read(&request)) {
        }
        hang_cancelled_ = context->IsCancelled();
        hang_ended_.Notify();
        return grpc::Status(grpc::StatusCode::ABORTED, "hung");
      }
      first = false;
      ++chunks;
      data.append(request.chunk().data());
    }
    auto* summary = response->mutable_summary();
    summary->set_records(chunks);
    summary->set_accepted(static_cast<int64_t>(data.size()));
    auto* echo = summary->add_rejections();
    echo->set_key(Header(*context, "x-sgm-caller"));
    echo->set_field(Header(*context, "x-sgm-agency"));
    echo->set_reason(TokenAuthenticator::HashToken(data));
    return grpc::Status::OK;
  }

  int calls() const { return calls_.load(); }

  absl::Notification hang_received_;
  absl::Notification hang_ended_;
  std::atomic<bool> hang_cancelled_{false};

 private:
  std::atomic<int> calls_{0};
};

std::string TokenTable() {
  auto line = [](absl::string_view token, absl::string_view rest) {
    return absl::StrCat(TokenAuthenticator::HashToken(token), " ", rest, "\n");
  };
  return absl::StrCat(line(kPractitioner, "practitioner 831 case-system"),
                      line(kPartner, "partner 831 mash-police POLICE"),
                      line(kAnalyst, "analyst 831 bi-dashboard"),
                      line(kAdmin, "admin 892 ops"));
}

class GenericProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &backend_port_);
    builder.RegisterService(&backend_);
    backend_server_ = builder.BuildAndStart();
    ASSERT_NE(backend_server_, nullptr);
    ASSERT_GT(backend_port_, 0);
    StartGateway(absl::StrCat("127.0.0.1:", backend_port_), absl::Seconds(10));
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::ZeroDuration());
    gateway_.reset();
    if (backend_server_ != nullptr) {
      backend_server_->Shutdown(std::chrono::system_clock::now());
    }
  }

  void StartGateway(const std::string& intake_address,
                    absl::Duration unary_deadline) {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::ZeroDuration());
    gateway_.reset();
    auto authenticator = TokenAuthenticator::FromText(TokenTable());
    ASSERT_TRUE(authenticator.ok()) << authenticator.status();
    GatewaySettings settings;
    settings.server.service_name = "gateway";
    settings.server.listen_address = "127.0.0.1:0";
    settings.backends = {{"sgm.intake.v1", intake_address}};
    settings.unary_deadline = unary_deadline;
    auto gateway =
        GatewayServer::Start(settings, std::move(authenticator).value());
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(gateway).value();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = IntakeService::NewStub(channel_);
  }

  static std::unique_ptr<grpc::ClientContext> Context(
      absl::string_view token, absl::Duration deadline = absl::Seconds(20)) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) {
      context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(deadline));
    return context;
  }

  grpc::Status GetContact(absl::string_view token, absl::string_view ref,
                          GetContactResponse* response,
                          absl::Duration deadline = absl::Seconds(20)) {
    auto context = Context(token, deadline);
    GetContactRequest request;
    request.set_contact_ref(std::string(ref));
    return stub_->GetContact(context.get(), request, response);
  }

  // Status of a unary call to `method` with an empty request, made with a
  // generic stub (for methods the generated stub does not know).
  grpc::Status CallMethod(absl::string_view token, const std::string& method) {
    grpc::GenericStub generic(channel_);
    auto context = Context(token);
    grpc::ByteBuffer request;
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    grpc::ByteBuffer response;
    absl::Notification done;
    grpc::Status result;
    generic.UnaryCall(context.get(), method, grpc::StubOptions(), &request,
                      &response, [&](grpc::Status status) {
                        result = std::move(status);
                        done.Notify();
                      });
    done.WaitForNotification();
    return result;
  }

  FakeIntake backend_;
  int backend_port_ = 0;
  std::unique_ptr<grpc::Server> backend_server_;
  std::unique_ptr<GatewayServer> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<IntakeService::Stub> stub_;
};

TEST_F(GenericProxyTest, UnaryCallPassesThroughWithIdentityStamped) {
  GetContactResponse response;
  grpc::Status status = GetContact(kPractitioner, "C42", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.contact().contact_id(), "C42");
  EXPECT_EQ(response.contact().authority(), "831");
  EXPECT_EQ(response.contact().referrer_org(), "case-system");
  EXPECT_EQ(response.contact().summary(), "practitioner");
  EXPECT_EQ(response.contact().agency(), "");
  // The caller's token never reaches the backend.
  EXPECT_EQ(response.contact().primary_need(), "");
  EXPECT_EQ(backend_.calls(), 1);
}

TEST_F(GenericProxyTest, CallerCannotSpoofIdentityHeaders) {
  auto context = Context(kPractitioner);
  context->AddMetadata("x-sgm-authority", "999");
  context->AddMetadata("x-sgm-role", "admin");
  context->AddMetadata("x-sgm-agency", "HEALTH");
  GetContactRequest request;
  request.set_contact_ref("C1");
  GetContactResponse response;
  grpc::Status status = stub_->GetContact(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.contact().authority(), "831");
  EXPECT_EQ(response.contact().summary(), "practitioner");
  EXPECT_EQ(response.contact().agency(), "");
}

TEST_F(GenericProxyTest, EmptyRequestPassesThrough) {
  GetContactResponse response;
  grpc::Status status = GetContact(kAdmin, "", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.contact().contact_id(), "");
  EXPECT_EQ(response.contact().authority(), "892");
  EXPECT_EQ(response.contact().summary(), "admin");
}

TEST_F(GenericProxyTest, BackendStatusPassesThroughUnchanged) {
  GetContactResponse response;
  grpc::Status status = GetContact(kPractitioner, "missing", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "contact missing not found");
  EXPECT_EQ(status.error_details(), "detail-bytes");
}

TEST_F(GenericProxyTest, ClientStreamingPassesThroughWithPartnerAgency) {
  auto context = Context(kPartner);
  ImportContactsResponse response;
  auto writer = stub_->ImportContacts(context.get(), &response);
  std::string sent;
  for (int i = 0; i < 3; ++i) {
    ImportContactsRequest request;
    std::string piece = absl::StrCat("line ", i, "\n");
    request.mutable_chunk()->set_data(piece);
    sent += piece;
    ASSERT_TRUE(writer->Write(request));
  }
  ASSERT_TRUE(writer->WritesDone());
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.summary().records(), 3);
  EXPECT_EQ(response.summary().accepted(), static_cast<int64_t>(sent.size()));
  ASSERT_EQ(response.summary().rejections_size(), 1);
  EXPECT_EQ(response.summary().rejections(0).key(), "mash-police");
  EXPECT_EQ(response.summary().rejections(0).field(), "POLICE");
  EXPECT_EQ(response.summary().rejections(0).reason(),
            TokenAuthenticator::HashToken(sent));
}

TEST_F(GenericProxyTest, TwoMegabytesStreamThroughIntact) {
  std::string data;
  data.reserve(2 << 20);
  uint32_t x = 12345;
  while (data.size() < (2u << 20)) {
    x = x * 1664525u + 1013904223u;
    data.push_back(static_cast<char>(x >> 24));
  }
  auto context = Context(kPractitioner);
  ImportContactsResponse response;
  auto writer = stub_->ImportContacts(context.get(), &response);
  constexpr size_t kChunk = 64 * 1024;
  int chunks = 0;
  for (size_t offset = 0; offset < data.size(); offset += kChunk) {
    ImportContactsRequest request;
    request.mutable_chunk()->set_data(data.substr(offset, kChunk));
    ASSERT_TRUE(writer->Write(request));
    ++chunks;
  }
  ASSERT_TRUE(writer->WritesDone());
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.summary().records(), chunks);
  EXPECT_EQ(response.summary().accepted(), static_cast<int64_t>(data.size()));
  ASSERT_EQ(response.summary().rejections_size(), 1);
  EXPECT_EQ(response.summary().rejections(0).reason(),
            TokenAuthenticator::HashToken(data));
  EXPECT_EQ(response.summary().rejections(0).field(), "");
}

TEST_F(GenericProxyTest, BackendErrorMidStreamEndsTheCall) {
  auto context = Context(kPractitioner);
  ImportContactsResponse response;
  auto writer = stub_->ImportContacts(context.get(), &response);
  ImportContactsRequest request;
  request.set_agency("REJECT");
  ASSERT_TRUE(writer->Write(request));
  request.clear_agency();
  request.mutable_chunk()->set_data(std::string(1000, 'x'));
  for (int i = 0; i < 100 && writer->Write(request); ++i) {
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "agency REJECT refused");
}

// A caller that sends one message and then waits, without half-closing:
// the backend's early status must still reach it.
class IdleStreamCaller final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  IdleStreamCaller(grpc::GenericStub* stub, const std::string& token,
                   const ImportContactsRequest& request) {
    context_.AddMetadata("authorization", "Bearer " + token);
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(20));
    std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
    stub->PrepareBidiStreamingCall(
        &context_, "/sgm.intake.v1.IntakeService/ImportContacts",
        grpc::StubOptions(), this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  bool WaitFor(absl::Duration timeout) {
    return done_.WaitForNotificationWithTimeout(timeout);
  }
  const grpc::Status& status() const { return status_; }

 private:
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  absl::Notification done_;
};

TEST_F(GenericProxyTest, BackendStatusReachesAnIdleStreamingCaller) {
  grpc::GenericStub generic(channel_);
  ImportContactsRequest request;
  request.set_agency("REJECT");
  IdleStreamCaller caller(&generic, std::string(kPractitioner), request);
  ASSERT_TRUE(caller.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(caller.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(caller.status().error_message(), "agency REJECT refused");
}

TEST_F(GenericProxyTest, CallerCancelCancelsTheBackendCall) {
  auto context = Context(kPractitioner);
  ImportContactsResponse response;
  auto writer = stub_->ImportContacts(context.get(), &response);
  ImportContactsRequest request;
  request.set_agency("HANG");
  ASSERT_TRUE(writer->Write(request));
  ASSERT_TRUE(backend_.hang_received_.WaitForNotificationWithTimeout(
      absl::Seconds(10)));
  context->TryCancel();
  ASSERT_TRUE(
      backend_.hang_ended_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(backend_.hang_cancelled_.load());
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(GenericProxyTest, NoTokenIsUnauthenticatedWithoutCallingTheBackend) {
  GetContactResponse response;
  grpc::Status status = GetContact("", "C1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "missing bearer token");

  status = GetContact("not-a-token", "C1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "unknown token");
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("not-a")));

  auto context = Context("");
  ImportContactsResponse import_response;
  auto writer = stub_->ImportContacts(context.get(), &import_response);
  ImportContactsRequest request;
  request.mutable_chunk()->set_data("x");
  writer->Write(request);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(backend_.calls(), 0);
}

TEST_F(GenericProxyTest, PartnerGetContactIsPermissionDenied) {
  GetContactResponse response;
  grpc::Status status = GetContact(kPartner, "C1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = GetContact(kAnalyst, "C1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(backend_.calls(), 0);
}

TEST_F(GenericProxyTest, UnknownMethodDeniedAndUnroutedUnimplemented) {
  grpc::Status status =
      CallMethod(kAdmin, "/sgm.intake.v1.IntakeService/DeleteEverything");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "method not allowed through the gateway");

  status = CallMethod(kAdmin, "/sgm.kpi.v1.KpiService/GetIndicators");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  // Authentication comes first, whatever the method.
  status = CallMethod("", "/sgm.kpi.v1.KpiService/GetIndicators");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(backend_.calls(), 0);
}

TEST_F(GenericProxyTest, WhoAmIIsServedByTheGateway) {
  auto stub = sgm::gateway::v1::GatewayService::NewStub(channel_);
  auto context = Context(kPartner);
  sgm::gateway::v1::WhoAmIResponse response;
  grpc::Status status =
      stub->WhoAmI(context.get(), sgm::gateway::v1::WhoAmIRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.caller(), "mash-police");
  EXPECT_EQ(response.role(), sgm::gateway::v1::ROLE_PARTNER);
  EXPECT_EQ(response.authority(), "831");
  EXPECT_EQ(response.agency(), "POLICE");

  auto anonymous = Context("");
  status = stub->WhoAmI(anonymous.get(), sgm::gateway::v1::WhoAmIRequest(),
                        &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GenericProxyTest, BackendDownIsUnavailable) {
  // Take a free port and close it again: nothing listens there.
  int port = 0;
  {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    ASSERT_NE(server, nullptr);
    server->Shutdown(std::chrono::system_clock::now());
    server->Wait();
  }
  StartGateway(absl::StrCat("127.0.0.1:", port), absl::Seconds(10));
  GetContactResponse response;
  grpc::Status status = GetContact(kPractitioner, "C1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST_F(GenericProxyTest, ShorterCallerDeadlineIsHonoured) {
  GetContactResponse response;
  absl::Time start = absl::Now();
  grpc::Status status = GetContact(kPractitioner, "sleep:3000", &response,
                                   absl::Milliseconds(300));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(GenericProxyTest, DefaultDeadlineAppliesWhenCallerHasNone) {
  StartGateway(absl::StrCat("127.0.0.1:", backend_port_),
               absl::Milliseconds(300));
  grpc::ClientContext context;  // no deadline
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kPractitioner));
  GetContactRequest request;
  request.set_contact_ref("sleep:3000");
  GetContactResponse response;
  absl::Time start = absl::Now();
  grpc::Status status = stub_->GetContact(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  // A caller's later deadline does not extend the default.
  start = absl::Now();
  status =
      GetContact(kPractitioner, "sleep:3000", &response, absl::Seconds(20));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(GenericProxyTest, FiftyConcurrentCallsAllSucceed) {
  constexpr int kCalls = 50;
  std::vector<grpc::Status> statuses(kCalls);
  std::vector<GetContactResponse> responses(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = GetContact(i % 2 == 0 ? kPractitioner : kAdmin,
                               absl::StrCat("C", i), &responses[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(responses[i].contact().contact_id(), absl::StrCat("C", i));
    EXPECT_EQ(responses[i].contact().authority(), i % 2 == 0 ? "831" : "892");
  }
  EXPECT_EQ(backend_.calls(), kCalls);
}

// Lifetime stress (most useful under ASan): streams cancelled by their
// callers at every stage, concurrently, leave the gateway serving.
TEST_F(GenericProxyTest, StreamsCancelledAtAnyPointLeaveTheGatewayServing) {
  constexpr int kStreams = 16;
  std::vector<std::thread> threads;
  for (int i = 0; i < kStreams; ++i) {
    threads.emplace_back([this, i] {
      auto context = Context(kPractitioner);
      ImportContactsResponse response;
      auto writer = stub_->ImportContacts(context.get(), &response);
      ImportContactsRequest request;
      request.mutable_chunk()->set_data(std::string(32 * 1024, 'x'));
      for (int n = 0; n < i; ++n) {
        if (!writer->Write(request)) break;
      }
      if (i % 2 == 0) writer->WritesDone();
      context->TryCancel();
      grpc::Status status = writer->Finish();
      EXPECT_TRUE(status.ok() ||
                  status.error_code() == grpc::StatusCode::CANCELLED)
          << status.error_message();
    });
  }
  for (std::thread& thread : threads) thread.join();
  GetContactResponse response;
  grpc::Status status = GetContact(kPractitioner, "C1", &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST(PackageOfTest, SplitsFullMethodNames) {
  EXPECT_EQ(GenericProxy::PackageOf("/sgm.intake.v1.IntakeService/GetContact"),
            "sgm.intake.v1");
  EXPECT_EQ(GenericProxy::PackageOf("/a.B/C"), "a");
  EXPECT_EQ(GenericProxy::PackageOf("/Service/Method"), "");
  EXPECT_EQ(GenericProxy::PackageOf("/sgm.intake.v1.IntakeService/"), "");
  EXPECT_EQ(GenericProxy::PackageOf("sgm.intake.v1.IntakeService/GetContact"),
            "");
  EXPECT_EQ(GenericProxy::PackageOf(""), "");
}

}  // namespace
}  // namespace sgm::gateway
