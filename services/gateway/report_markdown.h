// The practice report as Markdown, in the shape of the source reports
// ("Monitoring Safeguarding Practice", DESIGN intro): front door,
// performance indicators beside their comparators, case status and rates,
// lines of sight on risk (watchlists), quality assurance and workforce,
// then practice insight (referral quality, duplicate input, the
// abuse-category funnel, visit quality, service-level flows) and what
// changed between two periods. A section that could not be filled is one
// plainly marked line. Pure.
#ifndef SGM_SERVICES_GATEWAY_REPORT_MARKDOWN_H_
#define SGM_SERVICES_GATEWAY_REPORT_MARKDOWN_H_

#include <string>

#include "sgm/gateway/v1/gateway.pb.h"

namespace sgm::gateway {

// GitHub-flavoured Markdown (pipe tables). Figures a service could not
// compute (e.g. a percent without a denominator) show an en dash; values
// withheld in an outward-facing deployment (the report's suppressed_fields)
// show as "<5". Ends with a newline.
std::string RenderPracticeReportMarkdown(
    const sgm::gateway::v1::PracticeReport& report);

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_REPORT_MARKDOWN_H_
