#include <algorithm>
#include <cmath>
#include <set>

#include "core/render/pdf/pdf_sections.hpp"
#include "core/render/render_error.hpp"
#include "core/render/utf8_text.hpp"

namespace budget_exports::render {
namespace {

using report::Money;
namespace colors = pdf_colors;

enum Column { kDate, kCategory, kDescription, kVendor, kMethod, kType, kAmount };
constexpr Column kWrapped[] = {kCategory, kDescription, kVendor, kMethod};
constexpr std::size_t kMaxDistinct = 5000;  // beyond this, a column's wrap width is estimated

// The widest short date is month-dependent ("28 May" vs "28 Sep").
std::vector<std::string> date_samples() {
    std::vector<std::string> samples;
    for (int month = 1; month <= 12; ++month) samples.push_back(report::format_short(report::Date{2026, month, 28}));
    return samples;
}

const std::string& wrapped_text(const report::LineItem& item, Column column) {
    switch (column) {
        case kCategory: return item.category;
        case kDescription: return item.description;
        case kVendor: return item.vendor;
        default: return item.payment_method;
    }
}

// Height of the heading draw_heading() puts above the table.
double heading_advance(const PdfLayout& l, bool at_top) {
    return (at_top ? 0 : l.heading_size * 0.6) + l.heading_size * (1.2 + 0.45 + 0.4);
}

}  // namespace

// What the first pass learns about one wrapped column.
struct LineItemsSection::Measure {
    double natural = 0;  // widest text on one line (points, no padding)
    double word = 0;     // widest word
    std::set<std::string> distinct;
    bool too_many = false;
};

LineItemsSection::LineItemsSection(PageFlow& flow, const report::Report& report, ReplayableItems& items)
    : flow_(flow), report_(report), items_(items) {
    const PdfCanvas& canvas = flow.canvas();
    const PdfLayout& l = flow.layout();
    const HPDF_Font regular = canvas.fonts().regular;
    const HPDF_Font bold = canvas.fonts().bold;
    columns_ = {
        {"Date", column_width_for(canvas, regular, l.body_size, "Date", date_samples()), Align::left, 0},
        {"Category", 0, Align::left, 0},
        {"Description", 0, Align::left, 0},
        {"Vendor", 0, Align::left, 0},
        {"Method", 0, Align::left, 0},
        {"Type", column_width_for(canvas, regular, l.body_size, "Type", {"Transfer", "Expense", "Refund", "Income"}),
         Align::left, 0},
        {"Amount", 0, Align::right, 0},
    };

    // Pass 1: how wide every column's content is.
    Measure measures[4];
    for (std::size_t i = 0; i < 4; ++i) {
        const std::string& title = columns_[kWrapped[i]].title;
        measures[i].natural = measures[i].word = canvas.text_width(title, bold, l.body_size);
    }
    double amount = canvas.text_width(report::format_display(report.line_item_totals.net_spent(), report.currency),
                                      bold, l.body_size);
    amount = std::max(amount, canvas.text_width("Amount", bold, l.body_size));
    report::LineItem item;
    while (items_.items().next(item)) {
        for (std::size_t i = 0; i < 4; ++i) {
            std::string text = clean_line(wrapped_text(item, kWrapped[i]));
            Measure& m = measures[i];
            if (!m.too_many) {
                const auto [where, added] = m.distinct.insert(std::move(text));
                if (!added) continue;  // measured already
                text = *where;
                if (m.distinct.size() > kMaxDistinct) {
                    m.too_many = true;
                    m.distinct.clear();
                }
            }
            const double width = canvas.text_width(text, regular, l.body_size);
            m.natural = std::max(m.natural, width);
            if (width > m.word) m.word = std::max(m.word, canvas.widest_word(text, regular, l.body_size));
        }
        amount = std::max(amount, canvas.text_width(report::format_display(item.amount, report.currency), regular,
                                                    l.body_size));
    }
    items_.rewind();
    columns_[kAmount].width = amount + 2 * kCellPadding + 1;
    size_columns(measures);

    // Pass 2: where every row lands, so "Page n of m" is known before drawing.
    added_pages_ = run(false, nullptr);
    items_.rewind();
}

// Narrowest width (no padding) at which every value of a column fits on two lines.
static double two_line_width(const PdfCanvas& canvas, const PdfLayout& l, const std::set<std::string>& values,
                             double low, double high) {
    const HPDF_Font regular = canvas.fonts().regular;
    const auto fits = [&](double width) {
        for (const std::string& value : values)
            if (canvas.text_width(value, regular, l.body_size) > width &&
                canvas.wrap(value, regular, l.body_size, width).size() > 2)
                return false;
        return true;
    };
    if (fits(low)) return low;
    for (int step = 0; step < 14 && high - low > 0.5; ++step) {
        const double middle = (low + high) / 2;
        if (fits(middle))
            high = middle;
        else
            low = middle;
    }
    return high;
}

void LineItemsSection::size_columns(Measure (&measures)[4]) {
    const PdfCanvas& canvas = flow_.canvas();
    const PdfLayout& l = flow_.layout();
    const double pad = 2 * kCellPadding + 1;
    const double fixed = columns_[kDate].width + columns_[kType].width + columns_[kAmount].width;
    const double room = l.width() - fixed;
    // Category, vendor and method on one line if they can, else on two; the
    // description takes the rest (it wraps, and only a very long one is shortened).
    double natural[4], narrow[4];
    for (std::size_t i = 0; i < 4; ++i) {
        natural[i] = measures[i].natural + pad;
        if (kWrapped[i] == kDescription)  // may end in "…" on its second line: the rest is for names
            narrow[i] = std::max(measures[i].word, measures[i].natural * 0.35) + pad;
        else if (measures[i].too_many)
            narrow[i] = std::max(measures[i].word, measures[i].natural * 0.6) + pad;
        else
            narrow[i] = two_line_width(canvas, l, measures[i].distinct, measures[i].word, measures[i].natural) + pad;
        narrow[i] = std::min(narrow[i], natural[i]);
    }
    const std::size_t description = 1;
    // The description would like two lines for every row too.
    const double description_two_lines =
        measures[description].too_many
            ? std::max(measures[description].word, measures[description].natural * 0.56) + pad
            : two_line_width(canvas, l, measures[description].distinct, measures[description].word,
                             measures[description].natural) + pad;
    const double description_wanted =
        std::min(natural[description], std::max({narrow[description], description_two_lines, room * 0.3}));
    double widths[4];
    for (std::size_t i = 0; i < 4; ++i) widths[i] = natural[i];
    const auto others = [&] { return widths[0] + widths[2] + widths[3]; };
    // Shrink the columns that gain most from a second line first.
    while (others() + description_wanted > room) {
        std::size_t best = 4;
        double best_saving = 0.5;
        for (std::size_t i : {0u, 2u, 3u})
            if (widths[i] - narrow[i] > best_saving) {
                best = i;
                best_saving = widths[i] - narrow[i];
            }
        if (best == 4) break;
        widths[best] = narrow[best];
    }
    widths[description] = room - others();
    if (widths[description] < measures[description].word + pad) {
        // Pathological text: share the room in proportion (some text gets "…").
        const double total = narrow[0] + narrow[1] + narrow[2] + narrow[3];
        for (std::size_t i = 0; i < 4; ++i) widths[i] = room * narrow[i] / total;
    }
    for (std::size_t i = 0; i < 4; ++i) columns_[kWrapped[i]].width = widths[i];
}

LineItemsSection::Shape LineItemsSection::shape(const report::LineItem& item) const {
    const PdfCanvas& canvas = flow_.canvas();
    const PdfLayout& l = flow_.layout();
    const HPDF_Font regular = canvas.fonts().regular;
    Shape shape;
    std::size_t lines = 1;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::string& text = wrapped_text(item, kWrapped[i]);
        const auto known = wrapped_[i].find(text);
        if (known != wrapped_[i].end()) {
            shape.cells[i] = known->second;
        } else {
            shape.cells[i] =
                canvas.wrap_lines(text, regular, l.body_size, columns_[kWrapped[i]].width - 2 * kCellPadding, 2);
            if (wrapped_[i].size() < kMaxDistinct) wrapped_[i].emplace(text, shape.cells[i]);
        }
        lines = std::max(lines, shape.cells[i].size());
    }
    shape.height = l.row_height_for(lines);
    if (report_.options.include_notes && !item.notes.empty()) {
        const double x = column_left(columns_, kDescription, l.left()) + kCellPadding;
        shape.notes = canvas.wrap_lines(item.notes, regular, l.small_size, l.right() - kCellPadding - x, 2);
        shape.height += shape.notes.size() * l.small_size * 1.25;
    }
    return shape;
}

