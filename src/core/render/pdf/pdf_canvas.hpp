// Drawing on libharu pages: measured text (ellipsis, wrapping, numbers that shrink
// rather than lose digits), rectangles and lines. All text goes through clean_line()
// (no control characters or XML-forbidden code points reach the PDF). Skips redundant font/colour
// operators because every byte of a page's content stays in memory until save.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <hpdf.h>

#include "core/render/pdf/pdf_document.hpp"
#include "core/render/pdf/pdf_layout.hpp"

namespace budget_exports::render {

enum class Align { left, right, center };

class PdfCanvas {
public:
    explicit PdfCanvas(PdfFonts fonts) : fonts_(fonts) {}

    void set_page(HPDF_Page page);
    HPDF_Page page() const { return page_; }
    const PdfFonts& fonts() const { return fonts_; }

    double text_width(std::string_view text, HPDF_Font font, double size) const;
    // `text` shortened with "…" so it fits `width`; unchanged when it already fits.
    std::string fit(std::string_view text, HPDF_Font font, double size, double width) const;
    // Lines no wider than `width`, breaking at spaces (a word too long is cut with "…").
    std::vector<std::string> wrap(std::string_view text, HPDF_Font font, double size, double width) const;
    // At most `max_lines` lines; the last one ends with "…" only when the text needs more.
    std::vector<std::string> wrap_lines(std::string_view text, HPDF_Font font, double size, double width,
                                        std::size_t max_lines) const;
    // Width of the widest space-separated word (the narrowest column that wraps it uncut).
    double widest_word(std::string_view text, HPDF_Font font, double size) const;

    // Text with its baseline at y.
    void text(double x, double y, std::string_view text, HPDF_Font font, double size, PdfColor color);
    // Text fitted into [x, x + width] with an ellipsis, aligned.
    void cell(double x, double y, double width, std::string_view text, HPDF_Font font, double size, Align align,
              PdfColor color);
    // A figure in [x, x + width]: never truncated, drawn smaller if it does not fit.
    void number(double x, double y, double width, std::string_view text, HPDF_Font font, double size, Align align,
                PdfColor color);

    void fill_rect(double x, double y, double width, double height, PdfColor color);
    void line(double x1, double y1, double x2, double y2, double line_width, PdfColor color);
    void dot(double x, double y, double radius, PdfColor color);

private:
    // Sum of the advance widths of `text` in font units (1/1000 em); widths add up exactly,
    // so a line's width can be summed from its words'.
    long text_units(std::string_view text, HPDF_Font font) const;
    static double points(long units, double size) { return units * size / 1000.0; }
    std::vector<int>* width_cache(HPDF_Font font) const;
    // fit() and wrap() of text that clean_line() already cleaned.
    std::string fit_clean(std::string_view text, HPDF_Font font, double size, double width) const;
    std::vector<std::string> wrap_clean(std::string_view text, HPDF_Font font, double size, double width) const;
    // Draws line_ (clean text, `units` wide in font units, measured through libharu) at (x, y).
    void show_line(double x, double y, HPDF_Font font, double size, PdfColor color, long units);
    void use_font(HPDF_Font font, double size);
    void use_fill(PdfColor color);

    PdfFonts fonts_;
    HPDF_Page page_ = nullptr;
    HPDF_Font current_font_ = nullptr;
    double current_size_ = 0;
    PdfColor current_fill_{-1, -1, -1};
    std::string line_;  // the text being drawn, NUL-terminated for libharu
    // Advance widths (1/1000 em) of Basic Multilingual Plane characters, per font,
    // looked up once: measuring is the hot path of a 100k-row table.
    mutable std::vector<int> regular_widths_ = std::vector<int>(0x10000, -1);
    mutable std::vector<int> bold_widths_ = std::vector<int>(0x10000, -1);
};

}  // namespace budget_exports::render
