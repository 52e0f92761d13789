// A one-line progress bar for long uploads, drawn on stderr only when
// stderr is a terminal: bytes and records done, rate and time left. Time is
// passed in, so the rendering is testable.
#ifndef SGM_TOOLS_SGM_PROGRESS_BAR_H_
#define SGM_TOOLS_SGM_PROGRESS_BAR_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace sgm::cli {

class ProgressBar {
 public:
  struct Options {
    // Draw at all; ForStderr sets it from isatty(2).
    bool enabled = false;
    // Where to draw; std::cerr when null.
    std::ostream* out = nullptr;
    // Redraw at most this often (the last Update before Finish may be
    // skipped; Finish always draws).
    absl::Duration min_redraw_interval = absl::Milliseconds(100);
  };

  // `label` names what is done (e.g. the file name); `total_bytes` is 0
  // when unknown (then no bar, percentage or time left is shown).
  ProgressBar(std::string label, int64_t total_bytes, absl::Time start,
              Options options);
  // A bar on stderr, enabled only when stderr is a terminal.
  static std::unique_ptr<ProgressBar> ForStderr(std::string label,
                                                int64_t total_bytes,
                                                absl::Time start);

  // Records progress and redraws when enabled and due.
  void Update(int64_t bytes_done, int64_t records_done, absl::Time now);
  // Draws the final state and ends the line (once; later calls do nothing).
  void Finish(absl::Time now);

  // The line as it would be drawn at `now`, without control characters, e.g.
  // "contacts.csv [#####.....]  50%  1.0/2.0 MiB  8,402 records
  //  512.0 KiB/s  ETA 0:02".
  std::string Render(absl::Time now) const;

  bool enabled() const { return options_.enabled; }

 private:
  void Draw(absl::Time now);

  std::string label_;
  int64_t total_bytes_;
  absl::Time start_;
  Options options_;
  int64_t bytes_done_ = 0;
  int64_t records_done_ = 0;
  bool drawn_ = false;
  bool finished_ = false;
  absl::Time last_draw_;
};

// "1,234,567"
std::string WithThousands(int64_t n);
// "512 B", "1.5 KiB", "12.3 MiB", "1.1 GiB"
std::string HumanBytes(int64_t bytes);
// "0:07", "12:34", "1:02:03"
std::string ClockDuration(absl::Duration d);

}  // namespace sgm::cli

#endif  // SGM_TOOLS_SGM_PROGRESS_BAR_H_
