#include "core/jobs/export_request.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "core/report/filters.hpp"

namespace budget_exports::jobs {

using nlohmann::json;

namespace {

json parse_object(const std::string& filters_json) {
    json filters = json::parse(filters_json.empty() ? "{}" : filters_json, nullptr, false);
    if (filters.is_discarded() || !filters.is_object()) {
        throw std::invalid_argument("export_filters is not a JSON object");
    }
    return filters;
}

template <typename T>
T value_or(const json& object, const char* key, T fallback) {
    auto found = object.find(key);
    if (found == object.end() || found->is_null()) return fallback;
    try {
        return found->get<T>();
    } catch (const json::exception&) {
        throw std::invalid_argument(std::string("export_filters: \"") + key + "\" has the wrong type");
    }
}

// The JSON number's own text keeps it exact. A bound finer than the currency's cents
// (12.345 EUR) is valid as a filter but cannot be printed exactly: it is left out of the line.
std::optional<report::Money> amount_bound(const json& range, const char* key, const report::Currency& currency) {
    auto found = range.find(key);
    if (found == range.end() || !found->is_number()) return std::nullopt;
    try {
        return report::parse_money(found->dump(), currency.minor_digits);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

}  // namespace

ExportRequest parse_export_filters(const std::string& filters_json) {
    json filters = parse_object(filters_json);
    ExportRequest request;
    request.options.include_notes = value_or(filters, "include_notes", false);
    request.payment_status = value_or<std::string>(filters, "payment_status", "all");
    request.scope.payment_status = request.payment_status;
    request.scope.categories = filters.contains("categories") && !filters["categories"].is_null();
    request.scope.dates = filters.contains("date_range") && !filters["date_range"].is_null();
    if (auto range = filters.find("amount_range"); range != filters.end() && range->is_object())
        request.scope.amounts = (range->contains("min") && !(*range)["min"].is_null()) ||
                                (range->contains("max") && !(*range)["max"].is_null());
    request.scope.vendors = filters.contains("vendor_names") && !filters["vendor_names"].is_null();
    json options = value_or(filters, "options", json::object());
    request.options.include_charts = value_or(options, "include_charts", true);
    request.options.include_timeline = value_or(options, "include_timeline", true);
    request.custom_title = value_or<std::string>(options, "custom_title", "");
    request.options.page_orientation =
        report::parse_page_orientation(value_or<std::string>(options, "page_orientation", "portrait"));
    request.options.font_size = report::parse_font_size(value_or<std::string>(options, "font_size", "medium"));
    return request;
}

std::string describe_export_filters(const std::string& filters_json, const report::Currency& currency) {
    json filters = parse_object(filters_json);
    report::ReportFilters described;
    if (auto range = filters.find("date_range"); range != filters.end() && range->is_object()) {
        described.date_from = report::parse_date(value_or<std::string>(*range, "start", ""));
        described.date_to = report::parse_date(value_or<std::string>(*range, "end", ""));
    }
    described.categories = value_or(filters, "categories", std::vector<std::string>{});
    described.vendors = value_or(filters, "vendor_names", std::vector<std::string>{});
    if (auto range = filters.find("amount_range"); range != filters.end() && range->is_object()) {
        described.min_amount = amount_bound(*range, "min", currency);
        described.max_amount = amount_bound(*range, "max", currency);
    }
    described.payment_status = value_or<std::string>(filters, "payment_status", "all");
    return report::describe_filters(described, currency);
}

}  // namespace budget_exports::jobs
