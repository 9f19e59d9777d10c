#include "core/render/replayable_items.hpp"

#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

#include "core/render/render_error.hpp"

namespace budget_exports::render {

ReplayableItems::ReplayableItems(report::LineItemSource& source, const std::string& tmpdir) : source_(source) {
    if (source.rewind()) return;
    std::string dir = tmpdir;
    if (dir.empty()) {
        const char* env = std::getenv("TMPDIR");
        dir = env && *env ? env : "/tmp";
    }
    std::string path = dir + "/budget_exports-items-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) throw RenderError("cannot create a temporary file for the line items in " + dir);
    ::close(fd);
    try {
        spool::LineItemSpoolWriter writer(path);
        report::LineItem item;
        while (source.next(item)) writer.write(item);
        writer.close();
        copy_ = std::make_unique<spool::LineItemSpoolReader>(path);
    } catch (const std::runtime_error& error) {
        ::unlink(path.c_str());
        throw RenderError(std::string("cannot copy the line items: ") + error.what());
    }
    ::unlink(path.c_str());  // the open reader keeps the data until it is closed
}

ReplayableItems::~ReplayableItems() = default;

void ReplayableItems::rewind() {
    if (!items().rewind()) throw RenderError("cannot read the line items a second time");
}

}  // namespace budget_exports::render
