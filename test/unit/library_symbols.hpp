// The renderer replaces some functions of its libraries with its own of the same name
// (docs/performance.md); the tests compare the two, so they need the library's own.
#pragma once

#include <dlfcn.h>

namespace budget_exports::testing {

// The definition of `name` in the shared library that holds `anchor` (one of its
// functions), not the program's replacement; nullptr if that library has none.
template <typename Fn>
Fn library_own(void* anchor, const char* name) {
    Dl_info info{};
    if (dladdr(anchor, &info) == 0) return nullptr;
    void* library = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (library == nullptr) return nullptr;
    auto own = reinterpret_cast<Fn>(dlsym(library, name));
    dlclose(library);  // still loaded: the program links it
    return own;
}

}  // namespace budget_exports::testing
