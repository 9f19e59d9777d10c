// Marks a definition that takes the place of a shared library's function of the same name
// (minizip_level.cpp, libharu_memory.cpp, lxw_cell_writers.cpp): the library's calls reach
// it through the dynamic linker only if the program exports it. PGXS compiles every object
// with -fvisibility=hidden on PostgreSQL 16 and later, which left these definitions local
// to the renderer program there, and the libraries calling their own.
// test/t/020_renderer_program.pl checks the installed program's exports.
#pragma once

#define BUDGET_EXPORTS_INTERPOSED __attribute__((visibility("default")))
