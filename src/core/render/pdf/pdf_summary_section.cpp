#include "core/render/pdf/pdf_sections.hpp"

#include <string>

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
};

void draw_cards(PageFlow& flow, const std::vector<SummaryCard>& cards) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const double gap = 8;
    const double height = l.body_size * 4.2;
    const double width = (l.width() - gap * (cards.size() - 1)) / cards.size();
    flow.ensure_room(height + 10);
    flow.advance(6);
    const double top = flow.cursor();
    double x = l.left();
    for (const SummaryCard& card : cards) {
        canvas.fill_rect(x, top - height, width, height, colors::kHeaderFill);
        canvas.fill_rect(x, top - height, 3, height, colors::kAccent);
        canvas.cell(x + 10, top - l.body_size * 1.5, width - 16, card.label, canvas.fonts().regular, l.small_size,
                    Align::left, colors::kMuted);
        canvas.number(x + 10, top - l.body_size * 3.3, width - 16, card.value, canvas.fonts().bold,
                      l.body_size * 1.5, Align::left, card.color);
        x += width + gap;
    }
    flow.advance(height + 6);
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
    const std::string couple = report::couple_names(header);
    std::string details;
    if (header.custom_title && !couple.empty()) details = couple + " · ";
    if (header.wedding_date) details += "Wedding day " + report::format_long(*header.wedding_date) + " · ";
    details += "Budget in " + currency.code;
    flow.advance(4);
    wrapped_text(flow, details, canvas.fonts().regular, l.body_size * 1.15, colors::kText);
    std::string generated = header.generated_at.empty() ? "" : "Generated " + header.generated_at + " · ";
    generated += "Filters: " + (header.filters_summary.empty() ? std::string("All transactions") : header.filters_summary);
    wrapped_text(flow, generated, canvas.fonts().regular, l.small_size, colors::kMuted);
    flow.advance(6);

    const report::BudgetTotals& budget = report.budget_totals;
    const bool over = budget.status == report::BudgetStatus::over;
    draw_cards(flow, {{"Total budget", report::format_display(budget.allocated, currency), colors::kText},
                      {"Spent", report::format_display(budget.spent, currency), colors::kText},
                      {"Remaining", report::format_display(budget.remaining, currency),
                       over ? colors::kAlert : colors::kGood},
                      {"Used", report::format_percent(budget.percent_used_basis_points),
                       over ? colors::kAlert : colors::kText}});

    const report::LineItemTotals& items = report.line_item_totals;
    std::string transactions;
    if (items.count == 0) {
        transactions = "No transactions match these filters.";
    } else {
        transactions = std::to_string(items.count) + (items.count == 1 ? " transaction" : " transactions") +
                       " · Expenses " + report::format_display(items.expenses, currency) + " · Refunds " +
                       report::format_display(items.refunds, currency) + " · Income " +
                       report::format_display(items.income, currency) + " · Transfers " +
                       report::format_display(items.transfers, currency);
    }
    wrapped_text(flow, transactions, canvas.fonts().regular, l.body_size, colors::kText);
    if (!report.milestones.empty()) {
        const report::MilestoneTotals& m = report.milestone_totals;
        std::string payments = "Payments: " + report::format_display(m.scheduled, currency) + " scheduled, " +
                               report::format_display(m.paid, currency) + " paid, " +
                               report::format_display(m.outstanding, currency) + " outstanding";
        if (m.overdue.minor_units != 0) payments += " (" + report::format_display(m.overdue, currency) + " overdue)";
        wrapped_text(flow, payments, canvas.fonts().regular, l.body_size, colors::kText);
    }
    if (budget.over_budget_categories > 0)
        wrapped_text(flow, std::to_string(budget.over_budget_categories) + " of " +
                               std::to_string(report.categories.size()) + " categories are over budget.",
                     canvas.fonts().regular, l.body_size, colors::kAlert);
}

}  // namespace budget_exports::render
