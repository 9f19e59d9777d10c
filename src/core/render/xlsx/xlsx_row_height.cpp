#include "core/render/xlsx/xlsx_row_height.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/render/utf8_text.hpp"

namespace budget_exports::render {
namespace {

// Width of one character in tenths of a digit's width (Calibri 11: digits and most
// lower-case letters are at most a digit wide, capitals up to 1.4 digits).
unsigned tenths(std::uint32_t code) {
    if (code == 'W' || code == 'M' || code == '@') return 15;
    if (code == 'm' || code == 'w' || code == '%') return 13;
    if (code >= 'A' && code <= 'Z') return 12;
    if (code < 0x1100) return 10;
    const bool wide = (code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) || (code >= 0xAC00 && code <= 0xD7A3) ||
                      (code >= 0xF900 && code <= 0xFAFF) || (code >= 0xFE30 && code <= 0xFE4F) ||
                      (code >= 0xFF00 && code <= 0xFF60) || (code >= 0xFFE0 && code <= 0xFFE6) ||
                      (code >= 0x1F300 && code <= 0x1FAFF) || (code >= 0x20000 && code <= 0x3FFFD);
    return wide ? 20 : 10;
}

}  // namespace

std::size_t wrapped_lines(std::string_view text, double column_width, std::size_t max_lines) {
    // A cell keeps about a digit's width of padding.
    const unsigned room = static_cast<unsigned>(std::max(4.0, std::floor(column_width) - 1)) * 10;
    std::size_t lines = 1;
    unsigned used = 0;    // width on the current line
    unsigned spaces = 0;  // width of the spaces since the last word
    std::size_t i = 0;
    while (i < text.size() && lines < max_lines) {
        const char c = text[i];
        if (c == '\n') {
            ++lines;
            used = spaces = 0;
            ++i;
            continue;
        }
        if (c == ' ' || c == '\t') {
            spaces += 10;
            ++i;
            continue;
        }
        unsigned word = 0;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') word += tenths(next_code_point(text, i));
        if (used > 0 && used + spaces + word > room) {
            ++lines;
            used = 0;
        } else if (used > 0) {
            used += spaces;
        }
        spaces = 0;
        used += word;
        while (used > room && lines < max_lines) {  // a word longer than a line is broken
            ++lines;
            used -= room;
        }
    }
    return std::min(lines, max_lines);
}

double row_points(std::size_t lines) {
    return std::min(kMaxRowPoints, kLinePoints * static_cast<double>(std::max<std::size_t>(lines, 1)));
}

std::size_t cell_lines(std::string_view text, double column_width, std::string& scratch) {
    clean_text_into(text, scratch);
    return wrapped_lines(scratch, column_width);
}

}  // namespace budget_exports::render
