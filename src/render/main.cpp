// budget_exports_renderer: renders exports for the worker in a separate, limited process.
//
//   budget_exports_renderer [--memory-limit-mb N] [--nice N] [--parent-pid P]
//
// Reads one job per line on stdin (src/core/renderer/render_job.hpp), renders it and
// answers one line on stdout; exits at the end of stdin. It is not a PostgreSQL backend:
// no shared memory, no PostgreSQL code, so when it dies only the job in flight fails.
// Limits (set before reading any job): address space (RLIMIT_AS), no core files, lower CPU
// priority (nice), first in line for the kernel's OOM killer, and per job the output size
// (RLIMIT_FSIZE = max_file_size, so an oversized file stops as soon as it passes the limit).
// It dies with the worker (PR_SET_PDEATHSIG). Diagnostics go to stderr (the server log).
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <new>
#include <string>
#include <utility>

#include "core/render/render.hpp"
#include "core/renderer/render_job.hpp"
#include "core/spool/line_item_spool.hpp"

namespace {

using namespace budget_exports;
using renderer::RenderReply;
using renderer::ReplyKind;

constexpr long kRecycleAfterRssKb = 128 * 1024;  // exit after a job that needed this much
constexpr int kRecycleAfterJobs = 5000;
constexpr std::size_t kTrimAboveFreeBytes = 8 << 20;  // free heap kept between jobs at most
// Excel keeps uncompressed sheet data in temporary files; they may be this many times the
// size of the finished file (whose size is then checked once written).
constexpr long long kExcelScratchFactor = 16;

volatile sig_atomic_t file_size_exceeded = 0;
long long memory_limit_bytes = 0;

void on_file_size_exceeded(int) { file_size_exceeded = 1; }

// This program's own high-water mark: VmHWM from /proc. (getrusage's ru_maxrss survives
// execve, so it would report the worker's resident size at spawn time when that is larger.)
long peak_rss_kb() {
    if (std::FILE* status = std::fopen("/proc/self/status", "r")) {
        char line[256];
        long kb = -1;
        while (std::fgets(line, sizeof line, status)) {
            if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
        }
        std::fclose(status);
        if (kb >= 0) return kb;
    }
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// Peak virtual size (what RLIMIT_AS limits), from /proc/self/status.
long long peak_virtual_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmPeak:", 0) == 0) return std::atoll(line.c_str() + 7) * 1024;
    }
    return 0;
}

bool near_memory_limit() {
    return memory_limit_bytes > 0 && peak_virtual_bytes() * 4 >= memory_limit_bytes * 3;
}

void set_file_size_limit(long long bytes) {
    struct rlimit limit {};
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = bytes > 0 ? static_cast<rlim_t>(bytes) : limit.rlim_max;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max) limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_FSIZE, &limit);
}

long long file_size(const std::string& path) {
    struct stat info {};
    return stat(path.c_str(), &info) == 0 ? static_cast<long long>(info.st_size) : -1;
}

void crash_on_purpose(const std::string& fault) {
    if (fault == "abort") std::abort();
    if (fault == "segv") {
        volatile int* nowhere = nullptr;
        *nowhere = 1;
    }
}

// A library's message may name the files it was given: a couple reads it, so no server paths.
std::string without_paths(std::string message, const renderer::RenderJob& job) {
    const std::pair<std::string, const char*> names[] = {{job.output_path, "the export file"},
                                                         {job.spool_path, "the spooled rows"},
                                                         {job.font_path, "the configured font"},
                                                         {job.temp_dir, "the scratch directory"}};
    for (const auto& [path, name] : names) {
        if (path.empty()) continue;
        for (auto at = message.find(path); at != std::string::npos; at = message.find(path, at)) {
            message.replace(at, path.size(), name);
        }
    }
    return message;
}

RenderReply render_one(const renderer::RenderJob& job) {
    RenderReply reply;
    file_size_exceeded = 0;
    long long limit = job.max_file_size;
    if (limit > 0 && job.format == "excel") limit = limit > (1LL << 58) ? 0 : limit * kExcelScratchFactor;
    set_file_size_limit(limit);
    try {
        crash_on_purpose(job.fault);
        render::RenderOptions options;
        options.xlsx.tmpdir = job.temp_dir;
        if (!job.font_path.empty() && job.font_path != options.pdf.font_path) {
            options.pdf.font_path = job.font_path;
            options.pdf.bold_font_path.clear();  // a custom font has no known bold face
        }
        spool::LineItemSpoolReader items(job.spool_path);
        render::render(job.format, job.report, items, job.output_path, options);
        long long size = file_size(job.output_path);
        if (size < 0) {
            reply.kind = ReplyKind::render_error;
            reply.message = "the renderer wrote no file";
        } else if (job.max_file_size > 0 && size > job.max_file_size) {
            reply.kind = ReplyKind::too_large;
        } else {
            reply.size_bytes = size;
        }
    } catch (const std::bad_alloc&) {
        reply.kind = ReplyKind::out_of_memory;
    } catch (const std::exception& e) {
        std::string message = e.what();
        if (file_size_exceeded) reply.kind = ReplyKind::too_large;
        else if (message.find("out of memory") != std::string::npos || near_memory_limit())
            reply.kind = ReplyKind::out_of_memory;
        else {
            reply.kind = ReplyKind::render_error;
            reply.message = without_paths(message, job);
        }
    }
    if (file_size_exceeded && reply.kind == ReplyKind::ok) reply.kind = ReplyKind::too_large;
    set_file_size_limit(0);
    if (reply.kind != ReplyKind::ok) std::remove(job.output_path.c_str());  // never a partial file
    if (reply.kind == ReplyKind::too_large) reply.message = "the file passed the size limit";
    if (reply.kind == ReplyKind::out_of_memory) reply.message = "out of memory";
    return reply;
}

