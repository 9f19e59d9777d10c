#include "pg/spi.hpp"

#include <unordered_map>

#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/portal.h"
}

namespace budget_exports::pg {

namespace {

// Text Datums for the parameters, allocated in the current (transaction) memory context
// (their types, all text, are the saved plan's: saved_plan below).
struct ParamArrays {
  std::vector<Datum> values;
  std::vector<char> nulls;
};

ParamArrays make_params(const SqlParams& params) {
  ParamArrays arrays;
  arrays.values.assign(params.size(), Datum(0));
  arrays.nulls.assign(params.size(), 'n');
  for (std::size_t i = 0; i < params.size(); i++) {
    if (!params[i]) continue;
    const char* text = params[i]->c_str();
    arrays.values[i] = pg_call([&] { return PointerGetDatum(cstring_to_text(text)); });
    arrays.nulls[i] = ' ';
  }
  return arrays;
}

// Saved plans by SQL text (SPI_keepplan). A worker runs the same few statements for every
// job; parsing and planning them every time was a fifth of its CPU time per small export.
// The plan cache revalidates a saved plan by itself when what it depends on changes (DDL,
// the search_path, a dropped and re-created extension), so a plan is never stale. The texts
// are fixed strings (schema and function names come from the extension and the settings),
// so the map stays small; it is emptied if it ever passes kMaxSavedPlans.
constexpr std::size_t kMaxSavedPlans = 64;

std::unordered_map<std::string, void*>& saved_plans() {
  static std::unordered_map<std::string, void*> plans;
  return plans;
}

SPIPlanPtr saved_plan(const std::string& sql, int nargs, PlanChoice choice) {
  auto& plans = saved_plans();
  const char* prefix = choice == PlanChoice::custom ? "c:" : choice == PlanChoice::generic ? "g:" : "a:";
  const std::string key = prefix + sql;
  if (auto found = plans.find(key); found != plans.end()) return static_cast<SPIPlanPtr>(found->second);
  if (plans.size() >= kMaxSavedPlans) {
    std::unordered_map<std::string, void*> old;
    old.swap(plans);  // forgotten first: an ERROR while freeing can only leak a plan
    for (auto& entry : old) {
      auto plan = static_cast<SPIPlanPtr>(entry.second);
      pg_call([&] { SPI_freeplan(plan); });
    }
  }
  std::vector<Oid> types(static_cast<std::size_t>(nargs), TEXTOID);
  SPIPlanPtr plan = pg_call([&] {
    const int options = choice == PlanChoice::custom    ? CURSOR_OPT_CUSTOM_PLAN
                        : choice == PlanChoice::generic ? CURSOR_OPT_GENERIC_PLAN
                                                        : 0;
    SPIPlanPtr prepared = SPI_prepare_cursor(sql.c_str(), nargs, types.data(), options);
    if (prepared == nullptr) {
      elog(ERROR, "budget_exports: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    }
    if (SPI_keepplan(prepared) != 0) elog(ERROR, "budget_exports: SPI_keepplan failed");
    return prepared;
  });
  plans.emplace(key, plan);
  return plan;
}

// The fetched rows as C strings (nullptr for NULL), in `context`.
struct RawBatch {
  int rows;
  int columns;
  char** cells;
};

RawBatch copy_tuptable(MemoryContext context) {
  RawBatch batch{static_cast<int>(SPI_processed), 0, nullptr};
  if (SPI_tuptable == nullptr || batch.rows == 0) return batch;
  TupleDesc desc = SPI_tuptable->tupdesc;
  batch.columns = desc->natts;
  MemoryContext previous = MemoryContextSwitchTo(context);
  batch.cells = static_cast<char**>(palloc(sizeof(char*) * batch.rows * batch.columns));
  for (int row = 0; row < batch.rows; row++) {
    for (int column = 0; column < batch.columns; column++) {
      batch.cells[row * batch.columns + column] = SPI_getvalue(SPI_tuptable->vals[row], desc, column + 1);
    }
  }
  MemoryContextSwitchTo(previous);
  SPI_freetuptable(SPI_tuptable);
  return batch;
}

}  // namespace

std::vector<TextRow> spi_query(const std::string& sql, const SqlParams& params) {
  ParamArrays arrays = make_params(params);
  MemoryContext context = CurrentMemoryContext;
  SPIPlanPtr plan = saved_plan(sql, static_cast<int>(params.size()), PlanChoice::automatic);
  RawBatch batch = pg_call([&] {
    int rc = SPI_execute_plan(plan, arrays.values.data(), arrays.nulls.data(), false, 0);
    if (rc < 0) elog(ERROR, "budget_exports: SPI_execute failed: %s", SPI_result_code_string(rc));
    return copy_tuptable(context);
  });
  std::vector<TextRow> rows(batch.rows);
  for (int row = 0; row < batch.rows; row++) {
    rows[row].resize(batch.columns);
    for (int column = 0; column < batch.columns; column++) {
      if (const char* cell = batch.cells[row * batch.columns + column]) rows[row][column] = std::string(cell);
    }
  }
  return rows;
}

SpiCursor::SpiCursor(const std::string& sql, const SqlParams& params, PlanChoice choice) {
  ParamArrays arrays = make_params(params);
  SPIPlanPtr plan = saved_plan(sql, static_cast<int>(params.size()), choice);
  portal_ = pg_call([&] {
    Portal portal = SPI_cursor_open(nullptr, plan, arrays.values.data(), arrays.nulls.data(), true);
    return static_cast<void*>(portal);
  });
  batch_context_ = pg_call([] {
    return static_cast<void*>(
        AllocSetContextCreate(CurrentMemoryContext, "budget_exports cursor batch", ALLOCSET_DEFAULT_SIZES));
  });
}

std::size_t SpiCursor::fetch(long batch_size, const std::function<void(const CellRow&)>& on_row) {
  auto portal = static_cast<Portal>(portal_);
  auto context = static_cast<MemoryContext>(batch_context_);
  RawBatch batch = pg_call([&] {
    SPI_cursor_fetch(portal, true, batch_size);
    return copy_tuptable(context);
  });
  for (int row = 0; row < batch.rows; row++) {
    on_row(CellRow{batch.cells + row * batch.columns, batch.columns});
  }
  pg_call([&] { MemoryContextReset(context); });
  return static_cast<std::size_t>(batch.rows);
}

void SpiCursor::close() {
  if (!portal_) return;
  auto portal = static_cast<Portal>(portal_);
  portal_ = nullptr;
  pg_call([&] { SPI_cursor_close(portal); });
}

}  // namespace budget_exports::pg
