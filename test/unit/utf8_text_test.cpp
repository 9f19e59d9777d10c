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
