// Whether the app's own queries are running right now: the renderer is paced while they are
// (src/core/renderer/duty_cycle.hpp, docs/performance.md).
#pragma once

namespace budget_exports::pg {

// True when a client backend other than this process is running a statement and is not
// merely sleeping in it (pg_sleep and other Timeout waits). Background workers (ours,
// pg_cron's, autovacuum) do not count. Needs track_activities (on by default): with it off
// nothing counts as busy. Call inside pg_call(); outside a transaction is fine.
bool app_queries_running();

}  // namespace budget_exports::pg
