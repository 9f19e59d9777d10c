// What the worker needs from export_filters (already validated by the database): the
// report options and the one-line description of the filters.
#pragma once

#include <string>

#include "core/report/currency.hpp"
#include "core/report/report.hpp"

namespace budget_exports::jobs {

struct ExportRequest {
    report::ReportOptions options;
    std::string custom_title;     // "" when not set
    std::string payment_status;   // "all" when not set
    report::ReportScope scope;    // which filters are active
};

// Parses export_filters JSON; throws std::invalid_argument with a readable message.
ExportRequest parse_export_filters(const std::string& filters_json);

// The scope in words printed in every file, e.g. "Venue · 1–31 March 2026 · paid only".
std::string describe_export_filters(const std::string& filters_json, const report::Currency& currency);

}  // namespace budget_exports::jobs
