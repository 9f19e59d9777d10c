#include <gtest/gtest.h>

#include <cmath>

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

}  // namespace

TEST(XlsxRenderer, WritesThreeSheetsWithLiveTotalsEqualToTheModel) {
    const Report report = sample::sample_report(300);
    const json book = render_sample(report, 300);
    EXPECT_EQ(book["sheets"], json({"Summary", "Details", "Payment Schedule"}));

    const json& summary = book["cells"]["Summary"];
    EXPECT_EQ(summary["A1"]["v"], "Wedding budget: Zoë Müller & José Ñúñez");
    const std::string total = row_of(summary, "A", "Total");
    ASSERT_FALSE(total.empty());
    const std::string first = std::to_string(std::stoi(total) - 40);
    EXPECT_EQ(summary["B" + total]["f"], "SUM(B" + first + ":B" + std::to_string(std::stoi(total) - 1) + ")");
    EXPECT_EQ(cents(summary["B" + total]), report.budget_totals.allocated.minor_units);
    EXPECT_EQ(cents(summary["C" + total]), report.budget_totals.spent.minor_units);
    EXPECT_EQ(cents(summary["D" + total]), report.budget_totals.remaining.minor_units);
    EXPECT_EQ(summary["B" + total]["fmt"], "\"€\"#,##0.00;-\"€\"#,##0.00");
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Total budget")]), report.budget_totals.allocated.minor_units);
    const std::string expenses = row_of(summary, "A", "Expenses");
    EXPECT_EQ(summary["B" + expenses]["f"], "SUMIF(Details!F2:F301,\"Expense\",Details!G2:G301)");
    EXPECT_EQ(cents(summary["B" + expenses]), report.line_item_totals.expenses.minor_units);

    // Over-budget categories are shaded, others are not.
    for (const Category& category : report.categories) {
        const std::string row = row_of(summary, "A", category.name);
        ASSERT_FALSE(row.empty()) << category.name;
        EXPECT_EQ(cents(summary["C" + row]), category.spent.minor_units);
        EXPECT_EQ(summary["D" + row]["f"], "B" + row + "-C" + row);
        EXPECT_EQ(summary["A" + row]["fill"] != "0", category.status == BudgetStatus::over) << category.name;
    }

    const json& details = book["cells"]["Details"];
    EXPECT_EQ(book["frozen"]["Details"], "A2");
    EXPECT_EQ(book["autofilter"]["Details"], "A1:I301");
    EXPECT_EQ(details["H1"]["v"], "Notes");
    const LineItem first_item = sample::sample_line_item(0);
    EXPECT_EQ(details["A2"]["fmt"], "d mmm yyyy");
    EXPECT_EQ(std::stol(details["A2"]["v"].get<std::string>()), excel_serial(*first_item.date));
    EXPECT_EQ(details["D2"]["v"], first_item.vendor);
    EXPECT_EQ(cents(details["G2"]), first_item.amount.minor_units);
    std::int64_t refunds = 0;
    for (int row = 2; row <= 301; ++row) {
        const std::string r = std::to_string(row);
        if (details["F" + r]["v"] == "Refund") refunds += cents(details["G" + r]);
    }
    EXPECT_EQ(refunds, report.line_item_totals.refunds.minor_units);
    EXPECT_EQ(details["G303"]["f"], "SUMIF(F2:F301,\"Expense\",G2:G301)");
    EXPECT_EQ(cents(details["G304"]), report.line_item_totals.refunds.minor_units);

    const json& schedule = book["cells"]["Payment Schedule"];
    EXPECT_EQ(book["frozen"]["Payment Schedule"], "A2");
    EXPECT_EQ(schedule["A1"]["v"], "Category");
    const std::string scheduled = row_of(schedule, "B", "Scheduled (excluding cancelled)");
    EXPECT_EQ(cents(schedule["C" + scheduled]), report.milestone_totals.scheduled.minor_units);
    EXPECT_EQ(schedule["C" + scheduled]["f"], "SUMIF(E2:E25,\"<>Cancelled\",C2:C25)");
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
    finalize_report(report);
    const json book = render_sample(report, 0);
    EXPECT_EQ(book["cells"]["Details"]["A2"]["v"], "No transactions match these filters");
    EXPECT_EQ(book["cells"]["Payment Schedule"]["A2"]["v"], "No payment milestones yet");
    const json& summary = book["cells"]["Summary"];
    EXPECT_FALSE(row_of(summary, "A", "No transactions match these filters").empty());
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Total (no budget categories yet)")]), 0);
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
    const json& summary = book["cells"]["Summary"];
    EXPECT_EQ(cents(summary["B" + row_of(summary, "A", "Expenses")]), t.expenses.minor_units);
}
