// libharu 2.3 clears and copies memory one byte at a time (HPDF_MemSet and HPDF_MemCpy in
// hpdf_utils.c). Every operator it writes to a page first clears a 512-byte scratch buffer
// that way (8 % of a 100k-line render's CPU time, perf), and every byte written to a page's
// stream is copied that way (7 % of the instructions once show_text_at writes whole text
// operators, callgrind). libharu calls both through its PLT, so these definitions, with
// the same names, signatures and results, take their place in every program linked with
// src/core; output is byte for byte the same. test/unit/pdf_canvas_test.cpp checks that
// they are the ones in use and that they behave as libharu's own.
#include <cstring>

#include <hpdf.h>
#include <hpdf_utils.h>

#include "core/render/interposed.hpp"

// Returns the end of the cleared range.
extern "C" BUDGET_EXPORTS_INTERPOSED void* HPDF_MemSet(void* s, HPDF_BYTE c, HPDF_UINT n) {
    std::memset(s, c, n);
    return static_cast<HPDF_BYTE*>(s) + n;
}

// Returns the end of the copy. libharu's copies forwards one byte at a time, which repeats
// the first bytes when `out` starts inside the source: done the same way in that one case.
extern "C" BUDGET_EXPORTS_INTERPOSED HPDF_BYTE* HPDF_MemCpy(HPDF_BYTE* out, const HPDF_BYTE* in, HPDF_UINT n) {
    if (out > in && out < in + n) {
        for (HPDF_UINT i = 0; i < n; ++i) out[i] = in[i];
    } else {
        std::memmove(out, in, n);
    }
    return out + n;
}
