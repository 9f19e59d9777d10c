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
//   report.header.report_date = Date{2026, 3, 14};   // "today" for overdue / upcoming
//   report.total_budget = parse_money("48500.00", 2); // budget_master.total_budget, if set
//   report.categories.push_back(...);                 // name, allocated, sort order
//   add_line_item(report, item);                      // every row in scope (totals, per-category spent)
//   finalize_report(report);                          // Budget, Spent, Remaining, % used, payments
//   render(...);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/report/currency.hpp"
#include "core/report/date.hpp"
#include "core/report/money.hpp"

namespace budget_exports::report {

class LineItemSource;

enum class PageOrientation { portrait, landscape };
enum class FontSize { small, medium, large };
enum class TransactionType { expense, income, transfer, refund };
enum class MilestoneStatus { pending, scheduled, paid, overdue, cancelled };
enum class BudgetStatus { under, on, over };
// Where a milestone stands on the report date (derived; the stored status only says
// whether it was paid or cancelled): see finalize_report().
enum class PaymentState { paid, overdue, upcoming, cancelled };
// What the "Budget" figure is: the couple's budget_master.total_budget, the sum of the
// allocations when no total is set, or (category filter) the selected categories' allocations.
enum class BudgetBasis { total_budget, allocations, selected_allocations };

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
std::string display_name(PaymentState state);    // "Overdue"

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
    std::string filters_summary;           // the scope in words ("Venue and Catering · 1–31 Mar 2026 · paid only")
    std::optional<std::string> custom_title;
    // "Today" for the payments: overdue = due before it, upcoming = due on or after it.
    // Required by finalize_report (the worker sets the read transaction's UTC date).
    std::optional<Date> report_date;
};

// Which export filters are active; figures that cannot follow one say so (scope_notes).
struct ReportScope {
    bool categories = false;
    bool dates = false;
    bool amounts = false;
    bool vendors = false;
    std::string payment_status = "all";  // all | paid | pending | planned
};

struct Category {
    std::string name;
    Money allocated;
    int sort_order = 0;
    // Derived by finalize_report():
    Money spent;  // net spending of the transactions in scope (not the stored spent_amount)
    Money remaining;
    std::optional<std::int64_t> percent_used_basis_points;  // 8750 = 87.50 %; none when allocated is 0
    BudgetStatus status = BudgetStatus::under;
    bool uncategorised = false;  // the row finalize_report adds for spending outside the list
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
    std::string notes;  // shown only when options.include_notes
    // Derived by finalize_report() from status, due date and header.report_date.
    PaymentState state = PaymentState::upcoming;
};

// What a line item adds to Spent: an expense its amount, a refund minus its amount,
// income and transfers nothing. The CSV / Excel "Spent" column; its SUM is Spent.
Money spent_contribution(const LineItem& item);

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
    Money budget;                 // see BudgetBasis
    BudgetBasis basis = BudgetBasis::allocations;
    Money allocated;              // sum of the (selected) categories' allocations
    Money over_allocated;         // allocated - budget when positive, else 0
    Money spent;                  // line_item_totals.net_spent()
    Money remaining;              // budget - spent
    std::optional<std::int64_t> percent_used_basis_points;  // spent / budget
    BudgetStatus status = BudgetStatus::under;
    int over_budget_categories = 0;
};

struct MilestoneTotals {
    Money total_due;    // every milestone except cancelled ones
    Money paid;
    Money outstanding;  // total_due - paid = overdue + upcoming
    Money overdue;
    Money upcoming;
    Money cancelled;    // listed, never counted
    int overdue_count = 0;
    int upcoming_count = 0;
};

struct Report {
    ReportHeader header;
    Currency currency = currency_for("USD");
    ReportOptions options;
    std::vector<Category> categories;  // finalize_report sorts by sort_order, then name
    std::vector<Milestone> milestones; // finalize_report sorts by due date (undated last)
    LineItemTotals line_item_totals;   // supplied up front, see the file comment
    // Net spending per category name of the same rows (add_line_item fills both).
    std::map<std::string, Money> category_spent;
    std::optional<Money> total_budget;  // budget_master.total_budget, when set
    ReportScope scope;

    // Computed once by finalize_report(); renderers only read them.
    BudgetTotals budget_totals;
    MilestoneTotals milestone_totals;
    // Sentences saying which figures cannot follow the filters (or what Budget is).
    std::vector<std::string> scope_notes;
    bool finalized = false;
};

// Counts a line item of the report's scope into line_item_totals and category_spent.
void add_line_item(Report& report, const LineItem& item);
// Drains `source` into the report's totals (tests and callers without an aggregate).
void add_line_items(Report& report, LineItemSource& source);

// Sets per-category spent (from category_spent; spending on a category that is not in
// the list gets an "Uncategorised" row), remaining / % used / status, the budget with
// its basis, the payment state of every milestone on header.report_date and the totals;
// sorts categories and milestones and marks the report finalized. Throws
// std::invalid_argument without a report date.
void finalize_report(Report& report);

// "Budget", "Budget (sum of allocations)", "Budget (selected categories)".
std::string budget_label(BudgetBasis basis);
// part / whole in basis points, rounded half up; none when whole is not positive.
std::optional<std::int64_t> percent_of(Money part, Money whole);
// "1,234"
std::string format_count(std::int64_t count);

// "Zoë Müller & José Ñúñez", one name, or "" when neither is known.
std::string couple_names(const ReportHeader& header);

// custom_title, else "Wedding budget: <couple>", else "Wedding budget".
std::string report_title(const ReportHeader& header);

// "87.5%" (one decimal, rounded half up) or "n/a" without an allocation.
std::string format_percent(const std::optional<std::int64_t>& basis_points);

}  // namespace budget_exports::report
