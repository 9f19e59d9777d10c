#include <gtest/gtest.h>

#include "core/report/filters.hpp"
#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"
#include "sample_budget.hpp"

using namespace budget_exports::report;

namespace {

Category category(const char* name, std::int64_t allocated, std::int64_t spent, int order) {
    Category c;
    c.name = name;
    c.allocated = Money{allocated};
    c.spent = Money{spent};
    c.sort_order = order;
    return c;
}

}  // namespace

TEST(ReportModel, FinalizeDerivesCategoryFiguresAndTotals) {
    Report report;
    report.categories = {category("Venue", 1000000, 1250050, 2), category("Cake", 80000, 80000, 1),
                         category("Flowers", 300000, 100000, 3), category("Misc", 0, 1000, 4)};
    report.milestones = {Milestone{"Venue", "Deposit", Money{50000}, Date{2026, 5, 1}, MilestoneStatus::paid, {}},
                         Milestone{"Venue", "Balance", Money{70000}, Date{2026, 2, 1}, MilestoneStatus::overdue, {}},
                         Milestone{"Cake", "Cancelled", Money{9999}, std::nullopt, MilestoneStatus::cancelled, {}}};
    finalize_report(report);

    ASSERT_TRUE(report.finalized);
    EXPECT_EQ(report.categories[0].name, "Cake");
    EXPECT_EQ(report.categories[0].status, BudgetStatus::on);
    EXPECT_EQ(report.categories[1].status, BudgetStatus::over);
    EXPECT_EQ(report.categories[1].remaining.minor_units, -250050);
    EXPECT_EQ(*report.categories[1].percent_used_basis_points, 12501);  // 125.005 % rounds half up
    EXPECT_EQ(report.categories[2].status, BudgetStatus::under);
    EXPECT_EQ(format_percent(report.categories[2].percent_used_basis_points), "33.3%");
    EXPECT_FALSE(report.categories[3].percent_used_basis_points.has_value());
    EXPECT_EQ(format_percent(report.categories[3].percent_used_basis_points), "n/a");

    EXPECT_EQ(report.budget_totals.allocated.minor_units, 1380000);
    EXPECT_EQ(report.budget_totals.spent.minor_units, 1431050);
    EXPECT_EQ(report.budget_totals.remaining.minor_units, -51050);
    EXPECT_EQ(report.budget_totals.over_budget_categories, 2);
    EXPECT_EQ(report.milestones[0].name, "Balance");  // sorted by due date, undated last
    EXPECT_EQ(report.milestones[2].name, "Cancelled");
    EXPECT_EQ(report.milestone_totals.scheduled.minor_units, 120000);
    EXPECT_EQ(report.milestone_totals.paid.minor_units, 50000);
    EXPECT_EQ(report.milestone_totals.outstanding.minor_units, 70000);
    EXPECT_EQ(report.milestone_totals.overdue.minor_units, 70000);
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
    EXPECT_EQ(describe_filters(ReportFilters{}, eur), "All transactions");
    ReportFilters filters;
    filters.date_from = Date{2026, 1, 1};
    filters.date_to = Date{2026, 6, 30};
    filters.categories = {"Venue", "Florist"};
    filters.types = {TransactionType::expense, TransactionType::refund};
    filters.min_amount = Money{5000};
    EXPECT_EQ(describe_filters(filters, eur),
              "From 1 Jan 2026 to 30 Jun 2026; categories: Venue, Florist; types: expense, refund; amount ≥ €50.00");
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
