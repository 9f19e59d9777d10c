// Excel export (libxlsxwriter): sheets "Summary" (header, budget summary, categories
// with live SUM totals, transaction totals), "Details" (every line item, streamed;
// SUMIF totals below) and "Payment Schedule" (milestones with totals).
// Money cells carry a currency number format with the report's symbol, dates are
// real Excel dates, headers are frozen and filterable, over-budget categories and
// overdue milestones are shaded. Formulas carry cached values equal to the model's.
#pragma once

#include <string>

#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

struct XlsxOptions {
    // Flat memory whatever the row count (rows go to temp files as they are written).
    // Strings are then stored inline rather than in the shared-string table.
    bool constant_memory = true;
    std::string tmpdir;  // where libxlsxwriter keeps its temp files; "" = system default
};

// Streams `items` into `path`. Throws RenderError (and removes `path`) on failure,
// including rows that do not add up to report.line_item_totals.
void render_xlsx(const report::Report& report, report::LineItemSource& items, const std::string& path,
                 const XlsxOptions& options = {});

}  // namespace budget_exports::render
