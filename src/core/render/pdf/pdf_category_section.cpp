#include <algorithm>

#include "core/render/pdf/pdf_sections.hpp"

namespace budget_exports::render {
namespace {

using report::BudgetStatus;
using report::Money;
namespace colors = pdf_colors;

enum Column { kName, kAllocated, kSpent, kRemaining, kUsed, kStatus, kChart };

std::vector<PdfColumn> category_columns(const PdfCanvas& canvas, const PdfLayout& l, const report::Report& report) {
    std::vector<std::string> amounts;
    const report::Currency& currency = report.currency;
    for (const report::Category& c : report.categories)
        for (Money m : {c.allocated, c.spent, c.remaining}) amounts.push_back(report::format_display(m, currency));
    const report::BudgetTotals& t = report.budget_totals;
    for (Money m : {t.allocated, t.spent, t.allocated - t.spent}) amounts.push_back(report::format_display(m, currency));
    const HPDF_Font bold = canvas.fonts().bold;  // totals row is bold: measure with it
    const double money = column_width_for(canvas, bold, l.body_size, "Remaining", amounts);

    std::vector<PdfColumn> columns = {
        {"Category", 0, Align::left, 0},
        {"Allocated", money, Align::right, 0},
        {"Spent", money, Align::right, 0},
        {"Remaining", money, Align::right, 0},
        {"Used", column_width_for(canvas, bold, l.body_size, "Used", {"1000.0%"}), Align::right, 0},
        {"Status", column_width_for(canvas, bold, l.body_size, "Status", {"Over"}), Align::left, 0},
    };
    // The name column: one line for every name if there is room, else two; the chart
    // (when asked for) takes what is left, and is left out when that is too narrow.
    const HPDF_Font regular = canvas.fonts().regular;
    double natural = canvas.text_width("Category", bold, l.body_size), word = natural;
    for (const report::Category& c : report.categories) {
        natural = std::max(natural, canvas.text_width(c.name, regular, l.body_size));
        word = std::max(word, canvas.widest_word(c.name, regular, l.body_size));
    }
    natural = std::max(natural, canvas.text_width("Total", bold, l.body_size));
    double two_lines = word;
    for (const report::Category& c : report.categories)
        while (canvas.text_width(c.name, regular, l.body_size) > two_lines &&
               canvas.wrap(c.name, regular, l.body_size, two_lines).size() > 2)
            two_lines += 2;
    const double pad = 2 * kCellPadding + 1;
    double fixed = 0;
    for (std::size_t i = 1; i < columns.size(); ++i) fixed += columns[i].width;
    const double room = l.width() - fixed;
    constexpr double kChartMin = 60;
    if (report.options.include_charts && room - (two_lines + pad) >= kChartMin) {
        columns[0].width = std::max(two_lines + pad, std::min(natural + pad, room - kChartMin));
        columns.push_back({"", room - columns[0].width, Align::left, 0});  // the legend names it
    } else {
        columns[0].width = room;
    }
    return columns;
}

// Allocated as a grey track, spent as a coloured bar over it, on one shared scale.
void draw_bar(PdfCanvas& canvas, const PdfLayout& l, double x, double row_top, double width, Money allocated,
              Money spent, double scale) {
    if (scale <= 0) return;
    const double track_height = l.row_height * 0.5;
    const double bar_height = l.row_height * 0.26;
    const double middle = row_top - l.row_height / 2;
    const double allocated_width = std::max(0.0, allocated.minor_units / scale * width);
    const double spent_width = std::clamp(spent.minor_units / scale * width, 0.0, width);
    if (allocated_width > 0) canvas.fill_rect(x, middle - track_height / 2, allocated_width, track_height, colors::kTrack);
    const double used = allocated.minor_units > 0 ? static_cast<double>(spent.minor_units) / allocated.minor_units : 2;
    const PdfColor color = used > 1.0 ? colors::kAlert : used > 0.9 ? colors::kWarn : colors::kGood;
    if (spent_width > 0) canvas.fill_rect(x, middle - bar_height / 2, spent_width, bar_height, color);
}

void draw_legend(PdfCanvas& canvas, const PdfLayout& l, double y) {
    double x = l.right();
    const std::pair<const char*, PdfColor> entries[] = {
        {"Over budget", colors::kAlert}, {"Spent", colors::kGood}, {"Allocated", colors::kTrack}};
    for (const auto& [label, color] : entries) {
        x -= canvas.text_width(label, canvas.fonts().regular, l.small_size);
        canvas.text(x, y, label, canvas.fonts().regular, l.small_size, colors::kMuted);
        x -= l.small_size + 3;
        canvas.fill_rect(x, y - 0.5, l.small_size, l.small_size * 0.8, color);
        x -= 12;
    }
}

}  // namespace

void draw_category_table(PageFlow& flow, const report::Report& report) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const report::Currency& currency = report.currency;
    draw_heading(flow, "Budget by category", l.row_height * 3);
    if (report.categories.empty()) {
        flow.advance(l.row_height);
        canvas.text(l.left(), flow.cursor(), "No budget categories yet.", canvas.fonts().regular, l.body_size,
                    colors::kMuted);
        return;
    }
    const std::vector<PdfColumn> columns = category_columns(canvas, l, report);
    double scale = 0;
    for (const report::Category& c : report.categories)
        scale = std::max({scale, static_cast<double>(c.allocated.minor_units), static_cast<double>(c.spent.minor_units)});

