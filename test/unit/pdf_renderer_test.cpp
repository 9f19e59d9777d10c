#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "core/render/pdf/pdf_renderer.hpp"
#include "core/render/pdf/pdf_to_unicode.hpp"
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
    const MilestoneTotals& payments = report.milestone_totals;
    EXPECT_EQ(budget.budget.minor_units, 48500000);
    for (Money amount : {budget.budget, budget.allocated, budget.spent, budget.remaining, report.line_item_totals.expenses,
                         payments.total_due, payments.overdue, payments.upcoming, payments.paid})
        EXPECT_TRUE(contains(pdf.text, format_display(amount, report.currency))) << format_display(amount, report.currency);
    EXPECT_TRUE(contains(pdf.text, format_percent(budget.percent_used_basis_points)));
    EXPECT_TRUE(contains(pdf.text, "Whole budget"));
    EXPECT_TRUE(contains(pdf.text, "Budget by category"));
    EXPECT_TRUE(contains(pdf.text, "Payments on 14 March 2026"));
    EXPECT_TRUE(contains(pdf.text, "total due"));
    EXPECT_FALSE(contains(pdf.text, "scheduled"));
    EXPECT_TRUE(contains(pdf.text, "Reminder set for the week before"));  // milestone notes
    EXPECT_TRUE(contains(pdf.text, "Confirmed by e-mail"));               // transaction notes
    EXPECT_TRUE(contains(pdf.text, "Transactions (300)"));
    EXPECT_TRUE(contains(pdf.text, "Spent: expenses − refunds"));          // the total row
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
    EXPECT_FALSE(contains(pdf.text, "Payments on"));
    EXPECT_EQ(pdf.page_size, "841.89 x 595.276");

    report.currency = currency_for("JPY");
    report.header.custom_title = "Notre mariage — 結婚式";
    pdf = render_and_read(report, 10);
    EXPECT_TRUE(contains(pdf.text, "¥"));
    EXPECT_TRUE(contains(pdf.text, "Notre mariage"));
}

TEST(PdfRenderer, PageCountGrowsWithRowsAndFontSize) {
    const int hundred = render_and_read(sample::sample_report(100), 100).pages;
    Report report = sample::sample_report(1000);
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
    report.header.report_date = Date{2026, 3, 14};
    VectorLineItemSource count_source(items);
    add_line_items(report, count_source);
    finalize_report(report);
    ScratchFile out("pdf");
    VectorLineItemSource source(items);
    render::render_pdf(report, source, out.path());
    const std::string text = run_command("pdftotext -layout " + out.path() + " - 2>/dev/null");
    EXPECT_TRUE(contains(text, "Peonies"));
    EXPECT_TRUE(contains(text, "…"));
    EXPECT_FALSE(contains(text, "TAIL-MARKER"));
    EXPECT_TRUE(contains(text, "€1,234,567.89"));  // figures are never cut
}

// libharu's own /ToUnicode for our fonts is its encoder's code -> CID map, which poppler
// rejects ("Syntax Warning: Invalid 'begincidrange' operator in ToUnicode CMap", for every
// font on every page) before it guesses the text from the embedded font; the renderer gives
// each font an identity map instead (pdf_to_unicode.hpp). A reader then finds the text as
// written, accents and symbols included, and has nothing to complain about.
TEST(PdfRenderer, ItsTextMapsToUnicodeWithoutAReaderWarning) {
    const Report report = sample::sample_report(300);
    ScratchFile out("pdf");
    sample::GeneratedLineItemSource source(300);
    render::render_pdf(report, source, out.path());
    const std::string fonts = run_command("pdffonts " + out.path() + " 2>&1");
    EXPECT_TRUE(contains(fonts, "DejaVuSans,Book")) << fonts;
    EXPECT_TRUE(contains(fonts, "DejaVuSans-Bold,Bold")) << fonts;
    const std::string complaints = run_command("pdftotext " + out.path() + " /dev/null 2>&1");
    EXPECT_EQ(complaints, "");
    const std::string text = run_command("pdftotext " + out.path() + " - 2>/dev/null");
    EXPECT_TRUE(contains(text, "Zoë Müller & José Ñúñez"));
    EXPECT_TRUE(contains(text, "Orquesta São João"));
    EXPECT_TRUE(contains(text, "€485,000.00"));
}

