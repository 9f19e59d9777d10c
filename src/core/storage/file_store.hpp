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
    std::string signed_url(const std::string& key, long expires_in_seconds) override;
    void remove(const std::vector<std::string>& keys) override;

    std::string path_of(const std::string& key) const;  // validates the key
    std::string url_of(const std::string& key) const;   // file:// URL, percent-encoded

private:
    std::string bucket_dir_;
};

}  // namespace budget_exports::storage
