#include <gtest/gtest.h>

#include <cmath>

#include <dlfcn.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>
#include <zlib.h>

#include "core/render/render_error.hpp"
#include "core/render/xlsx/xlsx_renderer.hpp"
#include "core/render/xlsx/xlsx_workbook.hpp"
#include "sample_budget.hpp"
#include "test_files.hpp"
#include "xlsx_reader.hpp"

using namespace budget_exports;
using namespace budget_exports::report;
using budget_exports::testing::ScratchFile;
using nlohmann::json;

namespace {

// Cents of a cell's (cached) value, rounded from Excel's double.
std::int64_t cents(const json& cell) { return std::llround(std::stod(cell["v"].get<std::string>()) * 100); }

// The row number of the first cell in column `col` whose text is `text`.
std::string row_of(const json& cells, const std::string& col, const std::string& text) {
    for (auto it = cells.begin(); it != cells.end(); ++it) {
        if (it.key().rfind(col, 0) == 0 && it.value()["v"] == text) return it.key().substr(col.size());
    }
    return "";
}

json render_sample(const Report& report, std::uint64_t items, bool constant_memory = true) {
    ScratchFile out("xlsx");
    sample::GeneratedLineItemSource source(items);
    render::XlsxOptions options;
    options.constant_memory = constant_memory;
    render::render_xlsx(report, source, out.path(), options);
    return budget_exports::testing::read_xlsx(out.path());
}

// The workbook of `report` with exactly `items` as its line items, parsed.
json render_items(const Report& report, const std::vector<LineItem>& items) {
    ScratchFile out("xlsx");
    VectorLineItemSource source(items);
    render::render_xlsx(report, source, out.path());
    return budget_exports::testing::read_xlsx(out.path());
}

}  // namespace

