#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/render/csv/csv_renderer.hpp"
#include "core/render/csv/csv_writer.hpp"
#include "core/render/render_error.hpp"
#include "sample_budget.hpp"
#include "test_files.hpp"

using namespace budget_exports;
using namespace budget_exports::report;
using budget_exports::testing::ScratchFile;
using budget_exports::testing::read_csv;

namespace {

LineItem item(const std::string& description, std::int64_t cents, TransactionType type = TransactionType::expense) {
    LineItem line;
    line.date = Date{2026, 4, 30};
    line.category = "Florist";
    line.description = description;
    line.vendor = "Blumen Österreicher";
    line.payment_method = "Card";
    line.amount = Money{cents};
    line.type = type;
    return line;
}

Report report_for(const std::vector<LineItem>& items, const char* currency = "EUR", bool notes = true) {
    Report report;
    report.currency = currency_for(currency);
    report.options.include_notes = notes;
    report.header.report_date = Date{2026, 3, 14};
    VectorLineItemSource source(items);
    add_line_items(report, source);
    finalize_report(report);
    return report;
}

}  // namespace

TEST(CsvRenderer, RoundTripsTrickyTextThroughAnIndependentReader) {
    std::vector<LineItem> items = {
        item("Peonies, roses & \"baby's breath\"", 123450),
        item("Line one\nline two\r\nline three", 5),
        item("=HYPERLINK(\"http://evil\",\"click\")", 100),
        item("+1 555 0100", 100),
        item("-2+3", 100),
        item("@SUM(A1)", 100),
        item("\tcmd", 100),
        item("\rcmd", 100),
        item("Refund for wilted tulips", -1250, TransactionType::refund),
        item("Zoë & José — crème brûlée ¥€£", 99),
        item("  =1+1", 100),
        item("\xEF\xBC\x9D" "1+1", 100),   // full-width ＝
        item(" \xEF\xBC\xA0SUM(A1)", 100),  // space, full-width ＠
        item("\xEF\xBC\x8B" "1", 100),     // ＋
        item("\xEF\xBC\x8D" "1", 100),     // －
        item("Ctrl\x01 esc\x1b ffff\xEF\xBF\xBF end", 100),
        item("Paid by Zoë - 2nd instalment", 100),
        item("Income from a gift", 5000, TransactionType::income),
    };
    items[0].notes = "Call Zoë, then José";
    items[0].tags = {"flowers", "deposit"};
    items[1].vendor = "=cmd|' /C calc'!A0";
    items[2].payment_method = "-card";
    const Report report = report_for(items);

    ScratchFile out("csv");
    VectorLineItemSource source(items);
    render::render_csv(report, source, out.path());
    const std::string raw = budget_exports::testing::read_file(out.path());
    ASSERT_EQ(raw.substr(0, 3), "\xEF\xBB\xBF");
    EXPECT_EQ(raw.find("Tags\r\n"), raw.find("\r\n") - 4);  // header ends with CRLF

    const auto rows = read_csv(out.path());
    ASSERT_EQ(rows.size(), items.size() + 1);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"Date", "Category", "Description", "Vendor", "Payment method",
                                                 "Type", "Amount", "Spent", "Currency", "Notes", "Tags"}));
    std::int64_t spent = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const LineItem& expected = items[i];
        const auto& row = rows[i + 1];
        ASSERT_EQ(row.size(), 11u) << "row " << i;
        const auto shown = [](const std::string& text) {
            return render::starts_like_formula(text) ? "'" + text : text;
        };
        EXPECT_EQ(row[0], "2026-04-30");
        EXPECT_EQ(row[1], expected.category);
        if (i != 1 && i != 7 && i != 15) {  // cleaned text, checked below
            EXPECT_EQ(row[2], shown(expected.description)) << "row " << i;
        }
        EXPECT_EQ(row[3], shown(expected.vendor));
        EXPECT_EQ(row[4], shown(expected.payment_method));
        EXPECT_EQ(row[5], to_string(expected.type));
        EXPECT_EQ(parse_money(row[6], 2), expected.amount);
        EXPECT_EQ(parse_money(row[7], 2), spent_contribution(expected));
        spent += parse_money(row[7], 2).minor_units;
        EXPECT_EQ(row[8], "EUR");
        EXPECT_EQ(row[9], expected.notes);
    }
    EXPECT_EQ(spent, report.budget_totals.spent.minor_units);  // SUM(Spent) is the report's Spent
    EXPECT_EQ(rows[1][10], "flowers; deposit");
    EXPECT_EQ(rows[1][6], "1234.50");
    EXPECT_EQ(rows[2][2], "Line one\nline two\nline three");  // CRLF inside a cell becomes LF
    EXPECT_EQ(rows[3][2], "'=HYPERLINK(\"http://evil\",\"click\")");
    EXPECT_EQ(rows[2][3], "'=cmd|' /C calc'!A0");
    EXPECT_EQ(rows[6][2], "'@SUM(A1)");
    EXPECT_EQ(rows[9][6], "-12.50");  // a negative amount stays a number
    EXPECT_EQ(rows[8][2], "'\ncmd");  // a lone CR becomes LF, still neutralised
    EXPECT_EQ(rows[10][2], "Zoë & José — crème brûlée ¥€£");
    // Formula neutralisation after blanks and for the full-width forms.
    EXPECT_EQ(rows[11][2], "'  =1+1");
    EXPECT_EQ(rows[12][2], "'＝1+1");
    EXPECT_EQ(rows[13][2], "' ＠SUM(A1)");
    EXPECT_EQ(rows[14][2], "'＋1");
    EXPECT_EQ(rows[15][2], "'－1");
    EXPECT_EQ(rows[16][2], "Ctrl esc ffff end");  // controls and U+FFFF removed
    EXPECT_EQ(rows[17][2], "Paid by Zoë - 2nd instalment");
    EXPECT_EQ(rows[18][7], "0.00");  // income is listed, not spent
    for (char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        EXPECT_TRUE(byte >= 0x20 || c == '\r' || c == '\n' || c == '\t') << "control character " << int(byte);
    }
}

