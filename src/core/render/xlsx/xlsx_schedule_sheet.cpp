#include "core/render/utf8_text.hpp"
#include "core/render/xlsx/xlsx_row_height.hpp"
#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {

void write_schedule_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, const report::Report& report) {
    using report::PaymentState;
    SheetWriter cells(sheet, kScheduleSheet, workbook.formats(), report.currency.minor_digits);
    const XlsxFormats& f = workbook.formats();
    const bool notes = report.options.include_notes;
    std::size_t category_chars = 10, name_chars = 12, notes_chars = 8;
    bool category_breaks = false, name_breaks = false, notes_break = false;
    for (const report::Milestone& m : report.milestones) {
        category_chars = std::max(category_chars, count_characters(m.category));
        name_chars = std::max(name_chars, count_characters(m.name));
        notes_chars = std::max(notes_chars, count_characters(m.notes));
        category_breaks = category_breaks || has_line_break(m.category);
        name_breaks = name_breaks || has_line_break(m.name);
        notes_break = notes_break || has_line_break(m.notes);
    }
    // Widths that fit the longest value (within limits; a longer text, or one with a line
    // break, wraps).
    constexpr double kCategoryWidth = 40, kNameWidth = 50, kNotesWidth = 60;
    const auto width = [](std::size_t chars, double maximum) { return std::min(static_cast<double>(chars) + 2, maximum); };
    // the status and the notes follow dates: indented, and that much wider
    std::vector<double> widths = {width(category_chars, kCategoryWidth), width(name_chars, kNameWidth), 14, 14, 22, 14};
    if (notes) widths.push_back(width(notes_chars, kNotesWidth) + kIndentChars);
    cells.column_widths(widths);
    const bool categories_wrap = category_chars + 2 > kCategoryWidth || category_breaks;
    const bool names_wrap = name_chars + 2 > kNameWidth || name_breaks;
    const bool notes_wrap = notes && (notes_chars + 2 > kNotesWidth || notes_break);

    const std::string state_title =
        report.header.report_date ? "Status on " + report::format_short(*report.header.report_date) : "Status";
    const std::string titles[] = {"Category", "Milestone", "Amount", "Due date", state_title, "Paid date", "Notes"};
    const lxw_col_t columns = notes ? 7 : 6;
    for (lxw_col_t col = 0; col < columns; ++col)
        cells.text(0, col, titles[col],
                   col == ScheduleLayout::amount_col || col == ScheduleLayout::due_col || col == ScheduleLayout::paid_col
                       ? f.header_right
                   : col == ScheduleLayout::state_col || col == ScheduleLayout::notes_col ? f.header_after_number
                                                                                           : f.header);
    cells.freeze_header(0);
    cells.print_setup(0, 0);

    lxw_row_t row = 0;
    std::string scratch;
    for (const report::Milestone& milestone : report.milestones) {
        ++row;
        std::size_t lines = categories_wrap ? cell_lines(milestone.category, widths[0], scratch) : 1;
        if (names_wrap) lines = std::max(lines, cell_lines(milestone.name, widths[1], scratch));
        if (notes_wrap) lines = std::max(lines, cell_lines(milestone.notes, widths[ScheduleLayout::notes_col] - kIndentChars, scratch));
        if (lines > 1) cells.row_height(row, row_points(lines));
        const XlsxFormats::RowStyle& style = f.row(milestone.state == PaymentState::overdue, lines > 1);
        cells.text(row, 0, milestone.category, categories_wrap ? style.wrap : style.text);
        cells.text(row, 1, milestone.name, names_wrap ? style.wrap : style.text);
        cells.money(row, ScheduleLayout::amount_col, milestone.amount, style.money);
        cells.date(row, ScheduleLayout::due_col, milestone.due_date, style.date);
        cells.text(row, ScheduleLayout::state_col, report::display_name(milestone.state), style.text_after_number);
        cells.date(row, ScheduleLayout::paid_col, milestone.paid_date, style.date);
        if (notes) cells.text(row, ScheduleLayout::notes_col, milestone.notes, style.text_cell(notes_wrap, true));
    }
    if (report.milestones.empty()) {
        cells.text(1, 0, "No payment milestones yet");
        return;
    }
    const lxw_row_t last = row;
    cells.autofilter(0, 0, last, columns - 1);

    const std::string states = range_ref(1, ScheduleLayout::state_col, last);
    const std::string amounts = range_ref(1, ScheduleLayout::amount_col, last);
    const report::MilestoneTotals& totals = report.milestone_totals;
    row = last + 2;
    const struct {
        const char* label;
        const char* criterion;
        report::Money value;
        bool bold;
    } rows[] = {{"Total due (excluding cancelled)", "<>Cancelled", totals.total_due, true},
                {"Paid", "Paid", totals.paid, false},
                {"Overdue", "Overdue", totals.overdue, false},
                {"Upcoming", "Upcoming", totals.upcoming, false},
                {"Cancelled (not counted)", "Cancelled", totals.cancelled, false}};
    for (const auto& r : rows) {
        cells.text(row, 1, r.label, r.bold ? f.total_label : f.label);
        cells.money_formula(row++, ScheduleLayout::amount_col,
                            "=SUMIF(" + states + ",\"" + r.criterion + "\"," + amounts + ")", r.value,
                            r.bold ? f.money_total : f.money);
    }
}

}  // namespace budget_exports::render
