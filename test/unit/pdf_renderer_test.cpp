#include <gtest/gtest.h>

#include <regex>

#include "core/render/pdf/pdf_renderer.hpp"
#include "core/render/render.hpp"
#include "sample_budget.hpp"
#include "test_files.hpp"

using namespace budget_exports;
using namespace budget_exports::report;
using budget_exports::testing::run_command;
using budget_exports::testing::ScratchFile;

namespace {

struct RenderedPdf {
    std::string text;  // pdftotext -layout output
    int pages = 0;
    std::string page_size;
};

RenderedPdf render_and_read(const Report& report, std::uint64_t items) {
    ScratchFile out("pdf");
    sample::GeneratedLineItemSource source(items);
    render::render_pdf(report, source, out.path());
    RenderedPdf pdf;
    const std::string info = run_command("pdfinfo " + out.path() + " 2>/dev/null");
    std::smatch match;
    if (std::regex_search(info, match, std::regex("Pages:\\s+(\\d+)"))) pdf.pages = std::stoi(match[1]);
    if (std::regex_search(info, match, std::regex("Page size:\\s+([0-9.]+ x [0-9.]+)"))) pdf.page_size = match[1];
    pdf.text = run_command("pdftotext -layout " + out.path() + " - 2>/dev/null");
    return pdf;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(PdfRenderer, ShowsNamesSymbolsTotalsAndPageNumbers) {
    const Report report = sample::sample_report(300);
    const RenderedPdf pdf = render_and_read(report, 300);
    ASSERT_GT(pdf.pages, 3);
    EXPECT_EQ(pdf.page_size, "595.276 x 841.89");
    EXPECT_TRUE(contains(pdf.text, "Zoë Müller & José Ñúñez"));
    EXPECT_TRUE(contains(pdf.text, "12 September 2026"));
    const BudgetTotals& budget = report.budget_totals;
    for (Money amount : {budget.allocated, budget.spent, budget.remaining, report.line_item_totals.expenses})
        EXPECT_TRUE(contains(pdf.text, format_display(amount, report.currency))) << format_display(amount, report.currency);
    EXPECT_TRUE(contains(pdf.text, format_percent(budget.percent_used_basis_points)));
    EXPECT_TRUE(contains(pdf.text, "Budget by category"));
    EXPECT_TRUE(contains(pdf.text, "Upcoming payments"));
    EXPECT_TRUE(contains(pdf.text, "Transactions (300)"));
    EXPECT_TRUE(contains(pdf.text, format_display(sample::sample_line_item(299).amount, report.currency)));
    EXPECT_TRUE(contains(pdf.text, "Page 1 of " + std::to_string(pdf.pages)));
    EXPECT_TRUE(contains(pdf.text, "Page " + std::to_string(pdf.pages) + " of " + std::to_string(pdf.pages)));
    EXPECT_FALSE(contains(pdf.text, "Page " + std::to_string(pdf.pages + 1) + " of"));
}

TEST(PdfRenderer, RendersPoundAndYenAndHonoursOptions) {
    Report report = sample::sample_report(10);
    report.currency = currency_for("GBP");
    report.options.include_timeline = false;
    report.options.page_orientation = PageOrientation::landscape;
    finalize_report(report);
    RenderedPdf pdf = render_and_read(report, 10);
    EXPECT_TRUE(contains(pdf.text, "£"));
    EXPECT_FALSE(contains(pdf.text, "€"));
    EXPECT_FALSE(contains(pdf.text, "Upcoming payments"));
    EXPECT_EQ(pdf.page_size, "841.89 x 595.276");

    report.currency = currency_for("JPY");
    report.header.custom_title = "Notre mariage — 結婚式";
    pdf = render_and_read(report, 10);
    EXPECT_TRUE(contains(pdf.text, "¥"));
    EXPECT_TRUE(contains(pdf.text, "Notre mariage"));
}

TEST(PdfRenderer, PageCountGrowsWithRowsAndFontSize) {
    Report report = sample::sample_report(100);
    const int hundred = render_and_read(report, 100).pages;
    report.line_item_totals = sample::generated_totals(1000);
    const int thousand = render_and_read(report, 1000).pages;
    EXPECT_GT(thousand, hundred + 15);
    report.options.font_size = FontSize::large;
    const int large = render_and_read(report, 1000).pages;
    report.options.font_size = FontSize::small;
    const int small = render_and_read(report, 1000).pages;
    EXPECT_GT(large, thousand);
    EXPECT_LT(small, thousand);
}

TEST(PdfRenderer, CutsLongTextWithAnEllipsis) {
    std::vector<LineItem> items(1);
    items[0].date = Date{2026, 5, 1};
    items[0].category = "Florist";
    items[0].description = "Peonies " + std::string(200, 'x') + " TAIL-MARKER";
    items[0].amount = Money{123456789};
    Report report;
    report.currency = currency_for("EUR");
    VectorLineItemSource count_source(items);
    report.line_item_totals = compute_line_item_totals(count_source);
    finalize_report(report);
    ScratchFile out("pdf");
    VectorLineItemSource source(items);
    render::render_pdf(report, source, out.path());
    const std::string text = run_command("pdftotext -layout " + out.path() + " - 2>/dev/null");
    EXPECT_TRUE(contains(text, "Peonies xxx"));
    EXPECT_TRUE(contains(text, "…"));
    EXPECT_FALSE(contains(text, "TAIL-MARKER"));
    EXPECT_TRUE(contains(text, "€1,234,567.89"));  // figures are never cut
}

TEST(PdfRenderer, EmptyBudgetWithUnknownCurrencyIsAValidPdf) {
    Report report;
    report.currency = currency_for("XYZ");
    finalize_report(report);
    const RenderedPdf pdf = render_and_read(report, 0);
    EXPECT_EQ(pdf.pages, 2);
    EXPECT_TRUE(contains(pdf.text, "No transactions match these filters"));
    EXPECT_TRUE(contains(pdf.text, "0.00 XYZ"));
}

TEST(PdfRenderer, FailuresNameTheCauseAndLeaveNoFile) {
    const Report report = sample::sample_report(3);
    ScratchFile out("pdf");
    render::PdfOptions options;
    options.font_path = "/x.ttf";
    sample::GeneratedLineItemSource source(3);
    try {
        render::render_pdf(report, source, out.path(), options);
        FAIL() << "expected RenderError";
    } catch (const render::RenderError& error) {
        EXPECT_STREQ(error.what(), "PDF: cannot load font /x.ttf: No such file or directory");
    }
    EXPECT_FALSE(budget_exports::testing::file_exists(out.path()));

    sample::GeneratedLineItemSource too_many(4);
    EXPECT_THROW(render::render_pdf(report, too_many, out.path()), render::RenderError);
    EXPECT_FALSE(budget_exports::testing::file_exists(out.path()));

    sample::GeneratedLineItemSource rows(3);
    try {
        render::render_pdf(report, rows, "/nonexistent-dir/budget.pdf");
        FAIL() << "expected RenderError";
    } catch (const render::RenderError& error) {
        EXPECT_TRUE(contains(error.what(), "PDF: cannot write /nonexistent-dir/budget.pdf")) << error.what();
    }
}

TEST(PdfRenderer, StreamsAHundredThousandRows) {
    const std::uint64_t count = 100000;
    const Report report = sample::sample_report(count);
    ScratchFile out("pdf");
    sample::GeneratedLineItemSource source(count);
    render::render_pdf(report, source, out.path());
    const std::string info = run_command("pdfinfo " + out.path() + " 2>/dev/null");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(info, match, std::regex("Pages:\\s+(\\d+)")));
    const int pages = std::stoi(match[1]);
    EXPECT_GT(pages, 2000);
    const std::string last_page = run_command("pdftotext -f " + std::to_string(pages) + " -l " + std::to_string(pages) +
                                              " " + out.path() + " - 2>/dev/null");
    EXPECT_TRUE(contains(last_page, "Page " + std::to_string(pages) + " of " + std::to_string(pages)));
    EXPECT_TRUE(contains(last_page, format_display(sample::sample_line_item(count - 1).amount, report.currency)));
}

TEST(RenderDispatch, MapsFormatsToContentTypes) {
    EXPECT_EQ(render::format_info("csv").extension, "csv");
    EXPECT_EQ(render::format_info("excel").content_type,
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(render::format_info("pdf").content_type, "application/pdf");
    EXPECT_THROW(render::format_info("docx"), render::RenderError);
    const Report report = sample::sample_report(5);
    for (const char* format : {"csv", "excel", "pdf"}) {
        ScratchFile out(render::format_info(format).extension);
        sample::GeneratedLineItemSource source(5);
        const render::RenderedFile file = render::render(format, report, source, out.path());
        EXPECT_GT(budget_exports::testing::file_size(out.path()), 100) << format;
        EXPECT_EQ(file.extension, render::format_info(format).extension);
    }
}
