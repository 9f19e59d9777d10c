#include "core/spool/line_item_spool.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/io/rewritten_file.hpp"

namespace budget_exports::spool {

namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr std::uint32_t kMaxField = 64u << 20;  // a corrupt length never allocates gigabytes

std::runtime_error io_error(const char* what, const std::string& path) {
    return std::runtime_error(std::string("line item spool: cannot ") + what + " " + path + ": " +
                              std::strerror(errno));
}

}  // namespace

LineItemSpoolWriter::LineItemSpoolWriter(const std::string& path) : path_(path) {
    file_ = io::open_for_rewrite(path);  // rewritten job after job (core/io/rewritten_file.hpp)
    if (!file_) throw io_error("create", path);
    std::setvbuf(file_, nullptr, _IOFBF, kBufferSize);
}

LineItemSpoolWriter::~LineItemSpoolWriter() {
    if (file_) std::fclose(file_);
}

void LineItemSpoolWriter::put_bytes(const void* data, std::size_t size) {
    if (size && std::fwrite(data, 1, size, file_) != size) throw io_error("write", path_);
}

void LineItemSpoolWriter::put_string(const std::string& text) {
    if (text.size() > kMaxField) {
        throw FieldTooLarge("a line item has a text field over 64 MB (" + std::to_string(text.size() >> 20) +
                            " MB); shorten it or leave notes out");
    }
    auto size = static_cast<std::uint32_t>(text.size());
    put_bytes(&size, sizeof size);
    put_bytes(text.data(), text.size());
}

void LineItemSpoolWriter::write(const report::LineItem& item) {
    if (!file_) throw std::logic_error("line item spool: write after close");
    std::int32_t date[3] = {0, 0, 0};
    if (item.date) {
        date[0] = item.date->year;
        date[1] = item.date->month;
        date[2] = item.date->day;
    }
    put_bytes(date, sizeof date);
    put_string(item.category);
    put_string(item.description);
    put_string(item.vendor);
    put_string(item.payment_method);
    put_string(item.notes);
    put_bytes(&item.amount.minor_units, sizeof item.amount.minor_units);
    auto type = static_cast<std::uint8_t>(item.type);
    put_bytes(&type, sizeof type);
    auto tags = static_cast<std::uint32_t>(item.tags.size());
    put_bytes(&tags, sizeof tags);
    for (const auto& tag : item.tags) put_string(tag);
    count_++;
}

void LineItemSpoolWriter::close() {
    if (!file_) return;
    std::FILE* file = file_;
    file_ = nullptr;
    if (!io::close_rewritten(file)) throw io_error("write", path_);
}

LineItemSpoolReader::LineItemSpoolReader(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw io_error("open", path);
    std::setvbuf(file_, nullptr, _IOFBF, kBufferSize);
}

LineItemSpoolReader::~LineItemSpoolReader() {
    if (file_) std::fclose(file_);
}

void LineItemSpoolReader::get_bytes(void* data, std::size_t size) {
    if (size && std::fread(data, 1, size, file_) != size) {
        throw std::runtime_error("line item spool: " + path_ + " is truncated");
    }
}

void LineItemSpoolReader::get_string(std::string& text) {
    std::uint32_t size = 0;
    get_bytes(&size, sizeof size);
    if (size > kMaxField) throw std::runtime_error("line item spool: " + path_ + " is corrupt");
    text.resize(size);
    get_bytes(text.data(), size);
}

bool LineItemSpoolReader::rewind() {
    std::clearerr(file_);
    return std::fseek(file_, 0, SEEK_SET) == 0;
}

bool LineItemSpoolReader::next(report::LineItem& item) {
    std::int32_t date[3];
    std::size_t got = std::fread(date, 1, sizeof date, file_);
    if (got == 0 && std::feof(file_)) return false;
    if (got != sizeof date) throw std::runtime_error("line item spool: " + path_ + " is truncated");
    if (date[0] != 0) {
        item.date = report::Date{date[0], date[1], date[2]};
    } else {
        item.date.reset();
    }
    get_string(item.category);
    get_string(item.description);
    get_string(item.vendor);
    get_string(item.payment_method);
    get_string(item.notes);
    get_bytes(&item.amount.minor_units, sizeof item.amount.minor_units);
    std::uint8_t type = 0;
    get_bytes(&type, sizeof type);
    if (type > static_cast<std::uint8_t>(report::TransactionType::refund)) {
        throw std::runtime_error("line item spool: " + path_ + " is corrupt");
    }
    item.type = static_cast<report::TransactionType>(type);
    std::uint32_t tags = 0;
    get_bytes(&tags, sizeof tags);
    if (tags > kMaxField) throw std::runtime_error("line item spool: " + path_ + " is corrupt");
    item.tags.resize(tags);
    for (auto& tag : item.tags) get_string(tag);
    return true;
}

}  // namespace budget_exports::spool
