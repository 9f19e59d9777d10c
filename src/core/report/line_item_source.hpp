// Pull-style stream of line items, so no renderer needs every row in memory.
//
// A PostgreSQL worker reading through an SPI cursor derives from BatchedLineItemSource
// and implements fetch_batch() with SPI_cursor_fetch(portal, true, N), converting the
// fetched tuples into LineItems. fetch_batch must not longjmp (elog ERROR) through the
// renderer's C++ frames: catch PostgreSQL errors with PG_TRY there and throw a C++
// exception instead. The rows must come from the same snapshot as the aggregate that
// filled Report::line_item_totals; renderers check the streamed rows against those
// totals and fail (RenderError) on a mismatch rather than print inconsistent totals.
#pragma once

#include <cstddef>
#include <vector>

#include "core/report/report.hpp"

namespace budget_exports::report {

class LineItemSource {
public:
    virtual ~LineItemSource() = default;
    // Fills `item` with the next row and returns true, or returns false at the end.
    virtual bool next(LineItem& item) = 0;
    // Starts the stream again from its first row and returns true, or returns false
    // when this source cannot (renderers that need a measuring pass then copy it).
    virtual bool rewind() { return false; }
};

// Buffers rows fetched in batches (an SPI cursor fetch, a page of a query...).
class BatchedLineItemSource : public LineItemSource {
public:
    bool next(LineItem& item) override;

protected:
    // Replace `batch` with the next rows (it arrives cleared). Leave it empty at the end.
    virtual void fetch_batch(std::vector<LineItem>& batch) = 0;

private:
    std::vector<LineItem> batch_;
    std::size_t position_ = 0;
    bool exhausted_ = false;
};

// Rows held by the caller (tests, small reports). The vector must outlive the source.
class VectorLineItemSource : public LineItemSource {
public:
    explicit VectorLineItemSource(const std::vector<LineItem>& items) : items_(items) {}
    bool next(LineItem& item) override;
    bool rewind() override { position_ = 0; return true; }

private:
    const std::vector<LineItem>& items_;
    std::size_t position_ = 0;
};

// Drains `source` and sums it: for tests and callers without an aggregate query.
LineItemTotals compute_line_item_totals(LineItemSource& source);

}  // namespace budget_exports::report
