// FileStore: objects as files under <root>/<bucket>/<key>, written atomically (temp file
// in the same directory, rename, then fsync of file and directory), so a reader never sees
// half a file, and put() returns only once the object and its name are durable.
#pragma once

#include "core/storage/object_store.hpp"

namespace budget_exports::storage {

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
