#include <gtest/gtest.h>

#include "core/report/filters.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"
#include "sample_budget.hpp"

using namespace budget_exports::report;

namespace {

Category category(const char* name, std::int64_t allocated, int order) {
    Category c;
    c.name = name;
    c.allocated = Money{allocated};
    c.sort_order = order;
    return c;
}

LineItem item(const char* category, TransactionType type, std::int64_t amount) {
    LineItem i;
    i.category = category;
    i.type = type;
    i.amount = Money{amount};
    return i;
}

Milestone milestone(const char* name, std::int64_t amount, std::optional<Date> due, MilestoneStatus status) {
    Milestone m;
    m.category = "Venue";
    m.name = name;
    m.amount = Money{amount};
    m.due_date = due;
    m.status = status;
    return m;
}

}  // namespace

TEST(ReportModel, SpentComesFromTheTransactionsNotAStoredFigure) {
    Report report;
    report.header.report_date = Date{2026, 3, 14};
    report.categories = {category("Venue", 1000000, 2), category("Cake", 80000, 1), category("Flowers", 300000, 3),
                         category("Misc", 0, 4)};
    for (const LineItem& i : {item("Venue", TransactionType::expense, 1300050), item("Venue", TransactionType::refund, 50000),
                              item("Cake", TransactionType::expense, 80000), item("Flowers", TransactionType::expense, 100000),
                              item("Flowers", TransactionType::income, 999999), item("Misc", TransactionType::transfer, 5000),
                              item("Misc", TransactionType::expense, 1000), item("", TransactionType::expense, 700)})
        add_line_item(report, i);
    report.total_budget = Money{1200000};
    finalize_report(report);

    ASSERT_TRUE(report.finalized);
    ASSERT_EQ(report.categories.size(), 5u);  // + "Uncategorised" for the row without a category
    EXPECT_EQ(report.categories[0].name, "Cake");
    EXPECT_EQ(report.categories[0].status, BudgetStatus::on);
    EXPECT_EQ(report.categories[1].spent.minor_units, 1250050);  // expense - refund
    EXPECT_EQ(report.categories[1].remaining.minor_units, -250050);
    EXPECT_EQ(*report.categories[1].percent_used_basis_points, 12501);  // 125.005 % rounds half up
    EXPECT_EQ(report.categories[2].spent.minor_units, 100000);  // income is not spending
    EXPECT_EQ(format_percent(report.categories[2].percent_used_basis_points), "33.3%");
    EXPECT_EQ(report.categories[3].spent.minor_units, 1000);    // nor are transfers
    EXPECT_EQ(format_percent(report.categories[3].percent_used_basis_points), "n/a");
    EXPECT_EQ(report.categories[4].name, "Uncategorised");
    EXPECT_EQ(report.categories[4].spent.minor_units, 700);

    const BudgetTotals& b = report.budget_totals;
    EXPECT_EQ(b.basis, BudgetBasis::total_budget);
    EXPECT_EQ(b.budget.minor_units, 1200000);
    EXPECT_EQ(b.allocated.minor_units, 1380000);
    EXPECT_EQ(b.over_allocated.minor_units, 180000);
    EXPECT_EQ(b.spent.minor_units, 1431750);  // == net spent of the rows
    EXPECT_EQ(b.spent, report.line_item_totals.net_spent());
    EXPECT_EQ(b.remaining.minor_units, 1200000 - 1431750);
    EXPECT_EQ(*b.percent_used_basis_points, 11931);  // 1431750 / 1200000
    EXPECT_EQ(b.status, BudgetStatus::over);
    Money category_sum;
    for (const Category& c : report.categories) category_sum += c.spent;
    EXPECT_EQ(category_sum, b.spent);
    EXPECT_TRUE(report.scope_notes.empty());
}

