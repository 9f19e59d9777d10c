// The worker's object store, opened from the budget_exports.storage_* settings and
// reopened after a SIGHUP changed them.
#pragma once

#include "core/storage/object_store.hpp"

namespace budget_exports::pg {

struct WorkerContext;

// The store for the current settings (file://<data directory>/budget_exports by default).
storage::ObjectStore& current_store(WorkerContext& context);

}  // namespace budget_exports::pg
