#include "pg/worker_loop.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>

#include "pg/app_indexes.hpp"
#include "pg/export_job.hpp"
#include "pg/guard.hpp"
#include "pg/job_release.hpp"
#include "pg/overdue_exports.hpp"
#include "pg/pg_compat.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/storage_deletions.hpp"
#include "pg/transaction.hpp"
#include "pg/worker_health.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
}

namespace budget_exports::pg {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaintenanceEverySeconds = 10;  // lease rescue and storage deletions, also between jobs
constexpr int kErrorPauseMs = 2000;           // after an unexpected error, before trying again

void log_message(int level, const std::string& message) {
  pg_call([&] { ereport(level, (errmsg("budget_exports: %s", message.c_str()))); });
}

// True when woken (a job was queued, cleanup queued deletions, a download found an overdue
// export, Storage came back), false on timeout. SIGTERM (die) ends the process in
// CHECK_FOR_INTERRUPTS.
bool wait_for_work(long timeout_ms) {
  return pg_call([&] {
    int events = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, std::max(timeout_ms, 1L),
                           extension_wait_event(kWaitEventIdle));
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
    return (events & WL_LATCH_SET) != 0;
  });
}

void reload_settings_if_asked() {
  if (!ConfigReloadPending) return;
  ConfigReloadPending = false;
  pg_call([] { ProcessConfigFile(PGC_SIGHUP); });
  apply_transaction_timeouts();
  health::settings_reloaded();
}

// Scratch files live in <data dir>/pgsql_tmp/pgsql_tmp_budget_exports_worker_<n>: base
// backups (pg_basebackup) skip every file and directory named pgsql_tmp*. Files of a
// previous life of this worker (killed mid-job) are removed here.
std::string prepare_temp_dir(int slot) {
  std::filesystem::path temp_root = std::filesystem::path(DataDir) / PG_TEMP_FILES_DIR;
  std::filesystem::path dir = temp_root / (std::string(PG_TEMP_FILE_PREFIX) + "_budget_exports_worker_" +
                                           std::to_string(slot + 1));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  // the scratch directory of versions before 1.1, inside what base backups copy
  std::filesystem::remove_all(std::filesystem::path(DataDir) / "budget_exports_tmp" /
                                  ("worker-" + std::to_string(slot + 1)),
                              ignored);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(temp_root, std::filesystem::perms::owner_all, ignored);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  return dir.string();
}

struct Maintenance {
  Clock::time_point last{};
  bool due() const { return Clock::now() - last >= std::chrono::seconds(kMaintenanceEverySeconds); }
  long ms_until_due() const {
    auto left = std::chrono::seconds(kMaintenanceEverySeconds) - (Clock::now() - last);
    return std::max<long>(1, std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
  }
};

// Lease rescue and storage deletions every kMaintenanceEverySeconds, between jobs too, so
// a long burst never holds them up; deletions also when woken (cleanup queued some).
void run_maintenance(WorkerContext& context, Maintenance& maintenance, bool woken) {
  bool due = maintenance.due();
  if (due) {
    maintenance.last = Clock::now();
    if (int rescued = context.queue.rescue_expired_leases(); rescued > 0) {
      log_message(LOG, std::to_string(rescued) + " job(s) whose worker stopped were queued again");
    }
  }
  expire_overdue_exports_if_asked(context);
  if ((due || woken) && !health::storage_down()) remove_deleted_objects(context);
}

}  // namespace

void run_worker_loop(int slot) {
  std::string name = "budget_exports worker " + std::to_string(slot + 1) + " (pid " + std::to_string(MyProcPid) + ")";
  WorkerContext context{name, prepare_temp_dir(slot), JobQueue(name), nullptr, {}, std::mt19937_64(std::random_device{}())};
  bool extension_ready = false;
  bool health_restored = false;
  bool indexes_checked = false;
  Maintenance maintenance;
  bool woken = false;
  bool scratch_used = false;  // a finished export's data may be in the scratch files
  bool was_idle = true;       // the queue looked empty at the last claim (or none ran yet)
  apply_transaction_timeouts();
  log_message(LOG, name + " started");

  while (!ShutdownRequestPending) {
    long sleep_ms = settings.poll_interval_ms;
    try {
      reload_settings_if_asked();
      if (!extension_ready) {
        extension_ready = context.queue.find_extension_schema().has_value();
        if (!extension_ready) {
          // CREATE EXTENSION budget_exports has not run (or DROP EXTENSION did): check again later
          wait_for_work(std::max(std::min(settings.poll_interval_ms, 5000), 1000));
          continue;
        }
      }
      if (!health_restored) {
        health::restore(context);
        health_restored = true;
      }
      if (!indexes_checked) {
        indexes_checked = true;
        if (slot == 0) warn_about_missing_app_indexes(context.queue.schema());  // one worker says it, once per start
      }
      run_maintenance(context, maintenance, woken);
      woken = false;
      long health_ms = health::tick(context);
      bool looked = false;  // a claim ran in this round (so last_claim_found_nothing() is fresh)
      if (health::may_claim()) {
        looked = true;
        if (auto job = context.queue.claim(settings.lease_duration_s)) {
          // A burst: each result is recorded in the transaction that claims the next job
          // (one commit per job), until the queue is empty, maintenance is due, a reload
          // or a problem asks for the loop, or the worker is stopping. The next job is held
          // (released at exit) before the next interrupt check. The first job after the
          // queue looked empty records its result on its own: most often it is the only
          // one, and its couple's NOTIFY (sent at the commit) then waits for no claim that
          // finds nothing; a burst pays one more transaction.
          std::optional<HeldJob> held;
          held.emplace(context.queue.schema(), *job);
          while (job) {
            bool claim_next = !was_idle && !ShutdownRequestPending && !ConfigReloadPending && !maintenance.due();
            was_idle = false;
            std::optional<ClaimedJob> next = run_export_job(*job, context, claim_next);
            held.reset();
            if (next) held.emplace(context.queue.schema(), *next);
            pg_call([] { CHECK_FOR_INTERRUPTS(); });
            if (next && !health::may_claim()) {
              release_job(context.queue.schema(), *next, nullptr);
              next.reset();
            }
            job = std::move(next);
          }
          held.reset();
          scratch_used = true;
          // the next job at once (maintenance runs between jobs when due), unless the last
          // claim found the queue empty
          if (!context.queue.last_claim_found_nothing()) continue;
        }
      }
      // Idle: sleep until the next due job, maintenance, a probe, or a wake-up.
      was_idle = true;
      if (scratch_used) {
        empty_scratch_files(context);
        scratch_used = false;
      }
      sleep_ms = std::min<long>(sleep_ms, maintenance.ms_until_due());
      if (health_ms >= 0) sleep_ms = std::min(sleep_ms, health_ms);
      if (looked && context.queue.last_claim_found_nothing()) {
        long next_run = context.queue.next_run_ms();  // read by the claim that found nothing
        if (next_run >= 0) sleep_ms = std::min(sleep_ms, next_run + 1);
      }
    } catch (const std::exception& e) {
      extension_ready = false;  // maybe the extension was dropped under us: look again
      health_restored = false;
      log_message(WARNING, std::string("worker error: ") + e.what());
      sleep_ms = kErrorPauseMs;
    }
    woken = wait_for_work(sleep_ms);
  }
  empty_scratch_files(context);
  log_message(LOG, name + " stopping");
}

}  // namespace budget_exports::pg
