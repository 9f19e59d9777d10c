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

// Deflates `raw` into a scratch stream, then copies it into a stream whose single
// buffer has exactly the compressed size (memory streams grow in fixed-size chunks,
// which would otherwise waste up to a chunk per page).
HPDF_Stream deflate_to_fitted_stream(HPDF_MMgr mmgr, HPDF_Stream raw) {
    HPDF_Stream scratch = HPDF_MemStream_New(mmgr, 16384);
    if (scratch == nullptr) return nullptr;
    HPDF_Stream fitted = nullptr;
    if (HPDF_Stream_WriteToStream(raw, scratch, HPDF_STREAM_FILTER_FLATE_DECODE, nullptr) == HPDF_OK) {
        const HPDF_UINT32 size = HPDF_Stream_Size(scratch);
        fitted = HPDF_MemStream_New(mmgr, size > 0 ? size : 1);
        if (fitted != nullptr && HPDF_Stream_WriteToStream(scratch, fitted, HPDF_STREAM_FILTER_NONE, nullptr) != HPDF_OK) {
            HPDF_Stream_Free(fitted);
            fitted = nullptr;
        }
    }
    HPDF_Stream_Free(scratch);
    return fitted;
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
    HPDF_Stream deflated = deflate_to_fitted_stream(contents->mmgr, raw);
    if (deflated == nullptr) {
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
