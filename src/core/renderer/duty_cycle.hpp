// Paces the renderer while the app's own queries run (issue #14, docs/performance.md).
//
// On a small instance a renderer that keeps a CPU busy slows the app even at the lowest CPU
// priority: on the 2-vCPU VM measured, every busy vCPU slows the disk's flushes, and
// pgbench's TPC-B-like script lost 30 % of its throughput to one CPU-bound process at
// nice 10, 55 % to two. Run 10 ms, paused 10 ms, the same process cost it nothing (0-4 %);
// two renderers at a quarter each, 11 %. So while the app is busy the worker lets its
// renderer run in slices of kRunSlice and pauses it (SIGSTOP / SIGCONT, src/pg) in between,
// so that it uses `duty` of a CPU; while the app is idle the renderer runs without pause.
// The duty is budget_exports.render_busy_share split among the renderers rendering at that
// moment, so it may change at every slice.
// This class is only the clock: when to pause, when to resume, how long it was paused.
#pragma once

#include <chrono>

namespace budget_exports::renderer {

class DutyCycle {
public:
    using Clock = std::chrono::steady_clock;
    enum class Action { none, pause, resume };
    static constexpr std::chrono::milliseconds kRunSlice{10};

    // pacing: whether this render may be paused at all (false: tick() never pauses).
    // max_paused: the most it may be paused in all (a job must finish within its lease); once
    // a pause would pass it, the renderer runs on unpaced.
    DutyCycle(bool pacing, Clock::time_point now, Clock::duration max_paused = Clock::duration::max());

    // The share of a CPU the renderer may use while the app is busy, in (0, 1), from the next
    // pause on: it changes while the renderer runs (other renderers start and finish beside
    // it). A share of 1 or more runs the next slice unpaused. Until set, the share is 1.
    void set_duty(double duty);

    // When tick() has something to decide next.
    Clock::time_point next_change() const { return next_change_; }
    // Whether tick() at `now` asks if the app is busy (the end of a run slice).
    bool wants_busy(Clock::time_point now) const { return !paused_ && pacing_ && now >= next_change_; }
    // At or after next_change(): after a run slice, pause when `app_busy` and the share is
    // below 1; after a pause, resume (always). Before next_change(): nothing.
    Action tick(Clock::time_point now, bool app_busy);
    // The job is over (answered, failed or killed): resume if paused.
    Action finish(Clock::time_point now);

    bool paused() const { return paused_; }
    // Time spent paused so far (a render's time limit does not count it).
    Clock::duration paused_total() const { return paused_total_; }
    // The next pause's length (zero: the share is 1 or more).
    Clock::duration pause_length() const { return pause_length_; }

private:
    bool pacing_;
    Clock::duration pause_length_{};
    Clock::duration max_paused_;
    Clock::time_point next_change_;
    Clock::time_point paused_since_;
    Clock::duration paused_total_{};
    bool paused_ = false;
};

}  // namespace budget_exports::renderer
