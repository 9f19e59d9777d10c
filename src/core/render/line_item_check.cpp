#include "core/render/line_item_check.hpp"

#include <string>

#include "core/render/render_error.hpp"

namespace budget_exports::render {

void require_finalized(const report::Report& report, const char* format) {
    if (!report.finalized)
        throw RenderError(std::string(format) + ": report is not finalized; call finalize_report() first");
}

void require_matching_totals(const report::Report& report, const report::LineItemTotals& streamed,
                             const char* format) {
    const report::LineItemTotals& promised = report.line_item_totals;
    if (streamed == promised) return;
    const int digits = report.currency.minor_digits;
    throw RenderError(std::string(format) + ": streamed line items (" + std::to_string(streamed.count) +
                      " rows, expenses " + report::format_plain(streamed.expenses, digits) +
                      ") do not match the report totals (" + std::to_string(promised.count) + " rows, expenses " +
                      report::format_plain(promised.expenses, digits) +
                      "); read rows and totals in the same snapshot");
}

}  // namespace budget_exports::render
