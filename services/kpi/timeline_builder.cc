#include "services/kpi/timeline_builder.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

enum class Kind { kCp, kCin, kCla };
enum class Part { kStart, kEnd, kVisit, kReview };

struct EpisodeRole {
  Kind kind;
  Part part;
};

// Where an event goes among the episodes, if anywhere.
std::optional<EpisodeRole> RoleOf(EventType type) {
  switch (type) {
    case EventType::kCpPlanStart:
      return EpisodeRole{Kind::kCp, Part::kStart};
    case EventType::kCpPlanEnd:
      return EpisodeRole{Kind::kCp, Part::kEnd};
    case EventType::kCpVisit:
      return EpisodeRole{Kind::kCp, Part::kVisit};
    case EventType::kCpReview:
      return EpisodeRole{Kind::kCp, Part::kReview};
    case EventType::kCinPlanStart:
      return EpisodeRole{Kind::kCin, Part::kStart};
    case EventType::kCinPlanEnd:
      return EpisodeRole{Kind::kCin, Part::kEnd};
    case EventType::kCinReview:
      return EpisodeRole{Kind::kCin, Part::kReview};
    case EventType::kClaStart:
      return EpisodeRole{Kind::kCla, Part::kStart};
    case EventType::kClaEnd:
      return EpisodeRole{Kind::kCla, Part::kEnd};
    case EventType::kClaVisit:
      return EpisodeRole{Kind::kCla, Part::kVisit};
    case EventType::kClaReview:
      return EpisodeRole{Kind::kCla, Part::kReview};
    default:
      return std::nullopt;
  }
}

absl::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kCp:
      return "CP plan";
    case Kind::kCin:
      return "CIN plan";
    case Kind::kCla:
      return "CLA episode";
  }
  return "";
}

absl::string_view StartName(Kind kind) {
  switch (kind) {
    case Kind::kCp:
      return "CP_PLAN_START";
    case Kind::kCin:
      return "CIN_PLAN_START";
    case Kind::kCla:
      return "CLA_START";
  }
  return "";
}

absl::string_view EndName(Kind kind) {
  switch (kind) {
    case Kind::kCp:
      return "CP_PLAN_END";
    case Kind::kCin:
      return "CIN_PLAN_END";
    case Kind::kCla:
      return "CLA_END";
  }
  return "";
}

// The order every event is handled in, whatever order they came in: by
// date, then by the feed key (then the rest, for keys sent twice).
bool CanonicalLess(const CaseEvent* a, const CaseEvent* b) {
  return std::forward_as_tuple(a->event_date, a->event_id,
                               static_cast<int>(a->type), a->ref_id,
                               a->parent_ref_id, a->child_id) <
         std::forward_as_tuple(b->event_date, b->event_id,
                               static_cast<int>(b->type), b->ref_id,
                               b->parent_ref_id, b->child_id);
}

// Events of one ref_id, each list in canonical (date) order.
struct EpisodeEvents {
  std::vector<const CaseEvent*> starts, ends, visits, reviews, all;
};

struct AssessmentEvents {
  std::vector<const CaseEvent*> starts, ends;
};

struct S47Events {
  std::vector<const CaseEvent*> starts, strategy_discussions, icpcs;
};

struct ReferralEvents {
  const CaseEvent* first = nullptr;  // the earliest event naming it
  std::vector<const CaseEvent*> referrals;
  std::map<std::string, AssessmentEvents> assessments;
  std::map<std::string, S47Events> s47s;
};

std::vector<absl::CivilDay> Dates(const std::vector<const CaseEvent*>& list) {
  std::vector<absl::CivilDay> dates;
  dates.reserve(list.size());
  for (const CaseEvent* event : list) dates.push_back(event->event_date);
  return dates;
}

class Builder {
 public:
  CaseTimelines Build(absl::Span<const CaseEvent> events) {
    std::vector<const CaseEvent*> sorted;
    sorted.reserve(events.size());
    for (const CaseEvent& event : events) sorted.push_back(&event);
    std::sort(sorted.begin(), sorted.end(), CanonicalLess);
    for (const CaseEvent* event : sorted) Add(event);

    BuildEpisodes(Kind::kCp, &out_.cp_plans);
    BuildEpisodes(Kind::kCin, &out_.cin_plans);
    BuildEpisodes(Kind::kCla, &out_.cla_episodes);
    for (auto& [id, referral] : referrals_) {
      out_.referrals.push_back(BuildReferral(id, referral));
    }
    std::sort(out_.findings.begin(), out_.findings.end(),
              [](const DataQualityFinding& a, const DataQualityFinding& b) {
                return std::tie(a.child_id, a.ref_id, a.problem) <
                       std::tie(b.child_id, b.ref_id, b.problem);
              });
    return std::move(out_);
  }

