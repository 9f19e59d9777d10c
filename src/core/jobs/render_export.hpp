// Step 3 of a job: render the report to a local file in the requested format.
#pragma once

#include <string>

#include "core/jobs/export_request.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::jobs {

struct RenderSettings {
    std::string font_path;  // PDF body font; "" = the renderer's default (DejaVu Sans)
    std::string temp_dir;   // scratch space for the Excel writer
};

// Throws render::RenderError (the file is removed) on failure.
void render_export(ExportFormat format, const report::Report& report, report::LineItemSource& items,
                   const std::string& path, const RenderSettings& settings);

}  // namespace budget_exports::jobs
