// Domain types of the quality-assurance service (DESIGN section 5: audits,
// feedback, actions; plus themes, moderation, dip samples and re-audits).
#ifndef SGM_SERVICES_QA_QA_RECORDS_H_
#define SGM_SERVICES_QA_QA_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sgm::qa {

enum class AuditType {
  kCaseFile,
  kThemed,
  kDipSample,
  kObservation,
  kMultiAgency
};

// CASE_FILE, THEMED, DIP_SAMPLE, OBSERVATION, MULTI_AGENCY as in the feed;
// nullopt otherwise.
std::optional<AuditType> ParseAuditType(absl::string_view text);
absl::string_view AuditTypeName(AuditType type);

// 1 outstanding, 2 good, 3 requires improvement, 4 inadequate (a lower
// number is better).
using Grade = int;
inline constexpr Grade kOutstanding = 1;
inline constexpr Grade kGood = 2;
inline constexpr Grade kRequiresImprovement = 3;
inline constexpr Grade kInadequate = 4;

enum class FeedbackSource { kFamily, kYoungPerson, kPartnerAgency, kStaff };

// FAMILY, YOUNG_PERSON, PARTNER_AGENCY, STAFF as in the feed; nullopt
// otherwise.
std::optional<FeedbackSource> ParseFeedbackSource(absl::string_view text);
absl::string_view FeedbackSourceName(FeedbackSource source);

// A themed focus period (key: theme_id); the days are inclusive.
struct Theme {
  std::string theme_id;
  std::string name;
  absl::CivilDay start_date;
  absl::CivilDay end_date;
};

// One graded domain of an audit.
struct DomainGrade {
  std::string domain;  // 1-40 of A-Z 0-9 _
  Grade grade = kGood;

  bool operator==(const DomainGrade& other) const {
    return domain == other.domain && grade == other.grade;
  }
};

// An audit (key: audit_id).
struct Audit {
  std::string audit_id;
  std::string child_id;
  AuditType type = AuditType::kCaseFile;
  std::string theme_id;   // may be empty
  std::string team;       // may be empty
  std::string worker_id;  // may be empty
  std::string auditor;
  absl::CivilDay audit_date;
  Grade grade = kGood;
  std::optional<Grade> moderated_grade;
  std::string moderator;  // set with moderated_grade (may be empty in feeds)
  std::vector<DomainGrade> domains;  // each domain at most once
  std::string findings;              // free text: never logged
  std::string reaudit_of;            // audit_id of the original, or empty
  std::string sample_id;             // dip sample, or empty

  // The grade the figures use: the moderator's when moderated.
  Grade EffectiveGrade() const {
    return moderated_grade ? *moderated_grade : grade;
  }
};

// A piece of feedback (key: feedback_id).
struct Feedback {
  std::string feedback_id;
  FeedbackSource source = FeedbackSource::kFamily;
  std::string team;  // may be empty
  absl::CivilDay received_on;
  int rating = 3;       // 1-5
  std::string comment;  // free text: never logged
};

// An action (key: action_id).
struct Action {
  std::string action_id;
  std::string origin_ref;
  std::string owner;
  absl::CivilDay due_date;
  std::optional<absl::CivilDay> completed_date;
  std::optional<absl::CivilDay> raised_on;  // none: counted from the start

  // Raised on or before `day` and not completed by the end of it.
  bool OpenOn(absl::CivilDay day) const {
    return !(raised_on && *raised_on > day) &&
           !(completed_date && *completed_date <= day);
  }
  // Completed on or before its due date.
  bool CompletedOnTime() const {
    return completed_date && *completed_date <= due_date;
  }
};

// The KPI service's sampling criteria (kpi.proto SampleCriterion, same
// numbers).
enum class DipSampleCriterion {
  kOpenEarlyHelp = 1,
  kOpenChildInNeed = 2,
  kOpenChildProtection = 3,
  kOpenChildInCare = 4,
  kCpPlan2Years = 5,
  kS47Over10WorkingDays = 6,
  kPreProceedings12Weeks = 7,
  kUnder1OnCpPlan = 8,
};

// One case of a dip sample.
struct DipSampleCase {
  std::string child_id;
  std::string ref_id;
  std::string worker_id;
  std::string team;
};

// A dip sample (key: sample_id). What was asked (criterion, as_of,
// sample_size, seed, theme_id) decides whether a re-send is the same
// sample; the rest is what the KPI service answered and who asked.
struct DipSample {
  std::string sample_id;
  DipSampleCriterion criterion = DipSampleCriterion::kOpenChildProtection;
  absl::CivilDay as_of;
  int sample_size = 0;  // 1-500
  uint64_t seed = 0;
  std::string theme_id;  // may be empty
  int64_t population = 0;
  absl::Time created_at;
  std::string created_by;  // the caller's name
  std::vector<DipSampleCase> cases;

  // The same request (sample_id, criterion, as_of, sample_size, seed,
  // theme_id).
  bool SameRequest(const DipSample& other) const {
    return sample_id == other.sample_id && criterion == other.criterion &&
           as_of == other.as_of && sample_size == other.sample_size &&
           seed == other.seed && theme_id == other.theme_id;
  }
};

}  // namespace sgm::qa

#endif  // SGM_SERVICES_QA_QA_RECORDS_H_
