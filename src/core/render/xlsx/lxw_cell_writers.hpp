// Faster writers for the cells of a sheet, in place of libxlsxwriter's own (see the .cpp):
// the same bytes without fprintf. They take effect only with the libxlsxwriter releases
// they were checked against; with any other, libxlsxwriter's own writers run.
#pragma once

namespace budget_exports::render {

// The libxlsxwriter releases (lxw_version()) whose cell writers ours were compared with:
// Debian 12's and Debian 13's, where the test command runs the unit tests.
inline constexpr const char* kLxwCellWritersVersions[] = {"1.1.4", "1.2.1"};

// True when the libxlsxwriter this program runs with is one of them, i.e. when our
// writers write the cells (else they hand every call on to libxlsxwriter's own).
bool lxw_cell_writers_in_use();

}  // namespace budget_exports::render
