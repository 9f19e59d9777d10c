// libharu 2.3 clears memory one byte at a time (HPDF_MemSet in hpdf_utils.c), and every
// operator it writes to a page first clears a 512-byte scratch buffer that way: 8 % of a
// 100k-line render's CPU time (perf). libharu calls HPDF_MemSet through its PLT, so this
// definition, with the same name, signature and result (the end of the cleared range),
// takes its place in every program linked with src/core; output is byte for byte the same.
// test/unit/pdf_canvas_test.cpp checks that it is the one in use and that it behaves as
// libharu's own.
#include <cstring>

#include <hpdf.h>
#include <hpdf_utils.h>

extern "C" void* HPDF_MemSet(void* s, HPDF_BYTE c, HPDF_UINT n) {
    std::memset(s, c, n);
    return static_cast<HPDF_BYTE*>(s) + n;
}
