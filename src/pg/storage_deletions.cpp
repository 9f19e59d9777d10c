#include "pg/storage_deletions.hpp"

#include <nlohmann/json.hpp>

#include "pg/export_job.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/storage_config.hpp"
#include "pg/transaction.hpp"

namespace budget_exports::pg {

namespace {
constexpr int kBatch = 1000;  // Storage's limit for one DELETE with prefixes
}

int remove_deleted_objects(WorkerContext& context) {
  const std::string table = "\"" + context.queue.schema() + "\".budget_export_storage_deletions";
  auto rows = in_transaction("budget_exports: listing storage deletions", true, [&] {
    return spi_query("SELECT storage_key, requested_at::text FROM " + table +
                     " WHERE requested_at <= now() ORDER BY requested_at LIMIT " + std::to_string(kBatch));
  });
  if (rows.empty()) return 0;
  std::vector<std::string> keys;
  nlohmann::json key_list = nlohmann::json::array();
  nlohmann::json listed = nlohmann::json::object();  // key -> requested_at as listed
  for (const auto& row : rows) {
    if (!row[0]) continue;
    keys.push_back(*row[0]);
    key_list.push_back(*row[0]);
    listed[*row[0]] = row[1].value_or("");
  }
  try {
    current_store(context).remove(keys);
  } catch (const std::exception& e) {
    std::string message = e.what();
    in_transaction("budget_exports: postponing storage deletions", false, [&] {
      spi_query("UPDATE " + table +
                    " SET attempts = attempts + 1, last_error = $2,"
                    " requested_at = now() + least(interval '1 hour', interval '10 seconds' * power(2, least(attempts, 12)))"
                    " WHERE storage_key IN (SELECT jsonb_array_elements_text($1::jsonb))",
                {key_list.dump(), message});
    });
    pg_call([&] { ereport(LOG, (errmsg("budget_exports: removing %zu storage objects failed: %s", keys.size(), message.c_str()))); });
    return 0;
  }
  // Only requests still as listed: a key queued again meanwhile (its object was uploaded
  // again, e.g. by an attempt that lost its export row) has a newer requested_at and stays.
  in_transaction("budget_exports: recording storage deletions", false, [&] {
    spi_query("DELETE FROM " + table + " d USING jsonb_each_text($1::jsonb) AS l(storage_key, requested_at)"
              " WHERE d.storage_key = l.storage_key AND d.requested_at = l.requested_at::timestamptz",
              {listed.dump()});
  });
  return static_cast<int>(keys.size());
}

}  // namespace budget_exports::pg
