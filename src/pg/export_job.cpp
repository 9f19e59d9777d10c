#include "pg/export_job.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <fcntl.h>
#include <unistd.h>

#include "core/jobs/retry_backoff.hpp"
#include "core/render/render.hpp"
#include "core/spool/line_item_spool.hpp"
#include "core/storage/object_key.hpp"
#include "pg/budget_reader.hpp"
#include "pg/guard.hpp"
#include "pg/job_failure.hpp"
#include "pg/job_release.hpp"
#include "pg/settings.hpp"
#include "pg/storage_config.hpp"
#include "pg/worker_health.hpp"

extern "C" {
#include "pgstat.h"
}

namespace budget_exports::pg {

namespace {

using Clock = std::chrono::steady_clock;

// Timings are milliseconds with two decimals: a small export's steps take fractions of one.
double hundredths(double ms) { return static_cast<long long>(ms * 100.0 + 0.5) / 100.0; }

double elapsed_ms(Clock::time_point since) {
  return hundredths(std::chrono::duration<double, std::milli>(Clock::now() - since).count());
}

// Empties a scratch file (kept: a new file per job costs an inode allocation); a missing
// one is fine. Opened with O_TRUNC and closed rather than truncate(2)d: ext4 marks a file
// emptied to 0 bytes as "being replaced" (auto_da_alloc) and writes it to disk at its next
// close, which is then this one (nothing to write) instead of the next job's writer's.
void empty_quietly(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd >= 0) ::close(fd);
}

// This process's peak resident memory (VmHWM, kB) from /proc; 0 where there is no /proc.
long long own_peak_rss_kb() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return 0;
  char line[256];
  long long kb = 0;
  while (std::fgets(line, sizeof line, status)) {
    if (std::sscanf(line, "VmHWM: %lld kB", &kb) == 1) break;
  }
  std::fclose(status);
  return kb;
}

// The operator's font must be readable before a PDF is rendered: a missing font is not the
// couple's fault.
void check_font(const ClaimedJob& job) {
  if (job.export_type != "pdf") return;
  std::string font = settings.font_path && *settings.font_path ? settings.font_path : render::PdfOptions{}.font_path;
  if (::access(font.c_str(), R_OK) != 0) {
    std::string reason = strerror(errno);
    throw OperatorError("cannot read the PDF font " + font + " (budget_exports.font_path): " + reason);
  }
}

// The worker's store; a configuration it cannot use (storage_url, key file, Vault secret)
// is the operator's problem.
storage::ObjectStore& store_or_operator_error(WorkerContext& context) {
  try {
    return current_store(context);
  } catch (const std::invalid_argument& e) {
    throw OperatorError(std::string("storage settings: ") + e.what());
  }
}

// One spool file and one output file per format and worker, reused job after job: creating
// and deleting two files per job took 12 % of the worker's and 40 % of the renderer's CPU
// for small exports (perf: ext4's inode allocation). A finished export's files are rewritten
// in place by the next job (core/io/rewritten_file.hpp: emptying them per job cost a
// writeback to disk per job) and emptied when the worker goes idle (empty_scratch_files); a
// failed export's are emptied at once. Either way no couple's data stays behind.
struct ScratchFiles {
  std::string spool_path;
  std::string file_path;
  ScratchFiles(const WorkerContext& context, const std::string& export_type)
      : spool_path(context.temp_dir + "/job.rows"), file_path(context.temp_dir + "/job." + extension(export_type)) {}
  ScratchFiles(const ScratchFiles&) = delete;
  ScratchFiles& operator=(const ScratchFiles&) = delete;

 private:
  // an unknown type fails later, inside the job's error handling (produce_file)
  static std::string extension(const std::string& export_type) {
    try {
      return render::format_info(export_type).extension;
    } catch (const std::exception&) {
      return "out";
    }
  }
};

// While the file renders: readies its upload in the store the last job used (opening one
// may need a transaction: the Vault). Never throws; put() redoes whatever failed here.
void prepare_upload(const ClaimedJob& job, WorkerContext& context) noexcept {
  if (!context.store) return;
  try {
    context.store->prepare(storage::object_key(job.couple_id, job.export_id, job.file_name));
  } catch (...) {
    // a file name the key rules refuse: the upload step fails the job with the message
  }
}

