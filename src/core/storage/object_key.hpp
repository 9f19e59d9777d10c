// Object keys: "<couple_id>/<export_id>/<file_name>", deterministic so a retried upload
// overwrites its own earlier attempt. The character set is Supabase's (DESIGN.md 4).
#pragma once

#include <string>

namespace budget_exports::storage {

constexpr std::size_t kMaxObjectKeyBytes = 1024;

// Throws std::invalid_argument naming the position of the first bad character (not the
// key). Rejects: empty key, characters outside Storage's set (including all non-ASCII,
// so "Zoë's budget.pdf" is refused: the SQL layer must supply a safe file_name), a
// leading or trailing '/', empty, "." or ".." segments, keys over kMaxObjectKeyBytes.
void validate_object_key(const std::string& key);

// Joins and validates; each part must be non-empty and must not contain '/'.
std::string object_key(const std::string& couple_id, const std::string& export_id,
                        const std::string& file_name);

// Percent-encodes one URL path segment (or a query value) with curl_easy_escape: every
// byte except A-Z a-z 0-9 - . _ ~. Storage decodes paths fully, so this is exact for it.
std::string encode_path_segment(const std::string& segment);

// Percent-encodes a key for a URL path: each segment as above, the '/' between them kept.
std::string encode_key_for_url(const std::string& key);

}  // namespace budget_exports::storage