TEST(XlsxRenderer, WritesThreeSheetsWithLiveTotalsEqualToTheModel) {
    const Report report = sample::sample_report(300);
    const json book = render_sample(report, 300);
    EXPECT_EQ(book["sheets"], json({"Summary", "Details", "Payment Schedule"}));
    const BudgetTotals& budget = report.budget_totals;
    ASSERT_EQ(budget.basis, BudgetBasis::total_budget);

    const json& summary = book["cells"]["Summary"];
    EXPECT_EQ(summary["A1"]["v"], "Wedding budget: Zoë Müller & José Ñúñez");
    EXPECT_EQ(summary["B" + row_of(summary, "A", "Scope")]["v"], "Whole budget");
    const std::string total = row_of(summary, "A", "Total");
    ASSERT_FALSE(total.empty());
    const std::string first = std::to_string(std::stoi(total) - 40);
    EXPECT_EQ(summary["B" + total]["f"], "SUM(B" + first + ":B" + std::to_string(std::stoi(total) - 1) + ")");
    EXPECT_EQ(cents(summary["B" + total]), budget.allocated.minor_units);
    EXPECT_EQ(cents(summary["C" + total]), budget.spent.minor_units);
    EXPECT_EQ(summary["B" + total]["fmt"], "\"€\"#,##0.00;-\"€\"#,##0.00");
    // The headline figures: the couple's budget, not the allocations; Spent from the rows.
    const std::string budget_row = row_of(summary, "A", "Budget");
    EXPECT_EQ(cents(summary["B" + budget_row]), 48500000);
    const std::string allocated = row_of(summary, "A", "Allocated (sum of category allocations)");
    EXPECT_EQ(summary["B" + allocated]["f"], "B" + total);
    EXPECT_EQ(cents(summary["B" + allocated]), budget.allocated.minor_units);
    const std::string spent = row_of(summary, "A", "Spent (expenses - refunds)");
    EXPECT_EQ(summary["B" + spent]["f"], "SUM(Details!H2:H301)");
    EXPECT_EQ(cents(summary["B" + spent]), report.line_item_totals.net_spent().minor_units);
    const std::string remaining = row_of(summary, "A", "Remaining (budget - spent)");
    EXPECT_EQ(summary["B" + remaining]["f"], "B" + budget_row + "-B" + spent);
    EXPECT_EQ(cents(summary["B" + remaining]), 48500000 - budget.spent.minor_units);
    const std::string used = row_of(summary, "A", "% used (spent / budget)");
    EXPECT_NEAR(std::stod(summary["B" + used]["v"].get<std::string>()),
                static_cast<double>(budget.spent.minor_units) / 48500000, 1e-9);
    if (budget.over_allocated.minor_units > 0) {
        EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Over-allocated by")]), budget.over_allocated.minor_units);
    }
    const std::string expenses = row_of(summary, "A", "Expenses");
    EXPECT_EQ(summary["B" + expenses]["f"], "SUMIF(Details!F2:F301,\"Expense\",Details!G2:G301)");
    EXPECT_EQ(cents(summary["B" + expenses]), report.line_item_totals.expenses.minor_units);
    const std::string overdue = row_of(summary, "A", "Overdue (due before the report date)");
    EXPECT_EQ(summary["B" + overdue]["f"],
              "SUMIF('Payment Schedule'!E2:E25,\"Overdue\",'Payment Schedule'!C2:C25)");
    EXPECT_EQ(cents(summary["B" + overdue]), report.milestone_totals.overdue.minor_units);
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Upcoming (due on or after it)")]),
              report.milestone_totals.upcoming.minor_units);
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Total due (excluding cancelled)")]),
              report.milestone_totals.total_due.minor_units);
    EXPECT_EQ(summary["B" + std::to_string(std::stoi(row_of(summary, "A", "Category")))]["align"], "right");

    // Over-budget categories are shaded, others are not; spent is the rows' net spending.
    for (const Category& category : report.categories) {
        const std::string row = row_of(summary, "A", category.name);
        ASSERT_FALSE(row.empty()) << category.name;
        EXPECT_EQ(cents(summary["C" + row]), category.spent.minor_units);
        EXPECT_EQ(summary["D" + row]["f"], "B" + row + "-C" + row);
        EXPECT_EQ(summary["A" + row]["fill"] != "0", category.status == BudgetStatus::over) << category.name;
    }

    const json& details = book["cells"]["Details"];
    EXPECT_EQ(book["frozen"]["Details"], "A2");
    EXPECT_EQ(book["autofilter"]["Details"], "A1:J301");
    EXPECT_EQ(details["G1"]["align"], "right");
    EXPECT_EQ(details["A1"]["align"], "right") << "the Date header over its right-aligned dates";
    // the first text column right of a right-aligned one is indented, its header too
    std::uint64_t noted = 0;  // the first line item with notes
    while (sample::sample_line_item(noted).notes.empty()) ++noted;
    for (const std::string& cell : {std::string("B1"), std::string("B2"), std::string("I1"), "I" + std::to_string(noted + 2)}) {
        ASSERT_TRUE(details.contains(cell)) << cell;
        EXPECT_EQ(details[cell]["align"], "left") << cell;
        EXPECT_EQ(details[cell]["indent"], "1") << cell;
    }
    EXPECT_EQ(details["C1"]["indent"], "") << "Description follows Category: no indent";
    EXPECT_EQ(details["H1"]["v"], "Spent");
    EXPECT_EQ(details["I1"]["v"], "Notes");
    const LineItem first_item = sample::sample_line_item(0);
    EXPECT_EQ(details["A2"]["fmt"], "d mmm yyyy");
    EXPECT_EQ(std::stol(details["A2"]["v"].get<std::string>()), excel_serial(*first_item.date));
    EXPECT_EQ(details["D2"]["v"], first_item.vendor);
    EXPECT_EQ(cents(details["G2"]), first_item.amount.minor_units);
    std::int64_t refunds = 0, spent_sum = 0;
    int rows_with_notes = 0;
    for (int row = 2; row <= 301; ++row) {
        const std::string r = std::to_string(row);
        // a line item without notes has no Notes cell (a blank per row cost 9 % of a large render)
        const bool has_notes = !sample::sample_line_item(static_cast<std::uint64_t>(row - 2)).notes.empty();
        EXPECT_EQ(details.contains("I" + r), has_notes) << "I" << r;
        rows_with_notes += has_notes ? 1 : 0;
        if (details["F" + r]["v"] == "Refund") refunds += cents(details["G" + r]);
        spent_sum += cents(details["H" + r]);
    }
    EXPECT_GT(rows_with_notes, 0);
    EXPECT_LT(rows_with_notes, 300);
    EXPECT_EQ(refunds, report.line_item_totals.refunds.minor_units);
    EXPECT_EQ(spent_sum, budget.spent.minor_units);  // SUM(Spent column) is Spent
    EXPECT_EQ(details["H303"]["f"], "SUM(H2:H301)");
    EXPECT_EQ(cents(details["H303"]), budget.spent.minor_units);
    EXPECT_EQ(details["G304"]["f"], "SUMIF(F2:F301,\"Expense\",G2:G301)");
    EXPECT_EQ(cents(details["G305"]), report.line_item_totals.refunds.minor_units);

    const json& schedule = book["cells"]["Payment Schedule"];
    EXPECT_EQ(book["frozen"]["Payment Schedule"], "A2");
    EXPECT_EQ(schedule["A1"]["v"], "Category");
    EXPECT_EQ(schedule["C1"]["align"], "right");
    EXPECT_EQ(schedule["D1"]["align"], "right") << "Due date, over right-aligned dates";
    EXPECT_EQ(schedule["F1"]["align"], "right") << "Paid date";
    for (const char* cell : {"E1", "E2"}) {
        EXPECT_EQ(schedule[cell]["align"], "left") << cell << ": the status, right of the due date";
        EXPECT_EQ(schedule[cell]["indent"], "1") << cell;
    }
    // In the Summary's header block a date sits among text values: aligned left like them.
    const std::string wedding = row_of(summary, "A", "Wedding date");
    ASSERT_FALSE(wedding.empty());
    EXPECT_EQ(summary["B" + wedding]["fmt"], "d mmm yyyy");
    EXPECT_EQ(summary["B" + wedding]["align"], "left");
    EXPECT_EQ(schedule["E1"]["v"], "Status on 14 Mar 2026");
    for (std::size_t i = 0; i < report.milestones.size(); ++i)
        EXPECT_EQ(schedule["E" + std::to_string(i + 2)]["v"], display_name(report.milestones[i].state));
    const std::string due = row_of(schedule, "B", "Total due (excluding cancelled)");
    EXPECT_EQ(cents(schedule["C" + due]), report.milestone_totals.total_due.minor_units);
    EXPECT_EQ(schedule["C" + due]["f"], "SUMIF(E2:E25,\"<>Cancelled\",C2:C25)");
    EXPECT_EQ(cents(schedule["C" + row_of(schedule, "B", "Overdue")]), report.milestone_totals.overdue.minor_units);

    // Printing: every sheet landscape A4, one page wide, page numbers; headers repeat.
    for (const char* sheet : {"Summary", "Details", "Payment Schedule"}) {
        const json& print = book["print"][sheet];
        EXPECT_EQ(print["orientation"], "landscape") << sheet;
        EXPECT_EQ(print["paper"], "9") << sheet;
        EXPECT_EQ(print["fit"], "1") << sheet;
        EXPECT_EQ(print["fit_width"], "1") << sheet;
        EXPECT_EQ(print["fit_height"], "0") << sheet;
        EXPECT_NE(print["footer"].get<std::string>().find("Page &P of &N"), std::string::npos) << sheet;
    }
    EXPECT_EQ(book["print_titles"]["_xlnm.Print_Titles:1"], "Details!$1:$1");
    EXPECT_EQ(book["print_titles"]["_xlnm.Print_Titles:2"], "'Payment Schedule'!$1:$1");
    EXPECT_GE(book["parts_parsed"].get<int>(), 10);
}

