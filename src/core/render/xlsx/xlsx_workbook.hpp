// Thin C++ layer over libxlsxwriter: owns the workbook, holds the cell formats the
// export uses, and turns every lxw_error into a RenderError naming sheet and cell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <xlsxwriter.h>

#include "core/report/report.hpp"

namespace budget_exports::render {

// Cell formats, created once per workbook (libxlsxwriter owns them).
struct XlsxFormats {
    lxw_format* title = nullptr;
    lxw_format* label = nullptr;     // bold
    lxw_format* header = nullptr;    // bold, shaded, bottom border
    lxw_format* header_right = nullptr;  // the same, right-aligned (over numbers)
    lxw_format* header_after_number = nullptr;  // the same, indented (kIndentChars)
    lxw_format* note = nullptr;          // italic grey sentence
    lxw_format* wrap = nullptr;          // long text (notes), wrapped, top-aligned
    lxw_format* money = nullptr;
    lxw_format* money_total = nullptr;
    lxw_format* percent = nullptr;
    lxw_format* percent_total = nullptr;
    lxw_format* date = nullptr;
    lxw_format* date_left = nullptr;  // a date among text values (the Summary's header block)
    lxw_format* total_label = nullptr;
    lxw_format* alert_text = nullptr;  // over budget / overdue rows
    lxw_format* alert_money = nullptr;
    lxw_format* alert_percent = nullptr;
    lxw_format* alert_date = nullptr;

    // The cells of a table row: plain or shaded (over budget, overdue), one line tall
    // (bottom-aligned, Excel's default) or taller (every cell top-aligned, like the row's
    // wrapped text). `wrap` is for a column whose long text wraps. The `after_number`
    // variants are indented by kIndentChars: a left-aligned column right of a right-aligned
    // one (an amount, a date, a percentage) otherwise starts where the number ends, and
    // "0.0%Under budget" or "3 Jan 2026Venue" prints as one phrase.
    struct RowStyle {
        lxw_format* text = nullptr;
        lxw_format* wrap = nullptr;
        lxw_format* text_after_number = nullptr;
        lxw_format* wrap_after_number = nullptr;
        lxw_format* money = nullptr;
        lxw_format* date = nullptr;
        lxw_format* percent = nullptr;
        // a text cell's format: wrapping or one line, indented or not
        lxw_format* text_cell(bool wraps, bool after_number) const {
            return after_number ? (wraps ? wrap_after_number : text_after_number) : (wraps ? wrap : text);
        }
    };
    RowStyle one_line, tall, alert_one_line, alert_tall;
    const RowStyle& row(bool alert, bool taller) const {
        return alert ? (taller ? alert_tall : alert_one_line) : (taller ? tall : one_line);
    }
};

// The width (in characters) an indented cell's text gives up: an indent of one level.
constexpr double kIndentChars = 2;

// The zlib level every part of a workbook is deflated at (libxlsxwriter's own is 6; see
// minizip_level.cpp): level 1 renders 100k lines in 37 % less time for a file a third larger.
constexpr int kXlsxDeflateLevel = 1;

// "€"#,##0.00 style number format for the report currency.
std::string excel_currency_format(const report::Currency& currency);

class XlsxWorkbook {
public:
    // constant_memory: rows are flushed to a temp file as soon as a later row starts,
    // so memory stays flat; rows must then be written in order within each sheet.
    XlsxWorkbook(const std::string& path, const report::Report& report, bool constant_memory,
                 const std::string& tmpdir);
    ~XlsxWorkbook();
    XlsxWorkbook(const XlsxWorkbook&) = delete;
    XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;

    lxw_worksheet* add_sheet(const char* name);
    const XlsxFormats& formats() const { return formats_; }
    // Writes the .xlsx file; throws RenderError on failure.
    void close();

private:
    void create_formats(const report::Currency& currency);

    std::string path_;
    lxw_workbook* workbook_ = nullptr;
    XlsxFormats formats_;
};

// Writes cells of one sheet, checking each call.
class SheetWriter {
public:
    SheetWriter(lxw_worksheet* sheet, std::string name, const XlsxFormats& formats, int minor_digits)
        : sheet_(sheet), name_(std::move(name)), formats_(formats), minor_digits_(minor_digits) {}

    void text(lxw_row_t row, lxw_col_t col, std::string_view text, lxw_format* format = nullptr);
    void number(lxw_row_t row, lxw_col_t col, double value, lxw_format* format = nullptr);
    void money(lxw_row_t row, lxw_col_t col, report::Money amount, lxw_format* format = nullptr);
    void date(lxw_row_t row, lxw_col_t col, const std::optional<report::Date>& date, lxw_format* format = nullptr);
    // A live formula plus the value Excel shows before recalculating.
    void formula(lxw_row_t row, lxw_col_t col, const std::string& formula, double cached, lxw_format* format);
    // The same for a formula whose value is text.
    void formula_text(lxw_row_t row, lxw_col_t col, const std::string& formula, const std::string& cached,
                      lxw_format* format);
    void money_formula(lxw_row_t row, lxw_col_t col, const std::string& formula, report::Money cached,
                       lxw_format* format = nullptr);
    // Row `row` `points` tall; before any cell of the row (constant_memory).
    void row_height(lxw_row_t row, double points);
    void column_widths(std::initializer_list<double> widths);
    void column_widths(const std::vector<double>& widths);
    // Print setup: A4 landscape, one page wide, `repeat_rows` (first..last, or none when
    // first > last) repeated at the top of every printed page, "Page n of m" footer.
    void print_setup(lxw_row_t repeat_first, lxw_row_t repeat_last);
    void freeze_header(lxw_row_t header_row);
    void autofilter(lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row, lxw_col_t last_col);

    const XlsxFormats& formats() const { return formats_; }

private:
    void check(lxw_error error, lxw_row_t row, lxw_col_t col) const;

    lxw_worksheet* sheet_;
    std::string name_;
    const XlsxFormats& formats_;
    int minor_digits_;
    std::string cell_;  // the text cell being written, reused: no allocation per cell
};

// "B7" from zero-based row and column.
std::string cell_ref(lxw_row_t row, lxw_col_t col);
// "B7:B19"
std::string range_ref(lxw_row_t first_row, lxw_col_t col, lxw_row_t last_row);

}  // namespace budget_exports::render
