// libharu document wrapper: owns HPDF_Doc, loads the embedded TrueType fonts with
// UTF-8 text, and turns libharu errors into RenderError.
//
// libharu reports errors through a C callback; throwing or longjmp-ing through C
// frames is undefined, so the handler only records the first error and check()
// raises it afterwards.
#pragma once

#include <string>

#include <hpdf.h>

namespace budget_exports::render {

struct PdfFonts {
    HPDF_Font regular = nullptr;
    HPDF_Font bold = nullptr;
};

class PdfDocument {
public:
    // Pages per node of the document's page tree (see the constructor).
    static constexpr HPDF_UINT kPagesPerNode = 1024;

    PdfDocument();
    ~PdfDocument();
    PdfDocument(const PdfDocument&) = delete;
    PdfDocument& operator=(const PdfDocument&) = delete;

    // Embeds the fonts (bold_path "" = reuse the regular font). Throws on a missing
    // or unusable font file, naming it.
    PdfFonts load_fonts(const std::string& regular_path, const std::string& bold_path);
    HPDF_Page add_page(HPDF_REAL width, HPDF_REAL height);
    void set_title(const std::string& title);
    void save(const std::string& path);

    // Throws RenderError("PDF: <what>: <libharu error>") if libharu reported an error.
    void check(const std::string& what);
    HPDF_Doc handle() const { return doc_; }

private:
    static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void* document);
    HPDF_Font load_font(const std::string& path);

    HPDF_Doc doc_ = nullptr;
    HPDF_STATUS error_ = HPDF_OK;
    HPDF_STATUS error_detail_ = 0;
};

// Words for a libharu error code, e.g. "file not found or not readable".
std::string describe_hpdf_error(HPDF_STATUS code, HPDF_STATUS detail);

}  // namespace budget_exports::render
