// libxlsxwriter writes every cell of a sheet with fprintf: a number as "%.16G" (glibc's
// exact multi-precision conversion), its reference ("C5") with snprintf, a text after
// copying it twice (escaping control characters, then XML markup). In a 100k-line Excel
// render that was a third of the instructions (callgrind): the number cells 17 %, the
// references 10 %, the text cells 12 %, the control-character copy 4 %.
//
// Debian builds libxlsxwriter with its tests, which makes these functions global (its
// symbols file lists them), and libxlsxwriter calls them through its PLT, so a definition
// of the same name in the program takes their place, as minizip_level.cpp does for the
// deflate level. Ours write the same bytes to the same FILE without a format string:
// numbers exactly in integers (g16 below), references and markup by hand, texts escaped as
// they are written. The `asm` labels give them libxlsxwriter's names.
//
// Their arguments and the structures they read (lxw_worksheet, lxw_cell) are
// libxlsxwriter's internals: ours were written after those of 1.1.4 and are compared byte
// for byte with those of each release in kLxwCellWritersVersions (1.1.4 on Debian 12, 1.2.1
// on Debian 13: test/unit/lxw_cell_writers_test.cpp calls both on each). With any other
// release every call goes on, unchanged, to libxlsxwriter's own.
#include "core/render/xlsx/lxw_cell_writers.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string_view>

#include <xlsxwriter.h>

#include "core/render/interposed.hpp"

extern "C" {
BUDGET_EXPORTS_INTERPOSED void lxw_rowcol_to_cell_fast(char* cell_name, lxw_row_t row, lxw_col_t col) __asm__(
    "lxw_rowcol_to_cell");
BUDGET_EXPORTS_INTERPOSED void write_number_cell_fast(lxw_worksheet* self, char* range, int32_t style_index,
                                                      lxw_cell* cell) __asm__("_write_number_cell");
BUDGET_EXPORTS_INTERPOSED void write_inline_string_cell_fast(lxw_worksheet* self, char* range, int32_t style_index,
                                                             lxw_cell* cell) __asm__("_write_inline_string_cell");
BUDGET_EXPORTS_INTERPOSED uint8_t has_control_characters_fast(const char* string) __asm__(
    "lxw_has_control_characters");
}

namespace budget_exports::render {

bool lxw_cell_writers_in_use() {
    static const bool checked = std::any_of(std::begin(kLxwCellWritersVersions), std::end(kLxwCellWritersVersions),
                                            [](const char* version) { return std::strcmp(lxw_version(), version) == 0; });
    return checked;
}

}  // namespace budget_exports::render

