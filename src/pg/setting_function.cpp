// budget_exports_setting(name): the extension's SQL reads its limits through this, which
// loads the library (so the GUCs are defined and checked) and never reveals the secret.
#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/guc.h"
}

#include <string>

extern "C" {
PG_FUNCTION_INFO_V1(budget_exports_setting);
Datum budget_exports_setting(PG_FUNCTION_ARGS) {
  using namespace budget_exports::pg;
  char* short_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
  if (!is_public_setting(short_name)) {
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                    errmsg("budget_exports has no readable setting \"%s\"", short_name),
                    errhint("See the README for the list of budget_exports.* settings.")));
  }
  char* full_name = psprintf("budget_exports.%s", short_name);
  const char* value = GetConfigOption(full_name, true, false);
  if (value == nullptr) PG_RETURN_NULL();  // a postmaster setting, defined only when preloaded
  PG_RETURN_TEXT_P(cstring_to_text(value));
}
}
