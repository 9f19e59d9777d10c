// open_store: checks the configuration once, up front, and picks the store by URL scheme.
#include "core/storage/object_store.hpp"

#include <stdexcept>

#include "core/storage/file_store.hpp"
#include "core/storage/supabase_store.hpp"

namespace budget_exports::storage {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

void reject_control_chars(const char* what, const std::string& value) {
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f)
            throw std::invalid_argument(std::string("storage config: control character in ") +
                                        what);
}

void check_bucket(const std::string& bucket) {
    if (bucket.empty() || bucket == "." || bucket == "..")
        throw std::invalid_argument("storage config: bad bucket name");
    for (char c : bucket) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) throw std::invalid_argument("storage config: bad character in bucket name");
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "file:///dir" or "file://localhost/dir" -> "/dir" (percent escapes decoded).
std::string directory_of_file_url(const std::string& url) {
    std::string path = url.substr(std::string("file://").size());
    if (starts_with(path, "localhost/")) path.erase(0, std::string("localhost").size());
    if (path.empty() || path[0] != '/')
        throw std::invalid_argument("storage config: file URL must be file:///absolute/dir");
    std::string dir;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 &&
            hex_value(path[i + 2]) >= 0) {
            dir += static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
            i += 2;
        } else {
            dir += path[i];
        }
    }
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir;
}

bool loopback_host(const std::string& url) {
    std::size_t start = url.find("://") + 3;
    std::string authority = url.substr(start, url.find('/', start) - start);
    for (const char* host : {"127.0.0.1", "localhost", "[::1]"}) {
        std::string h = host;
        if (authority == h || starts_with(authority, h + ":")) return true;
    }
    return false;
}

void check_http_config(StoreConfig& config) {
    bool https = starts_with(config.url, "https://");
    if (!https && !config.allow_plain_http && !loopback_host(config.url))
        throw std::invalid_argument(
            "storage config: plain http is only allowed to a loopback host "
            "(the service key would travel unencrypted)");
    std::size_t host_start = config.url.find("://") + 3;
    if (host_start >= config.url.size() || config.url[host_start] == '/')
        throw std::invalid_argument("storage config: URL has no host");
    if (config.url.find_first_of("?#") != std::string::npos)
        throw std::invalid_argument("storage config: URL must not have a query or fragment");
    while (config.url.back() == '/') config.url.pop_back();
    if (config.service_key.empty())
        throw std::invalid_argument("storage config: service key is empty");
    reject_control_chars("service key", config.service_key);
    reject_control_chars("cache control", config.cache_control);
    if (config.connect_timeout_ms <= 0 || config.total_timeout_ms <= 0 ||
        config.low_speed_limit_bytes < 0 || config.low_speed_time_s < 0)
        throw std::invalid_argument("storage config: timeouts must be positive");
}

}  // namespace

std::unique_ptr<ObjectStore> open_store(const StoreConfig& given) {
    StoreConfig config = given;
    check_bucket(config.bucket);
    if (starts_with(config.url, "file://"))
        return std::make_unique<FileStore>(directory_of_file_url(config.url), config.bucket);
    if (starts_with(config.url, "https://") || starts_with(config.url, "http://")) {
        check_http_config(config);
        return std::make_unique<SupabaseStore>(config);
    }
    throw std::invalid_argument("storage config: URL must start with file://, https:// or http://");
}

}  // namespace budget_exports::storage
