// Short transactions for the worker: begin (with SPI and a snapshot), commit, or abort
// after a PgError. The worker never keeps one open across rendering or HTTP.
#pragma once

#include <exception>
#include <type_traits>
#include <string>

namespace budget_exports::pg {

// Every worker transaction runs with this search_path (SET LOCAL); its SQL names the
// extension's objects with their schema.
extern const char* const kWorkerSearchPath;

// Worker transactions run under budget_exports.statement_timeout and lock_timeout (both
// capped at the lease): apply_transaction_timeouts() sets lock_timeout for the session
// (at start and after every reload); begin_transaction() arms the statement timeout.
void apply_transaction_timeouts();
void begin_transaction(const char* activity, bool read_only = false);
void commit_transaction();
// Rolls back after a caught error. If even that fails the process exits (the postmaster
// restarts the worker), because continuing in an unknown state could lose a row.
void abort_transaction() noexcept;

// Runs fn() in its own transaction; commits on success, aborts and rethrows otherwise.
// The begin is inside the try: an ERROR after StartTransactionCommand (SPI_connect, the
// snapshot) aborts the partly begun transaction too.
template <typename Fn>
auto in_transaction(const char* activity, bool read_only, Fn&& fn) -> decltype(fn()) {
  try {
    begin_transaction(activity, read_only);
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      commit_transaction();
    } else {
      auto result = fn();
      commit_transaction();
      return result;
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

}  // namespace budget_exports::pg
