// A child program with its stdin and stdout on pipes, started without leaking the
// parent's descriptors (posix_spawn: every descriptor but 0, 1, 2 is closed in the child),
// with default signal dispositions and an empty signal mask. Pure POSIX: the worker's
// PostgreSQL side waits on the pipes with its latch (src/pg/renderer_process.cpp).
//
// The destructor kills (SIGKILL) and reaps a child that is still running: no orphan, no zombie.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace budget_exports::renderer {

struct ChildExit {
    bool exited = false;   // normal exit: status holds the exit code
    int status = 0;
    int signal = 0;        // killed by this signal
    long max_rss_kb = 0;   // the child's peak resident memory (wait4's rusage)
};

// "exit status 3", "signal 9 (SIGKILL)"
std::string describe(const ChildExit& exit);
// "SIGSEGV", or "signal 42"
std::string signal_name(int signal);

class ChildProcess {
public:
    ChildProcess() = default;
    // Throws std::system_error (e.g. ENOENT for a missing program).
    static ChildProcess spawn(const std::vector<std::string>& argv);

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    int stdin_fd() const { return stdin_fd_; }    // non-blocking, close-on-exec
    int stdout_fd() const { return stdout_fd_; }  // non-blocking, close-on-exec

    // Writes what it can of `data` without blocking; returns the bytes written
    // (0 when the pipe is full); throws std::system_error (EPIPE: the child is gone).
    std::size_t write_some(const char* data, std::size_t size);
    // Appends what is available to `buffer`; returns false at end of file.
    bool read_some(std::string& buffer);

    // Reaps the child if it has ended (WNOHANG); closes the pipes then.
    std::optional<ChildExit> try_reap();
    // Waits for the child to end (after end of file on its stdout, say).
    ChildExit wait();
    // SIGKILL, then reap.
    ChildExit kill_and_reap();

private:
    ChildExit reap(int options, bool* reaped);
    void close_pipes();

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
};

}  // namespace budget_exports::renderer
