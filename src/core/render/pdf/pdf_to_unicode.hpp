// Gives a font the ToUnicode map its text needs to be searched and copied. libharu 2.3
// attaches, as /ToUnicode of a font with the UTF-8 encoder, that encoder's code -> CID map
// ("1 begincidrange <0000> <FFFF> 0 endcidrange"): a ToUnicode CMap maps codes to Unicode
// with bfchar/bfrange, so readers reject it (poppler: "Syntax Warning: Invalid
// 'begincidrange' operator in ToUnicode CMap", for every font on every page it reads) and
// fall back to guessing from the embedded font, or not. With the UTF-8 encoder a code is
// the character's Unicode code point (libharu writes only the Basic Multilingual Plane), so
// the right map is the identity, written here in the form the CMap rules allow: bfranges
// that vary only in their last byte, at most 100 to a section. Uses libharu 2.3 internals
// (the font's cmap_stream, hpdf_font.h); leaves a font alone whose map does not look as
// expected.
#pragma once

#include <string>

#include <hpdf.h>

namespace budget_exports::render {

// The identity ToUnicode CMap for 2-byte codes (surrogates, U+0000, U+FFFE and U+FFFF left out).
const std::string& identity_to_unicode_cmap();

// Replaces `font`'s libharu ToUnicode map with identity_to_unicode_cmap(); true when it did.
bool fix_to_unicode(HPDF_Font font);

}  // namespace budget_exports::render