TEST(XlsxRenderer, TextXmlForbidsIsCleanedAndEveryPartParses) {
    Report report = sample::sample_report(3);
    report.header.custom_title = std::string("Our day \xEF\xBF\xBF\x1b[31m\x01 ok");
    report.header.partner1_name = "Zo\xC3\xAB\x01\x1b";
    report.categories[0].name = "Venue\xEF\xBF\xBE";
    std::vector<LineItem> items;
    for (int i = 0; i < 3; ++i) items.push_back(sample::sample_line_item(i));
    items[1].description = "Bad \x01 \x1b text \xEF\xBF\xBF and \xED\xA0\x80 surrogate";
    items[2].notes = "tab\tand\r\nnewline\x0b";
    ScratchFile out("xlsx");
    VectorLineItemSource source(items);
    render::render_xlsx(report, source, out.path());
    const json book = budget_exports::testing::read_xlsx(out.path());  // throws if any part does not parse
    EXPECT_EQ(book["cells"]["Summary"]["A1"]["v"], "Our day [31m ok");
    EXPECT_EQ(book["cells"]["Details"]["C3"]["v"], "Bad   text  and  surrogate");
    EXPECT_EQ(book["cells"]["Details"]["I4"]["v"], "tab\tand\nnewline");
}

// The writer reuses one text buffer for every cell: a long (cut) cell, a dirty one and a
// short clean one in a row must each come out as if written alone.
TEST(XlsxRenderer, EveryTextCellIsWrittenOnItsOwnAfterLongAndDirtyOnes) {
    Report report = sample::sample_report(3);
    std::vector<LineItem> items;
    for (int i = 0; i < 3; ++i) items.push_back(sample::sample_line_item(i));
    std::string long_text;
    for (int i = 0; i < 40000; ++i) long_text += "\xC3\xA9";  // é: 40,000 characters, over Excel's cell limit
    std::string accents;
    for (int i = 0; i < 20000; ++i) accents += "\xC3\xA9";  // 40,000 bytes but 20,000 characters: kept whole
    items[0].description = long_text;
    items[0].notes = accents;
    items[0].vendor = "V";
    items[1].description = "Bad \x01 x";
    items[1].vendor = "Clean vendor after a dirty cell";
    items[2].description = "ok";
    const json book = render_items(report, items);
    const json& details = book["cells"]["Details"];
    const std::string cut = details["C2"]["v"];
    EXPECT_EQ(cut, long_text.substr(0, 2 * 32767)) << "cut at 32,767 characters, not bytes";
    EXPECT_EQ(details["I2"]["v"], accents) << "20,000 accented characters fit in a cell";
    EXPECT_EQ(details["D2"]["v"], "V");
    EXPECT_EQ(details["C3"]["v"], "Bad  x");
    EXPECT_EQ(details["D3"]["v"], "Clean vendor after a dirty cell");
    EXPECT_EQ(details["C4"]["v"], "ok");
}

