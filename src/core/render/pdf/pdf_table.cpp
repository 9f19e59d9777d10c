#include "core/render/pdf/pdf_table.hpp"

#include <algorithm>

namespace budget_exports::render {

void fit_columns(std::vector<PdfColumn>& columns, double total_width) {
    double fixed = 0, flex = 0;
    for (const PdfColumn& column : columns) {
        if (column.flex > 0)
            flex += column.flex;
        else
            fixed += column.width;
    }
    const double spare = std::max(0.0, total_width - fixed);
    for (PdfColumn& column : columns)
        if (column.flex > 0) column.width = spare * column.flex / flex;
}

double column_left(const std::vector<PdfColumn>& columns, std::size_t index, double left) {
    for (std::size_t i = 0; i < index; ++i) left += columns[i].width;
    return left;
}

double row_baseline(const PdfLayout& layout, double row_top) {
    return row_top - layout.row_height / 2 - layout.body_size * 0.35;
}

void draw_table_header(PdfCanvas& canvas, const PdfLayout& layout, const std::vector<PdfColumn>& columns,
                       double row_top) {
    canvas.fill_rect(layout.left(), row_top - layout.row_height, layout.width(), layout.row_height,
                     pdf_colors::kHeaderFill);
    const double baseline = row_baseline(layout, row_top);
    double x = layout.left();
    for (const PdfColumn& column : columns) {
        canvas.cell(x + kCellPadding, baseline, column.width - 2 * kCellPadding, column.title, canvas.fonts().bold,
                    layout.body_size, column.align, pdf_colors::kText);
        x += column.width;
    }
}

double column_width_for(const PdfCanvas& canvas, HPDF_Font font, double size, const std::string& title,
                        const std::vector<std::string>& samples) {
    double widest = canvas.text_width(title, canvas.fonts().bold, size);
    for (const std::string& sample : samples) widest = std::max(widest, canvas.text_width(sample, font, size));
    return widest + 2 * kCellPadding + 1;
}

}  // namespace budget_exports::render
