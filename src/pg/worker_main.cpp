// The export worker's process entry (extern "C", started by the postmaster).
#include "pg/guard.hpp"
#include "pg/pg_compat.hpp"
#include "pg/job_release.hpp"
#include "pg/settings.hpp"
#include "pg/shared_state.hpp"
#include "pg/worker_loop.hpp"

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "postmaster/interrupt.h"
#include "tcop/tcopprot.h"
}

namespace {

int my_slot = -1;

void forget_latch(int, Datum) { budget_exports::pg::publish_worker_latch(my_slot, nullptr); }

}  // namespace

extern "C" {
PGDLLEXPORT void budget_exports_worker_main(Datum main_arg);
void budget_exports_worker_main(Datum main_arg) {
  using namespace budget_exports::pg;
  my_slot = DatumGetInt32(main_arg);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  // die: CHECK_FOR_INTERRUPTS ends a query, a lock wait or the idle wait with FATAL at
  // once; an upload in progress is aborted by libcurl's progress callback (ProcDiePending).
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  initialize_worker_connection(settings.database, nullptr);
  before_shmem_exit(forget_latch, 0);
  install_release_on_exit();  // runs before PostgreSQL's own cleanup (callbacks run in reverse)
  publish_worker_latch(my_slot, MyLatch);
  cpp_entry([] { run_worker_loop(my_slot); });
  // Exit code 1: the postmaster starts the worker again after bgw_restart_time unless the
  // server is shutting down (a pg_terminate_backend or DROP DATABASE ... FORCE is not forever).
  proc_exit(1);
}
}
