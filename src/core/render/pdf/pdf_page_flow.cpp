#include "core/render/pdf/pdf_page_flow.hpp"

#include "core/render/render_error.hpp"

namespace budget_exports::render {

PageFlow::PageFlow(PdfDocument& document, PdfCanvas& canvas, const PdfLayout& layout, std::string footer_title)
    : document_(document), canvas_(canvas), layout_(layout), footer_title_(std::move(footer_title)) {}

void PageFlow::new_page() {
    if (current_ != nullptr) {
        if (total_pages_ > 0)
            finish_page(current_, page_count_);
        else
            pending_.push_back(current_);
    }
    current_ = document_.add_page(static_cast<HPDF_REAL>(layout_.page_width),
                                  static_cast<HPDF_REAL>(layout_.page_height));
    ++page_count_;
    if (total_pages_ > 0 && page_count_ > total_pages_)
        throw RenderError("PDF: internal layout error: page " + std::to_string(page_count_) + " of " +
                          std::to_string(total_pages_));
    canvas_.set_page(current_);
    cursor_ = layout_.top();
}

void PageFlow::ensure_room(double height) {
    if (current_ == nullptr || !fits(height)) new_page();
}

void PageFlow::set_total_pages(int total) {
    total_pages_ = total;
    int number = page_count_ - static_cast<int>(pending_.size());
    for (HPDF_Page page : pending_) finish_page(page, number++);
    pending_.clear();
    canvas_.set_page(current_);
}

void PageFlow::finish() {
    if (total_pages_ == 0) set_total_pages(page_count_);
    if (page_count_ != total_pages_)
        throw RenderError("PDF: internal layout error: made " + std::to_string(page_count_) + " pages, expected " +
                          std::to_string(total_pages_));
    finish_page(current_, page_count_);
    current_ = nullptr;
}

void PageFlow::finish_page(HPDF_Page page, int number) {
    canvas_.set_page(page);
    const PdfLayout& l = layout_;
    const double rule_y = l.margin + l.footer_height - 8;
    const double text_y = l.margin + 2;
    canvas_.line(l.left(), rule_y, l.right(), rule_y, 0.5, pdf_colors::kTrack);
    const std::string page_text = "Page " + std::to_string(number) + " of " + std::to_string(total_pages_);
    const double page_text_width = canvas_.text_width(page_text, canvas_.fonts().regular, l.small_size);
    canvas_.cell(l.left(), text_y, l.width() - page_text_width - 20, footer_title_, canvas_.fonts().regular,
                 l.small_size, Align::left, pdf_colors::kMuted);
    canvas_.text(l.right() - page_text_width, text_y, page_text, canvas_.fonts().regular, l.small_size,
                 pdf_colors::kMuted);
    document_.check("cannot draw page " + std::to_string(number));
    compactor_.compact(page);
}

}  // namespace budget_exports::render
