#include "pg/budget_builder.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/report/money.hpp"

namespace budget_exports::pg {

namespace {

// Columns of kSelectList, in order.

// Columns of the query below, in order.
enum Column {
  kKind, kPartner1, kPartner2, kWeddingDate, kCurrency, kCategoryName, kAllocated, kSpent, kSortOrder,
  kMilestoneName, kDueDate, kPaymentStatus, kPaidDate, kTransactionDate, kDescription, kVendor,
  kPaymentMethod, kTransactionType, kNotes, kTagsJson, kAmount, kTotalBudget
};

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

}  // namespace

const char* const kSelectList =
    "SELECT kind, partner1_name, partner2_name, pg_catalog.to_char(wedding_date, 'YYYY-MM-DD'), currency_code, "
    "category_name, allocated_amount::text, spent_amount::text, sort_order::text, "
    "milestone_name, pg_catalog.to_char(due_date, 'YYYY-MM-DD'), payment_status, "
    "pg_catalog.to_char(paid_date, 'YYYY-MM-DD'), pg_catalog.to_char(transaction_date, 'YYYY-MM-DD'), "
    "description, vendor_name, payment_method, transaction_type, "
    "notes, pg_catalog.to_json(tags)::text, amount::text, total_budget::text FROM ";

BudgetBuilder::BudgetBuilder(const ClaimedJob& job, const std::string& spool_path) : job_(job), spool_(spool_path) {
  request_ = jobs::parse_export_filters(job.export_filters);
}

void BudgetBuilder::add(const CellRow& row) {
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

void BudgetBuilder::add_item() {
  spool_.write(item_);
  report::add_line_item(read_.report, item_);
}

BudgetRead BudgetBuilder::finish(const std::string& report_date) {
  if (!have_couple_) throw std::invalid_argument("couple " + job_.couple_id + " not found");
  spool_.close();
  read_.report.header.report_date = report::parse_date(report_date);
  read_.line_items = spool_.count();
  report::finalize_report(read_.report);
  return std::move(read_);
}

void BudgetBuilder::add_couple(const CellRow& row) {
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

}  // namespace budget_exports::pg
