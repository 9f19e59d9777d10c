#include "pg/worker_health.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "pg/export_job.hpp"
#include "pg/guard.hpp"
#include "pg/job_failure.hpp"
#include "pg/settings.hpp"
#include "pg/shared_state.hpp"
#include "pg/spi.hpp"
#include "pg/storage_config.hpp"
#include "pg/transaction.hpp"
#include "pg/vault_key.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace budget_exports::pg::health {

namespace {

constexpr long kProbeEveryMs = 1000;           // resumes within about a second of recovery
constexpr long kProbeTimeoutMs = 2000;         // a hanging Storage must not stall probing
constexpr long kOperatorRecheckMs = 60 * 1000;  // also the WARNING interval
constexpr const char* kProbeKey = "budget-exports-probe/probe";  // never stored; signing it only asks "are you there"

using Clock = std::chrono::steady_clock;
Clock::time_point next_probe{};
std::unique_ptr<storage::ObjectStore> probe_store;
std::string probe_store_signature;

std::string function(const WorkerContext& context, const char* name) {
  std::string quoted = "\"";
  for (char c : context.queue.schema()) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"." + name;
}

// The problem row's since, as a TimestampTz (microseconds since 2000-01-01).
TimestampTz report(WorkerContext& context, const char* kind, const std::string& detail) {
  auto rows = in_transaction("budget_exports: reporting a problem", false, [&] {
    return spi_query("SELECT ((extract(epoch FROM " + function(context, "budget_exports_report_problem") +
                         "($1, $2, $3)) - 946684800) * 1000000)::bigint::text",
                     {std::string(kind), detail, context.worker_name});
  });
  if (rows.empty() || !rows[0][0]) return pg_call([] { return GetCurrentTimestamp(); });
  return std::stoll(*rows[0][0]);
}

void clear(WorkerContext& context, const char* kind) {
  in_transaction("budget_exports: clearing a problem", false, [&] {
    spi_query("SELECT " + function(context, "budget_exports_clear_problem") + "($1)", {std::string(kind)});
  });
}

long long ms_since(TimestampTz since) {
  TimestampTz now = pg_call([] { return GetCurrentTimestamp(); });
  return (now - since) / 1000;
}

enum class ProbeResult { up, down };

storage::ObjectStore& store_for_probing() {
  storage::StoreConfig config = store_config_from_settings([](const std::string& secret_name) {
    return in_transaction("budget_exports: reading the storage key from Vault", true,
                          [&] { return read_vault_secret(secret_name); });
  });
  config.total_timeout_ms = std::min<long>(config.total_timeout_ms, kProbeTimeoutMs);
  config.connect_timeout_ms = std::min<long>(config.connect_timeout_ms, config.total_timeout_ms);
  config.should_abort = [] { return ProcDiePending != 0; };
  std::string wanted = store_signature(config);
  if (!probe_store || probe_store_signature != wanted) {
    probe_store.reset();
    probe_store = storage::open_store(config);
    probe_store_signature = wanted;
  }
  return *probe_store;
}

// Any answer that is not "unavailable" counts as up: a job then shows what else is wrong.
ProbeResult probe() {
  try {
    store_for_probing().signed_url(kProbeKey, 60);
    return ProbeResult::up;
  } catch (const storage::StorageError& e) {
    if (e.code == "Aborted") pg_call([] { CHECK_FOR_INTERRUPTS(); });
    return e.retryable ? ProbeResult::down : ProbeResult::up;
  } catch (const std::exception&) {
    return ProbeResult::up;
  }
}

void log(int level, const std::string& message, const char* hint = nullptr) {
  pg_call([&] {
    ereport(level, (errmsg("budget_exports: %s", message.c_str()), hint ? errhint("%s", hint) : 0));
  });
}

}  // namespace

void restore(WorkerContext& context) {
  WorkerProblems now = read_worker_problems();
  if (now.storage_down) return;
  auto rows = in_transaction("budget_exports: reading worker problems", true, [&] {
    return spi_query("SELECT ((extract(epoch FROM since) - 946684800) * 1000000)::bigint::text FROM \"" +
                     context.queue.schema() + "\".budget_exports_health WHERE problem = 'storage_unavailable'");
  });
  if (!rows.empty() && rows[0][0]) {
    TimestampTz since = std::stoll(*rows[0][0]);
    update_worker_problems([&](WorkerProblems& p) {
      p.storage_down = true;
      p.storage_episode = true;
      p.storage_down_since = since;
    });
    next_probe = Clock::now();
  } else if (!now.operator_paused) {
    clear(context, "operator_error");  // a restart may have fixed it; the next job tells
  }
}

