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
};

// Parses export_filters JSON; throws std::invalid_argument with a readable message.
ExportRequest parse_export_filters(const std::string& filters_json);

// The one-line description printed in every file, e.g.
// "From 1 Jan 2026 to 30 Jun 2026; categories: Venue; payment status: paid".
std::string describe_export_filters(const std::string& filters_json, const report::Currency& currency);

}  // namespace budget_exports::jobs
