#include "services/kpi/case_event_feed_parser.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/census_codes.h"
#include "common/civil_date.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "common/utf8.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

// Column positions in CaseEventFeedSchema().
enum Column {
  kEventId,
  kEventType,
  kChildId,
  kChildDob,
  kRefId,
  kParentRefId,
  kEventDate,
  kSourceCode,
  kPrimaryNeed,
  kCategory,
  kOutcome,
  kWorkerId,
  kTeam,
  kLongTerm,
  kVisitMode,
  kSeenAlone,
  kColumnCount,
};

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxCodeLength = 32;
constexpr size_t kMaxTeamChars = 100;
constexpr char kIcpcOutcomes[] = "CP_PLAN or NO_PLAN";
constexpr char kVisitModes[] = "FACE_TO_FACE or VIRTUAL";

RecordError Error(absl::string_view field, std::string reason) {
  return RecordError{std::string(field), std::move(reason)};
}

// A free code such as an S47 outcome: 1-32 of [A-Z_].
bool IsFreeCode(absl::string_view text) {
  if (text.empty() || text.size() > kMaxCodeLength) return false;
  for (const char c : text) {
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  return true;
}

std::optional<RecordError> CheckId(absl::string_view field,
                                   absl::string_view id) {
  if (id.empty()) return Error(field, absl::StrCat(field, " is required"));
  if (id.size() > kMaxIdLength || !AllOf(id, "._-")) {
    return Error(field, absl::StrCat(field,
                                     " must be 1 to 64 characters, each a "
                                     "letter, a digit, '.', '_' or '-'"));
  }
  return std::nullopt;
}

bool IsVisit(EventType type) {
  return type == EventType::kCpVisit || type == EventType::kClaVisit ||
         type == EventType::kCinVisit;
}

// The stages that may carry the category seen there (CP_PLAN_START must).
bool TakesOptionalCategory(EventType type) {
  return type == EventType::kReferral || type == EventType::kS47Start ||
         type == EventType::kIcpc;
}

bool TakesParentRef(EventType type) {
  switch (type) {
    case EventType::kAssessmentStart:
    case EventType::kAssessmentEnd:
    case EventType::kStrategyDiscussion:
    case EventType::kS47Start:
    case EventType::kS47End:
    case EventType::kIcpc:
      return true;
    default:
      return false;
  }
}

bool IsAllocation(EventType type) {
  return type == EventType::kAllocationStart ||
         type == EventType::kAllocationEnd;
}

RecordError NotUsed(absl::string_view field, EventType type) {
  return Error(field, absl::StrCat(field, " is not used on ",
                                   EventTypeName(type), "; leave it empty"));
}

// A Y/N flag, or an error naming `field`.
std::variant<bool, RecordError> ParseFlag(absl::string_view field,
                                          absl::string_view value) {
  if (value == "Y") return true;
  if (value == "N") return false;
  return Error(field, absl::StrCat(field, " must be Y or N"));
}

std::string EventTypeList() {
  std::string list;
  for (int i = 0; i <= static_cast<int>(EventType::kCinVisit); ++i) {
    absl::StrAppend(&list, i == 0 ? "" : ", ",
                    EventTypeName(static_cast<EventType>(i)));
  }
  return list;
}

}  // namespace

const FeedSchema& CaseEventFeedSchema() {
  static const FeedSchema* const kSchema = new FeedSchema{
      {"event_id", "event_type", "child_id", "child_dob", "ref_id",
       "parent_ref_id", "event_date", "source_code", "primary_need", "category",
       "outcome", "worker_id", "team", "long_term", "visit_mode", "seen_alone"},
      {"event_id", "event_type", "child_id", "ref_id", "event_date"}};
  return *kSchema;
}

