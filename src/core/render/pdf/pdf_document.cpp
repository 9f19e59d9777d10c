#include "core/render/pdf/pdf_document.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/render/pdf/pdf_to_unicode.hpp"
#include "core/render/render_error.hpp"
#include "core/render/utf8_text.hpp"

namespace budget_exports::render {

std::string describe_hpdf_error(HPDF_STATUS code, HPDF_STATUS detail) {
    switch (code) {
        case HPDF_FILE_OPEN_ERROR: return "cannot open file (missing, or no permission)";
        case HPDF_FILE_IO_ERROR: return std::string("file input/output error (") + std::strerror(detail) + ")";
        case HPDF_FAILD_TO_ALLOC_MEM: return "out of memory";
        case HPDF_TTF_INVALID_FOMAT: case HPDF_TTF_MISSING_TABLE: case HPDF_INVALID_FONTDEF_DATA:
            return "not a usable TrueType font";
        case HPDF_TTF_CANNOT_EMBEDDING_FONT: return "the font's licence forbids embedding";
        case HPDF_TTF_INVALID_CMAP: return "the font has no Unicode character map";
        case HPDF_INVALID_ENCODER: case HPDF_INVALID_ENCODING_NAME: return "UTF-8 encoder not available";
        case HPDF_PAGE_INVALID_SIZE: return "invalid page size";
        case HPDF_PAGE_INVALID_FONT_SIZE: return "invalid font size";
        default: break;
    }
    char text[64];
    std::snprintf(text, sizeof text, "libharu error 0x%04X (detail %u)", static_cast<unsigned>(code),
                  static_cast<unsigned>(detail));
    return text;
}

void PdfDocument::on_error(HPDF_STATUS code, HPDF_STATUS detail, void* document) {
    PdfDocument* self = static_cast<PdfDocument*>(document);
    if (self->error_ == HPDF_OK) {  // keep the first error: later ones are usually its echoes
        self->error_ = code;
        self->error_detail_ = detail;
    }
}

PdfDocument::PdfDocument() {
    doc_ = HPDF_New(&PdfDocument::on_error, this);
    if (doc_ == nullptr) throw RenderError("PDF: cannot create document: out of memory");
    HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
    // A tree of page nodes instead of one flat list: libharu's arrays hold at most 32,767
    // entries (HPDF_LIMIT_MAX_ARRAY), so a flat list failed (HPDF_ARRAY_COUNT_ERR) on
    // reports of more pages (a 1M-line report has about 40,000).
    HPDF_SetPagesConfiguration(doc_, kPagesPerNode);
    check("cannot set up the page tree");
    HPDF_UseUTFEncodings(doc_);
    HPDF_SetCurrentEncoder(doc_, "UTF-8");
    check("cannot set up UTF-8 text");
}

PdfDocument::~PdfDocument() {
    if (doc_ != nullptr) HPDF_Free(doc_);
}

void PdfDocument::check(const std::string& what) {
    if (error_ == HPDF_OK) return;
    const std::string message = "PDF: " + what + ": " + describe_hpdf_error(error_, error_detail_);
    HPDF_ResetError(doc_);
    error_ = HPDF_OK;
    throw RenderError(message);
}

HPDF_Font PdfDocument::load_font(const std::string& path) {
    // libharu only says "file open error"; check first so the message names the cause.
    if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
        std::fclose(file);
    } else {
        throw RenderError("PDF: cannot load font " + path + ": " + std::strerror(errno));
    }
    const char* name = HPDF_LoadTTFontFromFile(doc_, path.c_str(), HPDF_TRUE);
    check("cannot load font " + path);
    if (name == nullptr) throw RenderError("PDF: cannot load font " + path);
    HPDF_Font font = HPDF_GetFont(doc_, name, "UTF-8");
    check("cannot use font " + path + " with UTF-8");
    fix_to_unicode(font);  // so that readers can search and copy the text (pdf_to_unicode.hpp)
    check("cannot map font " + path + " to Unicode");
    return font;
}

PdfFonts PdfDocument::load_fonts(const std::string& regular_path, const std::string& bold_path) {
    PdfFonts fonts;
    fonts.regular = load_font(regular_path);
    fonts.bold = bold_path.empty() || bold_path == regular_path ? fonts.regular : load_font(bold_path);
    return fonts;
}

HPDF_Page PdfDocument::add_page(HPDF_REAL width, HPDF_REAL height) {
    HPDF_Page page = HPDF_AddPage(doc_);
    check("cannot add page");
    HPDF_Page_SetWidth(page, width);
    HPDF_Page_SetHeight(page, height);
    check("cannot size page");
    return page;
}

void PdfDocument::set_title(const std::string& title) {
    HPDF_SetInfoAttr(doc_, HPDF_INFO_TITLE, clean_line(title).c_str());
    HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "budget_exports");
    HPDF_ResetError(doc_);  // a title the info encoder rejects is not worth failing the export
    error_ = HPDF_OK;
}

void PdfDocument::save(const std::string& path) {
    HPDF_SaveToFile(doc_, path.c_str());
    check("cannot write " + path);
}

}  // namespace budget_exports::render
