#include "common/feed_reader.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sgm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

FeedSchema CsvSchema() {
  return FeedSchema{{"id", "name", "when", "note"}, {"id", "when"}};
}

FeedSchema JsonSchema() {
  return FeedSchema{{"id", "when", "count", "flag", "list", "note"},
                    {"id", "when"}};
}

struct Result {
  absl::Status status;
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
};

// Feeds `input` cut at `cuts` (ascending offsets), then finishes. The first
// non-OK status is kept.
Result ReadCut(FeedFormat format, const FeedSchema& schema,
               absl::string_view input, const std::vector<size_t>& cuts) {
  FeedReader reader(format, schema);
  Result result;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (const size_t to : ends) {
    absl::Status status = reader.Feed(input.substr(from, to - from),
                                      &result.records, &result.errors);
    if (result.status.ok()) result.status = status;
    from = to;
  }
  absl::Status status = reader.Finish(&result.records, &result.errors);
  if (result.status.ok()) result.status = status;
  return result;
}

Result Read(FeedFormat format, const FeedSchema& schema,
            absl::string_view input) {
  return ReadCut(format, schema, input, {});
}

Result ReadCsv(absl::string_view input) {
  return Read(FeedFormat::kCsv, CsvSchema(), input);
}

Result ReadJson(absl::string_view input) {
  return Read(FeedFormat::kJsonLines, JsonSchema(), input);
}

// Everything a read produced, as text to compare.
std::string Dump(const Result& result) {
  std::string out = absl::StrCat("status: ", result.status.ToString(), "\n");
  for (const FeedRecord& record : result.records) {
    absl::StrAppend(&out, "record line ", record.line, ":");
    for (const std::optional<std::string>& value : record.values) {
      absl::StrAppend(&out, " [", value.has_value() ? *value : "<none>", "]");
    }
    out += "\n";
  }
  for (const FeedError& error : result.errors) {
    absl::StrAppend(&out, "error line ", error.line, " field '", error.field,
                    "': ", error.reason, "\n");
  }
  return out;
}

// --- CSV header -------------------------------------------------------------

TEST(FeedReaderCsvTest, ReadsRecordsByHeaderName) {
  Result r = ReadCsv("id,name,when,note\n1,Ann,2024-01-01,hello\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 2);
  EXPECT_THAT(
      r.records[0].values,
      ElementsAre(Optional(std::string("1")), Optional(std::string("Ann")),
                  Optional(std::string("2024-01-01")),
                  Optional(std::string("hello"))));
}

TEST(FeedReaderCsvTest, ColumnOrderIsFreeAndOptionalColumnsMayBeLeftOut) {
  Result r = ReadCsv("when,note,id\n2024-01-01,x,7\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_THAT(r.records[0].values,
              ElementsAre(Optional(std::string("7")), std::nullopt,
                          Optional(std::string("2024-01-01")),
                          Optional(std::string("x"))));
}

TEST(FeedReaderCsvTest, EmptyCellIsAbsent) {
  Result r = ReadCsv("id,name,when,note\n1,,2024-01-01,\n");
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].values[1], std::nullopt);
  EXPECT_EQ(r.records[0].values[3], std::nullopt);
}

TEST(FeedReaderCsvTest, UnknownColumnIsAFileError) {
  Result r = ReadCsv("id,when,colour\n1,2024-01-01,red\n");
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status.message(), HasSubstr("line 1: column 'colour'"));
  EXPECT_THAT(r.status.message(), HasSubstr("id, name, when, note"));
  EXPECT_THAT(r.records, IsEmpty());
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(FeedReaderCsvTest, MissingRequiredColumnIsAFileError) {
  Result r = ReadCsv("id,name\n1,Ann\n");
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status.message(), HasSubstr("line 1: column 'when'"));
  EXPECT_THAT(r.status.message(), HasSubstr("required"));
  EXPECT_THAT(r.records, IsEmpty());
}

TEST(FeedReaderCsvTest, RepeatedColumnIsAFileError) {
  Result r = ReadCsv("id,when,id\n");
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status.message(), HasSubstr("line 1: column 'id'"));
  EXPECT_THAT(r.status.message(), HasSubstr("more than once"));
}

