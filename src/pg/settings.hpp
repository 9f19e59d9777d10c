// The budget_exports.* settings (GUCs). Defined once by _PG_init; read by the worker and,
// through budget_exports_setting(), by the extension's SQL.
#pragma once

namespace budget_exports::pg {

struct Settings {
  // postmaster
  char* database = nullptr;
  int workers = 1;
  // sighup: the worker
  int poll_interval_ms = 60000;
  int lease_duration_s = 300;
  int backoff_base_ms = 1000;
  int backoff_max_ms = 300000;
  int max_retries = 3;
  int file_ttl_s = 86400;
  int max_file_size_bytes = 50 * 1024 * 1024;
  char* data_source = nullptr;
  char* reader_role = nullptr;  // the non-superuser role the data source runs as
  char* font_path = nullptr;
  char* storage_url = nullptr;
  char* storage_bucket = nullptr;
  char* storage_service_key = nullptr;       // superuser-only, never shown to others
  char* storage_service_key_file = nullptr;  // or read it from this file (not logged on reload)
  char* storage_service_key_secret = nullptr;  // or from Supabase Vault: the secret's name
  int storage_connect_timeout_ms = 5000;
  int storage_timeout_ms = 60000;
  int render_memory_limit_mb = 512;  // the renderer process's address space (RLIMIT_AS)
  int render_time_limit_ms = 120000;  // wall time of one render
  int render_nice = 10;               // CPU priority of the renderer (0-19, higher = lower)
  int render_busy_share = 25;         // % of one CPU all renderers may use while app queries run
  char* test_render_fault = nullptr;  // superuser-only test aid: "", "abort" or "segv"
  int storage_outage_limit_s = 4 * 3600;  // after this long unavailable, waiting exports fail
  int statement_timeout_ms = 120000;      // each worker transaction (capped at the lease)
  int lock_timeout_ms = 10000;
  // sighup: requests and cleanup
  int rate_limit_per_hour = 5;
  int max_in_flight = 2;
  int failed_retention_s = 7 * 86400;
  int queue_retention_s = 86400;
};

extern Settings settings;

void define_settings();

// True for the names budget_exports_setting() may reveal (never the storage key).
bool is_public_setting(const char* short_name);

}  // namespace budget_exports::pg