TEST(CsvRenderer, OmitsBomAndNotesWhenAsked) {
    std::vector<LineItem> items = {item("Cake tasting", 4200)};
    items[0].notes = "secret";
    const Report report = report_for(items, "JPY", false);
    ScratchFile out("csv");
    VectorLineItemSource source(items);
    render::render_csv(report, source, out.path(), render::CsvOptions{false});
    const std::string raw = budget_exports::testing::read_file(out.path());
    EXPECT_EQ(raw.substr(0, 4), "Date");
    EXPECT_EQ(raw.find("secret"), std::string::npos);
    const auto rows = read_csv(out.path());
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].size(), 10u);
    EXPECT_EQ(rows[1][6], "4200");  // yen have no minor unit
    EXPECT_EQ(rows[1][8], "JPY");
}

TEST(CsvRenderer, EmptyReportHasOnlyTheHeader) {
    const Report report = report_for({}, "XYZ");
    ScratchFile out("csv");
    VectorLineItemSource source({});
    render::render_csv(report, source, out.path());
    const auto rows = read_csv(out.path());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "Date");
}

// The worker's scratch file is rewritten in place job after job (core/io/rewritten_file.hpp):
// a short report written over a long one is exactly the short report, in the same file.
TEST(CsvRenderer, AShortReportWrittenOverALongOneIsExactlyTheShortOne) {
    std::vector<LineItem> many;
    for (int i = 0; i < 500; i++) many.push_back(item("Long line item number " + std::to_string(i), 100 + i));
    const std::vector<LineItem> few = {item("Cake tasting", 4200)};
    ScratchFile reused("csv");
    ScratchFile fresh("csv");
    VectorLineItemSource long_source(many);
    render::render_csv(report_for(many, "EUR"), long_source, reused.path());
    struct stat before {};
    ASSERT_EQ(::stat(reused.path().c_str(), &before), 0);
    VectorLineItemSource short_source(few);
    render::render_csv(report_for(few, "EUR"), short_source, reused.path());
    VectorLineItemSource again(few);
    render::render_csv(report_for(few, "EUR"), again, fresh.path());
    struct stat after {};
    ASSERT_EQ(::stat(reused.path().c_str(), &after), 0);
    EXPECT_EQ(after.st_ino, before.st_ino);  // rewritten, not replaced
    EXPECT_LT(after.st_size, before.st_size / 100);
    EXPECT_EQ(budget_exports::testing::read_file(reused.path()), budget_exports::testing::read_file(fresh.path()));
    EXPECT_EQ(read_csv(reused.path()).size(), 2u);
}

TEST(CsvRenderer, RefusesRowsThatDisagreeWithTheTotalsAndLeavesNoFile) {
    std::vector<LineItem> items = {item("a", 100), item("b", 200)};
    Report report = report_for(items);
    items.push_back(item("late arrival", 300));
    ScratchFile out("csv");
    VectorLineItemSource source(items);
    try {
        render::render_csv(report, source, out.path());
        FAIL() << "expected RenderError";
    } catch (const render::RenderError& error) {
        EXPECT_NE(std::string(error.what()).find("3 rows"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(budget_exports::testing::file_exists(out.path()));
}

TEST(CsvRenderer, ReportsAnUnwritablePath) {
    const Report report = report_for({});
    VectorLineItemSource source({});
    try {
        render::render_csv(report, source, "/nonexistent-dir/x.csv");
        FAIL() << "expected RenderError";
    } catch (const render::RenderError& error) {
        EXPECT_STREQ(error.what(), "CSV: cannot create /nonexistent-dir/x.csv: No such file or directory");
    }
}

TEST(CsvRenderer, StreamsAHundredThousandRowsAndMatchesTheTotals) {
    const std::uint64_t count = 100000;
    const Report report = sample::sample_report(count);
    ScratchFile out("csv");
    sample::GeneratedLineItemSource source(count);
    render::render_csv(report, source, out.path());

    // Sum the amounts back with the independent reader, in minor units.
    ScratchFile script("py");
    {
        std::FILE* file = std::fopen(script.path().c_str(), "w");
        std::fputs("import csv, sys\nfrom decimal import Decimal\n"
                   "rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))[1:]\n"
                   "exp = sum(Decimal(r[6]) for r in rows if r[5] == 'expense')\n"
                   "spent = sum(Decimal(r[7]) for r in rows)\n"
                   "print(len(rows), int(exp * 100), int(spent * 100))\n",
                   file);
        std::fclose(file);
    }
    const std::string output = budget_exports::testing::run_command("python3 " + script.path() + " " + out.path());
    EXPECT_EQ(output, std::to_string(count) + " " + std::to_string(report.line_item_totals.expenses.minor_units) + " " +
                          std::to_string(report.budget_totals.spent.minor_units) + "\n");
}
