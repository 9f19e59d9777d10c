// The Excel export as LibreOffice prints and recalculates it: the real thing, not
// libxlsxwriter's view of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sys/stat.h>
#include <cstdio>
#include <stdexcept>
#include <unistd.h>
#include <regex>
#include <tuple>
#include <vector>

#include "core/render/xlsx/xlsx_renderer.hpp"
#include "core/render/xlsx/xlsx_workbook.hpp"
#include "sample_budget.hpp"
#include "test_files.hpp"
#include "xlsx_reader.hpp"

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

// Runs LibreOffice headless on `xlsx` with a profile of its own under tmp/ (tests never
// share one), converting it to `filter` in tmp/.
void libreoffice_convert(const std::string& xlsx, const std::string& profile_name, const std::string& filter) {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) throw std::runtime_error("getcwd failed");
    const std::string profile = "file://" + std::string(cwd) + "/tmp/" + profile_name;
    budget_exports::testing::run_command("soffice -env:UserInstallation=" + profile + " --headless --convert-to '" +
                                         filter + "' --outdir tmp " + xlsx + " >/dev/null 2>&1");
}

// The xlsx printed to PDF by LibreOffice.
std::string print_with_libreoffice(const std::string& xlsx) {
    libreoffice_convert(xlsx, "lo-profile", "pdf");
    return xlsx.substr(0, xlsx.rfind('.')) + ".pdf";
}

// Every sheet of the xlsx as LibreOffice computes it when it recalculates every formula on
// load (not the values the file caches): sheet -> rows of raw cell values.
std::map<std::string, std::vector<std::vector<std::string>>> recalculate_with_libreoffice(
    const std::string& xlsx, const std::vector<std::string>& sheets) {
    ::mkdir("tmp/lo-recalc-profile", 0700);
    ::mkdir("tmp/lo-recalc-profile/user", 0700);
    std::FILE* settings = std::fopen("tmp/lo-recalc-profile/user/registrymodifications.xcu", "w");
    if (settings == nullptr) throw std::runtime_error("cannot write the LibreOffice profile");
    std::fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" "
               "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
               "<item oor:path=\"/org.openoffice.Office.Calc/Formula/Load\"><prop oor:name=\"OOXMLRecalcMode\" "
               "oor:op=\"fuse\"><value>0</value></prop></item>\n</oor:items>\n",
               settings);
    std::fclose(settings);
    // CSV, comma-separated, UTF-8, raw values (not as shown), one file per sheet
    libreoffice_convert(xlsx, "lo-recalc-profile", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1");
    std::map<std::string, std::vector<std::vector<std::string>>> out;
    const std::string stem = xlsx.substr(0, xlsx.rfind('.'));
    for (const std::string& sheet : sheets) {
        const std::string path = stem + "-" + sheet + ".csv";
        out[sheet] = budget_exports::testing::read_csv(path);
        std::remove(path.c_str());
    }
    return out;
}

// "B7" -> zero-based row and column.
std::pair<std::size_t, std::size_t> position_of(const std::string& ref) {
    std::size_t col = 0, i = 0;
    for (; i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i])); ++i) col = col * 26 + (ref[i] - 'A' + 1);
    return {static_cast<std::size_t>(std::stoul(ref.substr(i))) - 1, col - 1};
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

