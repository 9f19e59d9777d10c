// One entry point for the export worker: render a report in the requested format.
//
//   report::Report report = ...;            // header (with report_date), categories, milestones
//   report::add_line_item(report, row);     // for every row, as it is spooled
//   report::finalize_report(report);
//   MyCursorSource rows(portal);            // derives from report::BatchedLineItemSource
//   RenderedFile file = render("pdf", report, rows, "/tmp/export-42.pdf", {});
//   upload(file.content_type, "/tmp/export-42.pdf");
//
// Every failure is a RenderError with a message for people, and leaves no file.
#pragma once

#include <string>
#include <string_view>

#include "core/render/csv/csv_renderer.hpp"
#include "core/render/pdf/pdf_renderer.hpp"
#include "core/render/render_error.hpp"
#include "core/render/xlsx/xlsx_renderer.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

struct RenderOptions {
    CsvOptions csv;
    XlsxOptions xlsx;
    PdfOptions pdf;
};

struct RenderedFile {
    std::string content_type;  // "text/csv; charset=utf-8", ...
    std::string extension;     // "csv" | "xlsx" | "pdf" (no dot)
};

// Content type and extension for "csv" | "excel" | "pdf"; throws RenderError otherwise.
RenderedFile format_info(std::string_view format);

// Renders `report` with the rows from `items` into `path` in `format`.
RenderedFile render(std::string_view format, const report::Report& report, report::LineItemSource& items,
                    const std::string& path, const RenderOptions& options = {});

}  // namespace budget_exports::render
