#include "pg/worker_loop.hpp"

#include <chrono>
#include <filesystem>
#include <random>

#include "pg/export_job.hpp"
#include "pg/guard.hpp"
#include "pg/overdue_exports.hpp"
#include "pg/pg_compat.hpp"
#include "pg/settings.hpp"
#include "pg/storage_deletions.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
}

namespace budget_exports::pg {

namespace {

constexpr int kMaintenanceEverySeconds = 10;  // lease rescue and storage deletions
constexpr int kErrorPauseMs = 2000;           // after an unexpected error, before trying again

void log_message(int level, const std::string& message) {
  pg_call([&] { ereport(level, (errmsg("budget_exports: %s", message.c_str()))); });
}

// True when woken (a job was queued, cleanup queued deletions, a download found an overdue
// export), false on timeout.
bool wait_for_work(long timeout_ms) {
  return pg_call([&] {
    int events = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms,
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
}

// Scratch files of a previous life of this worker (killed mid-job) are removed.
std::string prepare_temp_dir(int slot) {
  std::filesystem::path dir = std::filesystem::path(DataDir) / "budget_exports_tmp" / ("worker-" + std::to_string(slot + 1));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  return dir.string();
}

// Claims and runs jobs until the queue has nothing runnable or shutdown is requested.
void drain_queue(WorkerContext& context) {
  while (!ShutdownRequestPending) {
    reload_settings_if_asked();
    auto job = context.queue.claim(settings.lease_duration_s);
    if (!job) return;
    run_export_job(*job, context);
  }
}

}  // namespace

void run_worker_loop(int slot) {
  std::string name = "budget_exports worker " + std::to_string(slot + 1) + " (pid " + std::to_string(MyProcPid) + ")";
  WorkerContext context{name, prepare_temp_dir(slot), JobQueue(name), nullptr, {}, std::mt19937_64(std::random_device{}())};
  bool extension_ready = false;
  auto last_maintenance = std::chrono::steady_clock::time_point{};
  bool woken = false;
  log_message(LOG, name + " started");

  while (!ShutdownRequestPending) {
    long sleep_ms = settings.poll_interval_ms;
    try {
      reload_settings_if_asked();
      if (!extension_ready) {
        extension_ready = context.queue.find_extension_schema().has_value();
        if (!extension_ready) {
          // CREATE EXTENSION budget_exports has not run (or DROP EXTENSION did): check again later
          wait_for_work(std::max(settings.poll_interval_ms, 5000));
          continue;
        }
      }
      auto now = std::chrono::steady_clock::now();
      bool maintenance_due = now - last_maintenance >= std::chrono::seconds(kMaintenanceEverySeconds);
      if (maintenance_due) {
        last_maintenance = now;
        if (int rescued = context.queue.rescue_expired_leases(); rescued > 0) {
          log_message(LOG, std::to_string(rescued) + " job(s) whose worker stopped were queued again");
        }
      }
      expire_overdue_exports_if_asked(context);
      // A wake may come from cleanup_expired_exports() queueing deletions: one cheap query
      // when nothing is due (failed batches wait out their own backoff in requested_at).
      if (maintenance_due || woken) remove_deleted_objects(context);
      drain_queue(context);
    } catch (const std::exception& e) {
      extension_ready = false;  // maybe the extension was dropped under us: look again
      log_message(WARNING, std::string("worker error: ") + e.what());
      sleep_ms = kErrorPauseMs;
    }
    if (ShutdownRequestPending) break;
    woken = wait_for_work(sleep_ms);
  }
  log_message(LOG, name + " stopping");
}

}  // namespace budget_exports::pg
