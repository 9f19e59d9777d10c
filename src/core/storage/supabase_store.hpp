// SupabaseStore: the Supabase Storage REST API (DESIGN.md 4) over one reused libcurl
// handle. Uploads stream from the file (no in-memory copy) and are upserts. Signed URLs
// come from the batch sign route and are absolute, percent-encoded and name the file.
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

    // The absolute, fully percent-encoded download URL for a token Storage signed for
    // <bucket>/<key>: {base_url}/object/sign/{bucket}/{key}?token=..&download={file name}.
    static std::string signed_download_url(const std::string& base_url, const std::string& bucket,
                                           const std::string& key, const std::string& token);
    // The token of a signedURL answer ("/object/sign/...?token=<JWT>"); empty if none.
    static std::string token_of(const std::string& signed_path);

private:
    StorageError not_signed(const std::string& key, long http_status);
    std::vector<std::string> headers(const char* content_type) const;
    std::string object_url(const std::string& key) const;
    std::vector<std::string> secrets(const std::string& key) const;

    StoreConfig config_;
    CurlSession session_;
};

}  // namespace budget_exports::storage
