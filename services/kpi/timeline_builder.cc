#include "services/kpi/timeline_builder.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/kpi/case_event.h"

namespace sgm::kpi {
namespace {

enum class Kind { kCp, kCin, kCla, kEh, kPre };
constexpr int kKindCount = 5;
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
    case EventType::kCinVisit:
      return EpisodeRole{Kind::kCin, Part::kVisit};
    case EventType::kClaStart:
      return EpisodeRole{Kind::kCla, Part::kStart};
    case EventType::kClaEnd:
      return EpisodeRole{Kind::kCla, Part::kEnd};
    case EventType::kClaVisit:
      return EpisodeRole{Kind::kCla, Part::kVisit};
    case EventType::kClaReview:
      return EpisodeRole{Kind::kCla, Part::kReview};
    case EventType::kEhStart:
      return EpisodeRole{Kind::kEh, Part::kStart};
    case EventType::kEhEnd:
      return EpisodeRole{Kind::kEh, Part::kEnd};
    case EventType::kPreProceedingsStart:
      return EpisodeRole{Kind::kPre, Part::kStart};
    case EventType::kPreProceedingsEnd:
      return EpisodeRole{Kind::kPre, Part::kEnd};
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
    case Kind::kEh:
      return "Early Help episode";
    case Kind::kPre:
      return "pre-proceedings";
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
    case Kind::kEh:
      return "EH_START";
    case Kind::kPre:
      return "PRE_PROCEEDINGS_START";
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
    case Kind::kEh:
      return "EH_END";
    case Kind::kPre:
      return "PRE_PROCEEDINGS_END";
  }
  return "";
}

// Events of one ref_id, each list in canonical (date) order.
struct EpisodeEvents {
  std::vector<const TimelineEvent*> starts, ends, visits, reviews, all;
};

struct AssessmentEvents {
  std::vector<const TimelineEvent*> starts, ends;
};

struct S47Events {
  std::vector<const TimelineEvent*> starts, ends, strategy_discussions, icpcs;
};

// Events of one allocation ref_id, each list in canonical (date) order.
struct AllocationEvents {
  std::vector<const TimelineEvent*> starts, ends, all;
};

struct ReferralEvents {
  const TimelineEvent* first = nullptr;  // the earliest event naming it
  std::vector<const TimelineEvent*> referrals;
  std::map<absl::string_view, AssessmentEvents> assessments;
  std::map<absl::string_view, S47Events> s47s;
};

std::vector<absl::CivilDay> Dates(
    const std::vector<const TimelineEvent*>& list) {
  std::vector<absl::CivilDay> dates;
  dates.reserve(list.size());
  for (const TimelineEvent* event : list) dates.push_back(event->event_date);
  return dates;
}

bool FindingLess(const DataQualityFinding& a, const DataQualityFinding& b) {
  return std::tie(a.child_id, a.ref_id, a.problem) <
         std::tie(b.child_id, b.ref_id, b.problem);
}

void SortFindings(std::vector<DataQualityFinding>& findings) {
  std::sort(findings.begin(), findings.end(), FindingLess);
}

class Builder {
 public:
  // `events`: one child's, in canonical order.
  CaseTimelines Build(absl::Span<const TimelineEvent> events) {
    for (const TimelineEvent& event : events) Add(&event);

    BuildEpisodes(Kind::kCp, &out_.cp_plans);
    BuildEpisodes(Kind::kCin, &out_.cin_plans);
    BuildEpisodes(Kind::kCla, &out_.cla_episodes);
    BuildEpisodes(Kind::kEh, &out_.eh_episodes);
    BuildEpisodes(Kind::kPre, &out_.pre_proceedings);
    BuildAllocations();
    out_.referrals.reserve(referrals_.size());
    for (auto& [id, referral] : referrals_) {
      out_.referrals.push_back(BuildReferral(id, referral));
    }
    FindClosuresWithoutReferral();
    SortFindings(out_.findings);
    return std::move(out_);
  }