int LineItemsSection::run(bool drawing, report::LineItemTotals* streamed) {
    const PdfLayout& l = flow_.layout();
    const std::int64_t expected = report_.line_item_totals.count;
    double cursor = flow_.cursor();
    bool at_top = !(cursor < l.top());
    int pages = 0;
    std::int64_t row_on_page = 0;

    const auto new_page = [&] {
        ++pages;
        if (drawing) flow_.new_page();
        cursor = l.top();
        at_top = true;
        row_on_page = 0;
    };
    const auto heading = [&](bool first) {
        if (drawing) {
            std::string title = first ? "Transactions" : "Transactions (continued)";
            if (first && expected > 0) title += " (" + report::format_count(expected) + ")";
            draw_heading(flow_, title, 0);
            draw_table_header(flow_.canvas(), l, columns_, flow_.cursor());
            flow_.advance(l.row_height);
        }
        cursor -= heading_advance(l, at_top) + l.row_height;
        at_top = false;
    };
    const auto room_for = [&](double height) { return cursor - height >= l.bottom(); };

    report::LineItem item;
    std::int64_t index = 0;
    bool started = false;
    while (items_.items().next(item)) {
        if (streamed) streamed->add(item);
        // Rows beyond the promised count are only counted, so the caller's totals
        // check reports the mismatch instead of a layout error.
        if (index++ >= expected) continue;
        const Shape row = shape(item);
        if (!started) {
            if (!room_for(heading_advance(l, at_top) + l.row_height + row.height)) new_page();
            heading(true);
            started = true;
        } else if (!room_for(row.height)) {
            if (drawing) flow_.document().check("cannot draw transactions");
            new_page();
            heading(false);
        }
        if (drawing) draw_row(item, row, row_on_page);
        cursor -= row.height;
        ++row_on_page;
    }
    if (!started) {  // no rows: the heading and one line saying so
        if (!room_for(heading_advance(l, at_top) + 2 * l.row_height)) new_page();
        heading(true);
        if (drawing) {
            flow_.advance(l.row_height);
            flow_.canvas().text(l.left(), flow_.cursor(), "No transactions match these filters.",
                                flow_.canvas().fonts().regular, l.body_size, colors::kMuted);
        }
        cursor -= l.row_height;
        return pages;
    }
    // The total row closes the table (with the header repeated if it needs a new page).
    if (!room_for(l.row_height)) {
        new_page();
        heading(false);
    }
    if (drawing) draw_total_row();
    cursor -= l.row_height;
    if (drawing && std::abs(cursor - flow_.cursor()) > 0.01)
        throw RenderError("PDF: internal layout error in the transaction table");
    return pages;
}

