// Object storage for finished export files: a local directory (file://, the embedded
// default) or Supabase Storage (https://<project>.supabase.co/storage/v1).
// Pure C++: never include PostgreSQL headers here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/storage/storage_error.hpp"

namespace budget_exports::storage {

struct StoreConfig {
    std::string url;                        // "file:///dir" or "https://<p>.supabase.co/storage/v1"
    std::string bucket = "budget-exports";
    std::string service_key;                // required for http(s); never logged
    long connect_timeout_ms = 10'000;
    long total_timeout_ms = 300'000;        // whole request, upload included
    long low_speed_limit_bytes = 1024;      // abort when slower than this ...
    long low_speed_time_s = 30;             // ... for this long
    std::string cache_control = "private, max-age=3600";
    bool allow_plain_http = false;          // http:// to a non-loopback host (self-hosted)
    // Polled during transfers (about once a second, and on every chunk); returning true
    // abandons the request with a retryable StorageError (code "Aborted"). The worker
    // points it at its SIGTERM flag so shutdown never waits for a slow upload.
    std::function<bool()> should_abort;
};

struct StoredObject {
    std::string key;         // "<couple_id>/<export_id>/<file_name>"
    std::string url;         // file:// URL, or the object's (non-signed) Storage URL
    uint64_t size_bytes = 0;
    std::string sha256_hex;  // of the bytes actually stored/sent
};

// One per worker process, reused across jobs (keeps the HTTP connection). Not thread-safe.
class ObjectStore {
public:
    virtual ~ObjectStore() = default;
    // Upsert: storing the same key again replaces the object, so a retried job is harmless.
    virtual StoredObject put(const std::string& key, const std::string& local_path,
                             const std::string& content_type) = 0;
    // Optional, while the file is still being rendered: readies the put() of `key` that
    // follows (the file store makes the object's directory and an unnamed file in it, so
    // that put() has only the copy, the name and the fsync left). Never throws: whatever
    // fails here, put() does again and reports.
    virtual void prepare(const std::string& /*key*/) noexcept {}
    // The put() that prepare() readied will not come (the job failed): undoes what it left
    // (the file store removes the directories it made, while they are empty). Never throws.
    virtual void cancel_prepared() noexcept {}
    // Absolute download URL valid for expires_in_seconds (the file store ignores expiry).
    virtual std::string signed_url(const std::string& key, long expires_in_seconds) = 0;
    // Deletes the objects; missing ones are not an error.
    virtual void remove(const std::vector<std::string>& keys) = 0;
};

// An http(s) storage URL as libcurl's URL parser (curl_url) reads it: the scheme and host
// lower-cased, the host percent-decoded, and the normalized URL that is used from then on.
// Throws std::invalid_argument for anything but http/https, user information
// ("user@host"), a query, a fragment or a missing host.
struct StorageUrl {
    std::string scheme;     // "http" or "https"
    std::string host;       // "example.supabase.co", "127.0.0.1", "[::1]"
    std::string url;        // normalized
    bool loopback = false;  // localhost, 127.0.0.0/8, [::1] (also v4-mapped)
};
StorageUrl parse_storage_url(const std::string& url);

// Picks the store by URL scheme (file, or http/https parsed by parse_storage_url; plain
// http only to a loopback host unless allow_plain_http). Throws std::invalid_argument on a bad configuration.
std::unique_ptr<ObjectStore> open_store(const StoreConfig& config);

}  // namespace budget_exports::storage
