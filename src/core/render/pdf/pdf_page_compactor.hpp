// Bounds PDF memory: libharu keeps every page's content stream in memory, raw, until
// HPDF_SaveToFile. A finished page is deflated right away instead, so a 2,500-page
// export holds ~1/6 of the bytes. Uses libharu 2.3 internals (hpdf_objects.h,
// hpdf_pages.h, installed public headers); skipped when a page does not look as expected.
//
// Deflates with zlib directly (one call per page, one reused z_stream) rather than through
// libharu's stream copy, and at a chosen level: libharu always uses level 6, which was
// about 40 % of a large report's render time.
#pragma once

#include <memory>

#include <hpdf.h>

namespace budget_exports::render {

class PageCompactor {
public:
    // zlib's compression level, 1 (fastest) to 9; libharu's own is 6.
    static constexpr int kDefaultLevel = 6;

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