FinishedFile produce_file(const ClaimedJob& job, WorkerContext& context, const ScratchFiles& scratch,
                          nlohmann::json& timings, JobStage& stage) {
  const render::RenderedFile format = render::format_info(job.export_type);
  const std::string& spool_path = scratch.spool_path;
  const std::string& file_path = scratch.file_path;

  auto started = Clock::now();
  stage = JobStage::read;
  BudgetRead read = read_budget(job, context.queue.schema(), spool_path);
  timings["read_ms"] = elapsed_ms(started);
  timings["line_items"] = read.line_items;

  started = Clock::now();
  stage = JobStage::render;
  check_font(job);
  pg_call([] { pgstat_report_activity(STATE_RUNNING, "budget_exports: rendering"); });
  // in the renderer process, never in this backend (src/pg/renderer_process.hpp); meanwhile
  // the store readies the upload (the file store makes the export's directory and file)
  context.renderer.render(job.export_type, std::move(read.report), spool_path, file_path, context.temp_dir,
                          [&] { prepare_upload(job, context); });
  timings["render_ms"] = elapsed_ms(started);
  timings["renderer_busy_ms"] = hundredths(context.renderer.last_busy_us() / 1000.0);
  // paused while the app's own queries ran (budget_exports.render_busy_share)
  timings["renderer_paused_ms"] = hundredths(context.renderer.last_paused_us() / 1000.0);
  // peak memory so far (docs/performance.md): the renderer's and this worker's high-water marks
  timings["renderer_peak_rss_kb"] = context.renderer.last_peak_rss_kb();

  FinishedFile file;
  file.content_type = format.content_type;
  file.storage_key = storage::object_key(job.couple_id, job.export_id, job.file_name);

  started = Clock::now();
  stage = JobStage::upload;
  pg_call([] { pgstat_report_activity(STATE_RUNNING, "budget_exports: uploading"); });
  storage::ObjectStore& store = store_or_operator_error(context);
  storage::StoredObject stored = store.put(file.storage_key, file_path, file.content_type);
  stage = JobStage::sign;
  file.file_url = store.signed_url(file.storage_key, settings.file_ttl_s);
  timings["upload_ms"] = elapsed_ms(started);
  file.size_bytes = static_cast<long long>(stored.size_bytes);
  file.sha256_hex = stored.sha256_hex;
  return file;
}

}  // namespace

std::optional<ClaimedJob> run_export_job(const ClaimedJob& job, WorkerContext& context, bool claim_next) {
  auto started = Clock::now();
  nlohmann::json timings = nlohmann::json::object();
  timings["attempt"] = job.attempt;
  timings["claim_ms"] = hundredths(job.claim_ms);
  timings["worker"] = context.worker_name;
  std::exception_ptr error;
  FinishedFile file;
  JobStage stage = JobStage::read;
  const ScratchFiles scratch(context, job.export_type);
  try {
    file = produce_file(job, context, scratch, timings, stage);
  } catch (...) {
    error = std::current_exception();
    empty_scratch_files(context);
    if (context.store) context.store->cancel_prepared();  // the export's directory, if still empty
  }
  if (!error) {
    timings["total_ms"] = elapsed_ms(started);
    timings["worker_peak_rss_kb"] = own_peak_rss_kb();
    file.timings_json = timings.dump();
    std::optional<ClaimedJob> next;
    bool completed = false;
    if (claim_next) {
      next = context.queue.complete_and_claim(job, file, settings.lease_duration_s, completed);
    } else {
      completed = context.queue.complete(job, file);
    }
    if (!completed) {
      pg_call([&] {
        ereport(LOG, (errmsg("budget_exports: export %s finished after its lease was lost (a newer attempt records "
                             "the result, or the export was deleted and its file is removed)", job.export_id.c_str())));
      });
    }
    health::job_succeeded(context);
    return next;
  }
  JobFailure failure = classify_failure(error, stage);
  switch (failure.kind) {
    case FailureKind::shutdown:
      // SIGTERM aborted the transfer: exit now; the exit callback releases the job.
      pg_call([] { CHECK_FOR_INTERRUPTS(); });
      release_job(context.queue.schema(), job, nullptr);
      return std::nullopt;
    case FailureKind::storage:
      release_job(context.queue.schema(), job, kWaitingForStorage);
      health::storage_unavailable(context, failure.detail);
      pg_call([&] {
        ereport(LOG, (errmsg("budget_exports: export %s waits for Storage (no retry spent): %s", job.export_id.c_str(),
                             failure.detail.c_str())));
      });
      return std::nullopt;
    case FailureKind::operator_error:
      release_job(context.queue.schema(), job, kWaitingForOperator);
      health::operator_problem(context, failure.detail);
      return std::nullopt;
    case FailureKind::couple:
    case FailureKind::retry:
      break;
  }
  bool retryable = failure.kind == FailureKind::retry;
  jobs::BackoffPolicy policy{settings.backoff_base_ms, settings.backoff_max_ms};
  long long delay = jobs::retry_delay_ms(policy, job.retry_count, context.random);
  std::string outcome = context.queue.fail(job, failure.couple_message, retryable, delay);
  pg_call([&] {
    ereport(LOG, (errmsg("budget_exports: export %s attempt %d failed (%s, %s): %s", job.export_id.c_str(),
                         job.attempt, failure_kind_name(failure.kind), outcome.c_str(), failure.detail.c_str())));
  });
  return std::nullopt;
}

// Never throws (it runs inside the failed job's catch block too): a directory that cannot be
// read has nothing to empty.
void empty_scratch_files(const WorkerContext& context) {
  std::error_code error;
  for (std::filesystem::directory_iterator it(context.temp_dir, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored) && it->file_size(ignored) > 0) empty_quietly(it->path().string());
  }
}

}  // namespace budget_exports::pg
