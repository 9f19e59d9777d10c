// A temporary file of line items. The worker copies a couple's transactions here inside a
// short read-only transaction, commits, and only then renders from the file: no
// transaction stays open while a renderer runs, and memory stays flat whatever the rows.
// Both ends gather the fields of many rows in a buffer of their own and move it with one
// call: a stdio call per field (a dozen per row) took 14 % of a small CSV's rendering.
#pragma once

#include <stdexcept>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::spool {

// A text field too large to spool (over 64 MB): a permanent problem of the export's data,
// reported without the spool's path.
struct FieldTooLarge : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

class LineItemSpoolWriter {
public:
    explicit LineItemSpoolWriter(const std::string& path);  // rewrites; throws std::runtime_error
    ~LineItemSpoolWriter();
    LineItemSpoolWriter(const LineItemSpoolWriter&) = delete;
    LineItemSpoolWriter& operator=(const LineItemSpoolWriter&) = delete;

    void write(const report::LineItem& item);
    void close();  // writes what is buffered; throws when the disk is full (without it the file stays partial)
    std::int64_t count() const { return count_; }

private:
    void put_bytes(const void* data, std::size_t size);
    void put_string(const std::string& text);
    void flush_buffer();

    std::string path_;
    std::FILE* file_ = nullptr;  // unbuffered: the fields are gathered in buffer_
    std::unique_ptr<char[]> buffer_;
    std::size_t used_ = 0;
    std::int64_t count_ = 0;
};

// Reads back what LineItemSpoolWriter wrote, in the same order.
class LineItemSpoolReader : public report::LineItemSource {
public:
    explicit LineItemSpoolReader(const std::string& path);
    ~LineItemSpoolReader() override;
    LineItemSpoolReader(const LineItemSpoolReader&) = delete;
    LineItemSpoolReader& operator=(const LineItemSpoolReader&) = delete;

    bool next(report::LineItem& item) override;
    bool rewind() override;  // back to the first row (renderers measure, then draw)

private:
    std::size_t read_some(char* into, std::size_t room);  // 0 at the end of the file
    bool fill(std::size_t wanted);  // at least `wanted` bytes buffered; false at the end of the file
    void get_bytes(void* data, std::size_t size);
    void get_string(std::string& text);

    std::string path_;
    int fd_ = -1;
    std::unique_ptr<char[]> buffer_;
    std::size_t begin_ = 0;  // buffer_[begin_, end_) is read and not yet handed out
    std::size_t end_ = 0;
};

}  // namespace budget_exports::spool
