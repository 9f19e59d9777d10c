#include "core/render/pdf/pdf_page_compactor.hpp"

#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

namespace budget_exports::render {
namespace {

// The stream is stored deflated and written verbatim (filter NONE), so the
// /Filter entry that libharu would otherwise add has to be written by hand.
HPDF_STATUS write_flate_filter_entry(HPDF_Dict, HPDF_Stream stream) {
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

}  // namespace

void compact_page(HPDF_Page page) {
    if (page == nullptr || page->attr == nullptr) return;
    HPDF_PageAttr attr = static_cast<HPDF_PageAttr>(page->attr);
    HPDF_Dict contents = attr->contents;
    if (contents == nullptr || contents->stream == nullptr || contents->write_fn != nullptr ||
        contents->filter != HPDF_STREAM_FILTER_FLATE_DECODE || attr->stream != contents->stream)
        return;  // not the layout this was written for: leave the page to libharu

    HPDF_Stream raw = contents->stream;
    HPDF_Stream deflated = HPDF_MemStream_New(contents->mmgr, 4096);
    if (deflated == nullptr) return;
    if (HPDF_Stream_WriteToStream(raw, deflated, HPDF_STREAM_FILTER_FLATE_DECODE, nullptr) != HPDF_OK) {
        HPDF_Stream_Free(deflated);
        HPDF_Error_Reset(contents->error);  // keep the uncompressed page, it still saves fine
        return;
    }
    contents->stream = deflated;
    attr->stream = deflated;
    contents->filter = HPDF_STREAM_FILTER_NONE;
    contents->write_fn = write_flate_filter_entry;
    HPDF_Stream_Free(raw);
}

}  // namespace budget_exports::render