void LineItemsSection::draw_row(const report::LineItem& item, const Shape& row, std::int64_t index) {
    PdfCanvas& canvas = flow_.canvas();
    const PdfLayout& l = flow_.layout();
    const HPDF_Font font = canvas.fonts().regular;
    const double top = flow_.cursor();
    if (index % 2 == 1) canvas.fill_rect(l.left(), top - row.height, l.width(), row.height, colors::kZebraFill);
    const double baseline = row_baseline(l, top);
    const auto x = [&](Column c) { return column_left(columns_, c, l.left()) + kCellPadding; };
    canvas.text(x(kDate), baseline, item.date ? report::format_short(*item.date) : "", font, l.body_size,
                colors::kText);
    std::size_t lines = 1;
    for (std::size_t i = 0; i < 4; ++i) {
        lines = std::max(lines, row.cells[i].size());
        for (std::size_t k = 0; k < row.cells[i].size(); ++k)
            canvas.text(x(kWrapped[i]), baseline - k * l.line_height(), row.cells[i][k], font, l.body_size,
                        colors::kText);
    }
    canvas.cell(x(kType), baseline, columns_[kType].width - 2 * kCellPadding, report::display_name(item.type), font,
                l.body_size, Align::left, colors::kMuted);
    const bool money_back = item.type == report::TransactionType::refund;
    const bool not_spent = item.type == report::TransactionType::income || item.type == report::TransactionType::transfer;
    canvas.number(x(kAmount), baseline, columns_[kAmount].width - 2 * kCellPadding,
                  report::format_display(item.amount, report_.currency), font, l.body_size, Align::right,
                  money_back ? colors::kGood : not_spent ? colors::kMuted : colors::kText);
    double note_y = baseline - lines * l.line_height() + l.body_size * 0.15;
    for (const std::string& line : row.notes) {
        canvas.text(x(kDescription), note_y, line, font, l.small_size, colors::kMuted);
        note_y -= l.small_size * 1.25;
    }
    flow_.advance(row.height);
}

void LineItemsSection::draw_total_row() {
    PdfCanvas& canvas = flow_.canvas();
    const PdfLayout& l = flow_.layout();
    const HPDF_Font bold = canvas.fonts().bold;
    const double top = flow_.cursor();
    canvas.line(l.left(), top, l.right(), top, 0.8, colors::kText);
    const double baseline = row_baseline(l, top);
    const double label_x = column_left(columns_, kCategory, l.left()) + kCellPadding;
    const double amount_x = column_left(columns_, kAmount, l.left()) + kCellPadding;
    canvas.cell(label_x, baseline, amount_x - label_x - kCellPadding,
                "Spent: expenses − refunds (income and transfers not counted)", bold, l.body_size, Align::left,
                colors::kText);
    canvas.number(amount_x, baseline, columns_[kAmount].width - 2 * kCellPadding,
                  report::format_display(report_.line_item_totals.net_spent(), report_.currency), bold, l.body_size,
                  Align::right, colors::kText);
    flow_.advance(l.row_height);
}

report::LineItemTotals LineItemsSection::draw() {
    report::LineItemTotals streamed;
    run(true, &streamed);
    flow_.document().check("cannot draw transactions");
    return streamed;
}

}  // namespace budget_exports::render
