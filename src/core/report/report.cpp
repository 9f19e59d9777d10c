#include "core/report/report.hpp"

#include <algorithm>
#include <stdexcept>

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

void LineItemTotals::add(const LineItem& item) {
    ++count;
    switch (item.type) {
        case TransactionType::expense: expenses += item.amount; break;
        case TransactionType::income: income += item.amount; break;
        case TransactionType::transfer: transfers += item.amount; break;
        case TransactionType::refund: refunds += item.amount; break;
    }
}

void finalize_report(Report& report) {
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
        budget.spent += category.spent;
        if (category.status == BudgetStatus::over) ++budget.over_budget_categories;
    }
    budget.remaining = budget.allocated - budget.spent;
    budget.percent_used_basis_points = percent_used(budget.spent, budget.allocated);
    budget.status = status_of(budget.spent, budget.allocated);
    report.budget_totals = budget;

    MilestoneTotals milestones;
    for (const Milestone& milestone : report.milestones) {
        if (milestone.status == MilestoneStatus::cancelled) continue;
        milestones.scheduled += milestone.amount;
        if (milestone.status == MilestoneStatus::paid) milestones.paid += milestone.amount;
        if (milestone.status == MilestoneStatus::overdue) milestones.overdue += milestone.amount;
    }
    milestones.outstanding = milestones.scheduled - milestones.paid;
    report.milestone_totals = milestones;
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
