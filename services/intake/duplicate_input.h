// Pure: contacts + each child's open work (from the KPI service) ->
// duplicate input (docs/insight.md): contacts about a child who already had
// an open assessment, S47 enquiry, plan or episode when the contact came in.
//
// A contact received on day d is a duplicate when its child has a piece of
// work with since <= d and not (until && until <= d): a contact on the day
// an assessment starts meets it, one on the day it ends does not. Contacts
// without a child id cannot be matched and are not counted at all.
#ifndef SGM_SERVICES_INTAKE_DUPLICATE_INPUT_H_
#define SGM_SERVICES_INTAKE_DUPLICATE_INPUT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/intake/contact.h"

namespace sgm::intake {

// Values match sgm.kpi.v1.OpenWorkKind.
enum class OpenWorkKind {
  kAssessment = 1,
  kS47 = 2,
  kCinPlan = 3,
  kCpPlan = 4,
  kClaEpisode = 5,
  kEarlyHelp = 6,
};

// Every kind, in the order above.
const std::vector<OpenWorkKind>& AllOpenWorkKinds();
// "ASSESSMENT", "S47", "CIN_PLAN", "CP_PLAN", "CLA_EPISODE", "EARLY_HELP".
absl::string_view OpenWorkKindCode(OpenWorkKind kind);
// "Assessment", ... for people.
absl::string_view OpenWorkKindLabel(OpenWorkKind kind);

// One piece of a child's work in the KPI service.
struct OpenWork {
  OpenWorkKind kind = OpenWorkKind::kAssessment;
  std::string ref_id;
  absl::CivilDay since;
  std::optional<absl::CivilDay> until;  // none while open

  bool operator==(const OpenWork& other) const;
};

// Each child's work, by child id.
using ChildrenOpenWork = std::map<std::string, std::vector<OpenWork>>;

// Whether `work` is open on `day`: since <= day and not ended on or before
// it.
bool IsOpenOn(const OpenWork& work, absl::CivilDay day);

// The pieces of `work` open on `day`, in the order given.
std::vector<OpenWork> WorkOpenOn(absl::Span<const OpenWork> work,
                                 absl::CivilDay day);

// Duplicate input in one month or over the range.
struct DuplicatePoint {
  std::optional<absl::CivilMonth> month;  // none for the whole range
  int64_t contacts_with_child = 0;
  int64_t duplicates = 0;
  std::optional<double> percent;  // duplicates / contacts_with_child, 1 dp
};

// Duplicates sharing a concern, a source code or a kind of work.
struct DuplicateBreakdownFigure {
  std::string code;
  std::string label;
  int64_t contacts_with_child = 0;
  int64_t duplicates = 0;
  std::optional<double> percent;
};

struct DuplicateInputFigures {
  absl::CivilMonth from;
  absl::CivilMonth to;
  DuplicatePoint total;
  std::vector<DuplicatePoint> trend;  // every month from..to, oldest first
  // Every contact concern (census_codes.h order); a contact counts under
  // each of its concerns.
  std::vector<DuplicateBreakdownFigure> by_concern;
  // Every source code (census order).
  std::vector<DuplicateBreakdownFigure> by_source;
  // Every kind (AllOpenWorkKinds order): duplicates that met at least one
  // piece of that kind; contacts_with_child is the range's total.
  std::vector<DuplicateBreakdownFigure> by_open_work;
};

// A contact about a child with open work, and the work it met.
struct DuplicateContactFact {
  int64_t id = 0;
  std::string agency;
  std::string child_id;
  absl::CivilDay received_on;
  std::string source_code;
  std::vector<std::string> concerns;
  std::vector<OpenWork> open_work;  // open on received_on, never empty
};

// The children of `facts` that can be matched (non-empty child ids),
// sorted, each once.
std::vector<std::string> ChildIdsOf(absl::Span<const ContactFact> facts);

// Figures for contacts received from the first day of `from` to the last
// day of `to` (other facts are ignored). `facts` in any order.
DuplicateInputFigures ComputeDuplicateInput(absl::Span<const ContactFact> facts,
                                            const ChildrenOpenWork& work,
                                            absl::CivilMonth from,
                                            absl::CivilMonth to);

// The duplicates among `facts`, by contact id.
std::vector<DuplicateContactFact> FindDuplicateContacts(
    absl::Span<const ContactFact> facts, const ChildrenOpenWork& work);

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_DUPLICATE_INPUT_H_
