// A temporary file of line items. The worker copies a couple's transactions here inside a
// short read-only transaction, commits, and only then renders from the file: no
// transaction stays open while a renderer runs, and memory stays flat whatever the rows.
#pragma once

#include <stdexcept>

#include <cstdint>
#include <cstdio>
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
    void close();  // flushes; throws when the disk is full
    std::int64_t count() const { return count_; }

private:
    void put_bytes(const void* data, std::size_t size);
    void put_string(const std::string& text);

    std::string path_;
    std::FILE* file_ = nullptr;
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
    void get_bytes(void* data, std::size_t size);
    void get_string(std::string& text);

    std::string path_;
    std::FILE* file_ = nullptr;
};

}  // namespace budget_exports::spool
