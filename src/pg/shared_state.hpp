// The little shared memory the extension keeps: where each worker's latch is, so a
// committing backend can wake them. Exists only when loaded via shared_preload_libraries.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/timestamp.h"
}

namespace budget_exports::pg {

constexpr int kMaxWorkers = 8;

// Shared by the workers (issue #11): Storage unavailable since when, a paused operator
// problem until when, and when the last operator WARNING was logged (one for all workers).
struct WorkerProblems {
  bool storage_down;         // no claims until a probe succeeds
  bool storage_episode;      // an outage was reported and no job has completed since
  TimestampTz storage_down_since;
  bool operator_paused;
  TimestampTz operator_recheck_at;
  TimestampTz operator_warned_at;
};

struct SharedState {
  slock_t mutex;
  Latch* worker_latches[kMaxWorkers];
  bool worker_rendering[kMaxWorkers];  // the worker's renderer has a job (renderers_rendering)
  bool expiry_requested;  // a download found an overdue export (see request_expiry_now)
  WorkerProblems problems;  // worker_health.cpp: no worker claims while one is set
};

// Hooks into shared memory sizing and initialisation; call from _PG_init when preloading.
void install_shared_state_hooks();

// nullptr when the library was not preloaded.
SharedState* shared_state();

// A worker's latch (nullptr when it exits; either way its renderer has no job).
void publish_worker_latch(int slot, Latch* latch);
void wake_all_workers();

// Whether this worker's renderer has a job now (the slot is the one this process published
// its latch for); how many renderers have one: they share render_busy_share between them.
void publish_rendering(bool rendering);
int renderers_rendering();

// Asks the workers, right now and whatever happens to the caller's transaction, to mark
// overdue exports expired. budget_export_download() refuses an overdue export with an
// ERROR, which would roll back its own UPDATE. False when no worker runs.
bool request_expiry_now();
// True once per request (the worker that takes it does the work).
bool take_expiry_request();
// Keeps the request for the worker's next round, without waking anyone.
void defer_expiry_request();

// The workers' shared problems, copied or changed under the mutex. Without shared memory
// (never the case in a worker) reads return "no problem" and updates do nothing.
WorkerProblems read_worker_problems();
template <typename Fn>
void update_worker_problems(Fn&& fn) {
  SharedState* shared = shared_state();
  if (!shared) return;
  SpinLockAcquire(&shared->mutex);
  fn(shared->problems);  // plain assignments only: no allocation or ERROR under a spinlock
  SpinLockRelease(&shared->mutex);
}

}  // namespace budget_exports::pg
