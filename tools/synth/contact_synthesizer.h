// Synthetic front-door feeds (DESIGN section 5) for demonstrations, tests
// and benchmarks: contacts and the decisions on them, calibrated at scale 1
// to the published figures (data/seed-figures.json beside DESIGN.md), and
// consistent with the synthetic case events of the same authority
// (case_event_synthesizer.h with CaseEventOptionsFor):
//   - every REFERRAL event dated in the months generated has its contact:
//     the same child_id and child_dob, the same source_code and
//     primary_need, received on the referral's date or one or two days
//     before (never before the first month), decided STRATEGY_DISCUSSION
//     when the referral has a strategy discussion, else REFERRAL, by the
//     referral's date. Its concerns map (as intake's abuse categories do:
//     PHYSICAL -> PHY, EMOTIONAL or DOMESTIC_ABUSE -> EMO, SEXUAL or CSE ->
//     SAB, NEGLECT -> NEG, two of them -> MUL) to the category the front
//     door saw (PlannedReferral::category), with perhaps MENTAL_HEALTH or
//     SUBSTANCE_MISUSE besides; a referral without a category has concerns
//     drawn from its need. These are the only contacts that progress, so
//     the share progressing is the case events' referrals over the
//     contacts (about 15% at scale 1);
//   - the other contacts keep the calibrated shape below, except that
//     about 9% of those with a child id (with the repeat contacts that come
//     back to these children, about 11% of the contacts with a child id in
//     all) are about a child with work open on the day (an assessment, S47
//     enquiry, plan or episode of the case events: duplicate input), mostly
//     decided EXISTING_CASE. A referral's own contact comes before its
//     work: when the assessment starts on the referral's day, the contact
//     came a day or two before;
//   - children of the case events keep their ids (C0000001, 8 characters);
//     children the case events never meet get ids of their own
//     (CH0000001, 9 characters).
//
// At scale 1, measured over 2023 (seeds 1 and 2; the tests' bounds in
// brackets): 2,080-2,710 contacts a month (1,900-3,000) with about 11%
// growth a year and seasonality, 15.6-16.3% of decisions progressing
// (12-18%), primary needs about 82% N1 (78-88%), about 3% each N2-N4
// (1-5%), 5% N6 (3-7%) and 1% N8, police 30% of contacts (25-35%), 21%
// repeat contacts within 365 days (15-30%), 4.5% without a child id
// (3-8%), 11% duplicate input (8-15%).
//
// Pure and deterministic: the same options give byte-identical files on
// every platform. The generator has its own PRNG (xoshiro256**) and its own
// distributions (std:: distributions are implementation-defined), and uses
// no transcendental functions, only + - * / and sqrt, which IEEE 754 rounds
// exactly.
//
// Nothing generated describes a real person: child ids, dates of birth,
// organisations and summaries are made up from templates.
#ifndef SGM_TOOLS_SYNTH_CONTACT_SYNTHESIZER_H_
#define SGM_TOOLS_SYNTH_CONTACT_SYNTHESIZER_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/working_day_calendar.h"
#include "tools/synth/authority_level.h"
#include "tools/synth/case_event_synthesizer.h"