TEST(FeedReaderCsvTest, HeaderNamesAreExact) {
  EXPECT_THAT(ReadCsv("id, when\n").status.message(),
              HasSubstr("column ' when'"));
  EXPECT_THAT(ReadCsv("ID,when\n").status.message(), HasSubstr("column 'ID'"));
  EXPECT_THAT(ReadCsv("id,,when\n").status.message(),
              HasSubstr("column 2 has no name"));
}

TEST(FeedReaderCsvTest, UnknownColumnWithBadBytesIsQuotedSafely) {
  Result r = ReadCsv("id,when,\xFF\x01x\n");
  EXPECT_THAT(r.status.message(), HasSubstr("column '??x'"));
}

TEST(FeedReaderCsvTest, QuotedHeaderNames) {
  Result r = ReadCsv("\"id\",\"when\"\n1,2\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.records, SizeIs(1));
}

TEST(FeedReaderCsvTest, NoHeaderIsAFileError) {
  EXPECT_EQ(ReadCsv("").status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ReadCsv("").status.message(), HasSubstr("no header row"));
  EXPECT_THAT(ReadCsv("\n\r\n").status.message(), HasSubstr("no header row"));
}

TEST(FeedReaderCsvTest, HeaderOnlyIsAnEmptyFeed) {
  Result r = ReadCsv("id,when\n");
  EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.records, IsEmpty());
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_TRUE(ReadCsv("id,when").status.ok());
}

TEST(FeedReaderCsvTest, NothingIsReadAfterAFileError) {
  FeedReader reader(FeedFormat::kCsv, CsvSchema());
  std::vector<FeedRecord> records;
  std::vector<FeedError> errors;
  EXPECT_FALSE(reader.Feed("id,bogus\n", &records, &errors).ok());
  absl::Status again = reader.Feed("1,2\n", &records, &errors);
  EXPECT_THAT(again.message(), HasSubstr("column 'bogus'"));
  EXPECT_FALSE(reader.Finish(&records, &errors).ok());
  EXPECT_THAT(records, IsEmpty());
  EXPECT_THAT(errors, IsEmpty());
}

TEST(FeedReaderCsvTest, ColumnIndex) {
  FeedReader reader(FeedFormat::kCsv, CsvSchema());
  EXPECT_EQ(reader.ColumnIndex("id"), 0);
  EXPECT_EQ(reader.ColumnIndex("note"), 3);
  EXPECT_EQ(reader.ColumnIndex("nope"), -1);
  EXPECT_EQ(reader.schema().columns.size(), 4u);
}

// --- CSV quoting and lines
// ----------------------------------------------------

TEST(FeedReaderCsvTest, QuotedFieldsAndLineNumbers) {
  Result r = ReadCsv(
      "id,name,when,note\n"                        // 1
      "1,\"Smith, Ann\",d1,\"said \"\"hi\"\"\"\n"  // 2
      "2,Bob,d2,\"two\nlines\"\n"                  // 3-4
      "3,\"\",d3,\"three\n\nlines\"\n"             // 5-7
      "4,Di,d4,\"\"\"\"\n"                         // 8
      "5,\"a,b,\"\"c\"\"\",d5,x\n");               // 9
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.records, SizeIs(5));
  EXPECT_EQ(r.records[0].line, 2);
  EXPECT_EQ(r.records[0].values[1], "Smith, Ann");
  EXPECT_EQ(r.records[0].values[3], "said \"hi\"");
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].values[3], "two\nlines");
  EXPECT_EQ(r.records[2].line, 5);
  EXPECT_EQ(r.records[2].values[1], std::nullopt);
  EXPECT_EQ(r.records[2].values[3], "three\n\nlines");
  EXPECT_EQ(r.records[3].line, 8);
  EXPECT_EQ(r.records[3].values[3], "\"");
  EXPECT_EQ(r.records[4].line, 9);
  EXPECT_EQ(r.records[4].values[1], "a,b,\"c\"");
}

