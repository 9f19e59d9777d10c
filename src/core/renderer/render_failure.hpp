// What a failed render means for the couple: one message they can act on (no server
// paths, no host names) and whether another attempt could succeed.
#pragma once

#include <string>

#include "core/renderer/child_process.hpp"
#include "core/renderer/render_job.hpp"

namespace budget_exports::renderer {

struct RenderLimits {
    long long memory_limit_mb = 512;
    long long max_file_size = 0;  // bytes; 0 = none
    long long time_limit_ms = 0;  // 0 = none
};

struct RenderFailure {
    std::string message;
    bool retryable = false;
};

// "512 MB", "2 kB", "1.5 GB", "999 bytes"
std::string human_size(long long bytes);
// "90 s", "2 min", "1 h 30 min"
std::string human_duration(long long ms);

// A renderer's answer other than ok.
RenderFailure describe_reply(const RenderReply& reply, const RenderLimits& limits);
// The renderer ended without an answer (a signal, a limit, the OOM killer, kill -9).
RenderFailure describe_death(const ChildExit& exit, const RenderLimits& limits);
// The wall-time limit ran out (the renderer was killed).
RenderFailure describe_timeout(const RenderLimits& limits);

}  // namespace budget_exports::renderer