TEST(ReportModel, BudgetBasisFollowsTheCategoryFilterAndSaysSo) {
    Report report;
    report.header.report_date = Date{2026, 3, 14};
    report.categories = {category("Venue", 1000000, 1)};
    finalize_report(report);
    EXPECT_EQ(report.budget_totals.basis, BudgetBasis::allocations);
    EXPECT_EQ(report.budget_totals.budget.minor_units, 1000000);
    EXPECT_EQ(budget_label(report.budget_totals.basis), "Budget (sum of allocations)");
    ASSERT_EQ(report.scope_notes.size(), 1u);

    Report filtered;
    filtered.header.report_date = Date{2026, 3, 14};
    filtered.categories = {category("Venue", 1000000, 1)};
    filtered.currency = currency_for("EUR");
    filtered.total_budget = Money{4850000};
    filtered.scope.categories = true;
    filtered.scope.dates = true;
    filtered.scope.vendors = true;
    finalize_report(filtered);
    EXPECT_EQ(filtered.budget_totals.basis, BudgetBasis::selected_allocations);
    EXPECT_EQ(filtered.budget_totals.budget.minor_units, 1000000);
    EXPECT_EQ(filtered.budget_totals.over_allocated.minor_units, 0);
    ASSERT_EQ(filtered.scope_notes.size(), 3u);
    EXPECT_NE(filtered.scope_notes[0].find("€48,500.00"), std::string::npos);
    EXPECT_NE(filtered.scope_notes[1].find("date or vendor"), std::string::npos);
    EXPECT_NE(filtered.scope_notes[2].find("not filtered by vendor"), std::string::npos);

    Report none;
    EXPECT_THROW(finalize_report(none), std::invalid_argument);  // no report date
}

TEST(ReportModel, PaymentsAreOverdueOrUpcomingByDueDateNotStoredStatus) {
    Report report;
    report.header.report_date = Date{2026, 3, 14};
    report.milestones = {
        milestone("stored scheduled, due yesterday", 100, Date{2026, 3, 13}, MilestoneStatus::scheduled),
        milestone("stored pending, due today", 200, Date{2026, 3, 14}, MilestoneStatus::pending),
        milestone("stored overdue, due next year", 400, Date{2027, 1, 10}, MilestoneStatus::overdue),
        milestone("stored overdue, due last month", 800, Date{2026, 2, 1}, MilestoneStatus::overdue),
        milestone("paid late", 1600, Date{2026, 1, 1}, MilestoneStatus::paid),
        milestone("cancelled, due long ago", 3200, Date{2025, 1, 1}, MilestoneStatus::cancelled),
        milestone("no due date", 6400, std::nullopt, MilestoneStatus::pending)};
    finalize_report(report);
    const auto state_of = [&](const std::string& name) {
        for (const Milestone& m : report.milestones)
            if (m.name == name) return m.state;
        ADD_FAILURE() << name;
        return PaymentState::cancelled;
    };
    EXPECT_EQ(state_of("stored scheduled, due yesterday"), PaymentState::overdue);
    EXPECT_EQ(state_of("stored pending, due today"), PaymentState::upcoming);
    EXPECT_EQ(state_of("stored overdue, due next year"), PaymentState::upcoming);
    EXPECT_EQ(state_of("stored overdue, due last month"), PaymentState::overdue);
    EXPECT_EQ(state_of("paid late"), PaymentState::paid);
    EXPECT_EQ(state_of("cancelled, due long ago"), PaymentState::cancelled);
    EXPECT_EQ(state_of("no due date"), PaymentState::upcoming);
    const MilestoneTotals& t = report.milestone_totals;
    EXPECT_EQ(t.overdue.minor_units, 100 + 800);
    EXPECT_EQ(t.upcoming.minor_units, 200 + 400 + 6400);
    EXPECT_EQ(t.paid.minor_units, 1600);
    EXPECT_EQ(t.cancelled.minor_units, 3200);
    EXPECT_EQ(t.total_due.minor_units, 100 + 200 + 400 + 800 + 1600 + 6400);
    EXPECT_EQ(t.outstanding, t.overdue + t.upcoming);
    EXPECT_EQ(t.overdue_count, 2);
    EXPECT_EQ(report.milestones.front().name, "cancelled, due long ago");  // due-date order, undated last
    EXPECT_EQ(report.milestones.back().name, "no due date");
}

