// Small UTF-8 helpers shared by the renderers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace budget_exports::render {

// Longest prefix of UTF-8 `text` of at most `max_units` UTF-16 code units (how Excel counts
// a cell's characters: one per character, two for one outside the Basic Multilingual Plane,
// such as most emoji) that does not cut a character.
std::string_view utf16_prefix(std::string_view text, std::size_t max_units);

// Characters (code points) of UTF-8 `text`: what Excel's column width counts.
std::size_t count_characters(std::string_view text);

// The code point at text[i] of clean UTF-8 (clean_text's output), moving i past it. No
// validation: for the renderers' loops over text that is already clean.
inline std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    std::uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
        code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += length;
    return code;
}

// Length of the well-formed UTF-8 sequence at text[i] (shortest form, no encoded
// surrogate, at most U+10FFFF) with its code point in `code`, or 0 if there is none.
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& code);

// `text` with what no output format may carry removed: bytes that are not UTF-8
// (including encoded surrogates, i.e. unpaired surrogates from the database's view),
// C0 controls except tab and newline (a lone CR becomes a newline, CRLF a newline),
// DEL and C1 controls, and the noncharacters U+FFFE / U+FFFF (every plane) and
// U+FDD0..U+FDEF, which XML forbids. Returns `text` unchanged when it is clean.
std::string clean_text(std::string_view text);

// clean_text into `out` (replacing its content, reusing its capacity: no allocation per
// call in a loop). `text` must not point into `out`.
void clean_text_into(std::string_view text, std::string& out);

// clean_text, then tabs and newlines as spaces: for one-line PDF text.
std::string clean_line(std::string_view text);
// Whether clean_line(text) == text (no copy made).
bool is_clean_line(std::string_view text);

// Tags joined for one cell: "vintage; outdoor".
template <typename Strings>
std::string join_tags(const Strings& tags) {
    std::string text;
    for (const auto& tag : tags) {
        if (!text.empty()) text += "; ";
        text += tag;
    }
    return text;
}

}  // namespace budget_exports::render
