#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include "core/render/pdf/pdf_canvas.hpp"
#include "core/render/pdf/pdf_document.hpp"
#include "core/render/pdf/pdf_page_compactor.hpp"
#include "core/render/pdf/pdf_text_operator.hpp"
#include "library_symbols.hpp"

#include <hpdf_utils.h>

using namespace budget_exports::render;

namespace {

const char* const kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const char* const kBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

double libharu_width(HPDF_Font font, const std::string& text, double size) {
    return HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                               static_cast<HPDF_UINT>(text.size())).width * size / 1000.0;
}

// The wrapping rule measured the plain way: every candidate line as a whole string.
std::vector<std::string> reference_wrap(const PdfCanvas& canvas, const std::string& text, HPDF_Font font,
                                        double size, double width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t position = 0;
    while (position <= text.size()) {
        std::size_t space = text.find(' ', position);
        if (space == std::string::npos) space = text.size();
        const std::string word = text.substr(position, space - position);
        const std::string candidate = line.empty() ? word : line + " " + word;
        if (!line.empty() && canvas.text_width(candidate, font, size) > width) {
            lines.push_back(line);
            line = canvas.fit(word, font, size, width);
        } else {
            line = canvas.text_width(candidate, font, size) > width ? canvas.fit(candidate, font, size, width)
                                                                    : candidate;
        }
        position = space + 1;
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

// The longest whole-character prefix plus "…" that fits, found by trying every prefix.
std::string reference_fit(const PdfCanvas& canvas, const std::string& text, HPDF_Font font, double size,
                          double width) {
    if (canvas.text_width(text, font, size) <= width) return text;
    std::size_t best = 0;
    for (std::size_t end = 1; end <= text.size(); ++end) {
        if (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) continue;
        if (canvas.text_width(text.substr(0, end) + "…", font, size) <= width) best = end;
    }
    while (best > 0 && text[best - 1] == ' ') --best;
    return text.substr(0, best) + "…";
}

std::string stream_bytes(HPDF_Stream stream) {
    std::string bytes(HPDF_Stream_Size(stream), '\0');
    HPDF_UINT size = static_cast<HPDF_UINT>(bytes.size());
    HPDF_Stream_Seek(stream, 0, HPDF_SEEK_SET);
    HPDF_Stream_Read(stream, reinterpret_cast<HPDF_BYTE*>(bytes.data()), &size);
    bytes.resize(size);
    return bytes;
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

// wrap() and fit() sum widths word by word and character by character: the lines must
// be exactly those of measuring every candidate string whole.
TEST(PdfCanvas, WrapsAndFitsExactlyLikeMeasuringWholeStrings) {
    PdfDocument document;
    const PdfFonts fonts = document.load_fonts(kFont, kBold);
    const PdfCanvas canvas(fonts);
    const std::vector<std::string> texts = {
        "Traiteur Lefèvre & Fils, Château Belle-Rive",
        "Deposit – Venue and Catering  (double  spaces)  ",
        " leading space and a Supercalifragilisticexpialidocious word",
        "Zoë Müller & José Ñúñez €1,234.50 £ ¥ ₹ ₩",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "",
        "Confirmed by e-mail; receipt in the shared folder",
    };
    int compared = 0;
    for (const std::string& text : texts)
        for (HPDF_Font font : {fonts.regular, fonts.bold})
            for (double size : {7.5, 9.5, 11.0})
                for (double width = -1; width < 260; width += 3.7) {
                    EXPECT_EQ(canvas.wrap(text, font, size, width), reference_wrap(canvas, text, font, size, width))
                        << text << " at " << width;
                    EXPECT_EQ(canvas.fit(text, font, size, width), reference_fit(canvas, text, font, size, width))
                        << text << " at " << width;
                    ++compared;
                }
    EXPECT_GT(compared, 2000);
}

// A compacted page holds its own content deflated, and libharu's level gives libharu's bytes.
TEST(PageCompactor, DeflatesThePageContentLosslessly) {
    for (int level : {PageCompactor::kDefaultLevel, 6}) {
        PdfDocument document;
        const PdfFonts fonts = document.load_fonts(kFont, kBold);
        PdfCanvas canvas(fonts);
        HPDF_Page page = document.add_page(595, 842);
        canvas.set_page(page);
        for (int row = 0; row < 300; ++row)  // several of libharu's 4 kB stream buffers
            canvas.text(40, 800 - row * 2.5, "Row " + std::to_string(row) + " – Château Belle-Rive €1,234.50",
                        fonts.regular, 9.5, PdfColor{0.1f, 0.2f, 0.3f});
        HPDF_PageAttr attr = static_cast<HPDF_PageAttr>(page->attr);
        const std::string raw = stream_bytes(attr->contents->stream);
        ASSERT_GT(raw.size(), 20000u);

        std::string libharu_deflated(compressBound(raw.size()), '\0');
        uLongf size = libharu_deflated.size();
        ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(libharu_deflated.data()), &size,
                            reinterpret_cast<const Bytef*>(raw.data()), raw.size(), Z_DEFAULT_COMPRESSION),
                  Z_OK);
        libharu_deflated.resize(size);

        PageCompactor compactor(level);
        compactor.compact(page);
        document.check("compacting");
        EXPECT_EQ(attr->contents->filter, HPDF_STREAM_FILTER_NONE);  // written verbatim, /Filter by hand
        const std::string deflated = stream_bytes(attr->contents->stream);
        EXPECT_LT(deflated.size(), raw.size() / 4);
        std::string inflated(raw.size() + 1, '\0');
        uLongf inflated_size = inflated.size();
        ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(inflated.data()), &inflated_size,
                             reinterpret_cast<const Bytef*>(deflated.data()), deflated.size()),
                  Z_OK);
        inflated.resize(inflated_size);
        EXPECT_EQ(inflated, raw) << "level " << level;
        if (level == 6) {
            EXPECT_EQ(deflated, libharu_deflated);
        }
        const std::string path =
            ::testing::TempDir() + "budget_exports_compacted_" + std::to_string(getpid()) + ".pdf";
        EXPECT_NO_THROW(document.save(path));
        std::remove(path.c_str());
    }
}

