// Every failure class of the Storage contract maps to the right StorageError: retryable
// (5xx, 429, dropped connection, timeout, refused) or permanent (413, 404 bucket, 403).
#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>

#include "core/storage/object_store.hpp"
#include "storage_test_server.hpp"

namespace st = budget_exports::storage;
using storage_test::StorageTestServer;

namespace {

const std::string kKey = "couple-7f3a/export-91b2/fault-probe.csv";

struct Expected {
    bool retryable;
    long http_status;
    long status_code;
    std::string in_message;
};

}  // namespace

class SupabaseFaultTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new StorageTestServer({"--max-object-size", "1048576"}); }
    static void TearDownTestSuite() { delete server_; server_ = nullptr; }

    void SetUp() override {
        server_->reset();
        source_ = server_->scratch_dir() + "/src/probe.csv";
        storage_test::write_file(source_, "a,b\n1,2\n");
    }

    st::StoreConfig config() const {
        st::StoreConfig c;
        c.url = server_->base_url();
        c.service_key = StorageTestServer::kServiceKey;
        c.connect_timeout_ms = 1000;
        c.total_timeout_ms = 1500;  // bounds the slow test
        c.low_speed_limit_bytes = 1;
        c.low_speed_time_s = 5;
        return c;
    }

    // A fresh store per check: a new connection, so libcurl's replay of a request on a
    // dead *reused* connection does not hide the fault.
    st::StorageError put_failure(const st::StoreConfig& c, const std::string& path) {
        try {
            st::open_store(c)->put(kKey, path, "text/csv");
        } catch (const st::StorageError& e) {
            return e;
        }
        ADD_FAILURE() << "put succeeded";
        return st::StorageError("none", false);
    }

    void expect(const st::StorageError& e, const Expected& want, const st::StoreConfig& c) {
        std::string message = e.what();
        EXPECT_EQ(e.retryable, want.retryable) << message;
        EXPECT_EQ(e.http_status, want.http_status) << message;
        EXPECT_EQ(e.status_code, want.status_code) << message;
        EXPECT_NE(message.find(want.in_message), std::string::npos) << message;
        EXPECT_EQ(message.find("fault-probe"), std::string::npos) << "key leaked: " << message;
        EXPECT_EQ(message.find("couple-7f3a"), std::string::npos) << "key leaked: " << message;
        EXPECT_EQ(message.find(c.service_key), std::string::npos) << "secret leaked: " << message;
    }

    void expect_injected(const nlohmann::json& fault, const Expected& want) {
        server_->set_fault(fault);
        expect(put_failure(config(), source_), want, config());
        server_->set_fault({{"mode", "none"}});
        EXPECT_NO_THROW(st::open_store(config())->put(kKey, source_, "text/csv")) << "recovers";
    }

    static StorageTestServer* server_;
    std::string source_;
};

StorageTestServer* SupabaseFaultTest::server_ = nullptr;

TEST_F(SupabaseFaultTest, ServerErrorsAreRetryable) {
    expect_injected({{"mode", "500"}}, {true, 500, 500, "HTTP 500 (statusCode 500 Internal Server Error): Injected fault"});
    expect_injected({{"mode", "503"}}, {true, 503, 503, "HTTP 503"});
    EXPECT_EQ(server_->stats()["faults_served"], nlohmann::json({{"500", 1}, {"503", 1}}));
}

TEST_F(SupabaseFaultTest, SlowDownIsRetryable) {
    expect_injected({{"mode", "429"}}, {true, 429, 429, "HTTP 429 (statusCode 429 Too Many Requests)"});
}

TEST_F(SupabaseFaultTest, DroppedConnectionIsRetryable) {
    expect_injected({{"mode", "drop"}}, {true, 0, 0, "Server returned nothing"});
}

TEST_F(SupabaseFaultTest, ResponseSlowerThanTheTimeoutIsRetryable) {
    auto start = std::chrono::steady_clock::now();
    expect_injected({{"mode", "slow"}, {"delay_ms", 3000}}, {true, 0, 0, "Timeout was reached"});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2900));
}

