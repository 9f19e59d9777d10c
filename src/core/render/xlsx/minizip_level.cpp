// libxlsxwriter deflates every part of a workbook through minizip at zlib's default level
// (6) and has no setting for it: 46 % of a 100k-line Excel render's CPU time went to that
// deflate (perf). libxlsxwriter opens each part with zipOpenNewFileInZip4_64 through its
// PLT, so this definition, with the same name and signature, takes its place in every
// program linked with src/core and forwards to minizip's own with kXlsxDeflateLevel. The
// parts are the same bytes, the file is a valid zip read by every spreadsheet program,
// only larger (a third at 100k lines: 6.4 MB instead of 4.8 MB, for 37 % less render
// time). test/unit/xlsx_renderer_test.cpp checks that it is the one in use and that a
// workbook's parts are deflated at that level.
#include <dlfcn.h>

#include <minizip/zip.h>

#include "core/render/interposed.hpp"
#include "core/render/xlsx/xlsx_workbook.hpp"

extern "C" BUDGET_EXPORTS_INTERPOSED int zipOpenNewFileInZip4_64(zipFile file, const char* filename, const zip_fileinfo* zipfi,
                                       const void* extrafield_local, uInt size_extrafield_local,
                                       const void* extrafield_global, uInt size_extrafield_global,
                                       const char* comment, int method, int level, int raw, int windowBits,
                                       int memLevel, int strategy, const char* password, uLong crcForCrypting,
                                       uLong versionMadeBy, uLong flagBase, int zip64) {
    using Open = decltype(&zipOpenNewFileInZip4_64);
    static const Open minizips = reinterpret_cast<Open>(dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64"));
    if (minizips == nullptr) return ZIP_INTERNALERROR;
    if (method == Z_DEFLATED && level == Z_DEFAULT_COMPRESSION) level = budget_exports::render::kXlsxDeflateLevel;
    return minizips(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
                    size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy, password,
                    crcForCrypting, versionMadeBy, flagBase, zip64);
}
