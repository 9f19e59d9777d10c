// The app's indexes the default data source reads by. Without them every export scans the
// app's tables whole: with 5,000 couples a small export's read took 9.9 ms instead of
// 0.64 ms, and it grows with the app. The extension never creates indexes on the app's
// tables; it tells the operator which to create.
#pragma once

#include <string>

namespace budget_exports::pg {

// One WARNING (with the CREATE INDEX statements as its HINT) when the default data source
// is in use and public.budget_transactions (user_id, ...), public.budget_categories
// (user_id, ...) or public.budget_payment_milestones (category_id, ...) has no index led by
// that column. Never throws: a check that cannot run says nothing.
void warn_about_missing_app_indexes(const std::string& schema);

}  // namespace budget_exports::pg
