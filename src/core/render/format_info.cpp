// What each export type produces. Separate from render.cpp so that the PostgreSQL module,
// which never renders (the renderer program does), links none of the renderers.
#include "core/render/render.hpp"

namespace budget_exports::render {

RenderedFile format_info(std::string_view format) {
    if (format == "csv") return {"text/csv; charset=utf-8", "csv"};
    if (format == "excel") return {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"};
    if (format == "pdf") return {"application/pdf", "pdf"};
    throw RenderError("unknown export format \"" + std::string(format) + "\" (expected csv, excel or pdf)");
}

}  // namespace budget_exports::render
