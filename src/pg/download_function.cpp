// The C half of budget_export_download() (the SQL half does the row checks as the caller):
//   budget_exports_sign_url(storage_key, expires_in)  a fresh signed URL, with the worker's
//       storage settings; only the SECURITY DEFINER budget_exports_download_url() calls it
//   budget_exports_written_by_current_transaction(xid)  proves the caller updated the row
//   budget_exports_request_expiry()  asks the worker to mark overdue exports expired, now,
//       because the download's own transaction rolls back with its "expired" error
// The HTTP request runs inside the caller's transaction, so its timeouts are kept short.
#include <algorithm>
#include <memory>
#include <string>

#include "pg/guard.hpp"
#include "pg/shared_state.hpp"
#include "pg/spi.hpp"
#include "pg/storage_config.hpp"
#include "pg/vault_key.hpp"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/resowner.h"
}

namespace budget_exports::pg {
namespace {

constexpr long kMaxSignTimeoutMs = 10000;  // a couple's request waits on this; uploads need longer

const int kStorageUnavailable = MAKE_SQLSTATE('P', 'T', '5', '0', '3');  // retry later
const int kStorageRefused = MAKE_SQLSTATE('P', 'T', '5', '0', '2');
const int kObjectGone = MAKE_SQLSTATE('P', 'T', '4', '1', '0');

// One store per backend, reused while the settings stay the same (PostgREST keeps its
// connections, so the HTTP connection is reused too).
std::unique_ptr<storage::ObjectStore> backend_store;
std::string backend_store_signature;

// In an internal subtransaction of its own: an ERROR inside (no access to vault, a broken
// view) is rolled back, the SPI connection with it, before SPI is left and before anything
// else runs in the caller's transaction.
std::optional<std::string> read_vault_in_this_transaction(const std::string& secret_name) {
  MemoryContext context = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  pg_call([] { BeginInternalSubTransaction(nullptr); });
  try {
    pg_call([] {
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "budget_exports: SPI_connect failed");
    });
    auto key = read_vault_secret(secret_name);
    pg_call([&] {
      SPI_finish();
      ReleaseCurrentSubTransaction();
      MemoryContextSwitchTo(context);
      CurrentResourceOwner = owner;
    });
    return key;
  } catch (...) {
    pg_call([&] {
      RollbackAndReleaseCurrentSubTransaction();  // also drops the subtransaction's SPI connection
      MemoryContextSwitchTo(context);
      CurrentResourceOwner = owner;
    });
    throw;
  }
}

storage::ObjectStore& store_for_this_backend() {
  storage::StoreConfig config = store_config_from_settings(read_vault_in_this_transaction);
  config.total_timeout_ms = std::min(config.total_timeout_ms, kMaxSignTimeoutMs);
  config.connect_timeout_ms = std::min(config.connect_timeout_ms, config.total_timeout_ms);
  // A cancel (statement_timeout, pg_cancel_backend) ends the request; the flags are
  // checked after it returns, never from inside libcurl.
  config.should_abort = [] { return QueryCancelPending || ProcDiePending; };
  std::string wanted = store_signature(config);
  if (!backend_store || backend_store_signature != wanted) {
    backend_store.reset();
    backend_store = storage::open_store(config);
    backend_store_signature = wanted;
  }
  return *backend_store;
}

// Storage's details (HTTP status, its message) go to the server log; what the couple reads
// (message, hint) holds no host, path, key or setting value.
void log_storage_refusal(const char* what, const std::string& detail) {
  pg_call([&] { ereport(LOG_SERVER_ONLY, (errmsg("budget_exports: %s: %s", what, detail.c_str()))); });
}

std::string sign(const std::string& key, long expires_in) {
  try {
    return store_for_this_backend().signed_url(key, expires_in);
  } catch (const storage::StorageError& e) {
    pg_call([] { CHECK_FOR_INTERRUPTS(); });  // a cancel reads as a cancel, not a storage error
    if (e.code == "NoSuchKey") {
      // the bucket is there and the key can see it (SupabaseStore checked): the file is gone
      throw PgError(kObjectGone, "budget_exports: the export's file is no longer in storage", "",
                    "Request a new export.");
    }
    if (e.retryable) {
      log_storage_refusal("cannot sign a download URL for now", e.what());
      throw PgError(kStorageUnavailable, "budget_exports: file storage is not reachable right now", "",
                    "Try again in a moment.");
    }
    // a missing bucket, a wrong key or one without rights: the operator's to fix
    log_storage_refusal("Storage refused to sign a download URL (operator action needed)", e.what());
    throw PgError(kStorageRefused,
                  "budget_exports: downloads are not available right now because file storage is not set up correctly",
                  "",
                  "For the operator: Storage refused the request (the bucket is missing, or the service key is "
                  "wrong or lacks rights to it); the server log has Storage's answer.");
  } catch (const std::invalid_argument& e) {
    // a configuration problem: the details (paths, setting names) go to the server log only
    log_storage_refusal("cannot sign a download URL", e.what());
    throw PgError(ERRCODE_CONFIG_FILE_ERROR, "budget_exports: storage is not configured correctly", "",
                  "The server log has the details.");
  }
}

}  // namespace
}  // namespace budget_exports::pg

extern "C" {

PG_FUNCTION_INFO_V1(budget_exports_sign_url);
Datum budget_exports_sign_url(PG_FUNCTION_ARGS) {
  using namespace budget_exports::pg;
  return cpp_entry([&] {
    int32 expires_in = PG_GETARG_INT32(1);
    if (expires_in < 1) {
      throw PgError(ERRCODE_INVALID_PARAMETER_VALUE, "budget_exports: expires_in must be at least 1 second");
    }
    std::string key = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
    std::string url = sign(key, expires_in);
    return pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(url.data(), static_cast<int>(url.size()))); });
  });
}

PG_FUNCTION_INFO_V1(budget_exports_written_by_current_transaction);
Datum budget_exports_written_by_current_transaction(PG_FUNCTION_ARGS) {
  TransactionId xmin = DatumGetTransactionId(PG_GETARG_DATUM(0));
  // subtransactions count too: psql's ON_ERROR_ROLLBACK wraps statements in savepoints
  PG_RETURN_BOOL(TransactionIdIsNormal(xmin) && TransactionIdIsCurrentTransactionId(xmin));
}

PG_FUNCTION_INFO_V1(budget_exports_request_expiry);
Datum budget_exports_request_expiry(PG_FUNCTION_ARGS) {
  PG_RETURN_BOOL(budget_exports::pg::request_expiry_now());
}

}
