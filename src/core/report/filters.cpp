#include "core/report/filters.hpp"

namespace budget_exports::report {
namespace {

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
    return text;
}

}  // namespace

std::string describe_filters(const ReportFilters& filters, const Currency& currency) {
    std::vector<std::string> parts;
    if (filters.date_from && filters.date_to)
        parts.push_back("from " + format_short(*filters.date_from) + " to " + format_short(*filters.date_to));
    else if (filters.date_from)
        parts.push_back("from " + format_short(*filters.date_from));
    else if (filters.date_to)
        parts.push_back("until " + format_short(*filters.date_to));
    if (!filters.categories.empty()) parts.push_back("categories: " + joined(filters.categories));
    if (!filters.types.empty()) {
        std::vector<std::string> names;
        for (TransactionType type : filters.types) names.push_back(to_string(type));
        parts.push_back("types: " + joined(names));
    }
    if (!filters.vendors.empty()) parts.push_back("vendors: " + joined(filters.vendors));
    if (filters.min_amount) parts.push_back("amount ≥ " + format_display(*filters.min_amount, currency));
    if (filters.max_amount) parts.push_back("amount ≤ " + format_display(*filters.max_amount, currency));

    if (parts.empty()) return "All transactions";
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : "; ") + part;
    text[0] = static_cast<char>(text[0] - 'a' + 'A');  // every part starts lower-case ASCII
    return text;
}

}  // namespace budget_exports::report
