#include "core/render/csv/csv_renderer.hpp"

#include "core/render/csv/csv_writer.hpp"
#include "core/render/line_item_check.hpp"
#include "core/render/output_file_guard.hpp"
#include "core/render/utf8_text.hpp"

namespace budget_exports::render {

void render_csv(const report::Report& report, report::LineItemSource& items, const std::string& path,
                const CsvOptions& options) {
    require_finalized(report, "CSV");
    OutputFileGuard guard(path);
    CsvWriter csv(path);
    const bool notes = report.options.include_notes;
    const int digits = report.currency.minor_digits;

    if (options.byte_order_mark) csv.byte_order_mark();
    // "Amount" as recorded; "Spent" what the row adds to the report's Spent (expense +,
    // refund -, income and transfers 0): SUM of that column is Spent.
    for (const char* title : {"Date", "Category", "Description", "Vendor", "Payment method", "Type", "Amount",
                              "Spent", "Currency"})
        csv.text_cell(title);
    if (notes) csv.text_cell("Notes");
    csv.text_cell("Tags");
    csv.end_row();

    report::LineItemTotals streamed;
    report::LineItem item;
    while (items.next(item)) {
        streamed.add(item);
        csv.number_cell(item.date ? report::format_iso(*item.date) : "");
        csv.text_cell(item.category);
        csv.text_cell(item.description);
        csv.text_cell(item.vendor);
        csv.text_cell(item.payment_method);
        csv.number_cell(report::to_string(item.type));
        csv.number_cell(report::format_plain(item.amount, digits));
        csv.number_cell(report::format_plain(report::spent_contribution(item), digits));
        csv.text_cell(report.currency.code);
        if (notes) csv.text_cell(item.notes);
        csv.text_cell(join_tags(item.tags));
        csv.end_row();
    }
    require_matching_totals(report, streamed, "CSV");
    csv.close();
    guard.keep();
}

}  // namespace budget_exports::render
