#include "core/render/pdf/pdf_layout.hpp"

#include <utility>

namespace budget_exports::render {

PdfLayout PdfLayout::for_options(const report::ReportOptions& options) {
    PdfLayout layout;
    // Large type needs landscape pages: seven columns at 11.5 pt do not fit across A4
    // portrait without cutting text (README, "What is in the files").
    if (options.page_orientation == report::PageOrientation::landscape || options.font_size == report::FontSize::large)
        std::swap(layout.page_width, layout.page_height);
    switch (options.font_size) {
        case report::FontSize::small: layout.body_size = 8; break;
        case report::FontSize::medium: layout.body_size = 9.5; break;
        case report::FontSize::large: layout.body_size = 11.5; break;
    }
    layout.small_size = layout.body_size * 0.8;
    layout.heading_size = layout.body_size * 1.4;
    layout.title_size = layout.body_size * 2.2;
    layout.row_height = layout.body_size * 1.7;
    return layout;
}

}  // namespace budget_exports::render
