// A line of text written into a page's content stream as libharu's HPDF_Page_TextOut
// writes it, without libharu's work for every character (see the .cpp).
#pragma once

#include <string_view>

#include <hpdf.h>

namespace budget_exports::render {

// Writes `text` (UTF-8) at (x, y) into the page's open text object, in its current font:
// the bytes HPDF_Page_TextOut writes right after HPDF_Page_BeginText ("x y Td", the text's
// character codes in hex, "Tj"). Covers a Type0 TrueType font with libharu's UTF-8 encoder
// (the only kind PdfDocument loads), an untransformed text object and text of
// Basic-Multilingual-Plane characters; returns false, having written nothing, for anything
// else, and the caller uses HPDF_Page_TextOut. The caller must have measured the text's
// characters through libharu (HPDF_Font_GetUnicodeWidth: it marks their glyphs for the
// embedded font, as HPDF_Page_TextOut does), found its width not zero, and ends the text
// object next (libharu's idea of where the text ends is not updated).
bool show_text_at(HPDF_Page page, HPDF_REAL x, HPDF_REAL y, std::string_view text);

}  // namespace budget_exports::render
