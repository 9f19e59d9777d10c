#include <algorithm>
#include <array>

#include "core/render/utf8_text.hpp"
#include "core/render/xlsx/xlsx_row_height.hpp"
#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {
namespace {

// The texts of `item` in the Details text columns' order (DetailsText); `tags` is its tags joined.
std::array<std::string_view, kDetailsTexts> details_texts(const report::LineItem& item, const std::string& tags) {
    return {item.category, item.description, item.vendor, item.payment_method, item.notes, tags};
}

}  // namespace

void measure_details_columns(DetailsWidths& widths, const report::LineItem& item) {
    const std::string tags = join_tags(item.tags);
    const auto texts = details_texts(item, tags);
    for (std::size_t i = 0; i < kDetailsTexts; ++i) {
        widths.chars[i] = std::max(widths.chars[i], count_characters(texts[i]));
        widths.breaks[i] = widths.breaks[i] || has_line_break(texts[i]);
    }
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

    // Each text column is as wide as its longest text, within limits; a longer text, or
    // one with a line break, wraps. The first text column right of a number column (the
    // date, the amounts) is indented, and that much wider.
    struct TextColumn {
        lxw_col_t col;
        double minimum, maximum;
        bool after_number = false;
        double width = 0;  // of its text, without the indent
        bool wraps = false;
    };
    TextColumn text_columns[kDetailsTexts] = {{1, 10, 40, true},        {2, 14, 60},
                                              {3, 10, 40},              {4, 16, 30},
                                              {notes_col, 8, 60, notes}, {tags_col, 6, 40, !notes}};
    std::vector<double> widths = {12, 0, 0, 0, 0, 10, 14, 14};
    widths.resize(static_cast<std::size_t>(tags_col) + 1);
    for (std::size_t i = 0; i < kDetailsTexts; ++i) {
        TextColumn& column = text_columns[i];
        if (i == kNotesText && !notes) continue;
        const double wanted = static_cast<double>(measured.chars[i]) + 2;
        column.width = std::clamp(wanted, column.minimum, column.maximum);
        column.wraps = wanted > column.maximum || measured.breaks[i];
        widths[column.col] = column.width + (column.after_number ? kIndentChars : 0);
    }
    cells.column_widths(widths);
    bool any_wraps = false;
    for (const TextColumn& column : text_columns) any_wraps = any_wraps || column.wraps;

    const char* const titles[] = {"Date", "Category", "Description", "Vendor", "Payment method", "Type", "Amount",
                                  "Spent"};
    // right-aligned over numbers, indented over an indented text column
    const auto header_of = [&](lxw_col_t col) {
        if (col == DetailsLayout::date_col || col == DetailsLayout::amount_col || col == DetailsLayout::spent_col)
            return f.header_right;
        for (const TextColumn& column : text_columns)
            if (column.col == col && column.after_number) return f.header_after_number;
        return f.header;
    };
    for (lxw_col_t col = 0; col < 8; ++col) cells.text(layout.header_row, col, titles[col], header_of(col));
    if (notes) cells.text(layout.header_row, notes_col, "Notes", header_of(notes_col));
    cells.text(layout.header_row, tags_col, "Tags", header_of(tags_col));
    cells.freeze_header(layout.header_row);
    cells.print_setup(layout.header_row, layout.header_row);

    report::LineItemTotals streamed;
    report::LineItem item;
    lxw_row_t row = layout.header_row;
    std::string tags;
    std::string scratch;
    while (items.next(item)) {
        streamed.add(item);
        ++row;
        tags = join_tags(item.tags);
        const auto texts = details_texts(item, tags);
        // A taller row is set before its first cell, and all its cells align at the top.
        std::size_t lines = 1;
        if (any_wraps) {
            for (std::size_t i = 0; i < kDetailsTexts && lines < kMaxRowLines; ++i)
                if (text_columns[i].wraps) lines = std::max(lines, cell_lines(texts[i], text_columns[i].width, scratch));
            if (lines > 1) cells.row_height(row, row_points(lines));
        }
        const XlsxFormats::RowStyle& style = f.row(false, lines > 1);
        cells.date(row, DetailsLayout::date_col, item.date, style.date);
        for (std::size_t i = 0; i < kDetailsTexts; ++i) {
            // An empty cell of a Details row shows nothing whatever its format (indent,
            // wrap, top alignment; these rows are never shaded): not written. A blank per
            // row without notes made the 100k-line sheet 2 MB larger and its render 9 % slower.
            if ((i == kNotesText && !notes) || texts[i].empty()) continue;
            const TextColumn& column = text_columns[i];
            cells.text(row, column.col, texts[i], style.text_cell(column.wraps, column.after_number));
        }
        cells.text(row, DetailsLayout::type_col, report::display_name(item.type), style.text);
        cells.money(row, DetailsLayout::amount_col, item.amount, style.money);
        cells.money(row, DetailsLayout::spent_col, report::spent_contribution(item), style.money);
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
