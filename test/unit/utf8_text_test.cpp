#include <gtest/gtest.h>

#include "core/render/utf8_text.hpp"

using namespace budget_exports::render;

TEST(Utf8Text, IsCleanLineAgreesWithCleanLine) {
    for (const std::string text : {"", "plain ascii", "Zoë Müller – €1,234.50", "tab\there", "new\nline",
                                   "cr\rlf", "esc\x1b", "bad \xff byte", "nonchar \xef\xbf\xbf", "C1 \xc2\x85",
                                   "surrogate \xed\xa0\x80", "del\x7f", "emoji \xf0\x9f\x8e\x89"}) {
        EXPECT_EQ(is_clean_line(text), clean_line(text) == text) << text;
    }
    EXPECT_TRUE(is_clean_line("Zoë Müller – €1,234.50"));
    EXPECT_FALSE(is_clean_line("tab\there"));
    EXPECT_FALSE(is_clean_line("esc\x1b"));
}

// Excel counts a cell's characters in UTF-16 code units: one per accented letter (two
// bytes), two per emoji (four bytes).
TEST(Utf8Text, Utf16PrefixCountsWhatExcelCounts) {
    using budget_exports::render::utf16_prefix;
    EXPECT_EQ(utf16_prefix("abc", 3), "abc");
    EXPECT_EQ(utf16_prefix("abcd", 3), "abc");
    EXPECT_EQ(utf16_prefix("\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xC3\xA9") << "2 characters, 4 bytes";
    EXPECT_EQ(utf16_prefix("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xC3\xA9");
    EXPECT_EQ(utf16_prefix("\xE2\x82\xAC\xE2\x82\xAC", 1), "\xE2\x82\xAC") << "the euro sign is one unit";
    const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, a surrogate pair
    EXPECT_EQ(utf16_prefix(emoji + emoji, 4), emoji + emoji);
    EXPECT_EQ(utf16_prefix(emoji + emoji, 3), emoji) << "never half a surrogate pair";
    EXPECT_EQ(utf16_prefix("a" + emoji, 2), "a");
    EXPECT_EQ(utf16_prefix("", 0), "");
}
