#include "core/render/pdf/pdf_to_unicode.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <hpdf_font.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

namespace budget_exports::render {

namespace {

std::string build_identity_to_unicode_cmap() {
    // One range per high byte: U+0001-U+00FF, U+0100-U+01FF, ... U+FF00-U+FFFD, without the
    // surrogates (D800-DFFF are no characters of their own).
    std::vector<std::string> ranges;
    for (unsigned high = 0x00; high <= 0xFF; ++high) {
        if (high >= 0xD8 && high <= 0xDF) continue;
        const unsigned first = high << 8 | (high == 0x00 ? 0x01 : 0x00);
        const unsigned last = high << 8 | (high == 0xFF ? 0xFD : 0xFF);
        char line[32];
        std::snprintf(line, sizeof line, "<%04X> <%04X> <%04X>\n", first, last, first);
        ranges.emplace_back(line);
    }
    std::string cmap =
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n"
        "<0000> <FFFF>\n"
        "endcodespacerange\n";
    constexpr std::size_t kPerSection = 100;  // the CMap format's limit
    for (std::size_t start = 0; start < ranges.size(); start += kPerSection) {
        const std::size_t count = std::min(kPerSection, ranges.size() - start);
        cmap += std::to_string(count) + " beginbfrange\n";
        for (std::size_t i = start; i < start + count; ++i) cmap += ranges[i];
        cmap += "endbfrange\n";
    }
    cmap +=
        "endcmap\n"
        "CMapName currentdict /CMap defineresource pop\n"
        "end\n"
        "end\n";
    return cmap;
}

// The stream's bytes (libharu memory stream), for the check that it is libharu's map.
std::string stream_text(HPDF_Stream stream) {
    std::string text;
    HPDF_Stream_Seek(stream, 0, HPDF_SEEK_SET);
    char buffer[4096];
    for (;;) {
        HPDF_UINT size = sizeof buffer;
        const HPDF_STATUS status = HPDF_Stream_Read(stream, reinterpret_cast<HPDF_BYTE*>(buffer), &size);
        text.append(buffer, size);
        if (status != HPDF_OK) break;  // HPDF_STREAM_EOF at the end
    }
    return text;
}

}  // namespace

// Built once per process: the renderer writes the same map into every font of every PDF.
const std::string& identity_to_unicode_cmap() {
    static const std::string cmap = build_identity_to_unicode_cmap();
    return cmap;
}

bool fix_to_unicode(HPDF_Font font) {
    if (font == nullptr || font->attr == nullptr) return false;
    auto attr = static_cast<HPDF_FontAttr>(font->attr);
    HPDF_Dict map = attr->cmap_stream;
    if (map == nullptr || map->stream == nullptr || map->stream->type != HPDF_STREAM_MEMORY) return false;
    if (HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT) != map) return false;
    if (stream_text(map->stream).find("begincidrange") == std::string::npos) return false;
    HPDF_MemStream_FreeData(map->stream);
    if (HPDF_Stream_WriteStr(map->stream, identity_to_unicode_cmap().c_str()) != HPDF_OK) return false;
    // What libharu put in the stream's dictionary describes an encoding CMap; a ToUnicode
    // stream needs none of it.
    // (HPDF_Dict_RemoveElement of a key that is not there only says so: no error is raised)
    for (const char* key : {"Type", "CMapName", "CIDSystemInfo", "WMode"}) HPDF_Dict_RemoveElement(map, key);
    return true;
}

}  // namespace budget_exports::render
