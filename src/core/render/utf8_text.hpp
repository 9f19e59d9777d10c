// Small UTF-8 helpers shared by the renderers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace budget_exports::render {

// Longest prefix of `text` no longer than `max_bytes` that does not cut a character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// Tags joined for one cell: "vintage; outdoor".
template <typename Strings>
std::string join_tags(const Strings& tags) {
    std::string text;
    for (const auto& tag : tags) {
        if (!text.empty()) text += "; ";
        text += tag;
    }
    return text;
}

}  // namespace budget_exports::render
