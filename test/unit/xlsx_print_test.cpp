// The Excel export as LibreOffice prints it: the real thing, not libxlsxwriter's view of it.
#include <gtest/gtest.h>

#include <stdexcept>
#include <unistd.h>
#include <regex>
#include <vector>

#include "core/render/xlsx/xlsx_renderer.hpp"
#include "sample_budget.hpp"
#include "test_files.hpp"

using namespace budget_exports;
using namespace budget_exports::report;
using budget_exports::testing::ScratchFile;

namespace {

struct Word {
    int page;
    double x_min, y_min, x_max, y_max;
    std::string text;
};

// Every word of `pdf` with its box (pdftotext -bbox).
std::vector<Word> words_of(const std::string& pdf) {
    const std::string html = budget_exports::testing::run_command("pdftotext -bbox " + pdf + " -");
    static const std::regex kWord(
        R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>|<page )re");
    std::vector<Word> words;
    int page = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), kWord); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        if (!m[1].matched) {
            ++page;
            continue;
        }
        words.push_back({page, std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4]), m[5]});
    }
    return words;
}

// The xlsx printed to PDF by LibreOffice (its own profile, so tests never share one).
std::string print_with_libreoffice(const std::string& xlsx) {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) throw std::runtime_error("getcwd failed");
    const std::string profile = "file://" + std::string(cwd) + "/tmp/lo-profile";
    budget_exports::testing::run_command("soffice -env:UserInstallation=" + profile +
                                         " --headless --convert-to pdf --outdir tmp " + xlsx + " >/dev/null 2>&1");
    return xlsx.substr(0, xlsx.rfind('.')) + ".pdf";
}

}  // namespace

// A Details row with a long description, one with notes of several lines, and a milestone
// with a long name and notes: on every printed page (Summary, Details, Payment Schedule),
// every line prints inside its own row, never over the text of the rows below.
TEST(XlsxPrint, LibreOfficePrintsWrappedTextWithoutOverlap) {
    Report report = sample::sample_report(6);
    report.options.include_notes = true;
    std::vector<LineItem> items;
    for (int i = 0; i < 6; ++i) items.push_back(sample::sample_line_item(i));
    std::string words;
    for (int i = 0; i < 60; ++i) words += "word ";
    items[0].description = "Fleurs " + words;  // 300 characters
    items[2].notes = "Paid in three parts:\nfirst by card\nthen cash\nthe rest by bank transfer";
    items[4].notes = "Cheque\nsigned";  // short, two lines
    items[5].vendor = "Atelier Floral Lumière, Fleurs Séchées & Décoration Florale";  // over the vendor column
    report.categories[2].name = "Flowers, candles and table decorations for the reception hall";  // over column A
    report.milestones[1].name = "Final balance for the string quartet, the harpist and the evening DJ set";
    report.milestones[1].notes = "Call first\nthen e-mail the contract\nthen pay by bank transfer";
    ScratchFile out("xlsx");
    VectorLineItemSource source(items);
    render::render_xlsx(report, source, out.path());
    const std::string pdf = print_with_libreoffice(out.path());
    const std::vector<Word> printed = words_of(pdf);
    std::remove(pdf.c_str());

    // Every word of the long texts is printed (not cut at the cell's edge, nor lost above it).
    int schedule_page = -1, description_words = 0;
    for (const Word& word : printed) {
        if (word.text == "harpist") schedule_page = word.page;
        description_words += word.text == "word";
    }
    EXPECT_EQ(description_words, 60);
    for (const char* expected : {"Cheque", "signed", "Séchées", "Florale", "reception", "hall"}) {
        bool found = false;
        for (const Word& word : printed) found = found || word.text == expected;
        EXPECT_TRUE(found) << "\"" << expected << "\" is printed";
    }
    ASSERT_GE(schedule_page, 0);
    for (const char* expected : {"Final", "quartet,", "harpist", "evening", "DJ", "set", "Call", "first", "e-mail",
                                 "contract", "then", "pay", "bank", "transfer"}) {
        bool found = false;
        for (const Word& word : printed) found = found || (word.page == schedule_page && word.text == expected);
        EXPECT_TRUE(found) << "\"" << expected << "\" is printed on the Payment Schedule";
    }
    int checked = 0;
    for (std::size_t i = 0; i < printed.size(); ++i) {
        const Word& a = printed[i];
        for (std::size_t j = i + 1; j < printed.size() && printed[j].page == a.page; ++j) {
            const Word& b = printed[j];
            ++checked;
            // Words whose boxes share more than half a point across and whose middle halves
            // (a box includes the font's ascent and descent, so the boxes of two lines of one
            // cell touch) share height: one word printed over another.
            const auto middle = [](const Word& w, double part) { return w.y_min + (w.y_max - w.y_min) * part; };
            const double x = std::min(a.x_max, b.x_max) - std::max(a.x_min, b.x_min);
            const double y = std::min(middle(a, 0.75), middle(b, 0.75)) - std::max(middle(a, 0.25), middle(b, 0.25));
            EXPECT_FALSE(x > 0.5 && y > 0) << "page " << a.page << ": \"" << a.text << "\" prints over \"" << b.text << "\"";
        }
    }
    EXPECT_GT(checked, 1000) << "the pages have their words";
}
