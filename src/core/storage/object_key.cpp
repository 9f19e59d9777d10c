#include "core/storage/object_key.hpp"

#include <curl/curl.h>

#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>

namespace budget_exports::storage {
namespace {

bool allowed_key_char(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return c != '\0' && std::strchr("_/!.*'() &$=@;:+,?-", c) != nullptr;
}

std::string describe(unsigned char c) {
    static const char* hex = "0123456789ABCDEF";
    std::string byte = {'0', 'x', hex[c >> 4], hex[c & 15]};
    if (c >= 0x21 && c < 0x7f) return std::string("'") + char(c) + "' (" + byte + ")";
    return "byte " + byte;
}

void check_segments(const std::string& key) {
    std::size_t start = 0;
    while (true) {
        std::size_t end = key.find('/', start);
        if (end == std::string::npos) end = key.size();
        std::string segment = key.substr(start, end - start);
        if (segment.empty())
            throw std::invalid_argument("object key: empty path segment at position " +
                                        std::to_string(start));
        if (segment == "." || segment == "..")
            throw std::invalid_argument("object key: '" + segment +
                                        "' path segment at position " + std::to_string(start));
        if (end == key.size()) return;
        start = end + 1;
    }
}

}  // namespace

void validate_object_key(const std::string& key) {
    if (key.empty()) throw std::invalid_argument("object key: empty");
    if (key.size() > kMaxObjectKeyBytes)
        throw std::invalid_argument("object key: longer than " +
                                    std::to_string(kMaxObjectKeyBytes) + " bytes");
    for (std::size_t i = 0; i < key.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(key[i]);
        if (!allowed_key_char(c))
            throw std::invalid_argument("object key: character " + describe(c) +
                                        " at position " + std::to_string(i) + " is not allowed");
    }
    check_segments(key);
}

std::string object_key(const std::string& couple_id, const std::string& export_id,
                       const std::string& file_name) {
    const std::pair<const char*, const std::string*> parts[] = {
        {"couple_id", &couple_id}, {"export_id", &export_id}, {"file_name", &file_name}};
    for (const auto& [name, value] : parts) {
        if (value->empty()) throw std::invalid_argument(std::string("object key: empty ") + name);
        if (value->find('/') != std::string::npos)
            throw std::invalid_argument(std::string("object key: '/' in ") + name);
    }
    std::string key = couple_id + "/" + export_id + "/" + file_name;
    validate_object_key(key);
    return key;
}

std::string encode_path_segment(const std::string& segment) {
    if (segment.empty()) return segment;
    if (segment.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::invalid_argument("encode_path_segment: too long");
    // libcurl escapes every byte except A-Z a-z 0-9 - . _ ~ (it ignores the handle)
    std::unique_ptr<char, void (*)(void*)> escaped(
        curl_easy_escape(nullptr, segment.data(), static_cast<int>(segment.size())), &curl_free);
    if (!escaped) throw std::bad_alloc();
    return escaped.get();
}

std::string encode_key_for_url(const std::string& key) {
    std::string out;
    out.reserve(key.size() * 3);
    std::size_t start = 0;
    while (true) {
        std::size_t slash = key.find('/', start);
        out += encode_path_segment(key.substr(start, slash == std::string::npos ? slash : slash - start));
        if (slash == std::string::npos) return out;
        out += '/';
        start = slash + 1;
    }
}

}  // namespace budget_exports::storage
