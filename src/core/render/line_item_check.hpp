// Every renderer sums the rows it streamed and compares them with the totals the
// report promised, so no file ever prints totals that disagree with its own rows.
#pragma once

#include "core/report/report.hpp"

namespace budget_exports::render {

// Throws RenderError naming `format` when a report is not finalized.
void require_finalized(const report::Report& report, const char* format);

// Throws RenderError naming `format` when `streamed` differs from report.line_item_totals.
void require_matching_totals(const report::Report& report, const report::LineItemTotals& streamed,
                             const char* format);

}  // namespace budget_exports::render
