// Helpers for renderer tests: scratch file paths and running external readers
// (python3, unzip, pdftotext) on what the renderers wrote.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace budget_exports::testing {

// A unique path under the build directory's tmp/, removed when the test ends.
class ScratchFile {
public:
    explicit ScratchFile(const std::string& extension) {
        ::mkdir("tmp", 0700);
        static int counter = 0;
        path_ = "tmp/out_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "." + extension;
        std::remove(path_.c_str());
    }
    ~ScratchFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline bool file_exists(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0;
}

inline long file_size(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 ? static_cast<long>(info.st_size) : -1;
}

// Runs a shell command and returns its standard output; throws when it exits non-zero.
inline std::string run_command(const std::string& command) {
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
    std::string output;
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    const int status = ::pclose(pipe);
    if (status != 0) throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command);
    return output;
}

inline std::string read_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) throw std::runtime_error("cannot open " + path);
    std::string content;
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) content.append(buffer, n);
    std::fclose(file);
    return content;
}

// The rows of a CSV file as an independent RFC 4180 reader (Python's csv module) reads them.
inline std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    ScratchFile script("py");
    {
        std::FILE* file = std::fopen(script.path().c_str(), "w");
        if (file == nullptr) throw std::runtime_error("cannot write " + script.path());
        std::fputs("import csv, io, json, sys\n"
                   "text = open(sys.argv[1], 'rb').read().decode('utf-8-sig')\n"
                   "print(json.dumps(list(csv.reader(io.StringIO(text, newline='')))))\n",
                   file);
        std::fclose(file);
    }
    const std::string json = run_command("python3 " + script.path() + " '" + path + "'");
    return nlohmann::json::parse(json).get<std::vector<std::vector<std::string>>>();
}

}  // namespace budget_exports::testing
