// One budget read into the report model: the couple row first, then categories,
// milestones and line items (spooled, so rendering needs no transaction). Fed by the
// data-source function's rows (add) or by the default source's fast path (item/add_item,
// src/pg/default_source_reader.hpp).
#pragma once

#include <string>

#include "core/jobs/export_request.hpp"
#include "core/spool/line_item_spool.hpp"
#include "pg/budget_reader.hpp"
#include "pg/spi.hpp"

namespace budget_exports::pg {

// Rows fetched per round trip from a cursor.
inline constexpr long kBatchRows = 2000;

// The columns every reader selects from a data source (function or the default query),
// in the order BudgetBuilder::add() reads them; followed by the FROM item.
extern const char* const kSelectList;

class BudgetBuilder {
 public:
  BudgetBuilder(const ClaimedJob& job, const std::string& spool_path);

  // One row of kSelectList.
  void add(const CellRow& row);

  // The fast path (read_default_source) fills item() itself, then calls add_item().
  bool has_couple() const { return have_couple_; }
  const report::Currency& currency() const { return read_.report.currency; }
  bool include_notes() const { return request_.options.include_notes; }
  const report::ReportScope& scope() const { return request_.scope; }
  report::LineItem& item() { return item_; }
  void add_item();

  BudgetRead finish(const std::string& report_date);

 private:
  void add_couple(const CellRow& row);

  const ClaimedJob& job_;
  jobs::ExportRequest request_;
  spool::LineItemSpoolWriter spool_;
  report::LineItem item_;
  BudgetRead read_;
  bool have_couple_ = false;
};

}  // namespace budget_exports::pg
