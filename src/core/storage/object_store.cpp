// open_store: checks the configuration once, up front, and picks the store by URL scheme.
#include "core/storage/object_store.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "core/storage/file_store.hpp"
#include "core/storage/supabase_store.hpp"

namespace budget_exports::storage {
namespace {

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

// "file:///dir" or "file://localhost/dir" -> "/dir" (percent escapes decoded), by libcurl.
std::string directory_of_file_url(const std::string& url) {
    std::unique_ptr<CURLU, void (*)(CURLU*)> handle(curl_url(), curl_url_cleanup);
    if (!handle) throw std::bad_alloc();
    char* path = nullptr;
    char* host = nullptr;
    bool ok = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_ALLOW_SPACE) == CURLUE_OK &&
              curl_url_get(handle.get(), CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK;
    std::string dir = path ? path : "";
    curl_free(path);
    if (ok && curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        std::string h = host;
        curl_free(host);
        if (!h.empty() && h != "localhost") ok = false;
    }
    if (!ok || dir.empty() || dir[0] != '/' || dir.find('\0') != std::string::npos)
        throw std::invalid_argument("storage config: file URL must be file:///absolute/dir");
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir;
}

bool is_loopback_address(const std::string& host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        in6_addr address{};
        if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &address) != 1) return false;
        if (IN6_IS_ADDR_LOOPBACK(&address)) return true;
        // ::ffff:127.x.y.z
        return IN6_IS_ADDR_V4MAPPED(&address) && address.s6_addr[12] == 127;
    }
    in_addr address{};
    if (inet_pton(AF_INET, host.c_str(), &address) != 1) return false;
    return (ntohl(address.s_addr) >> 24) == 127;
}

void check_http_config(StoreConfig& config, const StorageUrl& url) {
    if (url.scheme != "https" && !config.allow_plain_http && !url.loopback)
        throw std::invalid_argument(
            "storage config: plain http is only allowed to a loopback host "
            "(the service key would travel unencrypted)");
    config.url = url.url;
    while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
    if (config.service_key.empty())
        throw std::invalid_argument("storage config: service key is empty");
    reject_control_chars("service key", config.service_key);
    reject_control_chars("cache control", config.cache_control);
    if (config.connect_timeout_ms <= 0 || config.total_timeout_ms <= 0 ||
        config.low_speed_limit_bytes < 0 || config.low_speed_time_s < 0)
        throw std::invalid_argument("storage config: timeouts must be positive");
}

}  // namespace

StorageUrl parse_storage_url(const std::string& text) {
    std::unique_ptr<CURLU, void (*)(CURLU*)> handle(curl_url(), curl_url_cleanup);
    if (!handle) throw std::bad_alloc();
    if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK)
        throw std::invalid_argument("storage config: the storage URL is not a valid absolute URL");
    auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
        char* value = nullptr;
        if (curl_url_get(handle.get(), which, &value, flags) != CURLUE_OK || value == nullptr)
            return std::nullopt;
        std::string result(value);
        curl_free(value);
        return result;
    };
    StorageUrl url;
    url.scheme = part(CURLUPART_SCHEME, 0).value_or("");  // libcurl lower-cases it
    if (url.scheme != "http" && url.scheme != "https")
        throw std::invalid_argument("storage config: URL must start with file://, https:// or http://");
    if (part(CURLUPART_USER, 0) || part(CURLUPART_PASSWORD, 0) || part(CURLUPART_OPTIONS, 0))
        throw std::invalid_argument("storage config: URL must not contain user information (name@host)");
    if (part(CURLUPART_QUERY, 0) || part(CURLUPART_FRAGMENT, 0))
        throw std::invalid_argument("storage config: URL must not have a query or fragment");
    if (part(CURLUPART_ZONEID, 0))
        throw std::invalid_argument("storage config: URL must not have an IPv6 zone id");
    url.host = part(CURLUPART_HOST, CURLU_URLDECODE).value_or("");
    std::transform(url.host.begin(), url.host.end(), url.host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (url.host.empty()) throw std::invalid_argument("storage config: URL has no host");
    // libcurl answers "localhost" itself (never via DNS) with a loopback address
    url.loopback = url.host == "localhost" || is_loopback_address(url.host);
    url.url = part(CURLUPART_URL, 0).value_or("");
    return url;
}

std::unique_ptr<ObjectStore> open_store(const StoreConfig& given) {
    StoreConfig config = given;
    check_bucket(config.bucket);
    std::string lower_start = config.url.substr(0, 7);
    std::transform(lower_start.begin(), lower_start.end(), lower_start.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower_start == "file://")
        return std::make_unique<FileStore>(directory_of_file_url("file://" + config.url.substr(7)),
                                           config.bucket);
    StorageUrl url = parse_storage_url(config.url);
    check_http_config(config, url);
    return std::make_unique<SupabaseStore>(config);
}

}  // namespace budget_exports::storage
