// Storage URLs are read by libcurl's URL parser (curl_url), never by hand: the service key
// goes only over https, or over plain http to a loopback host.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/storage/object_store.hpp"

namespace st = budget_exports::storage;

namespace {

st::StoreConfig config_for(const std::string& url) {
    st::StoreConfig config;
    config.url = url;
    config.service_key = "key";
    return config;
}

bool opens(const std::string& url) {
    try {
        st::open_store(config_for(url));
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

}  // namespace

TEST(StorageUrl, UserInfoIsNeverTakenForTheHost) {
    // the authority starts with "localhost:" but the host is evil.example
    EXPECT_THROW(st::parse_storage_url("http://localhost:1@evil.example/storage/v1"), std::invalid_argument);
    EXPECT_FALSE(opens("http://localhost:1@evil.example/storage/v1"));
    EXPECT_FALSE(opens("http://127.0.0.1@evil.example/"));
    EXPECT_FALSE(opens("http://[::1]@evil.example/"));
    EXPECT_FALSE(opens("http://evil.example\\@localhost/"));  // backslash: browsers see evil.example
    // user information is refused even with https and a real host
    EXPECT_FALSE(opens("https://user:secret@project.supabase.co/storage/v1"));
    // a fragment or query that hides an "@" is refused too
    EXPECT_FALSE(opens("http://localhost#@evil.example/"));
    EXPECT_FALSE(opens("http://localhost/?@evil.example/"));
}

TEST(StorageUrl, LoopbackHostsMayUsePlainHttp) {
    for (const char* url : {"http://127.0.0.1:5000", "http://localhost:5000/storage/v1", "http://[::1]:5000",
                            "http://127.8.9.10/", "http://[::ffff:127.0.0.1]:80/", "http://LOCALHOST:1/"}) {
        SCOPED_TRACE(url);
        st::StorageUrl parsed = st::parse_storage_url(url);
        EXPECT_TRUE(parsed.loopback);
        EXPECT_TRUE(opens(url));
    }
    for (const char* url : {"http://example.com/storage/v1", "http://[::2]:5000", "http://128.0.0.1/",
                            "http://localhost.evil.example/", "http://127.0.0.1.nip.io/",
                            "http://[::ffff:10.0.0.1]/"}) {
        SCOPED_TRACE(url);
        EXPECT_FALSE(st::parse_storage_url(url).loopback);
        EXPECT_FALSE(opens(url));
    }
}

TEST(StorageUrl, Ipv6LiteralsKeepTheirBrackets) {
    st::StorageUrl parsed = st::parse_storage_url("http://[::1]:8080/storage/v1");
    EXPECT_EQ(parsed.scheme, "http");
    EXPECT_EQ(parsed.host, "[::1]");
    EXPECT_EQ(parsed.url, "http://[::1]:8080/storage/v1");
    EXPECT_THROW(st::parse_storage_url("http://[::1/"), std::invalid_argument);
}

TEST(StorageUrl, UpperCaseSchemesAreSchemes) {
    st::StorageUrl parsed = st::parse_storage_url("HTTPS://Project.Supabase.co/storage/v1");
    EXPECT_EQ(parsed.scheme, "https");
    EXPECT_EQ(parsed.host, "project.supabase.co");
    EXPECT_TRUE(opens("HTTPS://project.supabase.co/storage/v1"));
    EXPECT_TRUE(opens("HTTP://127.0.0.1:5000"));
    EXPECT_FALSE(opens("HTTP://example.com/"));  // upper case is no way around the https rule
    EXPECT_FALSE(opens("FTP://127.0.0.1/"));
}

TEST(StorageUrl, PercentEncodedHostsAreDecodedBeforeTheCheck) {
    st::StorageUrl parsed = st::parse_storage_url("http://%6c%6fcalhost:1/");
    EXPECT_EQ(parsed.host, "localhost");
    EXPECT_TRUE(parsed.loopback);
    // an encoded host that decodes to a foreign name is foreign
    EXPECT_FALSE(opens("http://%65vil.example/"));
    // an encoded "/" cannot smuggle a second host in
    EXPECT_FALSE(opens("http://127.0.0.1%2fevil.example/"));
}

TEST(StorageUrl, OddIpv4SpellingsAreNormalizedByLibcurl) {
    // libcurl reads 0x7f.1 and 127.1 as 127.0.0.1, the address it would connect to
    EXPECT_TRUE(st::parse_storage_url("http://0x7f.1/").loopback);
    EXPECT_TRUE(st::parse_storage_url("http://127.1/").loopback);
    EXPECT_EQ(st::parse_storage_url("http://127.1:9/").url, "http://127.0.0.1:9/");
}

TEST(StorageUrl, RejectsWhatIsNoStorageUrl) {
    EXPECT_THROW(st::parse_storage_url("not a url"), std::invalid_argument);
    EXPECT_THROW(st::parse_storage_url("project.supabase.co/storage/v1"), std::invalid_argument);
    EXPECT_THROW(st::parse_storage_url("ftp://127.0.0.1/"), std::invalid_argument);
    EXPECT_THROW(st::parse_storage_url("https://"), std::invalid_argument);
    EXPECT_THROW(st::parse_storage_url("https://project.supabase.co/storage/v1#x"), std::invalid_argument);
}

TEST(StorageUrl, FileUrlsAreParsedByLibcurlToo) {
    EXPECT_TRUE(opens("file:///tmp/exports"));
    EXPECT_TRUE(opens("FILE:///tmp/exports"));
    EXPECT_TRUE(opens("file://localhost/tmp/exports"));
    EXPECT_TRUE(opens("file:///tmp/with%20space/"));
    EXPECT_FALSE(opens("file://relative/dir"));
    EXPECT_FALSE(opens("file://evil.example/tmp/exports"));
}