 private:
  void Add(const TimelineEvent* event) {
    AddDob(*event);
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
        Referral(event->parent_ref_id, event)
            .s47s[event->ref_id]
            .ends.push_back(event);
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
      case EventType::kAllocationStart:
        allocations_[event->ref_id].starts.push_back(event);
        allocations_[event->ref_id].all.push_back(event);
        break;
      case EventType::kAllocationEnd:
        allocations_[event->ref_id].ends.push_back(event);
        allocations_[event->ref_id].all.push_back(event);
        break;
      case EventType::kCaseClosed:
        closures_[event->ref_id].push_back(event);
        break;
      default:
        break;
    }
  }

  // The child's date of birth from the first event (in canonical order)
  // that carries one; one finding per child whose events disagree.
  void AddDob(const TimelineEvent& event) {
    if (!event.child_dob.has_value() || event.child_id.empty()) return;
    const auto [it, inserted] =
        out_.child_dobs.emplace(std::string(event.child_id), *event.child_dob);
    if (inserted || it->second == *event.child_dob) return;
    if (!dob_conflict_) {
      dob_conflict_ = true;
      Finding(event.child_id, event.ref_id,
              "child_dob differs between events of this child; the one on "
              "the earliest event is used");
    }
  }

  ReferralEvents& Referral(absl::string_view id, const TimelineEvent* event) {
    ReferralEvents& referral = referrals_[id];
    if (referral.first == nullptr) referral.first = event;
    return referral;
  }

  void Finding(absl::string_view child_id, absl::string_view ref_id,
               std::string problem) {
    out_.findings.push_back(
        {std::string(child_id), std::string(ref_id), std::move(problem)});
  }

  // The earliest end on or after `start`, with findings for the others.
  std::optional<absl::CivilDay> PickEnd(
      const std::vector<const TimelineEvent*>& ends,
      std::optional<absl::CivilDay> start, absl::string_view child_id,
      absl::string_view ref_id, absl::string_view start_name,
      absl::string_view end_name) {
    std::vector<const TimelineEvent*> valid;
    bool before_start = false;
    for (const TimelineEvent* end : ends) {
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
      const TimelineEvent& start = *events.starts.front();
      Episode episode;
      episode.ref_id = std::string(ref_id);
      episode.child_id = std::string(start.child_id);
      episode.start = start.event_date;
      if (events.starts.size() > 1) {
        Finding(episode.child_id, ref_id,
                absl::StrCat("more than one ", start_name,
                             "; the earliest is used"));
      }
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

  void BuildAllocations() {
    for (const auto& [ref_id, events] : allocations_) {
      if (events.starts.empty()) {
        Finding(events.all.front()->child_id, ref_id,
                "ALLOCATION_END without an ALLOCATION_START; not counted");
        continue;
      }
      const TimelineEvent& start = *events.starts.front();
      Allocation allocation;
      allocation.ref_id = std::string(ref_id);
      allocation.child_id = std::string(start.child_id);
      allocation.worker_id = std::string(start.worker_id);
      allocation.team = std::string(start.team);
      allocation.start = start.event_date;
      if (events.starts.size() > 1) {
        Finding(allocation.child_id, ref_id,
                "more than one ALLOCATION_START; the earliest is used");
      }
      for (const TimelineEvent* event : events.all) {
        if (event->worker_id != allocation.worker_id) {
          Finding(allocation.child_id, ref_id,
                  "events of this allocation name more than one worker_id; "
                  "the worker of the ALLOCATION_START is used");
          break;
        }
      }
      allocation.end =
          PickEnd(events.ends, allocation.start, allocation.child_id, ref_id,
                  "ALLOCATION_START", "ALLOCATION_END");
      out_.allocations.push_back(std::move(allocation));
    }
    // Overlapping allocations are normal (a child may have several workers).
  }

  // CASE_CLOSED of a referral no other event names.
  void FindClosuresWithoutReferral() {
    for (const auto& [ref_id, closures] : closures_) {
      if (referrals_.count(ref_id) == 0) {
        Finding(closures.front()->child_id, ref_id,
                "CASE_CLOSED of a referral with no REFERRAL, assessment or "
                "S47 events; not counted");
      }
    }
  }

  ReferralTimeline BuildReferral(absl::string_view id,
                                 const ReferralEvents& events) {
    ReferralTimeline timeline;
    timeline.referral_id = std::string(id);
    const TimelineEvent* referral =
        events.referrals.empty() ? nullptr : events.referrals.front();
    timeline.child_id = std::string(
        referral != nullptr ? referral->child_id : events.first->child_id);
    timeline.first_event_date = events.first->event_date;
    if (referral != nullptr) {
      timeline.referral_date = referral->event_date;
      if (events.referrals.size() > 1) {
        Finding(timeline.child_id, id,
                "more than one REFERRAL; the earliest is used");
      }
    }
    if (const auto closures = closures_.find(id); closures != closures_.end()) {
      // The referral opens at its REFERRAL, else at its earliest event.
      const absl::CivilDay opened =
          timeline.referral_date.value_or(timeline.first_event_date);
      std::optional<absl::CivilDay> closed = PickEnd(
          closures->second, opened, timeline.child_id, id,
          timeline.referral_date.has_value() ? "REFERRAL"
                                             : "the referral's earliest event",
          "CASE_CLOSED");
      if (closed.has_value()) {
        timeline.closed = closed;
        for (const TimelineEvent* closure : closures->second) {
          if (closure->event_date == *closed) {
            timeline.closure_reason = std::string(closure->outcome);
            break;
          }
        }
      }
    }
    for (const auto& [ref_id, assessment_events] : events.assessments) {
      ReferralTimeline::Assessment assessment;
      assessment.ref_id = std::string(ref_id);
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
      s47.ref_id = std::string(ref_id);
      if (!s47_events.starts.empty()) {
        s47.start = s47_events.starts.front()->event_date;
        if (s47_events.starts.size() > 1) {
          Finding(timeline.child_id, ref_id,
                  "more than one S47_START; the earliest is used");
        }
      }
      s47.end = PickEnd(s47_events.ends, s47.start, timeline.child_id, ref_id,
                        "S47_START", "S47_END");
      s47.strategy_discussions = Dates(s47_events.strategy_discussions);
      s47.icpcs = Dates(s47_events.icpcs);
      timeline.s47s.push_back(std::move(s47));
    }
    return timeline;
  }

  // Episode events by kind, then by ref_id.
  std::map<absl::string_view, EpisodeEvents> episodes_[kKindCount];
  std::map<absl::string_view, ReferralEvents> referrals_;
  std::map<absl::string_view, AllocationEvents> allocations_;
  // CASE_CLOSED events by the referral's id.
  std::map<absl::string_view, std::vector<const TimelineEvent*>> closures_;
  // Whether the child's events disagree on the date of birth.
  bool dob_conflict_ = false;
  CaseTimelines out_;
};

// The start an item is ranked by when children share its ref_id: the
// earliest keeps it.
absl::CivilDay RankDate(const Episode& e) { return e.start; }
absl::CivilDay RankDate(const Allocation& a) { return a.start; }
absl::CivilDay RankDate(const ReferralTimeline& r) {
  return r.first_event_date;
}
const std::string& RefOf(const Episode& e) { return e.ref_id; }
const std::string& RefOf(const Allocation& a) { return a.ref_id; }
const std::string& RefOf(const ReferralTimeline& r) { return r.referral_id; }

// Every child's items of one list, sorted by ref_id; a ref_id that more
// than one child uses is kept for the child with the earliest start (then
// the lowest child_id), with a finding for each of the others.
template <typename T>
void MergeList(absl::Span<const CaseTimelines* const> children,
               std::vector<T> CaseTimelines::*list, absl::string_view what,
               CaseTimelines& out) {
  std::vector<const T*> items;
  size_t total = 0;
  for (const CaseTimelines* child : children) total += (child->*list).size();
  items.reserve(total);
  for (const CaseTimelines* child : children) {
    for (const T& item : child->*list) items.push_back(&item);
  }
  std::sort(items.begin(), items.end(), [](const T* a, const T* b) {
    const int by_ref = RefOf(*a).compare(RefOf(*b));
    if (by_ref != 0) return by_ref < 0;
    const absl::CivilDay a_date = RankDate(*a);
    const absl::CivilDay b_date = RankDate(*b);
    if (a_date != b_date) return a_date < b_date;
    return a->child_id < b->child_id;
  });
  std::vector<T>& merged = out.*list;
  merged.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0 && RefOf(*items[i]) == RefOf(*items[i - 1])) {
      const T& kept = merged.back();
      out.findings.push_back(
          {items[i]->child_id, RefOf(*items[i]),
           absl::StrCat(what, " ref_id already used by child ", kept.child_id,
                        "; not counted for this child")});
      continue;
    }
    merged.push_back(*items[i]);
  }
}

}  // namespace

