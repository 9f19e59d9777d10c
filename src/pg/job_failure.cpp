#include "pg/job_failure.hpp"

#include <new>

#include "core/render/render_error.hpp"
#include "core/spool/line_item_spool.hpp"
#include "core/storage/storage_error.hpp"
#include "pg/guard.hpp"
#include "pg/renderer_process.hpp"

namespace budget_exports::pg {

namespace {

char sqlstate_class(int sqlstate, int which) {
  return static_cast<char>(PGUNSIXBIT(sqlstate >> (6 * which)));
}

bool sqlstate_class_is(int sqlstate, const char* klass) {
  return sqlstate_class(sqlstate, 0) == klass[0] && sqlstate_class(sqlstate, 1) == klass[1];
}

bool is_transient_sqlstate(int sqlstate) {
  // connection (08), transaction rollback (40), resources (53), operator intervention (57),
  // system errors (58): the same job may well succeed later
  if (sqlstate == ERRCODE_LOCK_NOT_AVAILABLE) return true;  // budget_exports.lock_timeout
  for (const char* transient : {"08", "40", "53", "57", "58"}) {
    if (sqlstate_class_is(sqlstate, transient)) return true;
  }
  return false;
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// Storage answered, but what it said needs the operator: a missing bucket, a rejected key,
// or an answer that is not Storage's (a wrong storage_url).
bool operator_storage_error(const storage::StorageError& e, JobStage stage) {
  const std::string message = e.what();
  if (e.code == "NoSuchBucket" || e.code == "BadResponse") return true;
  if (e.http_status == 401 || e.http_status == 403 || e.status_code == 401 || e.status_code == 403) return true;
  if (contains(message, "signature verification failed") || contains(message, "Invalid Compact JWS")) return true;
  // Signing an object we have just uploaded: "not found" means its bucket is missing.
  if (stage == JobStage::sign && (e.code == "NoSuchKey" || e.status_code == 404 || e.http_status == 404)) return true;
  // A 404 from a route (not Storage's JSON): the URL does not point at Storage.
  if (e.http_status == 404 && e.code.empty()) return true;
  return false;
}

}  // namespace

const char* failure_kind_name(FailureKind kind) {
  switch (kind) {
    case FailureKind::couple: return "permanent";
    case FailureKind::retry: return "retryable";
    case FailureKind::storage: return "storage unavailable";
    case FailureKind::operator_error: return "operator";
    case FailureKind::shutdown: return "shutdown";
  }
  return "unknown";
}

JobFailure classify_failure(const std::exception_ptr& error, JobStage stage) {
  try {
    std::rethrow_exception(error);
  } catch (const storage::StorageError& e) {
    std::string detail = e.what();
    if (e.code == "Aborted") return {FailureKind::shutdown, kWaitingForStorage, detail};
    if (operator_storage_error(e, stage)) return {FailureKind::operator_error, kWaitingForOperator, detail};
    if (e.retryable && e.code == "LocalFile") {
      return {FailureKind::retry, "the export was interrupted; it will be tried again", detail};
    }
    if (e.retryable) return {FailureKind::storage, kWaitingForStorage, detail};
    if (e.code == "EntityTooLarge" || e.status_code == 413 || e.http_status == 413) {
      return {FailureKind::couple, "the export file is too large to store; narrow the filters", detail};
    }
    return {FailureKind::couple, "the export file could not be stored; please request the export again", detail};
  } catch (const RenderInterrupted& e) {
    return {FailureKind::shutdown, kWaitingForStorage, e.what()};
  } catch (const RenderFailed& e) {
    // the renderer died, hit a limit or refused the data: its message is written for couples
    return {e.retryable ? FailureKind::retry : FailureKind::couple, e.what(), e.what()};
  } catch (const OperatorError& e) {
    return {FailureKind::operator_error, kWaitingForOperator, e.what()};
  } catch (const FileTooLarge& e) {
    return {FailureKind::couple, e.what(), e.what()};
  } catch (const spool::FieldTooLarge& e) {
    return {FailureKind::couple, e.what(), e.what()};
  } catch (const render::RenderError& e) {
    return {FailureKind::couple, "the export could not be rendered; please request it again or contact support",
            std::string("rendering failed: ") + e.what()};
  } catch (const PgError& e) {
    std::string detail = std::string("database error: ") + e.what();
    if (!e.detail().empty()) detail += " (" + e.detail() + ")";
    // 42: the data-source function or its tables are missing or not accessible
    if (sqlstate_class_is(e.sqlstate(), "42")) return {FailureKind::operator_error, kWaitingForOperator, detail};
    if (is_transient_sqlstate(e.sqlstate())) {
      return {FailureKind::retry, "a temporary database problem interrupted the export", detail};
    }
    return {FailureKind::couple, "the budget could not be read for this export; please contact support", detail};
  } catch (const std::invalid_argument& e) {
    // couple not found, filters the reader cannot use: messages without server details
    return {FailureKind::couple, e.what(), e.what()};
  } catch (const std::bad_alloc&) {
    return {FailureKind::retry, "the server ran short of memory while building the export", "out of memory"};
  } catch (const std::exception& e) {
    return {FailureKind::retry, "an internal error interrupted the export", e.what()};
  } catch (...) {
    return {FailureKind::retry, "an internal error interrupted the export", "unknown error"};
  }
}

}  // namespace budget_exports::pg
