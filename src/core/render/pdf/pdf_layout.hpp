// Page geometry and type sizes for one PDF, derived from the report options.
#pragma once

#include <cstddef>

#include "core/report/report.hpp"

namespace budget_exports::render {

struct PdfColor {
    float r, g, b;
};

namespace pdf_colors {
inline constexpr PdfColor kText{0.13f, 0.13f, 0.15f};
inline constexpr PdfColor kMuted{0.42f, 0.42f, 0.46f};
inline constexpr PdfColor kAccent{0.55f, 0.27f, 0.42f};   // headings, rules
inline constexpr PdfColor kHeaderFill{0.93f, 0.90f, 0.92f};
inline constexpr PdfColor kZebraFill{0.97f, 0.97f, 0.97f};
inline constexpr PdfColor kAlertFill{0.99f, 0.89f, 0.89f};
inline constexpr PdfColor kAlert{0.75f, 0.12f, 0.12f};
inline constexpr PdfColor kGood{0.18f, 0.55f, 0.34f};
inline constexpr PdfColor kWarn{0.85f, 0.55f, 0.10f};
inline constexpr PdfColor kTrack{0.86f, 0.86f, 0.88f};
inline constexpr PdfColor kInfo{0.20f, 0.40f, 0.70f};
}  // namespace pdf_colors

struct PdfLayout {
    double page_width = 595.276;   // A4 portrait, points
    double page_height = 841.89;
    double margin = 40;
    double body_size = 9.5;
    double small_size = 7.5;
    double heading_size = 13;
    double title_size = 21;
    double row_height = 16;
    double footer_height = 28;

    double left() const { return margin; }
    double right() const { return page_width - margin; }
    double width() const { return right() - left(); }
    double top() const { return page_height - margin; }
    double bottom() const { return margin + footer_height; }
    // Distance between the baselines of two wrapped lines of body text.
    double line_height() const { return body_size * 1.25; }
    // A table row with `lines` lines of body text.
    double row_height_for(std::size_t lines) const { return row_height + (lines > 1 ? (lines - 1) * line_height() : 0); }

    static PdfLayout for_options(const report::ReportOptions& options);
};

}  // namespace budget_exports::render
