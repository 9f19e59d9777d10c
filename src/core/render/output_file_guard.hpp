// Removes a half-written output file unless the render reached the end, so a failure
// never leaves something that looks like a finished export.
#pragma once

#include <string>

namespace budget_exports::render {

class OutputFileGuard {
public:
    explicit OutputFileGuard(std::string path) : path_(std::move(path)) {}
    ~OutputFileGuard();
    OutputFileGuard(const OutputFileGuard&) = delete;
    OutputFileGuard& operator=(const OutputFileGuard&) = delete;

    void keep() { keep_ = true; }

private:
    std::string path_;
    bool keep_ = false;
};

}  // namespace budget_exports::render
