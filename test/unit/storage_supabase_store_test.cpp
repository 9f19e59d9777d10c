// SupabaseStore against the contract server (test/fixtures/storage_server.py): uploads,
// upserts, connection reuse, signed URLs, batched deletes.
#include <gtest/gtest.h>

#include <curl/curl.h>

#include <chrono>
#include <random>

#include "core/storage/object_key.hpp"
#include "core/storage/object_store.hpp"
#include "core/storage/sha256.hpp"
#include "storage_test_server.hpp"

namespace st = budget_exports::storage;
using storage_test::StorageTestServer;

class SupabaseStoreTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new StorageTestServer(); }
    static void TearDownTestSuite() { delete server_; server_ = nullptr; }

    void SetUp() override {
        server_->reset();
        st::StoreConfig config;
        config.url = server_->base_url();
        config.service_key = StorageTestServer::kServiceKey;
        config.connect_timeout_ms = 2000;
        config.total_timeout_ms = 10000;
        config.cache_control = "max-age=60";
        store_ = st::open_store(config);
    }

    std::string source(const std::string& name, const std::string& bytes) {
        std::string path = server_->scratch_dir() + "/src/" + name;
        storage_test::write_file(path, bytes);
        return path;
    }

    static StorageTestServer* server_;
    std::unique_ptr<st::ObjectStore> store_;
};

StorageTestServer* SupabaseStoreTest::server_ = nullptr;

static std::string random_bytes(std::size_t size) {
    std::mt19937_64 random(42);
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    return bytes;
}

TEST_F(SupabaseStoreTest, UploadsBinaryBytesUnchangedWithHeaders) {
    const std::string key = "couple-1/export-1/budget (v2) & co; final+1.csv";
    const std::string bytes("x\0y\0\r\n\xff", 7);
    st::StoredObject stored = store_->put(key, source("small", bytes), "text/csv; charset=utf-8");

    EXPECT_EQ(server_->stored_bytes(key), bytes);
    EXPECT_EQ(stored.key, key);
    EXPECT_EQ(stored.size_bytes, bytes.size());
    EXPECT_EQ(stored.sha256_hex, st::sha256_hex(bytes));
    EXPECT_EQ(stored.url, server_->base_url() + "/object/budget-exports/" + st::encode_key_for_url(key));
    nlohmann::json meta = server_->object_meta(st::encode_key_for_url(key));
    EXPECT_EQ(meta["content_type"], "text/csv; charset=utf-8");
    EXPECT_EQ(meta["cache_control"], "max-age=60");
    EXPECT_EQ(meta["method"], "PUT");
    EXPECT_EQ(meta["sha256"], stored.sha256_hex);
}

TEST_F(SupabaseStoreTest, UploadsFiveMegabytesAndAnEmptyFile) {
    const std::string big = random_bytes(5 * 1024 * 1024);
    const std::string path = source("big", big);
    auto start = std::chrono::steady_clock::now();
    st::StoredObject stored = store_->put("c/e/big.pdf", path, "application/pdf");
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ measure  ] 5 MiB upload to the local contract server: " << seconds * 1000
              << " ms (" << 5.0 / seconds << " MiB/s)\n";

    EXPECT_EQ(stored.size_bytes, big.size());
    EXPECT_EQ(stored.sha256_hex, st::sha256_hex(big));
    EXPECT_TRUE(server_->stored_bytes("c/e/big.pdf") == big);  // no 5 MB diff on failure

    EXPECT_EQ(store_->put("c/e/empty.csv", source("empty", ""), "text/csv").size_bytes, 0u);
    EXPECT_EQ(server_->stored_bytes("c/e/empty.csv"), "");
}

TEST_F(SupabaseStoreTest, PutAgainIsAnUpsert) {
    store_->put("c/e/r.xlsx", source("v1", "version one"), "application/x");
    st::StoredObject second = store_->put("c/e/r.xlsx", source("v2", "two"), "application/x");
    EXPECT_EQ(server_->stored_bytes("c/e/r.xlsx"), "two");
    EXPECT_EQ(second.sha256_hex, st::sha256_hex("two"));
    EXPECT_EQ(server_->object_meta("c/e/r.xlsx")["upserts"], 1);
}

