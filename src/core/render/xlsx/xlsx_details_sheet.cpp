#include "core/render/utf8_text.hpp"
#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {

report::LineItemTotals write_details_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet,
                                           const report::Report& report, report::LineItemSource& items) {
    using report::TransactionType;
    SheetWriter cells(sheet, kDetailsSheet, workbook.formats(), report.currency.minor_digits);
    const XlsxFormats& f = workbook.formats();
    const bool notes = report.options.include_notes;
    const DetailsLayout layout(report.line_item_totals.count);
    const lxw_col_t notes_col = 7;
    const lxw_col_t tags_col = notes ? 8 : 7;

    if (notes)
        cells.column_widths({12, 24, 42, 26, 16, 10, 14, 40, 24});
    else
        cells.column_widths({12, 24, 42, 26, 16, 10, 14, 24});
    const char* const titles[] = {"Date", "Category", "Description", "Vendor", "Payment method", "Type", "Amount"};
    for (lxw_col_t col = 0; col < 7; ++col) cells.text(layout.header_row, col, titles[col], f.header);
    if (notes) cells.text(layout.header_row, notes_col, "Notes", f.header);
    cells.text(layout.header_row, tags_col, "Tags", f.header);
    cells.freeze_header(layout.header_row);

    report::LineItemTotals streamed;
    report::LineItem item;
    lxw_row_t row = layout.header_row;
    while (items.next(item)) {
        streamed.add(item);
        ++row;
        cells.date(row, 0, item.date);
        cells.text(row, 1, item.category);
        cells.text(row, 2, item.description);
        cells.text(row, 3, item.vendor);
        cells.text(row, 4, item.payment_method);
        cells.text(row, 5, report::display_name(item.type));
        cells.money(row, 6, item.amount);
        if (notes) cells.text(row, notes_col, item.notes);
        if (!item.tags.empty()) cells.text(row, tags_col, join_tags(item.tags));
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
    const std::pair<const char*, TransactionType> rows[] = {{"Total expenses", TransactionType::expense},
                                                              {"Total refunds", TransactionType::refund},
                                                              {"Total income", TransactionType::income},
                                                              {"Total transfers", TransactionType::transfer}};
    const report::Money values[] = {totals.expenses, totals.refunds, totals.income, totals.transfers};
    row = layout.last_item_row + 2;
    for (std::size_t i = 0; i < 4; ++i, ++row) {
        cells.text(row, 2, rows[i].first, f.total_label);
        cells.money_formula(row, layout.amount_col, layout.sum_of_type(rows[i].second, false), values[i]);
    }
    return streamed;
}

}  // namespace budget_exports::render