// The map follows the CMap rules readers enforce: at most 100 entries to a section, each
// range varying only in its last byte (a range <0000> <FFFF> is invalid), and it maps every
// code a font can show (U+0001-U+FFFD but the surrogates) to itself, once.
TEST(PdfToUnicode, IdentityMapFollowsTheCMapRules) {
    const std::string cmap = render::identity_to_unicode_cmap();
    EXPECT_TRUE(contains(cmap, "/CMapType 2 def"));
    EXPECT_TRUE(contains(cmap, "/Ordering (UCS)"));
    EXPECT_FALSE(contains(cmap, "cidrange"));
    std::vector<int> mapped(0x10000, 0);
    const std::regex section("(\\d+) beginbfrange\n([\\s\\S]*?)endbfrange");
    const std::regex range("<([0-9A-F]{4})> <([0-9A-F]{4})> <([0-9A-F]{4})>\n");
    int sections = 0;
    for (std::sregex_iterator it(cmap.begin(), cmap.end(), section), end; it != end; ++it) {
        ++sections;
        const std::string body = (*it)[2];
        int entries = 0;
        for (std::sregex_iterator r(body.begin(), body.end(), range); r != end; ++r) {
            ++entries;
            const int first = std::stoi((*r)[1], nullptr, 16);
            const int last = std::stoi((*r)[2], nullptr, 16);
            const int to = std::stoi((*r)[3], nullptr, 16);
            EXPECT_EQ(first >> 8, last >> 8) << (*r)[0];
            EXPECT_LE(first, last) << (*r)[0];
            EXPECT_EQ(to, first) << (*r)[0];
            for (int code = first; code <= last; ++code) ++mapped[code];
        }
        EXPECT_EQ(entries, std::stoi((*it)[1]));
        EXPECT_LE(entries, 100);
    }
    EXPECT_GE(sections, 3);
    for (int code = 0; code < 0x10000; ++code) {
        const bool expected = code >= 0x0001 && code <= 0xFFFD && (code < 0xD800 || code > 0xDFFF);
        ASSERT_EQ(mapped[code], expected ? 1 : 0) << std::hex << code;
    }
}

TEST(PdfRenderer, EmptyBudgetWithUnknownCurrencyIsAValidPdf) {
    Report report;
    report.currency = currency_for("XYZ");
    report.header.report_date = Date{2026, 3, 14};
    finalize_report(report);
    const RenderedPdf pdf = render_and_read(report, 0);
    EXPECT_EQ(pdf.pages, 1);  // no forced page break before the (empty) transaction table
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
    // The total row closes the table on the last page; the last row is on it or the one before.
    EXPECT_TRUE(contains(last_page, format_display(report.budget_totals.spent, report.currency)));
    const std::string last_two = run_command("pdftotext -f " + std::to_string(pages - 1) + " -l " +
                                             std::to_string(pages) + " " + out.path() + " - 2>/dev/null");
    EXPECT_TRUE(contains(last_two, format_display(sample::sample_line_item(count - 1).amount, report.currency)));
}

// The fixture's vendors, categories and payment methods are never cut ("…"), in every
// orientation and font size; long ones wrap to a second line instead.
TEST(PdfRenderer, NeverCutsTheSampleNamesInAnyLayout) {
    for (PageOrientation orientation : {PageOrientation::portrait, PageOrientation::landscape}) {
        for (FontSize size : {FontSize::small, FontSize::medium, FontSize::large}) {
            Report report = sample::sample_report(400);
            report.options.page_orientation = orientation;
            report.options.font_size = size;
            const RenderedPdf pdf = render_and_read(report, 400);
            const std::string where = std::string(orientation == PageOrientation::portrait ? "portrait " : "landscape ") +
                                      std::to_string(static_cast<int>(size));
            EXPECT_FALSE(contains(pdf.text, "…")) << where;
            for (const std::string& vendor : sample::sample_vendors()) {
                const std::string first_word = vendor.substr(0, vendor.find(' '));
                EXPECT_TRUE(contains(pdf.text, first_word)) << where << ": " << vendor;
            }
            EXPECT_TRUE(contains(pdf.text, "transfer")) << where;
            EXPECT_TRUE(contains(pdf.text, "Page 1 of " + std::to_string(pdf.pages))) << where;
        }
    }
}

TEST(PdfRenderer, ControlCharactersNeverReachThePdf) {
    Report report = sample::sample_report(5);
    report.header.custom_title = std::string("Our day \xEF\xBF\xBF\x1b\x01 ok");
    report.header.partner2_name = "Jos\xC3\xA9\x1b";
    const RenderedPdf pdf = render_and_read(report, 5);
    EXPECT_TRUE(contains(pdf.text, "Our day")) << pdf.text.substr(0, 300);
    for (char c : pdf.text) {
        const auto byte = static_cast<unsigned char>(c);
        EXPECT_TRUE(byte >= 0x20 || c == '\n' || c == '\f') << "control character " << int(byte);
    }
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
