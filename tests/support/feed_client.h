// Test helpers that send feeds to IntakeService stubs in chunks.
#ifndef SGM_TESTS_SUPPORT_FEED_CLIENT_H_
#define SGM_TESTS_SUPPORT_FEED_CLIENT_H_

#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "sgm/intake/v1/intake.grpc.pb.h"

namespace sgm::testing {

// Writes `feed` to an import stream in chunks of `chunk_bytes`; `first`
// fills in the first message's extra fields. Returns the call's status.
template <typename Request, typename Writer>
grpc::Status SendChunks(Writer& writer, absl::string_view feed,
                        size_t chunk_bytes, sgm::feed::v1::FeedFormat format,
                        const std::function<void(Request*)>& first) {
  size_t at = 0;
  bool is_first = true;
  do {
    Request request;
    if (is_first) {
      request.mutable_chunk()->set_format(format);
      first(&request);
    }
    const size_t n = std::min(chunk_bytes, feed.size() - at);
    request.mutable_chunk()->set_data(std::string(feed.substr(at, n)));
    at += n;
    is_first = false;
    if (!writer.Write(request)) break;
  } while (at < feed.size());
  writer.WritesDone();
  return writer.Finish();
}

// Sends a contacts feed naming `agency`.
inline grpc::Status SendContacts(
    sgm::intake::v1::IntakeService::Stub& stub, grpc::ClientContext* context,
    absl::string_view feed, absl::string_view agency,
    sgm::intake::v1::ImportContactsResponse* response,
    size_t chunk_bytes = 1 << 20,
    sgm::feed::v1::FeedFormat format = sgm::feed::v1::FEED_FORMAT_CSV) {
  auto writer = stub.ImportContacts(context, response);
  const std::string agency_text(agency);
  return SendChunks<sgm::intake::v1::ImportContactsRequest>(
      *writer, feed, chunk_bytes, format,
      [&](sgm::intake::v1::ImportContactsRequest* r) {
        r->set_agency(agency_text);
      });
}

// Sends a CSV decisions feed.
inline grpc::Status SendDecisions(
    sgm::intake::v1::IntakeService::Stub& stub, grpc::ClientContext* context,
    absl::string_view feed, sgm::intake::v1::ImportDecisionsResponse* response,
    size_t chunk_bytes = 1 << 20) {
  auto writer = stub.ImportDecisions(context, response);
  return SendChunks<sgm::intake::v1::ImportDecisionsRequest>(
      *writer, feed, chunk_bytes, sgm::feed::v1::FEED_FORMAT_CSV,
      [](sgm::intake::v1::ImportDecisionsRequest*) {});
}

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_FEED_CLIENT_H_
