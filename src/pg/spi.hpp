// SPI from C++: queries with text parameters, results copied into C++ strings, and a
// cursor that hands rows over in batches. Every PostgreSQL call runs through pg_call,
// so an ERROR surfaces as PgError; callers run inside a transaction (transaction.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace budget_exports::pg {

using SqlParam = std::optional<std::string>;  // nullopt is SQL NULL; values are text
using SqlParams = std::vector<SqlParam>;
using TextRow = std::vector<std::optional<std::string>>;

// Runs sql (parameters $1..$n are text: cast them in the SQL) and returns every row. Every
// statement's plan is prepared once per process and kept (spi.cpp).
std::vector<TextRow> spi_query(const std::string& sql, const SqlParams& params = {});

// One row of a cursor batch: column i is nullptr when SQL NULL. Valid during the callback.
struct CellRow {
  const char* const* cells;
  int columns;
  const char* operator[](int column) const { return column < columns ? cells[column] : nullptr; }
};

// How a cursor's saved plan is chosen: PostgreSQL's default (a generic plan once it is no
// worse than the custom ones), a custom plan for every set of parameters (a query whose
// best plan depends on how many rows the parameters select), or the generic plan always
// (a query with one good plan for any parameters: planned once per process).
enum class PlanChoice { automatic, custom, generic };

class SpiCursor {
 public:
  SpiCursor(const std::string& sql, const SqlParams& params, PlanChoice choice = PlanChoice::automatic);
  // Fetches up to batch_size rows and calls on_row for each; returns how many came.
  std::size_t fetch(long batch_size, const std::function<void(const CellRow&)>& on_row);
  void close();
  void* portal() const { return portal_; }  // the Portal, for callers that read binary values

 private:
  void* portal_ = nullptr;       // Portal
  void* batch_context_ = nullptr;  // MemoryContext, reset after every batch
};

}  // namespace budget_exports::pg
