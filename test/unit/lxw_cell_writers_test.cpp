// Our cell writers (src/core/render/xlsx/lxw_cell_writers.cpp) against libxlsxwriter's own,
// called side by side on the same cells: the bytes they write must be the same.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <xlsxwriter.h>

#include "core/render/xlsx/lxw_cell_writers.hpp"
#include "library_symbols.hpp"

extern "C" {
// The ones this program defines (ours) under libxlsxwriter's names.
void _write_number_cell(lxw_worksheet*, char*, int32_t, lxw_cell*);         // NOLINT(bugprone-reserved-identifier)
void _write_inline_string_cell(lxw_worksheet*, char*, int32_t, lxw_cell*);  // NOLINT(bugprone-reserved-identifier)
char* lxw_escape_control_characters(const char*);
}

namespace {

using budget_exports::render::kLxwCellWritersVersions;
using budget_exports::render::lxw_cell_writers_in_use;

using CellWriter = void (*)(lxw_worksheet*, char*, int32_t, lxw_cell*);
using RowColToCell = void (*)(char*, lxw_row_t, lxw_col_t);
using HasControl = uint8_t (*)(const char*);

// libxlsxwriter's own definition of `name`, not ours.
template <typename Fn>
Fn libraries_own(const char* name) {
    return budget_exports::testing::library_own<Fn>(reinterpret_cast<void*>(&workbook_new), name);
}

// What `writer` writes for `cell` at `range` with `style`.
std::string written(CellWriter writer, const char* range, int32_t style, lxw_cell& cell) {
    char* bytes = nullptr;
    std::size_t size = 0;
    FILE* file = open_memstream(&bytes, &size);
    auto sheet = std::make_unique<lxw_worksheet>();
    sheet->file = file;
    std::string copy_of_range(range);
    writer(sheet.get(), copy_of_range.data(), style, &cell);
    std::fclose(file);
    std::string out(bytes, size);
    std::free(bytes);
    return out;
}

struct Pair {
    CellWriter ours;
    CellWriter theirs;
};

std::string number_cell(CellWriter writer, double value, int32_t style) {
    lxw_cell cell{};
    cell.type = NUMBER_CELL;
    cell.u.number = value;
    return written(writer, "XFD1048576", style, cell);
}

std::string text_cell(CellWriter writer, std::string text, int32_t style) {
    lxw_cell cell{};
    cell.type = INLINE_STRING_CELL;
    cell.u.string = text.data();
    return written(writer, "B7", style, cell);
}

}  // namespace

TEST(LxwCellWriters, TakeLibxlsxwritersPlaceWithTheReleasesTheyWereCheckedAgainst) {
    bool checked = false;
    for (const char* version : kLxwCellWritersVersions) checked = checked || std::strcmp(lxw_version(), version) == 0;
    EXPECT_EQ(lxw_cell_writers_in_use(), checked);
    // This program's definitions are the ones libxlsxwriter's PLT calls reach.
    for (const char* name : {"_write_number_cell", "_write_inline_string_cell", "lxw_rowcol_to_cell",
                             "lxw_has_control_characters"}) {
        void* in_use = dlsym(RTLD_DEFAULT, name);
        void* own = libraries_own<void*>(name);
        EXPECT_NE(in_use, nullptr) << name;
        EXPECT_NE(own, nullptr) << name;
        EXPECT_NE(in_use, own) << name;
    }
    EXPECT_EQ(dlsym(RTLD_DEFAULT, "_write_number_cell"), reinterpret_cast<void*>(&_write_number_cell));
    // Every machine the test command runs on has one of those releases (Debian 12 and 13):
    // a new one has to be compared (the tests below) and added to kLxwCellWritersVersions.
    EXPECT_TRUE(checked) << "libxlsxwriter " << lxw_version() << ": compare its cell writers with ours";
}

TEST(LxwCellWriters, NumberCellsAreLibxlsxwritersBytes) {
    const CellWriter theirs = libraries_own<CellWriter>("_write_number_cell");
    ASSERT_NE(theirs, nullptr);
    std::vector<double> values = {0.0,     -0.0,     1.0,      -1.0,     0.5,       0.1,      0.01,    1234.56,
                                  -1234.56, 45123.0, 1e15,     1e16,     1e17,      123456789012345678.0,
                                  1e-4,    1e-5,     9.99e-5,  1e-300,   1e300,     DBL_MAX,  -DBL_MAX, DBL_MIN,
                                  DBL_TRUE_MIN, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 9999999999999998.0,
                                  9999999999999999.0, 0.30000000000000004, 12345678.9, 99999.995,
                                  HUGE_VAL, -HUGE_VAL, std::nan(""), -std::nan("")};
    std::mt19937_64 random(20261130);
    for (int i = 0; i < 20000; ++i) {
        std::uint64_t bits = random();
        double any;
        std::memcpy(&any, &bits, sizeof any);
        values.push_back(any);                                                                  // any double at all
        values.push_back(static_cast<double>(static_cast<std::int64_t>(random() % 2000000000000) - 1000000000000) /
                         100.0);                                                                // money, in cents
        values.push_back(static_cast<double>(random() % 3000000));                             // dates, counts
        values.push_back(std::ldexp(static_cast<double>(random() % 1000000), -static_cast<int>(random() % 60)));
    }
    for (int power = -6; power <= 17; ++power) {  // around every power of ten the range touches
        double at = std::pow(10.0, power);
        for (int i = 0; i < 40; ++i) at = std::nextafter(at, 0.0);
        for (int i = 0; i < 80; ++i, at = std::nextafter(at, HUGE_VAL)) values.push_back(at);
    }
    for (int i = 0; i < 5000; ++i) {
        // exact ties at the 17th digit (n + 0.5 with 16 digits before the point): rounded to even
        values.push_back(static_cast<double>(1000000000000000 + random() % 3503599627370496) + 0.5);
        // 16 nines and a bit: rounded up to the next power of ten
        values.push_back(std::nextafter(std::pow(10.0, static_cast<int>(random() % 20) - 4), 0.0));
    }
    int compared = 0;
    for (double value : values) {
        for (int32_t style : {0, 7, 123456}) {
            const std::string expected = number_cell(theirs, value, style);
            ASSERT_EQ(number_cell(&_write_number_cell, value, style), expected) << "value " << value;
            ++compared;
        }
    }
    EXPECT_EQ(compared, static_cast<int>(values.size()) * 3);
    EXPECT_EQ(number_cell(&_write_number_cell, 1234.5, 7), "<c r=\"XFD1048576\" s=\"7\"><v>1234.5</v></c>");
}

