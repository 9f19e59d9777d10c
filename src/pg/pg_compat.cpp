#include "pg/pg_compat.hpp"

#include <cstring>

namespace budget_exports::pg {

#if PG_VERSION_NUM >= 170000
namespace {

// Ids already registered by this process (WaitEventExtensionNew takes a lock and searches a
// shared hash table; the worker waits often). Fixed size: no C++ allocation inside pg_call.
struct CachedWaitEvent {
  const char* name;
  uint32 id;
};
CachedWaitEvent cached[8];
int cached_count = 0;

}  // namespace

uint32 extension_wait_event(const char* name) {
  for (int i = 0; i < cached_count; ++i)
    if (std::strcmp(cached[i].name, name) == 0) return cached[i].id;
  uint32 id = WaitEventExtensionNew(name);  // the same id for the same name, in every process
  if (cached_count < static_cast<int>(sizeof cached / sizeof cached[0])) cached[cached_count++] = {name, id};
  return id;
}
#else
uint32 extension_wait_event(const char*) { return PG_WAIT_EXTENSION; }
#endif

}  // namespace budget_exports::pg
