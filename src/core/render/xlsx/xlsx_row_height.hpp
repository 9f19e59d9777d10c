// Heights of table rows (Details, Payment Schedule) whose wrapped text takes more than one line. Excel and
// LibreOffice keep a row's default height (one line) when the file gives none, and
// LibreOffice then prints the wrapped lines over the rows below; so the renderer sets the
// height itself, from an estimate that errs towards a line too many.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace budget_exports::render {

// Excel's tallest row, in points.
inline constexpr double kMaxRowPoints = 409;
// One line of the default font (Calibri 11), in points: Excel's default row height.
inline constexpr double kLinePoints = 15;
// More lines than a row of kMaxRowPoints shows are never counted.
inline constexpr std::size_t kMaxRowLines = static_cast<std::size_t>(kMaxRowPoints / kLinePoints) + 1;

// Lines `text` (clean UTF-8) takes when word-wrapped in a column `column_width` characters
// wide (Excel's unit: the default font's digit width), counting at most `max_lines`:
// breaks at spaces and newlines, breaks a word longer than a line, counts wide (East
// Asian, emoji) characters twice and capitals wider than lower case.
std::size_t wrapped_lines(std::string_view text, double column_width, std::size_t max_lines = kMaxRowLines);

// The height of a row of `lines` lines, at most kMaxRowPoints.
double row_points(std::size_t lines);

// wrapped_lines of a cell's text as the sheet writes it (cleaned first, in `scratch`).
std::size_t cell_lines(std::string_view text, double column_width, std::string& scratch);

}  // namespace budget_exports::render
