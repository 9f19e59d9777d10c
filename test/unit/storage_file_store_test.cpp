// FileStore: the file:// store the embedded default uses.
#include <gtest/gtest.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdarg>

#include "core/storage/file_store.hpp"
#include "core/storage/object_key.hpp"
#include "core/storage/sha256.hpp"
#include "storage_test_server.hpp"

namespace st = budget_exports::storage;
namespace fs = std::filesystem;
using storage_test::read_file;
using storage_test::write_file;

// fsync as the file store calls it (this binary's definition comes before the C library's):
// while `recording`, the path of every descriptor synced is kept, then the real fsync runs.
namespace {
bool recording = false;
std::vector<std::string> synced;

// The path of an open file. A file made without a name (O_TMPFILE) and named since shows in
// /proc as "<dir>/#<inode> (deleted)": its name is looked up in that directory.
std::string path_of_descriptor(int fd) {
    char link[PATH_MAX];
    const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), link, sizeof link - 1);
    if (n <= 0) return "?";
    std::string path(link, static_cast<std::size_t>(n));
    struct stat file;
    if (path.find("/#") == std::string::npos || ::fstat(fd, &file) != 0 || file.st_nlink == 0) return path;
    const fs::path dir = fs::path(path).parent_path();
    for (const auto& entry : fs::directory_iterator(dir)) {
        struct stat named;
        if (::stat(entry.path().c_str(), &named) == 0 && named.st_ino == file.st_ino) return entry.path().string();
    }
    return path;
}
}  // namespace

// open as the file store calls it: while `refuse_unnamed_files`, a file system without
// O_TMPFILE (EOPNOTSUPP, as NFS answers); otherwise the C library's.
namespace {
bool refuse_unnamed_files = false;
int unnamed_files_refused = 0;
}  // namespace

extern "C" int open(const char* path, int flags, ...) {
    mode_t mode = 0;
    if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) {
        va_list args;
        va_start(args, flags);
        mode = static_cast<mode_t>(va_arg(args, int));
        va_end(args);
    }
    if (refuse_unnamed_files && (flags & O_TMPFILE) == O_TMPFILE) {
        ++unnamed_files_refused;
        errno = EOPNOTSUPP;
        return -1;
    }
    static auto real = reinterpret_cast<int (*)(const char*, int, ...)>(::dlsym(RTLD_NEXT, "open"));
    return real(path, flags, mode);
}

extern "C" int fsync(int fd) {
    if (recording) synced.push_back(path_of_descriptor(fd));
    static auto real = reinterpret_cast<int (*)(int)>(::dlsym(RTLD_NEXT, "fsync"));
    return real(fd);
}

// The file store the worker would open for `root`/exports (as budget_exports.storage_url).
std::unique_ptr<st::ObjectStore> file_store_under(const std::string& root) {
    st::StoreConfig config;
    config.url = "file://" + st::encode_key_for_url(root + "/exports");
    return st::open_store(config);
}

class FileStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = storage_test::make_temp_dir("file store");  // a space: URLs must encode it
        store_ = file_store_under(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    std::string source(const std::string& name, const std::string& bytes) {
        write_file(root_ + "/src/" + name, bytes);
        return root_ + "/src/" + name;
    }
    std::string object_path(const std::string& key) {
        return root_ + "/exports/budget-exports/" + key;
    }
    std::vector<std::string> leftovers(const std::string& dir) {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().filename().string().rfind(".upload-", 0) == 0)
                names.push_back(entry.path().filename().string());
        return names;
    }

    std::string root_;
    std::unique_ptr<st::ObjectStore> store_;
};

