// The little shared memory the extension keeps: where each worker's latch is, so a
// committing backend can wake them. Exists only when loaded via shared_preload_libraries.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "storage/latch.h"
#include "storage/spin.h"
}

namespace budget_exports::pg {

constexpr int kMaxWorkers = 8;

struct SharedState {
  slock_t mutex;
  Latch* worker_latches[kMaxWorkers];
};

// Hooks into shared memory sizing and initialisation; call from _PG_init when preloading.
void install_shared_state_hooks();

// nullptr when the library was not preloaded.
SharedState* shared_state();

void publish_worker_latch(int slot, Latch* latch);
void wake_all_workers();

}  // namespace budget_exports::pg
