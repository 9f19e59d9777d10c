// Top-to-bottom flow of content over pages: a cursor, page breaks, and the footer
// ("Page n of m") stamped on each page once the total is known.
#pragma once

#include <string>
#include <vector>

#include "core/render/pdf/pdf_canvas.hpp"
#include "core/render/pdf/pdf_document.hpp"
#include "core/render/pdf/pdf_layout.hpp"
#include "core/render/pdf/pdf_page_compactor.hpp"

namespace budget_exports::render {

class PageFlow {
public:
    PageFlow(PdfDocument& document, PdfCanvas& canvas, const PdfLayout& layout, std::string footer_title);

    // Starts a page (finishing the previous one) and puts the cursor at its top.
    void new_page();
    // Starts a page unless `height` still fits below the cursor.
    void ensure_room(double height);
    bool fits(double height) const { return cursor_ - height >= layout_.bottom(); }
    double cursor() const { return cursor_; }
    void advance(double height) { cursor_ -= height; }
    int page_count() const { return page_count_; }

    // Once the final page count is known, footers are stamped: pending pages now,
    // later pages as they are finished. The count must then be exact (checked).
    void set_total_pages(int total);
    // Finishes the last page; throws if fewer pages were made than announced.
    void finish();

    PdfCanvas& canvas() { return canvas_; }
    const PdfLayout& layout() const { return layout_; }
    PdfDocument& document() { return document_; }

private:
    void finish_page(HPDF_Page page, int number);

    PdfDocument& document_;
    PdfCanvas& canvas_;
    PageCompactor compactor_;
    const PdfLayout& layout_;
    std::string footer_title_;
    std::vector<HPDF_Page> pending_;  // pages waiting for the total page count
    HPDF_Page current_ = nullptr;
    int page_count_ = 0;
    int total_pages_ = 0;
    double cursor_ = 0;
};

}  // namespace budget_exports::render
