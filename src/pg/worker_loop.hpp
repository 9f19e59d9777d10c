// The worker's loop: sleep on the latch, claim, process, finish; repeat until SIGTERM.
#pragma once

namespace budget_exports::pg {
void run_worker_loop(int slot);
}
