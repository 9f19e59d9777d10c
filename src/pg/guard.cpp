#include "pg/guard.hpp"

#include <cstring>

namespace budget_exports::pg {

PgError take_current_error(MemoryContext context_before) {
  ErrorData* volatile data = nullptr;
  PG_TRY();
  {
    MemoryContextSwitchTo(context_before);
    data = CopyErrorData();
    FlushErrorState();
  }
  PG_CATCH();
  {
    // out of memory while copying: both errors are dropped, a generic one is reported
    MemoryContextSwitchTo(context_before);
    FlushErrorState();
  }
  PG_END_TRY();
  if (data == nullptr) return PgError(ERRCODE_OUT_OF_MEMORY, "budget_exports: out of memory while reporting an error");
  int sqlstate = data->sqlerrcode;
  std::string message = data->message ? data->message : "unknown error";
  std::string detail = data->detail ? data->detail : "";
  std::string hint = data->hint ? data->hint : "";
  FreeErrorData(data);
  return PgError(sqlstate, message, detail, hint);
}

void check_exception_stack(sigjmp_buf* before) {
  if (PG_exception_stack == before) return;
  PG_exception_stack = before;
  throw std::logic_error("budget_exports: PG_exception_stack changed across a guarded call");
}

static void copy_text(char* target, size_t size, const std::string& text) {
  std::snprintf(target, size, "%s", text.c_str());
}

void describe_exception(const std::exception_ptr& exception, CaughtError& out) {
  try {
    std::rethrow_exception(exception);
  } catch (const PgError& e) {
    out.sqlstate = e.sqlstate();
    copy_text(out.message, sizeof out.message, e.what());
    copy_text(out.detail, sizeof out.detail, e.detail());
    copy_text(out.hint, sizeof out.hint, e.hint());
  } catch (const std::bad_alloc&) {
    out.sqlstate = ERRCODE_OUT_OF_MEMORY;
    copy_text(out.message, sizeof out.message, "budget_exports: out of memory");
  } catch (const std::invalid_argument& e) {
    out.sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
    copy_text(out.message, sizeof out.message, e.what());
  } catch (const std::exception& e) {
    out.sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(out.message, sizeof out.message, e.what());
  } catch (...) {
    out.sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(out.message, sizeof out.message, "budget_exports: unknown C++ exception");
  }
}

void raise_caught_error(const CaughtError& error) {
  ereport(ERROR, (errcode(error.sqlstate), errmsg("%s", error.message),
                  error.detail[0] ? errdetail("%s", error.detail) : 0,
                  error.hint[0] ? errhint("%s", error.hint) : 0));
  pg_unreachable();
}

}  // namespace budget_exports::pg
