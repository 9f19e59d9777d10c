#include <algorithm>
#include <string>

#include "core/render/pdf/pdf_sections.hpp"

namespace budget_exports::render {
namespace {

using report::Money;
namespace colors = pdf_colors;

void wrapped_text(PageFlow& flow, const std::string& text, HPDF_Font font, double size, PdfColor color) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    for (const std::string& line : canvas.wrap(text, font, size, l.width())) {
        flow.ensure_room(size * 1.35);
        flow.advance(size * 1.35);
        canvas.text(l.left(), flow.cursor() + size * 0.3, line, font, size, color);
    }
}

struct SummaryCard {
    std::string label;
    std::string value;
    PdfColor color;
    std::string note;  // small line under the value ("over-allocated by €93,480.00")
    PdfColor note_color = colors::kMuted;
};

// Cards share one value size, the largest at which every value fits its card; when
// even a smaller size would not do, the cards go on two rows.
void draw_cards(PageFlow& flow, const std::vector<SummaryCard>& cards) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const double gap = 8;
    const double padding = 10;
    const HPDF_Font bold = canvas.fonts().bold;
    double value_size = l.body_size * 1.5;
    const auto widest_value = [&](double size) {
        double widest = 0;
        for (const SummaryCard& card : cards) widest = std::max(widest, canvas.text_width(card.value, bold, size));
        return widest;
    };
    std::size_t per_row = cards.size();
    const auto card_width = [&](std::size_t n) { return (l.width() - gap * (n - 1)) / n; };
    while (per_row > 1 && widest_value(l.body_size * 1.2) > card_width(per_row) - 2 * padding) per_row = (per_row + 1) / 2;
    const double width = card_width(per_row);
    while (widest_value(value_size) > width - 2 * padding && value_size > l.body_size) value_size -= 0.5;

    bool any_note = false;
    for (const SummaryCard& card : cards) any_note = any_note || !card.note.empty();
    const double height = l.body_size * 1.6 + value_size * 1.4 + (any_note ? l.small_size * 1.6 : 0) + 6;
    for (std::size_t first = 0; first < cards.size(); first += per_row) {
        flow.ensure_room(height + 10);
        flow.advance(6);
        const double top = flow.cursor();
        double x = l.left();
        for (std::size_t i = first; i < std::min(cards.size(), first + per_row); ++i) {
            const SummaryCard& card = cards[i];
            canvas.fill_rect(x, top - height, width, height, colors::kHeaderFill);
            canvas.fill_rect(x, top - height, 3, height, colors::kAccent);
            const double label_y = top - l.body_size * 1.3;
            canvas.cell(x + padding, label_y, width - padding - 4, card.label, canvas.fonts().regular, l.small_size,
                        Align::left, colors::kMuted);
            const double value_y = label_y - value_size * 1.25;
            canvas.number(x + padding, value_y, width - 2 * padding, card.value, bold, value_size, Align::left,
                          card.color);
            if (!card.note.empty())
                canvas.number(x + padding, value_y - l.small_size * 1.5, width - 2 * padding, card.note,
                              canvas.fonts().regular, l.small_size, Align::left, card.note_color);
            x += width + gap;
        }
        flow.advance(height);
    }
    flow.advance(6);
}

}  // namespace

void draw_heading(PageFlow& flow, const std::string& text, double keep_with_next) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const double height = l.heading_size * 2.2;
    flow.ensure_room(height + keep_with_next);
    if (flow.cursor() < l.top()) flow.advance(l.heading_size * 0.6);
    flow.advance(l.heading_size * 1.2);
    canvas.cell(l.left(), flow.cursor(), l.width(), text, canvas.fonts().bold, l.heading_size, Align::left,
                colors::kAccent);
    flow.advance(l.heading_size * 0.45);
    canvas.line(l.left(), flow.cursor(), l.right(), flow.cursor(), 0.8, colors::kAccent);
    flow.advance(l.heading_size * 0.4);
}

