// FileStore: objects as files under <root>/<bucket>/<key>, written atomically (temp file
// in the same directory, rename, then fsync of the file and, where that does not already
// commit them, of the directories with new names), so a reader never sees half a file, and
// put() returns only once the object and its name are durable.
#pragma once

#include "core/storage/object_store.hpp"

namespace budget_exports::storage {

// True for the file systems (statfs f_type) on which a file's fsync also makes its new name
// durable, and every directory newly made above it: ext4 (ext2/3 too), XFS, Btrfs.
bool file_sync_commits_new_names(long file_system_magic);

class FileStore final : public ObjectStore {
public:
    FileStore(const std::string& root_dir, const std::string& bucket);

    StoredObject put(const std::string& key, const std::string& local_path,
                     const std::string& content_type) override;
    ~FileStore() override;

    // Makes the object's directory (a new one per export, and any above it) and an unnamed
    // file in it while the file renders: put() then only copies, names and syncs.
    void prepare(const std::string& key) noexcept override;
    void cancel_prepared() noexcept override;
    std::string signed_url(const std::string& key, long expires_in_seconds) override;
    void remove(const std::vector<std::string>& keys) override;

    std::string path_of(const std::string& key) const;  // validates the key
    std::string url_of(const std::string& key) const;   // file:// URL, percent-encoded

private:
    std::string bucket_dir_;
    // What prepare() made, for the put() or cancel_prepared() that follows: the key, the
    // outermost directory it made for it ("" when they were all there)
    // and its unnamed file (O_TMPFILE), -1 where the file system has none.
    std::string prepared_key_;
    std::string prepared_made_;
    int prepared_fd_ = -1;
};

}  // namespace budget_exports::storage
