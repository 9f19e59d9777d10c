// Times each renderer on 1k / 10k / 100k generated line items and reports the peak
// RSS of the process that did the rendering. Every run happens in a fresh child
// (fork) so one case's heap never inflates the next one's figure; the parent reads
// the child's ru_maxrss through wait4(). Prints figures, never fails on slowness.
//   render_bench [repeats] [format...]   (default 3 repeats, every format; medians are printed)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/render/render.hpp"
#include "sample_budget.hpp"

using namespace budget_exports;

namespace {

struct Sample {
    double seconds = 0;
    long peak_rss_kb = 0;
    long file_bytes = 0;
};

// Runs one render in a child; the child reports its wall time and file size through a pipe.
Sample run_case(const char* format, std::uint64_t rows, bool render_it) {
    int fds[2];
    if (pipe(fds) != 0) std::exit(2);
    const pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        const report::Report report = sample::sample_report(rows);  // totals pass streams once, holds nothing
        const std::string path = "/tmp/budget_bench_" + std::to_string(getpid()) + "." +
                                 render::format_info(format).extension;
        double seconds = 0;
        long bytes = 0;
        if (render_it) {
            sample::GeneratedLineItemSource source(rows);
            const auto start = std::chrono::steady_clock::now();
            render::render(format, report, source, path);
            seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (FILE* f = std::fopen(path.c_str(), "rb")) {
                std::fseek(f, 0, SEEK_END);
                bytes = std::ftell(f);
                std::fclose(f);
            }
            std::remove(path.c_str());
        }
        const Sample result{seconds, 0, bytes};
        if (write(fds[1], &result, sizeof result) != sizeof result) _exit(3);
        _exit(0);
    }
    close(fds[1]);
    Sample result;
    if (read(fds[0], &result, sizeof result) != sizeof result) std::fprintf(stderr, "child failed\n");
    close(fds[0]);
    int status = 0;
    struct rusage usage {};
    wait4(child, &status, 0, &usage);
    result.peak_rss_kb = usage.ru_maxrss;
    return result;
}

template <typename T>
T median(std::vector<T> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    const Sample baseline = run_case("csv", 1000, false);
    std::printf("baseline (build report, no render): peak RSS %.1f MB\n", baseline.peak_rss_kb / 1024.0);
    std::printf("%-6s %8s %10s %14s %12s\n", "format", "rows", "time (s)", "peak RSS (MB)", "file (MB)");
    std::vector<std::string> formats;
    for (int i = 2; i < argc; ++i) formats.push_back(argv[i]);
    if (formats.empty()) formats = {"csv", "excel", "pdf"};
    for (const std::string& name : formats) {
        const char* format = name.c_str();
        for (std::uint64_t rows : {1000ULL, 10000ULL, 100000ULL}) {
            std::vector<double> seconds;
            std::vector<long> rss;
            long bytes = 0;
            for (int i = 0; i < repeats; ++i) {
                const Sample sample = run_case(format, rows, true);
                seconds.push_back(sample.seconds);
                rss.push_back(sample.peak_rss_kb);
                bytes = sample.file_bytes;
            }
            std::printf("%-6s %8llu %10.3f %14.1f %12.2f\n", format, static_cast<unsigned long long>(rows),
                        median(seconds), median(rss) / 1024.0, bytes / 1048576.0);
            std::fflush(stdout);
        }
    }
    return 0;
}
