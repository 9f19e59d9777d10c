// One reusable libcurl easy handle: requests with a string body or a body streamed from a
// file, responses captured in memory (bounded). The handle is kept across requests so the
// connection to Storage is reused; options are reset and applied again for each request.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

typedef void CURL;

namespace budget_exports::storage {

class Sha256;

struct CurlTimeouts {
    long connect_ms;
    long total_ms;
    long low_speed_limit_bytes;
    long low_speed_time_s;
};

using AbortCheck = std::function<bool()>;

struct HttpRequest {
    const char* method = "GET";          // GET, POST, PUT or DELETE
    std::string url;
    std::vector<std::string> headers;    // "Name: value"
    std::string body;                    // sent unless upload_file is set
    FILE* upload_file = nullptr;         // streamed from its start, upload_size bytes
    uint64_t upload_size = 0;
    Sha256* upload_hash = nullptr;       // fed with exactly the bytes sent
};

struct HttpResponse {
    long status = 0;
    std::string body;                    // at most kMaxResponseBytes
    uint64_t bytes_uploaded = 0;
};

class CurlSession {
public:
    static constexpr std::size_t kMaxResponseBytes = 4 * 1024 * 1024;

    CurlSession(const CurlTimeouts& timeouts, AbortCheck should_abort);
    ~CurlSession();
    CurlSession(const CurlSession&) = delete;
    CurlSession& operator=(const CurlSession&) = delete;

    // Any HTTP status is returned; a transfer without a response throws StorageError
    // (via error_from_transport), with `secrets` redacted from the message.
    HttpResponse perform(const HttpRequest& request, const std::string& operation,
                         const std::vector<std::string>& secrets);

private:
    CURL* handle_;
    CurlTimeouts timeouts_;
    AbortCheck should_abort_;
};

// curl_global_init, exactly once per process.
void ensure_curl_global_init();

}  // namespace budget_exports::storage