namespace {

using budget_exports::render::lxw_cell_writers_in_use;

// libxlsxwriter's own definition of `name` (the next one after this program's).
template <typename Fn>
Fn libraries_own(Fn, const char* name) {
    return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// `value` as printf's "%.16G" into [first, last), returning the end. std::to_chars' general
// format at precision 16 is "%.16g" by definition ([charconv.to.chars]); %G only writes its
// letters (e, inf, nan) in capitals. It takes about 900 instructions a number, so the values
// a sheet is made of (amounts and dates, 1e-4 <= |value| < 1e16) are done exactly in
// integers first: 16 digits rounded half to even as glibc's printf rounds them, written
// without an exponent as %G writes them in that range, trailing zeros cut.
char* g16(double value, char* first, char* last) {
    constexpr std::uint64_t kPowersOf10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
                                               10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
                                               100000000000ULL, 1000000000000ULL, 10000000000000ULL,
                                               100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
                                               100000000000000000ULL, 1000000000000000000ULL,
                                               10000000000000000000ULL};
    constexpr std::uint64_t kLow = kPowersOf10[15];  // the smallest 16-digit number
    const double magnitude = std::fabs(value);
    if (magnitude >= 1e-4 && magnitude < 1e16 && last - first >= 32) {
        int exponent10 = static_cast<int>(std::floor(std::log10(magnitude)));  // corrected below
        int binary_exponent = 0;
        const auto mantissa = static_cast<std::uint64_t>(std::ldexp(std::frexp(magnitude, &binary_exponent), 53));
        binary_exponent -= 53;  // magnitude == mantissa * 2^binary_exponent, exactly
        for (int tries = 0; tries < 3 && exponent10 >= -4 && exponent10 <= 15; ++tries) {
            // digits = round(magnitude * 10^(15 - exponent10)): below 2^117, shifted at most 67 bits
            const unsigned __int128 scaled = static_cast<unsigned __int128>(mantissa) * kPowersOf10[15 - exponent10];
            // The 16 digits before rounding decide the exponent; rounding may then carry into
            // a 17th (9.999…95 to 10.00…0), which %G writes as the next power of ten.
            std::uint64_t digits;
            bool round_up = false;
            if (binary_exponent >= 0) {
                digits = static_cast<std::uint64_t>(scaled << binary_exponent);
            } else {
                const int shift = -binary_exponent;
                const unsigned __int128 half = static_cast<unsigned __int128>(1) << (shift - 1);
                const unsigned __int128 rest = scaled & ((half << 1) - 1);
                digits = static_cast<std::uint64_t>(scaled >> shift);
                round_up = rest > half || (rest == half && (digits & 1U));
            }
            if (digits >= 10 * kLow) { ++exponent10; continue; }
            if (digits < kLow) { --exponent10; continue; }
            if (round_up && ++digits == 10 * kLow) {
                digits = kLow;
                if (++exponent10 > 15) break;
            }
            char text[16];
            std::to_chars(text, text + 16, digits);
            std::size_t kept = 16;
            while (text[kept - 1] == '0') --kept;
            char* out = first;
            if (std::signbit(value)) *out++ = '-';
            if (exponent10 >= 0) {
                const auto whole = static_cast<std::size_t>(exponent10) + 1;
                out = std::copy(text, text + whole, out);
                if (kept > whole) {
                    *out++ = '.';
                    out = std::copy(text + whole, text + kept, out);
                }
            } else {
                *out++ = '0';
                *out++ = '.';
                out = std::fill_n(out, -exponent10 - 1, '0');
                out = std::copy(text, text + kept, out);
            }
            return out;
        }
    }
    if (value == 0) {
        const std::string_view zero = std::signbit(value) ? "-0" : "0";
        return std::copy(zero.begin(), zero.end(), first);
    }
    char* const end = std::to_chars(first, last, value, std::chars_format::general, 16).ptr;
    for (char* c = first; c != end; ++c) *c = static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    return end;
}

// One cell's markup, built on the stack and written with one fwrite.
class Markup {
public:
    void add(std::string_view text) {
        const std::size_t n = std::min(text.size(), sizeof buf_ - used_);
        std::memcpy(buf_ + used_, text.data(), n);
        used_ += n;
    }
    void add_int(int value) { used_ = static_cast<std::size_t>(std::to_chars(at(), end(), value).ptr - buf_); }
    // printf's "%.16G" (g16 above).
    void add_number(double value) { used_ = static_cast<std::size_t>(g16(value, at(), end()) - buf_); }
    // ` s="7"` when the cell has a style (libxlsxwriter leaves out style 0).
    void add_style(int32_t style_index) {
        if (style_index == 0) return;
        add("\" s=\"");
        add_int(style_index);
    }
    void write_to(FILE* file) {
        fwrite_unlocked(buf_, 1, used_, file);
        used_ = 0;
    }

private:
    char* at() { return buf_ + used_; }
    char* end() { return buf_ + sizeof buf_; }
    // cppcheck-suppress uninitMemberVarPrivate
    char buf_[160];  // a reference (at most 13 chars), a style and a number (at most 24) fit
    std::size_t used_ = 0;
};

// `text` with & < > as XML entities (libxlsxwriter's lxw_escape_data), written as it goes.
void write_escaped(const char* text, FILE* file) {
    for (;;) {
        const std::size_t plain = std::strcspn(text, "&<>");
        fwrite_unlocked(text, 1, plain, file);
        text += plain;
        switch (*text++) {
            case '&': fputs_unlocked("&amp;", file); break;
            case '<': fputs_unlocked("&lt;", file); break;
            case '>': fputs_unlocked("&gt;", file); break;
            default: return;  // the terminating NUL
        }
    }
}

}  // namespace

