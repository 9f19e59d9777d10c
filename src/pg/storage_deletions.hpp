// Removes the storage objects of expired and deleted exports (budget_export_storage_deletions),
// in batches of up to 1000 keys. The HTTP call runs with no transaction open; a failed
// batch is retried later with backoff and never blocks exports.
#pragma once

namespace budget_exports::pg {

struct WorkerContext;

// Processes at most one batch; returns how many objects were removed.
int remove_deleted_objects(WorkerContext& context);

}  // namespace budget_exports::pg
