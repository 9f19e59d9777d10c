// Test helper: runs test/fixtures/storage_server.py (the Storage contract server) for a
// test suite, and small file/HTTP utilities. Header-only: test/unit/Makefile builds only
// *_test.cpp files.
//
// Script: $BUDGET_EXPORTS_STORAGE_SERVER, else found by walking up from the working
// directory (make check runs in test/unit/build). Interpreter: $BUDGET_EXPORTS_PYTHON,
// else /usr/bin/python3. The server dies with the test process (PR_SET_PDEATHSIG) and
// exits by itself after --max-lifetime-s, so an aborted run leaves nothing behind.
#pragma once

#include <curl/curl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace storage_test {

namespace fs = std::filesystem;

inline std::string make_temp_dir(const std::string& tag) {
    std::string pattern = (fs::temp_directory_path() / ("budget-exports-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

inline void write_file(const std::string& path, const std::string& bytes) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "<missing>";
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

struct HttpResult {
    long status = 0;
    std::string body;
    std::string headers;  // the raw response header block
};

extern "C" inline size_t storage_test_collect(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

// Plain libcurl call (independent of the code under test), 5 s bounded. libcurl refuses
// a URL that is not valid (a raw space, say), as browsers' fetch and curl(1) do.
inline HttpResult http_call(const std::string& method, const std::string& url,
                            const std::string& body = "",
                            const std::vector<std::string>& headers = {}) {
    HttpResult result;
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, storage_test_collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, storage_test_collect);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &result.headers);
    struct curl_slist* list = nullptr;
    for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
    if (list) curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    if (method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    }
    CURLcode code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
    curl_easy_cleanup(h);
    curl_slist_free_all(list);
    if (code != CURLE_OK) throw std::runtime_error(std::string("http_call: ") + curl_easy_strerror(code));
    return result;
}

// JavaScript's encodeURIComponent (ASCII): what the real server writes into
// Content-Disposition for &download=<name>.
inline std::string encode_uri_component(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || (c != 0 && std::strchr("-_.!~*'()", c))) {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

inline std::string find_storage_server_script() {
    if (const char* env = std::getenv("BUDGET_EXPORTS_STORAGE_SERVER")) return env;
    const fs::path relative = "test/fixtures/storage_server.py";
    for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
        if (fs::exists(dir / relative)) return (dir / relative).string();
        if (dir == dir.parent_path()) break;
    }
    throw std::runtime_error("storage_server.py not found; set BUDGET_EXPORTS_STORAGE_SERVER");
}

class StorageTestServer {
public:
    static constexpr const char* kServiceKey = "test-service-key";
    static constexpr const char* kAnonKey = "test-anon-key";  // valid, but RLS shows it nothing
    static constexpr const char* kBucket = "budget-exports";

    explicit StorageTestServer(const std::vector<std::string>& extra_args = {})
        : dir_(make_temp_dir("storage-server")) {
        const char* python = std::getenv("BUDGET_EXPORTS_PYTHON");
        std::vector<std::string> args = {python ? python : "/usr/bin/python3",
                                         find_storage_server_script(),
                                         "--port", "0", "--port-file", dir_ + "/port",
                                         "--data-dir", data_dir(), "--bucket", kBucket,
                                         "--service-key", kServiceKey, "--anon-key", kAnonKey,
                                         "--max-lifetime-s", "600"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {  // child: only async-signal-safe calls until exec
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        try {
            wait_for_port();
        } catch (...) {
            stop();
            throw;
        }
    }

    ~StorageTestServer() { stop(); }

    StorageTestServer(const StorageTestServer&) = delete;
    StorageTestServer& operator=(const StorageTestServer&) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string data_dir() const { return dir_ + "/data"; }
    std::string scratch_dir() const { return dir_; }
    std::string stored_bytes(const std::string& key) const {
        return read_file(data_dir() + "/" + kBucket + "/" + key);
    }

    void set_fault(const nlohmann::json& spec) { control("POST", "faults", spec.dump()); }
    void reset() { control("POST", "reset", "{}"); }
    nlohmann::json stats() { return nlohmann::json::parse(control("GET", "stats", "")); }
    nlohmann::json object_meta(const std::string& encoded_key) {
        return nlohmann::json::parse(control("GET", std::string("object/") + kBucket + "/" + encoded_key, ""));
    }

private:
    void stop() {
        if (pid_ <= 0) return;  // never kill(-1, ...)
        ::kill(pid_, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, nullptr, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = -1;
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    std::string control(const std::string& method, const std::string& what, const std::string& body) {
        HttpResult r = http_call(method, base_url() + "/__control/" + what, body);
        if (r.status != 200) throw std::runtime_error("control " + what + ": HTTP " + std::to_string(r.status));
        return r.body;
    }

    void wait_for_port() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            std::ifstream in(dir_ + "/port");
            if (in >> port_ && port_ > 0) return;
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) throw std::runtime_error("storage server exited");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        throw std::runtime_error("storage server did not start within 10 s");
    }

    std::string dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace storage_test