// A row whose wrapped text takes several lines is made tall enough for it (LibreOffice
// would otherwise print the lines over the rows below), and all its cells align at the
// top; the other rows keep the default height and alignment.
TEST(XlsxRenderer, RowsWithWrappedTextAreTallEnoughForIt) {
    Report report = sample::sample_report(5);
    report.options.include_notes = true;
    std::vector<LineItem> items;
    for (int i = 0; i < 5; ++i) items.push_back(sample::sample_line_item(i));
    std::string words;
    for (int i = 0; i < 60; ++i) words += "word ";  // 300 characters: 6 lines at the widest column
    items[0].description = "Fleurs " + words;
    items[1].notes = "first line\nsecond line\nthird line";
    std::string huge;
    for (int i = 0; i < 40000; ++i) huge += "word ";
    items[2].notes = huge;
    items[3].notes = "Cheque\nsigned";  // short, but two lines
    const json book = render_items(report, items);
    const json& heights = book["row_heights"]["Details"];
    const json& details = book["cells"]["Details"];
    ASSERT_TRUE(heights.contains("2"));
    EXPECT_GE(heights["2"].get<double>(), 6 * 15.0) << "six lines of description";
    EXPECT_LE(heights["2"].get<double>(), 7 * 15.0) << "not much taller than the text";
    ASSERT_TRUE(heights.contains("3"));
    EXPECT_GE(heights["3"].get<double>(), 3 * 15.0) << "three lines of notes";
    EXPECT_EQ(heights["4"].get<double>(), 409.0) << "Excel's tallest row";
    ASSERT_TRUE(heights.contains("5"));
    EXPECT_EQ(heights["5"].get<double>(), 2 * 15.0) << "a line break makes two lines";
    EXPECT_FALSE(heights.contains("6")) << "a one-line row keeps the default height";
    EXPECT_FALSE(heights.contains("1")) << "header";
    for (const char* cell : {"A2", "B2", "C2", "D2", "F2", "G2", "H2"})
        EXPECT_EQ(details[cell]["valign"], "top") << cell;
    EXPECT_FALSE(details.contains("I2")) << "no notes, no cell: an empty cell shows nothing however aligned";
    EXPECT_EQ(details["C2"]["wrap"], "1");
    EXPECT_EQ(details["I5"]["wrap"], "1");
    EXPECT_EQ(details["G2"]["fmt"], details["G6"]["fmt"]) << "the top-aligned amount keeps the money format";
    EXPECT_EQ(details["A2"]["fmt"], details["A6"]["fmt"]) << "and the date its date format";
    EXPECT_EQ(details["A6"]["valign"], "");
    EXPECT_EQ(details["G6"]["valign"], "");
}

