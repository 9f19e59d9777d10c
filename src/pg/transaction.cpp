#include "pg/transaction.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

namespace budget_exports::pg {

const char* const kWorkerSearchPath = "pg_catalog, pg_temp";

void begin_transaction(const char* activity, bool read_only) {
  pg_call([&] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (read_only) XactReadOnly = true;
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "budget_exports: SPI_connect failed");
    // Nothing a database user created (a function or operator in public, a setting of the
    // database or role) takes part in name resolution of the worker's own SQL.
    set_config_option("search_path", kWorkerSearchPath, PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, ERROR,
                      false);
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, activity);
  });
}

void commit_transaction() {
  pg_call([] {
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
  });
}

void abort_transaction() noexcept {
  try {
    pg_call([] {
      AbortCurrentTransaction();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
  } catch (...) {
    // nothing sane is left to do in this process
    proc_exit(1);
  }
}

}  // namespace budget_exports::pg
