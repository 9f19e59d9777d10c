#include "core/report/report.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "core/report/line_item_source.hpp"

namespace budget_exports::report {
namespace {

template <typename Enum, std::size_t N>
Enum parse_word(const std::string& text, const char* const (&words)[N], const char* what) {
    for (std::size_t i = 0; i < N; ++i)
        if (text == words[i]) return static_cast<Enum>(i);
    throw std::invalid_argument(std::string("unknown ") + what + " \"" + text + "\"");
}

const char* const kTransactionTypes[] = {"expense", "income", "transfer", "refund"};
const char* const kMilestoneStatuses[] = {"pending", "scheduled", "paid", "overdue", "cancelled"};
const char* const kBudgetStatuses[] = {"under", "on", "over"};

std::string capitalised(const char* word) {
    std::string text = word;
    if (!text.empty()) text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

std::optional<std::int64_t> percent_used(Money spent, Money allocated) {
    if (allocated.minor_units <= 0) return std::nullopt;
    // Basis points rounded half up; __int128 keeps huge amounts from overflowing.
    const __int128 scaled = static_cast<__int128>(spent.minor_units) * 10000;
    const __int128 half = allocated.minor_units / 2;
    const __int128 rounded = scaled >= 0 ? (scaled + half) / allocated.minor_units
                                         : (scaled - half) / allocated.minor_units;
    return static_cast<std::int64_t>(rounded);
}

BudgetStatus status_of(Money spent, Money allocated) {
    if (spent > allocated) return BudgetStatus::over;
    if (spent == allocated) return BudgetStatus::on;
    return BudgetStatus::under;
}

}  // namespace

TransactionType parse_transaction_type(const std::string& text) {
    return parse_word<TransactionType>(text, kTransactionTypes, "transaction type");
}
MilestoneStatus parse_milestone_status(const std::string& text) {
    return parse_word<MilestoneStatus>(text, kMilestoneStatuses, "milestone status");
}
PageOrientation parse_page_orientation(const std::string& text) {
    static const char* const kWords[] = {"portrait", "landscape"};
    return parse_word<PageOrientation>(text, kWords, "page orientation");
}
FontSize parse_font_size(const std::string& text) {
    static const char* const kWords[] = {"small", "medium", "large"};
    return parse_word<FontSize>(text, kWords, "font size");
}

const char* to_string(TransactionType type) { return kTransactionTypes[static_cast<int>(type)]; }
const char* to_string(MilestoneStatus status) { return kMilestoneStatuses[static_cast<int>(status)]; }
const char* to_string(BudgetStatus status) { return kBudgetStatuses[static_cast<int>(status)]; }
std::string display_name(TransactionType type) { return capitalised(to_string(type)); }
std::string display_name(MilestoneStatus status) { return capitalised(to_string(status)); }
std::string display_name(BudgetStatus status) { return capitalised(to_string(status)) + " budget"; }
std::string display_name(PaymentState state) {
    switch (state) {
        case PaymentState::paid: return "Paid";
        case PaymentState::overdue: return "Overdue";
        case PaymentState::upcoming: return "Upcoming";
        case PaymentState::cancelled: return "Cancelled";
    }
    return "";
}

std::string budget_label(BudgetBasis basis) {
    switch (basis) {
        case BudgetBasis::total_budget: return "Budget";
        case BudgetBasis::allocations: return "Budget (sum of allocations)";
        case BudgetBasis::selected_allocations: return "Budget (selected categories)";
    }
    return "Budget";
}

std::optional<std::int64_t> percent_of(Money part, Money whole) { return percent_used(part, whole); }

std::string format_count(std::int64_t count) {
    std::string digits = std::to_string(count < 0 ? -count : count);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return (count < 0 ? "-" : "") + digits;
}

Money spent_contribution(const LineItem& item) {
    switch (item.type) {
        case TransactionType::expense: return item.amount;
        case TransactionType::refund: return Money{} - item.amount;
        default: return Money{};
    }
}

void add_line_item(Report& report, const LineItem& item) {
    report.line_item_totals.add(item);
    const Money spent = spent_contribution(item);
    if (item.type == TransactionType::expense || item.type == TransactionType::refund)
        report.category_spent[item.category] += spent;
}

void add_line_items(Report& report, LineItemSource& source) {
    LineItem item;
    while (source.next(item)) add_line_item(report, item);
}

void LineItemTotals::add(const LineItem& item) {
    ++count;
    switch (item.type) {
        case TransactionType::expense: expenses += item.amount; break;
        case TransactionType::income: income += item.amount; break;
        case TransactionType::transfer: transfers += item.amount; break;
        case TransactionType::refund: refunds += item.amount; break;
    }
}

namespace {

std::string list_words(const std::vector<std::string>& words) {
    std::string text;
    for (std::size_t i = 0; i < words.size(); ++i)
        text += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
    return text;
}

std::vector<std::string> describe_scope_limits(const Report& report) {
    std::vector<std::string> notes;
    const BudgetTotals& budget = report.budget_totals;
    const ReportScope& scope = report.scope;
    if (budget.basis == BudgetBasis::allocations)
        notes.push_back("No total budget is set, so Budget is the sum of the category allocations.");
    if (budget.basis == BudgetBasis::selected_allocations && report.total_budget)
        notes.push_back("Budget is the allocations of the selected categories; the couple's total budget of " +
                        format_display(*report.total_budget, report.currency) + " covers every category.");
    std::vector<std::string> unfollowed;
    if (scope.dates) unfollowed.push_back("date");
    if (scope.amounts) unfollowed.push_back("amount");
    if (scope.vendors) unfollowed.push_back("vendor");
    if (scope.payment_status != "all") unfollowed.push_back("payment status");
    if (!unfollowed.empty())
        notes.push_back("Budget and allocations cannot be filtered by " + list_words(unfollowed) +
                        ": Remaining and % used compare the whole budget with the spending in this scope.");
    if (scope.payment_status == "pending" || scope.payment_status == "planned")
        notes.push_back("Transactions are payments already made (paid), so none are in a \"" + scope.payment_status +
                        "\" report and Spent is zero.");
    if (scope.vendors) notes.push_back("Payments are not filtered by vendor (payment milestones have no vendor).");
    return notes;
}

}  // namespace

void finalize_report(Report& report) {
    if (!report.header.report_date)
        throw std::invalid_argument("finalize_report: the report date (header.report_date) is not set");
    const Date today = *report.header.report_date;

    // Spending per category from the transactions in scope, never a stored spent figure.
    report.categories.erase(std::remove_if(report.categories.begin(), report.categories.end(),
                                           [](const Category& c) { return c.uncategorised; }),
                            report.categories.end());
    std::map<std::string, Money> unassigned = report.category_spent;
    for (Category& category : report.categories) {
        auto found = unassigned.find(category.name);
        category.spent = found == unassigned.end() ? Money{} : found->second;
        if (found != unassigned.end()) unassigned.erase(found);  // a duplicate name gets it once
    }
    Money uncategorised;
    for (const auto& [name, spent] : unassigned) uncategorised += spent;
    if (uncategorised.minor_units != 0) {
        Category other;
        other.name = "Uncategorised";
        other.sort_order = INT_MAX;
        other.spent = uncategorised;
        other.uncategorised = true;
        report.categories.push_back(other);
    }

    std::stable_sort(report.categories.begin(), report.categories.end(), [](const Category& a, const Category& b) {
        return a.sort_order != b.sort_order ? a.sort_order < b.sort_order : a.name < b.name;
    });
    std::stable_sort(report.milestones.begin(), report.milestones.end(), [](const Milestone& a, const Milestone& b) {
        if (a.due_date.has_value() != b.due_date.has_value()) return a.due_date.has_value();
        return a.due_date.has_value() && *a.due_date < *b.due_date;
    });

    BudgetTotals budget;
    for (Category& category : report.categories) {
        category.remaining = category.allocated - category.spent;
        category.percent_used_basis_points = percent_used(category.spent, category.allocated);
        category.status = status_of(category.spent, category.allocated);
        budget.allocated += category.allocated;
        if (category.status == BudgetStatus::over) ++budget.over_budget_categories;
    }
    if (report.scope.categories) {
        budget.basis = BudgetBasis::selected_allocations;
        budget.budget = budget.allocated;
    } else if (report.total_budget) {
        budget.basis = BudgetBasis::total_budget;
        budget.budget = *report.total_budget;
    } else {
        budget.basis = BudgetBasis::allocations;
        budget.budget = budget.allocated;
    }
    if (budget.allocated > budget.budget) budget.over_allocated = budget.allocated - budget.budget;
    budget.spent = report.line_item_totals.net_spent();
    budget.remaining = budget.budget - budget.spent;
    budget.percent_used_basis_points = percent_used(budget.spent, budget.budget);
    budget.status = status_of(budget.spent, budget.budget);
    report.budget_totals = budget;

    MilestoneTotals milestones;
    for (Milestone& milestone : report.milestones) {
        if (milestone.status == MilestoneStatus::cancelled) {
            milestone.state = PaymentState::cancelled;
            milestones.cancelled += milestone.amount;
            continue;
        }
        milestones.total_due += milestone.amount;
        if (milestone.status == MilestoneStatus::paid) {
            milestone.state = PaymentState::paid;
            milestones.paid += milestone.amount;
        } else if (milestone.due_date && *milestone.due_date < today) {
            milestone.state = PaymentState::overdue;
            milestones.overdue += milestone.amount;
            ++milestones.overdue_count;
        } else {
            milestone.state = PaymentState::upcoming;
            milestones.upcoming += milestone.amount;
            ++milestones.upcoming_count;
        }
    }
    milestones.outstanding = milestones.total_due - milestones.paid;
    report.milestone_totals = milestones;
    report.scope_notes = describe_scope_limits(report);
    report.finalized = true;
}

std::string couple_names(const ReportHeader& header) {
    if (!header.partner1_name.empty() && !header.partner2_name.empty())
        return header.partner1_name + " & " + header.partner2_name;
    return header.partner1_name.empty() ? header.partner2_name : header.partner1_name;
}

std::string report_title(const ReportHeader& header) {
    if (header.custom_title && !header.custom_title->empty()) return *header.custom_title;
    const std::string couple = couple_names(header);
    return couple.empty() ? "Wedding budget" : "Wedding budget: " + couple;
}

std::string format_percent(const std::optional<std::int64_t>& basis_points) {
    if (!basis_points) return "n/a";
    const std::int64_t tenths = (*basis_points >= 0 ? *basis_points + 5 : *basis_points - 5) / 10;
    const std::int64_t whole = tenths / 10;
    const std::int64_t fraction = tenths % 10 < 0 ? -(tenths % 10) : tenths % 10;
    const std::string sign = tenths < 0 && whole == 0 ? "-" : "";
    return sign + std::to_string(whole) + "." + std::to_string(fraction) + "%";
}

}  // namespace budget_exports::report
