// A job interrupted by shutdown goes back to the queue without spending a retry (issue
// #11). SIGTERM (fast shutdown, pg_terminate_backend) uses PostgreSQL's die handler, so
// CHECK_FOR_INTERRUPTS ends a query or a lock wait with FATAL at once; FATAL exits the
// process without unwinding, so the job the worker holds is released from a
// before_shmem_exit callback (in a fresh transaction, before PostgreSQL's own cleanup).
#pragma once

#include <string>

#include "pg/job_queue.hpp"

namespace budget_exports::pg {

// Once per worker, after the database connection is up.
void install_release_on_exit();

// The job this worker holds, from claim to its recorded end (RAII).
class HeldJob {
 public:
  HeldJob(const std::string& schema, const ClaimedJob& job);
  ~HeldJob();
  HeldJob(const HeldJob&) = delete;
  HeldJob& operator=(const HeldJob&) = delete;
};

// budget_exports_release_job(): back to queued, attempt not counted, no retry spent.
// reason (nullptr keeps the last message) is what the couple reads meanwhile.
bool release_job(const std::string& schema, const ClaimedJob& job, const char* reason);

}  // namespace budget_exports::pg