 private:
  void Add(const CaseEvent* event) {
    if (const std::optional<EpisodeRole> role = RoleOf(event->type)) {
      EpisodeEvents& episode =
          episodes_[static_cast<int>(role->kind)][event->ref_id];
      episode.all.push_back(event);
      switch (role->part) {
        case Part::kStart:
          episode.starts.push_back(event);
          break;
        case Part::kEnd:
          episode.ends.push_back(event);
          break;
        case Part::kVisit:
          episode.visits.push_back(event);
          break;
        case Part::kReview:
          episode.reviews.push_back(event);
          break;
      }
      return;
    }
    switch (event->type) {
      case EventType::kReferral:
        Referral(event->ref_id, event).referrals.push_back(event);
        break;
      case EventType::kAssessmentStart:
        Referral(event->parent_ref_id, event)
            .assessments[event->ref_id]
            .starts.push_back(event);
        break;
      case EventType::kAssessmentEnd:
        Referral(event->parent_ref_id, event)
            .assessments[event->ref_id]
            .ends.push_back(event);
        break;
      case EventType::kS47Start:
        Referral(event->parent_ref_id, event)
            .s47s[event->ref_id]
            .starts.push_back(event);
        break;
      case EventType::kS47End:
        Referral(event->parent_ref_id, event).s47s[event->ref_id];
        break;
      case EventType::kStrategyDiscussion:
        Referral(event->parent_ref_id, event)
            .s47s[event->ref_id]
            .strategy_discussions.push_back(event);
        break;
      case EventType::kIcpc:
        Referral(event->parent_ref_id, event)
            .s47s[event->ref_id]
            .icpcs.push_back(event);
        break;
      default:
        break;
    }
  }

  ReferralEvents& Referral(const std::string& id, const CaseEvent* event) {
    ReferralEvents& referral = referrals_[id];
    if (referral.first == nullptr) referral.first = event;
    return referral;
  }

  void Finding(const std::string& child_id, const std::string& ref_id,
               std::string problem) {
    out_.findings.push_back({child_id, ref_id, std::move(problem)});
  }

  // Warns when events of one ref_id name more than one child.
  void CheckOneChild(const std::string& child_id, const std::string& ref_id,
                     const std::vector<const CaseEvent*>& events) {
    for (const CaseEvent* event : events) {
      if (event->child_id != child_id) {
        Finding(child_id, ref_id,
                "events of this ref_id name more than one child_id; the "
                "child of the first is used");
        return;
      }
    }
  }

  // The earliest end on or after `start`, with findings for the others.
  std::optional<absl::CivilDay> PickEnd(
      const std::vector<const CaseEvent*>& ends,
      std::optional<absl::CivilDay> start, const std::string& child_id,
      const std::string& ref_id, absl::string_view start_name,
      absl::string_view end_name) {
    std::vector<const CaseEvent*> valid;
    bool before_start = false;
    for (const CaseEvent* end : ends) {
      if (start.has_value() && end->event_date < *start) {
        before_start = true;
      } else {
        valid.push_back(end);
      }
    }
    if (before_start) {
      Finding(child_id, ref_id,
              absl::StrCat(end_name, " is dated before ", start_name,
                           "; the end is ignored"));
    }
    if (valid.size() > 1) {
      Finding(
          child_id, ref_id,
          absl::StrCat("more than one ", end_name, "; the earliest is used"));
    }
    if (valid.empty()) return std::nullopt;
    return valid.front()->event_date;
  }

