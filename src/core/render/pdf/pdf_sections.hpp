// The parts of the PDF, drawn in order through one PageFlow.
#pragma once

#include "core/render/pdf/pdf_page_flow.hpp"
#include "core/render/pdf/pdf_table.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

// Title (couple or custom title), wedding date, generated at, filters, and the
// summary cards (total budget, spent, remaining, % used) with transaction totals.
void draw_title_and_summary(PageFlow& flow, const report::Report& report);

// Per-category table (allocated, spent, remaining, % used, status) with a bar of
// allocated vs spent per row when options.include_charts.
void draw_category_table(PageFlow& flow, const report::Report& report);

// Upcoming (pending, scheduled, overdue) milestones in due-date order.
void draw_payment_timeline(PageFlow& flow, const report::Report& report);

// Section heading with an accent rule; keeps `keep_with_next` points of room below it.
void draw_heading(PageFlow& flow, const std::string& text, double keep_with_next);

// The paginated line-item table. Rows have a fixed height (text is cut with an
// ellipsis) so the page count is known before the first row arrives.
class LineItemsSection {
public:
    LineItemsSection(PageFlow& flow, const report::Report& report);
    int page_count() const { return page_count_; }
    // Draws every streamed row (starting a new page) and returns what was streamed.
    report::LineItemTotals draw(report::LineItemSource& items);

private:
    void start_page(bool first);
    void draw_row(const report::LineItem& item, std::int64_t index);

    PageFlow& flow_;
    const report::Report& report_;
    std::vector<PdfColumn> columns_;
    double row_height_ = 0;
    std::int64_t rows_per_page_ = 1;
    int page_count_ = 1;
};

}  // namespace budget_exports::render
