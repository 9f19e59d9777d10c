#include <algorithm>

#include "core/render/render_error.hpp"
#include "core/render/utf8_text.hpp"
#include "core/render/xlsx/xlsx_row_height.hpp"
#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {
namespace {

using report::BudgetStatus;
using report::Money;
using report::TransactionType;

double ratio(Money spent, Money allocated) {
    return allocated.minor_units > 0 ? static_cast<double>(spent.minor_units) / allocated.minor_units : 0.0;
}

// % used as a live formula; empty text when there is nothing to divide by, and so is the
// value the file caches (what a spreadsheet that does not recalculate on load shows).
void percent_formula(SheetWriter& cells, lxw_row_t row, lxw_col_t col, const std::string& allocated,
                     const std::string& spent, Money spent_value, Money allocated_value, lxw_format* format) {
    const std::string formula = "=IF(" + allocated + "<=0,\"\"," + spent + "/" + allocated + ")";
    if (allocated_value.minor_units <= 0)
        cells.formula_text(row, col, formula, "", format);
    else
        cells.formula(row, col, formula, ratio(spent_value, allocated_value), format);
}

// `text` as lines of at most `width` characters, breaking at spaces, so a long
// sentence gets rows of its own instead of being cut by the print area.
std::vector<std::string> wrap_words(const std::string& text, std::size_t width) {
    const std::string clean = clean_line(text);
    std::vector<std::string> lines;
    std::string line;
    std::size_t line_chars = 0;
    std::size_t position = 0;
    while (position <= clean.size()) {
        std::size_t space = clean.find(' ', position);
        if (space == std::string::npos) space = clean.size();
        const std::string word = clean.substr(position, space - position);
        const std::size_t word_chars = count_characters(word);
        if (!line.empty() && line_chars + 1 + word_chars > width) {
            lines.push_back(line);
            line.clear();
            line_chars = 0;
        }
        line += (line.empty() ? "" : " ") + word;
        line_chars += (line_chars ? 1 : 0) + word_chars;
        position = space + 1;
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

lxw_row_t write_lines(SheetWriter& cells, lxw_row_t row, const std::vector<std::string>& lines, lxw_format* format) {
    for (const std::string& line : lines) cells.text(row++, 0, line, format);
    return row;
}

constexpr std::size_t kLineChars = 100;  // the printed width of columns A..F, roughly
constexpr double kCategoryWidth = 40;    // column A: labels, category names

lxw_row_t write_header_block(SheetWriter& cells, const report::Report& report) {
    const XlsxFormats& f = cells.formats();
    const report::ReportHeader& header = report.header;
    // The title on at most two rows of its own, so printing never cuts it.
    lxw_row_t row = write_lines(cells, 0, wrap_words(report::report_title(header), 70), f.title);
    row = std::max<lxw_row_t>(row, 2);
    const std::string couple = report::couple_names(header);
    if (!couple.empty()) {
        cells.text(row, 0, "Couple", f.label);
        cells.text(row++, 1, couple);
    }
    if (header.wedding_date) {
        cells.text(row, 0, "Wedding date", f.label);
        cells.date(row++, 1, header.wedding_date, f.date_left);
    }
    cells.text(row, 0, "Currency", f.label);
    cells.text(row++, 1, report.currency.code);
    cells.text(row, 0, "Generated", f.label);
    cells.text(row++, 1, header.generated_at);
    cells.text(row, 0, "Report date", f.label);
    cells.date(row++, 1, header.report_date, f.date_left);
    cells.text(row, 0, "Scope", f.label);
    cells.text(row++, 1, header.filters_summary.empty() ? "Whole budget" : header.filters_summary);
    return row + 1;
}

lxw_row_t write_transaction_totals(SheetWriter& cells, lxw_row_t row, const report::Report& report) {
    const XlsxFormats& f = cells.formats();
    const report::LineItemTotals& totals = report.line_item_totals;
    const DetailsLayout details(totals.count);
    cells.text(row, 0, "Transactions", f.header);
    cells.text(row++, 1, "", f.header);
    cells.text(row, 0, "Count", f.label);
    cells.number(row++, 1, static_cast<double>(totals.count));
    if (!details.has_items) {
        cells.text(row++, 0, "No transactions match these filters");
        return row + 1;
    }
    const std::pair<const char*, TransactionType> rows[] = {{"Expenses", TransactionType::expense},
                                                              {"Refunds", TransactionType::refund},
                                                              {"Income (listed, not spent)", TransactionType::income},
                                                              {"Transfers (listed, not spent)", TransactionType::transfer}};
    const Money values[] = {totals.expenses, totals.refunds, totals.income, totals.transfers};
    const lxw_row_t expenses_row = row;
    for (std::size_t i = 0; i < 4; ++i) {
        cells.text(row, 0, rows[i].first, f.label);
        cells.money_formula(row++, 1, details.sum_of_type(rows[i].second, true), values[i], f.money);
    }
    cells.text(row, 0, "Spent (expenses - refunds)", f.label);
    cells.money_formula(row++, 1, "=" + cell_ref(expenses_row, 1) + "-" + cell_ref(expenses_row + 1, 1),
                        totals.net_spent());
    return row + 1;
}

// Payment totals as SUMIF formulas over the Payment Schedule sheet (written later).
lxw_row_t write_payment_totals(SheetWriter& cells, lxw_row_t row, const report::Report& report) {
    const XlsxFormats& f = cells.formats();
    std::string heading = "Payments";
    if (report.header.report_date) heading += " (status on " + report::format_long(*report.header.report_date) + ")";
    cells.text(row, 0, heading, f.header);
    cells.text(row++, 1, "", f.header_right);
    if (report.milestones.empty()) {
        cells.text(row++, 0, "No payment milestones yet");
        return row + 1;
    }
    const lxw_row_t last = static_cast<lxw_row_t>(report.milestones.size());
    const std::string sheet = std::string("'") + kScheduleSheet + "'!";
    const std::string states = sheet + range_ref(1, ScheduleLayout::state_col, last);
    const std::string amounts = sheet + range_ref(1, ScheduleLayout::amount_col, last);
    const report::MilestoneTotals& m = report.milestone_totals;
    const struct {
        const char* label;
        const char* criterion;
        Money value;
        bool bold;
    } rows[] = {{"Total due (excluding cancelled)", "<>Cancelled", m.total_due, true},
                {"Paid", "Paid", m.paid, false},
                {"Overdue (due before the report date)", "Overdue", m.overdue, false},
                {"Upcoming (due on or after it)", "Upcoming", m.upcoming, false},
                {"Cancelled (listed, not counted)", "Cancelled", m.cancelled, false}};
    for (const auto& r : rows) {
        cells.text(row, 0, r.label, r.bold ? f.total_label : f.label);
        cells.money_formula(row++, 1, "=SUMIF(" + states + ",\"" + r.criterion + "\"," + amounts + ")", r.value,
                            r.bold ? f.money_total : f.money);
    }
    return row + 1;
}

}  // namespace

std::string DetailsLayout::sum_of_type(report::TransactionType type, bool from_other_sheet) const {
    const std::string sheet = from_other_sheet ? std::string(kDetailsSheet) + "!" : "";
    return "=SUMIF(" + sheet + range_ref(first_item_row, type_col, last_item_row) + ",\"" +
           report::display_name(type) + "\"," + sheet + range_ref(first_item_row, amount_col, last_item_row) + ")";
}

std::string DetailsLayout::sum_of_spent(bool from_other_sheet) const {
    if (!has_items) return "=0";
    const std::string sheet = from_other_sheet ? std::string(kDetailsSheet) + "!" : "";
    return "=SUM(" + sheet + range_ref(first_item_row, spent_col, last_item_row) + ")";
}

void write_summary_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, const report::Report& report) {
    SheetWriter cells(sheet, kSummarySheet, workbook.formats(), report.currency.minor_digits);
    const XlsxFormats& f = workbook.formats();
    cells.column_widths({kCategoryWidth, 16, 16, 16, 10, 16});
    cells.print_setup(1, 0);
    const report::BudgetTotals& budget = report.budget_totals;
    const DetailsLayout details(report.line_item_totals.count);
    lxw_row_t row = write_header_block(cells, report);

    // Rows are written strictly top to bottom (constant_memory), and the summary's
    // formulas point at the category table below it: lay everything out first.
    const bool over_allocated = budget.over_allocated.minor_units > 0;
    std::vector<std::string> note_lines;
    for (const std::string& note : report.scope_notes)
        for (std::string& line : wrap_words(note, kLineChars)) note_lines.push_back(std::move(line));
    const lxw_row_t summary_header = row;
    const lxw_row_t budget_row = summary_header + 1;
    const lxw_row_t allocated_row = budget_row + 1;
    const lxw_row_t over_row = allocated_row + 1;
    const lxw_row_t spent_row = allocated_row + (over_allocated ? 2 : 1);
    const lxw_row_t remaining_row = spent_row + 1;
    const lxw_row_t percent_row = remaining_row + 1;
    const lxw_row_t notes_row = percent_row + 1;
    const lxw_row_t payments_row = notes_row + static_cast<lxw_row_t>(note_lines.size()) + 1;
    const lxw_row_t payments_rows = report.milestones.empty() ? 3 : 7;
    const lxw_row_t category_header = payments_row + payments_rows;
    const lxw_row_t first_category = category_header + 1;
    const std::size_t category_count = report.categories.size();
    const lxw_row_t totals_row = first_category + static_cast<lxw_row_t>(category_count);
    const std::string budget_ref = cell_ref(budget_row, 1);
    const std::string allocated_ref = cell_ref(allocated_row, 1);
    const std::string spent_ref = cell_ref(spent_row, 1);

    cells.text(summary_header, 0, "Budget summary", f.header);
    cells.text(summary_header, 1, "", f.header_right);
    cells.text(budget_row, 0, report::budget_label(budget.basis), f.label);
    if (budget.basis == report::BudgetBasis::total_budget)
        cells.money(budget_row, 1, budget.budget, f.money);
    else
        cells.money_formula(budget_row, 1, "=" + cell_ref(totals_row, 1), budget.budget, f.money);
    cells.text(allocated_row, 0, "Allocated (sum of category allocations)", f.label);
    cells.money_formula(allocated_row, 1, "=" + cell_ref(totals_row, 1), budget.allocated, f.money);
    if (over_allocated) {
        cells.text(over_row, 0, "Over-allocated by", f.alert_text);
        cells.money_formula(over_row, 1, "=" + allocated_ref + "-" + budget_ref, budget.over_allocated, f.alert_money);
    }
    cells.text(spent_row, 0, "Spent (expenses - refunds)", f.label);
    cells.money_formula(spent_row, 1, details.sum_of_spent(true), budget.spent, f.money);
    const bool over = budget.status == BudgetStatus::over;
    cells.text(remaining_row, 0, "Remaining (budget - spent)", f.label);
    cells.money_formula(remaining_row, 1, "=" + budget_ref + "-" + spent_ref, budget.remaining,
                        over ? f.alert_money : f.money);
    cells.text(percent_row, 0, "% used (spent / budget)", f.label);
    percent_formula(cells, percent_row, 1, budget_ref, spent_ref, budget.spent, budget.budget,
                    over ? f.alert_percent : f.percent);
    write_lines(cells, notes_row, note_lines, f.note);

    row = write_payment_totals(cells, payments_row, report);
    if (row != category_header) throw RenderError("Excel: internal layout error in the Summary sheet");

    row = category_header;
    const char* const titles[] = {"Category", "Allocated", "Spent", "Remaining", "% used", "Status"};
    for (lxw_col_t col = 0; col < 6; ++col)
        cells.text(row, col, titles[col],
                   col >= 1 && col <= 4 ? f.header_right : col == 5 ? f.header_after_number : f.header);
    // A category name longer than column A, or with a line break, wraps in a taller row.
    bool names_wrap = false;
    for (const report::Category& category : report.categories)
        names_wrap = names_wrap || count_characters(category.name) + 2 > kCategoryWidth || has_line_break(category.name);
    std::string scratch;
    for (const report::Category& category : report.categories) {
        ++row;
        const std::size_t lines = names_wrap ? cell_lines(category.name, kCategoryWidth, scratch) : 1;
        if (lines > 1) cells.row_height(row, row_points(lines));
        const XlsxFormats::RowStyle& style = f.row(category.status == BudgetStatus::over, lines > 1);
        cells.text(row, 0, category.name, names_wrap ? style.wrap : style.text);
        cells.money(row, 1, category.allocated, style.money);
        cells.money(row, 2, category.spent, style.money);
        cells.money_formula(row, 3, "=" + cell_ref(row, 1) + "-" + cell_ref(row, 2), category.remaining, style.money);
        percent_formula(cells, row, 4, cell_ref(row, 1), cell_ref(row, 2), category.spent, category.allocated,
                        style.percent);
        cells.text(row, 5, report::display_name(category.status), style.text_after_number);
    }
    if (category_count > 0) cells.autofilter(category_header, 0, totals_row - 1, 5);
    row = totals_row;
    cells.text(row, 0, category_count > 0 ? "Total" : "Total (no budget categories yet)", f.total_label);
    const Money column_totals[] = {budget.allocated, budget.spent, budget.allocated - budget.spent};
    for (lxw_col_t col = 1; col <= 3; ++col) {
        const std::string sum =
            category_count > 0 ? "=SUM(" + range_ref(first_category, col, totals_row - 1) + ")" : "=0";
        cells.money_formula(row, col, sum, column_totals[col - 1]);
    }
    percent_formula(cells, row, 4, cell_ref(row, 1), cell_ref(row, 2), budget.spent, budget.allocated,
                    f.percent_total);
    cells.text(row, 5, "", f.total_label);

    write_transaction_totals(cells, totals_row + 2, report);
}

}  // namespace budget_exports::render
