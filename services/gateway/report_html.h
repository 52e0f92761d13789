// The monthly practice report as HTML: headings and tables in the shape of
// the source reports, and a <canvas> for each chart (trend lines, breakdown
// bars, indicator-against-comparator bars; in practice insight the
// abuse-category funnel as grouped bars by stage, visits face to face as
// lines, step downs, step ups and closures as bars) with its data beside it
// in a <script type="application/json" class="sgm-chart-data"> block. The
// charts are drawn by report_charts.js (window.SgmReportCharts.drawAll(root))
// with Chart.js; without scripts the tables still carry every figure, so the
// page prints and reads without them. Pure: no gRPC, no I/O.
#ifndef SGM_SERVICES_GATEWAY_REPORT_HTML_H_
#define SGM_SERVICES_GATEWAY_REPORT_HTML_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "sgm/gateway/v1/gateway.pb.h"

namespace sgm::gateway {

// The path of one value in a PracticeReport as suppressed_fields names it:
// proto field names from the report down, list indices in brackets, e.g.
// ReportPath().Field("front_door").Field("figures").Field("by_source").At(2)
//     .Field("count").text() == "front_door.figures.by_source[2].count".
class ReportPath {
 public:
  ReportPath() = default;
  ReportPath Field(absl::string_view name) const;
  ReportPath At(int index) const;
  const std::string& text() const { return text_; }

 private:
  explicit ReportPath(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// The report as one <section class="sgm-report"> element, for the
// dashboard to place in its page. Every text from the data is escaped.
std::string RenderReportHtmlFragment(
    const sgm::gateway::v1::PracticeReport& report);

// A standalone, printable HTML document: the fragment with report.css,
// Chart.js and report_charts.js inlined from the embedded web assets, so it
// opens from a file with no network.
std::string RenderReportHtmlDocument(
    const sgm::gateway::v1::PracticeReport& report);

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_REPORT_HTML_H_
