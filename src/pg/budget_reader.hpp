// Step 2 of a job: read the couple's budget through the data-source function in one
// short read-only transaction. Categories and milestones go into the report model; line
// items are spooled to a file (with their totals), so rendering needs no transaction.
#pragma once

#include <stdexcept>
#include <string>

#include "core/report/report.hpp"
#include "pg/job_failure.hpp"
#include "pg/job_queue.hpp"

namespace budget_exports::pg {

struct BudgetRead {
  report::Report report;  // finalized, with line_item_totals of the spooled rows
  long long line_items = 0;
};

// budget_exports.reader_role is missing or a superuser: the operator's problem. The job
// stays queued (src/pg/job_failure.hpp); the message names the role and goes to the server
// log and the operator view only.
struct ReaderRoleError : OperatorError {
  using OperatorError::OperatorError;
};

// Runs the data source as budget_exports.reader_role, never as the worker's superuser.
// Throws std::invalid_argument for permanent problems (no such couple, a data source
// that does not exist or returns nonsense) and PgError for database errors.
BudgetRead read_budget(const ClaimedJob& job, const std::string& schema, const std::string& spool_path);

// Inside a transaction: whether budget_exports.data_source resolves to the extension's own
// budget_exports_budget_rows in `schema` (the question read_budget asks before each read).
// Throws OperatorError when the setting names no (uuid, jsonb) function.
bool uses_default_data_source(const std::string& schema);

}  // namespace budget_exports::pg
