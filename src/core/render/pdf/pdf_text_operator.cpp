// HPDF_Page_TextOut was 44 % of a 100k-line PDF render's instructions (callgrind): for
// every character libharu decodes the UTF-8 twice through its encoder (once to measure the
// text, so as to advance its text position, looking each glyph up in the font's cmap, once
// to write it) and clears a 512-byte buffer for every number. What it writes is simple:
// "x y Td\012<hex> Tj\012", the coordinates by libharu's own HPDF_FToA, each character as
// the 2-byte code of its code point (Identity-H: the code is the Unicode value) in
// upper-case hex. show_text_at writes the same bytes straight into the page's stream.
// test/unit/pdf_canvas_test.cpp compares its streams with HPDF_Page_TextOut's, byte for
// byte, for texts of every kind of character, at many positions.
#include "core/render/pdf/pdf_text_operator.hpp"

#include <cstdint>
#include <cstring>
#include <string>

#include <hpdf_consts.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_gstate.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_utils.h>

#include "core/render/utf8_text.hpp"

namespace budget_exports::render {
namespace {

// Appends the 4 upper-case hex digits of each character of `text` to `out`; false for
// anything but well-formed UTF-8 of code points U+0001..U+FFFF other than surrogates.
bool append_hex_codes(std::string_view text, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const std::size_t start = out.size();
    out.resize(start + 4 * text.size());  // at most 4 digits a byte
    char* digits = out.data() + start;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t code = 0;
        const std::size_t length = decode_utf8(text, i, code);
        if (length == 0 || code == 0 || code > 0xFFFF) return false;
        *digits++ = kHex[code >> 12];
        *digits++ = kHex[(code >> 8) & 0xF];
        *digits++ = kHex[(code >> 4) & 0xF];
        *digits++ = kHex[code & 0xF];
        i += length;
    }
    out.resize(static_cast<std::size_t>(digits - out.data()));
    return true;
}

bool covered_font(HPDF_Font font) {
    if (font == nullptr) return false;
    const auto* attr = static_cast<HPDF_FontAttr>(font->attr);
    return attr->type == HPDF_FONT_TYPE0_TT && attr->encoder != nullptr && std::strcmp(attr->encoder->name, "UTF-8") == 0;
}

}  // namespace

bool show_text_at(HPDF_Page page, HPDF_REAL x, HPDF_REAL y, std::string_view text) {
    if (page == nullptr || text.empty() || text.size() >= HPDF_LIMIT_MAX_STRING_LEN) return false;
    auto* attr = static_cast<HPDF_PageAttr>(page->attr);
    if (attr->gmode != HPDF_GMODE_TEXT_OBJECT || !covered_font(attr->gstate->font)) return false;
    const HPDF_TransMatrix& m = attr->text_matrix;  // as HPDF_Page_BeginText left it
    if (m.a != 1 || m.b != 0 || m.c != 0 || m.d != 1 || m.x != 0 || m.y != 0) return false;

    thread_local std::string bytes;  // reused: one text after another
    bytes.clear();
    // "x y Td\012" as HPDF_Page_MoveTextPos writes it: both numbers by libharu's own
    // HPDF_FToA into one cleared buffer
    char position[HPDF_TMP_BUF_SIZ] = {};
    char* const last = position + sizeof position - 1;
    char* end = HPDF_FToA(position, x, last);
    *end++ = ' ';
    end = HPDF_FToA(end, y, last);
    bytes.append(position, static_cast<std::size_t>(end - position));
    bytes += " Td\012<";
    if (!append_hex_codes(text, bytes)) return false;
    bytes += "> Tj\012";
    if (HPDF_Stream_Write(attr->stream, reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                          static_cast<HPDF_UINT>(bytes.size())) != HPDF_OK)
        return true;  // the document's error is set; PdfDocument::check reports it
    // where HPDF_Page_MoveTextPos leaves the text (HPDF_Page_ShowText's advance is not kept)
    attr->text_matrix.x = x;
    attr->text_matrix.y = y;
    attr->text_pos.x = x;
    attr->text_pos.y = y;
    return true;
}

}  // namespace budget_exports::render
