#include "core/render/pdf/pdf_sections.hpp"

namespace budget_exports::render {
namespace {

using report::MilestoneStatus;
namespace colors = pdf_colors;

bool is_upcoming(const report::Milestone& milestone) {
    return milestone.status == MilestoneStatus::pending || milestone.status == MilestoneStatus::scheduled ||
           milestone.status == MilestoneStatus::overdue;
}

PdfColor status_color(MilestoneStatus status) {
    return status == MilestoneStatus::overdue ? colors::kAlert
         : status == MilestoneStatus::scheduled ? colors::kInfo
                                                : colors::kMuted;
}

}  // namespace

void draw_payment_timeline(PageFlow& flow, const report::Report& report) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const HPDF_Font regular = canvas.fonts().regular;
    const HPDF_Font bold = canvas.fonts().bold;
    const double entry_height = l.row_height * 1.3;
    draw_heading(flow, "Upcoming payments", entry_height * 2);

    std::vector<const report::Milestone*> upcoming;
    std::vector<std::string> amounts;
    for (const report::Milestone& milestone : report.milestones) {
        if (!is_upcoming(milestone)) continue;
        upcoming.push_back(&milestone);
        amounts.push_back(report::format_display(milestone.amount, report.currency));
    }
    if (upcoming.empty()) {
        flow.advance(l.row_height);
        canvas.text(l.left(), flow.cursor(), "No upcoming payments.", regular, l.body_size, colors::kMuted);
        return;
    }

    const double date_width = column_width_for(canvas, bold, l.body_size, "", {"28 September 2026", "No due date"});
    const double amount_width = column_width_for(canvas, bold, l.body_size, "", amounts);
    const double status_width = column_width_for(canvas, regular, l.body_size, "", {"Scheduled"});
    const double line_x = l.left() + date_width + 6;
    const double text_x = line_x + 12;
    const double text_width = l.right() - amount_width - status_width - text_x - 8;

    for (std::size_t i = 0; i < upcoming.size(); ++i) {
        const report::Milestone& m = *upcoming[i];
        if (!flow.fits(entry_height)) {
            flow.new_page();
            draw_heading(flow, "Upcoming payments (continued)", entry_height);
        }
        const double top = flow.cursor();
        const double middle = top - entry_height / 2;
        const double baseline = middle - l.body_size * 0.35;
        const PdfColor color = status_color(m.status);
        // The connecting line runs to the next entry only when it stays on this page.
        const bool next_on_page = i + 1 < upcoming.size() && flow.fits(entry_height * 2);
        if (next_on_page) canvas.line(line_x, middle, line_x, middle - entry_height, 1.2, colors::kTrack);
        canvas.dot(line_x, middle, l.body_size * 0.38, color);
        canvas.cell(l.left(), baseline, date_width, m.due_date ? report::format_long(*m.due_date) : "No due date", bold,
                    l.body_size, Align::left, m.status == MilestoneStatus::overdue ? colors::kAlert : colors::kText);
        const double name_width = std::min(text_width, canvas.text_width(m.name, bold, l.body_size));
        canvas.cell(text_x, baseline, text_width, m.name, bold, l.body_size, Align::left, colors::kText);
        canvas.cell(text_x + name_width + 6, baseline, text_width - name_width - 6, m.category, regular, l.small_size,
                    Align::left, colors::kMuted);
        canvas.cell(l.right() - amount_width - status_width, baseline, status_width,
                    report::display_name(m.status), regular, l.body_size, Align::left, color);
        canvas.number(l.right() - amount_width, baseline, amount_width, amounts[i], bold, l.body_size, Align::right,
                      colors::kText);
        flow.advance(entry_height);
    }
    flow.document().check("cannot draw the payment timeline");
}

}  // namespace budget_exports::render
