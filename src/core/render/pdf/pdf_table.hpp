// Column geometry and the shaded header row shared by the PDF tables.
#pragma once

#include <string>
#include <vector>

#include "core/render/pdf/pdf_canvas.hpp"
#include "core/render/pdf/pdf_layout.hpp"

namespace budget_exports::render {

struct PdfColumn {
    std::string title;
    double width = 0;   // points, padding included; flexible columns get it from fit_columns
    Align align = Align::left;
    double flex = 0;    // share of the space left after fixed columns (0 = fixed)
};

inline constexpr double kCellPadding = 4;

// Gives flexible columns the width left over, proportionally to their flex.
void fit_columns(std::vector<PdfColumn>& columns, double total_width);
// x of the left edge of column `index`, for a table starting at `left`.
double column_left(const std::vector<PdfColumn>& columns, std::size_t index, double left);
// Baseline for text in a row whose top edge is `row_top`.
double row_baseline(const PdfLayout& layout, double row_top);
// Shaded header row with bold titles; its top edge at `row_top`.
void draw_table_header(PdfCanvas& canvas, const PdfLayout& layout, const std::vector<PdfColumn>& columns,
                       double row_top);
// Width a fixed column needs for the widest of `samples` (and its title).
double column_width_for(const PdfCanvas& canvas, HPDF_Font font, double size, const std::string& title,
                        const std::vector<std::string>& samples);

}  // namespace budget_exports::render