// A short text with a line break wraps too: without wrapping, a spreadsheet shows only one
// of its lines.
TEST(XlsxRenderer, ShortTextWithALineBreakWraps) {
    Report report = sample::sample_report(2);
    report.options.include_notes = true;
    report.milestones[0].name = "Deposit\nby cheque";
    std::vector<LineItem> items = {sample::sample_line_item(0), sample::sample_line_item(1)};
    items[0].description = "Cake\ntasting";
    items[0].notes = "";
    items[1].notes = "Paid\nin cash";
    const json book = render_items(report, items);
    const json& details = book["cells"]["Details"];
    EXPECT_EQ(details["C2"]["wrap"], "1");
    EXPECT_EQ(details["I3"]["wrap"], "1");
    EXPECT_EQ(book["row_heights"]["Details"]["2"].get<double>(), 30.0);
    EXPECT_EQ(book["row_heights"]["Details"]["3"].get<double>(), 30.0);
    EXPECT_EQ(book["cells"]["Payment Schedule"]["B2"]["wrap"], "1");
    EXPECT_EQ(book["row_heights"]["Payment Schedule"]["2"].get<double>(), 30.0);
}

// Every text column wraps what it cannot show: a vendor, a payment method and a category
// longer than their columns, on Details, and a category name on the Summary.
TEST(XlsxRenderer, EveryTextColumnWrapsWhatItCannotShow) {
    Report report = sample::sample_report(2);
    const std::string long_name = "Flowers, candles and table decorations for the reception hall";  // 61 characters
    report.categories[2].name = long_name;
    std::vector<LineItem> items = {sample::sample_line_item(0), sample::sample_line_item(1)};
    items[0].vendor = "Atelier Floral Lumière, Fleurs Séchées & Décoration Florale";  // 59
    items[1].payment_method = "Bank transfer from the joint savings account";          // 44
    const json book = render_items(report, items);
    const json& details = book["cells"]["Details"];
    EXPECT_EQ(details["D2"]["wrap"], "1");
    EXPECT_EQ(details["E3"]["wrap"], "1");
    EXPECT_EQ(details["C2"]["wrap"], "") << "short descriptions do not wrap";
    EXPECT_EQ(book["row_heights"]["Details"]["2"].get<double>(), 30.0);
    EXPECT_EQ(book["row_heights"]["Details"]["3"].get<double>(), 30.0);
    const json& summary = book["cells"]["Summary"];
    const std::string row = row_of(summary, "A", long_name);
    ASSERT_FALSE(row.empty());
    EXPECT_EQ(summary["A" + row]["wrap"], "1");
    EXPECT_EQ(summary["B" + row]["valign"], "top");
    EXPECT_EQ(summary["E" + row]["fmt"], "0.0%") << "the percentage keeps its format";
    EXPECT_EQ(book["row_heights"]["Summary"][row].get<double>(), 30.0);
}