TEST_F(SupabaseFaultTest, InjectedPayloadTooLargeIsPermanent) {
    expect_injected({{"mode", "413"}},
                    {false, 400, 413,
                     "storage upload failed: HTTP 400 (statusCode 413 Payload too large): "
                     "The object exceeded the maximum allowed size"});
}

TEST_F(SupabaseFaultTest, ObjectOverTheServerLimitIsPermanent) {
    std::string big = server_->scratch_dir() + "/src/big.bin";
    storage_test::write_file(big, std::string(1048577, 'x'));
    expect(put_failure(config(), big), {false, 400, 413, "statusCode 413"}, config());
}

TEST_F(SupabaseFaultTest, UnknownBucketIsPermanent) {
    st::StoreConfig c = config();
    c.bucket = "no-such-bucket";
    st::StorageError e = put_failure(c, source_);
    expect(e, {false, 400, 404, "Bucket not found"}, c);
    EXPECT_EQ(e.code, "NoSuchBucket");
}

TEST_F(SupabaseFaultTest, WrongServiceKeyIsPermanentAndNotQuoted) {
    st::StoreConfig c = config();
    c.service_key = "wrong-key-s3cr3t";
    st::StorageError e = put_failure(c, source_);
    expect(e, {false, 400, 403, "statusCode 403"}, c);
    EXPECT_THROW(st::open_store(c)->signed_url(kKey, 60), st::StorageError);
    EXPECT_THROW(st::open_store(c)->remove({kKey}), st::StorageError);
}

TEST_F(SupabaseFaultTest, RefusedConnectionIsRetryable) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);  // take a free port, then free it again
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    ::close(fd);
    st::StoreConfig c = config();
    c.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    // libcurl's wording: "Couldn't connect to server" (curl 7), "Could not connect to server" (8)
    expect(put_failure(c, source_), {true, 0, 0, curl_easy_strerror(CURLE_COULDNT_CONNECT)}, c);
}

TEST_F(SupabaseFaultTest, OutageWindowFailsEveryRequestUntilItEnds) {
    server_->set_fault({{"mode", "503"}, {"duration_s", 0.5}});
    auto store = st::open_store(config());
    EXPECT_THROW(store->put(kKey, source_, "text/csv"), st::StorageError);
    EXPECT_THROW(store->signed_url(kKey, 60), st::StorageError);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_NO_THROW(store->put(kKey, source_, "text/csv"));
}

TEST_F(SupabaseFaultTest, AbortCheckStopsAHangingRequestPromptly) {
    std::atomic<bool> shutdown{false};
    st::StoreConfig c = config();
    c.total_timeout_ms = 20000;  // only the abort check can end this request early
    c.should_abort = [&shutdown] { return shutdown.load(); };
    server_->set_fault({{"mode", "slow"}, {"delay_ms", 3000}});
    std::thread signal_later([&shutdown] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        shutdown = true;
    });
    auto start = std::chrono::steady_clock::now();
    st::StorageError e = put_failure(c, source_);
    signal_later.join();
    EXPECT_TRUE(e.retryable);
    EXPECT_EQ(e.code, "Aborted");
    // libcurl polls about once a second while idle; the server would answer after 3 s.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

TEST_F(SupabaseFaultTest, DroppedReusedConnectionIsReplayedFromTheStartOfTheFile) {
    auto store = st::open_store(config());
    store->put(kKey, source_, "text/csv");  // leaves a kept-alive connection
    server_->set_fault({{"mode", "drop"}, {"count", 1}});
    storage_test::write_file(source_, "second version\n");
    st::StoredObject stored = store->put(kKey, source_, "text/csv");  // libcurl replays it
    EXPECT_EQ(server_->stored_bytes(kKey), "second version\n");
    EXPECT_EQ(stored.size_bytes, 15u);
    nlohmann::json stats = server_->stats();
    EXPECT_EQ(stats["faults_served"]["drop"], 1);
    EXPECT_EQ(stats["requests"]["PUT upload"], 3);
}
