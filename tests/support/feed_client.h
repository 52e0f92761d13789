// Test helpers that send feeds to IntakeService stubs in chunks.
#ifndef SGM_TESTS_SUPPORT_FEED_CLIENT_H_
#define SGM_TESTS_SUPPORT_FEED_CLIENT_H_

#include <algorithm>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "sgm/intake/v1/intake.grpc.pb.h"

namespace sgm::testing {

// Sends `feed` as ImportContacts chunks of `chunk_bytes`; returns the status
// and fills `response`.
inline grpc::Status SendContacts(
    sgm::intake::v1::IntakeService::Stub& stub, grpc::ClientContext* context,
    absl::string_view feed, absl::string_view agency,
    sgm::intake::v1::ImportContactsResponse* response,
    size_t chunk_bytes = 1 << 20,
    sgm::feed::v1::FeedFormat format = sgm::feed::v1::FEED_FORMAT_CSV) {
  auto writer = stub.ImportContacts(context, response);
  size_t at = 0;
  bool first = true;
  do {
    sgm::intake::v1::ImportContactsRequest request;
    if (first) {
      request.mutable_chunk()->set_format(format);
      request.set_agency(std::string(agency));
    }
    const size_t n = std::min(chunk_bytes, feed.size() - at);
    request.mutable_chunk()->set_data(std::string(feed.substr(at, n)));
    at += n;
    first = false;
    if (!writer->Write(request)) break;
  } while (at < feed.size());
  writer->WritesDone();
  return writer->Finish();
}

inline grpc::Status SendDecisions(
    sgm::intake::v1::IntakeService::Stub& stub, grpc::ClientContext* context,
    absl::string_view feed, sgm::intake::v1::ImportDecisionsResponse* response,
    size_t chunk_bytes = 1 << 20) {
  auto writer = stub.ImportDecisions(context, response);
  size_t at = 0;
  bool first = true;
  do {
    sgm::intake::v1::ImportDecisionsRequest request;
    if (first)
      request.mutable_chunk()->set_format(sgm::feed::v1::FEED_FORMAT_CSV);
    const size_t n = std::min(chunk_bytes, feed.size() - at);
    request.mutable_chunk()->set_data(std::string(feed.substr(at, n)));
    at += n;
    first = false;
    if (!writer->Write(request)) break;
  } while (at < feed.size());
  writer->WritesDone();
  return writer->Finish();
}

}  // namespace sgm::testing

#endif  // SGM_TESTS_SUPPORT_FEED_CLIENT_H_
