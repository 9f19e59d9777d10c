// Bounds PDF memory: libharu keeps every page's content stream in memory, raw, until
// HPDF_SaveToFile. A finished page is deflated right away instead, so a 2,500-page
// export holds ~1/6 of the bytes. Uses libharu 2.3 internals (hpdf_objects.h,
// hpdf_pages.h, installed public headers); skipped when a page does not look as expected.
#pragma once

#include <hpdf.h>

namespace budget_exports::render {

// Compresses `page`'s content now. The page must not be drawn on afterwards.
void compact_page(HPDF_Page page);

}  // namespace budget_exports::render