void draw_title_and_summary(PageFlow& flow, const report::Report& report) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const report::ReportHeader& header = report.header;
    const report::Currency& currency = report.currency;
    flow.new_page();

    wrapped_text(flow, report::report_title(header), canvas.fonts().bold, l.title_size, colors::kAccent);
    // The scope in words, right under the title.
    flow.advance(2);
    wrapped_text(flow, header.filters_summary.empty() ? std::string("Whole budget") : header.filters_summary,
                 canvas.fonts().bold, l.body_size * 1.2, colors::kText);
    const std::string couple = report::couple_names(header);
    std::string details;
    if (header.custom_title && !couple.empty()) details = couple + " · ";
    if (header.wedding_date) details += "Wedding day " + report::format_long(*header.wedding_date) + " · ";
    details += "Budget in " + currency.code;
    wrapped_text(flow, details, canvas.fonts().regular, l.body_size, colors::kText);
    std::string generated = header.generated_at.empty() ? "" : "Generated " + header.generated_at;
    if (header.report_date)
        generated += (generated.empty() ? "Payments" : " · payments") + std::string(" as of ") +
                     report::format_long(*header.report_date);
    if (!generated.empty()) wrapped_text(flow, generated, canvas.fonts().regular, l.small_size, colors::kMuted);
    flow.advance(4);

    const report::BudgetTotals& budget = report.budget_totals;
    const bool over = budget.status == report::BudgetStatus::over;
    SummaryCard allocated{"Allocated", report::format_display(budget.allocated, currency), colors::kText, "", colors::kMuted};
    if (budget.over_allocated.minor_units > 0) {
        allocated.note = "over-allocated by " + report::format_display(budget.over_allocated, currency);
        allocated.note_color = colors::kAlert;
    }
    const char* basis = budget.basis == report::BudgetBasis::total_budget ? "your total budget"
                      : budget.basis == report::BudgetBasis::allocations ? "sum of allocations (no total set)"
                                                                          : "selected categories' allocations";
    draw_cards(flow, {{"Budget", report::format_display(budget.budget, currency), colors::kText, basis, colors::kMuted},
                      allocated,
                      {"Spent", report::format_display(budget.spent, currency), colors::kText, "expenses − refunds",
                       colors::kMuted},
                      {"Remaining", report::format_display(budget.remaining, currency),
                       over ? colors::kAlert : colors::kGood, "budget − spent", colors::kMuted},
                      {"% used", report::format_percent(budget.percent_used_basis_points),
                       over ? colors::kAlert : colors::kText, "spent / budget", colors::kMuted}});
    for (const std::string& note : report.scope_notes)
        wrapped_text(flow, note, canvas.fonts().regular, l.small_size, colors::kMuted);

    const report::LineItemTotals& items = report.line_item_totals;
    std::string transactions;
    if (items.count == 0) {
        transactions = "No transactions match these filters.";
    } else {
        transactions = report::format_count(items.count) + (items.count == 1 ? " transaction" : " transactions") +
                       " · expenses " + report::format_display(items.expenses, currency) + " · refunds " +
                       report::format_display(items.refunds, currency) + " · income " +
                       report::format_display(items.income, currency) + " and transfers " +
                       report::format_display(items.transfers, currency) + " (listed, not spent)";
    }
    flow.advance(2);
    wrapped_text(flow, transactions, canvas.fonts().regular, l.body_size, colors::kText);
    if (!report.milestones.empty()) {
        const report::MilestoneTotals& m = report.milestone_totals;
        std::string payments = "Payments: " + report::format_display(m.total_due, currency) + " total due · " +
                               report::format_display(m.paid, currency) + " paid · " +
                               report::format_display(m.overdue, currency) + " overdue · " +
                               report::format_display(m.upcoming, currency) + " upcoming";
        if (m.cancelled.minor_units != 0)
            payments += " · " + report::format_display(m.cancelled, currency) + " cancelled (not counted)";
        wrapped_text(flow, payments, canvas.fonts().regular, l.body_size,
                     m.overdue.minor_units != 0 ? colors::kAlert : colors::kText);
    }
    if (budget.over_budget_categories > 0)
        wrapped_text(flow, report::format_count(budget.over_budget_categories) + " of " +
                               report::format_count(static_cast<std::int64_t>(report.categories.size())) +
                               " categories are over their allocation.",
                     canvas.fonts().regular, l.body_size, colors::kAlert);
}

}  // namespace budget_exports::render
