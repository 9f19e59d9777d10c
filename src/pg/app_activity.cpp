#include "pg/app_activity.hpp"

#include "pg/pg_compat.hpp"

extern "C" {
#include "pgstat.h"
#include "storage/proc.h"
#include "storage/procarray.h"
}

namespace budget_exports::pg {

bool app_queries_running() {
  pgstat_clear_snapshot();  // the status snapshot is kept until cleared: take a fresh one
  const int backends = pgstat_fetch_stat_numbackends();
  for (int index = 1; index <= backends; index++) {
    LocalPgBackendStatus* local = local_backend_status(index);
    if (local == nullptr) continue;
    const PgBackendStatus& backend = local->backendStatus;
    if (backend.st_backendType != B_BACKEND || backend.st_procpid == MyProcPid) continue;
    if (backend.st_state != STATE_RUNNING && backend.st_state != STATE_FASTPATH) continue;
    PGPROC* proc = BackendPidGetProc(backend.st_procpid);
    // read without a lock, as pg_stat_activity does: a stale value only delays a decision
    if (proc != nullptr && (proc->wait_event_info & 0xFF000000) == PG_WAIT_TIMEOUT) continue;
    return true;
  }
  return false;
}

}  // namespace budget_exports::pg
