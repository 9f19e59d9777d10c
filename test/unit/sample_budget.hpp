// Realistic sample budgets for tests, the benchmark and demos: a couple
// "Zoë Müller & José Ñúñez" paying in EUR, ~40 categories (some over budget),
// payment milestones and a deterministic stream of transactions of any length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/report/line_item_source.hpp"
#include "core/report/report.hpp"

namespace budget_exports::sample {

using namespace budget_exports::report;

// Deterministic pseudo-random numbers (same rows on every machine and run).
class SampleRandom {
public:
    explicit SampleRandom(std::uint64_t seed) : state_(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
    std::uint32_t next() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state_ >> 33);
    }
    std::uint32_t below(std::uint32_t bound) { return next() % bound; }

private:
    std::uint64_t state_;
};

inline const std::vector<std::string>& sample_category_names() {
    static const std::vector<std::string> names = {
        "Venue", "Catering", "Wedding cake", "Photography", "Videography", "Florist",
        "Wedding dress", "Suit & tailoring", "Rings", "Hair & make-up", "Live band", "DJ",
        "Ceremony officiant", "Invitations & stationery", "Decorations", "Lighting",
        "Transport", "Guest accommodation", "Honeymoon: flights", "Honeymoon: hotel",
        "Wedding favours", "Rehearsal dinner", "Bar & drinks", "Champagne toast",
        "Marriage licence", "Wedding planner", "Rentals (chairs, tables)", "Tent & marquee",
        "Photo booth", "Guest book & signage", "Bridal party gifts", "Parents' gifts",
        "Welcome bags", "After-party snacks", "Sound system", "Fireworks", "Childcare",
        "Insurance", "Alterations", "Contingency fund"};
    return names;
}

inline const std::vector<std::string>& sample_vendors() {
    static const std::vector<std::string> vendors = {
        "Château Belle-Rive", "Traiteur Lefèvre & Fils", "Pâtisserie Müller", "Studio Ñandú Fotografía",
        "Blumen Österreicher", "Atelier Zoë", "Bijouterie Dubois", "Orquesta São João", "DJ Łukasz",
        "Imprimerie Crème", "Lumière Events", "Taxis Señor Peña", "Hôtel du Lac", "Airline Iberia",
        "Café Ørsted", "Papeterie Ænigma", "Weinhaus Größer", "Fête Rentals"};
    return vendors;
}

// Transaction `index` of an endless deterministic stream (same index, same row).
inline LineItem sample_line_item(std::uint64_t index) {
    static const char* const kMethods[] = {"Credit card", "Bank transfer", "Cash", "PayPal", "Debit card"};
    static const char* const kWhat[] = {"Deposit", "Second instalment", "Final payment", "Tasting",
                                        "Extra hours", "Delivery fee", "Balance", "Deposit (50 %)"};
    SampleRandom random(index + 1);
    const auto& categories = sample_category_names();
    const auto& vendors = sample_vendors();
    LineItem item;
    item.date = Date{2025 + static_cast<int>(random.below(2)), 1 + static_cast<int>(random.below(12)),
                     1 + static_cast<int>(random.below(28))};
    item.category = categories[random.below(static_cast<std::uint32_t>(categories.size()))];
    item.vendor = vendors[random.below(static_cast<std::uint32_t>(vendors.size()))];
    item.description = std::string(kWhat[random.below(8)]) + " – " + item.vendor;
    item.payment_method = kMethods[random.below(5)];
    const std::uint32_t kind = random.below(20);
    item.type = kind < 16 ? TransactionType::expense
              : kind < 18 ? TransactionType::refund
              : kind < 19 ? TransactionType::income
                          : TransactionType::transfer;
    item.amount = Money{1000 + static_cast<std::int64_t>(random.below(500000))};  // 10.00 .. 5,009.99
    if (random.below(4) == 0) item.notes = "Confirmed by e-mail; receipt in the shared folder";
    if (random.below(3) == 0) item.tags = {"deposit", "contract signed"};
    return item;
}

// Streams `count` generated rows without holding them: the 100k-row tests use this.
class GeneratedLineItemSource : public LineItemSource {
public:
    explicit GeneratedLineItemSource(std::uint64_t count) : count_(count) {}
    bool next(LineItem& item) override {
        if (position_ == count_) return false;
        item = sample_line_item(position_++);
        return true;
    }
    bool rewind() override {
        position_ = 0;
        return true;
    }

private:
    std::uint64_t count_;
    std::uint64_t position_ = 0;
};

inline LineItemTotals generated_totals(std::uint64_t count) {
    GeneratedLineItemSource source(count);
    return compute_line_item_totals(source);
}

// A finalized sample report whose line_item_totals match GeneratedLineItemSource(line_items).
inline Report sample_report(std::uint64_t line_items = 300) {
    Report report;
    report.header.partner1_name = "Zoë Müller";
    report.header.partner2_name = "José Ñúñez";
    report.header.wedding_date = Date{2026, 9, 12};
    report.header.generated_at = "2026-03-14 09:30 UTC";
    report.header.filters_summary = "Whole budget";
    report.header.report_date = Date{2026, 3, 14};  // explicit, so tests never depend on the clock
    report.total_budget = Money{48500000};          // €485,000.00, not the sum of the allocations
    report.currency = currency_for("EUR");
    report.options.include_notes = true;

    SampleRandom random(42);
    const auto& names = sample_category_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        Category category;
        category.name = names[i];
        category.sort_order = static_cast<int>(i);
        category.allocated = Money{(50 + static_cast<std::int64_t>(random.below(1200))) * 1000};
        report.categories.push_back(category);
    }

    static const char* const kMilestones[] = {"Deposit", "Second instalment", "Final balance"};
    static const MilestoneStatus kStatuses[] = {MilestoneStatus::paid, MilestoneStatus::scheduled,
                                                MilestoneStatus::pending, MilestoneStatus::overdue,
                                                MilestoneStatus::cancelled};
    for (int i = 0; i < 24; ++i) {
        Milestone milestone;
        milestone.category = names[(i * 7) % names.size()];
        milestone.name = std::string(kMilestones[i % 3]) + " – " + milestone.category;
        milestone.amount = Money{(200 + static_cast<std::int64_t>(random.below(4000))) * 100 + 50};
        milestone.due_date = Date{2026, 1 + (i * 5) % 9, 1 + (i * 3) % 28};
        milestone.status = kStatuses[i % 5];
        if (milestone.status == MilestoneStatus::paid) milestone.paid_date = Date{2026, 1 + (i * 5) % 9, 1};
        if (i % 4 == 1) milestone.notes = "Reminder set for the week before";
        report.milestones.push_back(milestone);
    }

    GeneratedLineItemSource rows(line_items);
    add_line_items(report, rows);  // totals and per-category spending of the same rows
    finalize_report(report);
    return report;
}

}  // namespace budget_exports::sample
