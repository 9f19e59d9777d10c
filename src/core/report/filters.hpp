// The filters a user applied to an export, and the one-line description every file prints.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/report/currency.hpp"
#include "core/report/date.hpp"
#include "core/report/money.hpp"
#include "core/report/report.hpp"

namespace budget_exports::report {

struct ReportFilters {
    std::optional<Date> date_from;
    std::optional<Date> date_to;
    std::vector<std::string> categories;
    std::vector<TransactionType> types;
    std::vector<std::string> vendors;
    std::optional<Money> min_amount;
    std::optional<Money> max_amount;
    std::string payment_status;  // "" / "all" = no filter
};

// The report's scope in words, printed near the title of every file: "Whole budget"
// without filters, else e.g. "Venue and Catering · 1–31 March 2026 · paid only".
// Goes into ReportHeader::filters_summary.
std::string describe_filters(const ReportFilters& filters, const Currency& currency);

}  // namespace budget_exports::report
