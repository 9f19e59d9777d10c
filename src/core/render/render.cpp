#include "core/render/render.hpp"

namespace budget_exports::render {

RenderedFile render(std::string_view format, const report::Report& report, report::LineItemSource& items,
                    const std::string& path, const RenderOptions& options) {
    RenderedFile file = format_info(format);
    if (format == "csv")
        render_csv(report, items, path, options.csv);
    else if (format == "excel")
        render_xlsx(report, items, path, options.xlsx);
    else
        render_pdf(report, items, path, options.pdf);
    return file;
}

}  // namespace budget_exports::render
