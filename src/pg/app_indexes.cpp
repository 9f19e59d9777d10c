#include "pg/app_indexes.hpp"

#include <string>

#include "pg/budget_reader.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

namespace budget_exports::pg {

namespace {

// The indexes the default data source needs (table, leading column, the columns to create
// it on). Returns, for each of these tables that exists without a valid, non-partial index
// led by that column, "table (column)" and the CREATE INDEX statement.
const char* const kMissingIndexes =
    "SELECT need.tab OPERATOR(pg_catalog.||) ' (' OPERATOR(pg_catalog.||) need.col OPERATOR(pg_catalog.||) ')', "
    "'CREATE INDEX CONCURRENTLY ON public.' OPERATOR(pg_catalog.||) need.tab OPERATOR(pg_catalog.||) ' (' "
    "OPERATOR(pg_catalog.||) need.cols OPERATOR(pg_catalog.||) ');' "
    "FROM (VALUES (1, 'budget_transactions', 'user_id', 'user_id, transaction_date'), "
    "(2, 'budget_categories', 'user_id', 'user_id'), "
    "(3, 'budget_payment_milestones', 'category_id', 'category_id')) AS need(n, tab, col, cols) "
    "JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) need.tab "
    "AND c.relnamespace OPERATOR(pg_catalog.=) 'public'::pg_catalog.regnamespace "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid "
    "AND a.attname OPERATOR(pg_catalog.=) need.col "
    "WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid "
    "AND i.indkey[0] OPERATOR(pg_catalog.=) a.attnum AND i.indisvalid AND i.indpred IS NULL) "
    "ORDER BY need.n";

}  // namespace

void warn_about_missing_app_indexes(const std::string& schema) {
  try {
    auto rows = in_transaction("budget_exports: checking the app's indexes", true, [&] {
      // the same question the reader asks (an operator's data source reads its own tables)
      return uses_default_data_source(schema) ? spi_query(kMissingIndexes) : std::vector<TextRow>{};
    });
    if (rows.empty()) return;
    std::string missing;
    std::string statements;
    for (const auto& row : rows) {
      missing += (missing.empty() ? "public." : ", public.") + row[0].value_or("");
      statements += (statements.empty() ? "" : " ") + row[1].value_or("");
    }
    pg_call([&] {
      ereport(WARNING,
              (errmsg("budget_exports: the app's tables have no index on %s: every export reads these tables whole",
                      missing.c_str()),
               errhint("Create them once (the extension never changes the app's tables): %s", statements.c_str())));
    });
  } catch (const std::exception&) {
    // a check that cannot run (the app's tables are elsewhere, a lock timeout) says nothing
  }
}

}  // namespace budget_exports::pg
