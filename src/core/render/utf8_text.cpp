#include "core/render/utf8_text.hpp"

#include <cstdint>

namespace budget_exports::render {

std::string_view utf16_prefix(std::string_view text, std::size_t max_units) {
    if (text.size() <= max_units) return text;  // never more units than bytes
    std::size_t units = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if ((byte & 0xC0) == 0x80) continue;  // continuation byte
        units += byte >= 0xF0 ? 2 : 1;        // a 4-byte sequence is a surrogate pair
        if (units > max_units) return text.substr(0, i);
    }
    return text;
}

std::size_t count_characters(std::string_view text) {
    std::size_t count = 0;
    for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
}

namespace {

bool allowed(std::uint32_t code) {
    if (code == '\t' || code == '\n') return true;
    if (code < 0x20 || (code >= 0x7F && code <= 0x9F)) return false;
    if (code >= 0xFDD0 && code <= 0xFDEF) return false;
    if ((code & 0xFFFE) == 0xFFFE) return false;
    return true;
}

bool plain_ascii(std::string_view text) {
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F) return false;
    }
    return true;
}

// Whether clean_text would change `text` (the common case is no).
bool needs_cleaning(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7F) {
            ++i;
            continue;
        }
        std::uint32_t code = 0;
        const std::size_t length = decode_utf8(text, i, code);
        if (length == 0 || code == '\r' || !allowed(code)) return true;
        i += length;
    }
    return false;
}

}  // namespace

std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& code) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char lead = byte(0);
    std::size_t length;
    std::uint32_t minimum;
    if (lead < 0x80) { code = lead; return 1; }
    if (lead >= 0xC2 && lead <= 0xDF) { length = 2; code = lead & 0x1F; minimum = 0x80; }
    else if (lead >= 0xE0 && lead <= 0xEF) { length = 3; code = lead & 0x0F; minimum = 0x800; }
    else if (lead >= 0xF0 && lead <= 0xF4) { length = 4; code = lead & 0x07; minimum = 0x10000; }
    else return 0;
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(k) & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

std::string clean_text(std::string_view text) {
    std::string out;
    clean_text_into(text, out);
    return out;
}

void clean_text_into(std::string_view text, std::string& out) {
    if (plain_ascii(text) || !needs_cleaning(text)) {
        out.assign(text.data(), text.size());
        return;
    }
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t code = 0;
        const std::size_t length = decode_utf8(text, i, code);
        if (length == 0) {  // not UTF-8: skip one byte
            ++i;
            continue;
        }
        if (code == '\r') {
            out += '\n';
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else if (allowed(code)) {
            out.append(text.substr(i, length));
        }
        i += length;
    }
}

std::string clean_line(std::string_view text) {
    std::string out = clean_text(text);
    for (char& c : out)
        if (c == '\t' || c == '\n') c = ' ';
    return out;
}

bool is_clean_line(std::string_view text) {
    return plain_ascii(text) || (text.find_first_of("\t\n") == std::string_view::npos && !needs_cleaning(text));
}

}  // namespace budget_exports::render
