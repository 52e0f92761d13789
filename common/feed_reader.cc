#include "common/feed_reader.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/utf8.h"
#include "nlohmann/json.hpp"

namespace sgm {
namespace {

// A record longer than this is rejected (and not held in memory).
constexpr size_t kMaxRecordBytes = size_t{1} << 20;
constexpr absl::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kNone = absl::string_view::npos;

// `text` made safe to quote in a message: invalid bytes and control
// characters become '?', and it is cut to 64 bytes (on a character
// boundary).
std::string Echo(absl::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && out.size() < 64) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (i + len <= text.size() &&
        FindInvalidUtf8(text.substr(i, len)) == kNone) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out += '?';
      ++i;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

int64_t CountNewlines(const char* p, size_t n) {
  int64_t count = 0;
  const char* end = p + n;
  while (p < end) {
    const void* nl = std::memchr(p, '\n', end - p);
    if (nl == nullptr) break;
    ++count;
    p = static_cast<const char*>(nl) + 1;
  }
  return count;
}

enum class CsvFault { kNone, kUnclosed, kAfterClosingQuote, kStrayQuote };

// Why a record cannot be split; `who` names the field, e.g. "'summary'".
std::string CsvFaultReason(CsvFault fault, absl::string_view who) {
  switch (fault) {
    case CsvFault::kUnclosed:
      return absl::StrCat(who,
                          " has a quoted value that is never closed: the "
                          "file ends inside it");
    case CsvFault::kAfterClosingQuote:
      return absl::StrCat(
          who,
          " has characters after the closing quote of its value; inside a "
          "quoted value write a quote as two quotes (\"\")");
    case CsvFault::kStrayQuote:
      return absl::StrCat(
          who,
          " has a quote inside a value that does not start with one; put "
          "the value in quotes and write each quote inside it as two "
          "quotes (\"\")");
    case CsvFault::kNone:
      break;
  }
  return "";
}

// Splits `text` (a CSV record without its line end) into fields, calling
// emit(index, value) for each. Values with doubled quotes are unescaped into
// `scratch`. Returns the number of fields, or -1 with `*fault` and
// `*fault_index` set.
template <typename Emit>
int SplitCsv(absl::string_view text, std::string* scratch, CsvFault* fault,
             int* fault_index, Emit&& emit) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool any_quote = std::memchr(p, '"', text.size()) != nullptr;
  int index = 0;
  while (true) {
    if (any_quote && p < end && *p == '"') {
      ++p;
      const char* segment = p;
      bool unescaped = false;
      while (true) {
        const auto* q = static_cast<const char*>(std::memchr(p, '"', end - p));
        if (q == nullptr) {
          *fault = CsvFault::kUnclosed;
          *fault_index = index;
          return -1;
        }
        if (q + 1 < end && q[1] == '"') {
          if (!unescaped) scratch->clear();
          unescaped = true;
          scratch->append(segment, q + 1 - segment);
          p = q + 2;
          segment = p;
          continue;
        }
        absl::string_view value;
        if (unescaped) {
          scratch->append(segment, q - segment);
          value = *scratch;
        } else {
          value = absl::string_view(segment, q - segment);
        }
        p = q + 1;
        if (p < end && *p != ',') {
          *fault = CsvFault::kAfterClosingQuote;
          *fault_index = index;
          return -1;
        }
        emit(index, value);
        break;
      }
    } else {
      const auto* comma =
          static_cast<const char*>(std::memchr(p, ',', end - p));
      const char* field_end = comma == nullptr ? end : comma;
      const absl::string_view value(p, field_end - p);
      if (any_quote && value.find('"') != absl::string_view::npos) {
        *fault = CsvFault::kStrayQuote;
        *fault_index = index;
        return -1;
      }
      emit(index, value);
      p = field_end;
    }
    ++index;
    if (p == end) return index;
    ++p;  // the comma
  }
}

absl::string_view StripCr(absl::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

const char* JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "true or false";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

}  // namespace

FeedReader::FeedReader(FeedFormat format, FeedSchema schema)
    : format_(format), schema_(std::move(schema)) {
  for (const std::string& name : schema_.required) {
    const int index = ColumnIndex(name);
    if (index >= 0) required_.push_back(index);
  }
}

int FeedReader::ColumnIndex(absl::string_view name) const {
  for (size_t i = 0; i < schema_.columns.size(); ++i) {
    if (schema_.columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

void FeedReader::Fail(std::string message) {
  failed_ = true;
  failure_ = absl::InvalidArgumentError(std::move(message));
  std::string().swap(pending_);
}

absl::Status FeedReader::Feed(absl::string_view bytes,
                              std::vector<FeedRecord>* records,
                              std::vector<FeedError>* errors) {
  if (failed_) return failure_;
  // A UTF-8 BOM at the very start of the file is dropped, even when it
  // arrives split over several pieces.
  while (!bom_done_ && !bytes.empty()) {
    if (bytes.front() == kBom[bom_matched_]) {
      bytes.remove_prefix(1);
      if (++bom_matched_ == static_cast<int>(kBom.size())) bom_done_ = true;
    } else {
      bom_done_ = true;
      // The bytes that looked like the start of a BOM were data.
      FeedData(kBom.substr(0, bom_matched_), records, errors);
    }
  }
  FeedData(bytes, records, errors);
  return failed_ ? failure_ : absl::OkStatus();
}

absl::Status FeedReader::Finish(std::vector<FeedRecord>* records,
                                std::vector<FeedError>* errors) {
  if (failed_) return failure_;
  if (!bom_done_) {
    bom_done_ = true;
    FeedData(kBom.substr(0, bom_matched_), records, errors);
  }
  if (!failed_ && in_record_) {
    if (oversized_) {
      errors->push_back({next_line_, "",
                         absl::StrCat("the record is longer than ",
                                      kMaxRecordBytes, " bytes")});
    } else {
      HandleRecord(pending_, records, errors);
    }
    next_line_ += record_newlines_;
    in_record_ = false;
    oversized_ = false;
    scan_state_ = ScanState::kFieldStart;
    record_newlines_ = 0;
    std::string().swap(pending_);
  }
  if (!failed_ && format_ == FeedFormat::kCsv && !header_done_) {
    Fail(absl::StrCat("line ", next_line_,
                      ": the file has no header row; its first line must "
                      "name the columns, e.g. ",
                      absl::StrJoin(schema_.columns, ",")));
  }
  return failed_ ? failure_ : absl::OkStatus();
}

void FeedReader::AppendPending(absl::string_view bytes) {
  if (oversized_) return;
  if (pending_.size() + bytes.size() > kMaxRecordBytes) {
    oversized_ = true;
    std::string().swap(pending_);
    return;
  }
  pending_.append(bytes.data(), bytes.size());
}

size_t FeedReader::ScanCsv(absl::string_view data, size_t pos) {
  const char* const base = data.data();
  const size_t n = data.size();
  size_t line_end = kNone;  // the next '\n' at or after pos, n when none
  while (pos < n) {
    switch (scan_state_) {
      case ScanState::kQuoted: {
        const auto* q =
            static_cast<const char*>(std::memchr(base + pos, '"', n - pos));
        const size_t stop = q == nullptr ? n : static_cast<size_t>(q - base);
        record_newlines_ += CountNewlines(base + pos, stop - pos);
        if (q == nullptr) return kNone;
        scan_state_ = ScanState::kQuoteSeen;
        pos = stop + 1;
        break;
      }
      case ScanState::kQuoteSeen:
        if (base[pos] == '"') {  // a doubled quote: still quoted
          scan_state_ = ScanState::kQuoted;
          ++pos;
        } else {
          // The value is closed; what follows is read as unquoted (anything
          // but a comma or line end there is a fault found when splitting).
          scan_state_ = ScanState::kUnquoted;
        }
        break;
      case ScanState::kFieldStart:
      case ScanState::kUnquoted: {
        if (line_end == kNone || line_end < pos) {
          const void* nl = std::memchr(base + pos, '\n', n - pos);
          line_end =
              nl == nullptr
                  ? n
                  : static_cast<size_t>(static_cast<const char*>(nl) - base);
        }
        const auto* q = static_cast<const char*>(
            std::memchr(base + pos, '"', line_end - pos));
        if (q == nullptr) {
          if (line_end < n) return line_end;
          if (n > pos) {
            scan_state_ = base[n - 1] == ',' ? ScanState::kFieldStart
                                             : ScanState::kUnquoted;
          }
          return kNone;
        }
        const size_t at = static_cast<size_t>(q - base);
        const bool field_start = at == pos
                                     ? scan_state_ == ScanState::kFieldStart
                                     : base[at - 1] == ',';
        // A quote inside an unquoted value is data (and a fault found when
        // splitting); only one at the start of a field opens a quoted value.
        scan_state_ = field_start ? ScanState::kQuoted : ScanState::kUnquoted;
        pos = at + 1;
        break;
      }
    }
  }
  return kNone;
}

void FeedReader::FeedData(absl::string_view bytes,
                          std::vector<FeedRecord>* records,
                          std::vector<FeedError>* errors) {
  const bool csv = format_ == FeedFormat::kCsv;
  size_t pos = 0;
  while (pos < bytes.size() && !failed_) {
    const bool resumed = in_record_;
    if (!resumed) {
      scan_state_ = ScanState::kFieldStart;
      record_newlines_ = 0;
    }
    size_t end;
    if (csv) {
      end = ScanCsv(bytes, pos);
    } else {
      const void* nl =
          std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
      end = nl == nullptr ? kNone
                          : static_cast<size_t>(static_cast<const char*>(nl) -
                                                bytes.data());
    }
    if (end == kNone) {
      in_record_ = true;
      AppendPending(bytes.substr(pos));
      return;
    }
    const absl::string_view piece = bytes.substr(pos, end - pos);
    if (resumed) {
      AppendPending(piece);
    } else if (piece.size() > kMaxRecordBytes) {
      oversized_ = true;
    }
    if (oversized_) {
      errors->push_back({next_line_, "",
                         absl::StrCat("the record is longer than ",
                                      kMaxRecordBytes, " bytes")});
    } else {
      HandleRecord(resumed ? absl::string_view(pending_) : piece, records,
                   errors);
    }
    next_line_ += record_newlines_ + 1;
    pos = end + 1;
    if (resumed) {
      if (pending_.capacity() > (size_t{64} << 10)) {
        std::string().swap(pending_);
      } else {
        pending_.clear();
      }
    }
    in_record_ = false;
    oversized_ = false;
  }
}

void FeedReader::HandleRecord(absl::string_view text,
                              std::vector<FeedRecord>* records,
                              std::vector<FeedError>* errors) {
  text = StripCr(text);
  if (text.empty()) return;  // an empty line
  if (format_ == FeedFormat::kJsonLines) {
    HandleJsonRecord(text, records, errors);
  } else if (!header_done_) {
    HandleCsvHeader(text);
  } else {
    HandleCsvRecord(text, records, errors);
  }
}

void FeedReader::HandleCsvHeader(absl::string_view text) {
  const std::string at = absl::StrCat("line ", next_line_, ": ");
  std::vector<std::string> names;
  std::string scratch;
  CsvFault fault = CsvFault::kNone;
  int fault_index = -1;
  const int count = SplitCsv(
      text, &scratch, &fault, &fault_index,
      [&names](int, absl::string_view value) { names.emplace_back(value); });
  if (count < 0) {
    Fail(absl::StrCat(
        at, "the header row cannot be read: ",
        CsvFaultReason(fault, absl::StrCat("column ", fault_index + 1))));
    return;
  }
  const std::string expected = absl::StrJoin(schema_.columns, ", ");
  file_to_schema_.assign(names.size(), -1);
  std::vector<bool> seen(schema_.columns.size(), false);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (name.empty()) {
      Fail(absl::StrCat(at, "column ", i + 1,
                        " has no name; the header row must name every "
                        "column (",
                        expected, ")"));
      return;
    }
    const int index = ColumnIndex(name);
    if (index < 0) {
      Fail(absl::StrCat(at, "column '", Echo(name),
                        "': not a column of this feed; the columns are ",
                        expected));
      return;
    }
    if (seen[index]) {
      Fail(absl::StrCat(at, "column '", name,
                        "': appears more than once in the header row"));
      return;
    }
    seen[index] = true;
    file_to_schema_[i] = index;
  }
  for (const int index : required_) {
    if (!seen[index]) {
      Fail(absl::StrCat(at, "column '", schema_.columns[index],
                        "': required column missing from the header row"));
      return;
    }
  }
  header_done_ = true;
}

void FeedReader::HandleCsvRecord(absl::string_view text,
                                 std::vector<FeedRecord>* records,
                                 std::vector<FeedError>* errors) {
  const int columns = static_cast<int>(file_to_schema_.size());
  records->emplace_back();
  FeedRecord& record = records->back();
  record.line = next_line_;
  record.values.resize(schema_.columns.size());
  std::string scratch;
  CsvFault fault = CsvFault::kNone;
  int fault_index = -1;
  int bad_utf8 = -1;  // file column of the first value with bad UTF-8
  size_t bad_byte = 0;
  const int count = SplitCsv(text, &scratch, &fault, &fault_index,
                             [&](int index, absl::string_view value) {
                               if (index >= columns || value.empty()) return;
                               if (bad_utf8 < 0) {
                                 const size_t bad = FindInvalidUtf8(value);
                                 if (bad != kNone) {
                                   bad_utf8 = index;
                                   bad_byte = bad;
                                 }
                               }
                               record.values[file_to_schema_[index]].emplace(
                                   value.data(), value.size());
                             });
  FeedError error;
  if (count < 0) {
    if (fault_index < columns) {
      error.field = schema_.columns[file_to_schema_[fault_index]];
      error.reason = CsvFaultReason(fault, absl::StrCat("'", error.field, "'"));
    } else {
      error.reason =
          CsvFaultReason(fault, absl::StrCat("field ", fault_index + 1,
                                             " (beyond the header's columns)"));
    }
  } else if (count != columns) {
    error.reason =
        absl::StrCat("the record has ", count, " field", count == 1 ? "" : "s",
                     " but the header has ", columns, " columns");
  } else if (bad_utf8 >= 0) {
    error.field = schema_.columns[file_to_schema_[bad_utf8]];
    error.reason =
        absl::StrCat("'", error.field, "' is not valid UTF-8 (at byte ",
                     bad_byte + 1, " of the value)");
  } else {
    for (const int index : required_) {
      if (!record.values[index].has_value()) {
        error.field = schema_.columns[index];
        error.reason =
            absl::StrCat("'", error.field, "' is required but empty");
        break;
      }
    }
    if (error.field.empty()) return;  // a good record
  }
  error.line = next_line_;
  records->pop_back();
  errors->push_back(std::move(error));
}

void FeedReader::HandleJsonRecord(absl::string_view text,
                                  std::vector<FeedRecord>* records,
                                  std::vector<FeedError>* errors) {
  using nlohmann::json;
  FeedError error;
  error.line = next_line_;
  const size_t bad = FindInvalidUtf8(text);
  if (bad != kNone) {
    error.reason =
        absl::StrCat("the line is not valid UTF-8 (at byte ", bad + 1, ")");
    errors->push_back(std::move(error));
    return;
  }
  std::vector<std::string> keys;
  std::string duplicate;
  bool has_duplicate = false;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event,
                                         json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key && parsed.is_string()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      for (const std::string& seen : keys) {
        if (seen == key && !has_duplicate) {
          has_duplicate = true;
          duplicate = key;
        }
      }
      keys.push_back(key);
    }
    return true;
  };
  const json object = json::parse(text.begin(), text.end(), on_event,
                                  /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    error.reason =
        "the line is not valid JSON; each line must be one JSON object";
    errors->push_back(std::move(error));
    return;
  }
  if (!object.is_object()) {
    error.reason = absl::StrCat("the line is ", JsonTypeName(object),
                                ", not a JSON object");
    errors->push_back(std::move(error));
    return;
  }
  if (has_duplicate) {
    error.field = Echo(duplicate);
    error.reason = absl::StrCat("'", error.field,
                                "' appears more than once in the object");
    errors->push_back(std::move(error));
    return;
  }
  std::vector<std::optional<std::string>> values(schema_.columns.size());
  for (auto it = object.begin(); it != object.end(); ++it) {
    const int index = ColumnIndex(it.key());
    if (index < 0) {
      error.field = Echo(it.key());
      error.reason = absl::StrCat("'", error.field,
                                  "' is not a field of this feed; the fields "
                                  "are ",
                                  absl::StrJoin(schema_.columns, ", "));
      errors->push_back(std::move(error));
      return;
    }
    const json& value = it.value();
    std::optional<std::string>& out = values[index];
    switch (value.type()) {
      case json::value_t::null:
        break;
      case json::value_t::string: {
        const std::string& s = value.get_ref<const std::string&>();
        if (!s.empty()) out = s;
        break;
      }
      case json::value_t::boolean:
        out = value.get<bool>() ? "Y" : "N";
        break;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
      case json::value_t::number_float:
        out = value.dump();
        break;
      case json::value_t::array: {
        std::string joined;
        bool all_strings = true;
        for (const json& item : value) {
          if (!item.is_string()) {
            all_strings = false;
            break;
          }
          if (!joined.empty()) joined += ';';
          joined += item.get_ref<const std::string&>();
        }
        if (!all_strings) {
          error.field = it.key();
          error.reason = absl::StrCat(
              "'", error.field,
              "' is a list with an item that is not a string; a list may "
              "hold only strings");
          errors->push_back(std::move(error));
          return;
        }
        if (!joined.empty()) out = std::move(joined);
        break;
      }
      default:
        error.field = it.key();
        error.reason = absl::StrCat(
            "'", error.field, "' is ", JsonTypeName(value),
            "; it must be a string, number, true, false, null or a list of "
            "strings");
        errors->push_back(std::move(error));
        return;
    }
  }
  for (const int index : required_) {
    if (!values[index].has_value()) {
      error.field = schema_.columns[index];
      error.reason =
          absl::StrCat("'", error.field, "' is required but missing or empty");
      errors->push_back(std::move(error));
      return;
    }
  }
  records->push_back(FeedRecord{next_line_, std::move(values)});
}

}  // namespace sgm