TEST_F(SupabaseStoreTest, ReusesOneConnectionAcrossRequests) {
    store_->put("c/e/1.csv", source("1", "1"), "text/csv");
    long before = server_->stats()["connections"];
    store_->put("c/e/2.csv", source("2", "2"), "text/csv");
    store_->signed_url("c/e/2.csv", 60);
    store_->remove({"c/e/1.csv"});
    long after = server_->stats()["connections"];
    EXPECT_EQ(after - before, 1) << "only the stats call itself may open a connection";
}

// The file names a couple may give (README: letters, digits, space, _ ! . * ' ( ) & $ = @
// ; : + , -): each one uploads, signs, downloads byte-identical through the signed URL
// under its own name (Content-Disposition), and is deleted again.
TEST_F(SupabaseStoreTest, EveryAllowedFileNameRoundTripsThroughItsSignedUrl) {
    std::vector<std::string> names = {"Our budget (final) v2.csv", "a b.csv"};
    for (char c : std::string("+&$=@;:,!*'()-_")) names.push_back(std::string("a") + c + "b.csv");
    names.push_back("a+b&c=d$e@f;g:h,i!j*k'l(m) n.csv");
    int n = 0;
    for (const std::string& name : names) {
        SCOPED_TRACE(name);
        const std::string key = "couple-1/export-" + std::to_string(++n) + "/" + name;
        const std::string bytes = "bytes of " + name + std::string("\0\xff", 2);
        store_->put(key, source("rt", bytes), "text/csv; charset=utf-8");
        std::string url = store_->signed_url(key, 60);

        // a valid absolute URL: libcurl's parser takes it as is, nothing left unescaped
        CURLU* parsed = curl_url();
        EXPECT_EQ(curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0), CURLUE_OK) << url;
        curl_url_cleanup(parsed);
        EXPECT_EQ(url.find_first_of(" \"<>\\^`{|}"), std::string::npos) << url;
        EXPECT_EQ(url.rfind(server_->base_url() + "/object/sign/budget-exports/couple-1/", 0), 0u) << url;

        storage_test::HttpResult download = storage_test::http_call("GET", url);
        EXPECT_EQ(download.status, 200) << url << " " << download.body;
        EXPECT_TRUE(download.body == bytes) << download.body;
        std::string encoded = storage_test::encode_uri_component(name);
        EXPECT_NE(download.headers.find("Content-Disposition: attachment; filename=" + encoded + ";"),
                  std::string::npos) << download.headers;

        store_->remove({key});
        EXPECT_EQ(server_->stored_bytes(key), "<missing>");
        EXPECT_EQ(storage_test::http_call("GET", url).status, 400) << "deleted: the URL stops working";
    }
    EXPECT_EQ(server_->stats()["requests"]["POST sign"], static_cast<int>(names.size()));
}

// Why the client signs through the batch route: the single-object route puts
// decodeURI(raw path) in the token, which keeps %2B %26 %3D ... encoded, while the
// download compares it with the fully decoded path (the real server's behaviour, which the
// stand-in copies). A client that percent-encodes the key there gets InvalidSignature.
TEST_F(SupabaseStoreTest, SingleObjectSignRouteCannotSignReservedCharacters) {
    store_->put("c/e/a+b.csv", source("plus", "plus"), "text/csv");
    const std::vector<std::string> auth = {std::string("apikey: ") + StorageTestServer::kServiceKey,
                                           std::string("Authorization: Bearer ") + StorageTestServer::kServiceKey};
    storage_test::HttpResult sign = storage_test::http_call(
        "POST", server_->base_url() + "/object/sign/budget-exports/c/e/a%2Bb.csv", R"({"expiresIn": 60})", auth);
    ASSERT_EQ(sign.status, 200) << sign.body;
    std::string signed_path = nlohmann::json::parse(sign.body)["signedURL"];
    EXPECT_EQ(signed_path.rfind("/object/sign/budget-exports/c/e/a%2Bb.csv?token=", 0), 0u) << signed_path;
    storage_test::HttpResult download = storage_test::http_call("GET", server_->base_url() + signed_path);
    EXPECT_EQ(download.status, 400);
    EXPECT_NE(download.body.find(R"("code": "InvalidSignature")"), std::string::npos) << download.body;
    // and it answers a space unescaped: not a URL at all
    store_->put("c/e/a b.csv", source("space", "space"), "text/csv");
    sign = storage_test::http_call("POST", server_->base_url() + "/object/sign/budget-exports/c/e/a%20b.csv",
                                   R"({"expiresIn": 60})", auth);
    EXPECT_NE(sign.body.find("/c/e/a b.csv?token="), std::string::npos) << sign.body;
}

