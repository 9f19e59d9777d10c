// The three worksheets of the Excel export. Each writes its rows strictly top to
// bottom (libxlsxwriter's constant_memory mode requires it).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/render/xlsx/xlsx_workbook.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::render {

inline constexpr const char* kSummarySheet = "Summary";
inline constexpr const char* kDetailsSheet = "Details";
inline constexpr const char* kScheduleSheet = "Payment Schedule";

// Where the Details sheet puts its rows; the Summary sheet's formulas point into it,
// which works before Details is written because the row count is known up front.
struct DetailsLayout {
    static constexpr lxw_row_t header_row = 0;
    static constexpr lxw_row_t first_item_row = 1;
    static constexpr lxw_col_t date_col = 0;
    static constexpr lxw_col_t type_col = 5;
    static constexpr lxw_col_t amount_col = 6;
    static constexpr lxw_col_t spent_col = 7;
    lxw_row_t last_item_row = 0;  // == first_item_row - 1 when there are no rows
    bool has_items = false;

    explicit DetailsLayout(std::int64_t item_count)
        : last_item_row(static_cast<lxw_row_t>(first_item_row + item_count - 1)), has_items(item_count > 0) {}
    // =SUMIF(Details!F2:F9,"Expense",Details!G2:G9)
    std::string sum_of_type(report::TransactionType type, bool from_other_sheet) const;
    // =SUM(Details!H2:H9): the report's Spent
    std::string sum_of_spent(bool from_other_sheet) const;
};

// The Details sheet's text columns, in sheet order (Notes only with include_notes).
enum DetailsText : std::size_t { kCategoryText, kDescriptionText, kVendorText, kMethodText, kNotesText, kTagsText,
                                 kDetailsTexts };

// Longest text per Details text column, in characters (measured in a first pass), and
// whether any has a line break (the column then wraps, or a spreadsheet shows one line).
struct DetailsWidths {
    std::size_t chars[kDetailsTexts] = {};
    bool breaks[kDetailsTexts] = {};
};
void measure_details_columns(DetailsWidths& widths, const report::LineItem& item);

// Whether `text` has a line break (a cell that shows it must wrap). Two memchr passes:
// find_first_of("\r\n") calls memchr on the set for every byte of the text (3 % of a
// 100k-line render, in the measuring pass alone).
inline bool has_line_break(std::string_view text) {
    return text.find('\n') != std::string_view::npos || text.find('\r') != std::string_view::npos;
}

// Columns of the Payment Schedule sheet (header in row 1, milestones from row 2).
struct ScheduleLayout {
    static constexpr lxw_col_t amount_col = 2;
    static constexpr lxw_col_t due_col = 3;
    static constexpr lxw_col_t state_col = 4;  // Paid / Overdue / Upcoming / Cancelled
    static constexpr lxw_col_t paid_col = 5;
    static constexpr lxw_col_t notes_col = 6;  // with include_notes
};

void write_summary_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, const report::Report& report);

// Streams every line item into the sheet and returns what it streamed, for the
// totals check.
report::LineItemTotals write_details_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet,
                                           const report::Report& report, report::LineItemSource& items,
                                           const DetailsWidths& widths);

void write_schedule_sheet(XlsxWorkbook& workbook, lxw_worksheet* sheet, const report::Report& report);

}  // namespace budget_exports::render
