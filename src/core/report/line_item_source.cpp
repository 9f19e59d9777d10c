#include "core/report/line_item_source.hpp"

#include <utility>

namespace budget_exports::report {

bool BatchedLineItemSource::next(LineItem& item) {
    if (position_ == batch_.size()) {
        if (exhausted_) return false;
        batch_.clear();
        position_ = 0;
        fetch_batch(batch_);
        if (batch_.empty()) {
            exhausted_ = true;
            return false;
        }
    }
    item = std::move(batch_[position_++]);
    return true;
}

bool VectorLineItemSource::next(LineItem& item) {
    if (position_ == items_.size()) return false;
    item = items_[position_++];
    return true;
}

LineItemTotals compute_line_item_totals(LineItemSource& source) {
    LineItemTotals totals;
    LineItem item;
    while (source.next(item)) totals.add(item);
    return totals;
}

}  // namespace budget_exports::report