TEST(FeedReaderCsvTest, CrLfLineEnds) {
  Result r = ReadCsv(
      "id,when,note\r\n"
      "1,d1,plain\r\n"
      "2,d2,\"in\r\nquotes\"\r\n"
      "3,d3,\"q\"\r\n"
      "4,d4,\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.records, SizeIs(4));
  EXPECT_EQ(r.records[0].values[3], "plain");
  EXPECT_EQ(r.records[1].values[3], "in\r\nquotes");
  EXPECT_EQ(r.records[2].line, 5);
  EXPECT_EQ(r.records[2].values[3], "q");
  EXPECT_EQ(r.records[3].values[3], std::nullopt);
}

TEST(FeedReaderCsvTest, ByteOrderMarkIsDropped) {
  Result r = ReadCsv("\xEF\xBB\xBFid,when\n1,d1\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].values[0], "1");
  // Only at the start of the file: elsewhere it is an ordinary character.
  Result later = ReadCsv(
      "id,when\n\xEF\xBB\xBF"
      "1,d1\n");
  ASSERT_THAT(later.records, SizeIs(1));
  EXPECT_EQ(later.records[0].values[0],
            "\xEF\xBB\xBF"
            "1");
}

TEST(FeedReaderCsvTest, PartOfABomIsData) {
  Result r = ReadCsv("\xEF\xBBid,when\n");
  EXPECT_THAT(r.status.message(), HasSubstr("column '??id'"));
}

TEST(FeedReaderCsvTest, EmptyLinesAreSkippedButCounted) {
  Result r = ReadCsv("\nid,when\n\n1,d1\n\r\n\n2,d2\n\n\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.records, SizeIs(2));
  EXPECT_EQ(r.records[0].line, 4);
  EXPECT_EQ(r.records[1].line, 7);
}

TEST(FeedReaderCsvTest, LastLineWithoutNewline) {
  Result r = ReadCsv("id,when\n1,d1\n2,d2");
  ASSERT_THAT(r.records, SizeIs(2));
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].values[2], "d2");
}

TEST(FeedReaderCsvTest, LineOfCommasIsARecordMissingItsRequiredValues) {
  Result r = ReadCsv("id,name,when,note\n,,,\n1,,d,\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].field, "id");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("required"));
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 3);
}

TEST(FeedReaderCsvTest, RequiredValueMissing) {
  Result r = ReadCsv("id,when,note\n1,,x\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].field, "when");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("'when' is required"));
  EXPECT_THAT(r.records, IsEmpty());
}

TEST(FeedReaderCsvTest, WrongNumberOfFields) {
  Result r = ReadCsv("id,when,note\n1,d1\n2,d2,x,y\n3,d3,z\n");
  ASSERT_THAT(r.errors, SizeIs(2));
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].field, "");
  EXPECT_EQ(r.errors[0].reason,
            "the record has 2 fields but the header has 3 columns");
  EXPECT_EQ(r.errors[1].line, 3);
  EXPECT_THAT(r.errors[1].reason, HasSubstr("has 4 fields"));
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 4);
  EXPECT_EQ(r.records[0].values[0], "3");
}

TEST(FeedReaderCsvTest, StrayQuoteInUnquotedFieldIsARecordError) {
  Result r = ReadCsv("id,name,when\n1,O\"Brien,d1\n2,ok,d2\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].field, "name");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("quote"));
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 3);
}

TEST(FeedReaderCsvTest, StrayQuoteDoesNotSwallowLaterLines) {
  // A quote that does not start a field opens nothing, even unbalanced.
  Result r = ReadCsv("id,name,when\n1,5\" tall,d1\n2,ok,d2\n3,ok,d3\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].line, 2);
  ASSERT_THAT(r.records, SizeIs(2));
  EXPECT_EQ(r.records[0].line, 3);
  EXPECT_EQ(r.records[1].line, 4);
}

TEST(FeedReaderCsvTest, TextAfterClosingQuoteIsARecordError) {
  Result r = ReadCsv("id,name,when\n1,\"Ann\"x,d1\n2,ok,d2\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].field, "name");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("after the closing quote"));
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 3);
}

TEST(FeedReaderCsvTest, QuoteOpenAtEndOfFileIsAnErrorForThatRecord) {
  Result r = ReadCsv("id,name,when\n1,ok,d1\n2,\"never closed,d2\n3,x,d3\n");
  EXPECT_TRUE(r.status.ok()) << r.status;
  ASSERT_THAT(r.records, SizeIs(1));
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].field, "name");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("never closed"));
}

