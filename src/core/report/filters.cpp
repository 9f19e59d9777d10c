#include "core/report/filters.hpp"

namespace budget_exports::report {
namespace {

// "Venue", "Venue and Catering", "Venue, Catering and Cake", "Venue, Catering, Cake and 2 more <noun>".
std::string listed(const std::vector<std::string>& words, const char* plural_noun) {
    constexpr std::size_t kShown = 3;
    std::string text;
    const std::size_t shown = words.size() > kShown + 1 ? kShown : words.size();
    for (std::size_t i = 0; i < shown; ++i) {
        const bool last = i + 1 == shown && shown == words.size();
        text += (i == 0 ? "" : last ? " and " : ", ") + words[i];
    }
    if (shown < words.size())
        text += " and " + std::to_string(words.size() - shown) + " more " + plural_noun;
    return text;
}

// "1–31 March 2026", "1 March – 15 June 2026", "1 December 2025 – 15 January 2026".
std::string date_span(const Date& from, const Date& to) {
    const std::string end = format_long(to);
    if (from.year == to.year && from.month == to.month) return std::to_string(from.day) + "–" + end;
    if (from.year == to.year) {
        const std::string start = format_long(from);
        return start.substr(0, start.size() - 5) + " – " + end;  // drop " 2026"
    }
    return format_long(from) + " – " + end;
}

}  // namespace

std::string describe_filters(const ReportFilters& filters, const Currency& currency) {
    std::vector<std::string> parts;
    if (!filters.categories.empty()) parts.push_back(listed(filters.categories, "categories"));
    if (filters.date_from && filters.date_to)
        parts.push_back(date_span(*filters.date_from, *filters.date_to));
    else if (filters.date_from)
        parts.push_back("from " + format_long(*filters.date_from));
    else if (filters.date_to)
        parts.push_back("until " + format_long(*filters.date_to));
    if (!filters.payment_status.empty() && filters.payment_status != "all")
        parts.push_back(filters.payment_status + " only");
    if (!filters.types.empty()) {
        std::vector<std::string> names;
        for (TransactionType type : filters.types) names.push_back(to_string(type));
        parts.push_back(listed(names, "types") + " only");
    }
    if (!filters.vendors.empty()) parts.push_back("vendors " + listed(filters.vendors, "vendors"));
    if (filters.min_amount && filters.max_amount)
        parts.push_back("amounts " + format_display(*filters.min_amount, currency) + " – " +
                        format_display(*filters.max_amount, currency));
    else if (filters.min_amount)
        parts.push_back("amounts from " + format_display(*filters.min_amount, currency));
    else if (filters.max_amount)
        parts.push_back("amounts up to " + format_display(*filters.max_amount, currency));

    if (parts.empty()) return "Whole budget";
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : " · ") + part;
    return text;
}

}  // namespace budget_exports::report