  void BuildEpisodes(Kind kind, std::vector<Episode>* out) {
    const absl::string_view start_name = StartName(kind);
    for (const auto& [ref_id, events] : episodes_[static_cast<int>(kind)]) {
      if (events.starts.empty()) {
        Finding(events.all.front()->child_id, ref_id,
                absl::StrCat(KindName(kind), " events without a ", start_name,
                             "; not counted"));
        continue;
      }
      const CaseEvent& start = *events.starts.front();
      Episode episode;
      episode.ref_id = ref_id;
      episode.child_id = start.child_id;
      episode.start = start.event_date;
      if (events.starts.size() > 1) {
        Finding(episode.child_id, ref_id,
                absl::StrCat("more than one ", start_name,
                             "; the earliest is used"));
      }
      CheckOneChild(episode.child_id, ref_id, events.all);
      episode.end = PickEnd(events.ends, episode.start, episode.child_id,
                            ref_id, start_name, EndName(kind));
      episode.long_term = start.long_term.value_or(false);
      episode.visits = Dates(events.visits);
      episode.reviews = Dates(events.reviews);
      out->push_back(std::move(episode));
    }
    FindOverlaps(kind, *out);
  }

  // Two episodes of one kind open at once for one child.
  void FindOverlaps(Kind kind, const std::vector<Episode>& episodes) {
    std::map<std::string, std::vector<const Episode*>> by_child;
    for (const Episode& episode : episodes) {
      by_child[episode.child_id].push_back(&episode);
    }
    for (auto& [child_id, list] : by_child) {
      std::sort(list.begin(), list.end(),
                [](const Episode* a, const Episode* b) {
                  return std::tie(a->start, a->ref_id) <
                         std::tie(b->start, b->ref_id);
                });
      for (size_t i = 0; i < list.size(); ++i) {
        for (size_t j = i + 1; j < list.size(); ++j) {
          const Episode& a = *list[i];
          const Episode& b = *list[j];
          // Open at E is start <= E < end; [start, end) intervals meet.
          const bool overlap = (!b.end.has_value() || a.start < *b.end) &&
                               (!a.end.has_value() || b.start < *a.end);
          if (overlap) {
            Finding(child_id, b.ref_id,
                    absl::StrCat(KindName(kind), " open at the same time as ",
                                 KindName(kind), " ", a.ref_id,
                                 " of the same child"));
          }
        }
      }
    }
  }

  ReferralTimeline BuildReferral(const std::string& id,
                                 const ReferralEvents& events) {
    ReferralTimeline timeline;
    timeline.referral_id = id;
    const CaseEvent* referral =
        events.referrals.empty() ? nullptr : events.referrals.front();
    timeline.child_id =
        referral != nullptr ? referral->child_id : events.first->child_id;
    if (referral != nullptr) {
      timeline.referral_date = referral->event_date;
      if (events.referrals.size() > 1) {
        Finding(timeline.child_id, id,
                "more than one REFERRAL; the earliest is used");
      }
    }
    for (const auto& [ref_id, assessment_events] : events.assessments) {
      ReferralTimeline::Assessment assessment;
      assessment.ref_id = ref_id;
      if (!assessment_events.starts.empty()) {
        assessment.start = assessment_events.starts.front()->event_date;
        if (assessment_events.starts.size() > 1) {
          Finding(timeline.child_id, ref_id,
                  "more than one ASSESSMENT_START; the earliest is used");
        }
      }
      assessment.end =
          PickEnd(assessment_events.ends, assessment.start, timeline.child_id,
                  ref_id, "ASSESSMENT_START", "ASSESSMENT_END");
      timeline.assessments.push_back(std::move(assessment));
    }
    for (const auto& [ref_id, s47_events] : events.s47s) {
      ReferralTimeline::S47 s47;
      s47.ref_id = ref_id;
      if (!s47_events.starts.empty()) {
        s47.start = s47_events.starts.front()->event_date;
        if (s47_events.starts.size() > 1) {
          Finding(timeline.child_id, ref_id,
                  "more than one S47_START; the earliest is used");
        }
      }
      s47.strategy_discussions = Dates(s47_events.strategy_discussions);
      s47.icpcs = Dates(s47_events.icpcs);
      timeline.s47s.push_back(std::move(s47));
    }
    return timeline;
  }

  // Episode events by kind, then by ref_id.
  std::map<std::string, EpisodeEvents> episodes_[3];
  std::map<std::string, ReferralEvents> referrals_;
  CaseTimelines out_;
};

}  // namespace

CaseTimelines BuildTimelines(absl::Span<const CaseEvent> events) {
  return Builder().Build(events);
}

}  // namespace sgm::kpi