TEST(LxwCellWriters, CellReferencesAreLibxlsxwritersBytes) {
    const RowColToCell theirs = libraries_own<RowColToCell>("lxw_rowcol_to_cell");
    ASSERT_NE(theirs, nullptr);
    auto both = [&](lxw_row_t row, lxw_col_t col) {
        char expected[LXW_MAX_CELL_NAME_LENGTH + 8];
        char ours[LXW_MAX_CELL_NAME_LENGTH + 8];
        std::memset(expected, 'x', sizeof expected);
        std::memset(ours, 'x', sizeof ours);
        theirs(expected, row, col);
        lxw_rowcol_to_cell(ours, row, col);
        ASSERT_STREQ(ours, expected) << "row " << row << " col " << col;
    };
    for (lxw_col_t col = 0; col < LXW_COL_MAX; ++col) both(static_cast<lxw_row_t>(col) * 64, col);
    for (lxw_row_t row = 0; row < LXW_ROW_MAX; row += 997) both(row, static_cast<lxw_col_t>(row % 30));
    for (lxw_row_t row : {0u, 8u, 9u, 99u, 1048575u, 9999999u, 99999999u, 999999999u, 2147483646u, 2147483647u,
                          4294967294u, 4294967295u}) {
        for (lxw_col_t col : {0, 25, 26, 701, 702, 16383, 18277, 18278, 65534}) both(row, col);
    }
    char cell[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(cell, 4, 2);
    EXPECT_STREQ(cell, "C5");
}

TEST(LxwCellWriters, TextCellsAreLibxlsxwritersBytes) {
    const CellWriter theirs = libraries_own<CellWriter>("_write_inline_string_cell");
    ASSERT_NE(theirs, nullptr);
    std::vector<std::string> texts = {"a", " ", "Venue", " lead", "trail ", "\tTab", "new\n", "A & B", "<b>",
                                      "x > y", "&&&", "&amp;", "Café Müller", "\xE2\x82\xAC 1,000", "\r",
                                      std::string(5000, 'w') + "&"};
    const std::string alphabet = "ab &<>\t\n\r\x0b\x0c\xC3\xA9\"'";
    std::mt19937 random(1130);
    for (int i = 0; i < 5000; ++i) {
        std::string text(1 + random() % 40, ' ');
        for (char& c : text) c = alphabet[random() % alphabet.size()];
        texts.push_back(text);
    }
    for (const std::string& text : texts) {
        for (int32_t style : {0, 3}) {
            ASSERT_EQ(text_cell(&_write_inline_string_cell, text, style), text_cell(theirs, text, style))
                << "text \"" << text << "\"";
        }
    }
    EXPECT_EQ(text_cell(&_write_inline_string_cell, "A & B ", 3),
              "<c r=\"B7\" s=\"3\" t=\"inlineStr\"><is><t xml:space=\"preserve\">A &amp; B </t></is></c>");
}

// libxlsxwriter's own check answers yes for every string, so the copy its callers then make
// (lxw_escape_control_characters) is the text itself whenever ours answers no: ours only
// saves that copy, and finds what has to be escaped.
TEST(LxwCellWriters, ControlCharactersAreFoundAndOnlyThem) {
    for (int c = 1; c < 256; ++c) {
        const std::string text = std::string("a") + static_cast<char>(c) + "b";
        const bool control = c < 0x20 && c != '\t' && c != '\n';
        EXPECT_EQ(lxw_has_control_characters(text.c_str()) != 0, control) << "byte " << c;
        char* escaped = lxw_escape_control_characters(text.c_str());
        EXPECT_EQ(std::string(escaped) != text, control) << "byte " << c;
        std::free(escaped);
    }
    EXPECT_FALSE(lxw_has_control_characters("Café & tea\tfor two\n"));
    EXPECT_FALSE(lxw_has_control_characters(""));
}
