// Errors of the object storage layer. The worker decides retry vs. fail from `retryable`;
// the message goes into budget_exports.error_message, so it names the HTTP status and
// Storage's own message but never the object key, a URL query (signed token) or the key.
#pragma once

#include <stdexcept>
#include <string>

namespace budget_exports::storage {

struct StorageError : std::runtime_error {
    StorageError(const std::string& message, bool is_retryable, long http = 0,
                 long storage_status = 0, std::string storage_code = {})
        : std::runtime_error(message),
          retryable(is_retryable),
          http_status(http),
          status_code(storage_status),
          code(std::move(storage_code)) {}

    bool retryable;      // transient: 5xx, 429, timeouts, connection errors, full disk
    long http_status;    // HTTP status of the response; 0 when there was none
    long status_code;    // Storage's JSON "statusCode" (the real code behind an HTTP 400)
    std::string code;    // Storage's "code" (e.g. "Duplicate"), or a curl/errno name
};

}  // namespace budget_exports::storage