std::variant<CaseEvent, RecordError> ParseCaseEventRecord(
    const FeedRecord& record, absl::Time now) {
  if (record.values.size() != kColumnCount) {
    return Error("",
                 "the record was not read with the case-events feed's "
                 "columns");
  }
  const auto& values = record.values;
  CaseEvent event;
  event.event_id = values[kEventId].value_or("");
  if (std::optional<RecordError> bad = CheckId("event_id", event.event_id)) {
    return *bad;
  }
  if (!values[kEventType].has_value()) {
    return Error("event_type", absl::StrCat("event_type is required: one of ",
                                            EventTypeList()));
  }
  const std::optional<EventType> type = ParseEventType(*values[kEventType]);
  if (!type.has_value()) {
    return Error("event_type",
                 absl::StrCat("event_type", QuoteCode(*values[kEventType]),
                              " is not one of ", EventTypeList()));
  }
  event.type = *type;
  event.child_id = values[kChildId].value_or("");
  if (values[kChildDob].has_value()) {
    absl::StatusOr<absl::CivilDay> dob = ParseIsoDate(*values[kChildDob]);
    if (!dob.ok()) {
      return Error("child_dob", absl::StrCat("child_dob is not a valid date: ",
                                             dob.status().message()));
    }
    event.child_dob = *dob;
  }
  event.ref_id = values[kRefId].value_or("");
  event.parent_ref_id = values[kParentRefId].value_or("");
  if (!values[kEventDate].has_value()) {
    return Error("event_date",
                 "event_date is required: a date of the form YYYY-MM-DD");
  }
  absl::StatusOr<absl::CivilDay> date = ParseIsoDate(*values[kEventDate]);
  if (!date.ok()) {
    return Error("event_date", absl::StrCat("event_date is not a valid date: ",
                                            date.status().message()));
  }
  event.event_date = *date;
  event.source_code = values[kSourceCode].value_or("");
  event.primary_need = values[kPrimaryNeed].value_or("");
  event.category = values[kCategory].value_or("");
  event.outcome = values[kOutcome].value_or("");
  event.worker_id = values[kWorkerId].value_or("");
  event.team = values[kTeam].value_or("");
  if (values[kLongTerm].has_value()) {
    if (event.type != EventType::kClaStart) {
      return NotUsed("long_term", event.type);
    }
    std::variant<bool, RecordError> flag =
        ParseFlag("long_term", *values[kLongTerm]);
    if (auto* bad = std::get_if<RecordError>(&flag)) return *bad;
    event.long_term = std::get<bool>(flag);
  } else if (event.type == EventType::kClaStart) {
    event.long_term = false;
  }
  event.visit_mode = values[kVisitMode].value_or("");
  if (values[kSeenAlone].has_value()) {
    if (!IsVisit(event.type)) return NotUsed("seen_alone", event.type);
    std::variant<bool, RecordError> flag =
        ParseFlag("seen_alone", *values[kSeenAlone]);
    if (auto* bad = std::get_if<RecordError>(&flag)) return *bad;
    event.seen_alone = std::get<bool>(flag);
  }
  if (std::optional<RecordError> bad =
          ValidateCaseEvent(event, LondonDay(now))) {
    return *bad;
  }
  return event;
}

