#include "core/render/pdf/pdf_canvas.hpp"

#include <algorithm>
#include <string>

#include "core/render/pdf/pdf_text_operator.hpp"
#include "core/render/utf8_text.hpp"

namespace budget_exports::render {
namespace {

constexpr std::string_view kEllipsis = "…";

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool same(PdfColor a, PdfColor b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

}  // namespace

void PdfCanvas::set_page(HPDF_Page page) {
    page_ = page;
    current_font_ = nullptr;  // a new page starts with a fresh graphics state
    current_fill_ = PdfColor{-1, -1, -1};
}

std::vector<int>* PdfCanvas::width_cache(HPDF_Font font) const {
    return font == fonts_.regular ? &regular_widths_ : font == fonts_.bold ? &bold_widths_ : nullptr;
}

long PdfCanvas::text_units(std::string_view text, HPDF_Font font) const {
    // Sum of advance widths (libharu applies no kerning).
    std::vector<int>* cache = width_cache(font);
    long total = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::uint32_t code = next_code_point(text, i);
        if (cache != nullptr && code < cache->size()) {
            int& width = (*cache)[code];
            if (width < 0) width = HPDF_Font_GetUnicodeWidth(font, static_cast<HPDF_UNICODE>(code));
            total += width;
        } else {
            total += HPDF_Font_GetUnicodeWidth(font, static_cast<HPDF_UNICODE>(code));
        }
    }
    return total;
}

double PdfCanvas::text_width(std::string_view text, HPDF_Font font, double size) const {
    return points(text_units(text, font), size);
}

std::string PdfCanvas::fit(std::string_view raw, HPDF_Font font, double size, double width) const {
    return fit_clean(clean_line(raw), font, size, width);
}

std::string PdfCanvas::fit_clean(std::string_view text, HPDF_Font font, double size, double width) const {
    if (text_width(text, font, size) <= width) return std::string(text);
    const double room = width - text_width(kEllipsis, font, size);
    // The longest prefix of whole characters that fits (widths only grow with the prefix).
    std::size_t low = 0;
    long units = 0;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t end = i + 1;
        while (end < text.size() && is_continuation_byte(text[end])) ++end;
        units += text_units(text.substr(i, end - i), font);
        if (points(units, size) > room) break;
        low = end;
        i = end;
    }
    while (low > 0 && text[low - 1] == ' ') --low;
    return std::string(text.substr(0, low)) + std::string(kEllipsis);
}

std::vector<std::string> PdfCanvas::wrap(std::string_view raw, HPDF_Font font, double size, double width) const {
    return wrap_clean(clean_line(raw), font, size, width);
}

