// Synthetic front-door feeds (DESIGN section 5) for demonstrations, tests
// and benchmarks: contacts and the decisions on them, calibrated at scale 1
// to the published figures (data/seed-figures.json beside DESIGN.md).
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

namespace sgm::synth {

struct SynthOptions {
  uint64_t seed = 1;
  absl::CivilMonth start_month;  // the first month generated
  int months = 12;               // 1 to 1,200
  int scale = 1;                 // number of authorities, 1 to 1,000
  // A numeric code; the others are first_authority + 1, + 2, ...
  std::string first_authority = "831";
};

// What was generated for one authority. Months are counted by the local
// (Europe/London) date of received_at, as the intake service counts them.
struct AuthorityStats {
  std::string authority;
  // The authority's level against the calibrated one (1.0 for the first).
  double volume_factor = 1;
  double progression_factor = 1;
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
// scale > 1. INVALID_ARGUMENT for bad options; FAILED_PRECONDITION when
// the Europe/London time zone cannot be loaded; an output's error as is.
absl::StatusOr<SynthStats> SynthesizeContacts(const SynthOptions& options,
                                              SynthOutput* output);

// SynthesizeContacts into files under `dir`.
absl::StatusOr<SynthStats> SynthesizeContactsToDirectory(
    const SynthOptions& options, const std::string& dir);

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_CONTACT_SYNTHESIZER_H_
