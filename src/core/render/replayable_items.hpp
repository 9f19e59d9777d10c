// Line items a renderer can read more than once (measure the columns, count the pages,
// then draw). A source that can rewind is used as it is; any other is copied to a
// private temporary spool file first, so memory stays flat either way.
#pragma once

#include <memory>
#include <string>

#include "core/report/line_item_source.hpp"
#include "core/spool/line_item_spool.hpp"

namespace budget_exports::render {

class ReplayableItems {
public:
    // tmpdir "" = $TMPDIR or /tmp. Throws RenderError when the copy cannot be written.
    ReplayableItems(report::LineItemSource& source, const std::string& tmpdir);
    ~ReplayableItems();
    ReplayableItems(const ReplayableItems&) = delete;
    ReplayableItems& operator=(const ReplayableItems&) = delete;

    report::LineItemSource& items() { return copy_ ? *copy_ : source_; }
    // Back to the first row; throws RenderError when that fails.
    void rewind();

private:
    report::LineItemSource& source_;
    std::unique_ptr<spool::LineItemSpoolReader> copy_;
};

}  // namespace budget_exports::render