TEST(FeedReaderCsvTest, QuoteProblemInAnExtraField) {
  Result r = ReadCsv("id,when\n1,d1,\"x\"y\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].field, "");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("field 3"));
}

// --- UTF-8
// --------------------------------------------------------------------

TEST(FeedReaderCsvTest, BadUtf8IsAnErrorForThatRecordAndField) {
  Result r = ReadCsv("id,name,when\n1,caf\xC3\x28,d1\n2,caf\xC3\xA9,d2\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].field, "name");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("not valid UTF-8"));
  EXPECT_THAT(r.errors[0].reason, HasSubstr("byte 4"));
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 3);
  EXPECT_EQ(r.records[0].values[1], "caf\xC3\xA9");
}

TEST(FeedReaderCsvTest, Utf8Validation) {
  const std::vector<std::string> good = {
      "\xC3\xA9",          // U+00E9
      "\xE2\x82\xAC",      // U+20AC
      "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
      "\xEE\x80\x80",      // U+E000, just above them
      "\xF0\x9F\x98\x80",  // U+1F600
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
      "abcdefghijklmnop\xC3\xA9qrstuvwxyz0123456789",
  };
  const std::vector<std::string> bad = {
      "\x80",              // lone continuation byte
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong
      "\xF0\x80\x80\xAF",  // overlong
      "\xED\xA0\x80",      // U+D800, a surrogate
      "\xED\xBF\xBF",      // U+DFFF
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xF5\x80\x80\x80",
      "\xFF",
      "\xE2\x82",   // cut short at the end
      "\xE2\x82z",  // cut short in the middle
      "abcdefghijklmnopqrstuvwxyz\xC3",
  };
  for (const std::string& value : good) {
    Result r = ReadCsv(absl::StrCat("id,name,when\n1,", value, ",d\n"));
    EXPECT_THAT(r.errors, IsEmpty()) << value;
    ASSERT_THAT(r.records, SizeIs(1));
    EXPECT_EQ(r.records[0].values[1], value);
  }
  for (const std::string& value : bad) {
    Result r = ReadCsv(absl::StrCat("id,name,when\n1,", value, ",d\n"));
    EXPECT_THAT(r.records, IsEmpty()) << value;
    ASSERT_THAT(r.errors, SizeIs(1)) << value;
    EXPECT_EQ(r.errors[0].field, "name");
  }
}

// --- Pieces of any size
// ---------------------------------------------------------

// A file with a bit of everything, including multibyte characters, CRLF,
// quoted newlines, empty lines and bad records.
constexpr absl::string_view kTrickyCsv =
    "\xEF\xBB\xBFnote,id,when\r\n"
    "\"multi\r\nline \"\"quoted\"\"\",1,d1\r\n"
    "\r\n"
    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80,2,d2\n"
    "bad\xC3,3,d3\n"
    "\n"
    "\"a,b\",4,\"d\n4\"\n"
    "x\"y,5,d5\n"
    ",6,\n"
    "too,many,fields,7\n"
    "\"\",8,d8\r\n"
    "last,9,d9";

TEST(FeedReaderSplitTest, TrickyFileReadsAsExpected) {
  Result r = Read(FeedFormat::kCsv, CsvSchema(), kTrickyCsv);
  EXPECT_EQ(Dump(r),
            "status: OK\n"
            "record line 2: [1] [<none>] [d1] [multi\r\nline \"quoted\"]\n"
            "record line 5: [2] [<none>] [d2] [caf\xC3\xA9 \xE2\x82\xAC "
            "\xF0\x9F\x98\x80]\n"
            "record line 8: [4] [<none>] [d\n4] [a,b]\n"
            "record line 13: [8] [<none>] [d8] [<none>]\n"
            "record line 14: [9] [<none>] [d9] [last]\n"
            "error line 6 field 'note': 'note' is not valid UTF-8 (at byte 4 "
            "of the value)\n"
            "error line 10 field 'note': 'note' has a quote inside a value "
            "that does not start with one; put the value in quotes and write "
            "each quote inside it as two quotes (\"\")\n"
            "error line 11 field 'when': 'when' is required but empty\n"
            "error line 12 field '': the record has 4 fields but the header "
            "has 3 columns\n");
}

TEST(FeedReaderSplitTest, OneByteAtATimeIsTheSameAsWhole) {
  for (const FeedFormat format : {FeedFormat::kCsv, FeedFormat::kJsonLines}) {
    const std::string whole = Dump(Read(format, CsvSchema(), kTrickyCsv));
    std::vector<size_t> cuts;
    for (size_t i = 1; i < kTrickyCsv.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(Dump(ReadCut(format, CsvSchema(), kTrickyCsv, cuts)), whole);
  }
}

TEST(FeedReaderSplitTest, EveryTwoWaySplitIsTheSameAsWhole) {
  const std::string whole =
      Dump(Read(FeedFormat::kCsv, CsvSchema(), kTrickyCsv));
  for (size_t cut = 0; cut <= kTrickyCsv.size(); ++cut) {
    EXPECT_EQ(Dump(ReadCut(FeedFormat::kCsv, CsvSchema(), kTrickyCsv, {cut})),
              whole)
        << "cut at " << cut;
  }
}

TEST(FeedReaderSplitTest, EveryThreeWaySplitIsTheSameAsWhole) {
  const absl::string_view input =
      "\xEF\xBB\xBFid,when,note\r\n1,\"a\r\n\"\"b\",\xC3\xA9\r\n2,d\"x,y\n";
  const std::string whole = Dump(Read(FeedFormat::kCsv, CsvSchema(), input));
  for (size_t a = 0; a <= input.size(); ++a) {
    for (size_t b = a; b <= input.size(); ++b) {
      ASSERT_EQ(Dump(ReadCut(FeedFormat::kCsv, CsvSchema(), input, {a, b})),
                whole)
          << "cuts at " << a << " and " << b;
    }
  }
}

TEST(FeedReaderSplitTest, RandomInputsNeverCrashAndAnySplitAgrees) {
  // Bytes drawn mostly from the characters that matter to the reader.
  const std::string alphabet =
      ",,,\"\"\"\n\n\r ab\xC3\xA9\xEF\xBB\xBF\xFF{}[]:1";
  std::mt19937 random(12345);
  for (const FeedFormat format : {FeedFormat::kCsv, FeedFormat::kJsonLines}) {
    for (int round = 0; round < 300; ++round) {
      std::string input = format == FeedFormat::kCsv ? "id,when,note\n" : "";
      const int length = static_cast<int>(random() % 200);
      for (int i = 0; i < length; ++i) {
        input += alphabet[random() % alphabet.size()];
      }
      const std::string whole = Dump(Read(format, CsvSchema(), input));
      std::vector<size_t> cuts;
      for (size_t at = random() % 7; at < input.size();
           at += 1 + random() % 9) {
        cuts.push_back(at);
      }
      ASSERT_EQ(Dump(ReadCut(format, CsvSchema(), input, cuts)), whole)
          << "input: " << input;
    }
  }
}

TEST(FeedReaderCsvTest, OverlongRecordIsRejectedAndTheNextOneRead) {
  std::string big(2 << 20, 'x');
  for (const bool chunked : {false, true}) {
    const std::string input =
        absl::StrCat("id,when,note\n1,d1,\"", big, "\n\"\n2,d2,ok\n");
    std::vector<size_t> cuts;
    if (chunked) {
      for (size_t at = 1000; at < input.size(); at += 65536) cuts.push_back(at);
    }
    Result r = ReadCut(FeedFormat::kCsv, CsvSchema(), input, cuts);
    ASSERT_THAT(r.errors, SizeIs(1));
    EXPECT_EQ(r.errors[0].line, 2);
    EXPECT_THAT(r.errors[0].reason, HasSubstr("longer than"));
    ASSERT_THAT(r.records, SizeIs(1));
    EXPECT_EQ(r.records[0].line, 4);
  }
}

// --- JSON Lines
// -----------------------------------------------------------------

TEST(FeedReaderJsonTest, ValueTypes) {
  Result r = ReadJson(
      "{\"id\":\"a1\",\"when\":\"2024-01-01\",\"count\":5,\"flag\":true,"
      "\"list\":[\"X\",\"Y\"],\"note\":null}\n"
      "{\"id\":7,\"when\":-2.5,\"count\":0,\"flag\":false,\"list\":[],"
      "\"note\":\"\"}\n"
      "{\"id\":\"x\",\"when\":\"w\",\"count\":1e2,\"note\":\"caf\\u00e9 "
      "\\\"q\\\"\"}\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.records, SizeIs(3));
  EXPECT_EQ(r.records[0].line, 1);
  EXPECT_THAT(
      r.records[0].values,
      ElementsAre(Optional(std::string("a1")),
                  Optional(std::string("2024-01-01")),
                  Optional(std::string("5")), Optional(std::string("Y")),
                  Optional(std::string("X;Y")), std::nullopt));
  EXPECT_THAT(
      r.records[1].values,
      ElementsAre(Optional(std::string("7")), Optional(std::string("-2.5")),
                  Optional(std::string("0")), Optional(std::string("N")),
                  std::nullopt, std::nullopt));
  EXPECT_EQ(r.records[2].values[2], "100.0");
  EXPECT_EQ(r.records[2].values[3], std::nullopt);
  EXPECT_EQ(r.records[2].values[5], "caf\xC3\xA9 \"q\"");
}

TEST(FeedReaderJsonTest, UnknownKeyIsARecordError) {
  Result r = ReadJson(
      "{\"id\":\"1\",\"when\":\"w\",\"colour\":\"red\"}\n"
      "{\"id\":\"2\",\"when\":\"w\"}\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_EQ(r.errors[0].field, "colour");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("not a field of this feed"));
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 2);
}

TEST(FeedReaderJsonTest, BadJsonIsARecordErrorAndTheNextLineIsRead) {
  Result r = ReadJson(
      "{\"id\":\"1\",\"when\":\"w\"\n"
      "[1,2]\n"
      "\"text\"\n"
      "{\"id\":\"1\",\"when\":\"w\"} trailing\n"
      "{\"id\":\"5\",\"when\":\"w\"}\n");
  ASSERT_THAT(r.errors, SizeIs(4));
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_THAT(r.errors[0].reason, HasSubstr("not valid JSON"));
  EXPECT_EQ(r.errors[1].line, 2);
  EXPECT_THAT(r.errors[1].reason, HasSubstr("not a JSON object"));
  EXPECT_EQ(r.errors[2].line, 3);
  EXPECT_EQ(r.errors[3].line, 4);
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].line, 5);
}

TEST(FeedReaderJsonTest, NullAndMissingRequiredValues) {
  Result r = ReadJson(
      "{\"id\":\"1\",\"when\":null}\n"
      "{\"id\":\"2\"}\n"
      "{\"id\":\"\",\"when\":\"w\"}\n");
  ASSERT_THAT(r.errors, SizeIs(3));
  EXPECT_EQ(r.errors[0].field, "when");
  EXPECT_EQ(r.errors[1].field, "when");
  EXPECT_EQ(r.errors[2].field, "id");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("required"));
  EXPECT_THAT(r.records, IsEmpty());
}

