// The workers' two waiting modes (issue #11), shared through shared memory
// (SharedState::problems) and shown in the table budget_exports_health:
//  * Storage unavailable (connection refused, timeouts, 5xx, 429): the job that met it goes
//    back to the queue without spending a retry; no worker claims; every worker probes
//    Storage once a second (a cheap sign request with short timeouts) and claiming resumes
//    right after a probe succeeds. After budget_exports.storage_outage_limit, exports that
//    waited that long fail with kStorageOutageTooLong.
//  * An operator problem (a setting, the bucket, the key, the data source, the font): the
//    job goes back to the queue; one WARNING with the detail (again at most every 60 s, for
//    all workers together); no worker claims until a reload (pg_reload_conf) or 60 s later,
//    when the next job shows whether it is fixed.
#pragma once

#include <string>

namespace budget_exports::pg {

struct WorkerContext;

namespace health {

// At worker start: an outage recorded before a restart is probed again at once.
void restore(WorkerContext& context);
// False while Storage is unavailable or an operator problem pauses the workers.
bool may_claim();
bool storage_down();
void storage_unavailable(WorkerContext& context, const std::string& detail);
void operator_problem(WorkerContext& context, const std::string& detail);
// A job completed: whatever was reported is over.
void job_succeeded(WorkerContext& context);
// SIGHUP: the operator may have fixed the setting; the next job tells.
void settings_reloaded();
// Probes Storage when due and fails exports past the outage limit. Returns how many ms
// until it wants to run again, or -1 when nothing is waiting.
long tick(WorkerContext& context);

}  // namespace health
}  // namespace budget_exports::pg
