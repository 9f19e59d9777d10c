#include "pg/renderer_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <system_error>

#include "core/renderer/duty_cycle.hpp"
#include "core/renderer/render_failure.hpp"
#include "pg/app_activity.hpp"
#include "pg/guard.hpp"
#include "pg/job_failure.hpp"
#include "pg/settings.hpp"
#include "pg/shared_state.hpp"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
}

namespace budget_exports::pg {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kProgram = "budget_exports_renderer";
// budget_exports.test_render_fault only affects exports with this custom_title.
constexpr const char* kFaultTitle = "budget_exports test: crash the renderer";

// The renderer of this process, for the exit callback: a FATAL exit skips C++ destructors.
pid_t live_renderer = -1;
bool exit_callback_registered = false;

void kill_renderer_at_exit(int, Datum) {
  if (live_renderer > 0) {
    kill(live_renderer, SIGKILL);
    waitpid(live_renderer, nullptr, 0);
    live_renderer = -1;
  }
}

bool shutdown_requested() { return ShutdownRequestPending || ProcDiePending; }

renderer::RenderLimits current_limits() {
  renderer::RenderLimits limits;
  limits.memory_limit_mb = settings.render_memory_limit_mb;
  limits.max_file_size = settings.max_file_size_bytes;
  limits.time_limit_ms = settings.render_time_limit_ms;
  return limits;
}

// Whether a render may be paused at all: with a share below a whole CPU, or with other
// workers whose renderers may start beside this one.
bool may_pace() { return settings.render_busy_share < 100 || settings.workers > 1; }

// This renderer's share of a CPU while the app is busy: render_busy_share split among the
// renderers rendering right now (this one included). A lone renderer gets the whole share.
double busy_duty() {
  const int rendering = std::max(1, renderers_rendering());
  return settings.render_busy_share / 100.0 / rendering;
}

// The most a render may be paused: paused time does not count against render_time_limit,
// and the job must still end within its lease (with a 30 s margin for the upload).
Clock::duration max_paused() {
  const long long seconds = static_cast<long long>(settings.lease_duration_s) - settings.render_time_limit_ms / 1000 - 30;
  return std::chrono::seconds(seconds > 0 ? seconds : 0);
}

// Applies the pacing clock's decisions to the renderer `pid`, and never leaves it paused:
// every way out of a render (answer, death, kill, error) resumes it first.
class Pacer {
 public:
  explicit Pacer(renderer::ChildProcess& child)
      : child_(child), pid_(child.pid()), cycle_(may_pace(), Clock::now(), max_paused()) {
    publish_rendering(true);
  }
  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;
  ~Pacer() {
    resume();
    publish_rendering(false);
  }

  // At the end of a run slice, looks whether the app is busy, and if so how many renderers
  // share the CPU time it may have; pauses or resumes on time.
  void tick() {
    const auto now = Clock::now();
    const bool busy = cycle_.wants_busy(now) && pg_call([] { return app_queries_running(); });
    if (busy) cycle_.set_duty(busy_duty());
    apply(cycle_.tick(now, busy));
  }
  void resume() { apply(cycle_.finish(Clock::now())); }
  // How long until tick() has something to do (ms, at least 1).
  long ms_to_next_change() const {
    const auto next = cycle_.next_change();
    if (next == Clock::time_point::max()) return LONG_MAX;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count() + 1;
    return ms > 0 ? ms : 1;
  }
  Clock::duration paused_total() const { return cycle_.paused_total(); }

 private:
  void apply(renderer::DutyCycle::Action action) {
    if (action == renderer::DutyCycle::Action::none) return;
    // only the renderer started for this job, while it is still ours (never a reused pid)
    if (!child_.running() || child_.pid() != pid_) return;
    kill(pid_, action == renderer::DutyCycle::Action::pause ? SIGSTOP : SIGCONT);
  }

  renderer::ChildProcess& child_;
  const pid_t pid_;
  renderer::DutyCycle cycle_;
};

}  // namespace

void RendererProcess::stop() {
  if (child_.running()) child_.kill_and_reap();
  live_renderer = -1;
}

void RendererProcess::ensure_started() {
  std::string limits = std::to_string(settings.render_memory_limit_mb) + "/" + std::to_string(settings.render_nice);
  if (child_.running() && limits == started_with_) {
    if (auto ended = child_.try_reap(); !ended) return;  // alive: reuse it
    live_renderer = -1;                                 // it ended between jobs: start another
  }
  stop();
  std::string program = std::string(pkglib_path) + "/" + kProgram;
  try {
    child_ = renderer::ChildProcess::spawn({program, "--memory-limit-mb", std::to_string(settings.render_memory_limit_mb),
                                            "--nice", std::to_string(settings.render_nice), "--parent-pid",
                                            std::to_string(MyProcPid)});
  } catch (const std::system_error& e) {
    // an installation problem: the operator's, so the job waits (src/pg/job_failure.hpp)
    throw OperatorError("cannot start the renderer " + program + " (" + e.what() +
                        "); reinstall the extension (make install) so that it is in PostgreSQL's lib directory");
  }
  started_with_ = limits;
  live_renderer = child_.pid();
  if (!exit_callback_registered) {
    pg_call([] { on_proc_exit(kill_renderer_at_exit, 0); });
    exit_callback_registered = true;
  }
}