TEST_F(FileStoreTest, PutWritesBytesAndReportsSizeChecksumUrl) {
    const std::string bytes("a\0b\0\xff\xfe end", 11);
    const std::string key = "couple-1/export-1/budget (final).csv";
    st::StoredObject stored = store_->put(key, source("in.csv", bytes), "text/csv");

    EXPECT_EQ(read_file(object_path(key)), bytes);
    EXPECT_EQ(stored.key, key);
    EXPECT_EQ(stored.size_bytes, bytes.size());
    EXPECT_EQ(stored.sha256_hex, st::sha256_hex(bytes));
    EXPECT_EQ(stored.url, "file://" + st::encode_key_for_url(object_path(key)));
    EXPECT_NE(stored.url.find("budget%20%28final%29.csv"), std::string::npos) << stored.url;
    struct stat st_buf;
    ASSERT_EQ(::stat(object_path(key).c_str(), &st_buf), 0);
    EXPECT_EQ(st_buf.st_mode & 0777, 0640u);
    EXPECT_TRUE(leftovers(root_ + "/exports/budget-exports/couple-1/export-1").empty());
}

TEST_F(FileStoreTest, PutAgainReplacesTheObject) {
    const std::string key = "c/e/report.pdf";
    store_->put(key, source("v1", "first version"), "application/pdf");
    st::StoredObject second = store_->put(key, source("v2", "v2"), "application/pdf");
    EXPECT_EQ(read_file(object_path(key)), "v2");
    EXPECT_EQ(second.sha256_hex, st::sha256_hex("v2"));
}

