// Registers budget_exports.workers background workers at postmaster start.
#pragma once

namespace budget_exports::pg {
void register_export_workers();
}
