// CSV export: one table of line items (RFC 4180, UTF-8, CRLF).
//
// Only line items go into the CSV: one header row and one record per transaction, so
// sorting, filtering and pivot tables work without a "record type" column getting in
// the way. Categories, milestones and totals live in the Excel and PDF exports.
//
// Columns: Date (YYYY-MM-DD), Category, Description, Vendor, Payment method, Type
// (expense|income|transfer|refund), Amount (as recorded, plain decimal, e.g. 1234.50,
// never prefixed), Spent (signed: the expense's amount, minus a refund's, 0 for income
// and transfers, so SUM(Spent) is the report's Spent), Currency (ISO code), Notes (only
// with options.include_notes), Tags ("a; b").
#pragma once

#include <string>

#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

struct CsvOptions {
    bool byte_order_mark = true;  // lets Excel detect UTF-8 (accents) on double-click
};

// Streams `items` into `path`. Throws RenderError (and removes `path`) on any failure,
// including rows that do not add up to report.line_item_totals.
void render_csv(const report::Report& report, report::LineItemSource& items, const std::string& path,
                const CsvOptions& options = {});

}  // namespace budget_exports::render
