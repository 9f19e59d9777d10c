#include <gtest/gtest.h>

#include <string>

#include "core/render/xlsx/xlsx_row_height.hpp"

using budget_exports::render::kMaxRowLines;
using budget_exports::render::kMaxRowPoints;
using budget_exports::render::row_points;
using budget_exports::render::wrapped_lines;

namespace {

std::string repeat(const std::string& piece, int times) {
    std::string text;
    for (int i = 0; i < times; ++i) text += piece;
    return text;
}

}  // namespace

TEST(XlsxRowHeight, ShortTextTakesOneLine) {
    EXPECT_EQ(wrapped_lines("", 60), 1u);
    EXPECT_EQ(wrapped_lines("Deposit – Château Lumière", 60), 1u);
    EXPECT_EQ(wrapped_lines(repeat("a", 59), 60), 1u) << "59 digit-wide characters fill a 60-wide column";
}

TEST(XlsxRowHeight, WordsWrapWhereTheNextOneNoLongerFits) {
    // "dear " is 5 wide: 12 words (59 with the spaces between) fit in 59, the 13th does not.
    EXPECT_EQ(wrapped_lines(repeat("dear ", 12), 60), 1u);
    EXPECT_EQ(wrapped_lines(repeat("dear ", 13), 60), 2u);
    EXPECT_EQ(wrapped_lines(repeat("dear ", 60), 60), 5u);
    EXPECT_EQ(wrapped_lines(repeat("dear ", 60), 30), 10u) << "6 a line in a narrower column";
    EXPECT_EQ(wrapped_lines(repeat("word ", 60), 60), 6u) << "w is wider than a digit: 11 a line";
}

TEST(XlsxRowHeight, NewlinesStartLinesAndLongWordsBreak) {
    EXPECT_EQ(wrapped_lines("one\ntwo\nthree", 60), 3u);
    EXPECT_EQ(wrapped_lines("one\n\nthree", 60), 3u) << "an empty line counts";
    EXPECT_EQ(wrapped_lines(repeat("x", 59 * 3), 60), 3u) << "a word three lines long";
    EXPECT_EQ(wrapped_lines(repeat("x", 59 * 3 + 1), 60), 4u);
}

TEST(XlsxRowHeight, WideAndCapitalLettersTakeMoreRoom) {
    // 30 CJK characters are as wide as 60 digits: two lines in a 60-wide column.
    EXPECT_EQ(wrapped_lines(repeat("\xE5\xA9\x9A", 29), 60), 1u);  // 婚
    EXPECT_EQ(wrapped_lines(repeat("\xE5\xA9\x9A", 30), 60), 2u);
    EXPECT_EQ(wrapped_lines(repeat("a", 59), 60), 1u);
    EXPECT_EQ(wrapped_lines(repeat("A", 59), 60), 2u) << "capitals are wider than digits";
    EXPECT_EQ(wrapped_lines(repeat("\xC3\xA9", 59), 60), 1u) << "é is one character, not two bytes";
}

TEST(XlsxRowHeight, CountingStopsAtTheTallestRow) {
    EXPECT_EQ(wrapped_lines(repeat("word ", 40000), 60), kMaxRowLines);
    EXPECT_EQ(wrapped_lines(repeat("\n", 1000), 60), kMaxRowLines);
    EXPECT_DOUBLE_EQ(row_points(1), 15);
    EXPECT_DOUBLE_EQ(row_points(3), 45);
    EXPECT_DOUBLE_EQ(row_points(kMaxRowLines), kMaxRowPoints);
}
