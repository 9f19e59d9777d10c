// Module entry: settings, shared memory and the export workers are set up here.
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/shared_state.hpp"
#include "pg/worker_registration.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
  using namespace budget_exports::pg;
  define_settings();
  if (!process_shared_preload_libraries_in_progress) return;  // schema only: no worker
  install_shared_state_hooks();
  register_export_workers();
}
}
