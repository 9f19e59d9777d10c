#include <cmath>

#include "core/render/pdf/pdf_sections.hpp"
#include "core/render/utf8_text.hpp"

namespace budget_exports::render {
namespace {

using report::Money;
namespace colors = pdf_colors;

enum Column { kDate, kCategory, kDescription, kVendor, kMethod, kType, kAmount };

// Height of the heading drawn by draw_heading at the top of a page.
double heading_height(const PdfLayout& l) { return l.heading_size * (1.2 + 0.45 + 0.4); }

// The widest short date is month-dependent ("28 May" vs "28 Sep").
std::vector<std::string> date_samples() {
    std::vector<std::string> samples;
    for (int month = 1; month <= 12; ++month) samples.push_back(report::format_short(report::Date{2026, month, 28}));
    return samples;
}

}  // namespace

LineItemsSection::LineItemsSection(PageFlow& flow, const report::Report& report) : flow_(flow), report_(report) {
    const PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const HPDF_Font regular = canvas.fonts().regular;
    const report::LineItemTotals& t = report.line_item_totals;
    // Amount column: as wide as the largest total (a row rarely exceeds it; if one
    // does, PdfCanvas::number shrinks it rather than cut digits).
    std::vector<std::string> amounts;
    for (Money m : {t.expenses, t.income, t.transfers, t.refunds})
        amounts.push_back("-" + report::format_display(m, report.currency));
    columns_ = {
        {"Date", column_width_for(canvas, regular, l.body_size, "Date", date_samples()), Align::left, 0},
        {"Category", 0, Align::left, 1.0},
        {"Description", 0, Align::left, 1.6},
        {"Vendor", 0, Align::left, 1.1},
        {"Method", 0, Align::left, 0.75},
        {"Type", column_width_for(canvas, regular, l.body_size, "Type", {"Transfer"}), Align::left, 0},
        {"Amount", column_width_for(canvas, regular, l.body_size, "Amount", amounts), Align::right, 0},
    };
    fit_columns(columns_, l.width());
    // Notes get a second, smaller line under the row rather than a squeezed column.
    row_height_ = report.options.include_notes ? l.row_height + l.small_size * 1.2 : l.row_height;

    const double room = l.top() - heading_height(l) - l.row_height - l.bottom();
    rows_per_page_ = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(room / row_height_)));
    page_count_ = t.count == 0 ? 1 : static_cast<int>((t.count + rows_per_page_ - 1) / rows_per_page_);
}

void LineItemsSection::start_page(bool first) {
    flow_.new_page();
    const std::int64_t count = report_.line_item_totals.count;
    std::string title = first ? "Transactions" : "Transactions (continued)";
    if (first && count > 0) title += " (" + std::to_string(count) + ")";
    draw_heading(flow_, title, 0);
    draw_table_header(flow_.canvas(), flow_.layout(), columns_, flow_.cursor());
    flow_.advance(flow_.layout().row_height);
}

void LineItemsSection::draw_row(const report::LineItem& item, std::int64_t index) {
    PdfCanvas& canvas = flow_.canvas();
    const PdfLayout& l = flow_.layout();
    const HPDF_Font font = canvas.fonts().regular;
    const double top = flow_.cursor();
    if (index % 2 == 1) canvas.fill_rect(l.left(), top - row_height_, l.width(), row_height_, colors::kZebraFill);
    const double baseline = row_baseline(l, top);
    const auto cell = [&](Column c, std::string_view text, PdfColor color = colors::kText) {
        canvas.cell(column_left(columns_, c, l.left()) + kCellPadding, baseline, columns_[c].width - 2 * kCellPadding,
                    text, font, l.body_size, columns_[c].align, color);
    };
    cell(kDate, item.date ? report::format_short(*item.date) : "");
    cell(kCategory, item.category);
    cell(kDescription, item.description);
    cell(kVendor, item.vendor);
    cell(kMethod, item.payment_method);
    cell(kType, report::display_name(item.type), colors::kMuted);
    const bool money_back = item.type == report::TransactionType::refund || item.type == report::TransactionType::income;
    canvas.number(column_left(columns_, kAmount, l.left()) + kCellPadding, baseline,
                  columns_[kAmount].width - 2 * kCellPadding, report::format_display(item.amount, report_.currency),
                  font, l.body_size, Align::right, money_back ? colors::kGood : colors::kText);
    if (report_.options.include_notes && !item.notes.empty()) {
        const double x = column_left(columns_, kDescription, l.left()) + kCellPadding;
        canvas.cell(x, top - l.row_height - l.small_size * 0.45, l.right() - kCellPadding - x, item.notes, font,
                    l.small_size, Align::left, colors::kMuted);
    }
    flow_.advance(row_height_);
}

report::LineItemTotals LineItemsSection::draw(report::LineItemSource& items) {
    const std::int64_t expected = report_.line_item_totals.count;
    start_page(true);
    report::LineItemTotals streamed;
    report::LineItem item;
    while (items.next(item)) {
        const std::int64_t index = streamed.count;
        streamed.add(item);
        // Rows beyond the promised count are only counted, so the caller's totals
        // check reports the mismatch instead of a layout error.
        if (index >= expected) continue;
        if (index > 0 && index % rows_per_page_ == 0) {
            flow_.document().check("cannot draw transactions");
            start_page(false);
        }
        draw_row(item, index % rows_per_page_);
    }
    if (expected == 0) {
        flow_.advance(flow_.layout().row_height);
        flow_.canvas().text(flow_.layout().left(), flow_.cursor(), "No transactions match these filters.",
                            flow_.canvas().fonts().regular, flow_.layout().body_size, colors::kMuted);
    }
    flow_.document().check("cannot draw transactions");
    return streamed;
}

}  // namespace budget_exports::render
