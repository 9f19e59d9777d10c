#include "core/render/csv/csv_writer.hpp"

#include <cerrno>
#include <cstring>

#include "core/io/rewritten_file.hpp"
#include "core/render/render_error.hpp"
#include "core/render/utf8_text.hpp"

namespace budget_exports::render {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

std::string io_error(const char* action, const std::string& path) {
    return std::string("CSV: cannot ") + action + " " + path + ": " + std::strerror(errno);
}

}  // namespace

bool starts_like_formula(std::string_view text) {
    if (text.empty()) return false;
    const char lower = static_cast<char>(text[0] | 0x20);
    if ((text[0] >= '0' && text[0] <= '9') || (lower >= 'a' && lower <= 'z')) return false;  // most cells
    if (text[0] == '\t' || text[0] == '\r' || text[0] == '\n') return true;
    // Spreadsheets skip leading blanks before a formula: look at the first non-blank.
    std::size_t i = 0;
    for (;;) {
        if (i < text.size() && text[i] == ' ') ++i;
        else if (text.substr(i, 2) == "\xC2\xA0") i += 2;      // no-break space
        else if (text.substr(i, 3) == "\xE3\x80\x80") i += 3;  // ideographic space
        else break;
    }
    if (i == text.size()) return false;
    switch (text[i]) {
        case '=': case '+': case '-': case '@': case '\t': case '\r': case '\n': return true;
        default: break;
    }
    // Full-width forms U+FF1D ＝, U+FF0B ＋, U+FF0D －, U+FF20 ＠ (Excel maps them to ASCII).
    for (const char* wide : {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"})
        if (text.substr(i, 3) == wide) return true;
    return false;
}

CsvWriter::CsvWriter(const std::string& path) : path_(path) {
    file_ = io::open_for_rewrite(path);  // the worker's scratch file, rewritten job after job
    if (file_ == nullptr) throw RenderError(io_error("create", path));
    buffer_.reserve(kFlushBytes + 4096);
}

CsvWriter::~CsvWriter() {
    if (file_ != nullptr) std::fclose(file_);
}

void CsvWriter::byte_order_mark() { buffer_ += "\xEF\xBB\xBF"; }

void CsvWriter::separator() {
    if (row_started_) buffer_ += ',';
    row_started_ = true;
}

void CsvWriter::text_cell(std::string_view text) {
    separator();
    clean_text_into(text, cleaned_);  // one buffer for every cell
    quoted_if_needed(cleaned_, true);
}

void CsvWriter::number_cell(std::string_view number) {
    separator();
    quoted_if_needed(number, false);
}

void CsvWriter::quoted_if_needed(std::string_view text, bool neutralise) {
    const bool prefix = neutralise && starts_like_formula(text);
    // one pass over the cell (find_first_of looked each byte up in the set with memchr)
    bool quote = false;
    bool has_quote_mark = false;
    for (char c : text) {
        if (c == '"') has_quote_mark = true;
        else if (c == ',' || c == '\r' || c == '\n') quote = true;
    }
    quote = quote || has_quote_mark;
    if (quote) buffer_ += '"';
    if (prefix) buffer_ += '\'';
    if (!has_quote_mark) {
        buffer_.append(text.data(), text.size());
    } else {
        for (char c : text) {
            if (c == '"') buffer_ += '"';
            buffer_ += c;
        }
    }
    if (quote) buffer_ += '"';
}

void CsvWriter::end_row() {
    buffer_ += "\r\n";
    row_started_ = false;
    if (buffer_.size() >= kFlushBytes) flush();
}

void CsvWriter::flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
        throw RenderError(io_error("write", path_));
    buffer_.clear();
}

void CsvWriter::close() {
    flush();
    std::FILE* file = file_;
    file_ = nullptr;
    if (!io::close_rewritten(file)) throw RenderError(io_error("write", path_));
}

}  // namespace budget_exports::render
