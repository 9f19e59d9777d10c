// The renderer program's contract (src/core/renderer/render_job.hpp): a job line in, one
// answer line out; bad input gives a clear exit status and message; no answer but `ok`
// leaves a file behind. The program is built next to this suite (build/budget_exports_renderer).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>

#include "core/render/csv/csv_renderer.hpp"
#include "core/renderer/child_process.hpp"
#include "core/renderer/render_failure.hpp"
#include "core/renderer/render_job.hpp"
#include "core/renderer/report_json.hpp"
#include "core/spool/line_item_spool.hpp"
#include "sample_budget.hpp"

using namespace budget_exports;
using renderer::ChildProcess;
using renderer::ReplyKind;

namespace {

std::string temp_path(const std::string& name) {
    return ::testing::TempDir() + "/renderer-" + name + "-" + std::to_string(::getpid());
}

bool exists(const std::string& path) {
    struct stat info {};
    return stat(path.c_str(), &info) == 0;
}

long long size_of(const std::string& path) {
    struct stat info {};
    return stat(path.c_str(), &info) == 0 ? info.st_size : -1;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Spools `count` sample rows; returns the spool's path.
std::string sample_spool(const std::string& name, std::uint64_t count) {
    std::string path = temp_path(name + ".rows");
    spool::LineItemSpoolWriter writer(path);
    sample::GeneratedLineItemSource source(count);
    report::LineItem item;
    while (source.next(item)) writer.write(item);
    writer.close();
    return path;
}

renderer::RenderJob sample_job(const std::string& name, const std::string& format, std::uint64_t count) {
    renderer::RenderJob job;
    job.format = format;
    job.spool_path = sample_spool(name, count);
    job.output_path = temp_path(name + "." + format);
    job.temp_dir = ::testing::TempDir();
    job.report = sample::sample_report(count);
    std::remove(job.output_path.c_str());
    return job;
}

// The program under test, with its answers read line by line (with a timeout).
class Renderer {
public:
    explicit Renderer(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {"./budget_exports_renderer"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        child_ = ChildProcess::spawn(argv);
    }
    void send(const std::string& line) {
        std::string data = line + "\n";
        std::size_t sent = 0;
        while (sent < data.size()) {
            std::size_t n = child_.write_some(data.data() + sent, data.size() - sent);
            if (n == 0) poll_fd(child_.stdin_fd(), POLLOUT);
            sent += n;
        }
    }
    // The next answer line, or "" at end of file.
    std::string answer(int timeout_s = 60) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {  // also after end of file
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            if (!child_.read_some(buffer_) && buffer_.find('\n') == std::string::npos) return "";
            if (std::chrono::steady_clock::now() > deadline) return "timeout";
            poll_fd(child_.stdout_fd(), POLLIN);
        }
    }
    renderer::ChildExit finish() {
        ::close(child_.stdin_fd());  // end of input; the child object closes it again harmlessly
        return child_.wait();
    }
    ChildProcess& child() { return child_; }

private:
    static void poll_fd(int fd, short events) {
        pollfd p{fd, events, 0};
        poll(&p, 1, 1000);
    }
    ChildProcess child_;
    std::string buffer_;
};

}  // namespace

TEST(RendererReportJson, RoundTripKeepsEveryFigureAndTheRenderedFile) {
    report::Report original = sample::sample_report(500);
    original.header.custom_title = "Notre mariage – budget";
    original.options.page_orientation = report::PageOrientation::landscape;
    original.options.font_size = report::FontSize::large;
    nlohmann::json encoded = renderer::report_to_json(original);
    report::Report copy = renderer::report_from_json(encoded);
    EXPECT_EQ(renderer::report_to_json(copy), encoded);
    EXPECT_EQ(copy.budget_totals.spent, original.budget_totals.spent);
    EXPECT_EQ(copy.budget_totals.remaining, original.budget_totals.remaining);
    EXPECT_EQ(copy.milestone_totals.overdue, original.milestone_totals.overdue);
    EXPECT_EQ(copy.milestone_totals.upcoming, original.milestone_totals.upcoming);
    EXPECT_EQ(copy.budget_totals.budget, original.budget_totals.budget);
    EXPECT_EQ(copy.budget_totals.basis, original.budget_totals.basis);
    EXPECT_EQ(copy.budget_totals.allocated, original.budget_totals.allocated);
    EXPECT_EQ(copy.scope_notes, original.scope_notes);
    ASSERT_EQ(copy.milestones.size(), original.milestones.size());
    for (std::size_t i = 0; i < copy.milestones.size(); ++i) {
        EXPECT_EQ(copy.milestones[i].notes, original.milestones[i].notes);
        EXPECT_EQ(copy.milestones[i].state, original.milestones[i].state);
    }
    ASSERT_EQ(copy.categories.size(), original.categories.size());
    for (std::size_t i = 0; i < copy.categories.size(); ++i) {
        EXPECT_EQ(copy.categories[i].name, original.categories[i].name);
        EXPECT_EQ(copy.categories[i].remaining, original.categories[i].remaining);
        EXPECT_EQ(copy.categories[i].percent_used_basis_points, original.categories[i].percent_used_basis_points);
    }
    // the same bytes from the original and the copy
    std::string a = temp_path("roundtrip-a.csv"), b = temp_path("roundtrip-b.csv");
    sample::GeneratedLineItemSource rows_a(500), rows_b(500);
    render::render_csv(original, rows_a, a);
    render::render_csv(copy, rows_b, b);
    EXPECT_EQ(slurp(a), slurp(b));
    std::remove(a.c_str());
    std::remove(b.c_str());
}

TEST(RendererReportJson, RejectsMalformedReports) {
    nlohmann::json encoded = renderer::report_to_json(sample::sample_report(10));
    nlohmann::json missing = encoded;
    missing.erase("categories");
    EXPECT_THROW(renderer::report_from_json(missing), std::invalid_argument);
    nlohmann::json wrong = encoded;
    wrong["milestones"][0][4] = "eaten";  // the status
    EXPECT_THROW(renderer::report_from_json(wrong), std::invalid_argument);
    EXPECT_THROW(renderer::decode_job("not json"), std::invalid_argument);
    EXPECT_THROW(renderer::decode_job(R"({"format": "docx", "spool_path": "x", "output_path": "y"})"),
                 std::invalid_argument);
}

TEST(RendererContract, AnswersRoundTrip) {
    renderer::RenderReply reply;
    reply.kind = ReplyKind::too_large;
    reply.message = "the file passed the size limit";
    reply.size_bytes = 123;
    reply.peak_rss_kb = 4567;
    reply.busy_us = 890;
    reply.exiting = true;
    renderer::RenderReply back = renderer::decode_reply(renderer::encode_reply(reply));
    EXPECT_EQ(back.kind, reply.kind);
    EXPECT_EQ(back.message, reply.message);
    EXPECT_EQ(back.size_bytes, 123);
    EXPECT_EQ(back.peak_rss_kb, 4567);
    EXPECT_EQ(back.busy_us, 890);
    EXPECT_TRUE(back.exiting);
    // an answer without busy_us (a renderer of an earlier version) still reads
    EXPECT_EQ(renderer::decode_reply(R"({"kind": "ok", "size_bytes": 1})").busy_us, 0);
}

TEST(RendererProgram, RendersJobsAndAnswersWithTheSize) {
    Renderer program;
    for (const char* format : {"csv", "excel", "pdf"}) {
        renderer::RenderJob job = sample_job(std::string("ok-") + format, format, 300);
        program.send(renderer::encode_job(job));
        renderer::RenderReply reply = renderer::decode_reply(program.answer());
        EXPECT_EQ(reply.kind, ReplyKind::ok) << format << ": " << reply.message;
        EXPECT_GT(reply.size_bytes, 1000) << format;
        EXPECT_EQ(reply.size_bytes, size_of(job.output_path)) << format;
        // how long it worked on the job (export_queue.timings.renderer_busy_ms)
        EXPECT_GT(reply.busy_us, 0) << format;
        EXPECT_LT(reply.busy_us, 60LL * 1000 * 1000) << format;
        EXPECT_FALSE(reply.exiting);
        std::remove(job.output_path.c_str());
        std::remove(job.spool_path.c_str());
    }
    renderer::ChildExit exit = program.finish();
    EXPECT_TRUE(exit.exited);
    EXPECT_EQ(exit.status, 0) << "end of input is a clean exit";
}

TEST(RendererProgram, GarbageInputEndsWithExitStatus2AndAMessage) {
    Renderer program;
    program.send("{this is not a job");
    renderer::RenderReply reply = renderer::decode_reply(program.answer());
    EXPECT_EQ(reply.kind, ReplyKind::bad_request);
    EXPECT_NE(reply.message.find("not a JSON object"), std::string::npos) << reply.message;
    EXPECT_TRUE(reply.exiting);
    renderer::ChildExit exit = program.finish();
    EXPECT_TRUE(exit.exited);
    EXPECT_EQ(exit.status, renderer::kExitBadRequest);
}

TEST(RendererProgram, UnknownArgumentIsRefused) {
    Renderer program({"--frobnicate"});
    renderer::ChildExit exit = program.finish();
    EXPECT_TRUE(exit.exited);
    EXPECT_EQ(exit.status, renderer::kExitBadRequest);
}

TEST(RendererProgram, AFailedJobLeavesNoFileAndTheRendererServesTheNext) {
    Renderer program;
    renderer::RenderJob job = sample_job("missing-spool", "csv", 10);
    std::remove(job.spool_path.c_str());
    program.send(renderer::encode_job(job));
    renderer::RenderReply reply = renderer::decode_reply(program.answer());
    EXPECT_EQ(reply.kind, ReplyKind::render_error);
    EXPECT_FALSE(reply.message.empty());
    EXPECT_EQ(reply.message.find(::testing::TempDir()), std::string::npos) << "no server path: " << reply.message;
    EXPECT_FALSE(exists(job.output_path));

    // rows that disagree with the report's totals: the renderer refuses, no file
    renderer::RenderJob mismatch = sample_job("mismatch", "pdf", 50);
    mismatch.report = sample::sample_report(60);
    program.send(renderer::encode_job(mismatch));
    reply = renderer::decode_reply(program.answer());
    EXPECT_EQ(reply.kind, ReplyKind::render_error);
    EXPECT_FALSE(exists(mismatch.output_path));

    renderer::RenderJob good = sample_job("after-failure", "csv", 10);
    program.send(renderer::encode_job(good));
    EXPECT_EQ(renderer::decode_reply(program.answer()).kind, ReplyKind::ok);
    EXPECT_TRUE(exists(good.output_path));
    EXPECT_EQ(program.finish().status, 0);
    for (const auto& path : {mismatch.spool_path, good.spool_path, good.output_path}) std::remove(path.c_str());
}

TEST(RendererProgram, OversizedFileStopsAtTheLimitAndIsRemoved) {
    Renderer program;
    renderer::RenderJob job = sample_job("too-large", "csv", 20000);  // about 2 MB of CSV
    job.max_file_size = 64 * 1024;
    auto started = std::chrono::steady_clock::now();
    program.send(renderer::encode_job(job));
    renderer::RenderReply reply = renderer::decode_reply(program.answer());
    EXPECT_EQ(reply.kind, ReplyKind::too_large) << reply.message;
    EXPECT_FALSE(exists(job.output_path)) << "the partial file is removed";
    // the next job (no limit) is not affected by the previous job's limit
    renderer::RenderJob next = sample_job("after-too-large", "csv", 20000);
    program.send(renderer::encode_job(next));
    reply = renderer::decode_reply(program.answer());
    EXPECT_EQ(reply.kind, ReplyKind::ok) << reply.message;
    EXPECT_GT(reply.size_bytes, 1024 * 1024);
    EXPECT_GT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(0));
    EXPECT_EQ(program.finish().status, 0);
    for (const auto& path : {job.spool_path, next.spool_path, next.output_path}) std::remove(path.c_str());
}