long long RendererProcess::render(const std::string& format, report::Report report, const std::string& spool_path,
                                  const std::string& output_path, const std::string& temp_dir,
                                  const std::function<void()>& meanwhile) {
  renderer::RenderJob job;
  job.format = format;
  job.spool_path = spool_path;
  job.output_path = output_path;
  job.temp_dir = temp_dir;
  job.font_path = settings.font_path ? settings.font_path : "";
  job.max_file_size = settings.max_file_size_bytes;
  if (settings.test_render_fault && *settings.test_render_fault && report.header.custom_title &&
      *report.header.custom_title == kFaultTitle) {
    job.fault = settings.test_render_fault;
  }
  job.report = std::move(report);
  return run(job, meanwhile);
}

long long RendererProcess::run(const renderer::RenderJob& job, const std::function<void()>& meanwhile) {
  const renderer::RenderLimits limits = current_limits();
  ensure_started();

  if (shutdown_requested()) throw RenderInterrupted("the worker was asked to stop before rendering");
  const std::string request = renderer::encode_job(job) + "\n";
  std::size_t sent = 0;
  std::string answer;
  const auto deadline = Clock::now() + std::chrono::milliseconds(limits.time_limit_ms);
  Pacer pacer(child_);
  last_paused_us_ = 0;
  bool attempt_durable = false;
  try {
    for (;;) {
      bool ended = false;
      if (sent < request.size()) {
        try {
          sent += child_.write_some(request.data() + sent, request.size() - sent);
        } catch (const std::system_error&) {
          ended = true;  // EPIPE: the renderer is gone
        }
      }
      if (!attempt_durable) {
        // The attempt was counted when the job was claimed (committed asynchronously, which
        // is cheap); make it durable before this worker waits for the file, so that a job
        // which brings the whole server down (it should not: see above) still ends `failed`
        // after max_retries. Done once the renderer has the request (all of it, for any
        // request that fits in the pipe), so the WAL flush and the rendering overlap; the
        // worker itself does nothing with the job until the flush has returned.
        // XactLastCommitEnd: the end of this backend's last commit record (the claim's, or a
        // later one), always a position XLogFlush can reach. A no-op when the WAL writer got
        // there first.
        pg_call([] {
          if (XactLastCommitEnd != InvalidXLogRecPtr) XLogFlush(XactLastCommitEnd);
        });
        attempt_durable = true;
        // then the caller's work that needs no file yet (the store's directory and file),
        // also while the renderer works, instead of after it
        if (meanwhile) meanwhile();
      }
      if (!ended && sent == request.size()) ended = !child_.read_some(answer);
      if (auto newline = answer.find('\n'); newline != std::string::npos) {
        pacer.resume();
        last_paused_us_ = std::chrono::duration_cast<std::chrono::microseconds>(pacer.paused_total()).count();
        renderer::RenderReply reply;
        try {
          reply = renderer::decode_reply(answer.substr(0, newline));
        } catch (const std::invalid_argument& e) {
          stop();
          throw RenderFailed(std::string("rendering failed: ") + e.what(), true);
        }
        if (reply.exiting) {
          child_.wait();  // it exits right after answering (memory high-water mark, out of memory)
          live_renderer = -1;
        }
        if (reply.kind == renderer::ReplyKind::ok) {
          last_peak_rss_kb_ = reply.peak_rss_kb;
          last_busy_us_ = reply.busy_us;
          return reply.size_bytes;
        }
        renderer::RenderFailure failure = renderer::describe_reply(reply, limits);
        throw RenderFailed(failure.message, failure.retryable);
      }
      if (ended) {
        pacer.resume();
        const int pid = static_cast<int>(child_.pid());
        renderer::ChildExit exit = child_.wait();
        live_renderer = -1;
        std::remove(job.output_path.c_str());
        pg_call([&] {
          ereport(LOG, (errmsg("budget_exports: the renderer (pid %d) ended with %s (peak memory %ld kB) while "
                               "rendering %s", pid, renderer::describe(exit).c_str(), exit.max_rss_kb,
                               job.output_path.c_str())));
        });
        renderer::RenderFailure failure = renderer::describe_death(exit, limits);
        throw RenderFailed(failure.message, failure.retryable);
      }
      pacer.tick();
      // time paused for the app's queries does not count against the limit
      long remaining_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline + pacer.paused_total() - Clock::now()).count();
      if (remaining_ms <= 0) {
        stop();
        std::remove(job.output_path.c_str());
        renderer::RenderFailure failure = renderer::describe_timeout(limits);
        throw RenderFailed(failure.message, failure.retryable);
      }
      bool writing = sent < request.size();
      int fd = writing ? child_.stdin_fd() : child_.stdout_fd();
      int wanted = WL_LATCH_SET | WL_POSTMASTER_DEATH | WL_TIMEOUT | (writing ? WL_SOCKET_WRITEABLE : WL_SOCKET_READABLE);
      const long timeout_ms = std::min(remaining_ms, pacer.ms_to_next_change());
      int events = pg_call([&] { return WaitLatchOrSocket(MyLatch, wanted, fd, timeout_ms, PG_WAIT_EXTENSION); });
      if (events & WL_POSTMASTER_DEATH) {
        stop();
        proc_exit(1);
      }
      if (events & WL_LATCH_SET) ResetLatch(MyLatch);
      if (shutdown_requested()) {
        stop();
        std::remove(job.output_path.c_str());
        throw RenderInterrupted("the worker was asked to stop while rendering");
      }
      if (ConfigReloadPending) {
        ConfigReloadPending = false;
        pg_call([] { ProcessConfigFile(PGC_SIGHUP); });  // applies from the next job on
      }
    }
  } catch (const RenderFailed&) {
    throw;
  } catch (const RenderInterrupted&) {
    throw;
  } catch (...) {
    stop();  // never leave a renderer behind on an unexpected error
    std::remove(job.output_path.c_str());
    throw;
  }
}

}  // namespace budget_exports::pg
