// Bounds PDF memory: libharu keeps every page's content stream in memory, raw, until
// HPDF_SaveToFile. A finished page is deflated right away instead, so a 2,500-page
// export holds ~1/6 of the bytes. Uses libharu 2.3 internals (hpdf_objects.h,
// hpdf_pages.h, installed public headers); skipped when a page does not look as expected.
//
// Deflates with zlib directly (one reused z_stream, the stream's buffers read in place)
// rather than through libharu's stream copy, and at level 3 instead of libharu's fixed 6:
// deflate was about 40 % of a 100k-line render at 6, 3 takes less than half of that CPU
// for files about 16 % larger (100k lines: 13.5 -> 15.7 MB). Only the compressed bytes
// differ: the page content, hence text and layout, is the same.
#pragma once

#include <memory>

#include <hpdf.h>

namespace budget_exports::render {

class PageCompactor {
public:
    // zlib's compression level, 1 (fastest) to 9; libharu's own is 6 (same bytes as libharu).
    static constexpr int kDefaultLevel = 3;

    explicit PageCompactor(int level = kDefaultLevel);
    ~PageCompactor();
    PageCompactor(const PageCompactor&) = delete;
    PageCompactor& operator=(const PageCompactor&) = delete;

    // Compresses `page`'s content now. The page must not be drawn on afterwards.
    void compact(HPDF_Page page);

private:
    struct Deflater;
    std::unique_ptr<Deflater> deflater_;
};

}  // namespace budget_exports::render