TEST(ReportModel, TitlesAndNames) {
    ReportHeader header;
    EXPECT_EQ(report_title(header), "Wedding budget");
    header.partner2_name = "José";
    EXPECT_EQ(couple_names(header), "José");
    header.partner1_name = "Zoë";
    EXPECT_EQ(report_title(header), "Wedding budget: Zoë & José");
    header.custom_title = "Our big day";
    EXPECT_EQ(report_title(header), "Our big day");
    EXPECT_EQ(format_percent(std::optional<std::int64_t>{-44}), "-0.4%");
    EXPECT_EQ(format_percent(std::optional<std::int64_t>{8750}), "87.5%");
}

TEST(ReportModel, ParsesDatabaseWords) {
    EXPECT_EQ(parse_transaction_type("refund"), TransactionType::refund);
    EXPECT_EQ(parse_milestone_status("overdue"), MilestoneStatus::overdue);
    EXPECT_EQ(parse_page_orientation("landscape"), PageOrientation::landscape);
    EXPECT_EQ(parse_font_size("large"), FontSize::large);
    EXPECT_THROW(parse_transaction_type("gift"), std::invalid_argument);
    EXPECT_EQ(display_name(MilestoneStatus::cancelled), "Cancelled");
    EXPECT_EQ(display_name(BudgetStatus::over), "Over budget");
}

TEST(ReportModel, DescribesFilters) {
    const Currency eur = currency_for("EUR");
    EXPECT_EQ(describe_filters(ReportFilters{}, eur), "Whole budget");
    ReportFilters filters;
    filters.date_from = Date{2026, 3, 1};
    filters.date_to = Date{2026, 3, 31};
    filters.categories = {"Venue", "Catering"};
    filters.payment_status = "paid";
    EXPECT_EQ(describe_filters(filters, eur), "Venue and Catering · 1–31 March 2026 · paid only");
    filters.date_to = Date{2026, 6, 30};
    filters.categories = {"Venue", "Florist", "Cake", "Rings", "DJ"};
    filters.payment_status = "all";
    filters.min_amount = Money{5000};
    filters.vendors = {"Café Olé"};
    EXPECT_EQ(describe_filters(filters, eur),
              "Venue, Florist, Cake and 2 more categories · 1 March – 30 June 2026 · vendors Café Olé · "
              "amounts from €50.00");
    filters.date_from = Date{2025, 12, 1};
    filters.categories.clear();
    filters.vendors.clear();
    filters.max_amount = Money{123456700};
    EXPECT_EQ(describe_filters(filters, eur), "1 December 2025 – 30 June 2026 · amounts €50.00 – €1,234,567.00");
    EXPECT_EQ(format_count(1234567), "1,234,567");
    EXPECT_EQ(format_count(999), "999");
}

namespace {

// Hands out rows in batches of three, like an SPI cursor fetch.
class ThreeAtATime : public BatchedLineItemSource {
public:
    explicit ThreeAtATime(int total) : total_(total) {}
    int fetches = 0;

protected:
    void fetch_batch(std::vector<LineItem>& batch) override {
        ++fetches;
        for (int i = 0; i < 3 && produced_ < total_; ++i, ++produced_) {
            LineItem item;
            item.amount = Money{produced_ + 1};
            batch.push_back(item);
        }
    }

private:
    int total_;
    int produced_ = 0;
};

}  // namespace

TEST(ReportModel, BatchedSourceYieldsEveryRowOnce) {
    ThreeAtATime source(7);
    const LineItemTotals totals = compute_line_item_totals(source);
    EXPECT_EQ(totals.count, 7);
    EXPECT_EQ(totals.expenses.minor_units, 28);
    EXPECT_EQ(source.fetches, 4);  // 3 + 3 + 1, then an empty fetch ends it
    LineItem item;
    EXPECT_FALSE(source.next(item));
    EXPECT_EQ(source.fetches, 4);
}

TEST(ReportModel, SampleReportIsConsistent) {
    const Report report = budget_exports::sample::sample_report(250);
    EXPECT_EQ(report.categories.size(), 40u);
    EXPECT_EQ(report.line_item_totals.count, 250);
    EXPECT_GE(report.budget_totals.over_budget_categories, 5);
    EXPECT_EQ(report.line_item_totals, budget_exports::sample::generated_totals(250));
}
