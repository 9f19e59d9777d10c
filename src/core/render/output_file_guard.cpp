#include "core/render/output_file_guard.hpp"

#include <cstdio>

namespace budget_exports::render {

OutputFileGuard::~OutputFileGuard() {
    if (!keep_) std::remove(path_.c_str());
}

}  // namespace budget_exports::render
