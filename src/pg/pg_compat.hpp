// The one place where PostgreSQL versions differ for budget_exports (15 and 17 are built and
// tested, see README "Install"). Everything version-specific is a PG_VERSION_NUM guard here;
// the rest of src/pg calls these wrappers and src/core never sees a version.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/fd.h"
#include "utils/backend_status.h"
#include "utils/wait_event.h"
#if PG_VERSION_NUM >= 160000
#include "common/file_utils.h"  // PG_TEMP_FILES_DIR and PG_TEMP_FILE_PREFIX moved here in 16
#endif
}

#if PG_VERSION_NUM < 150000
#error "budget_exports needs PostgreSQL 15 or later"
#endif

namespace budget_exports::pg {

// --- wait events ------------------------------------------------------------------------
// The wait event to pass to WaitLatch() & co. so pg_stat_activity says what a worker waits
// for. PostgreSQL 17: a custom wait event NAME (wait_event_type 'Extension', wait_event NAME,
// listed in pg_wait_events), registered in shared memory on first use (WaitEventExtensionNew).
// PostgreSQL 15: every extension wait is PG_WAIT_EXTENSION (wait_event 'Extension').
// name must outlive the process (a string literal). Call it inside pg_call() (registering may
// elog(ERROR)); it never allocates in C++.
uint32 extension_wait_event(const char* name);

// The worker waiting for work (latch or poll timeout).
inline constexpr const char* kWaitEventIdle = "BudgetExportsIdle";

// --- background worker connection -----------------------------------------------------
// True where a background worker may connect as a role WITHOUT the LOGIN attribute
// (PostgreSQL 17: BGWORKER_BYPASS_ROLELOGINCHECK). On 15 the role must have LOGIN, or the
// worker connects as the bootstrap superuser (role nullptr) and switches to a least-privilege
// role with SetUserIdAndSecContext() for the work.
inline constexpr bool kWorkerMayConnectAsNologinRole = PG_VERSION_NUM >= 170000;

struct WorkerConnectOptions {
  bool bypass_allow_connections = false;  // connect even if datallowconn is false (15 and 17)
  bool bypass_role_login_check = false;   // a NOLOGIN role (17 only; ignored on 15, see above)
};

// BackgroundWorkerInitializeConnection() with the flags of this version. role may be nullptr
// (the bootstrap superuser). FATAL (the worker exits) when the database or role is unusable.
inline void initialize_worker_connection(const char* database, const char* role,
                                         WorkerConnectOptions options = {}) {
  uint32 flags = 0;
  if (options.bypass_allow_connections) flags |= BGWORKER_BYPASS_ALLOWCONN;
#if PG_VERSION_NUM >= 170000
  if (options.bypass_role_login_check) flags |= BGWORKER_BYPASS_ROLELOGINCHECK;
#endif
  BackgroundWorkerInitializeConnection(database, role, flags);
}

// --- backend status ------------------------------------------------------------------
// The index-th (1-based, up to pgstat_fetch_stat_numbackends()) entry of this process's
// snapshot of the backends' status; renamed in 17.
inline LocalPgBackendStatus* local_backend_status(int index) {
#if PG_VERSION_NUM >= 170000
  return pgstat_get_local_beentry_by_index(index);
#else
  return pgstat_fetch_stat_local_beentry(index);
#endif
}

}  // namespace budget_exports::pg
