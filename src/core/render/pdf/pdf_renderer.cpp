#include "core/render/pdf/pdf_renderer.hpp"

#include "core/render/line_item_check.hpp"
#include "core/render/output_file_guard.hpp"
#include "core/render/pdf/pdf_sections.hpp"

namespace budget_exports::render {

void render_pdf(const report::Report& report, report::LineItemSource& items, const std::string& path,
                const PdfOptions& options) {
    require_finalized(report, "PDF");
    OutputFileGuard guard(path);
    PdfDocument document;
    const PdfFonts fonts = document.load_fonts(options.font_path, options.bold_font_path);
    const std::string title = report::report_title(report.header);
    document.set_title(title);
    const PdfLayout layout = PdfLayout::for_options(report.options);
    PdfCanvas canvas(fonts);
    PageFlow flow(document, canvas, layout, title);

    draw_title_and_summary(flow, report);
    draw_category_table(flow, report);
    if (report.options.include_timeline) draw_payment_timeline(flow, report);

    // The table is measured and paginated before it is drawn, so footers can be
    // stamped (and pages compacted) as each page is finished.
    ReplayableItems replay(items, options.tmpdir);
    LineItemsSection line_items(flow, report, replay);
    flow.set_total_pages(flow.page_count() + line_items.added_pages());
    const report::LineItemTotals streamed = line_items.draw();
    require_matching_totals(report, streamed, "PDF");
    flow.finish();
    document.save(path);
    guard.keep();
}

}  // namespace budget_exports::render