TEST(RendererProgram, OutOfMemoryIsReportedAndEndsTheProcess) {
    Renderer program({"--memory-limit-mb", "48"});
    renderer::RenderJob job = sample_job("memory", "pdf", 200000);
    program.send(renderer::encode_job(job));
    std::string line = program.answer(300);
    renderer::ChildExit exit = program.finish();
    if (!line.empty()) {
        renderer::RenderReply reply = renderer::decode_reply(line);
        EXPECT_EQ(reply.kind, ReplyKind::out_of_memory) << reply.message;
        EXPECT_TRUE(exit.exited);
        EXPECT_EQ(exit.status, renderer::kExitOutOfMemory);
    } else {  // a library that crashes instead: the worker reads the crash as the limit
        renderer::RenderLimits limits{48, 0, 0};
        EXPECT_NE(renderer::describe_death(exit, limits).message.find("more than 48 MB"), std::string::npos)
            << renderer::describe(exit);
    }
    EXPECT_FALSE(exists(job.output_path)) << "no partial file";
    std::remove(job.spool_path.c_str());
}

TEST(RendererProgram, InjectedCrashIsSeenAsASignalWithAReadableMessage) {
    for (const char* fault : {"abort", "segv"}) {
        Renderer program;
        renderer::RenderJob job = sample_job(std::string("fault-") + fault, "csv", 10);
        job.fault = fault;
        program.send(renderer::encode_job(job));
        EXPECT_EQ(program.answer(), "") << "no answer from a crashed renderer";
        renderer::ChildExit exit = program.child().wait();
        EXPECT_FALSE(exit.exited);
        EXPECT_EQ(exit.signal, std::string(fault) == "abort" ? SIGABRT : SIGSEGV);
        renderer::RenderFailure failure = renderer::describe_death(exit, renderer::RenderLimits{512, 0, 0});
        EXPECT_TRUE(failure.retryable);
        EXPECT_NE(failure.message.find("stopped unexpectedly"), std::string::npos) << failure.message;
        EXPECT_EQ(failure.message.find('/'), std::string::npos) << "no path: " << failure.message;
        EXPECT_FALSE(exists(job.output_path));
        std::remove(job.spool_path.c_str());
    }
}

