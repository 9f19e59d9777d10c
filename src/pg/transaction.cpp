#include "pg/transaction.hpp"

#include <algorithm>
#include <string>

#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
}

namespace budget_exports::pg {

const char* const kWorkerSearchPath = "pg_catalog, pg_temp";
namespace {

// A setting in milliseconds, 0 meaning "the lease", never longer than the lease.
int capped_at_lease_ms(int setting_ms) {
  long long lease_ms = static_cast<long long>(settings.lease_duration_s) * 1000;
  if (setting_ms <= 0) return static_cast<int>(lease_ms);
  return static_cast<int>(std::min<long long>(setting_ms, lease_ms));
}

void disarm_statement_timeout() {
  if (get_timeout_active(STATEMENT_TIMEOUT)) disable_timeout(STATEMENT_TIMEOUT, false);
}

}  // namespace

void apply_transaction_timeouts() {
  std::string lock_ms = std::to_string(capped_at_lease_ms(settings.lock_timeout_ms));
  pg_call([&] { SetConfigOption("lock_timeout", lock_ms.c_str(), PGC_SUSET, PGC_S_OVERRIDE); });
}

void begin_transaction(const char* activity, bool read_only) {
  int statement_ms = capped_at_lease_ms(settings.statement_timeout_ms);
  pg_call([&] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    // A background worker has no postgres.c loop to arm statement_timeout: do it here, for
    // the whole (short) transaction. Its handler cancels like a client's statement_timeout.
    enable_timeout_after(STATEMENT_TIMEOUT, statement_ms);
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
    disarm_statement_timeout();
    pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
  });
}

void abort_transaction() noexcept {
  try {
    pg_call([] {
      disarm_statement_timeout();
      AbortCurrentTransaction();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
  } catch (...) {
    // nothing sane is left to do in this process
    proc_exit(1);
  }
}

}  // namespace budget_exports::pg
