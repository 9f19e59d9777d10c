// The renderer's pacing clock (src/core/renderer/duty_cycle.hpp): while the app is busy the
// renderer runs a slice and is paused so long that it uses its share of a CPU.
#include <gtest/gtest.h>

#include "core/renderer/duty_cycle.hpp"

using budget_exports::renderer::DutyCycle;
using Action = DutyCycle::Action;
using std::chrono::milliseconds;

namespace {
const DutyCycle::Clock::time_point t0{};

// A cycle that paces at `duty` from t0 on.
DutyCycle paced(double duty, DutyCycle::Clock::duration max_paused = DutyCycle::Clock::duration::max()) {
    DutyCycle cycle(true, t0, max_paused);
    cycle.set_duty(duty);
    return cycle;
}
}  // namespace

TEST(DutyCycle, WithoutPacingItNeverPauses) {
    DutyCycle cycle(false, t0);
    cycle.set_duty(0.25);
    EXPECT_FALSE(cycle.wants_busy(t0 + milliseconds(50)));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(50), true), Action::none);
    EXPECT_EQ(cycle.next_change(), DutyCycle::Clock::time_point::max());
    EXPECT_EQ(cycle.finish(t0 + milliseconds(60)), Action::none);
    EXPECT_EQ(cycle.paused_total(), DutyCycle::Clock::duration::zero());
}

TEST(DutyCycle, HalfAShareRunsASliceThenPausesAsLong) {
    DutyCycle cycle = paced(0.5);
    EXPECT_EQ(cycle.pause_length(), milliseconds(10));
    EXPECT_FALSE(cycle.wants_busy(t0 + milliseconds(5)));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(5), true), Action::none) << "inside the first slice";
    EXPECT_TRUE(cycle.wants_busy(t0 + milliseconds(10)));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(10), true), Action::pause);
    EXPECT_TRUE(cycle.paused());
    EXPECT_FALSE(cycle.wants_busy(t0 + milliseconds(20))) << "a pause always ends, busy or not";
    EXPECT_EQ(cycle.tick(t0 + milliseconds(15), true), Action::none);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(20), true), Action::resume);
    EXPECT_EQ(cycle.paused_total(), milliseconds(10));
    EXPECT_EQ(cycle.next_change(), t0 + milliseconds(30));
}

TEST(DutyCycle, AnIdleAppLetsItRunOn) {
    DutyCycle cycle = paced(0.25);
    EXPECT_EQ(cycle.pause_length(), milliseconds(30));
    for (int slice = 1; slice <= 100; ++slice) {
        EXPECT_EQ(cycle.tick(t0 + milliseconds(10 * slice), false), Action::none);
    }
    EXPECT_FALSE(cycle.paused());
    EXPECT_EQ(cycle.paused_total(), DutyCycle::Clock::duration::zero());
}

TEST(DutyCycle, FinishResumesAPausedRendererAndCountsThePause) {
    DutyCycle cycle = paced(0.25);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(10), true), Action::pause);
    EXPECT_EQ(cycle.finish(t0 + milliseconds(22)), Action::resume);
    EXPECT_FALSE(cycle.paused());
    EXPECT_EQ(cycle.paused_total(), milliseconds(12));
    EXPECT_EQ(cycle.finish(t0 + milliseconds(30)), Action::none) << "resumed once only";
}

// Over a busy second, ticked every millisecond as the worker's wait loop would, the renderer
// runs its share of the time.
TEST(DutyCycle, OverABusySecondItRunsItsShare) {
    for (double duty : {0.5, 0.25, 0.2}) {
        DutyCycle cycle = paced(duty);
        int running_ms = 0;
        for (int ms = 0; ms < 1000; ++ms) {
            const auto now = t0 + milliseconds(ms);
            cycle.tick(now, true);
            if (!cycle.paused()) ++running_ms;
        }
        EXPECT_NEAR(running_ms / 1000.0, duty, 0.02) << "duty " << duty;
    }
}

// A job must finish within its lease: once another pause would pass max_paused the renderer
// runs on without pauses, busy app or not.
TEST(DutyCycle, StopsPausingAtItsLimit) {
    DutyCycle cycle = paced(0.5, milliseconds(25));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(10), true), Action::pause);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(20), true), Action::resume);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(30), true), Action::pause);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(40), true), Action::resume);
    EXPECT_EQ(cycle.paused_total(), milliseconds(20));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(50), true), Action::none) << "a third pause would pass 25 ms";
    EXPECT_FALSE(cycle.wants_busy(t0 + milliseconds(60)));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(60), true), Action::none);
    EXPECT_EQ(cycle.next_change(), DutyCycle::Clock::time_point::max());
}

// The share is split among the renderers rendering at the moment: when a second one starts
// the next pause is longer, when it finishes shorter; a whole CPU runs on unpaused.
TEST(DutyCycle, PausesFollowAChangingShare) {
    DutyCycle cycle(true, t0);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(10), true), Action::none) << "a share of 1 (not set yet) runs on";
    cycle.set_duty(0.5);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(20), true), Action::pause);
    EXPECT_EQ(cycle.next_change(), t0 + milliseconds(30));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(30), true), Action::resume);
    cycle.set_duty(0.25);  // a second renderer started
    EXPECT_EQ(cycle.tick(t0 + milliseconds(40), true), Action::pause);
    EXPECT_EQ(cycle.next_change(), t0 + milliseconds(70));
    EXPECT_EQ(cycle.tick(t0 + milliseconds(70), true), Action::resume);
    cycle.set_duty(1.0);  // a share of a whole CPU
    EXPECT_EQ(cycle.tick(t0 + milliseconds(80), true), Action::none);
    EXPECT_TRUE(cycle.wants_busy(t0 + milliseconds(90))) << "it keeps looking: the share may drop again";
    cycle.set_duty(0.5);
    EXPECT_EQ(cycle.tick(t0 + milliseconds(90), true), Action::pause);
    EXPECT_EQ(cycle.paused_total(), milliseconds(40));
}
