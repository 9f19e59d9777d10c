#include "core/render/xlsx/xlsx_renderer.hpp"

#include "core/render/line_item_check.hpp"
#include "core/render/output_file_guard.hpp"
#include "core/render/replayable_items.hpp"
#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {

void render_xlsx(const report::Report& report, report::LineItemSource& items, const std::string& path,
                 const XlsxOptions& options) {
    require_finalized(report, "Excel");
    OutputFileGuard guard(path);
    XlsxWorkbook workbook(path, report, options.constant_memory, options.tmpdir);
    lxw_worksheet* summary = workbook.add_sheet(kSummarySheet);
    lxw_worksheet* details = workbook.add_sheet(kDetailsSheet);
    lxw_worksheet* schedule = workbook.add_sheet(kScheduleSheet);

    // First pass: column widths from the content; second pass: the rows.
    ReplayableItems replay(items, options.tmpdir);
    DetailsWidths widths;
    report::LineItem item;
    while (replay.items().next(item)) measure_details_columns(widths, item);
    replay.rewind();

    write_summary_sheet(workbook, summary, report);
    const report::LineItemTotals streamed = write_details_sheet(workbook, details, report, replay.items(), widths);
    require_matching_totals(report, streamed, "Excel");
    write_schedule_sheet(workbook, schedule, report);
    workbook.close();
    guard.keep();
}

}  // namespace budget_exports::render
