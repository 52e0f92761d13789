// Pure: one record of the staff, absences or establishment feed -> a
// validated domain value, or the field at fault and why (DESIGN section 5).
#ifndef SGM_SERVICES_WORKFORCE_WORKFORCE_FEED_PARSER_H_
#define SGM_SERVICES_WORKFORCE_WORKFORCE_FEED_PARSER_H_

#include <optional>
#include <variant>

#include "absl/time/civil_time.h"
#include "common/feed_field_rules.h"
#include "common/feed_reader.h"
#include "services/workforce/staff.h"

namespace sgm::workforce {

// staff_id,role,qualified,service_area,team,employment,fte,start_date,
// end_date,annual_cost; required staff_id, role, service_area, employment,
// fte, start_date. qualified Y/N (default N); fte > 0 and <= 1.5 with at
// most 3 decimals; annual_cost in pounds with at most 2 decimals, >= 0
// (default 0); end_date on or after start_date.
const FeedSchema& StaffFeedSchema();
// staff_id,reason,start_date,end_date,days_lost; required staff_id, reason,
// start_date, days_lost. end_date empty: ongoing; days_lost >= 0 and not
// more than the calendar days of the episode (when it has ended).
const FeedSchema& AbsenceFeedSchema();
// service_area,team,role,fte,effective_from; required service_area, role,
// fte. fte >= 0 with at most 3 decimals (effective_from is this system's
// addition to the DESIGN columns, optional).
const FeedSchema& EstablishmentFeedSchema();

// `today` is the authority's local date. A staff start_date or end_date and
// an establishment effective_from may be at most a year ahead (a planned
// starter, the end of a fixed-term contract, a funded change); absence dates
// at most a day ahead. days_lost: at most 2 decimals in the feed; an ongoing
// episode has lost no more days than the calendar days from its start to
// `today`. service_area and team: at most 100 characters of UTF-8, no
// control characters, no space at either end; role: 1-40 of A-Z 0-9 _;
// staff_id: 1-64 of letters, digits, - _ . /; annual_cost at most
// 10,000,000 pounds; an establishment fte at most 10,000.
std::variant<StaffMember, RecordError> ParseStaffRecord(
    const FeedRecord& record, absl::CivilDay today);
std::variant<AbsenceEpisode, RecordError> ParseAbsenceRecord(
    const FeedRecord& record, absl::CivilDay today);
std::variant<EstablishmentRow, RecordError> ParseEstablishmentRecord(
    const FeedRecord& record, absl::CivilDay today);

// The rules alone, for values that came another way (the RPCs).
std::optional<RecordError> ValidateStaff(const StaffMember& staff,
                                         absl::CivilDay today);
std::optional<RecordError> ValidateAbsence(const AbsenceEpisode& absence,
                                           absl::CivilDay today);
std::optional<RecordError> ValidateEstablishment(const EstablishmentRow& row,
                                                 absl::CivilDay today);

}  // namespace sgm::workforce

#endif  // SGM_SERVICES_WORKFORCE_WORKFORCE_FEED_PARSER_H_
