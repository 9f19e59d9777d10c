// budget_exports_wake_workers_at_commit(): wake the workers when, and only if, the
// transaction that queued a job commits. Rolled-back requests wake nobody.
#include "pg/guard.hpp"
#include "pg/shared_state.hpp"

extern "C" {
#include "access/xact.h"
}

namespace budget_exports::pg {
namespace {

bool wake_pending = false;
bool callback_registered = false;

void on_transaction_end(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
      if (wake_pending) wake_all_workers();
      wake_pending = false;
      break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE:  // COMMIT PREPARED happens elsewhere; the poll interval covers it
      wake_pending = false;
      break;
    default:
      break;
  }
}

}  // namespace
}  // namespace budget_exports::pg

extern "C" {
PG_FUNCTION_INFO_V1(budget_exports_wake_workers_at_commit);
Datum budget_exports_wake_workers_at_commit(PG_FUNCTION_ARGS) {
  using namespace budget_exports::pg;
  if (shared_state() == nullptr) PG_RETURN_VOID();  // not preloaded: no worker to wake
  if (!callback_registered) {
    RegisterXactCallback(on_transaction_end, nullptr);
    callback_registered = true;
  }
  wake_pending = true;
  PG_RETURN_VOID();
}
}
