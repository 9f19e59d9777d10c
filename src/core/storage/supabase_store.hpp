// SupabaseStore: the Supabase Storage REST API (DESIGN.md 4) over one reused libcurl
// handle. Uploads stream from the file (no in-memory copy) and are upserts.
#pragma once

#include "core/storage/curl_session.hpp"
#include "core/storage/object_store.hpp"

namespace budget_exports::storage {

class SupabaseStore final : public ObjectStore {
public:
    static constexpr std::size_t kMaxKeysPerDelete = 1000;  // Storage's limit per request

    explicit SupabaseStore(const StoreConfig& config);  // config checked by open_store

    StoredObject put(const std::string& key, const std::string& local_path,
                     const std::string& content_type) override;
    std::string signed_url(const std::string& key, long expires_in_seconds) override;
    void remove(const std::vector<std::string>& keys) override;

    // Turns Storage's signedURL (relative to /storage/v1, with or without that prefix,
    // or already absolute) into an absolute URL.
    static std::string absolute_signed_url(const std::string& base_url,
                                           const std::string& signed_path);

private:
    std::vector<std::string> headers(const char* content_type) const;
    std::string object_url(const std::string& key) const;
    std::vector<std::string> secrets(const std::string& key) const;

    StoreConfig config_;
    CurlSession session_;
};

}  // namespace budget_exports::storage
