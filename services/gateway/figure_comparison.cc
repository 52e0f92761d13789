#include "services/gateway/figure_comparison.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/civil_date.h"
#include "common/percent.h"
#include "common/proto_convert.h"

namespace sgm::gateway {
namespace {

namespace gv1 = ::sgm::gateway::v1;
namespace iv1 = ::sgm::intake::v1;
namespace kv1 = ::sgm::kpi::v1;
namespace qv1 = ::sgm::qa::v1;
namespace wv1 = ::sgm::workforce::v1;

// A period may span at most this many months (the backends' trend limit).
constexpr int kMaxPeriodMonths = 60;

// Where a figure's value comes from: one backend call per period (the
// front door: one call per month of the period).
enum class Source {
  kFrontDoor,
  kReferralQuality,
  kDuplicateInput,
  kIndicatorTrend,
  kCaseStatus,
  kVisitQuality,
  kServiceFlows,
  kWorkforceTrend,
  kQaFigures,
};

ReportBackend BackendOf(Source source) {
  switch (source) {
    case Source::kFrontDoor:
    case Source::kReferralQuality:
    case Source::kDuplicateInput:
      return ReportBackend::kIntake;
    case Source::kIndicatorTrend:
    case Source::kCaseStatus:
    case Source::kVisitQuality:
    case Source::kServiceFlows:
      return ReportBackend::kKpi;
    case Source::kWorkforceTrend:
      return ReportBackend::kWorkforce;
    case Source::kQaFigures:
      return ReportBackend::kQa;
  }
  return ReportBackend::kIntake;
}

// The answers of one period. Each fetch writes only its own member, and
// every fetch has ended before any is read.
struct PeriodAnswers {
  MonthSpan span;
  absl::StatusOr<std::vector<iv1::FrontDoorFigures>> front_door;
  absl::StatusOr<iv1::GetReferralQualityResponse> referral_quality;
  absl::StatusOr<iv1::GetDuplicateInputResponse> duplicate_input;
  absl::StatusOr<kv1::GetIndicatorTrendResponse> indicator_trend;
  absl::StatusOr<kv1::CaseStatus> case_status;
  absl::StatusOr<kv1::GetVisitQualityResponse> visit_quality;
  absl::StatusOr<kv1::GetServiceFlowsResponse> service_flows;
  absl::StatusOr<wv1::GetWorkforceTrendResponse> workforce_trend;
  absl::StatusOr<qv1::QaFigures> qa_figures;
};

absl::Status StatusOf(const PeriodAnswers& answers, Source source) {
  switch (source) {
    case Source::kFrontDoor:
      return answers.front_door.status();
    case Source::kReferralQuality:
      return answers.referral_quality.status();
    case Source::kDuplicateInput:
      return answers.duplicate_input.status();
    case Source::kIndicatorTrend:
      return answers.indicator_trend.status();
    case Source::kCaseStatus:
      return answers.case_status.status();
    case Source::kVisitQuality:
      return answers.visit_quality.status();
    case Source::kServiceFlows:
      return answers.service_flows.status();
    case Source::kWorkforceTrend:
      return answers.workforce_trend.status();
    case Source::kQaFigures:
      return answers.qa_figures.status();
  }
  return absl::InternalError("unknown source");
}

// The front-door figures of every month of `span`, or the first error.
absl::StatusOr<std::vector<iv1::FrontDoorFigures>> FrontDoorMonths(
    ReportSources* sources, const CallerIdentity& caller, MonthSpan span,
    absl::Time deadline) {
  std::vector<iv1::FrontDoorFigures> months;
  for (absl::CivilMonth m = span.from; m <= span.to; ++m) {
    absl::StatusOr<iv1::FrontDoorFigures> figures =
        sources->FrontDoor(caller, m, deadline);
    if (!figures.ok()) return figures.status();
    months.push_back(*std::move(figures));
  }
  return months;
}

// Fetches `source` for `answers->span` into its member of `answers`.
void Fetch(ReportSources* sources, const CallerIdentity& caller, Source source,
           absl::Time deadline, PeriodAnswers* answers) {
  const MonthSpan span = answers->span;
  switch (source) {
    case Source::kFrontDoor:
      answers->front_door = FrontDoorMonths(sources, caller, span, deadline);
      return;
    case Source::kReferralQuality:
      answers->referral_quality =
          sources->ReferralQuality(caller, span.from, span.to, deadline);
      return;
    case Source::kDuplicateInput:
      answers->duplicate_input =
          sources->DuplicateInput(caller, span.from, span.to, deadline);
      return;
    case Source::kIndicatorTrend:
      answers->indicator_trend =
          sources->IndicatorTrendBetween(caller, span.from, span.to, deadline);
      return;
    case Source::kCaseStatus:
      answers->case_status = sources->CaseStatus(caller, span.to, deadline);
      return;
    case Source::kVisitQuality:
      answers->visit_quality =
          sources->VisitQuality(caller, span.from, span.to, deadline);
      return;
    case Source::kServiceFlows:
      answers->service_flows =
          sources->ServiceFlows(caller, span.from, span.to, deadline);
      return;
    case Source::kWorkforceTrend:
      // Only the period's last month end.
      answers->workforce_trend =
          sources->WorkforceTrendBetween(caller, span.to, span.to, deadline);
      return;
    case Source::kQaFigures:
      answers->qa_figures = sources->QaFigures(
          caller, absl::CivilDay(span.from), LastDayOf(span.to), deadline);
      return;
  }
}

// --- the catalogue ---------------------------------------------------------

// A figure's value in a period from its source's answer (which is OK), or
// none when it has no value (e.g. an empty denominator).
using ValueFn = std::function<std::optional<double>(const PeriodAnswers&)>;

struct Figure {
  gv1::FigureDefinition definition;
  Source source;
  ValueFn value;
  // Why the value is missing although the backend answered (e.g. the
  // workforce service without caseloads); empty: no note.
  std::function<std::string(const PeriodAnswers&)> missing_note;
};

gv1::FigureDefinition Definition(absl::string_view id, absl::string_view title,
                                 gv1::FigureUnit unit,
                                 gv1::FigureDirection direction,
                                 absl::string_view period_rule,
                                 ReportBackend backend) {
  gv1::FigureDefinition definition;
  definition.set_id(std::string(id));
  definition.set_title(std::string(title));
  definition.set_unit(unit);
  definition.set_direction(direction);
  definition.set_period_rule(std::string(period_rule));
  definition.set_backend(std::string(CacheServiceName(backend)));
  return definition;
}

std::optional<double> AsValue(std::optional<double> value) { return value; }
std::optional<double> Count(int64_t count) {
  return static_cast<double>(count);
}
bool InSpan(const sgm::type::v1::YearMonth& month, MonthSpan span) {
  const absl::CivilMonth m(month.year(), month.month());
  return m >= span.from && m <= span.to;
}

// The 8 indicators of the KPI service: numerators and denominators summed
// over the months of the period, the percent of the sums.
struct IndicatorRow {
  absl::string_view id;
  absl::string_view title;
  gv1::FigureDirection direction;
};
constexpr IndicatorRow kIndicators[] = {
    {"cic_visits_in_time", "Children in care visited in time",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"cic_reviews_in_time", "Children in care reviewed in time",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"cpp_visits_in_time", "Child protection visits in time",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"cpp_reviews_in_time", "Child protection reviews in time",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"cin_reviews_in_time", "Child in need plans reviewed in time",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"first_assessments_in_time",
     "First assessments completed within 45 working days",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"icpc_in_15wd",
     "Initial child protection conferences within 15 working days",
     gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER},
    {"repeat_cp_plans", "Repeat child protection plans",
     gv1::FIGURE_DIRECTION_LOWER_IS_BETTER},
};

std::optional<double> PooledIndicator(const PeriodAnswers& answers,
                                      absl::string_view id) {
  int64_t numerator = 0;
  int64_t denominator = 0;
  for (const kv1::IndicatorTrend& trend : answers.indicator_trend->trends()) {
    if (trend.id() != id) continue;
    for (const kv1::TrendPoint& point : trend.points()) {
      if (!InSpan(point.month(), answers.span)) continue;
      numerator += point.numerator();
      denominator += point.denominator();
    }
  }
  return Percent1dp(numerator, denominator);
}

// The workforce trend's point at the period's last month end, if any.
const wv1::WorkforceTrendPoint* LastWorkforcePoint(
    const PeriodAnswers& answers) {
  for (const wv1::WorkforceTrendPoint& point :
       answers.workforce_trend->points()) {
    if (absl::CivilMonth(point.month().year(), point.month().month()) ==
        answers.span.to) {
      return &point;
    }
  }
  return nullptr;
}

ValueFn WorkforceValue(
    std::function<std::optional<double>(const wv1::WorkforceTrendPoint&)>
        read) {
  return [read = std::move(read)](const PeriodAnswers& a) {
    const wv1::WorkforceTrendPoint* point = LastWorkforcePoint(a);
    return point == nullptr ? std::nullopt : read(*point);
  };
}

// The total row of the period's feedback (source UNSPECIFIED).
const qv1::FeedbackFigures* FeedbackTotal(const qv1::QaFigures& figures) {
  for (const qv1::FeedbackFigures& row : figures.feedback()) {
    if (row.source() == qv1::FEEDBACK_SOURCE_UNSPECIFIED) return &row;
  }
  return nullptr;
}

std::vector<Figure> BuildFigures() {
  constexpr auto kCount = gv1::FIGURE_UNIT_COUNT;
  constexpr auto kPercent = gv1::FIGURE_UNIT_PERCENT;
  constexpr auto kPer10k = gv1::FIGURE_UNIT_PER_10K;
  constexpr auto kNumber = gv1::FIGURE_UNIT_NUMBER;
  constexpr auto kHigher = gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER;
  constexpr auto kLower = gv1::FIGURE_DIRECTION_LOWER_IS_BETTER;
  constexpr auto kNeutral = gv1::FIGURE_DIRECTION_NEUTRAL;
  constexpr auto kIntake = ReportBackend::kIntake;
  constexpr auto kKpi = ReportBackend::kKpi;
  constexpr auto kWorkforce = ReportBackend::kWorkforce;
  constexpr auto kQa = ReportBackend::kQa;

  std::vector<Figure> figures;
  auto add = [&figures](gv1::FigureDefinition definition, Source source,
                        ValueFn value) {
    figures.push_back({std::move(definition), source, std::move(value), {}});
  };

  // --- intake: the front door ---
  add(Definition("intake.contacts", "Contacts received", kCount, kNeutral,
                 "Contacts received in the period's months (each month's "
                 "front-door count, summed).",
                 kIntake),
      Source::kFrontDoor, [](const PeriodAnswers& a) {
        int64_t contacts = 0;
        for (const auto& m : *a.front_door)
          contacts += m.this_month().contacts();
        return Count(contacts);
      });
  add(Definition("intake.progressed_percent",
                 "Contacts progressed to referral or strategy discussion",
                 kPercent, kNeutral,
                 "Of the period's contacts with a decision, the share decided "
                 "REFERRAL or STRATEGY_DISCUSSION: the months' progressed and "
                 "decided counts summed, percent of the sums to 1 dp; none "
                 "without a decision.",
                 kIntake),
      Source::kFrontDoor, [](const PeriodAnswers& a) {
        int64_t progressed = 0;
        int64_t decided = 0;
        for (const auto& m : *a.front_door) {
          progressed += m.progressed();
          decided += m.decided();
        }
        return Percent1dp(progressed, decided);
      });
  add(Definition("intake.decided_within_1wd_percent",
                 "Contact decisions within 1 working day", kPercent, kHigher,
                 "Of the period's contacts with a decision, the share decided "
                 "within 1 working day of receipt: the months' counts summed, "
                 "percent of the sums to 1 dp; none without a decision.",
                 kIntake),
      Source::kFrontDoor, [](const PeriodAnswers& a) {
        int64_t within = 0;
        int64_t decided = 0;
        for (const auto& m : *a.front_door) {
          within += m.decided_within_1wd();
          decided += m.decided();
        }
        return Percent1dp(within, decided);
      });
  // --- intake: practice insight ---
  add(Definition("intake.referral_quality_mean",
                 "Referral quality: mean completeness score", kNumber, kHigher,
                 "The mean completeness score (0-100, 1 dp) of every contact "
                 "received in the period, all agencies together; none without "
                 "contacts.",
                 kIntake),
      Source::kReferralQuality, [](const PeriodAnswers& a) {
        const iv1::ReferralQualityPoint& total =
            a.referral_quality->all_agencies().total();
        return total.has_mean_score() ? AsValue(total.mean_score())
                                      : std::nullopt;
      });
  add(Definition("intake.referral_quality_below_threshold_percent",
                 "Referral quality: contacts below the threshold", kPercent,
                 kLower,
                 "Of the contacts received in the period (all agencies), the "
                 "share scoring below the threshold, percent to 1 dp; none "
                 "without contacts.",
                 kIntake),
      Source::kReferralQuality, [](const PeriodAnswers& a) {
        const iv1::ReferralQualityPoint& total =
            a.referral_quality->all_agencies().total();
        return total.has_below_threshold_percent()
                   ? AsValue(total.below_threshold_percent())
                   : std::nullopt;
      });
  add(Definition("intake.duplicate_input_percent", "Duplicate input", kPercent,
                 kLower,
                 "Of the period's contacts with a child id, the share about a "
                 "child who already had open work when the contact came in, "
                 "percent to 1 dp; none without such contacts.",
                 kIntake),
      Source::kDuplicateInput, [](const PeriodAnswers& a) {
        const iv1::DuplicateInputPoint& total = a.duplicate_input->total();
        return total.has_percent() ? AsValue(total.percent()) : std::nullopt;
      });

  // --- KPI: the eight indicators ---
  for (const IndicatorRow& row : kIndicators) {
    const std::string id(row.id);
    add(Definition(absl::StrCat("kpi.", row.id), row.title, kPercent,
                   row.direction,
                   "The monthly numerators and denominators of the period's "
                   "months summed (a snapshot indicator counts a child once a "
                   "month), percent of the sums to 1 dp; none when the summed "
                   "denominator is 0.",
                   kKpi),
        Source::kIndicatorTrend,
        [id](const PeriodAnswers& a) { return PooledIndicator(a, id); });
  }
  // --- KPI: case status at the period's end ---
  add(Definition("kpi.open_cases", "Open cases", kCount, kNeutral,
                 "Open cases at the last day of the period's last month "
                 "(Early Help, CIN, CP and CIC; each child once, at its "
                 "highest level).",
                 kKpi),
      Source::kCaseStatus, [](const PeriodAnswers& a) {
        return Count(a.case_status->open_cases().total());
      });
  add(Definition("kpi.children_in_care_per_10k",
                 "Children in care per 10,000 children", kPer10k, kNeutral,
                 "Children in care at the last day of the period's last month "
                 "per 10,000 children aged 0-17; none without a population.",
                 kKpi),
      Source::kCaseStatus, [](const PeriodAnswers& a) {
        const kv1::Rate& rate = a.case_status->children_in_care();
        return rate.has_per_10k() ? Count(rate.per_10k()) : std::nullopt;
      });
  add(Definition("kpi.child_protection_per_10k",
                 "Children on child protection plans per 10,000 children",
                 kPer10k, kNeutral,
                 "Children on CP plans at the last day of the period's last "
                 "month per 10,000 children aged 0-17; none without a "
                 "population.",
                 kKpi),
      Source::kCaseStatus, [](const PeriodAnswers& a) {
        const kv1::Rate& rate = a.case_status->child_protection();
        return rate.has_per_10k() ? Count(rate.per_10k()) : std::nullopt;
      });
  // --- KPI: practice insight ---
  add(Definition("kpi.visits_face_to_face_percent",
                 "Statutory visits face to face", kPercent, kHigher,
                 "Of the period's CP, CIC and CIN visits with a visit mode "
                 "recorded, the share face to face (all three kinds pooled), "
                 "percent to 1 dp; none without a recorded mode.",
                 kKpi),
      Source::kVisitQuality, [](const PeriodAnswers& a) {
        int64_t face_to_face = 0;
        int64_t recorded = 0;
        for (const kv1::VisitQuality& kind : a.visit_quality->totals()) {
          face_to_face += kind.face_to_face();
          recorded += kind.mode_recorded();
        }
        return Percent1dp(face_to_face, recorded);
      });
  add(Definition("kpi.visits_seen_alone_percent",
                 "Statutory visits with the child seen alone", kPercent,
                 kHigher,
                 "Of the period's CP, CIC and CIN visits with seen-alone "
                 "recorded, the share where the child was seen alone (all "
                 "three kinds pooled), percent to 1 dp; none without a record.",
                 kKpi),
      Source::kVisitQuality, [](const PeriodAnswers& a) {
        int64_t alone = 0;
        int64_t recorded = 0;
        for (const kv1::VisitQuality& kind : a.visit_quality->totals()) {
          alone += kind.seen_alone();
          recorded += kind.seen_alone_recorded();
        }
        return Percent1dp(alone, recorded);
      });
  add(Definition("kpi.step_downs", "Step downs", kCount, kNeutral,
                 "Moves to a lower level of service other than none (e.g. CP "
                 "to CIN, CIN to Early Help) in the period's months, summed.",
                 kKpi),
      Source::kServiceFlows, [](const PeriodAnswers& a) {
        int64_t moves = 0;
        for (const kv1::ServiceFlowMonth& m : a.service_flows->months()) {
          if (InSpan(m.month(), a.span)) moves += m.step_downs();
        }
        return Count(moves);
      });
  add(Definition("kpi.step_ups", "Step ups", kCount, kNeutral,
                 "Moves to a higher level of service from a level other than "
                 "none in the period's months, summed.",
                 kKpi),
      Source::kServiceFlows, [](const PeriodAnswers& a) {
        int64_t moves = 0;
        for (const kv1::ServiceFlowMonth& m : a.service_flows->months()) {
          if (InSpan(m.month(), a.span)) moves += m.step_ups();
        }
        return Count(moves);
      });
  add(Definition("kpi.closures", "Cases closed", kCount, kNeutral,
                 "Referrals closed (CASE_CLOSED, every reason) in the "
                 "period's months, summed.",
                 kKpi),
      Source::kServiceFlows, [](const PeriodAnswers& a) {
        int64_t closures = 0;
        for (const kv1::ServiceFlowMonth& m : a.service_flows->months()) {
          if (InSpan(m.month(), a.span)) closures += m.closures_total();
        }
        return Count(closures);
      });

  // --- workforce: at the period's last month end ---
  const std::string at_end =
      " at the last day of the period's last month (the workforce trend's "
      "point for that month)";
  add(Definition("workforce.fte_in_post", "FTE in post", kNumber, kNeutral,
                 absl::StrCat("Total FTE in post", at_end, "."), kWorkforce),
      Source::kWorkforceTrend,
      WorkforceValue([](const wv1::WorkforceTrendPoint& p) {
        return AsValue(p.fte_in_post());
      }));
  add(Definition("workforce.agency_fte", "Agency FTE", kNumber, kLower,
                 absl::StrCat("Total agency FTE", at_end, "."), kWorkforce),
      Source::kWorkforceTrend,
      WorkforceValue([](const wv1::WorkforceTrendPoint& p) {
        return AsValue(p.agency_fte());
      }));
  add(Definition("workforce.vacancy_rate_percent", "Vacancy rate", kPercent,
                 kLower,
                 absl::StrCat("Total vacancy rate", at_end,
                              "; none without an establishment."),
                 kWorkforce),
      Source::kWorkforceTrend,
      WorkforceValue([](const wv1::WorkforceTrendPoint& p) {
        return p.has_vacancy_rate_percent() ? AsValue(p.vacancy_rate_percent())
                                            : std::nullopt;
      }));
  add(Definition("workforce.turnover_percent", "Staff turnover", kPercent,
                 kLower,
                 absl::StrCat("Turnover over the 12 months to the last day "
                              "of the period's last month",
                              "."),
                 kWorkforce),
      Source::kWorkforceTrend,
      WorkforceValue([](const wv1::WorkforceTrendPoint& p) {
        return p.has_turnover_percent() ? AsValue(p.turnover_percent())
                                        : std::nullopt;
      }));
  add(Definition("workforce.absence_days_per_fte", "Absence days per FTE",
                 kNumber, kLower,
                 "Days lost to absence per FTE over the 12 months to the last "
                 "day of the period's last month.",
                 kWorkforce),
      Source::kWorkforceTrend,
      WorkforceValue([](const wv1::WorkforceTrendPoint& p) {
        return p.has_absence_days_per_fte() ? AsValue(p.absence_days_per_fte())
                                            : std::nullopt;
      }));
  add(Definition("workforce.mean_caseload", "Caseload per social worker",
                 kNumber, kLower,
                 absl::StrCat("Mean caseload of qualified social workers",
                              at_end, "; none when caseloads are unavailable."),
                 kWorkforce),
      Source::kWorkforceTrend,
      WorkforceValue([](const wv1::WorkforceTrendPoint& p) {
        return p.has_mean_caseload() ? AsValue(p.mean_caseload())
                                     : std::nullopt;
      }));
  figures.back().missing_note = [](const PeriodAnswers& a) {
    return a.workforce_trend->caseloads_available()
               ? std::string()
               : std::string(
                     "caseloads unavailable (the workforce service could not "
                     "reach the KPI service)");
  };

  // --- quality assurance: the period's days ---
  const std::string days =
      "from the first day of the period's first month to the last day of its "
      "last month";
  add(Definition("qa.audits", "Audits", kCount, kNeutral,
                 absl::StrCat("Audits dated ", days, "."), kQa),
      Source::kQaFigures, [](const PeriodAnswers& a) {
        return Count(a.qa_figures->audits().audits());
      });
  add(Definition("qa.good_or_better_percent", "Audits good or better", kPercent,
                 kHigher,
                 absl::StrCat("Of the audits dated ", days,
                              ", the share graded outstanding or good, "
                              "percent to 1 dp; none without audits."),
                 kQa),
      Source::kQaFigures, [](const PeriodAnswers& a) {
        const qv1::AuditFigures& audits = a.qa_figures->audits();
        return audits.has_good_or_better_percent()
                   ? AsValue(audits.good_or_better_percent())
                   : std::nullopt;
      });
  add(Definition("qa.moderation_agreement_percent", "Moderation agreement",
                 kPercent, kHigher,
                 absl::StrCat("Of the audits dated ", days,
                              " with a moderated grade, the share where the "
                              "moderator agreed, percent to 1 dp; none "
                              "without moderation."),
                 kQa),
      Source::kQaFigures, [](const PeriodAnswers& a) {
        const qv1::ModerationFigures& moderation = a.qa_figures->moderation();
        return moderation.has_agreement_percent()
                   ? AsValue(moderation.agreement_percent())
                   : std::nullopt;
      });
  add(Definition("qa.feedback_mean_rating", "Feedback mean rating", kNumber,
                 kHigher,
                 absl::StrCat("The mean rating (1-5, 2 dp) of all feedback "
                              "received ",
                              days, "; none without feedback."),
                 kQa),
      Source::kQaFigures, [](const PeriodAnswers& a) {
        const qv1::FeedbackFigures* total = FeedbackTotal(*a.qa_figures);
        return total != nullptr && total->has_mean_rating()
                   ? AsValue(total->mean_rating())
                   : std::nullopt;
      });
  add(Definition("qa.actions_on_time_percent", "Actions completed on time",
                 kPercent, kHigher,
                 absl::StrCat("Of the actions completed ", days,
                              ", the share completed by their due date, "
                              "percent to 1 dp; none without completions."),
                 kQa),
      Source::kQaFigures, [](const PeriodAnswers& a) {
        const qv1::ActionFigures& actions = a.qa_figures->actions();
        return actions.has_on_time_percent()
                   ? AsValue(actions.on_time_percent())
                   : std::nullopt;
      });
  return figures;
}

const std::vector<Figure>& Figures() {
  static const auto* const figures = new std::vector<Figure>(BuildFigures());
  return *figures;
}

const Figure* FindFigure(absl::string_view id) {
  static const auto* const by_id = [] {
    auto* index = new absl::flat_hash_map<std::string, const Figure*>();
    for (const Figure& figure : Figures()) {
      index->emplace(figure.definition.id(), &figure);
    }
    return index;
  }();
  auto it = by_id->find(id);
  return it == by_id->end() ? nullptr : it->second;
}

// --- comparing ---------------------------------------------------------------

absl::Status CheckSpan(MonthSpan span, absl::string_view field) {
  if (span.from > span.to) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".from: after ", field, ".to"));
  }
  if (span.to - span.from + 1 > kMaxPeriodMonths) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": longer than ", kMaxPeriodMonths, " months (",
        FormatIsoMonth(span.from), " to ", FormatIsoMonth(span.to), ")"));
  }
  return absl::OkStatus();
}

