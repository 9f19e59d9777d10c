// The worker's renderer: one long-lived budget_exports_renderer program per worker
// (src/render/main.cpp), started on the first job, reused for the following ones and
// started again after it dies, after a job that needed much memory, or when its limits
// (budget_exports.render_memory_limit / render_nice) change. Rendering runs there, never in
// this backend: a crash, a memory limit or the OOM killer only ends that process.
//
// While a job renders the worker waits on the renderer's pipe and its own latch: SIGTERM
// kills the renderer (RenderInterrupted), SIGHUP reloads the settings, the wall-time limit
// kills it (the attempt fails), postmaster death kills it and exits. While the app's own
// queries run, the worker also paces the renderer (SIGSTOP / SIGCONT) so that all renderers
// together use at most budget_exports.render_busy_share of one CPU
// (src/core/renderer/duty_cycle.hpp); paused time does not count against the time limit.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "core/renderer/child_process.hpp"
#include "core/renderer/render_job.hpp"

namespace budget_exports::pg {

// The attempt failed; the message is for the couple (no paths).
struct RenderFailed : std::runtime_error {
  RenderFailed(const std::string& message, bool retryable) : std::runtime_error(message), retryable(retryable) {}
  bool retryable;
};

// Shutdown was requested while rendering: the renderer was stopped, the job should go
// back to the queue without spending a retry.
struct RenderInterrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RendererProcess {
 public:
  // Renders the spooled rows and `report` into output_path in `format` with the current
  // settings (font, max_file_size, limits); returns the file's size in bytes.
  // Throws RenderFailed, RenderInterrupted, or OperatorError when the renderer program
  // cannot be started (an installation problem: the job waits for the operator).
  // `meanwhile`, if given, runs once in this process while the renderer works (after the
  // request is sent and the attempt made durable); it must not throw.
  long long render(const std::string& format, report::Report report, const std::string& spool_path,
                   const std::string& output_path, const std::string& temp_dir,
                   const std::function<void()>& meanwhile = {});
  void stop();  // kills and reaps a running renderer
  // The renderer's peak resident memory (kB) as of its last successful answer.
  long long last_peak_rss_kb() const { return last_peak_rss_kb_; }
  // How long the renderer itself worked on the last successful job (µs); the rest of the
  // render step is the hand-over (the WAL flush, the pipe, waking the processes).
  long long last_busy_us() const { return last_busy_us_; }
  // How long the last job's renderer was paused for the app's queries (µs).
  long long last_paused_us() const { return last_paused_us_; }

 private:
  void ensure_started();
  long long run(const renderer::RenderJob& job, const std::function<void()>& meanwhile);

  renderer::ChildProcess child_;
  std::string started_with_;  // the limits the running renderer was started with
  long long last_peak_rss_kb_ = 0;
  long long last_busy_us_ = 0;
  long long last_paused_us_ = 0;
};

}  // namespace budget_exports::pg