    const bool chart = columns.size() > kChart;
    if (chart) {
        draw_legend(canvas, l, flow.cursor() - l.small_size);
        flow.advance(l.small_size * 1.6);
    }
    draw_table_header(canvas, l, columns, flow.cursor());
    flow.advance(l.row_height);

    const auto draw_row = [&](const std::string& name, Money allocated, Money spent, Money remaining,
                              const std::optional<std::int64_t>& used, BudgetStatus status, bool total,
                              std::size_t index) {
        const HPDF_Font font = total ? canvas.fonts().bold : canvas.fonts().regular;
        const double name_width = columns[kName].width - 2 * kCellPadding;
        const std::vector<std::string> lines = canvas.wrap_lines(name, font, l.body_size, name_width, 2);
        const double height = l.row_height_for(lines.size());
        if (!flow.fits(height)) {
            flow.new_page();
            draw_table_header(canvas, l, columns, flow.cursor());
            flow.advance(l.row_height);
        }
        const double top = flow.cursor();
        const bool over = status == BudgetStatus::over;
        if (over && !total)
            canvas.fill_rect(l.left(), top - height, l.width(), height, colors::kAlertFill);
        else if (index % 2 == 1)
            canvas.fill_rect(l.left(), top - height, l.width(), height, colors::kZebraFill);
        if (total) canvas.line(l.left(), top, l.right(), top, 0.8, colors::kText);
        const double baseline = row_baseline(l, top);
        const auto x = [&](Column c) { return column_left(columns, c, l.left()) + kCellPadding; };
        const auto w = [&](Column c) { return columns[c].width - 2 * kCellPadding; };
        for (std::size_t i = 0; i < lines.size(); ++i)
            canvas.text(x(kName), baseline - i * l.line_height(), lines[i], font, l.body_size, colors::kText);
        canvas.number(x(kAllocated), baseline, w(kAllocated), report::format_display(allocated, currency), font,
                      l.body_size, Align::right, colors::kText);
        canvas.number(x(kSpent), baseline, w(kSpent), report::format_display(spent, currency), font, l.body_size,
                      Align::right, colors::kText);
        canvas.number(x(kRemaining), baseline, w(kRemaining), report::format_display(remaining, currency), font,
                      l.body_size, Align::right, remaining.minor_units < 0 ? colors::kAlert : colors::kText);
        canvas.number(x(kUsed), baseline, w(kUsed), report::format_percent(used), font, l.body_size, Align::right,
                      over ? colors::kAlert : colors::kText);
        if (!total) {
            const char* status_word = status == BudgetStatus::over ? "Over" : status == BudgetStatus::on ? "On" : "Under";
            canvas.cell(x(kStatus), baseline, w(kStatus), status_word, font, l.body_size, Align::left,
                        over ? colors::kAlert : status == BudgetStatus::on ? colors::kWarn : colors::kGood);
        }
        if (chart && !total)
            draw_bar(canvas, l, x(kChart), top, w(kChart), allocated, spent, scale);
        flow.advance(height);
    };

    std::size_t index = 0;
    for (const report::Category& c : report.categories)
        draw_row(c.name, c.allocated, c.spent, c.remaining, c.percent_used_basis_points, c.status, false, index++);
    // Totals of the table's own columns: allocations against the spending in scope.
    const report::BudgetTotals& t = report.budget_totals;
    const Money remaining = t.allocated - t.spent;
    draw_row("Total", t.allocated, t.spent, remaining, report::percent_of(t.spent, t.allocated),
             t.spent > t.allocated ? BudgetStatus::over : BudgetStatus::under, true, 0);
    flow.document().check("cannot draw the category table");
}

}  // namespace budget_exports::render
