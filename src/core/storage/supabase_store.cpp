#include "core/storage/supabase_store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/storage/http_errors.hpp"
#include "core/storage/object_key.hpp"
#include "core/storage/sha256.hpp"

namespace budget_exports::storage {
namespace {

using nlohmann::json;

StorageError bad_response(const std::string& operation, long http_status) {
    // A 200 that is not Storage's answer: most likely a wrong base URL, so not retryable.
    return StorageError("storage " + operation + " failed: HTTP " + std::to_string(http_status) +
                            " with an unexpected response body",
                        false, http_status, http_status, "BadResponse");
}

void check_header_value(const char* what, const std::string& value) {
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f)
            throw std::invalid_argument(std::string(what) + ": control character not allowed");
}

}  // namespace

SupabaseStore::SupabaseStore(const StoreConfig& config)
    : config_(config),
      session_(CurlTimeouts{config.connect_timeout_ms, config.total_timeout_ms,
                            config.low_speed_limit_bytes, config.low_speed_time_s},
               config.should_abort) {}

std::vector<std::string> SupabaseStore::headers(const char* content_type) const {
    std::vector<std::string> out = {"apikey: " + config_.service_key,
                                    "Authorization: Bearer " + config_.service_key};
    if (content_type) out.push_back(std::string("Content-Type: ") + content_type);
    return out;
}

std::string SupabaseStore::object_url(const std::string& key) const {
    return config_.url + "/object/" + config_.bucket + "/" + encode_key_for_url(key);
}

std::vector<std::string> SupabaseStore::secrets(const std::string& key) const {
    return {config_.service_key, key, encode_key_for_url(key)};
}

StoredObject SupabaseStore::put(const std::string& key, const std::string& local_path,
                                const std::string& content_type) {
    validate_object_key(key);
    check_header_value("content type", content_type);
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(local_path.c_str(), "rbe"),
                                               &std::fclose);
    struct stat st;
    if (!file || ::fstat(fileno(file.get()), &st) != 0)
        throw StorageError(std::string("storage upload failed: cannot read the local file: ") +
                               std::strerror(errno),
                           false, 0, 0, "LocalFile");

    Sha256 hash;
    HttpRequest request;
    request.method = "PUT";
    request.url = object_url(key);
    request.headers = headers(content_type.c_str());
    request.headers.push_back("cache-control: " + config_.cache_control);
    request.headers.push_back("x-upsert: true");
    request.upload_file = file.get();
    request.upload_size = static_cast<uint64_t>(st.st_size);
    request.upload_hash = &hash;

    HttpResponse response = session_.perform(request, "upload", secrets(key));
    if (response.status != 200)
        throw error_from_response("upload", response.status, response.body, secrets(key));
    json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_object() || doc.value("Key", std::string()) != config_.bucket + "/" + key)
        throw bad_response("upload", response.status);
    if (response.bytes_uploaded != request.upload_size)  // the file changed under us
        throw StorageError("storage upload failed: local file size changed during upload",
                           true, response.status, 0, "LocalFile");
    return StoredObject{key, object_url(key), response.bytes_uploaded, hash.final_hex()};
}

std::string SupabaseStore::signed_url(const std::string& key, long expires_in_seconds) {
    validate_object_key(key);
    if (expires_in_seconds < 1) throw std::invalid_argument("signed_url: expires_in_seconds < 1");
    HttpRequest request;
    request.method = "POST";
    request.url = config_.url + "/object/sign/" + config_.bucket + "/" + encode_key_for_url(key);
    request.headers = headers("application/json");
    request.body = json{{"expiresIn", expires_in_seconds}}.dump();

    HttpResponse response = session_.perform(request, "sign", secrets(key));
    if (response.status != 200)
        throw error_from_response("sign", response.status, response.body, secrets(key));
    json doc = json::parse(response.body, nullptr, false);
    auto it = doc.is_object() ? doc.find("signedURL") : doc.end();
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty())
        throw bad_response("sign", response.status);
    return absolute_signed_url(config_.url, it->get<std::string>());
}

std::string SupabaseStore::absolute_signed_url(const std::string& base_url,
                                               const std::string& signed_path) {
    if (signed_path.rfind("https://", 0) == 0 || signed_path.rfind("http://", 0) == 0)
        return signed_path;
    const std::string prefix = "/storage/v1";
    std::string path = signed_path[0] == '/' ? signed_path : "/" + signed_path;
    bool base_has_prefix = base_url.size() >= prefix.size() &&
                           base_url.compare(base_url.size() - prefix.size(), prefix.size(),
                                            prefix) == 0;
    if (base_has_prefix && path.rfind(prefix + "/", 0) == 0) path.erase(0, prefix.size());
    return base_url + path;
}

void SupabaseStore::remove(const std::vector<std::string>& keys) {
    for (const std::string& key : keys) validate_object_key(key);  // all or nothing sent
    for (std::size_t first = 0; first < keys.size(); first += kMaxKeysPerDelete) {
        std::size_t last = std::min(keys.size(), first + kMaxKeysPerDelete);
        std::vector<std::string> batch(keys.begin() + first, keys.begin() + last);
        HttpRequest request;
        request.method = "DELETE";
        request.url = config_.url + "/object/" + config_.bucket;
        request.headers = headers("application/json");
        request.body = json{{"prefixes", batch}}.dump();

        std::vector<std::string> hidden = {config_.service_key};
        HttpResponse response = session_.perform(request, "delete", hidden);
        if (response.status != 200)
            throw error_from_response("delete", response.status, response.body, hidden);
        // The answer lists what was deleted; keys that were already gone are simply absent.
        if (!json::parse(response.body, nullptr, false).is_array())
            throw bad_response("delete", response.status);
    }
}

}  // namespace budget_exports::storage
