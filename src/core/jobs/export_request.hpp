// What the worker needs from a budget_exports row: the file format, and the report options
// and filter description taken from export_filters (already validated by the database).
#pragma once

#include <string>

#include "core/report/currency.hpp"
#include "core/report/report.hpp"

namespace budget_exports::jobs {

enum class ExportFormat { csv, excel, pdf };

// "csv" | "excel" | "pdf"; throws std::invalid_argument otherwise.
ExportFormat parse_export_format(const std::string& export_type);
const char* content_type(ExportFormat format);   // "text/csv; charset=utf-8", ...
const char* file_extension(ExportFormat format);  // "csv", "xlsx", "pdf"

struct ExportRequest {
    report::ReportOptions options;
    std::string custom_title;     // "" when not set
    std::string payment_status;   // "all" when not set
};

// Parses export_filters JSON; throws std::invalid_argument with a readable message.
ExportRequest parse_export_filters(const std::string& filters_json);

// The one-line description printed in every file, e.g.
// "From 1 Jan 2026 to 30 Jun 2026; categories: Venue; payment status: paid".
std::string describe_export_filters(const std::string& filters_json, const report::Currency& currency);

}  // namespace budget_exports::jobs
