// Statistical disclosure control for an outward-facing deployment: in an
// aggregate, every count from 1 to 4 and every figure derived from one (a
// percentage, a rate per 10,000, a mean) is withheld, because a small count
// can identify a child or a member of staff. 0 is shown (it identifies
// nobody) and 5 or more is shown.
//
// Which numeric fields are counts is an explicit table of full proto field
// names (DisclosureRules); the unit test walks every message the gateway
// returns as an aggregate and fails on a numeric field without a row, so a
// new proto field forces a decision. Pure: protobuf reflection, no gRPC.
#ifndef SGM_SERVICES_GATEWAY_DISCLOSURE_CONTROL_H_
#define SGM_SERVICES_GATEWAY_DISCLOSURE_CONTROL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace sgm::gateway {

// The largest count withheld; counts from 1 to this are.
inline constexpr int kLargestSuppressedCount = 4;

enum class FieldKind {
  // A count of children, contacts, cases or staff (an integer): withheld
  // when from 1 to 4.
  kCount,
  // A measure of a group of people whose headcount is not given beside it
  // (an FTE, a mean headcount): withheld when above 0 and below 5, since
  // fewer than 5 full-time equivalents can be 1 to 4 people.
  kPeopleMeasure,
  // Computed from sibling fields (`from`): withheld when any of them is.
  kDerived,
  // Not a count of anyone: ids, years, settings, populations, published
  // comparators, targets, money.
  kNotCount,
  // A figure's value over a period (sgm.gateway.v1.FigureChange before and
  // after): when the sibling `figure.unit` is FIGURE_UNIT_COUNT it is a
  // count, or a mean of monthly counts, withheld when above 0 and below 5;
  // a percentage, rate or mean of other units is kept (the counts behind
  // it are not in the answer).
  kFigureValue,
  // A stage's conversion from the stage before for one category
  // (sgm.gateway.v1.AbuseFunnelConversion.percent): withheld when the
  // category's count at either stage is (both counts are in other
  // messages of the funnel).
  kFunnelConversion,
};

struct FieldRule {
  FieldKind kind = FieldKind::kNotCount;
  // kDerived: the fields it is computed from, as paths relative to the
  // message holding it ("contacts", "year_to_date.contacts").
  std::vector<std::string> from;
};

// The table: full field name ("sgm.intake.v1.Breakdown.count") -> rule.
const absl::flat_hash_map<std::string, FieldRule>& DisclosureRules();

// The rule of one field, or null when the table has none (then an integer
// is treated as a count and a double is kept).
const FieldRule* FindDisclosureRule(absl::string_view full_field_name);

// The proxied methods whose responses are aggregates, suppressed in an
// outward-facing deployment ("/sgm.intake.v1.IntakeService/
// GetFrontDoorFigures", ...). Child- and staff-level lists are not here:
// the access policy restricts them instead.
const std::vector<std::string>& SuppressedMethods();
bool IsSuppressedMethod(absl::string_view method);

// The gateway's own aggregate calls besides GetPracticeReport
// ("/sgm.gateway.v1.GatewayService/GetAbuseCategoryFunnel",
// ".../CompareFigures"): their handlers suppress their answers with
// WithholdInGatewayAnswer in an outward-facing deployment.
const std::vector<std::string>& GatewayAggregateMethods();

// Withholds in `message` (and every message in it) each count from 1 to 4
// and each figure derived from one: a withheld value is set to 0, or
// cleared when the field has presence. Returns the paths of the withheld
// values, proto field names from `message` down with list indices in
// brackets ("figures.by_source[2].count"), each message's counts before its
// derived figures.
std::vector<std::string> WithholdSmallCounts(
    google::protobuf::Message* message);

// The trailing metadata that names the withheld paths of an answer (the
// HTTP side copies it to the Sgm-Suppressed-Fields header).
inline constexpr char kSuppressedFieldsTrailer[] = "sgm-suppressed-fields";
// The most characters of that trailer's value.
inline constexpr size_t kMaxSuppressedFieldsTrailer = 4096;

// For the gateway's own aggregate handlers (GatewayAggregateMethods) in an
// outward-facing deployment: WithholdSmallCounts on `response`, and the
// value of the kSuppressedFieldsTrailer trailer to send with it, empty when
// nothing was withheld (then send none): the paths comma-separated, at most
// kMaxSuppressedFieldsTrailer characters, then ",+N more" -- as the proxy
// sends for a backend's aggregate. E.g. in CompareFigures:
//   if (outward_facing_) {
//     std::string withheld = WithholdInGatewayAnswer(response);
//     if (!withheld.empty()) {
//       context->AddTrailingMetadata(kSuppressedFieldsTrailer, withheld);
//     }
//   }
std::string WithholdInGatewayAnswer(google::protobuf::Message* response);

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_DISCLOSURE_CONTROL_H_
