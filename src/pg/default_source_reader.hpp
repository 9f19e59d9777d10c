// The default data source read by the worker itself, streaming (see the .cpp): the same
// rows as budget_exports_budget_rows(), in the caller's transaction, as the caller's role.
#pragma once

#include "pg/budget_builder.hpp"

namespace budget_exports::pg {

void read_default_source(const ClaimedJob& job, BudgetBuilder& builder);

}  // namespace budget_exports::pg