TEST(ChildProcess, LeaksNoDescriptorsAndLeavesNoZombie) {
    int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec, like a backend's files
    ASSERT_GE(leaked, 3);
    ChildProcess child = ChildProcess::spawn({"/bin/sh", "-c", "ls /proc/$$/fd"});
    ::close(child.stdin_fd());
    std::string out;
    for (int i = 0; i < 500 && child.read_some(out); ++i) usleep(10000);
    renderer::ChildExit exit = child.wait();
    ::close(leaked);
    EXPECT_TRUE(exit.exited);
    EXPECT_EQ(exit.status, 0);
    std::istringstream lines(out);
    std::string fd;
    std::vector<std::string> fds;
    while (lines >> fd) fds.push_back(fd);
    EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"})) << out;

    pid_t pid;
    {
        ChildProcess sleeper = ChildProcess::spawn({"/bin/sleep", "60"});
        pid = sleeper.pid();
        EXPECT_EQ(::kill(pid, 0), 0);
    }  // the destructor kills and reaps it
    EXPECT_NE(::kill(pid, 0), 0) << "no zombie left";
    EXPECT_THROW(ChildProcess::spawn({"/nonexistent/program"}), std::system_error);
}

TEST(RenderFailure, MessagesForCouples) {
    renderer::RenderLimits limits{512, 50LL * 1024 * 1024, 120000};
    renderer::RenderReply memory;
    memory.kind = ReplyKind::out_of_memory;
    auto failure = renderer::describe_reply(memory, limits);
    EXPECT_NE(failure.message.find("needed more than 512 MB"), std::string::npos) << failure.message;
    EXPECT_NE(failure.message.find("narrow the filters"), std::string::npos);
    EXPECT_FALSE(failure.retryable);
    renderer::RenderReply large;
    large.kind = ReplyKind::too_large;
    EXPECT_NE(renderer::describe_reply(large, limits).message.find("larger than the 50 MB file size limit"),
              std::string::npos);
    EXPECT_NE(renderer::describe_timeout(limits).message.find("longer than 2 min"), std::string::npos);
    renderer::ChildExit killed;
    killed.signal = SIGKILL;
    EXPECT_TRUE(renderer::describe_death(killed, limits).retryable);
    renderer::ChildExit xfsz;
    xfsz.signal = SIGXFSZ;
    EXPECT_FALSE(renderer::describe_death(xfsz, limits).retryable);
    renderer::ChildExit big_crash;
    big_crash.signal = SIGSEGV;
    big_crash.max_rss_kb = 400 * 1024;
    EXPECT_NE(renderer::describe_death(big_crash, limits).message.find("512 MB"), std::string::npos);
    EXPECT_EQ(renderer::human_size(2048), "2 kB");
    EXPECT_EQ(renderer::human_size(1536LL * 1024 * 1024), "1.5 GB");
    EXPECT_EQ(renderer::human_duration(3 * 60 * 1000), "3 min");
}
