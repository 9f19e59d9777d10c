// The report model as JSON, so the worker can hand a report to the renderer process.
//
// Only the inputs of a report travel (header, currency code, options, categories,
// milestones, line-item totals); report_from_json() calls finalize_report() again, so the
// derived figures are computed by the same code in both processes. A field added to
// report::Report must be added here too: renderer_contract_test renders the sample
// budget in every format both in-process and through this round trip and compares the files.
//
// The lists travel as rows, arrays of values in a fixed order, not as objects: the job of
// a couple with 40 categories and 30 milestones then takes 5.4 kB instead of 9.0 kB, and
// parsing it builds no key map per entry (docs/performance.md, "What changed"):
//   categories      [[name, allocated, spent, sort_order], ...]
//   milestones      [[category, name, amount, due_date, status, paid_date, notes], ...]
//   category_spent  [[name, spent], ...]
// Amounts are minor units (integers), dates [year, month, day] or null.
#pragma once

#include <nlohmann/json.hpp>

#include "core/report/report.hpp"

namespace budget_exports::renderer {

nlohmann::json report_to_json(const report::Report& report);

// Throws std::invalid_argument on a missing or malformed field.
report::Report report_from_json(const nlohmann::json& json);

}  // namespace budget_exports::renderer
