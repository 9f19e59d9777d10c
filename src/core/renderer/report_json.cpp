#include "core/renderer/report_json.hpp"

#include <stdexcept>

namespace budget_exports::renderer {

namespace {

using nlohmann::json;

json date_json(const std::optional<report::Date>& date) {
    if (!date) return nullptr;
    return json::array({date->year, date->month, date->day});
}

std::optional<report::Date> date_from(const json& value) {
    if (value.is_null()) return std::nullopt;
    if (!value.is_array() || value.size() != 3) throw std::invalid_argument("a date must be [year, month, day]");
    return report::Date{value.at(0).get<int>(), value.at(1).get<int>(), value.at(2).get<int>()};
}

json money_json(report::Money money) { return money.minor_units; }

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

}  // namespace

json report_to_json(const report::Report& report) {
    json header = {
        {"partner1_name", report.header.partner1_name},
        {"partner2_name", report.header.partner2_name},
        {"wedding_date", date_json(report.header.wedding_date)},
        {"generated_at", report.header.generated_at},
        {"filters_summary", report.header.filters_summary},
        {"custom_title", report.header.custom_title ? json(*report.header.custom_title) : json(nullptr)},
        {"report_date", date_json(report.header.report_date)},
    };
    json scope = {
        {"categories", report.scope.categories},
        {"dates", report.scope.dates},
        {"amounts", report.scope.amounts},
        {"vendors", report.scope.vendors},
        {"payment_status", report.scope.payment_status},
    };
    json options = {
        {"include_charts", report.options.include_charts},
        {"include_timeline", report.options.include_timeline},
        {"include_notes", report.options.include_notes},
        {"page_orientation", orientation_name(report.options.page_orientation)},
        {"font_size", font_size_name(report.options.font_size)},
    };
    json categories = json::array();
    for (const auto& category : report.categories) {
        if (category.uncategorised) continue;  // finalize_report adds it again from category_spent
        categories.push_back({{"name", category.name},
                              {"allocated", money_json(category.allocated)},
                              {"spent", money_json(category.spent)},
                              {"sort_order", category.sort_order}});
    }
    json milestones = json::array();
    for (const auto& milestone : report.milestones) {
        milestones.push_back({{"category", milestone.category},
                              {"name", milestone.name},
                              {"amount", money_json(milestone.amount)},
                              {"due_date", date_json(milestone.due_date)},
                              {"status", report::to_string(milestone.status)},
                              {"paid_date", date_json(milestone.paid_date)},
                              {"notes", milestone.notes}});
    }
    const report::LineItemTotals& totals = report.line_item_totals;
    json line_item_totals = {{"count", totals.count},
                             {"expenses", money_json(totals.expenses)},
                             {"income", money_json(totals.income)},
                             {"transfers", money_json(totals.transfers)},
                             {"refunds", money_json(totals.refunds)}};
    json category_spent = json::object();
    for (const auto& [name, spent] : report.category_spent) category_spent[name] = money_json(spent);
    // Inputs only: the renderer derives every figure again with finalize_report().
    return {{"header", header},
            {"scope", scope},
            {"total_budget", report.total_budget ? money_json(*report.total_budget) : json(nullptr)},
            {"category_spent", category_spent},
            {"currency", report.currency.code},
            {"options", options},
            {"categories", categories},
            {"milestones", milestones},
            {"line_item_totals", line_item_totals}};
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
        for (const auto& [name, spent] : json_report.at("category_spent").items()) {
            report.category_spent[name] = money_from(spent);
        }
        report.currency = report::currency_for(json_report.at("currency").get<std::string>());
        const json& options = json_report.at("options");
        report.options.include_charts = options.at("include_charts").get<bool>();
        report.options.include_timeline = options.at("include_timeline").get<bool>();
        report.options.include_notes = options.at("include_notes").get<bool>();
        report.options.page_orientation = report::parse_page_orientation(options.at("page_orientation").get<std::string>());
        report.options.font_size = report::parse_font_size(options.at("font_size").get<std::string>());
        for (const json& item : json_report.at("categories")) {
            report::Category category;
            category.name = item.at("name").get<std::string>();
            category.allocated = money_from(item.at("allocated"));
            category.spent = money_from(item.at("spent"));
            category.sort_order = item.at("sort_order").get<int>();
            report.categories.push_back(std::move(category));
        }
        for (const json& item : json_report.at("milestones")) {
            report::Milestone milestone;
            milestone.category = item.at("category").get<std::string>();
            milestone.name = item.at("name").get<std::string>();
            milestone.amount = money_from(item.at("amount"));
            milestone.due_date = date_from(item.at("due_date"));
            milestone.status = report::parse_milestone_status(item.at("status").get<std::string>());
            milestone.paid_date = date_from(item.at("paid_date"));
            milestone.notes = item.at("notes").get<std::string>();
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