namespace sgm::synth {

struct SynthOptions {
  uint64_t seed = 1;
  absl::CivilMonth start_month;  // the first month generated, 2000 to 2100
  int months = 12;               // 1 to 240
  int scale = 1;                 // number of authorities, 1 to 1,000
  // A numeric code; the others are first_authority + 1, + 2, ...
  std::string first_authority = "831";
};

// The case-event options of the index-th authority of `options`: its seed
// (AuthoritySeedOf), the same months, its volume (volume x progression)
// and lateness (authority_level.h). The contacts of authority `index` fit
// the case events of these options; `sgm synth events|workforce|qa` use
// them too.
CaseEventSynthOptions CaseEventOptionsFor(const SynthOptions& options,
                                          int index);

// What was generated for one authority. Months are counted by the local
// (Europe/London) date of received_at, as the intake service counts them.
struct AuthorityStats {
  std::string authority;
  // The authority's level against the calibrated one (1.0 for the first;
  // authority_level.h).
  double volume_factor = 1;
  double progression_factor = 1;
  double lateness_factor = 1;
  int64_t children = 0;  // the child population aged 0-17
  // Index i is start_month + i.
  std::vector<int64_t> contacts_per_month;
  std::vector<int64_t> decided_per_month;
  std::vector<int64_t> progressed_per_month;
  int64_t contacts = 0;
  int64_t decided = 0;
  int64_t progressed = 0;  // decided REFERRAL or STRATEGY_DISCUSSION
  int64_t with_child_id = 0;
  // Contacts about a child with an earlier contact within 365 days.
  int64_t repeat_contacts = 0;
  int64_t unborn = 0;  // child_dob after the contact
  // Decided on the day received or the next weekday (weekends skipped).
  int64_t decided_by_next_weekday = 0;
  // Contacts of the case events' referrals (all of them progressed).
  int64_t referral_contacts = 0;
  // Contacts about a child with work open on the day received (start <= day
  // < end, PlannedOpenWork), of those with a child id.
  int64_t duplicate_input = 0;
  std::map<std::string, int64_t> by_primary_need;
  std::map<std::string, int64_t> by_source;
  std::map<std::string, int64_t> by_agency;
  // The files written, relative to the output root, e.g.
  // "832/contacts-POLICE.csv".
  std::vector<std::string> files;
};

struct SynthStats {
  absl::CivilMonth start_month;
  int months = 0;
  std::vector<AuthorityStats> authorities;
};

// The agencies that send contacts, one contacts file each.
inline constexpr std::array<absl::string_view, 6> kSynthAgencies = {
    "POLICE", "SCHOOLS", "HEALTH", "LA", "PUBLIC", "OTHER"};

// The agency that sends contacts of a CIN census source code: POLICE for 6,
// SCHOOLS for 2A/2B, HEALTH for 3A-3F, LA for 5A-5D, PUBLIC for 1A-1D, 9
// and 10, OTHER for the rest.
absl::string_view AgencyForSource(absl::string_view source_code);

// "contacts-POLICE.csv" for "POLICE".
std::string ContactsFileName(absl::string_view agency);
inline constexpr absl::string_view kDecisionsFileName = "decisions.csv";

// The code of the index-th authority: "831", 1 -> "832". Keeps leading
// zeros ("099", 1 -> "100"). INVALID_ARGUMENT when `first` is not a number.
absl::StatusOr<std::string> AuthorityCode(absl::string_view first, int index);

// Where the generator writes. Paths are relative ("contacts-POLICE.csv"
// at scale 1, "831/contacts-POLICE.csv" when scale > 1); a file is opened
// once, written, then closed.
class SynthOutput {
 public:
  virtual ~SynthOutput() = default;
  // A stream for `path`, valid until Close(path).
  virtual absl::StatusOr<std::ostream*> Open(const std::string& path) = 0;
  virtual absl::Status Close(const std::string& path) = 0;
};

// Keeps the files in memory, for tests.
class MemorySynthOutput : public SynthOutput {
 public:
  absl::StatusOr<std::ostream*> Open(const std::string& path) override;
  absl::Status Close(const std::string& path) override;
  // Closed files by path.
  const std::map<std::string, std::string>& files() const { return files_; }

 private:
  std::map<std::string, std::unique_ptr<std::ostringstream>> open_;
  std::map<std::string, std::string> files_;
};

// Writes the files under a directory, creating subdirectories as needed.
class DirectorySynthOutput : public SynthOutput {
 public:
  explicit DirectorySynthOutput(std::string root) : root_(std::move(root)) {}
  absl::StatusOr<std::ostream*> Open(const std::string& path) override;
  absl::Status Close(const std::string& path) override;

 private:
  std::string root_;
  std::map<std::string, std::unique_ptr<std::ostream>> open_;
};

// Generates every authority's feeds into `output`: per authority one
// contacts file per agency (all six, each with its header row) and one
// decisions file, in subdirectories named by authority code when
// scale > 1, from the plan of its case events (PlanCaseEvents of
// CaseEventOptionsFor(options, index) with `calendar`). INVALID_ARGUMENT
// for bad options; FAILED_PRECONDITION when the Europe/London time zone
// cannot be loaded; an output's error as is.
absl::StatusOr<SynthStats> SynthesizeContacts(
    const SynthOptions& options, const WorkingDayCalendar& calendar,
    SynthOutput* output);

// The same with the shipped England and Wales calendar.
absl::StatusOr<SynthStats> SynthesizeContacts(const SynthOptions& options,
                                              SynthOutput* output);

// SynthesizeContacts into files under `dir`.
absl::StatusOr<SynthStats> SynthesizeContactsToDirectory(
    const SynthOptions& options, const std::string& dir);

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_CONTACT_SYNTHESIZER_H_
