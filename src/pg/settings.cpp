#include "pg/settings.hpp"

#include "pg/pg_headers.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <climits>
#include <cstring>

namespace budget_exports::pg {

Settings settings;

namespace {

constexpr int kDay = 86400;

void define_int(const char* name, const char* description, int* target, int boot, int min, int max,
                GucContext context, int flags) {
  DefineCustomIntVariable(name, description, nullptr, target, boot, min, max, context, flags, nullptr,
                          nullptr, nullptr);
}

void define_string(const char* name, const char* description, char** target, const char* boot,
                   GucContext context, int flags) {
  DefineCustomStringVariable(name, description, nullptr, target, boot, context, flags, nullptr, nullptr,
                             nullptr);
}

void define_postmaster_settings() {
  define_string("budget_exports.database", "Database whose export_queue the workers consume.",
                &settings.database, "postgres", PGC_POSTMASTER, 0);
  define_int("budget_exports.workers", "Number of export workers (0 disables them).", &settings.workers, 1, 0,
             8, PGC_POSTMASTER, 0);
}

}  // namespace

void define_settings() {
  // Postmaster settings can only be defined while preloading; without preload no worker runs.
  if (process_shared_preload_libraries_in_progress) define_postmaster_settings();

  define_int("budget_exports.poll_interval",
             "Longest sleep of an idle worker (new jobs wake it at commit, retries at their run_at).",
             &settings.poll_interval_ms, 60000, 10, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.lease_duration", "How long a claimed job is leased before another worker may take it.",
             &settings.lease_duration_s, 300, 5, kDay, PGC_SIGHUP, GUC_UNIT_S);
  define_int("budget_exports.backoff_base", "First retry delay; doubles with every attempt.",
             &settings.backoff_base_ms, 1000, 0, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.backoff_max", "Longest retry delay.", &settings.backoff_max_ms, 300000, 0,
             kDay * 1000, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.max_retries", "Retries of a failed export before it is marked failed.",
             &settings.max_retries, 3, 0, 100, PGC_SIGHUP, 0);
  define_int("budget_exports.file_ttl", "How long a finished export's file stays downloadable.",
             &settings.file_ttl_s, kDay, 60, 365 * kDay, PGC_SIGHUP, GUC_UNIT_S);
  define_int("budget_exports.max_file_size", "Largest export file; larger ones fail.",
             &settings.max_file_size_bytes, 50 * 1024 * 1024, 1024, INT_MAX, PGC_SIGHUP, GUC_UNIT_BYTE);
  define_string("budget_exports.data_source",
                "Function (couple_id uuid, filters jsonb) that returns a couple's budget rows.",
                &settings.data_source, "budget_exports_budget_rows", PGC_SIGHUP, 0);
  define_string("budget_exports.reader_role",
                "Role the worker reads budgets as (runs the data source); never a superuser.",
                &settings.reader_role, "service_role", PGC_SIGHUP, 0);
  define_string("budget_exports.font_path", "TrueType font embedded in PDF exports.", &settings.font_path,
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", PGC_SIGHUP, 0);

  define_string("budget_exports.storage_url",
                "Where files go: https://<project>.supabase.co/storage/v1, or file:///dir (default: "
                "file://<data directory>/budget_exports).",
                &settings.storage_url, "", PGC_SIGHUP, 0);
  define_string("budget_exports.storage_bucket", "Storage bucket for export files.", &settings.storage_bucket,
                "budget-exports", PGC_SIGHUP, 0);
  define_string("budget_exports.storage_service_key", "Supabase service role key for Storage (secret).",
                &settings.storage_service_key, "", PGC_SIGHUP,
                GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE);
  define_string("budget_exports.storage_service_key_file",
                "File holding the Supabase service role key (preferred: a changed key is never logged).",
                &settings.storage_service_key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
  define_string("budget_exports.storage_service_key_secret",
                "Name of the Supabase Vault secret holding the service role key (used when schema vault exists).",
                &settings.storage_service_key_secret, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY);
  define_int("budget_exports.storage_connect_timeout", "Storage connect timeout.",
             &settings.storage_connect_timeout_ms, 5000, 100, 600 * 1000, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.storage_timeout", "Storage request timeout.", &settings.storage_timeout_ms, 60000,
             100, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.storage_outage_limit",
             "How long exports wait for unavailable Storage before they fail (no retries are spent meanwhile).",
             &settings.storage_outage_limit_s, 4 * 3600, 1, 30 * kDay, PGC_SIGHUP, GUC_UNIT_S);
  define_int("budget_exports.statement_timeout", "Longest worker transaction (capped at lease_duration; 0 = lease_duration).",
             &settings.statement_timeout_ms, 120000, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.lock_timeout", "Longest lock wait of a worker transaction (capped like statement_timeout).",
             &settings.lock_timeout_ms, 10000, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS);

  define_int("budget_exports.render_memory_limit",
             "Memory (address space) of the renderer process; a report that needs more fails.",
             &settings.render_memory_limit_mb, 512, 32, 64 * 1024, PGC_SIGHUP, GUC_UNIT_MB);
  define_int("budget_exports.render_time_limit", "Wall time one render may take; a slower report fails.",
             &settings.render_time_limit_ms, 120000, 1000, kDay * 1000, PGC_SIGHUP, GUC_UNIT_MS);
  define_int("budget_exports.render_nice", "CPU priority (nice value) of the renderer process.",
             &settings.render_nice, 10, 0, 19, PGC_SIGHUP, 0);
  define_int("budget_exports.render_busy_share",
             "While the app's own queries run, the share of one CPU (percent) all renderers together may use; "
             "they are paused in between. 100: never paused.",
             &settings.render_busy_share, 25, 1, 100, PGC_SIGHUP, 0);
  define_string("budget_exports.test_render_fault",
                "Test aid, never for production: 'abort' or 'segv' makes the renderer crash on exports whose "
                "custom_title is 'budget_exports test: crash the renderer'.",
                &settings.test_render_fault, "", PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NOT_IN_SAMPLE);

  define_int("budget_exports.rate_limit_per_hour", "Export requests a couple may make per hour.",
             &settings.rate_limit_per_hour, 5, 1, 100000, PGC_SIGHUP, 0);
  define_int("budget_exports.max_in_flight", "Exports a couple may have generating at once.",
             &settings.max_in_flight, 2, 1, 1000, PGC_SIGHUP, 0);
  define_int("budget_exports.failed_retention", "How long failed exports are kept before cleanup deletes them.",
             &settings.failed_retention_s, 7 * kDay, 0, 3650 * kDay, PGC_SIGHUP, GUC_UNIT_S);
  define_int("budget_exports.queue_retention", "How long finished queue rows are kept before cleanup deletes them.",
             &settings.queue_retention_s, kDay, 0, 3650 * kDay, PGC_SIGHUP, GUC_UNIT_S);

  MarkGUCPrefixReserved("budget_exports");
}

bool is_public_setting(const char* short_name) {
  static const char* const kPublic[] = {
      "database",        "workers",       "poll_interval",      "lease_duration",   "backoff_base",
      "backoff_max",     "max_retries",   "file_ttl",           "max_file_size",    "data_source",      "reader_role",
      "font_path",       "storage_url",   "storage_bucket",     "storage_connect_timeout",
      "storage_timeout", "storage_outage_limit", "statement_timeout", "lock_timeout",
      "rate_limit_per_hour", "render_memory_limit", "render_time_limit", "render_nice", "render_busy_share",
      "max_in_flight", "failed_retention", "queue_retention"};
  for (const char* name : kPublic) {
    if (std::strcmp(name, short_name) == 0) return true;
  }
  return false;
}

}  // namespace budget_exports::pg
