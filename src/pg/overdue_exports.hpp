// Marks overdue exports expired when a download asked for it (request_expiry_now): the
// download's own transaction rolls back with its error, so the worker does the UPDATE.
#pragma once

namespace budget_exports::pg {

struct WorkerContext;

// Runs budget_exports_expire_overdue() if a request is pending; returns how many expired.
// Overdue rows that were locked keep the request pending for the next round.
int expire_overdue_exports_if_asked(WorkerContext& context);

}  // namespace budget_exports::pg
