// What a failed attempt means, and who may read what about it (issue #11):
//  * couple      the request itself cannot work (too large, bad data): fail now
//  * retry       something that may pass (a database hiccup): spend a retry, back off
//  * storage     Storage is unavailable (connection refused, timeout, 5xx, 429): release
//                the job without spending a retry and wait for Storage (worker_health.hpp)
//  * operator    a setting or object only the operator can fix (storage_url, key file,
//                Vault secret, bucket, rejected key, data_source, font): release the job,
//                WARNING in the log, shown in budget_exports_problems
//  * shutdown    the worker is being stopped: release the job, exit
// couple_message is all a couple ever reads (error_message, budget_export_status): a
// generic, actionable sentence without paths, hosts, setting values or library internals.
// detail goes to the server log (and, for the operator, budget_exports_problems) only.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace budget_exports::pg {

// A problem in the operator's configuration (the message names the setting and value;
// it is logged, never shown to a couple).
struct OperatorError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A file bigger than budget_exports.max_file_size: retrying would make the same file.
struct FileTooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class FailureKind { couple, retry, storage, operator_error, shutdown };

// Where in the job the error came from: a missing object right after our own upload
// means a missing bucket on the real Storage server (it answers NoSuchKey).
enum class JobStage { read, render, upload, sign };

struct JobFailure {
  FailureKind kind;
  std::string couple_message;
  std::string detail;
};

JobFailure classify_failure(const std::exception_ptr& error, JobStage stage);

const char* failure_kind_name(FailureKind kind);

// The sentences couples read while their export waits.
inline constexpr const char* kWaitingForStorage = "waiting for storage";
inline constexpr const char* kWaitingForOperator = "waiting for the export service to be fixed";
inline constexpr const char* kStorageOutageTooLong =
    "the file store has been unavailable for too long; please request the export again later";

}  // namespace budget_exports::pg
