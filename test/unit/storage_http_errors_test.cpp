// Mapping of Storage error bodies and libcurl codes to StorageError (no server needed).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include "core/storage/http_errors.hpp"

namespace st = budget_exports::storage;

TEST(StorageHttpErrors, RealCodeComesFromStatusCodeBehindHttp400) {
    st::StorageError e = st::error_from_response(
        "upload", 400,
        R"({"statusCode":"409","code":"Duplicate","error":"Duplicate","message":"The resource already exists"})",
        {});
    EXPECT_FALSE(e.retryable);
    EXPECT_EQ(e.http_status, 400);
    EXPECT_EQ(e.status_code, 409);
    EXPECT_EQ(e.code, "Duplicate");
    EXPECT_STREQ(e.what(),
                 "storage upload failed: HTTP 400 (statusCode 409 Duplicate): The resource already exists");
}

TEST(StorageHttpErrors, RetryableByHttpStatusOrStatusCode) {
    EXPECT_TRUE(st::error_from_response("upload", 502, "<html>bad gateway</html>", {}).retryable);
    EXPECT_TRUE(st::error_from_response("upload", 400, R"({"statusCode":"429"})", {}).retryable);
    EXPECT_TRUE(st::error_from_response("upload", 400, R"({"statusCode":500})", {}).retryable);
    EXPECT_FALSE(st::error_from_response("upload", 400, R"({"statusCode":"400"})", {}).retryable);
    EXPECT_FALSE(st::error_from_response("upload", 404, "", {}).retryable);
}

TEST(StorageHttpErrors, NonJsonBodyIsNotQuoted) {
    st::StorageError e = st::error_from_response("sign", 502, "<html>proxy page with secrets</html>", {});
    EXPECT_STREQ(e.what(), "storage sign failed: HTTP 502 (no Storage error body)");
    EXPECT_EQ(e.status_code, 502);
}

TEST(StorageHttpErrors, SecretsAndControlCharactersAreScrubbed) {
    st::StorageError e = st::error_from_response(
        "upload", 400,
        R"({"statusCode":"400","error":"InvalidKey","message":"Invalid key: c1/e1/x.pdf\nnext line"})",
        {"c1/e1/x.pdf", "service-key"});
    EXPECT_STREQ(e.what(),
                 "storage upload failed: HTTP 400 (statusCode 400 InvalidKey): Invalid key: [redacted] next line");
    std::string long_message(1000, 'm');
    st::StorageError trimmed = st::error_from_response(
        "upload", 500, R"({"message":")" + long_message + R"("})", {});
    EXPECT_LT(std::string(trimmed.what()).size(), 400u);
}

TEST(StorageHttpErrors, TransportErrorsByCurlCode) {
    for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR,
                          CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE})
        EXPECT_TRUE(st::error_from_transport("upload", code, "", {}).retryable) << code;
    for (CURLcode code : {CURLE_PEER_FAILED_VERIFICATION, CURLE_URL_MALFORMAT,
                          CURLE_ABORTED_BY_CALLBACK, CURLE_READ_ERROR})
        EXPECT_FALSE(st::error_from_transport("upload", code, "", {}).retryable) << code;
    st::StorageError e = st::error_from_transport(
        "delete", CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: token-abc", {"token-abc"});
    // libcurl's own wording of the code (it changed in curl 8: "Could not resolve hostname")
    EXPECT_EQ(std::string(e.what()), std::string("storage delete failed: ") +
                                         curl_easy_strerror(CURLE_COULDNT_RESOLVE_HOST) +
                                         " (Could not resolve host: [redacted])");
    EXPECT_EQ(e.http_status, 0);
}
