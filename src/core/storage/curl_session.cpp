#include "core/storage/curl_session.hpp"

#include <curl/curl.h>

#include <mutex>
#include <utility>
#include <new>

#include "core/storage/http_errors.hpp"
#include "core/storage/sha256.hpp"

namespace budget_exports::storage {
namespace {

// State shared with the C callbacks of one transfer.
struct Transfer {
    const HttpRequest* request;
    HttpResponse* response;
    const AbortCheck* should_abort;
    bool aborted = false;
};

// libcurl callbacks are C: an exception must never cross them, so each one catches
// everything and answers with the abort code instead.
extern "C" size_t on_response_data(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    try {
        std::string& body = transfer->response->body;
        size_t room = CurlSession::kMaxResponseBytes - body.size();
        body.append(data, bytes < room ? bytes : room);  // excess dropped, connection kept
        return bytes;
    } catch (...) {
        return 0;  // CURLE_WRITE_ERROR
    }
}

extern "C" size_t on_upload_data(char* buffer, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        size_t n = std::fread(buffer, 1, size * count, transfer->request->upload_file);
        if (n == 0 && std::ferror(transfer->request->upload_file)) return CURL_READFUNC_ABORT;
        if (transfer->request->upload_hash) transfer->request->upload_hash->update(buffer, n);
        transfer->response->bytes_uploaded += n;
        return n;
    } catch (...) {
        return CURL_READFUNC_ABORT;
    }
}

extern "C" int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        transfer->aborted = (*transfer->should_abort)();
    } catch (...) {
        transfer->aborted = true;
    }
    return transfer->aborted ? 1 : 0;  // non-zero: CURLE_ABORTED_BY_CALLBACK
}

// libcurl rewinds the body when it replays a request on a fresh connection (a reused
// one was closed by the server). Only a rewind to the start is ever needed.
extern "C" int on_upload_seek(void* user, curl_off_t offset, int origin) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
        if (std::fseek(transfer->request->upload_file, 0, SEEK_SET) != 0)
            return CURL_SEEKFUNC_FAIL;
        if (transfer->request->upload_hash) transfer->request->upload_hash->restart();
        transfer->response->bytes_uploaded = 0;
        return CURL_SEEKFUNC_OK;
    } catch (...) {
        return CURL_SEEKFUNC_FAIL;
    }
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) {
        curl_slist* grown = curl_slist_append(list, header.c_str());
        if (grown == nullptr) throw std::bad_alloc();
        list = grown;
    }
};

}  // namespace

void ensure_curl_global_init() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK)
        throw StorageError("storage: curl_global_init failed", false, 0, 0, "curl_global_init");
}

CurlSession::CurlSession(const CurlTimeouts& timeouts, AbortCheck should_abort)
    : handle_(nullptr), timeouts_(timeouts), should_abort_(std::move(should_abort)) {
    ensure_curl_global_init();
    handle_ = curl_easy_init();
    if (handle_ == nullptr) throw std::bad_alloc();
}

CurlSession::~CurlSession() { curl_easy_cleanup(handle_); }

HttpResponse CurlSession::perform(const HttpRequest& request, const std::string& operation,
                                  const std::vector<std::string>& secrets) {
    HttpResponse response;
    Transfer transfer{&request, &response, &should_abort_};
    HeaderList headers;
    for (const std::string& header : request.headers) headers.add(header);
    headers.add("Expect:");  // no 100-continue round trip before the body

    // reset keeps the connection cache; every option is applied again below.
    curl_easy_reset(handle_);
    char detail[CURL_ERROR_SIZE] = "";
    CURL* h = handle_;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // inside PostgreSQL: no SIGALRM for DNS
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeouts_.connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeouts_.total_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, timeouts_.low_speed_limit_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, timeouts_.low_speed_time_s);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "budget_exports-storage/1.0");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_response_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    if (should_abort_) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    }

    const std::string method = request.method;
    if (request.upload_file != nullptr) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);  // PUT, body from the read callback
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload_data);
        curl_easy_setopt(h, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_upload_seek);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, &transfer);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(request.upload_size));
        if (method != "PUT") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method);
    } else if (method == "GET") {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
        if (method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method);
    }

    CURLcode code = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // `detail` goes out of scope
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);   // so does the header list
    if (transfer.aborted)
        throw StorageError("storage " + operation + " aborted: shutdown requested", true, 0, 0,
                           "Aborted");
    if (code != CURLE_OK) throw error_from_transport(operation, code, detail, secrets);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

}  // namespace budget_exports::storage