// "C5" for row 4, column 2 (zero-based): the column's letters, then the row counted from 1
// as "%d" within LXW_MAX_ROW_NAME_LENGTH (lxw_col_to_name and lxw_rowcol_to_cell in
// libxlsxwriter's utility.c, with their types' arithmetic).
extern "C" void lxw_rowcol_to_cell_fast(char* cell_name, lxw_row_t row, lxw_col_t col) {
    if (!lxw_cell_writers_in_use()) {
        static const auto own = libraries_own(&lxw_rowcol_to_cell_fast, "lxw_rowcol_to_cell");
        own(cell_name, row, col);
        return;
    }
    char letters[8];
    std::size_t n = 0;
    lxw_col_t col_num = col;
    ++col_num;
    while (col_num) {
        int remainder = col_num % 26;
        if (remainder == 0) remainder = 26;
        letters[n++] = static_cast<char>('A' + remainder - 1);
        col_num = static_cast<lxw_col_t>((col_num - 1) / 26);
    }
    for (std::size_t i = 0; i < n; ++i) cell_name[i] = letters[n - 1 - i];
    ++row;
    char digits[16];
    const std::size_t len =
        static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, static_cast<int>(row)).ptr - digits);
    const std::size_t kept = std::min(len, LXW_MAX_ROW_NAME_LENGTH - 1);  // snprintf's cut
    std::memcpy(cell_name + n, digits, kept);
    cell_name[n + kept] = '\0';
}

// <c r="C5" s="7"><v>1234.5</v></c>
extern "C" void write_number_cell_fast(lxw_worksheet* self, char* range, int32_t style_index, lxw_cell* cell) {
    if (!lxw_cell_writers_in_use()) {
        static const auto own = libraries_own(&write_number_cell_fast, "_write_number_cell");
        own(self, range, style_index, cell);
        return;
    }
    Markup markup;
    markup.add("<c r=\"");
    markup.add(range);
    markup.add_style(style_index);
    markup.add("\"><v>");
    markup.add_number(cell->u.number);
    markup.add("</v></c>");
    markup.write_to(self->file);
}

// <c r="C5" s="7" t="inlineStr"><is><t>Caf&amp;é</t></is></c>, with xml:space="preserve"
// on the <t> when the text starts or ends with white space.
extern "C" void write_inline_string_cell_fast(lxw_worksheet* self, char* range, int32_t style_index,
                                              lxw_cell* cell) {
    if (!lxw_cell_writers_in_use()) {
        static const auto own = libraries_own(&write_inline_string_cell_fast, "_write_inline_string_cell");
        own(self, range, style_index, cell);
        return;
    }
    const std::string_view text(cell->u.string);
    // The entities neither start nor end with white space, so the raw text decides.
    const bool preserve = !text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) ||
                                            std::isspace(static_cast<unsigned char>(text.back())));
    Markup markup;
    markup.add("<c r=\"");
    markup.add(range);
    markup.add_style(style_index);
    markup.add(preserve ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "\" t=\"inlineStr\"><is><t>");
    markup.write_to(self->file);
    write_escaped(cell->u.string, self->file);
    fputs_unlocked("</t></is></c>", self->file);
}

// Whether `string` holds a control character that a sheet must write as _xHHHH_ (any below
// 0x20 but tab and newline). libxlsxwriter's own answers yes for every string (its loop
// tests the pointer, not the character, and stops at the terminating NUL, itself below
// 0x20), so every text was copied through lxw_escape_control_characters; with the right
// answer a text without them is copied by lxw_strdup instead: the same bytes.
extern "C" uint8_t has_control_characters_fast(const char* string) {
    if (!lxw_cell_writers_in_use()) {
        static const auto own = libraries_own(&has_control_characters_fast, "lxw_has_control_characters");
        return own(string);
    }
    if (string == nullptr) return LXW_FALSE;
    for (; *string != '\0'; ++string) {
        const char c = *string;
        if (!(c & 0xE0) && c != 0x0A && c != 0x09) return LXW_TRUE;
    }
    return LXW_FALSE;
}
