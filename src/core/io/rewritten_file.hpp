#pragma once

#include <cstdio>
#include <string>

namespace budget_exports::io {

// A scratch file written job after job (the worker's line item spool, the renderer's CSV):
// opened for writing from its first byte *without* emptying it first, and cut to what this
// job wrote when it is closed.
//
// Emptying a file to 0 bytes and writing it again is what ext4 takes for an application
// replacing a file's content (auto_da_alloc): the last close then starts writing the file
// to disk. For a scratch file read once and rewritten milliseconds later that is disk I/O
// per job for nothing (it competed with the fsyncs of the WAL and of the stored files).
// Overwritten in place, the pages stay in the page cache and the blocks stay allocated.

// nullptr (errno set) when the file cannot be opened or created (mode 0600).
std::FILE* open_for_rewrite(const std::string& path);

// Flushes, cuts the file at the current position (what was left of a longer previous
// content) and closes; false (errno set) on a write error. The file is closed either way.
bool close_rewritten(std::FILE* file);

}  // namespace budget_exports::io
