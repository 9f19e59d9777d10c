// The two guards of the C++/PostgreSQL boundary.
//
//  * cpp_entry(): every entry from PostgreSQL into C++ (a PG_FUNCTION, a hook, the worker
//    main) runs its body through it. A C++ exception becomes ereport(ERROR) *after* the
//    try block has unwound, so no C++ frame is skipped by longjmp.
//  * pg_call(): every call from C++ into PostgreSQL that may elog(ERROR) runs through it.
//    The longjmp is caught by PG_TRY, the error copied, and thrown as PgError.
// Never return or throw from inside PG_TRY; never let an exception cross extern "C".
#pragma once

#include "pg/pg_headers.hpp"

#include <cstdio>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace budget_exports::pg {

// A PostgreSQL error carried through C++ frames, with its SQLSTATE.
class PgError : public std::runtime_error {
 public:
  PgError(int sqlstate, const std::string& message, std::string detail = {}, std::string hint = {})
      : std::runtime_error(message), sqlstate_(sqlstate), detail_(std::move(detail)), hint_(std::move(hint)) {}
  int sqlstate() const { return sqlstate_; }
  const std::string& detail() const { return detail_; }
  const std::string& hint() const { return hint_; }

 private:
  int sqlstate_;
  std::string detail_;
  std::string hint_;
};

// Converts the error PostgreSQL is handling (after PG_END_TRY; the error is still on the
// error stack) into a PgError and clears it. Never called inside PG_CATCH.
PgError take_current_error(MemoryContext context_before);

// Every guarded call must leave PG_exception_stack as it found it (like pg_duckdb's
// PostgresFunctionGuard): a PG_TRY that returned early would leave a dangling jump target.
// Throws std::logic_error (after restoring it) when it changed.
void check_exception_stack(sigjmp_buf* before);

// Runs body() under PG_TRY; a PostgreSQL ERROR comes out as PgError. Inside PG_CATCH only a
// flag is set: no C++ allocation, no throw. (FATAL and PANIC do not come back here:
// PostgreSQL exits the process, and before_shmem_exit callbacks run.)
template <typename Body>
void run_under_pg_try(Body& body) {
  MemoryContext context_before = CurrentMemoryContext;
  sigjmp_buf* stack_before = PG_exception_stack;
  volatile bool failed = false;
  PG_TRY();
  { body(); }
  PG_CATCH();
  { failed = true; }
  PG_END_TRY();
  check_exception_stack(stack_before);
  if (failed) throw take_current_error(context_before);
}

template <typename Fn>
auto pg_call(Fn&& fn) -> decltype(fn()) {
  using Result = decltype(fn());
  if constexpr (std::is_void_v<Result>) {
    auto body = [&] { fn(); };
    run_under_pg_try(body);
  } else {
    static_assert(std::is_trivially_copyable_v<Result>, "pg_call returns plain values only");
    Result result{};  // captured by reference: it lives in memory, so longjmp cannot clobber it
    auto body = [&] { result = fn(); };
    run_under_pg_try(body);
    return result;
  }
}

struct CaughtError {
  int sqlstate = 0;
  char message[1024] = {0};
  char detail[512] = {0};
  char hint[512] = {0};
};

// Maps a caught C++ exception onto an SQLSTATE and text; no allocation in PostgreSQL.
void describe_exception(const std::exception_ptr& exception, CaughtError& out);

[[noreturn]] void raise_caught_error(const CaughtError& error);

template <typename Fn>
auto cpp_entry(Fn&& fn) -> decltype(fn()) {
  CaughtError error;
  try {
    return fn();
  } catch (...) {
    describe_exception(std::current_exception(), error);
  }
  raise_caught_error(error);
}

}  // namespace budget_exports::pg
