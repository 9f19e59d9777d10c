#include <algorithm>

#include "core/render/utf8_text.hpp"
#include "core/render/xlsx/xlsx_row_height.hpp"
#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {
namespace {

// Characters (code points) of `text`: what Excel's column width counts.
std::size_t characters(std::string_view text) {
    std::size_t count = 0;
    for (char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
    return count;
}

}  // namespace

void measure_details_columns(DetailsWidths& widths, const report::LineItem& item) {
    widths.category = std::max(widths.category, characters(item.category));
    widths.description = std::max(widths.description, characters(item.description));
    widths.vendor = std::max(widths.vendor, characters(item.vendor));
    widths.method = std::max(widths.method, characters(item.payment_method));
    widths.notes = std::max(widths.notes, characters(item.notes));
    widths.description_breaks = widths.description_breaks || has_line_break(item.description);
    widths.notes_break = widths.notes_break || has_line_break(item.notes);
    widths.tags = std::max(widths.tags, characters(join_tags(item.tags)));
}

report::LineItemTotals write_details_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet,
                                           const report::Report& report, report::LineItemSource& items,
                                           const DetailsWidths& measured) {
    using report::TransactionType;
    SheetWriter cells(sheet, kDetailsSheet, workbook.formats(), report.currency.minor_digits);
    const XlsxFormats& f = workbook.formats();
    const bool notes = report.options.include_notes;
    const DetailsLayout layout(report.line_item_totals.count);
    const lxw_col_t notes_col = 8;
    const lxw_col_t tags_col = notes ? 9 : 8;

    // Widths that fit the longest value (within limits; longer text wraps).
    constexpr std::size_t kLongText = 60;
    const auto width = [](std::size_t chars, double minimum, double maximum) {
        return std::clamp(static_cast<double>(chars) + 2, minimum, maximum);
    };
    std::vector<double> widths = {12,
                                  width(measured.category, 10, 40),
                                  width(measured.description, 14, kLongText),
                                  width(measured.vendor, 10, 40),
                                  width(measured.method, 16, 30),
                                  10,
                                  14,
                                  14};
    if (notes) widths.push_back(width(measured.notes, 8, kLongText));
    widths.push_back(width(measured.tags, 6, 40));
    cells.column_widths(widths);
    const bool description_wraps = measured.description + 2 > kLongText || measured.description_breaks;
    const bool notes_wrap = notes && (measured.notes + 2 > kLongText || measured.notes_break);

    const char* const titles[] = {"Date", "Category", "Description", "Vendor", "Payment method", "Type", "Amount",
                                  "Spent"};
    for (lxw_col_t col = 0; col < 8; ++col)
        cells.text(layout.header_row, col, titles[col], col == 6 || col == 7 ? f.header_right : f.header);
    if (notes) cells.text(layout.header_row, notes_col, "Notes", f.header);
    cells.text(layout.header_row, tags_col, "Tags", f.header);
    cells.freeze_header(layout.header_row);
    cells.print_setup(layout.header_row, layout.header_row);

    // Lines the wrapped cells of `item` take (1 when no column wraps).
    std::string scratch;
    const auto lines = [&](const report::LineItem& line) {
        std::size_t count = description_wraps ? cell_lines(line.description, widths[2], scratch) : 1;
        if (notes_wrap && count < kMaxRowLines) count = std::max(count, cell_lines(line.notes, widths[notes_col], scratch));
        return count;
    };

    report::LineItemTotals streamed;
    report::LineItem item;
    lxw_row_t row = layout.header_row;
    while (items.next(item)) {
        streamed.add(item);
        ++row;
        // A taller row is set before its first cell, and all its cells align at the top.
        const std::size_t row_lines = description_wraps || notes_wrap ? lines(item) : 1;
        if (row_lines > 1) cells.row_height(row, row_points(row_lines));
        const XlsxFormats::RowStyle& style = f.row(false, row_lines > 1);
        cells.date(row, 0, item.date, style.date);
        cells.text(row, 1, item.category, style.text);
        cells.text(row, 2, item.description, description_wraps ? style.wrap : style.text);
        cells.text(row, 3, item.vendor, style.text);
        cells.text(row, 4, item.payment_method, style.text);
        cells.text(row, 5, report::display_name(item.type), style.text);
        cells.money(row, 6, item.amount, style.money);
        cells.money(row, 7, report::spent_contribution(item), style.money);
        if (notes) cells.text(row, notes_col, item.notes, notes_wrap ? style.wrap : style.text);
        if (!item.tags.empty()) cells.text(row, tags_col, join_tags(item.tags), style.text);
    }
    // The renderer compares `streamed` with the promised totals; stop before writing
    // totals rows that would point at the wrong range.
    if (streamed.count != report.line_item_totals.count) return streamed;

    if (!layout.has_items) {
        cells.autofilter(layout.header_row, 0, layout.header_row, tags_col);  // before row 2: constant_memory
        cells.text(layout.first_item_row, 0, "No transactions match these filters");
        return streamed;
    }
    cells.autofilter(layout.header_row, 0, layout.last_item_row, tags_col);

    const report::LineItemTotals& totals = report.line_item_totals;
    row = layout.last_item_row + 2;
    cells.text(row, 2, "Spent (expenses - refunds)", f.total_label);
    cells.money_formula(row++, DetailsLayout::spent_col, layout.sum_of_spent(false), totals.net_spent());
    const std::pair<const char*, TransactionType> rows[] = {{"Total expenses", TransactionType::expense},
                                                              {"Total refunds", TransactionType::refund},
                                                              {"Total income (not spent)", TransactionType::income},
                                                              {"Total transfers (not spent)", TransactionType::transfer}};
    const report::Money values[] = {totals.expenses, totals.refunds, totals.income, totals.transfers};
    for (std::size_t i = 0; i < 4; ++i, ++row) {
        cells.text(row, 2, rows[i].first, f.label);
        cells.money_formula(row, layout.amount_col, layout.sum_of_type(rows[i].second, false), values[i], f.money);
    }
    return streamed;
}

}  // namespace budget_exports::render
