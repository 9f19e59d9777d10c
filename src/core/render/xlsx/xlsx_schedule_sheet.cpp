#include "core/render/xlsx/xlsx_sheets.hpp"

namespace budget_exports::render {

void write_schedule_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, const report::Report& report) {
    using report::MilestoneStatus;
    SheetWriter cells(sheet, kScheduleSheet, workbook.formats(), report.currency.minor_digits);
    const XlsxFormats& f = workbook.formats();
    cells.column_widths({24, 40, 16, 14, 12, 14});
    const char* const titles[] = {"Category", "Milestone", "Amount", "Due date", "Status", "Paid date"};
    for (lxw_col_t col = 0; col < 6; ++col) cells.text(0, col, titles[col], f.header);
    cells.freeze_header(0);

    lxw_row_t row = 0;
    for (const report::Milestone& milestone : report.milestones) {
        ++row;
        const bool overdue = milestone.status == MilestoneStatus::overdue;
        lxw_format* text_format = overdue ? f.alert_text : nullptr;
        cells.text(row, 0, milestone.category, text_format);
        cells.text(row, 1, milestone.name, text_format);
        cells.money(row, 2, milestone.amount, overdue ? f.alert_money : f.money);
        cells.date(row, 3, milestone.due_date, overdue ? f.alert_date : f.date);
        cells.text(row, 4, report::display_name(milestone.status), text_format);
        cells.date(row, 5, milestone.paid_date, overdue ? f.alert_date : f.date);
    }
    if (report.milestones.empty()) {
        cells.text(1, 0, "No payment milestones yet");
        return;
    }
    const lxw_row_t last = row;
    cells.autofilter(0, 0, last, 5);

    const std::string statuses = range_ref(1, 4, last);
    const std::string amounts = range_ref(1, 2, last);
    const report::MilestoneTotals& totals = report.milestone_totals;
    row = last + 2;
    const lxw_row_t scheduled_row = row;
    cells.text(row, 1, "Scheduled (excluding cancelled)", f.total_label);
    cells.money_formula(row++, 2, "=SUMIF(" + statuses + ",\"<>Cancelled\"," + amounts + ")", totals.scheduled);
    cells.text(row, 1, "Paid", f.label);
    cells.money_formula(row++, 2, "=SUMIF(" + statuses + ",\"Paid\"," + amounts + ")", totals.paid, f.money);
    cells.text(row, 1, "Outstanding", f.label);
    cells.money_formula(row++, 2, "=" + cell_ref(scheduled_row, 2) + "-" + cell_ref(scheduled_row + 1, 2),
                        totals.outstanding, f.money);
    cells.text(row, 1, "Overdue", f.label);
    cells.money_formula(row, 2, "=SUMIF(" + statuses + ",\"Overdue\"," + amounts + ")", totals.overdue, f.money);
}

}  // namespace budget_exports::render
