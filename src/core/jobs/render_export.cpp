#include "core/jobs/render_export.hpp"

#include "core/render/csv/csv_renderer.hpp"
#include "core/render/pdf/pdf_renderer.hpp"
#include "core/render/xlsx/xlsx_renderer.hpp"

namespace budget_exports::jobs {

void render_export(ExportFormat format, const report::Report& report, report::LineItemSource& items,
                   const std::string& path, const RenderSettings& settings) {
    switch (format) {
        case ExportFormat::csv:
            render::render_csv(report, items, path);
            return;
        case ExportFormat::excel: {
            render::XlsxOptions options;
            options.tmpdir = settings.temp_dir;
            render::render_xlsx(report, items, path, options);
            return;
        }
        case ExportFormat::pdf: {
            render::PdfOptions options;
            if (!settings.font_path.empty() && settings.font_path != options.font_path) {
                options.font_path = settings.font_path;
                options.bold_font_path.clear();  // a custom font has no known bold face
            }
            render::render_pdf(report, items, path, options);
            return;
        }
    }
}

}  // namespace budget_exports::jobs