// src/core/render/pdf/pdf_text_operator.cpp writes a line of text as HPDF_Page_TextOut
// does: the page's stream must hold the same bytes, whatever the characters, font, size
// and position.
TEST(PdfTextOperator, WritesWhatHpdfPageTextOutWrites) {
    PdfDocument document;
    const PdfFonts fonts = document.load_fonts(kFont, kBold);
    HPDF_Page ours = document.add_page(595, 842);
    HPDF_Page libharus = document.add_page(595, 842);
    std::vector<std::string> texts = {"Venue", "Zoë Müller & José Ñúñez", "€1,234.50 £ ¥ ₹ ₩ ·", "中文 日本語 한국어",
                                      "(parens) \\ back\\slash <tag> %", "  two  spaces ", "ﬁ ligature \uFFFD",
                                      "e\u0301 combining", "ÿ\u00A0nbsp", std::string(3000, 'w')};
    const std::vector<std::string> pieces = {"a", "Z", "0", " ", "&", "(", ")", "\\", "é", "Ñ", "ß", "€", "—", "…",
                                             "中", "\u0301", "\uFFFD", "\u00A0", "\uFFFF", "\u0800", "\u07FF"};
    std::mt19937 random(1130);
    for (int i = 0; i < 300; ++i) {
        std::string text = "x";  // never without width
        for (int n = random() % 30; n > 0; --n) text += pieces[random() % pieces.size()];
        texts.push_back(text);
    }
    std::vector<std::pair<HPDF_REAL, HPDF_REAL>> positions = {{0, 0}, {40, 779.94501F}, {72.5F, 700}, {-3.25F, 0.001F},
                                                              {595, 842}, {123.456789F, 0.00001F}, {1e-7F, 99999.5F}};
    std::uniform_real_distribution<float> coordinate(-50, 900);
    for (int i = 0; i < 40; ++i) positions.emplace_back(coordinate(random), coordinate(random));
    int written = 0;
    for (std::size_t t = 0; t < texts.size(); ++t) {
        const auto [x, y] = positions[t % positions.size()];
        HPDF_Font font = t % 2 ? fonts.bold : fonts.regular;
        const HPDF_REAL size = 5.5F + static_cast<HPDF_REAL>(t % 13) * 1.37F;
        for (HPDF_Page page : {ours, libharus}) {
            HPDF_Page_BeginText(page);
            HPDF_Page_SetFontAndSize(page, font, size);
            if (page == ours) {
                ASSERT_TRUE(show_text_at(page, x, y, texts[t])) << texts[t];
                ++written;
            } else {
                HPDF_Page_TextOut(page, x, y, texts[t].c_str());
            }
            HPDF_Page_EndText(page);
        }
    }
    document.check("drawing");
    EXPECT_EQ(written, static_cast<int>(texts.size()));
    const std::string expected = stream_bytes(static_cast<HPDF_PageAttr>(libharus->attr)->stream);
    EXPECT_NE(expected.find("> Tj"), std::string::npos);
    EXPECT_EQ(stream_bytes(static_cast<HPDF_PageAttr>(ours->attr)->stream), expected);
}