TimelineEvent TimelineEventOf(const CaseEvent& e) {
  TimelineEvent v;
  v.event_id = e.event_id;
  v.child_id = e.child_id;
  v.ref_id = e.ref_id;
  v.parent_ref_id = e.parent_ref_id;
  v.outcome = e.outcome;
  v.worker_id = e.worker_id;
  v.team = e.team;
  v.event_date = e.event_date;
  v.child_dob = e.child_dob;
  v.type = e.type;
  v.long_term = e.long_term;
  return v;
}

bool CanonicalLess(const TimelineEvent& a, const TimelineEvent& b) {
  if (a.event_date != b.event_date) return a.event_date < b.event_date;
  return std::forward_as_tuple(a.event_id, static_cast<int>(a.type), a.ref_id,
                               a.parent_ref_id, a.child_id) <
         std::forward_as_tuple(b.event_id, static_cast<int>(b.type), b.ref_id,
                               b.parent_ref_id, b.child_id);
}

std::vector<std::vector<TimelineEvent>> GroupByChild(
    absl::Span<const TimelineEvent> events) {
  absl::flat_hash_map<absl::string_view, size_t> index;
  std::vector<std::vector<TimelineEvent>> groups;
  for (const TimelineEvent& event : events) {
    const auto [it, inserted] = index.emplace(event.child_id, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(event);
  }
  std::sort(groups.begin(), groups.end(),
            [](const std::vector<TimelineEvent>& a,
               const std::vector<TimelineEvent>& b) {
              return a.front().child_id < b.front().child_id;
            });
  for (std::vector<TimelineEvent>& group : groups) {
    std::sort(group.begin(), group.end(), CanonicalLess);
  }
  return groups;
}

CaseTimelines BuildChildTimelines(absl::Span<const TimelineEvent> events) {
  return Builder().Build(events);
}

CaseTimelines MergeChildTimelines(
    absl::Span<const CaseTimelines* const> children) {
  CaseTimelines out;
  size_t findings = 0;
  for (const CaseTimelines* child : children) {
    findings += child->findings.size();
  }
  out.findings.reserve(findings);
  for (const CaseTimelines* child : children) {
    out.findings.insert(out.findings.end(), child->findings.begin(),
                        child->findings.end());
    for (const auto& [child_id, dob] : child->child_dobs) {
      out.child_dobs.emplace_hint(out.child_dobs.end(), child_id, dob);
    }
  }
  MergeList(children, &CaseTimelines::cp_plans, "CP plan", out);
  MergeList(children, &CaseTimelines::cin_plans, "CIN plan", out);
  MergeList(children, &CaseTimelines::cla_episodes, "CLA episode", out);
  MergeList(children, &CaseTimelines::eh_episodes, "Early Help episode", out);
  MergeList(children, &CaseTimelines::pre_proceedings, "pre-proceedings", out);
  MergeList(children, &CaseTimelines::allocations, "allocation", out);
  MergeList(children, &CaseTimelines::referrals, "referral", out);
  SortFindings(out.findings);
  return out;
}

CaseTimelines BuildTimelines(absl::Span<const CaseEvent> events) {
  std::vector<TimelineEvent> views;
  views.reserve(events.size());
  for (const CaseEvent& event : events) views.push_back(TimelineEventOf(event));
  const std::vector<std::vector<TimelineEvent>> groups = GroupByChild(views);
  std::vector<CaseTimelines> built;
  built.reserve(groups.size());
  for (const std::vector<TimelineEvent>& group : groups) {
    built.push_back(BuildChildTimelines(group));
  }
  std::vector<const CaseTimelines*> children;
  children.reserve(built.size());
  for (const CaseTimelines& child : built) children.push_back(&child);
  return MergeChildTimelines(children);
}

}  // namespace sgm::kpi
