#include <gtest/gtest.h>

#include "core/render/pdf/pdf_canvas.hpp"
#include "core/render/pdf/pdf_document.hpp"

using namespace budget_exports::render;

namespace {

const char* const kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const char* const kBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

double libharu_width(HPDF_Font font, const std::string& text, double size) {
    return HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                               static_cast<HPDF_UINT>(text.size())).width * size / 1000.0;
}

}  // namespace

TEST(PdfCanvas, MeasuresUtf8LikeLibharu) {
    PdfDocument document;
    const PdfFonts fonts = document.load_fonts(kFont, kBold);
    const PdfCanvas canvas(fonts);
    for (const std::string text : {"Zoë Müller & José Ñúñez", "€1,234.50 £ ¥ ₹ ₩", "plain ascii", ""}) {
        EXPECT_NEAR(canvas.text_width(text, fonts.regular, 10), libharu_width(fonts.regular, text, 10), 1e-6) << text;
        EXPECT_NEAR(canvas.text_width(text, fonts.bold, 9.5), libharu_width(fonts.bold, text, 9.5), 1e-6) << text;
    }
    EXPECT_GT(canvas.text_width("Zoë", fonts.bold, 10), canvas.text_width("Zoë", fonts.regular, 10));
}

TEST(PdfCanvas, FitsAndWrapsWithinTheWidth) {
    PdfDocument document;
    const PdfFonts fonts = document.load_fonts(kFont, "");
    const PdfCanvas canvas(fonts);
    EXPECT_EQ(fonts.bold, fonts.regular);
    const std::string name = "Traiteur Lefèvre & Fils, Château Belle-Rive";
    const std::string fitted = canvas.fit(name, fonts.regular, 10, 80);
    EXPECT_LE(canvas.text_width(fitted, fonts.regular, 10), 80);
    EXPECT_EQ(fitted.substr(fitted.size() - 3), "…");
    EXPECT_EQ(name.rfind(fitted.substr(0, fitted.size() - 3), 0), 0u);  // a prefix of the original
    EXPECT_EQ(canvas.fit("Venue", fonts.regular, 10, 80), "Venue");
    EXPECT_EQ(canvas.fit("Éé", fonts.regular, 10, 1), "…");  // never cuts inside a character

    const auto lines = canvas.wrap("Filters: from 1 Jan 2026 to 30 Jun 2026; categories: Venue, Florist", fonts.regular,
                                   10, 120);
    ASSERT_GT(lines.size(), 1u);
    for (const std::string& line : lines) EXPECT_LE(canvas.text_width(line, fonts.regular, 10), 120) << line;
}

// libharu keeps at most 32,767 entries in one array (HPDF_LIMIT_MAX_ARRAY): a document of
// more pages needs a page tree (a flat page list failed with HPDF_ARRAY_COUNT_ERR at 1M lines).
TEST(PdfDocument, HoldsMorePagesThanOneLibharuArray) {
    PdfDocument document;
    const int pages = HPDF_LIMIT_MAX_ARRAY + 1000;
    for (int i = 0; i < pages; ++i) document.add_page(595, 842);
    EXPECT_NO_THROW(document.check("adding pages"));
    const std::string path = ::testing::TempDir() + "budget_exports_many_pages.pdf";
    EXPECT_NO_THROW(document.save(path));
    std::FILE* file = std::fopen(path.c_str(), "rb");
    ASSERT_NE(file, nullptr);
    std::string text;
    char buffer[65536];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
    std::fclose(file);
    std::remove(path.c_str());
    // the root of the page tree counts every page
    EXPECT_NE(text.find("/Count " + std::to_string(pages)), std::string::npos);
}