TEST(FeedReaderJsonTest, ValuesOfTheWrongType) {
  Result r = ReadJson(
      "{\"id\":\"1\",\"when\":\"w\",\"list\":[\"A\",3]}\n"
      "{\"id\":\"1\",\"when\":\"w\",\"note\":{\"a\":1}}\n"
      "{\"id\":\"1\",\"when\":\"w\",\"list\":[[\"A\"]]}\n");
  ASSERT_THAT(r.errors, SizeIs(3));
  EXPECT_EQ(r.errors[0].field, "list");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("not a string"));
  EXPECT_EQ(r.errors[1].field, "note");
  EXPECT_THAT(r.errors[1].reason, HasSubstr("is an object"));
  EXPECT_EQ(r.errors[2].field, "list");
  EXPECT_THAT(r.records, IsEmpty());
}

TEST(FeedReaderJsonTest, RepeatedKeyIsARecordError) {
  Result r = ReadJson("{\"id\":\"1\",\"when\":\"w\",\"id\":\"2\"}\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].field, "id");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("more than once"));
  // Nested objects may repeat the top level's keys... but are not allowed
  // as values anyway; a key repeated inside one is not a duplicate.
  Result nested = ReadJson(
      "{\"id\":\"1\",\"when\":\"w\",\"note\":{\"id\":1,\"x\":{\"id\":2}}}\n");
  ASSERT_THAT(nested.errors, SizeIs(1));
  EXPECT_EQ(nested.errors[0].field, "note");
}

TEST(FeedReaderJsonTest, EmptyLinesCrLfAndBom) {
  Result r = ReadJson(
      "\xEF\xBB\xBF{\"id\":\"1\",\"when\":\"w\"}\r\n"
      "\r\n"
      "\n"
      "{\"id\":\"2\",\"when\":\"w\"}");
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_THAT(r.records, SizeIs(2));
  EXPECT_EQ(r.records[0].line, 1);
  EXPECT_EQ(r.records[1].line, 4);
}

TEST(FeedReaderJsonTest, BadUtf8IsARecordError) {
  Result r = ReadJson(
      "{\"id\":\"1\",\"when\":\"w\",\"note\":\"\xED\xA0\x80\"}\n"
      "{\"id\":\"1\",\"when\":\"w\",\"note\":\"\\ud800\"}\n"
      "{\"id\":\"2\",\"when\":\"w\",\"note\":\"\\ud83d\\ude00\"}\n");
  ASSERT_THAT(r.errors, SizeIs(2));
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_THAT(r.errors[0].reason, HasSubstr("UTF-8"));
  EXPECT_EQ(r.errors[1].line, 2);
  ASSERT_THAT(r.records, SizeIs(1));
  EXPECT_EQ(r.records[0].values[5], "\xF0\x9F\x98\x80");
}

TEST(FeedReaderJsonTest, DeepNestingDoesNotCrash) {
  const std::string deep = absl::StrCat(
      "{\"id\":\"1\",\"when\":\"w\",\"note\":", std::string(100000, '['),
      std::string(100000, ']'), "}\n{\"id\":\"2\",\"when\":\"w\"}\n");
  Result r = ReadJson(deep);
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].field, "note");
  EXPECT_THAT(r.records, SizeIs(1));
}

TEST(FeedReaderJsonTest, EverySplitIsTheSameAsWhole) {
  const absl::string_view input =
      "\xEF\xBB\xBF{\"id\":\"caf\xC3\xA9\",\"when\":\"w\"}\r\n\n"
      "{\"id\":1,\"when\":true,\"list\":[\"A\",\"B\"]}\n"
      "{bad\n"
      "{\"id\":\"1\",\"when\":\"w\",\"zzz\":0}";
  const std::string whole = Dump(ReadJson(input));
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    EXPECT_EQ(Dump(ReadCut(FeedFormat::kJsonLines, JsonSchema(), input, {cut})),
              whole)
        << "cut at " << cut;
  }
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(Dump(ReadCut(FeedFormat::kJsonLines, JsonSchema(), input, cuts)),
            whole);
  EXPECT_THAT(whole, HasSubstr("record line 1"));
  EXPECT_THAT(whole, HasSubstr("record line 3"));
  EXPECT_THAT(whole, HasSubstr("error line 4"));
  EXPECT_THAT(whole, HasSubstr("error line 5 field 'zzz'"));
}

}  // namespace
}  // namespace sgm
