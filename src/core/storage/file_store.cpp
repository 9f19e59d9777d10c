#include "core/storage/file_store.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/storage/object_key.hpp"
#include "core/storage/sha256.hpp"

namespace budget_exports::storage {
namespace {

constexpr mode_t kDirMode = 0750;
constexpr mode_t kFileMode = 0640;

// Errors of the destination side that may pass (full disk, a concurrent cleanup removing
// the directory we were about to use) are retryable; the rest need an operator.
StorageError io_error(const char* what, int err) {
    bool transient = err == ENOSPC || err == EDQUOT || err == EIO || err == EAGAIN ||
                     err == EINTR || err == ENOENT || err == EMFILE || err == ENFILE;
    const char* name = strerrorname_np(err);
    return StorageError(std::string("storage file ") + what + " failed: " + std::strerror(err),
                        transient, 0, 0, name ? name : "errno " + std::to_string(err));
}

std::string parent_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

// mkdir -p, from the leaf up: usually only the export's own directory is new, so one
// mkdir call instead of one per path component. Returns the outermost directory it made
// ("" when `dir` existed): its parent, and every directory in between, hold new names.
std::string make_dirs(const std::string& dir) {
    if (::mkdir(dir.c_str(), kDirMode) == 0) return dir;
    if (errno == EEXIST) return "";
    const std::size_t slash = dir.rfind('/');
    if (errno != ENOENT || slash == 0 || slash == std::string::npos) throw io_error("mkdir", errno);
    std::string outermost = make_dirs(dir.substr(0, slash));
    if (::mkdir(dir.c_str(), kDirMode) != 0) {
        if (errno != EEXIST) throw io_error("mkdir", errno);
    } else if (outermost.empty()) {
        outermost = dir;
    }
    return outermost;
}

struct Fd {
    int fd = -1;
    ~Fd() { if (fd >= 0) ::close(fd); }
};

// Creates the temp file next to `final_path`; retried once because remove() may rmdir an
// empty parent between our mkdir and the create. `made` is the outermost directory made
// for this put so far ("" when none: prepare() may have made some), and becomes the
// outermost of those and of any it had to make.
int create_temp(const std::string& final_path, std::string& temp_path, std::string& made) {
    for (int attempt = 0;; ++attempt) {
        const std::string outermost = make_dirs(parent_of(final_path));
        if (!outermost.empty() && (made.empty() || outermost.size() < made.size())) made = outermost;
        temp_path = parent_of(final_path) + "/.upload-XXXXXX";
        int fd = ::mkostemp(temp_path.data(), O_CLOEXEC);
        if (fd >= 0) {
            ::fchmod(fd, kFileMode);
            return fd;
        }
        if (errno != ENOENT || attempt == 1) throw io_error("create", errno);
    }
}

uint64_t copy_and_hash(int from, int to, std::string& sha256_hex) {
    Sha256 hash;
    uint64_t total = 0;
    char buffer[128 * 1024];
    while (true) {
        ssize_t n = ::read(from, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            StorageError e = io_error("read of the local file", errno);
            e.retryable = false;
            throw e;
        }
        if (n == 0) break;
        hash.update(buffer, static_cast<std::size_t>(n));
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(to, buffer + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw io_error("write", errno);
            done += w;
        }
        total += static_cast<uint64_t>(n);
    }
    sha256_hex = hash.final_hex();
    return total;
}

// Gives an unnamed file (O_TMPFILE) its name, through /proc/self/fd (linkat's
// AT_EMPTY_PATH needs a capability the server does not have). False when the name is taken
// (another attempt of the export stored the object: only rename() replaces it atomically)
// or the file cannot be named (no /proc, the directory removed meanwhile).
bool name_unnamed_file(int fd, const std::string& final_path) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, final_path.c_str(), AT_SYMLINK_FOLLOW) == 0;
}

void fsync_dir(const std::string& dir) {
    Fd d;
    d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd < 0 || ::fsync(d.fd) != 0) throw io_error("fsync of the directory", errno);
}

}  // namespace

// What each answer rests on, in the kernel: ext4 with a journal commits the file's last
// transaction (the rename's, which touched its inode) and every one before it, which hold
// the mkdir and the create; ext4 without a journal syncs each parent directory that is
// itself new (ext4_sync_parent); XFS forces its log up to the file's last change, which
// comes after those of its directories; Btrfs logs a new file's new parent directories with
// it. ext2 and ext3 are mounted by the ext4 driver and share its magic. Every other file
// system (NFS, ZFS, tmpfs, one not known here) gets the directory fsyncs.
bool file_sync_commits_new_names(long file_system_magic) {
    switch (file_system_magic) {
        case EXT4_SUPER_MAGIC:
        case XFS_SUPER_MAGIC:
        case BTRFS_SUPER_MAGIC:
            return true;
        default:
            return false;
    }
}

FileStore::FileStore(const std::string& root_dir, const std::string& bucket)
    : bucket_dir_(root_dir + "/" + bucket) {}

std::string FileStore::path_of(const std::string& key) const {
    validate_object_key(key);  // also rules out ".." segments and a leading '/'
    return bucket_dir_ + "/" + key;
}

std::string FileStore::url_of(const std::string& key) const {
    return "file://" + encode_key_for_url(path_of(key));
}

