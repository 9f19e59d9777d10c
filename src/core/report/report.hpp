// The report model: everything the three renderers show, built once per export.
//
// Small parts (header, categories, milestones) live in memory. Line items are
// streamed through a LineItemSource (line_item_source.hpp); their totals are supplied
// up front in Report::line_item_totals (the database computes them with an aggregate
// in the same snapshot before streaming) so every file prints identical totals and
// renderers can lay out totals before the rows arrive.
//
// Typical use:
//   Report report;
//   report.header.partner1_name = "Zoë Müller"; ...
//   report.currency = currency_for("EUR");
//   report.categories.push_back({"Venue", parse_money("12000.00", 2), ...});
//   report.line_item_totals = <aggregate>;  // or compute_line_item_totals(source)
//   finalize_report(report);                 // derives remaining, % used, status, totals
//   render(...);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/report/currency.hpp"
#include "core/report/date.hpp"
#include "core/report/money.hpp"

namespace budget_exports::report {

enum class PageOrientation { portrait, landscape };
enum class FontSize { small, medium, large };
enum class TransactionType { expense, income, transfer, refund };
enum class MilestoneStatus { pending, scheduled, paid, overdue, cancelled };
enum class BudgetStatus { under, on, over };

// Lower-case database spellings ("expense", "landscape", ...); parse_* throw
// std::invalid_argument on an unknown word.
TransactionType parse_transaction_type(const std::string& text);
MilestoneStatus parse_milestone_status(const std::string& text);
PageOrientation parse_page_orientation(const std::string& text);
FontSize parse_font_size(const std::string& text);
const char* to_string(TransactionType type);    // "expense"
const char* to_string(MilestoneStatus status);  // "pending"
const char* to_string(BudgetStatus status);     // "under"
std::string display_name(TransactionType type);  // "Expense"
std::string display_name(MilestoneStatus status); // "Pending"
std::string display_name(BudgetStatus status);   // "Under budget"

struct ReportOptions {
    bool include_charts = true;
    bool include_timeline = true;
    bool include_notes = false;
    PageOrientation page_orientation = PageOrientation::portrait;
    FontSize font_size = FontSize::medium;
};

struct ReportHeader {
    std::string partner1_name;             // display names; either may be empty
    std::string partner2_name;
    std::optional<Date> wedding_date;
    std::string generated_at;              // shown verbatim, e.g. "2026-03-14 09:30 UTC"
    std::string filters_summary;           // human-readable; see describe_filters()
    std::optional<std::string> custom_title;
};

struct Category {
    std::string name;
    Money allocated;
    Money spent;
    int sort_order = 0;
    // Derived by finalize_report():
    Money remaining;
    std::optional<std::int64_t> percent_used_basis_points;  // 8750 = 87.50 %; none when allocated is 0
    BudgetStatus status = BudgetStatus::under;
};

struct LineItem {
    std::optional<Date> date;
    std::string category;
    std::string description;
    std::string vendor;
    std::string payment_method;
    Money amount;  // as stored; sums by type are in LineItemTotals
    TransactionType type = TransactionType::expense;
    std::string notes;  // renderers show it only when options.include_notes
    std::vector<std::string> tags;
};

struct Milestone {
    std::string category;
    std::string name;
    Money amount;
    std::optional<Date> due_date;
    MilestoneStatus status = MilestoneStatus::pending;
    std::optional<Date> paid_date;
};

struct LineItemTotals {
    std::int64_t count = 0;
    Money expenses;
    Money income;
    Money transfers;
    Money refunds;

    void add(const LineItem& item);
    Money net_spent() const { return expenses - refunds; }
    friend bool operator==(const LineItemTotals& a, const LineItemTotals& b) {
        return a.count == b.count && a.expenses == b.expenses && a.income == b.income &&
               a.transfers == b.transfers && a.refunds == b.refunds;
    }
    friend bool operator!=(const LineItemTotals& a, const LineItemTotals& b) { return !(a == b); }
};

struct BudgetTotals {
    Money allocated;
    Money spent;
    Money remaining;
    std::optional<std::int64_t> percent_used_basis_points;
    BudgetStatus status = BudgetStatus::under;
    int over_budget_categories = 0;
};

struct MilestoneTotals {
    Money scheduled;    // every milestone except cancelled ones
    Money paid;
    Money outstanding;  // scheduled - paid
    Money overdue;
};

struct Report {
    ReportHeader header;
    Currency currency = currency_for("USD");
    ReportOptions options;
    std::vector<Category> categories;  // finalize_report sorts by sort_order, then name
    std::vector<Milestone> milestones; // finalize_report sorts by due date (undated last)
    LineItemTotals line_item_totals;   // supplied up front, see the file comment

    // Computed once by finalize_report(); renderers only read them.
    BudgetTotals budget_totals;
    MilestoneTotals milestone_totals;
    bool finalized = false;
};

// Derives per-category remaining / % used / status, sorts categories and milestones,
// computes budget and milestone totals and marks the report finalized.
void finalize_report(Report& report);

// "Zoë Müller & José Ñúñez", one name, or "" when neither is known.
std::string couple_names(const ReportHeader& header);

// custom_title, else "Wedding budget: <couple>", else "Wedding budget".
std::string report_title(const ReportHeader& header);

// "87.5%" (one decimal, rounded half up) or "n/a" without an allocation.
std::string format_percent(const std::optional<std::int64_t>& basis_points);

}  // namespace budget_exports::report
