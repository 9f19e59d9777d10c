// Maps HTTP responses and libcurl failures to StorageError, per the Storage contract
// (DESIGN.md 4): the real code of most client errors is only in the JSON "statusCode";
// 5xx, 429, timeouts and connection errors are retryable, the rest permanent.
#pragma once

#include <string>
#include <vector>

#include "core/storage/storage_error.hpp"

namespace budget_exports::storage {

// Replaces every occurrence of each non-empty secret (object key, token, service key)
// so that no error message carries them into a table or a log.
std::string redact(std::string text, const std::vector<std::string>& secrets);

// "storage <operation> failed: HTTP 400 (statusCode 413 Payload too large): <message>".
StorageError error_from_response(const std::string& operation, long http_status,
                                 const std::string& body,
                                 const std::vector<std::string>& secrets);

// A transfer that produced no usable HTTP response; curl_code is a CURLcode.
StorageError error_from_transport(const std::string& operation, int curl_code,
                                  const std::string& curl_detail,
                                  const std::vector<std::string>& secrets);

bool retryable_status(long status);

}  // namespace budget_exports::storage