std::optional<RecordError> ValidateCaseEvent(const CaseEvent& event,
                                             absl::CivilDay today) {
  const EventType type = event.type;
  const absl::string_view type_name = EventTypeName(type);
  if (type_name.empty()) {
    return Error("event_type", absl::StrCat("event_type is required: one of ",
                                            EventTypeList()));
  }
  if (std::optional<RecordError> bad = CheckId("event_id", event.event_id)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckId("child_id", event.child_id)) {
    return bad;
  }
  if (std::optional<RecordError> bad = CheckId("ref_id", event.ref_id)) {
    return bad;
  }
  if (TakesParentRef(type)) {
    if (event.parent_ref_id.empty()) {
      return Error("parent_ref_id",
                   absl::StrCat("parent_ref_id is required on ", type_name,
                                ": the ref_id of the referral"));
    }
    if (std::optional<RecordError> bad =
            CheckId("parent_ref_id", event.parent_ref_id)) {
      return bad;
    }
  } else if (!event.parent_ref_id.empty()) {
    return NotUsed("parent_ref_id", type);
  }
  if (event.event_date > today + 1) {
    return Error("event_date",
                 "event_date is in the future (more than 1 day after the "
                 "date the record was loaded)");
  }
  if (event.child_dob.has_value()) {
    if (std::optional<RecordError> bad =
            CheckChildDob(*event.child_dob, event.event_date, "event_date")) {
      return bad;
    }
  }
  // Codes of a referral: checked wherever they are given (they are only
  // meaningful on REFERRAL, but a case system may repeat them).
  if (!event.source_code.empty() &&
      !Contains(ReferralSources(), event.source_code)) {
    return Error("source_code",
                 absl::StrCat("source_code", QuoteCode(event.source_code),
                              " is not a CIN census source code; use one of ",
                              CodeList(ReferralSources())));
  }
  if (!event.primary_need.empty() &&
      !Contains(PrimaryNeeds(), event.primary_need)) {
    return Error("primary_need",
                 absl::StrCat("primary_need", QuoteCode(event.primary_need),
                              " is not a CIN census primary need; use one of ",
                              CodeList(PrimaryNeeds())));
  }
  if (type == EventType::kCpPlanStart || TakesOptionalCategory(type)) {
    if (event.category.empty()) {
      if (type == EventType::kCpPlanStart) {
        return Error("category",
                     absl::StrCat("category is required on CP_PLAN_START: "
                                  "one of ",
                                  CodeList(CpCategories())));
      }
    } else if (!Contains(CpCategories(), event.category)) {
      return Error("category",
                   absl::StrCat("category", QuoteCode(event.category),
                                " is not a CP category; use one of ",
                                CodeList(CpCategories())));
    }
  } else if (!event.category.empty()) {
    return NotUsed("category", type);
  }
  if (type == EventType::kIcpc) {
    if (event.outcome.empty()) {
      return Error("outcome", absl::StrCat("outcome is required on ICPC: ",
                                           kIcpcOutcomes));
    }
    if (event.outcome != "CP_PLAN" && event.outcome != "NO_PLAN") {
      return Error("outcome", absl::StrCat("outcome", QuoteCode(event.outcome),
                                           " is not an ICPC outcome; use ",
                                           kIcpcOutcomes));
    }
  } else if (type == EventType::kCaseClosed) {
    if (event.outcome.empty()) {
      return Error("outcome",
                   absl::StrCat("outcome is required on CASE_CLOSED: the "
                                "closure reason, one of ",
                                CodeList(ClosureReasons())));
    }
    if (!Contains(ClosureReasons(), event.outcome)) {
      return Error("outcome",
                   absl::StrCat("outcome", QuoteCode(event.outcome),
                                " is not a closure reason; use one of ",
                                CodeList(ClosureReasons())));
    }
  } else if (type == EventType::kS47End) {
    if (!event.outcome.empty() && !IsFreeCode(event.outcome)) {
      return Error("outcome",
                   "outcome on S47_END must be a code of 1 to 32 "
                   "characters, each a capital letter or '_'");
    }
  } else if (!event.outcome.empty()) {
    return NotUsed("outcome", type);
  }
  if (IsAllocation(type)) {
    if (event.worker_id.empty()) {
      return Error("worker_id",
                   absl::StrCat("worker_id is required on ", type_name));
    }
    if (std::optional<RecordError> bad =
            CheckId("worker_id", event.worker_id)) {
      return bad;
    }
    if (!event.team.empty()) {
      const std::optional<size_t> chars = Utf8Length(event.team);
      if (!chars.has_value()) {
        return Error("team", "team is not valid UTF-8");
      }
      if (*chars > kMaxTeamChars) {
        return Error("team", absl::StrCat("team is longer than ", kMaxTeamChars,
                                          " characters"));
      }
      for (const char c : event.team) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          return Error("team", "team must not contain control characters");
        }
      }
    }
  } else {
    if (!event.worker_id.empty()) return NotUsed("worker_id", type);
    if (!event.team.empty()) return NotUsed("team", type);
  }
  if (type != EventType::kClaStart && event.long_term.has_value()) {
    return NotUsed("long_term", type);
  }
  if (IsVisit(type)) {
    if (!event.visit_mode.empty() && event.visit_mode != "FACE_TO_FACE" &&
        event.visit_mode != "VIRTUAL") {
      return Error("visit_mode",
                   absl::StrCat("visit_mode", QuoteCode(event.visit_mode),
                                " is not a visit mode; use ", kVisitModes));
    }
  } else {
    if (!event.visit_mode.empty()) return NotUsed("visit_mode", type);
    if (event.seen_alone.has_value()) return NotUsed("seen_alone", type);
  }
  return std::nullopt;
}

}  // namespace sgm::kpi