StoredObject FileStore::put(const std::string& key, const std::string& local_path,
                            const std::string& /*content_type: not kept by a directory*/) {
    const std::string final_path = path_of(key);
    Fd source;
    source.fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (source.fd < 0) {
        StorageError e = io_error("open of the local file", errno);
        e.retryable = false;
        throw e;
    }
    std::string made;
    Fd temp;
    if (prepared_key_ == key) {
        made = prepared_made_;  // the directories prepare() made count as made by this put
        temp.fd = prepared_fd_;  // and its unnamed file is this put's
        prepared_fd_ = -1;
        prepared_key_.clear();
        prepared_made_.clear();
    } else {
        cancel_prepared();  // another key's: its put() will not come
    }
    StoredObject stored{key, url_of(key), 0, {}};
    if (temp.fd >= 0) {
        // an error here closes the unnamed file, which then leaves nothing behind
        stored.size_bytes = copy_and_hash(source.fd, temp.fd, stored.sha256_hex);
        if (!name_unnamed_file(temp.fd, final_path)) {
            ::close(temp.fd);  // written again below, under a temporary name
            temp.fd = -1;
            if (::lseek(source.fd, 0, SEEK_SET) != 0) throw io_error("seek of the local file", errno);
        }
    }
    if (temp.fd < 0) {
        std::string temp_path;
        temp.fd = create_temp(final_path, temp_path, made);
        try {
            stored.size_bytes = copy_and_hash(source.fd, temp.fd, stored.sha256_hex);
            if (::rename(temp_path.c_str(), final_path.c_str()) != 0) throw io_error("rename", errno);
        } catch (...) {
            ::unlink(temp_path.c_str());
            throw;
        }
    }
    // Named before the fsync: the file's fsync then commits the new name with the data
    // (one ext4 journal commit instead of two; the directory's fsync finds nothing left to
    // commit: 0.10 instead of 0.19 ms). Nobody reads the name before put() returns and the
    // result is recorded; a crash before that leaves a file the job's next attempt replaces.
    // Two attempts of one export (a lost lease) still each name a whole file of their own.
    // A failed fsync leaves the name behind: the export row holds the key from the claim on
    // (budget_exports_record_object_key), so the object goes when the row does.
    if (::fsync(temp.fd) != 0) throw io_error("fsync", errno);
    struct statfs file_system;
    const bool names_committed = !made.empty() && ::fstatfs(temp.fd, &file_system) == 0 &&
                                  file_sync_commits_new_names(static_cast<long>(file_system.f_type));
    if (::close(temp.fd) != 0) { temp.fd = -1; throw io_error("close", errno); }
    temp.fd = -1;
    // The new names: the file's in its directory, the export directory's in the couple's,
    // and each directory made for it in its parent (the couple's on the couple's first
    // export). Where this put() made the export's directory, on ext4, XFS and Btrfs the
    // file's fsync has already made them durable (file_sync_commits_new_names), and syncing
    // each directory again only flushed the disk's cache twice more per export (bursts of
    // small exports: 3 % faster over 18 bursts each way, up to 19 % a pair while the disk's
    // flushes were slow; docs/performance.md). Elsewhere, and when the directory was there
    // already (another attempt of the export made it, and may not have synced it yet),
    // each directory is synced.
    if (names_committed) return stored;
    std::string dir = parent_of(final_path);
    const std::string last = parent_of(made.empty() ? dir : made);
    fsync_dir(dir);
    while (dir != last) {
        dir = parent_of(dir);
        fsync_dir(dir);
    }
    return stored;
}

FileStore::~FileStore() { cancel_prepared(); }

void FileStore::prepare(const std::string& key) noexcept {
    cancel_prepared();
    try {
        const std::string dir = parent_of(path_of(key));
        prepared_made_ = make_dirs(dir);
        prepared_key_ = key;
        // The object's file, without a name until put() gives it one (O_TMPFILE): if the
        // put() never comes, not even after a crash, nothing is left behind. Where the file
        // system has no unnamed files, put() makes a named temporary file.
        prepared_fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, kFileMode);
        if (prepared_fd_ >= 0) ::fchmod(prepared_fd_, kFileMode);  // whatever the umask
    } catch (...) {
        // put() makes the directories again, and says what failed
        prepared_key_.clear();
        prepared_made_.clear();
    }
}

void FileStore::cancel_prepared() noexcept {
    if (prepared_fd_ >= 0) ::close(prepared_fd_);  // the unnamed file goes with it
    prepared_fd_ = -1;
    if (!prepared_made_.empty()) {
        // from the object's directory up to the outermost one prepare() made; rmdir refuses
        // a directory that holds anything (an object another attempt of the export stored)
        try {
            for (std::string dir = parent_of(bucket_dir_ + "/" + prepared_key_);; dir = parent_of(dir)) {
                if (::rmdir(dir.c_str()) != 0 || dir.size() <= prepared_made_.size()) break;
            }
        } catch (...) {
        }
    }
    prepared_key_.clear();
    prepared_made_.clear();
}

std::string FileStore::signed_url(const std::string& key, long expires_in_seconds) {
    if (expires_in_seconds < 1) throw std::invalid_argument("signed_url: expires_in_seconds < 1");
    struct stat st;
    if (::stat(path_of(key).c_str(), &st) != 0)
        throw StorageError("storage sign failed: object not found", false, 0, 404, "NoSuchKey");
    return url_of(key);
}

void FileStore::remove(const std::vector<std::string>& keys) {
    for (const std::string& key : keys) {
        const std::string path = path_of(key);
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw io_error("remove", errno);
        // Drop directories left empty (one per export); rmdir refuses non-empty ones.
        for (std::string dir = parent_of(path); dir.size() > bucket_dir_.size();
             dir = parent_of(dir)) {
            if (::rmdir(dir.c_str()) != 0) break;
        }
    }
}

}  // namespace budget_exports::storage
