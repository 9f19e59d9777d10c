// The parts of the PDF, drawn in order through one PageFlow.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/render/pdf/pdf_page_flow.hpp"
#include "core/render/pdf/pdf_table.hpp"
#include "core/render/replayable_items.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

// Title (couple or custom title), wedding date, generated at, filters, and the
// summary cards (total budget, spent, remaining, % used) with transaction totals.
void draw_title_and_summary(PageFlow& flow, const report::Report& report);

// Per-category table (allocated, spent, remaining, % used, status) with a bar of
// allocated vs spent per row when options.include_charts.
void draw_category_table(PageFlow& flow, const report::Report& report);

// Payments on the report date: overdue, upcoming, paid, cancelled (listed, not counted),
// each in due-date order, with notes when options.include_notes.
void draw_payment_timeline(PageFlow& flow, const report::Report& report);

// Section heading with an accent rule; keeps `keep_with_next` points of room below it.
void draw_heading(PageFlow& flow, const std::string& text, double keep_with_next);

// The paginated line-item table. Three passes over the rows: measure the columns
// (they are sized to their content; category, vendor and method wrap to two lines
// rather than being cut), count the pages (rows with wrapped text or a note are
// taller), then draw. It starts below the previous section, not on a new page.
class LineItemsSection {
public:
    LineItemsSection(PageFlow& flow, const report::Report& report, ReplayableItems& items);
    // Pages the table adds after the current one.
    int added_pages() const { return added_pages_; }
    // Draws every row and the total row; returns what was streamed.
    report::LineItemTotals draw();

private:
    struct Measure;
    struct Shape {
        std::vector<std::string> cells[4];  // category, description, vendor, method
        std::vector<std::string> notes;
        double height = 0;
    };
    void size_columns(Measure (&measures)[4]);
    Shape shape(const report::LineItem& item) const;
    int run(bool drawing, report::LineItemTotals* streamed);
    void draw_row(const report::LineItem& item, const Shape& row, std::int64_t index);
    void draw_total_row();

    PageFlow& flow_;
    const report::Report& report_;
    ReplayableItems& items_;
    std::vector<PdfColumn> columns_;
    int added_pages_ = 0;
    // Wrapped lines per text, per wrapped column (at most kMaxDistinct texts each): names
    // repeat from row to row, and every row is shaped twice (to paginate, to draw).
    mutable std::unordered_map<std::string, std::vector<std::string>> wrapped_[4];
};

}  // namespace budget_exports::render
