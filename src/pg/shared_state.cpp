#include "pg/shared_state.hpp"

extern "C" {
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace budget_exports::pg {

namespace {

SharedState* state = nullptr;
int my_slot = -1;  // this worker's, once it published its latch
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void request_shared_memory() {
  if (previous_request_hook) previous_request_hook();
  RequestAddinShmemSpace(MAXALIGN(sizeof(SharedState)));
}

void attach_shared_memory() {
  if (previous_startup_hook) previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  state = static_cast<SharedState*>(ShmemInitStruct("budget_exports", sizeof(SharedState), &found));
  if (!found) {
    SpinLockInit(&state->mutex);
    for (Latch*& latch : state->worker_latches) latch = nullptr;
    for (bool& rendering : state->worker_rendering) rendering = false;
    state->expiry_requested = false;
    state->problems = WorkerProblems{};
  }
  LWLockRelease(AddinShmemInitLock);
}

}  // namespace

void install_shared_state_hooks() {
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_shared_memory;
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = attach_shared_memory;
}

SharedState* shared_state() { return state; }

void publish_worker_latch(int slot, Latch* latch) {
  if (!state || slot < 0 || slot >= kMaxWorkers) return;
  my_slot = slot;
  SpinLockAcquire(&state->mutex);
  state->worker_latches[slot] = latch;
  state->worker_rendering[slot] = false;  // a worker that starts, or exits, renders nothing
  SpinLockRelease(&state->mutex);
}

void publish_rendering(bool rendering) {
  if (!state || my_slot < 0) return;
  SpinLockAcquire(&state->mutex);
  state->worker_rendering[my_slot] = rendering;
  SpinLockRelease(&state->mutex);
}

int renderers_rendering() {
  if (!state) return 0;
  int count = 0;
  SpinLockAcquire(&state->mutex);
  for (bool rendering : state->worker_rendering) count += rendering ? 1 : 0;
  SpinLockRelease(&state->mutex);
  return count;
}

void wake_all_workers() {
  if (!state) return;
  Latch* latches[kMaxWorkers];
  SpinLockAcquire(&state->mutex);
  for (int i = 0; i < kMaxWorkers; i++) latches[i] = state->worker_latches[i];
  SpinLockRelease(&state->mutex);
  for (Latch* latch : latches) {
    if (latch) SetLatch(latch);
  }
}

bool request_expiry_now() {
  if (!state) return false;
  SpinLockAcquire(&state->mutex);
  state->expiry_requested = true;
  SpinLockRelease(&state->mutex);
  wake_all_workers();
  return true;
}

bool take_expiry_request() {
  if (!state) return false;
  SpinLockAcquire(&state->mutex);
  bool requested = state->expiry_requested;
  state->expiry_requested = false;
  SpinLockRelease(&state->mutex);
  return requested;
}

void defer_expiry_request() {
  if (!state) return;
  SpinLockAcquire(&state->mutex);
  state->expiry_requested = true;
  SpinLockRelease(&state->mutex);
}

}  // namespace budget_exports::pg

namespace budget_exports::pg {

WorkerProblems read_worker_problems() {
  WorkerProblems copy{};
  update_worker_problems([&](WorkerProblems& problems) { copy = problems; });
  return copy;
}

}  // namespace budget_exports::pg