std::vector<std::string> PdfCanvas::wrap_clean(std::string_view text, HPDF_Font font, double size,
                                               double width) const {
    // Widths are summed in font units as the line grows, so each word is measured once
    // (the sum of a line's parts is exactly the line's own sum).
    const long space = text_units(" ", font);
    std::vector<std::string> lines;
    std::string line;
    long line_units = 0;
    std::size_t position = 0;
    while (position <= text.size()) {
        std::size_t end = text.find(' ', position);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(position, end - position);
        const long word_units = text_units(word, font);
        const long candidate = line.empty() ? word_units : line_units + space + word_units;
        if (points(candidate, size) <= width) {
            if (!line.empty()) line += ' ';
            line += word;
            line_units = candidate;
        } else {
            if (!line.empty()) lines.push_back(line);
            // a word alone that is too wide is cut with "…"
            line = fit_clean(word, font, size, width);
            line_units = text_units(line, font);
        }
        position = end + 1;
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

std::vector<std::string> PdfCanvas::wrap_lines(std::string_view raw, HPDF_Font font, double size, double width,
                                               std::size_t max_lines) const {
    std::string cleaned = clean_line(raw);
    if (text_width(cleaned, font, size) <= width) return {std::move(cleaned)};
    std::vector<std::string> lines = wrap_clean(cleaned, font, size, width);
    if (lines.size() <= max_lines) return lines;
    // Too long: the last line takes the rest, shortened with "…".
    std::string rest;
    for (std::size_t i = max_lines - 1; i < lines.size(); ++i) rest += (rest.empty() ? "" : " ") + lines[i];
    lines.resize(max_lines);
    lines.back() = fit_clean(rest, font, size, width);
    return lines;
}

double PdfCanvas::widest_word(std::string_view raw, HPDF_Font font, double size) const {
    double widest = 0;
    std::size_t position = 0;
    while (position < raw.size()) {
        std::size_t space = raw.find(' ', position);
        if (space == std::string_view::npos) space = raw.size();
        if (space > position) widest = std::max(widest, text_width(raw.substr(position, space - position), font, size));
        position = space + 1;
    }
    return widest;
}

void PdfCanvas::use_font(HPDF_Font font, double size) {
    if (font == current_font_ && size == current_size_) return;
    HPDF_Page_SetFontAndSize(page_, font, static_cast<HPDF_REAL>(size));
    current_font_ = font;
    current_size_ = size;
}

void PdfCanvas::use_fill(PdfColor color) {
    if (same(color, current_fill_)) return;
    HPDF_Page_SetRGBFill(page_, color.r, color.g, color.b);
    current_fill_ = color;
}

void PdfCanvas::text(double x, double y, std::string_view text, HPDF_Font font, double size, PdfColor color) {
    // Most text arrives cleaned already (fitted or wrapped): then it is only copied, into a
    // reused buffer, for its terminating NUL.
    if (is_clean_line(text))
        line_.assign(text.data(), text.size());
    else
        line_ = clean_line(text);
    show_line(x, y, font, size, color, text_units(line_, font));
}

void PdfCanvas::show_line(double x, double y, HPDF_Font font, double size, PdfColor color, long units) {
    if (line_.empty()) return;
    HPDF_Page_BeginText(page_);
    use_font(font, size);
    use_fill(color);
    // Measuring marked the glyphs for the embedded font (cached: each character once per
    // font); libharu writes nothing but the position for a text without width.
    const auto x_pos = static_cast<HPDF_REAL>(x);
    const auto y_pos = static_cast<HPDF_REAL>(y);
    if (units == 0 || !show_text_at(page_, x_pos, y_pos, line_)) HPDF_Page_TextOut(page_, x_pos, y_pos, line_.c_str());
    HPDF_Page_EndText(page_);
}

void PdfCanvas::cell(double x, double y, double width, std::string_view text, HPDF_Font font, double size,
                     Align align, PdfColor color) {
    line_ = fit(text, font, size, width);  // clean: fit cleans its text
    const long units = text_units(line_, font);
    const double shown_width = align == Align::left ? 0 : points(units, size);
    const double offset = align == Align::left ? 0 : align == Align::right ? width - shown_width
                                                                           : (width - shown_width) / 2;
    show_line(x + offset, y, font, size, color, units);
}

void PdfCanvas::number(double x, double y, double width, std::string_view raw, HPDF_Font font, double size,
                       Align align, PdfColor color) {
    line_ = clean_line(raw);
    const long units = text_units(line_, font);
    double shown_size = size;
    const double natural = points(units, size);
    if (natural > width && natural > 0) shown_size = size * width / natural;
    const double shown_width = natural * shown_size / size;
    const double offset = align == Align::left ? 0 : align == Align::right ? width - shown_width
                                                                           : (width - shown_width) / 2;
    show_line(x + offset, y, font, shown_size, color, units);
}

void PdfCanvas::fill_rect(double x, double y, double width, double height, PdfColor color) {
    use_fill(color);
    HPDF_Page_Rectangle(page_, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y), static_cast<HPDF_REAL>(width),
                        static_cast<HPDF_REAL>(height));
    HPDF_Page_Fill(page_);
}

void PdfCanvas::line(double x1, double y1, double x2, double y2, double line_width, PdfColor color) {
    HPDF_Page_SetLineWidth(page_, static_cast<HPDF_REAL>(line_width));
    HPDF_Page_SetRGBStroke(page_, color.r, color.g, color.b);
    HPDF_Page_MoveTo(page_, static_cast<HPDF_REAL>(x1), static_cast<HPDF_REAL>(y1));
    HPDF_Page_LineTo(page_, static_cast<HPDF_REAL>(x2), static_cast<HPDF_REAL>(y2));
    HPDF_Page_Stroke(page_);
}

void PdfCanvas::dot(double x, double y, double radius, PdfColor color) {
    use_fill(color);
    HPDF_Page_Circle(page_, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y), static_cast<HPDF_REAL>(radius));
    HPDF_Page_Fill(page_);
}

}  // namespace budget_exports::render
