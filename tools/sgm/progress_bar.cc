#include "tools/sgm/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sgm::cli {
namespace {

constexpr int kBarWidth = 20;
constexpr size_t kMaxLabelChars = 32;

}  // namespace

std::string WithThousands(int64_t n) {
  const bool negative = n < 0;
  // Unsigned, so that the lowest int64_t has a magnitude.
  uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(n) + 1 : static_cast<uint64_t>(n);
  std::string digits = absl::StrCat(magnitude);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3 + 1);
  if (negative) out.push_back('-');
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string HumanBytes(int64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

std::string ClockDuration(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  const int64_t total = absl::ToInt64Seconds(d);
  const int64_t hours = total / 3600;
  const int64_t minutes = (total / 60) % 60;
  const int64_t seconds = total % 60;
  if (hours > 0)
    return absl::StrFormat("%d:%02d:%02d", hours, minutes, seconds);
  return absl::StrFormat("%d:%02d", minutes, seconds);
}

ProgressBar::ProgressBar(std::string label, int64_t total_bytes,
                         absl::Time start, Options options)
    : label_(std::move(label)),
      total_bytes_(std::max<int64_t>(0, total_bytes)),
      start_(start),
      options_(options) {
  if (options_.out == nullptr) options_.out = &std::cerr;
  if (label_.size() > kMaxLabelChars) {
    label_ =
        absl::StrCat("...", label_.substr(label_.size() - kMaxLabelChars + 3));
  }
}

std::unique_ptr<ProgressBar> ProgressBar::ForStderr(std::string label,
                                                    int64_t total_bytes,
                                                    absl::Time start) {
  Options options;
  options.enabled = isatty(STDERR_FILENO) == 1;
  options.out = &std::cerr;
  return std::make_unique<ProgressBar>(std::move(label), total_bytes, start,
                                       options);
}

void ProgressBar::Update(int64_t bytes_done, int64_t records_done,
                         absl::Time now) {
  if (finished_) return;
  bytes_done_ = bytes_done;
  records_done_ = records_done;
  if (!options_.enabled) return;
  if (drawn_ && now - last_draw_ < options_.min_redraw_interval) return;
  Draw(now);
}

void ProgressBar::Finish(absl::Time now) {
  if (finished_) return;
  finished_ = true;
  if (!options_.enabled) return;
  Draw(now);
  *options_.out << '\n';
  options_.out->flush();
}

void ProgressBar::Draw(absl::Time now) {
  // Back to the start of the line, the line, then erase what is left of a
  // longer previous one.
  *options_.out << '\r' << Render(now) << "\x1b[K";
  options_.out->flush();
  drawn_ = true;
  last_draw_ = now;
}

std::string ProgressBar::Render(absl::Time now) const {
  std::string line = label_;
  if (total_bytes_ > 0) {
    const int64_t done = std::min(bytes_done_, total_bytes_);
    const int filled = static_cast<int>(done * kBarWidth / total_bytes_);
    const int percent = static_cast<int>(done * 100 / total_bytes_);
    absl::StrAppend(&line, " [", std::string(filled, '#'),
                    std::string(kBarWidth - filled, '.'), "] ",
                    absl::StrFormat("%3d%%", percent));
  }
  absl::StrAppend(&line, "  ", HumanBytes(bytes_done_));
  if (total_bytes_ > 0) absl::StrAppend(&line, " / ", HumanBytes(total_bytes_));
  absl::StrAppend(&line, "  ", WithThousands(records_done_),
                  records_done_ == 1 ? " record" : " records");
  const absl::Duration elapsed = now - start_;
  const double seconds = absl::ToDoubleSeconds(elapsed);
  double rate = 0;
  if (seconds > 0 && bytes_done_ > 0) {
    rate = static_cast<double>(bytes_done_) / seconds;
    absl::StrAppend(&line, "  ", HumanBytes(static_cast<int64_t>(rate)), "/s");
  }
  if (finished_) {
    absl::StrAppend(&line, "  done in ", ClockDuration(elapsed));
  } else if (total_bytes_ > 0 && rate > 0 && bytes_done_ < total_bytes_) {
    const double left = static_cast<double>(total_bytes_ - bytes_done_) / rate;
    absl::StrAppend(&line, "  ETA ", ClockDuration(absl::Seconds(left)));
  }
  return line;
}

}  // namespace sgm::cli
