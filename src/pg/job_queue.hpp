// The worker's side of the queue state machine (the SQL functions budget_exports_claim_job,
// _complete_job, _fail_job, _rescue_expired_leases). Each call is one short transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace budget_exports::pg {

struct ClaimedJob {
  std::string queue_id;
  std::string lease_token;
  std::string export_id;
  std::string couple_id;
  std::string export_type;
  std::string export_filters;  // JSON text
  std::string file_name;
  int attempt = 0;
  int retry_count = 0;
  // how long the transaction that claimed it took (in a burst it also recorded the previous
  // job's result); export_queue.timings reports it
  double claim_ms = 0;
};

struct FinishedFile {
  std::string storage_key;
  std::string file_url;
  long long size_bytes = 0;
  std::string sha256_hex;
  std::string content_type;
  std::string timings_json;
};

class JobQueue {
 public:
  explicit JobQueue(std::string worker_name) : worker_name_(std::move(worker_name)) {}

  // The extension's schema, or nullopt when budget_exports is not installed in this database.
  std::optional<std::string> find_extension_schema();

  int rescue_expired_leases();
  std::optional<ClaimedJob> claim(int lease_seconds);
  // false when the lease was lost meanwhile (another attempt owns the result)
  bool complete(const ClaimedJob& job, const FinishedFile& file);
  // complete() and claim() in one transaction (issue #14): one commit per job instead of
  // two, and the claim is durable with the result (committed synchronously), so the WAL
  // flush before rendering the next job has nothing left to do. The claim takes the next
  // job in the same priority order, only after this one's result is recorded.
  std::optional<ClaimedJob> complete_and_claim(const ClaimedJob& job, const FinishedFile& file, int lease_seconds,
                                               bool& completed);
  // Returns "queued", "failed" or "lost".
  std::string fail(const ClaimedJob& job, const std::string& message, bool retryable, long long retry_delay_ms);

  const std::string& schema() const { return schema_; }

  // Whether the last claim found nothing to claim; if so, in how many ms the next queued
  // job is due (-1: none is queued), read in the same transaction, so that an idle worker
  // goes to sleep without another round trip.
  bool last_claim_found_nothing() const { return found_nothing_; }
  long next_run_ms() const { return next_run_ms_; }

 private:
  std::string qualified(const char* function) const;
  void record_object_key(const std::vector<std::vector<std::optional<std::string>>>& claimed);
  std::vector<std::vector<std::optional<std::string>>> claim_rows(int lease_seconds);
  bool complete_rows(const ClaimedJob& job, const FinishedFile& file);

  std::string worker_name_;
  std::string schema_ = "public";
  bool warned_old_version_ = false;
  bool found_nothing_ = false;
  long next_run_ms_ = -1;
};

}  // namespace budget_exports::pg