bool answer(const RenderReply& reply) {
    std::string line = renderer::encode_reply(reply) + "\n";
    return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() && std::fflush(stdout) == 0;
}

// A lower CPU priority than the app's queries. A nice value alone is not enough on Linux:
// PostgreSQL puts every backend (and so the worker, and a renderer it starts) in a session
// of its own, and with autogroup scheduling (the default on most distributions) each
// session is its own scheduling group, which competes with each backend as an equal
// whatever its members' nice values (measured: 2 renderers at nice 10 cost pgbench 45 %).
// So the renderer starts a session of its own (a group without the worker) and gives the
// group the nice value too. Without autogroup the file is absent and setpriority does it.
// The kernel lets an unprivileged process change an autogroup's nice value ten times a
// second, system-wide (EAGAIN otherwise): two workers starting their renderers together
// must not leave one at full priority, so it tries again for up to two seconds.
void lower_cpu_priority(int nice_value) {
    setsid();  // never fails here: posix_spawn's child is not a process group leader
    const std::string value = std::to_string(nice_value);
    for (int attempt = 0; attempt < 100; ++attempt) {
        int fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
        if (fd < 0) break;  // no autogroup scheduling in this kernel
        bool written = write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
        int error = errno;
        close(fd);
        if (written || error != EAGAIN) break;
        usleep(20 * 1000);
    }
    setpriority(PRIO_PROCESS, 0, nice_value);
}

// Limits and hygiene before any job is read; false when the process must not serve.
bool set_up(int argc, char** argv) {
    long long memory_limit_mb = 0;
    int nice_value = 0;
    long parent = 0;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "budget_exports_renderer: %s needs a value\n", arg.c_str());
                std::exit(renderer::kExitBadRequest);
            }
            return argv[++i];
        };
        if (arg == "--memory-limit-mb") memory_limit_mb = std::atoll(value());
        else if (arg == "--nice") nice_value = std::atoi(value());
        else if (arg == "--parent-pid") parent = std::atol(value());
        else {
            std::fprintf(stderr, "budget_exports_renderer: unknown argument %s\n", arg.c_str());
            std::exit(renderer::kExitBadRequest);
        }
    }
    // die with the worker, and never outlive it as an orphan
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (parent > 0 && getppid() != parent) return false;
    struct rlimit no_core {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (memory_limit_mb > 0) {
        memory_limit_bytes = memory_limit_mb * 1024 * 1024;
        struct rlimit memory {static_cast<rlim_t>(memory_limit_bytes), static_cast<rlim_t>(memory_limit_bytes)};
        if (setrlimit(RLIMIT_AS, &memory) != 0) {
            std::perror("budget_exports_renderer: setrlimit(RLIMIT_AS)");
            return false;
        }
    }
    if (nice_value > 0) lower_cpu_priority(nice_value);
    if (std::FILE* oom = std::fopen("/proc/self/oom_score_adj", "w")) {  // the OOM killer takes us first
        std::fputs("1000", oom);
        std::fclose(oom);
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction action {};
    action.sa_handler = on_file_size_exceeded;
    sigaction(SIGXFSZ, &action, nullptr);  // a write past RLIMIT_FSIZE then fails with EFBIG
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (!set_up(argc, argv)) return renderer::kExitStartup;
    std::ios::sync_with_stdio(false);
    std::string line;
    for (int served = 0; std::getline(std::cin, line);) {
        if (line.empty()) continue;
        const auto received = std::chrono::steady_clock::now();
        renderer::RenderJob job;
        try {
            job = renderer::decode_job(line);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "budget_exports_renderer: bad job description: %s\n", e.what());
            RenderReply reply;
            reply.kind = ReplyKind::bad_request;
            reply.message = e.what();
            reply.exiting = true;
            answer(reply);
            return renderer::kExitBadRequest;
        }
        RenderReply reply = render_one(job);
        // give a big job's memory back to the system; after a small one there is little to
        // return and trimming would only cost the next job page faults
        if (mallinfo2().fordblks > kTrimAboveFreeBytes) malloc_trim(0);
        reply.peak_rss_kb = peak_rss_kb();
        bool out_of_memory = reply.kind == ReplyKind::out_of_memory;
        reply.exiting = out_of_memory || reply.peak_rss_kb > kRecycleAfterRssKb || ++served >= kRecycleAfterJobs;
        reply.busy_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                              received).count();
        if (!answer(reply)) return 1;  // the worker is gone
        if (out_of_memory) return renderer::kExitOutOfMemory;
        if (reply.exiting) return 0;
    }
    return 0;
}
