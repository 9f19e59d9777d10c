#include "pg/export_job.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/jobs/retry_backoff.hpp"
#include "core/render/render.hpp"
#include "core/spool/line_item_spool.hpp"
#include "core/storage/object_key.hpp"
#include "pg/budget_reader.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/storage_config.hpp"

extern "C" {
#include "pgstat.h"
}

namespace budget_exports::pg {

namespace {

using Clock = std::chrono::steady_clock;

long long elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// A file bigger than budget_exports.max_file_size: retrying would make the same file.
struct FileTooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Failure {
  std::string message;
  bool retryable;
};

bool is_transient_sqlstate(int sqlstate) {
  // connection (08), transaction rollback (40), resources (53), operator intervention (57),
  // system errors (58): the same job may well succeed later
  char klass[3] = {static_cast<char>(PGUNSIXBIT(sqlstate)), static_cast<char>(PGUNSIXBIT(sqlstate >> 6)), '\0'};
  static const char* const kTransient[] = {"08", "40", "53", "57", "58"};
  for (const char* transient : kTransient) {
    if (klass[0] == transient[0] && klass[1] == transient[1]) return true;
  }
  return false;
}

Failure classify(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const storage::StorageError& e) {
    return {e.what(), e.retryable};
  } catch (const RenderFailed& e) {
    return {e.what(), e.retryable};
  } catch (const render::RenderError& e) {
    return {std::string("rendering failed: ") + e.what(), false};
  } catch (const FileTooLarge& e) {
    return {e.what(), false};
  } catch (const PgError& e) {
    return {std::string("database error: ") + e.what(), is_transient_sqlstate(e.sqlstate())};
  } catch (const std::invalid_argument& e) {
    return {e.what(), false};
  } catch (const std::bad_alloc&) {
    return {"out of memory while building the export", true};
  } catch (const std::exception& e) {
    return {e.what(), true};
  } catch (...) {
    return {"unknown error", true};
  }
}

void remove_quietly(const std::string& path) { std::remove(path.c_str()); }

FinishedFile produce_file(const ClaimedJob& job, WorkerContext& context, nlohmann::json& timings) {
  const render::RenderedFile format = render::format_info(job.export_type);
  std::string spool_path = context.temp_dir + "/" + job.export_id + ".rows";
  std::string file_path = context.temp_dir + "/" + job.export_id + "." + format.extension;
  struct Cleanup {
    std::string a, b;
    ~Cleanup() {
      remove_quietly(a);
      remove_quietly(b);
    }
  } cleanup{spool_path, file_path};

  auto started = Clock::now();
  BudgetRead read = read_budget(job, context.queue.schema(), spool_path);
  timings["read_ms"] = elapsed_ms(started);
  timings["line_items"] = read.line_items;

  started = Clock::now();
  pg_call([] { pgstat_report_activity(STATE_RUNNING, "budget_exports: rendering"); });
  // in the renderer process, never in this backend (src/pg/renderer_process.hpp)
  context.renderer.render(job.export_type, std::move(read.report), spool_path, file_path, context.temp_dir);
  timings["render_ms"] = elapsed_ms(started);

  FinishedFile file;
  file.content_type = format.content_type;
  file.storage_key = storage::object_key(job.couple_id, job.export_id, job.file_name);

  started = Clock::now();
  pg_call([] { pgstat_report_activity(STATE_RUNNING, "budget_exports: uploading"); });
  storage::ObjectStore& store = current_store(context);
  storage::StoredObject stored = store.put(file.storage_key, file_path, file.content_type);
  file.file_url = store.signed_url(file.storage_key, settings.file_ttl_s);
  timings["upload_ms"] = elapsed_ms(started);
  file.size_bytes = static_cast<long long>(stored.size_bytes);
  file.sha256_hex = stored.sha256_hex;
  return file;
}

}  // namespace

void run_export_job(const ClaimedJob& job, WorkerContext& context) {
  auto started = Clock::now();
  nlohmann::json timings = nlohmann::json::object();
  timings["attempt"] = job.attempt;
  timings["worker"] = context.worker_name;
  std::exception_ptr error;
  FinishedFile file;
  try {
    file = produce_file(job, context, timings);
  } catch (const RenderInterrupted&) {
    // shutdown while rendering: back to the queue, the attempt not counted as a retry
    bool released = context.queue.release(job);
    pg_call([&] {
      ereport(LOG, (errmsg("budget_exports: export %s %s: the worker stopped while rendering", job.export_id.c_str(),
                           released ? "queued again" : "left to its newer attempt")));
    });
    return;
  } catch (...) {
    error = std::current_exception();
  }
  if (!error) {
    timings["total_ms"] = elapsed_ms(started);
    file.timings_json = timings.dump();
    if (!context.queue.complete(job, file)) {
      pg_call([&] {
        ereport(LOG, (errmsg("budget_exports: export %s finished after its lease expired; the newer attempt "
                             "records the result", job.export_id.c_str())));
      });
    }
    return;
  }
  Failure failure = classify(error);
  jobs::BackoffPolicy policy{settings.backoff_base_ms, settings.backoff_max_ms};
  long long delay = jobs::retry_delay_ms(policy, job.retry_count, context.random);
  std::string outcome = context.queue.fail(job, failure.message, failure.retryable, delay);
  pg_call([&] {
    ereport(LOG, (errmsg("budget_exports: export %s attempt %d failed (%s): %s", job.export_id.c_str(),
                         job.attempt, outcome.c_str(), failure.message.c_str())));
  });
}

}  // namespace budget_exports::pg