TEST_F(SupabaseStoreTest, ExpiredSignedUrlIsRefused) {
    store_->put("c/e/old.csv", source("old", "old"), "text/csv");
    std::string url = store_->signed_url("c/e/old.csv", 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // expiry has 1 s resolution
    storage_test::HttpResult download = storage_test::http_call("GET", url);
    EXPECT_EQ(download.status, 400);
    EXPECT_NE(download.body.find(R"(\"exp\" claim timestamp check failed)"), std::string::npos) << download.body;
}

TEST_F(SupabaseStoreTest, SigningAMissingObjectIsAPermanentNotFound) {
    try {
        store_->signed_url("c/e/absent.csv", 60);
        FAIL();
    } catch (const st::StorageError& e) {
        EXPECT_FALSE(e.retryable);
        EXPECT_EQ(e.status_code, 404);
        EXPECT_EQ(e.code, "NoSuchKey");
        EXPECT_EQ(std::string(e.what()).find("absent.csv"), std::string::npos) << e.what();
    }
}

// A missing bucket and a key without rights make Storage's sign answer look like a
// missing object; the client asks GET /bucket/{id} and reports the operator's problem.
TEST_F(SupabaseStoreTest, MissingBucketOrKeyWithoutRightsIsNotAMissingObject) {
    store_->put("c/e/here.csv", source("here", "here"), "text/csv");
    auto failure = [&](const st::StoreConfig& config) {
        try {
            st::open_store(config)->signed_url("c/e/here.csv", 60);
        } catch (const st::StorageError& e) {
            return e;
        }
        return st::StorageError("no error", true);
    };
    st::StoreConfig base;
    base.url = server_->base_url();
    base.service_key = StorageTestServer::kServiceKey;

    st::StoreConfig no_bucket = base;
    no_bucket.bucket = "no-such-bucket";
    st::StorageError e = failure(no_bucket);
    EXPECT_FALSE(e.retryable);
    EXPECT_EQ(e.code, "NoSuchBucket") << e.what();
    EXPECT_NE(std::string(e.what()).find("Bucket not found"), std::string::npos) << e.what();

    st::StoreConfig anon = base;
    anon.service_key = StorageTestServer::kAnonKey;
    e = failure(anon);
    EXPECT_FALSE(e.retryable);
    EXPECT_EQ(e.code, "NoSuchBucket") << e.what();

    st::StoreConfig wrong = base;
    wrong.service_key = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.wrong";
    e = failure(wrong);
    EXPECT_FALSE(e.retryable);
    EXPECT_EQ(e.code, "AccessDenied") << e.what();
    EXPECT_EQ(e.status_code, 403);
    EXPECT_NE(std::string(e.what()).find("signature verification failed"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(wrong.service_key), std::string::npos) << e.what();

    EXPECT_EQ(failure(base).code, "") << "the object itself signs fine";
}

TEST_F(SupabaseStoreTest, RemoveSendsBatchesOfAtMostAThousand) {
    std::vector<std::string> keys;
    for (int i = 0; i < 1500; ++i) keys.push_back("c/e" + std::to_string(i) + "/f.csv");
    for (int i : {0, 999, 1000, 1499}) store_->put(keys[i], source("f", "f"), "text/csv");
    server_->reset();

    store_->remove(keys);  // 1496 of them never existed: not an error

    nlohmann::json stats = server_->stats();
    EXPECT_EQ(stats["requests"]["DELETE delete-prefixes"], 2);
    EXPECT_EQ(stats["prefix_batch_sizes"], nlohmann::json::array({1000, 500}));
    for (int i : {0, 999, 1000, 1499}) EXPECT_EQ(server_->stored_bytes(keys[i]), "<missing>");
}

TEST_F(SupabaseStoreTest, RemoveOfNothingSendsNothingAndBadKeysSendNothing) {
    store_->remove({});
    EXPECT_THROW(store_->remove({"c/e/ok.csv", "c/e/bad#.csv"}), std::invalid_argument);
    EXPECT_TRUE(server_->stats()["requests"].empty());
}
