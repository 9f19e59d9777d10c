// PDF export (libharu 2.3): title with the couple's names and the wedding date,
// summary cards, per-category table with an allocated-vs-spent bar chart
// (options.include_charts), upcoming payment timeline (options.include_timeline),
// then every line item in a paginated table with repeated headers, and
// "Page n of m" on every page. Text is UTF-8 through an embedded TrueType font
// (DejaVu Sans by default), so "Zoë & José" and €, £, ¥ render.
//
// Memory: rows are streamed; each finished page is deflated at once (see
// pdf_page_compactor.hpp), so memory grows by roughly 1-2 KB per page.
#pragma once

#include <string>

#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

struct PdfOptions {
    std::string font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    // "" = use font_path for bold text too.
    std::string bold_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    // Where a copy of the line items goes when the source cannot be read twice; "" = $TMPDIR or /tmp.
    std::string tmpdir;
};

// Streams `items` into `path`. Throws RenderError (and removes `path`) on failure:
// unreadable font, unwritable path, rows not matching report.line_item_totals...
void render_pdf(const report::Report& report, report::LineItemSource& items, const std::string& path,
                const PdfOptions& options = {});

}  // namespace budget_exports::render
