#include "pg/budget_reader.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/jobs/export_request.hpp"
#include "core/report/money.hpp"
#include "core/spool/line_item_spool.hpp"
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

constexpr long kBatchRows = 2000;

// Columns of the query below, in order.
enum Column {
  kKind, kPartner1, kPartner2, kWeddingDate, kCurrency, kCategoryName, kAllocated, kSpent, kSortOrder,
  kMilestoneName, kDueDate, kPaymentStatus, kPaidDate, kTransactionDate, kDescription, kVendor,
  kPaymentMethod, kTransactionType, kNotes, kTagsJson, kAmount, kTotalBudget
};

const char* const kSelectList =
    "SELECT kind, partner1_name, partner2_name, pg_catalog.to_char(wedding_date, 'YYYY-MM-DD'), currency_code, "
    "category_name, allocated_amount::text, spent_amount::text, sort_order::text, "
    "milestone_name, pg_catalog.to_char(due_date, 'YYYY-MM-DD'), payment_status, "
    "pg_catalog.to_char(paid_date, 'YYYY-MM-DD'), pg_catalog.to_char(transaction_date, 'YYYY-MM-DD'), "
    "description, vendor_name, payment_method, transaction_type, "
    "notes, pg_catalog.to_json(tags)::text, amount::text, total_budget::text FROM ";

std::string text(const CellRow& row, int column) {
  const char* cell = row[column];
  return cell ? std::string(cell) : std::string();
}

std::optional<report::Date> date(const CellRow& row, int column) {
  const char* cell = row[column];
  if (!cell) return std::nullopt;
  return report::parse_date(cell);
}

report::Money money(const CellRow& row, int column, const report::Currency& currency) {
  const char* cell = row[column];
  return cell ? report::parse_money(cell, currency.minor_digits) : report::Money{};
}

std::vector<std::string> tags(const CellRow& row) {
  const char* cell = row[kTagsJson];
  if (!cell) return {};
  auto parsed = nlohmann::json::parse(cell, nullptr, false);
  if (!parsed.is_array()) return {};
  std::vector<std::string> result;
  for (const auto& tag : parsed) {
    if (tag.is_string()) result.push_back(tag.get<std::string>());
  }
  return result;
}

struct ReadContext {
  std::string data_source;   // the data-source function's call name
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
      "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
      {name, schema});
  if (rows.empty() || !rows[0][0]) {
    throw OperatorError("data source function " + name +
                                "(uuid, jsonb) does not exist (setting budget_exports.data_source)");
  }
  return {*rows[0][0], rows[0][1].value_or(std::string()), rows[0][2].value_or(std::string())};
}

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

class BudgetBuilder {
 public:
  BudgetBuilder(const ClaimedJob& job, const std::string& spool_path) : job_(job), spool_(spool_path) {
    request_ = jobs::parse_export_filters(job.export_filters);
  }

  void add(const CellRow& row) {
    std::string kind = text(row, kKind);
    if (kind == "couple") {
      add_couple(row);
    } else if (!have_couple_) {
      throw std::invalid_argument("data source returned " + kind + " rows before the couple row");
    } else if (kind == "category") {
      report::Category category;
      category.name = text(row, kCategoryName);
      category.allocated = money(row, kAllocated, read_.report.currency);
      // The stored spent_amount (kSpent) is not used: Spent comes from the transactions.
      category.sort_order = row[kSortOrder] ? std::stoi(row[kSortOrder]) : 0;
      read_.report.categories.push_back(std::move(category));
    } else if (kind == "milestone") {
      report::Milestone milestone;
      milestone.category = text(row, kCategoryName);
      milestone.name = text(row, kMilestoneName);
      milestone.amount = money(row, kAmount, read_.report.currency);
      milestone.due_date = date(row, kDueDate);
      milestone.status = report::parse_milestone_status(text(row, kPaymentStatus));
      milestone.paid_date = date(row, kPaidDate);
      milestone.notes = request_.options.include_notes ? text(row, kNotes) : std::string();
      read_.report.milestones.push_back(std::move(milestone));
    } else if (kind == "transaction") {
      item_.date = date(row, kTransactionDate);
      item_.category = text(row, kCategoryName);
      item_.description = text(row, kDescription);
      item_.vendor = text(row, kVendor);
      item_.payment_method = text(row, kPaymentMethod);
      item_.type = report::parse_transaction_type(text(row, kTransactionType));
      item_.notes = request_.options.include_notes ? text(row, kNotes) : std::string();
      item_.tags = tags(row);
      item_.amount = money(row, kAmount, read_.report.currency);
      spool_.write(item_);
      report::add_line_item(read_.report, item_);
    } else {
      throw std::invalid_argument("data source returned a row of unknown kind \"" + kind + "\"");
    }
  }

  BudgetRead finish(const std::string& report_date) {
    if (!have_couple_) throw std::invalid_argument("couple " + job_.couple_id + " not found");
    spool_.close();
    read_.report.header.report_date = report::parse_date(report_date);
    read_.line_items = spool_.count();
    report::finalize_report(read_.report);
    return std::move(read_);
  }

 private:
  void add_couple(const CellRow& row) {
    if (have_couple_) throw std::invalid_argument("data source returned more than one couple row");
    have_couple_ = true;
    report::Report& report = read_.report;
    report.currency = report::currency_for(text(row, kCurrency));
    report.options = request_.options;
    report.header.partner1_name = text(row, kPartner1);
    report.header.partner2_name = text(row, kPartner2);
    report.header.wedding_date = date(row, kWeddingDate);
    if (row[kTotalBudget]) report.total_budget = money(row, kTotalBudget, report.currency);
    report.scope = request_.scope;
    if (!request_.custom_title.empty()) report.header.custom_title = request_.custom_title;
    report.header.filters_summary = jobs::describe_export_filters(job_.export_filters, report.currency);
  }

  const ClaimedJob& job_;
  jobs::ExportRequest request_;
  spool::LineItemSpoolWriter spool_;
  report::LineItem item_;
  BudgetRead read_;
  bool have_couple_ = false;
};

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