// A left-aligned column right of a right-aligned one (an amount, a date, a percentage)
// starts with an indent: printed, "0.0%" and "Under budget", "3 Jan 2026" and "Venue", are
// apart by clearly more than the space between two words of one cell (a quarter of a word's
// height; without the indent the gap was 0.13 of it, and the two read as one phrase).
TEST(XlsxPrint, LibreOfficePrintsAGapBetweenANumberAndTheTextRightOfIt) {
    static const std::regex kNumberEnd(R"(^-?€[0-9,]+\.[0-9]{2}$|^[0-9]{4}$|^[0-9.]+%$)");
    static const std::regex kStartsWithLetter(R"(^[A-Za-z].*)");
    const std::vector<std::pair<std::string, std::string>> header_pairs = {
        {"Date", "Category"}, {"Spent", "Notes"}, {"Spent", "Tags"}, {"date", "Status"}, {"date", "Notes"},
        {"used", "Status"}};
    for (const bool notes : {true, false}) {
        Report report = sample::sample_report(12);
        report.options.include_notes = notes;
        std::vector<LineItem> items;
        for (int i = 0; i < 12; ++i) items.push_back(sample::sample_line_item(i));
        ScratchFile out("xlsx");
        VectorLineItemSource source(items);
        render::render_xlsx(report, source, out.path());
        const std::string pdf = print_with_libreoffice(out.path());
        std::vector<Word> printed = words_of(pdf);
        std::remove(pdf.c_str());
        // words on one printed line (the cells of a row share their text's box), left to right
        const auto line = [](const Word& w) { return std::lround((w.y_min + w.y_max) / 2); };
        std::sort(printed.begin(), printed.end(), [&](const Word& a, const Word& b) {
            return std::make_tuple(a.page, line(a), a.x_min) < std::make_tuple(b.page, line(b), b.x_min);
        });
        int numbers = 0, headers = 0;
        for (std::size_t i = 0; i + 1 < printed.size(); ++i) {
            const Word& a = printed[i];
            const Word& b = printed[i + 1];
            if (a.page != b.page || line(a) != line(b)) continue;
            const bool number = std::regex_match(a.text, kNumberEnd) && std::regex_match(b.text, kStartsWithLetter);
            bool header = false;
            for (const auto& pair : header_pairs) header = header || (a.text == pair.first && b.text == pair.second);
            if (!number && !header) continue;
            numbers += number;
            headers += header;
            const double gap = b.x_min - a.x_max;
            EXPECT_GE(gap, 0.5 * (a.y_max - a.y_min))
                << "page " << a.page << ": \"" << a.text << "\" and \"" << b.text << "\" are " << gap
                << " pt apart (notes " << (notes ? "on" : "off") << ")";
        }
        // Summary: % used / Status; Details: Date / Category, Spent / Notes or Tags;
        // Payment Schedule: Due date / Status, Paid date / Notes (with notes)
        EXPECT_GE(headers, notes ? 5 : 4) << "the headers were checked (notes " << (notes ? "on" : "off") << ")";
        EXPECT_GT(numbers, 30) << "the rows were checked (notes " << (notes ? "on" : "off") << ")";
    }
}

// Every formula of the workbook, recalculated by LibreOffice, gives the value the file
// caches (what a couple sees before any recalculation, and what the report computed):
// the totals, SUMIFs over Details and the schedule, remaining and % used.
TEST(XlsxPrint, LibreOfficeRecalculatesEveryFormulaToTheCachedValue) {
    Report report = sample::sample_report(300);
    report.options.include_notes = true;
    report.categories[3].allocated = Money{};  // nothing allocated: no % used
    finalize_report(report);
    ScratchFile out("xlsx");
    sample::GeneratedLineItemSource source(300);
    render::render_xlsx(report, source, out.path());
    const nlohmann::json book = budget_exports::testing::read_xlsx(out.path());
    const std::vector<std::string> sheets = {"Summary", "Details", "Payment Schedule"};
    const auto computed = recalculate_with_libreoffice(out.path(), sheets);

    // LibreOffice does recalculate: =1+1 cached as 5 comes back as 2.
    ScratchFile probe("xlsx");
    lxw_workbook* workbook = workbook_new(probe.path().c_str());
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Probe");
    worksheet_write_formula_num(sheet, 0, 0, "=1+1", nullptr, 5);
    ASSERT_EQ(workbook_close(workbook), LXW_NO_ERROR);
    EXPECT_EQ(recalculate_with_libreoffice(probe.path(), {"Probe"}).at("Probe").at(0).at(0), "2");

    int formulas = 0;
    for (const std::string& sheet : sheets) {
        const auto& rows = computed.at(sheet);
        for (auto it = book["cells"][sheet].begin(); it != book["cells"][sheet].end(); ++it) {
            if (!it.value().contains("f")) continue;
            ++formulas;
            const auto [row, col] = position_of(it.key());
            ASSERT_LT(row, rows.size()) << sheet << "!" << it.key();
            ASSERT_LT(col, rows[row].size()) << sheet << "!" << it.key();
            std::string value = rows[row][col];
            if (it.value()["type"] == "str") {  // a formula whose value is text ("" for % of nothing)
                EXPECT_EQ(value, it.value()["v"].is_null() ? "" : it.value()["v"].get<std::string>())
                    << sheet << "!" << it.key() << " = " << it.value()["f"];
                continue;
            }
            const double cached = std::stod(it.value()["v"].get<std::string>());
            double scale = 1;
            if (!value.empty() && value.back() == '%') value.pop_back(), scale = 100;
            ASSERT_FALSE(value.empty()) << sheet << "!" << it.key() << " = " << it.value()["f"] << " is empty, cached "
                                        << cached;
            EXPECT_NEAR(std::stod(value) / scale, cached, 0.005)
                << sheet << "!" << it.key() << " = " << it.value()["f"];
        }
    }
    EXPECT_GT(formulas, 40) << "the workbook's formulas were compared";
}
