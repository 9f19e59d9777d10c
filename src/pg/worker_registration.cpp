#include "pg/worker_registration.hpp"

#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/shared_state.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

#include <algorithm>
#include <cstdio>

namespace budget_exports::pg {

void register_export_workers() {
  int count = std::min(settings.workers, kMaxWorkers);
  for (int slot = 0; slot < count; slot++) {
    BackgroundWorker worker = {};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 5;  // seconds; a failing worker never crash-loops the server
    std::snprintf(worker.bgw_library_name, BGW_MAXLEN, "budget_exports");
    std::snprintf(worker.bgw_function_name, BGW_MAXLEN, "budget_exports_worker_main");
    std::snprintf(worker.bgw_name, BGW_MAXLEN, "budget_exports worker %d", slot + 1);
    std::snprintf(worker.bgw_type, BGW_MAXLEN, "budget_exports worker");
    worker.bgw_main_arg = Int32GetDatum(slot);
    RegisterBackgroundWorker(&worker);
  }
}

}  // namespace budget_exports::pg
