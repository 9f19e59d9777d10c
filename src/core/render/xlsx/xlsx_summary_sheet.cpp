#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {
namespace {

using report::BudgetStatus;
using report::Money;
using report::TransactionType;

double ratio(Money spent, Money allocated) {
    return allocated.minor_units > 0 ? static_cast<double>(spent.minor_units) / allocated.minor_units : 0.0;
}

// % used as a live formula; empty text when nothing is allocated.
void percent_formula(SheetWriter& cells, lxw_row_t row, lxw_col_t col, const std::string& allocated,
                     const std::string& spent, Money spent_value, Money allocated_value, lxw_format* format) {
    cells.formula(row, col, "=IF(" + allocated + "<=0,\"\"," + spent + "/" + allocated + ")",
                  ratio(spent_value, allocated_value), format);
}

lxw_row_t write_header_block(SheetWriter& cells, const report::Report& report) {
    const XlsxFormats& f = cells.formats();
    const report::ReportHeader& header = report.header;
    cells.text(0, 0, report::report_title(header), f.title);
    lxw_row_t row = 2;
    const std::string couple = report::couple_names(header);
    if (!couple.empty()) {
        cells.text(row, 0, "Couple", f.label);
        cells.text(row++, 1, couple);
    }
    if (header.wedding_date) {
        cells.text(row, 0, "Wedding date", f.label);
        cells.date(row++, 1, header.wedding_date);
    }
    cells.text(row, 0, "Currency", f.label);
    cells.text(row++, 1, report.currency.code);
    cells.text(row, 0, "Generated", f.label);
    cells.text(row++, 1, header.generated_at);
    cells.text(row, 0, "Filters", f.label);
    cells.text(row++, 1, header.filters_summary.empty() ? "All transactions" : header.filters_summary);
    return row + 1;
}

lxw_row_t write_transaction_totals(SheetWriter& cells, lxw_row_t row, const report::Report& report) {
    const XlsxFormats& f = cells.formats();
    const report::LineItemTotals& totals = report.line_item_totals;
    const DetailsLayout details(totals.count);
    cells.text(row++, 0, "Transactions", f.header);
    cells.text(row, 0, "Count", f.label);
    cells.number(row++, 1, static_cast<double>(totals.count));
    if (!details.has_items) {
        cells.text(row++, 0, "No transactions match these filters");
        return row + 1;
    }
    const std::pair<const char*, TransactionType> rows[] = {{"Expenses", TransactionType::expense},
                                                              {"Refunds", TransactionType::refund},
                                                              {"Income", TransactionType::income},
                                                              {"Transfers", TransactionType::transfer}};
    const Money values[] = {totals.expenses, totals.refunds, totals.income, totals.transfers};
    const lxw_row_t expenses_row = row;
    for (std::size_t i = 0; i < 4; ++i) {
        cells.text(row, 0, rows[i].first, f.label);
        cells.money_formula(row++, 1, details.sum_of_type(rows[i].second, true), values[i], f.money);
    }
    cells.text(row, 0, "Net spent (expenses - refunds)", f.label);
    cells.money_formula(row++, 1, "=" + cell_ref(expenses_row, 1) + "-" + cell_ref(expenses_row + 1, 1),
                        totals.net_spent());
    return row + 1;
}

}  // namespace

std::string DetailsLayout::sum_of_type(report::TransactionType type, bool from_other_sheet) const {
    const std::string sheet = from_other_sheet ? std::string(kDetailsSheet) + "!" : "";
    return "=SUMIF(" + sheet + range_ref(first_item_row, type_col, last_item_row) + ",\"" +
           report::display_name(type) + "\"," + sheet + range_ref(first_item_row, amount_col, last_item_row) + ")";
}

void write_summary_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, const report::Report& report) {
    SheetWriter cells(sheet, kSummarySheet, workbook.formats(), report.currency.minor_digits);
    const XlsxFormats& f = workbook.formats();
    cells.column_widths({34, 18, 18, 18, 10, 16});
    lxw_row_t row = write_header_block(cells, report);

    // Budget summary points at the category totals row, written further down.
    const lxw_row_t summary_row = row;
    const lxw_row_t category_header = summary_row + 6;
    const lxw_row_t first_category = category_header + 1;
    const std::size_t category_count = report.categories.size();
    const lxw_row_t totals_row = first_category + static_cast<lxw_row_t>(category_count);
    const report::BudgetTotals& budget = report.budget_totals;

    cells.text(row++, 0, "Budget summary", f.header);
    const std::pair<const char*, lxw_col_t> figures[] = {{"Total budget", 1}, {"Spent", 2}, {"Remaining", 3}};
    const Money figure_values[] = {budget.allocated, budget.spent, budget.remaining};
    for (std::size_t i = 0; i < 3; ++i) {
        cells.text(row, 0, figures[i].first, f.label);
        cells.money_formula(row++, 1, "=" + cell_ref(totals_row, figures[i].second), figure_values[i], f.money);
    }
    cells.text(row, 0, "% used", f.label);
    percent_formula(cells, row++, 1, cell_ref(summary_row + 1, 1), cell_ref(summary_row + 2, 1), budget.spent,
                    budget.allocated, f.percent);

    row = category_header;
    const char* const titles[] = {"Category", "Allocated", "Spent", "Remaining", "% used", "Status"};
    for (lxw_col_t col = 0; col < 6; ++col) cells.text(row, col, titles[col], f.header);
    for (const report::Category& category : report.categories) {
        ++row;
        const bool over = category.status == BudgetStatus::over;
        lxw_format* text_format = over ? f.alert_text : nullptr;
        lxw_format* money_format = over ? f.alert_money : f.money;
        cells.text(row, 0, category.name, text_format);
        cells.money(row, 1, category.allocated, money_format);
        cells.money(row, 2, category.spent, money_format);
        cells.money_formula(row, 3, "=" + cell_ref(row, 1) + "-" + cell_ref(row, 2), category.remaining, money_format);
        percent_formula(cells, row, 4, cell_ref(row, 1), cell_ref(row, 2), category.spent, category.allocated,
                        over ? f.alert_percent : f.percent);
        cells.text(row, 5, report::display_name(category.status), text_format ? text_format : nullptr);
    }
    if (category_count > 0) cells.autofilter(category_header, 0, totals_row - 1, 5);
    row = totals_row;
    cells.text(row, 0, category_count > 0 ? "Total" : "Total (no budget categories yet)", f.total_label);
    for (lxw_col_t col = 1; col <= 3; ++col) {
        const std::string sum =
            category_count > 0 ? "=SUM(" + range_ref(first_category, col, totals_row - 1) + ")" : "=0";
        cells.money_formula(row, col, sum, figure_values[col - 1]);
    }
    percent_formula(cells, row, 4, cell_ref(row, 1), cell_ref(row, 2), budget.spent, budget.allocated,
                    f.percent_total);
    cells.text(row, 5, report::display_name(budget.status), f.total_label);

    write_transaction_totals(cells, totals_row + 2, report);
}

}  // namespace budget_exports::render
