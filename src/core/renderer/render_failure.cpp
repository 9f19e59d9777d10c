#include "core/renderer/render_failure.hpp"

#include <signal.h>

#include <cstdio>

namespace budget_exports::renderer {

namespace {

std::string memory_message(const RenderLimits& limits) {
    return "the report needed more than " + human_size(limits.memory_limit_mb * 1024 * 1024) +
           " of memory to render; narrow the filters (fewer categories, a shorter date range) or ask for CSV";
}

std::string too_large_message(const RenderLimits& limits) {
    return "the export is larger than the " + human_size(limits.max_file_size) +
           " file size limit (rendering stopped there); narrow the filters";
}

}  // namespace

std::string human_size(long long bytes) {
    const long long kB = 1024, MB = kB * 1024, GB = MB * 1024;
    char text[64];
    if (bytes >= GB && bytes % GB == 0) std::snprintf(text, sizeof text, "%lld GB", bytes / GB);
    else if (bytes >= GB) std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / GB);
    else if (bytes >= MB && bytes % MB == 0) std::snprintf(text, sizeof text, "%lld MB", bytes / MB);
    else if (bytes >= MB) std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / MB);
    else if (bytes >= kB && bytes % kB == 0) std::snprintf(text, sizeof text, "%lld kB", bytes / kB);
    else if (bytes >= kB) std::snprintf(text, sizeof text, "%.1f kB", static_cast<double>(bytes) / kB);
    else std::snprintf(text, sizeof text, "%lld bytes", bytes);
    return text;
}

std::string human_duration(long long ms) {
    long long seconds = (ms + 999) / 1000;
    if (seconds < 120) return std::to_string(seconds) + " s";
    long long minutes = seconds / 60;
    if (minutes < 120) return std::to_string(minutes) + " min";
    return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

RenderFailure describe_reply(const RenderReply& reply, const RenderLimits& limits) {
    switch (reply.kind) {
        case ReplyKind::out_of_memory: return {memory_message(limits), false};
        case ReplyKind::too_large: return {too_large_message(limits), false};
        case ReplyKind::render_error: return {"rendering failed: " + reply.message, false};
        case ReplyKind::bad_request:
            // our own bug (worker and renderer disagree), not the couple's: worth another try
            return {"rendering failed: the renderer did not understand the job (" + reply.message + ")", true};
        case ReplyKind::ok: break;
    }
    return {"rendering failed", true};
}

RenderFailure describe_death(const ChildExit& exit, const RenderLimits& limits) {
    if (exit.exited && exit.status == kExitOutOfMemory) return {memory_message(limits), false};
    if (!exit.exited && exit.signal == SIGXFSZ) return {too_large_message(limits), false};
    // A library that does not check malloc crashes instead of reporting: near the memory
    // limit, a crash is the limit.
    long long limit_kb = limits.memory_limit_mb * 1024;
    bool crash = !exit.exited && (exit.signal == SIGSEGV || exit.signal == SIGBUS || exit.signal == SIGABRT);
    if (crash && limit_kb > 0 && exit.max_rss_kb * 2 >= limit_kb) return {memory_message(limits), false};
    std::string how = exit.exited ? "with " + describe(exit) : "by " + signal_name(exit.signal);
    return {"rendering stopped unexpectedly (the renderer was ended " + how +
                "); the export is tried again, and fails if this keeps happening: narrow the filters or "
                "contact support",
            true};
}

RenderFailure describe_timeout(const RenderLimits& limits) {
    return {"the report took longer than " + human_duration(limits.time_limit_ms) +
                " to render; narrow the filters (fewer categories, a shorter date range) or ask for CSV",
            false};
}

}  // namespace budget_exports::renderer