// What it does not cover it leaves to HPDF_Page_TextOut, and writes nothing.
TEST(PdfTextOperator, LeavesToLibharuWhatItDoesNotCover) {
    PdfDocument document;
    const PdfFonts fonts = document.load_fonts(kFont, kBold);
    HPDF_Page page = document.add_page(595, 842);
    HPDF_Stream stream = static_cast<HPDF_PageAttr>(page->attr)->stream;
    HPDF_Page_SetFontAndSize(page, fonts.regular, 10);
    EXPECT_FALSE(show_text_at(page, 10, 10, "outside a text object"));
    HPDF_Page_BeginText(page);
    const std::string before = stream_bytes(stream);
    for (const std::string text : {"", "\xF0\x9D\x84\x9E beyond the BMP", "cut \xC3", "stray \x80 byte",
                                   "overlong \xC0\xAF", "overlong \xE0\x80\xAF", "surrogate \xED\xA0\x80"}) {
        EXPECT_FALSE(show_text_at(page, 10, 10, text)) << text;
    }
    HPDF_Page_MoveTextPos(page, 5, 5);  // a text object moved already
    EXPECT_FALSE(show_text_at(page, 10, 10, "moved"));
    EXPECT_EQ(stream_bytes(stream).substr(0, before.size()), before);
    EXPECT_EQ(stream_bytes(stream), before + "5 5 Td\012");
    HPDF_Page_EndText(page);
}

// src/core/render/pdf/libharu_memory.cpp replaces libharu's byte-by-byte HPDF_MemSet and
// HPDF_MemCpy: they must be the definitions libharu's own calls reach, and give libharu's
// results.
namespace {

// libharu's own definition of `name` (whatever its version), or nullptr if it has none.
template <typename Fn>
Fn libharus_own(const char* name) {
    return budget_exports::testing::library_own<Fn>(reinterpret_cast<void*>(&HPDF_New), name);
}

}  // namespace

TEST(LibharuMemory, MemSetReplacesLibharusOwnWithTheSameResults) {
    using MemSet = void* (*)(void*, HPDF_BYTE, HPDF_UINT);
    const auto libharus = libharus_own<MemSet>("HPDF_MemSet");
    if (libharus == nullptr) GTEST_SKIP() << "this libharu does not export HPDF_MemSet: nothing to replace";
    const auto in_use = reinterpret_cast<MemSet>(dlsym(RTLD_DEFAULT, "HPDF_MemSet"));
    EXPECT_EQ(in_use, &HPDF_MemSet);
    EXPECT_NE(in_use, libharus);
    for (HPDF_UINT n : {0u, 1u, 7u, 512u, 4099u}) {
        std::vector<unsigned char> a(n + 8, 0xAA), b(n + 8, 0xAA);
        EXPECT_EQ(in_use(a.data() + 3, 0x5C, n), static_cast<void*>(a.data() + 3 + n));
        EXPECT_EQ(libharus(b.data() + 3, 0x5C, n), static_cast<void*>(b.data() + 3 + n));
        EXPECT_EQ(a, b) << n;
    }
}

TEST(LibharuMemory, MemCpyReplacesLibharusOwnWithTheSameResults) {
    using MemCpy = HPDF_BYTE* (*)(HPDF_BYTE*, const HPDF_BYTE*, HPDF_UINT);
    const auto libharus = libharus_own<MemCpy>("HPDF_MemCpy");
    if (libharus == nullptr) GTEST_SKIP() << "this libharu does not export HPDF_MemCpy: nothing to replace";
    const auto in_use = reinterpret_cast<MemCpy>(dlsym(RTLD_DEFAULT, "HPDF_MemCpy"));
    EXPECT_EQ(in_use, &HPDF_MemCpy);
    EXPECT_NE(in_use, libharus);
    // apart, and overlapping both ways (libharu's forward copy repeats bytes when the
    // destination starts inside the source)
    for (HPDF_UINT n : {0u, 1u, 2u, 7u, 64u, 513u, 4099u}) {
        for (int shift : {-3000, -5, -1, 0, 1, 5, 3000}) {
            std::vector<unsigned char> a(2 * n + 6016);
            for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<unsigned char>(i * 7 + 3);
            std::vector<unsigned char> b = a;
            const std::size_t from = 3008, to = static_cast<std::size_t>(3008 + shift);
            EXPECT_EQ(in_use(a.data() + to, a.data() + from, n), a.data() + to + n);
            EXPECT_EQ(libharus(b.data() + to, b.data() + from, n), b.data() + to + n);
            EXPECT_EQ(a, b) << n << " bytes moved by " << shift;
        }
    }
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
