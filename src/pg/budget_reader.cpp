#include "pg/budget_reader.hpp"

#include <stdexcept>

#include "pg/budget_builder.hpp"
#include "pg/default_source_reader.hpp"
#include "pg/guard.hpp"
#include "pg/job_failure.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
}

namespace budget_exports::pg {

namespace {

struct ReadContext {
  std::string data_source;   // the data-source function's call name
  bool is_default = false;   // it is the extension's own budget_exports_budget_rows
  std::string generated_at;  // "2026-03-14 09:30 UTC", the read transaction's time
  std::string report_date;   // "2026-03-14", the same moment's UTC date ("today" for payments)
};

// One query for both: the data-source function, resolved from the setting (it must take
// (uuid, jsonb)), and the time the report is generated at.
ReadContext resolve_read_context(const std::string& schema) {
  std::string name = settings.data_source && *settings.data_source ? settings.data_source
                                                                     : "budget_exports_budget_rows";
  auto rows = spi_query(
      "SELECT pg_catalog.to_regprocedure(CASE WHEN pg_catalog.strpos($1, '.') > 0 THEN $1 "
      "ELSE pg_catalog.quote_ident($2) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) $1 END "
      "OPERATOR(pg_catalog.||) '(uuid, jsonb)')::regproc::text, "
      "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'), "
      "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "
      "pg_catalog.to_regprocedure(CASE WHEN pg_catalog.strpos($1, '.') > 0 THEN $1 "
      "ELSE pg_catalog.quote_ident($2) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) $1 END "
      "OPERATOR(pg_catalog.||) '(uuid, jsonb)') OPERATOR(pg_catalog.=) pg_catalog.to_regprocedure("
      "pg_catalog.quote_ident($2) OPERATOR(pg_catalog.||) '.budget_exports_budget_rows(uuid, jsonb)')",
      {name, schema});
  if (rows.empty() || !rows[0][0]) {
    throw OperatorError("data source function " + name +
                                "(uuid, jsonb) does not exist (setting budget_exports.data_source)");
  }
  return {*rows[0][0], rows[0][3].value_or("") == "t", rows[0][1].value_or(std::string()),
          rows[0][2].value_or(std::string())};
}

}  // namespace

bool uses_default_data_source(const std::string& schema) { return resolve_read_context(schema).is_default; }

namespace {

// The role the data source runs as (budget_exports.reader_role): never a superuser, so
// nothing that depends on an export's input runs with the worker's own rights.
Oid reader_role_oid(std::string& name) {
  name = settings.reader_role ? settings.reader_role : "";
  const std::string role = name;
  Oid oid = pg_call([&] { return role.empty() ? InvalidOid : get_role_oid(role.c_str(), true); });
  const char* problem = nullptr;
  if (!OidIsValid(oid)) {
    problem = "does not exist";
  } else if (pg_call([&] { return superuser_arg(oid); })) {
    problem = "is a superuser; name a role without superuser rights";
  }
  if (problem) {
    // the operator's problem: the job waits, the worker logs this (with a hint) at a slow interval
    throw ReaderRoleError("budget_exports.reader_role \"" + role + "\" " + problem +
                          " (set it to a role that may execute the data source, service_role on Supabase, and reload)");
  }
  return oid;
}

// Runs fn() as `role` with SECURITY_RESTRICTED_OPERATION (no SET ROLE, no temp objects),
// inside the current transaction; the worker's own user is restored on every path (an
// abort restores it too).
template <typename Fn>
void as_role(Oid role, Fn&& fn) {
  Oid saved_user = InvalidOid;
  int saved_context = 0;
  pg_call([&] {
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(role, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
  });
  try {
    fn();
  } catch (...) {
    pg_call([&] { SetUserIdAndSecContext(saved_user, saved_context); });
    throw;
  }
  pg_call([&] { SetUserIdAndSecContext(saved_user, saved_context); });
}

}  // namespace

BudgetRead read_budget(const ClaimedJob& job, const std::string& schema, const std::string& spool_path) {
  BudgetBuilder builder(job, spool_path);
  ReadContext context;
  in_transaction("budget_exports: reading a budget", true, [&] {
    std::string role_name;
    Oid role = reader_role_oid(role_name);
    context = resolve_read_context(schema);
    std::string activity = "budget_exports: reading a budget as " + role_name;
    pg_call([&] { pgstat_report_activity(STATE_RUNNING, activity.c_str()); });
    as_role(role, [&] {
      if (context.is_default) {
        read_default_source(job, builder);
        return;
      }
      SpiCursor cursor(std::string(kSelectList) + context.data_source + "($1::uuid, $2::jsonb)",
                       {job.couple_id, job.export_filters});
      while (cursor.fetch(kBatchRows, [&](const CellRow& row) { builder.add(row); }) > 0) {
      }
      cursor.close();
    });
  });
  BudgetRead read = builder.finish(context.report_date);
  read.report.header.generated_at = context.generated_at;
  return read;
}

}  // namespace budget_exports::pg
