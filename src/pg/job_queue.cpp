#include "pg/job_queue.hpp"

#include <algorithm>
#include <chrono>

#include "core/storage/object_key.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

namespace budget_exports::pg {

namespace {

std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string JobQueue::qualified(const char* function) const { return quote_identifier(schema_) + "." + function; }

std::optional<std::string> JobQueue::find_extension_schema() {
  auto rows = in_transaction("budget_exports: looking for the extension", true, [] {
    return spi_query(
        "SELECT n.nspname, e.extversion FROM pg_catalog.pg_extension e "
        "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'budget_exports'");
  });
  if (rows.empty() || !rows[0][0]) return std::nullopt;
  if (rows[0][1].value_or("") == "1.0") {
    // this library needs the 1.1 functions (release, problems, object keys at claim)
    if (!warned_old_version_) {
      warned_old_version_ = true;
      pg_call([] {
        ereport(WARNING, (errmsg("budget_exports: the extension is at version 1.0; the workers wait for the update"),
                          errhint("Run ALTER EXTENSION budget_exports UPDATE;")));
      });
    }
    return std::nullopt;
  }
  schema_ = *rows[0][0];
  return schema_;
}

int JobQueue::rescue_expired_leases() {
  auto rows = in_transaction("budget_exports: rescuing expired leases", false, [&] {
    return spi_query("SELECT " + qualified("budget_exports_rescue_expired_leases") + "()");
  });
  return rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
}

// The object key is recorded with the claim (issue #11): if the export row goes away
// mid-job, its delete trigger queues the object for deletion. A file name the key rules
// refuse is left to the upload step, which fails the job with a clear message.
void JobQueue::record_object_key(const std::vector<TextRow>& claimed) {
  if (claimed.empty()) return;
  const TextRow& row = claimed[0];
  std::string key;
  try {
    key = storage::object_key(row[3].value_or(""), row[2].value_or(""), row[6].value_or(""));
  } catch (const std::exception&) {
    return;
  }
  spi_query("SELECT " + qualified("budget_exports_record_object_key") + "($1::uuid, $2::uuid, $3)",
            {row[0], row[1], key});
}

// Inside a transaction: the claim function and the object key of what it claimed.
std::vector<TextRow> JobQueue::claim_rows(int lease_seconds) {
  auto claimed = spi_query("SELECT queue_id, lease_token, export_id, couple_id, export_type, export_filters::text, "
                           "file_name, attempt, retry_count FROM " +
                               qualified("budget_exports_claim_job") + "($1::text, $2::integer)",
                           {worker_name_, std::to_string(lease_seconds)});
  found_nothing_ = claimed.empty();
  if (found_nothing_) {
    // NULL when nothing is queued (not greatest(NULL, 0), which is 0: an idle worker then
    // claimed every millisecond); a job already due is 0.
    auto due = spi_query("SELECT ceil(extract(epoch FROM " + qualified("budget_exports_next_run_at") +
                         "() - clock_timestamp()) * 1000)::bigint::text");
    next_run_ms_ = due.empty() || !due[0][0] ? -1 : std::max(0L, std::stol(*due[0][0]));
  }
  record_object_key(claimed);
  return claimed;
}

namespace {

using Clock = std::chrono::steady_clock;

std::optional<ClaimedJob> claimed_job(const std::vector<TextRow>& rows, Clock::time_point started) {
  if (rows.empty()) return std::nullopt;
  const TextRow& row = rows[0];
  auto text = [&](int column) { return row[column].value_or(std::string()); };
  ClaimedJob job;
  job.queue_id = text(0);
  job.lease_token = text(1);
  job.export_id = text(2);
  job.couple_id = text(3);
  job.export_type = text(4);
  job.export_filters = text(5);
  job.file_name = text(6);
  job.attempt = std::stoi(text(7));
  job.retry_count = std::stoi(text(8));
  job.claim_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return job;
}

}  // namespace

std::optional<ClaimedJob> JobQueue::claim(int lease_seconds) {
  const auto started = Clock::now();
  auto rows = in_transaction("budget_exports: claiming a job", false, [&] {
    // A claim lost in a crash costs nothing (the job is still queued), so it need not
    // wait for the WAL flush; results are committed synchronously.
    spi_query("SET LOCAL synchronous_commit = off");
    return claim_rows(lease_seconds);
  });
  return claimed_job(rows, started);
}

// Inside a transaction: the complete function; false when the lease was lost.
bool JobQueue::complete_rows(const ClaimedJob& job, const FinishedFile& file) {
  auto rows = spi_query("SELECT " + qualified("budget_exports_complete_job") +
                            "($1::uuid, $2::uuid, $3, $4, $5::bigint, $6, $7, $8::jsonb)",
                        {job.queue_id, job.lease_token, file.storage_key, file.file_url,
                         std::to_string(file.size_bytes), file.sha256_hex, file.content_type, file.timings_json});
  return !rows.empty() && rows[0][0] && *rows[0][0] == "t";
}

bool JobQueue::complete(const ClaimedJob& job, const FinishedFile& file) {
  return in_transaction("budget_exports: recording a finished export", false,
                        [&] { return complete_rows(job, file); });
}

std::optional<ClaimedJob> JobQueue::complete_and_claim(const ClaimedJob& job, const FinishedFile& file,
                                                       int lease_seconds, bool& completed) {
  const auto started = Clock::now();
  std::vector<TextRow> rows;
  try {
    rows = in_transaction("budget_exports: recording a finished export and claiming the next", false, [&] {
      completed = complete_rows(job, file);
      return claim_rows(lease_seconds);
    });
  } catch (const std::exception&) {
    // The claim must never cost the result: record it on its own (as complete() would).
    completed = complete(job, file);
    return std::nullopt;
  }
  return claimed_job(rows, started);
}

std::string JobQueue::fail(const ClaimedJob& job, const std::string& message, bool retryable,
                           long long retry_delay_ms) {
  auto rows = in_transaction("budget_exports: recording a failed attempt", false, [&] {
    return spi_query("SELECT " + qualified("budget_exports_fail_job") +
                         "($1::uuid, $2::uuid, $3, $4::boolean, $5::bigint)",
                     {job.queue_id, job.lease_token, message, std::string(retryable ? "true" : "false"),
                      std::to_string(retry_delay_ms)});
  });
  return rows.empty() || !rows[0][0] ? std::string("lost") : *rows[0][0];
}

}  // namespace budget_exports::pg
