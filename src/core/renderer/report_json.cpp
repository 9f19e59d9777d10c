#include "core/renderer/report_json.hpp"

#include <stdexcept>
#include <utility>

namespace budget_exports::renderer {

namespace {

using nlohmann::json;

// Values are built by moving parts into object_t / array_t: a braced list ({{"key", value},
// ...}) copies every nested value and checks each element for being a key/value pair,
// which made encoding a 40-category report 4 times slower (docs/performance.md).
json object_of(std::initializer_list<std::pair<const char*, json>> fields) {
    json::object_t object;
    for (const auto& [key, value] : fields) object.emplace(key, value);
    return json(std::move(object));
}

// One row of a list field (or a date): its values moved or copied once into the array.
template <typename... Values>
json row_of(Values&&... values) {
    json::array_t row;
    row.reserve(sizeof...(values));
    (row.emplace_back(std::forward<Values>(values)), ...);
    return json(std::move(row));
}

json date_json(const std::optional<report::Date>& date) {
    if (!date) return nullptr;
    return row_of(date->year, date->month, date->day);
}

std::optional<report::Date> date_from(const json& value) {
    if (value.is_null()) return std::nullopt;
    if (!value.is_array() || value.size() != 3) throw std::invalid_argument("a date must be [year, month, day]");
    return report::Date{value[0].get<int>(), value[1].get<int>(), value[2].get<int>()};
}

report::Money money_from(const json& value) { return report::Money{value.get<std::int64_t>()}; }

const char* orientation_name(report::PageOrientation orientation) {
    return orientation == report::PageOrientation::landscape ? "landscape" : "portrait";
}

const char* font_size_name(report::FontSize size) {
    switch (size) {
        case report::FontSize::small: return "small";
        case report::FontSize::large: return "large";
        default: return "medium";
    }
}

// The rows of a list field (categories, milestones, category_spent): each row an array
// of `width` values in the order the header comment gives.
const json& rows_of(const json& report, const char* field, std::size_t width, const char* row_shape) {
    const json& rows = report.at(field);
    if (!rows.is_array()) throw std::invalid_argument(std::string(field) + " must be an array");
    for (const json& row : rows) {
        if (!row.is_array() || row.size() != width) {
            throw std::invalid_argument(std::string("each of ") + field + " must be " + row_shape);
        }
    }
    return rows;
}

}  // namespace

json report_to_json(const report::Report& report) {
    json::array_t categories;
    categories.reserve(report.categories.size());
    for (const auto& category : report.categories) {
        if (category.uncategorised) continue;  // finalize_report adds it again from category_spent
        categories.emplace_back(
            row_of(category.name, category.allocated.minor_units, category.spent.minor_units, category.sort_order));
    }
    json::array_t milestones;
    milestones.reserve(report.milestones.size());
    for (const auto& milestone : report.milestones) {
        milestones.emplace_back(row_of(milestone.category, milestone.name, milestone.amount.minor_units,
                                       date_json(milestone.due_date), report::to_string(milestone.status),
                                       date_json(milestone.paid_date), milestone.notes));
    }
    json::array_t category_spent;
    category_spent.reserve(report.category_spent.size());
    for (const auto& [name, spent] : report.category_spent) {
        category_spent.emplace_back(row_of(name, spent.minor_units));
    }
    const report::LineItemTotals& totals = report.line_item_totals;
    // Inputs only: the renderer derives every figure again with finalize_report().
    json::object_t encoded;
    encoded.emplace("header", object_of({
        {"partner1_name", report.header.partner1_name},
        {"partner2_name", report.header.partner2_name},
        {"wedding_date", date_json(report.header.wedding_date)},
        {"generated_at", report.header.generated_at},
        {"filters_summary", report.header.filters_summary},
        {"custom_title", report.header.custom_title ? json(*report.header.custom_title) : json(nullptr)},
        {"report_date", date_json(report.header.report_date)},
    }));
    encoded.emplace("scope", object_of({
        {"categories", report.scope.categories},
        {"dates", report.scope.dates},
        {"amounts", report.scope.amounts},
        {"vendors", report.scope.vendors},
        {"payment_status", report.scope.payment_status},
    }));
    encoded.emplace("total_budget", report.total_budget ? json(report.total_budget->minor_units) : json(nullptr));
    encoded.emplace("category_spent", std::move(category_spent));
    encoded.emplace("currency", report.currency.code);
    encoded.emplace("options", object_of({
        {"include_charts", report.options.include_charts},
        {"include_timeline", report.options.include_timeline},
        {"include_notes", report.options.include_notes},
        {"page_orientation", orientation_name(report.options.page_orientation)},
        {"font_size", font_size_name(report.options.font_size)},
    }));
    encoded.emplace("categories", std::move(categories));
    encoded.emplace("milestones", std::move(milestones));
    encoded.emplace("line_item_totals", object_of({{"count", totals.count},
                                                   {"expenses", totals.expenses.minor_units},
                                                   {"income", totals.income.minor_units},
                                                   {"transfers", totals.transfers.minor_units},
                                                   {"refunds", totals.refunds.minor_units}}));
    return json(std::move(encoded));
}

report::Report report_from_json(const json& json_report) {
    try {
        report::Report report;
        const json& header = json_report.at("header");
        report.header.partner1_name = header.at("partner1_name").get<std::string>();
        report.header.partner2_name = header.at("partner2_name").get<std::string>();
        report.header.wedding_date = date_from(header.at("wedding_date"));
        report.header.generated_at = header.at("generated_at").get<std::string>();
        report.header.filters_summary = header.at("filters_summary").get<std::string>();
        if (!header.at("custom_title").is_null()) report.header.custom_title = header.at("custom_title").get<std::string>();
        report.header.report_date = date_from(header.at("report_date"));
        const json& scope = json_report.at("scope");
        report.scope.categories = scope.at("categories").get<bool>();
        report.scope.dates = scope.at("dates").get<bool>();
        report.scope.amounts = scope.at("amounts").get<bool>();
        report.scope.vendors = scope.at("vendors").get<bool>();
        report.scope.payment_status = scope.at("payment_status").get<std::string>();
        if (!json_report.at("total_budget").is_null()) report.total_budget = money_from(json_report.at("total_budget"));
        for (const json& row : rows_of(json_report, "category_spent", 2, "[name, spent]")) {
            report.category_spent[row[0].get<std::string>()] = money_from(row[1]);
        }
        report.currency = report::currency_for(json_report.at("currency").get<std::string>());
        const json& options = json_report.at("options");
        report.options.include_charts = options.at("include_charts").get<bool>();
        report.options.include_timeline = options.at("include_timeline").get<bool>();
        report.options.include_notes = options.at("include_notes").get<bool>();
        report.options.page_orientation = report::parse_page_orientation(options.at("page_orientation").get<std::string>());
        report.options.font_size = report::parse_font_size(options.at("font_size").get<std::string>());
        const json& categories = rows_of(json_report, "categories", 4, "[name, allocated, spent, sort_order]");
        report.categories.reserve(categories.size());
        for (const json& row : categories) {
            report::Category category;
            category.name = row[0].get<std::string>();
            category.allocated = money_from(row[1]);
            category.spent = money_from(row[2]);
            category.sort_order = row[3].get<int>();
            report.categories.push_back(std::move(category));
        }
        const json& milestones =
            rows_of(json_report, "milestones", 7, "[category, name, amount, due_date, status, paid_date, notes]");
        report.milestones.reserve(milestones.size());
        for (const json& row : milestones) {
            report::Milestone milestone;
            milestone.category = row[0].get<std::string>();
            milestone.name = row[1].get<std::string>();
            milestone.amount = money_from(row[2]);
            milestone.due_date = date_from(row[3]);
            milestone.status = report::parse_milestone_status(row[4].get<std::string>());
            milestone.paid_date = date_from(row[5]);
            milestone.notes = row[6].get<std::string>();
            report.milestones.push_back(std::move(milestone));
        }
        const json& totals = json_report.at("line_item_totals");
        report.line_item_totals.count = totals.at("count").get<std::int64_t>();
        report.line_item_totals.expenses = money_from(totals.at("expenses"));
        report.line_item_totals.income = money_from(totals.at("income"));
        report.line_item_totals.transfers = money_from(totals.at("transfers"));
        report.line_item_totals.refunds = money_from(totals.at("refunds"));
        report::finalize_report(report);
        return report;
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("report: ") + e.what());
    }
}

}  // namespace budget_exports::renderer
