#include "core/renderer/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

extern char** environ;

namespace budget_exports::renderer {

namespace {

[[noreturn]] void throw_errno(int error, const char* what) { throw std::system_error(error, std::generic_category(), what); }

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
};

}  // namespace

std::string signal_name(int signal) {
    const char* abbreviation = sigabbrev_np(signal);
    return abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
}

std::string describe(const ChildExit& exit) {
    if (exit.exited) return "exit status " + std::to_string(exit.status);
    return "signal " + std::to_string(exit.signal) + " (" + signal_name(exit.signal) + ")";
}

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv) {
    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) throw_errno(errno, "pipe");
    if (pipe2(from_child, O_CLOEXEC) != 0) {
        int error = errno;
        close(to_child[0]);
        close(to_child[1]);
        throw_errno(error, "pipe");
    }
    ChildProcess child;
    child.stdin_fd_ = to_child[1];
    child.stdout_fd_ = from_child[0];

    SpawnSetup setup;
    // dup2 clears close-on-exec on the target; everything else above stderr is closed.
    posix_spawn_file_actions_adddup2(&setup.actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&setup.actions, from_child[1], 1);
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    sigset_t all;
    sigfillset(&all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&setup.attributes, &all);  // a backend ignores SIGPIPE, for one
    posix_spawnattr_setsigmask(&setup.attributes, &none);
    posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int error = posix_spawn(&pid, args[0], &setup.actions, &setup.attributes, args.data(), environ);
    close(to_child[0]);
    close(from_child[1]);
    if (error != 0) throw_errno(error, "posix_spawn");  // child's destructor closes our ends
    child.pid_ = pid;
    fcntl(child.stdin_fd_, F_SETFL, fcntl(child.stdin_fd_, F_GETFL) | O_NONBLOCK);
    fcntl(child.stdout_fd_, F_SETFL, fcntl(child.stdout_fd_, F_GETFL) | O_NONBLOCK);
    return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), stdin_fd_(other.stdin_fd_), stdout_fd_(other.stdout_fd_) {
    other.pid_ = -1;
    other.stdin_fd_ = other.stdout_fd_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        if (running()) kill_and_reap();
        close_pipes();
        pid_ = other.pid_;
        stdin_fd_ = other.stdin_fd_;
        stdout_fd_ = other.stdout_fd_;
        other.pid_ = -1;
        other.stdin_fd_ = other.stdout_fd_ = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (running()) kill_and_reap();
    close_pipes();
}

void ChildProcess::close_pipes() {
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
}

std::size_t ChildProcess::write_some(const char* data, std::size_t size) {
    ssize_t written = write(stdin_fd_, data, size);
    if (written >= 0) return static_cast<std::size_t>(written);
    if (errno == EAGAIN || errno == EINTR) return 0;
    throw_errno(errno, "write to the renderer");
}

bool ChildProcess::read_some(std::string& buffer) {
    char chunk[4096];
    for (;;) {
        ssize_t got = read(stdout_fd_, chunk, sizeof chunk);
        if (got > 0) {
            buffer.append(chunk, static_cast<std::size_t>(got));
            continue;
        }
        if (got == 0) return false;
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return true;
        return false;  // treat a broken pipe like end of file
    }
}

ChildExit ChildProcess::reap(int options, bool* reaped) {
    ChildExit exit;
    *reaped = false;
    if (pid_ <= 0) return exit;
    int status = 0;
    struct rusage usage {};
    pid_t result;
    do {
        result = wait4(pid_, &status, options, &usage);
    } while (result < 0 && errno == EINTR);
    if (result == 0) return exit;  // still running
    *reaped = true;
    pid_ = -1;
    close_pipes();
    if (result < 0) {  // ECHILD: reaped elsewhere; nothing more to know
        exit.exited = true;
        exit.status = -1;
        return exit;
    }
    exit.exited = WIFEXITED(status);
    exit.status = exit.exited ? WEXITSTATUS(status) : 0;
    exit.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    exit.max_rss_kb = usage.ru_maxrss;
    return exit;
}

std::optional<ChildExit> ChildProcess::try_reap() {
    bool reaped = false;
    ChildExit exit = reap(WNOHANG, &reaped);
    if (!reaped) return std::nullopt;
    return exit;
}

ChildExit ChildProcess::wait() {
    bool reaped = false;
    return reap(0, &reaped);
}

ChildExit ChildProcess::kill_and_reap() {
    if (pid_ > 0) kill(pid_, SIGKILL);
    bool reaped = false;
    return reap(0, &reaped);
}

}  // namespace budget_exports::renderer
