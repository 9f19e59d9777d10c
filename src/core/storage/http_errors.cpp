#include "core/storage/http_errors.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace budget_exports::storage {
namespace {

constexpr std::size_t kMaxQuotedMessage = 300;  // Storage's message, as quoted in ours

std::string json_string(const nlohmann::json& doc, const char* field) {
    auto it = doc.find(field);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "statusCode" is a string in the contract; tolerate a number too.
long json_status(const nlohmann::json& doc) {
    auto it = doc.find("statusCode");
    if (it == doc.end()) return 0;
    if (it->is_number_integer()) return it->get<long>();
    if (!it->is_string()) return 0;
    const std::string text = it->get<std::string>();
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, 10);
    return end != text.c_str() && *end == '\0' ? value : 0;
}

std::string printable(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (text.size() > kMaxQuotedMessage) text = text.substr(0, kMaxQuotedMessage) + "...";
    return text;
}

bool retryable_transport(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SEND_FAIL_REWIND:  // a dead reused connection the body could not replay on
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets) {
        if (secret.empty()) continue;
        for (std::size_t pos; (pos = text.find(secret)) != std::string::npos;)
            text.replace(pos, secret.size(), "[redacted]");
    }
    return text;
}

bool retryable_status(long status) { return status >= 500 || status == 429 || status == 408; }

StorageError error_from_response(const std::string& operation, long http_status,
                                 const std::string& body,
                                 const std::vector<std::string>& secrets) {
    std::string message = "storage " + operation + " failed: HTTP " + std::to_string(http_status);
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
        // A proxy or load balancer page, not Storage: the HTTP status is all we trust.
        message += " (no Storage error body)";
        return StorageError(message, retryable_status(http_status), http_status, http_status);
    }
    long status_code = json_status(doc);
    std::string code = json_string(doc, "code");
    std::string error = json_string(doc, "error");
    if (code.empty()) code = error;
    if (status_code != 0 || !error.empty()) {
        message += " (statusCode " + (status_code ? std::to_string(status_code) : "?");
        if (!error.empty()) message += " " + printable(error);
        message += ")";
    }
    std::string storage_message = json_string(doc, "message");
    if (!storage_message.empty()) message += ": " + printable(storage_message);
    bool retryable = retryable_status(http_status) || retryable_status(status_code);
    return StorageError(redact(message, secrets), retryable, http_status,
                        status_code ? status_code : http_status, printable(code));
}

StorageError error_from_transport(const std::string& operation, int curl_code,
                                  const std::string& curl_detail,
                                  const std::vector<std::string>& secrets) {
    CURLcode code = static_cast<CURLcode>(curl_code);
    std::string message = "storage " + operation + " failed: " + curl_easy_strerror(code);
    if (!curl_detail.empty()) message += " (" + printable(curl_detail) + ")";
    return StorageError(redact(message, secrets), retryable_transport(code), 0, 0,
                        "curl " + std::to_string(curl_code));
}

}  // namespace budget_exports::storage