TEST_F(FileStoreTest, FailedPutKeepsTheOldObjectAndLeavesNoTempFile) {
    const std::string key = "c/e/report.pdf";
    store_->put(key, source("v1", "old"), "application/pdf");
    try {
        store_->put(key, root_ + "/src/missing", "application/pdf");
        FAIL() << "missing source accepted";
    } catch (const st::StorageError& e) {
        EXPECT_FALSE(e.retryable);
        EXPECT_EQ(std::string(e.what()).find("report.pdf"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_file(object_path(key)), "old");
    EXPECT_TRUE(leftovers(root_ + "/exports/budget-exports/c/e").empty());
}

TEST_F(FileStoreTest, RejectsEscapingKeys) {
    const std::string path = source("x", "x");
    EXPECT_THROW(store_->put("../outside", path, "text/plain"), std::invalid_argument);
    EXPECT_THROW(store_->put("a/../../outside", path, "text/plain"), std::invalid_argument);
    EXPECT_THROW(store_->put("/etc/passwd", path, "text/plain"), std::invalid_argument);
    EXPECT_THROW(store_->remove({"../x"}), std::invalid_argument);
    EXPECT_FALSE(fs::exists(root_ + "/exports/outside"));
}

TEST_F(FileStoreTest, SignedUrlIsTheFileUrlOfAnExistingObject) {
    st::StoredObject stored = store_->put("c/e/f.xlsx", source("f", "xlsx"), "application/x");
    EXPECT_EQ(store_->signed_url("c/e/f.xlsx", 60), stored.url);
    try {
        store_->signed_url("c/e/absent.xlsx", 60);
        FAIL();
    } catch (const st::StorageError& e) {
        EXPECT_FALSE(e.retryable);
        EXPECT_EQ(e.status_code, 404);
    }
}

TEST_F(FileStoreTest, RemoveDeletesIgnoresMissingAndDropsEmptyDirectories) {
    store_->put("c/e1/a.csv", source("a", "a"), "text/csv");
    store_->put("c/e2/b.csv", source("b", "b"), "text/csv");
    store_->remove({"c/e1/a.csv", "c/e1/never-existed.csv", "x/y/z.csv"});
    EXPECT_FALSE(fs::exists(object_path("c/e1/a.csv")));
    EXPECT_FALSE(fs::exists(root_ + "/exports/budget-exports/c/e1"));
    EXPECT_TRUE(fs::exists(object_path("c/e2/b.csv")));  // the sibling export is untouched
    store_->remove({"c/e2/b.csv"});
    EXPECT_TRUE(fs::exists(root_ + "/exports/budget-exports"));  // the bucket stays
    EXPECT_FALSE(fs::exists(root_ + "/exports/budget-exports/c"));
}

// What put() syncs, for four puts into a store under `root`: the first export of all (the
// store's directories are made too, up to the existing root), the couple's next export,
// another couple's first, and the same object again (another attempt of the export).
// With `prepared`, each put() follows a prepare() of its key, as in the worker (the
// directories made while the file renders).
std::vector<std::vector<std::string>> syncs_of_four_puts(const std::string& root, bool prepared = false) {
    auto store = file_store_under(root);
    write_file(root + "/src/in.csv", "x");
    std::vector<std::vector<std::string>> all;
    for (const char* key : {"c1/e1/a.csv", "c1/e2/a.csv", "c2/e3/a.csv", "c2/e3/a.csv"}) {
        if (prepared) store->prepare(key);
        synced.clear();
        recording = true;
        store->put(key, root + "/src/in.csv", "text/csv");
        recording = false;
        all.push_back(synced);
    }
    return all;
}

long file_system_of(const std::string& path) {
    struct statfs info;
    return ::statfs(path.c_str(), &info) == 0 ? static_cast<long>(info.f_type) : 0;
}

// After put() returns, the object survives a power cut on any file system: the file is
// synced, and so is every directory that got a new name (the file's, the export's
// directory in the couple's, the couple's in the bucket on its first export), unless the
// file system commits those with the file (ext4, XFS, Btrfs: only_new_files_synced).
std::vector<std::vector<std::string>> every_directory_synced(const std::string& root) {
    const std::string bucket = root + "/exports/budget-exports";
    return {{bucket + "/c1/e1/a.csv", bucket + "/c1/e1", bucket + "/c1", bucket, root + "/exports", root},
            {bucket + "/c1/e2/a.csv", bucket + "/c1/e2", bucket + "/c1"},
            {bucket + "/c2/e3/a.csv", bucket + "/c2/e3", bucket + "/c2", bucket},
            // its directory may have been made by an attempt that has not synced it yet,
            // so the couple's directory is synced as well
            {bucket + "/c2/e3/a.csv", bucket + "/c2/e3", bucket + "/c2"}};
}

// Where a file's fsync commits its new name and the directories made for it, only the file
// is synced when put() made the export's directory; another attempt of the export, whose
// directory was there already, still syncs the directories.
std::vector<std::vector<std::string>> only_new_files_synced(const std::string& root) {
    std::vector<std::vector<std::string>> expected = every_directory_synced(root);
    for (std::size_t i = 0; i < 3; i++) expected[i].resize(1);
    return expected;
}

TEST_F(FileStoreTest, PutSyncsTheFileAndEveryDirectoryWithANewNameTheFileSystemDoesNotCommitWithIt) {
    const bool implied = st::file_sync_commits_new_names(file_system_of(root_));
    EXPECT_EQ(syncs_of_four_puts(root_), implied ? only_new_files_synced(root_) : every_directory_synced(root_))
        << "file system magic " << std::hex << file_system_of(root_);
}

// The same on a file system that never commits a directory with a file (tmpfs, when the
// machine has one at /dev/shm): every directory with a new name is synced.
TEST_F(FileStoreTest, PutSyncsEveryDirectoryWithANewNameOnOtherFileSystems) {
    if (file_system_of("/dev/shm") != TMPFS_MAGIC) GTEST_SKIP() << "no tmpfs at /dev/shm";
    char pattern[] = "/dev/shm/budget-exports-file-store-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    const std::string root = pattern;
    struct RemovedAtEnd {
        std::string dir;
        ~RemovedAtEnd() { fs::remove_all(dir); }
    } removed{root};
    EXPECT_EQ(syncs_of_four_puts(root), every_directory_synced(root));
    fs::remove_all(root + "/exports");
    EXPECT_EQ(syncs_of_four_puts(root, true), every_directory_synced(root));
}

// The directories prepare() made count as made by the put() of the same key: it syncs what
// it would have synced had it made them itself.
TEST_F(FileStoreTest, APreparedPutSyncsWhatAPutSyncs) {
    const bool implied = st::file_sync_commits_new_names(file_system_of(root_));
    EXPECT_EQ(syncs_of_four_puts(root_, true), implied ? only_new_files_synced(root_) : every_directory_synced(root_))
        << "file system magic " << std::hex << file_system_of(root_);
}

TEST_F(FileStoreTest, PrepareMakesTheDirectoriesAndCancelRemovesOnlyThoseItMadeWhileEmpty) {
    const std::string bucket = root_ + "/exports/budget-exports";
    store_->prepare("c1/e1/a.csv");  // the store's first export: up to the store's root
    EXPECT_TRUE(fs::is_directory(bucket + "/c1/e1"));
    store_->cancel_prepared();
    EXPECT_FALSE(fs::exists(root_ + "/exports"));
    EXPECT_TRUE(fs::is_directory(root_));  // there before

    store_->put("c0/e0/z.csv", source("z", "z"), "text/csv");
    store_->prepare("c1/e1/a.csv");  // the couple's first export: its directory too
    store_->cancel_prepared();
    EXPECT_FALSE(fs::exists(bucket + "/c1"));
    EXPECT_EQ(read_file(object_path("c0/e0/z.csv")), "z");

    store_->put("c1/e0/x.csv", source("x", "x"), "text/csv");
    store_->prepare("c1/e1/a.csv");
    store_->cancel_prepared();
    EXPECT_FALSE(fs::exists(bucket + "/c1/e1"));
    EXPECT_EQ(read_file(object_path("c1/e0/x.csv")), "x");  // the couple's other export stays

    // another attempt of the export stored its file: the directory was there, and stays
    store_->put("c1/e1/a.csv", source("a", "a"), "text/csv");
    store_->prepare("c1/e1/a.csv");
    store_->cancel_prepared();
    EXPECT_EQ(read_file(object_path("c1/e1/a.csv")), "a");
    store_->cancel_prepared();  // nothing prepared: nothing happens
    EXPECT_EQ(read_file(object_path("c1/e1/a.csv")), "a");
}

// The file prepare() makes has no name until put() names it: a put that never comes (the
// job failed, or the worker died) leaves nothing in the export's directory.
TEST_F(FileStoreTest, APreparedFileIsNamedOnlyByItsPut) {
    const std::string dir = root_ + "/exports/budget-exports/c/e";
    store_->prepare("c/e/a.csv");
    EXPECT_TRUE(fs::is_empty(dir));
    st::StoredObject stored = store_->put("c/e/a.csv", source("a", "bytes"), "text/csv");
    EXPECT_EQ(read_file(object_path("c/e/a.csv")), "bytes");
    EXPECT_EQ(stored.size_bytes, 5u);
    EXPECT_EQ(stored.sha256_hex, st::sha256_hex("bytes"));
    struct stat st_buf;
    ASSERT_EQ(::stat(object_path("c/e/a.csv").c_str(), &st_buf), 0);
    EXPECT_EQ(st_buf.st_mode & 0777, 0640u);
    EXPECT_EQ(st_buf.st_nlink, 1u);
}

// Another attempt of the export stored the object already: the prepared put replaces it
// whole (rename, as an unprepared put does), and leaves no temporary file.
TEST_F(FileStoreTest, APreparedPutReplacesTheObjectOfAnotherAttempt) {
    store_->put("c/e/a.csv", source("v1", "first version"), "text/csv");
    store_->prepare("c/e/a.csv");
    st::StoredObject second = store_->put("c/e/a.csv", source("v2", "v2"), "text/csv");
    EXPECT_EQ(read_file(object_path("c/e/a.csv")), "v2");
    EXPECT_EQ(second.size_bytes, 2u);
    EXPECT_EQ(second.sha256_hex, st::sha256_hex("v2"));
    EXPECT_TRUE(leftovers(root_ + "/exports/budget-exports/c/e").empty());
    EXPECT_EQ(std::distance(fs::directory_iterator(root_ + "/exports/budget-exports/c/e"), fs::directory_iterator()), 1);
}

// Where the file system has no unnamed files, prepare() makes the directories only and
// put() writes a temporary file and renames it, syncing the same.
TEST_F(FileStoreTest, WithoutUnnamedFilesAPreparedPutWritesATemporaryFile) {
    refuse_unnamed_files = true;
    unnamed_files_refused = 0;
    st::StoredObject stored;
    try {
        store_->prepare("c/e/a.csv");
        EXPECT_TRUE(fs::is_directory(root_ + "/exports/budget-exports/c/e"));
        synced.clear();
        recording = true;
        stored = store_->put("c/e/a.csv", source("a", "bytes"), "text/csv");
        recording = false;
    } catch (...) {
        recording = false;
        refuse_unnamed_files = false;
        throw;
    }
    refuse_unnamed_files = false;
    EXPECT_EQ(unnamed_files_refused, 1);  // prepare() asked for one
    EXPECT_EQ(read_file(object_path("c/e/a.csv")), "bytes");
    EXPECT_EQ(stored.sha256_hex, st::sha256_hex("bytes"));
    EXPECT_TRUE(leftovers(root_ + "/exports/budget-exports/c/e").empty());
    // the store's first export: prepare() made every directory up to the root's
    const bool implied = st::file_sync_commits_new_names(file_system_of(root_));
    const std::string bucket = root_ + "/exports/budget-exports";
    const std::vector<std::string> all = {bucket + "/c/e/a.csv", bucket + "/c/e", bucket + "/c", bucket,
                                          root_ + "/exports", root_};
    EXPECT_EQ(synced, implied ? std::vector<std::string>{all[0]} : all);
}

TEST_F(FileStoreTest, APutOfAnotherKeyCancelsThePreparedOne) {
    const std::string bucket = root_ + "/exports/budget-exports";
    store_->prepare("c1/e1/a.csv");
    store_->put("c2/e2/b.csv", source("b", "b"), "text/csv");
    EXPECT_FALSE(fs::exists(bucket + "/c1"));
    EXPECT_EQ(read_file(object_path("c2/e2/b.csv")), "b");
    store_->prepare("c1/e1/a.csv");
    store_->prepare("c3/e3/c.csv");  // a second prepare replaces the first
    EXPECT_FALSE(fs::exists(bucket + "/c1"));
    EXPECT_TRUE(fs::is_directory(bucket + "/c3/e3"));
}

TEST_F(FileStoreTest, PrepareOfABadKeyDoesNothingAndPutStillRefusesIt) {
    EXPECT_NO_THROW(store_->prepare("../outside/a.csv"));
    EXPECT_NO_THROW(store_->prepare("c/e/bad\nname.csv"));
    EXPECT_FALSE(fs::exists(root_ + "/exports/outside"));
    EXPECT_THROW(store_->put("../outside/a.csv", source("x", "x"), "text/plain"), std::invalid_argument);
    EXPECT_FALSE(fs::exists(root_ + "/exports/outside"));
}

TEST(FileSyncCommitsNewNames, OnlyForExt4XfsAndBtrfs) {
    EXPECT_TRUE(st::file_sync_commits_new_names(EXT4_SUPER_MAGIC));
    EXPECT_TRUE(st::file_sync_commits_new_names(XFS_SUPER_MAGIC));
    EXPECT_TRUE(st::file_sync_commits_new_names(BTRFS_SUPER_MAGIC));
    EXPECT_FALSE(st::file_sync_commits_new_names(TMPFS_MAGIC));
    EXPECT_FALSE(st::file_sync_commits_new_names(NFS_SUPER_MAGIC));
    EXPECT_FALSE(st::file_sync_commits_new_names(0x2fc12fc1));  // ZFS
    EXPECT_FALSE(st::file_sync_commits_new_names(0));          // fstatfs failed
}