// The same on the Payment Schedule: a milestone with a long name and notes of several lines
// gets a tall row, and an overdue one keeps its shading on every cell.
TEST(XlsxRenderer, MilestoneRowsWithWrappedTextAreTallEnoughAndStayShaded) {
    Report report = sample::sample_report(3);
    report.options.include_notes = true;
    std::size_t overdue = report.milestones.size();
    for (std::size_t i = 0; i < report.milestones.size() && overdue == report.milestones.size(); ++i)
        if (report.milestones[i].state == PaymentState::overdue) overdue = i;
    ASSERT_LT(overdue, report.milestones.size());
    Milestone& long_one = report.milestones[overdue];
    long_one.name = "Final balance for the string quartet, the harpist and the evening DJ set";  // 72 characters
    long_one.notes = "Call first\nthen e-mail the contract\nthen pay by bank transfer\nkeep the receipt";
    const json book = render_sample(report, 3);
    const json& heights = book["row_heights"]["Payment Schedule"];
    const json& schedule = book["cells"]["Payment Schedule"];
    const std::string row = std::to_string(overdue + 2);
    ASSERT_TRUE(heights.contains(row));
    EXPECT_GE(heights[row].get<double>(), 4 * 15.0) << "four lines of notes";
    EXPECT_LE(heights[row].get<double>(), 5 * 15.0);
    EXPECT_EQ(heights.size(), 1u) << "the other milestones keep one line";
    EXPECT_EQ(schedule["B" + row]["wrap"], "1");
    EXPECT_EQ(schedule["G" + row]["wrap"], "1");
    for (const char* col : {"A", "B", "C", "D", "E", "G"}) {
        EXPECT_EQ(schedule[col + row]["valign"], "top") << col;
        EXPECT_NE(schedule[col + row]["fill"], "0") << col << ": overdue rows stay shaded";
    }
    EXPECT_EQ(schedule["C" + row]["fmt"], schedule["C2"]["fmt"]) << "the amount keeps the money format";
    EXPECT_EQ(schedule["D" + row]["fmt"], schedule["D2"]["fmt"]) << "and the due date its date format";
    EXPECT_EQ(schedule["B" + row]["v"], long_one.name) << "the name whole, not cut";
}

