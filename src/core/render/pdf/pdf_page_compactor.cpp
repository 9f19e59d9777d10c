#include "core/render/pdf/pdf_page_compactor.hpp"

#include <vector>

#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <zlib.h>

namespace budget_exports::render {
namespace {

// The stream is stored deflated and written verbatim (filter NONE), so the
// /Filter entry that libharu would otherwise add has to be written by hand.
HPDF_STATUS write_flate_filter_entry(HPDF_Dict, HPDF_Stream stream) {
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

}  // namespace

// One z_stream for the whole document (deflateReset between pages), with its output buffer.
struct PageCompactor::Deflater {
    z_stream stream{};
    bool ready = false;
    std::vector<unsigned char> out;

    explicit Deflater(int level) { ready = deflateInit(&stream, level) == Z_OK; }
    ~Deflater() {
        if (ready) deflateEnd(&stream);
    }

    // The memory stream's buffers, deflated in zlib format (header and Adler-32) as
    // libharu writes it; nullptr on failure.
    const std::vector<unsigned char>* deflate_all(HPDF_Stream raw) {
        if (!ready || deflateReset(&stream) != Z_OK) return nullptr;
        out.resize(deflateBound(&stream, HPDF_Stream_Size(raw)));
        stream.next_out = out.data();
        stream.avail_out = static_cast<uInt>(out.size());
        const HPDF_UINT buffers = HPDF_MemStream_GetBufCount(raw);
        for (HPDF_UINT i = 0; i < buffers; ++i) {
            HPDF_UINT length = 0;
            HPDF_BYTE* data = HPDF_MemStream_GetBufPtr(raw, i, &length);
            if (data == nullptr) return nullptr;
            if (length == 0) continue;
            stream.next_in = data;
            stream.avail_in = length;
            if (::deflate(&stream, Z_NO_FLUSH) != Z_OK || stream.avail_in != 0) return nullptr;
        }
        if (::deflate(&stream, Z_FINISH) != Z_STREAM_END) return nullptr;
        out.resize(stream.total_out);
        return &out;
    }
};

PageCompactor::PageCompactor(int level) : deflater_(std::make_unique<Deflater>(level)) {}

PageCompactor::~PageCompactor() = default;

void PageCompactor::compact(HPDF_Page page) {
    if (page == nullptr || page->attr == nullptr) return;
    HPDF_PageAttr attr = static_cast<HPDF_PageAttr>(page->attr);
    HPDF_Dict contents = attr->contents;
    if (contents == nullptr || contents->stream == nullptr || contents->write_fn != nullptr ||
        contents->filter != HPDF_STREAM_FILTER_FLATE_DECODE || attr->stream != contents->stream ||
        contents->stream->type != HPDF_STREAM_MEMORY)
        return;  // not the layout this was written for: leave the page to libharu

    HPDF_Stream raw = contents->stream;
    const std::vector<unsigned char>* packed = deflater_->deflate_all(raw);
    // A stream whose single buffer has exactly the compressed size (memory streams grow
    // in fixed-size chunks, which would otherwise waste up to a chunk per page).
    HPDF_Stream fitted = packed == nullptr ? nullptr
                                           : HPDF_MemStream_New(contents->mmgr, packed->empty() ? 1 : packed->size());
    if (fitted == nullptr || HPDF_Stream_Write(fitted, packed->data(), static_cast<HPDF_UINT>(packed->size())) != HPDF_OK) {
        if (fitted != nullptr) HPDF_Stream_Free(fitted);
        HPDF_Error_Reset(contents->error);
        return;
    }
    contents->stream = fitted;
    attr->stream = fitted;
    contents->filter = HPDF_STREAM_FILTER_NONE;
    contents->write_fn = write_flate_filter_entry;
    HPDF_Stream_Free(raw);
}

}  // namespace budget_exports::render