gv1::MonthPeriod ToPeriod(MonthSpan span) {
  gv1::MonthPeriod period;
  *period.mutable_from() = ToProtoMonth(span.from);
  *period.mutable_to() = ToProtoMonth(span.to);
  return period;
}

double RoundTo(double value, double scale) {
  return std::round(value * scale) / scale;
}

// Why a backend's value is missing in a period: "" when it answered.
std::string FailureNote(ReportBackend backend, const absl::Status& status) {
  if (status.ok()) return "";
  return absl::StrCat(BackendTitle(backend), " unavailable (",
                      absl::StatusCodeToString(status.code()), ")");
}

// The note of one figure from both periods' answers.
std::string NoteFor(const Figure& figure, bool deployed,
                    const PeriodAnswers& before, const PeriodAnswers& after) {
  const ReportBackend backend = BackendOf(figure.source);
  if (!deployed) {
    return absl::StrCat("no ", BackendTitle(backend), " is deployed");
  }
  const absl::Status before_status = StatusOf(before, figure.source);
  const absl::Status after_status = StatusOf(after, figure.source);
  const std::string before_note = FailureNote(backend, before_status);
  const std::string after_note = FailureNote(backend, after_status);
  if (!before_note.empty() && before_note == after_note) return before_note;
  std::vector<std::string> notes;
  if (!before_note.empty())
    notes.push_back(absl::StrCat("before: ", before_note));
  if (!after_note.empty()) notes.push_back(absl::StrCat("after: ", after_note));
  if (figure.missing_note) {
    const std::string missing_before =
        before_status.ok() ? figure.missing_note(before) : "";
    const std::string missing_after =
        after_status.ok() ? figure.missing_note(after) : "";
    if (!missing_before.empty() && missing_before == missing_after) {
      notes.push_back(missing_before);
    } else {
      if (!missing_before.empty()) {
        notes.push_back(absl::StrCat("before: ", missing_before));
      }
      if (!missing_after.empty()) {
        notes.push_back(absl::StrCat("after: ", missing_after));
      }
    }
  }
  std::string note;
  for (const std::string& n : notes) {
    absl::StrAppend(&note, note.empty() ? "" : "; ", n);
  }
  return note;
}

