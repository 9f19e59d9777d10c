// One export, start to finish: read (short transaction), render and upload (no
// transaction), then record the result (short transaction, only with the lease).
#pragma once

#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/storage/object_store.hpp"
#include "pg/job_queue.hpp"
#include "pg/renderer_process.hpp"

namespace budget_exports::pg {

struct WorkerContext {
  std::string worker_name;
  std::string temp_dir;  // private scratch directory of this worker
  JobQueue queue;
  std::unique_ptr<storage::ObjectStore> store;  // reopened when the settings change
  std::string store_signature;                  // the settings the store was opened with
  std::mt19937_64 random;
  RendererProcess renderer;  // the separate process that renders (started on first use)
};

// Runs the claimed job to its end state; never throws for a job-level failure (it is
// recorded on the job). Throws only if the queue itself cannot be updated.
// With claim_next, a successful job's result is recorded in the same transaction that
// claims the next job (JobQueue::complete_and_claim), which is returned.
std::optional<ClaimedJob> run_export_job(const ClaimedJob& job, WorkerContext& context, bool claim_next = false);

// Empties the worker's scratch files (line item spool, rendered file). A finished export's
// files are rewritten in place by the next job and emptied here once the queue is empty (a
// failed export's at once), so no couple's data stays behind an idle worker.
void empty_scratch_files(const WorkerContext& context);

}  // namespace budget_exports::pg
