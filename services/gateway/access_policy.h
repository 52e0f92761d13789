// Which roles may call which method through the gateway: a table, one row
// a method (full gRPC name, "/sgm.intake.v1.IntakeService/GetContact"), so
// each new backend adds its rows. Default deny: a method without a row is
// refused. grpc.health.v1 and reflection are served by the gateway itself
// and never consulted here.
#ifndef SGM_SERVICES_GATEWAY_ACCESS_POLICY_H_
#define SGM_SERVICES_GATEWAY_ACCESS_POLICY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/caller_identity.h"

namespace sgm::gateway {

struct MethodRule {
  std::string method;        // "/sgm.intake.v1.IntakeService/ImportContacts"
  std::vector<Role> roles;   // who may call it
  bool child_level = false;  // reads or writes child-level records
  bool streaming = false;    // gets the streaming deadline when proxied
};

class AccessPolicy {
 public:
  // The suite's table (gateway and intake methods).
  static std::vector<MethodRule> DefaultRules();

  // The default table.
  AccessPolicy();
  // A custom table; a later row for the same method replaces an earlier one.
  explicit AccessPolicy(const std::vector<MethodRule>& rules);

  // OK when `caller`'s role may call `method`; PERMISSION_DENIED otherwise
  // ("method not allowed through the gateway" for a method with no row).
  absl::Status Check(absl::string_view method,
                     const CallerIdentity& caller) const;
  // True for a method that reads or writes child-level records.
  bool IsChildLevel(absl::string_view method) const;
  // True for a streaming method (feed imports); false when unknown.
  bool IsStreaming(absl::string_view method) const;
  // The method's row, or null.
  const MethodRule* Find(absl::string_view method) const;

 private:
  absl::flat_hash_map<std::string, MethodRule> rules_;
};

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_ACCESS_POLICY_H_
