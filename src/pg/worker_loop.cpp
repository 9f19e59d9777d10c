#include "pg/worker_loop.hpp"

#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "utils/guc.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
}

namespace budget_exports::pg {

void run_worker_loop(int slot) {
  for (;;) {
    int events = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                           settings.poll_interval_ms, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    (void)events;
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
  }
}

}  // namespace budget_exports::pg
