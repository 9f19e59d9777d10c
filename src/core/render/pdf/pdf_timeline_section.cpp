#include <algorithm>

#include "core/render/pdf/pdf_sections.hpp"

namespace budget_exports::render {
namespace {

using report::PaymentState;
namespace colors = pdf_colors;

PdfColor state_color(PaymentState state) {
    switch (state) {
        case PaymentState::overdue: return colors::kAlert;
        case PaymentState::upcoming: return colors::kInfo;
        case PaymentState::paid: return colors::kGood;
        case PaymentState::cancelled: return colors::kMuted;
    }
    return colors::kMuted;
}

const char* group_title(PaymentState state) {
    switch (state) {
        case PaymentState::overdue: return "Overdue (due before the report date, not paid)";
        case PaymentState::upcoming: return "Upcoming (due on or after the report date)";
        case PaymentState::paid: return "Paid";
        case PaymentState::cancelled: return "Cancelled (listed, not counted)";
    }
    return "";
}

}  // namespace

void draw_payment_timeline(PageFlow& flow, const report::Report& report) {
    PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const HPDF_Font regular = canvas.fonts().regular;
    const HPDF_Font bold = canvas.fonts().bold;
    const report::Currency& currency = report.currency;
    std::string heading = "Payments";
    if (report.header.report_date) heading += " on " + report::format_long(*report.header.report_date);
    draw_heading(flow, heading, l.row_height * 3);
    if (report.milestones.empty()) {
        flow.advance(l.row_height);
        canvas.text(l.left(), flow.cursor(), "No payment milestones match.", regular, l.body_size, colors::kMuted);
        return;
    }

    std::vector<std::string> amounts;
    for (const report::Milestone& m : report.milestones) amounts.push_back(report::format_display(m.amount, currency));
    const double date_width = column_width_for(canvas, bold, l.body_size, "", {"28 September 2026", "No due date"});
    const double amount_width = column_width_for(canvas, bold, l.body_size, "", amounts);
    const double line_x = l.left() + date_width + 6;
    const double text_x = line_x + 12;
    const double text_width = l.right() - amount_width - text_x - 8;
    const bool notes = report.options.include_notes;

    for (PaymentState state : {PaymentState::overdue, PaymentState::upcoming, PaymentState::paid,
                               PaymentState::cancelled}) {
        report::Money total;
        int count = 0;
        for (const report::Milestone& m : report.milestones)
            if (m.state == state) {
                total += m.amount;
                ++count;
            }
        if (count == 0) continue;
        const PdfColor color = state_color(state);
        const double group_height = l.row_height * 1.2;
        flow.ensure_room(group_height + l.row_height * 1.3);
        flow.advance(group_height);
        const double group_baseline = flow.cursor() + l.body_size * 0.35;
        canvas.text(l.left(), group_baseline,
                    std::string(group_title(state)) + " · " + report::format_count(count), bold, l.body_size, color);
        canvas.number(l.right() - amount_width, group_baseline, amount_width, report::format_display(total, currency),
                      bold, l.body_size, Align::right, color);
        canvas.line(l.left(), flow.cursor() - 2, l.right(), flow.cursor() - 2, 0.4, colors::kTrack);
        flow.advance(2);

        for (std::size_t i = 0; i < report.milestones.size(); ++i) {
            const report::Milestone& m = report.milestones[i];
            if (m.state != state) continue;
            const std::string text = m.name + " — " + m.category;
            const std::vector<std::string> lines = canvas.wrap_lines(text, bold, l.body_size, text_width, 2);
            std::vector<std::string> note_lines;
            if (notes && !m.notes.empty()) note_lines = canvas.wrap_lines(m.notes, regular, l.small_size, text_width, 2);
            const double height = l.row_height_for(lines.size()) + note_lines.size() * l.small_size * 1.25;
            if (!flow.fits(height)) {
                flow.new_page();
                draw_heading(flow, heading + " (continued)", height);
            }
            const double top = flow.cursor();
            const double baseline = row_baseline(l, top);
            canvas.dot(line_x, baseline + l.body_size * 0.35, l.body_size * 0.32, color);
            canvas.cell(l.left(), baseline, date_width, m.due_date ? report::format_long(*m.due_date) : "No due date",
                        bold, l.body_size, Align::left, state == PaymentState::overdue ? colors::kAlert : colors::kText);
            for (std::size_t k = 0; k < lines.size(); ++k)
                canvas.text(text_x, baseline - k * l.line_height(), lines[k], k == 0 ? bold : regular, l.body_size,
                            colors::kText);
            double note_y = baseline - lines.size() * l.line_height() + l.body_size * 0.1;
            for (const std::string& line : note_lines) {
                canvas.text(text_x, note_y, line, regular, l.small_size, colors::kMuted);
                note_y -= l.small_size * 1.25;
            }
            canvas.number(l.right() - amount_width, baseline, amount_width, amounts[i], bold, l.body_size, Align::right,
                          state == PaymentState::cancelled ? colors::kMuted : colors::kText);
            flow.advance(height);
        }
    }
    flow.document().check("cannot draw the payments");
}

}  // namespace budget_exports::render
