#include "core/storage/supabase_store.hpp"

#include <curl/curl.h>
#include <sys/stat.h>

#include <cctype>
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

// Signs through the batch route, POST /object/sign/{bucket} {"expiresIn", "paths": [key]}:
// the key travels in JSON, so the token holds exactly "<bucket>/<key>", which is what the
// download compares it with after decoding the URL path. (The single-object route signs
// decodeURI(raw path): %2B %26 %24 %3D %40 %3B %3A %2C %3F stay encoded in the token and
// the download fails with InvalidSignature. See docs/storage.md.) Only the token is taken
// from Storage's answer; the URL around it is built here, fully percent-encoded.
std::string SupabaseStore::signed_url(const std::string& key, long expires_in_seconds) {
    validate_object_key(key);
    if (expires_in_seconds < 1) throw std::invalid_argument("signed_url: expires_in_seconds < 1");
    HttpRequest request;
    request.method = "POST";
    request.url = config_.url + "/object/sign/" + encode_path_segment(config_.bucket);
    request.headers = headers("application/json");
    request.body = json{{"expiresIn", expires_in_seconds}, {"paths", json::array({key})}}.dump();

    HttpResponse response = session_.perform(request, "sign", secrets(key));
    if (response.status != 200)
        throw error_from_response("sign", response.status, response.body, secrets(key));
    json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_array() || doc.size() != 1 || !doc[0].is_object() ||
        doc[0].value("path", std::string()) != key)
        throw bad_response("sign", response.status);
    auto it = doc[0].find("signedURL");
    if (it == doc[0].end() || !it->is_string()) throw not_signed(key, response.status);
    std::string token = token_of(it->get<std::string>());
    if (token.empty()) throw bad_response("sign", response.status);
    return signed_download_url(config_.url, config_.bucket, key, token);
}

// The batch route answers a per-path error for a missing object, but also when the bucket
// does not exist or the key may not see it (Storage's row level security): the same
// "Either the object does not exist or you do not have access to it". GET /bucket/{id}
// tells them apart, so a misconfiguration is not reported as an expired file.
StorageError SupabaseStore::not_signed(const std::string& key, long http_status) {
    HttpRequest request;
    request.method = "GET";
    request.url = config_.url + "/bucket/" + encode_path_segment(config_.bucket);
    request.headers = headers(nullptr);
    HttpResponse response = session_.perform(request, "sign (bucket check)", secrets(key));
    if (response.status != 200)
        return error_from_response("sign (bucket check)", response.status, response.body, secrets(key));
    return StorageError("storage sign failed: object not found", false, http_status, 404, "NoSuchKey");
}

std::string SupabaseStore::token_of(const std::string& signed_path) {
    // "/object/sign/<bucket>/<key as is>?token=<JWT>": the key part may hold anything
    const std::string marker = "?token=";
    std::size_t at = signed_path.rfind(marker);
    if (at == std::string::npos) return {};
    std::string token = signed_path.substr(at + marker.size());
    for (unsigned char c : token)  // a compact JWS: base64url and dots only
        if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return {};
    return token;
}

std::string SupabaseStore::signed_download_url(const std::string& base_url,
                                               const std::string& bucket,
                                               const std::string& key,
                                               const std::string& token) {
    using Url = std::unique_ptr<CURLU, void (*)(CURLU*)>;
    auto get = [](const Url& url, CURLUPart what) {
        char* part = nullptr;
        if (curl_url_get(url.get(), what, &part, 0) != CURLUE_OK || !part)
            throw std::invalid_argument("cannot build the signed download URL");
        std::string text = part;
        curl_free(part);
        return text;
    };
    // the base as libcurl reads it (scheme, host, port, path), without query or fragment
    Url url(curl_url(), &curl_url_cleanup);
    if (!url) throw std::bad_alloc();
    if (curl_url_set(url.get(), CURLUPART_URL, base_url.c_str(), 0) != CURLUE_OK ||
        curl_url_set(url.get(), CURLUPART_QUERY, nullptr, 0) != CURLUE_OK ||
        curl_url_set(url.get(), CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK)
        throw std::invalid_argument("storage URL is not a valid URL");
    std::string absolute = get(url, CURLUPART_URL);
    while (!absolute.empty() && absolute.back() == '/') absolute.pop_back();
    // every byte of bucket, key and file name outside A-Z a-z 0-9 - . _ ~ percent-encoded
    // (upper-case hex, RFC 3986 2.1); &download=<file name> makes Storage send
    // Content-Disposition: attachment, so browsers save it under the export's file_name
    const std::string file_name = key.substr(key.rfind('/') + 1);
    absolute += "/object/sign/" + encode_path_segment(bucket) + "/" + encode_key_for_url(key) +
                "?token=" + encode_path_segment(token) + "&download=" + encode_path_segment(file_name);
    // and libcurl must take the result as a URL as it is
    Url check(curl_url(), &curl_url_cleanup);
    if (!check || curl_url_set(check.get(), CURLUPART_URL, absolute.c_str(), 0) != CURLUE_OK)
        throw std::invalid_argument("cannot build the signed download URL");
    return absolute;
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
