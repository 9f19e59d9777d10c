#include "pg/job_release.hpp"

#include <cstdio>

#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/guc.h"
#include "utils/timeout.h"
}

namespace budget_exports::pg {

namespace {

// Plain C data: the exit callback must not allocate in C++.
struct Held {
  bool active;
  char sql[512];
  char queue_id[64];
  char lease_token[64];
  char export_id[64];
};
Held held = {};

std::string release_sql(const std::string& schema) {
  std::string quoted = "\"";
  for (char c : schema) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return "SELECT " + quoted + "\".budget_exports_release_job($1::uuid, $2::uuid, $3)";
}

// FATAL (from die via CHECK_FOR_INTERRUPTS) may have hit inside a transaction: abort it,
// then release the job in a transaction of its own. An ERROR here is promoted to FATAL
// and ends the callback; the job's lease then expires as after a crash.
void release_on_exit(int, Datum) {
  if (!held.active) return;
  held.active = false;
  AbortOutOfAnyTransaction();
  disable_all_timeouts(false);
  StartTransactionCommand();
  SetConfigOption("lock_timeout", "1000", PGC_SUSET, PGC_S_OVERRIDE);
  if (SPI_connect() == SPI_OK_CONNECT) {
    PushActiveSnapshot(GetTransactionSnapshot());
    Oid types[3] = {TEXTOID, TEXTOID, TEXTOID};
    Datum values[3] = {CStringGetTextDatum(held.queue_id), CStringGetTextDatum(held.lease_token), 0};
    const char nulls[3] = {' ', ' ', 'n'};
    int rc = SPI_execute_with_args(held.sql, 3, types, values, nulls, false, 1);
    bool isnull = true;
    bool released = rc == SPI_OK_SELECT && SPI_processed == 1 &&
                    DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    if (released) {
      ereport(LOG, (errmsg("budget_exports: export %s went back to the queue (the worker is stopping; no retry spent)",
                           held.export_id)));
    }
  } else {
    AbortCurrentTransaction();
  }
}

}  // namespace

void install_release_on_exit() { before_shmem_exit(release_on_exit, 0); }

HeldJob::HeldJob(const std::string& schema, const ClaimedJob& job) {
  snprintf(held.sql, sizeof held.sql, "%s", release_sql(schema).c_str());
  snprintf(held.queue_id, sizeof held.queue_id, "%s", job.queue_id.c_str());
  snprintf(held.lease_token, sizeof held.lease_token, "%s", job.lease_token.c_str());
  snprintf(held.export_id, sizeof held.export_id, "%s", job.export_id.c_str());
  held.active = true;
}

HeldJob::~HeldJob() { held.active = false; }

bool release_job(const std::string& schema, const ClaimedJob& job, const char* reason) {
  auto rows = in_transaction("budget_exports: putting a job back in the queue", false, [&] {
    return spi_query(release_sql(schema),
                     {job.queue_id, job.lease_token, reason ? SqlParam(std::string(reason)) : SqlParam()});
  });
  held.active = false;  // recorded: nothing left to release at exit
  return !rows.empty() && rows[0][0] && *rows[0][0] == "t";
}

}  // namespace budget_exports::pg
