// The file store's own floor for small exports: how many objects per second the worker's
// FileStore::put (src/core/storage/file_store.cpp: a new export directory, a temp file,
// write, rename, fsync of the file and, where needed, of the directories) stores when it does nothing else, with 1 and
// then `processes` processes at once (one per worker). Every small export pays this on top
// of its claim, read, render and result commit, so it bounds the export rate from above on
// the disk it runs on. Prints figures; never fails on a slow disk.
//   store_floor <directory> [objects per process, 500] [processes, 2] [file bytes, 28672]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/storage/file_store.hpp"

namespace {

// Stores `objects` objects under keys shaped like the worker's (couple/export/file name).
void put_objects(const std::string& root, const std::string& local_file, int process, int objects) {
    budget_exports::storage::FileStore store(root, "budget-exports");
    for (int i = 0; i < objects; ++i) {
        char export_id[64];
        std::snprintf(export_id, sizeof export_id, "e0000000-0000-4000-8000-%06d%06d", process, i);
        store.put("c0000000-0000-4000-8000-000000000001/" + std::string(export_id) + "/budget.csv", local_file,
                  "text/csv");
    }
}

// Objects per second with `processes` processes storing `objects` each at once.
double rate(const std::string& root, const std::string& local_file, int processes, int objects) {
    const auto started = std::chrono::steady_clock::now();
    for (int p = 0; p < processes; ++p) {
        if (fork() == 0) {
            try {
                put_objects(root, local_file, p, objects);
                std::_Exit(0);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "store_floor: %s\n", e.what());
                std::_Exit(1);
            }
        }
    }
    bool failed = false;
    for (int status = 0, p = 0; p < processes; ++p) {
        wait(&status);
        failed = failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return failed ? -1 : processes * objects / seconds;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: store_floor <directory> [objects per process] [processes] [file bytes]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const int objects = argc > 2 ? std::atoi(argv[2]) : 500;
    const int processes = argc > 3 ? std::atoi(argv[3]) : 2;
    const long bytes = argc > 4 ? std::atol(argv[4]) : 28 * 1024;
    std::filesystem::create_directories(dir);
    const std::string local_file = dir + "/source.csv";
    {
        std::ofstream out(local_file, std::ios::binary);
        for (long i = 0; i < bytes; ++i) out.put(static_cast<char>('a' + i % 26));
    }
    for (int n : {1, processes}) {
        const std::string root = dir + "/store-" + std::to_string(n);
        const double per_second = rate(root, local_file, n, objects);
        std::filesystem::remove_all(root);
        if (per_second < 0) return 1;
        std::printf("%d process(es): %.0f objects/s (%.2f ms per object in each)\n", n, per_second,
                    n * 1000.0 / per_second);
        if (n == processes) break;
    }
    std::filesystem::remove_all(dir);
    return 0;
}