namespace {

// The bytes of `data` deflated raw (as minizip does: no zlib header, default memory level).
std::size_t deflated_size(const std::string& data, int level) {
    z_stream stream{};
    if (deflateInit2(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    std::string out(deflateBound(&stream, data.size()), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    const std::size_t size = stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? size : 0;
}

}  // namespace

// src/core/render/xlsx/minizip_level.cpp sets the level libxlsxwriter's parts are deflated
// at: it must be the zipOpenNewFileInZip4_64 in use, and the Details sheet's part must be
// exactly what zlib makes of its bytes at kXlsxDeflateLevel (and not at libxlsxwriter's 6).
TEST(XlsxRenderer, PartsAreDeflatedAtTheRenderersLevel) {
    EXPECT_EQ(dlsym(RTLD_DEFAULT, "zipOpenNewFileInZip4_64"), reinterpret_cast<void*>(&zipOpenNewFileInZip4_64));
    const Report report = sample::sample_report(2000);
    ScratchFile out("xlsx");
    sample::GeneratedLineItemSource source(2000);
    render::render_xlsx(report, source, out.path());
    unzFile zip = unzOpen(out.path().c_str());
    ASSERT_NE(zip, nullptr);
    ASSERT_EQ(unzLocateFile(zip, "xl/worksheets/sheet2.xml", 1), UNZ_OK);
    unz_file_info info{};
    ASSERT_EQ(unzGetCurrentFileInfo(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0), UNZ_OK);
    ASSERT_EQ(unzOpenCurrentFile(zip), UNZ_OK);
    std::string sheet(info.uncompressed_size, '\0');
    EXPECT_EQ(unzReadCurrentFile(zip, sheet.data(), static_cast<unsigned>(sheet.size())),
              static_cast<int>(sheet.size()));
    unzCloseCurrentFile(zip);
    unzClose(zip);
    EXPECT_EQ(info.compression_method, static_cast<uLong>(Z_DEFLATED));
    EXPECT_NE(sheet.find("<sheetData>"), std::string::npos);
    EXPECT_EQ(info.compressed_size, deflated_size(sheet, render::kXlsxDeflateLevel));
    EXPECT_NE(info.compressed_size, deflated_size(sheet, Z_DEFAULT_COMPRESSION));
}

TEST(XlsxRenderer, SharedStringModeGivesTheSameCells) {
    const Report report = sample::sample_report(20);
    const json streamed = render_sample(report, 20, true);
    const json in_memory = render_sample(report, 20, false);
    EXPECT_EQ(streamed["cells"]["Details"], in_memory["cells"]["Details"]);
    EXPECT_EQ(streamed["cells"]["Summary"], in_memory["cells"]["Summary"]);
}

TEST(XlsxRenderer, CurrencyFormatsCarryTheRightSymbolAndDigits) {
    EXPECT_EQ(render::excel_currency_format(currency_for("JPY")), "\"¥\"#,##0;-\"¥\"#,##0");
    EXPECT_EQ(render::excel_currency_format(currency_for("GBP")), "\"£\"#,##0.00;-\"£\"#,##0.00");
    EXPECT_EQ(render::excel_currency_format(currency_for("CHF")), "\"CHF \"#,##0.00;-\"CHF \"#,##0.00");
    EXPECT_EQ(render::excel_currency_format(currency_for("KWD")), "\"KWD \"#,##0.000;-\"KWD \"#,##0.000");
    EXPECT_EQ(render::excel_currency_format(currency_for("SEK")), "#,##0.00\" kr\";-#,##0.00\" kr\"");
    EXPECT_EQ(render::excel_currency_format(currency_for("XYZ")), "#,##0.00\" XYZ\";-#,##0.00\" XYZ\"");
}

TEST(XlsxRenderer, EmptyBudgetWithUnknownCurrencyStillMakesAValidWorkbook) {
    Report report;
    report.currency = currency_for("XYZ");
    report.header.report_date = Date{2026, 3, 14};
    finalize_report(report);
    const json book = render_sample(report, 0);
    EXPECT_EQ(book["cells"]["Details"]["A2"]["v"], "No transactions match these filters");
    EXPECT_EQ(book["cells"]["Payment Schedule"]["A2"]["v"], "No payment milestones yet");
    const json& summary = book["cells"]["Summary"];
    EXPECT_FALSE(row_of(summary, "A", "No transactions match these filters").empty());
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Total (no budget categories yet)")]), 0);
    // Nothing to divide by: % used is empty text, as the formula computes it, not a cached 0.0 %.
    const json& used = summary["B" + row_of(summary, "A", "% used (spent / budget)")];
    EXPECT_EQ(used["type"], "str");
    EXPECT_TRUE(used["v"].is_null() || used["v"] == "") << used.dump();
}

TEST(XlsxRenderer, FailuresBecomeRenderErrorsAndLeaveNoFile) {
    Report report = sample::sample_report(5);
    sample::GeneratedLineItemSource source(5);
    try {
        render::render_xlsx(report, source, "/nonexistent-dir/budget.xlsx");
        FAIL() << "expected RenderError";
    } catch (const render::RenderError& error) {
        EXPECT_NE(std::string(error.what()).find("Excel: cannot write /nonexistent-dir/budget.xlsx"), std::string::npos)
            << error.what();
    }
    EXPECT_FALSE(budget_exports::testing::file_exists("/nonexistent-dir/budget.xlsx"));

    ScratchFile out("xlsx");
    sample::GeneratedLineItemSource too_many(6);
    EXPECT_THROW(render::render_xlsx(report, too_many, out.path()), render::RenderError);
    EXPECT_FALSE(budget_exports::testing::file_exists(out.path()));
}

TEST(XlsxRenderer, StreamsAHundredThousandRows) {
    const std::uint64_t count = 100000;
    const Report report = sample::sample_report(count);
    ScratchFile out("xlsx");
    sample::GeneratedLineItemSource source(count);
    render::render_xlsx(report, source, out.path());
    const json book = budget_exports::testing::read_xlsx(out.path(), "totals");
    EXPECT_EQ(book["detail_rows"], count);
    const LineItemTotals& t = report.line_item_totals;
    EXPECT_EQ(book["detail_sum_cents"], (t.expenses + t.refunds + t.income + t.transfers).minor_units);
    EXPECT_EQ(book["detail_spent_cents"], t.net_spent().minor_units);
    const json& summary = book["cells"]["Summary"];
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Expenses")]), t.expenses.minor_units);
}