bool storage_down() { return read_worker_problems().storage_down; }

bool may_claim() {
  WorkerProblems p = read_worker_problems();
  if (p.storage_down) return false;
  if (p.operator_paused) return pg_call([] { return GetCurrentTimestamp(); }) >= p.operator_recheck_at;
  return true;
}

void storage_unavailable(WorkerContext& context, const std::string& detail) {
  // The outage lasts until a job completes (a probe that answers is not enough: uploads
  // may still fail), so since (kept by the table) counts towards the limit across probes.
  TimestampTz since = report(context, "storage_unavailable", detail);
  bool first = false;
  update_worker_problems([&](WorkerProblems& p) {
    first = !p.storage_episode;
    p.storage_episode = true;
    p.storage_down = true;
    p.storage_down_since = since;
  });
  next_probe = Clock::now() + std::chrono::milliseconds(kProbeEveryMs);
  if (first) {
    log(WARNING,
        "Storage is unavailable (" + detail + "); exports wait without spending retries and fail after " +
            std::to_string(settings.storage_outage_limit_s) + " s (budget_exports.storage_outage_limit)",
        "The workers probe Storage every second and resume when it answers.");
  }
}

void operator_problem(WorkerContext& context, const std::string& detail) {
  report(context, "operator_error", detail);
  TimestampTz now = pg_call([] { return GetCurrentTimestamp(); });
  bool warn = false;
  update_worker_problems([&](WorkerProblems& p) {
    p.operator_paused = true;
    p.operator_recheck_at = now + kOperatorRecheckMs * 1000;
    warn = p.operator_warned_at == 0 || now - p.operator_warned_at >= kOperatorRecheckMs * 1000;
    if (warn) p.operator_warned_at = now;
  });
  if (warn) {
    log(WARNING, "exports are waiting for the operator: " + detail,
        "Fix it and run SELECT pg_reload_conf(); the queued exports are kept and run then "
        "(budget_exports_problems shows what is wrong).");
  }
}

void job_succeeded(WorkerContext& context) {
  WorkerProblems p = read_worker_problems();
  if (p.storage_episode) {
    bool was_episode = false;
    update_worker_problems([&](WorkerProblems& q) {
      was_episode = q.storage_episode;
      q.storage_episode = false;
      q.storage_down = false;
    });
    if (was_episode) {
      clear(context, "storage_unavailable");
      log(LOG, "Storage works again (outage of " + std::to_string(ms_since(p.storage_down_since) / 1000) +
                   " s); exports resumed");
    }
  }
  if (p.operator_paused || p.operator_warned_at != 0) {
    clear(context, "operator_error");
    update_worker_problems([](WorkerProblems& q) {
      q.operator_paused = false;
      q.operator_warned_at = 0;
    });
    log(LOG, "the operator problem is fixed: exports run again");
  }
}

void settings_reloaded() {
  update_worker_problems([](WorkerProblems& p) { p.operator_paused = false; });
}

long tick(WorkerContext& context) {
  WorkerProblems p = read_worker_problems();
  if (p.storage_down) {
    auto now = Clock::now();
    if (now < next_probe) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(next_probe - now).count() + 1;
    }
    next_probe = Clock::now() + std::chrono::milliseconds(kProbeEveryMs);
    long long limit_ms = static_cast<long long>(settings.storage_outage_limit_s) * 1000;
    if (ms_since(p.storage_down_since) >= limit_ms) {
      auto rows = in_transaction("budget_exports: failing exports that waited too long for Storage", false, [&] {
        return spi_query("SELECT " + function(context, "budget_exports_fail_waiting_jobs") +
                             "(to_timestamp(946684800 + $1::bigint / 1000000.0), $2::integer, $3)",
                         {std::to_string(p.storage_down_since), std::to_string(settings.storage_outage_limit_s),
                          std::string(kStorageOutageTooLong)});
      });
      if (!rows.empty() && rows[0][0] && *rows[0][0] != "0") {
        log(WARNING, *rows[0][0] + " export(s) failed: Storage has been unavailable for longer than "
                                   "budget_exports.storage_outage_limit");
      }
    }
    if (probe() == ProbeResult::up) {
      update_worker_problems([](WorkerProblems& q) { q.storage_down = false; });
      wake_all_workers();  // every worker claims again; the next completed job ends the episode
      return 0;
    }
    return kProbeEveryMs;
  }
  if (p.operator_paused) {
    TimestampTz now = pg_call([] { return GetCurrentTimestamp(); });
    return std::max<long long>(0, (p.operator_recheck_at - now) / 1000) + 1;
  }
  return -1;
}

}  // namespace budget_exports::pg::health
