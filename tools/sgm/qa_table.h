// The QA service's answers for people: the quality-assurance figures of a
// period (audits and grades, moderation, domains, feedback, actions,
// re-audits) and the themes, as text.
#ifndef SGM_TOOLS_SGM_QA_TABLE_H_
#define SGM_TOOLS_SGM_QA_TABLE_H_

#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "sgm/qa/v1/qa.pb.h"

namespace sgm::cli {

// The period and its filters; the audits by grade (all, then per type, per
// team and per theme); moderation; the domains most often graded requires
// improvement or worse; feedback per source with the total; the actions at
// the period's end; re-audits; the themes overlapping the period. A figure
// the service could not compute (no denominator) shows an en dash; a
// section without data says so. Ends with a newline.
std::string RenderQaFiguresTable(const sgm::qa::v1::QaFigures& figures);

// One row per theme: id, name, first and last day (left aligned); then
// how many. Ends with a newline.
std::string RenderThemesTable(
    const google::protobuf::RepeatedPtrField<sgm::qa::v1::Theme>& themes);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_QA_TABLE_H_
