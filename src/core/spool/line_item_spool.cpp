#include "core/spool/line_item_spool.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include "core/io/rewritten_file.hpp"

namespace budget_exports::spool {

namespace {

constexpr std::size_t kBufferSize = 256 << 10;  // one system call per 256 kB either way
constexpr std::uint32_t kMaxField = 64u << 20;  // a corrupt length never allocates gigabytes

std::runtime_error io_error(const char* what, const std::string& path) {
    return std::runtime_error(std::string("line item spool: cannot ") + what + " " + path + ": " +
                              std::strerror(errno));
}

}  // namespace

LineItemSpoolWriter::LineItemSpoolWriter(const std::string& path) : path_(path), buffer_(new char[kBufferSize]) {
    file_ = io::open_for_rewrite(path);  // rewritten job after job (core/io/rewritten_file.hpp)
    if (!file_) throw io_error("create", path);
    std::setvbuf(file_, nullptr, _IONBF, 0);
}

LineItemSpoolWriter::~LineItemSpoolWriter() {
    if (file_) std::fclose(file_);
}

void LineItemSpoolWriter::flush_buffer() {
    if (used_ && std::fwrite(buffer_.get(), 1, used_, file_) != used_) throw io_error("write", path_);
    used_ = 0;
}

void LineItemSpoolWriter::put_bytes(const void* data, std::size_t size) {
    if (size > kBufferSize - used_) {
        flush_buffer();
        if (size > kBufferSize) {  // a text field larger than the buffer goes on its own
            if (std::fwrite(data, 1, size, file_) != size) throw io_error("write", path_);
            return;
        }
    }
    std::memcpy(buffer_.get() + used_, data, size);
    used_ += size;
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
    flush_buffer();  // on a write error the destructor closes the file
    std::FILE* file = file_;
    file_ = nullptr;
    if (!io::close_rewritten(file)) throw io_error("write", path_);
}

LineItemSpoolReader::LineItemSpoolReader(const std::string& path) : path_(path), buffer_(new char[kBufferSize]) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw io_error("open", path);
}

LineItemSpoolReader::~LineItemSpoolReader() {
    if (fd_ >= 0) ::close(fd_);
}

std::size_t LineItemSpoolReader::read_some(char* into, std::size_t room) {
    for (;;) {
        ssize_t got = ::read(fd_, into, room);
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno != EINTR) throw io_error("read", path_);
    }
}

bool LineItemSpoolReader::fill(std::size_t wanted) {
    if (end_ - begin_ >= wanted) return true;
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    while (end_ < wanted) {
        std::size_t got = read_some(buffer_.get() + end_, kBufferSize - end_);
        if (got == 0) return false;
        end_ += got;
    }
    return true;
}

void LineItemSpoolReader::get_bytes(void* data, std::size_t size) {
    if (size <= end_ - begin_) {  // most fields: without the call to fill() (15 % of a read)
        std::memcpy(data, buffer_.get() + begin_, size);
        begin_ += size;
        return;
    }
    if (size <= kBufferSize) {
        if (!fill(size)) throw std::runtime_error("line item spool: " + path_ + " is truncated");
        std::memcpy(data, buffer_.get() + begin_, size);
        begin_ += size;
        return;
    }
    // a text field larger than the buffer: what is buffered, then the rest straight from the file
    auto* out = static_cast<char*>(data);
    std::size_t done = end_ - begin_;
    std::memcpy(out, buffer_.get() + begin_, done);
    begin_ = end_ = 0;
    while (done < size) {
        std::size_t got = read_some(out + done, size - done);
        if (got == 0) throw std::runtime_error("line item spool: " + path_ + " is truncated");
        done += got;
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
    begin_ = end_ = 0;
    return ::lseek(fd_, 0, SEEK_SET) == 0;
}

bool LineItemSpoolReader::next(report::LineItem& item) {
    std::int32_t date[3];
    if (!fill(sizeof date)) {
        if (end_ == begin_) return false;  // the end of the file, between two rows
        throw std::runtime_error("line item spool: " + path_ + " is truncated");
    }
    get_bytes(date, sizeof date);
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
