#include "core/renderer/duty_cycle.hpp"

namespace budget_exports::renderer {

DutyCycle::DutyCycle(bool pacing, Clock::time_point now, Clock::duration max_paused)
    : pacing_(pacing), max_paused_(max_paused),
      next_change_(pacing ? now + kRunSlice : Clock::time_point::max()) {}

void DutyCycle::set_duty(double duty) {
    if (duty > 0 && duty < 1) {
        // run kRunSlice, pause so long that running is `duty` of the whole
        const auto run = std::chrono::duration_cast<std::chrono::duration<double>>(Clock::duration(kRunSlice));
        pause_length_ = std::chrono::duration_cast<Clock::duration>(run * ((1 - duty) / duty));
    } else {
        pause_length_ = Clock::duration::zero();
    }
}

DutyCycle::Action DutyCycle::tick(Clock::time_point now, bool app_busy) {
    if (now < next_change_) return Action::none;  // never, when not pacing (next_change_ is max)
    if (paused_) {
        paused_ = false;
        paused_total_ += now - paused_since_;
        next_change_ = now + kRunSlice;
        return Action::resume;
    }
    if (paused_total_ + pause_length_ > max_paused_) {  // paused as long as it may be: run on
        pacing_ = false;
        next_change_ = Clock::time_point::max();
        return Action::none;
    }
    if (!app_busy || pause_length_ == Clock::duration::zero()) {
        next_change_ = now + kRunSlice;  // look again after another slice
        return Action::none;
    }
    paused_ = true;
    paused_since_ = now;
    next_change_ = now + pause_length_;
    return Action::pause;
}

DutyCycle::Action DutyCycle::finish(Clock::time_point now) {
    if (!paused_) return Action::none;
    paused_ = false;
    paused_total_ += now - paused_since_;
    next_change_ = Clock::time_point::max();
    return Action::resume;
}

}  // namespace budget_exports::renderer