gv1::ChangeVerdict VerdictFor(gv1::FigureDirection direction,
                              const gv1::FigureChange& change) {
  if (!change.has_absolute_change() ||
      (direction != gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER &&
       direction != gv1::FIGURE_DIRECTION_LOWER_IS_BETTER)) {
    return gv1::CHANGE_VERDICT_NOT_JUDGED;
  }
  if (change.absolute_change() == 0) return gv1::CHANGE_VERDICT_SAME;
  const bool up = change.absolute_change() > 0;
  const bool higher_is_better =
      direction == gv1::FIGURE_DIRECTION_HIGHER_IS_BETTER;
  return up == higher_is_better ? gv1::CHANGE_VERDICT_BETTER
                                : gv1::CHANGE_VERDICT_WORSE;
}

}  // namespace

FigureComparer::FigureComparer(ReportSources* sources) : sources_(sources) {}

std::vector<gv1::FigureDefinition> FigureComparer::Catalogue() {
  std::vector<gv1::FigureDefinition> definitions;
  for (const Figure& figure : Figures()) {
    definitions.push_back(figure.definition);
  }
  return definitions;
}

absl::StatusOr<gv1::FigureComparison> FigureComparer::Compare(
    const CallerIdentity& caller, const std::vector<std::string>& figure_ids,
    MonthSpan before, MonthSpan after, absl::Time deadline) const {
  if (absl::Status s = CheckSpan(before, "before"); !s.ok()) return s;
  if (absl::Status s = CheckSpan(after, "after"); !s.ok()) return s;
  std::vector<const Figure*> asked;
  if (figure_ids.empty()) {
    for (const Figure& figure : Figures()) asked.push_back(&figure);
  } else {
    for (size_t i = 0; i < figure_ids.size(); ++i) {
      const Figure* figure = FindFigure(figure_ids[i]);
      if (figure == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("figure_ids[", i, "]: unknown figure \"",
                         absl::CHexEscape(figure_ids[i].substr(0, 100)), "\""));
      }
      asked.push_back(figure);
    }
  }

  // Each source the figures need, for each period, on its own thread; every
  // call ends by the deadline.
  std::set<Source> needed;
  for (const Figure* figure : asked) needed.insert(figure->source);
  std::set<Source> fetched;
  for (Source source : needed) {
    if (sources_->Deployed(BackendOf(source))) fetched.insert(source);
  }
  PeriodAnswers answers[2];
  answers[0].span = before;
  answers[1].span = after;
  {
    std::vector<std::thread> threads;
    for (PeriodAnswers& period : answers) {
      for (Source source : fetched) {
        threads.emplace_back([this, &caller, source, deadline, &period] {
          Fetch(sources_, caller, source, deadline, &period);
        });
      }
    }
    for (std::thread& thread : threads) thread.join();
  }

  gv1::FigureComparison comparison;
  *comparison.mutable_before() = ToPeriod(before);
  *comparison.mutable_after() = ToPeriod(after);
  for (const Figure* figure : asked) {
    gv1::FigureChange* change = comparison.add_changes();
    *change->mutable_figure() = figure->definition;
    const bool deployed = fetched.count(figure->source) > 0;
    std::optional<double> values[2];
    if (deployed) {
      for (int p = 0; p < 2; ++p) {
        if (StatusOf(answers[p], figure->source).ok()) {
          values[p] = figure->value(answers[p]);
        }
      }
    }
    if (values[0].has_value()) change->set_before(*values[0]);
    if (values[1].has_value()) change->set_after(*values[1]);
    if (values[0].has_value() && values[1].has_value()) {
      // Values carry at most 2 dp: the difference to 2 dp drops binary
      // noise (50.0 - 33.3 is 16.7, not 16.700000000000003).
      change->set_absolute_change(RoundTo(*values[1] - *values[0], 100));
      if (*values[0] != 0) {
        change->set_relative_change_percent(
            RoundTo((*values[1] - *values[0]) * 100 / *values[0], 10));
      }
    }
    change->set_verdict(VerdictFor(figure->definition.direction(), *change));
    change->set_note(NoteFor(*figure, deployed, answers[0], answers[1]));
  }
  return comparison;
}

}  // namespace sgm::gateway
